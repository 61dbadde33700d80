"""Maintainers' commands (`python -m bot kb ...`): split, import, list, add, edit, remove, undo, check the knowledge.

The operations (`add_passage`, `edit_passage`, ...) print nothing: they validate, then change the
files through a locked, atomic, undoable `KnowledgeStore` transaction, and return what they did.
The `_cmd_*` handlers are the thin command-line layer that asks, prints and picks the exit code:
0 done, 1 refused (unknown id, bad or duplicate passage, failed check), 2 usage or setup error.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .config import PACKAGE_ROOT, Config
from .errors import BotError, DuplicatePassage, KnowledgeError, PassageNotFound
from .knowledge import (
    KnowledgeBase, Passage, RegressionQuestion, Source, check_id, check_passage_text, dump_passage_file,
    find_near_duplicate, header_comment, load_knowledge, load_passage_file, load_questions, near_duplicate_pairs,
    parse_yaml, question_entry_yaml, read_text,
)
from .splitter import split_document
from .store import KnowledgeStore, Transaction

QUESTIONS_FILE = "questions.yaml"
QUESTIONS_HEADER = ("# Knowledge regression questions: each must keep being answered by the passage in expect_id\n"
                    "# (or with every string in expect). `python -m bot eval` runs them.\n")
MAX_SECTION_CHARS = 200


class PassageRejected(BotError):
    """A new or edited passage fails validation (empty, too long, bad section or source)."""


class UsageError(BotError):
    """Something the command needs is missing and there is no terminal to ask for it."""


# -- command line ----------------------------------------------------------------------------------

def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `kb` and its subcommands on the main parser."""
    kb = commands.add_parser("kb", help="maintain the knowledge: split, import, list, add, edit, remove, undo, check",
                             description="Maintain the fact passages. Every change is checked first, written "
                                         "atomically under a lock, and can be rolled back with 'kb undo'.")
    sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)

    split = sub.add_parser("split", help="split a document (.txt, .md, .html) into draft passages (YAML on stdout)",
                           description="Print draft passages for a document without saving anything.")
    split.add_argument("file", type=Path, help="the document")
    split.add_argument("--source-id", help="id of the new source (default: the file name)")
    split.add_argument("--url", default="", help="where the document was published")

    listing = sub.add_parser("list", help="list passages: id, section and the start of the text",
                             description="List the passages in knowledge order.")
    listing.add_argument("--section", help="only this section (case is ignored)")

    show = sub.add_parser("show", help="show one passage in full, with its source, file and line",
                          description="Show one passage, its source, where it is and the questions that expect it.")
    show.add_argument("id", help="passage id, e.g. mongolia-003")

    sub.add_parser("stats", help="count passages, sources, sections, regression questions and logged questions",
                   description="Figures about the knowledge and, when the log database exists, the questions asked.")

    add = sub.add_parser("add", help="check and save a new passage; prints its generated id",
                         description="Add a fact passage. It is refused (exit 1) when it is empty, over the length "
                                     "limit or a near-duplicate of an existing passage (use --force to add it anyway). "
                                     "In a terminal, missing text and section are asked for.")
    add.add_argument("--text", help="the fact, a sentence or two")
    add.add_argument("--section", help="the section it belongs to (an existing one or a new one)")
    add.add_argument("--source", help="the source id whose passages file receives it (default: the first source)")
    add.add_argument("--question", action="append", default=[], metavar="Q",
                     help="a regression question this passage must answer (saved in knowledge/questions.yaml); repeat")
    add.add_argument("--force", action="store_true", help="add it even if it is a near-duplicate")

    edit = sub.add_parser("edit", help="change a passage's text, section or questions (or open $EDITOR)",
                          description="Edit a passage in place. Without options, in a terminal, opens the passage's "
                                      "YAML in $EDITOR. The result is checked like a new passage before it is saved.")
    edit.add_argument("id", help="passage id")
    edit.add_argument("--text", help="the new text")
    edit.add_argument("--section", help="the new section")
    edit.add_argument("--question", action="append", default=[], metavar="Q",
                      help="add a regression question this passage must answer; repeat")
    edit.add_argument("--force", action="store_true", help="save it even if it becomes a near-duplicate")

    remove = sub.add_parser("remove", help="remove a passage (and the regression questions that expect it)",
                            description="Remove a passage; 'kb undo' brings it back.")
    remove.add_argument("id", help="passage id")

    sub.add_parser("undo", help="restore the knowledge as it was before the last add, edit, remove or import",
                   description="Roll back the last change. The previous versions are kept in knowledge/.history/ "
                               "(the last 20); undo again to go further back.")

    imp = sub.add_parser("import", help="turn a document (.txt, .md, .html) into passages under a new source",
                         description="Split a document into fact passages, show them for review, and save them "
                                     "(with the document, in sources/) when you confirm or pass --yes.")
    imp.add_argument("file", type=Path, help="the document")
    imp.add_argument("--source-id", help="id of the new source (default: from the file name)")
    imp.add_argument("--url", default="", help="where the document was published")
    imp.add_argument("--publisher", default="", help="who published it")
    imp.add_argument("--yes", action="store_true", help="save without asking")

    check = sub.add_parser("check", help="validate all knowledge files; warn about duplicates and unreached passages",
                           description="Exit 1 on errors (each names its file and line). Warnings (exit 0): "
                                       "near-duplicate passages, passages no evaluation or regression question "
                                       "reaches, regression questions that fail.")
    check.add_argument("--quick", action="store_true", help="skip asking the questions (no reach or regression check)")

    unanswered = sub.add_parser("unanswered", help="questions users asked that the bot could not answer",
                                description="List unanswered questions from the log database, most frequent first. "
                                            "With --add N, entry N becomes a new passage in one step, with the "
                                            "user's question as its regression question.")
    unanswered.add_argument("--limit", type=int, default=20, help="how many to list (default 20)")
    unanswered.add_argument("--add", type=int, metavar="N", help="turn entry N of the list into a new passage")
    unanswered.add_argument("--text", help="the passage text that answers it (with --add)")
    unanswered.add_argument("--section", help="its section (with --add)")
    unanswered.add_argument("--source", help="the source id that receives it (with --add)")
    unanswered.add_argument("--force", action="store_true", help="add it even if it is a near-duplicate")


