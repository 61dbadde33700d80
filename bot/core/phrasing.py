"""How a question is read: words that only frame it, what it leans on, and the kind of fact it asks for.

These are facts about how people ask in English, not about any one knowledge base; the answerer
uses them to weigh passages.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..text import normalise

# Words that frame a question rather than name its topic ("how long did it last", "what happened"):
# they neither search nor count as words the knowledge lacks.
FRAME_WORDS = frozenset("""
long last go goes going went way ways happen happened happens happening run running ran main stuff big thing things
kind type sort anything something everything info information detail details describe described explain explained
mean means meant use used using like want wanted need needed know known called name named exactly actually really
currently still ever anymore overall basically generally specifically role part anyone someone somebody n one ones
since until kinds types sorts done doing
""".split())
# The only words a message of bare keywords may hold besides them ("the Five Hills centre").
KEYWORD_GLUE = {"the", "a", "an", "and", "of", "for", "in", "on", "to", "s"}
# Words that point back at what came before ("What does it promote?").
ANAPHORA = {"it", "its", "this", "that", "these", "those", "they", "them", "their", "there", "he", "she", "his",
            "her", "such", "same", "the programme", "the project"}
# Openings that name a new subject ("what about Kosovo?"), so the previous topic is dropped.
SWITCH = re.compile(r"^(and |ok |so |but )*(what|how) about\b|^(and |also )?(tell me about|what is|what are|what was)\b")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_HAS_DATE = re.compile(rf"\b(1[89]\d\d|20\d\d)\b|\b({_MONTHS}) \d|\b\d{{1,2}} ({_MONTHS})\b", re.IGNORECASE)
_HAS_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?(?:[kmgt]i?b|[kmgt])?\b(?!\s*(?:to|-)\s*(?:1[89]|20)\d\d)(?<!\b1[89]\d\d)(?<!\b20\d\d)|"
                         r"\b(one(?! of\b)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
                         r"thousands?|millions?)\b", re.IGNORECASE)
_HAS_PERSON = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof|General|Colonel|Admiral|President|Prime Minister|Minister|"
                         r"Secretary[- ]General|Ambassador|Director|Commander|Chairman|Chair|King|Queen)\.? [A-Z]|"
                         r"\b(led|headed|chaired|directed|commanded|founded) by\b")
_HAS_PLACE = re.compile(r"\b(?:in|at|near|from|to)\s+(?:the\s+)?[A-Z][a-z]")
# A size: a number, or words that rank or weigh ('among the largest partner contributors').
_HAS_SIZE = re.compile(rf"{_HAS_NUMBER.pattern}|\b(largest|biggest|smallest|greatest|major|significant|substantial|"
                       r"considerable|sizeable|sizable|modest|small|large|big)\b", re.IGNORECASE)
# An end: a span that closes ("from 2009 to 2014", "until March 2007") or a word that says it ended.
_HAS_END = re.compile(rf"\b(?:to|until|till|through)\s+(?:(?:\d{{1,2}} )?(?:{_MONTHS}) )?(?:1[89]|20)\d\d\b|"
                      r"\b(?:ended|expired|concluded|finished|completed|closed|ends|expires)\b", re.IGNORECASE)
# Something still to come: a question about the future needs a passage that speaks of it.
_HAS_FUTURE = re.compile(r"\b(?:will|shall|planned|plans|scheduled|expected|due to|intends|upcoming|future)\b",
                         re.IGNORECASE)
# A named body: capitalised words ending in what organisations call themselves ("the NATO Communications
# and Information Agency", "the Ministry of Defence").
_HAS_BODY = re.compile(r"\b(Agency|Centre|Center|Ministry|Department|Office|Council|Committee|Commission|Institute|"
                       r"Organi[sz]ation|Authority|Bureau|Foundation|Association|Command|Headquarters)\b")
# A reason or purpose: 'to' before a verb ('to address shared challenges'), or the words English states
# a cause or an aim with. Not 'since' or 'as', which as often mean a time; case-sensitive so 'to Kabul'
# (a place) is no purpose.
_HAS_REASON = re.compile(r"\b(?:[Ii]n order to|[Ss]o as to|[Ss]o that|[Bb]ecause|[Dd]ue to|[Tt]hanks to|[Aa]s a result|"
                         r"[Ii]n response to|[Ii]n support of|aim|aims|aimed|purpose|purposes|goal|goals|objective|"
                         r"objectives|intended|designed|seeks?|reason|reasons)\b|"
                         r"\bto (?!(?:the|a|an|this|that|these|those|its|their|his|her|our|be|date|\d)\b)[a-z]+")
# A version: a dotted number ('4.2.2', 'findutils-4.3.11') or one named as such ('version 3', 'v2').
_HAS_VERSION = re.compile(r"\b\d+\.\d+(?:\.\d+)*\b|\b(?:version|release|v)\s?\d+\b", re.IGNORECASE)
# The kinds of fact a question asks for: (name, how the question asks, how a passage holds it).
# The first kind found decides: 'when did it end' wants an end, not any date, and a date question is
# never also a number question.
ANSWER_TYPES = (
    ("future", re.compile(r"^when (will|shall|is \w+ (going|due|expected|planned|scheduled))\b|^when\b.*\bnext\b"),
     _HAS_FUTURE),
    ("end", re.compile(r"^(when|until when)\b.*\b(end|ends|ended|ending|finish|finishes|finished|expire|expires|"
                       r"expired|conclude|concludes|concluded|stop|stops|stopped|close|closes|closed)\b|^until when\b"),
     _HAS_END),
    ("date", re.compile(r"^(when|since when|until when)\b|\bhow many (years|months)\b|\b(what|which) (year|date|month)\b|"
                        r"\bhow long\b|\b(when|since when) (did|does|do|was|were|is|has|have|will)\b"), _HAS_DATE),
    ("version", re.compile(r"\b(what|which) ([\w-]+ )?(version|versions|release|releases)\b"), _HAS_VERSION),
    ("size", re.compile(r"\b(how big|how large|how small|what size|how significant|how important)\b"), _HAS_SIZE),
    ("number", re.compile(r"\b(how much|how many|what amount|what sum|what number)\b"), _HAS_NUMBER),
    ("person", re.compile(r"\bwho (is|was|are|were) (the )?(current )?(head|leader|director|chief|president|commander|"
                          r"secretary|minister|boss|chair|chairman|founder)\b|\bwho (leads|led|heads|headed|runs|ran|directs|"
                          r"commands|chairs|founded)\b"), _HAS_PERSON),
    ("body", re.compile(r"\b(which|what) (?!(?:are|is|was|were|do|does|did|have|has)\b)([\w-]+ )?(agency|agencies|body|bodies|"
                        r"organi[sz]ations?|institutions?|centres?|centers?|ministry|ministries|department|office)\b|"
                        r"\bwho (did|does|do|was|were|has|have) \w+(?: \w+)? (work|worked|working|partner|partnered|"
                        r"cooperate|cooperated|team|teamed|collaborate|collaborated) (up )?with\b|\bwith (which|whom)\b"),
     _HAS_BODY),
    ("reason", re.compile(r"^(and |but |so )?(why|how come)\b|\b(for what|what for|to what end)\b|"
                          r"\bwhat (is|are|was|were) the (purpose|reason|reasons|point)\b"),
     _HAS_REASON),
    ("place", re.compile(r"^where (is|are|was|were)\b|\b(which|what) (city|town|province|region|place|village)\b"),
     _HAS_PLACE),
)


# 'Which countries ...' wants countries named, other than the ones the question names itself.
_ASKS_COUNTRY = re.compile(r"\b(which|what) (?!(?:are|is|was|were|do|does|did|have|has)\b)([\w-]+ )?"
                           r"(countries|country|nations|nation)\b")


@lru_cache(maxsize=1)
def country_names() -> tuple[str, ...]:
    """Country names as people write them, from the ISO 3166 list (pycountry), loaded on first use."""
    import pycountry

    names = set()
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
            if name:
                names.add(name)
                names.add(name.split(",")[0])  # 'Korea, Republic of' is written 'Korea'
    return tuple(sorted(names, key=len, reverse=True))


@lru_cache(maxsize=1)
def _any_country() -> re.Pattern:
    """Country names as whole words in any case, to find the ones a question names itself."""
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, country_names()))})\b", re.IGNORECASE)


@lru_cache(maxsize=256)
def _countries_except(named: frozenset[str]) -> re.Pattern:
    others = (re.escape(n) for n in country_names() if n.lower() not in named)
    return re.compile(rf"\b(?:{'|'.join(others)})\b")


# Every way above of asking for a kind of fact (and for countries) holds one of these question words
# (tests/test_core_phrasing.py checks each pattern), so a question without any wants no kind: one
# search decides that instead of ten.
_QUESTION_WORD = re.compile(r"\b(?:when|how|what|which|who|whom|why|where)\b")


def wanted_kind(text: str) -> re.Pattern | None:
    """How a passage would hold the kind of fact the question asks for (a date, a number, ...), if any."""
    lowered = normalise(text)
    if not _QUESTION_WORD.search(lowered):
        return None
    if _ASKS_COUNTRY.search(lowered):
        return _countries_except(frozenset(n.lower() for n in _any_country().findall(text)))
    return next((has for _kind, asks, has in ANSWER_TYPES if asks.search(lowered)), None)


def is_anaphoric(text: str) -> bool:
    """Whether the question points back at an earlier one ('what does it promote?')."""
    lowered = f" {normalise(text)} "
    return any(f" {a} " in lowered for a in ANAPHORA)


def unknown_names(text: str, unknown: tuple[str, ...]) -> list[str]:
    """Unknown words the user capitalised inside the sentence: names ('Iraq', 'China') the knowledge lacks."""
    if not unknown:  # most questions: no need to look for names
        return []
    names = set()
    for match in re.finditer(r"(?<=[\w,;:'\"] )([A-Z][\w-]+)", text):
        names.add(normalise(match.group(1)))
    return [w for w in unknown if w in names]


_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")  # '-printf', '--extension'; not 'e-mail', not '-9'


def named_options(text: str) -> list[str]:
    """Command-line options the question names as written ('Which version added the --extension option?')."""
    return [m.group(0).rstrip("-") for m in _OPTION.finditer(text)]


def holds_option(passage: str, options: list[str]) -> bool:
    """Whether a passage names one of the options as written, whole ('-l' is not '-ls')."""
    return any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", passage) for o in options)


# "what uid", "which version": the word after the question word names the thing asked for, unless it is a verb.
_ASKED_NOUN = re.compile(r"\b(?:what|which) (?!(?:is|are|was|were|do|does|did|has|have|had|can|could|would|will|"
                         r"should|shall|may|might|must|of|if)\b)([a-z][a-z-]+)")


def asked_noun(text: str) -> str:
    """The thing a 'what X' or 'which X' question asks for ('uid' in "what uid does www-data have?"), or ''."""
    found = _ASKED_NOUN.search(normalise(text))
    word = found.group(1) if found else ""
    return "" if word in FRAME_WORDS or len(word) < 2 else word
