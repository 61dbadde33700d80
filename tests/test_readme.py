"""The README cannot drift: its examples run and print what it shows, and every command and option it names exists.

A fenced block is run when an HTML comment marks it: `<!-- test: session -->` (the console, fed the `> ` lines),
`<!-- test: jsonl -->` (`ask --jsonl`, output compared field by field), `<!-- test: file NAME -->` (a file the
next examples use), `<!-- test: commands [knowledge] -->` (a shell transcript, run in a scratch folder, with a
copy of knowledge/ when asked). In shown output a line `...` stands for any lines, and `...` inside a line for
any text.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import EPILOG, _parser

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"<!-- test: (\S+) ?([^>]*?) -->\s*```[^\n]*\n(.*?)```", re.S)
ELIDED = "..."


def blocks(kind: str, text: str = README) -> list[tuple[str, str]]:
    """(argument, body) of each fenced block marked `<!-- test: kind argument -->`."""
    return [(arg.strip(), body) for found, arg, body in BLOCK.findall(text) if found == kind]


def steps(body: str) -> list[tuple[str, list[str], list[str]]]:
    """A transcript's steps: (command, lines typed at the console prompt, lines shown as output)."""
    out: list[tuple[str, list[str], list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], [], []))
        elif line.startswith("> "):
            out[-1][1].append(line[2:])
        elif line.strip():
            out[-1][2].append(line)
    return out


def line_matches(shown: str, actual: str) -> bool:
    """A shown line matches when equal, with `...` inside it standing for any text."""
    pattern = ".*".join(re.escape(part) for part in shown.split(ELIDED))
    return re.fullmatch(pattern, actual) is not None


