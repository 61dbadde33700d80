"""PDF documents through pypdf: the text of each page, read as plain text (paragraphs, headings, wrapping).

A page's furniture is not text: a running header (the same first line on most pages, such as the title) and a
page number standing alone at the page's top or foot are dropped, so that a paragraph running on to the next
page reads on instead of taking the page number and the title into its sentence. Table of contents and index
entries (dot leaders to a page number) are dropped too: they would answer "what is X" with "3 X . . . . . 7".
Typesetting is undone where it changed the words: a ligature glyph (U+FB01 'ﬁ' in 'conﬁguration') is its letters
again, and a word hyphenated at a line's end ('cus-' / 'tomization') is one word, so that both match a question.
A table in a monospaced listing, whose columns pypdf's text loses, is rebuilt from the page (split_pdf_tables.py).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata

from ..errors import PassageRejected
from .split_pdf_tables import across_pages, page_listings, with_tables


def pdf_text(data: bytes | str) -> str:
    """The text pypdf extracts from a PDF's pages, one page after the other with a blank line between them."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    if isinstance(data, str):
        data = data.encode("latin-1", errors="replace")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about odd but readable files are noise here
    try:
        reader = PdfReader(io.BytesIO(data))
        pages, runs = [], []
        for page in reader.pages:
            listings = page_listings(page)  # read in the same pass as the page's text
            pages.append(page.extract_text(visitor_operand_before=listings) or "")
            runs.append(listings.runs() if listings else [])
    except DependencyError:  # AES without `cryptography` (pypdf[crypto] brings it; absent only after --no-deps)
        raise PassageRejected("cannot read the PDF: it is encrypted, and pypdf needs the 'cryptography' package to "
                              "decrypt it (pip install cryptography, or save an unencrypted copy)") from None
    except FileNotDecryptedError:
        raise PassageRejected("cannot read the PDF: it needs a password to open (save a copy without one)") from None
    except Exception as exc:  # pypdf meets a damaged file with any of a dozen kinds of error: one line, no traceback
        raise PassageRejected(f"cannot read the PDF: {exc or type(exc).__name__}") from None
    return _unhyphenated(_without_ligatures(with_tables(_joined(_without_furniture(pages)), across_pages(runs))))


_LIGATURES = re.compile("[\ufb00-\ufb06]")  # ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ: one glyph for two or three letters
_BROKEN_WORD = re.compile(r"\b([A-Za-z]+)-\n([a-z]+)\b")


def _without_ligatures(text: str) -> str:
    """The text with each Latin ligature glyph written as its letters (pdfTeX's fonts set 'fi' as one glyph)."""
    return _LIGATURES.sub(lambda found: unicodedata.normalize("NFKC", found.group()), text)


def _unhyphenated(text: str) -> str:
    """Words a typesetter broke at a line's end ('cus-' then 'tomization') joined again; a compound the document
    also writes whole with its hyphen elsewhere ('dual-' then 'width', 'dual-width') keeps it."""
    words = set(re.findall(r"[A-Za-z]+", text))
    hyphened = set(re.findall(r"[A-Za-z]+-[A-Za-z]+", text))  # on one line: '-' before a line break is no letter

    def joined(found: re.Match) -> str:
        head, tail = found.groups()
        if f"{head}-{tail}" in hyphened and f"{head}{tail}" not in words:
            return f"{head}-{tail}"
        return f"{head}{tail}"
    return _BROKEN_WORD.sub(joined, text)


# A table of contents' or an index's entry: dot leaders to a page number ("2.1 Naming . . . . 3", "Porting.....1"),
# or to the page's edge when the number went to the next line. Such lines are a map of the document, not its text.
_LEADER = re.compile(r"(?:\.\s?){4,}\s*(?:\d+|[ivxlc]+)?\s*$", re.IGNORECASE)
_CONTENTS = re.compile(r"^\s*(?:table of )?contents\s*$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?(?:\d+|[ivx]+)(?:\s*(?:/|of)\s*\d+)?\s*$", re.IGNORECASE)


def _edges(lines: list[str]) -> tuple[str, str]:
    """A page's first and last non-blank lines, stripped ('' for an empty page)."""
    kept = [line.strip() for line in lines if line.strip()]
    return (kept[0], kept[-1]) if kept else ("", "")


def _without_furniture(pages: list[str]) -> list[str]:
    """Each page's text without its running header or footer (the same line first, or last, on at least half of
    three or more pages; the first page's header is its title) and without a page number alone on its first or last
    line."""
    split = [page.strip().split("\n") for page in pages]
    firsts, lasts = zip(*(_edges(lines) for lines in split)) if split else ((), ())
    running = {line for edge in (firsts, lasts) for line in set(edge)
               if line and len(pages) >= 3 and edge.count(line) * 2 >= len(pages)}
    out = []
    for number, lines in enumerate(split):
        lines = _without_leaders(lines)
        while lines and (not lines[0].strip() or lines[0].strip() in running and number or _PAGE_NUMBER.match(lines[0])):
            lines = lines[1:]
        while lines and (not lines[-1].strip() or lines[-1].strip() in running or _PAGE_NUMBER.match(lines[-1])):
            lines = lines[:-1]
        out.append("\n".join(lines))
    return out


def _without_leaders(lines: list[str]) -> list[str]:
    """A page's lines without its table of contents or index entries, nor the 'Contents' heading over them."""
    kept: list[str] = []
    for line in lines:
        if _LEADER.search(line):
            if kept and _CONTENTS.match(kept[-1]):
                kept.pop()
        else:
            kept.append(line)
    return kept


def _joined(pages: list[str]) -> str:
    """The pages one after the other: a page ending mid-sentence runs on into the next, any other ends its paragraph."""
    text = ""
    for page in (page for page in pages if page):
        text += ("\n" if text and not text.rstrip().endswith((".", "!", "?", ":")) else "\n\n" if text else "") + page
    return text
