"""Second stage: reorder the first stage's top candidates with a small learned model and say how sure it is.

The first stage (the TF-IDF index) finds the right passage among its top ten nine times in ten but
puts it first only two times in three. This stage reads those few candidates closely: how much of
the question each sentence and its neighbours cover (rare words weighing more), whether the words
stand close together and in the question's order, whether the sentence holds the kind of fact asked
for (a year for "when", a number for "how many", a new name for "who"), and whether it leans on
the sentence before it. A linear model weighs these; a second small model turns the winner's lead
into a calibrated probability that it answers the question, so the no-answer threshold is a
probability the user can read.

Both models were fitted offline by benchmarks/train_rerank.py on the tuning sources (the SQuAD part
and the Mongolia tuning set, validated on held-out articles) and are shipped as plain numbers in
rerank_model.json; scoring here needs only numpy and this module's word features. Every rule is
about English, never about one document.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import Stemmer

from .errors import BotError
from .text import STOP_WORDS, normalise, stem, words

MODEL_FILE = Path(__file__).with_name("rerank_model.json")
MODEL_VERSION = 1
BM25_K1 = 1.2
BM25_B = 0.75
PHRASE_CAP = 5  # a run of this many question words or more, copied into a passage, counts the same
READ_CHARS = 1000  # a long bulk passage is read this far: the answer shown is its start, and the cost stays bounded
FIRST_FLOOR = 0.2  # the first stage's own tuned threshold (the cosine threshold before this stage existed)
_STEMMER = Stemmer.Stemmer("english")  # the same Snowball stemmer as bot.text.stem, used on whole texts at once


class RerankModelError(BotError):
    """The reranker's weights file is missing, unreadable or does not fit this code."""


# -- inputs and outputs ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """One passage the first stage found, as plain data: its text, score and surroundings."""

    text: str
    score: float  # the first stage's score (any scale; the model also sees it relative to the best)
    before: tuple[str, ...] = ()  # the passages just before it in the same section, nearest last
    after: tuple[str, ...] = ()  # the passages just after it in the same section, nearest first
    section: str = ""
    questions: tuple[str, ...] = ()  # questions a maintainer attached to the passage


@dataclass(frozen=True)
class Reranking:
    """The candidates' new order (indexes into the list given), a score and probability for each."""

    order: tuple[int, ...]
    scores: tuple[float, ...]  # the ranking model's score per candidate, in the order given
    probabilities: tuple[float, ...]  # per candidate, in the order given: that it answers the question

    @property
    def best(self) -> int | None:
        """The index of the chosen candidate, or None when there were none."""
        return self.order[0] if self.order else None

    @property
    def confidence(self) -> float:
        """The probability that the chosen candidate answers the question (0 when none)."""
        return self.probabilities[self.order[0]] if self.order else 0.0


class CorpusStats:
    """How many passages use each stem, so rare words weigh more (BM25's idf).

    `df` returns the number of passages holding a stem (0 when none does); the first stage's index
    already knows this, so nothing is counted again at start (see `from_index`).
    """

    def __init__(self, n_docs: int, df: Callable[[str], int]) -> None:
        self.n_docs = max(1, n_docs)
        self.df = df
        self.max_idf = self._idf(0)

    def _idf(self, df: int) -> float:
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def idf(self, stem_: str) -> float:
        """A stem's idf; a stem no passage uses gets the highest."""
        return self._idf(self.df(stem_))

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> "CorpusStats":
        """Count stems in passage texts (for tests and small corpora)."""
        counts: dict[str, int] = {}
        for text in texts:
            for s in set(_content(text)[1]):
                counts[s] = counts.get(s, 0) + 1
        return cls(len(texts), lambda s: counts.get(s, 0))

    @classmethod
    def from_index(cls, index) -> "CorpusStats":
        """Read document frequencies from the first stage's index (its posting-list lengths), free at start."""
        vocabulary, indptr = index.vocabulary, index.indptr

        def df(s: str) -> int:
            col = vocabulary.get(s)
            return 0 if col is None else int(indptr[col + 1] - indptr[col])

        return cls(index.n_docs, df)


