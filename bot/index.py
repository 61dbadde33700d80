"""TF-IDF retrieval over passages: build with scikit-learn, save without pickle, search posting lists.

Scoring, written out: a passage d and a query q are vectors over index terms (word stems and
adjacent-stem bigrams). The passage weight of term t is

    w(d, t) = (1 + ln tf(d, t)) * idf(t),   idf(t) = ln((1 + n) / (1 + df(t))) + 1

l2-normalised over the passage (scikit-learn's TfidfVectorizer with sublinear_tf=True). The query
vector uses the same formula times a per-term weight (1 for the user's own words, less for
expansions), normalised over the query's words, where a word the knowledge has never seen
counts with the highest idf: a question about something the knowledge does not mention
scores low instead of matching on its one familiar word. The score is the dot product, a cosine in
[0, 1]. Only the columns (posting lists) of the query's terms are read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from .knowledge import Passage
from .text import content_words, terms, words

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass(frozen=True)
class IndexSettings:
    """What the index is built from; part of its fingerprint so a change forces a rebuild."""

    bigrams: bool = True
    sublinear_tf: bool = True
    index_sections: bool = True
    index_questions: bool = True


@dataclass(frozen=True)
class Match:
    """One scored passage position from a search."""

    position: int
    score: float


def passage_features(passage: Passage, settings: IndexSettings) -> list[str]:
    """The index terms of a passage: its text, and optionally its section heading and questions."""
    parts = [passage.text]
    if settings.index_sections and passage.section:
        parts.append(passage.section)
    if settings.index_questions:
        parts.extend(passage.questions)
    features: list[str] = []
    for part in parts:
        tokens = content_words(part)
        features.extend(terms(tokens) if settings.bigrams else terms(tokens)[: len(tokens)])
    return features


def fingerprint(passages: Sequence[Passage], settings: IndexSettings) -> str:
    """A hash of everything the index depends on: passages, settings and the format version."""
    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT_VERSION, asdict(settings)]).encode())
    for p in passages:
        digest.update(json.dumps([p.id, p.text, p.section, list(p.questions)], ensure_ascii=False).encode())
    return digest.hexdigest()[:32]


class TfidfIndex:
    """An inverted TF-IDF index: term columns stored as compressed posting lists."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
                 data: np.ndarray, n_docs: int, word_counts: dict[str, int], settings: IndexSettings, key: str) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.n_docs = n_docs
        self.word_counts = word_counts
        self.settings = settings
        self.fingerprint = key
        self.max_idf = math.log((1 + n_docs) / 1) + 1

    @classmethod
    def build(cls, passages: Sequence[Passage], settings: IndexSettings = IndexSettings()) -> "TfidfIndex":
        """Fit TF-IDF weights over the passages (scikit-learn) and keep them as posting lists."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        features = [passage_features(p, settings) for p in passages]
        vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=settings.sublinear_tf, norm="l2",
                                     smooth_idf=True, dtype=np.float32)
        if any(features):
            matrix = vectorizer.fit_transform(features).tocsc()
            vocabulary = {term: int(col) for term, col in vectorizer.vocabulary_.items()}
            idf = vectorizer.idf_.astype(np.float32)
            indptr, indices, data = matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), matrix.data
        else:  # only stop words: a defined, empty index rather than scikit-learn's error
            vocabulary, idf = {}, np.zeros(0, np.float32)
            indptr, indices, data = np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32)
        word_counts: dict[str, int] = {}
        for p in passages:
            for part in (p.text, p.section, *p.questions):
                for w in words(part):
                    word_counts[w] = word_counts.get(w, 0) + 1
        return cls(vocabulary, idf, indptr, indices, data.astype(np.float32), len(passages), word_counts, settings,
                   fingerprint(passages, settings))

    def idf_of(self, term: str) -> float:
        """The idf of a term, or the highest possible idf for a term no passage contains."""
        col = self.vocabulary.get(term)
        return float(self.idf[col]) if col is not None else self.max_idf

    def search(self, weights: Mapping[str, float], norm_terms: Iterable[str], k: int) -> list[Match]:
        """Score passages against weighted query terms and return the k best, best first.

        `weights` maps index terms to their query weight (before idf); `norm_terms` are the
        query's own words, whose idf sets the query's length, so unknown words lower the score.
        """
        norm_sq = sum(self.idf_of(t) ** 2 for t in norm_terms)
        cols, factors = [], []
        for term, weight in weights.items():
            col = self.vocabulary.get(term)
            if col is not None and weight > 0:
                cols.append(col)
                factors.append(weight * float(self.idf[col]))
        if not cols or norm_sq <= 0:
            return []
        scale = 1.0 / math.sqrt(norm_sq)
        starts, ends = self.indptr[cols], self.indptr[np.asarray(cols) + 1]
        if len(cols) == 1:
            docs = self.indices[starts[0]:ends[0]]
            values = self.data[starts[0]:ends[0]] * (factors[0] * scale)
        else:
            docs = np.concatenate([self.indices[s:e] for s, e in zip(starts, ends)])
            values = np.concatenate([self.data[s:e] * (f * scale) for s, e, f in zip(starts, ends, factors)])
            docs, inverse = np.unique(docs, return_inverse=True)
            values = np.bincount(inverse, weights=values)
        if len(docs) > k:
            top = np.argpartition(-values, k - 1)[:k]
        else:
            top = np.arange(len(docs))
        order = top[np.lexsort((docs[top], -values[top]))]
        return [Match(int(docs[i]), min(1.0, float(values[i]))) for i in order]

    def save(self, folder: Path) -> None:
        """Write the index as .npz arrays plus JSON (no pickle), atomically, beside the knowledge."""
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT_VERSION, "fingerprint": self.fingerprint, "n_docs": self.n_docs,
                "settings": asdict(self.settings), "terms": sorted(self.vocabulary, key=self.vocabulary.__getitem__),
                "word_counts": self.word_counts}
        _atomic_write(folder / "index.npz", lambda f: np.savez(f, idf=self.idf, indptr=self.indptr,
                                                              indices=self.indices, data=self.data))
        _atomic_write(folder / "index.json", lambda f: f.write(json.dumps(meta, ensure_ascii=False).encode()))

    @classmethod
    def load(cls, folder: Path, expected: str) -> "TfidfIndex | None":
        """Load a saved index if it matches the expected fingerprint; None when missing or stale."""
        try:
            meta = json.loads((folder / "index.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT_VERSION or meta.get("fingerprint") != expected:
                return None
            with np.load(folder / "index.npz", allow_pickle=False) as arrays:
                idf, indptr, indices, data = (arrays[k] for k in ("idf", "indptr", "indices", "data"))
        except (OSError, ValueError, KeyError) as exc:
            log.info("saved index unusable, rebuilding: %s", exc)
            return None
        vocabulary = {term: i for i, term in enumerate(meta["terms"])}
        return cls(vocabulary, idf, indptr, indices, data, int(meta["n_docs"]), meta["word_counts"],
                   IndexSettings(**meta["settings"]), meta["fingerprint"])


def _identity(features: list[str]) -> list[str]:
    return features


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_or_build(passages: Sequence[Passage], cache: Path | None, settings: IndexSettings = IndexSettings()) -> TfidfIndex:
    """Use the saved index when it is fresh; otherwise build one and try to save it for next time."""
    key = fingerprint(passages, settings)
    if cache is not None:
        index = TfidfIndex.load(cache, key)
        if index is not None:
            return index
    index = TfidfIndex.build(passages, settings)
    if cache is not None:
        try:
            index.save(cache)
        except OSError as exc:  # a read-only knowledge folder still serves, it just rebuilds each start
            log.warning("could not save the index to %s: %s", cache, exc.strerror or exc)
    return index
