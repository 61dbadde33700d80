"""The command line as a user runs it: `python -m bot ...` in a subprocess, exit codes and one-line errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from conftest import REPO, clean_env, run_bot, write_config

QUESTION = "Since when have NATO and Mongolia been engaged in dialogue and cooperation?"


def _one_error_line(result) -> str:
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


@pytest.mark.slow
def test_ask_answers_and_exits_zero(tmp_path):
    result = run_bot(["ask", QUESTION], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert "since 2005" in out and "Source: Relations with Mongolia" in out
    assert result.stderr == b""


@pytest.mark.slow
def test_ask_json_and_the_question_is_logged(tmp_path):
    result = run_bot(["ask", "--json", QUESTION], tmp_path)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["found"] is True and data["kind"] == "answer"
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        assert db.execute("SELECT question, found FROM questions").fetchall() == [(QUESTION, 1)]


@pytest.mark.slow
def test_ask_no_log_writes_nothing(tmp_path):
    assert run_bot(["ask", "--no-log", "hello"], tmp_path).returncode == 0
    assert not (tmp_path / "cli.sqlite3").exists()


@pytest.mark.slow
def test_ask_with_invalid_utf8_in_argv_answers_and_logs(tmp_path):
    result = run_bot(["ask", "--json", b"when did dialogue start \xff".decode("utf-8", "surrogateescape")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kind"] in ("answer", "unknown")
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        assert db.execute("SELECT question FROM questions").fetchall() == [("when did dialogue start \\udcff",)]


@pytest.mark.slow
def test_ask_without_a_question_is_a_usage_error(tmp_path):
    result = run_bot(["ask"], tmp_path)
    assert result.returncode == 2
    assert "give a question" in _one_error_line(result)


@pytest.mark.slow
def test_missing_config_file_is_one_error_line_and_exit_2(tmp_path):
    result = run_bot(["--config", str(tmp_path / "missing.yaml"), "ask", "hello"], tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result)
    assert "missing.yaml" in line and "does not exist" in line
    assert result.stdout == b""


@pytest.mark.slow
def test_bad_config_key_is_one_error_line(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("retrieval:\n  treshold: 0.3\n", encoding="utf-8")
    result = run_bot(["--config", str(config), "ask", "hello"], tmp_path)
    assert result.returncode == 2
    assert "unknown config key 'retrieval.treshold'" in _one_error_line(result)


@pytest.mark.slow
def test_bad_knowledge_path_is_one_error_line_and_exit_2(tmp_path):
    result = run_bot(["--knowledge", str(tmp_path / "nowhere"), "ask", "hello"], tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result)
    assert "nowhere" in line and "does not exist" in line


@pytest.mark.slow
def test_broken_knowledge_file_is_one_error_line_with_file_and_line(tmp_path):
    (tmp_path / "kb" / "passages").mkdir(parents=True)
    (tmp_path / "kb" / "passages" / "x.yaml").write_text("passages:\n- id: a\n  text: ok\n  txet: typo\n", encoding="utf-8")
    result = run_bot(["--knowledge", str(tmp_path / "kb"), "ask", "hello"], tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result)
    assert "x.yaml, line 4: unknown field 'txet'" in line


@pytest.mark.slow
def test_unwritable_database_still_answers(tmp_path):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    config = write_config(tmp_path, REPO / "knowledge")
    env = clean_env(tmp_path)
    env["BOT_DATABASE"] = str(tmp_path / "file" / "db.sqlite3")  # its parent is a file: even root cannot create it
    result = run_bot(["--config", str(config), "ask", QUESTION], tmp_path, env=env)
    assert result.returncode == 0
    assert "since 2005" in result.stdout.decode()
    err = result.stderr.decode()
    assert "Traceback" not in err and "cannot open the log database" in err and "questions will not be logged" in err
    assert (tmp_path / "file").read_text(encoding="utf-8") == "not a folder"


@pytest.mark.slow
def test_jsonl_subprocess_mixed_byte_stream(tmp_path):
    big = b'{"text": "' + b"a" * (1024 * 1024) + b'"}'
    lines = [
        b'{"text": "' + QUESTION.encode() + b'"}',
        b"\xc3\x28 invalid utf-8 \xff",
        big,
        b"[]",
        b"null",
        b'{"text": 5}',
        b"a" * (1024 * 1024),
        b'{"text": "\\u202eRTL \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xf0\x9f\x98\x80"}',
        b'{"text": "\\ud800"}',
        b'{"text": "thanks", "session": "s"}',
    ]
    result = run_bot(["ask", "--jsonl"], tmp_path, stdin=b"\n".join(lines) + b"\n", timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert b"Traceback" not in result.stderr
    objects = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [o["line"] for o in objects] == list(range(1, len(lines) + 1))
    assert objects[0]["found"] is True
    assert "error" in objects[1] and objects[2]["kind"] == "too_long"
    assert all("error" in objects[i] for i in (3, 4, 5, 6, 8))
    assert objects[7]["kind"] in ("unknown", "answer", "empty", "not_english") and objects[9]["kind"] == "smalltalk"


BROKEN_QUESTION = "What does the broken stage say?"
# `python -m bot ARGS` with a bug in one stage: answering BROKEN_QUESTION raises a KeyError, every other is answered.
BROKEN_BOT = ("import sys\n"
              "from bot.core.pipeline import Answerer\n"
              "real = Answerer.answer\n"
              "def broken(self, question, context=None):\n"
              f"    if question == {BROKEN_QUESTION!r}:\n"
              "        return {}['a stage missing key']\n"
              "    return real(self, question, context)\n"
              "Answerer.answer = broken\n"
              "sys.argv[0] = 'factbot'\n"
              "from bot.cli.main import main\n"
              "main()\n")


def _run_broken_bot(args: list[str], tmp_path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BROKEN_BOT, *args], cwd=REPO, env=clean_env(tmp_path), input=stdin,
                          capture_output=True, timeout=120)


def _one_log_line_naming_the_error(result) -> None:
    """What a person at the terminal sees of a failed answer besides the reply: one log line, no traceback."""
    err = [line for line in result.stderr.decode("utf-8").splitlines() if line.strip()]
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert " ERROR " in err[0] and "KeyError" in err[0] and "-v shows the traceback" in err[0]


@pytest.mark.slow
def test_ask_whose_answering_fails_prints_the_failed_reply_and_exits_1_without_a_traceback(tmp_path):
    failed = load_config(REPO / "config.yaml").replies.failed
    result = _run_broken_bot(["ask", BROKEN_QUESTION], tmp_path)
    assert (result.returncode, result.stdout.decode("utf-8")) == (1, failed + "\n")
    _one_log_line_naming_the_error(result)
    result = _run_broken_bot(["ask", "--json", "--no-log", BROKEN_QUESTION], tmp_path)
    assert result.returncode == 1 and json.loads(result.stdout) == {"error": failed}
    _one_log_line_naming_the_error(result)
    verbose = _run_broken_bot(["-v", "ask", BROKEN_QUESTION], tmp_path)  # a maintainer asks for the traceback
    assert verbose.returncode == 1 and b"Traceback" in verbose.stderr and b"a stage missing key" in verbose.stderr


@pytest.mark.slow
def test_a_failing_jsonl_line_and_console_question_show_one_log_line_not_a_traceback(tmp_path):
    failed = load_config(REPO / "config.yaml").replies.failed
    lines = [json.dumps({"text": BROKEN_QUESTION}), json.dumps({"text": QUESTION})]
    result = _run_broken_bot(["ask", "--jsonl", "--no-log"], tmp_path, stdin="\n".join(lines).encode() + b"\n")
    objects = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert result.returncode == 0 and objects[0] == {"line": 1, "error": failed} and objects[1]["found"] is True
    _one_log_line_naming_the_error(result)
    result = _run_broken_bot([], tmp_path, stdin=f"{BROKEN_QUESTION}\n{QUESTION}\nquit\n".encode())
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0 and out.count(failed) == 1 and "since 2005" in out.split(failed)[1]
    _one_log_line_naming_the_error(result)


@pytest.mark.slow
def test_help_lists_the_commands(tmp_path):
    result = run_bot(["--help"], tmp_path)
    assert result.returncode == 0
    for command in ("ask", "eval", "kb", "telegram"):
        assert command in result.stdout.decode()


@pytest.mark.slow
def test_a_reader_that_stops_early_ends_the_stream_quietly(tmp_path):
    # `python -m bot ask --jsonl | head -n 1`: the reader leaves after one line; the bot must not print a traceback.
    bot = subprocess.Popen([sys.executable, "-m", "bot", "ask", "--jsonl", "--no-log"], cwd=REPO, env=clean_env(tmp_path),
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # 200 lines fit the pipe's buffer; their answers (about 1 KB each) do not, so the bot is still writing.
    bot.stdin.write(b'{"text": "When did NATO and Mongolia start working together?"}\n' * 200)
    bot.stdin.close()
    first = bot.stdout.readline()
    bot.stdout.close()  # the reader goes away
    assert json.loads(first)["found"] is True
    assert bot.wait(timeout=60) == 141
    stderr = bot.stderr.read().decode()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


@pytest.mark.parametrize("args, help_hint", [
    (["frob"], "factbot --help"),
    (["--bogus"], "factbot --help"),
    (["ask", "--zzz", "x"], "factbot --help"),
    (["kb", "frob"], "factbot kb --help"),
    (["kb"], "factbot kb --help"),
])
def test_usage_errors_are_one_error_line_saying_how_to_get_help(tmp_path, args, help_hint):
    result = run_bot(args, tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result)
    assert help_hint in line and "usage:" not in result.stderr.decode() and "factbot: error" not in line
    assert result.stdout == b""


def test_help_still_prints_usage_and_exits_zero(tmp_path):
    result = run_bot(["--help"], tmp_path)
    assert result.returncode == 0 and result.stderr == b""
    assert result.stdout.decode("utf-8").startswith("usage: factbot")


def _environment_variables_read() -> set[str]:
    """Every environment variable the code reads: environ.get("X"), environ["X"], getenv("X") and the
    config's override table, found by reading the source so a new one cannot slip by undocumented."""
    import re

    from bot.config import ENV_OVERRIDES

    pattern = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")
    names = set(ENV_OVERRIDES)
    for path in (REPO / "bot").rglob("*.py"):
        names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_environment_variable_the_code_reads_is_in_the_readme_and_help():
    from bot.cli.main import _parser

    names = _environment_variables_read()
    assert {"BOT_HISTORY", "BOT_DATABASE", "BOT_THRESHOLD", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"} <= names
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    configuration = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]  # the README's one table of them
    help_text = _parser().format_help()
    assert [n for n in sorted(names) if f"`{n}`" not in configuration] == []
    assert [n for n in sorted(names) if n not in help_text] == []