# -- reading text ---------------------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def _content(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """All of a text's words stemmed (for copied phrases) and its content stems in order (for matching).
    Cached: the same passages come back as candidates and as neighbours question after question."""
    found = words(text[:READ_CHARS])
    every = tuple(_STEMMER.stemWords(found))  # one C call; the same Snowball stemmer as bot.text.stem
    return every, tuple(s for w, s in zip(found, every) if w not in STOP_WORDS)


@lru_cache(maxsize=8192)
def _present(text: str) -> frozenset:
    """A text's content stems as a set."""
    return frozenset(_content(text)[1])


@lru_cache(maxsize=8192)
def _positions(text: str) -> dict[str, list[int]]:
    """Where each of a text's stemmed words stands (for the phrases a candidate copies from the question)."""
    positions: dict[str, list[int]] = {}
    for n, w in enumerate(_content(text)[0]):
        positions.setdefault(w, []).append(n)
    return positions


@lru_cache(maxsize=8192)
def _lowered(text: str) -> str:
    """A text folded for the answer-type and leaning rules, cached: they read the same passages again and again."""
    return normalise(text[:READ_CHARS])


# Openings that point back at the previous sentence: its subject is elsewhere.
_LEANING = re.compile(r"^(?:it|its|this|these|that|those|they|their|them|he|his|she|her|such|also|however|"
                      r"moreover|furthermore|there|then|thus|the latter|the former|both|another|others?)\b")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_YEAR = re.compile(rf"\b(?:1\d\d\d|20\d\d|\d{{1,4}}s|\d{{1,2}}(?:st|nd|rd|th) century|{_MONTHS})\b|\b\d{{2,4}} (?:bc|ad|bce|ce)\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:one(?! of\b)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
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
                          r"which (?:number|percentage|amount))\b")),
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


def asked_kind(question: str) -> str:
    """The kind of fact a question asks for (future, end, date, span, number, person, place, name), or ''."""
    lowered = normalise(question)
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


def leans_back(text: str) -> bool:
    """Whether a passage opens by pointing back at the sentence before it ('It was...', 'They also...')."""
    return bool(_LEANING.match(_lowered(text).lstrip("\"'(")))


# -- features -------------------------------------------------------------------------------------------

FEATURES = (
    "first_score", "first_share", "first_rank", "cover", "cover_known", "bm25", "window_cover", "window2_cover",
    "context_gain", "previous_cover", "leaning", "leaning_previous", "rarest", "proximity", "bigrams", "phrase",
    "length", "fresh", "section_cover", "questions_cover", "questions_same_ask", "kind_fit", *(f"fit_{k}" for k in KINDS),
    "asks_kind", *(f"asks_{k}" for k in KINDS), "unknown_share", "unknown_name", "question_length",
    "curated", "curated_first", "curated_unknown", "curated_kind_miss", "curated_cover", "first_floor",
    "curated_floor", "paragraph_cover", "paragraph_bm25", "candidates", "curated_keywords", "defines",
    "curated_rank", "cover_family",
)
_CAPITALISED_WORD = re.compile(r"(?<=[\w,;:'\"] )[A-Z][\w'-]*")


@dataclass(frozen=True)
class _Question:
    """A question read once for all candidates: its stems and their idf, the phrases an expansion may
    stand in for, its bigrams and whole stemmed words, and the kind of fact it asks for."""

    stems: tuple[str, ...]
    idf: dict
    total: float
    known_total: float
    alternatives: tuple  # (the question stems of a phrase, the stem sets that mean the same), per expansion
    rarest: tuple[str, ...]
    bigrams: frozenset
    every: tuple[str, ...]
    folded: frozenset
    kind: str
    opening: str
    unknown_share: float
    unknown_name: bool


