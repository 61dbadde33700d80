"""The answerer on a tiny hand-made knowledge base, with hand-checked results."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.pipeline import Answerer
from bot.config import Config, RetrievalConfig
from bot.core.index import TfidfIndex
from bot.kb.model import KnowledgeBase, Passage, Source

PASSAGES = (
    Passage("p1", "The Glacier Research Programme (GRP) began in 2011 in the northern valleys.", "Research", "s"),
    Passage("p2", "The programme measures ice thickness with radar every spring.", "Research", "s"),
    Passage("p3", "Volunteers from twelve countries staff the mountain hut in summer.", "People", "s"),
    Passage("p4", "The hut was rebuilt in 2019 after an avalanche damaged its roof.", "People", "s"),
    Passage("p5", "Funding comes from a national science foundation and private donors.", "Money", "s"),
)


def make(threshold: float = 0.31, synonyms=(("funding", "money", "grant"), ("volunteers", "helpers")),
         rerank: bool = True) -> Answerer:
    kb = KnowledgeBase(PASSAGES, {"s": Source("s", "Glacier Notes", "Ice Society", "2024-01-02")}, tuple(synonyms))
    config = Config(retrieval=RetrievalConfig(threshold=threshold, rerank=rerank))
    return Answerer(kb, TfidfIndex.build(kb.passages), config, clock=lambda: 1000.0)


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return make()


def test_plain_question_gets_the_fact_with_its_source(answerer):
    answer = answerer.answer("When did the Glacier Research Programme begin?")
    assert answer.found and answer.kind == "answer"
    assert answer.passage_ids[0] == "p1"
    assert "2011" in answer.text
    assert answer.citation == "Glacier Notes (Ice Society, 2 January 2024), section \u201cResearch\u201d"
    assert [s.id for s in answer.sources][0] == "p1"


def test_misspelled_words_are_corrected_against_the_vocabulary(answerer):
    answer = answerer.answer("how thick is the ice measurd with radr")
    assert answer.found and answer.passage_ids[0] == "p2"
    assert dict(answer.why.corrected)["measurd"].startswith("measure")
    assert ("radr", "radar") in answer.why.corrected


def test_right_words_are_never_corrected(answerer):
    answer = answerer.answer("Who is the head of the hut?")
    assert all(original != "head" for original, _ in answer.why.corrected)


def test_acronym_defined_in_text_is_learned_both_ways(answerer):
    assert answerer.acronyms == {"grp": "glacier research programme"}
    answer = answerer.answer("GRP")
    assert answer.found and answer.passage_ids[0] == "p1"
    assert any(e[2] == "acronym" for e in answer.why.expansions)


def test_synonyms_apply_at_query_time(answerer):
    answer = answerer.answer("where does the money come from")
    assert answer.found and answer.passage_ids[0] == "p5"
    assert ("money", "funding, grant", "synonym") in answer.why.expansions


def test_unrelated_question_is_not_answered_and_gets_suggestions(answerer):
    answer = answerer.answer("What is the price of bitcoin today?")
    assert not answer.found and answer.kind == "unknown"
    assert 2 <= len(answer.suggestions) <= 3
    assert answer.text.startswith(answerer.config.replies.not_found)


def test_question_sharing_one_word_is_still_unknown(answerer):
    answer = answerer.answer("Who is the president of the foundation?")
    assert not answer.found


def test_when_question_prefers_the_passage_with_a_date(answerer):
    answer = answerer.answer("when was the hut rebuilt")
    assert answer.passage_ids[0] == "p4"


def test_follow_up_carries_the_topic_and_a_new_subject_drops_it(answerer):
    first = answerer.answer("Tell me about the mountain hut")
    assert first.found
    follow = answerer.answer("when was it rebuilt?", first.context)
    assert follow.found and follow.passage_ids[0] == "p4"
    assert follow.why.context  # the topic came from the previous turn
    switch = answerer.answer("How is ice thickness measured?", follow.context)
    assert switch.passage_ids[0] == "p2" and not switch.why.context


def test_follow_up_about_something_uncovered_is_unknown(answerer):
    first = answerer.answer("Tell me about the mountain hut")
    answer = answerer.answer("what is the capital of France?", first.context)
    assert not answer.found


def test_stale_context_is_ignored():
    times = iter([0.0, 0.0, 10_000.0, 10_000.0])
    ans = make()
    ans.clock = lambda: next(times, 10_000.0)
    first = ans.answer("Tell me about the mountain hut")
    later = ans.answer("when was it rebuilt?", first.context)
    assert not later.why.context


@pytest.mark.parametrize("text,kind", [
    ("hello", "smalltalk"), ("thanks a lot!", "smalltalk"), ("who are you?", "smalltalk"), ("bye", "smalltalk"),
    ("help", "help"), ("", "empty"), ("   ", "empty"), ("?!...", "empty"), ("x" * 5000, "too_long"),
])
def test_non_questions_get_a_defined_reply_never_a_passage(answerer, text, kind):
    answer = answerer.answer(text)
    assert answer.kind == kind and not answer.found and not answer.passage_ids
    assert answer.text


def test_greeting_before_a_question_is_skipped(answerer):
    answer = answerer.answer("hi! when did the glacier research programme begin")
    assert answer.found and answer.passage_ids[0] == "p1"


def test_garbage_is_unknown_not_an_error(answerer):
    for text in ("asdkjh qweoiu zxcmnb", "\u202e\u0000\x07 \U0001F600", "\u05e9\u05dc\u05d5\u05dd \u0639\u0627\u0644\u0645"):
        answer = answerer.answer(text)
        assert not answer.found


def test_second_fact_joins_only_when_it_continues_the_first(answerer):
    answer = answerer.answer("what does the glacier research programme do and measure")
    assert answer.passage_ids[0] == "p1"
    assert set(answer.passage_ids) <= {"p1", "p2"}
    assert len(answer.text) <= answerer.retrieval.max_answer_chars


def test_to_dict_is_the_json_contract(answerer):
    data = answerer.answer("GRP").to_dict()
    assert {"found", "answer", "sources", "score", "why"} <= set(data)
    assert {"id", "section", "text", "score"} == set(data["sources"][0])
    assert {"matched", "corrected", "expansions", "score", "runners_up"} <= set(data["why"])


def test_threshold_is_what_decides(answerer):
    strict = make(threshold=0.99)
    assert not strict.answer("When did the Glacier Research Programme begin?").found


def test_who_leads_wants_a_person_the_knowledge_does_not_name(answerer):
    """The first stage alone vetoes a passage without the kind of fact asked for; the second stage weighs
    it as one feature among many (a hard veto after it cost 3.5 points of SQuAD's balanced score), so
    the question is far less sure than one the passage answers, though on five passages it can pass: as an
    unsure answer. (0.32 against 0.65 while section_cover counted the section 'Research' against it; 0.37 since
    that feature weighs nothing, docs/quality-experiments.md.)"""
    first_stage_only = make(threshold=0.2, rerank=False)
    assert not first_stage_only.answer("Who leads the Glacier Research Programme?").found
    assert first_stage_only.answer("What does the Glacier Research Programme measure?").found
    who = answerer.answer("Who leads the Glacier Research Programme?")
    what = answerer.answer("What does the Glacier Research Programme measure?")
    assert what.found and not what.unsure and who.unsure and who.score < what.score * 0.6


def test_a_name_the_knowledge_never_mentions_makes_the_question_off_topic(answerer):
    assert not answerer.answer("Did volunteers from Peru staff the mountain hut?").found
    assert answerer.answer("Did volunteers staff the mountain hut?").found


def test_a_word_found_through_many_synonyms_counts_once():
    """A passage naming one of the user's words three ways must not beat one that speaks to both words."""
    passages = (
        Passage("a", "The armed forces, military personnel and troops trained together every winter.", "A", "s"),
        Passage("b", "Former military sites got environmental rehabilitation.", "B", "s"),
        Passage("c", "The hut was rebuilt after an avalanche.", "C", "s"),
    )
    groups = (("army", "armed forces", "military", "personnel", "troops"), ("clean up", "environmental rehabilitation"))
    kb = KnowledgeBase(passages, {"s": Source("s", "Notes", "Society", "2024-01-02")}, groups)
    answerer = Answerer(kb, TfidfIndex.build(kb.passages), Config(retrieval=RetrievalConfig(threshold=0.1)))
    hits = answerer.search("Did they clean up army land?")
    assert hits[0].id == "b"
    assert [h.id for h in hits[:2]] == ["b", "a"]


def test_a_synonym_standing_in_for_an_unknown_word_weighs_more_than_one_added_to_a_known_word(answerer):
    from bot.core.settings import AnswerSettings
    from bot.text import words
    stands_in = answerer._analyse(words("who pays the grant"))  # 'grant' is not in the knowledge
    added = answerer._analyse(words("who provides the funding"))  # 'funding' is
    assert stands_in.weights["fund"] == AnswerSettings.substitute_weight > AnswerSettings.expansion_weight
    assert added.weights["money"] == AnswerSettings.expansion_weight
    assert answerer.search("who pays the grant")[0].id == "p5"


def test_a_decisive_first_stage_answer_stands_without_the_second_stage():
    """From rerank_skip_score the first stage's answer is given as it alone would give it; below it,
    and with the rule off, the second stage reads the question."""
    question = "When did the Glacier Research Programme begin?"
    read = []
    for skip in (0.0, 0.2, 0.99):
        answerer = make()
        answerer.settings = dataclasses.replace(answerer.settings, rerank_skip_score=skip)
        rank = answerer.reranker.rank
        answerer.reranker.rank = lambda *args, **kwargs: read.append(skip) or rank(*args, **kwargs)
        answer = answerer.answer(question)
        assert answer.found and answer.passage_ids[0] == "p1"
    alone = make(threshold=0.2, rerank=False).answer(question)
    assert read == [0.0, 0.99]
    skipped = make()
    skipped.settings = dataclasses.replace(skipped.settings, rerank_skip_score=0.2)
    assert skipped.answer(question).score == pytest.approx(alone.score * 0.31 / 0.2)  # the shipped model's threshold


def test_a_best_passage_covering_the_question_skips_the_second_stage_from_the_cover_score():
    """With the index's coverage handed to `decisive`: a best passage holding the question's words (coverage
    rerank_skip_cover or more) from rerank_skip_cover_score keeps the first stage's answer; rule off, it is read."""
    question = "When was the Glacier Research Programme in the northern valleys?"  # all five words held
    read = []
    for cover in (0.0, 0.95, 1.0):
        answerer = make()
        answerer.settings = dataclasses.replace(answerer.settings, rerank_skip_score=0.99, rerank_skip_words=0,
                                                rerank_skip_cover=cover, rerank_skip_cover_score=0.2)
        rank = answerer.reranker.rank
        answerer.reranker.rank = lambda *args, cover=cover, **kwargs: read.append(cover) or rank(*args, **kwargs)
        answer = answerer.answer(question)
        assert answer.found and answer.passage_ids[0] == "p1"
    assert read == [0.0]


ENTRIES = (  # a man page's option list, split as the importer splits one: each option's label before its text
    Passage("mention", "Tests: The -empty test for example is true only when the current file is empty.", "EXPRESSION", "m"),
    Passage("print", "Actions: The -print action for example prints the name of the current file.", "EXPRESSION", "m"),
    Passage("empty", "-empty: File is empty and is either a regular file or a directory.", "TESTS", "m"),
    Passage("exe", "-executable: Matches files which are executable and directories which are searchable.", "TESTS", "m"),
    Passage("size", "-size n: The former only matches empty files, the latter matches files from 0 to 1,048,575 bytes.",
            "TESTS", "m"),
    Passage("depth", "-depth: Process each directory's contents before the directory itself.", "OPTIONS", "m"),
    Passage("delete", "-delete: Delete files. The use of the -delete action automatically turns on the -depth option.",
            "ACTIONS", "m"),
)


def test_what_does_x_do_is_answered_by_x_s_entry_and_a_question_on_a_detail_by_the_passage_holding_it():
    """The second stage ranks "-size n: ... matches empty files" first for the -empty test; the option's own entry
    answers instead (with the entry rule and the option fit off, -size's does; with the option fit alone, nothing
    is answered: -size's passage does not name -empty). A question that asks more than what -depth is keeps
    the passage that holds its words, though -depth's entry is among the hits."""
    kb = KnowledgeBase(ENTRIES, {"m": Source("m", "find(1)", "GNU", "2024-01-02")}, ())
    answers = {}
    for label_chars, option_penalty in ((40, 0.3), (0, 1.0), (0, 0.3)):
        answerer = Answerer(kb, TfidfIndex.build(kb.passages), Config(retrieval=RetrievalConfig()), clock=lambda: 1.0)
        answerer.settings = dataclasses.replace(answerer.settings, entry_label_chars=label_chars,
                                                option_penalty=option_penalty)
        for question in ("What does the -empty test match?", "What does -depth get turned on by?"):
            answer = answerer.answer(question)
            answers[label_chars, option_penalty, question] = answer.passage_ids[0] if answer.found else None
    assert answers[40, 0.3, "What does the -empty test match?"] == "empty"
    assert answers[0, 1.0, "What does the -empty test match?"] == "size"
    assert answers[0, 0.3, "What does the -empty test match?"] is None
    assert {answers[*key, "What does -depth get turned on by?"] for key in ((40, 0.3), (0, 1.0), (0, 0.3))} == {"delete"}

