"""Durable file writes shared by the knowledge store and the saved index: one atomic writer, fsynced."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from .errors import KnowledgeError


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Replace a file in one step (temporary file beside it, fsync, rename), so a reader or a crash never sees
    half a file; raises OSError with the old file unchanged."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp_name, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_dir(path.parent)


def atomic_write(path: Path, content: str | bytes | Iterable[str]) -> None:
    """Replace a knowledge file atomically; a failure is a KnowledgeError saying the file is unchanged."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KnowledgeError(f"cannot create the folder: {exc.strerror or exc}", path.parent) from None

    def write(handle: BinaryIO) -> None:
        for chunk in [content] if isinstance(content, (str, bytes)) else content:
            handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)

    try:
        write_atomically(path, write)
    except OSError as exc:
        raise KnowledgeError(f"cannot write the file: {exc.strerror or exc}; it is unchanged", path,
                             hint="check free disk space and that the knowledge folder is writable") from None


def fsync_dir(folder: Path) -> None:
    """Make a rename or deletion itself durable (a no-op where directories cannot be opened)."""
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