_OPENINGS = ("what", "when", "where", "who", "whom", "whose", "why", "how", "which")


def _opening(every: Sequence[str]) -> str:
    """The question word a question turns on ('why', 'how', ...), or '' for a yes/no question or keywords."""
    return next((w for w in every if w in _OPENINGS), "")


def _read_question(question: str, content_words: Sequence[str] | None,
                   expansions: Sequence[tuple[str, Sequence[str]]], stats: CorpusStats) -> _Question:
    every, content = _content(question)
    if content_words is not None:
        content = tuple(stem(w) for w in content_words)
    stems = tuple(dict.fromkeys(content))
    alternatives, meanings = [], {}
    for phrase, added in expansions:
        own = tuple(s for s in (_content(phrase)[1] or tuple(stem(w) for w in words(phrase))) if s in stems)
        others = tuple(frozenset(_content(a)[1]) for a in added if _content(a)[1])
        if own and others:
            alternatives.append((own, others))
            for s in own:
                meanings.setdefault(s, set()).update(*others)
    idf, unknown = {}, []
    for s in stems:
        known = [stats.idf(a) for a in meanings.get(s, ()) if stats.df(a) > 0]
        if stats.df(s) > 0:
            idf[s] = stats.idf(s)
        elif known:  # a word the passages never use, but an expansion they do: as rare as its stand-ins
            idf[s] = sum(known) / len(known)
        else:
            idf[s] = stats.max_idf
            unknown.append(s)
    total = sum(idf.values())
    unknown_idf = sum(idf[s] for s in unknown)
    rarest = tuple(sorted((s for s in stems if s not in unknown), key=lambda s: -idf[s])[:2])
    capitalised = {stem(normalise(w)) for w in _CAPITALISED_WORD.findall(question)}
    return _Question(stems, idf, total, total - unknown_idf, tuple(alternatives), rarest,
                     frozenset(zip(content, content[1:])), every, frozenset(words(question)), asked_kind(question),
                     _opening(words(question)), unknown_idf / total if total else 0.0,
                     any(s in capitalised for s in unknown))


def _matched(q: _Question, present: frozenset) -> frozenset:
    """The question stems a passage speaks to: by the word itself, or by every word of a phrase meaning
    the same ('weapons of mass destruction' for 'non-proliferation'; 'arms' alone is not enough)."""
    matched = [s for s in q.stems if s in present]
    for own, others in q.alternatives:
        if any(other <= present for other in others):
            matched.extend(own)
    return frozenset(matched)


def _defines(q: _Question, present: frozenset) -> bool:
    """Whether a passage says a question's phrase and what it means together ('Defence Education
    Enhancement Programme (DEEP)'): where a term is defined, not merely used."""
    return any(all(s in present for s in own) and any(other <= present for other in others)
               for own, others in q.alternatives)


FAMILY_PREFIX = 5  # words sharing this many first letters past stemming are one family ('norse', 'norseman')


def _family(q: _Question, matched: frozenset, text: str) -> set[str]:
    """Question stems a passage holds only as another word of their family, which the stemmer keeps apart
    ('norse' and 'norsemen', 'invent' and 'inventor')."""
    heads = _heads(text)
    return {s for s in q.stems if s not in matched and len(s) >= FAMILY_PREFIX and s[:FAMILY_PREFIX] in heads}


@lru_cache(maxsize=8192)
def _heads(text: str) -> frozenset:
    """The first FAMILY_PREFIX letters of a text's longer content stems."""
    return frozenset(s[:FAMILY_PREFIX] for s in _present(text) if len(s) >= FAMILY_PREFIX)


def _covered(q: _Question, matched) -> float:
    idf = q.idf
    return sum(idf[s] for s in matched)


