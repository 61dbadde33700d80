"""Telegram front end, wiring only: build the python-telegram-bot Application, start, stop and serve it.

Usage (the entry point, bot.cli.main, builds the conversation and question log and calls these):
    TELEGRAM_BOT_TOKEN=123456:ABC... python -m bot telegram            long polling
    TELEGRAM_BOT_TOKEN=123456:ABC... python -m bot telegram --webhook  webhook (telegram.webhook_url)

Handlers are in handlers (messages, commands), buttons (callback queries) and inline (inline queries);
the state they share is front.TelegramFrontEnd. The token is never logged: `repr(bot)` shows it, and
httpx logs URLs containing it (guard.guard_loggers keeps both out).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
from typing import Mapping

from telegram.error import InvalidToken, TelegramError
from telegram.ext import (AIORateLimiter, Application, CallbackQueryHandler, CommandHandler, InlineQueryHandler,
                          MessageHandler, filters)
from telegram.request import HTTPXRequest

from ...config import Config
from ...core.conversation import Conversation
from ...querylog import Storage
from . import buttons, handlers, inline
from .errors import BotApiUnreachable, TokenRejected, WebhookError
from .front import TelegramFrontEnd
from .guard import SECRET_PATTERN, SkippingRequest, guard_loggers, opt_in_time_periods

log = logging.getLogger(__name__)

# The promise is a stop within 5 s: 3 s for the library's own stop, then up to 1 s flushing the question
# log (bot/querylog.py) and the interpreter's exit; 4 s here left no room on a busy machine.
STOP_GRACE_SECONDS = 3.0
WEBHOOK_PATH = "telegram"
COMMANDS = (("start", handlers.on_start), ("help", handlers.on_help), ("topics", handlers.on_topics),
            ("about", handlers.on_about), ("reload", handlers.on_admin), ("stats", handlers.on_admin),
            ("unanswered", handlers.on_admin))


def build_application(config: Config, conversation: Conversation, storage: Storage | None, token: str,
                      base_url: str | None = None) -> Application:
    """The python-telegram-bot Application with our handlers, timeouts, rate limiter and retries.

    `conversation` answers, remembers chats and logs questions (its answerer is a LiveAnswerer, for
    /reload); `storage` records feedback and serves /stats and /unanswered (None: not available).
    """
    settings = config.telegram
    send_request = _request(64, settings.request_timeout)
    poll_request = _request(2, settings.request_timeout, SkippingRequest)  # a malformed update is skipped
    limiter = AIORateLimiter(overall_max_rate=settings.overall_max_rate, overall_time_period=1,
                             group_max_rate=settings.group_max_rate, group_time_period=60,
                             max_retries=settings.send_retries)
    guard_loggers(token)  # before build(): the Bot logs its URL, token included, as it is made
    opt_in_time_periods(os.environ)  # PTB's own read of RetryAfter.retry_after warned at every 429 otherwise
    app = (Application.builder().token(token).base_url(base_url or settings.base_url)
           .request(send_request).get_updates_request(poll_request).rate_limiter(limiter)
           .concurrent_updates(True).build())
    app.bot_data["front"] = TelegramFrontEnd(config, conversation, storage)
    register(app)
    return app


def register(app: Application) -> None:
    """Add the handlers in order: commands, buttons, inline queries, other commands, text, other messages, errors."""
    for name, handler in COMMANDS:
        app.add_handler(CommandHandler(name, handler, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CallbackQueryHandler(buttons.on_button))
    app.add_handler(InlineQueryHandler(inline.on_inline))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, handlers.on_unknown_command))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, handlers.on_text))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, handlers.on_other))
    app.add_error_handler(handlers.on_error)


def _request(connections: int, timeout: float, kind: type[HTTPXRequest] = HTTPXRequest) -> HTTPXRequest:
    """An HTTP client whose every phase (connect, read, write, pool wait) gives up after `timeout` seconds."""
    return kind(connection_pool_size=connections, connect_timeout=timeout, read_timeout=timeout,
                write_timeout=timeout, pool_timeout=timeout)


def webhook_secret(config: Config, environ: Mapping[str, str], webhook: bool) -> str:
    """The secret Telegram sends with each webhook update (TELEGRAM_WEBHOOK_SECRET, else a random one);
    in webhook mode, raises WebhookError when the public URL is missing or the secret is not allowed."""
    secret = environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or secrets.token_urlsafe(32)
    if webhook:
        if not config.telegram.webhook_url.startswith("https://"):
            raise WebhookError("webhook mode needs telegram.webhook_url in config.yaml, the public https:// URL "
                               "Telegram should post updates to")
        if not SECRET_PATTERN.match(secret):
            raise WebhookError("TELEGRAM_WEBHOOK_SECRET may only hold 1-256 letters, digits, '-' or '_'")
    return secret


async def start(app: Application, poll_timeout: float | None = None, poll_interval: float = 0.0) -> None:
    """Initialise the bot (getMe), start long polling and the handlers.

    After a failed getUpdates the library waits 1 s (or 1.5 x poll_interval), growing 1.5-fold per
    failure up to 30 s, and keeps polling; a success resets the wait to poll_interval.
    """
    front: TelegramFrontEnd = app.bot_data["front"]
    await app.initialize()
    await app.updater.start_polling(timeout=poll_timeout if poll_timeout is not None else front.settings.poll_timeout,
                                    poll_interval=poll_interval, bootstrap_retries=3, error_callback=on_poll_error)
    await app.start()


def on_poll_error(error: TelegramError) -> None:
    """getUpdates failed: the library keeps polling with backoff; say so once per failure."""
    log.warning("getUpdates failed (%s: %s); still polling", type(error).__name__, error)


async def start_webhook(app: Application, secret: str, listen: str, port: int, public_url: str) -> None:
    """Initialise the bot, register the webhook (with its secret token) and serve it on listen:port."""
    await app.initialize()
    await app.updater.start_webhook(listen=listen, port=port, url_path=WEBHOOK_PATH,
                                    webhook_url=f"{public_url.rstrip('/')}/{WEBHOOK_PATH}",
                                    secret_token=secret, bootstrap_retries=3)
    await app.start()


async def stop(app: Application, grace: float = STOP_GRACE_SECONDS) -> bool:
    """Stop polling and handlers within `grace` seconds; True when everything stopped cleanly."""
    front: TelegramFrontEnd = app.bot_data["front"]
    front.stopping = True  # queued updates are dropped and retries give up, so the stop is quick

    async def halt() -> None:
        """The library's own orderly stop: polling, then the handlers, then the HTTP clients."""
        if app.updater and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    try:
        await asyncio.wait_for(halt(), grace)
    except (asyncio.TimeoutError, TelegramError, RuntimeError) as exc:
        log.warning("stopped with work unfinished (%s)", type(exc).__name__)
        return False
    return True


