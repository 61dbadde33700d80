"""Maintainers' commands (`python -m bot kb ...`): start, import, inspect, change, check and grow the knowledge.

This is the command-line layer over the operations in `bot.kb`: it parses, asks (only at a terminal), prints and
picks the exit code (the commands themselves are in kb_commands): 0 done, 1 refused (unknown id, bad or duplicate passage, failed check), 2 usage
or setup error. The operations themselves print nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from ..config import Config
from ..errors import DuplicatePassage, PassageNotFound
from ..errors import PassageRejected, UsageError
from .output import interrupted

# -- command line ----------------------------------------------------------------------------------

def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `kb` and its subcommands on the main parser (each command's help is its documentation)."""
    kb = commands.add_parser("kb", help="maintain the knowledge: init, split, import, list, show, stats, add, edit, "
                                        "remove, undo, check, unanswered",
                             description="Maintain the fact passages. Every change is checked first, written "
                                         "atomically under a lock, and can be rolled back with 'kb undo'.")
    sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)

    _add_init_command(sub)
    _add_view_commands(sub)
    _add_edit_commands(sub)
    _add_import_commands(sub)


def _add_init_command(sub: argparse._SubParsersAction) -> None:
    """init: start a knowledge base from nothing."""
    init = sub.add_parser("init", help="start an empty knowledge base in a new or empty folder",
                          description="Make passages/, sources/ and commented synonyms.yaml and questions.yaml in "
                                      "a new or empty folder (the --knowledge folder, or DIR), then import a "
                                      "document into it with 'kb import'. A non-empty folder is refused.")
    init.add_argument("dir", nargs="?", type=Path, help="the folder (default: --knowledge, or config's knowledge)")


def _add_view_commands(sub: argparse._SubParsersAction) -> None:
    """split, list, show and stats: commands that change nothing."""
    split = sub.add_parser("split", help="split a document (.txt, .md, .html, .pdf, manual page) into draft passages (YAML on stdout)",
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


def _add_edit_commands(sub: argparse._SubParsersAction) -> None:
    """add, edit, remove and undo: single changes, each undoable."""
    add = sub.add_parser("add", help="check and save a new passage; prints its generated id",
                         description="Add a fact passage. It is refused (exit 1) when it is empty, over the length "
                                     "limit, a near-duplicate of an existing passage, or not what the bot answers its "
                                     "own --question with (use --force to add it anyway). "
                                     "In a terminal, missing text and section are asked for.")
    add.add_argument("--text", help="the fact, a sentence or two")
    add.add_argument("--section", help="the section it belongs to (an existing one or a new one)")
    add.add_argument("--source", help="the source id whose passages file receives it (needed when there are "
                                      "several sources; in a terminal you are asked)")
    add.add_argument("--question", action="append", default=[], metavar="Q",
                     help="a regression question this passage must answer (saved in knowledge/questions.yaml); repeat")
    add.add_argument("--force", action="store_true",
                     help="add it even if it is a near-duplicate or the bot does not answer its --question with it")

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

    undo = sub.add_parser("undo", help="restore the knowledge as it was before the last add, edit, remove or import",
                          description="Roll back the last change. The previous versions are kept in knowledge/.history/ "
                                      "(the last 20); undo again to go further back. A file edited by hand since that "
                                      "change is not overwritten: undo is refused (exit 1), unless --force.")
    undo.add_argument("--force", action="store_true",
                      help="go back even if a file the change wrote was edited since (that edit is lost)")


def _add_import_commands(sub: argparse._SubParsersAction) -> None:
    """import, check and unanswered: whole documents, the whole knowledge, and the question log."""
    imp = sub.add_parser("import", help="turn a document (.txt, .md, .html, .pdf, manual page) into passages under a new source",
                         description="Split a document into fact passages, show them for review, and save them "
                                     "(with the document, in sources/) when you confirm or pass --yes.")
    imp.add_argument("file", type=Path, help="the document")
    imp.add_argument("--source-id", help="id of the new source (default: from the file name)")
    imp.add_argument("--url", default="", help="where the document was published")
    imp.add_argument("--publisher", default="", help="who published it")
    imp.add_argument("--yes", action="store_true", help="save without asking")

    check = sub.add_parser("check", help="validate all knowledge files; warn about duplicates and unreached passages",
                           description="Exit 1 on errors, each naming its file and line: a file that does not "
                                       "load, or a regression question that fails (unless marked xfail). Warnings "
                                       "(exit 0): near-duplicate passages, passages no evaluation or regression "
                                       "question reaches.")
    check.add_argument("--quick", action="store_true", help="skip asking the questions (no reach or regression check)")

    unanswered = sub.add_parser("unanswered", help="questions users asked that the bot could not answer",
                                description="List the logged questions the current knowledge still does not "
                                            "answer (each is asked again), most frequent first, each with a stable "
                                            "id. With --add ID (or the question's text), that question becomes a new "
                                            "passage in one step, with the user's question as its regression question.")
    unanswered.add_argument("--limit", type=int, default=20, help="how many to list (default 20)")
    unanswered.add_argument("--add", metavar="ID", help="turn the question with this id (shown in the list) or this "
                                                        "text into a new passage")
    unanswered.add_argument("--text", help="the passage text that answers it (with --add)")
    unanswered.add_argument("--section", help="its section (with --add)")
    unanswered.add_argument("--source", help="the source id that receives it (with --add; needed when there are "
                                             "several sources)")
    unanswered.add_argument("--force", action="store_true",
                            help="add it even if it is a near-duplicate or the bot does not answer the question with it")


def run(args: argparse.Namespace, config: Config, ask: Callable[[str], str] | None = None,
        out=None) -> int:
    """Run one `kb` subcommand; exit code 0 done, 1 refused or check failed, 2 usage or setup error."""
    from ..kb.edit import recover  # here, not at the top: every `ask` builds this parser, and these load yaml,
    from .kb_commands import HANDLERS, Console  # filelock and the kb operations it never uses

    out = out or sys.stdout
    handler = HANDLERS.get(args.kb_command)
    if handler is None:
        raise UsageError(f"unknown kb command {args.kb_command}")
    console = Console(out, ask)
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
    except KeyboardInterrupt:  # a change is never left half made: the store rolled it back or the journal holds it
        return interrupted("nothing is left half changed (the next kb command completes a change already decided)")
