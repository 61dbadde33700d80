"""What every document reader hands the splitter: a title, a date if stated, and blocks of text under headings.

Each format (plain text, Markdown, HTML, manual page, PDF) only has to find its headings, paragraphs, list
items and option entries; turning them into passages is the same for all (bot/kb/split.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

_UPDATED = re.compile(r"last updated:?\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """A paragraph, list item or definition ('term: description') under its section heading."""

    section: str
    text: str
    kind: str = "para"  # "para", "item", "term", "row" (a table's, its cells joined by '; ') or "code" (an example's
    # lines, one per line of text)
    term: str = ""  # a term's name ('-k --keep'), which its text starts with
    example: str = ""  # the examples its text ends with (lines joined by "; "), with any words between them
    depth: int = 0  # how deep in nested lists an item sits: 0 in the outermost list


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

    def add(self, text: str, kind: str = "para", term: str = "", depth: int = 0) -> None:
        """A block of text (with a term: its description; an item: how deep in nested lists); a 'Last updated' line
        dates the document."""
        text, term = " ".join(text.split()), _term(term)
        if not text or self._dated(text):
            return
        if term:
            kind, text = "row" if kind == "row" else "term", f"{term}: {text}"
        self.blocks.append(Block(self.under(), text, kind, term, depth=depth))

    def code(self, lines: list[str], term: str = "") -> None:
        """An example or command block, one line of text per line, for the paragraph introducing it to carry."""
        kept = [" ".join(line.split()) for line in lines if line.strip()]
        if kept:
            self.blocks.append(Block(self.under(), "\n".join(kept), "code", _term(term)))

    def more(self, text: str) -> None:
        """More text of the last block (a list item's second paragraph)."""
        self.blocks[-1] = replace(self.blocks[-1], text=f"{self.blocks[-1].text} {' '.join(text.split())}")

    def under(self) -> str:
        """The section a block added now sits under: the last heading, else the title."""
        return self.section or self.title or "General"

    def _dated(self, text: str) -> bool:
        """A short 'Last updated: ...' line gives the document's date and is no passage."""
        updated = _UPDATED.search(text)
        if updated and len(text) < 80 and not self.date:
            self.date = updated.group(1).strip()
        return bool(updated and len(text) < 80)


DESCRIBES = 4  # a column whose cells mostly have this many words or more, the first without a digit ('simple name of
# executable', not '2 euros a cup', a value), is descriptions: they need no label


def table_rows(outline: Outline, header: list[str], rows: list[list[str]], term: str = "") -> None:
    """A table's data rows as facts standing on their own: the first cell, after its column's label, names the row,
    and each other cell carries its column's label ('Feature -newerXY: Added in 4.3.3; Also occurs in BSD'), unless
    its column is descriptions (half its cells DESCRIBES words or more, not a number first: 'Signal SIGHUP: Action
    Term; Hangup detected on ...'); without a header, the cells alone ('a: The access time of the file'). `term`, the
    entry the table sits in, goes in front instead of the label ('-newerXY reference a: ...'). A table of one column
    is a list; in a wider one, a row of only its first cell says nothing and is left out."""
    rows = [[" ".join(c.split()) for c in cells] for cells in rows]
    width = max(map(len, rows), default=0)
    labels = [" ".join(h.split()) for h in header] + [""] * width
    for n in range(1, width):
        filled = [r[n] for r in rows if n < len(r) and r[n]]
        if 2 * sum(len(c.split()) >= DESCRIBES and not re.match(r"\S*\d", c) for c in filled) >= len(filled):
            labels[n] = ""
    for cells in rows:
        named = [f"{h} {c}".strip() for h, c in zip(labels[1:], cells[1:]) if c]
        first = cells[0] if cells else ""
        if first and named:
            outline.add("; ".join(named), "row", term=f"{term} {first}" if term else f"{labels[0]} {first}".strip())
        elif named:
            outline.add("; ".join(named), "row", term=term)
        elif first and not any(any(r[1:]) for r in rows):  # a table of one column: a list
            outline.add(first, "row" if term else "item", term=term)


def _term(term: str) -> str:
    """A term as its passages start with it: spacing folded, a closing full stop or colon dropped ("...data: The ...",
    not "Jump to:: ...")."""
    term = " ".join(term.split()).removesuffix(".")
    return term[:-1] if term.endswith(":") and any(c.isalnum() for c in term) else term  # a key ':' stays


CODE_CHARS = 200  # an example longer than this (its lines joined) is a listing, not part of a fact: left out
CODE_LINES = 6
_LINK = re.compile(r"^[A-Z][\w .()/-]{0,30}: (?:https?|ftp)://\S+$")  # 'Upstream: http://gcc.gnu.org/bugzilla/'
_CONTINUES = (";", "{", "}", ",", "(", "[", "|", "&", "\\")  # a line ending so goes on, or is ended, already


# 'Status: recommendation, stable' at the margin; not 'Q: ...?' / 'A: ...', a question and its answer
_FIELD = re.compile(r"([A-Z][\w-]+(?: [\w-]+){0,2}): +(\S.*)(?<!\?)")


def field_lines(lines: list[str]) -> list[tuple[str, str]]:
    """Two or more lines each 'Label: value' ('Status: recommendation, stable' / 'Version: 1.0'): (label, value)
    for each, a fact of its own, not a heading and its line nor one run-on sentence; else []."""
    found = [_FIELD.fullmatch(line.rstrip()) for line in lines]
    return [(f.group(1), f.group(2)) for f in found if f] if len(lines) >= 2 and all(found) else []


def between_examples(block: Block) -> bool:
    """Words between two examples ("Then", "is equivalent to"): half a sentence that goes on after the example."""
    words = len(block.text.split())
    return block.kind == "para" and block.text[-1:].isalpha() and (words == 1 or block.text[:1].islower() and words <= 4)


def with_code(blocks: list[Block]) -> list[Block]:
    """Blocks with each short example joined to the paragraph that introduces it ("To see the options: ./configure
    --help"), the answer to "how do I ..." being the command itself. An example whose every line says what it does
    in a comment ("-D X=OFF  # disable X") becomes one term per line; any other example, left alone, is left out."""
    out: list[Block] = []
    carried: set[int] = set()  # blocks that end with an example, which words between examples continue
    for n, block in enumerate(blocks):
        last = out[-1] if out else None
        same = last is not None and last.section == block.section and last.term == block.term
        if block.kind != "code":
            goes_on = same and len(out) - 1 in carried  # right after an example, in the same part
            example_next = n + 1 < len(blocks) and blocks[n + 1].kind == "code"
            if goes_on and between_examples(block) and example_next:
                out[-1] = replace(last, text=f"{last.text} {block.text}", example=f"{last.example} {block.text}")
            elif goes_on and block.kind == "para" and block.text[:1].islower():
                out[-1] = replace(last, text=f"{last.text} {block.text}", example="")  # "run: X | from a folder."
                carried.discard(len(out) - 1)  # its sentence goes on after the example: it ends with words again
            else:
                out.append(block)
            continue
        lines = block.text.split("\n")
        pairs = [line.split(" # ", 1) for line in lines]
        if all(len(pair) == 2 and pair[0].strip() and pair[1].strip() for pair in pairs):
            out.extend(Block(block.section, f"{c.strip()}: {d.strip()}", "term", c.strip()) for c, d in pairs)
            continue
        joined = " ".join(line if line.endswith(_CONTINUES) or i == len(lines) - 1 else f"{line};"
                          for i, line in enumerate(lines))  # one command a line: "./configure; make"
        opens = last is not None and last.kind != "code" and (
            last.text.endswith(":") or last.text[-1:].isalnum() or all(map(_LINK.match, lines))) and (
            not between_examples(last) or len(out) - 1 in carried)  # "Then" alone introduces nothing; labelled links
        # go with the sentence before them even when it ends ('... in the bug tracking systems.' / 'Upstream: http://...')
        if same and opens and len(joined) <= CODE_CHARS and len(lines) <= CODE_LINES:
            example = f"{last.example} {joined}" if len(out) - 1 in carried else joined
            out[-1] = replace(last, text=f"{last.text} {joined}", example=example)
            carried.add(len(out) - 1)
    return out
