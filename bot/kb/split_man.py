"""Manual pages: roff source (.1 to .9, gzipped or not); text rendered by `man` is split_rendered.py's.

Section headings (NAME, DESCRIPTION, OPTIONS) name sections and never become passages; an option keeps its
description ("-k --keep: Keep (don't delete) input files ..."); a bulleted paragraph is a list item, which
gets the list's introduction in front; example blocks (.nf/.EX, indented lines) go to the paragraph introducing
them; the SYNOPSIS (command syntax) is left out. No well-kept Python library reads roff, so this reads the man(7)
macros (mdoc pages are turned into them first, split_mdoc.py).
"""

from __future__ import annotations

import re

from .split_blocks import Outline, table_rows
from .split_mdoc import is_mdoc, mdoc_to_man
from .split_rendered import LEFT_OUT, is_rendered, read_rendered  # noqa: F401 (the rendered reader, as before)
from .split_tbl import read_table

_REQUEST = re.compile(r"^[.'][ \t]*([A-Za-z]{1,3}|\\\")")
_ESCAPE = re.compile(r"\\(?:\((..)|\[([^\]]*)\]|\*(?:\((..)|\[([^\]]*)\]|(.))|[fmM](?:\(..|\[[^\]]*\]|.)|s[-+]?\d+|(.))")
_NAMED = {"em": "\u2014", "en": "\u2013", "bu": "\u2022", "aq": "'", "dq": '"', "lq": "\u201c", "rq": "\u201d",
          "oq": "\u2018", "cq": "\u2019", "co": "\u00a9", "rg": "\u00ae", "tm": "\u2122", "mi": "-", "hy": "-",
          "ga": "`", "ti": "~", "ha": "^", "pl": "+", "mu": "\u00d7", "de": "\u00b0", "->": "\u2192", "<-": "\u2190",
          ">=": "\u2265", "<=": "\u2264", "R": "\u00ae", "Tm": "\u2122",
          "Gt": ">", "Lt": "<", "Am": "&", "Ba": "|", "Le": "\u2264", "Ge": "\u2265", "q": '"', "rs": "\\",
          "Lq": "\u201c", "Rq": "\u201d"}  # the last line: mdoc's predefined strings (\*[Gt]) and \[rs]
_SINGLE = {"-": "-", "e": "\\", "\\": "\\", " ": " ", "~": " ", "0": " ", "t": " ", "'": "'", "`": "`", ".": "."}
_ALTERNATING, _FONTS = {"BR", "RB", "IR", "RI", "BI", "IB"}, {"B", "I", "SM", "SB"}
_BREAKS = {"PP", "LP", "P", "HP", "TP", "IP"}  # these end a tagged paragraph; .sp, .br, .RS and .RE continue it
_SKIP_UNTIL = {"de": "..", "ig": "..", "EQ": "EN"}
_EXAMPLE_UNTIL = {"nf": "fi", "EX": "EE", "Vb": "Ve"}  # example lines (.Vb/.Ve: Pod::Man's verbatim), kept for the
# paragraph introducing them to carry


def _unescape(text: str) -> str:
    """Roff escapes as the characters they print: \\- as '-', \\(em as a dash, font changes as nothing."""
    def one(m: re.Match) -> str:
        named = m.group(1) or m.group(2) or m.group(3) or m.group(4) or m.group(5)
        if named is not None:
            return _NAMED.get(named, "")
        return _SINGLE.get(m.group(6) or "", "")

    return _ESCAPE.sub(one, text.split('\\"', 1)[0])


def _arguments(rest: str) -> list[str]:
    """A request's arguments: space-separated, "double quotes" keeping spaces together."""
    return [a if a else q for q, a in re.findall(r'"([^"]*)"|((?:\\ |\S)+)', rest)]  # "\ " is no gap


def _in_font(name: str, args: list[str]) -> str:
    """A line set in a font (.B gzip -9, .BR emacs (1)): alternating fonts join their arguments without a space."""
    return ("" if name in _ALTERNATING else " ").join(args)


def _request_args(raw: str, request: re.Match) -> list[str]:
    """A request line's arguments, unescaped."""
    return [_unescape(a) for a in _arguments(raw[request.end():])]


def _cell(lines: list[str]) -> str:
    """A table cell's roff lines as text: words, and words set in a font; other requests (.sp, .br) break nothing."""
    requests = [(raw, _REQUEST.match(raw)) for raw in lines]
    return " ".join(_unescape(raw) if not r else _in_font(r.group(1), _request_args(raw, r))
                    if r.group(1) in _ALTERNATING | _FONTS else "" for raw, r in requests).strip()


def is_roff(text: str) -> bool:
    """Whether text is roff source: it has a .TH (or .Dd) request and section headings."""
    return bool(re.search(r"^\.(TH|Dd)\s", text, re.MULTILINE)) and bool(re.search(r"^\.S[Hh]\s", text, re.MULTILINE))


