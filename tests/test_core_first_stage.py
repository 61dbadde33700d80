"""The first-stage seam: the TF-IDF index is one implementation of what the stages ask of a search."""

from __future__ import annotations

from bot.core.first_stage import FirstStage
from bot.core.index import TfidfIndex
from bot.kb.model import Passage
from bot.text import stem

PASSAGES = (Passage("dogs", "Dogs bark at strangers."), Passage("cats", "Cats sleep most of the day."))


def test_the_tfidf_index_is_a_first_stage_and_answers_through_it():
    stage: FirstStage = TfidfIndex.build(PASSAGES)
    assert isinstance(stage, FirstStage)
    terms = [stem("bark"), stem("strangers")]
    known = stage.known_share(terms, 0, 1.0)
    matches = stage.rank(dict.fromkeys(terms, 1.0), terms, 2, {}, (), 2, known)
    assert [PASSAGES[m.position].id for m in matches] == ["dogs"]
    assert stage.coverage(matches[0].position, [(t, ()) for t in terms]) == 1.0
    assert stage.n_docs == 2 and stem("sleep") in stage.vocabulary


def test_an_object_missing_a_call_is_not_a_first_stage():
    class RankOnly:
        vocabulary: dict = {}
        word_counts: dict = {}
        n_docs = 0

        def rank(self, *args):
            return []

    assert not isinstance(RankOnly(), FirstStage)
