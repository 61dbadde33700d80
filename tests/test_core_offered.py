"""A suggestion the bot makes ("Tell me about tests", "What is this spec?"), asked back, is answered from the section
it was made from, though its few words match another section's passage as well or better."""

from __future__ import annotations

import dataclasses

from bot.config import Config
from bot.core.hits import Hit
from bot.core.index import TfidfIndex
from bot.core.offered import asked_key, find_offered, offered_first
from bot.core.pipeline import Answerer
from bot.core.settings import AnswerSettings
from bot.kb.model import KnowledgeBase, Passage, Source

MANUAL = (  # a tool's manual: its headings' words ("tests", "bugs") are said more often in other sections
    Passage("zorb-001", "zorb walks a widget tree and evaluates an expression for each widget.", "DESCRIPTION", "zorb"),
    Passage("zorb-002", "Expressions are made of tests, actions and operators; tests and actions are joined by "
            "operators, and tests that fail stop the actions.", "EXPRESSION", "zorb"),
    Passage("zorb-003", "Some predicates compare the widget at hand with a reference widget.", "TESTS", "zorb"),
    Passage("zorb-004", "-shiny: The widget is polished.", "TESTS", "zorb"),
    Passage("zorb-005", "-paint: Paint the widget; it runs after the tests before it succeed.", "ACTIONS", "zorb"),
    Passage("zorb-006", "Report bugs at the zorb tracker; known bugs and fixed bugs are listed there.", "REPORTING BUGS",
            "zorb"),
    Passage("zorb-007", "Widgets named with a newline confuse older releases.", "BUGS", "zorb"),
    Passage("zorb-008", "Zorb is a standard for describing widgets, written by the widget group.", "What is this spec?",
            "zorb"),
)
SOURCES = {"zorb": Source("zorb", "zorb(1)")}


def answerer(passages=MANUAL, **changes) -> Answerer:
    kb = KnowledgeBase(passages, SOURCES)
    settings = dataclasses.replace(AnswerSettings.from_config(Config()), **changes)
    return Answerer(kb, TfidfIndex.build(passages), Config(), clock=lambda: 0.0, settings=settings)


def section_of(bot: Answerer, question: str) -> str:
    answer = bot.answer(question)
    return bot.kb.by_id(answer.passage_ids[0]).section if answer.found else ""


def test_each_suggestion_asked_back_is_answered_from_its_sections_first_passage():
    bot = answerer()
    for passage in MANUAL:
        offered = bot.composer.question_for(passage)
        if not offered:
            continue
        answer = bot.answer(offered)
        assert answer.found and answer.score >= bot.settings.threshold, offered
        assert bot.kb.by_id(answer.passage_ids[0]).section == passage.section, offered
    assert bot.answer("Tell me about tests").passage_ids[0] == "zorb-003"  # the first, not "-shiny"
    # with the rule off, the heading's word is answered from where it is said most, or declined: what this fixes
    off = answerer(offered_topics=False)
    assert section_of(off, "Tell me about tests") == "" and section_of(off, "Tell me about bugs") == "REPORTING BUGS"


def test_the_topic_as_the_help_lists_it_and_any_case_or_punctuation_count_the_same():
    bot = answerer()
    asked = {"tell me about TESTS.": "zorb-003", "Tests?": "zorb-003", "what is this spec": "zorb-008",
             "Reporting bugs": "zorb-006"}
    for question, first in asked.items():
        assert bot.answer(question).passage_ids[0] == first, question


def test_a_question_that_only_contains_a_topic_is_left_to_the_ranking():
    bot = answerer()
    assert bot.answer("Which action runs after the tests succeed?").passage_ids[0] == "zorb-005"
    assert offered_first("Tell me more about tests and actions", (), bot.offered, MANUAL, 0.3) == ()


def test_a_heading_that_is_no_topic_is_not_looked_for():
    offered = find_offered(MANUAL, 10)
    assert offered.of("Tell me about description") == ()  # a manual's DESCRIPTION is a part, not a topic
    assert offered.of("Tell me about bugs") == (6,)
    assert asked_key("Tell me about `find -print0 | xargs -0`!") == "tell me about find print0 xargs 0"


def test_of_several_sections_offering_one_topic_the_best_ranked_first_passage_leads():
    twice = (*MANUAL, Passage("other-001", "Other bugs: none known.", "BUGS", "other"))
    offered = find_offered(twice, 10)
    assert offered.of("bugs") == (6, 8)
    ranked = (Hit("zorb-001", "DESCRIPTION", "x", 0.5), Hit("other-001", "BUGS", "y", 0.2))
    led = offered_first("bugs", ranked, offered, twice, 0.31)
    assert [h.id for h in led] == ["other-001", "zorb-001"] and led[0].score == 0.5
    unranked = offered_first("bugs", ranked[:1], offered, twice, 0.31)
    assert [h.id for h in unranked] == ["zorb-007", "zorb-001"] and unranked[0].score == 0.5
