"""Starting a knowledge base from nothing: the folders and commented files `kb import` and the bot expect."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

from ..errors import UsageError
from ..files import fsync_dir
from .folder import KnowledgeFolder
from .identity import identify


SYNONYMS_TEMPLATE = """\
# Words people use for what your documents say in their own words. Each group is a list of words or
# phrases that mean the same to a user; a question using one of them also searches for the others.
# Add groups as you see questions go unanswered, for example:
#   - [car, automobile, vehicle]
# `python -m bot kb check` validates this file.
synonyms: []
"""

QUESTIONS_HEADER = """\
# Regression questions: each must keep being answered by the passage named in expect_id (or with every
# string in expect). `python -m bot eval` runs them and `kb add --question` appends one, for example:
#   - q: When was the project started?
#     expect_id: my-document-003
questions: []
"""


def is_knowledge_folder(root: Path) -> bool:
    """A folder that already holds a knowledge base (its passages folder)."""
    return KnowledgeFolder(root).passages.is_dir()


def check_startable(root: Path) -> None:
    """Refuse to start a knowledge base in a file or in a folder of other files (kb init and a first kb import alike):
    its files are never mixed with the knowledge's."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: is a file, not a folder (give a new or empty folder for the knowledge base)")
    if root.is_dir() and not is_knowledge_folder(root) and any(root.iterdir()):
        raise UsageError(f"{root}: the folder is not empty and is not a knowledge base (give a new or empty "
                         "folder, so that no file of yours is mixed with the knowledge)")


def init_knowledge(root: Path) -> bool:
    """Make an empty working knowledge base in a new or empty folder; False when one is already there.

    A non-empty folder that is not a knowledge base is refused: its files are never mixed with the knowledge's.
    All or nothing: a new folder is built beside it under a hidden name and renamed into place; an existing empty
    one has what was made in it removed again when a step fails (a full disk, Ctrl-C), so no half-made knowledge
    folder is left for the next command to trip on.
    """
    root = Path(root)
    if is_knowledge_folder(root):
        return False
    check_startable(root)
    try:
        if root.exists():
            _fill_in_place(root)
        else:
            _build_beside(root)
    except OSError as exc:
        raise UsageError(f"{root}: cannot make the knowledge base: {exc.strerror or exc}; nothing was left "
                         "behind") from None
    identify(root)  # its id in the question log from the start, so moving the folder keeps its logged questions
    return True


def _fill(root: Path, made: list[Path]) -> None:
    """Write the files and folders of an empty knowledge base into `root`, noting each in `made` once it exists;
    passages/ last, since it is what marks a folder as a knowledge base."""
    folder = KnowledgeFolder(root)
    folder.sources.mkdir()
    made.append(folder.sources)
    for path, text in ((folder.synonyms, SYNONYMS_TEMPLATE), (folder.questions, QUESTIONS_HEADER)):
        with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrites a file that appeared meanwhile
            made.append(path)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    folder.passages.mkdir()
    made.append(folder.passages)


def _fill_in_place(root: Path) -> None:
    """Fill an existing empty folder (kept: it may be a mount point or have its own permissions); on any failure
    remove what was made in it, newest first, and nothing else."""
    made: list[Path] = []
    try:
        _fill(root, made)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        raise
    fsync_dir(root)


def _build_beside(root: Path) -> None:
    """Build the knowledge base in a hidden sibling folder and rename it into place; on any failure remove the
    sibling and the parent folders this made."""
    missing = [p for p in (root.parent, *root.parent.parents) if not p.exists()]
    building = root.parent / f".kb-init-{uuid.uuid4().hex[:12]}"  # short: any folder name still fits beside it
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        building.mkdir()
        _fill(building, [])
        os.rename(building, root)  # fails when a non-empty folder took the name meanwhile: nothing of it is touched
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        for parent in missing:
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise
    fsync_dir(root.parent)
