"""Safe knowledge writes: atomic replacement, crash safety, the lock, and the bounded undo history."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.store import KnowledgeStore, atomic_write

ROOT = Path(__file__).resolve().parent.parent


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_atomic_write_replaces_the_content_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "facts.yaml"
    target.write_text("old\n", encoding="utf-8")
    atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert _leftovers(tmp_path) == []


def test_a_serialiser_failing_half_way_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "facts.yaml"
    target.write_text("passages:\n- id: a-001\n", encoding="utf-8")

    def half_then_crash():
        yield "passages:\n- id: b-"
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, half_then_crash())
    assert target.read_text(encoding="utf-8") == "passages:\n- id: a-001\n"
    assert _leftovers(tmp_path) == []


def test_a_process_killed_mid_write_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "facts.yaml"
    target.write_text("the original\n", encoding="utf-8")
    script = (
        "import os, sys\n"
        "from bot.store import atomic_write\n"
        "def chunks():\n"
        "    yield 'half of the new'\n"
        "    os._exit(9)  # killed: no cleanup, no exception handlers\n"
        f"atomic_write(__import__('pathlib').Path({str(target)!r}), chunks())\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60)
    assert result.returncode == 9
    assert target.read_text(encoding="utf-8") == "the original\n"


def test_commit_keeps_the_previous_version_and_undo_restores_it(tmp_path):
    store = KnowledgeStore(tmp_path)
    facts, new_file = tmp_path / "facts.yaml", tmp_path / "sources" / "new.txt"
    facts.write_text("v1\n", encoding="utf-8")
    with store.transaction() as txn:
        txn.write(facts, "v2\n")
        txn.write(new_file, b"a new document")
        txn.commit("change")
    assert facts.read_text(encoding="utf-8") == "v2\n" and new_file.exists()
    version = store.undo()
    assert version.reason == "change"
    assert facts.read_text(encoding="utf-8") == "v1\n"
    assert not new_file.exists()  # a file the change created is removed again
    with pytest.raises(KnowledgeError, match="no earlier version"):
        store.undo()


def test_history_is_bounded(tmp_path):
    store = KnowledgeStore(tmp_path, history_limit=3)
    facts = tmp_path / "facts.yaml"
    facts.write_text("v0", encoding="utf-8")
    for n in range(1, 6):
        with store.transaction() as txn:
            txn.write(facts, f"v{n}")
            txn.commit(f"write v{n}")
    assert [v.reason for v in store.versions()] == ["write v3", "write v4", "write v5"]
    for expected in ("v4", "v3", "v2"):
        store.undo()
        assert facts.read_text(encoding="utf-8") == expected


def test_the_lock_serialises_read_modify_write(tmp_path):
    counter = tmp_path / "counter"
    counter.write_text("0", encoding="utf-8")

    def bump():
        store = KnowledgeStore(tmp_path, history_limit=1)  # each worker its own handle, like separate processes
        for _ in range(10):
            with store.transaction() as txn:
                value = int(counter.read_text(encoding="utf-8"))
                txn.write(counter, str(value + 1))
                txn.commit("bump")

    threads = [threading.Thread(target=bump) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.read_text(encoding="utf-8") == "30"


def test_a_missing_knowledge_folder_is_a_clear_error(tmp_path):
    with pytest.raises(KnowledgeError, match="knowledge folder does not exist"):
        KnowledgeStore(tmp_path / "nowhere")
