"""Changing a passages file in place: only the lines of what changed are written, so comments, order and
wrapping everywhere else stay byte for byte, and a maintainer's diff shows the change and nothing more.

A passage is located by the line the loader recorded for it. Its lines run to the next passage (or, for the
last one, to the first line back at the list's indentation), less the blank and comment lines before that:
those stay where they are. An edit rewrites only the fields that changed (the rest of the entry keeps its
quoting and wrapping), a removal drops the entry's lines, an addition goes after the last passage. Whatever
else (a reordered list, an odd layout) returns None, and so does a result that would not load back as
exactly the passages asked for: the caller then writes the whole file, as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..errors import KnowledgeError
from .model import Passage
from .yamlio import dump_passages, parse_yaml, passage_entry

Span = tuple[int, int]  # [start, end) line indexes

_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to YAML's reader that str.split("\n") does not see


def splice_passages(text: str, path: Path, file_source: str, before: Sequence[Passage],
                    after: Sequence[Passage]) -> str | None:
    """`text` with the passages `before` (as loaded from it, with their lines) turned into `after` line by line;
    None when that cannot be done surgically."""
    if not before or not _appends_only(before, after) or _odd_breaks(text):
        return None
    missing_newline = not text.endswith("\n")
    lines = (text + "\n" if missing_newline else text).splitlines(keepends=True)
    spans = passage_spans(lines, [p.line for p in before])
    if spans is None:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    wanted = {p.id: p for p in after}
    out: list[str] = []
    cursor = 0
    for number, (passage, (start, end)) in enumerate(zip(before, spans)):
        out.extend(lines[cursor:start])
        cursor = end
        new = wanted.get(passage.id)
        if new is None:
            if number == len(spans) - 1 or (end < len(lines) and not lines[end].strip()):
                while out and not out[-1].strip():  # the blank lines that separated it go with it
                    out.pop()
            continue
        if passage_entry(new, file_source) == passage_entry(passage, file_source):
            out.extend(lines[start:end])
        else:
            out.extend(_edited(lines[start:end], path, passage, new, file_source, newline))
    old_ids = {p.id for p in before}
    added = [p for p in after if p.id not in old_ids]
    if added:  # after the last passage's lines, before the comments and blank lines that follow them
        last = spans[-1][0]
        separated = len(spans) > 1 and not lines[last - 1].strip()
        rendered = _indented(dump_passages(added, file_source), _dash_column(lines[last]) or 0, newline)
        out.extend(([newline] if separated else []) + rendered)
    out.extend(lines[cursor:])
    result = "".join(out)
    if missing_newline and result.endswith(lines[-1]):
        result = result[:-1]
    return result


def passage_spans(lines: list[str], starts: Sequence[int]) -> list[Span] | None:
    """The [start, end) lines of each block-style list entry (1-based start lines, in order), without the blank
    and comment lines that follow it; None when an entry does not start with '- ' where the loader put it."""
    if any(b <= a for a, b in zip(starts, starts[1:])) or not starts or starts[0] < 1 or starts[-1] > len(lines):
        return None
    columns = [_dash_column(lines[s - 1]) for s in starts]
    if None in columns:
        return None
    ends = [s - 1 for s in starts[1:]]
    last, column = starts[-1], columns[-1]
    end = next((i for i in range(last, len(lines)) if _content(lines[i]) and _indent(lines[i]) <= column), len(lines))
    spans = []
    for start, stop in zip(starts, [*ends, end]):
        while stop > start and not _content(lines[stop - 1]):
            stop -= 1
        spans.append((start - 1, stop))
    return spans


def _edited(entry: list[str], path: Path, old: Passage, new: Passage, file_source: str, newline: str) -> list[str]:
    """An entry's lines with only its changed fields rewritten (the whole entry when its layout is unusual)."""
    column = _dash_column(entry[0]) or 0
    rendered = _indented(dump_passages([new], file_source), column, newline)
    old_keys, new_keys = _key_spans(entry, path, column), _key_spans(rendered, path, column)
    if old_keys is None or new_keys is None:
        return rendered
    before, after = passage_entry(old, file_source), passage_entry(new, file_source)
    changes = []  # (old span to replace, new lines)
    for key in sorted({*before, *after}, key=lambda k: old_keys.get(k, (len(entry), 0))):
        if before.get(key) == after.get(key):
            continue
        lines = [] if key not in after else rendered[slice(*new_keys[key])]
        if key in old_keys:
            changes.append((old_keys[key], lines))
        elif lines:
            tail = max(stop for _, stop in old_keys.values())
            changes.append(((tail, tail), lines))
    if any(start == 0 for (start, _), _ in changes):
        return rendered  # the field on the '- ' line: rewrite the entry rather than split that line
    out = list(entry)
    for (start, stop), lines in reversed(sorted(changes, key=lambda c: c[0])):  # bottom up: earlier spans hold
        out[start:stop] = lines
    return out


def _key_spans(entry: list[str], path: Path, column: int) -> dict[str, Span] | None:
    """Each key of one entry's mapping with its [start, end) lines in the entry; None when they share lines."""
    if any(line[:column].strip() for line in entry):
        return None
    try:
        parsed = parse_yaml("".join(line[column:] for line in entry), path)
    except KnowledgeError:
        return None
    if not isinstance(parsed, list) or len(parsed) != 1 or not isinstance(parsed[0], dict):
        return None
    starts = sorted((line, key) for key, line in getattr(parsed[0], "lines", {}).items())
    if len({line for line, _ in starts}) != len(starts) or not starts:
        return None
    spans = {}
    for (line, key), stop in zip(starts, [s - 1 for s, _ in starts[1:]] + [len(entry)]):
        while stop > line and not _content(entry[stop - 1]):
            stop -= 1
        spans[key] = (line - 1, stop)
    return spans


def _appends_only(before: Sequence[Passage], after: Sequence[Passage]) -> bool:
    """Whether `after` is `before` with some passages changed or dropped and new ones at the end, nothing moved."""
    old, new = [p.id for p in before], [p.id for p in after]
    if len(set(old)) != len(old) or len(set(new)) != len(new):
        return False
    old_set, new_set = set(old), set(new)
    kept = [i for i in old if i in new_set]
    return new[:len(kept)] == kept and not old_set & set(new[len(kept):])


def _indented(text: str, column: int, newline: str) -> list[str]:
    return [" " * column + line.replace("\n", newline) for line in text.splitlines(keepends=True)]


def _dash_column(line: str) -> int | None:
    """Where a block list entry's '- ' starts on its first line, or None when the line is not one."""
    stripped = line.lstrip(" ")
    return len(line) - len(stripped) if stripped.startswith("- ") else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> bool:
    """A line that belongs to a YAML node: neither blank nor a comment."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _odd_breaks(text: str) -> bool:
    """Line breaks that YAML counts and str.splitlines(keepends) handles differently, which would shift lines."""
    return any(c in text for c in _OTHER_BREAKS) or text.count("\r") != text.count("\r\n") or any(
        c in text for c in "\x0b\x0c\x1c\x1d\x1e")
