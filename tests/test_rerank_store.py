"""The passages' words kept as ids must give every passage's columns exactly as reading its text does."""

from __future__ import annotations

import numpy as np

from bot.core.rerank_question import CorpusStats, read_question
from bot.core.rerank_store import PassageWords, gather_texts
from bot.core.rerank_text import READ_CHARS
from store_helpers import columns, read_side_by_side

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
            got, expected = kept.gather(order, 3, *columns(q)), gather_texts(order, 3, *columns(q))
            for name in ("cols", "lengths", "heads", "every", "every_lengths"):
                assert np.array_equal(getattr(got, name), getattr(expected, name)), (question, name)
    q = read_question("what did the norsemen invent", None, (), stats)
    assert (gather_texts([PASSAGES[2]], 1, *columns(q)).heads >= 0).sum() == 5  # every invent- word, not Norway


def test_a_text_that_is_no_passage_is_left_to_the_caller():
    kept = PassageWords(PASSAGES[:2])
    q = read_question("Normans", None, (), CorpusStats.from_texts(PASSAGES))
    assert kept.gather(["A section title", PASSAGES[1]], 1, *columns(q)) is None
    assert kept.gather([PASSAGES[1], PASSAGES[0]], 1, *columns(q)) is not None


def test_only_the_start_of_a_long_passage_is_read():
    long = "packet " * 400 + "switching"
    assert len(long) > READ_CHARS
    q = read_question("packet switching", None, (), CorpusStats.from_texts([long]))
    got = PassageWords([long]).gather([long], 1, *columns(q))
    assert got.lengths.tolist() == [READ_CHARS // len("packet ") + 1] and set(got.cols.tolist()) == {0}


def test_the_reranker_keeps_one_store_per_knowledge_base_and_it_reads_only_what_is_asked():
    from bot.core.rerank import Reranker, shipped_model
    from bot.kb.model import Passage

    passages = [Passage(f"p{n}", text) for n, text in enumerate(PASSAGES[:4])]
    reranker = Reranker(shipped_model(), CorpusStats.from_texts(PASSAGES))
    kept = reranker.passage_words(passages)
    assert reranker.passage_words(passages) is kept and len(kept) == 4 and kept.passages_read() == 0
    q = read_question("Normans", None, (), CorpusStats.from_texts(PASSAGES))
    kept.gather_at([1, 3], 1, *columns(q))  # a question reads its own passages, never every one
    assert kept.passages_read() == 2 and kept.texts[0] == PASSAGES[0]
    other = passages[:2]  # another knowledge base (a reload): read afresh
    assert reranker.passage_words(other) is not kept and len(reranker.passage_words(other)) == 2
    reranker.warm(passages)  # a long-running front end reads every passage ahead
    assert reranker.passage_words(passages).passages_read() == 4


def test_passages_read_in_any_order_give_the_columns_of_their_texts():
    stats = CorpusStats.from_texts(PASSAGES)
    texts = list(dict.fromkeys(PASSAGES))
    q = read_question("Who were the Norse inventors of packet switching in Normandy?", None, (), stats)
    for first in ([], [6], [2, 0], list(range(len(texts)))[::-1]):  # some passages already read, others not
        kept = PassageWords(texts)
        if first:
            kept.gather_at(first, len(first), *columns(q))
        for full in (1, 3, len(texts)):
            got, expected = kept.gather_at(range(len(texts)), full, *columns(q)), gather_texts(texts, full, *columns(q))
            for name in ("cols", "lengths", "heads", "every", "every_lengths"):
                assert np.array_equal(getattr(got, name), getattr(expected, name)), (first, full, name)


def test_questions_read_side_by_side_in_threads_get_the_columns_of_their_texts():
    import random

    rng = random.Random(0)
    vocabulary = [f"{a}{b}ing" for a in ("norm", "pack", "swit", "inv", "raid", "cafe") for b in range(40)]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 30))) for _ in range(600)]
    stats, kept = CorpusStats.from_texts(texts), PassageWords(texts)
    questions = [read_question(" ".join(rng.sample(vocabulary, 4)), None, (), stats) for _ in range(8)]
    failures = read_side_by_side(kept, texts, questions)
    assert failures == [] and kept.passages_read() == len(texts)


def test_words_split_as_bytes_are_the_words_of_the_text():
    from bot.core.rerank_store import _words
    from bot.text import words

    texts = [*PASSAGES, "snake_case and CamelCase, 3.14 and x86-64; tabs\tand\nlines", "a`b back`tick `quoted`",
             "rock'n'roll isn't it's", "ÅNGSTRÖM ﬁle", "", "   ", "under_score_", "_x_ 1_2", "e-mail: a@b.c/d?e=f#g"]
    for text in texts:
        got = _words(text)
        assert [w if isinstance(w, str) else w.decode("ascii") for w in got] == words(text), text

