"""Split a document (plain text, Markdown, HTML, manual page or PDF) into short fact passages, repeatably.

Each format's reader (bot/kb/split_*.py) finds the headings and blocks; this module turns blocks into
passages that stand on their own: a sentence that leans on the one before is kept with it, one that leans
on its heading gets the heading in front ("Version 2: support ended in 2019."), and what still needs a
person's eye is named with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import normalise
from .leaning import later_pointer, stands_for_itself, unfinished
from .model import MAX_TEXT_CHARS
from .sentences import break_long, sentences
from .split_blocks import Block, Outline, between_examples, with_code

# Opening words that usually point back to the previous sentence (or, first in a section, to its heading).
DEPENDENT_OPENERS = ("it ", "this ", "these ", "that ", "those ", "they ", "he ", "she ", "its ", "their ",
                     "his ", "her ", "them ", "the country ", "the programme ", "the project ", "furthermore",
                     "moreover", "also ", "however", "in addition", "there ", "in this case", "in that case",
                     "in particular", "at that point", "therefore", "thus ", "hence ")
_OPENER = re.compile(r"[\W_]*(" + "|".join(re.escape(o.strip()) for o in DEPENDENT_OPENERS) + r")(?![^\W_])",
                     re.IGNORECASE)
UNTITLED = "Untitled document"  # a document with no title of its own (kb import cites its file name instead)
INTRO_CHARS = 150  # a closing sentence ending in ':' shorter than this introduces the paragraph or items after it
SHORT_WORDS = 8  # a passage of at most this many words usually needs its heading to say what it is about
_WORD = re.compile(r"[^\W_]+")
# "In the above example, ...", "This example uses ...": words about the example just shown
_EXAMPLE_POINTER = re.compile(r"(?:(?:in|from|as (?:you can )?see (?:in|from)) )?(?:this|the above|the previous|that) "
                              r"example\b", re.IGNORECASE)


@dataclass(frozen=True)
class DraftPassage:
    """A passage proposed by the splitter, before review; `review` says why a person should look at it."""

    section: str
    text: str
    review: str = ""

    @property
    def needs_review(self) -> bool:
        """Whether a reviewer should look at this passage."""
        return bool(self.review)


@dataclass(frozen=True)
class Draft:
    """A split document: its title, date if stated, and the proposed passages."""

    title: str
    date: str
    passages: tuple[DraftPassage, ...]


def read_outline(content: str | bytes, kind: str) -> Outline:
    """The document's title, date and blocks, by the reader for its kind."""
    if kind == "pdf":
        from .split_pdf import pdf_text

        content = pdf_text(content)
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if kind == "html":
        from .split_html import read_html

        return read_html(text)
    if kind == "md":
        from .split_markdown import read_markdown

        return read_markdown(text)
    from . import split_man

    if kind == "man" or split_man.is_roff(text):
        return split_man.read_roff(text)
    if split_man.is_rendered(text):
        return split_man.read_rendered(text)
    from .split_text import read_plain

    return read_plain(text, wrapped=True if kind == "pdf" else None, tables=kind == "pdf")  # a PDF page's lines are wrapped, however long


def dependent(text: str) -> str:
    """The opening word that points back to something said before ('it', 'they', ...), or ''."""
    found = _OPENER.match(text)
    return found.group(1).lower() if found else ""


def group_sentences(items: list[str], limit: int) -> list[str]:
    """Join a very short sentence, or one that leans on the one before ('It ...', 'In the above example, ...', or a
    question about it), to its neighbour."""
    out: list[str] = []
    for item in items:
        fits = out and len(out[-1]) + len(item) + 1 <= limit
        if fits and (len(item) < 40 or len(out[-1]) < 40 or dependent(item) or item.endswith("?")
                     or _EXAMPLE_POINTER.match(item)):
            out[-1] = f"{out[-1]} {item}"
        else:
            out.append(item)
    return out


