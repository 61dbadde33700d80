"""Staging a change in a store transaction, and the check that refuses it unless the knowledge, as it will be,
loads exactly as the bot loads it and keeps every regression question's passage. No command can save a
knowledge that does not load."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import KnowledgeError, PassageRejected
from ..files import read_text
from .entries import parse_passage_text
from .folder import KnowledgeFolder
from .load import knowledge_files, load_knowledge, load_knowledge_or_empty
from .model import KnowledgeBase, Passage, RegressionQuestion, Source
from .questions import load_questions, question_entry_yaml
from .store import Transaction
from .splice import passage_spans, splice_passages
from .yamlio import dump_passage_file, header_comment, parse_yaml

QUESTIONS_HEADER = ("# Knowledge regression questions: each must keep being answered by the passage in expect_id\n"
                    "# (or with every string in expect). `python -m bot eval` runs them.\n")
# 'questions: []' on its own line (a byte order mark before it: a Windows editor; a comment after it kept)
_EMPTY_LIST = re.compile(r"^(\ufeff?)questions:[ \t]*\[[ \t]*\]([ \t]*(?:#[^\r\n]*)?)(?=\r?$)", re.MULTILINE)


def render_file(path: Path, source: Source | None, passages: Sequence[Passage], before: Sequence[Passage] = ()) -> str:
    """A passages file's new text: only the lines of the passages that differ from `before` (the file's passages as
    loaded, with their lines) rewritten when that can be done; else the whole file, keeping its top comments."""
    text = read_text(path) if path.exists() else ""
    file_source = source.id if source else ""
    spliced = splice_passages(text, path, file_source, before, passages) if before else None
    if spliced is not None and _loads_as(spliced, path, source, passages):
        return spliced
    return header_comment(text) + dump_passage_file(source, passages)


def _loads_as(text: str, path: Path, source: Source | None, passages: Sequence[Passage]) -> bool:
    """Whether a passages file's text loads back as exactly this source and these passages."""
    try:
        loaded_source, loaded = parse_passage_text(text, path)
    except KnowledgeError:
        return False
    fields = ("id", "text", "section", "source", "questions")
    same = [tuple(getattr(p, f) for f in fields) for p in loaded] == [tuple(getattr(p, f) for f in fields) for p in passages]
    return same and loaded_source == source


def stage_passages(txn: Transaction, file: Path, source: Source | None, passages: Sequence[Passage],
                   before: Sequence[Passage] = ()) -> None:
    """Stage a passages file's new text, changing only the lines of the passages that differ from `before` (the
    passages loaded from it) where possible (`commit_checked` then checks that the knowledge loads)."""
    if txn.staged(file) is not None:
        before = ()  # the passages' lines are those of the file on disk, not of text staged since
    txn.write(file, render_file(file, source, passages, before))


def dangling_ids(kb: KnowledgeBase, questions: Iterable[RegressionQuestion]) -> set[str]:
    """The expect_ids that name no passage: `kb check` fails on them."""
    return {q.expect_id for q in questions if q.expect_id and kb.by_id(q.expect_id) is None}


def commit_checked(txn: Transaction, root: Path, reason: str, before: KnowledgeBase | None = None,
                   verify: Callable[[KnowledgeBase], None] | None = None, trial: bool = False) -> None:
    """Commit only if the staged knowledge loads as the bot will load it, keeps its questions' passages, and passes
    `verify` (given the staged knowledge; it raises to refuse). A trial checks the same way and writes nothing."""
    # A questions file broken before the change is that file's own error (exit 2, as a broken passages file is), not
    # "the change would break the knowledge" (exit 1): no change touches a question but by adding or dropping one.
    old_dangling = set() if before is None else dangling_ids(before, load_questions(KnowledgeFolder(root).questions))
    txn.commit(reason, check=lambda staged: check_staged(root, staged, old_dangling, verify),
               view=checked_files(root), trial=trial)


def checked_files(root: Path) -> list[Path]:
    """Every file the bot and `kb check` read from a knowledge folder."""
    questions = KnowledgeFolder(root).questions
    return knowledge_files(root) + ([questions] if questions.exists() else [])


