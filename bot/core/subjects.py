"""The document a question names: in a knowledge base of several sources, a word of a source's id or title that is
no English word and that the other sources' passages hardly use ("libxml2", "gzip", "gcc") says which document
is asked about, though that document's passages seldom repeat it (its product name lives in its title).
Such a question is searched among that document's passages only, as if the base held that document alone:
"How can I run the libxml2 test suite?" was answered with findutils' test suite, whose passage says "test
suite" and "find", while libxml2's `make check` passage does not say "libxml2"."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    masks: dict[frozenset[str], np.ndarray] = field(default_factory=dict, compare=False, repr=False)  # holds' cache

    def named(self, reading: Reading) -> frozenset[str]:
        """The sources a question names by one of its words (none in a base of one source)."""
        found: set[str] = set()
        for word in words(reading.text):  # the words as asked: a name no passage holds is no word the speller knows
            found |= self.names.get(stem(word), frozenset())
        return frozenset(found)

    def holds(self, sources: frozenset[str]) -> np.ndarray:
        """Which passage positions belong to any of these sources (made once for each set of sources asked for)."""
        found = self.masks.get(sources)
        if found is None:
            found = self.masks[sources] = np.isin(self.source_of, [self.numbers[s] for s in sources if s in self.numbers])
        return found


def find_subjects(sources: Mapping[str, Source], passages: Sequence[Passage], postings, most_elsewhere: float,
                  english: frozenset[str] = frozenset()) -> Subjects:
    """Name stems from each source's id and title: not an `english` word (a title's 'find' or 'files' is asked in
    other senses), and held by at most `most_elsewhere` of each other source's passages (a name another document
    speaks of too, as a page on Japan and NATO does of the 'nato' in 'nato-mongolia', tells nothing apart, however
    short that document is). `postings(stem)` gives the positions of the passages holding a stem. A base of one
    source names none: there is nothing to tell apart."""
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
    sizes = np.maximum(np.bincount(source_of + 1, minlength=len(sources) + 1), 1)  # 0: passages of no known source
    names = {}
    for found, named in candidates.items():
        share = np.bincount(source_of[postings(found)] + 1, minlength=len(sources) + 1) / sizes
        share[[numbers[s] + 1 for s in named]] = 0.0
        if len(named) < len(sources) and share.max() <= most_elsewhere:  # no passage has it: only the title does
            names[found] = frozenset(named)
    return Subjects(names, source_of, numbers)

