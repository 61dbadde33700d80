"""The reply for a question whose answering failed: the configured one, from the answerer behind the conversation."""

from __future__ import annotations

import dataclasses
import logging

from bot.config import Replies
from bot.core.conversation import Conversation
from bot.frontends.failure import failed_reply, log_failure


class _Answerer:
    def __init__(self, config) -> None:
        self.config = config

    def answer(self, question, context=None):
        raise AssertionError("never asked")


class _Live:
    def __init__(self, current) -> None:
        self.current = current


def test_the_failed_reply_is_the_configured_one_also_behind_a_live_answerer(seed_config, sessions):
    config = dataclasses.replace(seed_config, replies=dataclasses.replace(seed_config.replies, failed="Oops."))
    assert failed_reply(Conversation(_Answerer(config), sessions)) == "Oops."
    assert failed_reply(Conversation(_Live(_Answerer(config)), sessions)) == "Oops."


def test_an_answerer_without_a_config_gets_the_default_reply(sessions):
    assert failed_reply(Conversation(object(), sessions)) == Replies().failed
    assert "internal error" in Replies().failed  # what the JSON-lines contract check tells apart from a bad line


def test_a_failure_is_one_error_line_naming_the_exception_and_its_traceback_is_at_debug(caplog):
    log = logging.getLogger("bot.test_failure")
    try:
        raise ValueError("a bad\nvalue")
    except ValueError as exc:
        with caplog.at_level(logging.DEBUG, logger="bot"):
            log_failure(log, "answering line 3 failed", exc)
    error, debug = caplog.records
    assert (error.levelno, error.exc_info) == (logging.ERROR, None)
    assert error.getMessage() == "answering line 3 failed: ValueError: a bad value (-v shows the traceback)"
    assert debug.levelno == logging.DEBUG and debug.exc_info[0] is ValueError
