"""Query expansion: acronyms the text defines and the synonym groups maintainers keep.

Both map a phrase the user typed to other phrases that mean the same; the answerer adds the
other phrases' terms to the query at a lower weight than the user's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..text import STOP_WORDS, stem, words
from .settings import AnswerSettings

_JOINERS = {"and", "for", "of", "the", "in", "on", "&", "to"}


@dataclass(frozen=True)
class Expansion:
    """One rule that fired: the user's phrase and what was added for it."""

    phrase: str
    added: tuple[str, ...]
    kind: str  # "synonym" or "acronym"


def _initials_match(acronym: str, tokens: Sequence[str]) -> bool:
    """True when the acronym spells the words' leading letters, a word may give a prefix ('KFOR')."""
    def match(a: int, t: int) -> bool:
        if a == len(acronym):
            return t == len(tokens)
        if t == len(tokens):
            return False
        word = tokens[t]
        if word in _JOINERS and match(a, t + 1):
            return True
        for size in range(1, len(word) + 1):
            if acronym[a:a + size] == word[:size] and match(a + size, t + 1):
                return True
            if not acronym[a:a + size] == word[:size]:
                break
        return False
    return match(0, 0)


def find_acronyms(texts: Iterable[str], settings: AnswerSettings = AnswerSettings()) -> dict[str, str]:
    """Learn 'Science for Peace and Security (SPS)' as sps -> 'science for peace and security'."""
    definition = re.compile(rf"\(([A-Z][A-Za-z]{{1,{settings.acronym_max_letters - 1}}})\)")
    found: dict[str, str] = {}
    for text in texts:
        if "(" not in text:  # most passages define nothing: one scan in C instead of a regex call
            continue
        for m in definition.finditer(text):
            acronym = m.group(1).lower()
            if acronym in found:  # the first definition wins: a later one cannot change it
                continue
            longest = len(acronym) + settings.acronym_extra_words
            before = _words_before(text, m.start(), longest)
            for size in range(1, min(len(before), longest) + 1):
                tail = before[-size:]
                if tail[0] not in _JOINERS and _initials_match(acronym, tail):
                    found.setdefault(acronym, " ".join(tail))
                    break
    return found


def _words_before(text: str, end: int, count: int) -> list[str]:
    """The last `count` words before `end`: a window is tokenised, not the whole text before it, so
    learning stays linear in a long text's length. The window starts at a space, where no word can
    be cut in two, and widens until it holds enough words or reaches the start."""
    width = 32 * count
    while True:
        start = max(0, end - width)
        if start > 0:
            start = text.find(" ", start, end)
            if start < 0:  # no space in the window: widen it
                width *= 2
                continue
        found = words(text[start:end])
        if start == 0 or len(found) >= count:
            return found[-count:]
        width *= 2


def capital_readings(synonyms: Iterable[Sequence[str]]) -> tuple[tuple[re.Pattern, str], ...]:
    """A group member written in capitals ('US', 'IT') is an acronym that lower-cased would be an
    ordinary word ('us', 'it'): written so in a question, it reads as its group's first member."""
    out = []
    for group in synonyms:
        first = next((m for m in group if not _is_capitals(m)), None)
        out.extend((re.compile(rf"\b{re.escape(m)}\b"), first) for m in group if first and _is_capitals(m))
    return tuple(out)


def _is_capitals(member: str) -> bool:
    return len(member) > 1 and member.isupper() and member.isalpha()


class Expander:
    """Finds the acronyms and synonym phrases in a query's words and returns what to add."""

    def __init__(self, synonyms: Iterable[Sequence[str]], acronyms: dict[str, str]) -> None:
        synonyms = tuple(synonyms)
        self.capitals = capital_readings(synonyms)  # this knowledge base's own acronyms, never built in
        # Each phrase is matched on stems, so 'armies' finds the group of 'army'.
        # A rule: (stems of its phrase, the phrases it adds, the phrase, kind, group). One rule per group fires
        # per query: 'start' and 'starting' are the same stem, and 'army and troops' needs the group once.
        self.rules: list[tuple[tuple[str, ...], tuple[str, ...], str, str, int]] = []
        group_id = 0
        for group_id, group in enumerate(synonyms):
            for member in group:
                others = tuple(o for o in group if o != member)
                self.rules.append((self._key(member), others, member, "synonym", group_id))
        for offset, (acronym, expansion) in enumerate(acronyms.items(), start=group_id + 1):
            self.rules.append(((stem(acronym),), (expansion,), acronym, "acronym", offset))
            self.rules.append((self._key(expansion), (acronym,), expansion, "acronym", offset))
        self.rules.sort(key=lambda r: -len(r[0]))
        # Rules by their whole phrase, and the phrase lengths by first stem, so a query looks up only
        # the phrases its words can start: thousands of acronyms learnt from a large knowledge base
        # cost nothing per query.
        self.by_key: dict[tuple[str, ...], list[int]] = {}
        self.lengths: dict[str, list[int]] = {}
        for number, rule in enumerate(self.rules):
            if rule[0]:
                self.by_key.setdefault(rule[0], []).append(number)
                sizes = self.lengths.setdefault(rule[0][0], [])
                if len(rule[0]) not in sizes:
                    sizes.append(len(rule[0]))

    @staticmethod
    def _key(phrase: str) -> tuple[str, ...]:
        """The stems a phrase is matched on: its content words (a one-word phrase keeps even a stop word)."""
        tokens = words(phrase)
        return tuple(stem(w) for w in tokens if w not in STOP_WORDS or len(tokens) == 1)

    def expand(self, tokens: Sequence[str]) -> list[Expansion]:
        """The expansions whose phrase occurs in the query's words (longest phrase first)."""
        stems = [stem(t) for t in tokens if t not in STOP_WORDS]
        found = {number for i, s in enumerate(stems) for n in self.lengths.get(s, ())
                 for number in self.by_key.get(tuple(stems[i:i + n]), ())}
        out: list[Expansion] = []
        fired: set[int] = set()
        for number in sorted(found):  # in longest-first order
            _key, others, phrase, kind, group = self.rules[number]
            if group not in fired:
                fired.add(group)
                out.append(Expansion(phrase, others, kind))
        return out