def _bm25(q: _Question, counts: Mapping[str, int], length: int, mean_length: float) -> float:
    """BM25 of a text for the question's stems, from their counts in it (one found through an
    expansion counts once)."""
    if not length or not q.total:
        return 0.0
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / mean_length)
    idf = q.idf
    return sum(idf[m] * tf * (BM25_K1 + 1) / (tf + norm) for m, tf in counts.items()) / q.total


def _proximity(q: _Question, content: tuple[str, ...]) -> float:
    """How tightly the question's words sit in the passage: matched words over the span holding them."""
    idf = q.idf
    where = [(n, s) for n, s in enumerate(content) if s in idf]
    distinct = len({s for _n, s in where})
    if distinct < 2:
        return 0.0
    have: dict[str, int] = {}
    best, left = len(content), 0
    for n, m in where:  # the shortest window holding every distinct matched stem
        have[m] = have.get(m, 0) + 1
        while len(have) == distinct:
            start, first = where[left]
            best = min(best, n - start + 1)
            have[first] -= 1
            if not have[first]:
                del have[first]
            left += 1
    return distinct / best


def _phrase(q: _Question, every: tuple[str, ...], positions: Mapping[str, list[int]]) -> float:
    """The longest run of the question's words (stop words included) that the passage repeats, as a share
    of PHRASE_CAP; a run must hold a content word so 'of the' alone does not count."""
    words_, idf = q.every, q.idf
    best = 0
    for start, word in enumerate(words_):
        for n in positions.get(word, ()):
            length, content = 0, False
            while start + length < len(words_) and n + length < len(every) and words_[start + length] == every[n + length]:
                content = content or words_[start + length] in idf
                length += 1
            if content and length > best:
                best = length
    return min(best, PHRASE_CAP) / PHRASE_CAP


class _Reading:
    """What one text says to one question, worked out once however many candidates it neighbours."""

    __slots__ = ("every", "content", "present", "matched", "counts")

    def __init__(self, q: _Question, text: str) -> None:
        self.every, self.content = _content(text)
        self.present = _present(text)
        self.matched = _matched(q, self.present)
        content = self.content
        self.counts = {m: content.count(m) or 1 for m in self.matched}


