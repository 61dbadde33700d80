"""The seam between the answer pipeline and its first-stage search: what the stages ask of an index.

TfidfIndex (index.py) implements it in process. Past one machine (README, Performance: the
growth curve) the same calls map onto an external BM25 engine such as OpenSearch or
Elasticsearch, one document per passage with its position as the document id:

- `rank`: one `bool` query of `should` clauses, a `term` per index term boosted by its weight
  (bigrams on a shingle field), `size` k; the engine's BM25 scores divided by the query's length
  as `known_share` says, clipped to 1, and expansions' alternatives as `dis_max` groups so each
  counts once by its best alternative;
- `coverage`: whether a passage holds each stem, from the k hits' term vectors (or `_explain`);
- `vocabulary`, `word_counts`, `known_share`: the engine's term statistics (doc frequency gives
  idf), or a local copy of the vocabulary, which the speller needs at every question anyway.

Nothing here is a toy engine: this is the contract, so a second implementation replaces the index
without touching the stages.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Protocol, Sequence, runtime_checkable

from .index import Group, Match


@runtime_checkable
class FirstStage(Protocol):
    """The first-stage search the pipeline's reading, query, hits and decision stages use."""

    vocabulary: Mapping[str, int]  # every index term the knowledge holds (word stems and bigrams)
    word_counts: Mapping[str, int]  # how often each word occurs: the speller's dictionary
    n_docs: int

    def known_share(self, norm_terms: Iterable[str], unknown: int, unknown_weight: float) -> float:
        """The share of the question's idf mass the knowledge knows (1.0 = every word)."""

    def rank(self, weights: Mapping[str, float], norm_terms: Iterable[str], k: int, own: Mapping[str, float],
             groups: Sequence[Group], depth: int, known: float) -> list[Match]:
        """The k best passages (positions) for weighted terms, best first, scores in [0, 1]."""

    def coverage(self, position: int, stems: Iterable[tuple[str, Iterable[str]]]) -> float:
        """How much of the question one passage speaks to (idf-weighted share of its stems held)."""
