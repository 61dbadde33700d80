"""Hostile users against the real Telegram front end (fake Bot API on 127.0.0.1): forged button presses,
odd button data, admin views in groups, malformed updates and what the logs may show."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
import urllib.error
import urllib.request

from bot import telegram_bot
from bot.live import LiveAnswerer
from bot.telegram_bot import build_application, stop

from botapi_fake import FakeBotAPI
from test_telegram_bot import QUESTION, TOKEN, Harness, make_config, run

SECRET = "My phone is 99114321"


def test_a_malformed_update_is_skipped_once_and_its_text_never_logged(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            bad_id = h.fake.push(message={"message_id": 5, "chat": {"id": 71, "type": "private", "first_name": "a"},
                                          "from": {"id": 71, "is_bot": False, "first_name": "a"},
                                          "text": SECRET})  # no "date": the library cannot read it
            assert "Source:" in (await h.ask(70, QUESTION))["text"]
            await h.fake.settle()
            polls = h.fake.method_calls("getUpdates")
            assert polls[-1]["offset"] > bad_id and len(polls) < 50  # confirmed, not fetched in a loop
            assert h.fake.sent_to(71) == []
            assert any(f"skipped malformed update {bad_id} (KeyError)" in line for line in h.logs.lines)
            for text in (SECRET, QUESTION):  # the library logs whole updates at DEBUG unless withheld
                assert not [line for line in h.logs.lines if text in line], text
            assert h.logs.errors() == []
    run(scenario())


def test_the_library_never_logs_a_bad_webhook_update_with_its_text(tmp_path):
    async def post(url: str, update: dict) -> int:
        def send() -> int:
            request = urllib.request.Request(url, json.dumps(update).encode(), method="POST", headers={
                "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.status
            except urllib.error.HTTPError as exc:
                return exc.code
        return await asyncio.to_thread(send)

    async def scenario():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = make_config(tmp_path)
        fake = await FakeBotAPI(TOKEN).start()
        harness = Harness(config)  # only for its log capture
        app = build_application(config, LiveAnswerer(config), None, TOKEN, base_url=fake.base_url)
        root = logging.getLogger()
        root.addHandler(harness.logs)
        level = root.level
        root.setLevel(logging.DEBUG)
        await telegram_bot.start_webhook(app, "s3cret", "127.0.0.1", port, "https://bot.example.org/")
        try:
            bad = {"update_id": 41, "message": {"message_id": 5, "text": SECRET, "chat": {"id": 7, "type": "private"}}}
            await post(f"http://127.0.0.1:{port}/telegram", bad)
            good = {"update_id": 42, "message": {"message_id": 6, "date": int(time.time()), "text": QUESTION,
                                                 "chat": {"id": 77, "type": "private"},
                                                 "from": {"id": 77, "is_bot": False, "first_name": "a"}}}
            assert await post(f"http://127.0.0.1:{port}/telegram", good) == 200
            await fake.wait_for(lambda: fake.sent_to(77))
        finally:
            await stop(app)
            await fake.stop()
            root.removeHandler(harness.logs)
            root.setLevel(level)
        critical = [line for line in harness.logs.lines if " CRITICAL " in line]
        assert critical and "<update 41 withheld>" in critical[0]  # the library's own report of the bad update
        assert not [line for line in harness.logs.lines if SECRET in line or QUESTION in line]
    run(scenario())
