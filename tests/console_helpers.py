"""Helpers for the console tests and the property tests of `ask --jsonl`: a typing user, the JSON-lines loop
run in process, and the JSON-lines contract every output line must keep."""

from __future__ import annotations

import io
import json

from bot.core.conversation import Conversation
from bot.frontends import jsonlines

ANSWER_KEYS = {"found", "answer", "sources", "score"}
SOURCE_KEYS = {"id", "section", "text", "score"}


def fake_read(lines, end: type[BaseException] = EOFError):
    """A `read` that types the given lines, then ends the input as Ctrl-D (EOFError) would; a line that is an
    exception class is a key pressed instead of Enter (KeyboardInterrupt for Ctrl-C, EOFError for Ctrl-D)."""
    queue = list(lines)
    prompts = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        if not queue:
            raise end()
        line = queue.pop(0)
        if isinstance(line, type) and issubclass(line, BaseException):
            raise line()
        return line

    read.prompts = prompts  # type: ignore[attr-defined]
    return read


class BrokenOn:
    """The answerer a front end is given, with a bug that makes answering one question raise (as a broken stage
    would); every other question is answered by the real answerer."""

    def __init__(self, answerer, question: str) -> None:
        self.answerer = answerer
        self.config = answerer.config
        self.question = question

    def __getattr__(self, name: str):  # examples, settings, kb: the real answerer's
        return getattr(self.answerer, name)

    def answer(self, question: str, context=None):
        if question == self.question:
            return {}["a stage's missing key"]  # KeyError, as a bug in one stage raises it
        return self.answerer.answer(question, context)


def run_jsonl(answerer, sessions, data: bytes) -> tuple[int, list[dict]]:
    """Run the JSON-lines loop over bytes, writing through a strict UTF-8 stream as stdout does."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n", write_through=True)
    code = jsonlines.jsonl(Conversation(answerer, sessions), io.BytesIO(data), out)
    out.flush()
    text = raw.getvalue().decode("utf-8")
    assert text == "" or text.endswith("\n")
    return code, [json.loads(line) for line in text.splitlines()]


def check_contract(objects: list[dict], n_lines: int) -> None:
    """One object per input line, in order; each an answer with the contract keys or an error."""
    assert [o["line"] for o in objects] == list(range(1, n_lines + 1))
    for obj in objects:
        if "error" in obj:
            assert set(obj) == {"line", "error"} and isinstance(obj["error"], str) and obj["error"]
            assert "internal error" not in obj["error"]  # a bad line is the user's to fix, never a crash
        else:
            assert ANSWER_KEYS <= set(obj)
            assert isinstance(obj["found"], bool) and isinstance(obj["answer"], str) and obj["answer"]
            assert isinstance(obj["score"], (int, float)) and 0 <= obj["score"] <= 1
            assert all(set(s) == SOURCE_KEYS for s in obj["sources"])
