"""The index's scoring formulas beyond plain search: grouped rescoring, known share and coverage, hand-checked."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.core.index import TfidfIndex
from bot.core.index_build import SCORING
from bot.kb.model import Passage

# Two passages: every word below is in exactly one of them, so with the "tfidf" preset (smooth idf)
# each has idf ln(3/2) + 1 = 1.405465, and a word in neither has ln(3/1) + 1 = 2.098612.
TWO = (Passage("ice", "glacier radar"), Passage("hut", "avalanche roof"))
IDF_ONE, IDF_NONE = math.log(1.5) + 1, math.log(3) + 1


@pytest.fixture(scope="module")
def two() -> TfidfIndex:
    return TfidfIndex.build(TWO, SCORING["tfidf"])


def test_idf_and_the_highest_idf_are_the_smooth_formula(two):
    assert two.idf_of("glacier") == pytest.approx(1.405465, abs=1e-6) == pytest.approx(IDF_ONE)
    assert two.idf_of("penguin") == two.max_idf == pytest.approx(2.098612, abs=1e-6)


def test_known_share_is_one_when_every_word_is_known_and_drops_with_an_unknown_word(two):
    assert two.known_share(["glacier", "radar"], 0, 1.0) == pytest.approx(1.0)
    # sqrt(1.4055^2 / (1.4055^2 + 2.0986^2)) = sqrt(1.9753 / 6.3795) = 0.5565
    assert two.known_share(["glacier"], 1, 1.0) == pytest.approx(0.5565, abs=1e-4)
    assert two.known_share(["glacier"], 1, 0.0) == pytest.approx(1.0)  # unknown words weighing nothing
    assert two.known_share([], 2, 1.0) == 0.0  # nothing known: no share, not a division by zero


def test_coverage_counts_a_word_or_one_meaning_the_same_by_idf(two):
    ice = 0
    # 'glacier' is in the passage, 'avalanch' is not: sqrt(1.4055^2 / (2 * 1.4055^2)) = sqrt(1/2)
    assert two.coverage(ice, [("glacier", ()), ("avalanch", ())]) == pytest.approx(math.sqrt(0.5))
    assert two.coverage(ice, [("glacier", ()), ("avalanch", ("radar",))]) == pytest.approx(1.0)
    assert two.coverage(ice, []) == 1.0  # a question of no words asks for nothing the passage lacks


ARMY = (
    Passage("drill", "The armed forces, military personnel and troops trained together every winter."),
    Passage("cleanup", "Former military sites got environmental rehabilitation."),
    Passage("hut", "The hut was rebuilt after an avalanche."),
)


def test_each_expansion_counts_once_by_its_best_alternative():
    index = TfidfIndex.build(ARMY, SCORING["tfidf"])
    weights = {"militari": 0.6, "troop": 0.6, "personnel": 0.6, "rehabilit": 0.6}
    groups = ((0.6, (("militari",), ("troop",), ("personnel",))), (0.6, (("rehabilit",),)))
    plain = [ARMY[m.position].id for m in index.search(weights, ["militari", "rehabilit"], 2)]
    grouped = [ARMY[m.position].id for m in index.rank(weights, ["militari", "rehabilit"], 2, {}, groups, 2, 1.0)]
    assert plain == ["drill", "cleanup"]  # three synonyms of one word outweigh two different words ...
    assert grouped == ["cleanup", "drill"]  # ... until each expansion counts once


def test_without_alternatives_rank_is_search_times_the_known_share():
    index = TfidfIndex.build(ARMY, SCORING["tfidf"])
    weights = {"militari": 1.0, "site": 1.0}
    plain = index.search(weights, ["militari", "site"], 3)
    ranked = index.rank(weights, ["militari", "site"], 3, weights, ((0.6, (("troop",),)),), 2, 0.5)
    assert [m.position for m in ranked] == [m.position for m in plain]
    assert [m.score for m in ranked] == [m.score * 0.5 for m in plain]


def test_a_build_reports_passages_counted_rising_to_the_total():
    from bot.core.index_count import PROGRESS_STEPS

    passages = [Passage(f"p{n}", f"fact {n} about rivers") for n in range(2 * PROGRESS_STEPS + 7)]
    heard: list[tuple[int, int]] = []
    built = TfidfIndex.build(passages, SCORING["bm25"], on_progress=lambda done, total: heard.append((done, total)))
    done = [d for d, _ in heard]
    assert done == sorted(set(done)) and done[-1] == len(passages) and len(heard) > 10
    assert {total for _, total in heard} == {len(passages)}
    assert built.n_docs == len(passages)  # and the index is the same as one built without listening
    quiet = TfidfIndex.build(passages, SCORING["bm25"])
    assert (built.data == quiet.data).all() and built.vocabulary == quiet.vocabulary


def _brute_force(index: TfidfIndex, weights: dict[str, float], norm_terms: list[str], k: int) -> list[tuple[int, float]]:
    """Every passage scored term by term in the query's order (each product rounded in the data's type, summed
    in float64, as bincount sums), ranked best first with ties in passage order: what search must return."""
    scale = 1.0 / index.query_norm(norm_terms)
    scores = np.zeros(index.n_docs)
    for term, weight in weights.items():
        col = index.vocabulary[term]
        start, end = int(index.indptr[col]), int(index.indptr[col + 1])
        scores[index.indices[start:end]] += index.data[start:end] * (weight * float(index.query_idf[col]) * scale)
    ranked = sorted((-v, d) for d, v in enumerate(scores.tolist()) if v > 0)[:k]
    return [(d, min(1.0, -v)) for v, d in ranked]


def test_search_is_exact_when_a_weak_floor_is_raised_by_further_lists():
    # 'rare' is in two very long passages (their low scores set the first floor), 'medium' in forty-two
    # short ones, 'common' in every other one: hundreds pass the first floor, so the next lists raise it.
    passages = [Passage(f"p{i}", " ".join((["common"] if i % 2 == 0 else []) + (["medium"] if i % 17 == 0 else [])
                                          + [f"w{i}x{j}" for j in range(2 + i % 9)])) for i in range(700)]
    passages += [Passage(f"r{i}", "rare " + " ".join(f"long{i}x{j}" for j in range(300))) for i in range(2)]
    index = TfidfIndex.build(passages)
    weights = {"rare": 1.0, "medium": 1.0, "common": 1.0}
    floors = []
    kth = index._kth
    index._kth = lambda *args: floors.append(kth(*args)) or floors[-1]
    found = [(m.position, m.score) for m in index.search(weights, list(weights), 2)]
    assert len(floors) > 1 and max(floors) > floors[0]  # the first floor was weak and was raised
    assert found == _brute_force(index, weights, list(weights), 2)


@pytest.mark.parametrize("factors", [[0.7, 0.7, 0.7], [1.0, 0.35, 0.7]])
def test_scores_with_one_factor_for_every_term_or_several_are_the_same_sums_to_the_bit(factors):
    # One factor for every term (no expansion) multiplies all products by one number; several repeat each
    # over its list. Both are the float32 products `data[s:e] * factor` gives, summed by bincount in term order.
    passages = [Passage(f"p{i}", " ".join(["common"] * (1 + i % 3) + (["medium"] if i % 3 == 0 else [])
                                          + (["rare"] if i % 7 == 0 else []) + [f"w{i}"])) for i in range(60)]
    index = TfidfIndex.build(passages)
    cols = [index.vocabulary[t] for t in ("common", "medium", "rare")]
    scale = 1 / 1.7
    docs, values = index._scores(cols, factors, scale, 2)
    spans = [(index.indptr[c], index.indptr[c + 1]) for c in cols]
    products = np.concatenate([index.data[s:e] * np.float32(f * scale) for (s, e), f in zip(spans, factors)])
    expected = np.bincount(np.concatenate([index.indices[s:e] for s, e in spans]), weights=products,
                           minlength=index.n_docs)
    assert len(docs) and np.array_equal(values, expected[docs])
    assert set(np.flatnonzero(expected >= np.sort(expected)[-2]).tolist()) <= set(docs.tolist())


def test_the_query_length_is_each_terms_query_idf_and_with_query_idf_0_the_root_of_their_count(two):
    """|q| = sqrt(sum_t qidf(t)^2), an unknown term at the highest idf; BM25's query_idf 0 makes every qidf 1."""
    assert two.query_norm(["glacier", "penguin"]) == pytest.approx(math.hypot(IDF_ONE, IDF_NONE))
    bm25 = TfidfIndex.build(TWO)  # the default settings: query_idf 0
    assert bm25.settings.query_idf == 0
    for terms, count in (([], 0), (["glacier"], 1), (["glacier", "penguin", "roof"], 3), (iter(["radar", "radar"]), 2)):
        assert bm25.query_norm(terms) == math.sqrt(count)  # an unknown word ('penguin') counts 1 too


@pytest.mark.parametrize("k", [1, 3, 10, 40])
def test_a_few_dozen_candidates_or_many_rank_the_same_best_first_with_ties_in_passage_order(k):
    # Passages repeat in four shapes, so scores tie in groups: with k 1 or 3 more than 4k passages are left to
    # rank (numpy's partition and lexsort), with k 10 or 40 at most 4k (sorted as Python pairs).
    passages = [Passage(f"p{i}", ["red wine", "red", "wine cellar", "red wine cellar"][i % 4] + f" w{i}")
                for i in range(48)]
    index = TfidfIndex.build(passages)
    for weights in ({"red": 1.0, "wine": 1.0}, {"red": 1.0}, {"cellar": 1.0, "red": 0.5}):
        found = [(m.position, m.score) for m in index.search(weights, list(weights), k)]
        assert found == _brute_force(index, weights, list(weights), k)
        assert len({s for _, s in found}) < len(found) or k == 1  # ties, ranked in passage order
