"""Saved earlier versions of knowledge files (`<knowledge>/.history/NNNNNN/`), for `kb undo`.

A version is a folder holding copies of the files a change replaced and a manifest written last, so an
interrupted snapshot is never taken for a version. Manifests are checked field by field before use. A manifest
also records each file's SHA-256 as the change left it, so undo can tell a file edited by hand since (which
restoring the copy would silently throw away) and refuse.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import KnowledgeError
from .. import files as disk

HISTORY_LIMIT = 20
MANIFEST = "manifest.json"
MAX_FILE_BYTES = 64 * 1024 * 1024  # the knowledge loader's limit: no saved version can be larger
LATEST_TIME = 253_402_300_799  # 9999-12-31: a later (or infinite) time in a manifest cannot be shown
_DIGEST_CHARS = 64  # a SHA-256 in hex


def digest(data: bytes) -> str:
    """A file's content as a manifest records it (SHA-256, hex)."""
    return hashlib.sha256(data).hexdigest()


def remove_tree(folder: Path, marker: str) -> None:
    """Delete a journal or version folder, its marker file first: a half-deleted folder must not look whole."""
    with contextlib.suppress(FileNotFoundError):
        (folder / marker).unlink()
        disk.fsync_dir(folder)
    shutil.rmtree(folder, ignore_errors=True)


def relative_name(name: object) -> str:
    """A path from a manifest or journal, refused unless it is a plain relative path with no '..' in it."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"{name!r} is not a file name")
    parts = Path(name).parts
    if Path(name).is_absolute() or ".." in parts or not parts:
        raise ValueError(f"'{name}' is not a path inside the knowledge folder")
    return name


def read_manifest(folder: Path) -> dict:
    """A version's manifest, checked field by field; ValueError says what is wrong with it."""
    try:
        data = disk.parse_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError("the manifest is not UTF-8 text") from None
    except disk.JsonRefused as exc:
        raise ValueError(f"the manifest is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("the manifest is not a JSON object")
    at, reason, files = data.get("at", 0), data.get("reason", ""), data.get("files")
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not 0 <= at <= LATEST_TIME \
            or not isinstance(reason, str):
        raise ValueError("'at' must be a time in seconds and 'reason' text")
    if not isinstance(files, dict) or not files:
        raise ValueError("'files' must map file names to true or false")
    for name, existed in files.items():
        relative_name(name)
        if not isinstance(existed, bool):
            raise ValueError(f"'{name}' must map to true or false")
    written = data.get("written", {})  # absent from the manifests of older versions: nothing to compare then
    if not isinstance(written, dict) or not all(
            name in files and isinstance(value, str) and len(value) in (0, _DIGEST_CHARS) for name, value in written.items()):
        raise ValueError("'written' must map the version's file names to a SHA-256 or ''")
    return {"at": float(at), "reason": reason, "files": files, "written": written}


@dataclass(frozen=True)
class Version:
    """One saved previous version: when it was taken, why, and which files it holds."""

    name: str
    at: float
    reason: str
    files: tuple[str, ...]
    damaged: str = ""  # what is wrong with its manifest; undo refuses a damaged version
    absent: tuple[str, ...] = ()  # the files that did not exist then: undo removes them
    written: tuple[tuple[str, str], ...] = ()  # each file's SHA-256 as the change left it ('' when it deleted it)


class History:
    """The version folders under one knowledge folder's `.history`, oldest first."""

    def __init__(self, folder: Path, real_root: Path, limit: int = HISTORY_LIMIT) -> None:
        self.folder = folder
        self.real = real_root
        self.limit = limit

    def _folders(self) -> list[Path]:
        """Every numbered folder, complete or not (a symbolic link is never one)."""
        if not self.folder.is_dir() or self.folder.is_symlink():
            return []
        return sorted(p for p in self.folder.iterdir() if p.name.isdigit() and p.is_dir() and not p.is_symlink())

    def versions(self) -> list[Version]:
        """Saved previous versions, oldest first (a damaged manifest gives a version undo refuses)."""
        out = []
        for folder in self._folders():
            if not (folder / MANIFEST).exists():
                continue  # a snapshot interrupted before its manifest was written is not a version
            try:
                manifest = read_manifest(folder)
            except (OSError, ValueError) as exc:
                out.append(Version(folder.name, 0.0, "", (), damaged=str(exc) or type(exc).__name__))
                continue
            out.append(Version(folder.name, manifest["at"], manifest["reason"], tuple(manifest["files"]),
                               absent=tuple(name for name, existed in manifest["files"].items() if not existed),
                               written=tuple(manifest["written"].items())))
        return out

    def next_version(self) -> str:
        """A number after every version folder, complete or not, and after any other entry with a number for a name
        (a file, a link): no new snapshot lands in an old folder, and none is refused, half applied, by a name taken."""
        entries = self.folder.iterdir() if self.folder.is_dir() and not self.folder.is_symlink() else []
        taken = [int(p.name) for p in entries if p.name.isascii() and p.name.isdigit() and len(p.name) <= 18]
        return f"{max(taken, default=0) + 1:06d}"

    def snapshot(self, name: str, kept: dict[str, bool], reason: str, staged: Path) -> None:
        """Copy the current version of each file (or note that it did not exist) into the history, with the digest
        of what the change writes (its copy in `staged`, for each file it `kept`; '' for one it deletes)."""
        folder = self.folder / name
        folder.mkdir(parents=True, exist_ok=True)
        existed: dict[str, bool] = {}
        written = {relative: digest((staged / relative).read_bytes()) if keep else "" for relative, keep in kept.items()}
        for relative in kept:
            path = self.real / relative
            existed[relative] = path.exists()
            if existed[relative]:
                target = folder / "files" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        # The manifest is written last and atomically: it is what makes the snapshot a version.
        disk.atomic_write(folder / MANIFEST, json.dumps({"at": time.time(), "reason": reason, "files": existed,
                                                         "written": written}, indent=1))
        for old in self.versions()[: -self.limit]:
            remove_tree(self.folder / old.name, MANIFEST)

    def refuse_edited(self, version: Version, skip: str = "") -> None:
        """Refuse to restore a version whose files are no longer as its change left them (edited by hand since):
        restoring the saved copies would throw that edit away without a word (`skip`: a file undo merges instead)."""
        edited = []
        for relative, expected in (item for item in version.written if item[0] != skip):
            path = self.real / relative
            try:
                current = digest(path.read_bytes()) if path.is_file() else "" if not path.exists() else None
            except OSError:
                current = None
            if current != expected:
                edited.append(relative)
        if edited:
            raise KnowledgeError(f"{', '.join(edited)} changed since '{version.reason}' (edited by hand?): undo would "
                                 "throw that away; nothing was changed", self.real,
                                 hint="keep a copy of the edit, then 'python -m bot kb undo --force' goes back anyway")

    def saved_copy(self, folder: Path, relative: str) -> bytes:
        """A file kept in a version folder: a regular file inside that folder, within the size limit."""
        kept = (folder / "files").resolve()
        path = folder / "files" / relative
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or not path.resolve().is_relative_to(kept):
                raise KnowledgeError("the saved copy is not a regular file in the version folder; nothing was changed",
                                     path, hint=f"remove the folder {folder} to skip that version")
            if info.st_size > MAX_FILE_BYTES:
                raise KnowledgeError("the saved copy is over the 64 MB limit; nothing was changed", path)
            with open(path, "rb") as handle:
                return handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise KnowledgeError(f"cannot read the saved copy: {exc.strerror or exc}; nothing was changed", path,
                                 hint=f"remove the folder {folder} to skip that version") from None
