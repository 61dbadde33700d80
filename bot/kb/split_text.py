"""Plain text: paragraphs between blank lines, hard-wrapped lines joined, headings found by their shape.

A heading is a short line without a sentence's closing punctuation standing alone, or any line underlined
with === or --- (Setext style). Lines are joined into a paragraph unless the text is not wrapped (each line a
paragraph of its own, which shows as lines far longer than a wrapped text's) or a line starts a list item.
"""

from __future__ import annotations

import re

from .split_blocks import Outline

BULLET = re.compile(r"^\s*(?:[\u2022*\-+\u25cf\u25aa]|\d+[.)]|[a-z][.)])\s+")
_UNDERLINE = re.compile(r"^\s*(=+|-+|~+|\*+)\s*$")
_ATX = re.compile(r"^\s*#{1,6}\s+")
WRAP_WIDTH = 100  # a text with lines longer than this was not hard-wrapped: each line is a paragraph


def is_heading(line: str) -> bool:
    """A line that looks like a heading when it stands alone: short, no closing punctuation, not a list item."""
    stripped = line.strip()
    return (bool(stripped) and len(stripped) <= 80 and not stripped.endswith((".", "?", "!", ":", ";", ","))
            and not BULLET.match(line) and any(c.isalpha() for c in stripped))


def _bullet_heading(line: str) -> bool:
    """'* Questions about /etc/issue:' alone between blank lines: a list item naming the part that follows."""
    return bool(BULLET.match(line)) and line.rstrip().endswith(":") and is_heading(BULLET.sub("", line)[:-1])


def paragraphs(text: str) -> list[list[str]]:
    """The text's runs of non-blank lines, with Setext underlines turned into a heading of their own."""
    runs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line.strip():
            runs.append([])
        elif _UNDERLINE.match(line) and runs[-1] and len(line.strip()) >= 3:
            heading = runs[-1].pop()
            runs.extend([["# " + heading.strip()], []])
        else:
            runs[-1].append(line.rstrip())
    return [run for run in runs if run]


def _items(run: list[str], wrapped: bool) -> list[tuple[str, str]]:
    """A run of lines as (kind, text): list items start at their bullet, wrapped lines are joined, and a short
    line standing between a finished sentence (or the run's start) and a capitalised line is a heading (text
    taken from a PDF has no blank lines around its headings)."""
    out: list[tuple[str, str]] = []
    for number, line in enumerate(run):
        after_sentence = not out or out[-1][0] == "heading" or out[-1][1].endswith((".", "!", "?", ":"))
        next_capital = number + 1 < len(run) and run[number + 1].lstrip()[:1].isupper()
        if after_sentence and next_capital and is_heading(line) and len(line.strip()) <= 60:
            out.append(("heading", line.strip()))
        elif BULLET.match(line):
            out.append(("item", BULLET.sub("", line)))
        elif out and wrapped and out[-1][0] != "heading":
            out[-1] = (out[-1][0], f"{out[-1][1]} {line.strip()}")
        else:
            out.append(("para", line.strip()))
    return out


def _is_code(run: list[str]) -> bool:
    """Lines all indented by four or more and none ending a sentence: a command or code example."""
    return all(line.startswith(("    ", "\t")) for line in run) and not any(
        line.rstrip().endswith((".", "?", "!")) for line in run)


def read_plain(text: str) -> Outline:
    """Read a plain-text document into its title, sections and blocks."""
    outline = Outline()
    wrapped = max((len(line) for line in text.split("\n")), default=0) <= WRAP_WIDTH
    for run in paragraphs(text):
        if _ATX.match(run[0]) and len(run) == 1:
            outline.heading(_ATX.sub("", run[0]), level=1 if run[0].lstrip().startswith("# ") else 2)
            continue
        if _is_code(run) and not run[0].lstrip()[:1].isupper():  # "    make check", not a centred "    INTRODUCTION"
            outline.code(run)
            continue
        if len(run) == 1 and (is_heading(run[0]) or _bullet_heading(run[0])):
            outline.heading(BULLET.sub("", run[0]))
            continue
        if _is_code(run):
            outline.code(run)  # for the paragraph introducing it to carry
            continue
        for kind, item in _items(run, wrapped):
            if kind == "heading":
                outline.heading(item)
            else:
                outline.add(item, kind)
    return outline
