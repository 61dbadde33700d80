"""Entry point: parse arguments, set up logging, build config, knowledge and answerer, pick a front end.

Usage:
    python -m bot                      interactive console
    python -m bot ask "QUESTION"       one answer (--json for the structured answer)
    python -m bot ask --jsonl          JSON lines in, JSON lines out
    python -m bot eval [FILE ...]      accuracy per category, beside a plain TF-IDF baseline
                                       (no FILE: also the knowledge's regression questions)
    python -m bot kb ...               maintainers' commands (split, list, add, check, ...)
    python -m bot telegram             the Telegram bot (token in TELEGRAM_BOT_TOKEN)
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from ..config import PACKAGE_ROOT, Config, default_config_path, load_config
from ..core.answer import Answer
from ..core.conversation import Answers, Conversation, QuestionLog
from ..errors import BotError, StorageError
from .output import interrupted, output_failed, output_gone

if TYPE_CHECKING:
    from ..querylog import Storage

log = logging.getLogger("bot")
DEFAULT_EVAL = ("eval/mongolia.yaml",)


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are the one `Error:` line every other failure gets (subcommands inherit it)."""

    def error(self, message: str):  # type: ignore[override]
        """Print one `Error:` line saying how to get help, and exit 2 as argparse does."""
        print(f"Error: {message} (see '{self.prog} --help')", file=sys.stderr)
        sys.exit(2)


# The part of --help a new user needs most: what no command does, what the environment changes, what exit
# codes mean. README's Commands section says the same; tests/test_cli.py keeps both complete.
EPILOG = """\
With no COMMAND, factbot starts the interactive console: ask in your own words; 'why' explains the
last answer, 'why settings' lists every tunable, 'help' lists topics; Ctrl-C clears the line, Ctrl-D
or 'quit' leaves. Each command's options: factbot COMMAND --help, e.g.
  ask QUESTION [--json]     one answer (--json: one JSON object); --no-log: do not log the question
  ask --jsonl               JSON lines in, JSON lines out, one answer per line
  eval [FILE ...]           accuracy per category; --failures lists misses, --no-baseline skips TF-IDF
  kb KB_COMMAND             maintain the knowledge (split, import, list, show, add, edit, remove, undo, ...)
  telegram [--webhook]      the Telegram bot, long polling or (--webhook) webhook mode

environment:
  BOT_KNOWLEDGE             knowledge folder or JSON-lines file (overrides config key knowledge)
  BOT_THRESHOLD             answer threshold, a number or auto (overrides retrieval.threshold)
  BOT_RERANK                true or false: the learned second stage (overrides retrieval.rerank)
  BOT_DATABASE              the question log, an SQLite file (overrides storage.database)
  BOT_HISTORY               the console's line history (default ~/.factbot_history)
  TELEGRAM_BOT_TOKEN        the Telegram bot token (only ever read from the environment)
  TELEGRAM_ADMINS           comma-separated Telegram user ids of admins (overrides telegram.admins)
  TELEGRAM_BASE_URL         another Bot API server (overrides telegram.base_url)
  TELEGRAM_WEBHOOK_SECRET   the webhook's secret token (default: a new random one at each start)
  VISUAL, EDITOR            the editor 'kb edit ID' opens with no options (default vi)
  NO_COLOR                  set (not empty): no colour, no progress bar (piped output never has them)

exit codes:
  0    success (also at the end of 'ask --jsonl' input, whatever its lines held)
  1    a check failed (eval's regression questions, kb check), a kb command was refused, 'ask QUESTION'
       could not answer (a bug: it prints replies.failed), or the Telegram Bot API could not be reached
  2    a usage or setup error (bad option, config, knowledge, token or document; knowledge unwritable or locked)
  130  interrupted by Ctrl-C
  141  whatever reads the output stopped early ('... | head'), quietly
"""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="factbot", description="Answer questions from your documents, with sources. "
                     "With no COMMAND, starts the interactive console.",
                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, help="configuration file (default ./config.yaml, else the packaged one)")
    parser.add_argument("--knowledge", type=Path, help="use another knowledge folder or JSON-lines file of passages")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail to standard error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer one question, or a JSON-lines stream")
    ask.add_argument("question", nargs="*", help="the question (quote it)")
    ask.add_argument("--json", action="store_true", help="print the structured answer as one JSON object")
    ask.add_argument("--jsonl", action="store_true", help="read JSON objects from standard input, one answer per line")
    ask.add_argument("--no-log", action="store_true", help="do not record questions in the log database")

    evaluate = commands.add_parser("eval", help="print accuracy per category on evaluation files")
    evaluate.add_argument("files", nargs="*", type=Path, help=f"evaluation YAML files (default {', '.join(DEFAULT_EVAL)} on the "
                          "bundled knowledge; then the regression questions in the knowledge's questions.yaml)")
    evaluate.add_argument("--no-baseline", action="store_true", help="skip the plain TF-IDF baseline")
    evaluate.add_argument("--failures", action="store_true", help="list the questions answered wrongly")

    from . import kb

    kb.add_commands(commands)
    telegram = commands.add_parser("telegram", help="run the Telegram bot (token in TELEGRAM_BOT_TOKEN)")
    telegram.add_argument("--webhook", action="store_true", help="use webhook mode instead of long polling")
    return parser


