"""`kb check` and the question log: what is broken, what is duplicated, which passages no question reaches, and
which questions users asked that the bot could not answer."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..config import PACKAGE_ROOT, Config
from ..errors import KnowledgeError, PassageNotFound, UsageError
from .duplicates import near_duplicate_pairs
from .folder import KnowledgeFolder
from .load import ignored_files, load_knowledge
from .model import KnowledgeBase, RegressionQuestion
from .questions import load_questions
from .retired import retired_ids
from ..text import holds_controls, shorten as short


MAX_LIST = 1_000_000  # a --limit beyond this is a typing mistake (and overflows SQLite's integers)
PAGE = 100  # logged questions read (and asked again) at a time by `kb unanswered`


@dataclass(frozen=True)
class CheckReport:
    """What `kb check` found: errors make it fail, warnings only inform."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    passages: int
    questions: int
    seconds: float


def eval_files(config: Config) -> list[Path]:
    """Evaluation sets that also count as questions reaching passages: eval/*.yaml beside the config or in the
    working folder, else the package's own (about the bundled knowledge: only for it)."""
    bundled = config.bundled_knowledge
    folders = [Path.cwd() / "eval", PACKAGE_ROOT / "eval"]
    if config.path is not None:
        folders.insert(0, Path(config.path).resolve().parent / "eval")
    for folder in folders:
        if folder.is_dir() and (bundled or folder.resolve() != (PACKAGE_ROOT / "eval").resolve()):
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
    try:
        kb = load_knowledge(root)
    except KnowledgeError as exc:
        return CheckReport((str(exc),), (), 0, 0, time.perf_counter() - started)
    errors, questions = _question_errors(root, kb)
    warnings = _file_warnings(root, kb)
    if ask_questions and not errors:
        failures, unreached = _reach_findings(config, kb, questions)
        errors += failures  # a failing regression question fails the check, as it fails `eval`
        warnings += unreached
    return CheckReport(tuple(errors), tuple(warnings), len(kb.passages), len(questions),
                       time.perf_counter() - started)


def _question_errors(root: Path, kb: KnowledgeBase) -> tuple[list[str], list[RegressionQuestion]]:
    """A questions.yaml that does not load, or expects passages that do not exist; and its questions."""
    errors: list[str] = []
    questions: list[RegressionQuestion] = []
    qpath = KnowledgeFolder(root).questions
    if root.is_dir():
        try:
            questions = load_questions(qpath)
        except KnowledgeError as exc:
            errors.append(str(exc))
    ids = {p.id for p in kb.passages}
    errors += [error for error in (missing_passage(q, ids, qpath) for q in questions) if error]
    return errors, questions


def missing_passage(q: RegressionQuestion, ids: set[str], qpath: Path) -> str:
    """The error of a question expecting a passage the knowledge lacks ('' when it has it): `kb check` and `eval`
    name the missing id alike, not the answer the bot happened to give."""
    if not q.expect_id or q.expect_id in ids:
        return ""
    return str(KnowledgeError(f"expect_id '{q.expect_id}' is not a passage", qpath, q.line,
                              hint="fix the id or remove the question"))


def regression_failures(results: list[tuple[RegressionQuestion, bool, tuple[str, ...]]], kb: KnowledgeBase,
                        qpath: Path) -> list[str]:
    """`eval`'s line for each failed regression question (not marked xfail; one expecting a missing passage fails
    even so, as `kb check` fails it)."""
    ids, out = {p.id for p in kb.passages}, []
    for q, ok, got in results:
        missing = missing_passage(q, ids, qpath)
        if missing or (not ok and not q.xfail):
            out.append(f"  {missing}" if missing else
                       f"  line {q.line}: {q.question!r}: expected {q.expect_id or list(q.expect)}, got {list(got) or 'no answer'}")
    return out


def _file_warnings(root: Path, kb: KnowledgeBase) -> list[str]:
    """Files in passages/ that are not read, leftovers of interrupted writes, reused ids, and near-duplicates."""
    warnings = []
    if root.is_dir():
        for ignored in ignored_files(root):
            warnings.append(f"{ignored}: not read (passages files end in .yaml or .yml); rename it or move it out "
                            "of passages/")
        for leftover in sorted(root.rglob(".*.tmp")):
            warnings.append(f"{leftover}: left over from an interrupted write (the real file is intact); delete it")
        try:
            retired = retired_ids(root)
        except KnowledgeError as exc:  # kb add refuses to number a passage until it is fixed
            retired = set()
            warnings.append(str(exc))
        for passage in (p for p in kb.passages if p.id in retired):
            warnings.append(f"{passage.id} ({passage.file}, line {passage.line}) has the id of a removed passage "
                            f"({KnowledgeFolder.RETIRED}): logged questions and feedback about that one now name it; "
                            "give it a new id")
    for passage in kb.passages:  # written by hand: kb add, edit and import leave none
        if holds_controls(passage.text) or holds_controls(passage.section):
            warnings.append(f"{passage.id} ({passage.file}, line {passage.line}) holds a control character (an escape "
                            "code, a bell) that every terminal showing it acts on; remove it")
    for a, b, score in near_duplicate_pairs(kb.passages):
        warnings.append(f"near-duplicates ({score:.0f}% similar): {a.id} ({a.file}, line {a.line}) and "
                        f"{b.id} ({b.file}, line {b.line})")
    return warnings


