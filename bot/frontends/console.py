"""Console front end: an interactive session and one-shot answers (the JSON-lines stream: jsonlines.py)."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Mapping, TextIO

from ..core.answer import Answer
from ..core.conversation import Conversation
from ..core.settings import AnswerSettings, setting_rows
from ..errors import BotError
from .failure import failed_reply, log_failure

log = logging.getLogger(__name__)

SESSION = "console"  # the interactive console is one conversation
CLEARED = "Interrupted: the line was cleared (quit or Ctrl-D leaves)."  # Ctrl-C at the prompt: say how to leave
DROPPED = "Interrupted: that question was dropped."  # Ctrl-C while answering: nothing was answered or logged


def format_answer(answer: Answer) -> str:
    """The answer as a person reads it in a terminal: the text, then its source."""
    if not answer.found:
        return answer.text
    return f"{answer.text}\n{_source_line(answer)}"


def _source_line(answer: Answer) -> str:
    """The line under a found answer that says where it comes from."""
    return f"  \u2014 Source: {answer.citation} [{', '.join(answer.passage_ids)}]"


class Printer:
    """Lines for a person: colour and word wrapping (rich) on a terminal, plain print() when piped or NO_COLOR.

    Piped output stays byte-for-byte what scripts and tests read; on a terminal, rich wraps answers at word
    boundaries for the window's width (so words no longer break in the middle) and colours the parts.
    """

    def __init__(self, out: TextIO, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        self.out = out
        self._rich = None
        self._plain_style = True
        if _is_terminal(out):
            from rich.console import Console

            no_color = bool(environ.get("NO_COLOR"))  # https://no-color.org: set and not empty
            # markup/emoji/highlight off: passage ids like [mongolia-001] and ':q' are text, never rich syntax
            self._rich = Console(file=out, markup=False, emoji=False, highlight=False, no_color=no_color,
                                 force_terminal=not no_color, color_system=None if no_color else "auto")
            self._plain_style = no_color

    def __call__(self, text: str = "", style: str | None = None) -> None:
        if self._rich is None:
            print(text, file=self.out)
        else:
            self._rich.print(text, style=None if self._plain_style else style, markup=False, emoji=False,
                             highlight=False)
        self.out.flush()

    def answer(self, answer: Answer) -> None:
        """The answer in the default colour, its source dimmed; a miss in yellow so it reads as one."""
        if not answer.found:
            self(answer.text, "yellow" if answer.kind == "unknown" else None)
            return
        self(answer.text)
        self(_source_line(answer), "dim cyan")


def _is_terminal(out: TextIO) -> bool:
    """True when `out` is an interactive terminal (a pipe, file or StringIO is not)."""
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def format_why(answer: Answer | None) -> str:
    """Explain the last answer, in the core's words (matched and corrected words, expansions, score, runner-ups)."""
    if answer is None:
        return "Ask a question first; then 'why' explains the answer."
    return "\n".join(answer.why_lines)


def _setup_readline() -> None:
    """Line editing and history when the terminal has readline; harmless without it."""
    try:
        import readline
    except ImportError:  # pragma: no cover - platform without readline
        return
    history = Path(os.environ.get("BOT_HISTORY", Path.home() / ".factbot_history"))
    try:
        readline.read_history_file(history)
    except OSError:
        pass
    readline.set_history_length(1000)
    import atexit

    def save() -> None:
        try:
            readline.write_history_file(history)
        except OSError:
            pass

    atexit.register(save)


def interactive(conversation: Conversation, out: TextIO = sys.stdout, read: Callable[[str], str] = input) -> int:
    """Run a conversation in the terminal until `quit` or Ctrl-D; Ctrl-C clears the line, as Python's prompt does.

    The conversation's answerer may be a LiveAnswerer: then edited knowledge is picked up before each
    question, and a broken knowledge file is reported once while the previous knowledge keeps answering.
    """
    if read is input:
        _setup_readline()
    say = Printer(out)
    answerer = conversation.answerer
    _greet(getattr(answerer, "current", answerer), say)
    last: Answer | None = None
    while True:
        try:
            line = read("> ")
        except EOFError:
            say()
            say("Goodbye!")
            return 0
        except KeyboardInterrupt:  # the half-typed line is dropped; a new prompt on a fresh line, nothing asked
            say()
            say(CLEARED, "dim")
            continue
        command = line.strip().lower()
        if not command:  # Enter on an empty line: nothing was asked, so nothing to say (no hint, no log)
            continue
        if command in ("quit", "exit", ":q", "/quit", "/exit"):
            say("Goodbye!")
            return 0
        if command in ("why", "why?", "/why"):
            say(format_why(last), "dim")
            continue
        if command in ("why settings", "/why settings"):
            say(format_settings(getattr(answerer, "current", answerer).settings), "dim")
            continue
        last = _ask(conversation, line, say)


def _ask(conversation: Conversation, line: str, say: Printer) -> Answer | None:
    """Answer one line and show it; a failure costs that question one line, never the session (the cause: the log)."""
    try:
        _reload(conversation.answerer, say)
        answer = conversation.ask(SESSION, line)
    except KeyboardInterrupt:  # Ctrl-C while answering drops the question, as Python's prompt drops a running line
        say()
        say(DROPPED, "dim")
        return None
    except BotError as exc:  # a named problem says how to fix it in its own words
        say(str(exc), "bold red")
        return None
    except Exception as exc:  # a bug in answering one question must not end the session
        log_failure(log, "answering a console question failed", exc)
        say(failed_reply(conversation), "bold red")
        return None
    say.answer(answer)
    return answer


def _reload(answerer, say: Printer) -> None:
    """Pick up edited knowledge before a question (a LiveAnswerer), saying so, or saying why it was refused."""
    reload_if_changed = getattr(answerer, "reload_if_changed", None)
    result = reload_if_changed() if reload_if_changed is not None else None
    if result is not None:
        if result.ok:
            say(f"(knowledge reloaded: {result.passages} passages)", "dim")
        else:
            say(result.message, "bold red")


def format_settings(settings: AnswerSettings) -> str:
    """Every number the answer pipeline decides with, its value and its reason: `why settings`."""
    return "\n".join(f"{name} = {value!r}: {why}" for name, value, why in setting_rows(settings))


def _greet(answerer, say: Printer) -> None:
    """The greeting, the example questions and the console's own commands."""
    say(answerer.config.replies.greeting, "bold")
    say("Ask in your own words, for example:")
    for example in answerer.examples:
        say(f"  \u2022 {example}", "cyan")
    say("Type 'help' for topics, 'why' to explain the last answer, 'quit' to leave.", "dim")


def ask_once(conversation: Conversation, question: str, as_json: bool, out: TextIO = sys.stdout) -> int:
    """Answer one question, with no memory, and print it (text or one JSON object); logged as "ask".

    Returns the exit code: 0, or 1 when answering fails unexpectedly (a bug), which prints `replies.failed`
    (with --json as {"error": ...}, as `ask --jsonl` does) and logs the cause, as the console does."""
    try:
        answer = conversation.ask("", question, log_as="ask")
    except BotError:  # a named problem: the command line's one `Error:` line
        raise
    except Exception as exc:
        log_failure(log, "answering the question failed", exc)
        failed = failed_reply(conversation)
        if as_json:
            print(json.dumps({"error": failed}, ensure_ascii=False), file=out)
        else:
            Printer(out)(failed, "bold red")
        return 1
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False), file=out)
    else:
        Printer(out).answer(answer)
    return 0
