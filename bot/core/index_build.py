"""Building the index: each passage's terms weighed with numpy into posting lists (formulas in index.py)."""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..kb.model import Passage
from ..text import content_stems, words


@dataclass(frozen=True)
class IndexSettings:
    """What the index is built from; part of its fingerprint so a change forces a rebuild."""

    bigrams: bool = True
    sublinear_tf: bool = True
    index_sections: bool = True
    index_questions: bool = True
    # Pivoted length normalisation (Singhal et al.): a passage vector is divided by
    # (1 - slope) * mean_norm + slope * its_norm. slope = 1 is the plain cosine.
    slope: float = 0.0
    # BM25's term-frequency saturation tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / mean_length))
    # in place of 1 + ln tf when k1 > 0.
    k1: float = 1.2
    b: float = 0.75
    idf: str = "bm25"
    bigram_weight: float = 0.15
    query_idf: float = 0.0


# Named scoring presets (config `retrieval.scoring`). Short curated fact passages rank best by the
# cosine of sublinear TF-IDF (scikit-learn's TfidfVectorizer weighting); long bulk texts of very
# different lengths by BM25, whose length normalisation the cosine lacks (README, Performance).
SCORING = {
    "tfidf": IndexSettings(k1=0.0, idf="smooth", query_idf=1.0, slope=1.0, bigram_weight=0.15),
    "bm25": IndexSettings(),
}


def choose_scoring(name: str, passages: Sequence[Passage], fact_limit: int) -> IndexSettings:
    """The preset for a scoring name; 'auto' is TF-IDF when every passage is a short fact, else BM25."""
    if name == "auto":
        longest = getattr(passages, "longest_text", None)  # a snapshot's passages know it without being built
        short = longest <= fact_limit if longest is not None else all(len(p.text) <= fact_limit for p in passages)
        name = "tfidf" if short else "bm25"
    return SCORING[name]


