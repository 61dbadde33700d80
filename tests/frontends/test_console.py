"""Console front end: interactive session with a fake `read`, one-shot answers, a terminal and a pipe."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import fields

import pytest

from bot.core.conversation import Conversation
from bot.frontends import console
from console_helpers import SOURCE_KEYS, BrokenOn, fake_read

QUESTION = "Since when have NATO and Mongolia been engaged in dialogue and cooperation?"


def _chat(answerer, sessions, lines, end=EOFError):
    out = io.StringIO()
    logged = []
    conversation = Conversation(answerer, sessions, log=lambda chat, q, a: logged.append((chat, q, a.kind)))
    code = console.interactive(conversation, out=out, read=fake_read(lines, end))
    return code, out.getvalue(), logged


def test_interactive_greets_answers_with_a_source_and_quits(seed_answerer, sessions):
    code, text, logged = _chat(seed_answerer, sessions, [QUESTION, "quit", "never read"])
    assert code == 0
    assert text.startswith(seed_answerer.config.replies.greeting)
    assert "Type 'help'" in text
    assert "since 2005" in text
    assert "Source: Relations with Mongolia (NATO, 24 May 2022)" in text
    assert text.rstrip().endswith("Goodbye!")
    assert logged == [("console", QUESTION, "answer")]


def test_interactive_help_and_why(seed_answerer, sessions):
    code, text, _ = _chat(seed_answerer, sessions, ["why", "help", QUESTION, "why"])
    assert code == 0
    assert "Ask a question first" in text
    assert "Topics: Relations with Mongolia" in text
    assert "matched terms:" in text and f"threshold {seed_answerer.settings.threshold:.3f}" in text and "-> answered" in text


def test_interactive_why_after_small_talk(seed_answerer, sessions):
    _, text, _ = _chat(seed_answerer, sessions, ["thanks", "why"])
    assert "You're welcome!" in text
    assert "That was smalltalk, not a search of the knowledge." in text


def test_interactive_ctrl_d_leaves_with_exit_zero(seed_answerer, sessions):
    code, text, _ = _chat(seed_answerer, sessions, [])
    assert code == 0 and text.rstrip().endswith("Goodbye!")


def test_interactive_ctrl_c_clears_the_line_and_the_session_goes_on(seed_answerer, sessions):
    read = fake_read([KeyboardInterrupt, KeyboardInterrupt, QUESTION, "quit"])
    out, logged = io.StringIO(), []
    conversation = Conversation(seed_answerer, sessions, log=lambda chat, q, a: logged.append(q))
    assert console.interactive(conversation, out=out, read=read) == 0
    text = out.getvalue()
    assert read.prompts == ["> "] * 4  # prompted again after each Ctrl-C, then the question, then quit
    assert "since 2005" in text and text.rstrip().endswith("Goodbye!") and text.count("Goodbye!") == 1
    assert logged == [QUESTION]  # an interrupted line is never asked
    assert text.count(console.CLEARED) == 2  # one short line for each Ctrl-C, saying how to leave


def test_interactive_blank_lines_are_ignored_quietly(seed_answerer, sessions):
    code, quiet, logged = _chat(seed_answerer, sessions, ["", "   ", "\t"])
    _, greeting_only, _ = _chat(seed_answerer, sessions, [])
    assert code == 0 and logged == []
    assert quiet == greeting_only  # nothing printed for a blank line: no hint, no examples


def test_interactive_question_in_another_language_gets_one_line_in_english(seed_answerer, sessions):
    _, text, logged = _chat(seed_answerer, sessions, ["Когда Монголия начала сотрудничать с НАТО?", "why"])
    assert seed_answerer.config.replies.not_english in text and seed_answerer.config.replies.not_found not in text
    assert "That was a question in another language than English" in text
    assert logged[0][2] == "not_english"


def test_interactive_follow_up_uses_the_conversation(seed_answerer, sessions):
    _, text, _ = _chat(seed_answerer, sessions, ["When was the Individual Partnership and Cooperation Programme renewed?",
                                                  "And when did it start?"])
    assert "April 2020" in text


def test_a_failure_answering_one_question_costs_one_line_and_the_session_goes_on(seed_answerer, sessions, caplog):
    broken = "What does the broken stage say?"
    with caplog.at_level(logging.DEBUG, logger="bot"):
        code, text, logged = _chat(BrokenOn(seed_answerer, broken), sessions, [broken, QUESTION, "why", "quit"])
    assert code == 0
    lines = text.splitlines()
    failed = seed_answerer.config.replies.failed
    assert lines.count(failed) == 1 and lines[lines.index(failed) + 1].startswith("NATO and Mongolia")  # next answered
    assert "since 2005" in text and "-> answered" in text and text.rstrip().endswith("Goodbye!")
    assert "Traceback" not in text and "KeyError" not in text  # the traceback is the log's, not the screen's
    assert logged == [("console", QUESTION, "answer")]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]  # one line naming it; the traceback at DEBUG
    assert record.exc_info is None and "console question failed: KeyError" in record.getMessage()
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [KeyError]


def test_ctrl_c_while_answering_drops_that_question_not_the_session(seed_answerer, sessions):
    class Interrupted(BrokenOn):
        def answer(self, question, context=None):
            if question == self.question:
                raise KeyboardInterrupt  # Ctrl-C pressed while this question is being answered
            return self.answerer.answer(question, context)

    code, text, logged = _chat(Interrupted(seed_answerer, "slow question"), sessions, ["slow question", QUESTION])
    assert code == 0 and "since 2005" in text and text.rstrip().endswith("Goodbye!")
    assert text.count(console.DROPPED) == 1
    assert logged == [("console", QUESTION, "answer")]


def test_ask_once_text_and_json(seed_answerer, sessions):
    out = io.StringIO()
    assert console.ask_once(Conversation(seed_answerer, sessions), QUESTION, False, out) == 0
    assert "since 2005" in out.getvalue() and "Source:" in out.getvalue()
    out = io.StringIO()
    assert console.ask_once(Conversation(seed_answerer, sessions), QUESTION, True, out) == 0
    data = json.loads(out.getvalue())
    assert data["found"] is True and "since 2005" in data["answer"]
    assert data["passage_ids"] == [data["sources"][0]["id"]]
    assert all(set(s) == SOURCE_KEYS for s in data["sources"])


def test_ask_once_whose_answering_fails_prints_the_failed_reply_and_returns_1(seed_answerer, sessions, caplog):
    broken, failed = "What does the broken stage say?", seed_answerer.config.replies.failed
    for as_json, shown in ((False, failed + "\n"), (True, json.dumps({"error": failed}) + "\n")):
        out = io.StringIO()
        with caplog.at_level(logging.DEBUG, logger="bot"):
            assert console.ask_once(Conversation(BrokenOn(seed_answerer, broken), sessions), broken, as_json, out) == 1
        assert out.getvalue() == shown
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [KeyError, KeyError]  # the cause: the log's


def test_format_answer_not_found_has_no_source(seed_answerer):
    answer = seed_answerer.answer("What is the recipe for apple pie with cinnamon?")
    assert answer.found is False and "Source:" not in console.format_answer(answer)


def test_why_settings_lists_every_tunable_with_its_value_and_reason(seed_answerer, sessions):
    code, text, _ = _chat(seed_answerer, sessions, ["why settings"])
    settings = seed_answerer.settings
    assert code == 0
    assert f"threshold = {settings.threshold!r}: " in text
    lines = [line for line in text.splitlines() if " = " in line and ": " in line]
    assert len(lines) == len(fields(settings)) and all(line.split(": ", 1)[1].strip() for line in lines)


def _read_until(fd: int, needle: bytes, seen: bytearray, limit: float = 60) -> bytes:
    """Read the pseudo-terminal until `needle` has appeared after what was already seen (or EOF / the limit)."""
    import os
    import select
    import time

    start, deadline = len(seen), time.monotonic() + limit
    while needle not in seen[start:] and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return bytes(seen[start:])


def test_console_in_a_pseudo_terminal_ctrl_c_clears_the_line_and_quit_leaves(tmp_path):
    """Real keys through a real terminal: the tty turns Ctrl-C into SIGINT, which readline's input() raises."""
    import os
    import pty
    import sys

    from conftest import REPO, clean_env

    env = clean_env(tmp_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pseudo-terminal is its controlling terminal, so ^C is a real SIGINT
        os.chdir(REPO)
        os.execve(sys.executable, [sys.executable, "-m", "bot"], env)
    seen = bytearray()
    try:
        assert b"> " in _read_until(fd, b"> ", seen)
        os.write(fd, b"half a quest")
        _read_until(fd, b"quest", seen)
        os.write(fd, b"\x03")
        after_ctrl_c = _read_until(fd, b"> ", seen, limit=3)
        if b"> " not in after_ctrl_c:
            # CPython's readline loses a SIGINT that lands before it blocks in select() (it is raised on the
            # next key): on a loaded machine the typed text can arrive that early. A second Ctrl-C is seen.
            os.write(fd, b"\x03")
            after_ctrl_c += _read_until(fd, b"> ", seen)
        # A fresh prompt and no reply: readline may redraw or switch modes around a prompt with escapes,
        # so the check is on what must and must not be there, not on the exact bytes.
        assert b"> " in after_ctrl_c
        assert not any(word in after_ctrl_c for word in (b"Goodbye", b"Sorry", b"Source", b"know"))
        assert b"Interrupted: the line was cleared" in after_ctrl_c
        os.write(fd, b"quit\r")
        assert b"Goodbye!" in _read_until(fd, b"Goodbye!", seen)
    except BaseException:
        os.kill(pid, 9)  # a failed check must not leave the test waiting on a console that waits on us
        raise
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, bytes(seen).decode("utf-8", "replace")
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:  # the interrupted line was never asked
        assert db.execute("SELECT question FROM questions").fetchall() == []


SOURCE_LINE = "  \u2014 Source: Relations with Mongolia (NATO, 24 May 2022), section \u201cRelations with Mongolia\u201d [mongolia-003]"


def _console_in_a_terminal(tmp_path, question: str, columns: int, **extra_env: str) -> str:
    """The console run in a pseudo-terminal `columns` wide: ask one question, quit; everything it printed."""
    import fcntl
    import os
    import pty
    import struct
    import sys
    import termios

    from conftest import REPO, clean_env

    env = {k: v for k, v in clean_env(tmp_path).items() if k != "NO_COLOR"}  # the user's own NO_COLOR aside
    env.update(extra_env)
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(REPO)
        os.execve(sys.executable, [sys.executable, "-m", "bot"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    seen = bytearray()
    try:
        _read_until(fd, b"> ", seen)
        os.write(fd, question.encode() + b"\r")
        _read_until(fd, b"> ", seen)
        os.write(fd, b"quit\r")
        _read_until(fd, b"Goodbye!", seen)
    except BaseException:
        os.kill(pid, 9)
        raise
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    return bytes(seen).decode("utf-8")


def test_console_on_a_terminal_has_colour_and_wraps_at_word_boundaries(tmp_path):
    import re

    text = _console_in_a_terminal(tmp_path, "Since when have NATO and Mongolia been engaged in dialogue?", 40)
    assert "\x1b[" in text  # coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    lines = plain.split("\r\n")
    answer_lines = lines[lines.index("> Since when have NATO and Mongolia been engaged in dialogue?") + 1:]
    answer_lines = answer_lines[:next(i for i, line in enumerate(answer_lines) if line.startswith("> "))]
    assert len(answer_lines) > 2 and all(len(line) <= 40 for line in answer_lines)  # wrapped to the window
    words = " ".join(answer_lines).split()
    assert words == ("NATO and Mongolia have been engaged in dialogue and cooperation since 2005."
                     + SOURCE_LINE).split()  # every word whole: wrapped between words, never inside one


def test_console_on_a_terminal_with_no_color_has_no_escapes(tmp_path):
    text = _console_in_a_terminal(tmp_path, "Since when have NATO and Mongolia been engaged in dialogue?", 60,
                                  NO_COLOR="1")
    assert "\x1b[" not in text and "since 2005" in text


def test_console_piped_is_plain_text_unwrapped(tmp_path):
    from conftest import clean_env, run_bot

    env = {k: v for k, v in clean_env(tmp_path).items() if k != "NO_COLOR"}
    result = run_bot([], tmp_path, stdin=b"Since when have NATO and Mongolia been engaged in dialogue?\nquit\n",
                     env={**env, "COLUMNS": "40"})
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0 and "\x1b" not in out
    assert SOURCE_LINE in out.splitlines()  # one long line, as scripts read it: no colour, no wrapping


@pytest.mark.slow
def test_the_console_reports_a_broken_knowledge_file_once_in_one_line(tmp_path):
    # It showed the logger's timestamped ERROR line and then its own 'Reload failed' line: the same error twice.
    import shutil
    import subprocess
    import sys

    from conftest import REPO, clean_env

    kb = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", kb, ignore=shutil.ignore_patterns(".index", ".history", ".lock"))
    bot = subprocess.Popen([sys.executable, "-m", "bot", "--knowledge", str(kb)], cwd=REPO, env=clean_env(tmp_path),
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    bot.stdin.write(b"What is the Interoperability Platform?\n")
    bot.stdin.flush()
    out = [b""]
    while out[-1] is not None and b"Source:" not in b"".join(out):
        out.append(bot.stdout.read1(4096) or None)  # the first answer is shown: the file breaks after it
    passages = kb / "passages" / "relations-with-mongolia.yaml"
    passages.write_text(passages.read_text(encoding="utf-8") + "- id: [broken\n", encoding="utf-8")
    rest, err = bot.communicate(b"What is the Building Integrity Programme?\nquit\n", timeout=60)
    out.append(rest)
    text = b"".join(part for part in out if part).decode()
    assert bot.returncode == 0 and text.count("Source:") == 2, text  # the previous knowledge kept answering
    reported = [line for line in (text + err.decode()).splitlines() if "relations-with-mongolia.yaml, line" in line]
    assert len(reported) == 1 and "Reload failed, still serving the previous knowledge" in reported[0]




def test_a_decline_over_an_imported_documents_headings_suggests_what_a_person_would_ask(tmp_path):
    from bot.config import load_config
    from bot.core.context import new_sessions
    from bot.core.pipeline import build_answerer
    from conftest import IMPORTED_PASSAGES, write_config, write_knowledge

    config = load_config(write_config(tmp_path, write_knowledge(tmp_path / "kb", IMPORTED_PASSAGES)), environ={})
    out = io.StringIO()
    answerer = build_answerer(config, cache=False)
    assert console.ask_once(Conversation(answerer, new_sessions(config)), "How much does a yak cost?", False, out) == 0
    assert out.getvalue() == (f"{config.replies.not_found} {config.replies.suggest}\n"
                              "\u2022 Is there C++ bindings?\n\u2022 Tell me about the MEDIA/SUBTYPE.xml files\n"
                              "\u2022 Tell me about exit status\n")
    for suggestion, section in (("Tell me about exit status", "EXIT STATUS"),
                                ("Tell me about the MEDIA/SUBTYPE.xml files", "2.3. The MEDIA/SUBTYPE.xml files")):
        out = io.StringIO()  # a suggestion asked back is answered from the section it was made from (offered.py)
        assert console.ask_once(Conversation(answerer, new_sessions(config)), suggestion, False, out) == 0
        assert f"section \u201c{section}\u201d" in out.getvalue(), out.getvalue()


def test_interactive_a_typed_topic_of_the_knowledge_is_answered_and_help_still_helps(sessions):
    from bot.config import Config
    from bot.core.index import TfidfIndex
    from bot.core.pipeline import Answerer
    from bot.kb.model import KnowledgeBase, Passage, Source

    manual = (Passage("zorb-001", "zorb walks a widget tree.", "DESCRIPTION", "zorb"),
              Passage("zorb-002", "The -q and -v options set how much zorb says.", "OPTIONS", "zorb"),
              Passage("zorb-003", "Report bugs and wishes for options at the zorb tracker.", "BUGS", "zorb"))
    answerer = Answerer(KnowledgeBase(manual, {"zorb": Source("zorb", "zorb(1)")}), TfidfIndex.build(manual),
                        Config(), clock=lambda: 0.0)
    code, text, logged = _chat(answerer, sessions, ["options", "help", "thanks"])
    assert code == 0 and "how much zorb says" in text and "section “OPTIONS”" in text
    assert "Topics: OPTIONS; BUGS" in text and "You're welcome!" in text
    assert [kind for _, _, kind in logged] == ["answer", "help", "smalltalk"]
