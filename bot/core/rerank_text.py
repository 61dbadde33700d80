"""The second stage's reading of text: words and stems of a passage (cached), and the kinds of fact
a question asks for and a passage holds. Every rule is about English, never about one document."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress

import Stemmer

from ..text import NEGATIONS, STOP_WORDS, normalise, words

READ_CHARS = 1000  # a long bulk passage is read this far: the answer shown is its start, and the cost stays bounded
FAMILY_PREFIX = 5  # words sharing this many first letters past stemming are one family ('norse', 'norseman')
_STEMMER = Stemmer.Stemmer("english")  # the same Snowball stemmer as bot.text.stem, used on whole texts at once
MEMO_WORDS = 200_000  # words whose stem is remembered; past this the memo starts again (a few tens of MB at most)
# A word's stem, and whether it is a content word: a dict lookup is several times cheaper than the stemmer,
# and most of a passage's words were seen in an earlier one. Same stems, so the features do not move.
_STEMS: dict[str, str] = {}
_KEEP: dict[str, bool] = {}


def _learn(found: list[str]) -> None:
    """Remember the stems of the words not yet in the memo."""
    new = [w for w in dict.fromkeys(found) if w not in _STEMS]
    if len(_STEMS) + len(new) > MEMO_WORDS:
        _STEMS.clear()
        _KEEP.clear()
        new = list(dict.fromkeys(found))
    _STEMS.update(zip(new, _STEMMER.stemWords(new)))
    _KEEP.update((w, w not in STOP_WORDS) for w in new)


@lru_cache(maxsize=8192)
def content(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """All of a text's words stemmed (for copied phrases) and its content stems in order (for matching).
    Cached: the same passages come back as candidates and as neighbours question after question."""
    found = words(text[:READ_CHARS])
    try:
        every = tuple(map(_STEMS.__getitem__, found))
        keep = list(map(_KEEP.__getitem__, found))
    except KeyError:  # a word not met before: stem this text directly (never reads a memo another call may clear)
        _learn(found)
        every = tuple(_STEMMER.stemWords(found))
        keep = [w not in STOP_WORDS for w in found]
    return every, tuple(compress(every, keep))


@lru_cache(maxsize=8192)
def _lowered(text: str) -> str:
    """A text folded for the answer-type and leaning rules, cached: they read the same passages again and again."""
    return normalise(text[:READ_CHARS])


# Openings that point back at the previous sentence: its subject is elsewhere. The longest ('furthermore')
# and the letter after it fit in _LEAN_ENOUGH, so a passage's first _LEAN_CHARS letters decide.
_LEAN_CHARS, _LEAN_ENOUGH = 64, 16
_LEANING = re.compile(r"^(?:it|its|this|these|that|those|they|their|them|he|his|she|her|such|also|however|"
                      r"moreover|furthermore|there|then|thus|the latter|the former|both|another|others?)\b")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_YEAR = re.compile(rf"\b(?:1\d\d\d|20\d\d|\d{{1,4}}s|\d{{1,2}}(?:st|nd|rd|th) century|{_MONTHS})\b|\b\d{{2,4}} (?:bc|ad|bce|ce)\b")
_UNIT = r"(?:[kmgt]i?b|[kmgt])?"  # a size written with its unit ("700K", "64MiB") is still a number
_NUMBER = re.compile(rf"\b\d[\d,.]*{_UNIT}\b|\b(?:one(?! of\b)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                     r"thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|"
                     r"dozen|dozens|half|third|quarter|percent|per cent)\b")
_YEAR_ONLY = re.compile(r"^(?:1\d\d\d|20\d\d)$")  # a year is a date, not a count
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'-]*")
_PLACE = re.compile(r"\b(?:in|at|near|from|to|into|across|outside|inside|throughout)\s+(?:the\s+)?([A-Z][\w'-]*)")

# The kind of fact a question asks for, by how English questions open; the first that matches decides,
# so 'when did it end' wants an end, not any date.
_ENDING = (r"end|ends|ended|ending|finish|finishes|finished|expire|expires|expired|conclude|concludes|concluded|"
           r"stop|stops|stopped|close|closes|closed|terminate|terminated|dissolve|dissolved|collapse|collapsed")
_ASKS = (
    ("future", re.compile(r"^(?:when|by when) (?:will|shall|is \w+(?: \w+)? (?:going|due|expected|planned|scheduled))\b|"
                          r"^when\b.*\bnext\b")),
    ("end", re.compile(rf"^(?:when|by when|what year|in what year|which year)\b.*\b(?:{_ENDING})\b|\buntil when\b")),
    ("date", re.compile(r"\b(?:when|what (?:year|years|date|decade|century|month|day|time|period|era)|"
                        r"which (?:year|years|date|decade|century|month|day|period|era)|since when|"
                        r"how long ago)\b")),
    ("span", re.compile(r"\bhow long\b")),
    ("number", re.compile(r"\b(?:how (?:many|much|old|far|large|big|high|tall|fast|often|deep|wide)|"
                          r"what (?:number|percentage|percent|amount|proportion|fraction|size|population|age)|"
                          r"which (?:number|percentage|amount)|(?:what|which) (?:[\w-]+ )?(?:version|release)s?)\b")),
    ("person", re.compile(r"\b(?:who|whom|whose|which (?:person|man|woman|king|leader|president|author|ruler)|"
                          r"what (?:person|man|woman|king|leader|president|author|ruler))\b")),
    ("place", re.compile(r"\b(?:where|what (?:city|country|town|place|region|state|area|province|continent|location)|"
                         r"which (?:city|country|town|place|region|state|area|province|continent|location))\b")),
    ("name", re.compile(r"\b(?:what|which) (?!(?:is|are|was|were|do|does|did|has|have|had|can|could|would|will|"
                        r"should|kind|type|sort|role|effect|reason|purpose)\b)\w+|\bname\b")),
)
KINDS = tuple(kind for kind, _ in _ASKS)
# A span that closes ('from 2009 to 2014', 'until March 2007') or a word saying something ended.
_END = re.compile(rf"\b(?:to|until|till|through|ended in|by)\s+(?:(?:\d{{1,2}} )?(?:{_MONTHS}) )?(?:1\d\d\d|20\d\d)\b|"
                  rf"\b(?:ended|expired|concluded|finished|completed|closed|terminated|dissolved|collapsed|"
                  rf"abolished|disbanded|ceased|lasted|until)\b")
_FUTURE = re.compile(r"\b(?:will|shall|planned|plans|scheduled|expected|due to|intends|upcoming|future|next)\b")


# Every pattern of _ASKS matches only text holding one of these (when, what, which, who, where; how; name):
# a question without them, as most keyword questions are, asks for no kind, found without eight searches.
_ASKING = ("wh", "how", "name")


def asked_kind(question: str) -> str:
    """The kind of fact a question asks for (future, end, date, span, number, person, place, name), or ''."""
    lowered = normalise(question)
    if not any(part in lowered for part in _ASKING):
        return ""
    return next((kind for kind, pattern in _ASKS if pattern.search(lowered)), "")


def holds_kind(kind: str, text: str, question_words: frozenset[str]) -> bool:
    """Whether a passage states a fact of that kind that the question does not already name."""
    if kind in ("end", "future"):
        return bool((_END if kind == "end" else _FUTURE).search(_lowered(text)))
    if kind == "span":  # 'how long': a date it runs from, or a number of years, miles, ...
        return holds_kind("date", text, question_words) or holds_kind("number", text, question_words)
    if kind == "date":
        found = _YEAR.findall(_lowered(text))
    elif kind == "number":
        found = [n for n in _NUMBER.findall(_lowered(text)) if not _YEAR_ONLY.match(n)]
    elif kind == "name":  # a capitalised word the question does not hold
        found = _CAPITALISED.findall(text[:READ_CHARS])
    elif kind == "person":  # a capitalised word, not an acronym (those name bodies and programmes)
        found = [w for w in _CAPITALISED.findall(text[:READ_CHARS]) if not w.isupper()]
    elif kind == "place":
        found = _PLACE.findall(text[:READ_CHARS])
    else:
        return False
    return any(normalise(f).strip(",.") not in question_words for f in found)


# A passage may deny in other words than the question's 'not' ('refused', 'unable', 'non-', or a condition:
# 'add -traditional, else blank lines get removed' answers '... so that blank lines are not removed'): a negated question
# (bot.text.negated) whose passage denies nothing is answered by the positive statement, not the question asked.
_DENYING = (*NEGATIONS.split("|"), "non", "unable", "instead", "except", "otherwise", "unless", "deny", "denies", "denied")
_DENYING_STARTS = ("refus", "fail", "lack", "absen")  # any word starting so ('refused', 'failure', 'lacking', 'absent')
_DENIES = re.compile(r"\b(?:" + "|".join([*_DENYING, *(s + r"\w*" for s in _DENYING_STARTS)]) + r")\b|n't\b|"
                     r"(?:,|\bor) else\b")  # not 'something else'
# The regex's words, for ASCII texts read as their runs of `\w` (ASCII letters, digits, '_'): split in C, 2-3 times
# faster than the regex over a long passage (it tries every alternative at every place), with the same verdict.
_DENYING_BYTES = frozenset(w.encode("ascii") for w in _DENYING)
_DENYING_STARTS_BYTES = tuple(s.encode("ascii") for s in _DENYING_STARTS)
_NOT_W = bytes(b if chr(b).isalnum() and b < 128 or chr(b) == "_" else 32 for b in range(256))
# _DENIES's last two branches alone, each found from its literal (the regex engine skips ahead to it).
_DENIES_NOT_WORDS = re.compile(r"n't\b| else\b(?:(?<=, else)|(?<=\bor else))")


def denies(text: str) -> bool:
    """Whether a passage states something in the negative (not, never, refused, unable, non-...)."""
    lowered = _lowered(text)
    if lowered.isascii():  # a regex word is a whole run of \w: its `\b...\b` matches exactly the runs listed
        data = lowered.encode("ascii")
        found = data.translate(_NOT_W).split()
        if not _DENYING_BYTES.isdisjoint(found):
            return True
        if any(s in data for s in _DENYING_STARTS_BYTES) and any(w.startswith(_DENYING_STARTS_BYTES) for w in found):
            return True
        return (b"n't" in data or b"else" in data) and bool(_DENIES_NOT_WORDS.search(lowered))
    return bool(_DENIES.search(lowered))


def leans_back(text: str) -> bool:
    """Whether a passage opens by pointing back at the sentence before it ('It was...', 'They also...')."""
    head = text[:_LEAN_CHARS]
    if head.isascii():  # ASCII folds letter by letter: its folded start is the start of the whole text folded
        start = normalise(head).lstrip("\"'(")
        if len(start) > _LEAN_ENOUGH:
            return bool(_LEANING.match(start))
    return bool(_LEANING.match(_lowered(text).lstrip("\"'(")))
