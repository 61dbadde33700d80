"""Every passage's words, stemmed once for the whole knowledge base, so the second stage never
re-tokenises a candidate or its neighbours question after question.

At 58,938 passages the second stage reads about 39 passages per question (ten candidates and their
neighbours), nearly all for the first time; tokenising and stemming them was most of its cost
(docs/quality-experiments.md, "Cost per question"). Here each passage's content stems and all its
stemmed words are kept as integer ids in two arrays, read at the first reranked question. A
question's view of its passages (`Gathered`) is then a few numpy passes over their ids at once:
each content word as a column of the question's terms, and for the candidates each word's head and
each word as the question's word id, exactly what `rerank_text.content(text)` would give.
"""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import Stemmer

from ..text import STOP_WORDS, words
from .rerank_text import FAMILY_PREFIX, READ_CHARS, content

_STEMMER = Stemmer.Stemmer("english")  # the stemmer rerank_text.content uses


@dataclass(frozen=True)
class Gathered:
    """A question's texts as columns: `cols` holds each content word of every text in turn as its column
    in the question's terms (-1: none); `heads` the same words of the first `full` texts as a column of
    the question's heads, `every` every word of those texts as the question's word id (-1: none)."""

    cols: np.ndarray
    lengths: np.ndarray  # per text: its content words
    heads: np.ndarray
    every: np.ndarray
    every_lengths: np.ndarray  # per one of the first `full` texts: its words


def gather_texts(texts: Sequence[str], full: int, terms: Mapping[str, int], starts: Mapping[str, int],
                 word_ids: Mapping[str, int]) -> Gathered:
    """The same columns read from the texts themselves (rerank_text.content): for texts that are no
    passage, and the reference the store must match."""
    read = [content(t) for t in texts]
    cols = [terms.get(s, -1) for _every, own in read for s in own]
    heads = [starts.get(s[:FAMILY_PREFIX], -1) if len(s) >= FAMILY_PREFIX else -1
             for _every, own in read[:full] for s in own]
    every = [word_ids.get(w, -1) for every, _own in read[:full] for w in every]
    return Gathered(np.array(cols, dtype=np.int64), np.array([len(o) for _e, o in read], dtype=np.int64),
                    np.array(heads, dtype=np.int64), np.array(every, dtype=np.int64),
                    np.array([len(e) for e, _o in read[:full]], dtype=np.int64))


class PassageWords:
    """The stemmed words of every passage text, as ids: what `rerank_text.content(text)` gives, read once."""

    def __init__(self, texts: Sequence[str], sections: Sequence[str] | None = None,
                 questions: Sequence[tuple[str, ...]] | None = None) -> None:
        # The passages' columns, kept so the second stage's candidates and neighbours are read by place (hits.py).
        self.texts, self.sections, self.questions = texts, sections, questions
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
        self._stem_id: dict[str, int] = {}
        stem_of = np.array([self._stem_id.setdefault(s, len(self._stem_id)) for s in _STEMMER.stemWords(known)] or [0],
                           dtype=np.int32)
        self._heads: dict[str, int] = {}
        self._head_of = np.array([self._heads.setdefault(s[:FAMILY_PREFIX], len(self._heads))
                                  if len(s) >= FAMILY_PREFIX else -1 for s in self._stem_id] + [-1], dtype=np.int32)
        word_ids = np.frombuffer(ids, dtype=np.int32) if len(ids) else np.zeros(0, dtype=np.int32)
        every = stem_of[word_ids]  # per word of every passage: its stem's id
        keep = np.array([w not in STOP_WORDS for w in known] or [False], dtype=bool)[word_ids]
        self._every, self._every_starts = every, np.frombuffer(starts, dtype=np.int64)
        self._content = every[keep]  # per content word of every passage: its stem's id
        starts_ = self._every_starts  # each passage's content words, summed in place (no array per word)
        kept = np.add.reduceat(np.append(keep, False), starts_[:-1], dtype=np.int64) if len(texts) else starts_[:0]
        self._content_starts = [0, *np.cumsum(np.where(np.diff(starts_) > 0, kept, 0)).tolist()]
        self._every_starts = starts_.tolist()
        self._position: dict[str, int] = {}
        for n, text in enumerate(texts):
            self._position.setdefault(text, n)
        self._tables = threading.local()

    def __len__(self) -> int:
        return len(self._every_starts) - 1

    def gather(self, texts: Sequence[str], full: int, terms: Mapping[str, int], starts: Mapping[str, int],
               word_ids: Mapping[str, int]) -> Gathered | None:
        """The texts' columns (see Gathered), or None when one of them is no passage (read it with gather_texts)."""
        position = self._position
        try:
            at = [position[t] for t in texts]
        except KeyError:
            return None
        return self.gather_at(at, full, terms, starts, word_ids)

    def gather_at(self, at: Sequence[int], full: int, terms: Mapping[str, int], starts: Mapping[str, int],
                  word_ids: Mapping[str, int]) -> Gathered:
        """The columns of the passages at these places (see Gathered): as `gather` of their texts."""
        content_, sizes = _spans(memoryview(self._content), self._content_starts, at)
        every, every_sizes = _spans(memoryview(self._every), self._every_starts, at[:full])
        lengths, cut = np.array(sizes, dtype=np.int64), sum(sizes[:full])
        every_lengths = np.array(every_sizes, dtype=np.int64)
        stems = self._scratch(self._stem_id, "stems")
        heads = self._scratch(self._heads, "heads")
        return Gathered(_mapped(stems, self._stem_id, terms, content_), lengths,
                        _mapped(heads, self._heads, starts, self._head_of[content_[:cut]]),
                        _mapped(stems, self._stem_id, word_ids, every), every_lengths)

    def _scratch(self, ids: Mapping[str, int], name: str) -> np.ndarray:
        """This thread's table from an id to a column, all -1 between uses (so questions may be read side by side)."""
        table = getattr(self._tables, name, None)
        if table is None:
            table = np.full(len(ids) + 1, -1, dtype=np.int64)  # the last: the -1 of a word without a head
            setattr(self._tables, name, table)
        return table


def _spans(values: memoryview, starts: list[int], at: Sequence[int]) -> tuple[np.ndarray, list[int]]:
    """The values of the passages at these places one after another (a read-only array), and how many each has."""
    # Slices of a memoryview joined as bytes: cheaper than forty numpy views concatenated.
    parts = [values[starts[a]:starts[a + 1]] for a in at]
    return np.frombuffer(b"".join(parts), dtype=values.format), [len(p) for p in parts]


def _mapped(table: np.ndarray, ids: Mapping[str, int], keys: Mapping[str, int], values: np.ndarray) -> np.ndarray:
    """Each id's column among the keys (-1 for any other id), through a scratch table set and then cleared."""
    at, columns = [], []
    for key, n in keys.items():
        found = ids.get(key)
        if found is not None:
            at.append(found)
            columns.append(n)
    if not at:
        return np.full(len(values), -1, dtype=np.int64)
    table[at] = columns
    out = table[values]
    table[at] = -1
    return out