def serve(app: Application, webhook: bool, secret: str) -> int:
    """Run the bot until SIGTERM or SIGINT and return 0; a rejected token or an unreachable Bot API at
    start-up is raised as TokenRejected or BotApiUnreachable (their messages never hold the token)."""
    token = app.bot.token
    try:
        return asyncio.run(_serve(app, webhook, secret))
    except InvalidToken:
        raise TokenRejected("Telegram rejected the token in TELEGRAM_BOT_TOKEN (check it with @BotFather, /token)") \
            from None
    except TelegramError as exc:
        raise BotApiUnreachable(f"cannot reach the Telegram Bot API ({type(exc).__name__}: "
                                f"{str(exc).replace(token, '[token]')}); check the network and telegram.base_url") \
            from None


async def _serve(app: Application, webhook: bool, secret: str) -> int:
    """Start polling or the webhook, wait for SIGTERM/SIGINT, stop within five seconds."""
    loop = asyncio.get_running_loop()
    stop_event = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_event.set)
    front: TelegramFrontEnd = app.bot_data["front"]
    settings = front.settings
    try:
        if webhook:
            await start_webhook(app, secret, settings.webhook_listen, settings.webhook_port, settings.webhook_url)
        else:
            await start(app)
    except BaseException:
        await stop(app, grace=2.0)
        raise
    log.info("bot @%s is running (%s); stop it with Ctrl-C or SIGTERM", app.bot.username,
                "webhook" if webhook else "long polling")
    reloader = asyncio.create_task(watch_knowledge(front, app.bot))
    await stop_event.wait()
    reloader.cancel()
    log.info("stopping")
    await stop(app)
    return 0


async def watch_knowledge(front: TelegramFrontEnd, bot, every: float = 30.0) -> None:
    """Reload the knowledge when its files change, so maintainers rarely need /reload; a broken file
    is reported to the admins (once per change) while the previous knowledge keeps serving."""
    while True:
        await asyncio.sleep(every)
        try:
            result = await asyncio.to_thread(front.live.reload_if_changed)
            if result is not None and not result.ok:
                await front.notify_admins(bot, result.message)
        except Exception as exc:  # a reload problem must never stop the bot
            log.error("knowledge check failed: %s", exc)
