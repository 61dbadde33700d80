"""The passages' words kept as ids must give every passage's columns exactly as reading its text does."""

from __future__ import annotations

import numpy as np

from bot.core.rerank_question import CorpusStats, read_question
from bot.core.rerank_store import PassageWords, gather_texts
from bot.core.rerank_text import FAMILY_PREFIX, READ_CHARS

PASSAGES = [
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",
    "They were descended from Norse raiders and pirates from Denmark, Iceland and Norway.",
    "Norway's inventors invented the inventions; it's the inventor's own invention.",
    "Weapons of mass destruction are what non-proliferation work is about, NATO's experts said.",
    "Café owners in Zürich serve crème brûlée – naïvely, perhaps.",
    "of the and to in it is",  # stop words only
    "packet " * 400 + "switching at the very end, past the part that is read",
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",  # a repeat
]


def _columns(q):
    """What gather asks for: the question's terms, its stems' heads and its words, each as a column."""
    terms = dict.fromkeys([*q.stems, *(s for _own, others in q.alternatives for o in others for s in o)])
    starts = dict.fromkeys(s[:FAMILY_PREFIX] for s in q.stems if len(s) >= FAMILY_PREFIX)
    return ({t: n for n, t in enumerate(terms)}, {h: n for n, h in enumerate(starts)}, q.word_ids)


def test_columns_from_ids_are_the_columns_of_the_texts():
    stats = CorpusStats.from_texts(PASSAGES)
    kept = PassageWords(PASSAGES)
    assert len(kept) == len(PASSAGES)
    questions = [("Who were the Normans and where did they come from?", None, ()),
                 ("what did the norsemen invent", None, ()),
                 ("non-proliferation work", None, [("non-proliferation", ("weapons of mass destruction",))]),
                 # two expansions, one held only through its second meaning, one through a whole phrase
                 ("nordic raiders", None, [("nordic", ("viking", "norse pirates")), ("raiders", ("mass destruction",))]),
                 ("creme brulee in zurich", None, ()),
                 ("packet switching", None, ()),
                 ("", [], ())]
    texts = list(dict.fromkeys(PASSAGES))
    for question, words, expansions in questions:
        q = read_question(question, words, expansions, stats)
        for order in (texts, texts[::-1]):
            got, expected = kept.gather(order, 3, *_columns(q)), gather_texts(order, 3, *_columns(q))
            for name in ("cols", "lengths", "heads", "every", "every_lengths"):
                assert np.array_equal(getattr(got, name), getattr(expected, name)), (question, name)
    q = read_question("what did the norsemen invent", None, (), stats)
    assert (gather_texts([PASSAGES[2]], 1, *_columns(q)).heads >= 0).sum() == 5  # every invent- word, not Norway


def test_a_text_that_is_no_passage_is_left_to_the_caller():
    kept = PassageWords(PASSAGES[:2])
    q = read_question("Normans", None, (), CorpusStats.from_texts(PASSAGES))
    assert kept.gather(["A section title", PASSAGES[1]], 1, *_columns(q)) is None
    assert kept.gather([PASSAGES[1], PASSAGES[0]], 1, *_columns(q)) is not None


def test_only_the_start_of_a_long_passage_is_read():
    long = "packet " * 400 + "switching"
    assert len(long) > READ_CHARS
    q = read_question("packet switching", None, (), CorpusStats.from_texts([long]))
    got = PassageWords([long]).gather([long], 1, *_columns(q))
    assert got.lengths.tolist() == [READ_CHARS // len("packet ") + 1] and set(got.cols.tolist()) == {0}


def test_the_reranker_reads_a_knowledge_base_s_passages_once_from_its_second_question():
    from bot.core.rerank import Reranker, shipped_model
    from bot.kb.model import Passage

    passages = [Passage(f"p{n}", text) for n, text in enumerate(PASSAGES[:4])]
    reranker = Reranker(shipped_model(), CorpusStats.from_texts(PASSAGES))
    assert reranker.passage_words(passages) is None  # the first question reads its own candidates only (cold ask)
    kept = reranker.passage_words(passages)
    assert reranker.passage_words(passages) is kept and len(kept) == 4
    other = passages[:2]  # another knowledge base (a reload): read afresh, again from its second question
    assert reranker.passage_words(other) is None and len(reranker.passage_words(other)) == 2
