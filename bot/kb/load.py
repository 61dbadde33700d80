"""The passage store: load and validate fact passages from YAML folders or JSON-lines files.

A knowledge folder holds `passages/*.yaml` (one file per source document), an optional
`synonyms.yaml` (query-time word groups) and `sources/` (the documents as shipped). Every
error names the file and line, says what is wrong and how to fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..errors import EmptyKnowledge, KnowledgeError
from ..files import check_inside, read_bytes, read_text
from .entries import check_fields, load_jsonl, read_passage_file
from .folder import KnowledgeFolder
from .model import KnowledgeBase, Passage, Source
from .yamlio import parse_yaml




JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


def load_synonyms(path: Path, root: Path | None = None) -> tuple[tuple[str, ...], ...]:
    """Read synonym groups: a list of lists of words or phrases that mean the same to users."""
    if not path.exists():
        return ()
    check_inside(path.parent if root is None else root, path)
    data = parse_yaml(read_text(path), path)
    if isinstance(data, dict):  # a misspelt second key would otherwise be ignored without a word
        check_fields(data, {"synonyms"}, "synonyms.yaml", path)
    groups = data.get("synonyms") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise KnowledgeError("expected 'synonyms:' followed by a list of groups", path, 1, hint="see the README")
    out = []
    for group in groups:
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and w.strip() for w in group):
            raise KnowledgeError("each synonym group must be a list of two or more words", path,
                                 getattr(data, "lines", {}).get("synonyms"), hint="for example [army, armed forces, military]")
        out.append(tuple(w.strip() for w in group))
    return tuple(out)


def _check_unique(passages: Iterable[Passage]) -> None:
    seen: dict[str, Passage] = {}
    for passage in passages:
        if passage.id in seen:
            first = seen[passage.id]
            raise KnowledgeError(
                f"duplicate passage id '{passage.id}' (first used in {first.file}, line {first.line})",
                passage.file, passage.line, hint="give each passage its own id",
            )
        seen[passage.id] = passage


def passage_files(root: Path) -> list[Path]:
    """The passages files of a knowledge folder, in the order they load."""
    folder = KnowledgeFolder(root).passages
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []


def ignored_files(root: Path) -> list[Path]:
    """Files in a knowledge folder's passages/ that are not loaded (no .yaml or .yml ending), for `kb check` to name."""
    folder = KnowledgeFolder(root).passages
    if not folder.is_dir():
        return []
    loaded = set(passage_files(root))
    return sorted(p for p in folder.iterdir() if p not in loaded and not p.name.startswith("."))


def knowledge_files(path: Path) -> list[Path]:
    """Every file the answerer reads: the passages files and synonyms.yaml, or the JSON-lines file itself."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    synonyms = KnowledgeFolder(path).synonyms
    return passage_files(path) + ([synonyms] if synonyms.exists() or synonyms.is_symlink() else [])


def _load_folder(path: Path) -> tuple[dict[str, Source], list[Passage], tuple[tuple[str, ...], ...]]:
    """A knowledge folder's sources, passages (every passages file, in order) and synonym groups."""
    sources: dict[str, Source] = {}
    passages: list[Passage] = []
    folder = KnowledgeFolder(path).passages
    try:
        files = passage_files(path)
    except OSError as exc:
        raise KnowledgeError(f"cannot list folder: {exc.strerror or exc}", folder) from None
    if not files:
        if folder.is_dir() or not any(path.iterdir()):  # made by `kb init` (or empty), nothing imported yet
            raise EmptyKnowledge(path)
        raise KnowledgeError("no passage files found", path, hint="a knowledge folder holds passages/*.yaml; give "
                             "the folder kb init or kb import made, or point them at a new folder to start one")
    for file in files:
        check_inside(path, file)
        source, found = read_passage_file(file)
        if source is not None:
            sources[source.id] = source
        passages.extend(found)
    return sources, passages, load_synonyms(KnowledgeFolder(path).synonyms, root=path)


def load_knowledge(path: Path | str) -> KnowledgeBase:
    """Load a knowledge folder or a JSON-lines file of passages, validating everything."""
    path = Path(path)
    sources: dict[str, Source] = {}
    passages: list[Passage] = []
    synonyms: tuple[tuple[str, ...], ...] = ()
    try:
        is_dir = path.is_dir()
        is_file = path.is_file()
    except OSError as exc:
        raise KnowledgeError(f"cannot open: {exc.strerror or exc}", path) from None
    if is_dir:
        sources, passages, synonyms = _load_folder(path)
    elif is_file:
        if path.suffix not in JSONL_SUFFIXES:
            raise KnowledgeError("unsupported knowledge file", path, hint="a knowledge file is JSON lines named *.jsonl, "
                                 "*.ndjson or *.json; or use a folder with passages/*.yaml")
        passages = load_jsonl(path)
        sources[path.stem] = Source(id=path.stem, title=path.stem)
    elif path.exists():  # a FIFO, device or socket: refused by name, never opened
        read_bytes(path)
    elif path.is_symlink():
        raise KnowledgeError("symbolic link leads nowhere (a link loop or a missing target)", path,
                             hint="point the link at the knowledge folder or file")
    else:
        raise KnowledgeError("knowledge path does not exist", path, hint="check 'knowledge' in config.yaml or --knowledge")
    if not passages and is_dir:
        raise EmptyKnowledge(path)
    if not passages:
        raise KnowledgeError("the knowledge holds no passages", path, hint="add passages with 'python -m bot kb add'")
    _check_unique(passages)
    return KnowledgeBase(passages=tuple(passages), sources=sources, synonyms=synonyms, path=str(path))


def load_knowledge_or_empty(path: Path | str) -> KnowledgeBase:
    """The knowledge an import adds to: empty for a new or just-initialised folder, else loaded and validated."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return KnowledgeBase(passages=(), path=str(path))
    return load_knowledge_allow_empty(path)


def load_knowledge_allow_empty(path: Path | str) -> KnowledgeBase:
    """The knowledge, loaded and validated; a just-initialised one (no passages yet) as empty, not as an error."""
    try:
        return load_knowledge(path)
    except EmptyKnowledge:
        return KnowledgeBase(passages=(), path=str(path))
