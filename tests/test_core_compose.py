"""Stage 5, composing: the answer's text, source, memory and what a front end offers around it, hand-checked."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import Replies
from bot.core.answer import Alternative
from bot.core.compose import Composer
from bot.core.context import Context, Turn
from bot.core.decision import Decision
from bot.core.hits import Hit
from bot.core.query import Query
from bot.core.reading import Reading
from bot.core.settings import AnswerSettings
from bot.kb.model import KnowledgeBase, Passage, Source

PASSAGES = (
    Passage("p1", "The programme began in 2011.", "Research", "a", questions=("When did the programme begin?",)),
    Passage("p2", "It measures ice with radar.", "Research", "a"),
    Passage("p3", "Volunteers staff the hut.", "People", "b"),
    Passage("p4", "The hut was rebuilt in 2019.", "People", "b"),
)
SOURCES = {"a": Source("a", "Notes A", url="https://example.org/a"), "b": Source("b", "Notes B")}
KB = KnowledgeBase(PASSAGES, SOURCES)
S = AnswerSettings(threshold=0.2)  # the scores below are set against this threshold, not the default


def decision(*scored: tuple[str, float], text: str = "question", carried: tuple[str, ...] = ()) -> Decision:
    hits = tuple(Hit(i, KB.by_id(i).section, KB.by_id(i).text, s) for i, s in scored)
    query = Query(Reading(text, tuple(text.split())), {}, (), 1.0, carried=carried, matched=("programm",))
    return Decision(query, hits, 1.0, True)


@pytest.fixture(scope="module")
def compose() -> Composer:
    return Composer(KB, S, Replies())


def test_a_fact_continued_by_the_next_one_is_answered_with_both_in_document_order(compose):
    answer = compose.found(decision(("p2", 0.5), ("p1", 0.4), ("p3", 0.1), text="programme radar"), Context(), 7.0)
    assert answer.found and answer.kind == "answer" and answer.score == 0.5
    assert answer.text == "The programme began in 2011. It measures ice with radar."
    assert answer.passage_ids == ("p2", "p1")  # the best first
    assert answer.citation == "Notes A, section \u201cResearch\u201d" and answer.source_url == "https://example.org/a"
    assert answer.context == Context((Turn("programme radar", ("programme", "radar"), "p2", 7.0),))
    assert not answer.unsure and answer.nearby == ()


def test_the_runner_ups_never_list_a_passage_already_in_the_answer(compose):
    answer = compose.found(decision(("p2", 0.5), ("p1", 0.4), ("p3", 0.1), ("p4", 0.05)), Context(), 0.0)
    assert answer.passage_ids == ("p2", "p1")
    assert [h.id for h in answer.why.runners_up] == ["p3", "p4"]  # p1 is part of the answer
    assert not any(line.startswith("runner-up p1") for line in answer.why_lines)


def test_a_neighbour_in_another_section_or_scoring_low_does_not_join(compose):
    assert compose.found(decision(("p2", 0.5), ("p3", 0.5)), Context(), 0.0).passage_ids == ("p2",)
    assert compose.found(decision(("p2", 0.5), ("p1", 0.24)), Context(), 0.0).passage_ids == ("p2",)  # < 0.5 x best


def test_an_answer_near_the_threshold_is_unsure_and_offers_close_sections_and_alternatives(compose):
    answer = compose.found(decision(("p2", 0.25), ("p3", 0.22), ("p4", 0.16), ("p1", 0.1)), Context(), 0.0)
    assert answer.unsure  # 0.25 < 1.5 x 0.2
    assert answer.nearby == ("People",)  # p3 scores at least 0.8 x 0.25 in another section; p4 does not
    assert answer.alternatives == (  # at least 0.75 x 0.2 = 0.15, not in the answer
        Alternative(answer.sources[1], "Notes B, section \u201cPeople\u201d", ""),
        Alternative(answer.sources[2], "Notes B, section \u201cPeople\u201d", ""))
    sure = compose.found(decision(("p2", 0.31), ("p3", 0.3)), Context(), 0.0)
    assert not sure.unsure and sure.nearby == ()


def test_a_follow_up_remembers_the_topic_it_pointed_back_at_and_adds_nothing_to_it(compose):
    answer = compose.found(decision(("p4", 0.5), text="rebuilt", carried=("hut", "volunteers")), Context(), 3.0)
    assert answer.context.turns[-1].topic == ("hut", "volunteers")  # topics never pile up turn after turn
    alone = compose.found(decision(("p4", 0.5), text="rebuilt"), answer.context, 4.0)
    assert alone.context.topic(4.0, 600.0) == ("rebuilt",)
    assert "carried from the previous question: hut, volunteers" in answer.why_lines


def test_a_long_passage_is_cut_at_a_sentence_end_or_else_at_a_word():
    short = Composer(KB, dataclasses.replace(S, max_answer_chars=20), Replies())
    assert short._shorten("First part is here. Second sentence runs on.") == "First part is here."
    assert short._shorten("Sure. This sentence runs on and on.") == "Sure. This sentence\u2026"  # 'Sure.' ends at 5 <= 20 // 3


def test_the_explanation_lines_are_made_in_the_core(compose):
    answer = compose.found(decision(("p2", 0.5), ("p3", 0.1)), Context(), 0.0)
    assert answer.why_lines == (
        "score 0.500 (threshold 0.200) -> answered; the best passage holds 100% of the question",
        "matched terms: programm",
        "runner-up p3 (0.100): Volunteers staff the hut.")
    assert compose.reply("too_long", "Too long.", Context()).why_lines == (
        "That was too long, not a search of the knowledge.",)


def test_an_honest_no_suggests_near_misses_then_examples(compose):
    no = decision(("p1", 0.16), ("p3", 0.05))
    answer = compose.not_found(dataclasses.replace(no, confident=False))
    assert not answer.found and answer.kind == "unknown" and answer.passage_ids == ()
    # p1 scores at least 0.5 x threshold: its own question first; then the examples (one per section)
    assert answer.suggestions == ("When did the programme begin?", "Tell me about people")
    assert answer.text.startswith(Replies().not_found) and answer.context == Context()
    assert [a.hit.id for a in answer.alternatives] == ["p1"]  # 0.16 >= 0.75 x threshold
    assert answer.why_lines[0].endswith("-> not answered; the best passage holds 100% of the question")


def test_help_names_the_sources_and_sections_and_gives_examples(compose):
    assert compose.examples == ("When did the programme begin?", "Tell me about people")
    assert compose.help_text() == ("I answer questions from Notes A, Notes B. Topics: Research; People. "
                                   "Ask in your own words, for example:\n"
                                   "\u2022 When did the programme begin?\n\u2022 Tell me about people")


@pytest.mark.parametrize("section, offered", [
    ("People", "Tell me about people"), ("Wider cooperation", "Tell me about wider cooperation"),
    ("Relations with Mongolia", "Tell me about relations with Mongolia"), ("NATO partners", "Tell me about NATO partners"),
    ("Garden Club", "Tell me about Garden Club"), ("Getting Started", "Tell me about Getting Started")])
def test_a_topic_offered_as_a_question_keeps_a_title_cased_name_whole(section, offered):
    # 'Garden Club' was offered as 'Tell me about garden Club': half a name lower-cased.
    kb = KnowledgeBase((Passage("x1", "The club meets on Tuesdays.", section, "a"),), SOURCES)
    assert Composer(kb, S, Replies()).question_for(kb.passages[0]) == offered


@pytest.mark.parametrize("text, offered", [
    ("The club meets on Tuesdays in the old school hall, all year round.", "Tell me about the club meets on Tuesdays in"),
    ("Meets  on\tTuesdays", "Tell me about meets on Tuesdays"), ("Tuesdays", "Tell me about tuesdays")])
def test_a_passage_without_a_section_is_offered_by_its_first_words(text, offered):
    # Only the first example_topic_words (6) are split off, however long the text; spacing collapses as before.
    kb = KnowledgeBase((Passage("x1", text, "", "a"),), SOURCES)
    assert Composer(kb, S, Replies()).question_for(kb.passages[0]) == offered


# An imported document's headings: a manual's part names, a table row, a FAQ's question, a numbered heading.
IMPORTED = KnowledgeBase((
    Passage("d1", "gzip, gunzip - compress or expand files", "NAME", "a"),
    Passage("d2", "MATCH2 4096 0x1000 weak", "MATCH2 4096 0x1000", "a"),
    Passage("d3", "Yes, through the libxml++ project.", "Is there C++ bindings ?", "a"),
    Passage("d4", "Each file describes one media type.", "2.3. The MEDIA/SUBTYPE.xml files", "a"),
    Passage("d5", "The exit status is 0 on success.", "EXIT STATUS", "a"),
), SOURCES)


def test_examples_and_help_topics_skip_headings_that_are_no_topic_and_read_the_rest_as_asked():
    compose = Composer(IMPORTED, S, Replies())
    assert compose.examples == ("Is there C++ bindings?", "Tell me about the MEDIA/SUBTYPE.xml files",
                                "Tell me about exit status")
    assert "Topics: Is there C++ bindings?; The MEDIA/SUBTYPE.xml files; EXIT STATUS." in compose.help_text()


def test_a_decline_suggests_a_faq_question_as_itself_and_never_a_heading_that_is_no_topic():
    compose = Composer(IMPORTED, S, Replies())
    hits = tuple(Hit(i, IMPORTED.by_id(i).section, IMPORTED.by_id(i).text, s)
                 for i, s in (("d1", 0.18), ("d2", 0.17), ("d3", 0.16)))  # all near misses (>= 0.5 x 0.2)
    query = Query(Reading("bindings", ("bindings",)), {}, (), 1.0)
    answer = compose.not_found(Decision(query, hits, 1.0, False))
    assert answer.suggestions == ("Is there C++ bindings?", "Tell me about the MEDIA/SUBTYPE.xml files",
                                  "Tell me about exit status")
    assert "\u2022 Is there C++ bindings?\n" in answer.text and "NAME" not in answer.text


def test_a_nearby_section_that_is_no_topic_is_not_offered():
    compose = Composer(IMPORTED, S, Replies())
    hits = tuple(Hit(i, IMPORTED.by_id(i).section, IMPORTED.by_id(i).text, s)
                 for i, s in (("d5", 0.25), ("d2", 0.24), ("d1", 0.23), ("d4", 0.22)))
    query = Query(Reading("status", ("status",)), {}, (), 1.0)
    answer = compose.found(Decision(query, hits, 1.0, True), Context(), 0.0)
    assert answer.unsure and answer.nearby == ("2.3. The MEDIA/SUBTYPE.xml files",)  # the section, as the front ends find it
