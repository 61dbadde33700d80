"""Stage 3, hits: the index's ranking as passages with scores, the known share applied."""

from __future__ import annotations

import pytest

from bot.core.hits import (Hit, Hits, decisive, entry_first, entry_terms, first_stage_scaled, is_entry_of, other_entry,
                           search)
from bot.core.index import TfidfIndex
from bot.core.index_build import SCORING
from bot.core.query import weigh
from bot.core.reading import Reading
from bot.core.settings import AnswerSettings
from bot.kb.model import Passage

PASSAGES = (
    Passage("ice", "Radar measures the glacier.", "Research"),
    Passage("hut", "An avalanche hit the hut roof.", "People"),
    Passage("roof", "The roof was rebuilt.", "People"),
)
S = AnswerSettings()


@pytest.fixture(scope="module")
def index() -> TfidfIndex:
    return TfidfIndex.build(PASSAGES, SCORING["tfidf"])


def test_hits_are_the_passages_best_first_with_their_section_and_text(index):
    hits = search(index, PASSAGES, weigh(Reading("roof", ("roof",)), index, S), 5, S)
    assert [h.id for h in hits] == ["roof", "hut"]  # the shorter passage says more about its one shared word
    assert hits[0] == Hit("roof", "People", "The roof was rebuilt.", hits[0].score)
    assert 1 >= hits[0].score > hits[1].score > 0


def test_k_limits_the_hits_and_nothing_matched_is_no_hits(index):
    query = weigh(Reading("roof", ("roof",)), index, S)
    assert len(search(index, PASSAGES, query, 1, S)) == 1
    assert search(index, PASSAGES, weigh(Reading("penguin", ("penguin",), unknown=("penguin",)), index, S), 5, S) == ()
    assert Hits(query).best == 0.0


def test_an_unknown_word_scales_every_hit_by_the_known_share(index):
    alone = search(index, PASSAGES, weigh(Reading("roof", ("roof",)), index, S), 5, S)
    query = weigh(Reading("roof penguin", ("roof", "penguin"), unknown=("penguin",)), index, S)
    with_unknown = search(index, PASSAGES, query, 5, S)
    assert [h.id for h in with_unknown] == [h.id for h in alone]
    assert [h.score for h in with_unknown] == pytest.approx([h.score * query.known_share for h in alone])
    assert 0 < query.known_share < 1


def test_a_scaled_hit_is_the_same_passage_with_the_score_times_the_factor_clipped_when_asked():
    hit = Hit("a", "S", "text", 0.8)
    assert hit.scaled(0.5) == Hit("a", "S", "text", 0.4)
    assert hit.scaled(2.0).score == 1.6 and hit.scaled(2.0, cap=1.0).score == 1.0


def test_the_first_stage_is_decisive_only_from_the_skip_score_and_never_below_its_own_threshold():
    hits = (Hit("a", "S", "x", 0.36), Hit("b", "S", "y", 0.35))
    assert decisive(hits, S) and not decisive((Hit("a", "S", "x", 0.34),), S)
    assert not decisive(hits, AnswerSettings(rerank_skip_score=0))  # 0: the second stage reads every question
    assert not decisive((Hit("a", "S", "x", 0.15),), AnswerSettings(rerank_skip_score=0.1))  # below 0.2 it cannot answer
    assert not decisive((), S)


def test_a_question_asked_in_the_negative_is_never_decisive_for_the_first_stage():
    """Its 'not' is a stop word: the first stage scores the positive statement as high as the question's answer."""
    hits = (Hit("a", "S", "x", 0.9),)
    assert decisive(hits, S, "Who signed the treaty?") and not decisive(hits, S, "Who did not sign the treaty?")


def test_a_high_score_is_not_decisive_when_the_passage_lacks_what_a_what_x_question_asks_for():
    """'What uid does www-data have?' scores high on a passage about www-data that gives no uid: the first stage
    cannot tell; the second stage reads it."""
    hits = (Hit("a", "Users", "www-data: Some web servers run as www-data.", 0.9),)
    assert not decisive(hits, S, "What uid does the www-data user have?")
    assert decisive(hits, S, "Which servers run as www-data?")  # the passage names servers
    assert decisive(hits, S, "What does www-data do?")  # asks for no thing by name
    assert decisive((Hit("a", "Uids", hits[0].text, 0.9),), S, "What uid does the www-data user have?")  # section


