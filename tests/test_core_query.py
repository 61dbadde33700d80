"""Stage 2, the query: each term's weight, the terms that set its length, and the question's known share."""

from __future__ import annotations

import math

import pytest

from bot.core.expand import Expansion
from bot.core.index import TfidfIndex
from bot.core.index_build import SCORING
from bot.core.query import weigh
from bot.core.reading import Reading
from bot.core.settings import AnswerSettings
from bot.knowledge import Passage

# With the "tfidf" preset (smooth idf over 2 passages) a word in one passage has idf ln(1.5) + 1.
PASSAGES = (Passage("ice", "glacier radar funding"), Passage("hut", "avalanche roof"))
S = AnswerSettings()


@pytest.fixture(scope="module")
def index() -> TfidfIndex:
    return TfidfIndex.build(PASSAGES, SCORING["tfidf"])


def test_the_users_words_count_one_with_their_bigram(index):
    query = weigh(Reading("glacier radar", ("glacier", "radar")), index, S)
    assert dict(query.weights) == {"glacier": 1.0, "radar": 1.0, "glacier radar": 1.0}
    assert query.norm_terms == ("glacier", "radar", "glacier radar")
    assert query.known_share == 1.0 and query.matched == ("glacier", "radar")


def test_a_carried_topic_counts_less_and_joins_the_length(index):
    query = weigh(Reading("when", ()), index, S, carried=("avalanche",))
    assert dict(query.weights) == {"avalanch": S.context_weight}
    assert query.norm_terms == ("avalanch",) and query.carried == ("avalanche",)


def test_a_synonym_counts_less_than_the_word_and_more_when_it_stands_in_for_an_unknown_word(index):
    known = weigh(Reading("funding", ("funding",), expansions=(Expansion("funding", ("money",), "synonym"),)),
                  index, S)
    assert known.weights["fund"] == 1.0 and known.weights["money"] == S.expansion_weight == 0.6
    stands_in = weigh(Reading("grant", ("grant",), unknown=("grant",),
                              expansions=(Expansion("grant", ("funding",), "synonym"),)), index, S)
    assert stands_in.weights["fund"] == S.substitute_weight == 0.7
    assert stands_in.unknown == ()  # the synonym speaks for it, so it no longer counts as unknown
    assert stands_in.groups == ((0.7, (("fund",),)),)


def test_an_acronym_adds_its_words_at_the_acronym_weight(index):
    query = weigh(Reading("gr", ("gr",), unknown=("gr",), expansions=(Expansion("gr", ("glacier radar",), "acronym"),)),
                  index, S)
    assert query.weights["glacier"] == query.weights["radar"] == query.weights["glacier radar"] == S.acronym_weight


def test_an_unknown_word_lowers_the_known_share_by_the_highest_idf(index):
    query = weigh(Reading("glacier penguin", ("glacier", "penguin"), unknown=("penguin",)), index, S)
    assert query.norm_terms == ("glacier",) and query.unknown == ("penguin",)
    # sqrt(idf(glacier)^2 / (idf(glacier)^2 + max_idf^2)) = sqrt(1.9753 / (1.9753 + 4.4042))
    assert query.known_share == pytest.approx(math.sqrt(1.9753 / 6.3795), abs=1e-4)
    assert query.matched == ("glacier",)
