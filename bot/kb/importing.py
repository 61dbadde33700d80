"""Importing a document: split it into a new source's draft passages, check them, and save them with the document."""

from __future__ import annotations

import dataclasses
import os
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import Config
from ..errors import PassageRejected, UsageError
from ..files import MAX_FILE_BYTES, read_bytes
from ..text import clean, without_controls
from .documents import document_bytes, document_kind, document_name, read_document
from .duplicates import near_duplicates_of
from .edit import clean_unicode
from .folder import KnowledgeFolder, check_writable
from .init import check_startable, init_knowledge, is_knowledge_folder
from .load import load_knowledge_or_empty
from .model import KnowledgeBase, Passage, Source, check_id, check_passage_text
from .split import UNTITLED, split_document
from .staging import commit_checked
from .store import KnowledgeStore
from .yamlio import dump_passage_file


def slug(name: str) -> str:
    """A source id from a file name: ASCII letters and digits joined by '-' (accents dropped, at most 60
    characters), so that an id check never refuses the default; 'document' when no such letter is left."""
    ascii_name = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode("ascii")
    words = "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split())
    return words[:60].strip("-") or "document"


def default_source_id(path: Path) -> str:
    """The source id a document gets without --source-id: its file name's without the format's ending, and without
    '.gz' after it, so that README.md.gz gets README.md's ('readme', not 'readme-md')."""
    name = Path(document_name(path))
    if name.suffix.lower() == ".gz":
        name = Path(name.stem)
    return slug(name.stem)


def draft_passages(path: Path, source_id: str, url: str = "") -> tuple[Source, list[Passage], list[str]]:
    """Split a document file into a source and draft passages, plus 'id: reason' for each that needs a person's eye."""
    kind = document_kind(path)  # before reading: an unknown kind of file is not opened at all
    content = read_document(path)
    try:
        draft = split_document(content, kind)
    except PassageRejected as exc:  # an unreadable PDF: the splitter does not know the file's name; a document that
        raise UsageError(f"{path}: {exc}") from None  # cannot be read is exit 2, as a binary or a broken .gz is
    full = document_name(path)
    name = Path(full).stem if path.suffix.lower() == ".gz" else full
    title = name if draft.title == UNTITLED else without_controls(draft.title)  # so that citations tell them apart
    source = Source(id=source_id, title=title, date=draft.date, url=url, document=f"{KnowledgeFolder.SOURCES}/{full}")
    passages, review = [], []
    for number, item in enumerate(draft.passages, start=1):
        passage = Passage(id=f"{source_id}-{number:03d}", text=without_controls(item.text),
                          section=without_controls(item.section), source=source_id)
        passages.append(passage)
        if item.needs_review:
            review.append(f"{passage.id}: {item.review}")
    if not passages:  # split and import alike: an empty draft is a mistake to tell, not a source to write
        raise PassageRejected(f"{path}: no passages found in the document ({_why_empty(content, kind)})")
    return source, passages, review


def _why_empty(content: str | bytes, kind: str) -> str:
    """Why a document gave no passages, as its maintainer can check: a PDF that shows text in a viewer but holds
    none (a scan) was told 'is it empty?', and so was a file of headings alone."""
    if kind == "pdf":
        from .split_pdf import pdf_text

        content = pdf_text(content)
        if not content.strip():
            return "its pages hold no text: a scanned PDF is pictures of text, which needs OCR first"
    if isinstance(content, str) and content.strip():
        return "it has headings, code or links but no sentences under them"
    return "is it empty?"


@dataclass(frozen=True)
class ImportDraft:
    """What an import would add: the new source, its passages, and what a reviewer should look at."""

    source: Source
    passages: tuple[Passage, ...]
    review: tuple[str, ...]  # "id: why a person should look at it"
    duplicates: tuple[tuple[str, str, float], ...]  # (new id, existing id, similarity)
    target: Path
    document: Path


def prepare_import(config: Config, path: Path, source_id: str | None = None, url: str = "",
                   publisher: str = "", progress: Callable[[str], None] | None = None,
                   on_progress: Callable[[int, int], None] | None = None) -> ImportDraft:
    """Split a document into a new source's passages and check them, without saving anything.

    `progress` hears each step of a long import with the time so far; `on_progress` the passages compared so far.
    """
    started = time.perf_counter()

    def step(what: str) -> None:
        if progress is not None:
            progress(f"{what} ({time.perf_counter() - started:.1f} s)")

    root = _import_root(config)
    document_kind(path)  # refuses a missing document, a folder or a file of unknown kind before anything is read
    _refuse_unwritable(root)  # before the document is split and shown: it could never be saved
    url, publisher = clean(clean_unicode(url, "--url")), clean(clean_unicode(publisher, "--publisher"))  # cited
    source_id = source_id or default_source_id(path)
    problem = check_id(source_id)
    if problem:
        raise PassageRejected(f"source {problem} (choose one with --source-id)")
    kb = load_knowledge_or_empty(root)  # a new or just-initialised folder: nothing to compare with yet
    _refuse_reimport(root, kb, path)
    if source_id in kb.sources or (KnowledgeFolder(root).passage_file(source_id)).exists():
        raise PassageRejected(f"a source '{source_id}' already exists (choose another with --source-id)")
    step(f"reading and splitting {path}")
    source, passages, review = draft_passages(path, source_id, url)
    if publisher:
        source = dataclasses.replace(source, publisher=publisher)
    step(f"split into {len(passages):,} passages; checking them")
    _check_drafts(path, passages, kb)
    step(f"comparing {len(passages):,} new passages with {len(kb.passages):,} existing ones")
    found = near_duplicates_of([p.text for p in passages], kb.passages, on_progress)
    duplicates = [(p.id, dup[0].id, dup[1]) for p, dup in zip(passages, found) if dup is not None]
    document = _document_place(KnowledgeFolder(root).sources, path, source_id)
    source = dataclasses.replace(source, document=f"{KnowledgeFolder.SOURCES}/{document.name}")
    step("checked")
    return ImportDraft(source, tuple(passages), tuple(review), tuple(duplicates),
                       KnowledgeFolder(root).passage_file(source_id), document)


