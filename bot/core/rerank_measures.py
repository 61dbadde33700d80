"""The second stage's measures of word order: how tightly the question's words sit in a passage, and the
longest run of the question's words a passage repeats (for all candidates at once)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .rerank_question import Question

BM25_K1 = 1.2
BM25_B = 0.75
PHRASE_CAP = 5  # a run of this many question words or more, copied into a passage, counts the same
FIRST_FLOOR = 0.2  # the first stage's own tuned threshold (the cosine threshold before this stage existed)
# These define the features the shipped model was trained on: changing one means retraining
# (benchmarks/train_rerank.py), so they are constants here, not AnswerSettings.


def proximity(where: Sequence[tuple[int, int]], length: int) -> float:
    """How tightly the question's words sit in the passage: matched words over the span holding them
    (`where`: each question stem's position among the passage's content stems, and the stem)."""
    distinct = len({s for _n, s in where})
    if distinct < 2:
        return 0.0
    have: dict[str, int] = {}
    best, left = length, 0
    for n, m in where:  # the shortest window holding every distinct matched stem
        have[m] = have.get(m, 0) + 1
        while len(have) == distinct:
            start, first = where[left]
            best = min(best, n - start + 1)
            have[first] -= 1
            if not have[first]:
                del have[first]
            left += 1
    return distinct / best


def phrases(q: Question, every: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per text, the longest run of the question's words (stop words included) that it repeats, as a share
    of PHRASE_CAP; a run must hold a content word so 'of the' alone does not count. `every` holds the texts'
    words one text after another as q.word_ids has them (-1: no word of the question), `lengths` their sizes."""
    asked = np.array(q.every_ids, dtype=np.int64)
    best = np.zeros(len(lengths), dtype=np.int64)
    if not len(asked) or not len(every):
        return best / PHRASE_CAP
    owner = np.repeat(np.arange(len(lengths)), lengths)
    spaced = np.full(len(every) + len(lengths), -2, dtype=np.int64)  # a -2 after each text: no run crosses it
    spaced[np.arange(len(every)) + owner] = every
    owner = np.repeat(np.arange(len(lengths)), lengths + 1)
    width, height = len(spaced), len(asked)
    same = np.zeros((2 * height, width + height), dtype=bool)
    same[:height, :width] = asked[:, None] == spaced[None, :]
    content_ = np.array([w in q.idf for w in q.every], dtype=bool)
    run, holds = same[:height, :width].copy(), content_.copy()
    for length in range(1, height + 1):  # run: the question's words from i on match the text's from j on, this many
        hit = np.nonzero((run & holds[:, None]).any(axis=0))[0]
        best[owner[hit]] = length
        run &= same[length:length + height, length:length + width]
        if not run.any():
            break
        holds[:height - length] |= content_[length:]
    return np.minimum(best, PHRASE_CAP) / PHRASE_CAP
