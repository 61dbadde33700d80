"""The saved index: one .npz of plain arrays (no pickle), its fingerprint, and using it when fresh."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

import numpy as np

from ..files import write_atomically
from ..kb.model import Passage
from .index import TfidfIndex
from .index_build import IndexSettings, Progress

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
INDEX_FILE = "index.npz"


def fingerprint(passages: Sequence[Passage], settings: IndexSettings) -> str:
    """A hash of everything the index depends on: passages, settings and the format version."""
    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT_VERSION, asdict(settings)]).encode())
    # Each passage's fields, prefixed by their lengths so no two different passage lists hash alike.
    chunks = []
    for p in passages:
        fields = (p.id, p.text, p.section, *p.questions)
        chunks.append(",".join(str(len(f)) for f in fields) + ";" + "".join(fields))
    digest.update("\n".join(chunks).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def save_index(index: TfidfIndex, folder: Path) -> None:
    """Write the index as one .npz of plain arrays (no pickle, nothing that runs code), atomically.

    Terms and words are stored as UTF-8 text joined by newlines (no index term holds one) and
    the settings and fingerprint as JSON text, so one file rename swaps the whole index.
    """
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT_VERSION, "fingerprint": index.fingerprint, "n_docs": index.n_docs,
            "settings": asdict(index.settings)}
    terms_text = "\n".join(sorted(index.vocabulary, key=index.vocabulary.__getitem__))
    counts = index.word_counts
    arrays = {
        "meta": _text_array(json.dumps(meta)), "terms": _text_array(terms_text),
        "words": _text_array("\n".join(counts)),
        "word_counts": np.fromiter(counts.values(), dtype=np.int64, count=len(counts)),
        "idf": index.idf, "indptr": index.indptr, "indices": index.indices, "data": index.data,
    }
    write_atomically(folder / INDEX_FILE, lambda f: np.savez(f, **arrays))


def load_index(cls: type[TfidfIndex], folder: Path, expected: str) -> TfidfIndex | None:
    """Load a saved index if it matches the expected fingerprint; None when missing, damaged or stale."""
    try:
        # Only a regular file is read: a FIFO put in its place would block every start (the open does not
        # wait, and the open file is checked, not the path).
        handle = os.fdopen(os.open(folder / INDEX_FILE, os.O_RDONLY | os.O_NONBLOCK), "rb")
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            handle.close()
            log.info("saved index is not a regular file, rebuilding")
            return None
        with handle, np.load(handle, allow_pickle=False) as arrays:
            meta = json.loads(_array_text(arrays["meta"]))
            if meta.get("format") != FORMAT_VERSION or meta.get("fingerprint") != expected:
                return None
            terms_text, words_text = _array_text(arrays["terms"]), _array_text(arrays["words"])
            counts = _numeric(arrays["word_counts"], "i").tolist()
            idf, data = _numeric(arrays["idf"], "f"), _numeric(arrays["data"], "f")
            indptr, indices = _numeric(arrays["indptr"], "i"), _numeric(arrays["indices"], "i")
        settings = IndexSettings(**meta["settings"])
        n_docs = int(meta["n_docs"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        log.info("saved index unusable, rebuilding: %s", exc)
        return None
    term_list = terms_text.split("\n") if terms_text else []
    word_list = words_text.split("\n") if words_text else []
    if (len(term_list) != len(idf) or len(indptr) != len(idf) + 1 or len(word_list) != len(counts)
            or len(indices) != len(data) or (len(indptr) and indptr[-1] != len(indices))):
        log.info("saved index inconsistent, rebuilding")
        return None
    vocabulary = dict(zip(term_list, range(len(term_list))))
    return cls(vocabulary, idf, indptr, indices, data, n_docs, dict(zip(word_list, counts)), settings,
               meta["fingerprint"])


def load_or_build(passages: Sequence[Passage], cache: Path | None, settings: IndexSettings = IndexSettings(),
                  on_progress: Progress | None = None) -> TfidfIndex:
    """Use the saved index when it is fresh; otherwise build one (telling `on_progress`) and save it for next time."""
    key = fingerprint(passages, settings)
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


def _text_array(text: str) -> np.ndarray:
    """Text as a uint8 array, so it sits in an .npz without pickle."""
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _array_text(array: object) -> str:
    if not isinstance(array, np.ndarray) or array.dtype != np.uint8:
        raise ValueError("a text member is not a byte array")
    return array.tobytes().decode("utf-8")


def _numeric(array: object, kind: str) -> np.ndarray:
    """A saved array, checked to be numeric of the expected kind ('i' integer, 'f' float)."""
    if not isinstance(array, np.ndarray) or array.dtype.kind != kind or array.ndim != 1:
        raise ValueError("an index member has the wrong type")
    return array
