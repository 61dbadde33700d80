"""Removed passages' ids, kept so `kb add` never gives one again: a logged question, a thumbs-down or a
maintainer's note that named a passage keeps naming that passage, not a newer one with its old id."""

from __future__ import annotations

from pathlib import Path

from ..errors import KnowledgeError
from ..files import read_text
from .folder import KnowledgeFolder
from .store import Transaction

HEADER = ("# Ids of passages removed with `kb remove`: `kb add` never gives them again, so the question log\n"
          "# and feedback that name them keep meaning the removed passage. One id per line.\n")


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
