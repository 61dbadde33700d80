"""The bounded JSON parser every JSON reader shares (console input, JSON-lines knowledge, journal, manifests), and
the atomic writer: a file system that refuses a write gives the named error and leaves the old file."""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from bot.errors import KnowledgeNotWritable
from bot.files import MAX_NUMBER_DIGITS, JsonNumberTooLong, JsonRefused, atomic_write, parse_json
from conftest import as_a_user_who_cannot_write


def test_numbers_up_to_the_limit_are_read_and_longer_ones_refused_before_conversion():
    assert parse_json('{"n": ' + "9" * MAX_NUMBER_DIGITS + "}") == {"n": int("9" * MAX_NUMBER_DIGITS)}
    with pytest.raises(JsonNumberTooLong, match=f"a number has {MAX_NUMBER_DIGITS + 1} digits"):
        parse_json("[" + "9" * (MAX_NUMBER_DIGITS + 1) + "]")
    with pytest.raises(JsonNumberTooLong, match="5000 digits"):  # int() itself would raise past 4,300
        parse_json("9" * 5000)


def test_deep_nesting_and_malformed_json_are_refused_with_a_short_phrase_and_the_position():
    with pytest.raises(JsonRefused, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(JsonRefused) as error:
        parse_json('{"text": }')
    assert error.value.msg == "Expecting value" and str(error.value) == "Expecting value: line 1 column 10 (char 9)"
    assert parse_json('{"x": 1e99999}') == {"x": float("inf")}  # floats do not go through int()


# -- the atomic writer: a file system that refuses is the named error, and the old file stays ----------------

def test_a_full_disk_is_the_named_error_in_one_line_and_the_old_file_stays(tmp_path, monkeypatch):
    target = tmp_path / "facts.yaml"
    target.write_text("the original\n", encoding="utf-8")

    def full(fd):  # the file system reports the full disk when the written blocks are flushed
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(KnowledgeNotWritable) as error:
        atomic_write(target, "the new content\n")
    monkeypatch.undo()
    assert str(error.value) == (f"{target}: cannot write the file: No space left on device; it is unchanged "
                                "(check free disk space and that the knowledge folder is writable)")
    assert target.read_text(encoding="utf-8") == "the original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.yaml"]  # no temporary file left


def test_a_folder_that_cannot_be_made_is_the_named_error(tmp_path):
    (tmp_path / "passages").write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(KnowledgeNotWritable, match="cannot create the folder"):
        atomic_write(tmp_path / "passages" / "facts.yaml", "text\n")


def test_a_read_only_folder_is_the_named_error_and_the_old_file_stays(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="factbot-ro-"))  # one every user may read: pytest's are the owner's only
    try:
        target = folder / "facts.yaml"
        target.write_text("the original\n", encoding="utf-8")
        target.chmod(0o444)
        folder.chmod(0o555)
        script = ("from pathlib import Path\nfrom bot.errors import KnowledgeNotWritable\nfrom bot.files import atomic_write\n"
                  f"try:\n    atomic_write(Path({str(target)!r}), 'the new content')\n"
                  "except KnowledgeNotWritable as exc:\n    print(exc)\n")
        result = as_a_user_who_cannot_write([sys.executable, "-c", script])
        assert (result.returncode, result.stderr) == (0, b""), result.stderr
        assert result.stdout.decode() == (f"{target}: cannot write the file: Permission denied; it is unchanged "
                                          "(check free disk space and that the knowledge folder is writable)\n")
        assert target.read_text(encoding="utf-8") == "the original\n"
        assert sorted(p.name for p in folder.iterdir()) == ["facts.yaml"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
