"""Counting every passage's terms at once gives exactly what counting passage_features one passage at a time gives."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest

from bot.core.index_build import SCORING, IndexSettings, passage_features
from bot.core.index_count import SENTINEL, _Ids, _split, count_terms
from bot.kb.model import Passage
from bot.text import split_words, words

# Apostrophes in every position, accents, other scripts, a symbol inside a word, underscores, a
# lone capital Z, stop-word-only and empty pieces, repeated words and bigrams across piece ends.
TRICKY = (
    Passage("a", "O'Brien's dog don't bark; John's cat's toy. Rock'n'roll x'sy a's's 's", "Dogs & Cats",
            questions=("What's O'Brien's dog?", "")),
    Passage("b", "Café naïve Zürich ΣΟΦΙΑ résumé x©y Z z __init__ foo_bar 3.14 2024 the of — “quoted” ‘single’"),
    Passage("c", "the and of", "the"),
    Passage("d", "", "", questions=("dog dog dog bark", "Bark dog")),
    Passage("e", "Дорога в Улан-Батор. 中文字符 Mongolia's capital, Ulaanbaatar's river ``quoted''", "Section Heads"),
    Passage("f", "dog bark dog bark dog bark zzz", "dog bark"),
    Passage("g", "tab\tnew\nline\x00nul a\ud800b lone surrogate ﬁne ligature Ⅻ numeral"),
)
SETTINGS = (IndexSettings(), SCORING["tfidf"], IndexSettings(bigrams=False), IndexSettings(index_sections=False),
            IndexSettings(index_questions=False))


def one_at_a_time(passages, settings):
    """The plain way: a Counter per passage, columns in first-seen order, pairs sorted term-major."""
    vocabulary, word_counts, rows = {}, Counter(), []
    for position, passage in enumerate(passages):
        for term, count in Counter(passage_features(passage, settings, word_counts)).items():
            rows.append((vocabulary.setdefault(term, len(vocabulary)), position, count))
    rows.sort()
    columns = [np.array([row[i] for row in rows], dtype=np.int32) for i in range(3)]
    return vocabulary, dict(word_counts), *columns


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("passages", (TRICKY, TRICKY[::-1], TRICKY * 3, TRICKY[2:3], ()))
def test_the_bulk_count_is_the_passage_by_passage_count(passages, settings):
    vocabulary, word_counts, term_of, indices, tf = one_at_a_time(passages, settings)
    counted = count_terms(passages, settings)
    assert list(counted.vocabulary.items()) == list(vocabulary.items())  # the same columns, in the same order
    assert list(counted.word_counts.items()) == list(word_counts.items())
    for mine, plain in ((counted.term_of, term_of), (counted.indices, indices), (counted.tf, tf)):
        assert mine.dtype == np.int32 and np.array_equal(mine, plain)
    assert [" " in t for t in counted.vocabulary] == counted.is_bigram.tolist()


def test_ascii_pieces_are_lower_cased_by_the_byte_table_as_normalise_would():
    ids = _Ids({SENTINEL: 0})
    pieces = ["The `Quoted` WORD", "", "Café Z"]
    stream, lengths = _split(pieces, ids)
    assert lengths.tolist() == [3, 0, 2]
    tokens = [list(ids)[i] for i in stream]
    assert tokens == [b"the", b"'quoted'", b"word", b"cafe", b"z"]
    assert [w for t in tokens for w in split_words(t.decode())] == [w for p in pieces for w in words(p)]


@pytest.mark.parametrize("passages", (TRICKY, TRICKY[::-1], TRICKY * 3, TRICKY[2:3], ()))
def test_a_heading_weighed_apart_counts_each_pair_s_heading_words_as_the_heading_alone_holds_them(passages):
    """heading_tf is, per (term, passage), the section heading's share of tf: the count with sections less the
    count without them (a bigram never spans the text and the heading: each piece's bigrams are its own)."""
    weighed = dataclasses.replace(SCORING["tfidf"], section_weight=0.5)
    vocabulary, _, term_of, indices, tf = one_at_a_time(passages, weighed)
    text_vocabulary, _, text_of, text_indices, text_tf = one_at_a_time(passages,
                                                                       dataclasses.replace(weighed, index_sections=False))
    names = {col: term for term, col in vocabulary.items()}
    text_names = {col: term for term, col in text_vocabulary.items()}
    in_text = {(text_names[int(c)], int(d)): int(f) for c, d, f in zip(text_of, text_indices, text_tf)}
    counted = count_terms(passages, weighed)
    expected = [int(f) - in_text.get((names[int(c)], int(d)), 0) for c, d, f in zip(term_of, indices, tf)]
    assert counted.heading_tf is not None and counted.heading_tf.dtype == np.int32
    assert counted.heading_tf.tolist() == expected
    assert counted.tf.tolist() == tf.tolist()  # tf itself is the whole count, as before


@pytest.mark.parametrize("settings", (SCORING["bm25"], dataclasses.replace(SCORING["tfidf"], section_weight=1.0),
                                      dataclasses.replace(SCORING["tfidf"], index_sections=False)))
def test_no_heading_is_counted_apart_when_it_weighs_as_the_text_or_is_not_indexed(settings):
    assert count_terms(TRICKY, settings).heading_tf is None
