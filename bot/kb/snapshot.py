"""A saved copy of the parsed knowledge beside its index, used only when the knowledge files are byte for byte the same.

Parsing and checking 59k passages takes a second; reading them back from one uncompressed .npz of
plain arrays (UTF-8 text, offsets; no pickle) takes a fraction of that. The key is a SHA-256 hash of
every knowledge file's path and bytes and of the loader's own source, so an edited, added or
removed file, or a changed loader, misses and the knowledge is parsed as always. A snapshot that
does not read back whole and consistent is ignored (and replaced after the parse).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..errors import KnowledgeError
from ..files import open_regular, read_bytes, write_atomically
from .load import knowledge_files
from .model import KnowledgeBase, Passage, Source

log = logging.getLogger(__name__)

VERSION = 3
FILE_NAME = "knowledge.npz"
FIELDS = ("id",)  # a passage's own short text fields, stored per passage in this order (texts: apart)
SHARED = ("section", "source", "file")  # fields most passages share: each distinct value stored once
SOURCE_FIELDS = ("id", "title", "publisher", "date", "url", "document")
# The modules whose code decides what a knowledge file parses to: a change to any of them misses.
LOADER = ("entries.py", "load.py", "yamlio.py", "model.py", "snapshot.py", "folder.py", "../files.py")


def knowledge_key(path: Path) -> str | None:
    """A hash of the knowledge files' paths and bytes and of the loader; None when a file is not a plain
    regular file (a link is left to the full load, which checks where it leads)."""
    digest = hashlib.sha256()  # twice BLAKE2's speed here (the CPU's SHA instructions): 15 ms for 24 MB
    here = Path(__file__).parent
    digest.update(f"{VERSION}\0".encode())
    try:
        for name in LOADER:
            digest.update((here / name).read_bytes())
        for file in knowledge_files(Path(path)):
            if os.path.realpath(file) != os.path.abspath(file):  # a link, or a folder on the way is one
                return None
            data = read_bytes(file)
            digest.update(f"\0{file}\0{len(data)}\0".encode("utf-8", "surrogatepass"))
            digest.update(data)
    except (OSError, KnowledgeError):
        return None
    return digest.hexdigest()


def load_snapshot(folder: Path, key: str) -> tuple[KnowledgeBase, str] | None:
    """The knowledge saved under this key and its passages' digest; None when missing, stale or damaged."""
    try:
        with open_regular(folder / FILE_NAME) as handle, np.load(handle, allow_pickle=False) as saved:
            meta = json.loads(saved["meta"].tobytes())
            if meta.get("version") != VERSION or meta.get("key") != key:
                return None
            blob, ends = saved["text"].tobytes().decode("utf-8", "surrogatepass"), saved["ends"]
            if ends.ndim != 1 or ends.dtype.kind != "i" or (len(ends) and ((np.diff(ends) < 0).any() or ends[0] < 0)):
                raise ValueError("snapshot offsets out of order")
            ends = ends.tolist()
            lines, counts = saved["lines"].tolist(), saved["questions"].tolist()
            shared = [saved[f"{name}_at"].tolist() for name in SHARED]
            bodies = Bodies(saved["bodies"].tobytes(), saved["body_ends"], saved["body_chars"])
        return _rebuild(meta, blob, ends, lines, counts, shared, bodies), str(meta["digest"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zipfile.BadZipFile) as exc:
        log.info("knowledge snapshot unusable, parsing the knowledge: %s", exc)
        return None


def _rebuild(meta: dict, blob: str, ends: list[int], lines: list[int], counts: list[int],
             shared: list[list[int]], bodies: "Bodies") -> KnowledgeBase:
    """The knowledge from its stored strings; ValueError when the arrays do not fit together."""
    n, own = len(lines), len(FIELDS) * len(lines)
    if len(bodies.ends) != n + 1:
        raise ValueError("snapshot texts do not fit the passages")
    if len(counts) != n or min(counts, default=0) < 0 or len(ends) < own + sum(counts) \
            or (ends and ends[-1] != len(blob)) or (not ends and blob) or any(len(at) != n for at in shared):
        raise ValueError("snapshot arrays do not fit together")
    strings = [blob[a:b] for a, b in zip([0, *ends], ends)]
    ids = strings[:n]
    flat, questions, at = strings[own:], [], 0
    for count in counts:
        questions.append(tuple(flat[at:at + count]) if count else ())
        at += count
    values = flat[at:]
    if any(not 0 <= i < len(values) for at in shared for i in set(at)):
        raise ValueError("snapshot refers to a value it does not hold")
    sections, sources, files = ([values[i] for i in at] for at in shared)
    passages = SavedPassages(ids, bodies, sections, sources, questions, files, lines)
    saved_sources = {s[0]: Source(*s) for s in meta["sources"]}
    return KnowledgeBase(passages=passages, sources=saved_sources, synonyms=tuple(map(tuple, meta["synonyms"])),
                         path=meta["path"])


def save_snapshot(kb: KnowledgeBase, folder: Path, key: str, digest: str) -> None:
    """Write the parsed knowledge under its key, whole or not at all; OSError when the folder is not writable."""
    passages = kb.passages
    values: dict[str, int] = {}
    shared = {f"{name}_at": np.array([values.setdefault(getattr(p, name), len(values)) for p in passages], dtype=np.int64)
              for name in SHARED}
    strings = [p.id for p in passages] + [q for p in passages for q in p.questions] + list(values)
    texts = [p.text.encode("utf-8", "surrogatepass") for p in passages]
    meta = {"version": VERSION, "key": key, "digest": digest, "path": kb.path,
            "sources": [[getattr(s, f) for f in SOURCE_FIELDS] for s in kb.sources.values()],
            "synonyms": [list(group) for group in kb.synonyms]}
    arrays = {
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        "text": np.frombuffer("".join(strings).encode("utf-8", "surrogatepass"), dtype=np.uint8),
        "ends": np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))),
        "lines": np.array([p.line for p in passages], dtype=np.int64),
        "questions": np.array([len(p.questions) for p in passages], dtype=np.int64), **shared,
        "bodies": np.frombuffer(b"".join(texts), dtype=np.uint8),
        "body_ends": np.concatenate([[0], np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))]),
        "body_chars": np.fromiter((len(p.text) for p in passages), dtype=np.int64, count=len(passages)),
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / FILE_NAME, lambda handle: np.savez(handle, allow_pickle=False, **arrays))


