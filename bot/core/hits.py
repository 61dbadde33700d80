"""Stage 3, hits: the index's ranking of passages for a weighed query, as passages with their scores;
then (rerank.py) the second stage's order over the first ten, each scored with a calibrated probability."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from ..kb.model import Passage
from ..text import STOP_WORDS, content_stems, negated, stem, words
from .first_stage import FirstStage
from .phrasing import FRAME_WORDS, asked_noun
from .query import Query
from .settings import AnswerSettings

if TYPE_CHECKING:  # with rerank: false a one-shot ask never imports the second stage
    import numpy as np

    from .rerank import Candidate, Reranker
    from .rerank_near import Neighbourhood
    from .rerank_store import PassageWords


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
    coverage: float | None = None  # the best passage's coverage when the search measured it (decide reuses it)
    led: bool = False  # the best passage is asked for by construction (a suggestion's section): decide keeps it

    @property
    def best(self) -> float:
        """The best passage's score (0 when nothing matched)."""
        return self.ranked[0].score if self.ranked else 0.0


def search(index: FirstStage, passages: Sequence[Passage], query: Query, k: int,
           settings: AnswerSettings, only: np.ndarray | None = None) -> tuple[Hit, ...]:
    """The k best passages for a query: one call into the index, grouped rescoring included. With `only`, the k
    best of the passages it marks among the first stage's k x subject_depth best (subjects.py: a named document)."""
    depth = 1 if only is None else settings.subject_depth
    matches = index.rank(query.weights, query.norm_terms, k * depth, query.own, query.groups, settings.rescore_depth,
                         query.known_share)
    if only is not None:
        matches = [m for m in matches if only[m.position]][:k]
    hits = []
    for m in matches:
        p = passages[m.position]
        hits.append(Hit(p.id, p.section, p.text, m.score))
    return tuple(hits)


def decisive(hits: tuple[Hit, ...], settings: AnswerSettings, question: str = "", query: Query | None = None,
             coverage: Callable[[], float] | None = None, indexed: Callable[[set[str]], bool] | None = None) -> bool:
    """Whether the first stage's best passage stands without the second stage: it scores rerank_skip_score (and
    names the thing a 'what X' question asks for), or at least the first stage's own threshold while holding every
    word of a question of rerank_skip_words words, or at least rerank_skip_cover_score while `coverage()` (its share
    of the query's idf mass) is rerank_skip_cover (quality-experiments.md). Never for a question asked in the
    negative: its 'not' is invisible to both. `indexed`, when given, says from the index whether the best passage
    holds stems (the same words `_holds` would read in its text and section)."""
    level, floor = settings.rerank_skip_score, settings.first_stage_threshold
    if level <= 0 or not hits or hits[0].score < floor or negated(question):
        return False
    if hits[0].score >= level and _names_asked(hits[0], question, indexed):
        return True
    return (_holds_every_word(hits[0], question, settings.rerank_skip_words, indexed)
            or _covers(hits[0].score, query, coverage, settings))


# a 'what does X ...' question asks what the term X is or does: its own entry says it ("What's X?" as "What is X?")
_DEFINED = re.compile(r"^(?:what|how)(?: (?:does|do|did|is|are)|['\u2019]s) (?P<article>the |an? )?(?P<term>\S+)",
                     re.IGNORECASE)


def other_entry(question: str, hits: tuple[Hit, ...], settings: AnswerSettings) -> bool:
    """Whether a 'what does X ...' question's best hit is not X's own entry but one of the top rerank_depth is: then
    the first stage only ranked a passage that mentions X more often first (find(1)'s "-print, -fprint: ... -print0"
    over "-print0: True; print ... followed by a null character"), and the second stage reads them closely."""
    term, most = asked_term(question), settings.entry_label_chars
    if not most or not term or not hits or is_entry_of(term, hits[0].text, most):
        return False
    return any(is_entry_of(term, h.text, most) for h in hits[1:settings.rerank_depth])


def entry_first(question: str, ranked: tuple[Hit, ...], settings: AnswerSettings) -> tuple[Hit, ...]:
    """The second stage's order with X's own entry first when a bare 'what does X do' question (`_bare`) was ranked
    a passage that is not X's entry: "Tests: The -empty test for example is ..." beat "-empty: File is empty and
    ...", a definition that need not repeat the question's 'test' or 'match'. The entry takes the better of its own
    probability and the displaced passage's, so the bot answers whenever it would have. One regex for any other
    question; entry_label_chars 0 turns it off (quality-experiments.md)."""
    most = settings.entry_label_chars
    term = bare_term(question) if most else ""
    if not term or not ranked or is_entry_of(term, ranked[0].text, most):
        return ranked
    at = next((i for i, h in enumerate(ranked) if is_entry_of(term, h.text, most)), 0)
    if not at:
        return ranked
    entry = ranked[at]
    first = Hit(entry.id, entry.section, entry.text, max(entry.score, ranked[0].score))
    return (first, *ranked[:at], *ranked[at + 1:])