@dataclass(frozen=True)
class IndexArrays:
    """What a build produces: the term ids, the weights as posting lists, and the speller's word counts."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_docs: int
    word_counts: dict[str, int]


def passage_features(passage: Passage, settings: IndexSettings, word_counts: Counter[str] | None = None) -> list[str]:
    """The index terms of a passage: its text, and optionally its section heading and questions.

    When `word_counts` is given, every word of the passage (its text, section and questions, stop
    words included) is counted into it, so building needs one tokenisation pass, not two.
    """
    text, section = words(passage.text), words(passage.section)
    questions = [words(q) for q in passage.questions]
    parts = [text]
    if settings.index_sections and section:
        parts.append(section)
    if settings.index_questions:
        parts.extend(questions)
    features: list[str] = []
    for found in parts:  # stems, then adjacent-stem bigrams (text.terms), each distinct word stemmed once
        stems = content_stems(found)
        features.extend(stems)
        if settings.bigrams:
            features.extend(map(" ".join, zip(stems, stems[1:])))
    if word_counts is not None:
        for found in (text, section, *questions):
            word_counts.update(found)
    return features


Progress = Callable[[int, int], None]  # told (done, total) now and then during a long step; the front end draws it
PROGRESS_STEPS = 100  # how many times a build reports its progress, at most


def build_arrays(passages: Sequence[Passage], settings: IndexSettings, on_progress: Progress | None = None) -> IndexArrays:
    """Weigh every passage's terms and keep them as posting lists (numpy only: no scikit-learn to import).

    One tokenisation pass feeds the terms and the speller's word counts. With k1 0, smooth idf,
    bigram weight 1 and slope 1 the weights are scikit-learn's TfidfVectorizer(sublinear_tf=True).
    Each large array is dropped as soon as the next is made, so the peak memory stays near a few
    copies of one array (float32 and in-place arithmetic help too). `on_progress` hears the passages counted.
    """
    vocabulary, word_counts, term_ids, counts, lengths = _count_terms(passages, settings, on_progress)
    n_docs, n_terms = len(passages), len(vocabulary)
    cols = _dense_ids(vocabulary, term_ids)
    del term_ids
    # Sort the (term, passage) pairs term-major; stable, so each posting list stays in passage order.
    order = np.argsort(cols, kind="stable")
    term_of = cols[order]
    del cols
    indices = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)[order]
    tf = np.frombuffer(counts, dtype=np.int32)[order]
    del order, counts
    df = np.bincount(term_of, minlength=n_terms)
    idf = idf_values(df, n_docs, settings.idf).astype(np.float32)
    weights = _tf_weights(tf, indices, n_docs, settings)
    del tf
    weights *= idf[term_of]
    if settings.bigrams and settings.bigram_weight != 1.0:  # phrase evidence as a bonus, not a rival
        is_bigram = np.fromiter((" " in t for t in vocabulary), dtype=bool, count=n_terms)
        weights[is_bigram[term_of]] *= settings.bigram_weight
    del term_of
    _normalise(weights, indices, n_docs, settings)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    return IndexArrays(vocabulary, idf, indptr, indices, weights, n_docs, dict(word_counts))


def _count_terms(passages: Sequence[Passage], settings: IndexSettings, on_progress: Progress | None = None) -> tuple:
    """Each passage's term counts as flat arrays: (vocabulary, word counts, term ids, counts, terms per passage)."""
    vocabulary: dict[str, int] = {}
    word_counts: Counter[str] = Counter()
    term_ids, counts = array("i"), array("i")  # compact: a list of ints would cost 8x the memory
    lengths = np.zeros(len(passages), dtype=np.int64)
    # setdefault with a running counter gives each new term a (sparse) id inside C loops;
    # _dense_ids makes the ids dense.
    draw = itertools.count()
    every = max(1, len(passages) // PROGRESS_STEPS)
    for position, passage in enumerate(passages):
        tf = Counter(passage_features(passage, settings, word_counts))
        term_ids.extend(map(vocabulary.setdefault, tf, draw))
        counts.extend(tf.values())
        lengths[position] = len(tf)
        if on_progress is not None and (position + 1) % every == 0:
            on_progress(position + 1, len(passages))
    if on_progress is not None and len(passages) % every:
        on_progress(len(passages), len(passages))
    return vocabulary, word_counts, term_ids, counts, lengths


def _dense_ids(vocabulary: dict[str, int], term_ids: array) -> np.ndarray:
    """The term ids renumbered 0..n-1 in first-seen order, the vocabulary renumbered to match (in place)."""
    n_terms = len(vocabulary)
    dense = np.zeros(len(term_ids) + 1, dtype=np.int32)
    dense[np.fromiter(vocabulary.values(), dtype=np.int64, count=n_terms)] = np.arange(n_terms, dtype=np.int32)
    cols = dense[np.frombuffer(term_ids, dtype=np.int32)]
    # In place (a second dict would double its memory), in C: only values change, so iterating stays valid.
    vocabulary.update(zip(vocabulary, range(n_terms)))
    return cols


def _tf_weights(tf: np.ndarray, indices: np.ndarray, n_docs: int, settings: IndexSettings) -> np.ndarray:
    """f(tf) of every posting: BM25's saturation relative to the passage's length, or 1 + ln tf (index.py)."""
    weights = tf.astype(np.float32)
    if settings.k1 > 0:
        length = np.bincount(indices, weights=tf, minlength=n_docs)
        relative = (length / max(float(length.mean()), 1.0)).astype(np.float32)
        denominator = relative[indices]
        denominator *= settings.k1 * settings.b
        denominator += settings.k1 * (1 - settings.b)
        denominator += weights
        weights *= settings.k1 + 1
        weights /= denominator
    elif settings.sublinear_tf:
        np.log(weights, out=weights)
        weights += 1.0
    return weights


def _normalise(weights: np.ndarray, indices: np.ndarray, n_docs: int, settings: IndexSettings) -> None:
    """Divide each passage's weights by norm(d) = (1 - slope) * mean_l2 + slope * l2(d), in place."""
    norms = np.sqrt(np.bincount(indices, weights=np.square(weights), minlength=n_docs))
    if settings.slope < 1.0:  # pivoted normalisation: long passages are penalised less than by the cosine
        used = norms[norms > 0]
        pivot = float(used.mean()) if len(used) else 1.0
        norms = (1.0 - settings.slope) * pivot + settings.slope * norms
    norms[norms == 0] = 1.0
    weights /= norms[indices].astype(np.float32)


def idf_values(df: np.ndarray, n_docs: int, kind: str) -> np.ndarray:
    """Inverse document frequency: "smooth" ln((1 + n) / (1 + df)) + 1, or BM25's ln(1 + (n - df + 0.5) / (df + 0.5))."""
    if kind == "bm25":
        return np.log1p((n_docs - df + 0.5) / (df + 0.5))
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
