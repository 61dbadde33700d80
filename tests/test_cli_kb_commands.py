"""Every kb command that changes the knowledge, when it cannot: the lock held by another command, a full disk, a
file system that fails half-way. Each is one `Error:` line with the README's exit code, and no data is lost."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import filelock
import pytest

from bot.kb.load import load_knowledge
from bot.querylog import Storage
from test_cli_kb import NEW_FACT, DOCUMENT, Terminal, editor_script, kb, kbrun, knowledge_bytes, new_id  # noqa: F401

LOGGED = "Where is the liaison office?"

CHANGES = {  # every command that writes the knowledge, as a maintainer types it
    "add": ["add", "--text", NEW_FACT, "--section", "Wider cooperation"],
    "edit": ["edit", "mongolia-003", "--text", "NATO and Mongolia have talked since 2005."],
    "remove": ["remove", "mongolia-003"],
    "undo": ["undo"],
    "import": ["import", "DOCUMENT", "--yes"],
    "unanswered --add": ["unanswered", "--add", LOGGED, "--text", "The NATO liaison office is in Ulaanbaatar.",
                         "--section", "Wider cooperation"],
}


@pytest.fixture
def ready(kb: Path, tmp_path: Path, capsys) -> Path:
    """The copied knowledge with a version to undo, a logged question to add, and a document to import."""
    assert kbrun(kb, "add", "--text", "Mongolia sent observers to a NATO summit in 2030.", "--section",
                 "Wider cooperation") == 0
    storage = Storage(tmp_path / "log.sqlite3")
    storage.log_question("telegram", "42", LOGGED, False, "unknown", 0.05)
    storage.close()  # written now, not by the writer thread within its 0.1 s
    (tmp_path / "japan.md").write_text(DOCUMENT, encoding="utf-8")
    capsys.readouterr()
    return kb


def _argv(name: str, tmp_path: Path) -> list[str]:
    return [str(tmp_path / "japan.md") if a == "DOCUMENT" else a for a in CHANGES[name]]


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    return err


# -- another command holds the lock ----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_change_exits_2_with_one_line_while_another_command_holds_the_lock(ready, tmp_path, capsys,
                                                                                   monkeypatch, name):
    monkeypatch.setattr("bot.kb.store.LOCK_WAIT_SECONDS", 0.2)
    before = knowledge_bytes(ready)
    with filelock.FileLock(ready / ".lock"):  # another maintainer's command, mid-change
        assert kbrun(ready, *_argv(name, tmp_path)) == 2  # undo exited 1 here
    err = _one_error_line(capsys)
    assert err == (f"Error: {ready / '.lock'}: another maintainer's command has held the knowledge lock for 0.2 s; "
                   "nothing was changed (wait for it to finish and try again)\n")
    assert knowledge_bytes(ready) == before and not (ready / ".journal").exists()
    assert kbrun(ready, *_argv(name, tmp_path)) == 0  # once it is free, the same command goes through


def test_the_editor_keeps_the_edit_and_exits_2_while_another_command_holds_the_lock(ready, tmp_path, capsys,
                                                                                    monkeypatch):
    monkeypatch.setattr("bot.kb.store.LOCK_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setenv("VISUAL", editor_script(tmp_path, "p.write_text(p.read_text().replace('2005', '2006'))"))
    before = knowledge_bytes(ready)
    with filelock.FileLock(ready / ".lock"):
        assert kbrun(ready, "edit", "mongolia-003") == 2  # it exited 1, as a refused passage
    err = _one_error_line(capsys)
    assert "held the knowledge lock" in err and "your edit is kept in " in err
    kept = Path(err.split("your edit is kept in ", 1)[1].split(" (")[0])
    assert "2006" in kept.read_text(encoding="utf-8")
    kept.unlink()
    assert knowledge_bytes(ready) == before


@pytest.mark.parametrize("argv", [["list"], ["show", "mongolia-003"], ["stats"], ["check", "--quick"]])
def test_commands_that_only_read_do_not_wait_for_the_lock(ready, capsys, monkeypatch, argv):
    monkeypatch.setattr("bot.kb.store.LOCK_WAIT_SECONDS", 0.2)
    with filelock.FileLock(ready / ".lock"):
        assert kbrun(ready, *argv) == 0
    assert capsys.readouterr().err == ""


# -- the disk fills up ---------------------------------------------------------------------------------------

def _full_disk(monkeypatch, where: Path, outside_journal: bool = False) -> None:
    """Every file written under `where` (only the knowledge files themselves, with `outside_journal`) fails at its
    rename as a full file system fails it; the rest of the machine works."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        target = Path(dst).resolve()
        if target.is_relative_to(where.resolve()) and not (outside_journal and ".journal" in target.parts):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_change_on_a_full_disk_is_one_line_exit_2_and_changes_nothing(ready, tmp_path, capsys, monkeypatch,
                                                                            name):
    before, versions = knowledge_bytes(ready), sorted((ready / ".history").iterdir())
    with monkeypatch.context() as full:
        _full_disk(full, ready)
        assert kbrun(ready, *_argv(name, tmp_path)) == 2  # undo exited 1
    err = _one_error_line(capsys)
    assert "No space left on device; it is unchanged (check free disk space" in err, err
    assert knowledge_bytes(ready) == before and not (ready / ".journal").exists()
    assert sorted((ready / ".history").iterdir()) == versions
    assert kbrun(ready, *_argv(name, tmp_path)) == 0


