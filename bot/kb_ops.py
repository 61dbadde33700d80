"""Maintainers' operations on the knowledge: add, edit, remove, undo, import, check, and the unanswered log.

They print nothing and never exit: they validate, then change the files through a locked, atomic,
undoable `KnowledgeStore` transaction, and return what they did or raise a named error saying how
to fix the problem. Before any file is replaced, the knowledge as it will be after the change is
loaded exactly as the bot loads it (`_commit`), so no command can save a knowledge that does not
load. `bot.maintain` is the command line over them.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .config import PACKAGE_ROOT, Config
from .errors import BotError, DuplicatePassage, KnowledgeError, PassageNotFound
from .knowledge import (
    MAX_FILE_BYTES, KnowledgeBase, Passage, RegressionQuestion, Source, check_id, check_passage_text, dump_passage_file,
    find_near_duplicate, header_comment, ignored_files, knowledge_files, load_knowledge, load_passage_file, load_questions,
    near_duplicate_pairs, near_duplicates_of, parse_yaml, passage_files, question_entry_yaml, read_bytes, read_text,
)
from .splitter import split_document
from .store import KnowledgeStore, Transaction
from .text import shorten as short

QUESTIONS_FILE = "questions.yaml"
QUESTIONS_HEADER = ("# Knowledge regression questions: each must keep being answered by the passage in expect_id\n"
                    "# (or with every string in expect). `python -m bot eval` runs them.\n")
MAX_SECTION_CHARS = 200
MAX_LIST = 1_000_000  # --limit and --add beyond this are typing mistakes (and overflow SQLite's integers)


class PassageRejected(BotError):
    """A new or edited passage fails validation (empty, too long, bad section or source)."""


class UsageError(BotError):
    """Something the command needs is missing and there is no terminal to ask for it."""


# -- the knowledge's files ------------------------------------------------------------------------

def knowledge_root(config: Config) -> Path:
    """The knowledge folder that maintainers' commands edit."""
    root = Path(config.knowledge)
    if not root.is_dir():
        raise UsageError(f"{root}: maintainers' commands need a knowledge folder (passages/*.yaml), not a file")
    return root


def render_file(path: Path, source: Source | None, passages: Iterable[Passage]) -> str:
    """A passages file's new text, keeping the comment lines at its top."""
    header = header_comment(path.read_text(encoding="utf-8")) if path.exists() else ""
    return header + dump_passage_file(source, passages)


def _stage_passages(txn: Transaction, file: Path, source: Source | None, passages: Iterable[Passage]) -> None:
    """Stage a passages file's new text, keeping its top comments (`_commit` checks it loads)."""
    txn.write(file, render_file(file, source, passages))


def _dangling(kb: KnowledgeBase, questions: Iterable[RegressionQuestion]) -> set[str]:
    """The expect_ids that name no passage: `kb check` fails on them."""
    return {q.expect_id for q in questions if q.expect_id and kb.by_id(q.expect_id) is None}


def _commit(txn: Transaction, root: Path, reason: str, before: KnowledgeBase | None = None) -> None:
    """Commit only if the staged knowledge loads as the bot will load it and keeps its questions' passages."""
    old_dangling = set()
    if before is not None:
        try:
            old_dangling = _dangling(before, load_questions(root / QUESTIONS_FILE))
        except KnowledgeError:
            pass  # a broken questions file shows up in the staged check below
    txn.commit(reason, check=lambda staged: _check_staged(root, staged, old_dangling), view=_view(root))


def _view(root: Path) -> list[Path]:
    """Every file the bot and `kb check` read from a knowledge folder."""
    questions = root / QUESTIONS_FILE
    return knowledge_files(root) + ([questions] if questions.exists() else [])


def _check_staged(root: Path, staged: Path, old_dangling: set[str]) -> None:
    """Load the staged copy of the knowledge with load_knowledge and load_questions; refuse with what broke."""
    try:
        kb = load_knowledge(staged)
        new_dangling = _dangling(kb, load_questions(staged / QUESTIONS_FILE)) - old_dangling
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
    raise _not_found(passage_id)


