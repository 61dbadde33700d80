"""Finding what a maintainer names: the knowledge folder, a passage by id, a section, a source's file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import PassageNotFound, PassageRejected, UsageError
from .entries import load_passage_file
from .folder import KnowledgeFolder
from .load import passage_files
from .model import KnowledgeBase, Passage, RegressionQuestion, Source
from .questions import load_questions


def knowledge_root(config: Config) -> Path:
    """The knowledge folder that maintainers' commands edit."""
    root = Path(config.knowledge)
    if not root.is_dir():
        raise UsageError(f"{root}: maintainers' commands need a knowledge folder (passages/*.yaml), not a file")
    return root


@dataclass(frozen=True)
class Located:
    """A passage, the file it lives in, and that file's source and passages."""

    passage: Passage
    file: Path
    source: Source | None
    passages: tuple[Passage, ...]


def locate(root: Path, passage_id: str) -> Located:
    """Find the file that holds a passage id, or raise PassageNotFound naming the fix."""
    for file in passage_files(root):
        source, passages = load_passage_file(file)
        for passage in passages:
            if passage.id == passage_id:
                return Located(passage, file, source, tuple(passages))
    raise not_found(passage_id)


def find_passage(kb: KnowledgeBase, passage_id: str) -> Passage:
    """The passage with this id, or PassageNotFound naming the fix."""
    passage = kb.by_id(passage_id)
    if passage is None:
        raise not_found(passage_id)
    return passage


def not_found(passage_id: str) -> PassageNotFound:
    """The one wording for an unknown id, whichever way it was looked up."""
    return PassageNotFound(f"no passage with id '{passage_id}' (see 'python -m bot kb list')")


def passages_in_section(kb: KnowledgeBase, section: str) -> tuple[Passage, ...]:
    """The passages of one section (case and spacing ignored), or PassageRejected listing the sections."""
    wanted = " ".join(section.split()).casefold()
    passages = tuple(p for p in kb.passages if p.section.casefold() == wanted)
    if not passages:
        known = f"sections: {'; '.join(kb.sections())}" if kb.sections() else "the knowledge holds no passages yet"
        raise PassageRejected(f"no section '{section}' ({known})")
    return passages


def regression_questions(config: Config) -> list[RegressionQuestion]:
    """The questions in the knowledge folder's questions.yaml (none for a single knowledge file)."""
    root = Path(config.knowledge)
    return load_questions(KnowledgeFolder(root).questions) if root.is_dir() else []


def source_files(root: Path) -> dict[str, Path]:
    """Each source id a passage can be filed under, with its passages file (a file without a source header
    is known by its file name)."""
    out: dict[str, Path] = {}
    for file in passage_files(root):
        source, _ = load_passage_file(file)
        out.setdefault(source.id if source else file.stem, file)
    return out


def locate_loaded(root: Path, kb: KnowledgeBase, passage_id: str) -> Located:
    """`locate`, reading only the file the loaded knowledge says holds the passage."""
    passage = kb.by_id(passage_id)
    if passage is None or not passage.file:
        raise not_found(passage_id)
    file = Path(passage.file)
    source, passages = load_passage_file(file)
    for found in passages:
        if found.id == passage_id:
            return Located(found, file, source, tuple(passages))
    return locate(root, passage_id)
