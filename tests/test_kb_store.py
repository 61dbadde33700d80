"""Safe knowledge writes: atomic replacement, crash safety, the lock, and the bounded undo history."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.errors import KnowledgeError, UndoRefused
from bot.files import atomic_write
from bot.kb.history import MANIFEST
from bot.kb.store import KnowledgeStore
from conftest import dying_writes

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


@pytest.mark.slow
def test_a_process_killed_mid_write_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "facts.yaml"
    target.write_text("the original\n", encoding="utf-8")
    script = (
        "import os, sys\n"
        "from bot.files import atomic_write\n"
        "def chunks():\n"
        "    yield 'half of the new'\n"
        "    os._exit(9)  # killed: no cleanup, no exception handlers\n"
        f"atomic_write(__import__('pathlib').Path({str(target)!r}), chunks())\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60)
    assert result.returncode == 9
    assert target.read_text(encoding="utf-8") == "the original\n"


def _one_change(tmp_path):
    """A store with one change made: facts.yaml v1 -> v2, and a new document."""
    store = KnowledgeStore(tmp_path)
    facts, new_file = tmp_path / "facts.yaml", tmp_path / "sources" / "new.txt"
    facts.write_text("v1\n", encoding="utf-8")
    with store.transaction() as txn:
        txn.write(facts, "v2\n")
        txn.write(new_file, b"a new document")
        txn.commit("change")
    return store, facts, new_file


def test_commit_keeps_the_previous_version_and_undo_restores_it(tmp_path):
    store, facts, new_file = _one_change(tmp_path)
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


# -- a change to several files is all-or-nothing -------------------------------------------------------

def _kill_at(tmp_path: Path, victim: str, before: bool = False) -> subprocess.CompletedProcess:
    """Run a two-file change in a real process that dies (no cleanup at all) right after, or right before,
    the file `victim` (relative to tmp_path) is written."""
    script = (
        dying_writes(f"Path(path) == Path({str(tmp_path / victim)!r})", before) +
        "from bot.kb.store import KnowledgeStore\n"
        f"s = KnowledgeStore({str(tmp_path)!r})\n"
        "with s.transaction() as txn:\n"
        f"    txn.write(Path({str(tmp_path / 'a.txt')!r}), 'a2')\n"
        f"    txn.write(Path({str(tmp_path / 'b.txt')!r}), 'b2')\n"
        "    txn.commit('both')\n"
    )
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60)


def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a1", encoding="utf-8")
    b.write_text("b1", encoding="utf-8")
    return a, b


def test_a_change_killed_between_its_two_files_is_completed_by_the_next_transaction(tmp_path):
    a, b = _two_files(tmp_path)
    assert _kill_at(tmp_path, "a.txt").returncode == 9
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a2", "b1")  # the crash window
    with KnowledgeStore(tmp_path).transaction():
        pass
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a2", "b2")
    assert not (tmp_path / ".journal").exists()
    store = KnowledgeStore(tmp_path)
    assert [v.reason for v in store.versions()] == ["both"]
    store.undo()  # the version saved before the crash still holds both old files
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a1", "b1")


def test_a_change_killed_before_it_was_decided_is_rolled_back(tmp_path):
    a, b = _two_files(tmp_path)
    assert _kill_at(tmp_path, ".journal/journal.json", before=True).returncode == 9
    assert (tmp_path / ".journal").exists()
    assert KnowledgeStore(tmp_path).recover() == "rolled back an interrupted change that had not been saved"
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a1", "b1")
    assert not (tmp_path / ".journal").exists() and KnowledgeStore(tmp_path).versions() == []


def test_a_change_killed_while_saving_the_old_version_is_completed_with_its_version(tmp_path):
    a, b = _two_files(tmp_path)
    assert _kill_at(tmp_path, f".history/000001/{MANIFEST}", before=True).returncode == 9
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a1", "b1")
    assert KnowledgeStore(tmp_path).recover() == "completed the interrupted change 'both'"
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a2", "b2")
    KnowledgeStore(tmp_path).undo()
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a1", "b1")


def test_a_refusing_check_changes_nothing_and_keeps_no_version(tmp_path):
    a, b = _two_files(tmp_path)
    seen = {}

    def refuse(staged: Path) -> None:
        seen.update({p.name: p.read_text(encoding="utf-8") for p in staged.iterdir()})
        raise KnowledgeError("the staged knowledge does not load")

    store = KnowledgeStore(tmp_path)
    with pytest.raises(KnowledgeError, match="does not load"), store.transaction() as txn:
        txn.write(a, "a2")
        txn.write(b, None)
        txn.commit("refused", check=refuse, view=[a, b])
    assert seen == {"a.txt": "a2"}  # the check saw the new a, and b already gone
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a1", "b1")
    assert store.versions() == [] and not (tmp_path / ".journal").exists()


@pytest.mark.slow
def test_an_undo_killed_half_way_is_completed(tmp_path):
    a, b = _two_files(tmp_path)
    store = KnowledgeStore(tmp_path)
    with store.transaction() as txn:
        txn.write(a, "a2")
        txn.write(b, "b2")
        txn.commit("both")
    script = (
        dying_writes("Path(path).name == 'a.txt' and '.journal' not in str(path)") +
        "from bot.kb.store import KnowledgeStore\n"
        f"KnowledgeStore({str(tmp_path)!r}).undo()\n"
    )
    assert subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60).returncode == 9
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a1", "b2")
    assert store.recover() == "completed the interrupted change 'undo both'"
    assert (a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) == ("a1", "b1")
    assert store.versions() == []  # the undone version is used up, as after an undo that was not interrupted


def test_a_damaged_journal_is_one_clear_error_and_nothing_is_touched(tmp_path):
    a, _ = _two_files(tmp_path)
    (tmp_path / ".journal" / "new").mkdir(parents=True)
    (tmp_path / ".journal" / "journal.json").write_text('{"reason": "x", "files": {"../../etc/passwd": true}}',
                                                        encoding="utf-8")
    with pytest.raises(KnowledgeError, match="journal is damaged"):
        KnowledgeStore(tmp_path).recover()
    assert a.read_text(encoding="utf-8") == "a1" and (tmp_path / ".journal" / "journal.json").exists()


# -- undo never throws away an edit made by hand since the change ------------------------------------------

def test_undo_refuses_when_a_file_was_edited_by_hand_since_the_change_and_force_goes_back(tmp_path):
    store, facts, new_file = _one_change(tmp_path)
    facts.write_text("v2, and a typo fixed by hand\n", encoding="utf-8")  # undo silently restored v1 over this
    with pytest.raises(UndoRefused, match=r"facts.yaml changed since 'change' \(edited by hand\?\)"):
        store.undo()
    assert facts.read_text(encoding="utf-8") == "v2, and a typo fixed by hand\n" and new_file.exists()
    assert [v.reason for v in store.versions()] == ["change"]  # kept, to go back to when the edit is saved elsewhere
    new_file.unlink()  # a file the change made, removed by hand since, is an edit too
    facts.write_text("v2\n", encoding="utf-8")
    with pytest.raises(UndoRefused, match=r"sources/new.txt changed since"):
        store.undo()
    store.undo(force=True)
    assert facts.read_text(encoding="utf-8") == "v1\n" and not new_file.exists()


def test_a_version_saved_before_digests_were_recorded_still_undoes(tmp_path):
    store = KnowledgeStore(tmp_path)
    facts = tmp_path / "facts.yaml"
    facts.write_text("v1\n", encoding="utf-8")
    with store.transaction() as txn:
        txn.write(facts, "v2\n")
        txn.commit("change")
    manifest = tmp_path / ".history" / "000001" / MANIFEST
    old = json.loads(manifest.read_text(encoding="utf-8"))
    assert set(old) == {"at", "reason", "files", "written"}
    del old["written"]  # as an older version wrote it
    manifest.write_text(json.dumps(old), encoding="utf-8")
    facts.write_text("edited\n", encoding="utf-8")
    store.undo()  # nothing to compare with: as before
    assert facts.read_text(encoding="utf-8") == "v1\n"


@pytest.mark.parametrize("blocker", ["sources", ".history"])
def test_a_file_standing_where_a_folder_goes_refuses_the_change_before_it_is_decided(tmp_path, blocker):
    # It was found only while the decided change was applied: a half-applied change every later command tripped on.
    a, _ = _two_files(tmp_path)
    (tmp_path / blocker).write_text("not a folder", encoding="utf-8")
    store = KnowledgeStore(tmp_path)
    with pytest.raises(KnowledgeError) as error, store.transaction() as txn:
        txn.write(a, "a2")
        txn.write(tmp_path / "sources" / "new.txt", b"a new document")
        txn.commit("both")
    assert str(error.value) == (f"{(tmp_path / blocker).resolve()}: a file where a folder is expected; nothing was "
                                "changed (move it out of the knowledge folder, or remove it)")
    assert a.read_text(encoding="utf-8") == "a1" and not (tmp_path / ".journal").exists()
    (tmp_path / blocker).unlink()
    with store.transaction() as txn:  # nothing waits to be completed: the next change goes through
        txn.write(a, "a2")
        txn.commit("a")
    assert a.read_text(encoding="utf-8") == "a2"


@pytest.mark.parametrize("entry", ["file", "link"])
def test_a_number_taken_in_the_history_by_a_file_or_a_link_is_skipped_not_tripped_on(tmp_path, entry):
    # The next version's folder could not be made where a file or a dangling link had its number: the decided
    # change stopped half applied, and every later command failed on it.
    a, _ = _two_files(tmp_path)
    (tmp_path / ".history").mkdir()
    taken = tmp_path / ".history" / "000001"
    taken.write_text("x", encoding="utf-8") if entry == "file" else taken.symlink_to(tmp_path / "nowhere")
    (tmp_path / ".history" / ("9" * 200)).mkdir()  # a number too long to be a version is not one
    store = KnowledgeStore(tmp_path)
    with store.transaction() as txn:
        txn.write(a, "a2")
        txn.commit("a")
    assert a.read_text(encoding="utf-8") == "a2" and not (tmp_path / ".journal").exists()
    assert [v.name for v in store.versions()] == ["000002"]
    store.undo()
    assert a.read_text(encoding="utf-8") == "a1"
