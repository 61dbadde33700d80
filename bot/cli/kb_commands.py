"""The `kb` commands themselves: each prints, asks (only at a terminal) and returns its exit code."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path
from typing import Callable

from ..config import Config
from ..kb.store import KnowledgeStore
from ..errors import BotError, UsageError
from ..kb.check import MAX_LIST, check_knowledge, unanswered_by, unanswered_entries, unanswered_question
from ..kb.edit import add_passage, edit_passage, remove_passage, undo
from ..kb.init import init_knowledge
from ..kb.importing import default_source_id, draft_passages, prepare_import, save_import
from ..kb.lookup import find_passage, knowledge_root, passages_in_section, regression_questions, source_files
from ..text import shorten as short
from ..errors import UndoRefused
from ..kb.load import load_knowledge, load_knowledge_allow_empty
from ..kb.model import Passage
from ..kb.yamlio import dump_passage_file
from .kb_editor import edit_in_editor
from .progress import ProgressBar


class Console:
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


def _cmd_init(args, config: Config, console: Console) -> int:
    root = args.dir if args.dir is not None else Path(config.knowledge)
    option = f"--knowledge {root}"
    if not init_knowledge(root):
        console.print(f"{root} is already a knowledge base; nothing changed.")
        return 0
    console.print(f"Made an empty knowledge base in {root} (passages/, sources/, synonyms.yaml, questions.yaml).")
    console.print("Next: import a document (.txt, .md, .html, .pdf or a manual page), then ask about it:")
    console.print(f"  python -m bot {option} kb import YOUR-DOCUMENT.md --yes")
    console.print(f"  python -m bot {option} ask \"a question about it\"")
    return 0


def _cmd_split(args, config: Config, console: Console) -> int:
    source, passages, review = draft_passages(args.file, args.source_id or default_source_id(args.file), args.url)
    console.out.write(dump_passage_file(source, passages))
    if review:
        print("Review these passages:\n" + "".join(f"  {line}\n" for line in review), end="", file=sys.stderr)
    return 0


def _cmd_list(args, config: Config, console: Console) -> int:
    kb = load_knowledge_allow_empty(config.knowledge)
    passages = passages_in_section(kb, args.section) if args.section else kb.passages
    width = max((len(p.id) for p in passages), default=0)
    for passage in passages:
        console.print(f"{passage.id:<{width}}  [{short(passage.section, 30)}]  {short(passage.text)}")
    console.print(f"{len(passages)} passage(s)")
    return 0


def _cmd_show(args, config: Config, console: Console) -> int:
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


def _cmd_stats(args, config: Config, console: Console) -> int:
    kb = load_knowledge_allow_empty(config.knowledge)
    root = Path(config.knowledge)
    lengths = [len(p.text) for p in kb.passages]
    if lengths:
        console.print(f"passages:   {len(kb.passages)} (text {min(lengths)}-{max(lengths)} characters, "
                      f"average {sum(lengths) / len(lengths):.0f})")
    else:
        console.print(f"passages:   0 (import a document: python -m bot --knowledge {config.knowledge} kb import FILE --yes)")
    console.print(f"sources:    {len(kb.sources)}")
    for source in kb.sources.values():
        console.print(f"  {source.id}: {sum(p.source == source.id for p in kb.passages)} passages, {source.title}")
    unsourced = sum(p.source not in kb.sources for p in kb.passages)
    if unsourced:  # so the per-source counts add up to the passages
        console.print(f"  (no source entry): {unsourced} passages")
    console.print(f"sections:   {len(kb.sections())}")
    if root.is_dir():
        try:
            console.print(f"regression questions: {len(regression_questions(config))}")
        except BotError as exc:  # one broken part costs its own figure, not the others (kb check names it too)
            console.print("regression questions: unknown (questions.yaml does not load)")
            print(f"Warning: {exc}", file=sys.stderr)
        console.print(f"undo versions kept:   {len(KnowledgeStore(root).versions())}")
    _stats_log(config, console)
    return 0


def _stats_log(config: Config, console: Console) -> None:
    """The logged questions' figures; a log database that cannot be read is one warning line, not the end of stats."""
    from ..kb.identity import existing_log

    try:
        log = existing_log(config)
        if log is None:
            console.print("asked:      no log database yet")
            return
        with log:
            counts = log.counts()
    except (BotError, sqlite3.Error, OSError) as exc:
        console.print("asked:      unknown (the log database cannot be read)")
        print(f"Warning: {exc}", file=sys.stderr)
        return
    console.print("asked:      {questions} questions = {answered} answered + {unanswered} not answered + "
                  "{other} other (small talk, help, empty or too long)".format(**counts))
    console.print("feedback:   {helpful} helpful, {unhelpful} not helpful".format(**counts))


def _ask_missing(console: Console, value: str | None, prompt: str, option: str) -> str:
    if value is not None:
        return value
    if not console.can_ask():
        raise UsageError(f"give {option} (or run the command in a terminal to be asked)")
    return console.ask(prompt)


def _ask_source(config: Config, console: Console, source: str | None) -> str | None:
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


def _report_added(config: Config, console: Console, passage: Passage, questions: list[str]) -> None:
    console.print(passage.id)
    for q, ids in unanswered_by(config, passage.id, questions):
        print(f"Warning: the bot does not answer {q.question!r} with {passage.id} yet (it answers with "
              f"{', '.join(ids) or 'nothing'}); use the question's words in the passage", file=sys.stderr)