class Bodies:
    """The passages' texts as one UTF-8 buffer and byte offsets, decoded one passage at a time."""

    def __init__(self, data: bytes, ends: np.ndarray, chars: np.ndarray) -> None:
        if ends.ndim != 1 or len(ends) == 0 or ends[0] != 0 or ends[-1] != len(data) or (np.diff(ends) < 0).any() \
                or len(chars) != len(ends) - 1:
            raise ValueError("snapshot text offsets do not fit")
        self.data, self.ends = data, ends.tolist()
        self.longest = int(chars.max()) if len(chars) else 0

    def __getitem__(self, i: int) -> str:
        return self.data[self.ends[i]:self.ends[i + 1]].decode("utf-8", "surrogatepass")


class SavedPassages(Sequence):
    """The snapshot's passages, each made on first use: a start decodes and builds only those an answer shows.

    It reads as the tuple it stands for (indexing, slicing, iterating, equality, +), and offers the columns
    a start needs without building every passage: `ids`, `sections`, `questions`, `texts` and `longest_text`.
    """

    def __init__(self, ids: list[str], bodies: Bodies, sections: list[str], sources: list[str],
                 questions: list[tuple[str, ...]], files: list[str], lines: list[int]) -> None:
        self.ids, self.sections, self.longest_text = ids, sections, bodies.longest
        self.questions = questions
        self._columns = (ids, bodies, sections, sources, questions, files, lines)
        self._made: dict[int, Passage] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def texts(self) -> list[str]:
        """Every passage's text, decoded now: reading them all once need not build and keep every passage."""
        bodies = self._columns[1]
        return [bodies[i] for i in range(len(self))]

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
