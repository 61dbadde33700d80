"""The snapshot key: a file's stored hash is reused only while its stat is unchanged and was settled when taken."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.config import Config
from bot.core.index_file import passages_digest
from bot.core.pipeline import build_answerer
from bot.kb.folder import index_cache
from bot.kb.load import load_knowledge
from bot.kb.snapshot import load_snapshot, save_snapshot, saved_files
from bot.kb.snapshot_key import SETTLED_NS, knowledge_key

TEXT = "Yaks give milk and wool in the cold steppe."


def later() -> int:
    """A clock past the settling margin, as a start a minute after the files were written would read."""
    return time.time_ns() + 60 * 1_000_000_000


@pytest.fixture
def facts(tmp_path) -> Path:
    path = tmp_path / "facts.jsonl"
    path.write_text(f'{{"id": "a", "text": "{TEXT}"}}\n{{"id": "b", "text": "Camels carry salt."}}\n', encoding="utf-8")
    return path


def saved(path: Path) -> Path:
    """Snapshot the knowledge as a start long after its files were written would: every record kept."""
    folder = index_cache(path)
    kb = load_knowledge(path)
    save_snapshot(kb, folder, knowledge_key(path, clock=later), passages_digest(kb.passages))
    assert saved_files(folder) == knowledge_key(path, clock=later).files != {}
    return folder


def start(path: Path):
    """What a start does: the key from the kept records, then the snapshot under it (None: parse)."""
    folder = index_cache(path)
    return load_snapshot(folder, knowledge_key(path, saved_files(folder)))


def test_a_kept_record_stands_for_the_bytes_while_the_stat_matches(facts):
    fresh = knowledge_key(facts, clock=later)
    record = fresh.files[str(facts)]
    forged = {str(facts): (*record[:5], "0" * 64)}  # the same stat, another hash: taken on trust, not read
    assert knowledge_key(facts, forged).value != fresh.value
    moved = {str(facts): (record[0], record[1] + 1, *record[2:])}  # one field off: the bytes are hashed
    assert knowledge_key(facts, moved).value == fresh.value


def test_a_file_written_within_the_margin_keeps_no_record(facts):
    assert knowledge_key(facts).files == {}  # just written: a write in the same tick could leave its stat equal
    assert str(facts) in knowledge_key(facts, clock=lambda: time.time_ns() + SETTLED_NS + 10**9).files
    assert knowledge_key(facts).value == knowledge_key(facts, clock=later).value  # the key itself is the same


def test_an_edit_of_the_same_size_with_its_mtime_put_back_is_parsed_again(facts):
    folder = saved(facts)
    before = os.stat(facts)
    facts.write_text(facts.read_text(encoding="utf-8").replace("milk", "MILK"), encoding="utf-8")
    os.utime(facts, ns=(before.st_atime_ns, before.st_mtime_ns))  # as an edit in the same second would look
    assert os.stat(facts).st_size == before.st_size and os.stat(facts).st_mtime_ns == before.st_mtime_ns
    assert start(facts) is None
    answerer = build_answerer(Config().with_knowledge(facts))
    assert answerer.kb.passages[0].text == TEXT.replace("milk", "MILK")
    assert load_snapshot(folder, knowledge_key(facts, saved_files(folder)))[0].passages[0].text.count("MILK") == 1


def test_a_file_replaced_by_rename_is_parsed_again(facts):
    saved(facts)
    before = os.stat(facts)
    other = facts.with_name("other.jsonl")
    other.write_text(facts.read_text(encoding="utf-8").replace("wool", "hair"), encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, facts)
    assert start(facts) is None
    assert build_answerer(Config().with_knowledge(facts)).kb.passages[0].text == TEXT.replace("wool", "hair")


def test_a_touched_file_is_hashed_again_and_still_hits_and_its_record_follows(facts):
    folder = saved(facts)
    old = saved_files(folder)[str(facts)]
    os.utime(facts)  # the bytes are unchanged
    assert start(facts) is not None  # the same bytes: the snapshot is used
    assert str(facts) not in saved_files(folder)  # the stale record is dropped; the new stat has not settled
    assert load_snapshot(folder, knowledge_key(facts, saved_files(folder), clock=later)) is not None
    assert saved_files(folder)[str(facts)][:3] != old[:3]  # settled now: the next start needs no hashing


def test_records_of_another_snapshot_version_are_not_trusted(facts):
    import json

    from bot.kb.snapshot import FOLDER, META

    folder = saved(facts)
    meta = json.loads((folder / FOLDER / META).read_text())
    (folder / FOLDER / META).write_text(json.dumps({**meta, "version": meta["version"] - 1}))
    assert saved_files(folder) == {}
