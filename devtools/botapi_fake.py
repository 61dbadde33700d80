"""A stand-in for the Telegram Bot API on 127.0.0.1, so the real bot and its real HTTP stack run offline.

It serves queued updates to getUpdates (honouring offset and timeout), records every message the
bot sends, and follows a fault plan per method: an HTTP error status (with retry_after for 429),
a response delayed past the client's timeout, a reset connection, or a malformed JSON body. A
faulted request is never applied, so "answered exactly once" is well defined.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import defaultdict, deque
from typing import Any, Callable

from aiohttp import web

JSON_FIELDS = {"reply_markup", "results", "reply_parameters", "link_preview_options", "entities",
               "allowed_updates", "button"}
INT_FIELDS = {"chat_id", "offset", "timeout", "limit", "message_id", "user_id", "cache_time"}


class FakeBotAPI:
    """Speaks enough of the Bot API for the bot: getMe, getUpdates, sendMessage, buttons, inline mode."""

    def __init__(self, token: str, username: str = "fact_bot", bot_id: int = 777000) -> None:
        self.token = token
        self.username = username
        self.bot_id = bot_id
        self.updates: list[dict] = []
        self.calls: list[tuple[str, dict]] = []
        self.sent: list[dict] = []  # applied sendMessage calls, as message dicts
        self.sent_at: list[float] = []  # when each was applied (time.monotonic), for benchmarks
        self.edits: list[dict] = []
        self.callback_answers: list[dict] = []
        self.inline_answers: list[dict] = []
        self.chat_types: dict[int, str] = {}
        self.faults: dict[str, deque] = defaultdict(deque)
        self.faults_injected: list[tuple[str, tuple]] = []
        self._next_update = 1
        self._next_message = 1000
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> "FakeBotAPI":
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- faults ----------------------------------------------------------------------------------

    def fail(self, method: str, *actions: tuple) -> None:
        """Queue faults for the next calls of a method: ("status", code[, retry_after]), ("delay", s),
        ("reset",), ("garbage",)."""
        self.faults[method].extend(actions)

    # -- updates ---------------------------------------------------------------------------------

    def push(self, **update: Any) -> int:
        update_id = self._next_update
        self._next_update += 1
        self.updates.append({"update_id": update_id, **update})
        self._new_update.set()
        return update_id

    def _message_id(self) -> int:
        self._next_message += 1
        return self._next_message

    def _chat(self, chat_id: int, chat_type: str) -> dict:
        self.chat_types[chat_id] = chat_type
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"user{chat_id}"
        else:
            chat["title"] = f"chat {chat_id}"
        return chat

    def _user(self, user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"user{user_id}"}

    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "FactBot", "username": self.username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}

    def message(self, chat_id: int, text: str | None = None, user_id: int | None = None, chat_type: str = "private",
                reply_to: dict | None = None, kind: str = "message", **extra: Any) -> int:
        """Queue a message update; @mentions and /commands get their entities as Telegram sets them."""
        user_id = user_id if user_id is not None else chat_id
        message = {"message_id": self._message_id(), "date": int(time.time()), "chat": self._chat(chat_id, chat_type),
                   **extra}
        if kind != "channel_post":
            message["from"] = self._user(user_id)
        if text is not None:
            message["text"] = text
            entities = _entities(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if kind == "edited_message":
            message["edit_date"] = int(time.time())
        return self.push(**{kind: message})

    def callback(self, user_id: int, data: str, message: dict) -> int:
        """Queue a button tap on a message the bot sent."""
        return self.push(callback_query={"id": f"cb{self._next_update}", "from": self._user(user_id),
                                         "chat_instance": "ci", "data": data, "message": message})

    def inline(self, user_id: int, query: str) -> int:
        return self.push(inline_query={"id": f"iq{self._next_update}", "from": self._user(user_id),
                                       "query": query, "offset": ""})

    # -- records ---------------------------------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[dict]:
        return [m for m in self.sent if m["chat"]["id"] == chat_id]

    def method_calls(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until predicate() is true, failing the test with a clear message after `timeout`."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s; sent so far: "
                                     f"{[m.get('text', '')[:60] for m in self.sent[-5:]]}")
            await asyncio.sleep(0.02)

    async def settle(self, quiet: float = 0.4) -> None:
        """Wait until the bot has made no call but getUpdates for `quiet` seconds (to check it stays silent)."""
        def busy() -> int:
            return sum(1 for method, _ in self.calls if method != "getUpdates")

        count = -1
        while count != busy():
            count = busy()
            await asyncio.sleep(quiet)

    # -- the server --------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params = {}
        for key, value in raw.items():
            if isinstance(value, str) and key in JSON_FIELDS:
                value = json.loads(value)
            elif isinstance(value, str) and key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
                value = int(value)
            elif isinstance(value, str) and key == "timeout":
                value = float(value)
            params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if self.faults[method]:
            action = self.faults[method].popleft()
            self.faults_injected.append((method, action))
            return await self._fault(request, action)
        handler = getattr(self, f"_api_{method}", None)
        result = await handler(params) if handler else True
        return web.json_response({"ok": True, "result": result})

    async def _fault(self, request: web.Request, action: tuple) -> web.StreamResponse:
        kind = action[0]
        if kind == "status":
            code = action[1]
            body: dict = {"ok": False, "error_code": code, "description": f"Fake error {code}"}
            if code == 429:
                body["description"] = f"Too Many Requests: retry after {action[2]}"
                body["parameters"] = {"retry_after": action[2]}
            return web.json_response(body, status=code)
        if kind == "delay":
            await asyncio.sleep(action[1])
            return web.json_response({"ok": False, "error_code": 504, "description": "Gateway Timeout"}, status=504)
        if kind == "reset":
            request.transport.close()
            await asyncio.sleep(0.05)
            return web.Response(status=500)
        if kind == "garbage":
            return web.Response(text="<html>upstream exploded{", content_type="text/html")
        raise ValueError(f"unknown fault {action!r}")

    async def _api_getMe(self, params: dict) -> dict:
        return self.bot_user()

    async def _api_getUpdates(self, params: dict) -> list[dict]:
        offset = params.get("offset") or 0
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self.updates and timeout:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        return self.updates[: int(params.get("limit") or 100)]

    def _bot_message(self, chat_id: int, text: str, markup: dict | None) -> dict:
        message = {"message_id": self._message_id(), "date": int(time.time()), "from": self.bot_user(),
                   "chat": self._chat(chat_id, self.chat_types.get(chat_id, "private")), "text": text}
        if markup:
            message["reply_markup"] = markup
        return message

    async def _api_sendMessage(self, params: dict) -> dict:
        message = self._bot_message(params["chat_id"], params["text"], params.get("reply_markup"))
        message["_params"] = params
        self.sent.append(message)
        self.sent_at.append(time.monotonic())
        return {k: v for k, v in message.items() if k != "_params"}

    async def _api_editMessageText(self, params: dict) -> dict:
        self.edits.append(params)
        return self._bot_message(params.get("chat_id", 0), params["text"], params.get("reply_markup"))

    async def _api_editMessageReplyMarkup(self, params: dict) -> dict:
        self.edits.append(params)
        return self._bot_message(params.get("chat_id", 0), "", params.get("reply_markup"))

    async def _api_answerCallbackQuery(self, params: dict) -> bool:
        self.callback_answers.append(params)
        return True

    async def _api_answerInlineQuery(self, params: dict) -> bool:
        self.inline_answers.append(params)
        return True


def _entities(text: str) -> list[dict]:
    """Mention and bot-command entities, with offsets in UTF-16 code units as Telegram counts them."""
    out = []
    for match in re.finditer(r"(?<!\w)(@\w{3,}|^/\w+(@\w+)?)", text):
        offset = len(text[: match.start()].encode("utf-16-le")) // 2
        length = len(match.group(0).encode("utf-16-le")) // 2
        out.append({"type": "mention" if match.group(0).startswith("@") else "bot_command",
                    "offset": offset, "length": length})
    return out
