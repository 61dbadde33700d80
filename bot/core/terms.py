"""A saved index's terms and words looked up in their mapped arrays, so a start builds no dict of every term.

The terms are stored as UTF-8 bytes joined by newlines in column order, with each term's start,
and a table of their CRC-32 hashes sorted with the column each belongs to. A lookup hashes the
term, finds its hash by binary search and compares the stored bytes: a few microseconds, and only
the few terms a question holds are ever looked up. Answers remembered per term make repeats free.
A fresh build's terms are looked up the same way in the build's own arrays of term keys (KeyTable).
"""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Mapping
from typing import Iterator, Sequence

import numpy as np

_UNSEEN = object()  # a term not looked up yet (None: looked up, absent)
MEMO_LIMIT = 200_000  # remembered lookups before a memo starts over (a long-running bot's distinct words)
SHIFT = 16  # a hash's top 32 - SHIFT bits pick its bucket
BUCKETS = 1 << (32 - SHIFT)  # the saved hash table's buckets


def hash_table(terms: Sequence[str]) -> dict[str, np.ndarray]:
    """The arrays a TermTable reads: term bytes, each term's start, sorted hashes and their columns."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in terms]
    lengths = np.fromiter((len(b) + 1 for b in encoded), dtype=np.int64, count=len(encoded))
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    hashes = np.fromiter((zlib.crc32(b) for b in encoded), dtype=np.uint32, count=len(encoded))
    order = np.argsort(hashes, kind="stable")
    return {"text": np.frombuffer(b"\n".join(encoded), dtype=np.uint8), "starts": starts,
            "hashes": hashes[order], "columns": order.astype(np.int64)}


class MemoTable(Mapping):
    """term -> column over arrays, each lookup remembered: reads like the dict it replaces (`_find` looks up)."""

    def __init__(self) -> None:
        self._memo: dict[str, int | None] = {}

    def get(self, term: str, default=None):
        """The column of a term, or `default` when the index lacks it (a question asks about 140 times:
        one dictionary probe each once the term has been seen)."""
        col = self._memo.get(term, _UNSEEN)
        if col is _UNSEEN:
            col = self._learn(term)
        return default if col is None else col

    def __contains__(self, term: object) -> bool:
        col = self._memo.get(term, _UNSEEN)
        if col is _UNSEEN:
            col = self._learn(term) if isinstance(term, str) else None
        return col is not None

    def _learn(self, term: str) -> int | None:
        """Look a term up in the arrays and remember the answer (starting over past MEMO_LIMIT terms)."""
        col = self._find(term)
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        self._memo[term] = col
        return col

    def _find(self, term: str) -> int | None:
        """The column of a term in the arrays, or None (each table reads its own arrays)."""
        raise NotImplementedError

    def __getitem__(self, term: str) -> int:
        col = self.get(term)
        if col is None:
            raise KeyError(term)
        return col


class TermTable(MemoTable):
    """term -> column over a saved index's mapped arrays: costs nothing to open."""

    def __init__(self, text: np.ndarray, starts: np.ndarray, hashes: np.ndarray, columns: np.ndarray) -> None:
        super().__init__()
        self._text, self._starts_array = memoryview(text), starts
        self._starts, self._hashes, self._columns = memoryview(starts), memoryview(hashes), memoryview(columns)
        # Where each run of hashes sharing their top 16 bits starts: a lookup bisects a few dozen, not 1.5M.
        self._buckets = memoryview(np.searchsorted(hashes, np.arange(BUCKETS + 1, dtype=np.uint64) << SHIFT))

    @staticmethod
    def consistent(text: np.ndarray, starts: np.ndarray, hashes: np.ndarray, columns: np.ndarray) -> bool:
        """Whether the arrays fit together (a damaged save is refused at open, not mid-answer)."""
        n = len(columns)
        return (len(starts) == n + 1 and len(hashes) == n and int(starts[0]) == 0
                and int(starts[-1]) == (len(text) + 1 if n else 0)
                and bool(n == 0 or (columns.min() >= 0 and columns.max() < n)))

    def _find(self, term: str) -> int | None:
        """Binary search for the term's hash, then a byte comparison with each term of that hash."""
        try:
            encoded = term.encode("utf-8", "surrogatepass")
        except (AttributeError, UnicodeError):
            return None
        h, hashes = zlib.crc32(encoded), self._hashes
        bucket = h >> SHIFT
        last = self._buckets[bucket + 1]
        i = bisect.bisect_left(hashes, h, self._buckets[bucket], last)
        while i < last and hashes[i] == h:
            col = self._columns[i]
            if self._text[self._starts[col]:self._starts[col + 1] - 1] == encoded:
                return col
            i += 1
        return None

    def __len__(self) -> int:
        return len(self._columns)

    def __iter__(self) -> Iterator[str]:
        """Every term in column order (slow at a million terms: for tools and tests, not answers)."""
        text = bytes(self._text).decode("utf-8", "surrogatepass")
        return iter(text.split("\n") if text else [])


