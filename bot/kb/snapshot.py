"""A saved copy of the parsed knowledge beside its index, used only when the knowledge files are byte for byte the same.

Parsing and checking 59k passages takes a second; reading them back from a folder of plain .npy
arrays (UTF-8 text, offsets; no pickle) takes a fraction of that, and the passages' texts, most of
its bytes, are mapped rather than read: a start decodes only the texts it shows. The key
(snapshot_key.py) hashes every knowledge file's path and bytes and the loader's own source, so an
edited, added or removed file, or a changed loader, misses and the knowledge is parsed as always.
The folder is written beside its final name and renamed into place, and read through one open
handle on it, so a reader sees one whole snapshot or none; one that does not read back consistent
(a file not of the size or CRC-32 saved, npyfile.Checks; offsets out of order or past their text, arrays of
other lengths) is ignored and replaced after the parse.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..files import fsync_dir, open_regular, remove_quietly
from ..npyfile import Checks, json_checked, json_with_crc, save_arrays
from .model import KnowledgeBase, Passage, Source
from .snapshot_key import VERSION, KnowledgeKey, Record, records

log = logging.getLogger(__name__)

FOLDER = "knowledge"  # inside the index cache folder
META = "meta.json"
LEGACY = ("knowledge.npz",)  # the earlier single-file snapshot, removed when a new one is saved
SAVING = ".knowledge-saving-"
MAX_META = 1 << 26
SHARED = ("section", "source", "file")  # fields most passages share: each distinct value stored once
SOURCE_FIELDS = ("id", "title", "publisher", "date", "url", "document")
# The arrays and the kind each must have ('i' integer, 'u' UTF-8 bytes).
ARRAYS = {"ids": "u", "text": "u", "ends": "i", "lines": "i", "questions": "i", **{f"{name}_at": "i" for name in SHARED},
          "bodies": "u", "body_ends": "i", "body_chars": "i"}


def saved_files(folder: Path) -> dict[str, Record]:
    """The knowledge files' records kept with the snapshot (see snapshot_key), so unchanged files need no hashing."""
    try:
        fd = os.open(folder / FOLDER, os.O_RDONLY | os.O_DIRECTORY)
        try:
            meta = json_checked(_read(fd, META))
            return records(meta.get("files")) if meta.get("version") == VERSION else {}  # records as this code keeps them
        finally:
            os.close(fd)
    except (OSError, ValueError, AttributeError):
        return {}


def load_snapshot(folder: Path, key: KnowledgeKey) -> tuple[KnowledgeBase, str] | None:
    """The knowledge saved under this key and its passages' digest; None when missing, stale or damaged."""
    try:
        fd = os.open(folder / FOLDER, os.O_RDONLY | os.O_DIRECTORY)  # every file below from this one folder
    except OSError:
        return None
    try:
        meta = json_checked(_read(fd, META))
        if meta.get("version") != VERSION or meta.get("key") != key.value:
            return None
        checks = Checks(meta)  # each array file's size, and its CRC-32 unless its stat is the one it checked out with
        kb = _read_back(meta, {name: _map(fd, name, kind, checks) for name, kind in ARRAYS.items()})
        if records(meta.get("files")) != key.files or checks.changed:  # a file hashed this time has settled
            _write_meta(fd, checks.meta({**meta, "files": key.files}))
        return kb, str(meta["digest"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        log.info("knowledge snapshot unusable, parsing the knowledge: %s", exc)
        return None
    finally:
        os.close(fd)


def _read_back(meta: dict, saved: dict[str, np.ndarray]) -> KnowledgeBase:
    """The knowledge from its mapped arrays; ValueError when they do not fit together."""
    blob, ends = saved["text"].tobytes().decode("utf-8", "surrogatepass"), saved["ends"]
    if len(ends) and ((np.diff(ends) < 0).any() or ends[0] < 0):
        raise ValueError("snapshot offsets out of order")
    shared = [saved[f"{name}_at"] for name in SHARED]
    bodies = Bodies(memoryview(saved["bodies"]), saved["body_ends"], saved["body_chars"])
    ids = saved["ids"].tobytes().decode().split("\n") if len(saved["lines"]) else []
    return _rebuild(meta, ids, blob, ends.tolist(), saved["lines"].tolist(), saved["questions"], shared, bodies)


def _read(fd: int, name: str) -> bytes:
    """A small file of the snapshot folder, refused when it is not a regular file (a FIFO would block)."""
    with open_regular(name, dir_fd=fd) as handle:
        return handle.read(MAX_META)


def _map(fd: int, name: str, kind: str, checks: Checks) -> np.ndarray:
    """One array of the snapshot folder, checked to be the file saved and mapped read-only."""
    with open_regular(f"{name}.npy", dir_fd=fd) as handle:
        return checks.open(handle, name, kind)


def _write_meta(fd: int, meta: dict) -> None:
    """Replace the metadata of the snapshot folder held open (not whatever folder has its name by now); best effort."""
    temporary = f".{META}.{os.getpid()}.tmp"
    try:
        out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=fd)
        with os.fdopen(out, "wb") as handle:
            handle.write(json_with_crc(meta))
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(temporary, META, src_dir_fd=fd, dst_dir_fd=fd)
        os.fsync(fd)
    except OSError as exc:  # read-only: the files are hashed again next start
        log.info("could not update the knowledge snapshot's file records: %s", exc.strerror or exc)
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=fd)


