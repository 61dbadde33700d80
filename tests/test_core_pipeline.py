"""The pipeline as a whole: how often it enters the index and what the Answer carries."""

from __future__ import annotations

from bot.config import Config
from bot.core.context import Context
from bot.core.index import TfidfIndex
from bot.core.pipeline import Answerer
from bot.kb.model import KnowledgeBase, Passage, Source

PASSAGES = (
    Passage("p1", "The Glacier Research Programme began in 2011 in the northern valleys.", "Research", "s"),
    Passage("p2", "The programme measures ice thickness with radar every spring.", "Research", "s"),
    Passage("p3", "Volunteers from twelve countries staff the mountain hut in summer.", "People", "s"),
    Passage("p4", "The hut was rebuilt in 2019 after an avalanche damaged its roof.", "People", "s"),
)


class CountingIndex(TfidfIndex):
    """The real index, counting the calls a question makes into its ranking and coverage."""

    calls: list

    def rank(self, *args, **kwargs):
        self.calls.append("rank")
        return super().rank(*args, **kwargs)

    def coverage(self, *args, **kwargs):
        self.calls.append("coverage")
        return super().coverage(*args, **kwargs)


def counting_answerer() -> tuple[Answerer, list]:
    index = CountingIndex.build(PASSAGES)
    index.calls = []
    kb = KnowledgeBase(PASSAGES, {"s": Source("s", "Glacier Notes", url="https://example.org/glacier")})
    return Answerer(kb, index, Config(), clock=lambda: 0.0), index.calls


def test_a_question_ranks_once_and_measures_coverage_once():
    answerer, calls = counting_answerer()
    assert answerer.answer("When did the Glacier Research Programme begin?").found
    assert calls == ["rank", "coverage"]


def test_a_follow_up_is_decided_alone_and_with_the_topic_and_small_talk_never_enters_the_index():
    answerer, calls = counting_answerer()
    first = answerer.answer("Tell me about the mountain hut")
    calls.clear()
    follow = answerer.answer("when was it rebuilt?", first.context)
    assert follow.why.context and calls == ["rank", "coverage", "rank", "coverage"]
    calls.clear()
    answerer.answer("thanks!", Context())
    assert calls == []


def test_the_answer_carries_its_source_url_and_explanation():
    answerer, _calls = counting_answerer()
    answer = answerer.answer("When did the Glacier Research Programme begin?")
    assert answer.source_url == "https://example.org/glacier"
    assert answer.why_lines[0].startswith(f"score {answer.score:.3f} (threshold 0.310) -> answered")  # rerank's own
    assert answerer.answer("What is the price of bitcoin?").source_url == ""