def test_help_explains_the_console_every_option_and_every_exit_code(tmp_path):
    result = run_bot(["--help"], tmp_path)
    text = " ".join(result.stdout.decode("utf-8").split())
    assert "With no COMMAND, starts the interactive console" in text
    for option in ("--json", "--jsonl", "--no-log", "--failures", "--no-baseline", "--webhook", "--config",
                   "--knowledge", "--verbose"):
        assert option in text, option
    exit_codes = text.split("exit codes:", 1)[1]
    for code in ("0 success", "1 a check failed", "Bot API could not be reached", "2 a usage or setup error",
                 "130 interrupted", "141 whatever reads the output stopped early"):
        assert code in exit_codes, code
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    for needle in ("--no-log", "| 0 |", "| 1 |", "Bot API could not be reached", "| 2 |", "| 130 |", "| 141 |"):
        assert needle in commands, needle


@pytest.mark.slow
@pytest.mark.parametrize("given, expected", [(None, 1), ("2", 2)])
def test_the_command_line_starts_one_blas_thread_unless_told_otherwise(tmp_path, given, expected):
    pytest.importorskip("threadpoolctl")  # scikit-learn's dependency: reads the loaded OpenBLAS's thread count
    env = {k: v for k, v in clean_env(tmp_path).items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    code = ("import bot.cli.main\nfrom threadpoolctl import threadpool_info\n"
            "print(max(i['num_threads'] for i in threadpool_info() if i['internal_api'] == 'openblas'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == expected


def test_the_collector_is_back_on_after_each_command_started_with_it_off(tmp_path, capsys):
    import gc
    import shutil

    from bot.cli.main import run

    shutil.copytree(REPO / "knowledge" / "passages", tmp_path / "kb" / "passages")
    knowledge = str(tmp_path / "kb")
    try:
        for argv in (["kb", "list"], ["ask", "--no-log", "When did cooperation start?"], ["ask", "--no-log"]):
            gc.disable()  # as `python -m bot` starts (bot/__main__.py)
            code = run(["--knowledge", knowledge, *argv])
            # a command that runs on, or an ask that answered, collects again; an ask refused before
            # building anything ends the process (still off, as nothing was built)
            assert gc.isenabled() == (argv != ["ask", "--no-log"]), (argv, code)
            assert code == (2 if argv == ["ask", "--no-log"] else 0)
    finally:
        gc.enable()
    assert "mongolia-001" in capsys.readouterr().out


def test_eval_without_files_grades_another_knowledge_base_only_on_its_own_regression_questions(tmp_path, capsys,
                                                                                              monkeypatch):
    # The bundled tuning set asks about NATO and Mongolia: on the garden club's knowledge it printed a 21% table.
    from bot.cli.main import run

    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))

    kb = tmp_path / "kb"
    document = tmp_path / "garden-club.md"
    document.write_text("# Garden Club\n\n## Meetings\n\nThe club meets on the first Tuesday of every month.\n",
                        encoding="utf-8")
    env = ["--knowledge", str(kb)]
    assert run([*env, "kb", "import", str(document), "--yes"]) == 0
    assert run([*env, "kb", "edit", "garden-club-001", "--question", "When does the club meet?"]) == 0
    capsys.readouterr()
    assert run([*env, "eval", "--no-baseline"]) == 0
    out = capsys.readouterr().out
    assert "mongolia" not in out and "(1 regression questions): 1 passed, 0 failed" in out


