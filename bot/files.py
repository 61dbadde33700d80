"""Files read and written safely: bounded reading of regular files only (never a FIFO or device), one atomic
writer, fsynced, shared by the knowledge store and the saved index, and one bounded JSON parser for what
comes from outside (JSON-lines input and knowledge, the store's journal and history manifests)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable

from .errors import KnowledgeError, KnowledgeNotWritable

MAX_FILE_BYTES = 64 * 1024 * 1024

MAX_NUMBER_DIGITS = 100  # no field needs a longer number; int() of 4,301+ digits raises, and big ones cost time

TOO_DEEP = "nested too deeply"

# How much older than the clock a file's mtime and ctime must be before a record of its stat may stand for its
# bytes (snapshot_key.py says why): more than a coarse file system's tick (FAT's 2 s) and the lag of the
# kernel's timestamp clock behind time.time_ns. Used for the knowledge files and the saved arrays alike.
SETTLED_NS = 5_000_000_000


def yaml_safe_loader() -> type:
    """PyYAML's safe loader: libyaml's when PyYAML was built with it (a 50 MB passages file in seconds, not
    minutes), else the pure-Python one; both give the same nodes and lines. yaml is imported on first use."""
    import yaml

    return yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


def yaml_too_deep(problem: str) -> bool:
    """Whether a YAML error is libyaml's nesting limit (the pure-Python parser raises RecursionError there)."""
    return "nesting depth" in problem


class JsonRefused(ValueError):
    """JSON that parse_json refuses: str() is the whole reason (with the position), `msg` the short phrase."""

    def __init__(self, message: str, msg: str | None = None) -> None:
        super().__init__(message)
        self.msg = msg or message


class JsonNumberTooLong(JsonRefused):
    """A JSON number longer than any field needs (refused before int() is asked to convert it)."""


def parse_json(text: str) -> Any:
    """json.loads for text from outside, refusing with JsonRefused what would otherwise raise something else or
    cost time: numbers of over MAX_NUMBER_DIGITS digits, nesting deeper than Python's stack, malformed JSON."""
    try:
        return json.loads(text, parse_int=_bounded_int)
    except JsonRefused:
        raise
    except json.JSONDecodeError as exc:
        raise JsonRefused(str(exc), exc.msg) from None
    except RecursionError:  # the parser recurses once per level of nesting
        raise JsonRefused(TOO_DEEP) from None
    except ValueError as exc:
        raise JsonRefused(str(exc)) from None