def _refuse_reimport(root: Path, kb: KnowledgeBase, path: Path) -> None:
    """Refuse a document the knowledge already holds, byte for byte, under any name: importing it again (or under
    another --source-id, as the 'already exists' error advised) only doubled every passage."""
    size = path.stat().st_size
    for source in kb.sources.values():
        kept = root / source.document if source.document else None
        if kept is not None and kept.is_file() and kept.stat().st_size == size and read_bytes(kept) == document_bytes(path):
            raise PassageRejected(f"{path}: already imported as source '{source.id}' (the same as {kept}); nothing to do")


def _document_place(sources: Path, path: Path, source_id: str) -> Path:
    """Where the document is kept: sources/NAME, or sources/SOURCE-ID-NAME when another document of that name
    (another package's README.md) is there already."""
    name = document_name(path)
    for document in (sources / name, sources / f"{source_id}-{name}"):
        if not document.exists() or read_bytes(document) == read_bytes(path):
            return document
    raise PassageRejected(f"{document} already exists with other content (rename the document)")


def _check_drafts(path: Path, passages: list[Passage], kb: KnowledgeBase) -> None:
    """Refuse drafts that could not be saved: a passages file over the size limit, a passage too long, a taken id."""
    # Its passages file must load again: refuse now, not after minutes of work, when it cannot (28 bytes: the
    # YAML around one passage's id, section and text, a lower bound).
    size = sum(len(p.text.encode()) + len(p.section.encode()) + len(p.id) + 28 for p in passages)
    if size > MAX_FILE_BYTES:
        raise PassageRejected(f"{path}: its {len(passages):,} passages would make a passages file of over "
                              f"{size // (1024 * 1024)} MB, above the {MAX_FILE_BYTES // (1024 * 1024)} MB limit of a "
                              "knowledge file (split the document into parts, for example by chapter, and import each)")
    taken = {p.id for p in kb.passages}
    for passage in passages:
        problem = check_passage_text(passage.text)
        if problem:
            raise PassageRejected(f"{passage.id}: {problem} (shorten that paragraph in the document, or add it by hand)")
        if passage.id in taken:
            raise PassageRejected(f"passage id {passage.id} is already used (choose another --source-id)")


def _refuse_unwritable(root: Path) -> None:
    """The error saving would end in, now: the knowledge (or, for a first import, the folder to make it in) cannot
    be written by this process (a read-only mount, another user's folder)."""
    if is_knowledge_folder(root):
        check_writable(KnowledgeFolder(root))
        return
    existing = next(p for p in (root, *root.parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{root}: cannot make the knowledge base: {existing} is not writable")


def _import_root(config: Config) -> Path:
    """The knowledge folder an import adds to: an existing one, or a new or empty folder it will start."""
    root = Path(config.knowledge)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: maintainers' commands need a knowledge folder (passages/*.yaml), not a file")
    if not is_knowledge_folder(root):
        check_startable(root)  # else 'no passage files found' sent the user to kb init, which refuses it as well
    return root


def save_import(config: Config, draft: ImportDraft, original: Path) -> None:
    """Write an import's passages file and keep the document beside the others in sources/."""
    root = _import_root(config)
    if not is_knowledge_folder(root):
        init_knowledge(root)  # the first import into a new or empty folder starts the knowledge base
    with KnowledgeStore(root).transaction() as txn:
        if draft.target.exists():
            raise PassageRejected(f"{draft.target} appeared meanwhile; run the import again")
        kb = load_knowledge_or_empty(root)
        _refuse_reimport(root, kb, original)  # another import of it, under another name, may have been saved since
        header = f"# Fact passages from '{draft.source.title}', imported by `python -m bot kb import`.\n"
        txn.write(draft.target, header + dump_passage_file(draft.source, draft.passages))
        content = document_bytes(original)
        if draft.document.exists() and read_bytes(draft.document) != content:
            raise PassageRejected(f"{draft.document} appeared meanwhile with other content; run the import again")
        if not draft.document.exists():
            txn.write(draft.document, content)
        commit_checked(txn, root, f"import {draft.source.id}", kb)
