"""Correct misspelled words against the knowledge's own vocabulary, cheaply at any size.

Candidates come from a character-trigram inverted index (only words sharing trigrams with the
misspelling are looked at, never the whole vocabulary); rapidfuzz then ranks the shortlist.
Only words the knowledge does not contain are ever corrected, so a right word is left alone.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .settings import AnswerSettings

MAX_CACHED = 50_000  # a bound on memory only: a forgotten correction is looked up again, the same


def trigrams(word: str) -> set[str]:
    """Padded character trigrams: '$$c', '$cy', 'cyb', ... so short words still have several."""
    padded = f"$${word}$"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


class Speller:
    """Maps an unknown word to the closest known word, or None when nothing is close enough."""

    def __init__(self, counts: Mapping[str, int], extra: Iterable[str] = (),
                 settings: AnswerSettings = AnswerSettings()) -> None:
        self.settings = settings
        vocabulary = {w: c for w, c in counts.items() if len(w) >= settings.spell_min_length and not w.isdigit()}
        for word in extra:
            vocabulary.setdefault(word, 1)
        self.words = list(vocabulary)
        self.known = set(counts) | set(extra)
        self.counts = np.array([vocabulary[w] for w in self.words], dtype=np.float64)
        self._postings: dict[str, np.ndarray] | None = None
        self._cache: dict[str, str | None] = {}

    @property
    def postings(self) -> dict[str, np.ndarray]:
        """Trigram -> ids of the words holding it; built on the first unknown word, so a start stays fast."""
        if self._postings is None:
            postings: dict[str, list[int]] = {}
            for i, word in enumerate(self.words):
                for gram in trigrams(word):
                    postings.setdefault(gram, []).append(i)
            self._postings = {g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()}
        return self._postings

    def correct(self, word: str) -> str | None:
        """The best correction for an unknown word, or None (known words are never corrected)."""
        if word in self.known or len(word) < self.settings.spell_min_length or word.isdigit():
            return None
        if word in self._cache:
            return self._cache[word]
        result = self._lookup(word)
        if len(self._cache) > MAX_CACHED:
            self._cache.clear()
        self._cache[word] = result
        return result

    def _lookup(self, word: str) -> str | None:
        postings = self.postings
        grams = [postings[g] for g in trigrams(word) if g in postings]
        if not grams:
            return None
        settings = self.settings
        # The words holding any of the trigrams (ascending) and how many each holds: np.unique's ids and
        # counts, counted in one pass over the lists instead of sorting them (5 times faster at 60k words).
        counts = np.bincount(np.concatenate(grams))
        ids = np.flatnonzero(counts != 0)
        shared = counts[ids]
        if len(ids) > settings.spell_shortlist:
            keep = np.argpartition(-shared, settings.spell_shortlist - 1)[:settings.spell_shortlist]
            ids = ids[keep]
        shortlist = [self.words[i] for i in ids]
        # Allow one edit in short words, two in longer ones; rank by similarity, then frequency.
        max_edits = 1 if len(word) <= settings.spell_one_edit_max_length else settings.spell_max_edits
        best, best_key = None, None
        for candidate, score, position in process.extract(word, shortlist, scorer=fuzz.ratio,
                                                           score_cutoff=settings.typo_min_similarity,
                                                           limit=settings.spell_candidates):
            edits = Levenshtein.distance(word, candidate, weights=(1, 1, 1))
            if edits > max_edits and not _transposition(word, candidate):
                continue
            key = (score, self.counts[ids[position]])
            if best_key is None or key > best_key:
                best, best_key = candidate, key
        return best


def _transposition(a: str, b: str) -> bool:
    """True when b is a with two neighbouring letters swapped ('waht' for 'what')."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
