"""A knowledge base's identity in the question log, kept inside its folder so that it survives a move.

Several knowledge bases may share one log database, and each maintainer lists only their own questions. A row
was tagged with the folder's absolute path, so moving, renaming or mounting the folder elsewhere hid its whole
history. Rows are now tagged with an id stored in the folder's `.identity` file (written by `kb init`, or by
the first log opened for a knowledge folder without one), which also remembers the paths the folder was seen
at: rows tagged with one of those paths (written before the id existed) are still this knowledge's.

A folder that cannot be written (a read-only mount, an installed package) without an identity file, and a
JSON-lines knowledge file (no folder of its own to keep one in), are tagged with their path as before:
logging never fails for want of an identity.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BotError
from ..files import fsync_dir, read_text, write_atomically, write_durably
from .folder import KnowledgeFolder

if TYPE_CHECKING:
    from ..config import Config
    from ..querylog import Storage

log = logging.getLogger(__name__)

# The paths an identity remembers: the earliest are kept, since rows tagged with a path were written before the
# identity existed, at the folder's first paths; the bound stops a folder mounted at a new path on every start
# (a container's temporary folder) from growing the file and every log query without end.
MAX_REMEMBERED_PATHS = 32
# An identity file is a few hundred bytes; anything far larger is not one (read no more of it).
MAX_IDENTITY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Identity:
    """What the log tags a knowledge base's new rows with, and every tag its earlier rows may carry."""

    tag: str
    earlier: tuple[str, ...] = ()


def identify(knowledge: Path | str) -> Identity:
    """The knowledge base's identity, made (and its current path remembered) when the folder can be written."""
    real = os.path.abspath(knowledge)
    path = _as_text(real)
    folder = KnowledgeFolder(Path(real))
    if not folder.passages.is_dir():  # a JSON-lines file, or not a knowledge folder (yet): never write into it
        return Identity(path)
    stored = _read(folder.identity)
    if stored is None:
        return _start(folder, path)
    key, paths = stored
    if not key:
        return Identity(path)
    if path not in paths:
        if _is_copy(folder, key, paths):  # a copy of another knowledge base: its questions are its own from now on
            return _start(folder, path, replace=True)
        paths = _remember(folder, key, paths, path)
    return Identity(key, tuple(paths) if path in paths else (*paths, path))


def _as_text(path: str) -> str:
    """A path as text that the identity file (UTF-8) and the log database both take: a folder name that is not
    UTF-8 (a Latin-1 name) keeps its bytes as \\xNN escapes, where it made kb init and every question fail."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _read(file: Path) -> tuple[str, list[str]] | None:
    """The stored id and paths; None when there is no file. An unreadable one is reported and ignored, never
    replaced: it may be the only record of the knowledge's history."""
    if file.is_symlink():  # a dangling one made every start recurse (its creation failed, its reading found none)
        log.warning("%s: a symbolic link where the knowledge identity file is expected; questions are logged under "
                    "the folder's path (replace the link with the file itself, or remove it)", file)
        return "", []
    if not file.exists():
        return None
    try:
        data = json.loads(read_text(file, MAX_IDENTITY_BYTES))
        key, paths = data["id"], data["paths"]
        if isinstance(key, str) and key and isinstance(paths, list) and all(isinstance(p, str) for p in paths):
            return key, paths
    except (BotError, ValueError, TypeError, KeyError):
        pass
    log.warning("%s: not a knowledge identity file; questions are logged under the folder's path (remove it to "
                "start a new identity)", file)
    return "", []


def _start(folder: KnowledgeFolder, path: str, replace: bool = False) -> Identity:
    """A new identity remembering the current path; the path alone when the folder cannot be written."""
    key = f"kb-{uuid.uuid4().hex}"
    text = _dump(key, [path])
    try:
        if replace:
            write_atomically(folder.identity, lambda handle: handle.write(text))
        else:
            _create(folder.identity, text)
    except FileExistsError:  # another process made it first: use theirs
        return identify(folder.root)
    except OSError as exc:
        log.debug("cannot write %s (%s): questions are logged under the folder's path", folder.identity, exc)
        return Identity(path)
    return Identity(key, (path,))


def _create(file: Path, text: bytes) -> None:
    """Write the file complete or not at all, and never over one another process wrote meanwhile (a hard link
    of a finished temporary file fails when the name exists)."""
    temporary = file.with_name(f"{file.name}.{uuid.uuid4().hex}.tmp")
    try:
        write_durably(temporary, lambda handle: handle.write(text), exclusive=True)
        try:
            os.link(temporary, file)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: create it in place (still never over another's)
            write_durably(file, lambda handle: handle.write(text), exclusive=True)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_dir(file.parent)


def _remember(folder: KnowledgeFolder, key: str, paths: list[str], path: str) -> list[str]:
    """Add the folder's new path to its identity (kept to MAX_REMEMBERED_PATHS); unchanged when it cannot be written."""
    if len(paths) >= MAX_REMEMBERED_PATHS:
        return paths
    try:
        write_atomically(folder.identity, lambda handle: handle.write(_dump(key, [*paths, path])))
    except OSError as exc:
        log.debug("cannot remember %s in %s (%s)", path, folder.identity, exc)
        return paths
    return [*paths, path]


def _is_copy(folder: KnowledgeFolder, key: str, paths: list[str]) -> bool:
    """Whether a folder it remembers being still exists, holds the same id and is another folder: then this one
    is a copy (cp -r), not the knowledge base moved."""
    for earlier in paths:
        other = KnowledgeFolder(Path(earlier))
        try:
            if not os.path.samefile(other.root, folder.root) and (_read(other.identity) or ("",))[0] == key:
                return True
        except OSError:
            continue  # moved away: the usual case
    return False


def _dump(key: str, paths: list[str]) -> bytes:
    """The identity file's text: JSON, readable by a maintainer who wonders what the file is."""
    return (json.dumps({"id": key, "paths": paths}, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def existing_log(config: "Config") -> "Storage | None":
    """The log as the config's knowledge base sees it, if one has been written (maintainers' views), else None."""
    database = config.storage.database
    if database == ":memory:" or not Path(database).exists():
        return None
    return knowledge_log(database, config.knowledge)


def knowledge_log(database: str | Path, knowledge: Path) -> "Storage":
    """The log as one knowledge base writes and reads it: its rows tagged with the knowledge's identity, so that
    the knowledge bases sharing one log database (one config, several --knowledge) each list only their own, and
    a knowledge folder moved or renamed keeps its history."""
    from ..querylog import Storage  # not at the top: reading the knowledge needs no database code

    identity = identify(knowledge)
    return Storage(database, identity.tag, identity.earlier)
