"""Path escapes: `kb undo` and `kb add` touch only files inside the knowledge folder, whatever a manifest or a
symbolic link says. (To be merged into tests/test_security.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli.main import run

ROOT = Path(__file__).resolve().parent.parent
NEW_FACT = "Mongolia opened a NATO liaison office in Ulaanbaatar in 2031."


@pytest.fixture
def kb(tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the shipped knowledge, with a folder of files outside it that must never change."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder, ignore=shutil.ignore_patterns(".index", ".history", ".lock"))
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("must survive\n", encoding="utf-8")
    (outside / "secret.txt").write_text("a secret that must not be copied in\n", encoding="utf-8")
    return folder


def kbrun(kb: Path, *argv: str) -> int:
    return run(["--knowledge", str(kb), "kb", *argv])


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every file and link under a folder with its content (or link target), to compare before and after."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            out[name] = f"-> {path.readlink()}"
        elif path.is_file() and path.name != ".lock":
            out[name] = path.read_bytes()
    return out


def one_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def version(kb: Path, capsys) -> Path:
    """One saved version (from a real kb add) whose manifest the tests then tamper with."""
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    capsys.readouterr()
    [folder] = (kb / ".history").iterdir()
    return folder


def tamper(folder: Path, files: dict, copies: dict[str, bytes] | None = None) -> None:
    (folder / "manifest.json").write_text(json.dumps({"at": 1.0, "reason": "add x", "files": files}), encoding="utf-8")
    for name, data in (copies or {}).items():
        target = folder / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.mark.parametrize("files", [
    {"../outside/victim.txt": False},                        # deletes a file next to the knowledge folder
    {"passages/../../outside/victim.txt": True},             # overwrites it with the saved copy
    {"PLACEHOLDER_ABSOLUTE": False},                          # an absolute path
    {"questions.yaml": True, "../outside/victim.txt": False},  # one bad entry among good ones
    {".history/000001/manifest.json": False},                 # the store's own files
])
def test_undo_refuses_a_manifest_path_out_of_the_folder_and_touches_nothing(kb, version, capsys, files):
    victim = kb.parent / "outside" / "victim.txt"
    files = {str(victim) if k == "PLACEHOLDER_ABSOLUTE" else k: v for k, v in files.items()}
    tamper(version, files, {"../../outside/victim.txt": b"overwritten\n", "questions.yaml": b"questions: []\n"})
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    assert "nothing was changed" in one_error(capsys)
    assert tree(kb.parent) == before
    assert victim.read_text(encoding="utf-8") == "must survive\n"


def test_undo_does_not_write_through_a_symlink_out_of_the_folder(kb, version, capsys):
    (kb / "passages" / "link.yaml").symlink_to(kb.parent / "outside" / "victim.txt")
    tamper(version, {"passages/link.yaml": True}, {"passages/link.yaml": b"overwritten\n"})
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    assert "leads out of the knowledge folder" in one_error(capsys)
    assert tree(kb.parent) == before


def test_undo_does_not_write_through_a_symlinked_folder(kb, version, capsys):
    (kb / "linked").symlink_to(kb.parent / "outside")
    tamper(version, {"linked/victim.txt": False})
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    one_error(capsys)
    assert tree(kb.parent) == before


def test_undo_does_not_copy_in_a_file_the_saved_version_links_to(kb, version, capsys):
    saved = version / "files" / "questions.yaml"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.symlink_to(kb.parent / "outside" / "secret.txt")
    tamper(version, {"questions.yaml": True})
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    assert "not a regular file" in one_error(capsys)
    assert tree(kb.parent) == before
    assert b"secret" not in (kb / "questions.yaml").read_bytes()


@pytest.mark.parametrize("manifest", [
    "{not json",
    "[1, 2]",
    '{"at": 1, "reason": "x", "files": 5}',
    '{"at": 1, "reason": "x", "files": {"questions.yaml": "yes"}}',
    '{"at": "noon", "reason": "x", "files": {"questions.yaml": true}}',
    '{"at": 1e999, "reason": "x", "files": {"questions.yaml": true}}',
    '{"at": 1, "reason": "x", "files": {}}',
    '{"at": 1, "reason": "x", "files": {"": true}}',
    '{"at": ' + "9" * 5000 + ', "reason": "x", "files": {"questions.yaml": true}}',
    "[" * 100_000,
    b"\xff\xfe".decode("latin-1"),
])
def test_a_malformed_manifest_is_one_error_line_and_touches_nothing(kb, version, capsys, manifest):
    (version / "manifest.json").write_text(manifest, encoding="utf-8" if manifest.isascii() else "latin-1")
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    assert "damaged" in one_error(capsys)
    assert tree(kb.parent) == before


def test_add_into_a_passages_file_linked_out_of_the_folder_is_one_error_and_writes_nothing(kb, capsys):
    outside = kb.parent / "outside" / "other.yaml"
    outside.write_text("source:\n  id: other\n  title: Other\npassages:\n- id: other-001\n  section: S\n"
                       "  text: A fact kept in a file outside the knowledge folder.\n", encoding="utf-8")
    (kb / "passages" / "other.yaml").symlink_to(outside)
    before = tree(kb.parent)
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "S", "--source", "other") == 2
    assert "knowledge folder" in one_error(capsys)
    assert tree(kb.parent) == before
    assert not (kb / ".history").exists() and not (kb / ".journal").exists()


def test_add_into_a_passages_file_linked_inside_the_folder_writes_the_real_file(kb, capsys):
    real = kb / "kept" / "relations.yaml"
    real.parent.mkdir()
    (kb / "passages" / "relations-with-mongolia.yaml").rename(real)
    (kb / "passages" / "relations-with-mongolia.yaml").symlink_to(real)
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    assert (kb / "passages" / "relations-with-mongolia.yaml").is_symlink()  # the link is kept, its file changed
    assert NEW_FACT in real.read_text(encoding="utf-8")
    assert kbrun(kb, "undo") == 0
    assert NEW_FACT not in real.read_text(encoding="utf-8")
