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


WITH_OPTIONS = (*MANUAL, Passage("zorb-009", "The -q and -v options set how much zorb says.", "OPTIONS", "zorb"))


def test_a_bare_topic_that_small_talk_also_reads_goes_to_the_topic_of_this_knowledge():
    bot = answerer(WITH_OPTIONS)
    for typed in ("options", "Options!", "tell me about options"):
        answer = bot.answer(typed)
        assert answer.kind == "answer" and answer.passage_ids[0] == "zorb-009", typed
    # real small talk still works: greetings and thanks are never topics, 'help' is the bot's own word
    kinds = [bot.answer(t).kind for t in ("help", "thanks", "hi", "what can you do")]
    assert kinds == ["help", "smalltalk", "smalltalk", "help"]
    # the precedence is this knowledge's topics: where no section is called so, 'options' asks for help as before
    assert answerer().answer("options").kind == "help"
    assert answerer(WITH_OPTIONS, offered_topics=False).answer("options").kind == "help"


def test_a_heading_called_thanks_does_not_take_the_users_thanks():
    thanks = (*MANUAL, Passage("zorb-010", "Thanks to the widget group for the test widgets.", "Thanks", "zorb"))
    assert answerer(thanks).answer("thanks").kind == "smalltalk"


TITLED = (  # a document whose title section holds its front matter, and whose introduction says what it is
    Passage("widgetry-001", "By Ada Zorb and the widget group; version 2.1, draft.", "Widgetry", "widgetry"),
    Passage("widgetry-002", "Widgetry is a format for describing widget trees.", "Introduction", "widgetry"),
    Passage("widgetry-003", "A widget tree is stored as one file per widget.", "Files", "widgetry"),
)


def test_a_title_section_asked_back_is_answered_by_its_sources_description():
    sources = {"widgetry": Source("widgetry", "Widgetry")}
    kb = KnowledgeBase(TITLED, sources)
    bot = Answerer(kb, TfidfIndex.build(TITLED), Config(), clock=lambda: 0.0)
    for typed in ("Tell me about Widgetry", "widgetry"):
        assert bot.answer(typed).passage_ids[0] == "widgetry-002", typed
    assert bot.offered.titled("Tell me about widgetry") == ("widgetry",) and bot.offered.titled("files") == ()
    assert bot.answer("Tell me about files").passage_ids[0] == "widgetry-003"  # any other section as before
    # a source without a description (no name of it opens a passage): the title section, as before
    plain = tuple(dataclasses.replace(p, source="zz-spec", id=p.id.replace("widgetry", "zz"),
                                      section=p.section.replace("Widgetry", "Widgetry Format")) for p in TITLED)
    kb = KnowledgeBase(plain, {"zz-spec": Source("zz-spec", "Widgetry Format")})
    bot = Answerer(kb, TfidfIndex.build(plain), Config(), clock=lambda: 0.0)
    assert bot.offered.titled("Tell me about Widgetry Format") == ("zz-spec",) and not bot.descriptions.sources
    assert bot.answer("Tell me about Widgetry Format").passage_ids[0] == "zz-001"


def test_without_sources_or_descriptions_no_key_asks_for_a_title():
    assert find_offered(TITLED, 10).titles == {}
    ranked = (Hit("widgetry-003", "Files", "x", 0.5),)
    offered = find_offered(TITLED, 10, {"widgetry": Source("widgetry", "Widgetry")})
    led = offered_first("widgetry", ranked, offered, TITLED, 0.3)  # no descriptions given: the section's first
    assert [h.id for h in led] == ["widgetry-001", "widgetry-003"]