class _Context:
    """What a heading adds to a passage that leans on it, with the document's own capitalisation in mind."""

    def __init__(self, outline: Outline) -> None:
        self.title = outline.title
        text = "\n".join(b.text for b in outline.blocks)
        # A word written capitalised in mid-sentence is a name: it keeps its capital behind a prefix.
        self.names = {m.group(1) for m in re.finditer(r"(?<=[a-z0-9,;)] )([A-Z][a-z]+)", text)}

    def lean(self, section: str, text: str, opening: bool, first: bool) -> bool:
        """Whether a passage leans on its section heading, not naming it: opening its paragraph with a short
        sentence, or its section with 'it'/'they' (later on, they more likely mean something said before)."""
        if not (first or opening) or not section or section in (self.title, "General") or section.isupper():
            return False  # a title is on the source line; capitals are a manual's generic heads
        if text.endswith("?") or set(normalise(section).split()) <= set(normalise(text).split()):
            return False  # a question is no fact; a passage naming its heading needs nothing more
        return bool(dependent(text)) and opening or first and len(_WORD.findall(sentences(text)[0])) <= SHORT_WORDS

    def prefixed(self, section: str, text: str) -> str:
        """'Version 2: support ended in 2019.': the heading, then the passage, its first word lowered unless a name
        (written capitalised in mid-sentence elsewhere, or followed by another capitalised word: 'Daniel Veillard')."""
        first, second = (text.split(" ", 2) + ["", ""])[:2]
        if first[:1].isupper() and first[1:].islower() and first not in self.names and not second[:1].isupper():
            text = first.lower() + text[len(first):]
        return f"{section.rstrip('.')}: {text}"


def _pieces(block: Block, limit: int, leads: bool = False, unlisted: bool = False,
            lead: str = "") -> tuple[str, list[str], dict[str, str]]:
    """A block's term, its sentences grouped into passage texts, and why any cut sentence needs review; a
    paragraph that `leads` a list leaves its closing sentence to the items (_lead_in), one `unlisted` (its
    listing left out) keeps a long one, all that is left of the listing ('Here is the program zpipe.c:'). A first
    sentence too long for one passage is cut so that its first part has room for a `lead` in front (the list's
    introduction, or the question the paragraph answers)."""
    term, body = block.term, block.text[len(block.term) + 2:] if block.term else block.text
    if len(term) > 100:  # too long to repeat in front of each part: read as an ordinary paragraph
        term, body = "", block.text
    if block.kind == "item" and len(body) <= limit and len(body) + len(term) + 2 <= MAX_TEXT_CHARS:
        return term, [body], {}  # a short item is one passage: its second sentence leans on the first ('Report them')
    found = sentences(body)
    if leads:
        found.pop()
    # An introduction to a list or example ("... includes:") is not a fact on its own: a paragraph of one is
    # left out, and a short one ending a paragraph ("For example:") is dropped from it.
    if block.kind == "para" and found and found[-1].endswith(":") and (
            len(found[-1]) < 40 or len(found) == 1 and len(found[-1]) < 120 and not unlisted):
        found.pop()
    reviews: dict[str, str] = {}
    pieces: list[str] = []
    for n, sentence in enumerate(found):
        parts, how = break_long(sentence, MAX_TEXT_CHARS - len(term) - 2 - (len(lead) + 1 if lead and not n else 0))
        for part in parts:
            if how:
                reviews[part] = f"a sentence of {len(sentence)} characters was cut {how}: check each part reads alone"
        pieces.extend(parts)
    return term, group_sentences(pieces, limit), reviews


