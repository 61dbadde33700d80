"""A knowledge base's identity in the question log: made once inside the folder, kept when the folder moves,
new for a copy, and never written where it should not be (a JSON-lines file, a folder that is no knowledge)."""

from __future__ import annotations

import errno
import json
import os
import shutil

import pytest

from bot.cli.main import run
from bot.kb.identity import MAX_REMEMBERED_PATHS, identify
from conftest import write_knowledge


def test_the_identity_is_made_once_and_kept_when_the_folder_moves(tmp_path):
    old = write_knowledge(tmp_path / "kb")
    first = identify(old)
    assert first.tag.startswith("kb-") and first.earlier == (str(old),)
    assert identify(old) == first  # read back, not made again
    new = tmp_path / "moved" / "renamed"
    new.parent.mkdir()
    shutil.move(old, new)
    moved = identify(new)
    assert moved.tag == first.tag and moved.earlier == (str(old), str(new))
    assert json.loads((new / ".identity").read_text(encoding="utf-8"))["paths"] == [str(old), str(new)]


def test_a_copy_beside_the_original_gets_an_identity_of_its_own(tmp_path):
    original = write_knowledge(tmp_path / "kb")
    tag = identify(original).tag
    copy = tmp_path / "kb-copy"
    shutil.copytree(original, copy)
    assert identify(copy).tag not in ("", tag)
    assert identify(original).tag == tag  # the original keeps its history


def test_a_relative_path_is_remembered_as_the_absolute_one(tmp_path, monkeypatch):
    write_knowledge(tmp_path / "kb")
    monkeypatch.chdir(tmp_path)
    assert identify("kb").earlier == (str(tmp_path / "kb"),)


def test_a_jsonl_file_or_a_folder_that_is_no_knowledge_is_tagged_with_its_path_and_left_alone(tmp_path):
    lines = tmp_path / "facts.jsonl"
    lines.write_text('{"id": "a-1", "text": "Takhi horses live in Hustai."}\n', encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert identify(lines).tag == str(lines) and identify(empty).tag == str(empty)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "facts.jsonl"]  # `kb init` still takes `empty`
    assert list(empty.iterdir()) == []


def test_a_damaged_identity_file_is_reported_and_never_replaced(tmp_path, caplog):
    folder = write_knowledge(tmp_path / "kb")
    (folder / ".identity").write_text("not json", encoding="utf-8")
    assert identify(folder).tag == str(folder)  # the path, as before identities: its rows are still found
    assert (folder / ".identity").read_text(encoding="utf-8") == "not json"
    assert "not a knowledge identity file" in caplog.text


@pytest.mark.parametrize("target", ["nothing", "a file"])
def test_an_identity_linked_elsewhere_is_reported_and_never_written_through(tmp_path, capsys, caplog, monkeypatch,
                                                                             target):
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    # A dangling link made every start recurse until Python gave up (a traceback, no bot); one to a file read
    # another folder's identity and replaced the link with a copy of it when the path was remembered.
    folder = write_knowledge(tmp_path / "kb")
    elsewhere = tmp_path / "elsewhere.json"
    if target == "a file":
        elsewhere.write_text(json.dumps({"id": "kb-elsewhere", "paths": ["/somewhere/else"]}), encoding="utf-8")
    (folder / ".identity").symlink_to(elsewhere)
    before = elsewhere.read_bytes() if target == "a file" else None
    assert run(["--knowledge", str(folder), "ask", "Where do takhi horses live?"]) == 0
    assert "Hustai National Park" in capsys.readouterr().out
    assert "a symbolic link where the knowledge identity file is expected" in caplog.text
    assert identify(folder).tag == str(folder)  # its questions are logged under the folder's path, as before ids
    assert (folder / ".identity").is_symlink()
    assert (elsewhere.read_bytes() if target == "a file" else elsewhere.exists()) == (before or False)


def test_a_folder_seen_at_ever_new_paths_remembers_a_bounded_number(tmp_path):
    folder = write_knowledge(tmp_path / "kb-0")
    tag = identify(folder).tag
    for n in range(1, MAX_REMEMBERED_PATHS + 5):
        folder = folder.rename(tmp_path / f"kb-{n}")
        assert identify(folder).tag == tag
    paths = json.loads((folder / ".identity").read_text(encoding="utf-8"))["paths"]
    assert len(paths) == MAX_REMEMBERED_PATHS and paths[0] == str(tmp_path / "kb-0")  # where the old rows were
    assert identify(folder).earlier[-1] == str(folder) and os.path.isdir(folder)


def test_a_file_system_without_hard_links_still_gets_an_identity(tmp_path, monkeypatch):
    folder = write_knowledge(tmp_path / "kb")

    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)  # as on vfat or some network shares
    tag = identify(folder).tag
    assert tag.startswith("kb-") and identify(folder).tag == tag
    assert sorted(p.name for p in folder.iterdir()) == [".identity", "passages"]  # no temporary file left behind


def test_a_folder_whose_name_is_not_utf8_gets_an_identity_and_its_questions_are_logged(tmp_path):
    # A knowledge folder named in Latin-1 ('kbé') made kb init, every ask and the console end in a UnicodeEncodeError
    # traceback: its path, undecodable, went into the identity file's UTF-8 and the log's tags.
    from conftest import run_bot

    kb = tmp_path / os.fsdecode(b"kb\xe9")
    document = tmp_path / "club.md"
    document.write_text("# Club\n\nMembership of the club costs 25 euros a year.\n", encoding="utf-8")
    for argv in (["kb", "init"], ["kb", "import", str(document), "--yes"], ["ask", "How much is membership?"]):
        result = run_bot(["--knowledge", str(kb), *argv], tmp_path)
        assert result.returncode == 0 and result.stderr == b"", result.stderr
    assert b"25 euros" in result.stdout
    assert json.loads((kb / ".identity").read_text(encoding="utf-8"))["paths"] == [str(tmp_path) + "/kb\\xe9"]
    assert identify(kb).tag == json.loads((kb / ".identity").read_text(encoding="utf-8"))["id"]
