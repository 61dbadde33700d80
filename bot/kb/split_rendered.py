"""Manual pages as `man` renders them (or `col -b` leaves them): text set in columns, without the roff requests.

Headings at column 0 name sections; a line over deeper-indented lines is an option with its description; a bulleted
line is a list item; deeper lines without a sentence's end are an example, and lines set in clear columns a tbl
table, read as rows under its header's labels (split_columns.py). split_man.py reads the roff source.
"""

from __future__ import annotations

import re
from itertools import takewhile

from .split_blocks import Outline, table_rows
from .split_columns import aligned_table

_HEADER = re.compile(r"^\S+\(\d\w*\)\s.*\S+\(\d\w*\)\s*$")
LEFT_OUT = {"SYNOPSIS"}  # command syntax, not sentences


def is_rendered(text: str) -> bool:
    """Whether text is a rendered manual page: a NAME heading at column 0, then an indented line."""
    return bool(re.search(r"^NAME\n[ \t]+\S", text.lstrip("\n")[:2000], re.MULTILINE))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _join(lines: list[str]) -> str:
    """Lines of rendered text as one: words broken at a line's end by hyphenation are joined again."""
    out = ""
    for line in lines:
        line = line.strip()
        out = out[:-1] + line if out.endswith("\u2010") else f"{out} {line}".strip()
    return out


def _rendered_block(outline: Outline, section: str, run: list[str], term: tuple[str, int]) -> tuple[str, int]:
    """One paragraph of rendered text: a tagged one ('-k --keep' over indented lines) becomes a term, and
    a later paragraph at its description's indent keeps the tag. Returns the tag in force and its indent."""
    if section.upper() in LEFT_OUT:
        return "", 0
    if section.upper() == "NAME" and not outline.title:
        outline.title = _join(run)
    tag, column = term
    if table := aligned_table(run):  # a tbl table's rows, in the entry it sits in
        table_rows(outline, table.header, table.rows, term=tag if tag and _indent(run[0]) >= column else "")
        return term
    bullet = run[0].lstrip().startswith(("\u2022 ", "o ", "* "))  # a list item: its text at its own column (where
    if bullet:  # its wrapped lines go on), without the bullet
        run = [run[0].replace(run[0].lstrip()[0], " ", 1)] + run[1:]
    first, rest = run[0], run[1:]
    if tag and _indent(first) >= column:
        if _indent(first) == column or any(line.rstrip().endswith((".", "?", "!")) for line in run):
            outline.add(_join(run), term=tag)
        else:  # deeper lines without a sentence's end are a table or an example
            outline.code(run, tag)
        return term
    if not rest or min(_indent(line) for line in rest) <= _indent(first):
        if bullet or _indent(first) <= 7 or any(line.rstrip().endswith((".", "?", "!", ":")) for line in run):
            outline.add(_join(run), "item" if bullet else "para")
        else:  # deeper lines without a sentence's end are an example
            outline.code(run)
        return "", 0
    column = min(_indent(line) for line in rest)
    tag, same_line = first, ""
    if len(first) > column and first[column - 2:column].isspace():  # "-a     text" on one line
        tag, same_line = first[:column], first[column:]
    tag = " ".join(tag.split())
    outline.add(_join([same_line] + rest), term=tag)
    return tag, column


def read_rendered(text: str) -> Outline:
    """Read a rendered manual page (the output of `man`, or `col -b`) into its title, sections and blocks."""
    outline = Outline()
    lines = [line.expandtabs(8).rstrip() for line in text.split("\n")]
    lines = [line for line in lines if not _HEADER.match(line.strip()) or _indent(line) > 20 or not line.strip()]
    lines = _tables_joined(lines)
    section, run, term = "", [], ("", 0)
    for line in lines + [""]:
        if line and _indent(line) == 0 or (line and _indent(line) < 5 and not run):
            if run:
                _rendered_block(outline, section, run, term)
            section = outline.section = " ".join(line.split())
            run, term = [], ("", 0)
        elif line.strip():
            run.append(line)
        elif run:
            term = _rendered_block(outline, section, run, term)
            run = []
    return outline


def _tables_joined(lines: list[str]) -> list[str]:
    """The lines without a blank line that falls inside a table: tbl's blank rows (find(1)'s features after
    '-quit', xz(1)'s '-0' apart from '-1'), where the lines before and after it are one table only together or
    each alone, so that the rows after it keep the header's labels."""
    out: list[str] = []
    group: list[str] = []  # the lines since the last blank line kept
    for n, line in enumerate(lines):
        if line.strip():
            out.append(line)
            group = group + [line] if _indent(line) >= 5 else []
            continue
        after = list(takewhile(lambda later: later.strip() and _indent(later) >= 5, lines[n + 1:]))
        if not (group and after and aligned_table(group + after) and (aligned_table(group) or aligned_table(after))):
            out.append(line)
            group = []
    return out
