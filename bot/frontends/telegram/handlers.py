"""Telegram handlers for messages and commands: questions, /start, /help, /topics, /about, the admin commands,
and everything else a chat may send. Each is `async def handler(update, context)`; the state they share is the
TelegramFrontEnd in `context.bot_data["front"]`. Everything the bot says in reply comes from the core's Answer.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from ...querylog import StorageError
from . import curate
from .format import fit_html, html_chunks, sources_html
from .front import TelegramFrontEnd, front_of, session_key
from .keyboards import examples_keyboard, topics_keyboard

log = logging.getLogger(__name__)

NON_TEXT_HINT = "I can only read text. Please type your question, or send /help to see what I know about."
NOT_ADMIN = "Sorry, only the bot's maintainers may use /{command}."
PRIVATE_ONLY = ("/{command} lists other people's questions, so I only show it in our private chat. "
                "Please send it to me there.")
PRIVATE_COMMANDS = frozenset({"unanswered"})  # admin views that show users' questions
UPDATE_KINDS = ("message", "callback_query", "inline_query", "edited_message", "channel_post")


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, say what the bot knows about, and offer three example questions as buttons."""
    front = front_of(context)
    if not await front.admit(update, context):
        return
    message = update.message
    front.conversation.forget(session_key(update))
    answerer = front.live.current
    text = (f"{front.config.replies.greeting}\nI know about {answerer.sources_text()}: "
            f"{', '.join(answerer.kb.sections()[:6])}.\nAsk in your own words, or try one of these:")
    await front.say(context.bot, message.chat_id, html_chunks(text),
                    examples_keyboard(answerer.examples, answerer.examples, front.buttons, message.chat_id))


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot knows and which commands it has."""
    front = front_of(context)
    if not await front.admit(update, context):
        return
    text = (front.live.current.help_text() + "\n\nCommands: /topics to browse, /about for the source, "
            "/start to begin again. Under each answer, \U0001F44D or \U0001F44E tell us how it went "
            "and 'why?' explains it.")
    if update.message.chat.type != ChatType.PRIVATE:
        text += f"\nIn groups, mention me (@{context.bot.username}) or reply to me to ask."
    await front.say(context.bot, update.message.chat_id, html_chunks(text))


async def on_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The sections as buttons."""
    front = front_of(context)
    if not await front.admit(update, context):
        return
    await front.say(context.bot, update.message.chat_id, html_chunks("Pick a topic:"),
                    topics_keyboard(front.live.current.kb.sections()))


async def on_about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The source documents, their dates and links."""
    front = front_of(context)
    if not await front.admit(update, context):
        return
    text = sources_html(front.live.current.kb.sources.values())
    await front.say(update.message.get_bot(), update.message.chat_id, fit_html(text))


async def on_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload, /stats and /unanswered, for the user ids in telegram.admins only."""
    front = front_of(context)
    if not await front.admit(update, context):
        return
    message = update.message
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    user = update.effective_user
    if user is None or user.id not in front.settings.admins:
        await front.say(context.bot, message.chat_id, html_chunks(NOT_ADMIN.format(command=command)))
        return
    if command in PRIVATE_COMMANDS and message.chat.type != ChatType.PRIVATE:
        await front.say(context.bot, message.chat_id, html_chunks(PRIVATE_ONLY.format(command=command)),
                        reply_to=message.message_id)
        return
    if command == "unanswered":
        await curate.show_unanswered(front, context.bot, message.chat_id)
        return
    if command == "reload":
        text = (await asyncio.to_thread(front.live.reload)).message
    else:
        text = _stats(front)
    await front.say(context.bot, message.chat_id, html_chunks(text))


def _stats(front: TelegramFrontEnd) -> str:
    """/stats: passages, active chats, answers since start, uptime and the question log's counts."""
    lines = [f"Passages: {len(front.live.current.kb.passages)}", f"Active chats: {len(front.conversation.sessions)}",
             f"Answered since start: {front.answered}", f"Up for {int(time.time() - front.started)} s"]
    if front.storage is None:  # it could not be opened at start, and the bot's log said why
        lines.append("Logged: unknown (the question log is not available; the bot's log says why)")
        return "\n".join(lines)
    try:
        counts = front.storage.counts()
        lines.append("Logged: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    except StorageError as exc:  # one broken part costs its own figure, as in `kb stats`
        lines.append(f"Logged: unknown ({exc})")
    return "\n".join(lines)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question: in private always; in groups only when mentioned or replied to."""
    front = front_of(context)
    message = update.message
    text = message.text or ""
    reply_to = None
    if message.chat.type != ChatType.PRIVATE:
        text = _addressed(message, context.bot)
        if text is None:
            return
        reply_to = message.message_id
    if not await front.admit(update, context):
        return
    if await curate.take_fact(front, update, context):
        return  # an admin's fact for a logged question, not a question
    await front.respond(context.bot, message.chat_id, session_key(update), text, reply_to)


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


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command: a hint in private chats, silence in groups (it may be another bot's)."""
    front = front_of(context)
    if update.message.chat.type == ChatType.PRIVATE and await front.admit(update, context):
        await front.say(context.bot, update.message.chat_id,
                        html_chunks("I don't know that command. Try /help, or just type a question."))


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice and the like: a short hint in private chats, silence in groups."""
    front = front_of(context)
    message = update.message
    if message.chat.type == ChatType.PRIVATE and await front.admit(update, context):
        await front.say(context.bot, message.chat_id, html_chunks(NON_TEXT_HINT))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update with its id, chat and kind (never the bot or a URL), and carry on."""
    error = context.error
    if isinstance(update, Update):
        chat = update.effective_chat.id if update.effective_chat else None
        kind = next((name for name in UPDATE_KINDS if getattr(update, name, None) is not None), "other")
        log.error("update %s (%s, chat %s) failed: %s: %s", update.update_id, kind, chat,
                  type(error).__name__, error, exc_info=error if not isinstance(error, TelegramError) else None)
    else:
        log.error("background job failed: %s: %s", type(error).__name__, error)
