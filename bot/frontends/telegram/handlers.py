"""Telegram front end: a thin adapter that puts the shared answerer behind python-telegram-bot 22.

Usage:
    TELEGRAM_BOT_TOKEN=123456:ABC... python -m bot telegram            long polling
    TELEGRAM_BOT_TOKEN=123456:ABC... python -m bot telegram --webhook  webhook (telegram.webhook_url)

Everything the bot says comes from `bot.answer` (the same answers as the console); this module
only routes updates to handlers, keeps per-chat context, logs questions and feedback, and builds
and runs the Application. Messages and buttons are made in `bot.telegram_format`; the flood guard,
retries and token safety live in `bot.telegram_guard`. The token is read from the environment and
never logged: `repr(bot)` shows it, and httpx logs URLs containing it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import sys
import time
from collections import OrderedDict
from typing import Awaitable, Callable, Mapping, TypeVar

from telegram import (InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions,
                      MessageEntity, ReplyParameters, Update)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import (AIORateLimiter, Application, CallbackQueryHandler, CommandHandler, ContextTypes,
                          InlineQueryHandler, MessageHandler, filters)
from telegram.request import HTTPXRequest

from ...answer import Answer, new_sessions
from ...config import Config
from ..console import format_why
from ...live import LiveAnswerer
from ...storage import Storage, StorageError
from .format import (MAX_BUTTONS, ButtonStore, Pending, all_topics_keyboard, button_index, examples_keyboard,
                              feedback_row, fit_html, html_chunks, label, nearby_topic_rows, source_line, sources_html,
                              suggestion_rows, topic_html, topics_keyboard, why_button)
from .guard import (SECRET_PATTERN, ChatLocks, FloodGuard, SkippingRequest, guard_loggers, install_redactor,
                             read_token, with_retries)

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 4.0
WEBHOOK_PATH = "telegram"
TYPING_SECONDS = 5.0
T = TypeVar("T")

NON_TEXT_HINT = "I can only read text. Please type your question, or send /help to see what I know about."
FLOOD_NOTICE = "You are sending messages faster than I can read them, so I skipped some. Please wait a moment."
FLOOD_TOAST = "Please slow down a little."
EXPIRED = "This button has expired. Please ask your question again."
NOT_ADMIN = "Sorry, only the bot's maintainers may use /{command}."
PRIVATE_ONLY = ("/{command} lists other people's questions, so I only show it in our private chat. "
                "Please send it to me there.")
PRIVATE_COMMANDS = frozenset({"unanswered"})  # admin views that show users' questions


# -- the front end -----------------------------------------------------------------------------

class TelegramFrontEnd:
    """Handlers for every kind of update; holds per-chat contexts, buttons and the flood guard."""

    def __init__(self, config: Config, live: LiveAnswerer, storage: Storage | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.settings = config.telegram
        self.live = live
        self.storage = storage
        self.sessions = new_sessions(config, clock)
        self.buttons = ButtonStore()
        self.flood = FloodGuard(self.settings.flood_burst, self.settings.flood_per_second, clock)
        self.locks = ChatLocks()
        self.started = time.time()
        self.stopping = False
        self.answered = 0
        self._background: set[asyncio.Task] = set()
        self._typed: OrderedDict[int, float] = OrderedDict()

    def __repr__(self) -> str:  # never show the bot (its repr holds the token)
        return f"TelegramFrontEnd(passages={len(self.live.current.kb.passages)}, chats={len(self.sessions)})"

    def register(self, app: Application) -> None:
        """Add the handlers in order: commands, buttons, inline queries, text, other messages, errors."""
        for name, handler in (("start", self.on_start), ("help", self.on_help), ("topics", self.on_topics),
                              ("about", self.on_about), ("reload", self.on_admin), ("stats", self.on_admin),
                              ("unanswered", self.on_admin)):
            app.add_handler(CommandHandler(name, handler, filters=filters.UpdateType.MESSAGE))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, self.on_unknown_command))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_other))
        app.add_error_handler(self.on_error)

    # -- sending ------------------------------------------------------------------------------

    async def send(self, call: Callable[[], Awaitable[T]], what: str, chat: object) -> T:
        """Run one Bot API call with the retries telegram.send_retries allows; none once the bot is stopping."""
        return await with_retries(call, what, chat, self.settings.send_retries, self.settings.retry_base_seconds,
                                  lambda: self.stopping)

    async def say(self, bot, chat_id: int, chunks: list[str], markup: InlineKeyboardMarkup | None = None,
                  reply_to: int | None = None) -> None:
        """Send HTML messages in order; the buttons go under the last one and are bound to it."""
        for number, chunk in enumerate(chunks):
            last = number == len(chunks) - 1
            reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and number == 0 else None
            sent = await self.send(lambda: bot.send_message(
                chat_id, chunk, parse_mode=ParseMode.HTML, reply_markup=markup if last else None,
                reply_parameters=reply, link_preview_options=LinkPreviewOptions(is_disabled=True)),
                "sendMessage", chat_id)
            if last and markup is not None:
                self.buttons.bind(markup, chat_id, sent.message_id)

    async def notify_admins(self, bot, text: str) -> None:
        """Tell every admin (in their private chat with the bot) something maintainers must act on."""
        for admin in self.settings.admins:
            try:
                await self.say(bot, admin, html_chunks(text))
            except TelegramError as exc:  # an admin who never started the bot cannot be messaged
                log.warning("could not notify admin %s: %s", admin, type(exc).__name__)

    def _typing(self, bot, chat_id: int) -> None:
        """Show 'typing...' without waiting for it: it is a courtesy, never worth delaying or failing a reply.

        Telegram shows the status for 5 s (or until our message arrives), so one action per chat per
        5 s is enough; more would only spend the rate limiter's budget that replies need.
        """
        now = time.monotonic()
        if now - self._typed.get(chat_id, -TYPING_SECONDS) < TYPING_SECONDS:
            return
        self._typed[chat_id] = now
        self._typed.move_to_end(chat_id)
        while len(self._typed) > MAX_BUTTONS:
            self._typed.popitem(last=False)

        async def action() -> None:
            """Send the chat action, swallowing failures (logged at DEBUG)."""
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:
                log.debug("typing action for chat %s failed: %s", chat_id, type(exc).__name__)

        task = asyncio.create_task(action())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- answering ----------------------------------------------------------------------------

    async def respond(self, bot, chat_id: int, session: str, question: str, reply_to: int | None = None) -> None:
        """Answer one question in a chat, in order with the chat's other questions, and log it."""
        async with self.locks(session):
            if self.stopping:
                return
            self._typing(bot, chat_id)
            answer = self.live.answer(question, self.sessions.get(session))
            self.sessions.put(session, answer.context)
            self._log_question(str(chat_id), question, answer)
            chunks, markup = self.render(answer, question, chat_id)
            await self.say(bot, chat_id, chunks, markup, reply_to)
            self.answered += 1

    def render(self, answer: Answer, question: str, chat_id: int) -> tuple[list[str], InlineKeyboardMarkup | None]:
        """The answer as HTML messages, with feedback buttons or 'did you mean' buttons."""
        if answer.found:
            url = self.live.current.source_url(answer.passage_ids[0]) if answer.passage_ids else ""
            key = self.buttons.add(Pending(question, answer, chat_id))
            rows = [feedback_row(key)]
            rows += nearby_topic_rows(answer, self.live.current.kb.sections(), self.config.retrieval.threshold)
            return html_chunks(answer.text, source_line(answer, url)), InlineKeyboardMarkup(rows)
        if answer.kind == "unknown" and answer.suggestions:
            replies = self.config.replies
            rows = suggestion_rows(answer.suggestions, self.buttons, chat_id)
            key = self.buttons.add(Pending(question, answer, chat_id))
            rows.append([why_button(key)])
            lead = f"{replies.not_found} Did you mean:"
            return html_chunks(lead), InlineKeyboardMarkup(rows)
        if answer.suggestions:
            return html_chunks(answer.text), examples_keyboard(answer.suggestions, self.live.current.examples,
                                                               self.buttons, chat_id)
        return html_chunks(answer.text), None

    def _log_question(self, chat: str, question: str, answer: Answer) -> None:
        if self.storage is None:
            return
        try:
            self.storage.log_question("telegram", chat, question, answer.found, answer.kind, answer.score,
                                      answer.passage_ids)
        except StorageError as exc:
            log.warning("%s", exc)

    # -- handlers -----------------------------------------------------------------------------

    async def _admit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """The flood guard for every kind of update: True to handle it; else it is dropped, with one notice.

        Commands, button presses and inline queries share each user's budget with questions, so
        none of them can crowd out other chats. A dropped press gets no answerCallbackQuery (only
        the notice does): answering each one would spend the send budget the guard protects.
        """
        user = update.effective_user
        allowed, notify = self.flood.allow(user.id if user else 0)
        if allowed or not notify:
            return allowed
        if update.callback_query is not None:
            await self._ack(update.callback_query, FLOOD_TOAST)
        elif update.message is not None:
            private = update.message.chat.type == ChatType.PRIVATE
            await self.say(context.bot, update.message.chat_id, html_chunks(FLOOD_NOTICE),
                           reply_to=None if private else update.message.message_id)
        return False  # an inline query cannot be told anything: it simply gets no results

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet, say what the bot knows about, and offer three example questions as buttons."""
        if not await self._admit(update, context):
            return
        message = update.message
        self.sessions.clear(_session(update))
        answerer = self.live.current
        sources = answerer.sources_text()
        text = (f"{self.config.replies.greeting}\nI know about {sources}: {', '.join(answerer.kb.sections()[:6])}.\n"
                "Ask in your own words, or try one of these:")
        await self.say(context.bot, message.chat_id, html_chunks(text),
                       examples_keyboard(answerer.examples, answerer.examples, self.buttons, message.chat_id))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What the bot knows and which commands it has."""
        if not await self._admit(update, context):
            return
        text = (self.live.current.help_text() + "\n\nCommands: /topics to browse, /about for the source, "
                "/start to begin again. Under each answer, \U0001F44D or \U0001F44E tell us how it went "
                "and 'why?' explains it.")
        if update.message.chat.type != ChatType.PRIVATE:
            text += f"\nIn groups, mention me (@{context.bot.username}) or reply to me to ask."
        await self.say(context.bot, update.message.chat_id, html_chunks(text))

    async def on_topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The sections as buttons."""
        if not await self._admit(update, context):
            return
        await self.say(context.bot, update.message.chat_id, html_chunks("Pick a topic:"), topics_keyboard(self.live.current.kb.sections()))

    async def on_about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The source documents, their dates and links."""
        if not await self._admit(update, context):
            return
        text = sources_html(self.live.current.kb.sources.values())
        await self.say(update.message.get_bot(), update.message.chat_id, fit_html(text))

    async def on_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/reload, /stats and /unanswered, for the user ids in telegram.admins only."""
        if not await self._admit(update, context):
            return
        message = update.message
        command = message.text.split()[0].lstrip("/").split("@")[0].lower()
        user = update.effective_user
        if user is None or user.id not in self.settings.admins:
            await self.say(context.bot, message.chat_id, html_chunks(NOT_ADMIN.format(command=command)))
            return
        if command in PRIVATE_COMMANDS and message.chat.type != ChatType.PRIVATE:
            await self.say(context.bot, message.chat_id, html_chunks(PRIVATE_ONLY.format(command=command)),
                           reply_to=message.message_id)
            return
        if command == "reload":
            result = await asyncio.to_thread(self.live.reload)
            text = result.message
        elif command == "stats":
            text = self._stats()
        else:
            text = self._unanswered()
        await self.say(context.bot, message.chat_id, html_chunks(text))

    def _stats(self) -> str:
        lines = [f"Passages: {len(self.live.current.kb.passages)}", f"Active chats: {len(self.sessions)}",
                 f"Answered since start: {self.answered}", f"Up for {int(time.time() - self.started)} s"]
        if self.storage is not None:
            try:
                counts = self.storage.counts()
                lines.append("Logged: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
            except StorageError as exc:
                lines.append(str(exc))
        return "\n".join(lines)

    def _unanswered(self) -> str:
        if self.storage is None:
            return "The question log is not available."
        try:
            rows = self.storage.unanswered(20)
        except StorageError as exc:
            return str(exc)
        if not rows:
            return "No unanswered questions so far."
        return "Recent questions I could not answer:\n" + "\n".join(f"{r.count}\u00d7 {r.question}" for r in rows)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A question: in private always; in groups only when mentioned or replied to."""
        message = update.message
        text = message.text or ""
        reply_to = None
        if message.chat.type != ChatType.PRIVATE:
            text = self._addressed(message, context.bot)
            if text is None:
                return
            reply_to = message.message_id
        if not await self._admit(update, context):
            return
        await self.respond(context.bot, message.chat_id, _session(update), text, reply_to)

    @staticmethod
    def _addressed(message, bot) -> str | None:
        """The question when a group message is meant for the bot (mention or reply), else None."""
        username = f"@{bot.username}".lower()
        mentioned = False
        text = message.text or ""
        for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
            if value.lower() == username or (entity.user is not None and entity.user.id == bot.id):
                mentioned = True
                text = text.replace(value, " ")
        reply = message.reply_to_message
        replied = reply is not None and reply.from_user is not None and reply.from_user.id == bot.id
        if not (mentioned or replied):
            return None
        return " ".join(text.split())

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An unknown command: a hint in private chats, silence in groups (it may be another bot's)."""
        if update.message.chat.type == ChatType.PRIVATE and await self._admit(update, context):
            await self.say(context.bot, update.message.chat_id,
                           html_chunks("I don't know that command. Try /help, or just type a question."))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice and the like: a short hint in private chats, silence in groups."""
        message = update.message
        if message.chat.type == ChatType.PRIVATE and await self._admit(update, context):
            await self.say(context.bot, message.chat_id, html_chunks(NON_TEXT_HINT))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Feedback, 'why?', 'did you mean', example and topic buttons."""
        query = update.callback_query
        if not await self._admit(update, context):
            return
        kind, _, arg = (query.data or "").partition(":")
        chat_id = query.message.chat.id if query.message else (update.effective_user.id if update.effective_user else 0)
        if kind in ("up", "down", "why", "ask"):
            pending = self._pressed(query, arg)
            if pending is None or (pending.answer is None) != (kind == "ask"):  # only 'ask' buttons lack an answer
                await self._ack(query, EXPIRED)  # forged, copied from elsewhere, or expired: say nothing more
            elif kind == "why":
                await self._ack(query, None)
                text = f"Why: {pending.question}\n\n{format_why(pending.answer)}"
                await self.say(context.bot, chat_id, html_chunks(text))
            elif kind == "ask":
                await self._ack(query, None)
                await self.respond(context.bot, chat_id, _session(update), pending.question)
            else:
                await self._vote(query, arg, pending, 1 if kind == "up" else -1)
        elif kind == "ex":
            examples = self.live.current.examples
            number = button_index(arg, len(examples))
            await self._ack(query, None if number is not None else EXPIRED)
            if number is not None:
                await self.respond(context.bot, chat_id, _session(update), examples[number])
        elif kind == "topic" or kind == "topics":
            await self._ack(query, None)
            await self._show_topic(query, arg if kind == "topic" else None)
        elif kind == "sec":
            facts = self._topic_facts(arg)
            await self._ack(query, None if facts else EXPIRED)
            if facts:
                await self.say(context.bot, chat_id, [facts])
        else:
            await self._ack(query, EXPIRED)

    def _pressed(self, query, key: str) -> Pending | None:
        """What a token button means, only when pressed on the very message (and chat) it was sent with.

        In a private chat only its one user can press, so a press from anyone else is forged too.
        """
        message = query.message
        if message is None:  # a button on an inline message: we never send tokens there
            return None
        chat = message.chat
        if chat.type == ChatType.PRIVATE and query.from_user.id != chat.id:
            return None
        return self.buttons.lookup(key, chat.id, message.message_id)

    async def _vote(self, query, key: str, pending: Pending, vote: int) -> None:
        """Record one user's rating of one answer; in groups every member may rate it once."""
        if not self.buttons.vote(key, query.from_user.id):
            await self._ack(query, "You already rated this answer. Thank you!")
            return
        if self.storage is not None:
            try:
                self.storage.log_feedback("telegram", str(pending.chat), pending.question,
                                          pending.answer.passage_ids, vote)
            except StorageError as exc:
                log.warning("%s", exc)
        await self._ack(query, "Thanks for your feedback!")
        if query.message.chat.type != ChatType.PRIVATE:
            return  # keep the buttons, so the group's other members can still rate the answer
        markup = InlineKeyboardMarkup([[why_button(key)]])
        try:
            await self.send(lambda: query.edit_message_reply_markup(markup), "editMessageReplyMarkup", pending.chat)
        except TelegramError as exc:  # the vote is recorded; a stale keyboard is harmless
            log.info("could not update the buttons in chat %s: %s", pending.chat, type(exc).__name__)

    async def _show_topic(self, query, arg: str | None) -> None:
        text = self._topic_facts(arg) if arg is not None else None
        if text is None:
            text, markup = "Pick a topic:", topics_keyboard(self.live.current.kb.sections())
        else:
            markup = all_topics_keyboard()
        chat = query.message.chat.id if query.message else 0
        try:
            await self.send(lambda: query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                                            link_preview_options=LinkPreviewOptions(is_disabled=True)),
                            "editMessageText", chat)
        except BadRequest as exc:  # "message is not modified" when the same topic is tapped twice
            log.info("topic edit in chat %s refused: %s", chat, exc)

    def _topic_facts(self, arg: str) -> str | None:
        """A section's key facts (its first four passages) as one HTML message, or None for a stale index."""
        sections = self.live.current.kb.sections()
        number = button_index(arg, len(sections))
        if number is None:
            return None
        section = sections[number]
        facts = [p.text for p in self.live.current.kb.passages if p.section == section][:4]
        return topic_html(section, facts)

    async def _ack(self, query, text: str | None) -> None:
        """Answer a callback query (Telegram shows a spinner until we do); failures only cost the toast."""
        try:
            await self.send(lambda: query.answer(text), "answerCallbackQuery", query.from_user.id)
        except TelegramError as exc:
            log.info("answerCallbackQuery failed: %s", type(exc).__name__)

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline mode: `@botname question` offers the top answers (examples for an empty query)."""
        query = update.inline_query
        if not await self._admit(update, context):
            return
        text = query.query.strip()
        answerer = self.live.current
        results = []
        if not text:
            for number, example in enumerate(answerer.examples):
                example_answer = answerer.answer(example)
                if example_answer.found:
                    results.append(self._article(f"ex{number}", example, example_answer.text,
                                                 example_answer.citation, example_answer.passage_ids))
        else:
            answer = answerer.answer(text)
            self._log_question(f"inline:{query.from_user.id}", text, answer)
            if answer.found:
                results.append(self._article("a0", text, answer.text, answer.citation, answer.passage_ids))
            floor = self.config.retrieval.threshold * 0.75
            for hit in answer.sources:
                if len(results) >= 3 or hit.id in answer.passage_ids or hit.score < floor:
                    continue
                passage = answerer.kb.by_id(hit.id)
                citation = answerer.citation(passage) if passage else ""
                results.append(self._article(f"h{len(results)}", hit.section or text, hit.text, citation, (hit.id,)))
        try:
            await self.send(lambda: query.answer(results, cache_time=30), "answerInlineQuery", query.from_user.id)
        except BadRequest as exc:  # the query expired (users type fast): nothing to do
            log.info("inline answer refused: %s", exc)

    def _article(self, result_id: str, title: str, text: str, citation: str, ids: tuple[str, ...]):
        url = self.live.current.source_url(ids[0]) if ids else ""
        footer = source_line(Answer(True, text, "answer", citation=citation, passage_ids=ids), url)
        body = html_chunks(text, footer)[0]
        return InlineQueryResultArticle(result_id, title=label(title, 60), description=label(text, 120),
                                        input_message_content=InputTextMessageContent(
                                            body, parse_mode=ParseMode.HTML,
                                            link_preview_options=LinkPreviewOptions(is_disabled=True)))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a failed update with its id, chat and kind (never the bot or a URL), and carry on."""
        error = context.error
        if isinstance(update, Update):
            chat = update.effective_chat.id if update.effective_chat else None
            kind = next((name for name in ("message", "callback_query", "inline_query", "edited_message",
                                           "channel_post") if getattr(update, name, None) is not None), "other")
            log.error("update %s (%s, chat %s) failed: %s: %s", update.update_id, kind, chat,
                      type(error).__name__, error, exc_info=error if not isinstance(error, TelegramError) else None)
        else:
            log.error("background job failed: %s: %s", type(error).__name__, error)

    def on_poll_error(self, error: TelegramError) -> None:
        """getUpdates failed: the library keeps polling with backoff; say so once per failure."""
        log.warning("getUpdates failed (%s: %s); still polling", type(error).__name__, error)