def run(args: argparse.Namespace, config: Config, ask: Callable[[str], str] | None = None,
        out=None) -> int:
    """Run one `kb` subcommand; exit code 0 done, 1 refused or check failed, 2 usage or setup error."""
    out = out or sys.stdout
    handler = _HANDLERS.get(args.kb_command)
    if handler is None:
        raise UsageError(f"unknown kb command {args.kb_command}")
    console = _Console(out, ask)
    try:
        return handler(args, config, console)
    except (DuplicatePassage, PassageNotFound, PassageRejected) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


class _Console:
    """Where a command prints, and how it asks (only when a person is at a terminal)."""

    def __init__(self, out, ask: Callable[[str], str] | None) -> None:
        self.out = out
        self._ask = ask

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def can_ask(self) -> bool:
        return self._ask is not None or sys.stdin.isatty()

    def ask(self, prompt: str) -> str:
        if self._ask is not None:
            return self._ask(prompt)
        return input(prompt)


# -- the knowledge's files ------------------------------------------------------------------------

def knowledge_root(config: Config) -> Path:
    """The knowledge folder that maintainers' commands edit."""
    root = Path(config.knowledge)
    if not root.is_dir():
        raise UsageError(f"{root}: maintainers' commands need a knowledge folder (passages/*.yaml), not a file")
    return root


def passage_files(root: Path) -> list[Path]:
    """The passages files in the order the knowledge loads them."""
    folder = root / "passages"
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []


def render_file(path: Path, source: Source | None, passages: Iterable[Passage]) -> str:
    """A passages file's new text, keeping the comment lines at its top."""
    header = header_comment(path.read_text(encoding="utf-8")) if path.exists() else ""
    return header + dump_passage_file(source, passages)


