"""Near-duplicate passages: one new text against the knowledge, or every pair, without n*n comparisons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .model import Passage

if TYPE_CHECKING:
    import numpy as np


DUPLICATE_SIMILARITY = 90.0  # rapidfuzz token_set_ratio (0-100) at which two passages say the same thing


def _similar(a: str, b: str, score: float) -> bool:
    """token_set_ratio alone calls a two-word text a duplicate of any passage holding both words; also ask for
    comparable lengths (the shorter text has at least half the words of the longer one)."""
    na, nb = len(a.split()), len(b.split())
    return score >= DUPLICATE_SIMILARITY and min(na, nb) >= 0.5 * max(na, nb)


def find_near_duplicate(text: str, passages: Iterable[Passage], skip: str = "") -> tuple[Passage, float] | None:
    """The existing passage that says nearly the same as `text` (and its similarity), or None."""
    from rapidfuzz import fuzz

    from ..text import fold

    key = fold(text)
    best: tuple[Passage, float] | None = None
    for passage in passages:
        if passage.id == skip:
            continue
        other = fold(passage.text)
        score = fuzz.token_set_ratio(key, other)
        if _similar(key, other, score) and (best is None or score > best[1]):
            best = (passage, score)
    return best


EXACT_PAIRS_UP_TO = 400  # passages; above this, candidate pairs are found first (all pairs grow as n squared)


# token_set_ratio >= 90 through the shared words needs the words only one text has to weigh (in characters,
# with a space each) at most 2/9 of the shared ones; a little slack keeps rounding on the safe side.
_UNSHARED_SHARE = 0.25


def _signature_pairs(keys: list[str], first: int | None = None,
                     rows: int = 2000) -> Iterator[tuple["np.ndarray", "np.ndarray", int]]:
    """Candidate pairs (i < j) that may score token_set_ratio >= 90, without scoring all n*n pairs.

    Every text's rarest words, up to a quarter of its length, form its signature. When two texts
    share words making up nine tenths of one of them (how token_set_ratio reaches 90 for texts of
    comparable length), that text's signature holds a shared word, so the pair is a candidate: a
    sparse product, and rare words have short posting lists. With `first`, only pairs between the
    first `first` texts and the others. Pairs come in blocks of `rows` texts, so memory stays bounded,
    each with the number of texts paired so far.
    """
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, binary=True, dtype=np.int32)
    words = vectorizer.fit_transform(keys).tocsr()
    n = words.shape[0]
    width = np.fromiter((len(w) + 1 for w in vectorizer.get_feature_names_out()), dtype=np.int64,
                        count=words.shape[1])
    df = np.bincount(words.indices, minlength=words.shape[1])
    row_of = np.repeat(np.arange(n), np.diff(words.indptr))
    order = np.lexsort((words.indices, df[words.indices], row_of))  # each text's words, rarest first
    taken = np.cumsum(width[words.indices[order]])
    row_start = np.concatenate(([0], taken))[words.indptr[:-1]]
    before = taken - width[words.indices[order]] - row_start[row_of[order]]  # width of the rarer words before
    total = np.bincount(row_of, weights=width[words.indices], minlength=n)
    chosen = order[before <= _UNSHARED_SHARE * total[row_of[order]]]
    signature = sparse.csr_matrix((np.ones(len(chosen), dtype=np.int32), (row_of[chosen], words.indices[chosen])),
                                  shape=words.shape)
    lo = first if first is not None else 0  # the texts each block is paired with start here
    words_t, signature_t = words[lo:].T.tocsr(), signature[lo:].T.tocsr()
    for start in range(0, first if first is not None else n, rows):
        stop = min(start + rows, first if first is not None else n)
        # Either text's signature may hold the shared word; the sum lists each pair once.
        hits = (signature[start:stop] @ words_t + words[start:stop] @ signature_t).tocoo()
        i, j = hits.row.astype(np.int64) + start, hits.col.astype(np.int64) + lo
        keep = j > i
        yield i[keep], j[keep], stop


def near_duplicate_pairs(passages: Iterable[Passage]) -> list[tuple[Passage, Passage, float]]:
    """Every pair of passages that say nearly the same: rapidfuzz cdist over all pairs for a small knowledge,
    token_set_ratio over the candidate pairs of shared rare words for a large one."""
    from rapidfuzz import fuzz, process

    from ..text import fold

    items = list(passages)
    if len(items) < 2:
        return []
    keys = [fold(p.text) for p in items]
    out = []
    if len(items) <= EXACT_PAIRS_UP_TO:
        scores = process.cdist(keys, keys, scorer=fuzz.token_set_ratio, score_cutoff=DUPLICATE_SIMILARITY, workers=-1)
        pairs = [(int(i), int(j), float(scores[i, j])) for i, j in zip(*scores.nonzero()) if i < j]
    else:
        pairs = [pair for first, second, _ in _signature_pairs(keys)
                 for pair in _scored(keys, keys, first.tolist(), second.tolist())]
    for i, j, score in sorted(pairs):
        if _similar(keys[i], keys[j], score):
            out.append((items[i], items[j], score))
    return out


def _scored(left: list[str], right: list[str], first: list[int], second: list[int]) -> list[tuple[int, int, float]]:
    """token_set_ratio of each candidate pair, keeping those at the duplicate threshold."""
    from rapidfuzz import fuzz

    scorer, cutoff = fuzz.token_set_ratio, DUPLICATE_SIMILARITY
    return [(i, j, score) for i, j in zip(first, second) if (score := scorer(left[i], right[j], score_cutoff=cutoff))]


def near_duplicates_of(texts: list[str], passages: Iterable[Passage],
                       on_progress: Callable[[int, int], None] | None = None) -> list[tuple[Passage, float] | None]:
    """For each new text, the existing passage that says nearly the same (and its similarity), or None: what
    find_near_duplicate says for one text, for many at once (an imported document) without n*m comparisons.
    `on_progress` hears (new texts compared, all new texts) after each block."""
    from ..text import fold

    items = list(passages)
    new = [fold(t) for t in texts]
    old = [fold(p.text) for p in items]
    best: list[tuple[int, float] | None] = [None] * len(texts)
    if not new or not old:
        return [None] * len(texts)
    if len(new) * len(old) <= EXACT_PAIRS_UP_TO ** 2:
        blocks = [([i for i in range(len(new)) for _ in old], [j for _ in new for j in range(len(old))], len(new))]
    else:
        blocks = ((first.tolist(), (second - len(new)).tolist(), done)
                  for first, second, done in _signature_pairs(new + old, first=len(new)))
    for first, second, done in blocks:
        for i, j, score in _scored(new, old, first, second):
            # The most similar wins, and of equally similar ones the first in passage order, as one by one.
            if _similar(new[i], old[j], score) and (best[i] is None or (-score, j) < (-best[i][1], best[i][0])):
                best[i] = (j, score)
        if on_progress is not None:
            on_progress(done, len(new))
    return [None if b is None else (items[b[0]], b[1]) for b in best]
