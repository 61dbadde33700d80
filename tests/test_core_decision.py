"""Stage 4, the decision: answer-type fit, the follow-up policy, the name penalty and confidence, hand-checked."""

from __future__ import annotations

import pytest

from bot.core.decision import Decision, decide, fit_answer_type, fit_options, leans_on_context, prefers_followup
from bot.core.hits import Hit, Hits
from bot.core.index import TfidfIndex
from bot.core.query import Query
from bot.core.reading import Reading
from bot.core.settings import AnswerSettings
from bot.kb.model import Passage

S = AnswerSettings(threshold=0.2)  # the scores below are set against this threshold, not the default
UNDATED = Hit("a", "People", "The roof was rebuilt.", 0.5)
DATED = Hit("b", "People", "The hut was rebuilt in 2019.", 0.4)


def query(*tokens: str, unknown: tuple[str, ...] = (), carried: tuple[str, ...] = ()) -> Query:
    return Query(Reading(" ".join(tokens), tokens, unknown=unknown), {}, (), 1.0, unknown, carried)


def test_a_when_question_lifts_the_dated_passage_and_sinks_the_undated_one():
    fitted = fit_answer_type("when was the hut rebuilt", (UNDATED, DATED), S)
    assert [h.id for h in fitted] == ["b", "a"]
    assert [h.score for h in fitted] == pytest.approx([0.4 * 1.1, 0.5 * 0.3])
    assert fit_answer_type("when was it rebuilt", (Hit("c", "", "Rebuilt in 2019.", 0.95),), S)[0].score == 1.0


def test_a_question_asking_for_no_kind_of_fact_keeps_its_ranking():
    hits = (UNDATED, DATED)
    assert fit_answer_type("tell me about the hut roof", hits, S) is hits


@pytest.mark.parametrize("text,tokens,unknown,best,leans", [
    ("when was it rebuilt", ("rebuilt",), (), 0.9, True),  # a pronoun points back
    ("since when?", (), (), 0.0, True),  # no words of its own
    ("and the roof", ("roof",), (), 0.1, True),  # short, and finds nothing alone
    ("what about the roof", ("roof",), (), 0.5, False),  # names a new subject it finds alone
    ("capital of france", ("capital", "france"), ("capital", "france"), 0.0, False),  # a subject the knowledge lacks
    ("avalanche roof damage repairs", ("avalanche", "roof", "damage", "repairs"), (), 0.1, False),  # stands alone
])
def test_a_question_leans_on_the_last_topic_only_when_it_cannot_stand_alone(text, tokens, unknown, best, leans):
    alone = Hits(query(*tokens, unknown=unknown), (Hit("x", "", "", best),) if best else ())
    assert leans_on_context(text, alone, S) is leans


def ruling(best: float | None, confident: bool = False, coverage: float = 1.0, holds: bool = True) -> Decision:
    """A decision whose best passage scores `best` (None: nothing found)."""
    hits = (Hit("x", "", "", best),) if best is not None else ()
    return Decision(query("rebuilt"), hits, coverage, confident, holds)


def test_the_follow_up_reading_wins_when_it_scores_nearly_as_well_or_the_question_points_back():
    alone = ruling(0.15)
    assert prefers_followup("rebuilt when", alone, ruling(0.135), S)  # 0.135 >= 0.9 x 0.15
    assert not prefers_followup("rebuilt when", alone, ruling(0.134), S)
    assert prefers_followup("when was it rebuilt", alone, ruling(0.1), S)
    assert not prefers_followup("when was it rebuilt", alone, ruling(None), S)  # it finds nothing
    assert prefers_followup("rebuilt when", ruling(None), ruling(0.1), S)


def test_a_confident_answer_alone_is_never_overridden_by_a_passage_holding_less_of_the_question():
    alone = ruling(0.5, confident=True)
    assert not prefers_followup("who did they work with", alone, ruling(0.6, coverage=0.0), S)  # only the topic matched
    assert not prefers_followup("when did they automate it", alone, ruling(0.6, holds=False), S)  # the topic added nothing
    assert prefers_followup("when was it rebuilt", alone, ruling(0.6), S)  # as much of the question, and the topic too


PASSAGES = (Passage("five", "The Five Hills centre trains peacekeepers.", "Training"),
            Passage("hut", "Volunteers staff the hut.", "People"))


