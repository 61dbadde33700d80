"""Split a plain-text, Markdown or HTML document into short fact passages, repeatably.

The output is a draft for a person to review: sentences that lean on a neighbour
("This was renewed in April 2020") are flagged so the reviewer can give them their subject.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from .text import normalise

_BULLET = re.compile(r"^\s*(?:[\u2022*\-+\u25cf\u25aa]|\d+[.)])\s+")
_HEADING_MD = re.compile(r"^\s*#{1,6}\s+")
_UPDATED = re.compile(r"last updated:?\s*(.+)$", re.IGNORECASE)
# A sentence ends at . ! or ? followed by space and a capital, digit or opening quote, but not
# after a common abbreviation or a single initial.
# The closing quote or bracket stays with its sentence (it is in the lookbehind, not the separator).
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019)]))\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "st.", "no.", "jan.", "feb.", "mar.",
                  "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "u.s.", "u.k.", "inc.", "ltd.")
# Opening words that usually point back to the previous sentence.
DEPENDENT_OPENERS = ("it ", "this ", "these ", "that ", "those ", "they ", "he ", "she ", "its ", "their ",
                     "the country ", "the programme ", "the project ", "furthermore", "moreover", "also ", "however")


@dataclass(frozen=True)
class DraftPassage:
    """A passage proposed by the splitter, before review."""

    section: str
    text: str
    needs_review: bool


@dataclass(frozen=True)
class Draft:
    """A split document: its title, date if stated, and the proposed passages."""

    title: str
    date: str
    passages: tuple[DraftPassage, ...]


class _HTMLText(HTMLParser):
    """Turn HTML into lines: headings become '# ' lines, list items bullets, scripts dropped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "nav", "footer", "head"):
            self._skip += 1
        elif tag in self.BLOCKS and not self._skip:  # a <title> inside <head> must not leave an empty heading
            self.parts.append("\n\n")
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "title"):
                self.parts.append("# ")
            elif tag == "li":
                self.parts.append("\u2022 ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "nav", "footer", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS and not self._skip:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data.replace("\n", " "))


def html_to_text(markup: str) -> str:
    """Extract readable text with headings and list items from an HTML page."""
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts))


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations and decimals intact."""
    pieces = _SENTENCE_END.split(" ".join(paragraph.split()))
    out: list[list[str]] = []  # each sentence as its pieces: joining as we go would be quadratic on "No. 1 No. 2 ..."
    for piece in pieces:
        if out and out[-1][-1].lower().endswith(_ABBREVIATIONS):  # pieces hold no spaces at their ends
            out[-1].append(piece)
        else:
            out.append([piece])
    joined = (" ".join(parts).strip() for parts in out)
    return [s for s in joined if s]


def _is_heading(line: str, next_blank: bool) -> bool:
    stripped = line.strip()
    return (
        bool(stripped) and len(stripped) <= 80 and not stripped.endswith((".", "?", "!", ":", ";", ","))
        and next_blank and not _BULLET.match(line)
    )


def group_sentences(items: list[str], limit: int) -> list[str]:
    """Join a very short sentence to its neighbour so each passage is one self-contained fact."""
    out: list[str] = []
    for item in items:
        if out and (len(item) < 40 or len(out[-1]) < 40) and len(out[-1]) + len(item) + 1 <= limit:
            out[-1] = f"{out[-1]} {item}"
        else:
            out.append(item)
    return out


def split_document(text: str, kind: str = "txt", limit: int = 300) -> Draft:
    """Split a document into sections and passages of a sentence or two each."""
    if kind == "html":
        text = html_to_text(text)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    title, date, section = "", "", ""
    blocks: list[tuple[str, str]] = []
    for number, line in enumerate(lines):
        stripped = _BULLET.sub("", line).strip()
        if not stripped:
            continue
        updated = _UPDATED.search(stripped)
        if updated and len(stripped) < 80:
            date = updated.group(1).strip()
            continue
        next_blank = number + 1 >= len(lines) or not lines[number + 1].strip()
        markdown_heading = bool(_HEADING_MD.match(line))
        if markdown_heading or (kind != "html" and _is_heading(line, next_blank)):
            heading = _HEADING_MD.sub("", line).strip()
            if not title:
                title = heading
            else:
                section = heading
            continue
        if stripped.endswith(":") and len(stripped) < 120:
            continue  # an introduction to a list ("... includes:") is not a fact on its own
        blocks.append((section or title or "General", stripped))
    passages = []
    for block_section, block in blocks:
        for piece in group_sentences(sentences(block), limit):
            lowered = normalise(piece)
            passages.append(DraftPassage(block_section, piece, lowered.startswith(DEPENDENT_OPENERS)))
    return Draft(title=title or "Untitled document", date=date, passages=tuple(passages))
