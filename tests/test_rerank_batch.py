"""The fast reading of candidates (bit masks, arrays, the kept passage words) must give every feature
exactly as a plain reading does: one text at a time, sets of stems, loops, sums in the question's stem
order. The shipped model's weights were fitted on these values, so not one bit may move."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from bot.core.rerank import FEATURES, Candidate, CorpusStats, features
from bot.core.rerank_measures import BM25_B, BM25_K1, FIRST_FLOOR, PHRASE_CAP
from bot.core.rerank_question import matched, opening, read_question
from bot.core.rerank_store import PassageWords
from bot.core.rerank_text import FAMILY_PREFIX, KINDS, content, denies, holds_kind, leans_back
from bot.text import words

FIXTURE = Path(__file__).parent / "fixtures" / "rerank_features_seed.json"


def _plain_row(q, n: int, c: Candidate, cs: list[Candidate], curated: float) -> tuple:
    """One candidate's features the slow, obvious way (the reference)."""
    def read(text):
        every, own = content(text)
        return every, own, matched(q, frozenset(own))

    def mass(found):
        total = 0.0
        for s in q.stems:
            total += q.idf[s] if s in found else 0.0
        return total

    def bm25(counts, length, mean):
        if not length or not q.total:
            return 0.0
        norm, total = BM25_K1 * (1 - BM25_B + BM25_B * length / mean), 0.0
        for s in q.stems:
            if s in counts:
                total += q.idf[s] * counts[s] * (BM25_K1 + 1) / (counts[s] + norm)
        return total / q.total

    def counts(text):
        _every, own, found = read(text)
        return {s: own.count(s) or 1 for s in found}

    share = lambda found: mass(found) / (q.total or 1.0)  # noqa: E731
    every, own, found = read(c.text)
    where = [(i, s) for i, s in enumerate(own) if s in q.idf]
    near = lambda texts: set().union(*(read(t)[2] for t in texts))  # noqa: E731
    wide = found | near(c.before[-1:] + c.after[:1])
    previous = share(read(c.before[-1])[2]) if c.before else 0.0
    paragraph = [*c.before, c.text, *c.after]
    summed: dict = {}
    for t in paragraph:
        for s, k in counts(t).items():
            summed[s] = summed.get(s, 0) + k
    paragraph_mean = max(1.0, sum(len(read(t)[1]) for d in cs for t in (*d.before, d.text, *d.after)) / len(cs))
    fit = holds_kind(q.kind, c.text, q.folded) if q.kind else False
    asked = [share(read(a)[2]) for a in c.questions]
    same = [v for a, v in zip(c.questions, asked) if opening(words(a)) == q.opening]
    family = {s for s in q.stems if s not in found and len(s) >= FAMILY_PREFIX
              and any(o[:FAMILY_PREFIX] == s[:FAMILY_PREFIX] for o in own if len(o) >= FAMILY_PREFIX)}
    best = max(d.score for d in cs) or 1.0
    cover, floor, leaning = share(found), float(c.score >= FIRST_FLOOR), float(leans_back(c.text))
    return (c.score, c.score / best, 1 / (n + 1), cover, mass(found) / (q.known_total or 1.0),
            bm25(counts(c.text), len(own), max(1.0, sum(len(read(d.text)[1]) for d in cs) / len(cs))),
            share(wide), share(wide | near(c.before[-2:-1] + c.after[1:2])), share(wide) - cover, previous,
            leaning, leaning * previous, sum(s in found for s in q.rarest) / (len(q.rarest) or 1),
            _proximity(where, len(own)) if len(found) > 1 else 0.0,
            sum(b == a + 1 and (s, t) in q.bigrams for (a, s), (b, t) in zip(where, where[1:])) / len(q.bigrams)
            if q.bigrams else 0.0, _phrase(q, every) if found else 0.0, math.log1p(len(own)),
            math.log1p(len(own) - len(where)), share(read(c.section)[2]), max(asked, default=0.0),
            max(same, default=0.0), float(fit), *(float(fit and q.kind == k) for k in KINDS), float(bool(q.kind)),
            *(float(q.kind == k) for k in KINDS), q.unknown_share, float(q.unknown_name), math.log1p(len(q.stems)),
            curated, curated * c.score, curated * q.unknown_share, curated * (float(bool(q.kind)) - fit),
            curated * cover, floor, curated * floor, share(near(paragraph)),
            bm25(summed, sum(len(read(t)[1]) for t in paragraph), paragraph_mean), math.log(len(cs)),
            curated * float(not q.opening and len(q.every) <= 3),
            float(any(all(s in own for s in mine) and any(o <= set(own) for o in others)
                      for mine, others in q.alternatives)), curated / (n + 1), share(found | family),
            float(q.negated and not denies(c.text)))