def _review(piece: str, prose: bool = True, section: str = "") -> str:
    """Why a finished passage needs a person's eye, or ''. A list item or a term's description may end
    without a full stop ('pg_lsclusters: list all clusters'): only `prose` (paragraphs, and items written
    in sentences) looks cut when it does."""
    words, opener = len(_WORD.findall(piece)), dependent(piece)
    if opener and not stands_for_itself(piece):
        return f"opens with '{opener}', which leans on what comes before: say what it means"
    if piece.endswith(":"):
        return "ends with ':' but what follows (a list or an example) is not in it"
    later = later_pointer(piece, section)
    if later:
        return f"'{later}' leans on what comes before it: say what it means"
    if piece[-1:].islower() and words > SHORT_WORDS and prose:
        return "does not end like a sentence: is something missing after it?"
    return "only a word or two: is it a fact on its own?" if words < 3 else unfinished(piece)


def _block_passages(block: Block, context: _Context, limit: int, opening: bool, question: str,
                    lead: str = "", leads: bool = False, ended: bool = False,
                    unlisted: bool = False) -> list[DraftPassage]:
    """One block's passages: sentences grouped, long ones cut, each given the context it leans on (the
    question a paragraph answers, the term it describes, the sentence introducing a list item, or the
    heading it sits under); an item `ended` by the next item may end without a full stop."""
    if between_examples(block):
        return []  # words between two examples ("is equivalent to") with no example to go on with: half a sentence
    term, pieces, reviews = _pieces(block, limit, leads, unlisted, question or lead)
    # an item the next one follows lost nothing, and a table's row is values, not a sentence
    prose = block.kind == "para" or ". " in block.text and not ended and block.kind != "row"
    example = block.example
    out = []
    for piece in pieces:
        if not _WORD.search(piece):
            continue  # a stray '.' or '-' (a manual's empty line): an introduction or heading with nothing after it
        review = next((why for part, why in reviews.items() if part in piece), "")
        reviewed = piece  # what the review reads: the passage, or an item without its introduction (said whole)
        if question and not out and len(question) + len(piece) < MAX_TEXT_CHARS:
            piece = reviewed = f"{question} {piece}"  # an answer with the question it answers
        elif term:
            piece = reviewed = f"{term}: {piece}"
        elif lead and not out and len(lead) + len(piece) < MAX_TEXT_CHARS:
            piece = f"{lead} {piece}"  # "Included tools are: apt-get for retrieval of packages"
        elif context.lean(block.section, piece.removesuffix(example), opening and not out, not out) and len(
                context.prefixed(block.section, piece)) <= MAX_TEXT_CHARS:
            piece = reviewed = context.prefixed(block.section, piece)
        ends_example = bool(example) and piece.endswith(example)  # a command ends it, not a sentence
        out.append(DraftPassage(block.section, piece, review or _review(reviewed, prose and not ends_example,
                                                                        block.section)))
    return out


