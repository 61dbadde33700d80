"""Plain text: paragraphs between blank lines, hard-wrapped lines joined, headings found by their shape.

A heading is a short line without a sentence's closing punctuation standing alone, or any line underlined
with === or --- (Setext style). Lines are joined into a paragraph unless the text is not wrapped (each line a
paragraph of its own, which shows as many lines far longer than a wrapped text's; one pasted compiler message
does not make a wrapped text unwrapped) or a line starts a list item. A quoted block ('> ' or '# ' before every line) is read without its markers.
An item indented two or more columns further in than the one before is nested in it, a paragraph indented under
an item is more of that item, and two or more 'Label: value' lines are one fact a line.
"""

from __future__ import annotations

import re

from .split_blocks import Outline, field_lines, table_rows
from .split_columns import aligned_table

BULLET = re.compile(r"^\s*(?:[\u2022*\-+\u25cf\u25aa]|\d+[.)]|[a-z][.)])\s+")
_UNDERLINE = re.compile(r"^\s*(=+|-+|~+|\*+)\s*$")
_ATX = re.compile(r"^\s*#{1,6}\s+")
_NO_HEADING = re.compile(r"://|^#\w|^\[\d+\]\s")  # a URL ('See: http://...'), C's '#include <iostream>' or a
# footnote ('[1] can be given explicitly') names no part
_CODE_ENDS = ("{", "}", ";", ")", ",")  # most lines of a run ending so (with a brace or ';' in it): code
_LABEL = re.compile(r"^\s*\w+:\s*$")  # 'public:', 'default:' inside code
_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s+(?=[A-Z])")
_QUOTED = re.compile(r"^([>#])(?: |$)")  # '> ' (an e-mail reply) or '# ' (a quoted standard) opening a line
_ORG_HEADING = re.compile(r"^(\*{1,6}) +(?=\S)")  # Emacs org-mode: '* INTRODUCTION', '** Socket directory'
_ORG_LINK = re.compile(r"\[\[([^\]\n]+)\](?:\[([^\]\n]+)\])?\]")  # '[[https://...]]', '[[url][its text]]'
# Emacs's file variables ('Local Variables:' ... 'End:', under any comment marker): settings for the editor
_EDITOR_VARIABLES = re.compile(r"^[^\w\n]*Local Variables:\s*\n(?:\W*[\w-]+:.*\n)*?\W*End:\s*$", re.MULTILINE)
_TWO_COLUMNS = re.compile(r"^\s+(\S+)( +)([^\s#/].*?)\s*$")  # 'npth         (https://...)'
# A manual page's section names, alone on a line: headings wherever they stand (DocBook's refentry printed to PDF)
_MANUAL_SECTION = re.compile(r"^(?:name|synopsis|description|options|environment|files|examples?|see also|"
                             r"exit status|return values?|bugs|authors?|notes)$", re.IGNORECASE)
_PROSE = re.compile(r"[\w)][.?!:](?:\s|$)")  # a sentence's end: prose, not '# make install' root commands
NEST_COLUMNS = 2  # a list item indented this much further in than the list before it is nested in it
WRAP_WIDTH = 100  # a text with lines longer than this was not hard-wrapped: each line is a paragraph
SHORT_LINE = 0.75  # a finished line shorter than this share of the text's width ends its list item
CODE_SHARE = 0.75  # ... this share of its lines ('class Test' / '{' / 'public:' / ... / '};')
LONG_LINES = 0.1  # ... when more than this share of its lines are: a hard-wrapped README holds a pasted long line


def is_heading(line: str) -> bool:
    """A line that looks like a heading when it stands alone: short, no closing punctuation, not a list item."""
    stripped = line.strip()
    return (bool(stripped) and len(stripped) <= 80 and not stripped.endswith((".", "?", "!", ":", ";", ",", "{", "}"))
            and not BULLET.match(line) and any(c.isalpha() for c in stripped) and not _NO_HEADING.search(stripped))


