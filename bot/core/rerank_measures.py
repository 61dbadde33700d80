"""The second stage's measures of word order: how tightly the question's words sit in a passage, and the
longest run of the question's words a passage repeats (for all candidates at once)."""

from __future__ import annotations

from itertools import accumulate
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
    """How tightly the question's words sit in the passage: matched words over the shortest span holding them."""
    # `where`: each question stem's position among the passage's content stems, and the stem. The shortest
    # span ends at some match: the one back to the latest match of each other stem.
    distinct = len({s for _n, s in where})
    if distinct < 2:
        return 0.0
    if distinct == len(where):  # each stem once: the one window holding them all runs from the first to the last
        return distinct / min(length, where[-1][0] - where[0][0] + 1)
    best, latest = length, {}
    for n, m in where:
        latest[m] = n
        if len(latest) == distinct:
            span = n - min(latest.values()) + 1
            if span < best:
                best = span
    return distinct / best


def phrases(q: Question, every: np.ndarray, lengths: np.ndarray) -> list[float]:
    """Per text, the longest run of the question's words it repeats (with a content word), as a share of PHRASE_CAP."""
    # Stop words count in a run, but 'of the' alone does not. `every` holds the texts' words one text after
    # another as q.word_ids has them (-1: no word of the question), `lengths` their sizes. One pass in Python
    # over the question's words among them, each run extended from the word just before (any other word, or
    # a text's end, breaks a run): cheaper than numpy passes over a question-by-text table.
    places: dict[int, list[int]] = {}  # each question word id -> where it stands in the question
    for i, w in enumerate(q.every_ids):
        places.setdefault(w, []).append(i)
    held = [0]  # how many content words the question has before each place
    for w in q.every:
        held.append(held[-1] + (w in q.idf))
    at = np.flatnonzero(every >= 0)
    found, ids, k = at.tolist(), every[at].tolist(), 0
    out = []
    for end in accumulate(lengths.tolist()):
        best, ending, last = 0, {}, -2  # ending: the run of question words ending at each place, at the word before
        while k < len(found) and found[k] < end:
            if found[k] != last + 1:
                ending = {}
            now = {}
            for i in places.get(ids[k], ()):
                run = now[i] = ending.get(i - 1, 0) + 1
                if run > best and held[i + 1] > held[i + 1 - run]:
                    best = run
            ending, last, k = now, found[k], k + 1
        out.append(min(best, PHRASE_CAP) / PHRASE_CAP)
    return out
