"""What the second stage's word-store tests share: a question's columns, and questions read side by side in threads."""

from __future__ import annotations

import random
import threading

import numpy as np

from bot.core.rerank_store import PassageWords, gather_texts
from bot.core.rerank_text import FAMILY_PREFIX


def columns(q):
    """What gather asks for: the question's terms, its stems' heads and its words, each as a column."""
    terms = dict.fromkeys([*q.stems, *(s for _own, others in q.alternatives for o in others for s in o)])
    starts = dict.fromkeys(s[:FAMILY_PREFIX] for s in q.stems if len(s) >= FAMILY_PREFIX)
    return ({t: n for n, t in enumerate(terms)}, {h: n for n, h in enumerate(starts)}, q.word_ids)


def read_side_by_side(store: PassageWords, texts: list[str], questions: list) -> list[tuple[int, int]]:
    """Six threads gathering a question's worth of passages at a time while a seventh reads every passage
    ahead: the (thread, place) of every gather whose columns differ from its texts' own."""
    failures = []

    def ask(seed: int) -> None:
        order = random.Random(seed).sample(range(len(texts)), len(texts))
        for n in range(0, len(order), 39):  # a question's worth of passages at a time, as the answerer reads them
            at, q = order[n:n + 39], questions[(seed + n) % len(questions)]
            got, expected = store.gather_at(at, 10, *columns(q)), gather_texts([texts[a] for a in at], 10, *columns(q))
            if not all(np.array_equal(getattr(got, k), getattr(expected, k)) for k in ("cols", "heads", "every")):
                failures.append((seed, n))

    threads = [threading.Thread(target=ask, args=(seed,)) for seed in range(6)] + [threading.Thread(target=store.read_all)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures
