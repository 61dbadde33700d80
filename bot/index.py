"""TF-IDF retrieval over passages: build with numpy, save without pickle, search posting lists.

Scoring, written out: a passage d and a query q are vectors over index terms (word stems, and
adjacent-stem bigrams when IndexSettings.bigrams is on). The passage weight of term t is

    w(d, t) = f(tf(d, t)) * idf(t) / norm(d)
    f(tf)   = tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / mean_len))   BM25 saturation (k1 > 0)
              or 1 + ln tf                                                  (k1 = 0: sublinear tf)
    idf(t)  = ln(1 + (n - df + 0.5) / (df + 0.5))                           "bm25"
              or ln((1 + n) / (1 + df)) + 1                                 "smooth" (scikit-learn's)
    norm(d) = (1 - slope) * mean_l2 + slope * l2(d)                         pivoted; slope 1 = cosine

where l2(d) is the length of the passage's unnormalised vector. The query weight of a term is its
per-term weight u(t) (1 for the user's own words, less for expansions) times idf(t) ** query_idf,
divided by the length of the query's own words' vector, where a word the knowledge has never seen
counts with the highest idf: a question about something the knowledge does not mention scores
low instead of matching on its one familiar word. The score is the dot product, clipped to 1.

The defaults (k1 1.2, b 0.75, bm25 idf, query_idf 0, slope 0) make the ranking BM25's, scaled by
the mean passage length so that scores stay near the cosine's range; with k1 0, smooth idf,
query_idf 1 and slope 1 it is the cosine of scikit-learn's TfidfVectorizer(sublinear_tf=True).
They were chosen on the Debian corpus and the seed evaluation together (README, Performance):
the cosine buries long bulk passages. Only the posting lists of the query's terms are read.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import logging
import math
import os
import stat
import tempfile
import zipfile
from array import array
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from .knowledge import Passage
from .text import STOP_WORDS, stem, terms, words

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
INDEX_FILE = "index.npz"


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
        name = "tfidf" if all(len(p.text) <= fact_limit for p in passages) else "bm25"
    return SCORING[name]


@dataclass(frozen=True)
class Match:
    """One scored passage position from a search."""

    position: int
    score: float


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
    for found in parts:
        tokens = [w for w in found if w not in STOP_WORDS]
        features.extend(terms(tokens) if settings.bigrams else [stem(w) for w in tokens])
    if word_counts is not None:
        for found in (text, section, *questions):
            word_counts.update(found)
    return features


def fingerprint(passages: Sequence[Passage], settings: IndexSettings) -> str:
    """A hash of everything the index depends on: passages, settings and the format version."""
    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT_VERSION, asdict(settings)]).encode())
    # Each passage's fields, prefixed by their lengths so no two different passage lists hash alike.
    chunks = []
    for p in passages:
        fields = (p.id, p.text, p.section, *p.questions)
        chunks.append(",".join(str(len(f)) for f in fields) + ";" + "".join(fields))
    digest.update("\n".join(chunks).encode("utf-8", "surrogatepass"))
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
        self.max_idf = float(_idf(np.zeros(1), n_docs, settings.idf)[0])
        # The query side weighs a term by idf ** query_idf (1: the textbook cosine; lower: rare words
        # count less twice over, once in the passage and once in the query).
        self.query_idf = idf.astype(np.float64) ** settings.query_idf
        self.max_query_idf = self.max_idf ** settings.query_idf
        # Plain buffers over the same memory: reading one number from them costs a tenth of
        # indexing the numpy array, which matters for the few lookups every answer makes.
        self._idf_items, self._starts = memoryview(idf), memoryview(indptr)
        self._postings, self._values = memoryview(indices), memoryview(data)

    @classmethod
    def build(cls, passages: Sequence[Passage], settings: IndexSettings = IndexSettings(),
              key: str | None = None) -> "TfidfIndex":
        """Weigh every passage's terms and keep them as posting lists (numpy only: no scikit-learn to import).

        One tokenisation pass feeds the terms and the speller's word counts. With k1 0, smooth idf,
        bigram weight 1 and slope 1 the weights are scikit-learn's TfidfVectorizer(sublinear_tf=True).
        `key` is the passages' fingerprint when the caller has already computed it.
        """
        vocabulary: dict[str, int] = {}
        word_counts: Counter[str] = Counter()
        term_ids, counts = array("i"), array("i")  # compact: a list of ints would cost 8x the memory
        lengths = np.zeros(len(passages), dtype=np.int64)
        # setdefault with a running counter gives each new term a (sparse) id inside C loops;
        # the ids are made dense below.
        draw = itertools.count()
        for position, passage in enumerate(passages):
            tf = Counter(passage_features(passage, settings, word_counts))
            term_ids.extend(map(vocabulary.setdefault, tf, draw))
            counts.extend(tf.values())
            lengths[position] = len(tf)
        n_docs, n_terms = len(passages), len(vocabulary)
        dense = np.zeros(len(term_ids) + 1, dtype=np.int32)
        dense[np.fromiter(vocabulary.values(), dtype=np.int64, count=n_terms)] = np.arange(n_terms, dtype=np.int32)
        cols = dense[np.frombuffer(term_ids, dtype=np.int32)]
        del dense, term_ids
        for position, term in enumerate(vocabulary):  # in place: a second dict would double its memory
            vocabulary[term] = position
        # Sort the (term, passage) pairs term-major; stable, so each posting list stays in passage order.
        # float32 and in-place arithmetic below keep the peak memory near a few copies of one array.
        order = np.argsort(cols, kind="stable")
        term_of = cols[order]
        del cols
        indices = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)[order]
        tf = np.frombuffer(counts, dtype=np.int32)[order]
        del order, counts
        df = np.bincount(term_of, minlength=n_terms)
        idf = _idf(df, n_docs, settings.idf).astype(np.float32)
        weights = tf.astype(np.float32)
        if settings.k1 > 0:  # BM25's saturating tf, relative to the passage's length in terms
            length = np.bincount(indices, weights=tf, minlength=n_docs)
            relative = (length / max(float(length.mean()), 1.0)).astype(np.float32)
            denominator = relative[indices]
            denominator *= settings.k1 * settings.b
            denominator += settings.k1 * (1 - settings.b)
            denominator += weights
            weights *= settings.k1 + 1
            weights /= denominator
            del denominator
        elif settings.sublinear_tf:
            np.log(weights, out=weights)
            weights += 1.0
        del tf
        weights *= idf[term_of]
        if settings.bigrams and settings.bigram_weight != 1.0:  # phrase evidence as a bonus, not a rival
            is_bigram = np.fromiter((" " in t for t in vocabulary), dtype=bool, count=n_terms)
            weights[is_bigram[term_of]] *= settings.bigram_weight
        del term_of
        norms = np.sqrt(np.bincount(indices, weights=np.square(weights), minlength=n_docs))
        if settings.slope < 1.0:  # pivoted normalisation: long passages are penalised less than by the cosine
            used = norms[norms > 0]
            pivot = float(used.mean()) if len(used) else 1.0
            norms = (1.0 - settings.slope) * pivot + settings.slope * norms
        norms[norms == 0] = 1.0
        weights /= norms[indices].astype(np.float32)
        data = weights
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return cls(vocabulary, idf, indptr, indices, data, n_docs, dict(word_counts), settings,
                   key or fingerprint(passages, settings))

    def idf_of(self, term: str) -> float:
        """The idf of a term, or the highest possible idf for a term no passage contains."""
        col = self.vocabulary.get(term)
        return self._idf_items[col] if col is not None else self.max_idf

    def has(self, position: int, term: str) -> bool:
        """Whether a passage contains a term: a binary search in the term's posting list (kept in
        passage order), so checking a few terms never tokenises a long passage again."""
        return self._slot(position, term) is not None

    def _slot(self, position: int, term: str) -> int | None:
        """Where a passage sits in a term's posting list, or None when it lacks the term."""
        col = self.vocabulary.get(term)
        if col is None:
            return None
        end = self._starts[col + 1]
        i = bisect.bisect_left(self._postings, position, self._starts[col], end)
        return i if i < end and self._postings[i] == position else None

    def value(self, position: int, term: str) -> float:
        """A passage's stored weight for a term (0 when it lacks the term), by the same binary search."""
        i = self._slot(position, term)
        return 0.0 if i is None else float(self._values[i])

    def query_factor(self, term: str) -> float:
        """How much a query term's match counts before its weight: its query idf (0 when unknown)."""
        col = self.vocabulary.get(term)
        return float(self.query_idf[col]) if col is not None else 0.0

    def query_norm(self, norm_terms: Iterable[str]) -> float:
        """The query's length as `search` measures it: unknown terms count at the highest idf."""
        vocabulary, query_idf = self.vocabulary, self.query_idf
        return math.sqrt(sum((query_idf[vocabulary[t]] if t in vocabulary else self.max_query_idf) ** 2
                             for t in norm_terms))

    def search(self, weights: Mapping[str, float], norm_terms: Iterable[str], k: int) -> list[Match]:
        """Score passages against weighted query terms and return the k best, best first.

        `weights` maps index terms to their query weight (before idf); `norm_terms` are the
        query's own words, whose idf sets the query's length, so unknown words lower the score.
        Equal scores rank in passage order, so the same question always gets the same passages.
        """
        vocabulary, query_idf = self.vocabulary, self.query_idf
        norm = self.query_norm(norm_terms)
        cols, factors = [], []
        for term, weight in weights.items():
            col = vocabulary.get(term)
            if col is not None and weight > 0:
                cols.append(col)
                factors.append(weight * float(query_idf[col]))
        if not cols or norm <= 0:
            return []
        scale = 1.0 / norm
        indptr, indices, data = self.indptr, self.indices, self.data
        if len(cols) == 1:
            start, end = int(indptr[cols[0]]), int(indptr[cols[0] + 1])
            docs, values = indices[start:end], data[start:end] * (factors[0] * scale)
        else:
            at = np.array(cols)
            starts, ends = indptr[at].tolist(), indptr[at + 1].tolist()
            docs = np.concatenate([indices[s:e] for s, e in zip(starts, ends)])
            contributions = np.concatenate([data[s:e] * (f * scale) for s, e, f in zip(starts, ends, factors)])
            scores = np.bincount(docs, weights=contributions, minlength=self.n_docs)  # one C pass, no sort
            # A floor the k-th best score cannot be under: the k-th best among the passages of one
            # posting list holding at least k (the shortest: its rare term tends to pick good ones).
            # Only passages at or above it are ranked, instead of every passage the query touches.
            enough = [(e - s, i) for i, (s, e) in enumerate(zip(starts, ends)) if e - s >= k]
            floor = 0.0
            if len(docs) > 4 * k and enough:
                n, i = min(enough)
                floor = np.partition(scores[indices[starts[i]:ends[i]]], n - k)[n - k]
            docs = np.flatnonzero(scores >= floor) if floor > 0 else np.unique(docs)
            values = scores[docs]
        if len(docs) > 4 * k:  # a cheap cut first, keeping every passage tied with the k-th
            keep = values >= np.partition(values, len(values) - k)[len(values) - k]
            docs, values = docs[keep], values[keep]
        order = np.lexsort((docs, -values))[:k]  # best first; ties in passage order
        return [Match(d, min(1.0, v)) for d, v in zip(docs[order].tolist(), values[order].tolist())]

    def save(self, folder: Path) -> None:
        """Write the index as one .npz of plain arrays (no pickle, nothing that runs code), atomically.

        Terms and words are stored as UTF-8 text joined by newlines (no index term holds one) and
        the settings and fingerprint as JSON text, so one file rename swaps the whole index.
        """
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT_VERSION, "fingerprint": self.fingerprint, "n_docs": self.n_docs,
                "settings": asdict(self.settings)}
        terms_text = "\n".join(sorted(self.vocabulary, key=self.vocabulary.__getitem__))
        arrays = {
            "meta": _text_array(json.dumps(meta)), "terms": _text_array(terms_text),
            "words": _text_array("\n".join(self.word_counts)),
            "word_counts": np.fromiter(self.word_counts.values(), dtype=np.int64, count=len(self.word_counts)),
            "idf": self.idf, "indptr": self.indptr, "indices": self.indices, "data": self.data,
        }
        _atomic_write(folder / INDEX_FILE, lambda f: np.savez(f, **arrays))

    @classmethod
    def load(cls, folder: Path, expected: str) -> "TfidfIndex | None":
        """Load a saved index if it matches the expected fingerprint; None when missing, damaged or stale."""
        try:
            # Only a regular file is read: a FIFO put in its place would block the start for ever (the open does not
            # wait, and the open file is checked, not the path).
            handle = os.fdopen(os.open(folder / INDEX_FILE, os.O_RDONLY | os.O_NONBLOCK), "rb")
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                handle.close()
                log.info("saved index is not a regular file, rebuilding")
                return None
            with handle, np.load(handle, allow_pickle=False) as arrays:
                meta = json.loads(_array_text(arrays["meta"]))
                if meta.get("format") != FORMAT_VERSION or meta.get("fingerprint") != expected:
                    return None
                terms_text, words_text = _array_text(arrays["terms"]), _array_text(arrays["words"])
                counts = _numeric(arrays["word_counts"], "i").tolist()
                idf, data = _numeric(arrays["idf"], "f"), _numeric(arrays["data"], "f")
                indptr, indices = _numeric(arrays["indptr"], "i"), _numeric(arrays["indices"], "i")
            settings = IndexSettings(**meta["settings"])
            n_docs = int(meta["n_docs"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
            log.info("saved index unusable, rebuilding: %s", exc)
            return None
        term_list = terms_text.split("\n") if terms_text else []
        word_list = words_text.split("\n") if words_text else []
        if (len(term_list) != len(idf) or len(indptr) != len(idf) + 1 or len(word_list) != len(counts)
                or len(indices) != len(data) or (len(indptr) and indptr[-1] != len(indices))):
            log.info("saved index inconsistent, rebuilding")
            return None
        vocabulary = dict(zip(term_list, range(len(term_list))))
        return cls(vocabulary, idf, indptr, indices, data, n_docs, dict(zip(word_list, counts)), settings,
                   meta["fingerprint"])


def _idf(df: np.ndarray, n_docs: int, kind: str) -> np.ndarray:
    """Inverse document frequency: "smooth" ln((1 + n) / (1 + df)) + 1, or BM25's ln(1 + (n - df + 0.5) / (df + 0.5))."""
    if kind == "bm25":
        return np.log1p((n_docs - df + 0.5) / (df + 0.5))
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0


def _text_array(text: str) -> np.ndarray:
    """Text as a uint8 array, so it sits in an .npz without pickle."""
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _array_text(array: object) -> str:
    if not isinstance(array, np.ndarray) or array.dtype != np.uint8:
        raise ValueError("a text member is not a byte array")
    return array.tobytes().decode("utf-8")


def _numeric(array: object, kind: str) -> np.ndarray:
    """A saved array, checked to be numeric of the expected kind ('i' integer, 'f' float)."""
    if not isinstance(array, np.ndarray) or array.dtype.kind != kind or array.ndim != 1:
        raise ValueError("an index member has the wrong type")
    return array


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
    index = TfidfIndex.build(passages, settings, key)  # the fingerprint is known: do not hash 22 MB twice
    if cache is not None:
        try:
            index.save(cache)
        except OSError as exc:  # a read-only knowledge folder still serves, it just rebuilds each start
            log.warning("could not save the index to %s: %s", cache, exc.strerror or exc)
    return index
