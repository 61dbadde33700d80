"""Telegram routes for answering logged questions from the chat (admins only, in their private chat).

/unanswered lists the questions with an 'Answer this' button each; the admin's next message, or a reply to
the bot's prompt, is the fact; the preview carries Save and Cancel. What is checked and what is said comes
from bot.kb.curate; this module only shows it and routes presses. Every step checks again that the user is an admin in their own private
chat and that the token was sent with that very message, so non-admins, forged or copied data reach nothing.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from ...errors import BotError
from ...kb import curate
from ...kb.check import still_unanswered
from .format import html_chunks, label
from .front import TelegramFrontEnd
from .keyboards import EXPIRED, AdminStep

log = logging.getLogger(__name__)

KIND = "cur"  # callback data "cur:<token>", looked up in the admins' own button store


def is_admin_chat(front: TelegramFrontEnd, user, chat) -> bool:
    """True only for an admin in their own private chat with the bot, where other users' questions may show."""
    return (user is not None and chat is not None and user.id in front.settings.admins
            and chat.type == ChatType.PRIVATE and chat.id == user.id)


def _button(front: TelegramFrontEnd, text: str, step: AdminStep) -> InlineKeyboardButton:
    """A curation button whose data is a fresh random token for `step` (bound to its message once sent)."""
    return InlineKeyboardButton(text, callback_data=f"{KIND}:{front.admin_buttons.add(step)}")


def _cancel_row(front: TelegramFrontEnd, question: str, chat: int) -> list[InlineKeyboardButton]:
    """The Cancel button: drops the step it sits under, saving nothing."""
    return [_button(front, "Cancel", AdminStep("cancel", question, "", chat))]


async def show_unanswered(front: TelegramFrontEnd, bot, chat_id: int) -> None:
    """/unanswered: the questions the live knowledge still cannot answer, each with an 'Answer this' button."""
    if front.storage is None:
        await front.say(bot, chat_id, html_chunks("The question log is not available."))
        return
    try:
        found = await asyncio.to_thread(still_unanswered, front.storage, front.live.current, curate.LIST_LIMIT)
    except BotError as exc:
        await front.say(bot, chat_id, html_chunks(str(exc)))
        return
    rows = [[_button(front, f"Answer this: {n}. {label(e.question, 40)}",
                     AdminStep("answer", e.question, e.normalised, chat_id))]
            for n, e in enumerate(found.entries, 1)]
    await front.say(bot, chat_id, html_chunks(curate.listing_text(found.entries, found.now_answered)),
                    InlineKeyboardMarkup(rows) if rows else None)


