"""HTML through the standard library's parser: the main content under its headings, not the page's furniture.

Preformatted text (code) goes to the paragraph introducing it. Left out: head, script, style, nav, header,
footer, aside, forms, anything whose class, id or role names navigation, a table of contents, a menu, a sidebar
or a byline, and lists made only of links. html.parser is enough here: it tolerates broken markup, and the page
is read once, in order.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .split_blocks import Outline, table_rows

_SKIP_TAGS = {"head", "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg",
              "template", "button", "select"}
_FURNITURE = re.compile(r"\b(?:nav|navbar|navigation|toc|table-of-contents|menu|sidebar|breadcrumbs?|footer|"
                        r"header|author|byline|skip|banner|cookie)\b", re.IGNORECASE)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"p", "div", "li", "dt", "dd", "tr", "section", "article", "main", "blockquote", "table",
           "ul", "ol", "dl", "body", "br", "hr"} | _HEADINGS
_TITLED = {"p", "pre", "div", "dl", "blockquote", "table"}  # blocks after which a list item's own words are its title
_ENDS = (".", "!", "?", ":", ";")
_IN_CELL = {"p", "div", "br"}  # inside a table cell these only space its words: the cell stays one value
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}


class _Page(HTMLParser):
    """Collects text between block tags; a skipped element's whole subtree is ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = Outline()
        self.page_title = ""
        self.stack: list[tuple[str, bool]] = []  # open elements: (tag, skipped)
        self.text: list[str] = []
        self.linked: list[bool] = []  # for each piece of text: whether it sits inside a link
        self.term = ""  # a <dt>'s text, waiting for its <dd>
        self.in_title = False
        self.pre: list[str] | None = None  # inside <pre>: its text, line breaks kept
        self.tables: list[_Grid] = []  # the tables open, innermost last
        self.label: int | None = None  # how many blocks there were when a short line without a stop was added

    @property
    def skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        self.in_title = tag == "title"
        grid = self.tables[-1] if self.tables else None
        if grid and grid.in_cell and tag in _IN_CELL:
            self.text.append(" ")
            self.linked.append(False)
        elif tag in ("tr", "td", "th") and grid and not self.skipping:
            self.cell(grid, tag)
        elif tag in _BLOCKS or tag == "pre":
            self.flush(titled=tag in _TITLED and bool(self.stack) and self.stack[-1][0] == "li")
        if tag == "table":
            self.tables.append(_Grid())
        if tag == "pre" and self.pre is None:
            self.pre = []
        if tag == "a" and not any(k == "href" for k, _ in attrs):
            tag = "anchor"  # <a name=...> marks a place; only a link (href) makes text link text
        if tag not in _VOID:
            self.stack.append((tag, tag in _SKIP_TAGS or bool(_FURNITURE.search(names))))

    def handle_endtag(self, tag: str) -> None:
        self.in_title = False
        grid = self.tables[-1] if self.tables else None
        if grid and tag in ("td", "th", "tr", "table"):
            if tag in ("td", "th"):
                self.end_cell(grid)
            else:
                self.end_row(grid)
            if tag == "table":
                self.emit(self.tables.pop())
        elif grid and grid.in_cell and tag in _IN_CELL:
            pass
        elif tag in _BLOCKS or tag in _SKIP_TAGS:
            self.flush(tag)
        if tag == "pre" and self.pre is not None:
            if not self.skipping:
                self.outline.code("".join(self.pre).split("\n"), self.term if self._in("dd") else "")
            self.pre = None
        if tag == "dd":
            self.term = ""
        if tag == "a" and not any(t == "a" for t, _ in self.stack):
            tag = "anchor"
        for depth in range(len(self.stack) - 1, -1, -1):  # close up to the matching tag (HTML may omit end tags)
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page_title += data
        elif self.pre is not None:
            self.pre.append(data)
        elif not self.skipping and data.strip():
            self.text.append(data)
            self.linked.append(any(t == "a" for t, _ in self.stack))

    def _in(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.stack)

    def cell(self, grid: _Grid, tag: str) -> None:
        """A row or cell opens: the cell before it ends; a <td> makes its row data, not a header."""
        if tag == "tr":
            self.end_row(grid)
            grid.row, grid.header_row = [], True
        else:
            self.end_cell(grid)
            if grid.row is None:  # a cell outside any <tr> (broken markup) opens a row
                grid.row, grid.header_row = [], True
            grid.in_cell, grid.th = True, tag == "th"

    def end_cell(self, grid: _Grid) -> None:
        """A cell's text, all of it in links or not, becomes the open row's next cell; a <td> with words in it
        makes its row data, not a header (an empty one, as texinfo's index puts between its <th>s, does not)."""
        if grid.row is None and self.text:  # text in the table outside any row (a caption): a paragraph
            self.flush()
        elif grid.row is not None and (grid.in_cell or self.text):
            letters = [linked for piece, linked in zip(self.text, self.linked) if any(c.isalpha() for c in piece)]
            grid.row.append((" ".join("".join(self.text).split()), bool(letters) and all(letters)))
            grid.header_row = grid.header_row and (grid.th or not grid.row[-1][0])
        self.text, self.linked, grid.in_cell = [], [], False

    def end_row(self, grid: _Grid) -> None:
        """A row of <th> cells alone labels the rows after it; any other row waits for the table's end."""
        self.end_cell(grid)
        cells, grid.row = grid.row or [], None
        if not any(text for text, _ in cells) or all(links for text, links in cells if text):
            return  # empty, or only links (a table of contents)
        if grid.header_row and sum(1 for text, _ in cells if text) >= 2:
            self.emit(grid)
            grid.header = [text for text, _ in cells]
        else:
            grid.rows.append([text for text, _ in cells])

    def emit(self, grid: _Grid) -> None:
        """The rows read so far: a row of one cell is a paragraph (a layout table's), the others facts under the
        header's labels (see table_rows)."""
        run: list[list[str]] = []
        for cells in grid.rows + [[]]:
            if len([c for c in cells if c]) >= 2:
                run.append(cells)
                continue
            table_rows(self.outline, grid.header, run)
            run = []
            if cells:
                self.paragraph(next(c for c in cells if c))
        grid.rows = []

    def flush(self, closing: str = "", titled: bool = False) -> None:
        """End the current block: a heading, a definition term or description, a list item or a paragraph.

        A list item's own words before its paragraphs ('<li><em>Is there C++ bindings ?</em><p>Yes ...') title
        them, as a FAQ's question does; a short line over a list of links only (a layout table's 'Main Menu')
        goes with the links; a paragraph starting in lower case after one ending in a word ('Use' /
        'xslt-config --cflags' / 'to get the compilation flags') goes on with the sentence it continues."""
        if self.tables:  # a block inside a table's cell: the rows before it go first
            self.emit(self.tables[-1])
        text = " ".join("".join(self.text).split())
        letters = [linked for piece, linked in zip(self.text, self.linked) if any(c.isalpha() for c in piece)]
        only_links = bool(letters) and all(letters)
        self.text, self.linked = [], []
        tag = closing or (self.stack[-1][0] if self.stack else "")
        if not text:
            return
        if only_links and tag not in _HEADINGS and self.label == len(self.outline.blocks):
            self.outline.blocks.pop()  # the box's title over the links
        self.label = None
        if only_links and tag not in _HEADINGS:
            return
        if titled and len(text) <= 120 and not text.endswith((".", "!", ":", ";")):
            self.outline.heading(text, 6)
        elif tag in _HEADINGS:
            self.outline.heading(text, int(tag[1]))
        elif tag == "dt":
            self.term = text
        elif self.term and self._in("dd"):  # a description, maybe of several paragraphs
            self.outline.add(text, term=self.term)
        elif tag == "li":  # how deep in nested lists: the lists open around it, less its own
            self.outline.add(text, "item", depth=max(sum(t in ("ul", "ol") for t, _ in self.stack) - 1, 0))
        elif self._continues(text, tag):
            self.outline.more(text)
        else:
            self.paragraph(text)

    def paragraph(self, text: str) -> None:
        """A paragraph; a short one without a stop may title a box of links (then it goes with them)."""
        self.outline.add(text)
        if len(text.split()) <= 4 and not text.endswith(_ENDS):
            self.label = len(self.outline.blocks)

    def _continues(self, text: str, tag: str) -> bool:
        """A paragraph in lower case after a paragraph of the same section ending in a word: one sentence."""
        last = self.outline.blocks[-1] if self.outline.blocks else None
        return (tag == "p" and text[:1].islower() and last is not None and last.kind == "para"
                and last.section == self.outline.under() and last.text[-1:].isalpha())


class _Grid:
    """A table being read: its header's labels, the data rows waiting for its end, the row and cell open."""

    def __init__(self) -> None:
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.row: list[tuple[str, bool]] | None = None  # the open row's cells: (text, all of it in links)
        self.header_row = False  # every cell of the open row so far is a <th>, or empty
        self.th = False  # the open cell is a <th>
        self.in_cell = False


def read_html(markup: str) -> Outline:
    """Read an HTML page into its title, sections and blocks."""
    page = _Page()
    page.feed(markup)
    page.close()
    page.flush()
    if not page.outline.title:
        page.outline.title = " ".join(page.page_title.split())
    return page.outline


def html_to_text(markup: str) -> str:
    """The page's readable text: headings and blocks, one per paragraph (for people checking what was read)."""
    outline = read_html(markup)
    return "\n\n".join([outline.title] + [block.text for block in outline.blocks])
