"""The second stage's measures of word order, checked by hand on tiny texts."""

from __future__ import annotations

import numpy as np

from bot.core.rerank_measures import PHRASE_CAP, phrases, proximity
from bot.core.rerank_question import CorpusStats, read_question
from bot.text import words


def _phrases(question: str, texts: list[str]) -> list[float]:
    """phrases() over texts given as plain strings (each word as the question's word id, -1 for any other)."""
    q = read_question(question, None, (), CorpusStats.from_texts(texts))
    from bot.core.rerank_text import content

    read = [content(t)[0] for t in texts]
    every = np.array([q.word_ids.get(w, -1) for r in read for w in r], dtype=np.int64)
    return phrases(q, every, np.array([len(r) for r in read], dtype=np.int64))


def test_a_run_of_the_question_s_words_is_broken_by_any_other_word_and_by_a_text_s_end():
    question = "the red fox jumps over the lazy dog"
    assert len(words(question)) == 8
    got = _phrases(question, ["a red fox jumps high", "red big fox jumps", "lazy dog", "the red fox jumps over",
                              "nothing here", "jumps over the lazy dog red fox"])
    assert got == [3 / PHRASE_CAP, 2 / PHRASE_CAP, 2 / PHRASE_CAP, 1.0, 0.0, 1.0]
    # the end of one text and the start of the next never join into one run
    assert _phrases(question, ["the red", "fox jumps"]) == [2 / PHRASE_CAP, 2 / PHRASE_CAP]


def test_a_run_of_stop_words_alone_does_not_count():
    assert _phrases("what is the capital of the moon", ["it is the capital", "of the"]) == [3 / PHRASE_CAP, 0.0]


def test_proximity_is_matched_stems_over_the_shortest_span_holding_them():
    assert proximity([(0, 0), (5, 1), (6, 0)], 10) == 2 / 2
    assert proximity([(0, 0), (4, 1)], 10) == 2 / 5
    assert proximity([(3, 0), (4, 0)], 10) == 0.0


def test_proximity_finds_the_shortest_span_among_repeated_stems():
    def shortest(where, length):  # every span that holds each matched stem, tried in turn
        distinct = {s for _n, s in where}
        spans = [b[0] - a[0] + 1 for x, a in enumerate(where) for y, b in enumerate(where[x:], x)
                 if {s for _n, s in where[x:y + 1]} == distinct]
        return len(distinct) / min([length, *spans])

    where = [(0, 0), (1, 1), (3, 0), (7, 2), (8, 1), (9, 0), (12, 2), (13, 2), (15, 1)]
    for cut in range(2, len(where) + 1):
        for start in range(cut - 1):
            part = where[start:cut]
            if len({s for _n, s in part}) > 1:
                assert proximity(part, 20) == shortest(part, 20), part
    assert proximity([(2, 0), (3, 1), (4, 0), (9, 1)], 6) == 2 / 2