def _rebuild(meta: dict, ids: list[str], blob: str, ends: list[int], lines: list[int], counts: np.ndarray,
             shared: list[np.ndarray], bodies: "Bodies") -> KnowledgeBase:
    """The knowledge from its stored strings; ValueError when the arrays do not fit together."""
    n = len(lines)
    if len(bodies.ends) != n + 1 or len(ids) != n:
        raise ValueError("snapshot texts do not fit the passages")
    if len(counts) != n or (n and counts.min() < 0) or len(ends) < int(counts.sum()) \
            or (ends and ends[-1] != len(blob)) or (not ends and blob) or any(len(at) != n for at in shared):
        raise ValueError("snapshot arrays do not fit together")
    flat = [blob[a:b] for a, b in zip([0, *ends], ends)]
    questions: list[tuple[str, ...]] = [()] * n  # most passages have none: only those with some are visited
    at = 0
    for i, count in zip(np.flatnonzero(counts).tolist(), counts[counts != 0].tolist()):
        questions[i] = tuple(flat[at:at + count])
        at += count
    values = flat[at:]
    if n and any(at.min() < 0 or at.max() >= len(values) for at in shared):
        raise ValueError("snapshot refers to a value it does not hold")
    sections, sources, files = (list(map(values.__getitem__, at.tolist())) for at in shared)
    passages = SavedPassages(ids, bodies, sections, sources, questions, files, lines)
    saved_sources = {s[0]: Source(*s) for s in meta["sources"]}
    return KnowledgeBase(passages=passages, sources=saved_sources, synonyms=tuple(map(tuple, meta["synonyms"])),
                         path=meta["path"])


def save_snapshot(kb: KnowledgeBase, folder: Path, key: KnowledgeKey, digest: str) -> None:
    """Write the parsed knowledge under its key, whole or not at all; OSError when the folder is not writable."""
    meta = {"version": VERSION, "key": key.value, "digest": digest, "path": kb.path, "files": key.files,
            "sources": [[getattr(s, f) for f in SOURCE_FIELDS] for s in kb.sources.values()],
            "synonyms": [list(group) for group in kb.synonyms]}
    arrays = _arrays(kb.passages)
    folder.mkdir(parents=True, exist_ok=True)
    save_arrays(folder / FOLDER, arrays, META, meta, SAVING)
    for entry in folder.iterdir():  # the earlier format, and what an interrupted save left behind
        if entry.name in LEGACY or entry.name.startswith(SAVING):
            remove_quietly(entry)
    fsync_dir(folder)


def _arrays(passages: Sequence[Passage]) -> dict[str, np.ndarray]:
    """The passages as plain arrays: ids by line, other short strings joined with their end offsets, texts apart,
    shared values once."""
    values: dict[str, int] = {}
    shared = {f"{name}_at": np.array([values.setdefault(getattr(p, name), len(values)) for p in passages], dtype=np.int64)
              for name in SHARED}
    strings = [q for p in passages for q in p.questions] + list(values)
    texts = [p.text.encode("utf-8", "surrogatepass") for p in passages]
    return {
        "ids": np.frombuffer("\n".join(p.id for p in passages).encode(), dtype=np.uint8),  # no id holds a line break
        "text": np.frombuffer("".join(strings).encode("utf-8", "surrogatepass"), dtype=np.uint8),
        "ends": np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))),
        "lines": np.array([p.line for p in passages], dtype=np.int64),
        "questions": np.array([len(p.questions) for p in passages], dtype=np.int64), **shared,
        "bodies": np.frombuffer(b"".join(texts), dtype=np.uint8),
        "body_ends": np.concatenate([[0], np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))]),
        "body_chars": np.fromiter((len(p.text) for p in passages), dtype=np.int64, count=len(passages)),
    }


class Bodies:
    """The passages' texts as one UTF-8 buffer and byte offsets, decoded one passage at a time."""

    def __init__(self, data: memoryview, ends: np.ndarray, chars: np.ndarray) -> None:
        if ends.ndim != 1 or len(ends) == 0 or ends[0] != 0 or ends[-1] != len(data) or (np.diff(ends) < 0).any() \
                or len(chars) != len(ends) - 1:
            raise ValueError("snapshot text offsets do not fit")
        self.data, self.ends = data, ends.tolist()
        self.longest = int(chars.max()) if len(chars) else 0

    def __getitem__(self, i: int) -> str:
        return str(self.data[self.ends[i]:self.ends[i + 1]], "utf-8", "surrogatepass")


class SavedPassages(Sequence):
    """The snapshot's passages, each made on first use: a start decodes and builds only those an answer shows.

    It reads as the tuple it stands for (indexing, slicing, iterating, equality, +), and offers the columns
    a start needs without building every passage: `ids`, `sections`, `sources`, `questions`, `texts` and
    `longest_text`.
    """

    def __init__(self, ids: list[str], bodies: Bodies, sections: list[str], sources: list[str],
                 questions: list[tuple[str, ...]], files: list[str], lines: list[int]) -> None:
        self.ids, self.sections, self.longest_text = ids, sections, bodies.longest
        self.questions, self.sources = questions, sources
        self._columns = (ids, bodies, sections, sources, questions, files, lines)
        self._made: dict[int, Passage] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def texts(self) -> list[str]:
        """Every passage's text, decoded now: reading them all once need not build and keep every passage."""
        bodies = self._columns[1]
        return [bodies[i] for i in range(len(self))]

    def text_at(self, i: int) -> str:
        """One passage's text, decoded without building the passage (the second stage reads its candidates')."""
        return self._columns[1][i]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        passage = self._made.get(i)
        if passage is None:
            if not 0 <= i < len(self):
                raise IndexError("passage index out of range")
            passage = self._made[i] = Passage(*(column[i] for column in self._columns))
        return passage

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (tuple, SavedPassages)) and len(self) == len(other) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Sequence[Passage]) -> tuple[Passage, ...]:
        return tuple(self) + tuple(other)

    def __radd__(self, other: Sequence[Passage]) -> tuple[Passage, ...]:
        return tuple(other) + tuple(self)