def _bullet_heading(line: str) -> bool:
    """'* Questions about /etc/issue:' alone between blank lines: a list item naming the part that follows."""
    return bool(BULLET.match(line)) and line.rstrip().endswith(":") and is_heading(BULLET.sub("", line)[:-1])


def _underlined(run: list[str], width: int) -> str:
    """The heading a Setext underline ends, taken off the run: its last line, or its last two when the title
    was wrapped ('g++: ... with const arg' / '    to cause an error (not a bug)' over one long underline)."""
    two = len(run) == 2 and run[1][:1].isspace() and not run[1].strip()[:1].isupper() and len(run[0]) <= width + 2
    lines = [run.pop() for _ in range(2 if two else 1)][::-1]
    return " ".join(" ".join(lines).split())


def unquoted(text: str) -> str:
    """The text with each quoted block read as the text it quotes: a block (between blank lines) of two or more
    lines that all start at the margin with the same marker ('> ' or '# ', or the marker alone) and hold a
    sentence's end loses its markers, the marker's own lines becoming blank. Nested quotes lose one level at a time."""
    out: list[str] = []
    changed = False
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").split("\n")  # a blank line more, or the file's last newline, is no line
        marks = {found.group(1) if found else "" for found in map(_QUOTED.match, lines)}
        if len(lines) >= 2 and len(marks) == 1 and "" not in marks and _PROSE.search(block):
            block, changed = unquoted("\n".join(line[2:] for line in lines)), True
        out.append(block)
    return "\n\n".join(out) if changed else text


def paragraphs(text: str) -> list[list[str]]:
    """The text's runs of non-blank lines, with Setext underlines turned into a heading of their own."""
    runs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line.strip():
            runs.append([])
        elif _UNDERLINE.match(line) and runs[-1] and len(line.strip()) >= 3:
            heading = _underlined(runs[-1], len(line.strip()))
            runs.extend([["# " + heading], []])
        else:
            runs[-1].append(line.rstrip())
    return [run for run in runs if run]


def _numbered_heading(run: list[str], number: int) -> bool:
    """'2.1. Directory layout', '1.2. What is this spec?': a numbered line shaped as a heading, before a capitalised
    line that is no list item (a PDF's headings, which no blank lines set apart)."""
    line, after = run[number].strip(), run[number + 1] if number + 1 < len(run) else ""
    found = _SECTION_NUMBER.match(line)
    rest = line[found.end():] if found else ""
    return bool(found) and len(line) <= 60 and (is_heading(rest) or rest.endswith("?")) and (
        (after.lstrip()[:1].isupper() or _SECTION_NUMBER.match(after.lstrip())) and not BULLET.match(after))


def _item_ended(run: list[str], number: int, width: int) -> bool:
    """A list item's last line: finished, and short of the text's width, so that the next (unindented) line is
    a paragraph of its own, not more of the item (a PDF's items and paragraphs share one margin)."""
    before, line = run[number - 1].rstrip(), run[number]
    return (len(before) < SHORT_LINE * width and before.endswith((".", "!", "?", ":"))
            and not line.startswith((" ", "\t")))


def _open_parenthesis(lines: list[str]) -> bool:
    """A text so far with a '(' not yet closed: a dash starting the next line is inside it, not a list item."""
    return sum(line.count("(") for line in lines) > sum(line.count(")") for line in lines)


