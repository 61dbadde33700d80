"""Building the index: each passage's terms weighed with numpy into posting lists (formulas in index.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..kb.model import Passage
from ..text import content_stems, words
from .index_count import Progress, count_terms
from .index_words import TextWords


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
    # BM25F's weighted term count: a word of the passage's section heading counts this much of a word of its text
    # (tf = tf_text + section_weight * tf_heading). 1: one bag of words, as BM25 is tuned on the Debian corpus.
    section_weight: float = 1.0


# Named scoring presets (config `retrieval.scoring`). Short curated fact passages rank best by the
# cosine of sublinear TF-IDF (scikit-learn's TfidfVectorizer weighting); long bulk texts of very
# different lengths by BM25, whose length normalisation the cosine lacks (README, Performance).
SCORING = {
    # A heading is shared by every passage of its section: its word is context, and counting it as a word of each
    # passage's own text let it outrank the passage that says the word (docs/quality-experiments.md, "Pseudo-relevance
    # feedback"): tuning documents 146 -> 148 of 220 from 0.9 to 0.5, Mongolia and SQuAD unchanged from 0.9 to 0.8.
    "tfidf": IndexSettings(k1=0.0, idf="smooth", query_idf=1.0, slope=1.0, bigram_weight=0.15, section_weight=0.85),
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

    vocabulary: Mapping[str, int]  # term -> column (a KeyTable)
    idf: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_docs: int
    word_counts: dict[str, int]
    text_words: TextWords  # every text's words as the build read them, for the second stage


def passage_features(passage: Passage, settings: IndexSettings, word_counts: Counter[str] | None = None) -> list[str]:
    """The index terms of a passage: its text, and optionally its section heading and questions.

    This is the definition; a build counts the same terms for every passage at once (index_count.py).
    When `word_counts` is given, every word of the passage (its text, section and questions, stop
    words included) is counted into it, as a build counts them for the speller.
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


def build_arrays(passages: Sequence[Passage], settings: IndexSettings, on_progress: Progress | None = None) -> IndexArrays:
    """Weigh every passage's terms and keep them as posting lists (numpy only: no scikit-learn to import).

    One tokenisation pass feeds the terms and the speller's word counts (index_count.py). With k1 0,
    smooth idf, bigram weight 1 and slope 1 the weights are scikit-learn's TfidfVectorizer(sublinear_tf=True).
    Each large array is dropped as soon as the next is made, so the peak memory stays near a few
    copies of one array (float32 and in-place arithmetic help too). `on_progress` hears the passages counted.
    """
    counted = count_terms(passages, settings, on_progress)
    n_docs, n_terms = len(passages), len(counted.vocabulary)
    term_of, indices = counted.term_of, counted.indices
    df = np.bincount(term_of, minlength=n_terms)
    idf = idf_values(df, n_docs, settings.idf).astype(np.float32)
    weights = _tf_weights(counted.tf, indices, n_docs, settings, counted.heading_tf)
    weights *= idf[term_of]
    if settings.bigrams and settings.bigram_weight != 1.0:  # phrase evidence as a bonus, not a rival
        weights[counted.is_bigram[term_of]] *= settings.bigram_weight
    _normalise(weights, indices, n_docs, settings)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    return IndexArrays(counted.vocabulary, idf, indptr, indices, weights, n_docs, counted.word_counts,
                       counted.text_words)


def _tf_weights(tf: np.ndarray, indices: np.ndarray, n_docs: int, settings: IndexSettings,
                heading_tf: np.ndarray | None = None) -> np.ndarray:
    """f(tf) of every posting, tf counting a heading's word section_weight times (given `heading_tf`, the heading's
    share of each tf): BM25's saturation relative to the passage's length, or 1 + ln tf (tf itself under 1) (index.py)."""
    weights = tf.astype(np.float32)
    if heading_tf is not None:
        weights -= np.float32(1.0 - settings.section_weight) * heading_tf
    if settings.k1 > 0:
        length = np.bincount(indices, weights=weights, minlength=n_docs)
        relative = (length / max(float(length.mean()), 1.0)).astype(np.float32)
        denominator = relative[indices]
        denominator *= settings.k1 * settings.b
        denominator += settings.k1 * (1 - settings.b)
        denominator += weights
        weights *= settings.k1 + 1
        weights /= denominator
    elif settings.sublinear_tf and heading_tf is not None:  # a heading's word alone counts under 1: f(tf) = tf there
        weights = np.where(weights < 1, weights, np.log(np.maximum(weights, 1)) + 1).astype(np.float32)
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
