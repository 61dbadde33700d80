"""TF-IDF retrieval over passages: every scoring formula of the bot, over posting lists.

Scoring, written out: a passage d and a query q are vectors over index terms (word stems, and
adjacent-stem bigrams when IndexSettings.bigrams is on). The passage weight of term t is

    w(d, t) = f(tf(d, t)) * idf(t) / norm(d)
    tf(d, t) = tf_text(d, t) + section_weight * tf_heading(d, t)            BM25F's weighted count (heading: section)
    f(tf)   = tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / mean_len))   BM25 saturation (k1 > 0)
              or 1 + ln tf, and tf itself under 1                           (k1 = 0: sublinear tf)
    idf(t)  = ln(1 + (n - df + 0.5) / (df + 0.5))                           "bm25"
              or ln((1 + n) / (1 + df)) + 1                                 "smooth" (scikit-learn's)
    norm(d) = (1 - slope) * mean_l2 + slope * l2(d)                         pivoted; slope 1 = cosine

where l2(d) is the length of the passage's unnormalised vector (index_build.py computes it). The
query weight of a term is its per-term weight u(t) (1 for the user's own words, less for
expansions) times idf(t) ** query_idf, divided by the length of the query's own words' vector,
where a word the knowledge has never seen counts with the highest idf: a question about
something the knowledge does not mention scores low instead of matching on its one familiar
word. The score is the dot product, clipped to 1, times the question's known share:

    score(d, q) = min(1, sum_t u(t) * qidf(t) * w(d, t) / |q|) * known(q)
    known(q)    = sqrt(K / (K + n_unknown * (unknown_weight * max_idf) ** 2)),  K = sum_{t known} idf(t) ** 2

With expansions offering several alternatives (grouped rescoring), each expansion counts once,
by its best alternative in the passage, instead of once per alternative term.

The defaults (k1 1.2, b 0.75, bm25 idf, query_idf 0, slope 0) make the ranking BM25's, scaled by
the mean passage length so that scores stay near the cosine's range; with k1 0, smooth idf,
query_idf 1 and slope 1 it is the cosine of scikit-learn's TfidfVectorizer(sublinear_tf=True).
They were chosen on the Debian corpus and the seed evaluation together (README, Performance):
the cosine buries long bulk passages. Only the posting lists of the query's terms are read.
"""

from __future__ import annotations

import bisect
import math
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from ..kb.model import Passage
from .index_build import IndexSettings, Progress, build_arrays, idf_values
from .index_words import TextWords

__all__ = ["Match", "TfidfIndex"]

# When more than WEAK_FLOOR x k passages pass the first floor (a short list of weak matches set it), the
# next shortest lists, FLOOR_BUDGET postings in all, raise it: ranking thousands of passages cost a
# tail question more than reading a few short lists again. Neither changes a ranking, only its cost.
WEAK_FLOOR = 32
FLOOR_BUDGET = 2048

# A group of expansion alternatives as the index reads it: (weight, alternatives as tuples of terms).
Group = tuple[float, tuple[tuple[str, ...], ...]]


class Match(NamedTuple):
    """One scored passage position from a search (a named tuple, as bm25s returns: made ten times per
    question, at a third of a frozen dataclass's cost)."""

    position: int
    score: float