def _cmd_add(args, config: Config, console: Console) -> int:
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


def _cmd_edit(args, config: Config, console: Console) -> int:
    if args.text is None and args.section is None and not args.question:
        if not sys.stdin.isatty():
            raise UsageError("give --text, --section or --question (or run in a terminal to open $EDITOR)")
        return edit_in_editor(config, args.id, console)
    passage = edit_passage(config, args.id, args.text, args.section, args.question, args.force)
    console.print(f"Saved {passage.id}: [{passage.section}] {short(passage.text)}")
    return 0


def _cmd_remove(args, config: Config, console: Console) -> int:
    passage, dropped = remove_passage(config, args.id)
    extra = f" and {dropped} regression question(s) that expected it" if dropped else ""
    console.print(f"Removed {passage.id}{extra}. 'python -m bot kb undo' brings it back.")
    return 0


def _cmd_undo(args, config: Config, console: Console) -> int:
    try:
        version = undo(config, args.force)
    except UndoRefused as exc:  # nothing to undo, a damaged version, a hand edit it would lose: refused, exit 1
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(version.at))
    restored = [f for f in version.files if f not in version.absent]
    done = [f"{what} {', '.join(files)}" for what, files in (("restored", restored), ("removed", version.absent)) if files]
    if version.reason.startswith("add "):  # the id stays taken: what was logged about that passage keeps meaning it
        done.append(f"{version.reason[4:]} is kept in retired-ids.txt and never given again")
    console.print(f"Undone: {version.reason or 'last change'} ({when}); {'; '.join(done)}.")
    return 0


def _cmd_import(args, config: Config, console: Console) -> int:
    # A big document takes a while: a bar on stderr at a terminal only (stdout is the passages' YAML).
    with ProgressBar(f"kb import: {args.file.name}") as bar:
        draft = prepare_import(config, args.file, args.source_id, args.url, args.publisher,
                               progress=bar.step if bar.enabled else None, on_progress=bar.callback())
    console.out.write(dump_passage_file(draft.source, draft.passages))
    console.print(f"\n{len(draft.passages)} passages for the new source '{draft.source.id}' -> {draft.target}")
    if draft.review:
        console.print("Review these passages:")
        for line in draft.review:
            console.print(f"  {line}")
    for new_id, existing_id, score in draft.duplicates:
        console.print(f"Warning: {new_id} is a near-duplicate of {existing_id} ({score:.0f}% similar)")
    if not args.yes:
        if not console.can_ask():
            print("Error: nothing saved: review the passages above, then run again with --yes", file=sys.stderr)
            return 1
        if console.ask("Save these passages? [y/N] ").strip().lower() not in ("y", "yes"):
            console.print("Nothing saved.")
            return 1
    with ProgressBar(f"kb import: saving {len(draft.passages):,} passages") as bar:
        bar.pulse()  # saving reports no count: the bar shows it is at work
        save_import(config, draft, args.file)
    undo = f"python -m bot --knowledge {config.knowledge} kb undo"  # the folder named: undo acts on this one
    console.print(f"Saved {len(draft.passages)} passages to {draft.target}; '{undo}' removes them.")
    return 0


def _cmd_check(args, config: Config, console: Console) -> int:
    report = check_knowledge(config, ask_questions=not args.quick)
    for error in report.errors:
        console.print(f"Error: {error}")
    for warning in report.warnings:
        console.print(f"Warning: {warning}")
    status = "FAILED" if report.errors else "OK"
    console.print(f"{status}: {report.passages} passages, {report.questions} regression questions, "
                  f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in {report.seconds:.2f} s")
    return 1 if report.errors else 0


def _cmd_unanswered(args, config: Config, console: Console) -> int:
    if not 1 <= args.limit <= MAX_LIST:
        raise UsageError(f"--limit must be between 1 and {MAX_LIST:,}")
    if args.add is None:
        return _list_unanswered(args.limit, config, console)
    question = unanswered_question(config, args.add)
    console.print(f"Question: {question}")
    text = _ask_missing(console, args.text, "Passage text that answers it: ", "--text")
    section = _ask_missing(console, args.section, "Section: ", "--section")
    source = _ask_source(config, console, args.source)
    passage = add_passage(config, text, section, source, [question], args.force)
    _report_added(config, console, passage, [question])
    return 0


def _list_unanswered(limit: int, config: Config, console: Console) -> int:
    """The logged questions the knowledge still does not answer, each with its stable id."""
    found = unanswered_entries(config, limit)
    if found is None:
        console.print(f"No questions logged yet ({config.storage.database} does not exist).")
        return 0
    if not found.entries:
        console.print("No unanswered questions.")
    for entry in found.entries:
        console.print(f"  {entry.id}  ({entry.count}x) {entry.question}")
    if found.now_answered:
        console.print(f"({found.now_answered} logged question(s) the knowledge now answers are not shown)")
    if found.entries:
        console.print("Turn one into a passage: python -m bot kb unanswered --add ID --text \"...\" --section \"...\"")
    return 0


HANDLERS = {
    "init": _cmd_init, "split": _cmd_split, "list": _cmd_list, "show": _cmd_show, "stats": _cmd_stats, "add": _cmd_add,
    "edit": _cmd_edit, "remove": _cmd_remove, "undo": _cmd_undo, "import": _cmd_import, "check": _cmd_check,
    "unanswered": _cmd_unanswered,
}
