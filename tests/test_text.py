"""bot.text: the one shortening with an ellipsis, used by the kb listings and Telegram's buttons and titles."""

from __future__ import annotations

import pytest

from bot.text import STOP_WORDS, clean, content_stems, lone_surrogate, negated, shorten, stem, terms, without_controls, words


def test_shorten_keeps_short_text_and_cuts_long_text_to_the_width_with_an_ellipsis():
    assert shorten("Lake Baikal", 11) == "Lake Baikal"
    assert shorten("The Selenge River flows north", 12) == "The Selenge\u2026"  # the space before the cut is dropped
    assert len(shorten("x" * 500)) == 70 and shorten("x" * 500).endswith("\u2026")


def test_lone_surrogate_finds_the_first_unpaired_surrogate_and_nothing_in_valid_text():
    assert lone_surrogate("fine \U0001F600 text") is None
    assert lone_surrogate("ab\ud800c") == 2
    assert lone_surrogate("x" + b"\xff".decode("utf-8", "surrogateescape")) == 1


def test_content_stems_are_the_stems_of_the_content_words_in_order_and_give_the_same_index_terms():
    found = words("The rivers of Mongolia flow north; the river's ice melts in spring, and rivers flood.")
    expected = [stem(w) for w in found if w not in STOP_WORDS]
    assert content_stems(found) == expected == ["river", "mongolia", "flow", "north", "river", "ice", "melt",
                                                "spring", "river", "flood"]
    assert content_stems(found) == expected  # a second call reads the cached stems and agrees
    assert content_stems(["the", "of", "and"]) == []
    stems = content_stems(found)
    assert stems + [" ".join(pair) for pair in zip(stems, stems[1:])] == terms([w for w in found if w not in STOP_WORDS])


def test_a_contraction_the_stop_words_hold_is_one_stop_word_not_a_fragment_read_as_content():
    """'don't', 'won't', 'I'm', 'we'll' were split at the apostrophe into 'don', 'won', 'm', 'll': content words a
    knowledge may lack (lowering the known share) or hold in another sense ('won' a battle)."""
    found = words("Why won\u2019t it start? I don't mind, I'm sure we'll see; the river's ice and O'Brien's boat.")
    assert [w for w in found if w not in STOP_WORDS] == ["start", "mind", "sure", "see", "river", "ice", "o", "brien",
                                                           "boat"]
    assert "don't" in found and "won't" in found  # one word each, as the stop words hold them (the typographic ' folded)


def test_a_question_asked_in_the_negative_is_told_apart_by_its_not_never_or_n_t():
    for question in ("Who did not sign the treaty?", "What wasn\u2019t the capital?", "Which city was never taken?",
                     "Who had no army?", "What can't be repaired?"):
        assert negated(question), question
    for question in ("Who signed the treaty?", "Is there a note about the knot?", "Where is Notting Hill?",
                     "What did the nobles want?"):
        assert not negated(question), question
    for question in ("how can I check that a .gz file isn't broken", "How do I search without caring about case?",
                     "Programs can't find the library, what should I do?", "how to build it without Python"):
        assert not negated(question), question  # asking how to do a thing: the 'not' says what the goal is


@pytest.mark.parametrize("text", [
    "  What is it?  ", "a  b", "a\tb", "a\nb", "a\u00a0b", "a\u200bb", "a\u202eb", "a\x85b", "a\ufeffb", "a\x7fb",
    "caf\u00e9 \u4e2d\u6587 ok", " ", "", "a \u3000 b", "\u2028line", "tab\t", "x\x1cy",
])
def test_clean_takes_its_shortcut_only_where_the_regexes_would_change_nothing_but_the_ends(text):
    from bot.text import _CONTROL, _SPACES

    assert clean(text) == _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def test_text_for_a_passage_loses_what_a_terminal_would_act_on_and_keeps_the_rest():
    assert without_controls("The club meets\x1b[31m on Tuesdays\x1b[0m\x07 in the hall.") == \
        "The club meets on Tuesdays in the hall."
    assert without_controls("\x1b]0;title\x07Title set, back\x08space") == "Title set, backspace"
    kept = "Zeit f\u00fcr \u05e9\u05dc\u05d5\u05dd\u200f, \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f468\u200d\U0001f469"
    assert without_controls(kept) == kept  # direction marks and joiners are part of the writing, not controls
