"""Saved arrays: each file checked against the size and CRC-32 saved with it, its stat trusted once it checked out."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from bot.files import SETTLED_NS
from bot.npyfile import CHECKS, Checks, json_checked, json_with_crc, save_arrays

ARRAYS = {"a": np.arange(1000, dtype=np.int64), "b": np.arange(1000, 2000, dtype=np.int64),
          "t": np.frombuffer(b"words and more words", dtype=np.uint8)}
KINDS = {"a": "i", "b": "i", "t": "u"}
LATER = SETTLED_NS + 10**9  # a clock this far ahead sees every file as settled


def save(folder: Path, arrays: dict = ARRAYS) -> Path:
    save_arrays(folder, arrays, "meta.json", {"what": "test"}, ".saving-")
    return folder


def meta(folder: Path) -> dict:
    return json_checked((folder / "meta.json").read_bytes())


def write_meta(folder: Path, value: dict) -> None:
    (folder / "meta.json").write_bytes(json_with_crc(value))


def load(folder: Path, clock=time.time_ns) -> tuple[dict[str, np.ndarray], Checks]:
    """Every array of a save through its checks (ValueError when one is not the file saved)."""
    checks = Checks(meta(folder), clock)
    out = {}
    for name, kind in KINDS.items():
        with open(folder / f"{name}.npy", "rb") as handle:
            out[name] = checks.open(handle, name, kind)
    return out, checks


def damage(path: Path, how: str, other: Path) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) * 2 // 3])
    elif how == "flip":  # same size, a few bytes in the middle changed
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 8]) + data[middle + 8:])
    elif how == "swap":  # another file of the same save, the same size
        path.write_bytes((path.parent / "b.npy").read_bytes())
    elif how == "empty":
        path.write_bytes(b"")
    else:  # the file of the same name from another save of the same size
        path.write_bytes((other / path.name).read_bytes())


def test_a_save_records_each_files_size_and_crc_and_loads_back(tmp_path):
    folder = save(tmp_path / "s")
    assert meta(folder)["what"] == "test"
    assert sorted(meta(folder)[CHECKS]) == ["a.npy", "b.npy", "t.npy"]
    assert meta(folder)[CHECKS]["a.npy"][0] == (folder / "a.npy").stat().st_size
    arrays, _ = load(folder)
    assert all(np.array_equal(arrays[name], ARRAYS[name]) for name in ARRAYS)


@pytest.mark.parametrize("how", ["truncate", "flip", "swap", "empty", "other save"])
@pytest.mark.parametrize("copied", [False, True])
def test_a_damaged_file_is_refused_however_its_stat_came_to_be_trusted(tmp_path, how, copied):
    folder = save(tmp_path / "s")
    other = save(tmp_path / "o", {**ARRAYS, "a": ARRAYS["a"] + 1})
    if copied:  # a start checked the copy's bytes and recorded its stat: a damage after that must still be caught
        folder = Path(shutil.copytree(folder, tmp_path / "copy"))
        _, checks = load(folder, clock=lambda: time.time_ns() + LATER)
        assert checks.changed and all(len(r) == 6 for r in checks.records.values())
        write_meta(folder, checks.meta(meta(folder)))
    damage(folder / "a.npy", how, other)  # at once: the save waited for the clock to pass its files' times
    with pytest.raises(ValueError, match="a.npy"):
        load(folder)


def test_a_saved_file_is_trusted_by_its_stat_from_the_start(tmp_path):
    folder = save(tmp_path / "s")
    assert all(len(check) == 6 for check in meta(folder)[CHECKS].values())
    _, checks = load(folder)
    assert not checks.changed


def test_a_copied_save_checks_out_by_its_bytes_and_its_stat_is_recorded_once_settled(tmp_path):
    copy = Path(shutil.copytree(save(tmp_path / "s"), tmp_path / "copy"))  # new inodes: the stats no longer match
    arrays, fresh = load(copy)
    assert np.array_equal(arrays["b"], ARRAYS["b"]) and not fresh.changed  # just copied: not settled, read again
    _, settled = load(copy, clock=lambda: time.time_ns() + LATER)
    assert settled.changed
    write_meta(copy, settled.meta(meta(copy)))
    _, again = load(copy)
    assert not again.changed and again.records == settled.records


@pytest.mark.parametrize("checks", [None, "not a dict", {"a.npy": "x"}, {"a.npy": [1, 2, 3]}, {"a.npy": [1.5, 2]}])
def test_a_save_without_usable_checks_is_refused(tmp_path, checks):
    folder = save(tmp_path / "s")
    written = meta(folder)
    written[CHECKS] = checks
    if checks is None:
        del written[CHECKS]  # a save written before files were checked
    write_meta(folder, written)
    with pytest.raises(ValueError, match="a.npy"):
        load(folder)


def test_the_checks_read_no_byte_of_a_file_whose_stat_is_recorded(tmp_path):
    folder = save(tmp_path / "s")
    records = meta(folder)[CHECKS]
    records["a.npy"][1] ^= 1  # a CRC that no longer matches: only reading the bytes would notice
    trusted = Checks({CHECKS: records})
    with open(folder / "a.npy", "rb") as handle:
        trusted.verify(handle, "a.npy")
    os.utime(folder / "a.npy")  # any change of the file's times or bytes moves its ctime: read again, refused
    with open(folder / "a.npy", "rb") as handle, pytest.raises(ValueError, match="CRC-32"):
        trusted.verify(handle, "a.npy")


@pytest.mark.parametrize("value", [{}, {"a": 1}, {"k1": 1.2, "title": "Relations with Mongolia", "n": [1, "é", None]}])
def test_json_with_its_crc_reads_back_and_a_changed_letter_that_still_parses_is_refused(value):
    data = json_with_crc(value)
    assert json.loads(data)["crc32"] and json_checked(data) == value
    if value:
        changed = data.replace(b"1", b"7", 1)
        assert json.loads(changed) != json.loads(data)  # still JSON, another value
        with pytest.raises(ValueError, match="CRC-32"):
            json_checked(changed)
    with pytest.raises(ValueError, match="CRC-32"):
        json_checked(json.dumps(value).encode())  # written without one