def _items(run: list[str], wrapped: bool, width: int = WRAP_WIDTH, guess: bool = True) -> list[tuple[str, str, int]]:
    """A run of lines as (kind, text, indent): list items start at their bullet (indented so far), wrapped lines
    are joined, and a short line standing between a finished sentence (or the run's start) and a capitalised line
    is a heading (text taken from a PDF has no blank lines around its headings), as is a manual page's section
    name ('Description') alone on a line with more lines after it. Without `guess` (an org-mode text, which marks
    its headings) only the numbered and the manual page's are."""
    out: list[tuple[str, list[str], int]] = []  # each text as its lines, joined once at the end: joining a
    for number, line in enumerate(run):  # paragraph of 400,000 wrapped lines line by line took minutes
        after_sentence = not out or out[-1][0] == "heading" or out[-1][1][-1].endswith((".", "!", "?", ":"))
        next_capital = number + 1 < len(run) and run[number + 1].lstrip()[:1].isupper()
        if (guess and after_sentence and next_capital and is_heading(line) and len(line.strip()) <= 60
                or _numbered_heading(run, number) or _MANUAL_SECTION.match(line.strip()) and number + 1 < len(run)):
            out.append(("heading", [line.strip()], 0))
        elif BULLET.match(line) and not (out and _open_parenthesis(out[-1][1])):  # not inside a ( )
            out.append(("item", [BULLET.sub("", line)], len(line) - len(line.lstrip())))
        elif out and wrapped and out[-1][0] != "heading" and not (
                out[-1][0] == "item" and _item_ended(run, number, width)):
            out[-1][1].append(line.strip())
        else:
            out.append(("para", [line.strip()], 0))
    return [(kind, " ".join(lines), indent) for kind, lines, indent in out]


def _depth(indents: list[int], indent: int) -> int:
    """How deep in nested lists an item indented so sits, by the indents of the lists open (kept up to date): the
    first item is the outer list's however far it is indented, and one a single column further in is a sloppy
    sibling, not a nested list (which sits NEST_COLUMNS or more further in)."""
    while indents and indents[-1] > indent:
        indents.pop()
    if not indents or indents[-1] + NEST_COLUMNS <= indent:
        indents.append(indent)
    return len(indents) - 1


def _is_code(run: list[str]) -> bool:
    """Lines all indented by four or more (or C's '#include <iostream>' alone) and none ending a sentence, or
    nearly all ending as code does: a command or code example."""
    coded = sum(bool(line.rstrip().endswith(_CODE_ENDS) or _NO_HEADING.match(line) or _LABEL.match(line)) for line in run)
    if coded >= CODE_SHARE * len(run) and any(c in "".join(run) for c in "{};"):
        return True  # C written at the margin: 'int main(void)' / '{' / 'public:' / 'return 0;' / '}'
    return all(line.startswith(("    ", "\t")) or _NO_HEADING.match(line) for line in run) and not any(
        line.rstrip().endswith((".", "?", "!")) for line in run)


def is_wrapped(text: str) -> bool:
    """Whether the text was hard-wrapped: few of its lines are longer than a wrapped text's width."""
    lines = [line for line in text.split("\n") if line.strip()]
    return sum(len(line) > WRAP_WIDTH for line in lines) <= LONG_LINES * len(lines)


