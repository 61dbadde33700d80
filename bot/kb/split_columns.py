"""Tables set as aligned columns in plain text, as `man` renders a tbl table (`man 7 signal`, xz(1)'s presets).

A block of lines is a table only where the columns are plain: two or more runs of text parted by GAP blank
positions on every line, three or more rows, short names in the first column, and no comment marks (an example's
aligned `# comments` stay an example). A line whose first column is blank goes on with the row above (a
description wrapped in its column); a line of rule characters under the first row makes it the header, and so does a
first row of capitalised words over a column of values (split_tbl's rule for a tbl table read from roff).
"""

from __future__ import annotations

import re

from .split_tbl import SHAPE, Table, continued, header_count

GAP = 2  # blank positions on every line that part two columns: a cell's words have one space between them, and a
# justified paragraph's wider spaces never fall at the same place on every line of three
ROWS = 3  # lines (header included) a table needs: two lines in columns are as likely a wrapped tagged paragraph
NAME_WORDS = 3  # a row's first cell has at most this many words ('-exec ... +', 'SIGHUP'): more is a sentence
RULE = re.compile(r"^\s*[-\u2500\u2501_=]{3,}[-\u2500\u2501_= ]*$")  # '────', '-----  -----'
_COMMENT = re.compile(r"^(#|//|;|\$ )")


def _spans(lines: list[str], ruled: str = "") -> list[tuple[int, int]]:
    """The columns: runs of positions holding text on some line, parted by GAP or more positions blank on all; under
    a ruled header (`ruled`, its first line) over two or more such columns, also where a label starts GAP past the
    one before and the position before it is blank on every line (a monospaced PDF listing's 'FT_Face Use')."""
    width = max(map(len, lines), default=0)
    mask = "".join("x" if any(n < len(line) and not line[n].isspace() for line in lines) else " "
                   for n in range(width))
    parted = re.search(r"x {%d,}x" % GAP, mask)  # already two columns or more: labels only part them further
    for label in re.finditer(r"(?<=%s)\S" % (" " * GAP), ruled if parted else ""):
        if mask[label.start() - 1] == " ":  # a mark that parts two spans
            mask = mask[:label.start() - 1] + "|" + mask[label.start():]
    return [found.span() for found in re.finditer(r"x+(?: {1,%d}x+)*" % (GAP - 1), mask)]


def aligned_table(lines: list[str]) -> Table | None:
    """The table a block of aligned lines sets out (its header's labels, its data rows' cells), or None when the
    lines are not clearly a table: prose, an example, a list of options one per line with their descriptions."""
    lines = [line.expandtabs(8).rstrip() for line in lines if line.strip()]
    text = [line for line in lines if not RULE.match(line)]
    spans = _spans(text, text[0] if len(lines) > 1 and RULE.match(lines[1]) else "")
    if len(spans) < 2 or len(text) < ROWS or len(text) - len(lines) < -1:
        return None
    cells = _without_separators([[line[a:b].strip() for a, b in spans] for line in text])
    rows = [row for row in cells if row[0]]
    if (len(rows) < ROWS or not cells[0][0] or sum(len([c for c in row if c]) >= 2 for row in rows) * 2 < len(rows)
            or any(len(row[0].split()) > NAME_WORDS or row[0].endswith((".", ":", ",")) for row in rows)
            or any(_COMMENT.match(c) for row in cells for c in row)):
        return None
    ruled = [([] if RULE.match(line) else row, []) for line, row in zip(lines, _with_rules(lines, cells))]
    count = header_count(ruled) or _over_values(rows)
    header = [re.sub(r"([/-]) ", r"\1", " ".join(row[n] for row, _ in ruled[:count] if row and row[n]))
              for n in range(len(rows[0]))] if count else []  # "Alpha/" over "SPARC": "Alpha/SPARC"
    if len(set(filter(None, header))) < len(list(filter(None, header))):  # 'field default field default': a list
        return None  # set in several columns side by side (top(1)'s fields), no row is a record
    body = continued([row for row, _ in ruled[count:] if row])
    return Table(header, [[cell.replace("\u2010 ", "") for cell in row] for row in body])  # groff's 'upper\u2010 case'


def _with_rules(lines: list[str], cells: list[list[str]]) -> list[list[str]]:
    """Each line's cells, a rule line's as [] (cells holds only the other lines')."""
    rows = iter(cells)
    return [[] if RULE.match(line) else next(rows) for line in lines]


def _over_values(rows: list[list[str]]) -> int:
    """1 when the first row, without a digit, stands over a column of values ('Level / xz / LZMA Utils' over
    '-0 / 256 KiB / N/A'), which rendering left without the bold or centring that marked it in roff."""
    first, values = rows[0], [row for row in rows[1:] if any(row[1:])]
    columns = range(0 if all(c[:1].isupper() for c in first) else 1, len(first))  # 'Number' over '1', '10'
    return int(all(c[:1].isalpha() for c in first) and not any(re.search(r"\d", c) for c in first)
               and len(values) >= 2 and any(all(not row[n] or SHAPE.search(row[n][:1] + row[n][-1:])
                                                 for row in values) for n in columns))


def _without_separators(cells: list[list[str]]) -> list[list[str]]:
    """The cells without a column holding one mark on every line ('rd  -  readable'): a separator, not a value."""
    marks = [n for n in range(1, len(cells[0])) if len({row[n] for row in cells}) == 1 and not cells[0][n].isalnum()]
    return [[c for n, c in enumerate(row) if n not in marks] for row in cells]
