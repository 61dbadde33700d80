"""The second stage's features: how a candidate passage, its neighbours and its section speak to a
question (coverage of rare words, closeness and order, the kind of fact, leaning on the sentence
before), one row of FEATURES per candidate. Plain data in, a numpy array out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence

import numpy as np

from ..text import words
from .rerank_question import CorpusStats, Question, Reading, covered, defines, family, opening, read_question, read_text
from .rerank_text import KINDS, content, holds_kind, leans_back


class Readings(Protocol):
    """Passages read ahead for a question (rerank_store.PassageWords): the readings of those it holds."""

    def readings(self, q: Question, texts: Sequence[str], full: int) -> dict[str, Reading]: ...

BM25_K1 = 1.2
BM25_B = 0.75
PHRASE_CAP = 5  # a run of this many question words or more, copied into a passage, counts the same
FIRST_FLOOR = 0.2  # the first stage's own tuned threshold (the cosine threshold before this stage existed)
# These define the features the shipped model was trained on: changing one means retraining
# (benchmarks/train_rerank.py), so they are constants here, not AnswerSettings.


@dataclass(frozen=True)
class Candidate:
    """One passage the first stage found, as plain data: its text, score and surroundings."""

    text: str
    score: float  # the first stage's score (any scale; the model also sees it relative to the best)
    before: tuple[str, ...] = ()  # the passages just before it in the same section, nearest last
    after: tuple[str, ...] = ()  # the passages just after it in the same section, nearest first
    section: str = ""
    questions: tuple[str, ...] = ()  # questions a maintainer attached to the passage


FEATURES = (
    "first_score", "first_share", "first_rank", "cover", "cover_known", "bm25", "window_cover", "window2_cover",
    "context_gain", "previous_cover", "leaning", "leaning_previous", "rarest", "proximity", "bigrams", "phrase",
    "length", "fresh", "section_cover", "questions_cover", "questions_same_ask", "kind_fit", *(f"fit_{k}" for k in KINDS),
    "asks_kind", *(f"asks_{k}" for k in KINDS), "unknown_share", "unknown_name", "question_length",
    "curated", "curated_first", "curated_unknown", "curated_kind_miss", "curated_cover", "first_floor",
    "curated_floor", "paragraph_cover", "paragraph_bm25", "candidates", "curated_keywords", "defines",
    "curated_rank", "cover_family",
)


def _bm25(q: Question, counts: Mapping[str, int], length: int, mean_length: float) -> float:
    """BM25 of a text for the question's stems, from their counts in it (one found through an
    expansion counts once)."""
    if not length or not q.total:
        return 0.0
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / mean_length)
    idf = q.idf
    return sum(idf[m] * tf * (BM25_K1 + 1) / (tf + norm) for m, tf in counts.items()) / q.total


def _proximity(where: tuple, length: int) -> float:
    """How tightly the question's words sit in the passage: matched words over the span holding them
    (`where`: each question stem's position among the passage's content stems, and the stem)."""
    distinct = len({s for _n, s in where})
    if distinct < 2:
        return 0.0
    have: dict[str, int] = {}
    best, left = length, 0
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


def _bigrams(q: Question, where: tuple) -> int:
    """How many of the question's stem pairs stand next to each other in the passage."""
    bigrams = q.bigrams
    return sum(1 for (n, s), (n2, s2) in zip(where, where[1:]) if n2 == n + 1 and (s, s2) in bigrams)


def _phrase(q: Question, every: tuple[int, ...]) -> float:
    """The longest run of the question's words (stop words included) that the passage repeats, as a share
    of PHRASE_CAP; a run must hold a content word so 'of the' alone does not count. Words are compared as
    q.word_ids (`every`: the passage's words so, -1 where the question has no such word)."""
    asked, words_, idf = q.every_ids, q.every, q.idf
    positions: dict[int, list[int]] = {}
    for n, w in enumerate(every):
        if w >= 0:
            positions.setdefault(w, []).append(n)
    best = 0
    for start, word in enumerate(asked):
        for n in positions.get(word, ()):
            length, content_ = 0, False
            while start + length < len(asked) and n + length < len(every) and asked[start + length] == every[n + length]:
                content_ = content_ or words_[start + length] in idf
                length += 1
            if content_ and length > best:
                best = length
    return min(best, PHRASE_CAP) / PHRASE_CAP


def features(question: str, candidates: Sequence[Candidate], stats: CorpusStats,
             content_words: Sequence[str] | None = None,
             expansions: Sequence[tuple[str, Sequence[str]]] = (), curated: bool = False,
             words: Readings | None = None) -> np.ndarray:
    """One row of FEATURES per candidate (see the module docstring for what they measure); `words` reads the
    passages from what it kept (rerank_store.PassageWords), else each text is read here."""
    q = read_question(question, content_words, expansions, stats)
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    batch = _Batch(q, candidates, curated, words)
    return np.array([batch.row(n, c) for n, c in enumerate(candidates)], dtype=float)


