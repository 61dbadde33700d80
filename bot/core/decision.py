"""Stage 4, the decision: answer-type fit, the follow-up policy, coverage and whether to trust the best passage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..text import STOP_WORDS, normalise, stem, words
from .hits import Hit, Hits
from .first_stage import FirstStage
from .phrasing import (FRAME_WORDS, KEYWORD_GLUE, SWITCH, holds_option, is_anaphoric, named_options, unknown_names,
                       wanted_kind)
from .query import Query
from .settings import AnswerSettings


@dataclass(frozen=True)
class Decision:
    """What the question gets: the search chosen, its passages after penalties, and whether the best is trusted."""

    query: Query
    hits: tuple[Hit, ...]
    coverage: float  # how much of the question the best passage speaks to (see FirstStage.coverage)
    confident: bool
    holds_topic: bool = False  # the best passage holds a word of the carried topic (a follow-up reading)

    @property
    def best(self) -> float:
        """The best passage's score (0 when nothing matched)."""
        return self.hits[0].score if self.hits else 0.0

    @property
    def carried(self) -> tuple[str, ...]:
        """The previous question's topic words, when the answer leaned on them."""
        return self.query.carried


def fit_answer_type(text: str, hits: tuple[Hit, ...], settings: AnswerSettings) -> tuple[Hit, ...]:
    """Weigh the kind of fact asked for: 'when' wants a date, 'how many' a number, 'where' a place.

    A passage holding that kind of fact gains a little (x type_bonus); one without it loses much
    (x type_penalty), since it cannot be the answer however many words it shares with the question.
    """
    has = wanted_kind(text)
    if not hits or has is None:
        return hits
    fitted = (h.scaled(settings.type_bonus if has.search(h.text) else settings.type_penalty, cap=1.0) for h in hits)
    return tuple(sorted(fitted, key=lambda h: -h.score))


def fit_options(text: str, hits: tuple[Hit, ...], settings: AnswerSettings) -> tuple[Hit, ...]:
    """A question naming a command-line option ('-printf', '--extension') is about that option: a passage that
    does not name it loses much (x option_penalty), however many other words it shares ('Which version of file
    added the --extension option?' was answered by 'SunOS releases 3.2 ... the extension of the & operator').
    The order stays the ranking's: a passage naming the option but not what is asked is not promoted by this."""
    options = named_options(text) if "-" in text else []
    if not hits or not options or holds_option(hits[0].text, options):
        return hits
    return tuple(h if holds_option(h.text, options) else h.scaled(settings.option_penalty) for h in hits)


def leans_on_context(text: str, alone: Hits, settings: AnswerSettings) -> bool:
    """True when a question cannot stand alone: a pronoun, no words of its own ('since when?'),
    or a short question that finds nothing by itself. 'What about X?' names a new subject."""
    query = alone.query
    if _anaphoric(text, query):
        return True
    known = [t for t in query.tokens if t not in query.unknown]
    if query.unknown and len(query.unknown) >= len(known):
        return False  # a new subject the knowledge does not cover: do not answer it from the old topic
    standalone = bool(alone.ranked) and alone.best >= settings.threshold
    if known and standalone and SWITCH.match(normalise(text).strip()):
        return False
    return not known or (not standalone and len(known) <= settings.short_followup_words)


def prefers_followup(text: str, alone: Decision, followup: Decision, settings: AnswerSettings) -> bool:
    """Whether the reading with the previous topic answers instead of the question alone.

    A question that finds a confident answer alone is never overridden by a passage that holds less
    of its own words (the old topic winning on the carried words) or none of the carried topic (the
    topic changed nothing, so the question was about something new). Otherwise the follow-up
    reading wins when it finds something and scores nearly as well (or the question points back).
    """
    if not followup.hits:
        return False
    if alone.confident and (followup.coverage < alone.coverage or not followup.holds_topic):
        return False
    return not alone.hits or followup.best >= alone.best * settings.followup_ratio or _anaphoric(text, alone.query)


def decide(text: str, chosen: Hits, index: FirstStage, positions: Mapping[str, int],
           settings: AnswerSettings) -> Decision:
    """Penalise a question naming what the knowledge never mentions, measure coverage, and decide."""
    query, hits = chosen.query, chosen.ranked
    if not chosen.led:  # a suggestion asked back names its section's words, whatever they are
        if unknown_names(text, query.unknown) and hits:  # a name the knowledge lacks: the question is about something else
            hits = tuple(h.scaled(settings.unknown_name_penalty) for h in hits)
        hits = fit_options(text, hits, settings)
    coverage = (0.0 if not hits else chosen.coverage if chosen.coverage is not None
                else passage_coverage(query, index, positions[hits[0].id]))
    best = hits[0].score if hits else 0.0
    holds = bool(hits and query.carried) and any(index.has(positions[hits[0].id], stem(w)) for w in query.carried)
    return Decision(query, hits, coverage, _confident(text, query, best, coverage, settings), holds)


def passage_coverage(query: Query, index: FirstStage, position: int) -> float:
    """How much of the question a passage speaks to: its words, or words meaning the same
    (an expansion's phrase is covered by what it adds). Unknown words are never covered."""
    alternatives: dict[str, set[str]] = {}
    for expansion in query.expansions:
        added = {stem(w) for phrase in expansion.added for w in words(phrase)}
        for w in words(expansion.phrase):
            alternatives.setdefault(stem(w), set()).update(added)
    stems = [(s, alternatives.get(s, ())) for s in map(stem, dict.fromkeys(query.tokens))]
    return index.coverage(position, stems)


def _confident(text: str, query: Query, score: float, coverage: float, settings: AnswerSettings) -> bool:
    """Trust the best passage when it scores above the threshold, or when the message is a few
    bare keywords ('Five Hills', 'SPS') that the passage contains every one of: short queries
    score low on cosine against a long passage although they match it completely."""
    if score >= settings.threshold:
        return True
    glue = [w for w in words(text) if w in STOP_WORDS or w in FRAME_WORDS]
    keywords = (not query.carried and not query.unknown and 0 < len(query.tokens) <= settings.keyword_max_words
                and all(w in KEYWORD_GLUE for w in glue))
    return keywords and coverage >= settings.keyword_coverage and score >= settings.threshold * settings.keyword_floor


def _anaphoric(text: str, query: Query) -> bool:
    """No words of its own, or a word pointing back ('it', 'they')."""
    return not query.tokens or is_anaphoric(text)