def features(question: str, candidates: Sequence[Candidate], stats: CorpusStats,
             content_words: Sequence[str] | None = None,
             expansions: Sequence[tuple[str, Sequence[str]]] = (), curated: bool = False) -> np.ndarray:
    """One row of FEATURES per candidate (see the module docstring for what they measure)."""
    q = _read_question(question, content_words, expansions, stats)
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    readings: dict[str, _Reading] = {}

    def read(text: str) -> _Reading:
        found = readings.get(text)
        if found is None:
            found = readings[text] = _Reading(q, text)
        return found

    own = [read(c.text) for c in candidates]
    around = [[read(t) for t in (*c.before, c.text, *c.after)] for c in candidates]
    mean_length = max(1.0, sum(len(r.content) for r in own) / len(own))
    paragraph_lengths = [sum(len(r.content) for r in rs) for rs in around]
    mean_paragraph = max(1.0, sum(paragraph_lengths) / len(paragraph_lengths))
    best_first = max(c.score for c in candidates) or 1.0
    total = q.total or 1.0
    known_total = q.known_total or 1.0
    asks = float(bool(q.kind))
    keywords = float(not q.opening and len(q.every) <= 3)  # a bare keyword or two ('Feyzabad', 'DEEP')
    question_level = (asks, *(float(q.kind == k) for k in KINDS), q.unknown_share, float(q.unknown_name),
                      math.log1p(len(q.stems)))
    fitting = tuple(float(q.kind == k) for k in KINDS)  # the fit_<kind> columns of a passage that fits
    missing = (0.0,) * len(KINDS)
    rarest, bigrams, idf = q.rarest, q.bigrams, q.idf
    log_candidates = math.log(len(candidates))
    rows = []
    for n, (candidate, r, rs, paragraph_length) in enumerate(zip(candidates, own, around, paragraph_lengths)):
        matched = r.matched
        before, after = candidate.before, candidate.after
        previous = read(before[-1]).matched if before else frozenset()
        following = read(after[0]).matched if after else frozenset()
        wide = matched | previous | following
        wide2 = wide.union(*(read(t).matched for t in (*before[-2:-1], *after[1:2])))
        paragraph = frozenset().union(*(x.matched for x in rs))
        paragraph_counts: dict[str, int] = {}
        for x in rs:
            for m, tf in x.counts.items():
                paragraph_counts[m] = paragraph_counts.get(m, 0) + tf
        cover = _covered(q, matched) / total
        window_cover = _covered(q, wide) / total
        previous_cover = _covered(q, previous) / total
        leaning = float(leans_back(candidate.text))
        fit = holds_kind(q.kind, candidate.text, q.folded) if q.kind else False
        asked = same_ask = 0.0
        for attached in candidate.questions:
            value = _covered(q, read(attached).matched) / total
            asked = max(asked, value)
            if _opening(words(attached)) == q.opening:
                same_ask = max(same_ask, value)
        content = r.content
        floor = float(candidate.score >= FIRST_FLOOR)
        rows.append((
            candidate.score, candidate.score / best_first, 1.0 / (n + 1), cover,
            _covered(q, matched) / known_total, _bm25(q, r.counts, len(content), mean_length),
            window_cover, _covered(q, wide2) / total, window_cover - cover, previous_cover, leaning,
            leaning * previous_cover, sum(1 for s in rarest if s in matched) / (len(rarest) or 1),
            _proximity(q, content) if len(matched) > 1 else 0.0,
            sum(1 for pair in zip(content, content[1:]) if pair in bigrams) / len(bigrams) if bigrams else 0.0,
            _phrase(q, r.every, _positions(candidate.text)) if matched else 0.0, math.log1p(len(content)),
            math.log1p(len(content) - sum(1 for s in content if s in idf)),
            _covered(q, read(candidate.section).matched) / total, asked, same_ask,
            float(fit), *(fitting if fit else missing), *question_level,
            float(curated), curated * candidate.score, curated * q.unknown_share, curated * (asks - fit), curated * cover,
            floor, curated * floor,
            _covered(q, paragraph) / total, _bm25(q, paragraph_counts, paragraph_length, mean_paragraph),
            log_candidates, curated * keywords, float(_defines(q, r.present)) if q.alternatives else 0.0,
            curated / (n + 1), _covered(q, matched | _family(q, matched, candidate.text)) / total,
        ))
    return np.array(rows, dtype=float)