def _verified(path: Path, text: str) -> str:
    """Load the rendered text as a passages file before it replaces the real one: never write a broken file."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / path.name
        probe.write_text(text, encoding="utf-8")
        load_passage_file(probe)
    return text


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
    raise PassageNotFound(f"no passage with id '{passage_id}' (see 'python -m bot kb list')")


def clean_text(text: str | None) -> str:
    """Collapse whitespace and refuse what no passage may be: empty or over the length limit."""
    text = " ".join((text or "").split())
    problem = check_passage_text(text)
    if problem:
        raise PassageRejected(f"passage {problem}" + (" (split it into two facts)" if "limit" in problem else ""))
    return text


def clean_section(section: str | None) -> str:
    """A section name: one line, not empty, not too long."""
    section = " ".join((section or "").split())
    if not section:
        raise PassageRejected("section is empty (give --section, e.g. one listed by 'kb list')")
    if len(section) > MAX_SECTION_CHARS:
        raise PassageRejected(f"section is {len(section)} characters, over the {MAX_SECTION_CHARS} limit")
    return section


def clean_questions(questions: Iterable[str]) -> list[str]:
    """Regression questions: non-empty, one line each."""
    out = [" ".join(q.split()) for q in questions]
    if any(not q for q in out):
        raise PassageRejected("a --question is empty")
    return out


def _next_id(kb: KnowledgeBase, file_ids: list[str], source_id: str) -> str:
    """`<prefix>-NNN` with the next free number, the prefix being the one the file's ids already use."""
    prefixes = {i.rsplit("-", 1)[0] for i in file_ids if "-" in i and i.rsplit("-", 1)[1].isdigit()}
    prefix = prefixes.pop() if len(prefixes) == 1 else source_id
    taken = {p.id for p in kb.passages}
    numbers = [int(i.rsplit("-", 1)[1]) for i in taken if i.rsplit("-", 1)[0] == prefix and i.rsplit("-", 1)[1].isdigit()]
    number = max(numbers, default=0) + 1
    while f"{prefix}-{number:03d}" in taken:
        number += 1
    new_id = f"{prefix}-{number:03d}"
    problem = check_id(new_id)
    if problem:
        raise PassageRejected(problem)
    return new_id


def _target_file(root: Path, source_id: str | None) -> Path:
    files = passage_files(root)
    known = []
    for file in files:
        source, _ = load_passage_file(file)
        if source is not None:
            known.append(source.id)
            if source_id is None or source.id == source_id:
                return file
    if source_id is None and files:
        return files[0]
    raise PassageRejected(f"no source with id '{source_id}' (known sources: {', '.join(known) or 'none'}; "
                          "'kb import' adds a new one)")


def _stage_questions(txn: Transaction, root: Path, questions: Iterable[tuple[str, str]]) -> None:
    """Append (question, passage id) entries to questions.yaml, keeping its comments."""
    questions = list(questions)
    if not questions:
        return
    path = root / QUESTIONS_FILE
    staged = txn.changes.get(path)
    text = staged if isinstance(staged, str) else (read_text(path) if path.exists() else QUESTIONS_HEADER + "questions:\n")
    old = parse_yaml(text, path)
    before = old.get("questions") if isinstance(old, dict) else None
    if text and not text.endswith("\n"):
        text += "\n"
    new = text + "".join(question_entry_yaml(q, pid) for q, pid in questions)
    data = parse_yaml(new, path)
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list) or len(entries) != len(before or []) + len(questions):
        raise KnowledgeError("cannot append to this questions file", path,
                             hint="keep 'questions:' as the last key, with '- q:' entries in block style")
    txn.write(path, new)


def _stage_unquestion(txn: Transaction, root: Path, passage_id: str) -> int:
    """Drop the questions.yaml entries that expect a passage id; returns how many."""
    path = root / QUESTIONS_FILE
    if not path.exists():
        return 0
    text = read_text(path)
    data = parse_yaml(text, path)
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return 0
    lines = text.splitlines(keepends=True)
    starts = [getattr(item, "line", 0) for item in items]
    drop: set[int] = set()
    for n, item in enumerate(items):
        if isinstance(item, dict) and item.get("expect_id") == passage_id and starts[n]:
            end = starts[n + 1] - 1 if n + 1 < len(items) and starts[n + 1] else len(lines)
            drop.update(range(starts[n] - 1, end))
    if not drop:
        return 0
    txn.write(path, "".join(line for i, line in enumerate(lines) if i not in drop))
    return sum(1 for item in items if isinstance(item, dict) and item.get("expect_id") == passage_id)


