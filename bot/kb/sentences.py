"""Sentence boundaries, and a place to break a sentence too long to be one passage.

The boundary rule is ours (a regular expression with an abbreviation list): pysbd, the light pure-Python
alternative, was measured against it (docs/splitting.md) and did not pay for itself.
"""

from __future__ import annotations

import re

# A sentence ends at . ! or ? followed by space and a capital, digit or opening quote, but not
# after a common abbreviation or a single initial.
# The closing quote or bracket stays with its sentence (it is in the lookbehind, not the separator).
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019)]))\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "st.", "no.", "jan.", "feb.", "mar.",
                  "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "u.s.", "u.k.", "inc.", "ltd.")
QUOTE_CHARS = 300  # a quotation longer than a passage is not kept in one sentence
_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")  # "P. Deutsch": a single capital and a full stop is an initial
# Clause boundaries, strongest first: a long sentence is broken at the first kind that has a place near its middle.
_CLAUSES = (re.compile(r"[;:]\s"), re.compile(r",\s(?=(?:which|who|whose|where|while|whereas|although|but|and|"
                                              r"or|so|because|since|as|when|after|before)\b)"),
            re.compile(r",\s"), re.compile(r"\s(?=(?:which|and|but|or|while|because)\s)"), re.compile(r"\s"))


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations, initials, decimals and short quotations intact."""
    pieces = _SENTENCE_END.split(" ".join(paragraph.split()))
    out: list[list[str]] = []  # each sentence as its pieces: joining as we go would be quadratic on "No. 1 No. 2 ..."
    for piece in pieces:
        last = out[-1][-1] if out else ""
        if out and (last.lower().endswith(_ABBREVIATIONS) or _INITIAL.search(last) or _closes_quote(out[-1], piece)):
            out[-1].append(piece)
        else:
            out.append([piece])
    joined = (" ".join(parts).strip() for parts in out)
    return [s for s in joined if s]


def _closes_quote(parts: list[str], piece: str) -> bool:
    """Whether `piece` ends a short quotation the sentence so far left open ('... says: "The UID was used.' then
    'New code should not use it."'): then it belongs to that sentence. A quotation of over QUOTE_CHARS is let go."""
    if '"' not in piece and "\u201d" not in piece:
        return False
    text = " ".join(parts)
    return len(text) < QUOTE_CHARS and (text.count('"') % 2 == 1 or text.count("\u201c") > text.count("\u201d"))


def break_long(sentence: str, limit: int) -> tuple[list[str], str]:
    """A sentence over `limit` as parts that fit, cut at clause boundaries, and how it was cut ('' when it fit).

    Each cut is the strongest boundary (; : then ', which/and...', then ',', then a bare 'and', then any space)
    nearest the middle, so the parts are of similar length; a part still too long is cut again.
    """
    if len(sentence) <= limit:
        return [sentence], ""
    middle = len(sentence) // 2
    for rank, pattern in enumerate(_CLAUSES):
        cuts = [m.end() for m in pattern.finditer(sentence) if 0 < m.end() < len(sentence)]
        if cuts:
            cut = min(cuts, key=lambda c: abs(c - middle))
            left, right = sentence[:cut].strip(), sentence[cut:].strip()
            how = "at a clause boundary" if rank < len(_CLAUSES) - 1 else "between words (no clause boundary)"
            parts = break_long(left, limit)[0] + break_long(right, limit)[0]
            return parts, how
    return [sentence[i:i + limit] for i in range(0, len(sentence), limit)], "inside a word (no space in it)"
