"""A saved copy of the parsed knowledge beside its index, used only when the knowledge files are byte for byte the same.

Parsing and checking 59k passages takes a second; reading them back from one uncompressed .npz of
plain arrays (UTF-8 text, offsets; no pickle) takes a fraction of that. The key is a BLAKE2 hash of
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

import numpy as np

from ..errors import KnowledgeError
from ..files import read_bytes, write_atomically
from .load import knowledge_files
from .model import KnowledgeBase, Passage, Source

log = logging.getLogger(__name__)

VERSION = 2
FILE_NAME = "knowledge.npz"
FIELDS = ("id", "text")  # a passage's own text fields, stored per passage in this order
SHARED = ("section", "source", "file")  # fields most passages share: each distinct value stored once
SOURCE_FIELDS = ("id", "title", "publisher", "date", "url", "document")
# The modules whose code decides what a knowledge file parses to: a change to any of them misses.
LOADER = ("entries.py", "load.py", "yamlio.py", "model.py", "snapshot.py", "folder.py", "../files.py")


def knowledge_key(path: Path) -> str | None:
    """A hash of the knowledge files' paths and bytes and of the loader; None when a file is not a plain
    regular file (a link is left to the full load, which checks where it leads)."""
    digest = hashlib.blake2b(digest_size=20)
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
        with np.load(folder / FILE_NAME, allow_pickle=False) as saved:
            meta = json.loads(saved["meta"].tobytes())
            if meta.get("version") != VERSION or meta.get("key") != key:
                return None
            blob, ends = saved["text"].tobytes().decode("utf-8", "surrogatepass"), saved["ends"]
            if ends.ndim != 1 or ends.dtype.kind != "i" or (len(ends) and ((np.diff(ends) < 0).any() or ends[0] < 0)):
                raise ValueError("snapshot offsets out of order")
            ends = ends.tolist()
            lines, counts = saved["lines"].tolist(), saved["questions"].tolist()
            shared = [saved[f"{name}_at"].tolist() for name in SHARED]
        return _rebuild(meta, blob, ends, lines, counts, shared), str(meta["digest"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zipfile.BadZipFile) as exc:
        log.info("knowledge snapshot unusable, parsing the knowledge: %s", exc)
        return None


def _rebuild(meta: dict, blob: str, ends: list[int], lines: list[int], counts: list[int],
             shared: list[list[int]]) -> KnowledgeBase:
    """The knowledge from its stored strings; ValueError when the arrays do not fit together."""
    n, own = len(lines), len(FIELDS) * len(lines)
    if len(counts) != n or min(counts, default=0) < 0 or len(ends) < own + sum(counts) \
            or (ends and ends[-1] != len(blob)) or (not ends and blob) or any(len(at) != n for at in shared):
        raise ValueError("snapshot arrays do not fit together")
    strings = [blob[a:b] for a, b in zip([0, *ends], ends)]
    ids, texts = strings[:n], strings[n:own]
    flat, questions, at = strings[own:], [], 0
    for count in counts:
        questions.append(tuple(flat[at:at + count]) if count else ())
        at += count
    values = flat[at:]
    if any(not 0 <= i < len(values) for at in shared for i in set(at)):
        raise ValueError("snapshot refers to a value it does not hold")
    sections, sources, files = ([values[i] for i in at] for at in shared)
    passages = tuple(map(Passage, ids, texts, sections, sources, questions, files, lines))
    saved_sources = {s[0]: Source(*s) for s in meta["sources"]}
    return KnowledgeBase(passages=passages, sources=saved_sources, synonyms=tuple(map(tuple, meta["synonyms"])),
                         path=meta["path"])


def save_snapshot(kb: KnowledgeBase, folder: Path, key: str, digest: str) -> None:
    """Write the parsed knowledge under its key, whole or not at all; OSError when the folder is not writable."""
    passages = kb.passages
    values: dict[str, int] = {}
    shared = {f"{name}_at": np.array([values.setdefault(getattr(p, name), len(values)) for p in passages], dtype=np.int64)
              for name in SHARED}
    strings = ([p.id for p in passages] + [p.text for p in passages] + [q for p in passages for q in p.questions]
               + list(values))
    meta = {"version": VERSION, "key": key, "digest": digest, "path": kb.path,
            "sources": [[getattr(s, f) for f in SOURCE_FIELDS] for s in kb.sources.values()],
            "synonyms": [list(group) for group in kb.synonyms]}
    arrays = {
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        "text": np.frombuffer("".join(strings).encode("utf-8", "surrogatepass"), dtype=np.uint8),
        "ends": np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))),
        "lines": np.array([p.line for p in passages], dtype=np.int64),
        "questions": np.array([len(p.questions) for p in passages], dtype=np.int64), **shared,
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / FILE_NAME, lambda handle: np.savez(handle, allow_pickle=False, **arrays))
