"""The saved index: plain .npy arrays (no pickle) opened memory-mapped, its fingerprint, and using it when fresh.

Each index lives in a folder of its own named by its fingerprint, written beside it under a
temporary name and renamed into place, so a reader sees a whole index or none. The arrays are
uncompressed .npy files mapped read-only: a start reads only the pages a question touches, and
every process serving the same knowledge shares those pages through the page cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..files import open_regular, remove_quietly, write_atomically
from ..kb.model import Passage
from ..npyfile import Checks, json_checked, json_with_crc, save_arrays
from .index import TfidfIndex
from .index_build import IndexSettings, Progress
from .index_words import TextWords
from .rerank_text import FAMILY_PREFIX, READ_CHARS
from .terms import LazyCounts, TermTable, column_terms, hash_table

log = logging.getLogger(__name__)

FORMAT_VERSION = 6  # 5: the texts' words for the second stage (index_words.py); 6: a contraction is one word
META_FILE = "meta.json"
# The arrays of an index and the kind each must have ('i' integer, 'f' float, 'u' text bytes or hashes).
ARRAYS = {"terms": "u", "term_starts": "i", "term_hashes": "u", "term_columns": "i", "words": "u",
          "word_counts": "i", "idf": "f", "indptr": "i", "indices": "i", "data": "f"}
# The texts' words (index_words.TextWords), each field saved as text_NAME.npy.
TEXT_ARRAYS = {"stream": "i", "starts": "i", "whole": "u", "word_stems": "i", "word_keep": "u", "column_stems": "i",
               "stop_stems": "u", "stop_ids": "i", "head_of": "i", "heads": "u"}
MAX_SAVED_TABLE = 1 << 26  # bytes of a saved acronym table read at most
LEGACY = ("index.npz",)  # earlier formats, removed when a new index is saved
EARLIER = tuple(f"v{n}-" for n in range(1, FORMAT_VERSION + 1))  # folders of this format and earlier ones


def fingerprint(passages: Sequence[Passage], settings: IndexSettings, digest: str | None = None) -> str:
    """A hash of everything the index depends on: passages (their `digest` when already known), settings,
    the format version, and how far the second stage reads a text and how long a stem's head is (the texts' words)."""
    header = json.dumps([FORMAT_VERSION, asdict(settings), READ_CHARS, FAMILY_PREFIX])
    return hashlib.sha256(f"{header}\n{digest or passages_digest(passages)}".encode()).hexdigest()[:32]


def passages_digest(passages: Sequence[Passage]) -> str:
    """A hash of every passage's fields, prefixed by their lengths so no two different passage lists hash alike."""
    chunks = []
    for p in passages:
        if p.questions:
            fields = (p.id, p.text, p.section, *p.questions)
            chunk = ",".join(str(len(f)) for f in fields) + ";" + "".join(fields)
        else:  # the same chunk in one f-string: most passages have no questions
            chunk = f"{len(p.id)},{len(p.text)},{len(p.section)};{p.id}{p.text}{p.section}"
        # Encoded one by one, then joined as bytes: one accented passage would otherwise widen the
        # whole joined text to two or four bytes a character before encoding it back.
        chunks.append(chunk.encode("utf-8", "surrogatepass"))
    return hashlib.sha256(b"\n".join(chunks)).hexdigest()


def index_folder(folder: Path, key: str) -> Path:
    """Where the index with this fingerprint is saved inside the cache folder."""
    return folder / f"v{FORMAT_VERSION}-{key}"


def save_index(index: TfidfIndex, folder: Path) -> None:
    """Write the index as .npy files of plain arrays (no pickle, nothing that runs code) into a
    temporary folder, then rename it into place and remove any other saved index.

    Terms and words are stored as UTF-8 text joined by newlines (no index term holds one), the
    settings and fingerprint as JSON.
    """
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT_VERSION, "fingerprint": index.fingerprint, "n_docs": index.n_docs,
            "settings": asdict(index.settings)}
    counts = index.word_counts
    table = hash_table(column_terms(index.vocabulary))
    arrays = {
        "terms": table["text"], "term_starts": table["starts"], "term_hashes": table["hashes"],
        "term_columns": table["columns"],
        "words": _text_array("\n".join(counts)),
        "word_counts": np.fromiter(counts.values(), dtype=np.int64, count=len(counts)),
        "idf": index.idf, "indptr": index.indptr, "indices": index.indices, "data": index.data,
    }
    if index.text_words is not None:
        arrays.update({f"text_{name}": array for name, array in index.text_words.arrays().items()})
    meta["text_words"] = index.text_words is not None
    save_arrays(index_folder(folder, index.fingerprint), arrays, META_FILE, meta, ".saving-")
    _remove_others(folder, index_folder(folder, index.fingerprint).name)


def _remove_others(folder: Path, keep: str) -> None:
    """Remove saved indexes of other fingerprints or formats, and what an interrupted save left behind
    (a process still mapping a removed index keeps its pages)."""
    for entry in folder.iterdir():
        ours = entry.name.startswith((*EARLIER, ".saving-", ".old-")) or entry.name in LEGACY
        if entry.name != keep and ours:
            remove_quietly(entry)