# -- operations (no printing) -----------------------------------------------------------------------

def add_passage(config: Config, text: str, section: str, source_id: str | None = None,
                questions: Iterable[str] = (), force: bool = False) -> Passage:
    """Check a new passage (valid, not a near-duplicate), save it with the next free id, and its questions."""
    text, section, questions = clean_text(text), clean_section(section), clean_questions(questions)
    root = knowledge_root(config)
    store = KnowledgeStore(root)
    with store.transaction() as txn:
        kb = load_knowledge(root)  # read inside the lock: a concurrent add is already on disk
        duplicate = None if force else find_near_duplicate(text, kb.passages)
        if duplicate is not None:
            existing, score = duplicate
            raise DuplicatePassage(f"near-duplicate of passage {existing.id} ({score:.0f}% similar): "
                                   f"\"{_short(existing.text, 90)}\" (use --force to add it anyway)", existing.id)
        file = _target_file(root, source_id)
        source, passages = load_passage_file(file)
        file_source = source.id if source else (passages[0].source if passages else file.stem)
        passage = Passage(id=_next_id(kb, [p.id for p in passages], file_source), text=text, section=section,
                          source=file_source)
        txn.write(file, _verified(file, render_file(file, source, [*passages, passage])))
        _stage_questions(txn, root, [(q, passage.id) for q in questions])
        txn.commit(f"add {passage.id}")
    return passage


def edit_passage(config: Config, passage_id: str, text: str | None = None, section: str | None = None,
                 questions: Iterable[str] = (), force: bool = False) -> Passage:
    """Change a passage's text or section (checked like a new one) and add regression questions."""
    root = knowledge_root(config)
    questions = clean_questions(questions)
    with KnowledgeStore(root).transaction() as txn:
        kb = load_knowledge(root)
        found = locate(root, passage_id)
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
            txn.write(found.file, _verified(found.file, render_file(found.file, found.source, passages)))
        _stage_questions(txn, root, [(q, passage_id) for q in questions])
        txn.commit(f"edit {passage_id}")
    return updated


def remove_passage(config: Config, passage_id: str) -> tuple[Passage, int]:
    """Remove a passage and the regression questions that expect it; returns it and how many questions went."""
    root = knowledge_root(config)
    with KnowledgeStore(root).transaction() as txn:
        kb = load_knowledge(root)
        found = locate(root, passage_id)
        if len(kb.passages) == 1:
            raise PassageRejected(f"'{passage_id}' is the last passage: the bot needs at least one")
        passages = [p for p in found.passages if p.id != passage_id]
        txn.write(found.file, _verified(found.file, render_file(found.file, found.source, passages)))
        dropped = _stage_unquestion(txn, root, passage_id)
        txn.commit(f"remove {passage_id}")
    return found.passage, dropped


def undo(config: Config):
    """Restore the version before the last change."""
    return KnowledgeStore(knowledge_root(config)).undo()


def kind_of(path: Path) -> str:
    """The document kind the splitter should use, from the file name."""
    suffix = path.suffix.lower()
    return "html" if suffix in (".html", ".htm") else "md" if suffix in (".md", ".markdown") else "txt"


def slug(name: str) -> str:
    """A source id from a file name: lower-case letters and digits joined by '-'."""
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def draft_passages(path: Path, source_id: str, url: str = "") -> tuple[Source, list[Passage], list[str]]:
    """Split a document file into a source and draft passages, plus the ids that need a reviewer's eye."""
    draft = split_document(read_text(path), kind_of(path))
    source = Source(id=source_id, title=draft.title, date=draft.date, url=url, document=f"sources/{path.name}")
    passages, review = [], []
    for number, item in enumerate(draft.passages, start=1):
        passage = Passage(id=f"{source_id}-{number:03d}", text=item.text, section=item.section, source=source_id)
        passages.append(passage)
        if item.needs_review:
            review.append(passage.id)
    return source, passages, review


