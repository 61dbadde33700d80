"""The answerer: turns a question (and its conversation) into a short, sourced answer or an honest no.

Steps: guard the input, recognise small talk, read the question's words (correcting unknown
ones against the knowledge's vocabulary), expand acronyms and synonyms, lean on the previous
turn when the question cannot stand alone, search, and compose one or two facts with a source.
"""

from __future__ import annotations

import bisect
import math
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from .config import Config
from .conversation import Context, SessionStore, Turn, smalltalk_intent, strip_greeting
from .core.expand import Expander, Expansion, find_acronyms
from .core.index import TfidfIndex
from .core.lexicon import english_words
from .core.settings import AnswerSettings
from .knowledge import KnowledgeBase, Passage
from .core.phrasing import (FRAME_WORDS, KEYWORD_GLUE, SWITCH, UPPER_ACRONYMS, is_anaphoric, unknown_names,
                       wanted_kind)
from .core.spelling import Speller
from .text import STOP_WORDS, clean, content_words, normalise, stem, terms, words

EXPANSION_WEIGHT = 0.6
ACRONYM_WEIGHT = 0.3
UNKNOWN_WEIGHT = 1.0  # how much a word the knowledge has never seen counts against a match
CONTEXT_WEIGHT = 0.7
KEYWORD_MAX_WORDS = 3
KEYWORD_FLOOR = 0.4  # share of the threshold a fully matched keyword query needs
SECOND_FACT_RATIO = 0.5  # a neighbouring fact joins the answer when it scores this close
UNKNOWN_NAME_PENALTY = 0.35
TYPE_BONUS = 1.1
TYPE_PENALTY = 0.3
SUBSTITUTE_WEIGHT = 0.7
RESCORE_FACTOR = 2  # candidates rescored per answer slot when expansions offer alternatives
_UPPER_ACRONYMS = tuple((re.compile(rf"\b{k}\b"), v) for k, v in UPPER_ACRONYMS.items())


@dataclass(frozen=True)
class Hit:
    """A candidate passage for a question, with its score; the front ends list these as sources."""

    id: str
    section: str
    text: str
    score: float


@dataclass(frozen=True)
class Why:
    """How an answer came about: the terms matched, corrections, expansions and runner-ups."""

    matched: tuple[str, ...] = ()
    corrected: tuple[tuple[str, str], ...] = ()
    expansions: tuple[tuple[str, str, str], ...] = ()
    context: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    score: float = 0.0
    coverage: float = 0.0
    threshold: float = 0.0
    runners_up: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class Answer:
    """What the user gets: the answer text, whether it came from the knowledge, and its sources."""

    found: bool
    text: str
    kind: str  # answer | unknown | smalltalk | help | empty | too_long
    score: float = 0.0
    sources: tuple[Hit, ...] = ()
    citation: str = ""
    passage_ids: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    why: Why = field(default_factory=Why)
    context: Context = field(default_factory=Context, compare=False, repr=False)

    def to_dict(self) -> dict:
        """The stable JSON shape of an answer (the JSON-lines contract)."""
        return {
            "found": self.found, "answer": self.text, "kind": self.kind, "score": round(self.score, 4),
            "sources": [{"id": h.id, "section": h.section, "text": h.text, "score": round(h.score, 4)} for h in self.sources],
            "citation": self.citation, "passage_ids": list(self.passage_ids), "suggestions": list(self.suggestions),
            "why": _why_dict(self.why),
        }


def _bulleted(lead: str, items) -> str:
    """A lead line followed by one bullet per item."""
    return f"{lead}\n" + "\n".join(f"\u2022 {item}" for item in items)


def _why_dict(why: Why) -> dict:
    data = asdict(why)
    data["corrected"] = [{"from": a, "to": b} for a, b in why.corrected]
    data["expansions"] = [{"phrase": p, "added": a, "kind": k} for p, a, k in why.expansions]
    data["runners_up"] = [{"id": h.id, "score": round(h.score, 4)} for h in why.runners_up]
    data["score"] = round(why.score, 4)
    return data


