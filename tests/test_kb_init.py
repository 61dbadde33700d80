"""Starting a knowledge base from nothing: `kb init`, the first `kb import`, and asking it, as a maintainer would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import run
from bot.kb.questions import load_questions
from conftest import clean_env, run_bot

DOCUMENT = """\
# Garden Club

The Riverside Garden Club was founded in 1987 by a group of twelve neighbours.

## Meetings

The club meets on the first Tuesday of every month in the community hall.

## Membership

Membership costs 25 euros a year and includes a seed exchange in spring.
"""


def _document(tmp_path: Path) -> Path:
    path = tmp_path / "garden-club.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


def _errors(result) -> list[str]:
    return result.stderr.decode().strip().splitlines()


def test_init_import_ask_answers_from_the_document(tmp_path):
    kb = tmp_path / "kb"
    init = run_bot(["--knowledge", str(kb), "kb", "init"], tmp_path)
    assert init.returncode == 0, init.stderr
    assert "kb import" in init.stdout.decode()  # says what to do next
    # and the hidden identity that keeps its logged questions when the folder moves
    assert {p.name for p in kb.iterdir()} == {"passages", "sources", "synonyms.yaml", "questions.yaml", ".identity"}
    assert (kb / "synonyms.yaml").read_text().startswith("# ")  # explained to whoever opens it

    empty = run_bot(["--knowledge", str(kb), "ask", "How much does membership cost?"], tmp_path)
    assert empty.returncode == 2
    assert len(_errors(empty)) == 1 and "no passages yet" in empty.stderr.decode() and "kb import" in empty.stderr.decode()
    console = run_bot(["--knowledge", str(kb)], tmp_path, stdin=b"hello\n")
    assert len(_errors(console)) == 1 and "kb import" in console.stderr.decode()

    imported = run_bot(["--knowledge", str(kb), "kb", "import", str(_document(tmp_path)), "--yes"], tmp_path)
    assert imported.returncode == 0, imported.stderr
    check = run_bot(["--knowledge", str(kb), "kb", "check", "--quick"], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr

    answer = run_bot(["--knowledge", str(kb), "ask", "How much does membership cost?"], tmp_path)
    assert answer.returncode == 0, answer.stderr
    out = answer.stdout.decode()
    assert "25 euros a year" in out and "Garden Club" in out and "garden-club-003" in out


def test_init_refuses_a_folder_that_is_not_a_knowledge_base(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_bot(["kb", "init", str(folder)], tmp_path)
    assert result.returncode == 2
    assert len(_errors(result)) == 1 and _errors(result)[0].startswith("Error: ") and "not empty" in _errors(result)[0]
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]  # nothing added to the maintainer's folder


def test_import_into_a_folder_of_other_files_is_refused_as_init_refuses_it(tmp_path, capsys):
    # It said 'papers/passages: no passage files found (... start one with kb init)', and kb init refuses that folder.
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert run(["--knowledge", str(folder), "kb", "import", str(_document(tmp_path)), "--yes"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [f"Error: {folder}: the folder is not empty and is not a knowledge base (give a new or empty "
                      "folder, so that no file of yours is mixed with the knowledge)"]
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_init_leaves_an_existing_knowledge_base_alone(tmp_path):
    kb = tmp_path / "kb"
    assert run_bot(["kb", "init", str(kb)], tmp_path).returncode == 0
    (kb / "synonyms.yaml").write_text("synonyms: [[car, automobile]]\n", encoding="utf-8")
    again = run_bot(["kb", "init", str(kb)], tmp_path)
    assert again.returncode == 0 and "already a knowledge base" in again.stdout.decode()
    assert (kb / "synonyms.yaml").read_text() == "synonyms: [[car, automobile]]\n"


def _failing_mkdir(monkeypatch, name: str, error: BaseException) -> None:
    """The file system failing (or Ctrl-C arriving) as the folder called `name` is made; the rest works."""
    import os

    real = os.mkdir

    def mkdir(path, *args, **kwargs):
        if os.path.basename(path) == name:
            raise error
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)


@pytest.mark.parametrize("existing", [False, True], ids=["new folder", "empty folder"])
@pytest.mark.parametrize("step", ["sources", "passages"])
def test_init_failing_half_way_leaves_nothing_behind_and_the_next_init_works(tmp_path, capsys, monkeypatch,
                                                                             existing, step):
    # A full disk half-way left passages/ and part of the files: init then said 'already a knowledge base' and
    # the next commands tripped on a missing questions.yaml.
    import errno
    import os

    kb = tmp_path / "new" / "kb"
    if existing:
        kb.mkdir(parents=True)
    with monkeypatch.context() as full:
        _failing_mkdir(full, step, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        assert run(["--knowledge", str(kb), "kb", "init"]) == 2
    assert capsys.readouterr().err == (f"Error: {kb}: cannot make the knowledge base: No space left on device; "
                                       "nothing was left behind\n")
    assert (sorted(kb.iterdir()) == [] if existing else not (tmp_path / "new").exists())
    assert sorted(p.name for p in tmp_path.iterdir()) == (["new"] if existing else [])
    with monkeypatch.context() as interrupted:
        _failing_mkdir(interrupted, step, KeyboardInterrupt())
        assert run(["--knowledge", str(kb), "kb", "init"]) == 130
    assert (sorted(kb.iterdir()) == [] if existing else not (tmp_path / "new").exists())
    assert run(["--knowledge", str(kb), "kb", "init"]) == 0
    assert sorted(p.name for p in kb.iterdir()) == [".identity", "passages", "questions.yaml", "sources",
                                                    "synonyms.yaml"]


def test_import_into_a_new_folder_path_starts_the_knowledge_base(tmp_path):
    kb = tmp_path / "new" / "kb"
    imported = run_bot(["--knowledge", str(kb), "kb", "import", str(_document(tmp_path)), "--yes"], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert (kb / "sources" / "garden-club.md").read_text() == DOCUMENT
    answer = run_bot(["--knowledge", str(kb), "ask", "Where does the club meet?"], tmp_path)
    assert answer.returncode == 0 and "community hall" in answer.stdout.decode()


def test_import_with_a_relative_knowledge_path_writes_inside_that_folder(tmp_path):
    # A relative --knowledge is relative to the working directory: the files go to kb/passages, not kb/kb/passages.
    _document(tmp_path)
    command = [sys.executable, "-m", "bot", "--knowledge", "kb", "kb", "import", "garden-club.md", "--yes"]
    result = subprocess.run(command, cwd=tmp_path, env=clean_env(tmp_path), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kb" / "passages" / "garden-club.yaml").is_file()
    assert (tmp_path / "kb" / "sources" / "garden-club.md").is_file() and not (tmp_path / "kb" / "kb").exists()


@pytest.mark.parametrize("saved_by", ["kb init", "a Windows editor", "a maintainer's comment"])
def test_the_first_regression_question_is_appended_to_the_questions_file_init_wrote(tmp_path, monkeypatch, saved_by):
    # `kb init` writes 'questions: []'; appending a block entry under it made YAML that does not load.
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    kb = tmp_path / "kb"
    assert run(["--knowledge", str(kb), "kb", "init"]) == 0
    if saved_by == "a Windows editor":  # a byte order mark and CRLF line ends
        (kb / "questions.yaml").write_bytes(b"\xef\xbb\xbfquestions: []\r\n")
    if saved_by == "a maintainer's comment":
        (kb / "questions.yaml").write_text("questions: [ ]   # none yet\n", encoding="utf-8")
    assert run(["--knowledge", str(kb), "kb", "import", str(_document(tmp_path)), "--yes"]) == 0
    fact = "Dues are paid in cash to the treasurer at the March meeting."
    assert run(["--knowledge", str(kb), "kb", "add", "--text", fact, "--section", "Membership",
                "--question", "How are dues paid?"]) == 0
    questions = load_questions(kb / "questions.yaml")
    assert [(q.question, q.expect_id) for q in questions] == [("How are dues paid?", "garden-club-004")]
    if saved_by == "kb init":
        assert (kb / "questions.yaml").read_text().startswith("# Regression questions")  # its comments kept
    assert run(["--knowledge", str(kb), "kb", "check"]) == 0


def test_undo_of_the_first_import_gives_back_the_empty_knowledge_base(tmp_path, monkeypatch, capsys):
    # The import says "'... --knowledge KB kb undo' removes them"; for the first one undo refused: 'no passage files found'.
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    kb = tmp_path / "kb"
    document = _document(tmp_path)
    assert run(["--knowledge", str(kb), "kb", "init"]) == 0
    assert run(["--knowledge", str(kb), "kb", "import", str(document), "--yes"]) == 0
    assert f"'python -m bot --knowledge {kb} kb undo' removes them" in capsys.readouterr().out
    assert run(["--knowledge", str(kb), "kb", "undo"]) == 0
    assert list((kb / "passages").iterdir()) == []
    said = capsys.readouterr().out  # the files the import made are removed, not 'restored'
    assert "removed passages/garden-club.yaml, sources/garden-club.md" in said and "restored" not in said
    assert run(["--knowledge", str(kb), "kb", "import", str(document), "--yes"]) == 0  # the same source id again
    assert (kb / "passages" / "garden-club.yaml").is_file()


def test_check_of_a_new_knowledge_base_does_not_count_the_bundled_evaluation_questions(tmp_path, monkeypatch, capsys):
    # eval/mongolia.yaml 'reached' garden-club-003, so check hid that no question of the maintainer's reaches it.
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    monkeypatch.chdir(tmp_path)
    kb = tmp_path / "kb"
    assert run(["--knowledge", str(kb), "kb", "import", str(_document(tmp_path)), "--yes"]) == 0
    capsys.readouterr()
    assert run(["--knowledge", str(kb), "kb", "check"]) == 0
    unreached = [line.split()[7] for line in capsys.readouterr().out.splitlines() if "no evaluation" in line]
    assert unreached == ["garden-club-001", "garden-club-002", "garden-club-003"]


def test_stats_and_list_of_a_just_initialised_knowledge_base_count_nothing_instead_of_failing(tmp_path):
    # Both exited 2 with "holds no passages yet": a maintainer's first look at a new knowledge base was an error.
    kb = tmp_path / "kb"
    assert run_bot(["kb", "init", str(kb)], tmp_path).returncode == 0
    stats = run_bot(["--knowledge", str(kb), "kb", "stats"], tmp_path)
    assert stats.returncode == 0, stats.stderr
    out = stats.stdout.decode()
    assert f"passages:   0 (import a document: python -m bot --knowledge {kb} kb import FILE --yes)" in out
    assert "sources:    0" in out and "sections:   0" in out and "regression questions: 0" in out
    listed = run_bot(["--knowledge", str(kb), "kb", "list"], tmp_path)
    assert listed.returncode == 0 and listed.stdout.decode().strip() == "0 passage(s)"
    section = run_bot(["--knowledge", str(kb), "kb", "list", "--section", "Meetings"], tmp_path)
    assert section.returncode == 1 and _errors(section) == ["Error: no section 'Meetings' (the knowledge holds no passages yet)"]
    missing = run_bot(["--knowledge", str(tmp_path / "nowhere"), "kb", "stats"], tmp_path)
    assert missing.returncode == 2 and "does not exist" in _errors(missing)[0]  # a wrong path is still an error