def test_a_disk_filling_up_after_the_change_was_decided_loses_nothing(ready, tmp_path, capsys, monkeypatch):
    with monkeypatch.context() as full:
        _full_disk(full, ready, outside_journal=True)  # the change is staged and decided; then the disk fills
        assert kbrun(ready, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 2
    err = _one_error_line(capsys)
    assert "was interrupted" in err and "No space left on device" in err and "kb check" in err, err
    assert kbrun(ready, "check", "--quick") == 0  # completes it, as the error says
    assert f"completed the interrupted change 'add {new_id(2)}'" in capsys.readouterr().err
    assert load_knowledge(ready).by_id(new_id(2)).text == NEW_FACT
    assert kbrun(ready, "undo") == 0 and load_knowledge(ready).by_id(new_id(2)) is None


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_change_refuses_a_history_folder_linked_elsewhere_and_writes_nothing_there(ready, tmp_path, capsys,
                                                                                         name):
    # A linked .history had every change save its versions in the folder the link named, outside the knowledge.
    elsewhere = tmp_path / "elsewhere"
    (ready / ".history").rename(elsewhere)
    (ready / ".history").symlink_to(elsewhere, target_is_directory=True)
    before, saved = knowledge_bytes(ready), sorted(p for p in elsewhere.rglob("*"))
    assert kbrun(ready, *_argv(name, tmp_path)) == 2
    err = _one_error_line(capsys)
    assert err.startswith(f"Error: {ready.resolve() / '.history'}: a symbolic link where a folder is expected"), err
    assert knowledge_bytes(ready) == before and sorted(p for p in elsewhere.rglob("*")) == saved
    assert not (ready / ".journal").exists()


@pytest.mark.parametrize("name", sorted(CHANGES))
@pytest.mark.parametrize("target", ["a file", "nothing"])
def test_every_change_refuses_a_lock_file_linked_elsewhere_and_never_opens_what_it_names(ready, tmp_path, capsys,
                                                                                        name, target):
    # An older filelock opens the lock with O_TRUNC through a link: the file it named was emptied (or created).
    elsewhere = tmp_path / "elsewhere.txt"
    if target == "a file":
        elsewhere.write_text("someone's notes\n", encoding="utf-8")
    (ready / ".lock").unlink()
    (ready / ".lock").symlink_to(elsewhere)
    before = knowledge_bytes(ready)
    assert kbrun(ready, *_argv(name, tmp_path)) == 2
    err = _one_error_line(capsys)
    assert err.startswith(f"Error: {ready / '.lock'}: a symbolic link where the lock file is expected"), err
    assert "remove the link" in err and knowledge_bytes(ready) == before and not (ready / ".journal").exists()
    if target == "a file":
        assert elsewhere.read_text(encoding="utf-8") == "someone's notes\n"
    else:
        assert not elsewhere.exists() and not elsewhere.is_symlink()


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_journal_linked_elsewhere_is_dropped_as_an_unsaved_change_and_nothing_there_is_written(ready, tmp_path,
                                                                                                capsys, name):
    # The journal holds staged copies: a linked one would stage (and remove) them where it points.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "journal.json").write_text('{"reason": "not ours", "files": {"passages/x.yaml": false}}\n',
                                            encoding="utf-8")
    (ready / ".journal").symlink_to(elsewhere, target_is_directory=True)
    saved = {p: p.read_bytes() for p in elsewhere.rglob("*")}
    assert kbrun(ready, *_argv(name, tmp_path)) == 0
    assert "rolled back an interrupted change that had not been saved" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in elsewhere.rglob("*")} == saved  # the link went, never what it named
    assert not (ready / ".journal").exists() and not (ready / ".journal").is_symlink()