def split_document(content: str | bytes, kind: str = "txt", limit: int = 300) -> Draft:
    """Split a document into sections and passages of a sentence or two each."""
    outline = read_outline(content, kind)
    context = _Context(outline)
    passages: list[DraftPassage] = []
    last: Block | None = None
    lead = ""  # the sentence introducing the list items that follow ("There are two requirements:")
    parents: list[tuple[int, str]] = []  # the items a nested item may sit under: (depth, text), outermost first
    blocks = [b for b in with_code(outline.blocks) if _WORD.search(b.text)]  # a stray '.' says nothing
    # items the next item follows in the document as written (not in `blocks`: an example left out between two
    # items leaves the first open to review, as after a list's last item)
    ended = {id(b) for b, after in zip(outline.blocks, outline.blocks[1:])
             if b.kind == after.kind == "item" and b.section == after.section}
    # blocks still as read whose example was left out (a listing): what they introduce is gone, not the next paragraph
    unlisted = {id(b) for b, after in zip(outline.blocks, outline.blocks[1:]) if after.kind == "code"}
    for n, block in enumerate(blocks):
        opening = not passages or passages[-1].section != block.section
        if block.kind != "item" or last is None or last.section != block.section:
            # every item gets it, whether it finishes the sentence or is one of its own; not a listing's, left out
            lead = "" if id(block) in unlisted else _lead_in(block)
            parents = []
        following = blocks[n + 1] if n + 1 < len(blocks) else None
        # its closing sentence introduces the items after it, or entries each with its own label ('-type c b: ...')
        leads = following is not None and following.section == block.section and (
            bool(lead) and following.kind == "item" or block.text.endswith(":") and following.kind in ("term", "row"))
        # A paragraph that ends by asking (a FAQ's question) goes in front of the paragraph that answers it.
        asks = (last is not None and last.kind == block.kind == "para" and not opening and last.text.endswith("?")
                and not block.text.endswith("?") and last.text.endswith(passages[-1].text))
        # after a listing left out, a new sentence is not what the listing's introduction ('here is zpipe.c:')
        # introduced; words in lower case (the listing's output: 'make const ...') still are
        gone = id(last) in unlisted and block.text[:1].isupper()
        question = passages.pop().text if asks else "" if gone else _introduced(last, block, passages)
        item_lead = _item_lead(block, lead, parents) if block.kind == "item" else ""
        made = _block_passages(block, context, limit, opening, question, item_lead, leads and block.kind != "item",
                               id(block) in ended, id(block) in unlisted)
        passages.extend(_explained(last, made, passages))
        last = block
    return Draft(title=outline.title or UNTITLED, date=outline.date, passages=tuple(passages))


def _explained(last: Block | None, made: list[DraftPassage], passages: list[DraftPassage]) -> list[DraftPassage]:
    """A block's passages, the first joined to the passage before when it explains the example that one ends with
    ('For instance: 0:text/x-diff:__NOGLOBS__ ...' / 'In the above example, the mimetype ... is redefined')."""
    before = passages[-1] if passages else None
    if (made and before and last is not None and last.example and before.text.endswith(last.example)
            and before.section == made[0].section and _EXAMPLE_POINTER.match(made[0].text)
            and len(before.text) + len(made[0].text) < MAX_TEXT_CHARS):
        joined = f"{before.text} {made[0].text}"
        passages[-1] = DraftPassage(before.section, joined, _review(joined, section=before.section))
        return made[1:]
    return made


def _item_lead(item: Block, lead: str, parents: list[tuple[int, str]]) -> str:
    """What goes in front of a list item: the list's introduction, or for a nested item the item it sits under
    (when short enough to repeat), not the outer list's introduction; `parents` is kept up to date with it."""
    while parents and parents[-1][0] >= item.depth:
        parents.pop()
    parent = parents[-1][1] if parents else ""
    parents.append((item.depth, item.text))
    if not parent:
        return lead
    return parent if len(parent) < INTRO_CHARS else ""


def _introduced(last: Block | None, block: Block, passages: list[DraftPassage]) -> str:
    """A short sentence ending in ':' that closes the paragraph before ('Alexandre Oliva <oliva@...> responded:')
    introduces this one, and goes in front of it (taken back from the passage it ended, if any); else ''. One
    opening its section counts too ('Example:' under GCC's heading, which being left out made no passage)."""
    if last is None or last.section != block.section or not last.kind == block.kind == "para":
        return ""
    intro = _lead_in(last)
    if intro and passages and passages[-1].section == block.section and passages[-1].text.endswith(intro):
        kept = passages.pop().text[: -len(intro)].strip()
        if kept:
            passages.append(DraftPassage(block.section, kept, _review(kept, section=block.section)))
    return intro


def _lead_in(block: Block) -> str:
    """A paragraph's closing sentence when it introduces what follows ("Included tools are:"), short enough to go
    in front of it (a paragraph, or each list item, which means little without it: "apt-get for retrieval of
    packages", or "Applications must be able to extend the database" without saying it is a requirement); else ''."""
    found = sentences(block.text) if block.kind == "para" and block.text.endswith(":") else []
    return found[-1] if found and len(found[-1]) < INTRO_CHARS else ""