class _Batch:
    """One question's candidates: each text read once, and the values every candidate's row shares."""

    def __init__(self, q: Question, candidates: Sequence[Candidate], curated: bool, words: Readings | None) -> None:
        self.q, self.curated = q, float(curated)
        own = list(dict.fromkeys(c.text for c in candidates))
        self.readings: dict[str, Reading] = {} if words is None else words.readings(
            q, list(dict.fromkeys([*own, *(t for c in candidates for t in (*c.before, *c.after))])), len(own))
        self.own = [self.read(c.text) for c in candidates]
        self.around = [[self.read(t) for t in (*c.before, c.text, *c.after)] for c in candidates]
        self.mean_length = max(1.0, sum(r.length for r in self.own) / len(self.own))
        self.paragraph_lengths = [sum(r.length for r in rs) for rs in self.around]
        self.mean_paragraph = max(1.0, sum(self.paragraph_lengths) / len(self.paragraph_lengths))
        self.best_first = max(c.score for c in candidates) or 1.0
        self.total, self.known_total = q.total or 1.0, q.known_total or 1.0
        self.asks = float(bool(q.kind))
        self.keywords = float(not q.opening and len(q.every) <= 3)  # a bare keyword or two ('Feyzabad', 'DEEP')
        self.question_level = (self.asks, *(float(q.kind == k) for k in KINDS), q.unknown_share,
                               float(q.unknown_name), math.log1p(len(q.stems)))
        self.fitting = tuple(float(q.kind == k) for k in KINDS)  # the fit_<kind> columns of a passage that fits
        self.log_candidates = math.log(len(candidates))
        self.covers: dict[str, float] = {}

    def read(self, text: str) -> Reading:
        """A text's reading for this question, made once."""
        found = self.readings.get(text)
        if found is None:
            found = self.readings[text] = read_text(self.q, *content(text))
        return found

    def share(self, found) -> float:
        """The share of the question's idf mass that the stems found hold."""
        return covered(self.q, found) / self.total

    def cover_of(self, text: str) -> float:
        """The share of the question's idf mass a text's matched stems hold, worked out once per text."""
        found = self.covers.get(text)
        if found is None:
            found = self.covers[text] = self.share(self.read(text).matched)
        return found

    def row(self, n: int, candidate: Candidate) -> tuple:
        """The candidate's features, in the order of FEATURES."""
        q, r = self.q, self.own[n]
        mass = covered(q, r.matched)
        cover = mass / self.total
        fit = holds_kind(q.kind, candidate.text, q.folded) if q.kind else False
        floor = float(candidate.score >= FIRST_FLOOR)
        curated = self.curated
        return (candidate.score, candidate.score / self.best_first, 1.0 / (n + 1), cover,
                mass / self.known_total, _bm25(q, r.counts, r.length, self.mean_length),
                *self._context(candidate, r, cover), *self._order(candidate, r), *self._maintained(candidate),
                float(fit), *(self.fitting if fit else (0.0,) * len(KINDS)), *self.question_level,
                curated, curated * candidate.score, curated * q.unknown_share, curated * (self.asks - fit),
                curated * cover, floor, curated * floor, *self._paragraph(n),
                self.log_candidates, curated * self.keywords,
                float(defines(q, r.present)) if q.alternatives else 0.0, curated / (n + 1),
                self.share(r.matched | family(q, r.matched, r.heads)))

    def _context(self, candidate: Candidate, r: Reading, cover: float) -> tuple:
        """window_cover, window2_cover, context_gain, previous_cover, leaning, leaning_previous."""
        before, after = candidate.before, candidate.after
        previous = self.read(before[-1]).matched if before else frozenset()
        following = self.read(after[0]).matched if after else frozenset()
        wide = r.matched | previous | following
        wide2 = wide.union(*(self.read(t).matched for t in (*before[-2:-1], *after[1:2])))
        window_cover, previous_cover = self.share(wide), self.cover_of(before[-1]) if before else 0.0
        leaning = float(leans_back(candidate.text))
        return (window_cover, self.share(wide2), window_cover - cover, previous_cover, leaning,
                leaning * previous_cover)

    def _order(self, candidate: Candidate, r: Reading) -> tuple:
        """rarest, proximity, bigrams, phrase, length, fresh."""
        q, found, where = self.q, r.matched, r.where
        bigrams = q.bigrams
        return (sum(1 for s in q.rarest if s in found) / (len(q.rarest) or 1),
                _proximity(where, r.length) if len(found) > 1 else 0.0,
                _bigrams(q, where) / len(bigrams) if bigrams else 0.0,
                _phrase(q, r.word_ids) if found else 0.0, math.log1p(r.length), math.log1p(r.length - len(where)))

    def _maintained(self, candidate: Candidate) -> tuple:
        """section_cover, questions_cover, questions_same_ask: what the maintainers wrote around it."""
        asked = same_ask = 0.0
        for attached in candidate.questions:
            value = self.cover_of(attached)
            asked = max(asked, value)
            if opening(words(attached)) == self.q.opening:
                same_ask = max(same_ask, value)
        return self.cover_of(candidate.section), asked, same_ask

    def _paragraph(self, n: int) -> tuple:
        """paragraph_cover, paragraph_bm25: the candidate with its neighbours as one text."""
        readings = self.around[n]
        counts: dict[str, int] = {}
        for x in readings:
            for m, tf in x.counts.items():
                counts[m] = counts.get(m, 0) + tf
        found = frozenset().union(*(x.matched for x in readings if x.matched))  # (an empty set adds nothing)
        return self.share(found), _bm25(self.q, counts, self.paragraph_lengths[n], self.mean_paragraph)
