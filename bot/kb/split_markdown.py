"""Markdown through markdown-it-py (CommonMark with tables): ATX and Setext headings, paragraphs, list items,
table rows, code blocks (for the paragraph introducing them to carry); raw HTML and lists made only of links (a
table of contents) are left out.

MyST, the Markdown of Sphinx documentation (pip's, for one), is read too: a target line `(config-file)=` is no
text, a role `{file}`pip.conf`` is its text, a definition `Global` / `: In a ...` reads 'Global: In a ...', and
a directive fence whose body is prose (```{note}, ```{tab} Unix) is read as Markdown, its title joining the
section's name ('Location (Unix)'), where any other fence is a code block."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .split_blocks import Outline, field_lines, table_rows


def inline_text(token: Token) -> tuple[str, bool]:
    """An inline token's readable text, and whether all of it is link text (a table-of-contents entry). Images
    alone (a README's build badges) are decoration: no text; an image inside a sentence keeps its alt text."""
    words, linked, depth, pictured = [], [], 0, False
    for child in token.children or []:
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            depth -= 1
        elif child.type in ("text", "code_inline"):
            words.append(child.content)
            if child.content.strip():
                linked.append(depth > 0)
        elif child.type == "image":
            words.append(child.content)
            pictured = True
        elif child.type in ("softbreak", "hardbreak"):
            words.append(" ")
    if pictured and not linked:
        return "", False
    return " ".join("".join(words).split()), bool(linked) and all(linked)


# MyST directives whose body is Markdown prose; any other ```{name} (code-block, toctree, eval-rst) stays code
PROSE_DIRECTIVES = {"note", "warning", "tip", "hint", "important", "caution", "attention", "danger", "error",
                    "seealso", "admonition", "tab", "tab-item", "dropdown", "topic", "sidebar", "versionadded",
                    "versionchanged", "deprecated"}
_DIRECTIVE = re.compile(r"^\{([a-z][\w-]*)\}\s*(.*)$")
_TARGET = re.compile(r"^\([\w.:-]+\)=[ \t]*$", re.MULTILINE)  # MyST's '(label)=' before a heading
_ROLE = re.compile(r"\{[a-z][\w:-]*\}(`[^`\n]+`)")
_DEFINITION = re.compile(r"^([^\s:][^\n]*)\n:[ \t]+(?=\S)", re.MULTILINE)


def _myst_plain(text: str) -> str:
    """MyST's inline markup as CommonMark reads it: targets dropped, roles their text, a definition one line."""
    return _DEFINITION.sub(r"\1: ", _ROLE.sub(r"\1", _TARGET.sub("", text)))


class _Reader:
    """Walks the token stream, remembering the list items and table rows it is inside."""

    def __init__(self) -> None:
        self.outline = Outline()
        self.lists: list[list[tuple[str, bool, int]]] = []  # each open list's items: (text, only links, depth)
        self.row: list[str] = []
        self.header: list[str] = []
        self.body: list[list[str]] = []
        self.fresh = True  # no paragraph read yet in the list item open

    def token(self, tokens: list[Token], i: int) -> None:
        kind = tokens[i].type
        if kind == "heading_open":
            self.outline.heading(inline_text(tokens[i + 1])[0], int(tokens[i].tag[1]))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append([])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self._close_list(self.lists.pop())
            self.fresh = True  # a paragraph after a nested list is not the nested list's last item's
        elif kind == "list_item_open":
            self.fresh = True
        elif kind == "fence" and not self.lists and self._directive(tokens[i]):
            pass
        elif kind in ("fence", "code_block") and not self.lists:
            self.outline.code(tokens[i].content.split("\n"))
        elif kind in ("fence", "code_block"):  # in a list item: part of the item ('```PIP_X=1```' / 'is the same as')
            self._paragraph("; ".join(line.strip() for line in tokens[i].content.split("\n") if line.strip()), False)
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close":
            self._row()
        elif kind == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            self.row.append(inline_text(tokens[i])[0])
        elif kind == "inline" and tokens[i - 1].type == "paragraph_open":
            fields = [] if self.lists else field_lines(tokens[i].content.split("\n"))
            for label, value in fields:  # 'Status: stable' / 'Version: 1.0': one fact a line, not one sentence
                self.outline.add(value, term=label)
            if not fields:
                self._paragraph(*inline_text(tokens[i]))

    def _directive(self, token: Token) -> bool:
        """A MyST directive whose body is prose, read as Markdown under the section, its title added to the
        section's name while it lasts; False for any other fence (code)."""
        found = _DIRECTIVE.match(token.info.strip())
        if not found or found.group(1) not in PROSE_DIRECTIVES:
            return False
        section, title = self.outline.section, found.group(2).strip()
        if title and found.group(1) not in ("admonition",):
            self.outline.section = f"{section} ({title})" if section else title
        walk(self, parse(token.content))
        self.outline.section = section
        return True

    def _paragraph(self, text: str, links: bool) -> None:
        """A paragraph: a block, or in a list item its text; an item's next paragraph (1. Create the dictionary /
        `zstd --train ...`) is more of it, after a ':' when the one before ends without a stop."""
        if not self.lists:
            self.outline.add(text)
        elif self.fresh or not self.lists[-1]:
            self.lists[-1].append((text, links, len(self.lists) - 1))
        elif text:
            before, linked, depth = self.lists[-1][-1]
            joint = " " if before.endswith((".", "!", "?", ":", ";")) or not before else ": "
            self.lists[-1][-1] = (f"{before}{joint}{text}", linked and links, depth)
        self.fresh = False

    def _close_list(self, items: list[tuple[str, bool, int]]) -> None:
        """A list's items become blocks, unless every one is only a link: then it is navigation."""
        if items and all(links for _, links, _ in items):
            return
        for text, _, depth in items:
            if self.lists:  # a nested list's items stay in the outer list's order
                self.lists[-1].append((text, False, depth))
            else:
                self.outline.add(text, "item", depth=depth)

    def _row(self) -> None:
        """A table row: the header row gives the labels; the body rows wait for the table's end."""
        if not self.header:
            self.header = self.row
        else:
            self.body.append(self.row)

    def table_done(self) -> None:
        """The table's rows, each 'first cell: header value; ...' (see table_rows)."""
        table_rows(self.outline, self.header, self.body)
        self.header, self.body = [], []

def parse(text: str) -> list[Token]:
    """Markdown's tokens (CommonMark with tables), MyST's inline markup read as CommonMark first."""
    return MarkdownIt("commonmark").enable("table").parse(_myst_plain(text))


def walk(reader: _Reader, tokens: list[Token]) -> None:
    """Feed a token stream to the reader, a table's end closing its header."""
    for i, token in enumerate(tokens):
        if token.type == "table_close":
            reader.table_done()
        else:
            reader.token(tokens, i)


def read_markdown(text: str) -> Outline:
    """Read a Markdown document into its title, sections and blocks."""
    reader = _Reader()
    walk(reader, parse(text))
    return reader.outline
