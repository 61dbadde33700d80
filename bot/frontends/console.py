"""Console front end: an interactive session, one-shot answers and a JSON-lines stream for scripts."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import BinaryIO, Callable, Mapping, TextIO

import orjson

from ..core.answer import Answer
from ..core.conversation import Conversation
from ..core.settings import AnswerSettings, setting_rows
from ..errors import BotError
from ..files import JsonNumberTooLong, JsonRefused, parse_json
from ..text import lone_surrogate

log = logging.getLogger(__name__)

SESSION = "console"  # the interactive console is one conversation
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_SESSION_CHARS = 200  # session ids are memory keys: a bounded count of bounded keys


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
        _reload(answerer, say)
        last = conversation.ask(SESSION, line)
        say.answer(last)


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
    """Answer one question, with no memory, and print it (text or one JSON object); logged as "ask"."""
    answer = conversation.ask("", question, log_as="ask")
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False), file=out)
    else:
        Printer(out).answer(answer)
    return 0


def _parse_line(raw: bytes) -> tuple[str, str] | str:
    """A (text, session) pair from one input line, or the error to report for it."""
    if len(raw) > MAX_LINE_BYTES:
        return f"line is over {MAX_LINE_BYTES // (1024 * 1024)} MB"
    data = _strings_object(raw)
    if data is None:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"line is not valid UTF-8 (byte {exc.start})"
        try:
            data = parse_json(line)
        except JsonNumberTooLong as exc:
            return f"line is not accepted: {exc}"
        except JsonRefused as exc:
            return f"line is not valid JSON: {exc.msg}"
    if not isinstance(data, dict):
        return 'expected a JSON object like {"text": "your question", "session": "optional id"}'
    text, session = data.get("text"), data.get("session", "")
    if not isinstance(text, str):
        return '"text" must be a string'
    if session is None:
        session = ""
    if not isinstance(session, (str, int)) or isinstance(session, bool):
        return '"session" must be a string'
    if len(str(session)) > MAX_SESSION_CHARS:
        return f'"session" must be at most {MAX_SESSION_CHARS} characters'
    for name, value in (("text", text), ("session", str(session))):
        at = lone_surrogate(value)  # JSON's "\ud800" escapes decode to them; they cannot be written out or logged
        if at is not None:
            return f'"{name}" holds an unpaired surrogate {value[at]!r} at character {at}: not valid Unicode'
    return text, str(session)


def _strings_object(raw: bytes) -> dict | None:
    """The line read by orjson (a tenth of the json module's time) when it is an object of strings only, else None."""
    # Strings only: no number and no nesting, where orjson reads differently (a 20-digit integer as a float, no digit
    # limit, its own depth limit). A line orjson refuses (bad UTF-8, a lone surrogate escape) the json module reads
    # or refuses as before, in its own words.
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(data) is dict and all(type(value) is str for value in data.values()):
        return data
    return None


def jsonl(conversation: Conversation, stdin: BinaryIO, out: TextIO, between_lines: Callable[[], object] | None = None
          ) -> int:
    """Answer one JSON object per input line, in order, one JSON object out per line, flushed.

    A line's "session" keeps a conversation across lines; lines without one are answered alone.
    `between_lines` runs after each line is flushed (the command line collects garbage there, not mid-answer).
    """
    for number, raw in enumerate(_lines(stdin), start=1):
        if not raw.strip():
            result: dict = {"line": number, "error": "empty line: send a JSON object per line"}
        else:
            parsed = _parse_line(raw)
            if isinstance(parsed, str):
                result = {"line": number, "error": parsed}
            else:
                text, session = parsed
                try:
                    answer = conversation.ask(session, text, log_as=session or "jsonl")
                    result = answer.to_dict()
                    result["line"] = number
                    if session:
                        result["session"] = session
                except BotError as exc:
                    result = {"line": number, "error": str(exc)}
                except Exception:  # a bug must cost one line's answer, not every answer after it
                    log.exception("answering JSON line %d failed", number)
                    result = {"line": number, "error": "internal error while answering this line (see the log)"}
        out.write(_encode(result) + "\n")
        out.flush()
        if between_lines is not None:
            between_lines()
    return 0


# Line breaks to str.splitlines that JSON leaves raw in strings: escaped, so any line reader gets whole objects.
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


def _encode(result: dict) -> str:
    """One JSON line: orjson, a tenth of json's time an answer; json for what orjson refuses (a lone surrogate)."""
    try:
        line = orjson.dumps(result).decode("utf-8")
    except orjson.JSONEncodeError:
        line = json.dumps(result, ensure_ascii=False)
    for mark in (m for m in _UNICODE_BREAKS if m in line):
        line = line.replace(mark, f"\\u{ord(mark):04x}")
    return line


def _lines(stream: BinaryIO):
    """Lines of a byte stream without their newline; an over-long line is read through, not kept."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # discard the rest of the over-long line so the next line is read correctly
                rest = stream.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield raw  # reported as too long
            continue
        yield raw.rstrip(b"\r\n")
