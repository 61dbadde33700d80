"""The Telegram test harness: the real Application polling a fake Bot API on 127.0.0.1, with the question log
and a log capture, plus checks every sent message must pass (valid Telegram HTML, under 4,096 characters, no token)."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import json
import logging
import re
import socket
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from bot.cli.main import make_conversation
from bot.config import PACKAGE_ROOT, Config, StorageConfig, load_config
from bot.frontends.telegram.app import build_application, start, stop
from bot.core.live import LiveAnswerer
from bot.querylog import Storage
from devtools.botapi_fake import FakeBotAPI

TOKEN = "4242424242:AAHfakeTokenForTestsOnly_abcdefghijklmno"
ADMIN = 9001
ALLOWED_TAGS = {"b", "i", "u", "s", "a", "code", "pre", "tg-spoiler", "blockquote"}


class LogCapture(logging.Handler):
    """Every log line and traceback, to check that the token never appears."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def errors(self) -> list[str]:
        return [line for line in self.lines if " ERROR " in line or " CRITICAL " in line]


def make_config(tmp_path: Path, **telegram: object) -> Config:
    settings = dict(poll_timeout=0.5, request_timeout=1.0, send_retries=4, retry_base_seconds=0.05,
                    flood_burst=5, flood_per_second=1.0, overall_max_rate=1000, group_max_rate=1000,
                    admins=(ADMIN,))
    settings.update(telegram)
    config = load_config(PACKAGE_ROOT / "config.yaml", environ={})
    return dataclasses.replace(config, storage=StorageConfig(str(tmp_path / "bot.sqlite3")),
                               telegram=dataclasses.replace(config.telegram, **settings))


class Harness:
    """A fake Bot API and the real Application polling it, with the storage and log capture."""

    def __init__(self, config: Config, logged: bool = True) -> None:
        self.config = config
        self.fake = FakeBotAPI(TOKEN)
        # logged=False: no question log, as the bot runs when its database cannot be opened (open_storage gave None)
        self.storage = Storage(config.storage.database) if logged else None
        self.live = LiveAnswerer(config)
        self.logs = LogCapture()
        self.app = None

    async def __aenter__(self) -> "Harness":
        root = logging.getLogger()
        root.addHandler(self.logs)
        self._level = root.level
        root.setLevel(logging.DEBUG)  # httpx at DEBUG would log the token in URLs: the front end must quiet it itself
        await self.fake.start()
        conversation = make_conversation(self.live, self.config, self.storage, "telegram")  # as bot.cli.main wires it
        self.app = build_application(self.config, conversation, self.storage, TOKEN, base_url=self.fake.base_url)
        await start(self.app, poll_timeout=self.config.telegram.poll_timeout, poll_interval=0.02)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self.app)
        await self.fake.stop()
        root = logging.getLogger()
        root.removeHandler(self.logs)
        root.setLevel(self._level)
        if self.storage is not None:
            self.storage.close()
        if exc[0] is None:
            leaked = [line for line in self.logs.lines if TOKEN in line or TOKEN.split(":")[1] in line]
            assert not leaked, f"token in logs: {leaked[:2]}"
            for message in self.fake.sent:
                assert_valid_html(message["text"])
                assert len(message["text"]) <= 4096

    @property
    def front(self):
        return self.app.bot_data["front"]

    async def ask(self, chat_id: int, text: str, timeout: float = 10.0, **kw) -> dict:
        """Send a message and wait for the bot's next message in that chat."""
        before = len(self.fake.sent_to(chat_id))
        self.fake.message(chat_id, text, **kw)
        await self.fake.wait_for(lambda: len(self.fake.sent_to(chat_id)) > before, timeout)
        await asyncio.sleep(0.05)  # let split messages arrive
        return self.fake.sent_to(chat_id)[before]

    async def tap(self, user_id: int, message: dict, data: str) -> None:
        """Tap a button and wait until the bot has answered the callback query."""
        before = len(self.fake.callback_answers)
        clean = {k: v for k, v in message.items() if k != "_params"}
        self.fake.callback(user_id, data, clean)
        await self.fake.wait_for(lambda: len(self.fake.callback_answers) > before)


async def post_update(url: str, update: dict, secret: str) -> int:
    """POST one update to a webhook as Telegram would, with its secret header; the HTTP status."""
    def send() -> int:
        request = urllib.request.Request(url, json.dumps(update).encode(), method="POST", headers={
            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
    return await asyncio.to_thread(send)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def buttons(message: dict) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or message.get("_params", {}).get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


class _TelegramHTML(HTMLParser):
    """Checks text against Telegram's HTML rules: known tags, balanced, no bare < or &."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        assert tag in ALLOWED_TAGS, f"tag <{tag}> is not allowed by Telegram"
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()


def assert_valid_html(text: str) -> None:
    assert not re.search(r"&(?!(amp|lt|gt|quot|#x27|#\d+);)", text), f"bare & in {text[:80]!r}"
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    assert not parser.stack, f"unclosed tags {parser.stack} in {text[:80]!r}"


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


QUESTION = "When was the Individual Partnership and Cooperation Programme renewed?"


def jsonl_knowledge(folder: Path, long_text: str) -> Path:
    """A three-passage JSON-lines knowledge file whose first passage (about yaks) is `long_text`."""
    path = folder / "facts.jsonl"
    rows = [{"id": "yak-1", "section": "Yaks", "text": long_text},
            {"id": "camel-1", "section": "Camels", "text": "Bactrian camels have two humps and live in the Gobi."},
            {"id": "horse-1", "section": "Horses", "text": "Mongolian horses are small, hardy and live outdoors."}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def yak_knowledge(tmp_path):
    """A one-passage JSON-lines knowledge and a config serving it, for the reload tests."""
    path = jsonl_knowledge(tmp_path, "Yaks give milk, wool and transport to herding families.")
    return path, make_config(tmp_path).with_knowledge(path)
