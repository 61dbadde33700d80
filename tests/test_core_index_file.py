"""The TF-IDF index: hand-checked rankings on a tiny corpus, the saved format, and staleness."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.core.index import TfidfIndex
from bot.core.index_build import IndexSettings, passage_features
from bot.core.index_file import ARRAYS, META_FILE, fingerprint, index_folder, load_or_build, saved_beside
from bot.kb.model import Passage
from bot.text import stem

PASSAGES = (
    Passage("dogs", "Dogs are loyal animals that guard the house and bark at strangers."),
    Passage("cats", "Cats are independent animals that sleep most of the day."),
    Passage("fish", "Goldfish live in a bowl of water and need clean water every week."),
    Passage("long", "Compilers translate source code into machine code. " * 3
            + "A compiler checks types, optimises loops, allocates registers, schedules instructions, "
              "links libraries and writes an executable file for the target processor."),
)


def query(*words: str) -> tuple[dict[str, float], list[str]]:
    stems = [stem(w) for w in words]
    return {s: 1.0 for s in stems}, stems


def ids(index: TfidfIndex, *words: str, k: int = 3) -> list[str]:
    weights, norm = query(*words)
    return [PASSAGES[m.position].id for m in index.search(weights, norm, k)]


@pytest.fixture(scope="module")
def index() -> TfidfIndex:
    return TfidfIndex.build(PASSAGES)


def test_search_ranks_the_passage_holding_the_words_first(index):
    assert ids(index, "bark", "strangers")[0] == "dogs"
    assert ids(index, "water", "bowl")[0] == "fish"
    assert ids(index, "compiler", "registers")[0] == "long"


def test_a_shared_word_brings_every_passage_holding_it_best_first(index):
    assert sorted(ids(index, "animals", "sleep", k=5)) == ["cats", "dogs"]
    assert ids(index, "animals", "sleep")[0] == "cats"


def test_scores_are_best_first_within_zero_and_one_and_limited_to_k(index):
    weights, norm = query("animals", "water", "code")
    matches = index.search(weights, norm, 2)
    assert len(matches) == 2
    assert all(0 < m.score <= 1 for m in matches)
    assert matches[0].score >= matches[1].score


def test_an_unknown_word_lowers_the_score_of_a_match(index):
    weights, _ = query("bark")
    alone = index.search(weights, [stem("bark")], 1)[0].score
    with_unknown = index.search(weights, [stem("bark"), "zeppelin"], 1)[0].score
    assert with_unknown < alone


def test_a_query_with_no_known_term_finds_nothing(index):
    assert ids(index, "zeppelin") == []
    assert index.search({}, [], 3) == []


def test_only_stop_words_give_an_empty_index_that_finds_nothing():
    empty = TfidfIndex.build((Passage("x", "the and of"),))
    assert empty.vocabulary == {}
    assert empty.search({"the": 1.0}, ["the"], 3) == []


def test_word_counts_hold_every_word_for_the_speller(index):
    assert index.word_counts["animals"] == 2
    assert index.word_counts["the"] >= 3  # stop words too: the speller must know them


def test_with_the_plain_settings_the_weights_are_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    settings = IndexSettings(bigrams=True, bigram_weight=1.0, k1=0.0, slope=1.0, idf="smooth", query_idf=1.0)
    ours = TfidfIndex.build(PASSAGES, settings)
    vectorizer = TfidfVectorizer(analyzer=lambda f: f, sublinear_tf=True, norm="l2", smooth_idf=True)
    matrix = vectorizer.fit_transform([passage_features(p, settings) for p in PASSAGES]).toarray()
    for term, col in vectorizer.vocabulary_.items():
        mine = np.zeros(len(PASSAGES))
        at = ours.vocabulary[term]
        mine[ours.indices[ours.indptr[at]:ours.indptr[at + 1]]] = ours.data[ours.indptr[at]:ours.indptr[at + 1]]
        assert np.allclose(mine, matrix[:, col], atol=1e-6), term


def test_pivoting_lifts_a_long_passage_against_the_plain_cosine():
    cosine = TfidfIndex.build(PASSAGES, IndexSettings(k1=0.0, slope=1.0, idf="smooth", query_idf=1.0))
    pivoted = TfidfIndex.build(PASSAGES, IndexSettings(k1=0.0, slope=0.3, idf="smooth", query_idf=1.0))
    weights, norm = query("animals", "code")
    def score_of(ix, pid):
        return next(m.score for m in ix.search(weights, norm, 4) if PASSAGES[m.position].id == pid)
    # Relative to a short passage, the long one scores higher once its length is pivoted.
    assert score_of(pivoted, "long") / score_of(pivoted, "cats") > score_of(cosine, "long") / score_of(cosine, "cats")


def test_saved_and_loaded_index_answers_the_same(index, tmp_path):
    index.save(tmp_path)
    loaded = TfidfIndex.load(tmp_path, index.fingerprint)
    assert loaded is not None
    assert loaded.vocabulary == index.vocabulary and loaded.word_counts == index.word_counts
    for words in (("bark",), ("animals", "sleep"), ("water", "code")):
        assert ids(loaded, *words) == ids(index, *words)


def test_the_saved_files_hold_no_pickled_object(index, tmp_path):
    index.save(tmp_path)
    saved = index_folder(tmp_path, index.fingerprint)
    for name in ARRAYS:
        assert np.load(saved / f"{name}.npy", allow_pickle=False).dtype != object


def test_a_loaded_index_is_mapped_from_the_file_not_copied(index, tmp_path):
    index.save(tmp_path)
    first, second = (TfidfIndex.load(tmp_path, index.fingerprint) for _ in range(2))
    for loaded in (first, second):
        for array in (loaded.indices, loaded.data, loaded.indptr, loaded.idf):
            assert isinstance(array.base, np.memmap) and not array.flags.writeable
    # Both loads map the saved file itself (Linux lists each mapping), so its pages are held once for both.
    data = str(index_folder(tmp_path, index.fingerprint) / "data.npy")
    maps = Path("/proc/self/maps")
    if maps.exists():
        assert sum(line.endswith(" " + data) for line in maps.read_text().splitlines()) >= 2


def test_a_stale_index_is_not_used(index, tmp_path):
    index.save(tmp_path)
    assert TfidfIndex.load(tmp_path, "another fingerprint") is None
    # A folder renamed to another fingerprint is refused by the fingerprint it records.
    os.rename(index_folder(tmp_path, index.fingerprint), index_folder(tmp_path, "f" * 32))
    assert TfidfIndex.load(tmp_path, "f" * 32) is None
    assert TfidfIndex.load(tmp_path / "missing", index.fingerprint) is None


@pytest.mark.parametrize("damage", ["truncated", "garbage", "object array", "wrong kind", "no metadata",
                                    "bad metadata", "inconsistent"])
def test_a_damaged_index_is_refused_and_rebuilt(tmp_path, damage):
    saved = index_folder(tmp_path, load_or_build(PASSAGES, tmp_path).fingerprint)
    data = saved / "data.npy"
    if damage == "truncated":
        data.write_bytes(data.read_bytes()[:-8])
    elif damage == "garbage":
        data.write_bytes(b"not an array")
    elif damage == "object array":
        np.save(data, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    elif damage == "wrong kind":
        np.save(data, np.zeros(3, dtype=np.int32))
    elif damage == "no metadata":
        (saved / META_FILE).unlink()
    elif damage == "bad metadata":
        (saved / META_FILE).write_text("{not json")
    else:
        np.save(saved / "indices.npy", np.zeros(1, dtype=np.int32))
    if damage in ("object array", "wrong kind", "inconsistent"):  # as if saved so: the checks behind the CRC refuse
        from conftest import reseal  # here: a child process imports this module without the tests on its path

        reseal(saved / ("indices.npy" if damage == "inconsistent" else "data.npy"))
    assert TfidfIndex.load(tmp_path, fingerprint(PASSAGES, IndexSettings())) is None
    rebuilt = load_or_build(PASSAGES, tmp_path)  # rebuilt, and the saved copy replaced
    assert ids(rebuilt, "water")[0] == "fish"
    assert TfidfIndex.load(tmp_path, rebuilt.fingerprint) is not None


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_saved_index_that_is_not_a_regular_file_is_rebuilt_not_read(index, tmp_path, kind):
    saved = index_folder(tmp_path, load_or_build(PASSAGES, tmp_path).fingerprint)
    (saved / "data.npy").unlink()
    if kind == "fifo":
        os.mkfifo(saved / "data.npy")  # opening it to read would wait for a writer for ever
    else:
        (saved / "data.npy").symlink_to("/dev/zero")
    assert TfidfIndex.load(tmp_path, index.fingerprint) is None
    rebuilt = load_or_build(PASSAGES, tmp_path)  # and the saved copy replaces it
    assert rebuilt.n_docs == 4 and (saved / "data.npy").is_file()
    assert TfidfIndex.load(tmp_path, rebuilt.fingerprint) is not None


def test_the_fingerprint_changes_with_any_passage_field_or_setting():
    base = fingerprint(PASSAGES, IndexSettings())
    changed = (Passage("dogs", PASSAGES[0].text, section="Pets"),) + PASSAGES[1:]
    assert fingerprint(changed, IndexSettings()) != base
    assert fingerprint(PASSAGES[:3], IndexSettings()) != base
    assert fingerprint(PASSAGES, IndexSettings(slope=1.0)) != base
    # Moving text between fields is a different knowledge base, not the same bytes.
    a = (Passage("a", "x y", section="z"),)
    b = (Passage("a", "x", section="y z"),)
    assert fingerprint(a, IndexSettings()) != fingerprint(b, IndexSettings())


def test_the_passages_digest_is_the_documented_layout_with_or_without_questions():
    import hashlib

    from bot.core.index_file import passages_digest

    passages = (Passage("a", "Café x"), Passage("b", "t", "s", questions=("q1", "é?")))
    layout = "1,6,0;aCafé x\n1,1,1,2,2;btsq1é?"  # field lengths, then the fields, a passage a line
    assert passages_digest(passages) == hashlib.sha256(layout.encode()).hexdigest()


def test_load_or_build_rebuilds_when_the_passages_change(tmp_path):
    first = load_or_build(PASSAGES[:2], tmp_path)
    assert index_folder(tmp_path, first.fingerprint).is_dir()
    again = load_or_build(PASSAGES[:2], tmp_path)
    assert again.fingerprint == first.fingerprint
    grown = load_or_build(PASSAGES, tmp_path)
    assert grown.n_docs == 4
    assert ids(grown, "water")[0] == "fish"
    assert TfidfIndex.load(tmp_path, fingerprint(PASSAGES, IndexSettings())) is not None
    # The stale index is removed once the fresh one is saved: only one is kept.
    assert [p.name for p in tmp_path.iterdir()] == [index_folder(tmp_path, grown.fingerprint).name]


def test_a_read_only_cache_folder_still_serves(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    index = load_or_build(PASSAGES, blocker / "index")
    assert ids(index, "bark")[0] == "dogs"


@pytest.mark.slow
def test_starting_with_a_fresh_saved_index_imports_no_scikit_learn(tmp_path):
    load_or_build(PASSAGES, tmp_path)
    script = (
        "import sys\nfrom pathlib import Path\nfrom bot.core.index_file import load_or_build\nfrom tests.test_core_index_file import PASSAGES\n"
        f"load_or_build(PASSAGES, Path({str(tmp_path)!r}))\n"
        "print(any(m.split('.')[0] == 'sklearn' for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent, check=True)
    assert result.stdout.strip() == "False"


def test_the_words_as_a_phrase_outrank_the_same_words_apart():
    passages = (Passage("apart", "The wine is red and the glass is blue."),
                Passage("phrase", "Red wine comes in a glass."))
    index = TfidfIndex.build(passages)
    weights = {"red": 1.0, "wine": 1.0, "red wine": 1.0}
    assert [passages[m.position].id for m in index.search(weights, ["red", "wine"], 2)] == ["phrase", "apart"]


def test_the_k_best_are_the_head_of_the_full_ranking_with_ties_in_passage_order():
    # Many passages share words and many are exact copies (as Debian's -data/-doc packages are),
    # so the fast top-k (a floor from the rarest list) must pick exactly what a full ranking would.
    rng = np.random.default_rng(0)
    vocabulary = "alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega".split()
    texts = [" ".join(rng.choice(vocabulary, size=rng.integers(2, 7))) for _ in range(40)]
    texts += texts[:20]  # exact copies score exactly alike
    passages = [Passage(f"p{i}", text) for i, text in enumerate(texts)]
    built = TfidfIndex.build(passages)
    for n_words in (1, 2, 3, 5):
        for _ in range(20):
            weights, norm = query(*rng.choice(vocabulary, size=n_words, replace=False))
            full = built.search(weights, norm, len(passages))
            assert full == sorted(full, key=lambda m: (-m.score, m.position))
            for k in (1, 3, 8):
                assert built.search(weights, norm, k) == full[:k]


def test_a_changed_passage_makes_the_saved_index_stale_and_it_is_rebuilt(tmp_path):
    old = load_or_build(PASSAGES, tmp_path)
    edited = (Passage("dogs", "Dogs guard sheep on the hills."),) + PASSAGES[1:]
    new = load_or_build(edited, tmp_path)
    assert new.fingerprint != old.fingerprint
    assert ids(new, "sheep")[0] == "dogs" and not ids(new, "strangers")  # the edit is searched, not the old text
    assert [p.name for p in tmp_path.iterdir()] == [index_folder(tmp_path, new.fingerprint).name]
    assert TfidfIndex.load(tmp_path, old.fingerprint) is None


def test_a_table_saved_beside_the_index_is_reused_and_a_damaged_one_recomputed(index, tmp_path):
    index.save(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return {"nato": "north atlantic treaty organization"}

    first = saved_beside(tmp_path, index.fingerprint, "acronyms-10-4", compute)
    assert saved_beside(tmp_path, index.fingerprint, "acronyms-10-4", compute) == first and len(calls) == 1
    (index_folder(tmp_path, index.fingerprint) / "acronyms-10-4.json").write_text('{"nato": 5')
    assert saved_beside(tmp_path, index.fingerprint, "acronyms-10-4", compute) == first and len(calls) == 2
    assert saved_beside(tmp_path, "0" * 32, "acronyms-10-4", compute) == first and len(calls) == 3  # no such index


def test_a_table_beside_the_index_changed_but_still_parsing_is_recomputed(index, tmp_path):
    index.save(tmp_path)
    table = {"nato": "north atlantic treaty organization", "un": "united nations"}
    assert saved_beside(tmp_path, index.fingerprint, "acronyms-10-4", lambda: table) == table
    saved = index_folder(tmp_path, index.fingerprint) / "acronyms-10-4.json"
    saved.write_text(saved.read_text().replace("treaty", "tr<<ty"))  # still JSON, still a table of text
    assert saved_beside(tmp_path, index.fingerprint, "acronyms-10-4", lambda: table) == table
    assert "treaty" in saved.read_text()


@pytest.mark.parametrize("name", ["data.npy", "idf.npy", "indices.npy", "word_counts.npy", "text_stream.npy",
                                  "text_word_stems.npy"])
@pytest.mark.parametrize("how", ["flip", "another build"])
def test_a_file_changed_at_its_size_is_refused_never_searched(tmp_path, name, how):
    saved = index_folder(tmp_path, load_or_build(PASSAGES, tmp_path).fingerprint) / name
    data = saved.read_bytes()
    if how == "flip":  # eight bytes in the middle, in place: scores, word ids or counts that still read
        middle = len(data) // 2
        saved.write_bytes(data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 8]) + data[middle + 8:])
    else:  # the file of another index, its passages in another order: the same sizes, other bytes
        other = load_or_build(PASSAGES[::-1], tmp_path / "o")
        saved.write_bytes((index_folder(tmp_path / "o", other.fingerprint) / name).read_bytes())
    assert saved.read_bytes() != data and len(saved.read_bytes()) == len(data)
    assert TfidfIndex.load(tmp_path, fingerprint(PASSAGES, IndexSettings())) is None
    assert ids(load_or_build(PASSAGES, tmp_path), "loyal")[0] == "dogs" and saved.read_bytes() == data  # rebuilt


def test_a_setting_changed_in_the_metadata_that_still_parses_is_refused(tmp_path):
    saved = index_folder(tmp_path, load_or_build(PASSAGES, tmp_path).fingerprint) / META_FILE
    saved.write_bytes(saved.read_bytes().replace(b'"b": 0.75', b'"b": 0.25', 1))  # the fingerprint still matches
    assert TfidfIndex.load(tmp_path, fingerprint(PASSAGES, IndexSettings())) is None
    assert load_or_build(PASSAGES, tmp_path).settings == IndexSettings()


SECTIONED = (
    Passage("layout", "The magic file contains a mapping from file contents to types.", "Directory layout"),
    Passage("source", "Magic elements contain a list of match elements.", "The source files"),
    Passage("other", "Glob elements give a pattern.", "The source files"),
)


def test_a_heading_word_counts_section_weight_of_a_text_word_before_the_sublinear_tf():
    """w(d, t) = f(tf_text + section_weight * tf_heading) * idf(t) / norm(d), f(x) = 1 + ln x, and x under 1."""
    from collections import Counter
    from dataclasses import replace

    settings = IndexSettings(bigrams=False, k1=0.0, slope=1.0, idf="smooth", query_idf=1.0, section_weight=0.5)
    built = TfidfIndex.build(SECTIONED, settings)
    text_only = replace(settings, index_sections=False)
    rows = []
    for p in SECTIONED:
        whole, text = Counter(passage_features(p, settings)), Counter(passage_features(p, text_only))
        rows.append({t: text[t] + 0.5 * (n - text[t]) for t, n in whole.items()})
    df = Counter(t for row in rows for t in row)
    for position, row in enumerate(rows):
        raw = {t: (1 + np.log(x) if x >= 1 else x) * (np.log(4 / (1 + df[t])) + 1) for t, x in row.items()}
        norm = np.sqrt(sum(v * v for v in raw.values()))
        for term, value in raw.items():
            assert built.value(position, term) == pytest.approx(value / norm, rel=1e-5), (position, term)
    assert rows[1]["file"] == 0.5 and built.value(1, "file") > 0  # held from its heading alone ("files"): f(0.5) = 0.5


def test_a_passage_saying_the_word_outranks_one_whose_heading_alone_holds_it_the_more_the_lighter_the_heading():
    weights, norm = query("magic", "file", "contain")
    def margin(weight: float) -> float:
        ix = TfidfIndex.build(SECTIONED, IndexSettings(k1=0.0, slope=1.0, idf="smooth", query_idf=1.0,
                                                       section_weight=weight))
        scores = {SECTIONED[m.position].id: m.score for m in ix.search(weights, norm, 3)}
        return scores["layout"] - scores["source"]
    assert margin(0.5) > margin(0.85) > margin(1.0)