def _session(update: Update) -> str:
    """The conversation key: the chat in private, the chat and user in groups (members ask separately)."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None:
        return f"tg:user:{user.id if user else 0}"
    if chat.type == ChatType.PRIVATE or user is None:
        return f"tg:{chat.id}"
    return f"tg:{chat.id}:{user.id}"


# -- wiring --------------------------------------------------------------------------------------

def build_application(config: Config, live: LiveAnswerer, storage: Storage | None, token: str,
                      base_url: str | None = None) -> Application:
    """The python-telegram-bot Application with our handlers, timeouts, rate limiter and retries."""
    settings = config.telegram
    send_request = _request(64, settings.request_timeout)
    poll_request = _request(2, settings.request_timeout, SkippingRequest)  # a malformed update is skipped
    limiter = AIORateLimiter(overall_max_rate=settings.overall_max_rate, overall_time_period=1,
                             group_max_rate=settings.group_max_rate, group_time_period=60,
                             max_retries=settings.send_retries)
    guard_loggers(token)  # before build(): the Bot logs its URL, token included, as it is made
    app = (Application.builder().token(token).base_url(base_url or settings.base_url)
           .request(send_request).get_updates_request(poll_request).rate_limiter(limiter)
           .concurrent_updates(True).build())
    front = TelegramFrontEnd(config, live, storage)
    front.register(app)
    app.bot_data["front"] = front
    return app


def _request(connections: int, timeout: float, kind: type[HTTPXRequest] = HTTPXRequest) -> HTTPXRequest:
    """An HTTP client whose every phase (connect, read, write, pool wait) gives up after `timeout` seconds."""
    return kind(connection_pool_size=connections, connect_timeout=timeout, read_timeout=timeout,
                        write_timeout=timeout, pool_timeout=timeout)


async def start(app: Application, poll_timeout: float | None = None, poll_interval: float = 0.0) -> None:
    """Initialise the bot (getMe), start long polling and the handlers.

    After a failed getUpdates the library waits 1 s (or 1.5 x poll_interval), growing 1.5-fold per
    failure up to 30 s, and keeps polling; a success resets the wait to poll_interval.
    """
    front: TelegramFrontEnd = app.bot_data["front"]
    await app.initialize()
    await app.updater.start_polling(timeout=poll_timeout if poll_timeout is not None else front.settings.poll_timeout,
                                    poll_interval=poll_interval, bootstrap_retries=3,
                                    error_callback=front.on_poll_error)
    await app.start()


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
    clean = True

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
        clean = False
    return clean


def main(config: Config, webhook: bool = False, environ: Mapping[str, str] | None = None) -> int:
    """Run the bot until SIGTERM or SIGINT; 0 on a clean stop, 2 for a setup problem, 1 for a failure."""
    environ = os.environ if environ is None else environ
    try:
        token = read_token(environ)
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    install_redactor(token)
    secret = environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or secrets.token_urlsafe(32)
    if webhook:
        if not config.telegram.webhook_url.startswith("https://"):
            print("Error: webhook mode needs telegram.webhook_url in config.yaml, the public https:// URL "
                  "Telegram should post updates to", file=sys.stderr)
            return 2
        if not SECRET_PATTERN.match(secret):
            print("Error: TELEGRAM_WEBHOOK_SECRET may only hold 1-256 letters, digits, '-' or '_'", file=sys.stderr)
            return 2
    live = LiveAnswerer(config)
    try:
        storage: Storage | None = Storage(config.storage.database)
    except StorageError as exc:
        log.warning("%s; questions and feedback will not be logged", exc)
        storage = None
    app = build_application(config, live, storage, token)
    try:
        return asyncio.run(_serve(app, config, webhook, secret))
    except InvalidToken:
        print("Error: Telegram rejected the token in TELEGRAM_BOT_TOKEN (check it with @BotFather, /token)",
              file=sys.stderr)
        return 2
    except TelegramError as exc:
        print(f"Error: cannot reach the Telegram Bot API ({type(exc).__name__}: {str(exc).replace(token, '[token]')});"
              " check the network and telegram.base_url", file=sys.stderr)
        return 1
    finally:
        if storage is not None:
            storage.close()


async def _serve(app: Application, config: Config, webhook: bool, secret: str) -> int:
    """Start polling or the webhook, wait for SIGTERM/SIGINT, stop within five seconds."""
    loop = asyncio.get_running_loop()
    stop_event = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_event.set)
    front: TelegramFrontEnd = app.bot_data["front"]
    settings = config.telegram
    try:
        if webhook:
            await start_webhook(app, secret, settings.webhook_listen, settings.webhook_port, settings.webhook_url)
        else:
            await start(app)
    except BaseException:
        await stop(app, grace=2.0)
        raise
    log.warning("bot @%s is running (%s); stop it with Ctrl-C or SIGTERM", app.bot.username,
                "webhook" if webhook else "long polling")
    reloader = asyncio.create_task(watch_knowledge(front, app.bot))
    await stop_event.wait()
    reloader.cancel()
    log.warning("stopping")
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