def _setup_logging(verbose: bool, service: bool = False) -> None:
    """Configure logging once: warnings only, or everything with -v. A long-running service (the Telegram
    bot) also logs the bot's own INFO lines (started, stopping, reloaded) and nobody else's: httpx and
    httpcore, whose URLs hold the bot token, are kept at WARNING by the Telegram front end itself
    (guard.guard_loggers, as it builds the Application), whoever hosts it."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if service and not verbose:
        logging.getLogger("bot").setLevel(logging.INFO)


def open_storage(config: Config, unlogged: str = "questions") -> Storage | None:
    """The question log database, or None (with a warning naming what goes unlogged) when it cannot be opened."""
    from ..kb.identity import knowledge_log

    try:
        return knowledge_log(config.storage.database, config.knowledge)
    except StorageError as exc:
        log.warning("%s; %s will not be logged", exc, unlogged)
        return None


def question_log(storage: Storage | None, channel: str) -> QuestionLog | None:
    """The log callable a Conversation is given: records each question on `channel`; a write that fails is
    a warning, never a lost answer. None without a database."""
    if storage is None:
        return None

    def record(who: str, question: str, answer: Answer) -> None:
        try:
            storage.log_question(channel, who, question, answer.found, answer.kind, answer.score, answer.passage_ids)
        except StorageError as exc:
            log.warning("%s", exc)

    return record


def make_conversation(answerer: Answers, config: Config, storage: Storage | None, channel: str) -> Conversation:
    """A conversation over `answerer`: sessions bounded as the config says, questions logged on `channel`."""
    from ..core.context import new_sessions

    return Conversation(answerer, new_sessions(config), question_log(storage, channel))


def run(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failed check, 2 usage or setup error)."""
    args = _parser().parse_args(argv)
    _setup_logging(args.verbose, service=args.command == "telegram")
    try:
        config = load_config(args.config or default_config_path())
        if args.knowledge is not None:
            config = config.with_knowledge(args.knowledge)
        return _dispatch(args, config)
    except BotError as exc:
        return fail(exc)
    except KeyboardInterrupt:
        return interrupted()
    except BrokenPipeError:  # the reader went away (`... | head`): stop quietly, as command-line tools do
        return output_gone(141)
    except OSError as exc:  # `> file` on a full disk: one line, not a traceback (any other OSError is raised again)
        return output_failed(exc)


def fail(error: BotError | str, code: int = 2) -> int:
    """Say what went wrong in one `Error: ...` line on standard error; returns the exit code to use."""
    print(f"Error: {error}", file=sys.stderr)
    return code


def _dispatch(args: argparse.Namespace, config: Config) -> int:
    if args.command != "ask":  # `python -m bot` starts with the collector off (bot/__main__.py): on for the rest
        gc.enable()
    if args.command == "kb":
        from . import kb
        return kb.run(args, config)
    if args.command == "telegram":
        return run_telegram(config, webhook=args.webhook)
    if args.command == "eval":
        return _evaluate(args, config)
    if args.command is None:
        return _interactive(config)
    if not args.jsonl and not args.question:  # ask: say what is missing before loading anything
        return fail("give a question, e.g. python -m bot ask \"When did cooperation start?\", or use --jsonl")
    if args.jsonl and args.question:  # it would be dropped without a word while standard input is read
        return fail("--jsonl reads the questions from standard input: give a question or --jsonl, not both")
    from ..core.pipeline import build_answerer
    from ..frontends import console
    from . import jsonl
    from .progress import build_answerer as build_with_bar

    # What is built now lives as long as the process, so the collector is off while it is built (it would
    # walk it dozens of times for nothing: ~7 ms) and then it is frozen: out of the collector's sight, a
    # full collection walks only what answers create, not every passage (no pauses of milliseconds).
    gc.disable()
    try:  # --jsonl is for programs: never a bar, whatever stderr is.
        answerer = build_answerer(config) if args.jsonl else build_with_bar(config)
    finally:
        gc.enable()
    gc.freeze()
    conversation = make_conversation(answerer, config, None if args.no_log else open_storage(config), "console")
    if args.jsonl:
        return jsonl.run(conversation, answerer.prepare)
    return console.ask_once(conversation, " ".join(args.question), args.json, sys.stdout)


