"""The passages' words kept as ids must read every passage exactly as reading its text does."""

from __future__ import annotations

from bot.core.rerank_question import CorpusStats, read_question, read_text
from bot.core.rerank_store import PassageWords
from bot.core.rerank_text import READ_CHARS, content

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


def _same(a, b) -> None:
    assert (a.matched, a.counts, a.length) == (b.matched, b.counts, b.length)
    # The store keeps only what the question can ask of `present` and `heads`: its own and its expansions'.
    assert a.present <= b.present and a.heads <= b.heads


def test_readings_from_ids_are_the_readings_of_the_texts():
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
        read = kept.readings(q, texts, 3)
        assert set(read) == set(texts)
        for n, text in enumerate(texts):
            expected = read_text(q, *content(text))
            _same(read[text], expected)
            if n < 3:  # candidates also get the question's stems in order and its words as the question has them
                assert read[text].where == expected.where
                assert read[text].word_ids == expected.word_ids


def test_a_text_that_is_no_passage_is_left_to_the_caller():
    kept = PassageWords(PASSAGES[:2])
    q = read_question("Normans", None, (), CorpusStats.from_texts(PASSAGES))
    assert kept.readings(q, ["A section title", "Some maintainer question?"], 1) == {}
    assert set(kept.readings(q, ["A section title", PASSAGES[1]], 2)) == {PASSAGES[1]}


def test_only_the_start_of_a_long_passage_is_read():
    long = "packet " * 400 + "switching"
    assert len(long) > READ_CHARS
    q = read_question("packet switching", None, (), CorpusStats.from_texts([long]))
    reading = PassageWords([long]).readings(q, [long], 1)[long]
    assert reading.matched == {"packet"} and reading.counts == {"packet": READ_CHARS // len("packet ") + 1}


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
