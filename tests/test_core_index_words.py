"""The texts' words the index build keeps: exactly what the second stage reads of each text, saved and mapped
with the index, and a stale or damaged save rebuilt, never used."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.core.index import TfidfIndex
from bot.core.index_build import IndexSettings
from bot.core.index_file import META_FILE, fingerprint, index_folder, load_or_build
from bot.core.index_words import SavedIds
from bot.core.rerank_question import CorpusStats, read_question
from bot.core.rerank_store import PassageWords, gather_texts
from bot.core.rerank_text import FAMILY_PREFIX, READ_CHARS, content
from bot.kb.model import Passage
from store_helpers import columns, read_side_by_side

LONG = "a " + "packet " * 150 + "switching networks " * 10  # longer than READ_CHARS: the cut splits a "packet"
PASSAGES = (
    Passage("n1", "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",
            "Normans", ("Who were the Normans?",)),
    Passage("n2", "They were descended from Norse raiders and pirates from Denmark, Iceland and Norway.", "Normans"),
    Passage("inv", "Norway's inventors invented the inventions; it's the inventor's own invention.", "Inventions"),
    Passage("cafe", "Café owners in Zürich serve crème brûlée – naïvely, perhaps. ﬁle ÅNGSTRÖM Ωmega жук 中文"),
    Passage("stop", "of the and to in it is does"),  # stop words only ('does' stems to a content word's stem too)
    Passage("doe", "A doe is a female deer."),
    Passage("long", LONG, "Networks"),
    Passage("long2", "It's " + "né " * 400, "Networks"),  # a long text whose cut is no plain ASCII
    Passage("odd", "snake_case and CamelCase, 3.14 and x86-64; rock'n'roll isn't `quoted` a@b.c/d?e=f#g"),
    Passage("empty", "!!!"),
)
QUESTIONS = ["Who were the Normans and where did they come from?", "what did the norsemen invent",
             "creme brulee in zurich", "packet switching networks", "does a doe do it", "rock and roll quoted", ""]




def _store(index: TfidfIndex, passages=PASSAGES) -> PassageWords:
    return PassageWords([p.text for p in passages], saved=SavedIds(index.text_words, index.vocabulary))


@pytest.fixture(scope="module")
def index() -> TfidfIndex:
    return TfidfIndex.build(PASSAGES)


def test_the_kept_words_of_every_text_are_what_the_second_stage_reads(index):
    saved, words = SavedIds(index.text_words, index.vocabulary), index.text_words
    assert LONG[:READ_CHARS].endswith(" pack") and len(PASSAGES[7].text) > READ_CHARS
    assert words.whole.tolist() == [len(p.text) <= READ_CHARS for p in PASSAGES] and not words.whole[6]
    for n, p in enumerate(PASSAGES):
        if not words.whole[n]:
            continue
        ids = words.stream[words.starts[n]:words.starts[n + 1]]
        every, own = content(p.text)
        assert words.word_stems[ids].tolist() == [saved.stem(s) for s in every], p.id
        assert words.word_stems[ids][words.word_keep[ids].astype(bool)].tolist() == [saved.stem(s) for s in own]
        for s in own:  # a content stem's head is its first letters
            head = words.head_of[saved.stem(s)]
            assert (head < 0) if len(s) < FAMILY_PREFIX else head == saved.head(s[:FAMILY_PREFIX])
    assert saved.stem("unheard") is None and saved.head("zzzzz") is None and saved.head("norm") is None


@pytest.mark.parametrize("where", ["built", "saved and loaded"])
def test_columns_from_the_kept_words_are_the_columns_of_the_texts(index, tmp_path, where):
    if where != "built":
        index.save(tmp_path)
        index = TfidfIndex.load(tmp_path, index.fingerprint)
        assert isinstance(index.text_words.stream, np.ndarray) and not index.text_words.stream.flags.writeable
    stats, texts = CorpusStats.from_texts([p.text for p in PASSAGES]), [p.text for p in PASSAGES]
    store = _store(index)
    assert store.passages_read() == 0  # each passage is taken when a question first needs it
    for question in QUESTIONS:
        q = read_question(question, None, (), stats)
        for order in (range(len(texts)), range(len(texts))[::-1], [6, 0, 6, 3], [2], [7, 6]):
            for full in {0, 1, len(order)}:
                got, expected = store.gather_at(order, full, *columns(q)), gather_texts([texts[a] for a in order], full,
                                                                                          *columns(q))
                for name in ("cols", "lengths", "heads", "every", "every_lengths"):
                    assert np.array_equal(getattr(got, name), getattr(expected, name)), (question, list(order), name)
    assert store.passages_read() == len(PASSAGES) and store.texts_read() == 2  # only the long texts were read


def test_an_index_without_its_texts_words_reads_each_passage_when_asked(index):
    store = PassageWords([p.text for p in PASSAGES])
    assert store.passages_read() == 0
    q = read_question("Normans", None, (), CorpusStats.from_texts([p.text for p in PASSAGES]))
    store.gather_at([1, 3], 1, *columns(q))
    assert store.passages_read() == store.texts_read() == 2
    store.read_all()
    assert store.passages_read() == store.texts_read() == len(PASSAGES)


def test_the_words_are_saved_as_plain_arrays_beside_the_index(index, tmp_path):
    index.save(tmp_path)
    folder = index_folder(tmp_path, index.fingerprint)
    for name, array in index.text_words.arrays().items():
        assert np.array_equal(np.load(folder / f"text_{name}.npy", allow_pickle=False), array), name


def test_an_index_of_the_earlier_format_is_rebuilt_with_its_words(tmp_path):
    saved = index_folder(tmp_path, load_or_build(PASSAGES, tmp_path).fingerprint)
    meta = json.loads((saved / META_FILE).read_text())
    (saved / META_FILE).write_text(json.dumps({**meta, "format": 4}))
    assert TfidfIndex.load(tmp_path, fingerprint(PASSAGES, IndexSettings())) is None
    rebuilt = load_or_build(PASSAGES, tmp_path)
    assert rebuilt.text_words is not None and TfidfIndex.load(tmp_path, rebuilt.fingerprint).text_words is not None


@pytest.mark.parametrize("damage", ["short stream", "starts out of order", "word stem out of range", "missing"])
def test_damaged_words_are_refused_and_the_index_rebuilt(tmp_path, damage):
    saved = index_folder(tmp_path, load_or_build(PASSAGES, tmp_path).fingerprint)
    if damage == "short stream":
        np.save(saved / "text_stream.npy", np.load(saved / "text_stream.npy")[:-1])
    elif damage == "starts out of order":
        starts = np.load(saved / "text_starts.npy")
        np.save(saved / "text_starts.npy", starts[::-1].copy())
    elif damage == "word stem out of range":
        stems = np.load(saved / "text_word_stems.npy")
        np.save(saved / "text_word_stems.npy", stems + 10_000)
    else:
        (saved / "text_heads.npy").unlink()
    assert TfidfIndex.load(tmp_path, fingerprint(PASSAGES, IndexSettings())) is None
    rebuilt = load_or_build(PASSAGES, tmp_path)
    assert TfidfIndex.load(tmp_path, rebuilt.fingerprint).text_words is not None


def test_how_far_a_text_is_read_is_part_of_the_fingerprint(monkeypatch):
    import bot.core.index_file as index_file

    before = fingerprint(PASSAGES, IndexSettings())
    monkeypatch.setattr(index_file, "READ_CHARS", READ_CHARS + 1)
    assert fingerprint(PASSAGES, IndexSettings()) != before


def test_questions_read_side_by_side_with_the_kept_words_get_the_columns_of_their_texts():
    import random

    rng = random.Random(0)
    vocabulary = [f"{a}{b}ing" for a in ("norm", "pack", "swit", "inv", "raid", "café") for b in range(40)]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 30 if n % 7 else 200))) for n in range(300)]
    passages = [Passage(f"p{n}", text) for n, text in enumerate(texts)]
    assert sum(len(t) > READ_CHARS for t in texts) > 10  # some are read from their text, side by side
    index, stats = TfidfIndex.build(passages), CorpusStats.from_texts(texts)
    store = _store(index, passages)
    questions = [read_question(" ".join(rng.sample(vocabulary, 4)) + " unheard", None, (), stats) for _ in range(8)]
    failures = read_side_by_side(store, texts, questions)
    assert failures == [] and store.passages_read() == len(texts)
    assert store.texts_read() == sum(len(t) > READ_CHARS for t in texts)


def test_long_texts_cut_anywhere_give_the_columns_of_their_texts():
    # A long text is taken from the build's words up to the one the cut may split: the cut falls before, inside and
    # after each apostrophe (typographic too), possessive, accent, combining mark, jamo and ligature here.
    tails = [" rock'n'roll isn't it's Norway's inventors' x's'y 'quoted' a`b end",
             " Norway’s café isn’t “quoted” — e\u0301 ﬁle x’s’y end", " жук 中文 가가 Straße ǅ ©≠ ①¼ ﬀ ok"]
    texts = [("packet " * 200)[:READ_CHARS - shift] + tail for tail in tails for shift in range(len(tail) + 2)]
    texts.append("It's " + "né жук " * 200)
    passages = [Passage(f"p{n}", text) for n, text in enumerate(texts)]
    index, stats = TfidfIndex.build(passages), CorpusStats.from_texts(texts)
    store = _store(index, passages)
    for question in ["rock and roll inventors", "isn't it quoted", "packet"]:
        q = read_question(question, None, (), stats)
        for n in range(len(texts)):
            got, expected = store.gather_at([n], 1, *columns(q)), gather_texts([texts[n]], 1, *columns(q))
            for name in ("cols", "lengths", "heads", "every", "every_lengths"):
                assert np.array_equal(getattr(got, name), getattr(expected, name)), (question, n, name)
    assert store.texts_read() == sum(len(t) > READ_CHARS for t in texts)
