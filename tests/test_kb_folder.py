"""Where a knowledge's index is kept: beside it, or in the user's cache when the knowledge is read-only; and a
read-only knowledge still answers and logs its questions."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli.main import run
from bot.kb.folder import KnowledgeFolder, index_cache
from bot.kb.identity import identify
from conftest import as_a_user_who_cannot_write, clean_env, write_knowledge

QUESTION = "Where do takhi horses live?"


def test_a_writable_knowledge_keeps_its_index_beside_it(tmp_path):
    folder = write_knowledge(tmp_path / "kb")
    assert index_cache(folder) == KnowledgeFolder(folder).index
    lines = tmp_path / "facts.jsonl"
    lines.write_text("", encoding="utf-8")
    assert index_cache(lines) == tmp_path / ".facts.jsonl.index"


@pytest.mark.parametrize("knowledge", ["folder", "jsonl"])
def test_an_index_linked_elsewhere_is_never_written_through_and_the_users_cache_holds_it(tmp_path, capsys, monkeypatch,
                                                                                          knowledge):
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    # Saving through the link wrote the index where it pointed and removed any older index found there.
    if knowledge == "folder":
        path = write_knowledge(tmp_path / "kb")
        beside = KnowledgeFolder(path).index
    else:
        path, beside = tmp_path / "facts.jsonl", tmp_path / ".facts.jsonl.index"
        path.write_text('{"id": "t-1", "text": "Takhi horses live in Hustai National Park."}\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "v5-someone-elses").mkdir(parents=True)  # a name the index's clean-up would take for its own
    (elsewhere / "v5-someone-elses" / "keep.txt").write_text("kept\n", encoding="utf-8")
    beside.symlink_to(elsewhere, target_is_directory=True)
    for _ in range(2):  # the second start reads what the first saved
        assert run(["--knowledge", str(path), "ask", QUESTION]) == 0
        out, err = capsys.readouterr()
        assert "Hustai National Park" in out and err == ""
    assert [p.name for p in elsewhere.rglob("*")] == ["v5-someone-elses", "keep.txt"]
    assert beside.is_symlink() and index_cache(path).parent.name == "factbot"
    assert any(index_cache(path).rglob("*.npy"))


def _as_a_user_who_cannot_write(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `python -m bot` as a user without write access to the knowledge."""
    return as_a_user_who_cannot_write([sys.executable, "-m", "bot", *args], env, timeout=120)


