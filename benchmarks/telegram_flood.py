"""Flood benchmark: one user floods commands, buttons or inline queries; how long do five other chats wait?

Usage:
    python benchmarks/telegram_flood.py

The real Application, rate limiter and HTTP stack run against the tests' stand-in Bot API
(devtools/botapi_fake.py) on 127.0.0.1. For each kind of flood it prints how long five other chats
waited for their answers and how many Bot API calls the flooder cost. Before the flood guard covered
every update kind, 200 /help made the others wait 5.9 s and 600 /about 19.4 s.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # as every benchmark does, so `bot` and `devtools` import from this checkout

from bot.cli.main import make_conversation  # noqa: E402
from bot.config import StorageConfig, load_config  # noqa: E402
from bot.live import LiveAnswerer  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.frontends.telegram.app import build_application, start, stop  # noqa: E402
from devtools.botapi_fake import FakeBotAPI  # noqa: E402

TOKEN = "4242424242:AAHbenchmarkTokenNotARealOne_abcdefgh"
QUESTION = "When was the Individual Partnership and Cooperation Programme renewed?"
FLOODS = (("/help", 200), ("/about", 600), ("button", 600), ("inline", 600))


def _flood(fake: FakeBotAPI, kind: str, count: int, user: int) -> None:
    """Queue `count` updates of one kind from one user."""
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": user, "type": "private", "first_name": "x"},
               "from": {"id": user, "is_bot": False, "first_name": "x"}, "text": "x"}
    for _ in range(count):
        if kind == "button":
            fake.callback(user, "topic:1", message)
        elif kind == "inline":
            fake.inline(user, "")
        else:
            fake.message(user, kind)


async def one(kind: str, count: int) -> None:
    """Run one flood against a fresh bot and print what the other chats waited."""
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(ROOT / "config.yaml", environ={})
        config = dataclasses.replace(
            config, storage=StorageConfig(str(Path(folder) / "log.sqlite3")),
            telegram=dataclasses.replace(config.telegram, poll_timeout=1.0, request_timeout=2.0, retry_base_seconds=0.1))
        fake = await FakeBotAPI(TOKEN).start()
        storage = Storage(config.storage.database)
        conversation = make_conversation(LiveAnswerer(config), config, storage, "telegram")
        app = build_application(config, conversation, storage, TOKEN, base_url=fake.base_url)
        await start(app, poll_timeout=1.0, poll_interval=0.0)
        flooder, others = 300, list(range(301, 306))
        _flood(fake, kind, count, flooder)
        began = time.monotonic()
        for chat in others:
            fake.message(chat, QUESTION)
        await fake.wait_for(lambda: all(fake.sent_to(chat) for chat in others), timeout=120)
        waited = time.monotonic() - began
        await asyncio.sleep(0.5)
        calls = sum(1 for method, params in fake.calls if method != "getUpdates" and (
            params.get("chat_id") == flooder or "callback_query_id" in params or "inline_query_id" in params))
        await stop(app)
        await fake.stop()
        storage.close()
        print(f"{count} x {kind}: other chats waited {waited:.2f} s; Bot API calls for the flooder: {calls}", flush=True)


async def main() -> None:
    """Every kind of flood, one after another."""
    for kind, count in FLOODS:
        await one(kind, count)


if __name__ == "__main__":
    asyncio.run(main())
