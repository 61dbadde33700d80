"""The second stage's features: how a candidate passage, its neighbours and its section speak to a
question (coverage of rare words, closeness and order, the kind of fact, leaning on the sentence
before), one row of FEATURES per candidate. Plain data in, a numpy array out."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .rerank_batch import Batch, Candidate, Gatherer
from .rerank_question import CorpusStats, read_question
from .rerank_text import KINDS

__all__ = ["FEATURES", "Candidate", "Gatherer", "features"]

FEATURES = (
    "first_score", "first_share", "first_rank", "cover", "cover_known", "bm25", "window_cover", "window2_cover",
    "context_gain", "previous_cover", "leaning", "leaning_previous", "rarest", "proximity", "bigrams", "phrase",
    "length", "fresh", "section_cover", "questions_cover", "questions_same_ask", "kind_fit", *(f"fit_{k}" for k in KINDS),
    "asks_kind", *(f"asks_{k}" for k in KINDS), "unknown_share", "unknown_name", "question_length",
    "curated", "curated_first", "curated_unknown", "curated_kind_miss", "curated_cover", "first_floor",
    "curated_floor", "paragraph_cover", "paragraph_bm25", "candidates", "curated_keywords", "defines",
    "curated_rank", "cover_family", "negation_missed",
)


def features(question: str, candidates: Sequence[Candidate], stats: CorpusStats,
             content_words: Sequence[str] | None = None,
             expansions: Sequence[tuple[str, Sequence[str]]] = (), curated: bool = False,
             words: Gatherer | None = None) -> np.ndarray:
    """One row of FEATURES per candidate (see the module docstring for what they measure); `words` reads the
    passages from what it kept (rerank_store.PassageWords), else each text is read here."""
    q = read_question(question, content_words, expansions, stats)
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    return np.array(Batch(q, candidates, curated, words).rows(), dtype=float)
