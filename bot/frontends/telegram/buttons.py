"""Telegram button presses (callback queries): votes, 'why?', 'did you mean', examples and topics.

Callback data is "<kind>:<arg>". Buttons that refer to a user's question carry a token from the
ButtonStore, honoured only on the message and in the chat it was sent with; admins' curation buttons ("cur")
carry a token from a store of their own (see curate); examples, topics and sections carry a number. Anything else, forged or expired, gets one EXPIRED toast and nothing more.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from ...querylog import StorageError
from .format import html_chunks, topic_html
from .front import TelegramFrontEnd, front_of, session_key
from . import curate
from .keyboards import EXPIRED, Pending, all_topics_keyboard, button_index, topics_keyboard, why_button

log = logging.getLogger(__name__)

TOKEN_KINDS = ("up", "down", "why", "ask")
TOPIC_FACTS = 4  # a section's first passages, shown when its topic is tapped


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a press by the kind in its callback data; unknown kinds get the EXPIRED toast."""
    front = front_of(context)
    query = update.callback_query
    if not await front.admit(update, context):
        return
    kind, _, arg = (query.data or "").partition(":")
    chat_id = query.message.chat.id if query.message else (update.effective_user.id if update.effective_user else 0)
    if kind in TOKEN_KINDS:
        await _on_token(front, update, context, kind, arg, chat_id)
    elif kind == "ex":
        examples = front.live.current.examples
        number = button_index(arg, len(examples))
        await front.ack(query, None if number is not None else EXPIRED)
        if number is not None:
            await front.respond(context.bot, chat_id, session_key(update), examples[number])
    elif kind in ("topic", "topics"):
        await front.ack(query, None)
        await _show_topic(front, query, arg if kind == "topic" else None)
    elif kind == curate.KIND:
        await curate.on_press(front, update, context, arg)
    elif kind == "sec":
        facts = _topic_facts(front, arg)
        await front.ack(query, None if facts else EXPIRED)
        if facts:
            await front.say(context.bot, chat_id, [facts])
    else:
        await front.ack(query, EXPIRED)


async def _on_token(front: TelegramFrontEnd, update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str,
                    key: str, chat_id: int) -> None:
    """A vote, 'why?' or 'did you mean' press: honoured only for a live token pressed where it was sent."""
    query = update.callback_query
    pending = _pressed(front, query, key)
    if pending is None or (pending.answer is None) != (kind == "ask"):  # only 'ask' buttons lack an answer
        await front.ack(query, EXPIRED)  # forged, copied from elsewhere, or expired: say nothing more
    elif kind == "why":
        await front.ack(query, None)
        text = f"Why: {pending.question}\n\n" + "\n".join(pending.answer.why_lines)
        await front.say(context.bot, chat_id, html_chunks(text))
    elif kind == "ask":
        await front.ack(query, None)
        await front.respond(context.bot, chat_id, session_key(update), pending.question)
    else:
        await _vote(front, query, key, pending, 1 if kind == "up" else -1)


def _pressed(front: TelegramFrontEnd, query, key: str) -> Pending | None:
    """What a token button means, only when pressed on the very message (and chat) it was sent with.

    In a private chat only its one user can press, so a press from anyone else is forged too.
    """
    message = query.message
    if message is None:  # a button on an inline message: we never send tokens there
        return None
    chat = message.chat
    if chat.type == ChatType.PRIVATE and query.from_user.id != chat.id:
        return None
    return front.buttons.lookup(key, chat.id, message.message_id)


async def _vote(front: TelegramFrontEnd, query, key: str, pending: Pending, vote: int) -> None:
    """Record one user's rating of one answer; in groups every member may rate it once."""
    if not front.buttons.vote(key, query.from_user.id):
        await front.ack(query, "You already rated this answer. Thank you!")
        return
    if front.storage is not None:
        try:
            front.storage.log_feedback("telegram", str(pending.chat), pending.question,
                                       pending.answer.passage_ids, vote)
        except StorageError as exc:
            log.warning("%s", exc)
    await front.ack(query, "Thanks for your feedback!")
    if query.message.chat.type != ChatType.PRIVATE:
        return  # keep the buttons, so the group's other members can still rate the answer
    markup = InlineKeyboardMarkup([[why_button(key)]])
    try:
        await front.send(lambda: query.edit_message_reply_markup(markup), "editMessageReplyMarkup", pending.chat)
    except TelegramError as exc:  # the vote is recorded; a stale keyboard is harmless
        log.info("could not update the buttons in chat %s: %s", pending.chat, type(exc).__name__)


async def _show_topic(front: TelegramFrontEnd, query, arg: str | None) -> None:
    """Turn the topics message into one topic's facts (with a way back), or back into the list of topics."""
    text = _topic_facts(front, arg) if arg is not None else None
    if text is None:
        text, markup = "Pick a topic:", topics_keyboard(front.live.current.kb.sections())
    else:
        markup = all_topics_keyboard()
    chat = query.message.chat.id if query.message else 0
    try:
        await front.send(lambda: query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                                         link_preview_options=LinkPreviewOptions(is_disabled=True)),
                         "editMessageText", chat)
    except BadRequest as exc:  # "message is not modified" when the same topic is tapped twice
        log.info("topic edit in chat %s refused: %s", chat, exc)


def _topic_facts(front: TelegramFrontEnd, arg: str) -> str | None:
    """A section's key facts (its first four passages) as one HTML message, or None for a stale index."""
    kb = front.live.current.kb
    sections = kb.sections()
    number = button_index(arg, len(sections))
    if number is None:
        return None
    section = sections[number]
    return topic_html(section, [p.text for p in kb.passages if p.section == section][:TOPIC_FACTS])