def find_passage(kb: KnowledgeBase, passage_id: str) -> Passage:
    """The passage with this id, or PassageNotFound naming the fix."""
    passage = kb.by_id(passage_id)
    if passage is None:
        raise _not_found(passage_id)
    return passage


def _not_found(passage_id: str) -> PassageNotFound:
    """The one wording for an unknown id, whichever way it was looked up."""
    return PassageNotFound(f"no passage with id '{passage_id}' (see 'python -m bot kb list')")


def passages_in_section(kb: KnowledgeBase, section: str) -> tuple[Passage, ...]:
    """The passages of one section (case and spacing ignored), or PassageRejected listing the sections."""
    wanted = " ".join(section.split()).casefold()
    passages = tuple(p for p in kb.passages if p.section.casefold() == wanted)
    if not passages:
        raise PassageRejected(f"no section '{section}' (sections: {'; '.join(kb.sections())})")
    return passages


def regression_questions(config: Config) -> list[RegressionQuestion]:
    """The questions in the knowledge folder's questions.yaml (none for a single knowledge file)."""
    root = Path(config.knowledge)
    return load_questions(root / QUESTIONS_FILE) if root.is_dir() else []


def clean_unicode(value: str, what: str) -> str:
    """Refuse text that cannot be saved as UTF-8: a byte that was not UTF-8 on the command line (Python hands it
    over as a lone surrogate) or a lone surrogate an editor wrote as a \\u escape."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        if 0xDC80 <= code <= 0xDCFF:
            raise PassageRejected(f"{what} holds the byte 0x{code - 0xDC00:02x}, which is not UTF-8 "
                                  "(type or paste the text as UTF-8)") from None
        raise PassageRejected(f"{what} holds an unpaired surrogate U+{code:04X}, which is not valid Unicode "
                              "(write the character itself, not a \\u escape)") from None
    return value


def clean_text(text: str | None) -> str:
    """Collapse whitespace and refuse what no passage may be: empty, over the length limit, or not Unicode."""
    text = " ".join(clean_unicode(text or "", "the passage text").split())
    problem = check_passage_text(text)
    if problem:
        raise PassageRejected(f"passage {problem}" + (" (split it into two facts)" if "limit" in problem else ""))
    return text


def clean_section(section: str | None) -> str:
    """A section name: one line, not empty, not too long."""
    section = " ".join(clean_unicode(section or "", "the section").split())
    if not section:
        raise PassageRejected("section is empty (give --section, e.g. one listed by 'kb list')")
    if len(section) > MAX_SECTION_CHARS:
        raise PassageRejected(f"section is {len(section)} characters, over the {MAX_SECTION_CHARS} limit")
    return section


def clean_questions(questions: Iterable[str]) -> list[str]:
    """Regression questions: non-empty, one line each."""
    out = [" ".join(clean_unicode(q, "a --question").split()) for q in questions]
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


def source_files(root: Path) -> dict[str, Path]:
    """Each source id a passage can be filed under, with its passages file (a file without a source header
    is known by its file name)."""
    out: dict[str, Path] = {}
    for file in passage_files(root):
        source, _ = load_passage_file(file)
        out.setdefault(source.id if source else file.stem, file)
    return out


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


def _locate(root: Path, kb: KnowledgeBase, passage_id: str) -> Located:
    """`locate`, reading only the file the loaded knowledge says holds the passage."""
    passage = kb.by_id(passage_id)
    if passage is None or not passage.file:
        raise _not_found(passage_id)
    file = Path(passage.file)
    source, passages = load_passage_file(file)
    for found in passages:
        if found.id == passage_id:
            return Located(found, file, source, tuple(passages))
    return locate(root, passage_id)


def _stage_questions(txn: Transaction, root: Path, questions: Iterable[tuple[str, str]]) -> None:
    """Append (question, passage id) entries to questions.yaml, keeping its comments."""
    questions = list(questions)
    if not questions:
        return
    path = root / QUESTIONS_FILE
    staged = txn.staged(path)
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
                                   f"\"{short(existing.text, 90)}\" (use --force to add it anyway)", existing.id)
        file, source, passages = _target_file(root, source_id, kb)
        file_source = source.id if source else (passages[0].source if passages else file.stem)
        passage = Passage(id=_next_id(kb, [p.id for p in passages], file_source), text=text, section=section,
                          source=file_source)
        _stage_passages(txn, file, source, [*passages, passage])
        _stage_questions(txn, root, [(q, passage.id) for q in questions])
        _commit(txn, root, f"add {passage.id}", kb)
    return passage


def edit_passage(config: Config, passage_id: str, text: str | None = None, section: str | None = None,
                 questions: Iterable[str] = (), force: bool = False) -> Passage:
    """Change a passage's text or section (checked like a new one) and add regression questions."""
    root = knowledge_root(config)
    questions = clean_questions(questions)
    with KnowledgeStore(root).transaction() as txn:
        kb = load_knowledge(root)
        found = _locate(root, kb, passage_id)
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
            _stage_passages(txn, found.file, found.source, passages)
        _stage_questions(txn, root, [(q, passage_id) for q in questions])
        _commit(txn, root, f"edit {passage_id}", kb)
    return updated


