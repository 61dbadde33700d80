"""Removed passages' ids, kept so `kb add` never gives one again: a logged question, a thumbs-down or a
maintainer's note that named a passage keeps naming that passage, not a newer one with its old id.

`kb undo` keeps the file growing rather than restoring it: undoing an add retires the id it gave, and undoing a
remove takes back only the id it brings back to life."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import KnowledgeError
from ..files import read_text
from .entries import parse_passage_text
from .folder import KnowledgeFolder
from .store import Transaction

HEADER = ("# Ids of passages removed with `kb remove` (or added, then undone with `kb undo`): `kb add` never gives\n"
          "# them again, so the question log and feedback that name them keep meaning that passage. One id per line.\n")


def retired_ids(root: Path) -> set[str]:
    """The ids removed from this knowledge (none when the file is missing)."""
    path = KnowledgeFolder(root).retired
    if not path.exists():
        return set()
    return set(_listed(read_text(path), path))


def stage_retired(txn: Transaction, root: Path, passage_id: str) -> None:
    """Stage the file with this id added at its end (the header comment written with the first)."""
    path = KnowledgeFolder(root).retired
    text = read_text(path) if path.exists() else HEADER
    if passage_id in _listed(text, path):
        return
    txn.write(path, f"{text}{'' if text.endswith(chr(10)) else chr(10)}{passage_id}\n")


def _listed(text: str, path: Path) -> list[str]:
    """The ids a retired-ids file lists: every line that is not blank or a comment, stripped."""
    ids = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    spaced = next((i for i in ids if len(i.split()) > 1), None)
    if spaced is not None:
        raise KnowledgeError(f"'{spaced}' is not one passage id", path,
                             hint="the file lists one removed passage id per line")
    return ids


def undo_keeps_retired(root: Path) -> Callable[[dict[Path, object]], dict[Path, object]]:
    """A merge for `kb undo`'s restored files: the retired-ids file gains the ids the undo frees from a passages
    file it keeps (an undone add) and loses only those it brings back (an undone remove), never restored whole."""
    folder = KnowledgeFolder(root)
    real_retired, passages = folder.retired.resolve(), folder.passages.resolve()

    def merge(changes: dict[Path, object]) -> dict[Path, object]:
        freed: list[str] = []
        revived: set[str] = set()
        for path, content in changes.items():
            if path.parent != passages or not path.exists():
                continue
            before = _file_ids(read_text(path), path)
            after = _file_ids(content, path) if content is not None else before  # a deleted file: an undone import
            freed += [i for i in before if i not in after]
            revived |= set(after) - set(before)
        if not freed and not revived:  # an undone edit: the file is left as it is (even one kb check would flag)
            return changes
        text = read_text(folder.retired) if folder.retired.exists() else HEADER
        kept = [line for line in text.splitlines(keepends=True) if line.strip() not in revived]
        listed, new = set(_listed("".join(kept), folder.retired)), "".join(kept)
        added = "".join(f"{i}\n" for i in dict.fromkeys(freed) if i not in listed)
        new += ("\n" if added and new and not new.endswith("\n") else "") + added
        if new == text and real_retired not in changes:
            return changes
        saved = changes.get(real_retired, b"")
        gone = not _listed(new, folder.retired) and real_retired in changes and saved is None
        return {**changes, real_retired: None if gone else new}
    return merge


def _file_ids(content: object, path: Path) -> list[str]:
    """The passage ids in a passages file's text (none when it does not parse: the undo's check refuses it)."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
    try:
        return [p.id for p in parse_passage_text(text, path)[1]]
    except KnowledgeError:
        return []
