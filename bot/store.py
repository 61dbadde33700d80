"""Safe writes of knowledge files: a file lock around read-modify-write, atomic replacement, undo history.

Every change goes through `KnowledgeStore.transaction()`: it takes an exclusive `fcntl.flock` on
`<knowledge>/.lock` (so concurrent `kb add` runs queue instead of overwriting each other), and
`commit()` first copies the current version of every file it touches into
`<knowledge>/.history/NNNNNN/` (bounded to the last `history_limit` versions) and then writes each
file to a temporary file in the same folder, fsyncs it and renames it over the old one. A crash
at any point leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import KnowledgeError

HISTORY_LIMIT = 20
LOCK_NAME = ".lock"
HISTORY_NAME = ".history"
MANIFEST = "manifest.json"

Content = str | bytes | Iterable[str] | None  # None deletes the file


def atomic_write(path: Path, content: str | bytes | Iterable[str]) -> None:
    """Replace a file in one step: write a temporary file beside it, fsync, rename over the old one."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KnowledgeError(f"cannot create the folder: {exc.strerror or exc}", path.parent) from None
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            chunks = [content] if isinstance(content, (str, bytes)) else content
            for chunk in chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp_name, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise KnowledgeError(f"cannot write the file: {exc.strerror or exc}; it is unchanged", path,
                                 hint="check free disk space and that the knowledge folder is writable") from None
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Version:
    """One saved previous version: when it was taken, why, and which files it holds."""

    name: str
    at: float
    reason: str
    files: tuple[str, ...]


class KnowledgeStore:
    """Locked, atomic, undoable writes to the files of one knowledge folder."""

    def __init__(self, root: Path | str, history_limit: int = HISTORY_LIMIT, timeout: float = 30.0) -> None:
        self.root = Path(root)
        self.history = self.root / HISTORY_NAME
        self.history_limit = history_limit
        self.timeout = timeout
        if not self.root.is_dir():
            raise KnowledgeError("knowledge folder does not exist", self.root,
                                 hint="maintainers' commands edit a knowledge folder, not a JSON-lines file")

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Transaction"]:
        """Hold the knowledge lock while reading, changing and committing files."""
        with self._locked():
            yield Transaction(self)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            handle = open(self.root / LOCK_NAME, "a")
        except OSError as exc:
            raise KnowledgeError(f"cannot open the lock file: {exc.strerror or exc}", self.root / LOCK_NAME,
                                 hint="make the knowledge folder writable") from None
        with handle:
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise KnowledgeError("another maintainer's command holds the knowledge lock",
                                             self.root / LOCK_NAME, hint="wait for it to finish and try again") from None
                    time.sleep(0.02)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def versions(self) -> list[Version]:
        """Saved previous versions, oldest first."""
        out = []
        if not self.history.is_dir():
            return out
        for folder in sorted(p for p in self.history.iterdir() if p.is_dir() and p.name.isdigit()):
            try:
                manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a snapshot interrupted before its manifest was written is not a version
            out.append(Version(folder.name, float(manifest.get("at", 0)), str(manifest.get("reason", "")),
                               tuple(manifest.get("files", {}))))
        return out

    def _snapshot(self, paths: Iterable[Path], reason: str) -> None:
        """Copy the current version of each file (or note that it did not exist) into the history."""
        existing = self.versions()
        number = int(existing[-1].name) + 1 if existing else 1
        folder = self.history / f"{number:06d}"
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[str, bool] = {}
        for path in paths:
            relative = str(Path(path).resolve().relative_to(self.root.resolve()))
            files[relative] = Path(path).exists()
            if files[relative]:
                target = folder / "files" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        # The manifest is written last and atomically: it is what makes the snapshot a version.
        atomic_write(folder / MANIFEST, json.dumps({"at": time.time(), "reason": reason, "files": files}, indent=1))
        for old in self.versions()[: -self.history_limit]:
            shutil.rmtree(self.history / old.name, ignore_errors=True)

    def undo(self) -> Version:
        """Restore the files of the latest saved version and drop it from the history."""
        with self._locked():
            versions = self.versions()
            if not versions:
                raise KnowledgeError("there is no earlier version to go back to", self.history,
                                     hint="undo restores what the last kb add, edit, remove or import changed")
            latest = versions[-1]
            folder = self.history / latest.name
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            for relative, existed in manifest["files"].items():
                path = self.root / relative
                if existed:
                    atomic_write(path, (folder / "files" / relative).read_bytes())
                elif path.exists():
                    path.unlink()
            shutil.rmtree(folder, ignore_errors=True)
            return latest


class Transaction:
    """Changes staged while the lock is held; `commit` snapshots, then writes them atomically."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self.changes: dict[Path, Content] = {}

    def write(self, path: Path, content: Content) -> None:
        """Stage new content for a file (None deletes it)."""
        self.changes[Path(path)] = content

    def commit(self, reason: str) -> None:
        """Keep the previous versions for undo, then replace each changed file atomically."""
        if not self.changes:
            return
        self.store._snapshot(self.changes, reason)
        for path, content in self.changes.items():
            if content is None:
                if path.exists():
                    path.unlink()
            else:
                atomic_write(path, content)
        self.changes = {}
