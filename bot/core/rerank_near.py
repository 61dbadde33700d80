"""Which passages around each one share its section, kept per passage as one byte.

The second stage reads every candidate with its neighbours in the same section (hits._candidates). Comparing
their sections' strings question after question touched four more objects a candidate, a third of building
the ten candidates at 58,938 passages once the rest of the answer path had pushed them out of the caches.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

_UNKNOWN = 0xFF  # a passage not looked at yet (a code uses at most 2 * MAX_REACH bits)
MAX_REACH = 3  # neighbours each side a byte holds; a wider reach is worked out every time


class Neighbourhood:
    """Per passage, the places within `reach` each side in the same section: worked out at a passage's first
    look and kept (or for every passage at once by `fill`, in a long-running front end's warm-up)."""

    def __init__(self, sections: Sequence[str], reach: int) -> None:
        self.sections, self.reach = sections, reach
        # Bit k (k < reach): the passage reach - k before shares the section; bit reach + k: the one k + 1 after.
        self._codes = bytearray([_UNKNOWN]) * len(sections) if reach <= MAX_REACH else None
        self._offsets = [(tuple(k - reach for k in range(reach) if code >> k & 1),
                          tuple(k + 1 for k in range(reach) if code >> (reach + k) & 1))
                         for code in range(1 << 2 * reach)] if reach <= MAX_REACH else []

    def passages_known(self) -> int:
        """How many passages' neighbours are kept so far (for tests and benchmarks)."""
        return 0 if self._codes is None else len(self._codes) - self._codes.count(_UNKNOWN)

    def around(self, at: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The places before and after `at` (nearest last, nearest first) in its section, within the reach."""
        codes = self._codes
        if codes is None:
            return self._compared(at)
        code = codes[at]
        if code == _UNKNOWN:
            code = codes[at] = self._code(at)
        before, after = self._offsets[code]
        return tuple(map(at.__add__, before)), tuple(map(at.__add__, after))

    def _compared(self, at: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The places around `at` in its section, by comparing the sections themselves."""
        sections, own, reach = self.sections, self.sections[at], self.reach
        return (tuple(n for n in range(max(0, at - reach), at) if sections[n] == own),
                tuple(n for n in range(at + 1, min(len(sections), at + 1 + reach)) if sections[n] == own))

    def _code(self, at: int) -> int:
        """One passage's byte (see __init__)."""
        before, after = self._compared(at)
        return sum(1 << (n - at + self.reach) for n in before) + sum(1 << (self.reach + n - at - 1) for n in after)

    def fill(self) -> None:
        """Work out every passage's byte at once (the sections compared as integers, a few ms at 59k passages)."""
        if self._codes is None:
            return
        ids: dict[str, int] = {}
        column = np.fromiter((ids.setdefault(s, len(ids)) for s in self.sections), dtype=np.int64,
                             count=len(self.sections))
        codes, size = np.zeros(len(column), dtype=np.uint8), len(column)
        for k in range(self.reach):
            back, ahead = self.reach - k, k + 1  # bit k: the passage `back` before; bit reach + k: `ahead` after
            if back < size:
                codes[back:] |= (column[back:] == column[:-back]).astype(np.uint8) << k
            if ahead < size:
                codes[:-ahead] |= (column[:-ahead] == column[ahead:]).astype(np.uint8) << (self.reach + k)
        self._codes[:] = codes.tobytes()
