"""Stage 1, reading: a question's content words, corrected and expanded against the knowledge's own words.

Everything here is independent of the conversation, so a follow-up reads the question once and
weighs it twice (with and without the previous topic).
"""

from __future__ import annotations

import bisect
from functools import cached_property
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..text import STOP_WORDS, stem, words
from .expand import Expander, Expansion
from .lexicon import english_words
from .phrasing import FRAME_WORDS
from .settings import AnswerSettings
from .spelling import Speller


@dataclass(frozen=True)
class Reading:
    """What a question says in the knowledge's words: its content words after corrections, the
    corrections made, the words the knowledge lacks and the expansions that apply."""

    text: str
    tokens: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...] = ()
    unknown: tuple[str, ...] = ()
    expansions: tuple[Expansion, ...] = ()


class Reader:
    """Reads questions against one index's vocabulary; holds the speller and the expander."""

    def __init__(self, vocabulary: Mapping[str, int], word_counts: Mapping[str, int], expander: Expander,
                 settings: AnswerSettings) -> None:
        self.vocabulary = vocabulary
        self.expander = expander
        self.settings = settings
        self._word_counts = word_counts

    @cached_property
    def speller(self) -> Speller:
        """Built on the first word the knowledge lacks: most questions never need it, and a start skips it."""
        return Speller(self._word_counts, extra=STOP_WORDS, settings=self.settings)

    @cached_property
    def _sorted_words(self) -> list[str]:
        """The knowledge's words in order, for finding a word's family; built on first need."""
        return sorted(self._word_counts)

    def warm(self) -> None:
        """Build now what the first unusual question would otherwise wait for (a long-running front end's start)."""
        self.speller.postings  # noqa: B018 - the trigram postings, built on first use
        self._sorted_words  # noqa: B018
        english_words(self.settings.english_min_count)

    def read(self, text: str) -> Reading:
        """Read a cleaned question, including the capitalised acronyms ('US') that would read as stop words:
        the knowledge base's synonyms.yaml says what each means."""
        extra = [w for pattern, reading in self.expander.capitals if pattern.search(text) for w in words(reading)]
        return self.read_words(text, words(text) + extra)

    def read_words(self, text: str, tokens: Sequence[str]) -> Reading:
        """Read a question from its words: drop stop and frame words, split compounds, correct
        typos, map words to their knowledge family, and find the expansions that apply."""
        content: list[str] = []
        corrected: list[tuple[str, str]] = []
        unknown: list[str] = []
        vocabulary = self.vocabulary
        for token in self.split_compounds(tokens):
            if token in STOP_WORDS or token in FRAME_WORDS:
                continue
            if stem(token) in vocabulary:  # most words: known as typed, so neither a typo nor a relative
                content.append(token)
                continue
            fixed = self._typo(token)
            if fixed is not None:
                corrected.append((token, fixed))
                token = fixed
                if token in STOP_WORDS:
                    continue
            if stem(token) not in vocabulary:
                related = self.related_word(token)
                spelt = self.shortened_pair(token) if related is None else None
                if related is not None:
                    corrected.append((token, related))
                    token = related
                elif spelt is not None:
                    corrected.append((token, " ".join(spelt)))
                    content.append(spelt[0])
                    token = spelt[1]
                else:
                    unknown.append(token)
            content.append(token)
        return Reading(text, tuple(content), tuple(corrected), tuple(unknown), tuple(self.expander.expand(content)))

    def knows(self, word: str) -> bool:
        """Whether a word reads as English to this knowledge: an English or stop word, the knowledge's own,
        or a misspelling, relative or run-together pair of its words (for telling another language apart)."""
        return (word in STOP_WORDS or stem(word) in self.vocabulary  # first: the English list loads on first need
                or word in english_words(self.settings.english_min_count) or self.split_compounds((word,)) != [word]
                or self.speller.correct(word) is not None or self.related_word(word) is not None)

    def _typo(self, token: str) -> str | None:
        """The correction of a misspelt word, or None; a real English word is never 'corrected'."""
        if (not self.settings.typo_correction or stem(token) in self.vocabulary
                or token in english_words(self.settings.english_min_count)):
            return None
        fixed = self.speller.correct(token)
        return fixed if fixed is not None and fixed != token else None

    def related_word(self, token: str) -> str | None:
        """A knowledge word of the same family that stemming missed ('environment' for 'environmental')."""
        if len(token) < self.settings.related_min_length:
            return None
        i = bisect.bisect_left(self._sorted_words, token)
        while i < len(self._sorted_words) and self._sorted_words[i].startswith(token):
            candidate = self._sorted_words[i]
            if len(candidate) - len(token) <= self.settings.related_max_extra:
                return candidate
            i += 1
        return None

    def shortened_pair(self, token: str) -> tuple[str, str] | None:
        """Two words the knowledge writes side by side, run together with the first cut short ('symlinks' for
        'symbolic links', 'regexps' for 'regular expressions'): a known word ends the token, and a known word
        starting as the token does stands right before it in some passage."""
        if len(token) < self.settings.compound_min_length:
            return None
        words_, vocabulary = self._sorted_words, self.vocabulary
        for cut in range(self.settings.compound_min_head, len(token) - self.settings.compound_min_head + 1):
            head, tail = token[:cut], token[cut:]
            second = stem(tail)
            if second not in vocabulary:
                continue
            start = bisect.bisect_left(words_, head)
            for word in words_[start:start + self.settings.shortened_scan]:
                if not word.startswith(head):
                    break
                if len(word) > len(head) and f"{stem(word)} {second}" in vocabulary:
                    return word, tail
        return None

    def split_compounds(self, tokens: Sequence[str]) -> list[str]:
        """Split a run-together word into two known words ('counterterrorism', 'fivehills', 'covid19')."""
        out: list[str] = []
        least, vocabulary = self.settings.compound_min_length, self.vocabulary
        for token in tokens:  # a known word (most) is never split: the one dictionary probe first
            parts = self._compound(token) if len(token) >= least and stem(token) not in vocabulary else None
            if parts:
                out.extend(parts)
            else:
                out.append(token)
        return out

    def _compound(self, token: str) -> tuple[str, str] | None:
        """The first split of an unknown word into a known head and a known (or numeric) tail."""
        vocabulary = self.vocabulary
        if stem(token) in vocabulary:
            return None
        for i in range(self.settings.compound_min_head, len(token) - self.settings.compound_min_tail + 1):
            head, tail = token[:i], token[i:]
            if stem(head) in vocabulary and (stem(tail) in vocabulary or tail.isdigit()):
                return head, tail
        return None
