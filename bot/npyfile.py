"""One .npy file of a plain flat array mapped read-only, for the saved index and the knowledge snapshot: a start
reads only the pages it touches, and processes serving the same knowledge share them through the page cache.

A save's metadata, written last, holds each array file's size, CRC-32 and stat as written (`checks`); the save
waits for the file system's clock to tick past the files' times, so no later write can leave a stat as recorded.
A start compares each file's stat (one fstat of the handle it opens anyway) and, where it is not the one
recorded, the file's CRC-32 (a pass over its bytes: about 60 ms for the 110 MB of a save at 59k passages, once
after a copy); the stat it then saw is recorded once it has settled (files.SETTLED_NS), so later starts read no
byte to trust it. No write leaves a file's size, mtime, ctime and inode all as they were, so a truncated,
flipped, emptied, swapped or copied-over file is refused at its next start (docs/design.md: what is not caught).
The metadata and other saved JSON end with the CRC-32 of the rest (`json_with_crc`): a value changed but still
parsing is refused as well.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import tempfile
import time
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from .files import SETTLED_NS, move_into_place, write_durably

MAX_HEADER = 10_000  # bytes of .npy header read at most: numpy's own default
PROBE_SECONDS = 0.1  # how long a save waits for the file system's clock to tick past its files' (HZ=100: 10 ms)
JSON_CRC = "crc32"  # the last field of a saved JSON file (metadata, acronyms): the CRC-32 of the rest as JSON
CHECKS = "checks"  # the metadata's field: file name -> [size, CRC-32, mtime_ns, ctime_ns, inode, device]


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
        checks = {}
        for name, array in arrays.items():
            path = staging / f"{name}.npy"
            write_durably(path, lambda f, a=array: np.save(f, np.ascontiguousarray(a), allow_pickle=False))
            with path.open("rb") as handle:  # read back from the page cache: what a start will compare
                info = os.fstat(handle.fileno())
                checks[path.name] = [info.st_size, _crc(handle), *_stat(info)]
        if not _clock_passed(staging, max((c[3] for c in checks.values()), default=0)):
            checks = {file: check[:2] for file, check in checks.items()}  # each start reads them until recorded
        write_durably(staging / meta_name, lambda f: f.write(json_with_crc({**meta, CHECKS: checks})))
        move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def json_with_crc(value: dict) -> bytes:
    """A dict as JSON with the CRC-32 of the rest as its last field, so a changed letter that still parses (a
    setting, a source's title, an acronym) is noticed by `json_checked`."""
    text = json.dumps({key: item for key, item in value.items() if key != JSON_CRC})
    return f'{text[:-1]}{", " if len(text) > 2 else ""}"{JSON_CRC}": {zlib.crc32(text.encode())}}}'.encode()


def json_checked(data: bytes) -> dict:
    """The dict that `json_with_crc` wrote (json.dumps writes the parsed rest again to the same text); ValueError
    when it is not one or its CRC-32 differs."""
    value = json.loads(data)
    if not isinstance(value, dict) or type(value.get(JSON_CRC)) is not int:
        raise ValueError("no CRC-32 saved with it")
    crc = value.pop(JSON_CRC)
    if zlib.crc32(json.dumps(value).encode()) != crc:
        raise ValueError("it does not hold what was saved (CRC-32 differs)")
    return value


def _clock_passed(staging: Path, newest: int) -> bool:
    """Whether the file system's clock has passed `newest` (the files' last ctime), so that a write to any of them
    after the rename into place changes its stat: a probe file's ctime is that clock now. A few milliseconds (one
    tick of the kernel's coarse clock) at most; False on a coarser file system, whose records then wait to settle."""
    probe, deadline = staging / ".clock", time.monotonic() + PROBE_SECONDS
    try:
        while True:
            probe.write_bytes(b"")
            if probe.stat().st_ctime_ns > newest:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.001)
    finally:
        probe.unlink(missing_ok=True)


class Checks:
    """The array files of one save checked against the sizes and CRC-32s its metadata holds (see the module's note)."""

    def __init__(self, meta: dict, clock: Callable[[], int] = time.time_ns) -> None:
        saved = meta.get(CHECKS)
        self.records: dict[str, list] = dict(saved) if isinstance(saved, dict) else {}
        self.changed = False  # a record gained the stat of a file that checked out: worth writing back
        self._clock = clock

    def open(self, handle: BinaryIO, name: str, kind: str) -> np.ndarray:
        """The array in an open NAME.npy, mapped once the file is the one saved; ValueError when it is not."""
        self.verify(handle, f"{name}.npy")
        return map_array(handle, name, kind)

    def verify(self, handle: BinaryIO, file: str) -> None:
        """Refuse (ValueError) a file whose size, or CRC-32 when its stat is not the one recorded, is not as saved."""
        now = self._clock()  # before the stat recorded: a write after it shows in a later stat
        record, info = self.records.get(file), os.fstat(handle.fileno())
        if not isinstance(record, list) or len(record) not in (2, 6) or not all(type(n) is int for n in record):
            raise ValueError(f"{file} has no check saved with it")
        if info.st_size != record[0]:
            raise ValueError(f"{file} is {info.st_size} bytes, saved as {record[0]}")
        seen = _stat(info)
        if record[2:] == seen:
            return
        if _crc(handle) != record[1]:
            raise ValueError(f"{file} does not hold the bytes saved (CRC-32 differs)")
        if max(info.st_mtime_ns, info.st_ctime_ns) < now - SETTLED_NS:
            self.records[file], self.changed = [*record[:2], *seen], True

    def meta(self, meta: dict) -> dict:
        """The metadata with the records as they stand now (to write back when `changed`)."""
        return {**meta, CHECKS: self.records}


def _stat(info: os.stat_result) -> list[int]:
    """What no write leaves as it was (with the size): modification and change times, inode and device."""
    return [info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


def _crc(handle: BinaryIO) -> int:
    """CRC-32 of a whole open file, read through a mapping (zlib reads it without copying, the GIL released)."""
    if os.fstat(handle.fileno()).st_size == 0:
        return zlib.crc32(b"")
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as whole:
        return zlib.crc32(whole)