@dataclass(frozen=True)
class ImportDraft:
    """What an import would add: the new source, its passages, and what a reviewer should look at."""

    source: Source
    passages: tuple[Passage, ...]
    review: tuple[str, ...]
    duplicates: tuple[tuple[str, str, float], ...]  # (new id, existing id, similarity)
    target: Path
    document: Path


def prepare_import(config: Config, path: Path, source_id: str | None = None, url: str = "",
                   publisher: str = "") -> ImportDraft:
    """Split a document into a new source's passages and check them, without saving anything."""
    root = knowledge_root(config)
    if kind_of(path) == "txt" and path.suffix.lower() not in (".txt", ".text", ""):
        raise UsageError(f"{path}: import reads .txt, .md or .html documents")
    source_id = source_id or slug(path.stem)
    problem = check_id(source_id)
    if problem:
        raise PassageRejected(f"source {problem} (choose one with --source-id)")
    kb = load_knowledge(root)
    if source_id in kb.sources or (root / "passages" / f"{source_id}.yaml").exists():
        raise PassageRejected(f"a source '{source_id}' already exists (choose another with --source-id)")
    source, passages, review = draft_passages(path, source_id, url)
    if publisher:
        source = dataclasses.replace(source, publisher=publisher)
    if not passages:
        raise PassageRejected(f"{path}: no passages found in the document (is it empty?)")
    taken = {p.id for p in kb.passages}
    for passage in passages:
        problem = check_passage_text(passage.text)
        if problem:
            raise PassageRejected(f"{passage.id}: {problem} (shorten that paragraph in the document, or add it by hand)")
        if passage.id in taken:
            raise PassageRejected(f"passage id {passage.id} is already used (choose another --source-id)")
    duplicates = []
    for passage in passages:
        dup = find_near_duplicate(passage.text, kb.passages)
        if dup is not None:
            duplicates.append((passage.id, dup[0].id, dup[1]))
    document = root / "sources" / path.name
    if document.exists() and document.read_bytes() != path.read_bytes():
        raise PassageRejected(f"{document} already exists with other content (rename the document)")
    return ImportDraft(source, tuple(passages), tuple(review), tuple(duplicates),
                       root / "passages" / f"{source_id}.yaml", document)


def save_import(config: Config, draft: ImportDraft, original: Path) -> None:
    """Write an import's passages file and keep the document beside the others in sources/."""
    root = knowledge_root(config)
    with KnowledgeStore(root).transaction() as txn:
        if draft.target.exists():
            raise PassageRejected(f"{draft.target} appeared meanwhile; run the import again")
        header = f"# Fact passages from '{draft.source.title}', imported by `python -m bot kb import`.\n"
        txn.write(draft.target, _verified(draft.target, header + dump_passage_file(draft.source, draft.passages)))
        if not draft.document.exists():
            txn.write(draft.document, original.read_bytes())
        txn.commit(f"import {draft.source.id}")
    load_knowledge(root)  # the whole knowledge must still load; the caller reports it if not