class KeyTable(MemoTable):
    """term -> column over a fresh build's own arrays, so a build makes no dict of every term (a quarter of a
    second at 59k passages): a term's key is its stem's id s, or n + a * n + b for the bigram 'a b' of stems
    a and b (n stems, index_count._features). A stem's column is read from an array by its id; a bigram's is
    found by binary search among the bigrams starting with its first stem. The terms themselves are only
    spelled out when listed, as a save does."""

    def __init__(self, stem_ids: Mapping[str, int], stem_strs: np.ndarray, keys: np.ndarray, columns: np.ndarray) -> None:
        """`stem_ids`: stem -> id + 1 (0: not a stem); `stem_strs`: the stems by id; `keys`: every term's key,
        ascending; `columns`: the column of each."""
        super().__init__()
        n = len(stem_strs)
        self._stem_ids, self._stem_strs, self._keys_array, self._columns_array = stem_ids, stem_strs, keys, columns
        split = int(np.searchsorted(keys, n))  # the stems' keys come first, then the bigrams'
        stem_column = np.full(n, -1, dtype=np.int64)
        stem_column[keys[:split]] = columns[:split]
        left, right = np.divmod(keys[split:] - n, n)  # sorted by first stem, then second
        self._stem_column, self._rights = memoryview(stem_column), memoryview(right)
        self._firsts = memoryview(np.searchsorted(left, np.arange(n + 1)))  # where each first stem's bigrams start
        self._bigram_columns = memoryview(np.ascontiguousarray(columns[split:]))

    def _find(self, term: str) -> int | None:
        """A stem's column by its id; a bigram's by binary search for its second stem among its first stem's."""
        if not isinstance(term, str):
            return None
        first, space, second = term.partition(" ")
        get = self._stem_ids.get
        a = get(first, 0) - 1
        if a < 0:
            return None
        if not space:
            col = self._stem_column[a]
            return col if col >= 0 else None
        b = get(second, 0) - 1  # 'a b c' has no stem 'b c'
        if b < 0:
            return None
        rights, end = self._rights, self._firsts[a + 1]
        i = bisect.bisect_left(rights, b, self._firsts[a], end)
        return self._bigram_columns[i] if i < end and rights[i] == b else None

    def terms(self) -> list[str]:
        """Every term in column order, spelled out (what a save writes)."""
        keys = np.empty(len(self._keys_array), dtype=np.int64)
        keys[self._columns_array] = self._keys_array  # column order
        n, stem_strs = len(self._stem_strs), self._stem_strs
        is_bigram = keys >= n
        terms = np.empty(len(keys), dtype=object)
        terms[~is_bigram] = stem_strs[keys[~is_bigram]]
        left, right = np.divmod(keys[is_bigram] - n, n)
        terms[is_bigram] = [f"{a} {b}" for a, b in zip(stem_strs[left].tolist(), stem_strs[right].tolist())]
        return terms.tolist()

    def __len__(self) -> int:
        return len(self._keys_array)

    def __iter__(self) -> Iterator[str]:
        """Every term in column order."""
        return iter(self.terms())


def column_terms(vocabulary: Mapping[str, int]) -> list[str]:
    """The terms of a vocabulary in column order: a KeyTable spells them out, any other mapping is sorted by column."""
    if isinstance(vocabulary, KeyTable):
        return vocabulary.terms()
    return sorted(vocabulary, key=vocabulary.__getitem__)


class LazyCounts(Mapping):
    """word -> count decoded from the saved arrays on first use: only the speller reads it, and only
    when a question has a word the knowledge lacks."""

    def __init__(self, words: np.ndarray, counts: np.ndarray) -> None:
        self._words, self._counts = words, counts
        self._dict: dict[str, int] | None = None

    @property
    def _data(self) -> dict[str, int]:
        if self._dict is None:
            text = self._words.tobytes().decode("utf-8")
            self._dict = dict(zip(text.split("\n") if text else [], self._counts.tolist()))
        return self._dict

    def __getitem__(self, word: str) -> int:
        return self._data[word]

    def __len__(self) -> int:
        return len(self._counts)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)