async def on_press(front: TelegramFrontEnd, update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """An 'Answer this', Save or Cancel press: honoured only for an admin, in private, on the message it came with."""
    query = update.callback_query
    message = query.message
    step = None
    if message is not None and is_admin_chat(front, query.from_user, message.chat):
        step = front.admin_buttons.lookup(key, message.chat.id, message.message_id)
    if step is None:
        await front.ack(query, EXPIRED)  # a non-admin, a forged or copied token: nothing more
        return
    await front.ack(query, None)
    chat_id = message.chat.id
    if step.action == "answer":
        prompt = await front.say(context.bot, chat_id, html_chunks(curate.prompt_text(step.question)),
                                 InlineKeyboardMarkup([_cancel_row(front, step.question, chat_id)]))
        owed = AdminStep("fact", step.question, step.normalised, chat_id, message=prompt.message_id)
        front.awaiting[chat_id] = front.prompts[(chat_id, prompt.message_id)] = owed
        return
    front.admin_buttons.forget(chat_id, message.message_id)  # a draft is saved or dropped once
    await _clear_buttons(front, query, chat_id)
    if step.action == "save":
        await _save(front, context.bot, chat_id, step)
    else:
        front.prompts.pop((chat_id, message.message_id), None)
        _settle(front, chat_id, step.question)
        await front.say(context.bot, chat_id, html_chunks("Cancelled: nothing was saved."))


def _owed(front: TelegramFrontEnd, message) -> AdminStep | None:
    """The question an admin's message answers: the prompt it replies to, else the latest 'Answer this'."""
    reply = message.reply_to_message
    step = front.prompts.get((message.chat_id, reply.message_id)) if reply is not None else None
    return step or front.awaiting.get(message.chat_id)


def _settle(front: TelegramFrontEnd, chat_id: int, question: str) -> None:
    """Stop waiting for a fact for this question (a newer 'Answer this' for another question keeps waiting)."""
    waiting = front.awaiting.get(chat_id)
    if waiting is not None and waiting.question == question:
        del front.awaiting[chat_id]


async def take_fact(front: TelegramFrontEnd, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """The admin's fact for the question they chose: check it as `kb add` would and show the preview with Save
    and Cancel, or the reason it cannot be saved. False when this message is not a fact owed (a question)."""
    message = update.message
    step = _owed(front, message) if is_admin_chat(front, update.effective_user, message.chat) else None
    if step is None:
        return False
    chat_id = message.chat_id
    front.typing(context.bot, chat_id)
    try:
        draft = await asyncio.to_thread(curate.draft_answer, front.config, step.question, step.normalised,
                                        message.text or "", front.live.current)
    except BotError as exc:
        await front.say(context.bot, chat_id, html_chunks(curate.refusal_text(exc)),
                        InlineKeyboardMarkup([_cancel_row(front, step.question, chat_id)]))
        return True  # still waiting: the next message is another try
    front.prompts.pop((chat_id, step.message), None)
    _settle(front, chat_id, step.question)
    save = AdminStep("save", step.question, step.normalised, chat_id, draft)
    markup = InlineKeyboardMarkup([[_button(front, "Save", save)] + _cancel_row(front, step.question, chat_id)])
    await front.say(context.bot, chat_id, html_chunks(curate.preview_text(draft)), markup)
    return True


async def _save(front: TelegramFrontEnd, bot, chat_id: int, step: AdminStep) -> None:
    """Save the draft through `kb add`, swap the new knowledge in live, tell the askers, confirm to the admin."""
    try:
        passage = await asyncio.to_thread(curate.save_draft, front.config, step.draft)
    except BotError as exc:
        await front.say(bot, chat_id, html_chunks(f"Not saved: {exc}"))
        return
    reloaded = await asyncio.to_thread(front.live.reload)
    told = await notify_askers(front, bot, step.draft, chat_id) if reloaded.ok else 0
    await front.say(bot, chat_id, html_chunks(curate.saved_text(passage, reloaded.message, told)))


async def notify_askers(front: TelegramFrontEnd, bot, draft: curate.Draft, admin_chat: int) -> int:
    """Send the new answer to the chats that asked the question in the last NOTIFY_DAYS, each once; how many.

    The chat ids are the ones the question log already keeps (SECURITY.md); nothing new is stored. Sends go
    through the rate limiter like every reply; a chat that blocked the bot is skipped.
    """
    if not front.settings.notify_askers or front.storage is None:
        return 0
    since = time.time() - curate.NOTIFY_DAYS * 86400.0
    try:
        chats = await asyncio.to_thread(front.storage.askers, draft.normalised, since, curate.NOTIFY_LIMIT)
    except BotError as exc:  # the fact is saved: a log that cannot be read costs the notices, not the confirmation
        log.warning("%s; nobody was told the new answer", exc)
        return 0
    answer = front.live.answer(draft.question)
    if not answer.found:
        return 0
    told = 0
    for chat in chats:
        if not chat.lstrip("-").isdigit() or int(chat) == admin_chat or (draft.normalised, chat) in front.notified:
            continue
        front.notified[(draft.normalised, chat)] = True
        chunks, markup = front.render(answer, draft.question, int(chat))
        chunks[0] = html.escape(curate.notice_text(draft.question), quote=False) + "\n\n" + chunks[0]
        try:
            await front.say(bot, int(chat), chunks, markup)
            told += 1
        except TelegramError as exc:  # blocked the bot, left the group: their loss, not the admin's error
            log.info("could not tell chat %s the new answer: %s", chat, type(exc).__name__)
    return told


async def _clear_buttons(front: TelegramFrontEnd, query, chat_id: int) -> None:
    """Take Save and Cancel off a preview once one was pressed (a stale keyboard is harmless: its tokens are gone)."""
    try:
        await front.send(lambda: query.edit_message_reply_markup(None), "editMessageReplyMarkup", chat_id)
    except TelegramError as exc:
        log.info("could not clear the buttons in chat %s: %s", chat_id, type(exc).__name__)
