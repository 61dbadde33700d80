"""The knowledge's values: sources, passages, the loaded knowledge and its regression questions, with the
limits every passage meets. What the core reads the knowledge through."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Sequence


MAX_TEXT_CHARS = 500  # a hand-written fact passage: a sentence or two


MAX_BULK_TEXT_CHARS = 100_000  # JSON-lines bulk data sets carry whole descriptions


ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}")  # whole id: fullmatch (a "$" lets "abc\n" in)


@dataclass(frozen=True)
class Source:
    """Where passages come from, for the source line under every answer."""

    id: str
    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    document: str = ""

    def citation(self) -> str:
        """A short human citation: title, publisher and date where known."""
        extra = ", ".join(part for part in (self.publisher, _readable_date(self.date)) if part)
        return f"{self.title} ({extra})" if extra else self.title


def _readable_date(value: str) -> str:
    """'2022-05-24' as '24 May 2022'; anything else unchanged."""
    import datetime

    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Passage:
    """One fact: a sentence or two, with a stable id, its section and its source."""

    id: str
    text: str
    section: str = ""
    source: str = ""
    questions: tuple[str, ...] = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class KnowledgeBase:
    """Every passage in document order, with the sources and synonym groups that go with them."""

    passages: tuple[Passage, ...]
    sources: dict[str, Source] = field(default_factory=dict)
    synonyms: tuple[tuple[str, ...], ...] = ()
    path: str = ""

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each passage id's place in `passages`, computed once (the passages never change)."""
        ids = getattr(self.passages, "ids", None)  # a snapshot's passages give their ids without being built
        return dict(zip(ids if ids is not None else (p.id for p in self.passages), range(len(self.passages))))

    def by_id(self, passage_id: str) -> Passage | None:
        """Look a passage up by id."""
        position = self.positions.get(passage_id)
        return None if position is None else self.passages[position]

    def sections(self) -> list[str]:
        """Distinct section names in document order (a copy: callers may change it)."""
        return list(self._sections)

    @cached_property
    def _sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for s in section_column(self.passages) if s))


def section_column(passages: Sequence[Passage]) -> Sequence[str]:
    """Every passage's section in order; a snapshot's passages give theirs without being built."""
    sections = getattr(passages, "sections", None)
    return sections if sections is not None else [p.section for p in passages]


def source_column(passages: Sequence[Passage]) -> Sequence[str]:
    """Every passage's source id in order; a snapshot's passages give theirs without being built."""
    sources = getattr(passages, "sources", None)
    return sources if sources is not None else [p.source for p in passages]


def text_column(passages: Sequence[Passage]) -> Sequence[str]:
    """Every passage's text in order; a snapshot's passages decode theirs without being built and kept."""
    texts = getattr(passages, "texts", None)
    return texts if texts is not None else [p.text for p in passages]


def question_column(passages: Sequence[Passage]) -> Sequence[tuple[str, ...]]:
    """Every passage's own questions in order; a snapshot's passages give theirs without being built."""
    questions = getattr(passages, "questions", None)
    return questions if questions is not None else [p.questions for p in passages]


def check_passage_text(text: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    """Say what is wrong with a passage text, or None when it is acceptable."""
    if not text.strip():
        return "text is empty"
    if len(text) > limit:
        return f"text is {len(text)} characters, over the {limit} limit"
    return None


def check_id(passage_id: str) -> str | None:
    """Say what is wrong with a passage id, or None when it is acceptable."""
    if not ID_PATTERN.fullmatch(passage_id):
        return f"id '{passage_id}' must be letters, digits, '.', '_', ':', '+' or '-', at most 128 characters"
    return None


@dataclass(frozen=True)
class RegressionQuestion:
    """A question the knowledge must keep answering: with a given passage, or with given words."""

    question: str
    expect_id: str = ""
    expect: tuple[str, ...] = ()
    xfail: bool = False
    line: int = 0

    def passes(self, found: bool, text: str, passage_ids: Iterable[str]) -> bool:
        """Right when the answer was found and uses the expected passage, or holds every expected string."""
        if not found:
            return False
        if self.expect_id and self.expect_id not in passage_ids:
            return False
        from ..text import holds_all

        return holds_all(text, self.expect)
