"""The documents promise what the tests check: every test SECURITY.md names exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def named_tests(text: str) -> list[tuple[str, str]]:
    """(file, test) pairs from `tests/x.py::test_a`, `::test_b` references; a bare `::name` takes the last file."""
    pairs, current = [], ""
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?::(\w+)`", text):
        current = path or current
        pairs.append((current, name))
    return pairs


def test_named_tests_are_read_with_their_file():
    text = "`tests/a.py::test_x`, `::test_y` and `tests/b/c.py::test_z`"
    assert named_tests(text) == [("tests/a.py", "test_x"), ("tests/a.py", "test_y"), ("tests/b/c.py", "test_z")]


def test_every_test_security_md_names_exists():
    pairs = named_tests((REPO / "SECURITY.md").read_text(encoding="utf-8"))
    assert len(pairs) >= 30
    missing = [f"{path}::{name}" for path, name in pairs
               if not (REPO / path).is_file()
               or not re.search(rf"^(async )?def {name}\(", (REPO / path).read_text(encoding="utf-8"), re.M)]
    assert missing == []
