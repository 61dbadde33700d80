"""Tables in roff source (tbl(1), `.TS` ... `.TE`): the header row's labels and each data row's cells.

A table's lines are: an options line ending in ';' (`tab(;);`, `allbox;`), format lines up to one ending in '.'
(`lB lB` / `l l.`: one line a row, the last for every later row; `.T&` starts new ones), then data lines, cells
split at the tab character, a `T{` ... `T}` text block being one cell over several lines. groff's tbl is the
only reader and there is no Python library for it, so this reads the little a fact needs: cells, spans, rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_KEYS = set("aAcClLnNrRsS^_=-")
_WIDTH = re.compile(r"[wW]\s*\([^)]*\)|[pPvV][-+]?\d+")
_FONT = re.compile(r"[fF](\(..|\[[^\]]*\]|.)")
_RULE = {"_", "=", "\\_", "\\="}
SHAPE = re.compile(r"[\d\W]")  # a value's mark: a digit or a sign ('4.3.3', '-0', '%p'), not a label's word
_FONT_ON = re.compile(r"\\f[BI3]|\\f\[[BI]\w*\]")


@dataclass(frozen=True)
class Spec:
    """One column of a format line: its key ('l', 'c', 'n', '^' spanned from above, 's' from the left, '_' a
    rule) and whether it is set in bold."""

    key: str
    bold: bool = False


@dataclass(frozen=True)
class Table:
    """A table read: the header's labels ([] when it has none) and the data rows' cells."""

    header: list[str]
    rows: list[list[str]]


def format_line(line: str) -> list[Spec]:
    """A format line's columns: 'lB1 l1 lw(3i)' -> l bold, l, l."""
    bold = ("B", "BI", "CB")
    line = _FONT.sub(lambda m: "b" if m.group(1).strip("([]").upper() in bold else "", _WIDTH.sub("", line))
    specs: list[Spec] = []
    for char in line.rstrip(". \t"):
        if char in _KEYS:
            specs.append(Spec(char.lower()))
        elif char in "bB" and specs:
            specs[-1] = Spec(specs[-1].key, True)
    return specs


def _is_rule(specs: list[Spec]) -> bool:
    return bool(specs) and all(s.key in "_=-" for s in specs)


def _text_block(lines: list[str], i: int) -> tuple[list[str], str, int]:
    """A `T{` block's lines, from line i to the `T}` line: (its lines, what follows `T}` on that line, next line)."""
    block: list[str] = []
    while i < len(lines) and not lines[i].startswith("T}"):
        block.append(lines[i])
        i += 1
    rest = lines[i][2:] if i < len(lines) else ""
    return block, rest, i + 1


class _Reader:
    """Reads one table's lines in order: options, format, data (and `.T&`'s new format)."""

    def __init__(self, lines: list[str], words: Callable[[list[str]], str]) -> None:
        self.lines, self.words = lines, words
        self.tab = "\t"
        self.formats: list[list[Spec]] = []
        self.rows: list[tuple[list[str], list[Spec]]] = []  # each data row with its format; a rule row is ([], [])
        self.base = 0  # rows read before the formats in force (.T&)
        self.ruled = 0  # how many format lines come before a rule line among them (signal(7)'s 'l c c l / ____')
        self.opens: list[bool] = []  # for each data row: whether its line opens in bold ('\\fBKEY\tLONG ...\\fR')

    def read(self) -> list[tuple[list[str], list[Spec]]]:
        i = 0
        if self.lines and self.lines[0].rstrip().endswith(";"):
            found = re.search(r"tab\s*\((.)\)", self.lines[0])
            self.tab = found.group(1) if found else self.tab
            i = 1
        i = self.format(i)
        while i < len(self.lines):
            line = self.lines[i]
            if line.startswith(".T&"):  # new formats, from the next row on
                self.formats, self.base = [], sum(1 for cells, _ in self.rows if cells)
                i = self.format(i + 1)
            elif line.strip() in _RULE:
                self.rows.append(([], []))
                i += 1
            elif line.startswith((".", "'")):  # a request between rows (.sp, .ne): no row
                i += 1
            else:
                i = self.row(i)
        return self.rows

    def format(self, i: int) -> int:
        """Format lines from line i up to the one ending in '.'; a line of rules alone is a rule row."""
        while i < len(self.lines):
            specs, done = format_line(self.lines[i]), self.lines[i].rstrip().endswith(".")
            if _is_rule(specs) and self.formats and not self.rows and not self.ruled:
                self.ruled = len(self.formats)  # a rule under the first rows' formats: they are the header
            elif specs and not _is_rule(specs):
                self.formats.append(specs)
            i += 1
            if done:
                break
        return i

    def row(self, i: int) -> int:
        """One data row from line i (a `T{` block taking the lines to its `T}`); returns the next line's index."""
        cells: list[str] = []
        line, i = self.lines[i], i + 1
        self.opens.append(bool(_FONT_ON.match(line.lstrip())))
        while True:
            pieces = line.split(self.tab)
            if pieces[-1].strip() != "T{":
                cells.extend(self.words([piece]) for piece in pieces)
                break
            cells.extend(self.words([piece]) for piece in pieces[:-1])
            block, line, i = _text_block(self.lines, i)
            cells.append(self.words(block))
            if not line.startswith(self.tab):
                break
            line = line[len(self.tab):]
        number = sum(1 for cells_, _ in self.rows if cells_) - self.base
        fmt = self.formats[min(number, len(self.formats) - 1)] if self.formats else []
        self.rows.append((cells, fmt))
        return i


