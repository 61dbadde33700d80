"""What every document reader hands the splitter: a title, a date if stated, and blocks of text under headings.

Each format (plain text, Markdown, HTML, manual page, PDF) only has to find its headings, paragraphs, list
items and option entries; turning them into passages is the same for all (bot/kb/split.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_UPDATED = re.compile(r"last updated:?\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """A paragraph, list item or definition ('term: description') under its section heading."""

    section: str
    text: str
    kind: str = "para"  # "para", "item" or "term"
    term: str = ""  # a term's name ('-k --keep'), which its text starts with


@dataclass
class Outline:
    """A document being read: headings set the section, text lands in blocks under it."""

    title: str = ""
    date: str = ""
    section: str = ""
    blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        """A heading: the first top-level one titles the document, the others name sections."""
        text = " ".join(text.split()).strip(" #:")
        if not text or self._dated(text):
            return
        if not self.title and (level <= 1 or not self.blocks):
            self.title = text
        else:
            self.section = text

    def add(self, text: str, kind: str = "para", term: str = "") -> None:
        """A block of text (with a term: its description); a 'Last updated' line dates the document."""
        text, term = " ".join(text.split()), " ".join(term.split())
        if not text or self._dated(text):
            return
        if term:
            kind, text = "term", f"{term}: {text}"
        self.blocks.append(Block(self.section or self.title or "General", text, kind, term))

    def _dated(self, text: str) -> bool:
        """A short 'Last updated: ...' line gives the document's date and is no passage."""
        updated = _UPDATED.search(text)
        if updated and len(text) < 80 and not self.date:
            self.date = updated.group(1).strip()
        return bool(updated and len(text) < 80)