def test_ask_jsonl_with_a_question_on_the_command_line_is_a_usage_error_not_ignored(tmp_path, capsys, monkeypatch):
    # The question was dropped without a word and standard input read instead: no answer, exit 0.
    from bot.cli.main import run

    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    assert run(["ask", "--jsonl", "What is the Interoperability Platform?"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1 and lines[0].startswith("Error: ") and "--jsonl" in lines[0]


def test_ask_jsonl_answers_with_the_collector_off_and_collects_between_lines(tiny_kb, monkeypatch):
    import gc

    from bot.cli import jsonl as loop, main
    from bot.frontends import jsonlines

    seen = []

    def jsonl(conversation, stdin, out, between_lines=None):
        seen.append((gc.isenabled(), between_lines))
        return 0

    monkeypatch.setattr(jsonlines, "jsonl", jsonl)
    assert main.run(["--knowledge", str(tiny_kb), "ask", "--jsonl", "--no-log"]) == 0
    assert seen == [(False, loop.collect_young)] and gc.isenabled()  # and on again after the loop


def test_ask_jsonl_prepares_the_answerer_before_the_first_line(tiny_kb, monkeypatch):
    from bot.cli import main
    from bot.frontends import jsonlines

    known = []

    def jsonl(conversation, stdin, out, between_lines=None):
        answerer = conversation.answerer
        near = answerer.reranker.neighbourhood(answerer.kb.passages, answerer.settings.rerank_neighbours)
        known.append((near.passages_known(), len(answerer.kb.passages)))
        return 0

    monkeypatch.setattr(jsonlines, "jsonl", jsonl)
    assert main.run(["--knowledge", str(tiny_kb), "ask", "--jsonl", "--no-log"]) == 0
    assert known and known[0][0] == known[0][1] > 0  # every passage's neighbours worked out before any line


def test_collect_young_frees_the_cycles_a_line_left_and_freezes_what_it_kept():
    import gc
    import weakref

    from bot.cli.jsonl import collect_young

    class Node:
        pass

    was_enabled = gc.isenabled()
    gc.disable()  # as in the loop: nothing below is collected before collect_young
    try:
        kept, cycle = Node(), Node()
        cycle.itself = cycle
        dead = weakref.ref(cycle)
        del cycle
        collect_young()
        assert dead() is None  # a cycle the line left is freed ...
        assert gc.get_count()[0] == 0 and not any(o is kept for o in gc.get_objects())  # ... what it kept is frozen
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def test_a_folder_name_that_is_not_utf8_is_printed_as_its_bytes_under_a_strict_utf8_locale(tmp_path):
    # Under a UTF-8 locale standard output is strict: 'kb init' of a folder named in Latin-1 ('kbé') printed its
    # name and ended in a UnicodeEncodeError traceback (C.UTF-8 escapes it, which hid this).
    import os

    kb = tmp_path / os.fsdecode(b"kb\xe9")
    env = {**clean_env(tmp_path), "PYTHONIOENCODING": "utf-8:strict"}
    result = run_bot(["--knowledge", str(kb), "kb", "init"], tmp_path, env=env)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    assert result.stdout.startswith(b"Made an empty knowledge base in " + os.fsencode(kb) + b" (passages/")


def test_a_typed_line_that_is_not_utf8_is_answered_under_a_strict_utf8_locale(tmp_path):
    # The console read standard input strictly under a UTF-8 locale: a pasted Latin-1 line ended it in a traceback.
    env = {**clean_env(tmp_path), "PYTHONIOENCODING": "utf-8:strict"}
    result = run_bot([], tmp_path, stdin=b"caf\xe9 in mongolia?\nquit\n", env=env)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    assert result.stdout.rstrip().endswith(b"Goodbye!")


@pytest.mark.slow
@pytest.mark.parametrize("args, stdin", [(["kb", "list"], None), (["kb", "split", "tests/fixtures/docs/README.md"], None),
                                         (["ask", "--no-log", "When did cooperation start?"], None),
                                         (["ask", "--jsonl", "--no-log"], b'{"text": "hi"}\n')])
def test_output_to_a_full_disk_is_one_error_line_not_a_traceback(tmp_path, args, stdin):
    # `kb split doc.md > drafts.yaml` on a full disk (here /dev/full) ended in an OSError traceback.
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, env=clean_env(tmp_path), input=stdin,
                                stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert (result.returncode, result.stderr.decode()) == (
        2, "Error: cannot write the output: No space left on device (free disk space, or send the output elsewhere)\n")


def test_ctrl_c_is_one_line_saying_so_and_exit_130(tmp_path, tiny_kb):
    import signal

    proc = subprocess.Popen([sys.executable, "-m", "bot", "--knowledge", str(tiny_kb), "ask", "--jsonl"], cwd=REPO,
                            env=clean_env(tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdin.write(json.dumps({"text": "Where does the Selenge River flow?"}) + "\n")
    proc.stdin.flush()
    assert "Lake Baikal" in json.loads(proc.stdout.readline())["answer"]
    proc.send_signal(signal.SIGINT)  # Ctrl-C while it waits for the next line
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err == "Interrupted.\n"
