"""What every Telegram handler shares: the conversation and question log, the buttons, the flood guard and
per-chat order, and the one way to send (with retries) and to answer a question.

The handlers (handlers, buttons, inline) find it in `context.bot_data["front"]`, where `app` puts it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable, TypeVar

from cachetools import TTLCache
from telegram import InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from ...config import Config
from ...core.answer import Answer
from ...core.conversation import Conversation
from ...core.live import LiveAnswerer
from ...kb.curate import NOTIFY_DAYS
from ...querylog import Storage
from ..failure import failed_reply
from .format import html_chunks, source_line
from .guard import ChatLocks, FloodGuard, with_retries
from .keyboards import (AdminStep, ButtonStore, Pending, examples_keyboard, feedback_row, nearby_topic_rows,
                        suggestion_rows, why_button)

log = logging.getLogger(__name__)

TYPING_SECONDS = 5.0
ADMIN_BUTTONS = 500  # curation steps kept; admins are few
AWAIT_SECONDS = 3600.0  # an 'Answer this' waits an hour for its fact, then the admin's next message is a question
PROMPT_SECONDS = 86400.0  # a reply to an 'Answer this' prompt answers its question for a day
NOTIFIED_PAIRS = 100_000  # (question, chat) pairs already told a new answer, so none is told twice
TYPING_CHATS = 5000  # chats remembered as just shown 'typing'; beyond, the least recent is forgotten
FLOOD_NOTICE = "You are sending messages faster than I can read them, so I skipped some. Please wait a moment."
FLOOD_TOAST = "Please slow down a little."
T = TypeVar("T")


class TelegramFrontEnd:
    """The state the handlers share: the conversation (answers, sessions, question log), buttons, flood guard."""

    def __init__(self, config: Config, conversation: Conversation, storage: Storage | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.settings = config.telegram
        self.conversation = conversation
        self.live: LiveAnswerer = conversation.answerer  # type: ignore[assignment]  # /reload and the browsing views
        self.storage = storage  # feedback and the admin views; questions are logged by the conversation
        self.buttons = ButtonStore()
        self.admin_buttons = ButtonStore(ADMIN_BUTTONS)  # admins' curation steps: never mixed with users' buttons
        self.awaiting: TTLCache[int, AdminStep] = TTLCache(ADMIN_BUTTONS, AWAIT_SECONDS)  # admin chats owing a fact
        self.prompts: TTLCache[tuple[int, int], AdminStep] = TTLCache(ADMIN_BUTTONS, PROMPT_SECONDS)  # by prompt
        self.notified: TTLCache[tuple[str, str], bool] = TTLCache(NOTIFIED_PAIRS, NOTIFY_DAYS * 86400.0)
        self.flood = FloodGuard(self.settings.flood_burst, self.settings.flood_per_second, clock)
        self.locks = ChatLocks()
        self.started = time.time()
        self.stopping = False
        self.answered = 0
        self._background: set[asyncio.Task] = set()
        self._typed: TTLCache[int, bool] = TTLCache(TYPING_CHATS, TYPING_SECONDS)  # chats shown 'typing' lately

    def __repr__(self) -> str:  # never show the bot (its repr holds the token)
        return (f"TelegramFrontEnd(passages={len(self.live.current.kb.passages)}, "
                f"chats={len(self.conversation.sessions)})")

    # -- sending ------------------------------------------------------------------------------

    async def send(self, call: Callable[[], Awaitable[T]], what: str, chat: object) -> T:
        """Run one Bot API call with the retries telegram.send_retries allows; none once the bot is stopping."""
        return await with_retries(call, what, chat, self.settings.send_retries, self.settings.retry_base_seconds,
                                  lambda: self.stopping)

    async def say(self, bot, chat_id: int, chunks: list[str], markup: InlineKeyboardMarkup | None = None,
                  reply_to: int | None = None):
        """Send HTML messages in order; the buttons go under the last one and are bound to it. Returns the last."""
        sent = None
        for number, chunk in enumerate(chunks):
            last = number == len(chunks) - 1
            reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and number == 0 else None
            sent = await self.send(lambda: bot.send_message(
                chat_id, chunk, parse_mode=ParseMode.HTML, reply_markup=markup if last else None,
                reply_parameters=reply, link_preview_options=LinkPreviewOptions(is_disabled=True)),
                "sendMessage", chat_id)
            if last and markup is not None:
                self.buttons.bind(markup, chat_id, sent.message_id)
                self.admin_buttons.bind(markup, chat_id, sent.message_id)
        return sent

    async def ack(self, query, text: str | None) -> None:
        """Answer a callback query (Telegram shows a spinner until we do); failures only cost the toast."""
        try:
            await self.send(lambda: query.answer(text), "answerCallbackQuery", query.from_user.id)
        except TelegramError as exc:
            log.info("answerCallbackQuery failed: %s", type(exc).__name__)

    async def notify_admins(self, bot, text: str) -> None:
        """Tell every admin (in their private chat with the bot) something maintainers must act on."""
        for admin in self.settings.admins:
            try:
                await self.say(bot, admin, html_chunks(text))
            except TelegramError as exc:  # an admin who never started the bot cannot be messaged
                log.warning("could not notify admin %s: %s", admin, type(exc).__name__)

    def typing(self, bot, chat_id: int) -> None:
        """Show 'typing...' without waiting for it: it is a courtesy, never worth delaying or failing a reply.

        Telegram shows the status for 5 s (or until our message arrives), so one action per chat per
        5 s is enough; more would only spend the rate limiter's budget that replies need.
        """
        if chat_id in self._typed:
            return
        self._typed[chat_id] = True
        task = asyncio.create_task(_chat_action(bot, chat_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- the flood guard and answering ---------------------------------------------------------

    async def admit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
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
            await self.ack(update.callback_query, FLOOD_TOAST)
        elif update.message is not None:
            private = update.message.chat.type == ChatType.PRIVATE
            await self.say(context.bot, update.message.chat_id, html_chunks(FLOOD_NOTICE),
                           reply_to=None if private else update.message.message_id)
        return False  # an inline query cannot be told anything: it simply gets no results

    async def respond(self, bot, chat_id: int, session: str, question: str, reply_to: int | None = None) -> None:
        """Answer one question in a chat, in order with the chat's other questions (the conversation logs it)."""
        async with self.locks(session):
            if self.stopping:
                return
            self.typing(bot, chat_id)
            try:
                answer = self.conversation.ask(session, question, log_as=str(chat_id))
                chunks, markup = self.render(answer, question, chat_id)
            except Exception:  # a bug in answering one question: the asker gets one line, the log the traceback
                log.exception("answering a question in chat %s failed", chat_id)
                await self.say(bot, chat_id, html_chunks(failed_reply(self.conversation)), reply_to=reply_to)
                return
            await self.say(bot, chat_id, chunks, markup, reply_to)
            self.answered += 1

    def render(self, answer: Answer, question: str, chat_id: int) -> tuple[list[str], InlineKeyboardMarkup | None]:
        """The answer as HTML messages, with feedback buttons or 'did you mean' buttons."""
        if answer.found:
            key = self.buttons.add(Pending(question, answer, chat_id))
            rows = [feedback_row(key)] + nearby_topic_rows(answer, self.live.current.kb.sections())
            footer = source_line(answer.citation, answer.passage_ids, answer.source_url)
            return html_chunks(answer.text, footer), InlineKeyboardMarkup(rows)
        if answer.kind == "unknown" and answer.suggestions:
            rows = suggestion_rows(answer.suggestions, self.buttons, chat_id)
            key = self.buttons.add(Pending(question, answer, chat_id))
            rows.append([why_button(key)])
            return html_chunks(f"{self.config.replies.not_found} Did you mean:"), InlineKeyboardMarkup(rows)
        if answer.suggestions:
            return html_chunks(answer.text), examples_keyboard(answer.suggestions, self.live.current.examples,
                                                               self.buttons, chat_id)
        return html_chunks(answer.text), None


async def _chat_action(bot, chat_id: int) -> None:
    """Send the 'typing' chat action, swallowing failures (logged at DEBUG)."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.debug("typing action for chat %s failed: %s", chat_id, type(exc).__name__)


def front_of(context: ContextTypes.DEFAULT_TYPE) -> TelegramFrontEnd:
    """The front end serving this update (put in bot_data by `app.build_application`)."""
    return context.bot_data["front"]


def session_key(update: Update) -> str:
    """The conversation key: the chat in private, the chat and user in groups (members ask separately)."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None:
        return f"tg:user:{user.id if user else 0}"
    if chat.type == ChatType.PRIVATE or user is None:
        return f"tg:{chat.id}"
    return f"tg:{chat.id}:{user.id}"
