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


def trigram_postings(words: list[str]) -> dict[str, np.ndarray]:
    """Trigram -> the ascending ids (int32) of the words holding it, in numpy passes: 30 ms at 72k words, where a
    loop over each word's `trigrams` took 200 ms (the first unknown word's wait, the longest of a jsonl stream)."""
    padded = [f"$${w}$" for w in words]
    chars = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not len(chars):
        return {}
    present = np.zeros(int(chars.max()) + 1, dtype=bool)
    present[chars] = True
    alphabet = np.flatnonzero(present)  # each character as its rank among the characters used: small codes
    size, owner_bits = len(alphabet), max(len(words) - 1, 1).bit_length()
    if size ** 3 >= 1 << (63 - owner_bits):  # too many characters to pack a trigram and its word in 64 bits
        return _looped_postings(words)
    code = (np.cumsum(present, dtype=np.int64) - 1).astype(np.uint64)[chars]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    counts = lengths - 2  # a padded word of L characters has L - 2 trigrams
    owner = np.repeat(np.arange(len(words), dtype=np.uint64), counts)
    at = np.arange(len(owner), dtype=np.int64) + np.repeat(np.cumsum(lengths) - lengths - np.cumsum(counts) + counts, counts)
    gram = (code[at] * size + code[at + 1]) * size + code[at + 2]
    # Trigram and word in one number, sorted (a plain sort of integers is 15 times a stable argsort's speed): each
    # trigram's words come out ascending, and a trigram twice in a word is one repeated number.
    packed = np.sort((gram << np.uint64(owner_bits)) | owner)  # not np.unique: it hashes first, 30 times slower
    packed = packed[np.concatenate(([True], packed[1:] != packed[:-1]))]
    gram, owner = packed >> np.uint64(owner_bits), (packed & np.uint64((1 << owner_bits) - 1)).astype(np.int32)
    firsts = np.flatnonzero(np.concatenate(([True], gram[1:] != gram[:-1])))
    first = gram[firsts].astype(np.int64)
    letters = alphabet[np.stack([first // (size * size), first // size % size, first % size], axis=1)]
    names = letters.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    bounds = [*firsts.tolist(), len(gram)]
    return {names[3 * n:3 * n + 3]: owner[a:b] for n, (a, b) in enumerate(zip(bounds, bounds[1:]))}


def _looped_postings(words: list[str]) -> dict[str, np.ndarray]:
    """`trigram_postings` a word at a time (for vocabularies of more characters than it packs)."""
    postings: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        for gram in trigrams(word):
            postings.setdefault(gram, []).append(i)
    return {g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()}


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
            self._postings = trigram_postings(self.words)
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
