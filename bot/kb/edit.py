"""Maintainers' single changes: add, edit, remove, undo, and completing a change a crash interrupted.

They print nothing and never exit: they validate, then change the files through a locked, atomic,
undoable `KnowledgeStore` transaction, and return what they did or raise a named error saying how
to fix the problem. `bot.cli.kb` is the command line over them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterable

from ..config import Config
from ..errors import DuplicatePassage, KnowledgeError, PassageRejected, UsageError
from ..text import lone_surrogate, shorten as short, without_controls
from .duplicates import find_near_duplicate
from .entries import load_passage_file
from .folder import KnowledgeFolder, check_writable
from .load import load_knowledge, passage_files
from .lookup import knowledge_root, locate_loaded
from .model import KnowledgeBase, Passage, Source, check_id, check_passage_text
from .questions import load_questions
from .retired import retired_ids, stage_retired, undo_keeps_retired
from .staging import check_staged, checked_files, commit_checked, dangling_ids, stage_passages, stage_questions, stage_unquestion
from .store import KnowledgeStore


MAX_SECTION_CHARS = 200


def clean_unicode(value: str, what: str) -> str:
    """Refuse text that cannot be saved as UTF-8: a byte that was not UTF-8 on the command line (Python hands it
    over as a lone surrogate) or a lone surrogate an editor wrote as a \\u escape."""
    at = lone_surrogate(value)
    if at is not None:
        code = ord(value[at])
        if 0xDC80 <= code <= 0xDCFF:
            raise PassageRejected(f"{what} holds the byte 0x{code - 0xDC00:02x}, which is not UTF-8 "
                                  "(type or paste the text as UTF-8)")
        raise PassageRejected(f"{what} holds an unpaired surrogate U+{code:04X}, which is not valid Unicode "
                              "(write the character itself, not a \\u escape)")
    return value


def clean_text(text: str | None) -> str:
    """Collapse whitespace, drop what a terminal would act on (a pasted colour code, a bell), and refuse what no
    passage may be: empty, over the length limit, or not Unicode."""
    text = without_controls(" ".join(clean_unicode(text or "", "the passage text").split()))
    problem = check_passage_text(text)
    if problem:
        raise PassageRejected(f"passage {problem}" + (" (split it into two facts)" if "limit" in problem else ""))
    return text


def clean_section(section: str | None) -> str:
    """A section name: one line, not empty, not too long."""
    section = without_controls(" ".join(clean_unicode(section or "", "the section").split()))
    if not section:
        raise PassageRejected("section is empty (give --section, e.g. one listed by 'kb list')")
    if len(section) > MAX_SECTION_CHARS:
        raise PassageRejected(f"section is {len(section)} characters, over the {MAX_SECTION_CHARS} limit")
    return section


def clean_questions(questions: Iterable[str]) -> list[str]:
    """Regression questions: non-empty, one line each."""
    out = [without_controls(" ".join(clean_unicode(q, "a --question").split())) for q in questions]
    if any(not q for q in out):
        raise PassageRejected("a --question is empty")
    return out


def _next_id(kb: KnowledgeBase, file_ids: list[str], source_id: str, retired: set[str]) -> str:
    """`<prefix>-NNN` with the next number after every one in use or removed, the prefix being the one the
    file's ids already use."""
    prefixes = {i.rsplit("-", 1)[0] for i in file_ids if "-" in i and i.rsplit("-", 1)[1].isdigit()}
    prefix = prefixes.pop() if len(prefixes) == 1 else source_id
    taken = {p.id for p in kb.passages} | retired
    numbers = [int(i.rsplit("-", 1)[1]) for i in taken if i.rsplit("-", 1)[0] == prefix and i.rsplit("-", 1)[1].isdigit()]
    number = max(numbers, default=0) + 1
    while f"{prefix}-{number:03d}" in taken:
        number += 1
    new_id = f"{prefix}-{number:03d}"
    problem = check_id(new_id)
    if problem:
        raise PassageRejected(problem)
    return new_id


def _target_file(root: Path, source_id: str | None, kb: KnowledgeBase) -> tuple[Path, Source | None, list[Passage]]:
    """The passages file a new passage goes to (the named source's, or the only one there is: never a guess), with
    its source and passages. The file the loaded passages point to is read first: a large knowledge is parsed once."""
    files = passage_files(root)
    if source_id is not None:
        likely = {Path(p.file) for p in kb.passages if p.source == source_id}
        files = sorted(files, key=lambda f: f not in likely)
    known = []
    for file in files:
        source, passages = load_passage_file(file)
        label = source.id if source else file.stem
        if (source_id is None and len(files) == 1) or label == source_id:
            return file, source, passages
        known.append(label)
    if source_id is None:
        raise UsageError(f"give --source: the knowledge has {len(files)} sources ({', '.join(sorted(known))}) "
                         "and a new passage must go to one of them")
    raise PassageRejected(f"no source with id '{source_id}' (known sources: {', '.join(sorted(known)) or 'none'}; "
                          "'kb import' adds a new one)")


