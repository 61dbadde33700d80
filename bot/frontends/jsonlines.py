"""`ask --jsonl`'s stream for scripts: one JSON object per input line in, one per line out, every bad line a
one-line error and never the end of the stream."""

from __future__ import annotations

import json
import logging
from typing import BinaryIO, Callable, TextIO

import orjson

from ..core.conversation import Conversation
from ..errors import BotError
from ..files import JsonNumberTooLong, JsonRefused, parse_json
from ..text import lone_surrogate
from .failure import failed_reply, log_failure

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_SESSION_CHARS = 200  # session ids are memory keys: a bounded count of bounded keys


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
                except Exception as exc:  # a bug must cost one line's answer, not every answer after it
                    log_failure(log, f"answering JSON line {number} failed", exc)
                    result = {"line": number, "error": failed_reply(conversation)}
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
    if not isinstance(data, dict) or "text" not in data:  # e.g. {"question": ...}: told the shape and the keys it had
        keys = list(data)[:5] if isinstance(data, dict) else []
        had = f" (this one has {', '.join(json.dumps(k[:40]) for k in keys)})" if keys else ""
        return f'expected a JSON object like {{"text": "your question", "session": "optional id"}}{had}'
    text, session = data["text"], data.get("session", "")
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
