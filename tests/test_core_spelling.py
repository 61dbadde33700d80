"""The speller: corrects unknown words to close known ones, and leaves everything else alone."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.spelling import Speller, trigrams

COUNTS = {"mongolia": 40, "cooperation": 12, "partnership": 9, "defence": 7, "defense": 2, "training": 5,
          "the": 100, "what": 30, "peacekeeping": 4, "nato": 50}


def test_a_misspelled_word_is_corrected_to_the_known_one():
    speller = Speller(COUNTS)
    assert speller.correct("mongolai") == "mongolia"
    assert speller.correct("cooperaton") == "cooperation"
    assert speller.correct("partnrship") == "partnership"


def test_a_swapped_pair_of_letters_is_corrected():
    assert Speller(COUNTS).correct("cooperatoin") == "cooperation"


def test_known_words_short_words_and_numbers_are_never_corrected():
    speller = Speller(COUNTS, extra=("because",))
    assert speller.correct("defence") is None
    assert speller.correct("because") is None
    assert speller.correct("ta") is None
    assert speller.correct("2019") is None


def test_a_word_nothing_resembles_is_left_unknown():
    assert Speller(COUNTS).correct("zeppelin") is None
    assert Speller(COUNTS).correct("xqzv") is None


def test_between_equally_close_words_the_more_frequent_wins():
    assert Speller(COUNTS).correct("defenxe") == "defence"


def test_the_answer_is_the_same_when_asked_again():
    speller = Speller(COUNTS)
    assert speller.correct("trainng") == "training"
    assert speller.correct("trainng") == "training"


def test_the_shortlist_finds_the_right_word_in_a_large_vocabulary():
    counts = {f"word{i:05d}x": 1 for i in range(20_000)}
    counts["cybersecurity"] = 3
    speller = Speller(counts)
    assert speller.correct("cybersecurty") == "cybersecurity"
    assert speller.correct("word01234z") in {"word01234x"}


def test_trigrams_are_padded_so_short_words_have_several():
    assert trigrams("ab") == {"$$a", "$ab", "ab$"}


def _postings_of(words):
    """The postings by definition: each word's id under each of its trigrams, ascending."""
    postings = {}
    for i, word in enumerate(words):
        for gram in trigrams(word):
            postings.setdefault(gram, []).append(i)
    return postings


@pytest.mark.parametrize("words", [
    ["afghanistan", "afghan", "banana", "aaa", "abcabcabc", "a", "ab", "naïve", "日本語", "𝔘nicode", "\ud800x"],
    [],
    ["x"],
    [chr(0x20000 + i) for i in range(70_000)],  # more characters than a trigram and its word pack in 64 bits
])
def test_trigram_postings_list_each_trigrams_words_in_ascending_order(words):
    from bot.core.spelling import trigram_postings

    got = trigram_postings(words)
    assert {g: ids.tolist() for g, ids in got.items()} == _postings_of(words)
    assert all(ids.dtype == np.int32 for ids in got.values())
