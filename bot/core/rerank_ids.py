"""The ids of the second stage's store (rerank_store.py): a stem's or a head's id, the build's when its arrays
hold the key, else one given here; and a question's columns of those ids through a scratch table."""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from .terms import MEMO_LIMIT  # keys whose id is remembered, as the term tables' memo; past it the memo starts again


def fit(values: np.ndarray, at: int, new: list) -> np.ndarray:
    """The array with `new` written from `at` on: the same array when it has room, else a copy twice the size."""
    if at + len(new) > len(values):
        grown = np.zeros(max(2 * (at + len(new)), 1024), dtype=values.dtype)
        grown[:at] = values[:at]
        values = grown
    values[at:at + len(new)] = new
    return values


def mapped(table: np.ndarray, ids: Ids, keys: Mapping[str, int], values: np.ndarray) -> np.ndarray:
    """Each id's column among the keys (-1 for any other id), through a scratch table set and then cleared."""
    at, columns, rows, known = [], [], len(table) - 1, ids.memo.get
    for key, n in keys.items():
        found = known(key)
        if found is None:
            found = ids.find(key)
        if 0 <= found < rows:  # an id another thread gave since the table was sized is in no value
            at.append(found)
            columns.append(n)
    if not at:
        return np.full(len(values), -1, dtype=np.int64)
    table[at] = columns
    out = table[values]
    table[at] = -1
    return out


class Ids:
    """key -> id: the build's id for a key its arrays hold (looked up once, then remembered), else an id of its
    own, given in the order met after the build's."""

    def __init__(self, saved: Callable[[str], int | None] | None, size: int) -> None:
        self._saved, self._size = saved, size
        self.memo: dict[str, int] = {}  # key -> id, -1 for neither (forgotten past MEMO_LIMIT: looked up again)
        self._own: dict[str, int] = {}  # the ids given here (never forgotten)

    def __len__(self) -> int:
        return self._size + len(self._own)

    def find(self, key: str) -> int:
        """The key's id, or -1."""
        found = self.memo.get(key)
        if found is None:
            found = self._own.get(key)
            if found is None:
                found = self._saved(key) if self._saved is not None else None
                found = -1 if found is None else found
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            self.memo[key] = found
            if found < 0 and key in self._own:  # given by a reader meanwhile (it writes _own, then memo)
                self.memo[key] = found = self._own[key]
        return found

    def add(self, key: str) -> int:
        """Give a key that has no id its own (holding the store's lock)."""
        found = self._own[key] = len(self)
        self.memo[key] = found
        return found

    def give(self, key: str) -> int:
        """The key's id, given one when it has none (holding the store's lock)."""
        found = self.find(key)
        return found if found >= 0 else self.add(key)