def check_staged(root: Path, staged: Path, old_dangling: set[str],
                 verify: Callable[[KnowledgeBase], None] | None = None, allow_empty: bool = False) -> None:
    """Load the staged copy of the knowledge with load_knowledge and load_questions; refuse with what broke.
    `allow_empty`: no passages at all is a state to return to (undoing the first import), not a break."""
    if allow_empty and KnowledgeFolder(root).passages.is_dir():  # the staged view holds only files: no passages/
        KnowledgeFolder(staged).passages.mkdir(exist_ok=True)
    try:
        kb = load_knowledge_or_empty(staged) if allow_empty else load_knowledge(staged)
        new_dangling = dangling_ids(kb, load_questions(KnowledgeFolder(staged).questions)) - old_dangling
    except KnowledgeError as exc:
        # Name the real files, not their staged copies.
        real = str(root)
        message = f"{exc.path.replace(str(staged), real) if exc.path else 'knowledge'}"
        message += f", line {exc.line}" if exc.line is not None else ""
        message += f": {exc.reason.replace(str(staged), real)}"
        raise PassageRejected(f"nothing was saved: the change would break the knowledge: {message}"
                              + (f" ({exc.hint})" if exc.hint else "")) from None
    if new_dangling:
        raise PassageRejected(f"nothing was saved: questions.yaml would expect passages that do not exist: "
                              f"{', '.join(sorted(new_dangling))}")
    if verify is not None:
        verify(kb)


def stage_questions(txn: Transaction, root: Path, questions: Iterable[tuple[str, str]]) -> None:
    """Append (question, passage id) entries to questions.yaml, keeping its comments."""
    questions = list(questions)
    if not questions:
        return
    path = KnowledgeFolder(root).questions
    staged = txn.staged(path)
    text = staged if isinstance(staged, str) else (read_text(path) if path.exists() else QUESTIONS_HEADER + "questions:\n")
    old = parse_yaml(text, path)
    before = old.get("questions") if isinstance(old, dict) else None
    # A question the passage already has (in any case or spacing) is not added again.
    seen = {_question_key(e.get("q"), e.get("expect_id")) for e in before or [] if isinstance(e, dict)}
    fresh = []
    for question, passage_id in questions:
        if _question_key(question, passage_id) not in seen:
            seen.add(_question_key(question, passage_id))
            fresh.append((question, passage_id))
    if not fresh:
        return
    questions = fresh
    if before == []:  # 'questions: []', as `kb init` writes it: block entries cannot follow a flow list
        text = _EMPTY_LIST.sub(r"\1questions:\2", text, count=1)
    newline = "\r\n" if "\r\n" in text else "\n"  # a file saved on Windows keeps its line endings
    if text and not text.endswith("\n"):
        text += newline
    new = text + "".join(question_entry_yaml(q, pid) for q, pid in questions).replace("\n", newline)
    data = parse_yaml(new, path)
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list) or len(entries) != len(before or []) + len(questions):
        raise KnowledgeError("cannot append to this questions file", path,
                             hint="keep 'questions:' as the last key, with '- q:' entries in block style")
    txn.write(path, new)


def _question_key(question: object, passage_id: object) -> tuple[str, str]:
    return " ".join(str(question).split()).casefold(), str(passage_id or "")


def stage_unquestion(txn: Transaction, root: Path, passage_id: str) -> int:
    """Drop the questions.yaml entries that expect a passage id; returns how many."""
    path = KnowledgeFolder(root).questions
    if not path.exists():
        return 0
    text = read_text(path)
    data = parse_yaml(text, path)
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return 0
    lines = text.splitlines(keepends=True)
    starts = [getattr(item, "line", 0) for item in items]
    # Each entry's own lines: the comments and blank lines after it stay (they may be about the next one).
    spans = passage_spans(lines, starts) if all(starts) else None
    if spans is None:  # an unusual layout: from each entry to the next
        spans = [(s - 1, starts[n + 1] - 1 if n + 1 < len(items) and starts[n + 1] else len(lines))
                 for n, s in enumerate(starts)]
    drop: set[int] = set()
    for n, item in enumerate(items):
        if isinstance(item, dict) and item.get("expect_id") == passage_id and starts[n]:
            drop.update(range(*spans[n]))
    if not drop:
        return 0
    txn.write(path, "".join(line for i, line in enumerate(lines) if i not in drop))
    return sum(1 for item in items if isinstance(item, dict) and item.get("expect_id") == passage_id)
