"""Tables in a PDF set in a monospaced font (a DocBook listing: fontconfig's property table), rebuilt in columns.

pypdf's text puts one space wherever the page moved on ('family String Font family names'), and its layout mode
places words by estimated widths, so that a column drifts from row to row. The page itself says where each word
goes: a row is one `TJ` array whose numbers are the gaps (['style', -6600, 'String', ...]), and in a monospaced
font -600 thousandths of the font size is one character. Those lines, rebuilt with their gaps, are handed to
split_columns.aligned_table; where it finds a table, the text gets them in place of pypdf's lines, between blank
lines, for the plain-text reader to read as a table. Any other font keeps pypdf's text as it was.
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


class Listings:
    """The page's runs of consecutive lines in a monospaced font, each line's gaps and indent rebuilt in characters:
    a visitor for pypdf's `extract_text(visitor_operand_before=...)`, so that the page is parsed once for both."""

    def __init__(self, fonts: dict[str, float]) -> None:
        self.fonts = fonts  # each font's pitch (0 unless monospaced), by its name in the page's resources
        self.groups: list[list[tuple[float, float, str]]] = [[]]
        self.pitch, self.size, self.x, self.line, self.broken = 0.0, 0.0, 0.0, "", False

    def __call__(self, operator: bytes, operands: list, *_matrices) -> None:
        if self.broken:
            return
        try:
            self.operation(operator, operands)
        except Exception:  # an operand of a kind this reading does not expect: the listing is lost, not the text
            self.broken = True

    def operation(self, operator: bytes, operands: list) -> None:
        if (operator in _NEW_LINE or operator == b"Tf") and self.line:
            self.end_line()
        if operator == b"Tf":
            self.pitch, self.size = self.fonts.get(operands[0], 0.0), float(operands[1])
            if not self.pitch and self.groups[-1]:
                self.groups.append([])
        elif operator in (b"Td", b"TD"):
            self.x += float(operands[0])
        elif operator == b"Tm":
            self.x = float(operands[4])
        elif operator in (b"TJ", b"Tj", b"'", b'"') and self.pitch:
            for item in operands[0] if operator == b"TJ" else operands[-1:]:
                gap = isinstance(item, (int, float))
                self.line += " " * round(-float(item) / self.pitch) if gap else _text(item)

    def end_line(self) -> None:
        self.groups[-1].append((self.x, self.pitch * self.size / 1000, self.line))
        self.line = ""

    def runs(self) -> list[list[str]]:
        """The runs read, each line placed by its start; none when the page could not be followed."""
        if self.line:
            self.end_line()
        return [] if self.broken else [_rebuilt(group) for group in self.groups if group]


def page_listings(page) -> Listings | None:
    """A Listings visitor for the page, or None when it has no monospaced font (or fonts this cannot read)."""
    try:
        resources = page.get("/Resources")  # (an indirect object, or absent)
        fonts = resources.get_object().get("/Font") if resources is not None else None
        fonts = {name: _pitch(font.get_object()) for name, font in (fonts.get_object() if fonts else {}).items()}
    except Exception:  # a damaged resource dictionary: pypdf's text alone, as before
        return None
    return Listings(fonts) if any(fonts.values()) else None


def _rebuilt(group: list[tuple[float, float, str]]) -> list[str]:
    """Lines placed by their start: each indented by as many characters as it starts right of the leftmost."""
    left = min(x for x, _, _ in group)
    return [" " * round((x - left) / width) + text if width else text for x, width, text in group]


def with_tables(text: str, groups: list[list[str]]) -> str:
    """The document's text with each table's lines, as pypdf wrote them, replaced by the rebuilt ones."""
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
