"""Maintainers' commands (`python -m bot kb ...`): split, import, list, add, edit, remove, undo, check the knowledge.

This is the command-line layer over `bot.kb_ops`: it parses, asks (only at a terminal), prints and
picks the exit code: 0 done, 1 refused (unknown id, bad or duplicate passage, failed check), 2 usage
or setup error. The operations themselves print nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from .config import Config
from .errors import DuplicatePassage, KnowledgeError, PassageNotFound
from .kb_ops import (
    MAX_LIST, PassageRejected, UsageError, add_passage, check_knowledge, draft_passages, edit_passage, find_passage,
    knowledge_root, locate, passages_in_section, prepare_import, recover, regression_questions, remove_passage,
    save_import, short, slug, source_files, undo, unanswered_entries, unanswered_question, unanswered_by,
)
from .knowledge import Passage, dump_passage_file, load_knowledge, load_passage_file
from .store import KnowledgeStore

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
    add.add_argument("--source", help="the source id whose passages file receives it (needed when there are "
                                      "several sources; in a terminal you are asked)")
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
    unanswered.add_argument("--source", help="the source id that receives it (with --add; needed when there are "
                                             "several sources)")
    unanswered.add_argument("--force", action="store_true", help="add it even if it is a near-duplicate")


def run(args: argparse.Namespace, config: Config, ask: Callable[[str], str] | None = None,
        out=None) -> int:
    """Run one `kb` subcommand; exit code 0 done, 1 refused or check failed, 2 usage or setup error."""
    out = out or sys.stdout
    handler = _HANDLERS.get(args.kb_command)
    if handler is None:
        raise UsageError(f"unknown kb command {args.kb_command}")
    console = _Console(out, ask)
    if args.kb_command != "split":
        # A change a crash interrupted is completed (or rolled back) before anything reads the knowledge.
        done = recover(config)
        if done:
            print(f"Note: {done}.", file=sys.stderr)
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
        try:
            if self._ask is not None:
                return self._ask(prompt)
            return input(prompt)
        except EOFError:  # Ctrl-D at the prompt
            raise UsageError("the input ended before an answer was given; nothing was saved") from None


# -- handlers (print, ask, exit code) ---------------------------------------------------------------

def _cmd_split(args, config: Config, console: _Console) -> int:
    source, passages, review = draft_passages(args.file, args.source_id or slug(args.file.stem), args.url)
    console.out.write(dump_passage_file(source, passages))
    if review:
        print(f"Review these passages: they may lean on the sentence before them: {', '.join(review)}",
              file=sys.stderr)
    return 0


def _cmd_list(args, config: Config, console: _Console) -> int:
    kb = load_knowledge(config.knowledge)
    passages = passages_in_section(kb, args.section) if args.section else kb.passages
    width = max(len(p.id) for p in passages)
    for passage in passages:
        console.print(f"{passage.id:<{width}}  [{short(passage.section, 30)}]  {short(passage.text)}")
    console.print(f"{len(passages)} passage(s)")
    return 0


def _cmd_show(args, config: Config, console: _Console) -> int:
    kb = load_knowledge(config.knowledge)
    passage = find_passage(kb, args.id)
    source = kb.sources.get(passage.source)
    console.print(f"id:       {passage.id}")
    console.print(f"source:   {source.citation() if source else passage.source or '-'}")
    console.print(f"section:  {passage.section}")
    console.print(f"file:     {passage.file}, line {passage.line}")
    console.print(f"text:     {passage.text}")
    for question in passage.questions:
        console.print(f"question: {question}")
    for q in regression_questions(config):
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
        console.print(f"regression questions: {len(regression_questions(config))}")
        console.print(f"undo versions kept:   {len(KnowledgeStore(root).versions())}")
    from .storage import existing_log

    log = existing_log(config.storage.database)
    if log is not None:
        with log:
            counts = log.counts()
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


def _ask_source(config: Config, console: _Console, source: str | None) -> str | None:
    """The source a new passage goes to: as given, the only one, or asked for at a terminal (else add refuses)."""
    if source is not None or not console.can_ask():
        return source
    sources = list(source_files(knowledge_root(config)))
    if len(sources) <= 1:
        return source
    console.print("Sources: " + "; ".join(sources))
    while True:
        answer = console.ask("Source: ").strip()
        if answer in sources:
            return answer
        console.print(f"Choose one of: {'; '.join(sources)}")


def _report_added(config: Config, console: _Console, passage: Passage, questions: list[str]) -> None:
    console.print(passage.id)
    for q, ids in unanswered_by(config, passage.id, questions):
        print(f"Warning: the bot does not answer {q.question!r} with {passage.id} yet (it answers with "
              f"{', '.join(ids) or 'nothing'}); use the question's words in the passage", file=sys.stderr)


def _cmd_add(args, config: Config, console: _Console) -> int:
    root = knowledge_root(config)
    kb = load_knowledge(root) if console.can_ask() else None  # only to list the sections; add_passage loads it again
    text = _ask_missing(console, args.text, "Passage text (a sentence or two): ", "--text")
    if args.section is None and kb is not None:
        console.print("Sections: " + "; ".join(kb.sections()))
    section = _ask_missing(console, args.section, "Section: ", "--section")
    questions = list(args.question)
    if not questions and args.text is None and console.can_ask():
        question = console.ask("A question it answers (Enter to skip): ").strip()
        questions = [question] if question else []
    source = _ask_source(config, console, args.source)
    passage = add_passage(config, text, section, source, questions, args.force)
    _report_added(config, console, passage, questions)
    return 0


def _editor_command() -> list[str]:
    """$VISUAL or $EDITOR (else vi) as an argument list, or UsageError saying how to set it."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        command = shlex.split(editor)
    except ValueError as exc:
        raise UsageError(f"cannot read the editor command {editor!r}: {exc} (fix $VISUAL or $EDITOR)") from None
    if not command:
        raise UsageError("$VISUAL or $EDITOR is empty (set it to an editor, or use --text and --section)")
    return command