# -- the model ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Linear:
    """A standardised linear model: score = ((x - mean) / scale) . weights + bias."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def to_dict(self) -> dict:
        return {"features": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: Mapping, known: Sequence[str]) -> "Linear":
        names = tuple(data["features"])
        unknown = [n for n in names if n not in known]
        if unknown:
            raise RerankModelError(f"the reranker model uses features this code lacks: {', '.join(unknown)}; "
                                   "retrain it with benchmarks/train_rerank.py")
        arrays = [np.asarray(data[key], dtype=float) for key in ("mean", "scale", "weights")]
        if any(a.shape != (len(names),) for a in arrays) or not all(np.isfinite(a).all() for a in arrays):
            raise RerankModelError("the reranker model's numbers are not finite or do not match its feature list; "
                                   "retrain it with benchmarks/train_rerank.py")
        mean, scale, weights = arrays
        return cls(names, mean, np.where(scale > 0, scale, 1.0), weights, float(data.get("bias", 0.0)))


CONFIDENCE_FEATURES = ("rank_score", "margin", *FEATURES)


@dataclass(frozen=True)
class Model:
    """The ranking model, the confidence model over its output, and the threshold it was tuned with."""

    ranker: Linear
    confidence: Linear
    threshold: float = 0.5
    info: Mapping | None = None  # how and on what it was trained, for people

    def to_dict(self) -> dict:
        return {"version": MODEL_VERSION, "ranker": self.ranker.to_dict(), "confidence": self.confidence.to_dict(),
                "threshold": self.threshold, "info": dict(self.info or {})}

    @classmethod
    def from_dict(cls, data: Mapping) -> "Model":
        if not isinstance(data, Mapping) or data.get("version") != MODEL_VERSION:
            raise RerankModelError(f"the reranker model is not version {MODEL_VERSION}; "
                                   "retrain it with benchmarks/train_rerank.py")
        try:
            return cls(Linear.from_dict(data["ranker"], FEATURES),
                       Linear.from_dict(data["confidence"], CONFIDENCE_FEATURES),
                       float(data.get("threshold", 0.5)), dict(data.get("info") or {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise RerankModelError(f"the reranker model is malformed ({type(exc).__name__}: {exc}); "
                                   "retrain it with benchmarks/train_rerank.py") from None

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "Model":
        """Read a model saved as JSON (plain numbers: loading it runs no code)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise RerankModelError(f"cannot read the reranker model {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise RerankModelError(f"the reranker model {path} is not JSON: {exc}") from None
        return cls.from_dict(data)


def _columns(model_names: Sequence[str], names: Sequence[str]) -> list[int]:
    where = {n: i for i, n in enumerate(names)}
    return [where[n] for n in model_names]


class Reranker:
    """The second stage: give it a question and the first stage's candidates, get them reordered."""

    def __init__(self, model: Model, stats: CorpusStats, curated: bool = False) -> None:
        self.model = model
        self.stats = stats
        self.curated = curated  # maintainers wrote questions for the passages (their words are then telling)
        self._ranker_columns = _columns(model.ranker.names, FEATURES)
        self._confidence_columns = _columns(model.confidence.names, CONFIDENCE_FEATURES)

    def rank(self, question: str, candidates: Sequence[Candidate], content_words: Sequence[str] | None = None,
             expansions: Sequence[tuple[str, Sequence[str]]] = ()) -> Reranking:
        """Reorder candidates (given best first by the first stage) and give each a probability.

        `content_words` are the question's words as the first stage read them (spelling corrected,
        stop words out); without them the question's own content words are used. `expansions` are the
        synonyms and acronyms the first stage added: (the user's phrase, the phrases meaning the same).
        """
        if not candidates:
            return Reranking((), (), ())
        x = features(question, candidates, self.stats, content_words, expansions, self.curated)
        scores = self.model.ranker(x[:, self._ranker_columns])
        return Reranking(*rerank_from_scores(self.model, x, scores, self._confidence_columns))


def confidence_rows(x: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The confidence model's inputs: each candidate's ranking score, its lead over the best other
    candidate (negative when it is not first), and its own features."""
    if len(scores) > 1:
        top2 = np.sort(scores)[-2:]
        others = np.where(scores >= top2[1], top2[0], top2[1])
    else:
        others = scores - 1.0  # a lone candidate leads by a fixed margin (its ranker score decides)
    return np.column_stack([scores, scores - others, x])


def rerank_from_scores(model: Model, x: np.ndarray, scores: np.ndarray,
                       columns: Sequence[int] | None = None) -> tuple[tuple[int, ...], tuple[float, ...], tuple[float, ...]]:
    """Order by ranking score (ties keep the first stage's order) and turn scores into probabilities."""
    order = tuple(int(i) for i in np.lexsort((np.arange(len(scores)), -scores)))
    rows = confidence_rows(x, scores)
    if columns is None:
        columns = _columns(model.confidence.names, CONFIDENCE_FEATURES)
    logits = model.confidence(rows[:, columns])
    probabilities = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
    return order, tuple(float(s) for s in scores), tuple(float(p) for p in probabilities)


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The model shipped beside this module, read once."""
    return Model.load(MODEL_FILE)