@pytest.fixture(scope="module")
def index() -> TfidfIndex:
    return TfidfIndex.build(PASSAGES)


POSITIONS = {"five": 0, "hut": 1}


def test_a_score_at_the_threshold_is_trusted_and_coverage_is_measured(index):
    decision = decide("five hills centre", Hits(query("five", "hills", "centre"), (Hit("five", "", "", 0.2),)),
                      index, POSITIONS, S)
    assert decision.confident and decision.best == 0.2 and decision.coverage == pytest.approx(1.0)
    below = decide("five hills centre", Hits(query("five", "hills", "centre"), (Hit("five", "", "", 0.19),)),
                   index, POSITIONS, S)
    assert below.confident  # bare keywords the passage holds every one of: 0.19 >= 0.4 x threshold


def test_bare_keywords_are_trusted_low_only_when_fully_covered_and_asked_afresh(index):
    def confident(text: str, q: Query, score: float) -> bool:
        return decide(text, Hits(q, (Hit("five", "", "", score),)), index, POSITIONS, S).confident

    assert confident("the Five Hills", query("five", "hills"), 0.081)  # at least 0.4 x threshold = 0.08
    assert not confident("the Five Hills", query("five", "hills"), 0.079)
    assert not confident("the Five Hills", query("five", "hills", carried=("hut",)), 0.1)
    assert not confident("five hills volunteers", query("five", "hills", "volunteers"), 0.1)  # 'volunteers' not covered
    assert not confident("why do the five hills", query("five", "hills"), 0.1)  # 'why do' is more than glue


def test_a_name_the_knowledge_never_mentions_scales_every_hit_down(index):
    hits = (Hit("hut", "", "", 0.5), Hit("five", "", "", 0.3))
    decision = decide("Did volunteers from Peru staff the hut?",
                      Hits(query("volunteers", "peru", "staff", "hut", unknown=("peru",)), hits), index, POSITIONS, S)
    assert [h.score for h in decision.hits] == pytest.approx([0.5 * 0.35, 0.3 * 0.35])
    assert decision.confident is False
    lower = decide("did volunteers from peru staff the hut?",  # not capitalised: not known to be a name
                   Hits(query("volunteers", "peru", "staff", "hut", unknown=("peru",)), hits), index, POSITIONS, S)
    assert lower.hits == hits


def test_nothing_found_is_a_decision_too(index):
    decision = decide("penguins", Hits(query("penguins", unknown=("penguins",))), index, POSITIONS, S)
    assert decision.hits == () and decision.best == 0.0 and decision.coverage == 0.0 and not decision.confident


def test_a_coverage_the_search_already_measured_is_taken_as_it_is(index):
    asked = query("five", "hills", "volunteers")
    measured = decide("five hills volunteers", Hits(asked, (Hit("five", "", "", 0.3),)), index, POSITIONS, S)
    reused = decide("five hills volunteers", Hits(asked, (Hit("five", "", "", 0.3),), measured.coverage), index,
                    POSITIONS, S)
    assert 0 < measured.coverage < 1 and reused == measured
    assert decide("five hills volunteers", Hits(asked, (Hit("five", "", "", 0.3),), 0.25), index, POSITIONS,
                  S).coverage == 0.25


def test_a_question_naming_an_option_sinks_a_best_passage_that_does_not_name_it():
    # file(1): 'Which version of file added the --extension option?' was answered by 'SunOS releases 3.2 ... the
    # extension of the & operator', which shares every word but the option.
    sun = Hit("a", "STANDARDS", "SunOS releases 3.2 and later include a file command with some extensions.", 0.9)
    option = Hit("b", "OPTIONS", "--extension: Print a slash-separated list of valid extensions.", 0.5)
    fitted = fit_options("Which version of file added the --extension option?", (sun, option), S)
    assert [(h.id, h.score) for h in fitted] == [("a", pytest.approx(0.9 * 0.3)), ("b", 0.5)]  # not reordered
    assert fit_options("What does --extension print?", (option, sun), S) == (option, sun)  # the best names it
    assert fit_options("What does the extension list hold?", (sun, option), S) == (sun, option)  # no option named
    assert fit_options("Which version added --ext?", (), S) == ()