def lead_first(ranked: tuple[Hit, ...], positions: Sequence[int], passages: Sequence[Passage],
               least: float) -> tuple[Hit, ...]:
    """The ranking with the best-ranked of the passages a question asks for by construction (`positions`: a
    subject's description, a suggested section's passage) first, else the first of them put first; scored the
    better of its own score, the displaced passage's and `least` (the threshold), however its words happened to
    match. The ranking as it is when `positions` is empty."""
    if not positions:
        return ranked
    ids = {passages[p].id for p in positions}
    at = next((i for i, h in enumerate(ranked) if h.id in ids), None)
    if at is None:
        lead = passages[positions[0]]
        entry, rest = Hit(lead.id, lead.section, lead.text, 0.0), ranked
    else:
        entry, rest = ranked[at], (*ranked[:at], *ranked[at + 1:])
    score = max(entry.score, ranked[0].score if ranked else 0.0, least)
    return (Hit(entry.id, entry.section, entry.text, score), *rest)


def bare_term(question: str) -> str:
    """The term X of a bare 'what is / does X (do)' question (`_bare`), as written; '' for any other question."""
    asked = _DEFINED.match(question.strip())
    term = _term(asked)
    return term if term and _bare(question, asked) else ""


def asked_term(question: str) -> str:
    """The term a 'what does / is X ...' question asks about, as written ('' for any other question)."""
    return _term(_DEFINED.match(question.strip()))


def _term(asked: re.Match | None) -> str:
    """asked_term's term from the question's _DEFINED match."""
    term = asked.group("term").strip("?.,!;'\"()") if asked else ""
    return "" if term.lower() in STOP_WORDS else term


def _bare(question: str, asked: re.Match) -> bool:
    """Whether a 'what does X ...' question asks about X and nothing else: after X (and its head noun after 'the':
    "the -empty test", "the dip group") only stop or frame words and one closing word ("match?", "for?"). A question that
    goes on ("What does -depth get turned on by?", "What is sudo preferred over in Debian?") asks a detail, which
    the passage the second stage found holding those words answers, not X's entry."""
    after = words(question.strip()[asked.end():])
    if asked.group("article") and after and after[0] not in STOP_WORDS:
        after = after[1:]
    return all(w in STOP_WORDS or w in FRAME_WORDS for w in after[:-1])


def is_entry_of(term: str, text: str, most: int) -> bool:
    """Whether a passage is the entry of `term`: an option ('-d', '--help') exactly as written, since a program's -d
    and -D differ; a word or name ('tz', 'shadow') in any case, since a question's capitals are the writer's."""
    terms = entry_terms(text, most)
    if not term[:1].isalnum():
        return term in terms
    lowered = term.lower()
    return any(t.lower() == lowered for t in terms)


def entry_terms(text: str, most: int) -> frozenset[str]:
    """The terms a passage is the entry of: the first word of each item of the 'term, term: ' label (at most `most`
    characters: a term or a few, not a sentence ending in a colon) the splitter writes in front of every passage
    of a term's description (docs/splitting.md), as written."""
    label, colon, _ = text.partition(": ")
    if not colon or len(label) > most:
        return frozenset()
    return frozenset(item.split()[0] for item in label.split(", ") if item.split())


def _covers(score: float, query: Query | None, coverage: Callable[[], float] | None, settings: AnswerSettings) -> bool:
    """Whether the best passage covers nearly all of a question of a few stems from a middling score: the second
    stage then changed the answer as often for the better as for the worse (in 10 of 164 tuning questions)."""
    least = settings.rerank_skip_cover
    if least <= 0 or coverage is None or query is None or score < settings.rerank_skip_cover_score:
        return False
    return len({stem(t) for t in query.tokens}) >= settings.rerank_skip_cover_stems and coverage() >= least