def test_below_the_skip_score_a_passage_holding_every_word_of_a_long_enough_question_is_decisive():
    """From the first stage's own threshold, when the best passage (text or section) holds every content word of a
    question of rerank_skip_words words: the second stage reading the same words keeps the answer."""
    hits = (Hit("a", "Glacier research", "The radar team measured the ice shelf thickness in 2019.", 0.25),)
    assert decisive(hits, S, "When did the radar team measure the ice shelf?")  # radar team measur ice shelf: 5
    assert decisive(hits, S, "When was the glacier's ice shelf measured by radar?")  # glacier from the section
    assert not decisive(hits, S, "When did the radar team measure the ice sheet?")  # 'sheet' is not held
    assert not decisive(hits, S, "When was the ice shelf measured?")  # three words: too short to tell
    assert not decisive(hits, S, "When did the radar team not measure the ice shelf?")  # negated
    assert not decisive(hits, AnswerSettings(rerank_skip_words=0), "When did the radar team measure the ice shelf?")
    assert not decisive(hits, AnswerSettings(rerank_skip_score=0), "When did the radar team measure the ice shelf?")
    low = (Hit("a", "S", hits[0].text, S.first_stage_threshold - 0.01),)
    assert not decisive(low, S, "When did the radar team measure the ice shelf?")  # under the first stage's threshold


def test_frame_words_and_repeats_do_not_count_as_words_of_the_question():
    hits = (Hit("a", "S", "The radar team measured the ice.", 0.25),)
    assert not decisive(hits, S, "What kind of radar measured the ice, the radar?")  # radar measur ice: three
    assert decisive(hits, AnswerSettings(rerank_skip_words=3), "What kind of radar measured the ice, the radar?")


def test_from_the_cover_score_a_best_passage_covering_a_question_of_two_stems_is_decisive(index):
    """From rerank_skip_cover_score, when the best passage covers rerank_skip_cover of a question of at least
    rerank_skip_cover_stems stems (coverage as the decision reads it, from the index)."""
    from bot.core.decision import passage_coverage

    query = weigh(Reading("hut roof", ("hut", "roof")), index, S)
    hits = (Hit("hut", "People", PASSAGES[1].text, 0.26),)
    covered = lambda: passage_coverage(query, index, 1)  # noqa: E731
    assert covered() == 1.0 and decisive(hits, S, "hut roof", query, covered)
    assert not decisive(hits, S, "hut roof")  # without the index's signals: two words, under the skip score
    assert not decisive((Hit("hut", "People", PASSAGES[1].text, 0.24),), S, "hut roof", query, covered)
    assert not decisive(hits, S, "not the hut roof", query, covered)  # negated
    assert not decisive(hits, AnswerSettings(rerank_skip_cover=0), "hut roof", query, covered)
    assert not decisive(hits, AnswerSettings(rerank_skip_cover_stems=3), "hut roof", query, covered)
    assert not decisive(hits, S, "hut roof", query, lambda: 0.94)  # a word of the question it lacks
    one = weigh(Reading("roof", ("roof",)), index, S)
    assert not decisive(hits, S, "roof", one, lambda: passage_coverage(one, index, 1))  # one stem: too short to tell


def test_skipped_hits_are_put_on_the_second_stage_scale_with_the_first_stage_threshold_at_the_model_s():
    hits = (Hit("a", "S", "x", 0.4), Hit("b", "S", "y", 0.1))
    scaled = first_stage_scaled(hits, 0.31, S)
    assert [h.id for h in scaled] == ["a", "b"]
    assert [h.score for h in scaled] == pytest.approx([0.4 * 0.31 / 0.2, 0.1 * 0.31 / 0.2])
    assert first_stage_scaled((Hit("c", "S", "z", S.first_stage_threshold),), 0.31, S)[0].score == pytest.approx(0.31)


def test_a_candidate_read_by_place_has_the_same_neighbours_as_one_read_from_the_passages():
    from bot.core.hits import _candidates
    from bot.core.rerank_near import Neighbourhood
    from bot.core.rerank_store import PassageWords

    passages = (Passage("a", "One.", "S"), Passage("b", "Two.", "T"), Passage("c", "Three.", "S"),
                Passage("d", "Four.", "S", questions=("What is four?",)), Passage("e", "Five.", "T"),
                Passage("f", "Six.", "S"))
    words = PassageWords([p.text for p in passages], [p.section for p in passages], [p.questions for p in passages])
    places = list(range(len(passages)))
    hits = [Hit(p.id, p.section, p.text, 0.5) for p in passages]
    for neighbours in (0, 1, 2, 3, 4):
        plain, placed = _candidates(passages, places, hits, neighbours), _candidates(passages, places, hits, neighbours, words)
        for at, (a, b) in enumerate(zip(plain, placed)):
            assert b[:6] == a[:6] and a.places == ()
            assert b.places == (at, *map(words.texts.index, (*a.before, *a.after)))
        near, filled = Neighbourhood(words.sections, neighbours), Neighbourhood(words.sections, neighbours)
        filled.fill()
        for kept in (near, filled, near):  # worked out at the first look, then kept; or all at once
            assert _candidates(passages, places, hits, neighbours, words, kept) == placed
    got = _candidates(passages, [3], hits[3:4], 3, words)[0]  # skips the other section between
    assert (got.before, got.after, got.places) == (("One.", "Three."), ("Six.",), (3, 0, 2, 5))
    assert got.questions == ("What is four?",)


