"""Every passage's words, stemmed once for the whole knowledge base, so the second stage never
re-tokenises a candidate or its neighbours question after question.

At 58,938 passages the second stage reads about 39 passages per question (ten candidates and their
neighbours), nearly all for the first time; tokenising and stemming them was most of its cost
(docs/quality-experiments.md, "Cost per question"). Here each passage's words are kept as integer
ids into one array, read at the first reranked question. A question's readings of its passages are
then a few numpy passes over their ids at once, holding what `rerank_question.read_text` finds
(the question's stems each passage holds and how often, its length, the question's word order in
the candidates), so the features do not move.
"""

from __future__ import annotations

from array import array
from typing import Callable, Sequence

import numpy as np
import Stemmer

from ..text import STOP_WORDS, words
from .rerank_question import Question, Reading
from .rerank_text import FAMILY_PREFIX, READ_CHARS

_STEMMER = Stemmer.Stemmer("english")  # the stemmer rerank_text.content uses


class PassageWords:
    """The stemmed words of every passage text, as ids: what `rerank_text.content(text)` gives, read once."""

    def __init__(self, texts: Sequence[str]) -> None:
        vocabulary: dict[str, int] = {}
        ids, starts = array("i"), array("q", [0])
        lookup = vocabulary.__getitem__
        for text in texts:
            found = words(text[:READ_CHARS])
            try:
                ids.extend(map(lookup, found))
            except KeyError:  # new words: give them ids, then map the whole text (a partial extend is undone)
                del ids[starts[-1]:]
                for w in found:
                    vocabulary.setdefault(w, len(vocabulary))
                ids.extend(map(lookup, found))
            starts.append(len(ids))
        known = list(vocabulary)
        stems = _STEMMER.stemWords(known)
        self._stem_id: dict[str, int] = {}
        stem_of = np.array([self._stem_id.setdefault(s, len(self._stem_id)) for s in stems] or [0], dtype=np.int32)
        self._heads: dict[str, int] = {}
        head_of = np.array([self._heads.setdefault(s[:FAMILY_PREFIX], len(self._heads)) if len(s) >= FAMILY_PREFIX else -1
                            for s in self._stem_id] + [-1], dtype=np.int32)
        word_ids = np.frombuffer(ids, dtype=np.int32) if len(ids) else np.zeros(0, dtype=np.int32)
        self._stems = stem_of[word_ids]  # per word of every passage: its stem's id
        self._keep = np.array([w not in STOP_WORDS for w in known] or [False], dtype=bool)[word_ids]
        self._head_of = head_of  # per stem id: its head's id (-1: a short stem)
        self._starts = np.frombuffer(starts, dtype=np.int64)
        self._position: dict[str, int] = {}
        for n, text in enumerate(texts):
            self._position.setdefault(text, n)

    def __len__(self) -> int:
        return len(self._starts) - 1

    def readings(self, q: Question, texts: Sequence[str], full: int) -> dict[str, Reading]:
        """The readings of those texts that are passages (distinct texts; the first `full` are candidates,
        which also get their word order). Any other text is left to the caller to read."""
        known = [(t, self._position[t]) for t in texts if t in self._position]
        if not known:
            return {}
        full = sum(1 for t in texts[:full] if t in self._position)
        terms = list(dict.fromkeys([*q.stems, *(s for _own, others in q.alternatives for o in others for s in o)]))
        starts_ = list(dict.fromkeys(s[:FAMILY_PREFIX] for s in q.stems if len(s) >= FAMILY_PREFIX))
        return self._read(q, known, full, terms, starts_)

    @staticmethod
    def _lookup(ids: dict[str, int], keys: list[str]) -> Callable[[np.ndarray], np.ndarray]:
        """A map from stem (or head) ids to the keys' columns, -1 for any other id (a sorted search, so
        nothing shared is written and readings may run side by side)."""
        pairs = sorted((ids[k], n) for n, k in enumerate(keys) if k in ids)
        if not pairs:
            return lambda values: np.full(len(values), -1, dtype=np.int64)
        known, columns = np.array([a for a, _n in pairs]), np.array([n for _a, n in pairs])

        def column(values: np.ndarray) -> np.ndarray:
            at = np.minimum(np.searchsorted(known, values), len(known) - 1)
            return np.where(known[at] == values, columns[at], -1)

        return column

    def _columns(self, stems: np.ndarray, *keys: list[str]) -> list[np.ndarray]:
        """Each stem id's column in each list of stems (-1: not in it), from one sorted search."""
        ids = sorted({self._stem_id[k] for group in keys for k in group if k in self._stem_id})
        if not ids:
            return [np.full(len(stems), -1, dtype=np.int64) for _ in keys]
        known = np.array(ids)
        at = np.minimum(np.searchsorted(known, stems), len(known) - 1)
        found = known[at] == stems
        out = []
        for group in keys:
            where = {self._stem_id[k]: n for n, k in enumerate(group) if k in self._stem_id}
            columns = np.array([where.get(i, -1) for i in ids])
            out.append(np.where(found, columns[at], -1))
        return out

    def _read(self, q: Question, known: list[tuple[str, int]], full: int, terms: list[str],
              starts_: list[str]) -> dict[str, Reading]:
        """The numpy passes: every word of the texts at once, then a small loop per text."""
        head_column = self._lookup(self._heads, starts_)
        at = np.array([p for _t, p in known])
        begin, lengths = self._starts[at], self._starts[at + 1] - self._starts[at]
        offsets = np.cumsum(lengths) - lengths
        index = np.arange(int(lengths.sum())) + np.repeat(begin - offsets, lengths)
        owner = np.repeat(np.arange(len(known)), lengths)
        keep = self._keep[index]
        stems = self._stems[index]
        hits, word_hits = self._columns(stems, terms, list(q.word_ids))  # every word's column in each, -1: none
        content_owner, content, hit = owner[keep], stems[keep], hits[keep]  # the content words only, from here on
        n_texts, n_terms, n_heads = len(known), len(terms), len(starts_)
        length = np.bincount(content_owner, minlength=n_texts).tolist()
        on = hit >= 0
        width = max(1, n_terms)
        counts = np.bincount(content_owner[on] * width + hit[on], minlength=n_texts * width).reshape(n_texts, -1)
        head = head_column(self._head_of[content])
        on_head = head >= 0
        heads = np.bincount(content_owner[on_head] * max(1, n_heads) + head[on_head],
                            minlength=n_texts * max(1, n_heads)).reshape(n_texts, -1)
        where = self._where(hit, content_owner, length, full, len(q.stems), terms)
        every = word_hits[:int(lengths[:full].sum())].tolist()  # the candidates' words
        return self._assemble(q, [t for t, _p in known], full, terms, starts_, counts, heads, length,
                              where, every, lengths[:full].tolist())

    @staticmethod
    def _assemble(q: Question, texts: list[str], full: int, terms: list[str], starts_: list[str], counts: np.ndarray,
                  heads: np.ndarray, length: list[int], where: list[tuple], every: list[int],
                  sizes: list[int]) -> dict[str, Reading]:
        """A Reading per text from its row of counts (only its nonzero columns are visited); the stems it
        speaks to as `rerank_question.matched` finds them, in the same order."""
        held, held_heads = _nonzero(counts, len(texts)), _nonzero(heads, len(texts))
        expanded = _expanded(q, terms, counts > 0)
        out, column, empty, n_stems = {}, {t: n for n, t in enumerate(terms)}, frozenset(), len(q.stems)
        rows, starts = counts.tolist(), [0, *np.cumsum(sizes).tolist()]
        for n, text in enumerate(texts):
            if n >= full and not held[n] and not held_heads[n]:  # a neighbour holding none of the question's words
                out[text] = Reading(empty, {}, length[n], empty, empty)
                continue
            present = frozenset(terms[c] for c in held[n])
            found_ = [terms[c] for c in held[n] if c < n_stems]
            for a in expanded[n]:
                found_.extend(q.alternatives[a][0])
            found, row = frozenset(found_), rows[n]
            counts_ = {m: row[column[m]] or 1 for m in found}
            heads_ = frozenset(starts_[c] for c in held_heads[n])
            if n < full:
                out[text] = Reading(found, counts_, length[n], present, heads_, where[n],
                                    tuple(every[starts[n]:starts[n + 1]]))
            else:
                out[text] = Reading(found, counts_, length[n], present, heads_)
        return out

    @staticmethod
    def _where(hit: np.ndarray, owner: np.ndarray, length: list[int], full: int, n_stems: int,
               terms: list[str]) -> list[tuple]:
        """For each of the first `full` texts: (position among its content stems, stem) of each question stem."""
        cut = sum(length[:full])
        stems_at = np.nonzero((hit[:cut] >= 0) & (hit[:cut] < n_stems))[0]
        out: list[list] = [[] for _ in range(full)]
        starts = np.cumsum([0, *length[:full]]).tolist()
        for i, o, c in zip(stems_at.tolist(), owner[stems_at].tolist(), hit[stems_at].tolist()):
            out[o].append((i - starts[o], terms[c]))
        return [tuple(w) for w in out]


