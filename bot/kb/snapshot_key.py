"""The knowledge snapshot's key: a hash of the knowledge files' bytes and the loader, each file hashed only when
its stat says it may have changed since it was last hashed.

Each file's bytes are hashed alone; the key hashes the loader's source and every file's path, size
and content hash. A file's content hash is kept with the snapshot beside its (size, mtime, ctime,
inode, device) as seen just before it was read, and reused while a new stat matches all five. That
is safe because no write leaves ctime unchanged: any write to the file, or any change of its
times (touch, utime restoring an old mtime), sets ctime to the clock's time then. One race remains,
the one git calls "racily clean": a write in the same clock tick as the recorded stat (a coarse
file system's second) would leave every field equal. So a record is kept only for a file whose
mtime and ctime were already SETTLED_NS older than the clock when it was stat'ed: a write after
that stat lands in a later tick. A fresh edit is hashed at each start until it has settled.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import KnowledgeError
from ..files import SETTLED_NS, read_bytes
from .load import knowledge_files

VERSION = 4
# The modules whose code decides what a knowledge file parses to: a change to any of them misses.
LOADER = ("entries.py", "load.py", "yamlio.py", "model.py", "snapshot.py", "snapshot_key.py", "folder.py",
          "../files.py")

Record = tuple[int, int, int, int, int, str]  # size, mtime_ns, ctime_ns, inode, device, SHA-256 of the bytes


@dataclass(frozen=True)
class KnowledgeKey:
    """The key a snapshot is saved under, and the settled files' records to keep with it."""

    value: str
    files: dict[str, Record]


def knowledge_key(path: Path, known: dict[str, Record] | None = None,
                  clock: Callable[[], int] = time.time_ns) -> KnowledgeKey | None:
    """The key of the knowledge at `path`, reusing a `known` file hash where the file's stat still matches its
    record; None when a file is not a plain regular file (a link is left to the full load, which checks it)."""
    known = known or {}
    digest = hashlib.sha256(f"{VERSION}\0".encode())
    here = Path(__file__).parent
    settled: dict[str, Record] = {}
    try:
        for name in LOADER:
            digest.update((here / name).read_bytes())
        for file in knowledge_files(Path(path)):
            name = str(file)
            if os.path.realpath(file) != os.path.abspath(file):  # a link, or a folder on the way is one
                return None
            record, trusted = _record(file, known.get(name), clock)
            if trusted:
                settled[name] = record
            digest.update(f"\0{name}\0{record[0]}\0{record[5]}".encode("utf-8", "surrogatepass"))
    except (OSError, KnowledgeError):
        return None
    return KnowledgeKey(digest.hexdigest(), settled)


def _record(file: Path, known: Record | None, clock: Callable[[], int]) -> tuple[Record, bool]:
    """A file's record, its bytes hashed unless `known` matches its stat; and whether the record may be kept."""
    now, info = clock(), os.stat(file)
    seen = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
    if known is not None and tuple(known[:5]) == seen and stat.S_ISREG(info.st_mode):
        return known, True
    data = read_bytes(file)
    record = (len(data), *seen[1:], hashlib.sha256(data).hexdigest())
    # Kept only when it held still while read and had settled before: a later write then shows in its stat.
    return record, len(data) == info.st_size and max(info.st_mtime_ns, info.st_ctime_ns) < now - SETTLED_NS


def records(value: object) -> dict[str, Record]:
    """File records read back from a snapshot's metadata; anything malformed is left out (and so hashed)."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for name, record in value.items():
        if isinstance(name, str) and isinstance(record, list) and len(record) == 6 \
                and all(type(n) is int for n in record[:5]) and isinstance(record[5], str):
            out[name] = tuple(record)
    return out
