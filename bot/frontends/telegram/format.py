"""Telegram formatting: escaped HTML, messages cut under 4,096 characters, buttons and their callback data.

Pure and offline: nothing here talks to the Bot API, so the adapter in `bot.telegram_bot` and the
tests can build every message and keyboard without a network.
"""

from __future__ import annotations

import html
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from ...answer import Answer
from ...knowledge import Source

MAX_MESSAGE = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_BUTTONS = 5000
UNSURE_MARGIN = 1.5  # an answer under 1.5 x threshold whose runner-up in another topic
CLOSE_RUNNER_UP = 0.8  # scores at least 0.8 x as high also offers that topic as "did you mean"


def esc(text: object, quote: bool = False) -> str:
    """Escape dynamic text for Telegram's HTML parse mode: <, > and &, plus quotes inside attributes."""
    return html.escape(str(text), quote=quote)


def html_chunks(text: str, footer: str = "", limit: int = MAX_MESSAGE) -> list[str]:
    """Escape plain text and cut it into messages of at most `limit` characters, at line or word ends.

    `footer` is already HTML; it ends the last message, or gets a message of its own when it does
    not fit. Cutting the plain text before escaping means an entity such as &amp; is never split.
    """
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        piece = esc(line)
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
            current = ""
        for word in line.split(" "):
            escaped = esc(word)
            while len(escaped) > limit:  # one enormous word: cut it by characters
                cut = len(word)
                while len(esc(word[:cut])) > limit:
                    cut = max(1, cut * limit // len(esc(word[:cut])) - 1)
                if current:
                    chunks.append(current)
                    current = ""
                chunks.append(esc(word[:cut]))
                word = word[cut:]
                escaped = esc(word)
            current = _extend(chunks, current, escaped, " ", limit)
    if footer:
        current = _extend(chunks, current, footer, "\n\n", limit)
    if current or not chunks:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or ["\u2026"]


def _extend(chunks: list[str], current: str, piece: str, separator: str, limit: int) -> str:
    """Add `piece` to the message being built, or close that message and start the next with `piece`."""
    candidate = f"{current}{separator}{piece}" if current else piece
    if len(candidate) <= limit:
        return candidate
    chunks.append(current)
    return piece


def fit_html(text: str) -> list[str]:
    """Ready HTML as one message when it fits, else its plain text cut into messages (tags cannot be split)."""
    return [text] if len(text) <= MAX_MESSAGE else html_chunks(strip_tags(text))


def strip_tags(text: str) -> str:
    """Plain text back from our own HTML, for when it has to be cut."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def label(text: str, limit: int = 60) -> str:
    """Button and title text: one line, shortened (Telegram shows little of it anyway)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def source_line(answer: Answer, url: str) -> str:
    """The short HTML source line under an answer: citation (linked when the URL is known) and passage ids."""
    citation = esc(answer.citation or "knowledge base")
    if url.startswith(("http://", "https://")):
        citation = f'<a href="{esc(url, quote=True)}">{citation}</a>'
    return f"<i>Source: {citation} [{esc(', '.join(answer.passage_ids))}]</i>"


def sources_html(sources: Iterable[Source]) -> str:
    """The /about text: each source document with its publisher, date and link."""
    lines = []
    for source in sources:
        line = f"<b>{esc(source.title)}</b>"
        if source.publisher or source.date:
            line += f" ({esc(', '.join(p for p in (source.publisher, source.date) if p))})"
        if source.url.startswith(("http://", "https://")):
            line += f'\n<a href="{esc(source.url, quote=True)}">{esc(source.url)}</a>'
        lines.append(line)
    return "I answer from:\n\n" + "\n\n".join(lines or ["my documents"])


def topic_html(section: str, facts: Iterable[str]) -> str:
    """A section's key facts as one HTML message (plain text cut to fit when they are long)."""
    text = f"<b>{esc(section)}</b>\n\n" + "\n\n".join(f"\u2022 {esc(f)}" for f in facts)
    return fit_html(text)[0]


# -- buttons ---------------------------------------------------------------------------------------

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


class ButtonStore:
    """Random per-button tokens for callback data, bound to their chat and message; bounded, oldest expire first.

    Tokens come from `secrets`, so a user cannot guess another chat's buttons, and a token copied
    into another chat or message is refused by `lookup`. Votes are kept per token and user, so in a
    group everyone may rate an answer once.
    """

    def __init__(self, limit: int = MAX_BUTTONS) -> None:
        self.limit = limit
        self._items: OrderedDict[str, Pending] = OrderedDict()
        self._voters: dict[str, set[int]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, pending: Pending) -> str:
        """Remember what a new button means and return its fresh random token."""
        key = secrets.token_urlsafe(TOKEN_BYTES)
        while key in self._items:  # pragma: no cover - 96 random bits do not collide in practice
            key = secrets.token_urlsafe(TOKEN_BYTES)
        self._items[key] = pending
        while len(self._items) > self.limit:
            old, _ = self._items.popitem(last=False)
            self._voters.pop(old, None)
        return key

    def bind(self, markup: InlineKeyboardMarkup, chat: int, message: int) -> None:
        """Tie the tokens under a message just sent to that message, so they work there only."""
        for row in markup.inline_keyboard:
            for button in row:
                key = button_arg(button.callback_data)
                pending = self._items.get(key) if key else None
                if pending is not None and pending.chat == chat and pending.message is None:
                    self._items[key] = replace(pending, message=message)

    def lookup(self, key: str, chat: int, message: int) -> Pending | None:
        """What a button pressed on `message` in `chat` means; None when expired, unknown or sent elsewhere."""
        pending = self._items.get(key)
        if pending is None or pending.chat != chat or pending.message not in (None, message):
            return None
        return pending

    def vote(self, key: str, user: int) -> bool:
        """Record that `user` rated the answer behind `key`; False when they already had."""
        voters = self._voters.setdefault(key, set())
        if user in voters:
            return False
        voters.add(user)
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


def nearby_topic_rows(answer: Answer, sections: list[str], threshold: float) -> list[list[InlineKeyboardButton]]:
    """'Did you mean' buttons when the bot is unsure: a low score and a close runner-up in another topic."""
    if answer.score >= threshold * UNSURE_MARGIN:
        return []
    answered = {hit.section for hit in answer.sources if hit.id in answer.passage_ids}
    nearby = [hit.section for hit in answer.sources if hit.section in sections and hit.section not in answered
              and hit.score >= CLOSE_RUNNER_UP * answer.score]
    return [[InlineKeyboardButton(f"Did you mean: {label(section, 45)}",
                                  callback_data=f"sec:{sections.index(section)}")]
            for section in list(dict.fromkeys(nearby))[:2]]