def _bounded_int(literal: str) -> int:
    """int() for JSON, refusing numbers longer than MAX_NUMBER_DIGITS before converting them."""
    if len(literal) > MAX_NUMBER_DIGITS:
        raise JsonNumberTooLong(f"a number has {len(literal)} digits (at most {MAX_NUMBER_DIGITS} are accepted)")
    return int(literal)


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
    """Replace a knowledge file atomically; a failure of the file system (read-only, full, gone) is the named
    KnowledgeNotWritable, one line saying the file is unchanged."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KnowledgeNotWritable(f"cannot create the folder: {exc.strerror or exc}", path.parent,
                                   hint="check that the knowledge folder is writable") from None

    def write(handle: BinaryIO) -> None:
        for chunk in [content] if isinstance(content, (str, bytes)) else content:
            handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)

    try:
        write_atomically(path, write)
    except OSError as exc:
        raise KnowledgeNotWritable(f"cannot write the file: {exc.strerror or exc}; it is unchanged", path,
                                   hint="check free disk space and that the knowledge folder is writable") from None


def refuse_blocked(paths: Iterable[Path], root: Path) -> None:
    """Refuse writing files whose folder (below `root`) cannot be made because a file stands where it should be
    (`sources` or `.history` a file), or is a symbolic link that would put them elsewhere (a linked `.history` saved
    versions outside the knowledge): found before a change is decided, it is refused whole, never half applied."""
    for path in paths:
        for folder in Path(path).parents:
            if folder == root or root not in folder.parents:
                break
            if folder.is_symlink():
                raise KnowledgeError("a symbolic link where a folder is expected (kb commands write only inside the "
                                     "knowledge folder); nothing was changed", folder,
                                     hint="replace the link with a folder of its own, or remove it")
            if folder.exists() and not folder.is_dir():
                raise KnowledgeError("a file where a folder is expected; nothing was changed", folder,
                                     hint="move it out of the knowledge folder, or remove it")


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


_SPECIAL_FILES = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                  (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def _check_regular(info: os.stat_result, path: Path, limit: int) -> None:
    """Refuse what is not a regular file, or is over the size limit, before a byte of it is read."""
    for test, kind in _SPECIAL_FILES:
        if test(info.st_mode):
            raise KnowledgeError(f"{kind}, not a regular file: only regular files are read", path,
                                 hint="replace it with a regular file, or remove it")
    if not stat.S_ISREG(info.st_mode):
        raise KnowledgeError("not a regular file: only regular files are read", path, hint="replace it with a regular file")
    if info.st_size > limit:
        raise KnowledgeError(f"file is {_mb(info.st_size)}, over the {_mb(limit)} limit", path,
                             hint="split it into several files")


def open_regular(path: Path | str, dir_fd: int | None = None) -> BinaryIO:
    """An open binary handle on a regular file (`path` inside the folder open as `dir_fd`, if given): a FIFO or
    device put in its place is refused without waiting (the open does not block, and the open file is checked,
    not the path); ValueError otherwise."""
    handle = os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK, dir_fd=dir_fd), "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise ValueError(f"{Path(path).name} is not a regular file")
    return handle


def _mb(size: int) -> str:
    """A size in MB as people say it: '64 MB', '1.5 MB'."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file of at most `limit` bytes; FIFOs, devices, sockets and folders are refused unopened.

    A device (a link to /dev/zero) would read without end and a FIFO would block, so the target is
    checked with stat before opening, and again on the open descriptor (the path may have been
    swapped in between: the open never blocks, and at most `limit` + 1 bytes are read).
    """
    path = Path(path)
    try:
        _check_regular(os.stat(path), path, limit)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            _check_regular(os.fstat(handle.fileno()), path, limit)
            data = handle.read(limit + 1)
    except KnowledgeError:
        raise
    except FileNotFoundError:
        if path.is_symlink():
            raise KnowledgeError("symbolic link leads nowhere (its target is missing)", path,
                                 hint="point the link at a file, or remove it") from None
        raise KnowledgeError("file does not exist", path, hint="check its name and folder") from None
    except PermissionError:
        raise KnowledgeError("permission denied", path, hint="make the file readable by the bot's user") from None
    except OSError as exc:
        raise KnowledgeError(f"cannot read file: {exc.strerror or exc}", path) from None
    if len(data) > limit:  # it grew after the stat
        raise KnowledgeError(f"file is over the {_mb(limit)} limit", path, hint="split it into several files")
    return data


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """Read a knowledge file as strict UTF-8, turning every I/O problem into a KnowledgeError."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KnowledgeError(
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}", path, line, hint="save the file as UTF-8"
        ) from None


def check_inside(root: Path, path: Path) -> None:
    """Refuse a knowledge file whose real location is outside the knowledge folder (a symbolic link out of it):
    its content would show in errors and answers, whatever file it is."""
    try:
        real, base = Path(path).resolve(), Path(root).resolve()
    except (OSError, RuntimeError):  # a link loop: reading reports it with the usual message
        return
    if real != base and base not in real.parents and real.is_file():  # a FIFO or device: reading names its kind
        raise KnowledgeError("a symbolic link to a file outside the knowledge folder: refused", path,
                             hint="copy the file into the knowledge folder instead of linking to it")


def write_durably(path: Path, write: Callable[[BinaryIO], None], exclusive: bool = False) -> None:
    """Write one new file and make it durable, before the folder holding it is renamed into place; `exclusive`
    raises FileExistsError rather than write over a file of that name."""
    with path.open("xb" if exclusive else "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


def remove_quietly(path: Path) -> None:
    """Remove a file, a link or a folder tree, leaving what cannot be removed (the next save tries again)."""
    with contextlib.suppress(OSError):
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def move_into_place(staging: Path, target: Path) -> None:
    """Rename a written folder to its final name; a folder already there is put aside first and removed
    (a process still reading the one put aside keeps its open files and mappings)."""
    try:
        os.rename(staging, target)
    except OSError:  # a folder of that name exists: replace it
        aside = Path(tempfile.mkdtemp(prefix=".old-", dir=target.parent))
        os.rename(target, aside / target.name)
        os.rename(staging, target)
        shutil.rmtree(aside, ignore_errors=True)
    fsync_dir(target.parent)