def _interactive(config: Config) -> int:
    """The interactive console, over a LiveAnswerer: edited knowledge is picked up without a restart."""
    from ..frontends import console
    from ..core.live import LiveAnswerer
    from .progress import build_answerer

    live = LiveAnswerer(config, build_answerer, warm=True, log_refused=False)  # the console says it, once
    return console.interactive(make_conversation(live, config, open_storage(config), "console"))


def run_telegram(config: Config, webhook: bool = False, environ: Mapping[str, str] | None = None) -> int:
    """Wire and run the Telegram bot until SIGTERM or SIGINT: 0 on a clean stop, 2 for a setup problem
    (token, webhook settings, knowledge), 1 when the Bot API cannot be reached."""
    from ..frontends.telegram import app as telegram
    from ..frontends.telegram.errors import BotApiUnreachable
    from ..frontends.telegram.guard import install_redactor, read_token
    from ..core.live import LiveAnswerer

    environ = os.environ if environ is None else environ
    try:
        token = read_token(environ)
        install_redactor(token)
        secret = telegram.webhook_secret(config, environ, webhook)
        live = LiveAnswerer(config, warm=True)
        storage = open_storage(config, "questions and feedback")
        try:
            conversation = make_conversation(live, config, storage, "telegram")
            return telegram.serve(telegram.build_application(config, conversation, storage, token), webhook, secret)
        finally:
            if storage is not None:
                storage.close()
    except BotApiUnreachable as exc:
        return fail(exc, 1)
    except BotError as exc:
        return fail(exc)


def _evaluate(args: argparse.Namespace, config: Config) -> int:
    from ..kb.evaluate import baseline, evaluate, failures, load_cases, table
    from .progress import build_answerer

    # Without FILE: the bundled evaluation set (wherever the command runs from) when the knowledge is the bundled
    # one its questions are about (graded on another, it is a meaningless table), then the regression questions.
    bundled = config.bundled_knowledge
    files = args.files or [PACKAGE_ROOT / f for f in DEFAULT_EVAL if bundled and (PACKAGE_ROOT / f).is_file()]
    answerer = build_answerer(config)
    for file in files:
        cases = load_cases(file)
        reports = [evaluate(answerer, cases)]
        if not args.no_baseline:
            reports.append(baseline(answerer.kb, cases))
        print(f"{file} ({len(cases)} questions)")
        print(table(reports))
        if args.failures:
            print("\n".join(failures(reports[0])) or "no failures")
        print()
    if not args.files:
        return _regression(answerer, config)
    return 0


def _regression(answerer, config: Config) -> int:
    """Run knowledge/questions.yaml: exit 1 when a question not marked xfail is no longer answered right."""
    from ..kb.folder import KnowledgeFolder
    from ..kb.check import regression_failures, run_questions
    from ..kb.questions import load_questions

    path = KnowledgeFolder(Path(config.knowledge)).questions
    if not path.is_file():
        return 0
    results = run_questions(answerer, load_questions(path))
    failed = regression_failures(results, answerer.kb, path)
    known = sum(1 for _, ok, _ in results if not ok) - len(failed)
    print(f"{path} ({len(results)} regression questions): {len(results) - len(failed) - known} passed, "
          f"{len(failed)} failed, {known} known failure(s)")
    for line in failed:
        print(line)
    return 1 if failed else 0


def main() -> None:
    """Console-script entry point; a line or file name that is not UTF-8 passes as its bytes, not a traceback."""
    for stream in (sys.stdin, sys.stdout):
        if getattr(stream, "errors", "") == "strict":
            stream.reconfigure(errors="surrogateescape")
    sys.exit(run())