def load_index(cls: type[TfidfIndex], folder: Path, expected: str) -> TfidfIndex | None:
    """Load a saved index if it matches the expected fingerprint; None when missing, damaged or stale."""
    where = index_folder(folder, expected)
    try:
        meta = json_checked(_read_small(where / META_FILE))
        if meta.get("format") != FORMAT_VERSION or meta.get("fingerprint") != expected:
            log.info("saved index is stale, rebuilding")
            return None
        checks = Checks(meta)  # each file's size, and its CRC-32 unless its stat is the one it checked out with
        arrays = {name: _open_array(where, name, kind, checks) for name, kind in ARRAYS.items()}
        texts = TextWords(**{name: _open_array(where, f"text_{name}", kind, checks)
                             for name, kind in TEXT_ARRAYS.items()}) if meta.get("text_words") else None
        settings = IndexSettings(**meta["settings"])
        n_docs = int(meta["n_docs"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        log.info("saved index unusable, rebuilding: %s", exc)
        return None
    idf, indptr, indices, data = arrays["idf"], arrays["indptr"], arrays["indices"], arrays["data"]
    counts, words = arrays["word_counts"], arrays["words"]
    table = (arrays["terms"], arrays["term_starts"], arrays["term_hashes"], arrays["term_columns"])
    if (not TermTable.consistent(*table) or len(table[3]) != len(idf) or len(indptr) != len(idf) + 1
            or int(np.count_nonzero(words == 10)) + (len(words) > 0) != len(counts)
            or len(indices) != len(data) or (len(indptr) and indptr[-1] != len(indices))
            or (texts is not None and not texts.consistent(n_docs, len(counts), len(idf)))):
        log.info("saved index inconsistent, rebuilding")
        return None
    if checks.changed:  # files that checked out and have settled: later starts trust their stat
        _keep_checks(where, checks.meta(meta))
    return cls(TermTable(*table), idf, indptr, indices, data, n_docs, LazyCounts(words, counts), settings,
               meta["fingerprint"], texts)


def load_or_build(passages: Sequence[Passage], cache: Path | None, settings: IndexSettings = IndexSettings(),
                  on_progress: Progress | None = None, digest: str | None = None) -> TfidfIndex:
    """Use the saved index when it is fresh; otherwise build one (telling `on_progress`) and save it for next time.
    `digest` is the passages' digest when the caller knows it (a knowledge snapshot saves hashing them)."""
    key = fingerprint(passages, settings, digest)
    if cache is not None:
        index = TfidfIndex.load(cache, key)
        if index is not None:
            return index
    index = TfidfIndex.build(passages, settings, key, on_progress)  # the fingerprint is known: do not hash 22 MB twice
    if cache is not None:
        try:
            index.save(cache)
        except OSError as exc:  # a read-only knowledge folder still serves, it just rebuilds each start
            log.warning("could not save the index to %s: %s", cache, exc.strerror or exc)
    return index


def saved_beside(cache: Path | None, key: str, name: str, compute: Callable[[], dict[str, str]]) -> dict[str, str]:
    """A text-to-text table derived from the passages (the acronyms they define), kept in the folder of the
    index of fingerprint `key` so it is as fresh as the index, with its CRC-32; computed and saved when missing,
    unreadable or changed."""
    if cache is None or not index_folder(cache, key).is_dir():
        return compute()
    where = index_folder(cache, key) / f"{name}.json"
    try:
        value = json_checked(_read_small(where, MAX_SAVED_TABLE)).get("table")
        if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return value
        log.info("%s unusable, computing it again", where.name)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        log.info("%s unusable, computing it again: %s", where.name, exc)
    value = compute()
    try:
        write_atomically(where, lambda handle: handle.write(json_with_crc({"table": value})))
    except OSError as exc:  # read-only: computed again next start
        log.info("could not save %s: %s", where.name, exc.strerror or exc)
    return value


def _read_small(path: Path, limit: int = 1 << 16) -> bytes:
    """A small file's bytes (the metadata), refused when it is not a regular file."""
    with open_regular(path) as handle:
        return handle.read(limit)


def _open_array(folder: Path, name: str, kind: str, checks: Checks) -> np.ndarray:
    """One .npy file mapped read-only, refused when it is not a regular file, not the file saved or not a flat
    array of `kind`."""
    with open_regular(folder / f"{name}.npy") as handle:
        return checks.open(handle, name, kind)


def _keep_checks(folder: Path, meta: dict) -> None:
    """Replace the index's metadata with one holding its files' settled stats; best effort (read-only: the
    files are checked again next start)."""
    try:
        write_atomically(folder / META_FILE, lambda handle: handle.write(json_with_crc(meta)))
    except OSError as exc:
        log.info("could not record the saved index's checked files: %s", exc.strerror or exc)


def _text_array(text: str) -> np.ndarray:
    """Text as a uint8 array, so it sits in a .npy without pickle."""
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
