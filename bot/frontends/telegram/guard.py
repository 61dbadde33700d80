"""Telegram safety: the flood guard, per-chat order, retries, skipping malformed updates, and keeping
the token and users' messages out of the logs.

These change when Telegram's limits or faults change, not when the bot's replies do; none of them
formats a message or handles an update.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Awaitable, Callable, Mapping, MutableMapping, TypeVar

from cachetools import LRUCache
from telegram import TelegramObject, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from .errors import TokenError

log = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_RETRY_WAIT = 10.0
T = TypeVar("T")

# The library's own loggers: at DEBUG, ExtBot logs "Set Bot API URL: .../bot<token>" when it starts, and
# several of them print whole updates (with users' messages), even at CRITICAL, when one fails to parse.
# A logger's filters only see records logged at that very logger, so each is named.
LIBRARY_LOGGERS = ("telegram", "telegram.Bot", "telegram.ext", "telegram.ext.ExtBot", "telegram.ext.Updater",
                   "telegram.ext.Application", "telegram.ext.AIORateLimiter", "telegram.ext.JobQueue",
                   "telegram.ext.ConversationHandler", "telegram.request", "telegram.request.BaseRequest",
                   "telegram.request.HTTPXRequest")


# -- flood and order -------------------------------------------------------------------------------

class FloodGuard:
    """A token bucket per user: `burst` messages at once, then `rate` per second; bounded in users."""

    def __init__(self, burst: int, rate: float, clock: Callable[[], float] = time.monotonic,
                 max_users: int = 20000) -> None:
        self.burst = max(1, burst)
        self.rate = rate
        self.clock = clock
        self.max_users = max_users
        self._buckets: LRUCache[int, tuple[float, float, float]] = LRUCache(max_users)  # tokens, at, last notice

    def allow(self, user: int) -> tuple[bool, bool]:
        """(allowed, notify): whether to handle this message, and whether to tell the user they are throttled."""
        now = self.clock()
        tokens, at, noticed = self._buckets.get(user, (float(self.burst), now, -1e9))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        allowed = tokens >= 1.0
        notify = False
        if allowed:
            tokens -= 1.0
        elif now - noticed > 10.0:
            notify, noticed = True, now
        self._buckets[user] = (tokens, now, noticed)  # the least recently seen user is forgotten beyond max_users
        return allowed, notify


class ChatLocks:
    """One lock per chat so a chat's messages are answered in order while other chats run concurrently."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __call__(self, key: str) -> "_ChatLock":
        """An async context manager holding the chat's lock."""
        return _ChatLock(self, key)


class _ChatLock:
    """Holds one chat's lock and counts its waiters, so an idle chat's lock can be forgotten."""

    def __init__(self, owner: ChatLocks, key: str) -> None:
        self.owner, self.key = owner, key

    async def __aenter__(self) -> None:
        lock, users = self.owner._locks.get(self.key, (asyncio.Lock(), 0))
        self.owner._locks[self.key] = (lock, users + 1)
        await lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        lock, users = self.owner._locks[self.key]
        lock.release()
        if users <= 1:
            del self.owner._locks[self.key]  # forget idle chats so the map stays small
        else:
            self.owner._locks[self.key] = (lock, users - 1)


# -- retries ---------------------------------------------------------------------------------------

def is_transient(exc: BaseException) -> bool:
    """True for Bot API faults worth a retry here: timeouts, resets, 5xx and unreadable responses.

    Not a 429 (RetryAfter): AIORateLimiter, built with max_retries = telegram.send_retries, already
    waits out its retry_after and retries, holding back every other request meanwhile as Telegram
    asks. Retried here too, each of our attempts went through all of the limiter's, (1 + n)^2 in all.
    """
    if isinstance(exc, RetryAfter):
        return False
    if isinstance(exc, TimedOut):
        return True
    if isinstance(exc, BadRequest):
        return False
    if isinstance(exc, NetworkError):
        return True
    return type(exc) is TelegramError and "Invalid server response" in str(exc)


async def with_retries(call: Callable[[], Awaitable[T]], what: str, chat: object, retries: int, base: float,
                       stopping: Callable[[], bool]) -> T:
    """Run one Bot API call, retrying transient faults with bounded exponential backoff.

    Waits are base, 2*base, 4*base, ... capped at 10 s, for at most `retries` retries; a 429 is
    the rate limiter's to retry (see is_transient). Gives up at once when `stopping()` says the
    bot is shutting down.
    """
    wait = base
    attempts = retries + 1
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except TelegramError as exc:
            if not is_transient(exc) or attempt == attempts or stopping():
                raise
            delay = min(MAX_RETRY_WAIT, wait)
            log.info("%s to chat %s failed (%s: %s); retry %d of %d in %.1f s", what, chat,
                     type(exc).__name__, exc, attempt, attempts - 1, delay)
            await asyncio.sleep(delay)
            wait = min(MAX_RETRY_WAIT, wait * 2)
    raise AssertionError("unreachable")  # pragma: no cover


# -- the token -------------------------------------------------------------------------------------