def output_matches(shown: list[str], actual: list[str]) -> bool:
    """Every shown line in order, each the next actual line, except that a `...` line skips any number of lines."""
    if not shown:
        return not actual
    if shown[0] == ELIDED:
        return any(output_matches(shown[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and line_matches(shown[0], actual[0]) and output_matches(shown[1:], actual[1:])


def like(shown: object, actual: object, top: bool = False) -> bool:
    """A JSON value as the README shows it: same keys at the top, a subset below; a string ending in `...` a prefix;
    a list its first items (an empty list: empty); a number any number (scores move as retrieval is tuned)."""
    if isinstance(shown, dict):
        return (isinstance(actual, dict) and (set(shown) == set(actual) if top else set(shown) <= set(actual))
                and all(like(value, actual[key]) for key, value in shown.items()))
    if isinstance(shown, list):
        return (isinstance(actual, list) and (len(actual) == 0 if not shown else len(shown) <= len(actual))
                and all(like(s, a) for s, a in zip(shown, actual)))
    if isinstance(shown, str) and shown.endswith(ELIDED):
        return isinstance(actual, str) and actual.startswith(shown[:-len(ELIDED)].rstrip())
    if isinstance(shown, float):
        return isinstance(actual, (int, float)) and not isinstance(actual, bool)
    return type(shown) is type(actual) and shown == actual


def scratch(tmp_path: Path, knowledge: bool) -> dict[str, str]:
    """The environment a README command runs in: this checkout's bot, a scratch log and home, no inherited overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_")) and k != "NO_COLOR"}
    env.update(PYTHONPATH=str(REPO), HOME=str(tmp_path), BOT_DATABASE=str(tmp_path / "log.sqlite3"))
    if knowledge:
        shutil.copytree(REPO / "knowledge", tmp_path / "knowledge",
                        ignore=shutil.ignore_patterns(".index", ".history", ".journal", ".lock", ".identity"))
        env["BOT_KNOWLEDGE"] = str(tmp_path / "knowledge")  # absolute: a relative one is read beside config.yaml
    return env


def run(command: str, cwd: Path, env: dict[str, str], stdin: str = "") -> list[str]:
    """Run a README command line as a user would (python -m bot is this interpreter); its output's non-blank lines."""
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "bot"], command
    done = subprocess.run([sys.executable, *argv[1:]], cwd=cwd, env=env, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    # Piped, the console prints its prompt before each reply on the same line: read the reply alone.
    return [line for raw in done.stdout.splitlines() if (line := re.sub(r"^(> )+", "", raw)).strip()]


def run_transcript(body: str, cwd: Path, env: dict[str, str]) -> None:
    for command, typed, shown in steps(body):
        actual = run(command, cwd, env, "".join(f"{line}\n" for line in typed))
        assert output_matches(shown, actual), f"$ {command}\nREADME shows:\n" + "\n".join(shown) + \
            "\n\nbut it printed:\n" + "\n".join(actual)


# -- the matching rules themselves ------------------------------------------------------------------------------

def test_shown_output_matches_with_elided_lines_and_text_and_fails_otherwise():
    assert output_matches(["a", "...", "d ... s"], ["a", "b", "c", "d in 0.7 s"])
    assert output_matches(["a", "..."], ["a"])
    assert not output_matches(["a", "c"], ["a", "b", "c"])  # without `...` nothing may be skipped
    assert not output_matches(["a"], ["a", "b"])  # nor left over
    assert not output_matches(["d ... s"], ["d in 0.7 ms"])


def test_shown_json_matches_by_structure_and_key_fields():
    actual = {"found": True, "answer": "Mongolia is a partner.", "score": 0.6, "ids": ["m-1", "m-2"], "why": {"a": 1, "b": []}}
    assert like({"found": True, "answer": "Mongolia ...", "score": 0.1, "ids": ["m-1"], "why": {"b": []}}, actual, top=True)
    assert not like({"found": True}, actual, top=True)  # a key missing at the top: the structure changed
    assert not like({**actual, "found": False}, actual, top=True)
    assert not like({**actual, "ids": ["m-2"]}, actual, top=True)
    assert not like({**actual, "why": {"b": [], "c": 1}}, actual, top=True)


# -- the examples -------------------------------------------------------------------------------------------------

def test_the_readme_starts_with_the_two_commands_and_tests_as_ci_does():
    first = README.split("## ")[0]
    assert "    pip install -e . && python -m bot\n" in first
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert f"    {ci}\n" in first  # the README's test command is exactly what CI runs


@pytest.mark.slow
def test_the_example_session_is_what_the_console_prints(tmp_path):
    [(_, body)] = blocks("session")
    run_transcript(body, tmp_path, scratch(tmp_path, knowledge=True))


@pytest.mark.slow
def test_the_json_lines_example_is_what_ask_jsonl_prints(tmp_path):
    [(_, body)] = blocks("jsonl")
    command, *shown = [line for line in body.splitlines() if line.strip()]
    pipeline = shlex.split(command[2:])
    cut = pipeline.index("|")
    assert pipeline[:2] == ["printf", "%s\\n"]
    actual = run(shlex.join(pipeline[cut + 1:]), tmp_path, scratch(tmp_path, knowledge=True),
                 "".join(f"{line}\n" for line in pipeline[2:cut]))
    assert len(actual) == len(shown) == cut - 2
    for want, got in zip(shown, actual):
        assert like(json.loads(want), json.loads(got), top=True), f"README shows:\n{want}\nbut it printed:\n{got}"


@pytest.mark.slow
@pytest.mark.parametrize("number", range(len(blocks("commands"))))
def test_each_worked_example_prints_what_the_readme_shows(tmp_path, number):
    for name, body in blocks("file"):
        (tmp_path / name).write_text(body, encoding="utf-8")
    arg, body = blocks("commands")[number]
    shipped = {p: p.read_bytes() for p in (REPO / "knowledge").rglob("*.yaml")}
    run_transcript(body, tmp_path, scratch(tmp_path, knowledge=arg == "knowledge"))
    assert {p: p.read_bytes() for p in (REPO / "knowledge").rglob("*.yaml")} == shipped  # only the copy changed


@pytest.mark.slow
def test_the_review_list_example_is_what_kb_split_prints():
    command = "python -m bot kb split tests/fixtures/docs/libxml2-README.md > /dev/null"
    shown = README.split(f"    $ {command}\n", 1)[1].split("\n\n", 1)[0].splitlines()
    result = subprocess.run([sys.executable, "-m", "bot", "kb", "split", "tests/fixtures/docs/libxml2-README.md"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [line.strip() for line in shown] == [line.strip() for line in result.stderr.strip().splitlines()]


# -- commands, options, environment and exit codes ------------------------------------------------------------------

def mentioned_commands(text: str) -> list[str]:
    """Every `python -m bot ...` / `factbot ...` in inline code, and every `$ python -m bot ...` line of a block."""
    inline = re.findall(r"`((?:python -m bot|factbot)\b[^`]*)`", text)
    shown = re.findall(r"^\$ (python -m bot\b.*)$", text, re.M)
    return inline + shown


def unknown_options(command: str) -> list[str]:
    """The options a command line names that its (sub)command does not have; asserts its --help works."""
    import argparse

    words = command.replace("[", " ").replace("]", " ").split()
    words = words[3:] if words[:3] == ["python", "-m", "bot"] else words[1:]
    parser, path, unknown = _parser(), [], []
    for word in words:
        subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if word.startswith("-") and word not in ("-", "--"):
            if word.split("=")[0] not in parser._option_string_actions:
                unknown.append(word)
        elif subcommands and word in subcommands[0].choices:
            parser, path = subcommands[0].choices[word], [*path, word]
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args([*path, "--help"])
    assert exited.value.code == 0, command
    return unknown


def test_the_option_check_finds_a_made_up_option(capsys):
    assert unknown_options("python -m bot kb add --text T --colour red") == ["--colour"]
    assert unknown_options("factbot --knowledge DIR kb init [DIR]") == []


def test_every_command_the_readme_names_exists_with_its_options(capsys):
    commands = mentioned_commands(README)
    assert len(commands) > 30
    bad = {command: found for command in commands if (found := unknown_options(command))}
    assert bad == {}


def epilog_section(title: str) -> list[str]:
    """The first word of each entry in a section of `factbot --help`'s epilog (variables, exit codes)."""
    section = EPILOG.split(f"\n{title}:\n")[1].split("\n\n")[0]
    return [line.split()[0].rstrip(",") for line in section.splitlines() if line.startswith("  ") and line[2] != " "]


def readme_table(heading: str) -> str:
    """The README section under a `## heading`."""
    return README.split(f"\n## {heading}\n")[1].split("\n## ")[0]


def test_every_environment_variable_and_exit_code_of_help_is_documented():
    variables = epilog_section("environment")
    assert len(variables) >= 10
    configuration = readme_table("Configuration")
    assert [v for v in variables if f"| `{v}`" not in configuration and f"`{v}`," not in configuration] == []
    codes = epilog_section("exit codes")
    assert codes == ["0", "1", "2", "130", "141"]
    commands = readme_table("Commands")
    assert [c for c in codes if f"\n| {c} |" not in commands] == []


def options_of(parser, path: tuple[str, ...] = ()):
    """(command path, option) for every option of the program and each of its (sub)commands."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from options_of(sub, (*path, name))
        else:
            yield from ((path, option) for option in action.option_strings if option not in ("-h", "--help"))


def test_every_option_of_every_command_is_documented_beside_its_command():
    lines = README.splitlines()
    found = list(options_of(_parser()))
    assert len(found) > 30
    undocumented = [" ".join((*path, option)) for path, option in found
                    if not any(option in line and (not path or path[-1] in line) for line in lines)]
    assert undocumented == []


def test_every_file_the_readme_points_to_exists():
    named = set(re.findall(r"\]\(([\w./-]+)\)", README)) | set(re.findall(r"`((?:docs|benchmarks|tests|eval|devtools)/[\w./-]+\.\w+)`", README))
    assert len(named) >= 8
    assert sorted(p for p in named if not (REPO / p).exists()) == []


# Each reader of a document format (bot/kb/split_FORMAT.py) and how its row of the README's table of formats
# begins its "read as" column; split_blocks is the paragraph logic the readers share, not a format, and split_tbl
# the roff reader's tables.
FORMAT_ROWS = {"text": "plain text", "markdown": "Markdown", "html": "HTML", "man": "manual page (roff source)",
               "mdoc": "manual page in mdoc", "pdf": "PDF",
               "rendered": "plain text"}  # a rendered man page comes as a .txt file, recognised by its NAME heading
HELPERS = {"blocks", "tbl", "columns", "pdf_tables"}  # modules the readers share or call: tables, not formats


def test_the_readme_lists_every_document_format_the_splitter_reads():
    readers = {path.stem.removeprefix("split_") for path in (REPO / "bot" / "kb").glob("split_*.py")} - HELPERS
    assert readers == set(FORMAT_ROWS)  # a new reader: give it a row in the README's table and an entry here
    section = README.split("\n### Documents the splitter reads\n", 1)[1].split("\n### ", 1)[0]
    read_as = [line.split("|")[2].strip() for line in section.splitlines() if line.startswith("| `")]
    assert [f for f, row in FORMAT_ROWS.items() if not any(kind.startswith(row) for kind in read_as)] == []
