"""The knowledge snapshot: used only for byte-identical knowledge files, refused when damaged, same answers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.config import Config
from bot.core.pipeline import build_answerer
from bot.kb.folder import index_cache
from bot.kb.load import load_knowledge
from bot.kb.snapshot import FOLDER, load_snapshot
from bot.kb.snapshot_key import knowledge_key
from conftest import reseal

SEED = Path(__file__).resolve().parent.parent / "knowledge"
QUESTIONS = ("What is the capital of Mongolia?", "How many provinces does Mongolia have?", "Who was Genghis Khan?")


@pytest.fixture
def seed(tmp_path) -> Path:
    shutil.copytree(SEED / "passages", tmp_path / "kb" / "passages")
    if (SEED / "synonyms.yaml").exists():
        shutil.copy(SEED / "synonyms.yaml", tmp_path / "kb" / "synonyms.yaml")
    return tmp_path / "kb"


def answers(path: Path, cache: bool = True) -> list[str]:
    answerer = build_answerer(Config().with_knowledge(path), cache=cache)
    return [answerer.answer(q).text for q in QUESTIONS]


def snapshot(path: Path):
    key = knowledge_key(path)
    return load_snapshot(index_cache(path), key) if key else None


def test_the_snapshot_holds_exactly_the_parsed_knowledge_and_answers_the_same(seed):
    plain = answers(seed, cache=False)
    assert answers(seed) == plain  # parses and saves the snapshot
    kb, _digest = snapshot(seed)
    assert kb == load_knowledge(seed)
    assert answers(seed) == plain  # from the snapshot


def test_an_edited_passage_is_answered_from_the_edit_never_the_snapshot(seed):
    answers(seed)
    file = sorted((seed / "passages").glob("*.yaml"))[0]
    original = load_knowledge(seed).passages[0].text
    file.write_text(file.read_text(encoding="utf-8").replace(original, original + " Zebras graze here."),
                    encoding="utf-8")
    assert snapshot(seed) is None
    answerer = build_answerer(Config().with_knowledge(seed))
    assert answerer.kb.passages[0].text.endswith("Zebras graze here.")
    assert "Zebras" in answerer.answer("Where do zebras graze?").text


def test_an_added_or_removed_file_misses_the_snapshot(seed):
    answers(seed)
    extra = seed / "passages" / "zz-extra.yaml"
    extra.write_text("passages:\n  - id: extra-1\n    text: The snow leopard hunts at dawn in the Altai.\n",
                     encoding="utf-8")
    assert snapshot(seed) is None
    # answered from the added passage (the old question, 'When does ...', was declined and passed on a suggestion)
    assert build_answerer(Config().with_knowledge(seed)).answer("Where does the snow leopard hunt?").passage_ids == ("extra-1",)
    extra.unlink()
    assert snapshot(seed) is None  # the one snapshot now holds the added file's knowledge
    assert all(p.id != "extra-1" for p in build_answerer(Config().with_knowledge(seed)).kb.passages)


@pytest.mark.parametrize("name", ["bodies.npy", "body_ends.npy", "ends.npy", "ids.npy", "questions.npy", "meta.json"])
@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_snapshot_is_refused_and_rebuilt(seed, damage, name):
    plain = answers(seed)
    saved = index_cache(seed) / FOLDER / name
    data = saved.read_bytes()
    saved.write_bytes({"truncate": data[: len(data) // 2], "garbage": data[:100] + b"\xff" * (len(data) - 100),
                       "empty": b""}[damage])
    assert snapshot(seed) is None
    assert answers(seed) == plain
    assert snapshot(seed) is not None  # written again after the parse


def test_a_jsonl_knowledge_round_trips(tmp_path):
    path = tmp_path / "facts.jsonl"
    path.write_text('{"id": "a", "text": "Yaks give milk and wool.", "section": "Animals"}\n'
                    '{"id": "b", "text": "Émile counts \\u00e9t\\u00e9 days."}\n', encoding="utf-8")
    build_answerer(Config().with_knowledge(path))
    kb, _digest = snapshot(path)
    assert kb == load_knowledge(path) and kb.sources == load_knowledge(path).sources


def test_saved_passages_read_as_the_tuple_they_stand_for_and_are_built_on_use(seed):
    answers(seed)
    kb, _digest = snapshot(seed)
    parsed = load_knowledge(seed).passages
    assert kb.passages._made == {}  # nothing built yet
    assert kb.passages[-1] == parsed[-1] and kb.passages[1:4] == parsed[1:4] and len(kb.passages._made) == 4
    assert kb.positions == {p.id: i for i, p in enumerate(parsed)} and kb.sections() == load_knowledge(seed).sections()
    assert list(kb.passages) == list(parsed) and kb.passages + () == parsed
    with pytest.raises(IndexError):
        kb.passages[len(parsed)]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_snapshot_that_is_not_a_regular_file_is_refused_without_waiting(seed, kind):
    plain = answers(seed)
    saved = index_cache(seed) / FOLDER / "bodies.npy"
    saved.unlink()
    if kind == "fifo":
        os.mkfifo(saved)  # opening it to read would wait for a writer for ever
    else:
        saved.symlink_to("/dev/zero")
    assert snapshot(seed) is None
    assert answers(seed) == plain
    assert saved.is_file() and snapshot(seed) is not None  # replaced by a real one


def test_the_snapshot_gives_its_questions_column_without_building_passages(seed):
    from bot.kb.model import question_column

    answers(seed)  # saves the snapshot
    passages = snapshot(seed)[0].passages
    column = question_column(passages)
    assert not passages._made  # nothing built to read it
    assert list(column) == question_column(load_knowledge(seed).passages) == [p.questions for p in passages]
    assert any(column)


def test_the_snapshot_gives_its_sources_column_without_building_passages(seed):
    from bot.kb.model import source_column

    answers(seed)  # saves the snapshot
    passages = snapshot(seed)[0].passages
    column = source_column(passages)
    assert not passages._made  # a base of several documents reads which passage is whose (core/subjects.py)
    assert list(column) == [p.source for p in load_knowledge(seed).passages] == [p.source for p in passages]
    assert all(column)


def test_the_snapshot_gives_its_texts_without_building_passages(seed):
    from bot.kb.model import text_column

    answers(seed)  # saves the snapshot
    passages = snapshot(seed)[0].passages
    column = text_column(passages)
    assert not passages._made  # the second stage's read-ahead keeps no passage it did not need
    assert list(column) == text_column(load_knowledge(seed).passages) == [p.text for p in passages]
    assert any(not t.isascii() for t in column)  # decoded as the passages decode them, accents included


def test_saving_removes_the_earlier_single_file_snapshot_and_interrupted_saves(seed):
    folder = index_cache(seed)
    folder.mkdir(parents=True)
    (folder / "knowledge.npz").write_bytes(b"an earlier format")
    (folder / ".knowledge-saving-x1").mkdir()
    plain = answers(seed)
    assert sorted(p.name for p in folder.iterdir() if "knowledge" in p.name) == [FOLDER]
    assert snapshot(seed) is not None and answers(seed) == plain


def test_the_texts_are_mapped_and_a_snapshot_replaced_under_a_reader_still_reads(seed):
    from bot.core.index_file import passages_digest
    from bot.kb.snapshot import save_snapshot

    answers(seed)
    kb, _digest = snapshot(seed)
    parsed = load_knowledge(seed)
    assert isinstance(kb.passages._columns[1].data, memoryview)  # not a copy read into memory
    save_snapshot(parsed, index_cache(seed), knowledge_key(seed), passages_digest(parsed.passages))  # swapped in
    assert [p.text for p in kb.passages] == [p.text for p in parsed.passages]
    assert snapshot(seed)[0] == parsed


@pytest.mark.parametrize("name, change", [
    ("ids", lambda a: a[: int(np.flatnonzero(a == 10)[-1])]),  # one id fewer than passages
    ("questions", lambda a: a + 1000),  # more questions than the strings hold
    ("section_at", lambda a: a + 1000),  # a section value it does not hold
    ("body_ends", lambda a: a[::-1].copy()),  # offsets out of order
    ("ends", lambda a: a.astype(np.float64)),  # offsets of the wrong kind
])
def test_arrays_that_read_but_do_not_fit_together_are_refused(seed, name, change):
    plain = answers(seed)
    saved = index_cache(seed) / FOLDER / f"{name}.npy"
    np.save(saved, change(np.load(saved)), allow_pickle=False)
    reseal(saved)  # its size and CRC-32 as if saved so: what refuses it is the check of how the arrays fit
    assert snapshot(seed) is None
    assert answers(seed) == plain


def _flip_middle(path: Path) -> bytes:
    """Change eight bytes in the middle of a saved file in place, keeping its size; its bytes before."""
    data = path.read_bytes()
    middle = len(data) // 2
    path.write_bytes(data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 8]) + data[middle + 8:])
    return data


@pytest.mark.parametrize("name", ["bodies.npy", "text.npy", "lines.npy", "body_chars.npy", "ids.npy"])
def test_a_file_changed_in_the_middle_at_its_size_is_refused_and_rebuilt(seed, name):
    plain = answers(seed)
    passages = list(load_knowledge(seed).passages)
    saved = index_cache(seed) / FOLDER / name
    before = _flip_middle(saved)
    assert snapshot(seed) is None  # the CRC-32 saved with it differs: never read as passages
    assert answers(seed) == plain
    assert saved.read_bytes() == before and list(snapshot(seed)[0].passages) == passages


def test_a_texts_file_from_another_build_of_the_same_size_is_refused(seed, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(seed, other)
    file = sorted((other / "passages").glob("*.yaml"))[0]
    file.write_text(file.read_text(encoding="utf-8").replace("cooperation since 2005.", "cooperation since 2006."),
                    encoding="utf-8")
    answers(seed), answers(other)
    mine, theirs = (index_cache(path) / FOLDER / "bodies.npy" for path in (seed, other))
    assert mine.stat().st_size == theirs.stat().st_size and mine.read_bytes() != theirs.read_bytes()
    shutil.copyfile(theirs, mine)
    assert snapshot(seed) is None
    answerer = build_answerer(Config().with_knowledge(seed))
    assert "2006" not in answerer.answer("Since when have NATO and Mongolia been engaged in dialogue?").text
    assert all("since 2006" not in p.text for p in answerer.kb.passages)


def test_a_source_changed_in_the_metadata_that_still_parses_is_refused(seed):
    plain = answers(seed)
    meta = index_cache(seed) / FOLDER / "meta.json"
    meta.write_bytes(meta.read_bytes().replace(b"Relations with Mongolia", b"Relations with Mongolio", 1))
    assert snapshot(seed) is None
    assert answers(seed) == plain and snapshot(seed)[0].sources == load_knowledge(seed).sources
