"""Stage 3, hits: the index's ranking of passages for a weighed query, as passages with their scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..knowledge import Passage
from .index import TfidfIndex
from .query import Query
from .settings import AnswerSettings


@dataclass(frozen=True)
class Hit:
    """A candidate passage for a question, with its score; the front ends list these as sources."""

    id: str
    section: str
    text: str
    score: float

    def scaled(self, factor: float, cap: float | None = None) -> "Hit":
        """The same passage with its score times `factor` (clipped to `cap` when given)."""
        score = self.score * factor
        return Hit(self.id, self.section, self.text, score if cap is None else min(cap, score))


@dataclass(frozen=True)
class Hits:
    """One search: the query it answered and its passages, best first."""

    query: Query
    ranked: tuple[Hit, ...] = ()

    @property
    def best(self) -> float:
        """The best passage's score (0 when nothing matched)."""
        return self.ranked[0].score if self.ranked else 0.0


def search(index: TfidfIndex, passages: Sequence[Passage], query: Query, k: int,
           settings: AnswerSettings) -> tuple[Hit, ...]:
    """The k best passages for a query: one call into the index, grouped rescoring included."""
    matches = index.rank(query.weights, query.norm_terms, k, query.own, query.groups, settings.rescore_depth,
                         query.known_share)
    return tuple(Hit(p.id, p.section, p.text, m.score) for m in matches for p in (passages[m.position],))
