"""Stage 2, the query: how much each index term of a read question counts, with or without a carried topic.

    u(t) = 1                  the user's own words (stems, then bigrams of adjacent stems)
           context_weight     words carried from the previous question, when not the user's own
           acronym_weight     the words an acronym stands for (and the acronym for its words)
           expansion_weight   a synonym of a word the knowledge knows
           substitute_weight  a synonym standing in for a word the knowledge lacks

A term keeps the highest weight any source gives it. The index turns these into scores (index.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ..text import content_words, stem, terms, words
from .expand import Expansion
from .first_stage import FirstStage
from .index import Group
from .reading import Reading
from .settings import AnswerSettings


@dataclass(frozen=True)
class Query:
    """A read question, weighed: the terms the index scores and what the explanation shows of them."""

    reading: Reading
    weights: Mapping[str, float]  # index term -> u(t), in the order the index reads them
    norm_terms: tuple[str, ...]  # the terms whose idf sets the query's length
    known_share: float  # share of the question's idf mass the knowledge knows (1.0 = every word)
    unknown: tuple[str, ...] = ()  # the reading's unknown words that no expansion speaks for
    carried: tuple[str, ...] = ()  # the previous question's topic words, when leaned on
    own: Mapping[str, float] = field(default_factory=dict)  # the user's own (and carried) terms
    groups: tuple[Group, ...] = ()  # per expansion: (weight, alternatives as tuples of terms)
    matched: tuple[str, ...] = ()  # single-word terms the knowledge holds, for the explanation

    @property
    def tokens(self) -> tuple[str, ...]:
        """The question's content words (after corrections)."""
        return self.reading.tokens

    @property
    def expansions(self) -> tuple[Expansion, ...]:
        """The expansions that applied to the question."""
        return self.reading.expansions


def weigh(reading: Reading, index: FirstStage, settings: AnswerSettings, carried: tuple[str, ...] = ()) -> Query:
    """Search weights, normalising terms and known share for a read question (plus a carried topic)."""
    content = list(reading.tokens)
    own_terms = terms(content)  # the stems of the words, then their bigrams
    weights: dict[str, float] = dict.fromkeys(own_terms, 1.0)
    for term in terms(list(carried)) if carried else ():
        weights[term] = max(weights.get(term, 0.0), settings.context_weight)
    own_weights = dict(weights)
    vocabulary = index.vocabulary
    expansions = reading.expansions  # most questions have none: nothing to group or cover
    groups = (tuple(_expansion_group(e, own_weights, weights, vocabulary, settings) for e in expansions)
              if expansions else ())
    own = own_terms[:len(content)]
    covered = {s for e in expansions for s in map(stem, words(e.phrase))} if expansions else set()
    unknown = [t for t in reading.unknown if stem(t) not in covered] if covered else list(reading.unknown)
    known_own = [s for s in own if s in vocabulary or s in covered]
    norm_terms = tuple(known_own + [t for t in own_terms[len(own):] if t in vocabulary])
    if carried:
        norm_terms += tuple(stem(t) for t in carried if stem(t) not in own)
    known = index.known_share(norm_terms, len(unknown), settings.unknown_weight)
    matched = tuple(t for t in weights if " " not in t and t in vocabulary)  # a bigram is never shown: not looked up
    return Query(reading, weights, norm_terms, known, tuple(unknown), carried, own_weights, groups, matched)


def _expansion_group(expansion: Expansion, own_weights: Mapping[str, float], weights: dict[str, float],
                     vocabulary: Mapping[str, int], settings: AnswerSettings) -> Group:
    """One expansion's weight and its alternatives' terms (those not already weighed higher as the
    user's own), adding each term to `weights` at that weight."""
    weight = settings.acronym_weight if expansion.kind == "acronym" else settings.expansion_weight
    if expansion.kind != "acronym" and not any(stem(w) in vocabulary for w in words(expansion.phrase)):
        weight = settings.substitute_weight
    alternatives = []
    for phrase in expansion.added:
        phrase_terms = tuple(t for t in terms(content_words(phrase) or words(phrase))
                             if own_weights.get(t, 0.0) < weight)
        alternatives.append(phrase_terms)
        for term in phrase_terms:
            weights[term] = max(weights.get(term, 0.0), weight)
    return weight, tuple(alternatives)