@pytest.fixture
def shared_tmp():
    """A folder every user may read (pytest's own temp folders are the owner's only), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="factbot-ro-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o777)
    shutil.rmtree(folder)


def test_a_read_only_knowledge_keeps_its_index_in_the_users_cache_and_never_warns(shared_tmp):
    knowledge, env = _read_only_copy(shared_tmp)
    cache = shared_tmp / "cache"
    for _ in range(2):  # the second start reads what the first saved
        result = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "ask", QUESTION], env)
        assert result.returncode == 0, result.stderr
        assert b"Hustai National Park" in result.stdout
        assert result.stderr == b""  # no "could not save the index" on every start
    assert not (knowledge / ".index").exists()
    assert (cache / "factbot").stat().st_mode & 0o777 == 0o700  # the passages' copy is the user's alone
    saved = list((cache / "factbot").iterdir())
    assert [p.name.split("-")[0] for p in saved] == ["kb"]
    assert any(saved[0].rglob("*.npy"))


def test_a_read_only_knowledge_still_logs_its_questions_under_its_path_or_its_identity(shared_tmp):
    # A read-only folder without an identity file cannot be given one: its questions are logged under its path,
    # and `kb unanswered` finds them (and later, once the folder could be written, they are remembered as its own).
    plain, named = write_knowledge(shared_tmp / "plain"), write_knowledge(shared_tmp / "named")
    tag = identify(named).tag  # made by `kb init` before the folder was mounted read-only
    cache = shared_tmp / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    for path in [plain, named, *plain.rglob("*"), *named.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    env = {**clean_env(shared_tmp), "XDG_CACHE_HOME": str(cache), "HOME": str(cache),
           "BOT_DATABASE": str(cache / "log.sqlite3")}
    for knowledge in (plain, named):
        result = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "ask", "Who won the world cup?"], env)
        assert result.returncode == 0 and result.stderr == b"", result.stderr
        assert not (plain / ".identity").exists()
    with closing(sqlite3.connect(cache / "log.sqlite3")) as db:
        assert db.execute("SELECT knowledge FROM questions ORDER BY id").fetchall() == [(str(plain),), (tag,)]
    for knowledge in (plain, named):
        listing = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "kb", "unanswered"], env)
        assert listing.returncode == 0, listing.stderr
        assert b"(1x) Who won the world cup?" in listing.stdout


def _read_only_copy(shared_tmp: Path) -> tuple[Path, dict[str, str]]:
    """A knowledge folder no one but root may write, and the environment for a user who runs commands on it."""
    knowledge = write_knowledge(shared_tmp / "kb")
    cache = shared_tmp / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    for path in [knowledge, *knowledge.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    env = {**clean_env(shared_tmp), "XDG_CACHE_HOME": str(cache), "HOME": str(cache),
           "BOT_DATABASE": str(cache / "log.sqlite3")}
    return knowledge, env


@pytest.mark.slow
def test_kb_import_into_a_read_only_knowledge_refuses_before_showing_the_draft_with_the_other_commands_error(
        shared_tmp):
    knowledge, env = _read_only_copy(shared_tmp)
    document = shared_tmp / "garden.txt"
    document.write_text("Garden Guide\n\nWatering\n\nTomatoes need water every morning in summer.\n", encoding="utf-8")
    document.chmod(0o644)
    before = sorted(p.name for p in knowledge.rglob("*"))
    removed = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "kb", "remove", "tiny-001"], env)
    refused = removed.stderr.decode().splitlines()
    assert len(refused) == 1 and refused[0].startswith("Error: ") and "make the knowledge folder writable" in refused[0]
    for extra in (["--yes"], []):  # saving at once, or asking first: neither can ever save
        result = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "kb", "import", str(document), *extra],
                                             env)
        assert (result.returncode, result.stdout, result.stderr.decode().splitlines()) == (2, b"", refused)
    assert sorted(p.name for p in knowledge.rglob("*")) == before


@pytest.mark.slow
def test_kb_import_where_the_lock_opens_but_the_folder_cannot_be_written_refuses_before_showing_the_draft(shared_tmp):
    knowledge, env = _read_only_copy(shared_tmp)
    knowledge.chmod(0o755)
    (knowledge / ".lock").touch(mode=0o666)
    (knowledge / ".lock").chmod(0o666)
    knowledge.chmod(0o555)
    document = shared_tmp / "garden.txt"
    document.write_text("Garden Guide\n\nWatering\n\nTomatoes need water every morning in summer.\n", encoding="utf-8")
    result = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "kb", "import", str(document), "--yes"], env)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode().splitlines() == [
        f"Error: {knowledge}: cannot write in this folder (make the knowledge folder writable)"]


@pytest.mark.slow
def test_kb_undo_in_a_read_only_knowledge_is_the_other_commands_setup_error_exit_2(shared_tmp):
    knowledge, env = _read_only_copy(shared_tmp)
    assert run(["--knowledge", str(knowledge), "kb", "remove", "tiny-002"]) == 0  # by root: a version to go back to
    before = sorted(p.name for p in knowledge.rglob("*"))
    removed = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "kb", "remove", "tiny-001"], env)
    undone = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "kb", "undo"], env)
    assert removed.returncode == 2 and "make the knowledge folder writable" in removed.stderr.decode()
    assert (undone.returncode, undone.stdout, undone.stderr) == (2, b"", removed.stderr)  # the lock cannot be opened
    (knowledge / ".lock").chmod(0o666)  # the lock opens, but nothing in the folder can be written
    undone = _as_a_user_who_cannot_write(["--knowledge", str(knowledge), "kb", "undo"], env)
    assert (undone.returncode, undone.stdout) == (2, b"")
    assert undone.stderr.decode().splitlines() == [
        f"Error: {knowledge}: cannot write in this folder (make the knowledge folder writable)"]
    assert sorted(p.name for p in knowledge.rglob("*")) == before


@pytest.mark.slow
def test_a_first_import_into_a_folder_that_cannot_be_made_refuses_before_showing_the_draft(shared_tmp):
    _, env = _read_only_copy(shared_tmp)
    locked = shared_tmp / "locked"
    locked.mkdir(mode=0o555)
    locked.chmod(0o555)
    document = shared_tmp / "garden.txt"
    document.write_text("Garden Guide\n\nWatering\n\nTomatoes need water every morning in summer.\n", encoding="utf-8")
    result = _as_a_user_who_cannot_write(["--knowledge", str(locked / "new"), "kb", "import", str(document), "--yes"],
                                         env)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode().splitlines() == [
        f"Error: {locked / 'new'}: cannot make the knowledge base: {locked} is not writable"]