def remove_passage(config: Config, passage_id: str) -> tuple[Passage, int]:
    """Remove a passage and the regression questions that expect it; returns it and how many questions went."""
    root = knowledge_root(config)
    with KnowledgeStore(root).transaction() as txn:
        kb = load_knowledge(root)
        found = _locate(root, kb, passage_id)
        if len(kb.passages) == 1:
            raise PassageRejected(f"'{passage_id}' is the last passage: the bot needs at least one")
        passages = [p for p in found.passages if p.id != passage_id]
        _stage_passages(txn, found.file, found.source, passages)
        dropped = _stage_unquestion(txn, root, passage_id)
        _commit(txn, root, f"remove {passage_id}", kb)
    return found.passage, dropped


def undo(config: Config):
    """Restore the version before the last change, if the knowledge then still loads."""
    root = knowledge_root(config)
    store = KnowledgeStore(root)
    try:
        before = load_knowledge(root)
        old_dangling = _dangling(before, load_questions(root / QUESTIONS_FILE))
    except KnowledgeError:
        old_dangling = set()  # undo is how a maintainer gets back from a broken state
    return store.undo(check=lambda staged: _check_staged(root, staged, old_dangling), view=_view(root))


def recover(config: Config) -> str | None:
    """Complete or roll back a change a crash interrupted; what was done, or None when nothing waited."""
    root = Path(config.knowledge)
    if not root.is_dir():
        return None
    store = KnowledgeStore(root)
    return store.recover() if store.pending() else None


DOCUMENT_KINDS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def kind_of(path: Path) -> str:
    """The document kind the splitter should use, from the file name; only known document endings are read."""
    kind = DOCUMENT_KINDS.get(path.suffix.lower())
    if kind is None:  # a file with no ending may be anything, a binary or a system file: never guessed at
        raise UsageError(f"{path}: documents are read from .txt, .md or .html files "
                         f"({', '.join(DOCUMENT_KINDS)}); rename it if it is one")
    return kind


