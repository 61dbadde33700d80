"""Tables in a PDF set in a monospaced font (a DocBook listing: fontconfig's property table), rebuilt in columns.

pypdf's text puts one space wherever the page moved on ('family String Font family names'), and its layout mode
places words by estimated widths, so that a column drifts from row to row. The page itself says where each word
goes: a row is one `TJ` array whose numbers are the gaps (['style', -6600, 'String', ...]), and in a monospaced
font -600 thousandths of the font size is one character. Those lines, rebuilt with their gaps, are handed to
split_columns.aligned_table; where it finds a table, the page's text gets them in place of pypdf's lines, a blank
line before, for the plain-text reader to read as a table. Any other font keeps pypdf's text as it was.
"""

from __future__ import annotations

import re

from .split_columns import RULE, aligned_table

_NEW_LINE = {b"Td", b"TD", b"Tm", b"T*", b"'", b'"', b"ET"}


def _pitch(font) -> float:
    """A monospaced font's one width in thousandths of its size (0 for any other font)."""
    widths = font.get("/Widths")
    widths = {float(w) for w in (widths.get_object() if widths is not None else [])} - {0.0}
    return widths.pop() if len(widths) == 1 else 0.0


def _text(operand) -> str:
    return operand if isinstance(operand, str) else bytes(operand).decode("latin-1")


def monospaced_lines(page) -> list[list[str]]:
    """The page's runs of consecutive lines in a monospaced font, each line's gaps and indent rebuilt in characters."""
    from pypdf.generic import ContentStream

    resources = page.get("/Resources")  # (an indirect object, or absent)
    fonts = resources.get_object().get("/Font") if resources is not None else None
    fonts = {name: _pitch(font.get_object()) for name, font in (fonts.get_object() if fonts else {}).items()}
    groups: list[list[tuple[float, float, str]]] = [[]]
    pitch, size, x, line = 0.0, 0.0, 0.0, ""
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if (operator in _NEW_LINE or operator == b"Tf") and line:
            groups[-1].append((x, pitch * size / 1000, line))
            line = ""
        if operator == b"Tf":
            pitch, size = fonts.get(operands[0], 0.0), float(operands[1])
            if not pitch and groups[-1]:
                groups.append([])
        elif operator in (b"Td", b"TD"):
            x += float(operands[0])
        elif operator == b"Tm":
            x = float(operands[4])
        elif operator in (b"TJ", b"Tj", b"'", b'"') and pitch:
            for item in operands[0] if operator == b"TJ" else operands[-1:]:
                line += " " * round(-float(item) / pitch) if isinstance(item, (int, float)) else _text(item)
    if line:
        groups[-1].append((x, pitch * size / 1000, line))
    return [_rebuilt(group) for group in groups if group]


def _rebuilt(group: list[tuple[float, float, str]]) -> list[str]:
    """Lines placed by their start: each indented by as many characters as it starts right of the leftmost."""
    left = min(x for x, _, _ in group)
    return [" " * round((x - left) / width) + text if width else text for x, width, text in group]


def with_tables(text: str, groups: list[list[str]]) -> str:
    """The page's text with each table's lines, as pypdf wrote them, replaced by the rebuilt ones."""
    lines = text.split("\n")
    flat = [" ".join(line.split()) for line in lines]
    for group in groups:
        if len(group) < 3 or aligned_table(group) is None:
            continue
        wanted = [" ".join(line.split()) for line in group]
        start = next((n for n in range(len(flat)) if flat[n:n + len(wanted)] == wanted), None)
        if start is not None:  # a rule as man draws it ('────'): '----' under a line is a Setext heading's
            group = [re.sub(r"[-=_]", "\u2500", line) if RULE.match(line) else line for line in group]
            lines[start:start + len(wanted)] = [""] + group + [""]
            flat[start:start + len(wanted)] = [""] * (len(group) + 2)  # read once
    return "\n".join(lines)


def across_pages(pages: list[list[list[str]]]) -> list[list[str]]:
    """Every page's runs, a run ending a page first taken with the run opening the next (a table the page broke)."""
    return [a[-1] + b[0] for a, b in zip(pages, pages[1:]) if a and b] + [run for page in pages for run in page]


def page_listings(page) -> list[list[str]]:
    """monospaced_lines, or none when the page's content stream is beyond this reading (its text stays pypdf's)."""
    try:
        return monospaced_lines(page)
    except Exception:  # a damaged or unusual content stream: the table is lost, never the document
        return []
