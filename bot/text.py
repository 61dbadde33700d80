"""Text normalisation and tokenisation shared by indexing and querying, so both see the same terms."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

# Typographic characters people and documents use interchangeably with plain ones.
_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u00a0": " ", "\u2022": " ",
})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_SPACES = re.compile(r"\s+")

# Words that carry no topic. Question words are kept out of matching but read by the answerer.
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves
out over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they'd they'll they're they've this those through
to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
where where's which while who who's whom why why's will with won't would wouldn't you you'd you'll
you're you've your yours yourself yourselves tell know please s t just us many much did does thing
things kind sort give say said get got
""".split())

_STEMMER = Stemmer.Stemmer("english")


def clean(text: str) -> str:
    """Remove control and direction characters and collapse whitespace, keeping the user's words."""
    if text.isprintable() and "  " not in text:  # most messages: nothing for the regexes but the ends (control,
        return text.strip()  # direction and non-space blank characters are all unprintable); a tenth of their time
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Fold case, typography and accents so 'Mongolia’s' and "mongolia's" compare equal."""
    if text.isascii():  # most text: NFKC/NFKD are the identity and casefold is lower(), 10x faster
        # the backtick is the one ASCII character _TRANSLATE maps; without it translate is the identity
        return text.translate(_TRANSLATE).lower() if "`" in text else text.lower()
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():  # no accent left to strip (a dash or a quote was all that was not ASCII)
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Split normalised text into words; a possessive 's is dropped, hyphenated words split."""
    return split_words(normalise(text))


def split_words(text: str) -> list[str]:
    """The words of text already normalised (`words` without normalising: an index build normalises in bulk)."""
    found = _WORD.findall(text)
    if "'" not in text:  # the common case: no apostrophes to split on
        return found
    out = []
    for word in found:
        if "'" not in word or word in STOP_WORDS:  # a contraction the list holds ("don't", "i'm") is one stop word,
            out.append(word)  # not a fragment ("don", "m") read as a content word the knowledge may lack
            continue
        if word.endswith("'s"):
            word = word[:-2]
        out.extend(part for part in word.split("'") if part)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball English stem, cached because the same words recur in every query."""
    return _STEMMER.stemWord(word)


class _Stems(dict):
    """Word to stem, '' for a stop word: each distinct word is stemmed once, then looked up in C (index builds)."""

    def __missing__(self, word: str) -> str:
        if len(self) >= 500_000:  # bounded like stem()'s cache
            self.clear()
        found = self[word] = "" if word in STOP_WORDS else _STEMMER.stemWord(word)
        return found


_STEMS = _Stems()


def content_stems(found: list[str]) -> list[str]:
    """The stems of a word list's content words, in order; what [stem(w) for w in content words] gives, faster."""
    return list(filter(None, map(_STEMS.__getitem__, found)))


def word_stems(found: list[str]) -> list[str]:
    """Each word's stem, '' for a stop word: an index build stems its distinct words in one call."""
    return list(map(_STEMS.__getitem__, found))


def content_words(text: str) -> list[str]:
    """The words of a text that can carry its topic (stop words removed)."""
    return [w for w in words(text) if w not in STOP_WORDS]


def terms(tokens: list[str]) -> list[str]:
    """Index terms for a list of content words: stems plus adjacent-stem bigrams."""
    stems = [stem(w) for w in tokens]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:])]


# A question asked in the negative ('who did not...', 'what wasn't...'). Its 'not' is a stop word, invisible to
# the first stage and to word coverage, so a passage stating the positive looks like its answer.
NEGATIONS = "not|never|no|none|nobody|nothing|neither|nor|cannot|without"  # words that negate, as a regex alternation
_NEGATED = re.compile(rf"\b(?:{NEGATIONS})\b|n't\b")


# A question asking how to do something ('how can I check that a file isn't broken', 'what should I do'): its 'not'
# describes the goal, and the answer (a way to do it) need deny nothing.
_HOW_TO = re.compile(r"\bhow (?:do|can|could|should|would|must|to) (?:i|you|we|one)\b|\bhow to\b|"
                     r"\bwhat (?:should|can|must|do) (?:i|you|we|one) do\b")


def negated(question: str) -> bool:
    """Whether a question is asked in the negative ('Who did not sign?', 'What wasn't built?'), not as how to do a thing."""
    lowered = normalise(question)
    return bool(_NEGATED.search(lowered)) and not _HOW_TO.search(lowered)


def shorten(text: str, width: int = 70) -> str:
    """Text cut to `width` characters, ending in an ellipsis when cut: one-line listings, buttons and titles."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def fold(text: str) -> str:
    """Text reduced for comparing what it says: normalised, whitespace collapsed."""
    return " ".join(normalise(text).split())


def holds_all(text: str, expected) -> bool:
    """Whether a text says every expected string (case, quotes, accents and spacing folded)."""
    folded = fold(text)
    return all(fold(e) in folded for e in expected)


def lone_surrogate(value: str) -> int | None:
    """Where text holds an unpaired surrogate (a "\\ud800" escape, or a byte that was not UTF-8 on the command
    line, which Python hands over as U+DC80-U+DCFF), or None: no file, terminal or Telegram takes one."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


# What a terminal acts on rather than shows: ANSI escape sequences (colour, cursor, title) and the control
# characters that are not whitespace (tab, line and page breaks are whitespace, and split away).
_TERMINAL_CODE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_NON_SPACE_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def holds_controls(text: str) -> bool:
    """Whether text holds a control character that is not whitespace: what `without_controls` would remove."""
    return _NON_SPACE_CONTROL.search(text) is not None


def without_controls(text: str) -> str:
    """Text for a passage without what a terminal showing it would act on (`kb list`, the console): escape sequences
    (a terminal's colours, copied with its output) removed whole, and the other control characters that are not
    whitespace (a bell, a backspace)."""
    if not holds_controls(text):
        return text
    return " ".join(_NON_SPACE_CONTROL.sub("", _TERMINAL_CODE.sub("", text)).split())