def _proximity(where, length) -> float:
    """Matched stems over the shortest span of the passage holding them all (by trying every span)."""
    distinct = {s for _i, s in where}
    if len(distinct) < 2:
        return 0.0
    spans = [b[0] - a[0] + 1 for x, a in enumerate(where) for b in where[x:]
             if {s for _i, s in where[x:where.index(b) + 1]} >= distinct]
    return len(distinct) / min([length, *spans])


def _phrase(q, every) -> float:
    """The longest run of question words repeated with a content word in it, by trying every start."""
    best = 0
    for i in range(len(q.every)):
        for j in range(len(every)):
            k = 0
            while i + k < len(q.every) and j + k < len(every) and q.every[i + k] == every[j + k]:
                k += 1
            if k and any(w in q.idf for w in q.every[i:i + k]):
                best = max(best, k)
    return min(best, PHRASE_CAP) / PHRASE_CAP


def test_every_feature_is_exactly_the_plain_reading_s():
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    texts = recorded["texts"]
    passages = sorted({texts[i] for call in recorded["calls"] for d in call["candidates"]
                       for i in (d["text"], *d["before"], *d["after"])})
    stats, kept = CorpusStats.from_texts(passages), PassageWords(passages)
    for call in recorded["calls"]:
        cs = [Candidate(texts[d["text"]], d["score"], tuple(texts[i] for i in d["before"]),
                        tuple(texts[i] for i in d["after"]), texts[d["section"]],
                        tuple(texts[i] for i in d["questions"])) for d in call["candidates"]]
        expansions = [(p, tuple(a)) for p, a in call["expansions"]]
        q = read_question(call["question"], call["content_words"], expansions, stats)
        expected = np.array([_plain_row(q, n, c, cs, float(call["curated"])) for n, c in enumerate(cs)])
        assert expected.shape == (len(cs), len(FEATURES))
        placed = [c._replace(places=tuple(passages.index(t) for t in (c.text, *c.before, *c.after))) for c in cs]
        for given, store in ((cs, None), (cs, kept), (placed, kept)):  # texts read, looked up, or read by place
            got = features(call["question"], given, stats, call["content_words"], expansions, call["curated"], store)
            assert np.array_equal(got, expected), (call["question"], [FEATURES[j] for j in
                                                                      np.nonzero((got != expected).any(axis=0))[0]])


def test_candidates_read_by_place_give_the_rows_of_their_texts_even_where_two_places_hold_one_text():
    texts = ["The old bridge crosses the river Tay.", "It was built in 1883 by the city engineers.",
             "The old bridge crosses the river Tay.", "Salmon swim up the river Tay to spawn.",
             "It was built in 1883 by the city engineers.", "The council meets on Mondays."]
    stats, kept = CorpusStats.from_texts(texts), PassageWords(texts)

    def candidate(at: int, score: float, placed: bool) -> Candidate:
        before, after = tuple(range(max(0, at - 2), at)), tuple(range(at + 1, min(len(texts), at + 3)))
        return Candidate(texts[at], score, tuple(texts[n] for n in before), tuple(texts[n] for n in after),
                         places=(at, *before, *after) if placed else ())

    for question in ("When was the old bridge built?", "river Tay salmon", "council"):
        given = [(4, 0.5), (1, 0.45), (2, 0.3), (0, 0.3), (5, 0.1)]
        by_text = features(question, [candidate(a, s, False) for a, s in given], stats, words=kept)
        by_place = features(question, [candidate(a, s, True) for a, s in given], stats, words=kept)
        assert np.array_equal(by_text, by_place) and by_text.shape == (5, len(FEATURES))
