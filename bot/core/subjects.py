"""The document a question names: in a knowledge base of several sources, a word of a source's id or title that is
no English word and that the other sources' passages hardly use ("libxml2", "gzip", "gcc") says which document
is asked about, though that document's passages seldom repeat it (its product name lives in its title).
Such a question is searched among that document's passages only, as if the base held that document alone:
"How can I run the libxml2 test suite?" was answered with findutils' test suite, whose passage says "test
suite" and "find", while libxml2's `make check` passage does not say "libxml2"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..kb.model import Passage, Source, source_column
from ..text import content_stems, stem, words
from .reading import Reading


@dataclass(frozen=True)
class Subjects:
    """Each name stem -> the sources it names, and each passage's source as a number (positions in the knowledge)."""

    names: Mapping[str, frozenset[str]]
    source_of: np.ndarray  # int32 source number of each passage position
    numbers: Mapping[str, int]  # source id -> its number

    def named(self, reading: Reading) -> frozenset[str]:
        """The sources a question names by one of its words (none in a base of one source)."""
        found: set[str] = set()
        for word in words(reading.text):  # the words as asked: a name no passage holds is no word the speller knows
            found |= self.names.get(stem(word), frozenset())
        return frozenset(found)

    def holds(self, sources: frozenset[str]) -> np.ndarray:
        """Which passage positions belong to any of these sources."""
        return np.isin(self.source_of, [self.numbers[s] for s in sources if s in self.numbers])


def find_subjects(sources: Mapping[str, Source], passages: Sequence[Passage], postings, most_elsewhere: float,
                  english: frozenset[str] = frozenset()) -> Subjects:
    """Name stems from each source's id and title: not an `english` word (a title's 'find' or 'files' is asked in
    other senses), and at most `most_elsewhere` of the passages holding it from other sources (a name they speak
    of too tells nothing apart); `postings(stem)` gives the positions of the passages holding a stem. A base of
    one source names none: there is nothing to tell apart."""
    numbers = {sid: n for n, sid in enumerate(sources)}
    source_of = np.fromiter((numbers.get(s, -1) for s in source_column(passages)), dtype=np.int32, count=len(passages))
    if len(sources) < 2:
        return Subjects({}, source_of, numbers)
    candidates: dict[str, set[str]] = {}
    english_stems = {stem(w) for sid, source in sources.items() for w in words(sid.replace("-", " ")) + words(source.title)
                     if w in english}
    for sid, source in sources.items():
        for found in set(content_stems(words(sid.replace("-", " ")) + words(source.title))):
            if not found.isdigit() and found not in english_stems:
                candidates.setdefault(found, set()).add(sid)
    names = {}
    for found, named in candidates.items():
        held = source_of[postings(found)]
        inside = np.isin(held, [numbers[s] for s in named])
        if len(named) < len(sources) and (~inside).sum() <= most_elsewhere * len(held):  # none: only the title has it
            names[found] = frozenset(named)
    return Subjects(names, source_of, numbers)

