"""The Telegram guard's parts on their own: retries, the flood guard, the token, the log redactors, skipped updates."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import warnings
from datetime import timedelta

import pytest
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.frontends.telegram.errors import TokenError
from bot.frontends.telegram.guard import (LIBRARY_LOGGERS, ChatLocks, FloodGuard, SkippingRequest, TokenRedactor,
                                          UpdateRedactor, guard_loggers, is_transient, opt_in_time_periods, read_token,
                                          with_retries)

TOKEN = "4242424242:AAHfakeTokenForTestsOnly_abcdefghijklmno"


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


def test_time_periods_are_opted_in_to_timedelta_so_a_429_warns_no_more_and_an_explicit_choice_stands(monkeypatch):
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    opt_in_time_periods(os.environ)  # as build_application does: every RetryAfter read its retry_after and warned
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert RetryAfter(1).retry_after == timedelta(seconds=1) and RetryAfter(timedelta(seconds=2.5)).retry_after \
            == timedelta(seconds=2.5)
    environ = {"PTB_TIMEDELTA": "false"}
    opt_in_time_periods(environ)
    assert environ == {"PTB_TIMEDELTA": "false"}


def test_a_429_and_a_bad_request_are_not_retried_here(monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as the Telegram front end opts in (a 429 made here, not by it)
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
    token = TOKEN
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    guard_loggers(token)
    assert all(logging.getLogger(name).getEffectiveLevel() == logging.WARNING for name in ("httpx", "httpcore"))
    for name in LIBRARY_LOGGERS:
        assert any(isinstance(f, TokenRedactor) and f.token == token for f in logging.getLogger(name).filters)


# -- the flood guard and per-chat order --------------------------------------------------------------

def test_flood_guard_refills_over_time():
    now = [0.0]
    guard = FloodGuard(burst=3, rate=2.0, clock=lambda: now[0])
    assert [guard.allow(1)[0] for _ in range(5)] == [True, True, True, False, False]
    assert guard.allow(2)[0]
    now[0] += 1.0
    assert [guard.allow(1)[0] for _ in range(3)] == [True, True, False]


def test_flood_guard_notifies_once_per_ten_seconds_and_forgets_the_least_recent_user():
    now = [0.0]
    guard = FloodGuard(burst=1, rate=0.0, clock=lambda: now[0], max_users=2)
    assert guard.allow(1) == (True, False)
    assert guard.allow(1) == (False, True) and guard.allow(1) == (False, False)  # one notice, then silence
    now[0] += 11
    assert guard.allow(1) == (False, True)
    guard.allow(2)
    guard.allow(3)  # a third user: user 1, seen least recently, is forgotten and starts afresh
    assert guard.allow(1) == (True, False)


def test_chat_locks_keep_a_chats_order_and_forget_idle_chats():
    locks = ChatLocks()
    order = []

    async def handle(chat: str, n: int, pause: float) -> None:
        async with locks(chat):
            await asyncio.sleep(pause)
            order.append((chat, n))

    async def scenario() -> None:
        await asyncio.gather(handle("a", 1, 0.05), handle("a", 2, 0.0), handle("b", 1, 0.0))
        assert locks._locks == {}

    asyncio.run(scenario())
    assert order == [("b", 1), ("a", 1), ("a", 2)]  # b did not wait for a; a's second waited for its first


# -- the token and the logs ---------------------------------------------------------------------------

def test_read_token_names_the_problem_and_never_the_token():
    assert read_token({"TELEGRAM_BOT_TOKEN": f" {TOKEN} "}) == TOKEN
    with pytest.raises(TokenError, match="is not set"):
        read_token({})
    with pytest.raises(TokenError, match="not a valid bot token") as caught:
        read_token({"TELEGRAM_BOT_TOKEN": "12345:short-secret"})
    assert "short-secret" not in str(caught.value)


def test_token_redactor_rewrites_messages_and_withholds_tracebacks_that_hold_the_token():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "POST /bot%s/getMe", (TOKEN,), None)
    assert TokenRedactor(TOKEN).filter(record) and record.getMessage() == "POST /bot[token]/getMe"
    error = RuntimeError(f"bad url /bot{TOKEN}/x")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), (RuntimeError, error, None))
    TokenRedactor(TOKEN).filter(record)
    assert record.exc_info is None and record.getMessage() == "failed (details withheld: they contained the token)"


def test_update_redactor_shows_update_ids_never_their_text():
    update = Update.de_json({"update_id": 7, "message": {"message_id": 1, "date": 0, "text": "my secret",
                                                         "chat": {"id": 1, "type": "private"}}}, None)
    record = logging.LogRecord("telegram.ext", logging.DEBUG, __file__, 1, "Processing update %s", (update,), None)
    UpdateRedactor().filter(record)
    assert record.getMessage() == "Processing update <update 7 withheld>"
    raw = [{"update_id": 8, "message": {"text": "my secret"}}]
    record = logging.LogRecord("telegram.ext", logging.CRITICAL, __file__, 1, "Received data was %s", (raw,), None)
    UpdateRedactor().filter(record)
    assert record.getMessage() == "Received data was <update 8 withheld>"
    record = logging.LogRecord("telegram.ext", logging.DEBUG, __file__, 1, "ids %s", ([1, 2],), None)
    UpdateRedactor().filter(record)
    assert record.getMessage() == "ids [1, 2]"  # a list of update ids is harmless


def test_skipping_request_strips_an_unreadable_update_to_its_id():
    good = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "hi", "chat": {"id": 1, "type": "private"}}}
    bad = {"update_id": 2, "message": {"message_id": 2, "text": "my secret", "chat": {"id": 1, "type": "private"}}}
    payload = json.dumps({"ok": True, "result": [good, bad, {"no_id": True}]}).encode()
    assert SkippingRequest().parse_json_payload(payload)["result"] == [good, {"update_id": 2}]