def read_token(environ: Mapping[str, str]) -> str:
    """The bot token from TELEGRAM_BOT_TOKEN, checked; the TokenError message never contains it."""
    token = environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise TokenError("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token "
                         "(see the Telegram section of README.md)")
    if not TOKEN_PATTERN.match(token):
        raise TokenError("TELEGRAM_BOT_TOKEN is not a valid bot token: it should look like 123456789:AAE... "
                         "(digits, a colon, then 30 or more letters, digits, '-' or '_'), as @BotFather gives it")
    return token


class TokenRedactor(logging.Filter):
    """Replace the token in any log record, as a second line of defence behind never logging it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite a record that carries the token; never drop the record itself."""
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "[token]"), None
        if record.exc_info and record.exc_info[1] is not None and self.token in str(record.exc_info[1]):
            record.exc_info, record.exc_text = None, None
            record.msg = f"{record.msg} (details withheld: they contained the token)"
        return True


class UpdateRedactor(logging.Filter):
    """Withhold raw updates and API payloads from the library's log records: they hold users' messages.

    The library logs them whole, e.g. CRITICAL "Error while parsing updates! Received data was [...]"
    or "Processing update Update(...)" at DEBUG. Such arguments are replaced by their update ids.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's arguments that carry raw data; never drop the record itself."""
        if not isinstance(record.msg, str) and _is_raw(record.msg):
            record.msg = _withheld(record.msg)
        args = record.args
        if isinstance(args, Mapping):  # logging turns a lone mapping argument into record.args itself
            record.args = (_withheld(args),)
        elif args and any(_is_raw(arg) for arg in args):
            record.args = tuple(_withheld(arg) if _is_raw(arg) else arg for arg in args)
        return True


def _is_raw(value: object) -> bool:
    """True for what may carry a user's text: updates, API objects, JSON payloads and their containers."""
    if isinstance(value, (list, tuple, set, frozenset)):  # a list of update ids is harmless
        return not all(isinstance(item, (int, float)) for item in value)
    if isinstance(value, (Mapping, TelegramObject)):
        return True
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value[:1]).decode("latin-1")
    return isinstance(value, str) and value.lstrip()[:1] in ("{", "[")


def _withheld(value: object) -> str:
    """What a withheld argument is said to be: the update ids it held, never its content."""
    items = value if isinstance(value, (list, tuple)) else [value]
    ids = [_update_id(item) for item in items]
    ids = [i for i in ids if i is not None]
    return f"<update {', '.join(map(str, ids))} withheld>" if ids else "<data withheld>"


def _update_id(item: object) -> int | None:
    """The id of an update (parsed or raw), which is safe to log; None for anything else."""
    if isinstance(item, Update):
        return item.update_id
    if isinstance(item, Mapping) and isinstance(item.get("update_id"), int):
        return item["update_id"]
    return None


def guard_loggers(token: str) -> None:
    """Redact the token and raw updates at the library's loggers themselves, whatever handlers the host
    sets up; httpx and httpcore stay at WARNING, as their INFO lines are request URLs, which hold the token."""
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactor) and f.token == token for f in logger.filters):
            logger.addFilter(TokenRedactor(token))
        if not any(isinstance(f, UpdateRedactor) for f in logger.filters):
            logger.addFilter(UpdateRedactor())


def opt_in_time_periods(environ: MutableMapping[str, str]) -> None:
    """Have python-telegram-bot give time periods (RetryAfter.retry_after, durations) as datetime.timedelta now, as
    its version 23 will: until opted in, every read warns, and RetryAfter's constructor reads its own retry_after,
    so each 429 warned. We read none ourselves; code that starts to gets the coming type. A set value is kept."""
    environ.setdefault("PTB_TIMEDELTA", "true")


def install_redactor(token: str) -> None:
    """Put the token redactor on every handler of the root logger."""
    redactor = TokenRedactor(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)


# -- malformed updates -----------------------------------------------------------------------------

class SkippingRequest(HTTPXRequest):
    """The getUpdates client: an update the library cannot read is replaced by a bare one with its id.

    Unchanged, one bad update (say a message without `date`) fails the whole batch, the offset is
    never confirmed and the same batch is fetched again forever. The bare Update(update_id) matches
    no handler, and the library confirms its offset like any other, so the bot goes on.
    """

    def parse_json_payload(self, payload: bytes) -> Any:
        """The response as the library expects it, each unreadable update stripped to its id."""
        data = super().parse_json_payload(payload)
        if isinstance(data, dict) and data.get("ok") and isinstance(data.get("result"), list):
            data["result"] = [kept for kept in map(_readable, data["result"]) if kept is not None]
        return data


def _readable(raw: object) -> object | None:
    """The raw update if the library can read it, else a bare update with its id (None without one)."""
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    if type(update_id) is not int:  # the library would add 1 to it to confirm the offset
        log.warning("skipped an update without a valid id; its content is not logged")
        return None
    try:
        Update.de_json(raw, None)
        return raw
    except Exception as exc:  # whatever the library raises on bad input; the update is skipped, not fatal
        log.warning("skipped malformed update %d (%s); its content is not logged", update_id, type(exc).__name__)
        return {"update_id": update_id}