def _nonzero(matrix: np.ndarray, n_rows: int) -> list[list[int]]:
    """Per row, the columns holding a nonzero value, in order."""
    out: list[list[int]] = [[] for _ in range(n_rows)]
    rows, cols = np.nonzero(matrix)
    for r, c in zip(rows.tolist(), cols.tolist()):
        out[r].append(c)
    return out


def _expanded(q: Question, terms: list[str], present: np.ndarray) -> list[list[int]]:
    """Per text (rows of `present`: which terms it holds), the expansions it speaks to by every word of one
    of their phrases (rerank_question.matched's rule), as indexes into q.alternatives, in order."""
    out: list[list[int]] = [[] for _ in range(len(present))]
    if not q.alternatives:
        return out
    column = {t: n for n, t in enumerate(terms)}
    owner = [a for a, (_own, others) in enumerate(q.alternatives) for _o in others]
    phrases = np.zeros((len(terms), len(owner)), dtype=np.int64)
    for n, other in enumerate(o for _own, others in q.alternatives for o in others):
        phrases[[column[s] for s in other], n] = 1
    whole = (present.astype(np.int64) @ phrases) == phrases.sum(axis=0)  # texts x phrases: every word held
    first = np.searchsorted(owner, np.arange(len(q.alternatives)))  # each expansion's first phrase (it has one)
    spoken = np.logical_or.reduceat(whole, first, axis=1)
    for r, a in zip(*(x.tolist() for x in np.nonzero(spoken))):
        out[r].append(a)
    return out
