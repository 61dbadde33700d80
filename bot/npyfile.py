"""One .npy file of a plain flat array mapped read-only, for the saved index and the knowledge snapshot: a start
reads only the pages it touches, and processes serving the same knowledge share them through the page cache."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .files import move_into_place, write_durably

MAX_HEADER = 10_000  # bytes of .npy header read at most: numpy's own default


def map_array(handle: BinaryIO, name: str, kind: str) -> np.ndarray:
    """The array in an open .npy file, mapped, checked to be flat and of the expected kind ('i' integer, 'f'
    float, 'u' bytes); a truncated file fails here (the mapping would be longer than the file), not in use."""
    version = np.lib.format.read_magic(handle)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read_header(handle, max_header_size=MAX_HEADER)
    if dtype.hasobject or dtype.kind != kind or len(shape) != 1 or fortran:
        raise ValueError(f"{name} holds the wrong kind of array")
    if shape[0] == 0:
        return np.zeros(0, dtype=dtype)
    mapped = np.memmap(handle, dtype=dtype, mode="r", shape=shape, offset=handle.tell())
    # A plain ndarray over the mapping: every slice of an np.memmap runs Python code (about 60 times
    # the cost of a plain slice), and a question slices a posting list per term.
    return mapped.view(np.ndarray)


def save_arrays(target: Path, arrays: dict[str, np.ndarray], meta_name: str, meta: dict, prefix: str) -> None:
    """Write each array as NAME.npy and the metadata last (it vouches for the rest) into a temporary folder
    beside `target`, then rename it into place: a reader sees the whole folder or none of it."""
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    staging.chmod(0o755)  # readable by the bot's other users, as the files it replaces were: mkdtemp makes it private
    try:
        for name, array in arrays.items():
            write_durably(staging / f"{name}.npy", lambda f, a=array: np.save(f, np.ascontiguousarray(a), allow_pickle=False))
        write_durably(staging / meta_name, lambda f: f.write(json.dumps(meta).encode()))
        move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
