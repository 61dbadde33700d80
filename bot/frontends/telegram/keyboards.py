"""Telegram buttons: what each button means (callback data holds 64 bytes, so only a token or a number travels)
and the keyboards under messages. Nothing here talks to the Bot API."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace

from cachetools import FIFOCache
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ...core.answer import Answer
from ...kb.curate import Draft
from .format import label

MAX_BUTTONS = 5000
EXPIRED = "This button has expired. Please ask your question again."  # every refused press gets only this toast

TOKEN_BYTES = 12  # 96 random bits, 16 characters: unguessable, and "down:" + token is well under 64 bytes
MAX_INDEX_DIGITS = 6  # topic and example numbers are small; a longer number in button data is forged
INDEX = re.compile(r"[0-9]{1,%d}" % MAX_INDEX_DIGITS, re.ASCII)


@dataclass(frozen=True)
class Pending:
    """What a button under a message refers to (callback data holds 64 bytes, so only a token travels).

    `chat` and `message` are where the button was sent: a press from anywhere else is refused.
    `message` is None until the message carrying the button has been sent.
    """

    question: str
    answer: Answer | None
    chat: int
    message: int | None = None


@dataclass(frozen=True)
class AdminStep:
    """What an admin's curation button (or the fact they owe) refers to: 'answer' a logged question, 'save' or
    'cancel' a draft. Bound to its chat and message like Pending, and kept in a store of its own."""

    action: str
    question: str
    normalised: str
    chat: int
    draft: Draft | None = None
    message: int | None = None


@dataclass
class _Button:
    """A live button: what it means and who has rated the answer behind it (changed in place)."""

    pending: Pending | AdminStep
    voters: set[int] = field(default_factory=set)


class ButtonStore:
    """Random per-button tokens for callback data, bound to their chat and message; bounded, oldest expire first.

    Tokens come from `secrets`, so a user cannot guess another chat's buttons, and a token copied
    into another chat or message is refused by `lookup`. Votes are kept per token and user, so in a
    group everyone may rate an answer once. python-telegram-bot's `arbitrary_callback_data` also keeps
    objects behind buttons, but binds its ids to no chat or message, so a copied id would work anywhere:
    that binding is why this store exists.
    """

    def __init__(self, limit: int = MAX_BUTTONS) -> None:
        self.limit = limit
        self._items: FIFOCache[str, _Button] = FIFOCache(limit)  # the oldest button expires first

    def __len__(self) -> int:
        return len(self._items)

    def add(self, pending: Pending | AdminStep) -> str:
        """Remember what a new button means and return its fresh random token."""
        key = secrets.token_urlsafe(TOKEN_BYTES)
        while key in self._items:  # pragma: no cover - 96 random bits do not collide in practice
            key = secrets.token_urlsafe(TOKEN_BYTES)
        self._items[key] = _Button(pending)
        return key

    def bind(self, markup: InlineKeyboardMarkup, chat: int, message: int) -> None:
        """Tie the tokens under a message just sent to that message, so they work there only."""
        for row in markup.inline_keyboard:
            for button in row:
                key = button_arg(button.callback_data)
                entry = self._items.get(key) if key else None
                if entry is not None and entry.pending.chat == chat and entry.pending.message is None:
                    entry.pending = replace(entry.pending, message=message)  # in place: the button keeps its age

    def lookup(self, key: str, chat: int, message: int) -> Pending | AdminStep | None:
        """What a button pressed on `message` in `chat` means; None when expired, unknown or sent elsewhere."""
        entry = self._items.get(key)
        if entry is None or entry.pending.chat != chat or entry.pending.message not in (None, message):
            return None
        return entry.pending

    def forget(self, chat: int, message: int) -> None:
        """Retire every button under one message (a draft saved or cancelled), so none can be pressed again."""
        for key in [k for k, e in self._items.items() if e.pending.chat == chat and e.pending.message == message]:
            del self._items[key]

    def vote(self, key: str, user: int) -> bool:
        """Record that `user` rated the answer behind `key`; False when they already had."""
        entry = self._items.get(key)
        if entry is None:  # expired since it was looked up: nothing left to rate twice
            return True
        if user in entry.voters:
            return False
        entry.voters.add(user)
        return True


def button_arg(data: object) -> str:
    """The part of callback data after the kind ("up:<token>" gives the token); "" for anything else."""
    return data.partition(":")[2] if isinstance(data, str) else ""


def button_index(arg: str, count: int) -> int | None:
    """A topic or example number from button data, or None unless it is 1-6 ASCII digits below `count`.

    Strict on purpose: str.isdigit() accepts "²" (which int() refuses) and int() refuses over 4,300
    digits, and both arrive only in forged data.
    """
    if not INDEX.fullmatch(arg):
        return None
    number = int(arg)
    return number if number < count else None


def feedback_row(key: str) -> list[InlineKeyboardButton]:
    """The buttons under an answer: helpful, not helpful, why."""
    return [InlineKeyboardButton("\U0001F44D", callback_data=f"up:{key}"),
            InlineKeyboardButton("\U0001F44E", callback_data=f"down:{key}"),
            why_button(key)]


def why_button(key: str) -> InlineKeyboardButton:
    """The 'why?' button, which stays under an answer after a vote."""
    return InlineKeyboardButton("why?", callback_data=f"why:{key}")


def topics_keyboard(sections: list[str]) -> InlineKeyboardMarkup:
    """The sections as buttons (at most 50: a longer keyboard is unusable)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label(s), callback_data=f"topic:{i}")]
                                 for i, s in enumerate(sections[:50])])


def all_topics_keyboard() -> InlineKeyboardMarkup:
    """The way back from one topic to the list of them."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("\u00ab All topics", callback_data="topics")]])


def suggestion_rows(suggestions: tuple[str, ...], buttons: ButtonStore, chat: int) -> list[list[InlineKeyboardButton]]:
    """'Did you mean' buttons for an unknown question: each asks one suggested question."""
    return [[InlineKeyboardButton(label(s), callback_data=f"ask:{buttons.add(Pending(s, None, chat))}")]
            for s in suggestions[:3]]


def examples_keyboard(questions: tuple[str, ...], examples: tuple[str, ...], buttons: ButtonStore,
                      chat: int) -> InlineKeyboardMarkup:
    """Question buttons: an example by its number (never expires), any other question by a token for `chat`."""
    rows = []
    for question in questions[:3]:
        data = (f"ex:{examples.index(question)}" if question in examples
                else f"ask:{buttons.add(Pending(question, None, chat))}")
        rows.append([InlineKeyboardButton(label(question), callback_data=data)])
    return InlineKeyboardMarkup(rows)


def nearby_topic_rows(answer: Answer, sections: list[str]) -> list[list[InlineKeyboardButton]]:
    """'Did you mean' buttons under an unsure answer, for the nearby sections the core chose; a button
    carries the section's number in `sections` (a section no longer there gets no button)."""
    nearby = answer.nearby if answer.unsure else ()
    return [[InlineKeyboardButton(f"Did you mean: {label(section, 45)}", callback_data=f"sec:{sections.index(section)}")]
            for section in nearby if section in sections]
