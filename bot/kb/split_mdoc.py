"""Manual pages in mdoc(7), the BSD macros (file(1), ssh(1), tmux(1)), read as the man(7) source they stand for.

mdoc names a word's role on its own line (".Nm", ".Fl b", ".Pa /etc/magic", ".Xr tar 1") where man(7) sets it in a
font; read by man(7)'s rules alone, those lines were dropped, leaving passages such as "will exit with if the
operation was successful". This turns each mdoc line into the man(7) lines split_man reads: sections, lists
(.Bl/.It/.El as .TP or bulleted .IP, nested ones inside .RS), displays (.Bd -literal, .Dl) as examples, a
column list's rows as example lines, and inline macros as the words they print ("-b, --brief", "tar(1)").
"""

from __future__ import annotations

import re

_REQUEST = re.compile(r"^\.\s*([A-Z][a-z][a-z]?|%[A-Z]|[A-Z][a-z]?\d)(?=\s|$)(.*)$")
_DOCDATE = re.compile(r"^\.Dd(\s|$)", re.MULTILINE)
_ENCLOSE = {"Aq": ("<", ">"), "Dq": ('"', '"'), "Qq": ('"', '"'), "Sq": ("'", "'"), "Ql": ("'", "'"),
            "Pq": ("(", ")"), "Op": ("[", "]"), "Bq": ("[", "]"), "Brq": ("{", "}")}
_NAMES = {"Ux": "UNIX", "Bx": "BSD", "At": "AT&T UNIX", "Bsx": "BSD/OS", "Fx": "FreeBSD", "Nx": "NetBSD",
          "Ox": "OpenBSD", "Dx": "DragonFly", "Lb": "", "Ta": "\t"}
_CALLABLE = set(_ENCLOSE) | set(_NAMES) | {
    "Fl", "Nm", "Ar", "Xr", "Ns", "Pf", "In", "Li", "Pa", "Ev", "Dv", "Cm", "Ic", "Va", "Em", "Sy", "No", "Sx",
    "Tn", "Ad", "An", "Cd", "Er", "Fa", "Fn", "Ft", "Ms", "Vt", "Lk", "Mt", "St", "Ot", "Fo", "Fc", "Ap", "Oo", "Oc"}
_CLOSING = {".", ",", ":", ";", ")", "]", "?", "!"}
_OPENING = {"(", "["}
_DELIMITERS = _CLOSING | _OPENING | {"|"}
_DROPPED = {"Dd", "Os", "Bk", "Ek", "Bf", "Ef", "Sm", "Ud", "Rs", "Re"}
_TAGGED = ("-tag", "-hang", "-ohang", "-inset", "-diag")


def is_mdoc(text: str) -> bool:
    """Whether roff source is written in mdoc: it dates itself with .Dd where man(7) has .TH."""
    return bool(_DOCDATE.search(text))


def _tokens(rest: str) -> list[str]:
    """A macro line's arguments: space-separated, "double quotes" keeping spaces together."""
    return [a if a else q for q, a in re.findall(r'"([^"]*)"|((?:\\ |\S)+)', rest)]


class _Inline:
    """The words an mdoc line's callable macros print: '.Fl b , Fl Fl brief' is '-b, --brief'."""

    def __init__(self, name: str) -> None:
        self.name = name  # the page's own name, which a bare .Nm prints

    def render(self, tokens: list[str]) -> str:
        out, glue = "", True  # glue: no space before the next word
        i = 0
        while i < len(tokens):
            word, i, attach = self.one(tokens, i)
            if word == "":
                glue = glue or attach
                continue
            space = "" if glue or word in _CLOSING or out.endswith(tuple(_OPENING)) else " "
            out, glue = out + space + word, attach
        return out

    def one(self, tokens: list[str], i: int) -> tuple[str, int, bool]:
        """The text of the token at i and of any arguments its macro takes; where the next starts; whether the
        next word is glued to it (.Ns, a lone .Fl before another)."""
        token = tokens[i]
        if token not in _CALLABLE:
            return token, i + 1, False
        if token == "Ta":  # a column list's cell break
            return "\t", i + 1, True
        if token in ("Oo", "Oc"):  # an optional part over several macros: '.Oo Ar address : Oc'
            return ("[", i + 1, True) if token == "Oo" else ("]", i + 1, False)
        args, j = self.arguments(tokens, i + 1)
        if token in _ENCLOSE:
            inner, tail = self.enclosed(tokens, i + 1)
            before, after = _ENCLOSE[token]
            return before + self.render(inner) + after, tail, False
        return self.macro(token, args, tokens, j)

    def macro(self, token: str, args: list[str], tokens: list[str], j: int) -> tuple[str, int, bool]:
        """One non-enclosing macro with its plain arguments."""
        if token == "Fl":
            glued = not args and j < len(tokens) and tokens[j] == "Fl"
            return (" ".join("-" + a for a in args) if args else "-"), j, glued
        if token in ("Ns", "Ap"):
            return ("'" if token == "Ap" else ""), j, True
        if token == "Pf":
            return (args[0] if args else ""), (j if len(args) < 2 else j - len(args) + 1), True
        if token == "Nm":
            return " ".join(args) if args else self.name, j, False
        if token == "Ar":
            return " ".join(args) if args else "file ...", j, False
        if token == "Xr":
            return (f"{args[0]}({args[1]})" + "".join(f" {a}" for a in args[2:]) if len(args) > 1 else " ".join(args)), j, False
        if token == "In":
            return "<" + " ".join(args) + ">", j, False
        if token in _NAMES:
            return " ".join([_NAMES[token], *args]).strip(), j, False
        return " ".join(args), j, False

    @staticmethod
    def arguments(tokens: list[str], start: int) -> tuple[list[str], int]:
        """The plain words after a macro, up to the next macro or delimiter (a ',' or ')' is not its argument)."""
        j = start
        while j < len(tokens) and tokens[j] not in _CALLABLE and tokens[j] not in _DELIMITERS:
            j += 1
        return tokens[start:j], j

    @staticmethod
    def enclosed(tokens: list[str], start: int) -> tuple[list[str], int]:
        """What an enclosing macro (.Dq, .Op) holds: the rest of the line but its closing punctuation."""
        end = len(tokens)
        while end > start and tokens[end - 1] in _CLOSING:
            end -= 1
        return tokens[start:end], end


