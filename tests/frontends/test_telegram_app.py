"""The Telegram app end to end: start, serve and stop, the token and the webhook, retries through Bot API
faults, and the knowledge watcher; the real python-telegram-bot stack against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time

import pytest
from telegram.warnings import PTBDeprecationWarning

from bot.cli.main import make_conversation, run_telegram
from bot.config import PACKAGE_ROOT
from bot.frontends.telegram.app import build_application, start_webhook, stop, watch_knowledge
from bot.frontends.telegram.guard import TokenRedactor, read_token
from bot.core.live import LiveAnswerer
from devtools.botapi_fake import FakeBotAPI
from telegram_harness import (ADMIN, QUESTION, TOKEN, Harness, free_port, make_config, plain, post_update, run,
                              yak_knowledge)


def test_send_faults_are_survived_and_every_question_answered_exactly_once(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            h.fake.fail("sendMessage", ("status", 429, 1), ("status", 429, 1), ("status", 500), ("status", 502),
                        ("delay", 1.6), ("reset",), ("garbage",), ("status", 503))
            chats = list(range(100, 110))
            for chat in chats:
                h.fake.message(chat, QUESTION)
            await h.fake.wait_for(lambda: all(h.fake.sent_to(c) for c in chats), timeout=30)
            await h.fake.settle(0.5)
            assert [len(h.fake.sent_to(c)) for c in chats] == [1] * len(chats)
            assert len(h.fake.faults_injected) == 8 and not h.fake.faults["sendMessage"]
            assert h.storage.counts()["questions"] == len(chats)
    run(scenario())


def test_a_429_is_retried_by_the_rate_limiter_alone(tmp_path, monkeypatch, recwarn):
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)  # the application opts in to timedelta periods as it is built

    async def scenario():
        async with Harness(make_config(tmp_path, send_retries=1)) as h:
            h.fake.fail("sendMessage", *[("status", 429, 1)] * 4)  # Telegram keeps saying "too many requests"
            update_id = h.fake.message(61, QUESTION)
            given_up = f"update {update_id} (message, chat 61) failed: RetryAfter"
            await h.fake.wait_for(lambda: any(given_up in line for line in h.logs.errors()))
            tries = [f for f in h.fake.faults_injected if f[0] == "sendMessage"]
            assert len(tries) == 2  # 1 + send_retries, not (1 + send_retries) squared by a second retry layer
            h.fake.faults["sendMessage"].clear()
            assert "Source:" in (await h.ask(61, QUESTION))["text"]  # the bot carries on
    run(scenario())
    assert [str(w.message) for w in recwarn if issubclass(w.category, PTBDeprecationWarning)] == []


def test_get_updates_failures_do_not_stop_polling(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            h.fake.fail("getUpdates", ("status", 500), ("status", 502), ("garbage",), ("reset",), ("delay", 2.0))
            for chat in (201, 202, 203):
                h.fake.message(chat, QUESTION)
            await h.fake.wait_for(lambda: all(h.fake.sent_to(c) for c in (201, 202, 203)), timeout=30)
            await h.fake.settle(0.5)
            assert [len(h.fake.sent_to(c)) for c in (201, 202, 203)] == [1, 1, 1]
            assert len([f for f in h.fake.faults_injected if f[0] == "getUpdates"]) == 5
    run(scenario())


def test_a_permanent_error_is_logged_with_context_and_the_bot_carries_on(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            h.fake.fail("sendMessage", ("status", 400))
            update_id = h.fake.message(60, QUESTION)
            await h.fake.wait_for(lambda: h.logs.errors())
            assert f"update {update_id} (message, chat 60) failed: BadRequest" in h.logs.errors()[0]
            assert len(h.fake.method_calls("sendMessage")) == 1  # a 400 is not retried
            assert "Source:" in (await h.ask(60, QUESTION))["text"]
    run(scenario())


def test_token_is_checked_and_never_shown(tmp_path, capsys):
    config = make_config(tmp_path)
    assert run_telegram(config, environ={}) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err
    bad = "12345:short-token-secret"
    assert run_telegram(config, environ={"TELEGRAM_BOT_TOKEN": bad}) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a valid bot token" in err and bad not in err and "short-token" not in err
    assert read_token({"TELEGRAM_BOT_TOKEN": f" {TOKEN} "}) == TOKEN
    live = LiveAnswerer(config)
    app = build_application(config, make_conversation(live, config, None, "telegram"), None, TOKEN, base_url="http://127.0.0.1:9/bot")
    assert TOKEN not in repr(app.bot_data["front"])
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "The token `%s` was rejected", (TOKEN,), None)
    TokenRedactor(TOKEN).filter(record)
    assert TOKEN not in record.getMessage() and "[token]" in record.getMessage()


def test_a_rejected_token_gives_one_line_and_exit_code_2(tmp_path, capsys):
    async def serve_fake():
        fake = await FakeBotAPI("1:" + "Z" * 35).start()  # knows another token, so ours gets 401
        return fake

    loop = asyncio.new_event_loop()
    fake = loop.run_until_complete(serve_fake())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        config = make_config(tmp_path, base_url=fake.base_url)
        assert run_telegram(config, environ={"TELEGRAM_BOT_TOKEN": TOKEN}) == 2
        err = capsys.readouterr().err
        assert "rejected the token" in err and TOKEN not in err and err.count("\n") == 1
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)

async def _start_bot_process(tmp_path, fake, telegram_extra: str = ""):
    """`python -m bot telegram` in a process of its own, polling the fake Bot API, on the seed knowledge."""
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"knowledge: {PACKAGE_ROOT / 'knowledge'}\nstorage:\n  database: {tmp_path / 'bot.sqlite3'}\n"
                           f"telegram:\n  poll_timeout: 1\n{telegram_extra}", encoding="utf-8")
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url, PYTHONPATH=str(PACKAGE_ROOT))
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config_file), "telegram", cwd=str(tmp_path), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)



@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_during_a_burst_stops_within_five_seconds(tmp_path, stop_signal):
    async def scenario():
        fake = await FakeBotAPI(TOKEN).start()
        process = await _start_bot_process(tmp_path, fake, "  request_timeout: 2\n  overall_max_rate: 30\n")
        try:
            await fake.wait_for(lambda: fake.method_calls("getUpdates"), timeout=20)
            fake.fail("sendMessage", *[("delay", 1.5)] * 5)
            for n in range(400):
                fake.message(1000 + n % 80, QUESTION)
            await fake.wait_for(lambda: len(fake.sent) >= 3, timeout=20)
            started = time.monotonic()
            process.send_signal(stop_signal)
            await asyncio.wait_for(process.wait(), 10)
            elapsed = time.monotonic() - started
            _out, err = await process.communicate()
        finally:
            if process.returncode is None:
                process.kill()
            await fake.stop()
        assert elapsed < 5, f"took {elapsed:.1f} s"
        assert process.returncode == 0, err.decode()
        assert TOKEN not in err.decode()
    run(scenario())


def test_webhook_mode_answers_posted_updates_and_checks_the_secret(tmp_path):
    async def scenario():
        port = free_port()
        config = make_config(tmp_path)
        fake = await FakeBotAPI(TOKEN).start()
        live = LiveAnswerer(config)
        app = build_application(config, make_conversation(live, config, None, "telegram"), None, TOKEN, base_url=fake.base_url)
        secret = "s3cret-for-tests"
        await start_webhook(app, secret, "127.0.0.1", port, "https://bot.example.org/")
        try:
            registered = fake.method_calls("setWebhook")[-1]
            assert registered["url"] == "https://bot.example.org/telegram"
            assert registered["secret_token"] == secret
            update = {"update_id": 1, "message": {"message_id": 5, "date": int(time.time()), "text": QUESTION,
                                                  "chat": {"id": 77, "type": "private"},
                                                  "from": {"id": 77, "is_bot": False, "first_name": "a"}}}
            url = f"http://127.0.0.1:{port}/telegram"
            assert await post_update(url, dict(update, update_id=2), "wrong-secret") == 403
            assert await post_update(url, update, secret) == 200
            await fake.wait_for(lambda: fake.sent_to(77))
            await asyncio.sleep(0.3)
            assert len(fake.sent_to(77)) == 1 and "Source:" in fake.sent_to(77)[0]["text"]
        finally:
            await stop(app)
            await fake.stop()
    run(scenario())


def test_webhook_mode_without_a_public_url_is_a_clear_error(tmp_path, capsys):
    assert run_telegram(make_config(tmp_path), webhook=True, environ={"TELEGRAM_BOT_TOKEN": TOKEN}) == 2
    assert "telegram.webhook_url" in capsys.readouterr().err


def test_a_broken_file_found_by_the_watcher_is_reported_to_the_admins(tmp_path):
    path, config = yak_knowledge(tmp_path)

    async def scenario():
        async with Harness(config) as h:
            watcher = asyncio.create_task(watch_knowledge(h.front, h.app.bot, every=0.05))
            try:
                path.write_text('{"id": "broken", "text": \n', encoding="utf-8")
                await h.fake.wait_for(lambda: h.fake.sent_to(ADMIN), 10)
                report = plain(h.fake.sent_to(ADMIN)[0]["text"])
                assert report.startswith("Reload failed, still serving the previous knowledge") and "line 1" in report
                await asyncio.sleep(0.3)
                assert len(h.fake.sent_to(ADMIN)) == 1  # once per change, not on every check
                assert "Source:" in (await h.ask(51, "What do yaks give?"))["text"]
            finally:
                watcher.cancel()
    run(scenario())


def test_the_start_up_line_is_logged_at_info_and_no_request_url_or_token_ever_is(tmp_path):
    async def scenario():
        fake = await FakeBotAPI(TOKEN).start()
        process = await _start_bot_process(tmp_path, fake)
        try:
            fake.message(77, QUESTION)
            await fake.wait_for(lambda: fake.sent_to(77), timeout=30)  # requests were made: httpx had lines to log
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), 10)
        finally:
            if process.returncode is None:
                process.kill()
            await fake.stop()
        return err.decode()

    err = run(scenario())
    assert " INFO bot.frontends.telegram.app: bot @" in err and "is running (long polling)" in err
    assert " INFO bot.frontends.telegram.app: stopping" in err
    assert "WARNING" not in err and "httpx" not in err and "HTTP Request" not in err and TOKEN not in err