@dataclass(frozen=True)
class CheckReport:
    """What `kb check` found: errors make it fail, warnings only inform."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    passages: int
    questions: int
    seconds: float


def eval_files(config: Config) -> list[Path]:
    """Evaluation sets that also count as questions reaching passages: eval/*.yaml beside the config or package."""
    folders = [Path.cwd() / "eval", PACKAGE_ROOT / "eval"]
    if config.path is not None:
        folders.insert(0, Path(config.path).resolve().parent / "eval")
    for folder in folders:
        if folder.is_dir():
            return sorted(folder.glob("*.yaml"))
    return []


def run_questions(answerer, questions: Iterable[RegressionQuestion]) -> list[tuple[RegressionQuestion, bool, tuple[str, ...]]]:
    """Ask each regression question afresh: (question, passed, passage ids of the answer)."""
    out = []
    for question in questions:
        answer = answerer.answer(question.question)
        out.append((question, question.passes(answer.found, answer.text, answer.passage_ids), answer.passage_ids))
    return out


def check_knowledge(config: Config, ask_questions: bool = True) -> CheckReport:
    """Validate every knowledge file (errors), then look for duplicates and unreached passages (warnings)."""
    started = time.perf_counter()
    root = Path(config.knowledge)
    errors: list[str] = []
    warnings: list[str] = []
    try:
        kb = load_knowledge(root)
    except KnowledgeError as exc:
        return CheckReport((str(exc),), (), 0, 0, time.perf_counter() - started)
    questions: list[RegressionQuestion] = []
    qpath = root / QUESTIONS_FILE
    if root.is_dir():
        try:
            questions = load_questions(qpath)
        except KnowledgeError as exc:
            errors.append(str(exc))
    ids = {p.id for p in kb.passages}
    for q in questions:
        if q.expect_id and q.expect_id not in ids:
            errors.append(str(KnowledgeError(f"expect_id '{q.expect_id}' is not a passage", qpath, q.line,
                                             hint="fix the id or remove the question")))
    if root.is_dir():
        for leftover in sorted(root.rglob(".*.tmp")):
            warnings.append(f"{leftover}: left over from an interrupted write (the real file is intact); delete it")
    for a, b, score in near_duplicate_pairs(kb.passages):
        warnings.append(f"near-duplicates ({score:.0f}% similar): {a.id} ({a.file}, line {a.line}) and "
                        f"{b.id} ({b.file}, line {b.line})")
    if ask_questions and not errors:
        from .answer import build_answerer
        from .evaluation import load_cases

        answerer = build_answerer(config, kb)
        reached: set[str] = set()
        for q, passed, passage_ids in run_questions(answerer, questions):
            reached.update(passage_ids)
            if not passed and not q.xfail:
                warnings.append(f"{qpath}, line {q.line}: regression question fails: {q.question!r} "
                                f"(expected {q.expect_id or list(q.expect)}, got {list(passage_ids) or 'no answer'})")
        for file in eval_files(config):
            try:
                cases = load_cases(file)
            except KnowledgeError as exc:
                warnings.append(f"evaluation file skipped: {exc}")
                continue
            for case in cases:
                context = None
                for earlier in case.context:
                    context = answerer.answer(earlier, context).context
                reached.update(answerer.answer(case.question, context).passage_ids)
        for passage in kb.passages:
            if passage.id not in reached:
                warnings.append(f"no evaluation or regression question reaches {passage.id} ({passage.file}, line "
                                f"{passage.line}); add one with 'kb edit {passage.id} --question ...'")
    return CheckReport(tuple(errors), tuple(warnings), len(kb.passages), len(questions),
                       time.perf_counter() - started)


# -- handlers (print, ask, exit code) ---------------------------------------------------------------

def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _cmd_split(args, config: Config, console: _Console) -> int:
    source, passages, review = draft_passages(args.file, args.source_id or slug(args.file.stem), args.url)
    console.out.write(dump_passage_file(source, passages))
    if review:
        print(f"Review these passages: they may lean on the sentence before them: {', '.join(review)}",
              file=sys.stderr)
    return 0


def _cmd_list(args, config: Config, console: _Console) -> int:
    kb = load_knowledge(config.knowledge)
    passages = kb.passages
    if args.section:
        wanted = " ".join(args.section.split()).casefold()
        passages = tuple(p for p in passages if p.section.casefold() == wanted)
        if not passages:
            raise PassageRejected(f"no section '{args.section}' (sections: {'; '.join(kb.sections())})")
    width = max(len(p.id) for p in passages)
    for passage in passages:
        console.print(f"{passage.id:<{width}}  [{_short(passage.section, 30)}]  {_short(passage.text)}")
    console.print(f"{len(passages)} passage(s)")
    return 0


def _cmd_show(args, config: Config, console: _Console) -> int:
    kb = load_knowledge(config.knowledge)
    passage = kb.by_id(args.id)
    if passage is None:
        raise PassageNotFound(f"no passage with id '{args.id}' (see 'python -m bot kb list')")
    source = kb.sources.get(passage.source)
    console.print(f"id:       {passage.id}")
    console.print(f"source:   {source.citation() if source else passage.source or '-'}")
    console.print(f"section:  {passage.section}")
    console.print(f"file:     {passage.file}, line {passage.line}")
    console.print(f"text:     {passage.text}")
    for question in passage.questions:
        console.print(f"question: {question}")
    root = Path(config.knowledge)
    if root.is_dir():
        for q in load_questions(root / QUESTIONS_FILE):
            if q.expect_id == passage.id:
                console.print(f"regression: {q.question}")
    return 0


def _cmd_stats(args, config: Config, console: _Console) -> int:
    kb = load_knowledge(config.knowledge)
    root = Path(config.knowledge)
    lengths = [len(p.text) for p in kb.passages]
    console.print(f"passages:   {len(kb.passages)} (text {min(lengths)}-{max(lengths)} characters, "
                  f"average {sum(lengths) / len(lengths):.0f})")
    console.print(f"sources:    {len(kb.sources)}")
    for source in kb.sources.values():
        console.print(f"  {source.id}: {sum(p.source == source.id for p in kb.passages)} passages, {source.title}")
    console.print(f"sections:   {len(kb.sections())}")
    if root.is_dir():
        console.print(f"regression questions: {len(load_questions(root / QUESTIONS_FILE))}")
        console.print(f"undo versions kept:   {len(KnowledgeStore(root).versions())}")
    database = config.storage.database
    if database != ":memory:" and Path(database).exists():
        from .storage import Storage

        counts = Storage(database).counts()
        console.print("asked:      {questions} questions, {answered} answered, {unanswered} not answered; "
                      "feedback {helpful} helpful, {unhelpful} not".format(**counts))
    else:
        console.print("asked:      no log database yet")
    return 0


def _ask_missing(console: _Console, value: str | None, prompt: str, option: str) -> str:
    if value is not None:
        return value
    if not console.can_ask():
        raise UsageError(f"give {option} (or run the command in a terminal to be asked)")
    return console.ask(prompt)


def _report_added(config: Config, console: _Console, passage: Passage, questions: list[str]) -> None:
    console.print(passage.id)
    if not questions:
        return
    from .answer import build_answerer

    answerer = build_answerer(config)
    for q, passed, ids in run_questions(answerer, [RegressionQuestion(q, passage.id) for q in questions]):
        if not passed:
            print(f"Warning: the bot does not answer {q.question!r} with {passage.id} yet (it answers with "
                  f"{', '.join(ids) or 'nothing'}); use the question's words in the passage", file=sys.stderr)


def _cmd_add(args, config: Config, console: _Console) -> int:
    kb = load_knowledge(knowledge_root(config))
    text = _ask_missing(console, args.text, "Passage text (a sentence or two): ", "--text")
    if args.section is None and console.can_ask():
        console.print("Sections: " + "; ".join(kb.sections()))
    section = _ask_missing(console, args.section, "Section: ", "--section")
    questions = list(args.question)
    if not questions and args.text is None and console.can_ask():
        question = console.ask("A question it answers (Enter to skip): ").strip()
        questions = [question] if question else []
    passage = add_passage(config, text, section, args.source, questions, args.force)
    _report_added(config, console, passage, questions)
    return 0


def _edit_in_editor(config: Config, passage_id: str, console: _Console) -> int:
    found = locate(knowledge_root(config), passage_id)
    original = dump_passage_file(None, [found.passage])
    with tempfile.NamedTemporaryFile("w+", suffix=".yaml", encoding="utf-8", delete=False) as handle:
        handle.write("# Edit the passage, save and close. The id cannot change.\n" + original)
        name = handle.name
    try:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        subprocess.run([*shlex.split(editor), name], check=False)
        _, edited = load_passage_file(Path(name))
    finally:
        os.unlink(name)
    if len(edited) != 1 or edited[0].id != passage_id:
        raise PassageRejected("the edited file must hold exactly this one passage, with the same id")
    new = edited[0]
    if (new.text, new.section) == (found.passage.text, found.passage.section):
        console.print("No change.")
        return 0
    edit_passage(config, passage_id, new.text, new.section)
    console.print(f"Saved {passage_id}.")
    return 0


def _cmd_edit(args, config: Config, console: _Console) -> int:
    if args.text is None and args.section is None and not args.question:
        if not sys.stdin.isatty():
            raise UsageError("give --text, --section or --question (or run in a terminal to open $EDITOR)")
        return _edit_in_editor(config, args.id, console)
    passage = edit_passage(config, args.id, args.text, args.section, args.question, args.force)
    console.print(f"Saved {passage.id}: [{passage.section}] {_short(passage.text)}")
    return 0


def _cmd_remove(args, config: Config, console: _Console) -> int:
    passage, dropped = remove_passage(config, args.id)
    extra = f" and {dropped} regression question(s) that expected it" if dropped else ""
    console.print(f"Removed {passage.id}{extra}. 'python -m bot kb undo' brings it back.")
    return 0


def _cmd_undo(args, config: Config, console: _Console) -> int:
    try:
        version = undo(config)
    except KnowledgeError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(version.at))
    console.print(f"Undone: {version.reason or 'last change'} ({when}); restored {', '.join(version.files)}.")
    return 0


def _cmd_import(args, config: Config, console: _Console) -> int:
    draft = prepare_import(config, args.file, args.source_id, args.url, args.publisher)
    console.out.write(dump_passage_file(draft.source, draft.passages))
    console.print(f"\n{len(draft.passages)} passages for the new source '{draft.source.id}' -> {draft.target}")
    if draft.review:
        console.print(f"Review these: they may lean on the sentence before them: {', '.join(draft.review)}")
    for new_id, existing_id, score in draft.duplicates:
        console.print(f"Warning: {new_id} is a near-duplicate of {existing_id} ({score:.0f}% similar)")
    if not args.yes:
        if not console.can_ask():
            print("Error: nothing saved: review the passages above, then run again with --yes", file=sys.stderr)
            return 1
        if console.ask("Save these passages? [y/N] ").strip().lower() not in ("y", "yes"):
            console.print("Nothing saved.")
            return 1
    save_import(config, draft, args.file)
    console.print(f"Saved {len(draft.passages)} passages to {draft.target}; 'python -m bot kb undo' removes them.")
    return 0


def _cmd_check(args, config: Config, console: _Console) -> int:
    report = check_knowledge(config, ask_questions=not args.quick)
    for error in report.errors:
        console.print(f"Error: {error}")
    for warning in report.warnings:
        console.print(f"Warning: {warning}")
    status = "FAILED" if report.errors else "OK"
    console.print(f"{status}: {report.passages} passages, {report.questions} regression questions, "
                  f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in {report.seconds:.2f} s")
    return 1 if report.errors else 0


def _cmd_unanswered(args, config: Config, console: _Console) -> int:
    from .storage import Storage

    if args.limit < 1:
        raise UsageError("--limit must be 1 or more")
    database = config.storage.database
    if database != ":memory:" and not Path(database).exists():
        console.print(f"No questions logged yet ({database} does not exist).")
        return 0
    entries = Storage(database).unanswered(max(args.limit, args.add or 0))
    if args.add is None:
        if not entries:
            console.print("No unanswered questions.")
        for number, entry in enumerate(entries[: args.limit], start=1):
            console.print(f"{number:>3}. ({entry.count}x) {entry.question}")
        if entries:
            console.print("Turn one into a passage: python -m bot kb unanswered --add N --text \"...\" --section \"...\"")
        return 0
    if not 1 <= args.add <= len(entries):
        raise PassageNotFound(f"no unanswered question number {args.add} (there are {len(entries)})")
    question = entries[args.add - 1].question
    console.print(f"Question: {question}")
    text = _ask_missing(console, args.text, "Passage text that answers it: ", "--text")
    section = _ask_missing(console, args.section, "Section: ", "--section")
    passage = add_passage(config, text, section, args.source, [question], args.force)
    _report_added(config, console, passage, [question])
    return 0


_HANDLERS = {
    "split": _cmd_split, "list": _cmd_list, "show": _cmd_show, "stats": _cmd_stats, "add": _cmd_add,
    "edit": _cmd_edit, "remove": _cmd_remove, "undo": _cmd_undo, "import": _cmd_import, "check": _cmd_check,
    "unanswered": _cmd_unanswered,
}
