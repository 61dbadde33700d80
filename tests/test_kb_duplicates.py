"""Near-duplicate passages: the pre-filtered pairs of a large knowledge are exactly those of all pairs."""

from __future__ import annotations

def _planted(count: int) -> list:
    """`count` distinct passages, then near-duplicates of some of them: reworded, extended, cut, with a typo."""
    from bot.kb.model import Passage

    import random

    rng = random.Random(7)
    vocabulary = [f"w{n}x" for n in range(3000)] + ["the", "of", "and", "river", "people"] * 40
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 16))).capitalize() + "." for _ in range(count)]
    texts += [texts[3] + " It is so.", "Indeed " + texts[10], " ".join(texts[20].split()[:-1]) + ".",
              texts[30].replace("w", "v", 1), texts[40].upper(), texts[50] + " " + texts[51]]
    return [Passage(id=f"p{n}", text=t) for n, t in enumerate(texts)]


def test_near_duplicates_of_a_large_knowledge_are_those_of_all_pairs(monkeypatch):
    from bot.kb import duplicates as knowledge

    passages = _planted(450)  # over EXACT_PAIRS_UP_TO: the candidate path
    fast = [(a.id, b.id, round(s, 3)) for a, b, s in knowledge.near_duplicate_pairs(passages)]
    monkeypatch.setattr(knowledge, "EXACT_PAIRS_UP_TO", 10_000)  # every pair scored
    exact = [(a.id, b.id, round(s, 3)) for a, b, s in knowledge.near_duplicate_pairs(passages)]
    assert fast == exact and len(exact) >= 5


def test_near_duplicates_of_many_new_texts_are_those_found_one_by_one():
    from bot.kb.duplicates import find_near_duplicate, near_duplicates_of

    passages = _planted(600)
    new = [p.text for p in passages[-6:]] + [p.text + " More." for p in passages[100:130]] + ["Unrelated words here."]
    old = passages[:-6]
    one_by_one = [find_near_duplicate(t, old) for t in new]
    assert near_duplicates_of(new, old) == one_by_one
    assert sum(d is not None for d in one_by_one) >= 30


def test_comparing_many_new_texts_reports_how_many_are_done():
    from bot.kb import duplicates

    passages = _planted(600)
    new = [p.text for p in passages[:450]]  # 450 x 150 pairs: over the exact limit, the candidate path
    heard: list[tuple[int, int]] = []
    duplicates.near_duplicates_of(new, passages[450:], on_progress=lambda done, total: heard.append((done, total)))
    assert [d for d, _ in heard] == sorted(d for d, _ in heard) and heard[-1] == (450, 450)