class _Roff:
    """The man(7) macros read in order: headings, paragraphs and tagged paragraphs (.TP, .IP)."""

    def __init__(self) -> None:
        self.outline = Outline()
        self.text: list[str] = []
        self.tag = self.section = ""
        self.bullet = False  # in a bulleted paragraph (.IP \(bu): a list item, its introduction in front
        self.await_tag = self.await_heading = False
        self.skip_until = self.example_until = ""
        self.example: list[str] = []
        self.display: list[str] | None = None  # lines since .RS: a displayed command or URL if .RE comes soon
        self.outer: list[str] = []  # the tags in force at each open .RS: a nested entry belongs to its term
        self.table: list[str] | None = None  # a tbl table's lines since .TS

    def flush(self, keep_tag: bool = False) -> None:
        """End a paragraph; a tagged paragraph's later paragraphs (after .sp or a blank line) keep its tag."""
        if self.example and self.section.upper() not in LEFT_OUT:
            self.outline.code(self.example, self.tag)
        self.example = []
        text = " ".join(" ".join(self.text).split())
        self.text = []
        if text and self.section.upper() not in LEFT_OUT:
            if self.section.upper() == "NAME" and not self.outline.title:
                self.outline.title = text
            self.outline.add(text, "item" if self.bullet else "para", term=self.tag)
        if not keep_tag:
            self.tag, self.bullet = "", False

    def line(self, raw: str) -> None:
        if self.table is not None:
            return self.table_line(raw)
        if raw.strip() in (".", "'"):  # an empty request, which xz(1) puts between paragraphs: not a full stop
            return
        request = _REQUEST.match(raw)
        if self.display is not None and self.displayed(raw, request):
            return
        if self.skip_until:
            if request and request.group(1) == self.skip_until or raw.strip() == self.skip_until:
                self.skip_until = ""
            return
        if self.example_until or not request:
            self.text_line(raw, request)
            return
        name, args = request.group(1), _request_args(raw, request)
        if name in ("SH", "SS", "Sh", "Ss"):
            self.flush()
            self.await_heading = not args
            if args:
                self.set_section(" ".join(args))
        elif name in ("sp", "br", "RS", "RE", "in"):
            self.flush(keep_tag=True)
            self.display = [] if name == "RS" else None
            self.nest(name)
        elif name in _BREAKS:
            self.flush(keep_tag=name == "IP" and not args)  # a bare .IP goes on with the entry it is indented under
            self.await_tag = name == "TP"
            if name == "IP" and args and args[0].strip() not in ("", "\u2022", "-", "*", "o"):
                self.tag = self.nested(args[0])
            elif name == "IP" and args:
                self.bullet = args[0].strip() != ""  # ".IP "" 4" only indents
        elif name in _EXAMPLE_UNTIL or name == "TS":  # an example, or a table (its rows read at .TE)
            self.flush(keep_tag=True)
            self.example_until, self.table = _EXAMPLE_UNTIL.get(name, ""), [] if name == "TS" else None
        elif name in _SKIP_UNTIL:
            self.flush()
            self.skip_until = _SKIP_UNTIL[name]
        elif name in _ALTERNATING | _FONTS | {"UR", "MT"}:
            self.words(_in_font(name, args))

    def table_line(self, raw: str) -> None:
        """A line between .TS and .TE; at .TE each data row becomes a fact, in the entry the table sits in."""
        if not raw.startswith(".TE"):
            self.table.append(raw)
            return
        if self.section.upper() not in LEFT_OUT:
            table = read_table(self.table, _cell)
            table_rows(self.outline, table.header, table.rows, term=self.tag)
        self.table = None

    def displayed(self, raw: str, request: re.Match | None) -> bool:  # (called while self.display is a list)
        """Whether a line since .RS was taken: one or two lines set apart (".RS / .B info tar / .RE") are an
        example for the sentence around them; anything else (a .TP, a blank line) is read as text after all."""
        shown, name = self.display, request.group(1) if request else ""
        if name == "RE" and 0 < len(shown) <= 2 and all(len(line) < 100 and ". " not in line for line in shown):
            self.display, self.example = None, shown
            self.flush(keep_tag=True)
            self.nest("RE")
            return True
        if (not request and raw.strip() or name in _FONTS | _ALTERNATING) and len(shown) < 2:
            shown.append((_in_font(name, _request_args(raw, request)) if request else _unescape(raw)).strip())
            return True
        self.display = None
        for text in shown:
            self.words(text)
        return False

    def text_line(self, raw: str, request: re.Match | None) -> None:
        """A line of text, or any line of an example block (.nf/.EX, whose requests are not read)."""
        if self.example_until:
            if request and request.group(1) == self.example_until:
                self.example_until = ""
                self.flush(keep_tag=True)
            elif not request:
                self.example.append(_unescape(raw))
            elif request.group(1) in _ALTERNATING | _FONTS:  # ".B gzip -9 file": a line in a font
                self.example.append(_in_font(request.group(1), _request_args(raw, request)))
        elif raw[:1].isspace() and raw.strip():  # an indented line is an example line
            if self.text:
                self.flush(keep_tag=True)
            self.example.append(_unescape(raw))
        elif not raw.strip():  # a blank line breaks
            self.flush(keep_tag=True)
        else:
            self.words(_unescape(raw))

    def words(self, text: str) -> None:
        if self.await_heading:
            self.await_heading = False
            self.set_section(text)
        elif self.await_tag:
            self.await_tag = False
            self.tag = self.nested(" ".join(text.split()))
        elif text.strip():
            if self.example:  # the example before it is over
                self.flush(keep_tag=True)
            self.text.append(text)

    def nest(self, name: str) -> None:
        """.RS opens an indented part under the entry in force, .RE closes it and that entry goes on."""
        if name == "RS":
            self.outer.append(self.tag)
        elif name == "RE" and self.outer:
            self.tag = self.outer.pop()

    def nested(self, tag: str) -> str:
        """An entry inside another's .RS as find(1) lists -size's suffixes: '-size n[cwbkMG] `b'', not a bare `b'."""
        outer = next((t for t in reversed(self.outer) if t), "")
        return f"{outer} {tag}" if outer else tag

    def set_section(self, heading: str) -> None:
        self.section = self.outline.section = " ".join(heading.split())


def read_roff(text: str) -> Outline:
    """Read roff source of a manual page into its title, sections and blocks."""
    reader = _Roff()
    text = re.sub(r"\\\n", "", text)
    for raw in (mdoc_to_man(text) if is_mdoc(text) else text).split("\n"):
        reader.line(raw)
    reader.flush()
    return reader.outline