def test_what_the_best_passage_holds_read_from_the_index_gives_the_same_verdicts(index):
    """The index holds each passage's text and section stems, so it can say what `_holds` would read in them."""
    hits = (Hit("hut", "People", PASSAGES[1].text, 0.25), Hit("hut", "People", PASSAGES[1].text, 0.9))
    asked = []

    def indexed(stems: set[str]) -> bool:
        asked.append(stems)
        return all(index.has(1, s) for s in stems)

    verdicts = {}
    for question in ("When did the avalanche hit the hut roof?", "Did an avalanche hit the roof of the people's hut?",
                     "When did the avalanche hit the hut door?", "What roof did the avalanche hit?",
                     "What door did the avalanche hit?"):
        for best in (hits[:1], hits[1:]):
            verdicts[question, best[0].score] = decisive(best, S, question)
            assert decisive(best, S, question, indexed=indexed) == verdicts[question, best[0].score]
    assert asked and any(verdicts.values()) and not all(verdicts.values())



def test_a_passage_is_the_entry_of_each_term_its_short_label_names():
    assert entry_terms("-print, -fprint: If you are using find in a script ...", 40) == {"-print", "-fprint"}
    assert entry_terms("-size n[cwbkMG] `b': for 512-byte blocks", 40) == {"-size"}
    assert entry_terms("The roof was rebuilt.", 40) == set()
    assert entry_terms("A sentence that runs on well past a term's length before it: ends", 40) == set()


def test_a_what_does_x_question_whose_best_hit_is_not_x_s_entry_goes_to_the_second_stage_when_a_hit_is():
    mention = Hit("a", "Unusual filenames", "-print, -fprint: Always print names, and -print0 too.", 0.4)
    own = Hit("b", "Actions", "-print0: True; print the full file name, followed by a null character.", 0.3)
    question = "What does -print0 print after each file name?"
    assert other_entry(question, (mention, own), S)
    assert not other_entry(question, (own, mention), S)  # the best hit is the entry
    assert not other_entry(question, (mention, own), AnswerSettings(rerank_depth=1))  # not among the hits read
    assert not other_entry(question, (mention, own), AnswerSettings(entry_label_chars=0))  # off
    assert not other_entry("Which option prints a null after -print0?", (mention, own), S)  # no 'what does X'


def test_an_option_is_its_entry_s_term_as_written_and_a_word_in_any_case():
    assert is_entry_of("-D", "-D debugopts: Print diagnostic information.", 40)
    assert not is_entry_of("-d", "-D debugopts: Print diagnostic information.", 40)  # a program's -d is not its -D
    assert is_entry_of("tz", "TZ: Affects the time zone used by -printf.", 40)
    assert not is_entry_of("tz", "The TZ variable: affects the time zone.", 40)  # a sentence, not a 'TZ: ' label


MENTION = Hit("t", "Expression", "Tests: The -empty test for example is true only when the current file is empty.", 0.55)
SIZE = Hit("s", "Tests", "-size n: The former only matches empty files.", 0.61)
EMPTY = Hit("e", "Tests", "-empty: File is empty and is either a regular file or a directory.", 0.14)


def test_a_bare_what_does_x_question_gets_x_s_own_entry_first_with_the_displaced_passage_s_probability():
    ranked = entry_first("What does the -empty test match?", (MENTION, SIZE, EMPTY), S)
    assert ranked == (Hit("e", "Tests", EMPTY.text, 0.55), MENTION, SIZE)  # the rest keep their order
    assert [h.id for h in entry_first("what is -empty?", (MENTION, SIZE, EMPTY), S)] == ["e", "t", "s"]
    sure = Hit("e", "Tests", EMPTY.text, 0.9)
    assert entry_first("What does -empty do?", (MENTION, sure), S)[0] == sure  # its own probability when better


def test_x_s_entry_is_not_put_first_when_the_question_asks_more_than_what_x_is():
    for question in ("What does -empty get turned on by?",  # goes on past its closing word: a detail
                     "What does the -empty test match in the -size example?",
                     "Which test matches empty files?",  # no 'what does X'
                     "What does -size do?"):  # the top passage is the entry
        assert entry_first(question, (SIZE, MENTION, EMPTY), S) == (SIZE, MENTION, EMPTY)
    assert entry_first("What does the -empty test match?", (MENTION, SIZE), S) == (MENTION, SIZE)  # no entry ranked
    off = AnswerSettings(entry_label_chars=0)
    assert entry_first("What does the -empty test match?", (MENTION, SIZE, EMPTY), off) == (MENTION, SIZE, EMPTY)

