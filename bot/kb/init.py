"""Starting a knowledge base from nothing: the folders and commented files `kb import` and the bot expect."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
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
    """
    root = Path(root)
    folder = KnowledgeFolder(root)
    if is_knowledge_folder(root):
        return False
    check_startable(root)
    try:
        folder.passages.mkdir(parents=True, exist_ok=True)
        folder.sources.mkdir(exist_ok=True)
        for path, text in ((folder.synonyms, SYNONYMS_TEMPLATE), (folder.questions, QUESTIONS_HEADER)):
            with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrites a file that appeared meanwhile
                handle.write(text)
    except OSError as exc:
        raise UsageError(f"{root}: cannot make the knowledge base: {exc.strerror or exc}") from None
    identify(root)  # its id in the question log from the start, so moving the folder keeps its logged questions
    return True
