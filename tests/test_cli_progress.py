"""The progress bar: drawn at a terminal for a step that lasts, never when piped or NO_COLOR is set."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.progress import SHOW_AFTER_SECONDS, ProgressBar

REPO = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_bar(stream: io.StringIO, environ: dict, clock: Clock) -> ProgressBar:
    with ProgressBar("Indexing the knowledge", stream, environ, clock) as bar:
        callback = bar.callback()
        clock.now = SHOW_AFTER_SECONDS + 1  # the step has lasted: a bar is due
        for done in range(0, 101, 10):
            if callback is not None:
                callback(done, 100)
    return bar


def test_a_terminal_gets_a_bar_for_a_step_that_lasts():
    stream = Terminal()
    assert run_bar(stream, {}, Clock()).enabled
    assert "Indexing the knowledge" in stream.getvalue()


def test_a_short_step_draws_nothing_even_at_a_terminal():
    stream, clock = Terminal(), Clock()
    with ProgressBar("Indexing the knowledge", stream, {}, clock) as bar:
        bar.count(50, 100)
        bar.count(100, 100)
    assert stream.getvalue() == ""


def test_no_bar_when_piped_or_no_color():
    piped, no_color = io.StringIO(), Terminal()
    assert run_bar(piped, {}, Clock()).callback() is None and piped.getvalue() == ""
    assert run_bar(no_color, {"NO_COLOR": "1"}, Clock()).callback() is None and no_color.getvalue() == ""


@pytest.mark.slow
def test_a_piped_build_of_a_large_knowledge_writes_nothing_to_stderr(tmp_path):
    knowledge = tmp_path / "many.jsonl"
    knowledge.write_text("".join(json.dumps({"id": f"p{n}", "text": f"Fact {n} is about river number {n}."}) + "\n"
                                 for n in range(3000)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(knowledge), "ask", "--no-log",
                           "What is fact 12 about?"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "river number 12" in done.stdout