def _reach_findings(config: Config, kb: KnowledgeBase,
                    questions: list[RegressionQuestion]) -> tuple[list[str], list[str]]:
    """Regression questions that fail (not marked xfail), and passages no regression or evaluation question reaches."""
    from ..core.pipeline import build_answerer  # kb check asks the core; the core never imports kb operations
    from .evaluate import load_cases

    failures, warnings = [], []
    qpath = KnowledgeFolder(Path(config.knowledge)).questions
    answerer = build_answerer(config, kb)
    reached: set[str] = set()
    for q, passed, passage_ids in run_questions(answerer, questions):
        reached.update(passage_ids)
        if not passed and not q.xfail:
            failures.append(f"{qpath}, line {q.line}: regression question fails: {q.question!r} "
                            f"(expected {q.expect_id or list(q.expect)}, got {list(passage_ids) or 'no answer'}); "
                            "fix the passage or the question, or mark it 'xfail: true'")
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
    return failures, warnings


def unanswered_by(config: Config, passage_id: str, questions: Iterable[str], kb: KnowledgeBase | None = None,
                  ) -> list[tuple[RegressionQuestion, tuple[str, ...]]]:
    """The new regression questions the bot does not yet answer with their passage, and what it answers instead
    (from the saved knowledge, or from `kb`, e.g. a staged copy, whose index is then not cached)."""
    questions = list(questions)
    if not questions:
        return []
    from ..core.pipeline import build_answerer

    answerer = build_answerer(config, kb, cache=kb is None)
    return [(q, ids) for q, passed, ids in run_questions(answerer, [RegressionQuestion(q, passage_id) for q in questions])
            if not passed]


@dataclass(frozen=True)
class UnansweredList:
    """The logged questions the current knowledge still does not answer, and how many it now answers (hidden)."""

    entries: tuple  # of querylog.Unanswered
    now_answered: int


def unanswered_entries(config: Config, limit: int) -> UnansweredList | None:
    """The most frequent logged questions the current knowledge still cannot answer (each is asked again, so one a
    new passage answers drops out); None when nothing was logged yet."""
    from ..core.pipeline import build_answerer
    from .identity import existing_log

    if not 1 <= limit <= MAX_LIST:
        raise UsageError(f"the number of questions to list must be between 1 and {MAX_LIST:,}")
    log = existing_log(config)
    if log is None:
        return None
    with log:
        return still_unanswered(log, build_answerer(config), limit)


def still_unanswered(log, answerer, limit: int) -> UnansweredList:
    """The `limit` most frequent logged unanswered questions that `answerer` still cannot answer, and how many it
    now answers (shared by `kb unanswered` and Telegram's /unanswered, so both hide the same ones)."""
    still, answered, offset = [], 0, 0
    while len(still) < limit:
        page = log.unanswered(PAGE, offset)
        offset += len(page)
        for entry in page:
            if answerer.answer(entry.question).found:
                answered += 1
            elif len(still) < limit:
                still.append(entry)
        if len(page) < PAGE:
            break
    return UnansweredList(tuple(still), answered)


def unanswered_question(config: Config, wanted: str) -> str:
    """The logged unanswered question with this id (from the listing) or this text; a list position is refused,
    because it shifts as the log grows and would pick another question."""
    from .identity import existing_log
    from ..text import words

    key = " ".join(wanted.split())
    log = existing_log(config)
    entries = []
    if log is not None:
        with log:
            entries = log.unanswered(MAX_LIST)
    normalised = " ".join(words(key))
    for entry in entries:
        if entry.id == key.lower() or (normalised and entry.normalised == normalised):
            return entry.question
    if key.isdigit():
        raise PassageNotFound(f"--add takes the id shown by 'kb unanswered' (e.g. {entries[0].id if entries else '1a2b3c4d'}) "
                              "or the question's text, not a list position (positions shift as questions are logged)")
    raise PassageNotFound(f"no logged unanswered question with id or text {short(key, 60)!r} (run 'kb unanswered' for "
                          "the ids; 'kb add --question' adds a passage for a question nobody asked yet)")
