"""The second stage's reading of a question, once for all its candidates: its stems and how rare each
is, the phrases an expansion may stand in for, and which of them a passage speaks to."""

from __future__ import annotations

import math
import re
from typing import Callable, NamedTuple, Sequence

from ..text import negated, normalise, stem, words
from .rerank_text import asked_kind, content


class CorpusStats:
    """How many passages use each stem, so rare words weigh more (BM25's idf).

    `df` returns the number of passages holding a stem (0 when none does); the first stage's index
    already knows this, so nothing is counted again at start (see `from_index`).
    """

    def __init__(self, n_docs: int, df: Callable[[str], int]) -> None:
        self.n_docs = max(1, n_docs)
        self.df = df
        self.max_idf = self.idf_of(0)

    def idf_of(self, df: int) -> float:
        """The idf of a stem that so many passages use."""
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def idf(self, stem_: str) -> float:
        """A stem's idf; a stem no passage uses gets the highest."""
        return self.idf_of(self.df(stem_))

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> "CorpusStats":
        """Count stems in passage texts (for tests and small corpora)."""
        counts: dict[str, int] = {}
        for text in texts:
            for s in set(content(text)[1]):
                counts[s] = counts.get(s, 0) + 1
        return cls(len(texts), lambda s: counts.get(s, 0))

    @classmethod
    def from_index(cls, index) -> "CorpusStats":
        """Read document frequencies from the first stage's index (its posting-list lengths), free at start."""
        vocabulary, indptr = index.vocabulary, index.indptr

        def df(s: str) -> int:
            col = vocabulary.get(s)
            return 0 if col is None else indptr.item(col + 1) - indptr.item(col)  # Python ints, no numpy scalars

        return cls(index.n_docs, df)


_CAPITALISED_WORD = re.compile(r"(?<=[\w,;:'\"] )[A-Z][\w'-]*")


class Question(NamedTuple):
    """A question read once for all candidates: its stems and idf, expansions, bigrams, words and the kind asked."""
    # A NamedTuple: made on every reranked question, in a fraction of a sixteen-field frozen dataclass's time.

    stems: tuple[str, ...]
    idf: dict
    total: float
    known_total: float
    alternatives: tuple  # (the question stems of a phrase, the stem sets that mean the same), per expansion
    rarest: tuple[str, ...]
    bigrams: frozenset
    every: tuple[str, ...]
    every_ids: tuple[int, ...]  # each of `every` as an index into its distinct words (texts are matched on these)
    word_ids: dict  # a distinct word of `every` -> its index
    folded: frozenset
    kind: str
    opening: str
    unknown_share: float
    unknown_name: bool
    negated: bool = False  # asked in the negative ('who did not...')


_OPENINGS = ("what", "when", "where", "who", "whom", "whose", "why", "how", "which")


def opening(every: Sequence[str]) -> str:
    """The question word a question turns on ('why', 'how', ...), or '' for a yes/no question or keywords."""
    return next((w for w in every if w in _OPENINGS), "")


def read_question(question: str, content_words: Sequence[str] | None,
                  expansions: Sequence[tuple[str, Sequence[str]]], stats: CorpusStats) -> Question:
    """Read a question once: its stems (the first stage's words when given), their idf, its expansions."""
    every, own = content(question)
    if content_words is not None:
        own = tuple(stem(w) for w in content_words)
    stems = tuple(dict.fromkeys(own))
    alternatives, meanings = _alternatives(stems, expansions)
    idf, unknown = _idf(stems, meanings, stats)
    total = sum(idf.values())
    unknown_idf = sum(idf[s] for s in unknown)
    rarest = tuple(sorted((s for s in stems if s not in unknown), key=lambda s: -idf[s])[:2])
    capitalised = {stem(normalise(w)) for w in _CAPITALISED_WORD.findall(question)} if unknown else set()
    word_ids = {w: n for n, w in enumerate(dict.fromkeys(every))}
    written = words(question)
    return Question(stems, idf, total, total - unknown_idf, alternatives, rarest,
                    frozenset(zip(own, own[1:])), every, tuple(word_ids[w] for w in every), word_ids,
                    frozenset(written), asked_kind(question), opening(written), unknown_idf / total if total else 0.0,
                    any(s in capitalised for s in unknown), negated(question))


def _alternatives(stems: tuple[str, ...], expansions: Sequence[tuple[str, Sequence[str]]]) -> tuple[tuple, dict]:
    """Per expansion, the question stems of its phrase and the stem sets meaning the same; and per stem,
    every stem that may stand in for it."""
    alternatives, meanings = [], {}
    for phrase, added in expansions:
        own = tuple(s for s in (content(phrase)[1] or tuple(stem(w) for w in words(phrase))) if s in stems)
        others = tuple(frozenset(content(a)[1]) for a in added if content(a)[1])
        if own and others:
            alternatives.append((own, others))
            for s in own:
                meanings.setdefault(s, set()).update(*others)
    return tuple(alternatives), meanings


def _idf(stems: tuple[str, ...], meanings: dict, stats: CorpusStats) -> tuple[dict, list]:
    """Each stem's idf, and the stems no passage uses (neither they nor a stand-in)."""
    idf, unknown = {}, []
    for s in stems:
        df = stats.df(s)
        if df > 0:
            idf[s] = stats.idf_of(df)
            continue
        known = [stats.idf(a) for a in meanings.get(s, ()) if stats.df(a) > 0]
        if known:  # a word the passages never use, but an expansion they do: as rare as its stand-ins
            idf[s] = sum(known) / len(known)
        else:
            idf[s] = stats.max_idf
            unknown.append(s)
    return idf, unknown


def matched(q: Question, present: frozenset) -> frozenset:
    """The question stems a passage speaks to: by the word itself, or by every word of a phrase meaning
    the same ('weapons of mass destruction' for 'non-proliferation'; 'arms' alone is not enough)."""
    found = [s for s in q.stems if s in present]
    for own, others in q.alternatives:
        if any(other <= present for other in others):
            found.extend(own)
    return frozenset(found)