def _names_asked(hit: Hit, question: str, indexed: Callable[[set[str]], bool] | None = None) -> bool:
    """Whether the passage (text or section) holds what a 'what X' question asks for, or the question asks no X:
    a passage on the question's other, rarer words ("www-data") scores high without the 'uid' asked for, and
    the first stage cannot tell; the second stage reads it."""
    noun = asked_noun(question)
    return not noun or noun in STOP_WORDS or _holds(hit, {stem(noun)}, indexed)


def _holds_every_word(hit: Hit, question: str, least: int, indexed: Callable[[set[str]], bool] | None = None) -> bool:
    """Whether a question has at least `least` distinct content words (stems) and the passage (text or
    section) holds every one: then the second stage, reading the same words, keeps the same answer."""
    if least <= 0:
        return False
    asked = {stem(w) for w in words(question) if w not in STOP_WORDS and w not in FRAME_WORDS}
    return len(asked) >= least and _holds(hit, asked, indexed)


def _holds(hit: Hit, stems: set[str], indexed: Callable[[set[str]], bool] | None = None) -> bool:
    """Whether the passage's text or section holds a content word of each of these stems (`indexed`: as the index
    says, a few binary searches instead of reading every word of a long passage)."""
    lowered = f"{hit.text} {hit.section}".lower()
    if not all(s[:-1] in lowered for s in stems):  # a held stem's word nearly always spells all but its last letter:
        return False  # a cheap no before reading the words of a long passage (a miss only sends it to the stage)
    if indexed is not None:
        return indexed(stems)
    held = set(content_stems(words(hit.text)))
    if not stems <= held:
        held.update(content_stems(words(hit.section)))
    return stems <= held


def first_stage_scaled(hits: tuple[Hit, ...], model_threshold: float, settings: AnswerSettings) -> tuple[Hit, ...]:
    """The first stage's hits on the second stage's scale, its own threshold put at the model's: at the
    model's threshold they decide as the first stage alone would, and a stricter threshold is stricter."""
    factor = model_threshold / settings.first_stage_threshold
    return tuple(h.scaled(factor) for h in hits)


def rerank(reranker: Reranker, passages: Sequence[Passage], positions: Mapping[str, int], query: Query,
           hits: tuple[Hit, ...], settings: AnswerSettings) -> tuple[Hit, ...]:
    """The first stage's top candidates in the second stage's order, each scored with the probability
    that it answers the question (what the threshold is then read against)."""
    top = hits[:settings.rerank_depth]
    if not top:
        return hits
    words = reranker.passage_words(passages)
    store = words is not None and words.sections is not None
    candidates = _candidates(passages, [positions[h.id] for h in top], top, settings.rerank_neighbours,
                             words if store else None,
                             reranker.neighbourhood(passages, settings.rerank_neighbours) if store else None)
    own = query.tokens
    content_words = list(own) + [w for w in query.carried if w not in own]  # a follow-up reads with its topic
    expansions = [(e.phrase, e.added) for e in query.expansions]
    ranking = reranker.rank(query.reading.text, candidates, content_words, expansions, words)
    return tuple(Hit(top[i].id, top[i].section, top[i].text, ranking.probabilities[i]) for i in ranking.order)


def _candidates(passages: Sequence[Passage], places: list[int], hits: Sequence[Hit], neighbours: int,
                words: PassageWords | None = None, near: Neighbourhood | None = None) -> list[Candidate]:
    """The hits (at these places) as the second stage reads them, with `neighbours` passages each side in its section."""
    # With the passages' columns (`words`, the answerer's store) no Passage is built or read, each candidate
    # carries its places so the stage reads their words by place, and `near` knows its neighbours' places
    # without comparing sections. All ten in one call: this runs on every reranked question.
    from .rerank import Candidate

    if words is not None:
        text, section, asked = words.texts.__getitem__, words.sections.__getitem__, words.questions.__getitem__
    else:  # no store with the passages' columns (the second stage used on its own): read them one by one
        def text(n: int) -> str: return passages[n].text
        def section(n: int) -> str: return passages[n].section
        def asked(n: int) -> tuple[str, ...]: return passages[n].questions
    size, out = len(passages), []
    for at, hit in zip(places, hits):
        if near is not None:
            before, after = near.around(at)
        else:
            own = hit.section
            before = [n for n in range(max(0, at - neighbours), at) if section(n) == own]
            after = [n for n in range(at + 1, min(size, at + 1 + neighbours)) if section(n) == own]
        out.append(Candidate(hit.text, hit.score, tuple(map(text, before)), tuple(map(text, after)), hit.section,
                             asked(at), (at, *before, *after) if words is not None else ()))
    return out