def _heading_row(tokens: list[str]) -> bool:
    """Whether a column list's row is its heading: every cell set in bold (.It Sy Name Ta Sy Default)."""
    cells = " ".join(tokens).split(" Ta ")
    return all(cell.strip() == "Sy" or cell.strip().startswith("Sy ") for cell in cells)  # (.Sy "" is an empty one)


def _plain(text: str) -> str:
    """A text line as man(7) reads it: a line that would open with a request character is escaped."""
    return "\\&" + text if text.startswith((".", "'")) else text


class _Mdoc:
    """mdoc lines in order, each turned into the man(7) lines it stands for."""

    def __init__(self, name: str) -> None:
        self.inline = _Inline(name)
        self.lists: list[str] = []  # the open .Bl lists' kinds: tag, bullet or column
        self.displays: list[bool] = []  # the open .Bd displays: whether each is literal
        self.head: list[str] | None = None  # an item's head going on over lines (.It Fl L Xo ... .Xc)
        self.tight = False  # .Sm off inside such a head: its parts join without spaces
        self.out: list[str] = []

    def line(self, raw: str) -> None:
        request = _REQUEST.match(raw)
        if not request or raw.startswith(".\\\""):
            if self.head is not None and not raw.startswith("."):
                self.head.append(raw.strip())
            else:
                self.out.append(raw)
            return
        name, tokens = request.group(1), _tokens(request.group(2))
        if self.head is not None or name == "Sm":
            self.extended(name, tokens)
        elif name in ("Sh", "Ss"):
            self.out.append(f".{name.upper()} {' '.join(tokens)}")
        elif name in ("Pp", "Lp"):
            self.out.append(".PP")
        elif name == "Dt":
            self.out.append(".TH " + " ".join(tokens))
        elif name == "Nd":
            self.out.append("\\- " + " ".join(tokens))
        elif name in ("Bl", "El", "It"):
            self.listing(name, tokens)
        elif name in ("Bd", "Ed", "Dl", "D1"):
            self.display(name, tokens)
        elif name in _CALLABLE:
            self.out.append(_plain(self.inline.render([name, *tokens])))
        elif name not in _DROPPED:
            self.out.append(raw)  # a roff request (.br, .sp) or a macro this reader does not know

    def listing(self, name: str, tokens: list[str]) -> None:
        """.Bl opens a list (a nested one inside .RS), .It starts an item, .El closes the list. A column list is a tbl
        table, a heading row (every cell in .Sy) its header: each row a fact ("bytes: Default 1048576; max ...")."""
        if name == "Bl":
            kind = "column" if tokens[:1] == ["-column"] else "tag" if tokens[:1] and tokens[0] in _TAGGED else "bullet"
            self.out += ([".RS"] if self.lists else []) + ([".TS", "l."] if kind == "column" else [])
            self.lists.append(kind)
        elif name == "El" and self.lists:
            self.out += [".TE"] if self.lists.pop() == "column" else []
            self.out.append(".RE" if self.lists else ".PP")
        elif name == "It" and tokens[-1:] == ["Xo"]:
            self.head, self.tight = [self.inline.render(tokens[:-1])], False
        elif name == "It":
            words = self.inline.render(tokens)
            if (self.lists[-1] if self.lists else "tag") == "bullet":
                self.out += [".IP \\(bu", *([_plain(words)] if words else [])]
            elif self.lists[-1:] == ["column"]:  # a tbl row, the heading row opening in bold
                self.out.append(("\\fB" if _heading_row(tokens) else "") + _plain(words))
            elif "\t" not in words:
                self.out += [".TP", _plain(words)]

    def extended(self, name: str, tokens: list[str]) -> None:
        """.Sm off/on (spacing between macros), and the lines of an item's head until .Xc ends it."""
        if name == "Sm":
            self.tight = self.tight or (self.head is not None and tokens[:1] == ["off"])
        elif name == "Xc":
            head, self.head = ("" if self.tight else " ").join(part for part in self.head if part), None
            self.out += [".TP", _plain(head)]
        else:
            self.head.append(self.inline.render([name, *tokens]) if name in _CALLABLE else " ".join(tokens))

    def display(self, name: str, tokens: list[str]) -> None:
        """A literal display (.Bd -literal, .Dl) is an example; a filled one is text between breaks."""
        if name in ("Dl", "D1"):
            self.out += [".nf", _plain(self.inline.render(tokens)), ".fi"]
        elif name == "Bd":
            self.displays.append(tokens[:1] in (["-literal"], ["-unfilled"]))
            self.out.append(".nf" if self.displays[-1] else ".br")
        else:
            self.out.append(".fi" if self.displays and self.displays.pop() else ".br")


def mdoc_to_man(text: str) -> str:
    """mdoc source as the man(7) source split_man reads: the same sections, lists, examples and words."""
    first = re.search(r"^\.Nm[ \t]+(\S+)", text, re.MULTILINE)
    reader = _Mdoc(first.group(1) if first else "")
    for raw in text.split("\n"):
        reader.line(raw)
    return "\n".join(reader.out)