# -- a knowledge file broken before the command ----------------------------------------------------------

@pytest.mark.parametrize("name", ["add", "edit", "remove", "import"])
def test_a_questions_file_broken_before_a_change_is_its_own_error_exit_2(ready, tmp_path, capsys, name):
    # It was "nothing was saved: the change would break the knowledge", exit 1, as if the change were at fault.
    questions = ready / "questions.yaml"
    questions.write_text(questions.read_text(encoding="utf-8") + "- q: 'unclosed\n", encoding="utf-8")
    before = knowledge_bytes(ready)
    assert kbrun(ready, *_argv(name, tmp_path)) == 2
    err = _one_error_line(capsys)
    assert err.startswith(f"Error: {questions}, line ") and "invalid YAML" in err and "would break" not in err, err
    assert knowledge_bytes(ready) == before


# -- undo and a hand edit ------------------------------------------------------------------------------------

def test_undo_after_a_hand_edit_is_refused_in_one_line_and_force_goes_back(ready, capsys):
    # The hand edit was overwritten with the version before the last kb change, and that version then dropped.
    passages = ready / "passages" / "relations-with-mongolia.yaml"
    passages.write_text(passages.read_text(encoding="utf-8").replace("since 2005", "since 2004"), encoding="utf-8")
    edited = knowledge_bytes(ready)
    assert kbrun(ready, "undo") == 1
    err = _one_error_line(capsys)
    assert err == (f"Error: {ready.resolve()}: passages/relations-with-mongolia.yaml changed since 'add {new_id(1)}' "
                   "(edited by hand?): undo would throw that away; nothing was changed (keep a copy of the edit, then "
                   "'python -m bot kb undo --force' goes back anyway)\n")
    assert knowledge_bytes(ready) == edited
    assert kbrun(ready, "undo", "--force") == 0
    assert load_knowledge(ready).by_id(new_id(1)) is None and "since 2004" not in passages.read_text(encoding="utf-8")


# -- Ctrl-C half-way through a change ---------------------------------------------------------------------

def _ctrl_c_at(monkeypatch, hit) -> None:
    """Ctrl-C arriving as the file for which `hit(path)` is true is renamed into place."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if hit(Path(dst)):
            raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def test_ctrl_c_while_an_import_is_staged_leaves_the_knowledge_as_it_was(ready, tmp_path, capsys, monkeypatch):
    before = knowledge_bytes(ready)
    with monkeypatch.context() as interrupted:
        _ctrl_c_at(interrupted, lambda path: ".journal" in path.parts and path.name == "japan.yaml")
        assert kbrun(ready, *_argv("import", tmp_path)) == 130
    assert capsys.readouterr().err == ("Interrupted: nothing is left half changed (the next kb command completes a "
                                       "change already decided).\n")
    assert knowledge_bytes(ready) == before and not (ready / ".journal").exists()
    assert kbrun(ready, "check", "--quick") == 0


def test_ctrl_c_after_an_import_was_decided_is_completed_by_the_next_command(ready, tmp_path, capsys, monkeypatch):
    with monkeypatch.context() as interrupted:
        _ctrl_c_at(interrupted, lambda path: path == ready / "passages" / "japan.yaml")
        assert kbrun(ready, *_argv("import", tmp_path)) == 130
    capsys.readouterr()
    assert kbrun(ready, "list") == 0  # never half an import: the next command completes it
    captured = capsys.readouterr()
    assert "completed the interrupted change 'import japan'" in captured.err
    assert "japan-002" in captured.out and (ready / "sources" / "japan.md").is_file()
    assert kbrun(ready, "undo") == 0 and not (ready / "passages" / "japan.yaml").exists()


def test_an_import_with_a_file_where_sources_goes_is_refused_whole(ready, tmp_path, capsys):
    # The import was decided, then its document could not be kept: half an import, and every later command failed.
    for document in (ready / "sources").iterdir():
        document.unlink()
    (ready / "sources").rmdir()
    (ready / "sources").write_text("not a folder", encoding="utf-8")
    before = knowledge_bytes(ready)
    assert kbrun(ready, *_argv("import", tmp_path)) == 2
    assert _one_error_line(capsys) == (f"Error: {(ready / 'sources').resolve()}: a file where a folder is expected; "
                                       "nothing was changed (move it out of the knowledge folder, or remove it)\n")
    assert knowledge_bytes(ready) == before and not (ready / ".journal").exists()
    assert kbrun(ready, "check", "--quick") == 0
