"""Every passage's words, stemmed once for the whole knowledge base, so the second stage never
re-tokenises a candidate or its neighbours question after question.

At 58,938 passages the second stage reads about 39 passages per question (ten candidates and their
neighbours), nearly all for the first time; tokenising and stemming them was most of its cost
(docs/quality-experiments.md, "Cost per question"). Here each passage's words are kept as integer
ids into one array, read at the first reranked question; a reading is then a slice mapped back to
stems, the same tuples `rerank_text.content` returns, so the features do not move.
"""

from __future__ import annotations

from array import array
from itertools import compress
from typing import Sequence

import Stemmer

from ..text import STOP_WORDS, words
from .rerank_text import READ_CHARS, content

_STEMMER = Stemmer.Stemmer("english")  # the stemmer rerank_text.content uses


class PassageWords:
    """The stemmed words of every passage text, as ids: what `content(text)` gives, without reading it again."""

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
        self._stems = _STEMMER.stemWords(known)
        self._keep = [w not in STOP_WORDS for w in known]
        self._ids, self._starts = ids, starts
        self._position = {}
        for n, text in enumerate(texts):
            self._position.setdefault(text, n)

    def __len__(self) -> int:
        return len(self._starts) - 1

    def content(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """`rerank_text.content(text)`: all words stemmed and the content stems, from the ids when the
        text is a passage's (any other text, a section title or a maintainer's question, is read)."""
        at = self._position.get(text)
        if at is None:
            return content(text)
        ids = self._ids[self._starts[at]:self._starts[at + 1]]
        every = tuple(map(self._stems.__getitem__, ids))
        return every, tuple(compress(every, map(self._keep.__getitem__, ids)))