class TfidfIndex:
    """An inverted TF-IDF index: term columns stored as compressed posting lists."""

    def __init__(self, vocabulary: Mapping[str, int], idf: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
                 data: np.ndarray, n_docs: int, word_counts: Mapping[str, int], settings: IndexSettings,
                 key: str, text_words: TextWords | None = None) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.n_docs = n_docs
        self.word_counts = word_counts
        self.settings = settings
        self.fingerprint = key
        self.text_words = text_words  # the passage texts' words as the build read them (None: not kept)
        self.max_idf = float(idf_values(np.zeros(1), n_docs, settings.idf)[0])
        # The query side weighs a term by idf ** query_idf (1: the textbook cosine; lower: rare words
        # count less twice over, once in the passage and once in the query).
        self.query_idf = idf.astype(np.float64) ** settings.query_idf
        self.max_query_idf = self.max_idf ** settings.query_idf
        # Plain buffers over the same memory: reading one number from them costs a tenth of
        # indexing the numpy array, which matters for the few lookups every answer makes.
        self._idf_items, self._starts = memoryview(idf), memoryview(indptr)
        self._postings, self._values = memoryview(indices), memoryview(data)
        self._query_idf_items = memoryview(self.query_idf)

    @classmethod
    def build(cls, passages: Sequence[Passage], settings: IndexSettings = IndexSettings(),
              key: str | None = None, on_progress: Progress | None = None) -> "TfidfIndex":
        """Weigh every passage's terms into posting lists (index_build.py); `key` is the passages'
        fingerprint when the caller has already computed it; `on_progress` hears (passages done, total)."""
        from .index_file import fingerprint

        a = build_arrays(passages, settings, on_progress)
        return cls(a.vocabulary, a.idf, a.indptr, a.indices, a.data, a.n_docs, a.word_counts, settings,
                   key or fingerprint(passages, settings), a.text_words)

    def save(self, folder: Path) -> None:
        """Write the index as plain .npy arrays, whole or not at all (index_file.py)."""
        from .index_file import save_index

        save_index(self, folder)

    @classmethod
    def load(cls, folder: Path, expected: str) -> "TfidfIndex | None":
        """Load a saved index if it matches the expected fingerprint; None when missing, damaged or stale."""
        from .index_file import load_index

        return load_index(cls, folder, expected)

    # -- reading single values --------------------------------------------------------------------

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
        return None if col is None else self._slot_in(col, position)

    def _slot_in(self, col: int, position: int) -> int | None:
        """Where a passage sits in one column's posting list, or None when the list lacks it."""
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
        return self._query_idf_items[col] if col is not None else 0.0

    def query_norm(self, norm_terms: Iterable[str]) -> float:
        """The query's length |q|: unknown terms count at the highest idf."""
        if self.settings.query_idf == 0:  # every term's query idf is idf ** 0 = 1 (BM25's default): no lookups
            return math.sqrt(sum(1 for _ in norm_terms))
        get, query_idf, top = self.vocabulary.get, self._query_idf_items, self.max_query_idf
        return math.sqrt(sum((top if (col := get(t)) is None else query_idf[col]) ** 2 for t in norm_terms))

    # -- the question's and a passage's coverage --------------------------------------------------

    def known_share(self, norm_terms: Iterable[str], unknown: int, unknown_weight: float) -> float:
        """known(q): the share of the question's idf mass the knowledge knows (1.0 = every word)."""
        get, idf, top = self.vocabulary.get, self._idf_items, self.max_idf
        known_sq = sum((top if (col := get(t)) is None else idf[col]) ** 2 for t in norm_terms)
        unknown_sq = unknown * (unknown_weight * self.max_idf) ** 2
        return math.sqrt(known_sq / (known_sq + unknown_sq)) if known_sq else 0.0

    def coverage(self, position: int, stems: Iterable[tuple[str, Iterable[str]]]) -> float:
        """How much of a question a passage speaks to, over (stem, stems meaning the same) pairs:

            coverage = sqrt( sum_{s covered} idf(s)^2 / sum_{s in question} idf(s)^2 )

        where s is covered when the passage holds it or any of its alternatives.
        """
        get, idf, top, has = self.vocabulary.get, self._idf_items, self.max_idf, self.has
        total = covered = 0.0
        for s, alternatives in stems:  # each stem looked up once, for its idf and its posting list
            col = get(s)
            weight = (top if col is None else idf[col]) ** 2
            total += weight
            if (col is not None and self._slot_in(col, position) is not None
                    or any(has(position, a) for a in alternatives)):
                covered += weight
        return math.sqrt(covered / total) if total else 1.0

    # -- ranking ----------------------------------------------------------------------------------

    def search(self, weights: Mapping[str, float], norm_terms: Iterable[str], k: int) -> list[Match]:
        """Score passages against weighted query terms and return the k best, best first.

        `weights` maps index terms to their query weight (before idf); `norm_terms` are the
        query's own words, whose idf sets the query's length, so unknown words lower the score.
        Equal scores rank in passage order, so the same question always gets the same passages.
        """
        return self._search(weights, self.query_norm(norm_terms), k)

    def rank(self, weights: Mapping[str, float], norm_terms: Iterable[str], k: int, own: Mapping[str, float],
             groups: Sequence[Group], depth: int, known: float) -> list[Match]:
        """The k best passages for a weighed question, scores times its known share: one entry for
        the whole ranking. When an expansion offers alternatives, the depth x k best of the plain
        search are rescored so each expansion counts once (`_grouped`)."""
        norm = self.query_norm(norm_terms)
        if not any(len(alternatives) > 1 for _weight, alternatives in groups):
            return self._search(weights, norm, k, known)
        matches = self._search(weights, norm, k * depth)
        factor = self.query_factor
        own_terms = [(t, w * factor(t)) for t, w in own.items() if factor(t)]
        grouped = [[[(t, weight * factor(t)) for t in alt if factor(t)] for alt in alternatives]
                   for weight, alternatives in groups]
        scored = sorted(((min(1.0, self._grouped(own_terms, grouped, m.position) / norm), m.position)
                         for m in matches), key=lambda sp: (-sp[0], sp[1]))[:k]
        return [Match(position, score * known) for score, position in scored]

    def _grouped(self, own: list, groups: list, position: int) -> float:
        """A passage's match where each expansion counts once, by its best alternative: 'army' found
        as 'armed forces', 'military' and 'personnel' in one passage is still one word of the question."""
        value = self.value
        score = sum(f * value(position, t) for t, f in own)
        for alternatives in groups:
            score += max((sum(f * value(position, t) for t, f in alt) for alt in alternatives), default=0.0)
        return score

    def _search(self, weights: Mapping[str, float], norm: float, k: int, scale: float = 1.0) -> list[Match]:
        """`search` with the query's length already known; scores are clipped to 1, then scaled."""
        get, query_idf, cols, factors = self.vocabulary.get, self._query_idf_items, [], []
        ones = self.settings.query_idf == 0  # every query idf is 1 (BM25's default): the weight is the factor
        for term, weight in weights.items():
            col = get(term)
            if col is not None and weight > 0:
                cols.append(col)
                factors.append(weight if ones else weight * query_idf[col])
        if not cols or norm <= 0:
            return []
        docs, values = self._scores(cols, factors, 1.0 / norm, k)
        if len(docs) <= 4 * k:  # a few dozen (most questions): best first, ties in passage order, as Python pairs
            return [Match(d, min(1.0, -v) * scale) for v, d in sorted(zip((-values).tolist(), docs.tolist()))[:k]]
        # a cheap cut first, keeping every passage tied with the k-th
        keep = values >= np.partition(values, len(values) - k)[len(values) - k]
        docs, values = docs[keep], values[keep]
        order = np.lexsort((docs, -values))[:k]  # best first; ties in passage order
        return list(map(Match, docs[order].tolist(), [min(1.0, v) * scale for v in values[order].tolist()]))

    def _kth(self, scores: np.ndarray, posting_list: tuple[int, int], k: int) -> float:
        """The k-th best score among the passages of one posting list (length, start) holding at least k."""
        length, start = posting_list
        found = scores.take(self.indices[start:start + length])
        found.partition(length - k)  # in place: `take` made a copy already
        return found[length - k]

    def _scores(self, cols: list[int], factors: list[float], scale: float, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The passages the query's posting lists touch (or those that can still be among the k best)
        and their dot products with the query."""
        indices, data, starts = self.indices, self.data, self._starts
        spans = [(starts[col], starts[col + 1]) for col in cols]
        if len(cols) == 1:
            start, end = spans[0]
            return indices[start:end], data[start:end] * (factors[0] * scale)
        # One concatenation of the lists (in the type bincount reads) and one of their stored weights, times
        # (in place) each term's factor repeated over its list: four array calls instead of two per term. The
        # factor is rounded to the data's type (float32) and multiplied in it, as `data[s:e] * factor` does.
        docs = np.concatenate([indices[s:e] for s, e in spans], dtype=np.intp)
        contributions = np.concatenate([data[s:e] for s, e in spans])
        if len(set(factors)) == 1:  # no expansion (most questions): every term weighs the same, one number times all
            contributions *= data.dtype.type(factors[0] * scale)
        else:
            contributions *= np.repeat(np.array([f * scale for f in factors], dtype=data.dtype), [e - s for s, e in spans])
        scores = np.bincount(docs, weights=contributions, minlength=self.n_docs)  # one C pass, no sort
        # A floor the k-th best score cannot be under: the k-th best among the passages of one
        # posting list holding at least k (the shortest: its rare term tends to pick good ones).
        # Only passages at or above it are ranked, instead of every passage the query touches.
        enough = sorted((e - s, s) for s, e in spans if e - s >= k)
        floor = 0.0
        if len(docs) > 4 * k and enough:
            floor = self._kth(scores, enough[0], k)
        docs = (scores >= floor).nonzero()[0] if floor > 0 else np.unique(docs)
        if len(docs) > WEAK_FLOOR * k and len(enough) > 1:  # hundreds left: the next shortest lists raise it
            better, spent = floor, 0
            for length, start in enough[1:]:
                spent += length
                if spent > FLOOR_BUDGET:
                    break
                better = max(better, self._kth(scores, (length, start), k))
            docs = docs[scores[docs] >= better] if better > floor else docs
        return docs, scores[docs]
