"""The Telegram guard's parts on their own: retries, the flood guard, the token, the log redactors, skipped updates."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.frontends.telegram.guard import is_transient, with_retries


def _failing(*errors: Exception):
    """A Bot API call that raises the given errors in turn, then returns "sent"; counts its calls."""
    queue = list(errors)
    calls = []

    async def call() -> str:
        calls.append(1)
        if queue:
            raise queue.pop(0)
        return "sent"

    return call, calls


def _retry(call, retries: int = 3, stopping=lambda: False):
    return asyncio.run(with_retries(call, "sendMessage", 1, retries, 0.0, stopping))


def test_transient_faults_are_retried_up_to_the_limit():
    call, calls = _failing(TimedOut(), NetworkError("connection reset"))
    assert _retry(call) == "sent" and len(calls) == 3
    call, calls = _failing(*[TimedOut()] * 5)
    with pytest.raises(TimedOut):
        _retry(call, retries=2)
    assert len(calls) == 3


def test_a_429_and_a_bad_request_are_not_retried_here():
    assert not is_transient(RetryAfter(1)) and not is_transient(BadRequest("chat not found"))
    for error in (RetryAfter(1), BadRequest("chat not found")):  # a 429 is AIORateLimiter's to retry
        call, calls = _failing(error)
        with pytest.raises(type(error)):
            _retry(call)
        assert len(calls) == 1


def test_no_retry_once_the_bot_is_stopping():
    call, calls = _failing(TimedOut())
    with pytest.raises(TimedOut):
        _retry(call, stopping=lambda: True)
    assert len(calls) == 1


def test_the_front_end_keeps_httpx_quiet_and_redacts_the_library_loggers():
    import logging

    from bot.frontends.telegram.guard import LIBRARY_LOGGERS, TokenRedactor, guard_loggers

    token = "4242424242:AAHfakeTokenForTestsOnly_abcdefghijklmno"
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    guard_loggers(token)
    assert all(logging.getLogger(name).getEffectiveLevel() == logging.WARNING for name in ("httpx", "httpcore"))
    for name in LIBRARY_LOGGERS:
        assert any(isinstance(f, TokenRedactor) and f.token == token for f in logging.getLogger(name).filters)
