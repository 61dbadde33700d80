"""Telegram formatting: escaped HTML, and messages cut under 4,096 characters at line or word ends.

Pure and offline: nothing here talks to the Bot API, so the handlers and the tests can build every
message without a network. Buttons and their callback data are in `keyboards`.
"""

from __future__ import annotations

import html
import re
from typing import Iterable

from telegram.constants import MessageLimit

from ...knowledge import Source
from ...text import shorten

MAX_MESSAGE = MessageLimit.MAX_TEXT_LENGTH  # 4096


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
    return shorten(" ".join(text.split()), limit)


def source_line(citation: str, passage_ids: tuple[str, ...], url: str) -> str:
    """The short HTML source line under an answer: citation (linked when the URL is http or https) and passage ids."""
    shown = esc(citation or "knowledge base")
    if url.startswith(("http://", "https://")):
        shown = f'<a href="{esc(url, quote=True)}">{shown}</a>'
    return f"<i>Source: {shown} [{esc(', '.join(passage_ids))}]</i>"


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