def _width(text: str) -> int:
    """The width the text is wrapped at: the length its longer lines reach (the ninth tenth of all lengths)."""
    lengths = sorted(len(line.rstrip()) for line in text.split("\n") if line.strip())
    return lengths[len(lengths) * 9 // 10] if lengths else WRAP_WIDTH


def org_text(text: str) -> bool:
    """An org-mode text (gnupg's README): its headings are starred at the margin, two or more stars for the
    deeper ones, which no list item has; it names its headings, so no lone line is guessed to be one."""
    return bool(re.search(r"(?m)^\*{2,6} +\S", text))


def _org_heading(run: list[str], outline: Outline) -> bool:
    """A one-line run '** Socket directory' in an org-mode text: a heading as deep as its stars."""
    found = _ORG_HEADING.match(run[0])
    if len(run) == 1 and found:
        outline.heading(_ORG_HEADING.sub("", run[0]), level=len(found.group(1)) + 1)
    return bool(found) and len(run) == 1


def _prepared(text: str) -> tuple[str, bool]:
    """The text without its editor's settings, quoted blocks read as text, an org-mode text's links as their
    text; and whether it is org-mode."""
    text, org = unquoted(_EDITOR_VARIABLES.sub("", text)), org_text(text)
    return (_ORG_LINK.sub(lambda found: found.group(2) or found.group(1), text) if org else text), org


def _column_rows(run: list[str], outline: Outline) -> bool:
    """Two or more indented lines in two columns, the second starting at one column in each ('npth   (https://...)'
    after "... depends on the following packages:"): a table of names, each row an item, not a code example."""
    found = [_TWO_COLUMNS.match(line) for line in run]
    if len(run) < 2 or not all(found) or len({match.start(3) for match in found}) != 1 or max(
            len(match.group(2)) for match in found) < 3:
        return False
    for match in found:
        outline.add(f"{match.group(1)} {match.group(3)}", "item")
    return True


def _table_read(run: list[str], outline: Outline) -> bool:
    """Whether a run of lines in clear columns was read as a table's rows; asked only for a PDF's rebuilt listings
    (`tables`), so that plain text's own aligned lines are read as they were."""
    table = aligned_table(run)
    if table:
        table_rows(outline, table.header, table.rows)
    return bool(table)


def read_plain(text: str, wrapped: bool | None = None, tables: bool = False) -> Outline:
    """Read a plain-text document into its title, sections and blocks; `wrapped` None judges by the lines."""
    outline = Outline()
    text, org = _prepared(text)
    wrapped = is_wrapped(text) if wrapped is None else wrapped
    width = _width(text)
    before = ""  # the last line of the paragraph before
    indents: list[int] = []  # how far the items of each list open are indented, outermost first
    for run in paragraphs(text):
        introduced, before = before.rstrip().endswith(":"), run[-1]
        if introduced and len(run) == 1 and run[0][:1].isspace() and not BULLET.match(run[0]):
            outline.code(run)  # "... of debian/control:" / "  Field: a | b": its example, not a heading
            continue
        fields = field_lines(run)
        for label, value in fields:
            outline.add(value, term=label)
        if fields:
            continue
        if org and _org_heading(run, outline) or tables and _table_read(run, outline):
            continue
        if _ATX.match(run[0]) and len(run) == 1:
            outline.heading(_ATX.sub("", run[0]), level=1 if run[0].lstrip().startswith("# ") else 2)
            continue
        if introduced and _column_rows(run, outline):
            continue
        if _is_code(run) and not run[0].lstrip()[:1].isupper():  # "    make check", not a centred "    INTRODUCTION"
            outline.code(run)
            continue
        if indents and not _is_code(run) and _continues_item(run, outline, indents[-1]):
            outline.more(" ".join(run))  # '- Try a snapshot ...' / '' / '  See: http://...': the item's own paragraph
            continue
        if len(run) == 1 and not org and (is_heading(run[0]) or _bullet_heading(run[0])):
            outline.heading(BULLET.sub("", run[0]))
            continue
        if _is_code(run):
            outline.code(run)  # for the paragraph introducing it to carry
            continue
        _add_items(outline, _items(run, wrapped, width, not org), indents)
    return outline


def _continues_item(run: list[str], outline: Outline, indent: int) -> bool:
    """A paragraph indented past the bullet of the list item just before it, under the same heading: more of that
    item, not a paragraph (or heading) of its own."""
    last = outline.blocks[-1] if outline.blocks else None
    return (last is not None and last.kind == "item" and last.section == outline.under() and not BULLET.match(run[0])
            and all(len(line) - len(line.lstrip()) > indent for line in run))


def _add_items(outline: Outline, items: list[tuple[str, str, int]], indents: list[int]) -> None:
    """Headings, paragraphs and list items (each as deep as its indent puts it) into the outline."""
    for kind, item, indent in items:
        if kind != "item":
            indents.clear()  # a paragraph or heading ends the lists
        if kind == "heading":
            outline.heading(item)
        else:
            outline.add(item, kind, depth=_depth(indents, indent) if kind == "item" else 0)
