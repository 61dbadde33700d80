"""Stage 5, composing: a decision becomes an Answer with its text, source, suggestions and explanation."""

from __future__ import annotations

import itertools
from functools import cached_property

from ..config import Replies
from ..kb.model import KnowledgeBase, Passage, section_column
from .answer import Alternative, Answer, Why
from .context import Context, Turn
from .decision import Decision
from .hits import Hit
from .lexicon import english_words
from .settings import AnswerSettings
from .topics import lowered, offer, topic


def bulleted(lead: str, items) -> str:
    """A lead line followed by one bullet per item."""
    return f"{lead}\n" + "\n".join(f"\u2022 {item}" for item in items)


class Composer:
    """Writes answers from one knowledge base: facts in document order, cited, with what to offer next."""

    def __init__(self, kb: KnowledgeBase, settings: AnswerSettings, replies: Replies) -> None:
        self.kb = kb
        self.settings = settings
        self.replies = replies
        self.positions = kb.positions
        self._named: dict[str, tuple[str, str]] = {}  # source id -> (citation, url): every answer cites a few

    # -- answers from a decision ------------------------------------------------------------------

    def found(self, decision: Decision, context: Context, now: float) -> Answer:
        """The best fact (and its continuation when it fits), cited, remembered for a follow-up."""
        s, query, hits = self.settings, decision.query, decision.hits
        best = hits[0]
        passage = self.kb.passages[self.positions[best.id]]
        carried = decision.carried
        topic = carried or query.tokens  # a follow-up stays on the subject it pointed back at: topics never pile up
        new_context = context.add(Turn(query.reading.text, topic, passage.id, now), s.max_turns)
        chosen = self._facts(hits)
        ids = (best.id,) + tuple(h.id for h in chosen if h.id != best.id)  # best first
        unsure = best.score < s.threshold * s.unsure_margin
        why = self._why(decision, ids)
        citation, url = self._cited(passage)
        return Answer(True, " ".join(self._shorten(h.text) for h in chosen), "answer", best.score,
                      tuple(hits[:s.candidates]), citation, ids, why=why, context=new_context,
                      source_url=url, unsure=unsure,
                      nearby=self._nearby(hits[:s.candidates], ids, best.score) if unsure else (),
                      alternatives=self._alternatives(hits[:s.candidates], ids), why_chars=s.why_text_chars)

    def not_found(self, decision: Decision) -> Answer:
        """The honest no, with two or three questions the knowledge does answer."""
        hits, why = decision.hits, self._why(decision)
        suggestions = self._suggestions(hits)
        text = bulleted(f"{self.replies.not_found} {self.replies.suggest}", suggestions)
        return Answer(False, text, "unknown", decision.best, tuple(hits[:self.settings.candidates]),
                      suggestions=suggestions, why=why, context=Context(),
                      alternatives=self._alternatives(hits[:self.settings.candidates], ()),
                      why_chars=self.settings.why_text_chars)

    def reply(self, kind: str, text: str, context: Context, suggestions: tuple[str, ...] = ()) -> Answer:
        """A reply that is not a search (small talk, help, an empty or over-long message)."""
        return Answer(False, text, kind, suggestions=suggestions, context=context,
                      why_chars=self.settings.why_text_chars)

    def _why(self, decision: Decision, answered: tuple[str, ...] = ()) -> Why:
        """The explanation's facts: terms, corrections, expansions, carried topic, score and runner-ups
        (passages other than the best that are not already part of the answer)."""
        query, hits = decision.query, decision.hits
        runners_up = tuple(itertools.islice((h for h in hits[1:] if h.id not in answered), self.settings.runners_up))
        return Why(matched=query.matched, corrected=query.reading.corrected, unknown=query.unknown,
                   expansions=tuple((e.phrase, ", ".join(e.added), e.kind) for e in query.expansions),
                   context=decision.carried, score=decision.best, coverage=decision.coverage,
                   threshold=self.settings.threshold, runners_up=runners_up)

    def _facts(self, hits: tuple[Hit, ...]) -> list[Hit]:
        """The best fact, plus the next one when it continues the first in the document and fits."""
        s, best = self.settings, hits[0]
        chosen = [best]
        position, least, room = self.positions[best.id], s.second_fact_ratio * best.score, s.max_answer_chars - 1
        for other in hits[1:1 + s.second_fact_candidates]:
            # what the hits hold first (a hit carries its passage's section), the passages' places last
            if (other.score >= least and len(best.text) + len(other.text) <= room and other.section == best.section
                    and abs(self.positions[other.id] - position) == 1):
                chosen.append(other)
                chosen.sort(key=lambda h: self.positions[h.id])  # in document order, so two facts read naturally
                break
        return chosen

    def _shorten(self, text: str) -> str:
        """Cut a long bulk passage to its first sentences within the answer limit."""
        limit = self.settings.max_answer_chars
        if len(text) <= limit:
            return text
        cut = text[:limit]
        end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
        return cut[: end + 1] if end > limit // self.settings.cut_divisor else cut.rsplit(" ", 1)[0] + "\u2026"

    def _nearby(self, sources: tuple[Hit, ...], ids: tuple[str, ...], score: float) -> tuple[str, ...]:
        """Sections of runner-ups in other topics that score close to an unsure answer ('did you mean')."""
        answered = {hit.section for hit in sources if hit.id in ids}
        close = [hit.section for hit in sources if hit.section and hit.section not in answered
                 and hit.score >= self.settings.close_runner_up * score and topic(hit.section, self.settings.topic_words)]
        return tuple(dict.fromkeys(close))[:self.settings.nearby_sections]

    def _alternatives(self, sources: tuple[Hit, ...], ids: tuple[str, ...]) -> tuple[Alternative, ...]:
        """The other sources worth offering beside the answer, each with its citation and URL."""
        floor = self.settings.threshold * self.settings.alternative_floor
        out = []
        for hit in sources:
            if hit.id not in ids and hit.score >= floor:
                out.append(Alternative(hit, *self._cited(self.kb.passages[self.positions[hit.id]])))
        return tuple(out)

    def _cited(self, passage: Passage) -> tuple[str, str]:
        """A passage's source line (document, publisher, date and section) and its source's URL, the
        source's part worked out once per source."""
        named = self._named.get(passage.source)
        if named is None:
            source = self.kb.sources.get(passage.source)
            name = source.citation() if source else (passage.source or "knowledge base")
            named = self._named[passage.source] = (name, source.url if source else "")
        name, url = named
        return (f"{name}, section \u201c{passage.section}\u201d" if passage.section else name), url

    # -- what the bot knows -----------------------------------------------------------------------

    def sources_text(self) -> str:
        """The documents the answers come from, as a person would name them."""
        return ", ".join(s.citation() for s in self.kb.sources.values()) or "my documents"

    def help_text(self) -> str:
        """What the bot knows about, for `help` and /help."""
        named = (topic(section, self.settings.topic_words) for section in self.kb.sections())
        topics = "; ".join(itertools.islice(filter(None, named), self.settings.help_topics))
        return self.with_examples(f"I answer questions from {self.sources_text()}. Topics: {topics}. "
                                  "Ask in your own words, for example:")

    def with_examples(self, lead: str) -> str:
        """A lead line followed by the example questions."""
        return bulleted(lead, self.examples)

    @cached_property
    def examples(self) -> tuple[str, ...]:
        """Example questions, one per section that can be asked about: a passage's own question, else its topic."""
        column = section_column(self.kb.passages)
        wanted = self.settings.examples if self.settings.examples > 0 else None  # none set: every section's
        asked = (self.question_for(self.kb.passages[column.index(section)]) for section in dict.fromkeys(column))
        return tuple(itertools.islice(filter(None, asked), wanted))  # distinct sections in order, found in C

    def question_for(self, passage: Passage) -> str:
        """A question that leads to a passage: its own first question, else one about its section (topics.py),
        else 'Tell me about' its first words; '' when its section cannot be asked about."""
        if passage.questions:
            return passage.questions[0]
        if passage.section:
            return offer(passage.section, self.settings.topic_words, self._knows)
        count = self.settings.example_topic_words  # the first words, without splitting a long text to its end
        topic = " ".join(passage.text.split(None, count)[:count])
        return f"Tell me about {lowered(topic, lambda _word: False)}" if topic else ""  # a sentence: no headline

    def _knows(self, word: str) -> bool:
        """Whether a word is English (the word list is read on the first all-capitals heading, then shared)."""
        return word in english_words(self.settings.english_min_count)

    def _suggestions(self, hits: tuple[Hit, ...]) -> tuple[str, ...]:
        """Two or three things to ask instead: the near misses if any, else the examples."""
        s = self.settings
        out: list[str] = []
        for hit in (h for h in hits if h.score >= s.threshold * s.near_miss_ratio):
            suggestion = self.question_for(self.kb.passages[self.positions[hit.id]])
            if suggestion and suggestion not in out:
                out.append(suggestion)
            if len(out) == s.suggestions:
                break
        for example in self.examples:
            if len(out) >= s.suggestions:
                break
            if example not in out:
                out.append(example)
        return tuple(out)