def slug(name: str) -> str:
    """A source id from a file name: lower-case letters and digits joined by '-'."""
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def draft_passages(path: Path, source_id: str, url: str = "") -> tuple[Source, list[Passage], list[str]]:
    """Split a document file into a source and draft passages, plus the ids that need a reviewer's eye."""
    kind = kind_of(path)  # before reading: an unknown kind of file is not opened at all
    draft = split_document(read_text(path), kind)
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
                   publisher: str = "", progress: Callable[[str], None] | None = None) -> ImportDraft:
    """Split a document into a new source's passages and check them, without saving anything.

    `progress` is told each step of a long import (reading, splitting, comparing) with the time so far.
    """
    started = time.perf_counter()

    def step(what: str) -> None:
        if progress is not None:
            progress(f"{what} ({time.perf_counter() - started:.1f} s)")

    root = knowledge_root(config)
    kind_of(path)  # refuses a file of unknown kind before anything is read
    url, publisher = clean_unicode(url, "--url"), clean_unicode(publisher, "--publisher")
    source_id = source_id or slug(path.stem)
    problem = check_id(source_id)
    if problem:
        raise PassageRejected(f"source {problem} (choose one with --source-id)")
    kb = load_knowledge(root)
    if source_id in kb.sources or (root / "passages" / f"{source_id}.yaml").exists():
        raise PassageRejected(f"a source '{source_id}' already exists (choose another with --source-id)")
    step(f"reading and splitting {path}")
    source, passages, review = draft_passages(path, source_id, url)
    if publisher:
        source = dataclasses.replace(source, publisher=publisher)
    if not passages:
        raise PassageRejected(f"{path}: no passages found in the document (is it empty?)")
    step(f"split into {len(passages):,} passages; checking them")
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
    step(f"comparing {len(passages):,} new passages with {len(kb.passages):,} existing ones")
    found = near_duplicates_of([p.text for p in passages], kb.passages)
    duplicates = [(p.id, dup[0].id, dup[1]) for p, dup in zip(passages, found) if dup is not None]
    document = root / "sources" / path.name
    if document.exists() and read_bytes(document) != read_bytes(path):
        raise PassageRejected(f"{document} already exists with other content (rename the document)")
    step("checked")
    return ImportDraft(source, tuple(passages), tuple(review), tuple(duplicates),
                       root / "passages" / f"{source_id}.yaml", document)


def save_import(config: Config, draft: ImportDraft, original: Path) -> None:
    """Write an import's passages file and keep the document beside the others in sources/."""
    root = knowledge_root(config)
    with KnowledgeStore(root).transaction() as txn:
        if draft.target.exists():
            raise PassageRejected(f"{draft.target} appeared meanwhile; run the import again")
        header = f"# Fact passages from '{draft.source.title}', imported by `python -m bot kb import`.\n"
        txn.write(draft.target, header + dump_passage_file(draft.source, draft.passages))
        if not draft.document.exists():
            txn.write(draft.document, _read_document(original))
        _commit(txn, root, f"import {draft.source.id}", load_knowledge(root))


def _read_document(path: Path) -> bytes:
    """An imported document's bytes: a regular file within the knowledge's size limit, read no further."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UsageError(f"{path}: not a regular file (import reads .txt, .md or .html documents)")
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the document: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path}: over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit (split the document)")
    return data


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
        for ignored in ignored_files(root):
            warnings.append(f"{ignored}: not read (passages files end in .yaml or .yml); rename it or move it out "
                            "of passages/")
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


def unanswered_by(config: Config, passage_id: str, questions: Iterable[str]) -> list[tuple[RegressionQuestion, tuple[str, ...]]]:
    """The new regression questions the bot does not yet answer with their passage, and what it answers instead."""
    questions = list(questions)
    if not questions:
        return []
    from .answer import build_answerer

    answerer = build_answerer(config)
    return [(q, ids) for q, passed, ids in run_questions(answerer, [RegressionQuestion(q, passage_id) for q in questions])
            if not passed]


def unanswered_entries(config: Config, limit: int):
    """The most frequent questions the bot could not answer, from the log; None when nothing was logged yet."""
    from .storage import existing_log

    if not 1 <= limit <= MAX_LIST:
        raise UsageError(f"the number of questions to list must be between 1 and {MAX_LIST:,}")
    log = existing_log(config.storage.database)
    if log is None:
        return None
    with log:
        return log.unanswered(limit)


def unanswered_question(entries, number: int) -> str:
    """Entry `number` (from 1) of an unanswered list, or PassageNotFound saying how many there are."""
    if not 1 <= number <= len(entries):
        raise PassageNotFound(f"no unanswered question number {number} (there are {len(entries)})")
    return entries[number - 1].question