@dataclass(frozen=True)
class _Query:
    """The analysed question: its words, corrections, expansions and search weights."""

    tokens: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...]
    unknown: tuple[str, ...]
    expansions: tuple[Expansion, ...]
    weights: dict
    norm_terms: tuple[str, ...]
    coverage: float  # share of the question's idf mass the knowledge knows (1.0 = every word)
    own: dict = field(default_factory=dict)  # the user's own (and carried) terms and their weights
    groups: tuple = ()  # per expansion: (weight, alternatives as tuples of terms)


class Answerer:
    """Answers questions from one knowledge base and its index; pure, no I/O."""

    def __init__(self, kb: KnowledgeBase, index: TfidfIndex, config: Config,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.kb = kb
        self.index = index
        self.config = config
        self.retrieval = config.retrieval
        self.clock = clock
        self.settings = AnswerSettings.from_config(config)
        self.speller = Speller(index.word_counts, extra=STOP_WORDS, settings=self.settings)
        self.acronyms = find_acronyms((p.text for p in kb.passages), self.settings)
        self.expander = Expander(kb.synonyms, self.acronyms)
        self.positions = kb.positions
        self._sorted_words = sorted(index.word_counts)
        self.examples = self._examples()

    # -- public -------------------------------------------------------------------------------

    def answer(self, question: str, context: Context | None = None) -> Answer:
        """Answer one question; `context` is the conversation so far (returned updated in the answer)."""
        context = context or Context()
        limit = self.retrieval.max_question_chars
        if len(question) > limit:
            return self._reply("too_long", self.config.replies.too_long.format(limit=f"{limit:,}"), context)
        text = clean(question)
        if not any(ch.isalnum() for ch in text):
            return self._reply("empty", self._with_examples(self.config.replies.empty), context, self.examples)
        intent = smalltalk_intent(text)
        if intent == "help":
            return self._reply("help", self.help_text(), context, self.examples)
        if intent is not None:
            reply = getattr(self.config.replies, f"smalltalk_{intent}")
            return self._reply("smalltalk", reply, Context() if intent == "bye" else context)
        return self._retrieve(strip_greeting(text), context)

    def help_text(self) -> str:
        """What the bot knows about, for `help` and /help."""
        sources = self.sources_text()
        topics = "; ".join(self.kb.sections()[:8])
        return self._with_examples(f"I answer questions from {sources}. Topics: {topics}. Ask in your own words, for example:")

    def sources_text(self) -> str:
        """The documents the answers come from, as a person would name them."""
        return ", ".join(s.citation() for s in self.kb.sources.values()) or "my documents"

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        """The top passages for a question without composing an answer (for maintainers and tools)."""
        query = self._analyse(words(question))
        return self._hits(query, k or self.retrieval.candidates)

    # -- retrieval ----------------------------------------------------------------------------

    def _analyse(self, tokens: list[str], carried: tuple[str, ...] = ()) -> _Query:
        """Read a question's words and weigh them, with the previous turn's topic when `carried`."""
        return self._weigh(self._read(tokens), carried)

    def _read(self, tokens: list[str]) -> tuple[list[str], list, list[str], list[Expansion]]:
        """The question's content words after corrections, the corrections, the unknown words and the
        expansions that apply: everything that does not depend on the conversation."""
        content, corrected, unknown = [], [], []
        for token in self._split_compounds(tokens):
            if token in STOP_WORDS or token in FRAME_WORDS:
                continue
            if (self.retrieval.typo_correction and stem(token) not in self.index.vocabulary
                    and token not in english_words(self.settings.english_min_count)):
                fixed = self.speller.correct(token)
                if fixed is not None and fixed != token:
                    corrected.append((token, fixed))
                    token = fixed
                    if token in STOP_WORDS:
                        continue
            if stem(token) not in self.index.vocabulary:
                related = self._related_word(token)
                if related is not None:
                    corrected.append((token, related))
                    token = related
                else:
                    unknown.append(token)
            content.append(token)
        return content, corrected, unknown, self.expander.expand(content)

    def _weigh(self, reading: tuple, carried: tuple[str, ...] = ()) -> _Query:
        """Search weights, normalising terms and coverage for a read question (plus a carried topic)."""
        content, corrected, unknown, expansions = reading
        own_terms = terms(content)  # the stems of the words, then their bigrams
        weights: dict[str, float] = dict.fromkeys(own_terms, 1.0)
        for term in terms(list(carried)) if carried else ():
            weights[term] = max(weights.get(term, 0.0), CONTEXT_WEIGHT)
        own_weights = dict(weights)
        vocabulary = self.index.vocabulary
        groups = []
        for expansion in expansions:
            weight = ACRONYM_WEIGHT if expansion.kind == "acronym" else EXPANSION_WEIGHT
            if expansion.kind != "acronym" and not any(stem(w) in vocabulary for w in words(expansion.phrase)):
                weight = SUBSTITUTE_WEIGHT
            alternatives = []
            for phrase in expansion.added:
                phrase_terms = tuple(t for t in terms(content_words(phrase) or words(phrase))
                                     if own_weights.get(t, 0.0) < weight)
                alternatives.append(phrase_terms)
                for term in phrase_terms:
                    weights[term] = max(weights.get(term, 0.0), weight)
            groups.append((weight, tuple(alternatives)))
        own = own_terms[:len(content)]
        covered = {s for e in expansions for s in map(stem, words(e.phrase))}
        if covered:
            unknown = [t for t in unknown if stem(t) not in covered]
        known_own = [s for s in own if s in vocabulary or s in covered]
        norm_terms = tuple(known_own + [t for t in own_terms[len(own):] if t in vocabulary])
        if carried:
            norm_terms += tuple(stem(t) for t in carried if stem(t) not in own)
        coverage = self.index.known_share(norm_terms, len(unknown), UNKNOWN_WEIGHT)
        return _Query(tuple(content), tuple(corrected), tuple(unknown), tuple(expansions), weights, norm_terms,
                      coverage, own_weights, tuple(groups))

    def _related_word(self, token: str) -> str | None:
        """A knowledge word of the same family that stemming missed ('environment' for 'environmental')."""
        if len(token) < 5:
            return None
        i = bisect.bisect_left(self._sorted_words, token)
        while i < len(self._sorted_words) and self._sorted_words[i].startswith(token):
            candidate = self._sorted_words[i]
            if len(candidate) - len(token) <= 4:
                return candidate
            i += 1
        return None

    def _split_compounds(self, tokens: list[str]) -> list[str]:
        """Split a run-together word into two known words ('counterterrorism', 'fivehills', 'covid19')."""
        out = []
        vocabulary = self.index.vocabulary
        for token in tokens:
            if len(token) >= 7 and stem(token) not in vocabulary:
                for i in range(3, len(token) - 1):
                    head, tail = token[:i], token[i:]
                    if stem(head) in vocabulary and (stem(tail) in vocabulary or tail.isdigit()):
                        out.extend((head, tail))
                        break
                else:
                    out.append(token)
            else:
                out.append(token)
        return out

    def _hits(self, query: _Query, k: int) -> list[Hit]:
        matches = self.index.rank(query.weights, query.norm_terms, k, query.own, query.groups, RESCORE_FACTOR,
                                  query.coverage)
        return [Hit(p.id, p.section, p.text, m.score) for m in matches for p in (self.kb.passages[m.position],)]

    def _retrieve(self, text: str, context: Context) -> Answer:
        tokens = words(text) + [v for pattern, v in _UPPER_ACRONYMS if pattern.search(text)]
        reading = self._read(tokens)
        query = self._weigh(reading)
        k = max(self.retrieval.candidates, 8)
        hits = self._rerank(text, self._hits(query, k))
        carried: tuple[str, ...] = ()
        previous = context.topic(self.clock(), self.config.session.max_age_seconds)
        if previous and self._leans_on_context(text, query, hits):
            followup = self._weigh(reading, carried=previous)
            followup_hits = self._rerank(text, self._hits(followup, k))
            if followup_hits and (not hits or followup_hits[0].score >= hits[0].score * 0.9
                                  or self._anaphoric(text, query)):
                query, hits, carried = followup, followup_hits, previous
        strangers = unknown_names(text, query.unknown)
        if strangers and hits:  # a name the knowledge never mentions: the question is about something else
            hits = [Hit(h.id, h.section, h.text, h.score * UNKNOWN_NAME_PENALTY) for h in hits]
        coverage = self._coverage(query, hits[0].id) if hits else 0.0
        best = hits[0].score if hits else 0.0
        why = Why(
            matched=tuple(t for t in query.weights if t in self.index.vocabulary and " " not in t),
            corrected=query.corrected, unknown=query.unknown,
            expansions=tuple((e.phrase, ", ".join(e.added), e.kind) for e in query.expansions),
            context=carried, score=best, coverage=coverage, threshold=self.retrieval.threshold, runners_up=tuple(hits[1:4]),
        )
        sources = tuple(hits[: self.retrieval.candidates])
        if not self._confident(text, query, best, coverage, bool(carried)):
            suggestions = self._suggestions(hits)
            text_out = _bulleted(f"{self.config.replies.not_found} {self.config.replies.suggest}", suggestions)
            return Answer(False, text_out, "unknown", best, sources, suggestions=suggestions, why=why,
                          context=Context())
        chosen = self._compose(hits)  # in document order, so two facts read naturally
        passage = self.kb.passages[self.positions[hits[0].id]]
        topic = tuple(dict.fromkeys(carried + query.tokens))[-8:] if carried else query.tokens
        new_context = context.add(Turn(text, topic, passage.id, self.clock()), self.config.session.max_turns)
        answer_text = " ".join(self._shorten(h.text) for h in chosen)
        ids = (hits[0].id,) + tuple(h.id for h in chosen if h.id != hits[0].id)  # best first
        return Answer(True, answer_text, "answer", best, sources, self.citation(passage), ids, why=why,
                      context=new_context)

    def _confident(self, text: str, query: _Query, score: float, coverage: float, carried: bool) -> bool:
        """Trust the best passage when it scores above the threshold, or when the message is a few
        bare keywords ('Five Hills', 'SPS') that the passage contains every one of: short queries
        score low on cosine against a long passage although they match it completely."""
        if score >= self.retrieval.threshold:
            return True
        glue = [w for w in words(text) if w in STOP_WORDS or w in FRAME_WORDS]
        keywords = (not carried and not query.unknown and 0 < len(query.tokens) <= KEYWORD_MAX_WORDS
                    and all(w in KEYWORD_GLUE for w in glue))
        return keywords and coverage >= 0.999 and score >= self.retrieval.threshold * KEYWORD_FLOOR

    def _coverage(self, query: _Query, passage_id: str) -> float:
        """How much of the question the passage speaks to: the idf-weighted share of the user's words
        (or words meaning the same) that it contains. Unknown words are never covered.

            coverage = sqrt( sum_{w covered} idf(w)^2 / sum_{w in question} idf(w)^2 )
        """
        alternatives: dict[str, set[str]] = {}
        for expansion in query.expansions:
            added = {stem(w) for phrase in expansion.added for w in words(phrase)}
            for w in words(expansion.phrase):
                alternatives.setdefault(stem(w), set()).update(added)
        stems = [(s, alternatives.get(s, ())) for s in map(stem, dict.fromkeys(query.tokens))]
        return self.index.coverage(self.positions[passage_id], stems)

    def _leans_on_context(self, text: str, query: _Query, hits: list[Hit]) -> bool:
        """True when a question cannot stand alone: a pronoun, no words of its own ('since when?'),
        or a short question that finds nothing by itself. 'What about X?' names a new subject."""
        if self._anaphoric(text, query):
            return True
        known = [t for t in query.tokens if t not in query.unknown]
        if query.unknown and len(query.unknown) >= len(known):
            return False  # a new subject the knowledge does not cover: do not answer it from the old topic
        standalone = bool(hits) and hits[0].score >= self.retrieval.threshold
        if known and standalone and SWITCH.match(normalise(text).strip()):
            return False
        return not known or (not standalone and len(known) <= 2)

    @staticmethod
    def _anaphoric(text: str, query: _Query) -> bool:
        return not query.tokens or is_anaphoric(text)

    def _rerank(self, text: str, hits: list[Hit]) -> list[Hit]:
        """Weigh the kind of fact asked for: 'when' wants a date, 'how many' a number, 'where' a place.

        A passage holding that kind of fact gains a little; one without it loses much, since it
        cannot be the answer however many words it shares with the question.
        """
        has = wanted_kind(text)
        if not hits or has is None:
            return hits
        return sorted((Hit(h.id, h.section, h.text, min(1.0, h.score * (TYPE_BONUS if has.search(h.text) else TYPE_PENALTY)))
                       for h in hits), key=lambda h: -h.score)

    def _compose(self, hits: list[Hit]) -> list[Hit]:
        """The best fact, plus the next one when it continues the first in the document and fits."""
        best = hits[0]
        chosen = [best]
        position = self.positions[best.id]
        for other in hits[1:3]:
            other_position = self.positions[other.id]
            adjacent = abs(other_position - position) == 1
            same_section = self.kb.passages[other_position].section == self.kb.passages[position].section
            fits = len(best.text) + len(other.text) + 1 <= self.retrieval.max_answer_chars
            if adjacent and same_section and fits and other.score >= SECOND_FACT_RATIO * best.score:
                chosen.append(other)
                chosen.sort(key=lambda h: self.positions[h.id])
                break
        return chosen

    def _shorten(self, text: str) -> str:
        """Cut a long bulk passage to its first sentences within the answer limit."""
        limit = self.retrieval.max_answer_chars
        if len(text) <= limit:
            return text
        cut = text[:limit]
        end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
        return cut[: end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + "\u2026"

    # -- replies ------------------------------------------------------------------------------

    def citation(self, passage: Passage) -> str:
        """The source line: document, publisher, date and section."""
        source = self.kb.sources.get(passage.source)
        name = source.citation() if source else (passage.source or "knowledge base")
        return f"{name}, section \u201c{passage.section}\u201d" if passage.section else name

    def source_url(self, passage_id: str) -> str:
        """The URL of a passage's source document, when known."""
        passage = self.kb.passages[self.positions[passage_id]] if passage_id in self.positions else None
        source = self.kb.sources.get(passage.source) if passage else None
        return source.url if source else ""

    def _examples(self) -> tuple[str, ...]:
        """Example questions, one per section: a passage's own question, else its topic."""
        out: list[str] = []
        seen_sections: set[str] = set()
        for passage in self.kb.passages:
            if passage.section in seen_sections:
                continue
            seen_sections.add(passage.section)
            out.append(self._question_for(passage))
            if len(out) == 3:
                break
        return tuple(out)

    @staticmethod
    def _question_for(passage: Passage) -> str:
        """A question that leads to a passage: its own first question, else 'Tell me about' its topic."""
        if passage.questions:
            return passage.questions[0]
        topic = passage.section or " ".join(passage.text.split()[:6])
        return f"Tell me about {topic[0].lower() + topic[1:] if topic[:2].istitle() else topic}"

    def _suggestions(self, hits: list[Hit]) -> tuple[str, ...]:
        """Two or three things to ask instead: the near misses if any, else the examples."""
        near = [h for h in hits if h.score >= self.retrieval.threshold * 0.5]
        out: list[str] = []
        for hit in near:
            passage = self.kb.passages[self.positions[hit.id]]
            suggestion = self._question_for(passage)
            if suggestion not in out:
                out.append(suggestion)
            if len(out) == 3:
                break
        for example in self.examples:
            if len(out) >= 3:
                break
            if example not in out:
                out.append(example)
        return tuple(out)

    def _with_examples(self, lead: str) -> str:
        return _bulleted(lead, self.examples)

    def _reply(self, kind: str, text: str, context: Context, suggestions: tuple[str, ...] = ()) -> Answer:
        return Answer(False, text, kind, suggestions=suggestions, context=context)


def build_answerer(config: Config, kb: KnowledgeBase | None = None, cache: bool = True,
                   clock: Callable[[], float] = time.monotonic) -> Answerer:
    """Load the knowledge and its index (saved beside it when possible) and make an answerer."""
    from pathlib import Path

    from .index import choose_scoring, load_or_build
    from .knowledge import MAX_TEXT_CHARS, load_knowledge

    kb = kb or load_knowledge(config.knowledge)
    folder = Path(kb.path)
    cache_dir = None
    if cache and kb.path:
        cache_dir = folder / ".index" if folder.is_dir() else folder.parent / f".{folder.name}.index"
    settings = choose_scoring(config.retrieval.scoring, kb.passages, MAX_TEXT_CHARS)
    index = load_or_build(kb.passages, cache_dir, settings)
    return Answerer(kb, index, config, clock)


def new_sessions(config: Config, clock: Callable[[], float] = time.monotonic) -> SessionStore:
    """A session store bounded as the configuration says."""
    return SessionStore(config.session.max_sessions, config.session.max_age_seconds, clock)
