"""One .npy file of a plain flat array mapped read-only, for the saved index and the knowledge snapshot: a start
reads only the pages it touches, and processes serving the same knowledge share them through the page cache."""

from __future__ import annotations

from typing import BinaryIO

import numpy as np

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