def _edit_in_editor(config: Config, passage_id: str, console: _Console) -> int:
    found = locate(knowledge_root(config), passage_id)
    original = dump_passage_file(None, [found.passage])
    command = _editor_command()
    with tempfile.NamedTemporaryFile("w+", suffix=".yaml", encoding="utf-8", delete=False) as handle:
        handle.write("# Edit the passage, save and close. The id cannot change.\n" + original)
        name = handle.name
    keep = False  # an edit that cannot be saved stays on disk, so the maintainer's work is not lost
    try:
        try:
            status = subprocess.run([*command, name], check=False).returncode
        except OSError as exc:
            raise UsageError(f"cannot run the editor {command[0]!r}: {exc.strerror or exc} (set $VISUAL or $EDITOR "
                             "to an installed editor, or use --text and --section); nothing was saved") from None
        if status != 0:
            raise UsageError(f"the editor {command[0]!r} exited with status {status}; nothing was saved")
        if not Path(name).is_file():
            raise UsageError("the editor removed the file instead of saving it; nothing was saved")
        keep = True
        try:
            _, edited = load_passage_file(Path(name))
            if len(edited) != 1 or edited[0].id != passage_id:
                raise PassageRejected("the edited file must hold exactly this one passage, with the same id")
            new = edited[0]
            if (new.text, new.section) == (found.passage.text, found.passage.section):
                console.print("No change.")
                keep = False
                return 0
            edit_passage(config, passage_id, new.text, new.section)
        except KnowledgeError as exc:
            raise PassageRejected(f"the edited passage was not saved: {exc.reason}"
                                  + (f", line {exc.line}" if exc.line else "") + f"; your edit is kept in {name}") from None
        except DuplicatePassage as exc:
            raise DuplicatePassage(f"{exc}; your edit is kept in {name}", exc.existing_id) from None
        except PassageRejected as exc:
            raise PassageRejected(f"{exc}; your edit is kept in {name}") from None
        keep = False
    finally:
        if not keep:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    console.print(f"Saved {passage_id}.")
    return 0


def _cmd_edit(args, config: Config, console: _Console) -> int:
    if args.text is None and args.section is None and not args.question:
        if not sys.stdin.isatty():
            raise UsageError("give --text, --section or --question (or run in a terminal to open $EDITOR)")
        return _edit_in_editor(config, args.id, console)
    passage = edit_passage(config, args.id, args.text, args.section, args.question, args.force)
    console.print(f"Saved {passage.id}: [{passage.section}] {short(passage.text)}")
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
    # A big document takes a while: say what is happening, on a terminal only (stdout is the passages' YAML).
    progress = (lambda step: print(f"kb import: {step}", file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    draft = prepare_import(config, args.file, args.source_id, args.url, args.publisher, progress=progress)
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
    if progress:
        progress(f"saving {len(draft.passages):,} passages")
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
    if not 1 <= args.limit <= MAX_LIST:
        raise UsageError(f"--limit must be between 1 and {MAX_LIST:,}")
    if args.add is not None and not 1 <= args.add <= MAX_LIST:
        raise UsageError(f"--add must be an entry number of the list, between 1 and {MAX_LIST:,}")
    entries = unanswered_entries(config, max(args.limit, args.add or 0))
    if entries is None:
        console.print(f"No questions logged yet ({config.storage.database} does not exist).")
        return 0
    if args.add is None:
        if not entries:
            console.print("No unanswered questions.")
        for number, entry in enumerate(entries[: args.limit], start=1):
            console.print(f"{number:>3}. ({entry.count}x) {entry.question}")
        if entries:
            console.print("Turn one into a passage: python -m bot kb unanswered --add N --text \"...\" --section \"...\"")
        return 0
    question = unanswered_question(entries, args.add)
    console.print(f"Question: {question}")
    text = _ask_missing(console, args.text, "Passage text that answers it: ", "--text")
    section = _ask_missing(console, args.section, "Section: ", "--section")
    source = _ask_source(config, console, args.source)
    passage = add_passage(config, text, section, source, [question], args.force)
    _report_added(config, console, passage, [question])
    return 0


_HANDLERS = {
    "split": _cmd_split, "list": _cmd_list, "show": _cmd_show, "stats": _cmd_stats, "add": _cmd_add,
    "edit": _cmd_edit, "remove": _cmd_remove, "undo": _cmd_undo, "import": _cmd_import, "check": _cmd_check,
    "unanswered": _cmd_unanswered,
}