def add_passage(config: Config, text: str, section: str, source_id: str | None = None,
                questions: Iterable[str] = (), force: bool = False, trial: bool = False) -> Passage:
    """Check a new passage (valid, not a near-duplicate, answering its questions), save it with the next free id,
    and its questions; a trial runs every check and saves nothing (the Telegram preview)."""
    text, section, questions = clean_text(text), clean_section(section), clean_questions(questions)
    root = knowledge_root(config)
    store = KnowledgeStore(root)
    with store.transaction() as txn:
        kb = load_knowledge(root)  # read inside the lock: a concurrent add is already on disk
        duplicate = None if force else find_near_duplicate(text, kb.passages)
        if duplicate is not None:
            existing, score = duplicate
            raise DuplicatePassage(f"near-duplicate of passage {existing.id} ({score:.0f}% similar): "
                                   f"\"{short(existing.text, 90)}\" (use --force to add it anyway)", existing.id)
        file, source, passages = _target_file(root, source_id, kb)
        file_source = source.id if source else (passages[0].source if passages else file.stem)
        new_id = _next_id(kb, [p.id for p in passages], file_source, retired_ids(root))
        passage = Passage(id=new_id, text=text, section=section, source=file_source)
        stage_passages(txn, file, source, [*passages, passage], before=passages)
        stage_questions(txn, root, [(q, passage.id) for q in questions])
        verify = None if force or not questions else _answers_its_questions(config, passage.id, questions)
        commit_checked(txn, root, f"add {passage.id}", kb, verify, trial)
    return passage


def _answers_its_questions(config: Config, passage_id: str, questions: list[str]):
    """A check of the staged knowledge: the bot must answer each of a new passage's questions with it."""
    def verify(staged: KnowledgeBase) -> None:
        from .check import unanswered_by  # asks the core; imported here so editing without questions never loads it

        missed = unanswered_by(config, passage_id, questions, staged)
        if missed:
            question, ids = missed[0]
            raise PassageRejected(f"nothing was saved: the bot would not answer {question.question!r} with the new "
                                  f"passage (it answers with {', '.join(ids) or 'nothing'}); use the question's words "
                                  "in the passage, or --force to add it anyway")
    return verify


def edit_passage(config: Config, passage_id: str, text: str | None = None, section: str | None = None,
                 questions: Iterable[str] = (), force: bool = False) -> Passage:
    """Change a passage's text or section (checked like a new one) and add regression questions."""
    root = knowledge_root(config)
    questions = clean_questions(questions)
    with KnowledgeStore(root).transaction() as txn:
        kb = load_knowledge(root)
        found = locate_loaded(root, kb, passage_id)
        new_text = clean_text(text) if text is not None else found.passage.text
        new_section = clean_section(section) if section is not None else found.passage.section
        if not force and text is not None:
            duplicate = find_near_duplicate(new_text, kb.passages, skip=passage_id)
            if duplicate is not None:
                raise DuplicatePassage(f"the new text is a near-duplicate of passage {duplicate[0].id} "
                                       f"({duplicate[1]:.0f}% similar) (use --force to save it anyway)",
                                       duplicate[0].id)
        updated = dataclasses.replace(found.passage, text=new_text, section=new_section)
        if updated != found.passage:
            passages = [updated if p.id == passage_id else p for p in found.passages]
            stage_passages(txn, found.file, found.source, passages, before=found.passages)
        stage_questions(txn, root, [(q, passage_id) for q in questions])
        commit_checked(txn, root, f"edit {passage_id}", kb)
    return updated


def remove_passage(config: Config, passage_id: str) -> tuple[Passage, int]:
    """Remove a passage and the regression questions that expect it; returns it and how many questions went."""
    root = knowledge_root(config)
    with KnowledgeStore(root).transaction() as txn:
        kb = load_knowledge(root)
        found = locate_loaded(root, kb, passage_id)
        if len(kb.passages) == 1:
            raise PassageRejected(f"'{passage_id}' is the last passage: the bot needs at least one")
        passages = [p for p in found.passages if p.id != passage_id]
        stage_passages(txn, found.file, found.source, passages, before=found.passages)
        dropped = stage_unquestion(txn, root, passage_id)
        stage_retired(txn, root, passage_id)
        commit_checked(txn, root, f"remove {passage_id}", kb)
    return found.passage, dropped


def undo(config: Config, force: bool = False):
    """Restore the version before the last change, if the knowledge then still loads and (unless `force`) no file of
    it was edited by hand since; refused first, as every change is, when this process cannot write the knowledge."""
    root = knowledge_root(config)
    store = KnowledgeStore(root)
    check_writable(store.folder)
    try:
        before = load_knowledge(root)
        old_dangling = dangling_ids(before, load_questions(KnowledgeFolder(root).questions))
    except KnowledgeError:
        old_dangling = set()  # undo is how a maintainer gets back from a broken state
    return store.undo(check=lambda staged: check_staged(root, staged, old_dangling, allow_empty=True),
                      view=checked_files(root), force=force, merge=undo_keeps_retired(root))


def recover(config: Config) -> str | None:
    """Complete or roll back a change a crash interrupted; what was done, or None when nothing waited."""
    root = Path(config.knowledge)
    if not root.is_dir():
        return None
    store = KnowledgeStore(root)
    return store.recover() if store.pending() else None
