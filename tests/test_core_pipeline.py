"""The pipeline as a whole: how often it enters the index and what the Answer carries."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.core.context import Context
from bot.core.index import TfidfIndex
from bot.core.pipeline import Answerer
from bot.core.rerank_text import READ_CHARS
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


def _seed_answerer() -> Answerer:
    """A fresh answerer over the seed knowledge, second stage on (the default), nothing read ahead."""
    from bot.config import load_config
    from bot.core.pipeline import build_answerer
    from conftest import REPO

    return build_answerer(load_config(REPO / "config.yaml", environ={}), cache=False)


def _shown(answer) -> tuple:
    return answer.found, answer.text, answer.passage_ids, answer.score


def test_warming_up_reads_ahead_and_changes_no_answer():
    from conftest import REPO
    import yaml

    asked = [q["q"] for q in yaml.safe_load((REPO / "eval" / "mongolia.yaml").read_text())["questions"][:40]]
    asked += ["Waht is the Partnrship Interoperabilty Platform?", "When did Mongolia join?"]  # typos: the speller
    cold, warm = _seed_answerer(), _seed_answerer()
    assert warm.reranker is not None and warm.reranker.passage_words(warm.kb.passages).passages_read() == 0
    warm.warm()
    # read ahead: the very first question already has every passage's words, and the speller its postings; only
    # the texts longer than the second stage reads were read from their text (the index build kept the others')
    words = warm.reranker.passage_words(warm.kb.passages)
    assert words.passages_read() == len(warm.kb.passages) and warm.reader.speller._postings is not None
    near = warm.reranker.neighbourhood(warm.kb.passages, warm.settings.rerank_neighbours)
    assert near.passages_known() == len(warm.kb.passages)  # and which passages around each share its section
    assert words.texts_read() == sum(len(p.text) > READ_CHARS for p in warm.kb.passages)
    assert [_shown(warm.answer(q)) for q in asked] == [_shown(cold.answer(q)) for q in asked]


def test_preparing_works_out_every_passages_neighbours_reads_no_words_and_changes_no_answer():
    from conftest import REPO
    import yaml

    asked = [q["q"] for q in yaml.safe_load((REPO / "eval" / "mongolia.yaml").read_text())["questions"][:40]]
    plain, prepared = _seed_answerer(), _seed_answerer()
    prepared.prepare()
    near = prepared.reranker.neighbourhood(prepared.kb.passages, prepared.settings.rerank_neighbours)
    assert near.passages_known() == len(prepared.kb.passages)
    assert prepared.reranker.passage_words(prepared.kb.passages).passages_read() == 0  # the long part is left to warm
    assert prepared.reader.speller._postings is None
    assert [_shown(prepared.answer(q)) for q in asked] == [_shown(plain.answer(q)) for q in asked]


def test_questions_asked_while_warming_up_in_another_thread_get_the_same_answers():
    import threading
    from conftest import REPO
    import yaml

    asked = [q["q"] for q in yaml.safe_load((REPO / "eval" / "mongolia.yaml").read_text())["questions"][:60]]
    expected = [_shown(a) for a in map(_seed_answerer().answer, asked)]
    answerer = _seed_answerer()
    thread = threading.Thread(target=answerer.warm)
    thread.start()
    got = [_shown(answerer.answer(q)) for q in asked]
    thread.join()
    assert got == expected
    assert answerer.reranker.passage_words(answerer.kb.passages).passages_read() == len(answerer.kb.passages)


@pytest.mark.parametrize("kept", [True, False])
def test_each_question_reads_only_its_own_passages_words_never_every_passage(kept):
    # What `ask --jsonl` does (no read-ahead): the second stage takes each question's candidates and their
    # neighbours the first time it needs them and keeps them, from the index build's words (or, for an index kept
    # without them, from their texts); no question reads every passage at once.
    import random

    rng = random.Random(0)
    vocabulary = [f"{a}{b}" for a in ("glacier", "radar", "hut", "summit", "valley", "ridge") for b in "abcdefghij"]
    passages = tuple(Passage(f"p{n}", " ".join(rng.sample(vocabulary, 8)) + ".", f"S{n // 4}", "s") for n in range(400))
    kb = KnowledgeBase(passages, {"s": Source("s", "Notes")})
    index = TfidfIndex.build(passages)
    if not kept:
        index.text_words = None
    answerer = Answerer(kb, index, Config(), clock=lambda: 0.0)
    words = answerer.reranker.passage_words(passages)
    per_question = answerer.settings.rerank_depth * (1 + 2 * answerer.settings.rerank_neighbours)
    read = [words.passages_read()]
    for n in range(30):
        answerer.answer(" ".join(rng.sample(vocabulary, 3)) + "?")
        read.append(words.passages_read())
    steps = [b - a for a, b in zip(read, read[1:])]
    assert read[0] == 0 and 0 < max(steps) <= per_question and read[-1] < len(passages)
    assert sum(1 for s in steps if s > 0) >= 5  # questions the second stage read, each reading its own few
    assert words.texts_read() == (0 if kept else read[-1])


def test_the_index_tells_what_a_passage_holds_only_when_it_holds_exactly_its_text_and_section():
    from bot.core.index_build import IndexSettings
    from bot.core.pipeline import words_indexed

    assert words_indexed(PASSAGES, IndexSettings())
    asked = PASSAGES + (Passage("p5", "Radar again.", "Research", "s", questions=("How is ice measured?",)),)
    assert not words_indexed(asked, IndexSettings()) and words_indexed(asked, IndexSettings(index_questions=False))
    assert not words_indexed(PASSAGES, IndexSettings(index_sections=False))
    assert words_indexed([Passage("p", "No section.")], IndexSettings(index_sections=False))