def _spanned(rows: list[tuple[list[str], list[Spec]]]) -> list[tuple[list[str], list[Spec]]]:
    """Rows with a cell spanned from above (format '^', or data '\\^') given the cell above it."""
    out: list[tuple[list[str], list[Spec]]] = []
    above: list[str] = []
    for cells, fmt in rows:
        if cells:
            cells = [above[n] if n < len(above) and (c == "\\^" or n < len(fmt) and fmt[n].key == "^") else c
                     for n, c in enumerate(cells)]
            above = cells
        out.append((cells, fmt))
    return out


def header_count(rows: list[tuple[list[str], list[Spec]]]) -> int:
    """How many rows at the top are the header: those above an early rule, or a first row set apart by its format
    (bold, or centred over other columns) or its font, or a first row of capitalised words over values."""
    data = [n for n, (cells, _) in enumerate(rows) if cells]
    if len(data) < 2:
        return 0
    rule = next((n for n, (cells, _) in enumerate(rows) if not cells), None)
    if rule is not None and 0 < rule <= 2 and data[-1] > rule:
        return rule
    first, fmt = rows[data[0]]
    later = [f for c, f in rows[data[1]:] if c]
    if fmt and all(s.bold for s in fmt) and not all(all(s.bold for s in f) for f in later):
        return 1
    if fmt and later and [s.key for s in fmt] != [s.key for s in later[0]] and all(s.key == "c" for s in fmt):
        return 1
    if all(c and c[:1].isupper() and not SHAPE.search(c.replace(" ", "")) for c in first) and len(first) >= 2:
        values = [cells for cells, _ in rows[data[1]:] if cells]
        columns = range(1, len(first))  # a column below the label holding values ('Added in' over '4.3.3')
        return int(any(all(len(r) <= n or not r[n] or SHAPE.search(r[n][:1] + r[n][-1:]) for r in values)
                       for n in columns))
    return 0


def read_table(lines: list[str], words: Callable[[list[str]], str]) -> Table:
    """A `.TS` block's lines (without `.TS` and `.TE`) as its header and data rows; `words` reads a cell's roff
    lines as text. A first row alone in opening with a bold font is a header (ps(1)'s '\\fBKEY LONG ...\\fR')."""
    reader = _Reader(lines, words)
    rows = _spanned(reader.read())
    bold_first = len(reader.opens) >= 2 and reader.opens[0] and not any(reader.opens[1:])
    count = reader.ruled if 0 < reader.ruled <= 2 < len(rows) else (
        next((n + 1 for n, (cells, _) in enumerate(rows) if cells), 0) if bold_first else header_count(rows))
    header_rows = [cells for cells, _ in rows[:count] if cells]
    header = [re.sub(r"([/-]) ", r"\1", " ".join(c[n] for c in header_rows if n < len(c) and c[n]))
              for n in range(max(map(len, header_rows), default=0))]  # 'Alpha/' over 'SPARC': 'Alpha/SPARC'
    body = [cells for cells, _ in rows[count:] if any(c.strip() for c in cells)]
    return Table(header, continued(body))


def continued(rows: list[list[str]]) -> list[list[str]]:
    """Rows with a line whose first cell is empty and which adds to a cell of the row before ('Hangup detected on
    controlling terminal' / 'or death of controlling process') joined to that row."""
    out: list[list[str]] = []
    for cells in rows:
        if out and not cells[0] and len(cells) <= len(out[-1]):
            out[-1] = [f"{a} {b}".strip() if b else a for a, b in zip(out[-1], cells + [""] * len(out[-1]))]
        else:
            out.append(cells)
    return out

