"""Maintainers' commands, run in-process through the real command line against a copy of the knowledge."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import _parser, run
from bot.core.pipeline import build_answerer
from bot.config import load_config
from bot.core.conversation import Conversation
from bot.frontends.console import interactive
from bot.core.context import new_sessions
from bot.kb.load import load_knowledge
from bot.kb.questions import load_questions
from bot.core.live import LiveAnswerer
from bot.kb.check import run_questions
from bot.querylog import Storage
from conftest import dying_writes, write_knowledge

ROOT = Path(__file__).resolve().parent.parent
NEW_FACT = "Mongolia opened a NATO liaison office in Ulaanbaatar in 2031."
SEED = load_knowledge(ROOT / "knowledge")
COUNT = len(SEED.passages)
QUESTIONS = len(load_questions(ROOT / "knowledge" / "questions.yaml"))
LAST = max(int(p.id.rsplit("-", 1)[1]) for p in SEED.passages)


def new_id(n: int = 1) -> str:
    """The id the n-th passage added to a copy of the shipped knowledge gets."""
    return f"mongolia-{LAST + n:03d}"


@pytest.fixture
def kb(tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the shipped knowledge (the repository's own folder is never written)."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder, ignore=shutil.ignore_patterns(".index", ".history", ".lock", ".identity"))
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    return folder


@pytest.fixture
def passages_file(kb: Path) -> Path:
    return kb / "passages" / "relations-with-mongolia.yaml"


def kbrun(kb: Path, *argv: str) -> int:
    return run(["--knowledge", str(kb), "kb", *argv])


def ask(kb: Path, question: str) -> dict:
    answerer = build_answerer(load_config(ROOT / "config.yaml").with_knowledge(kb), cache=False)
    return answerer.answer(question).to_dict()


# -- every command is documented -------------------------------------------------------------------

def test_every_kb_command_has_help():
    kb_parser = _parser()._subparsers._group_actions[0].choices["kb"]
    sub = kb_parser._subparsers._group_actions[0]
    helps = {action.dest: action.help for action in sub._choices_actions}
    expected = {"init", "split", "list", "show", "stats", "add", "edit", "remove", "undo", "import", "check", "unanswered"}
    assert set(helps) == expected
    assert all(helps[name] and len(helps[name]) > 20 for name in expected)


# -- list, show, stats -----------------------------------------------------------------------------

def test_list_shows_every_passage_and_filters_by_section(kb, capsys):
    assert kbrun(kb, "list") == 0
    out = capsys.readouterr().out
    assert all(p.id in out for p in SEED.passages)
    assert kbrun(kb, "list", "--section", "wider COOPERATION") == 0
    out = capsys.readouterr().out
    assert "mongolia-025" in out and "mongolia-001" not in out


def test_list_of_an_unknown_section_names_the_sections(kb, capsys):
    assert kbrun(kb, "list", "--section", "Cooking") == 1
    assert "no section 'Cooking'" in capsys.readouterr().err


def test_show_prints_the_passage_with_file_line_and_regression_question(kb, capsys):
    assert kbrun(kb, "show", "mongolia-003") == 0
    out = capsys.readouterr().out
    assert "since 2005" in out
    assert "relations-with-mongolia.yaml, line " in out
    assert "regression: Since when have NATO and Mongolia been in dialogue?" in out


def test_show_unknown_id_is_refused_with_one_line(kb, capsys):
    assert kbrun(kb, "show", "mongolia-999") == 1
    err = capsys.readouterr().err
    assert err.strip() == "Error: no passage with id 'mongolia-999' (see 'python -m bot kb list')"


def test_stats_counts_passages_and_logged_questions_and_they_add_up(kb, capsys, tmp_path):
    storage = Storage(tmp_path / "log.sqlite3")
    storage.log_question("console", "1", "Who won?", False, "unknown", 0.0)
    storage.log_question("console", "1", "When did Mongolia join?", True, "answer", 0.9, ["mongolia-001"])
    for what, kind in [("hello", "smalltalk"), ("", "empty"), ("help", "help"), ("x" * 3000, "too_long")]:
        storage.log_question("console", "1", what, False, kind, 0.0)
    storage.log_feedback("console", "1", "When did Mongolia join?", ["mongolia-001"], +1)
    storage.close()
    assert kbrun(kb, "stats") == 0
    out = capsys.readouterr().out
    assert f"passages:   {COUNT}" in out
    per_source = [int(line.split(": ")[1].split()[0]) for line in out.splitlines() if line.startswith("  ")]
    assert sum(per_source) == COUNT
    assert f"regression questions: {QUESTIONS}" in out
    assert "6 questions = 1 answered + 1 not answered + 4 other (small talk, help, empty or too long)" in out
    assert "feedback:   1 helpful, 0 not helpful" in out


def test_stats_shows_what_it_can_with_one_warning_per_broken_part(kb, capsys, tmp_path):
    (tmp_path / "log.sqlite3").write_bytes(b"SQLite format 3\x00" + b"not a database" * 100)
    (kb / "questions.yaml").write_text("questions: [\n", encoding="utf-8")
    assert kbrun(kb, "stats") == 0  # a view: the figures it could read are shown; kb check fails on the file
    captured = capsys.readouterr()
    assert f"passages:   {COUNT}" in captured.out and "sections:" in captured.out and "undo versions kept" in captured.out
    assert "regression questions: unknown (questions.yaml does not load)" in captured.out
    assert "asked:      unknown (the log database cannot be read)" in captured.out
    warnings = captured.err.splitlines()
    assert len(warnings) == 2 and all(line.startswith("Warning: ") for line in warnings)
    assert "questions.yaml, line " in warnings[0] and "log.sqlite3" in warnings[1]
    assert kbrun(kb, "list") == 0


def test_each_knowledge_base_lists_and_counts_only_the_questions_asked_of_it(kb, tmp_path, capsys):
    # The README's own walkthrough: one config, the shipped knowledge and `--knowledge my-kb` share a log database.
    other = tmp_path / "other"
    shutil.copytree(kb, other)
    assert run(["--knowledge", str(kb), "ask", "What is the capital of France?"]) == 0
    assert run(["--knowledge", str(other), "ask", "Who won the 1998 football world cup?"]) == 0
    capsys.readouterr()
    assert kbrun(kb, "unanswered") == 0
    out = capsys.readouterr().out
    assert "capital of France" in out and "world cup" not in out
    assert kbrun(other, "unanswered") == 0
    out = capsys.readouterr().out
    assert "world cup" in out and "capital of France" not in out
    assert kbrun(other, "stats") == 0
    assert "asked:      1 questions = 0 answered + 1 not answered" in capsys.readouterr().out


def test_a_knowledge_folder_moved_elsewhere_keeps_its_logged_questions(kb, tmp_path, capsys):
    # Before: rows were tagged with the folder's path, so after a move or rename `kb unanswered` listed nothing.
    other = write_knowledge(tmp_path / "garden")  # a second knowledge base sharing the log database
    assert run(["--knowledge", str(kb), "ask", "What is the capital of France?"]) == 0
    assert run(["--knowledge", str(other), "ask", "Who won the 1998 football world cup?"]) == 0
    moved = tmp_path / "elsewhere" / "nato-kb"
    moved.parent.mkdir()
    shutil.move(kb, moved)
    capsys.readouterr()
    assert kbrun(moved, "unanswered") == 0
    out = capsys.readouterr().out
    assert "capital of France" in out and "world cup" not in out
    assert kbrun(moved, "stats") == 0
    assert "asked:      1 questions = 0 answered + 1 not answered" in capsys.readouterr().out
    assert kbrun(other, "unanswered") == 0
    out = capsys.readouterr().out
    assert "world cup" in out and "capital of France" not in out


def test_rows_an_older_version_tagged_with_the_folders_path_stay_its_own_after_a_move(kb, tmp_path, capsys):
    with Storage(tmp_path / "log.sqlite3", str(kb)) as old:  # as logged before knowledge bases had an identity
        old.log_question("telegram", "42", "What is the capital of France?", False, "unknown", 0.05)
    with Storage(tmp_path / "log.sqlite3", str(tmp_path / "garden")) as garden:
        garden.log_question("telegram", "7", "Who won the 1998 football world cup?", False, "unknown", 0.05)
    assert kbrun(kb, "unanswered") == 0  # the first command at the old path makes the identity, remembering it
    assert "capital of France" in capsys.readouterr().out
    moved = tmp_path / "renamed"
    shutil.move(kb, moved)
    assert kbrun(moved, "unanswered") == 0
    out = capsys.readouterr().out
    assert "capital of France" in out and "world cup" not in out


# -- add -------------------------------------------------------------------------------------------

def test_add_saves_a_passage_the_bot_then_answers(kb, capsys):
    question = "Where did Mongolia open a NATO liaison office?"
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation", "--question", question) == 0
    assert capsys.readouterr().out.strip() == new_id(1)
    assert load_knowledge(kb).by_id(new_id(1)).text == NEW_FACT
    assert (new_id(1), question) in [(q.expect_id, q.question) for q in load_questions(kb / "questions.yaml")]
    answer = ask(kb, question)
    assert answer["found"] and new_id(1) in answer["passage_ids"]


def test_add_keeps_the_files_header_comment(kb, passages_file):
    header = passages_file.read_text(encoding="utf-8").splitlines()[0]
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    assert passages_file.read_text(encoding="utf-8").splitlines()[0] == header


@pytest.mark.parametrize("text, message", [
    ("   ", "passage text is empty"),
    ("word " * 120, "over the 500 limit"),
])
def test_add_refuses_bad_text_and_changes_nothing(kb, passages_file, capsys, text, message):
    before = passages_file.read_bytes()
    assert kbrun(kb, "add", "--text", text, "--section", "Wider cooperation") == 1
    assert message in capsys.readouterr().err
    assert passages_file.read_bytes() == before


def test_a_write_failing_mid_add_leaves_the_knowledge_intact(kb, passages_file, capsys, monkeypatch):
    before = passages_file.read_bytes()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)  # the moment between writing the new file and swapping it in
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 2
    assert "No space left on device; it is unchanged" in capsys.readouterr().err
    monkeypatch.undo()
    assert passages_file.read_bytes() == before
    assert not [p for p in passages_file.parent.iterdir() if p.name.endswith(".tmp")]
    assert len(load_knowledge(kb).passages) == COUNT


def test_add_and_edit_save_no_terminal_codes(kb, capsys):
    # A colour code pasted with a terminal's output was saved, and `kb list` sent it to every terminal after.
    assert kbrun(kb, "add", "--text", "Mongolia \x1b[31mhosted\x1b[0m a NATO \x07exercise in 2030.", "--section",
                 "Wider\x1b[2J cooperation", "--question", "Where was the \x1b[1mNATO exercise\x1b[0m of 2030?",
                 "--force") == 0
    added = load_knowledge(kb).by_id(new_id(1))
    assert (added.text, added.section) == ("Mongolia hosted a NATO exercise in 2030.", "Wider cooperation")
    assert load_questions(kb / "questions.yaml")[-1].question == "Where was the NATO exercise of 2030?"
    assert kbrun(kb, "edit", new_id(1), "--text", "Mongolia hosted a NATO\x1b[0m exercise in 2031.") == 0
    assert load_knowledge(kb).by_id(new_id(1)).text == "Mongolia hosted a NATO exercise in 2031."


def test_add_refuses_an_empty_section(kb, capsys):
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", " ") == 1
    assert "section is empty" in capsys.readouterr().err


def test_add_without_text_and_no_terminal_is_a_usage_error(kb, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert kbrun(kb, "add", "--section", "Wider cooperation") == 2
    assert "give --text" in capsys.readouterr().err


def test_add_asks_for_what_is_missing_in_a_terminal(kb, capsys, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter([NEW_FACT, "Wider cooperation", "Where is the NATO liaison office?"])
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert kbrun(kb, "add") == 0
    assert new_id(1) in capsys.readouterr().out
    assert load_knowledge(kb).by_id(new_id(1)).section == "Wider cooperation"
    assert load_questions(kb / "questions.yaml")[-1].question == "Where is the NATO liaison office?"


def test_add_refuses_a_near_duplicate_naming_it_unless_forced(kb, capsys):
    paraphrase = "Since 2005, NATO and Mongolia have been engaged in dialogue and cooperation."
    assert kbrun(kb, "add", "--text", paraphrase, "--section", "Relations with Mongolia") == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: near-duplicate of passage mongolia-003")
    assert load_knowledge(kb).by_id(new_id(1)) is None
    assert kbrun(kb, "add", "--text", paraphrase, "--section", "Relations with Mongolia", "--force") == 0
    assert load_knowledge(kb).by_id(new_id(1)).text == paraphrase


def test_add_refuses_a_passage_that_fails_its_own_question_unless_forced(kb, capsys):
    text, question = "The Mongolian horse festival Naadam takes place every July.", "Who is NATO's Secretary General?"
    before = knowledge_bytes(kb)
    assert kbrun(kb, "add", "--text", text, "--section", "Culture", "--question", question) == 1
    assert_refused_and_unchanged(kb, before, capsys, f"the bot would not answer {question!r} with the new passage")
    assert kbrun(kb, "undo") == 1  # nothing to undo: nothing was written
    capsys.readouterr()
    assert kbrun(kb, "add", "--text", text, "--section", "Culture", "--question", question, "--force") == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == new_id(1) and "Warning: the bot does not answer" in captured.err
    assert load_knowledge(kb).by_id(new_id(1)).text == text


def test_a_short_fact_is_not_taken_for_a_duplicate_of_a_longer_one(kb):
    assert kbrun(kb, "add", "--text", "Mongolia is in Asia.", "--section", "Relations with Mongolia") == 0


def test_add_to_an_unknown_source_lists_the_known_ones(kb, capsys):
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "X", "--source", "nope") == 1
    assert "known sources: nato-mongolia" in capsys.readouterr().err


@pytest.mark.slow
def test_three_concurrent_adds_keep_all_three_passages(kb, tmp_path):
    facts = ["Mongolia hosted a NATO cyber exercise in Ulaanbaatar in 2030.",
             "A NATO science grant funded Gobi desert water research in 2029.",
             "Mongolian cadets attended the NATO Defense College in Rome in 2028."]
    env = {**os.environ, "BOT_DATABASE": str(tmp_path / "log.sqlite3")}
    procs = [subprocess.Popen([sys.executable, "-m", "bot", "--knowledge", str(kb), "kb", "add", "--text", fact,
                               "--section", "Wider cooperation"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for fact in facts]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    ids = sorted(out.strip() for out, _ in outputs)
    assert ids == [new_id(1), new_id(2), new_id(3)]
    texts = {p.text for p in load_knowledge(kb).passages}
    assert all(fact in texts for fact in facts)


# -- edit, remove, undo ----------------------------------------------------------------------------

def test_edit_changes_text_and_section(kb, capsys):
    assert kbrun(kb, "edit", "mongolia-024", "--text", "NATO sent medical supplies to Mongolia during COVID-19.",
                 "--section", "Pandemic support") == 0
    passage = load_knowledge(kb).by_id("mongolia-024")
    assert passage.text == "NATO sent medical supplies to Mongolia during COVID-19."
    assert passage.section == "Pandemic support"


def test_edit_unknown_id_and_bad_text_are_refused(kb, passages_file, capsys):
    before = passages_file.read_bytes()
    assert kbrun(kb, "edit", "nope", "--text", NEW_FACT) == 1
    assert "no passage with id 'nope'" in capsys.readouterr().err
    assert kbrun(kb, "edit", "mongolia-001", "--text", "x" * 501) == 1
    assert "501 characters, over the 500 limit" in capsys.readouterr().err
    assert passages_file.read_bytes() == before


def test_edit_without_options_and_no_terminal_is_a_usage_error(kb, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert kbrun(kb, "edit", "mongolia-001") == 2
    assert "give --text, --section or --question" in capsys.readouterr().err


def test_remove_drops_the_passage_and_its_questions_and_undo_restores_both(kb, passages_file, capsys):
    passages_before, questions_before = passages_file.read_bytes(), (kb / "questions.yaml").read_bytes()
    assert kbrun(kb, "remove", "mongolia-003") == 0
    assert "and 1 regression question" in capsys.readouterr().out
    assert load_knowledge(kb).by_id("mongolia-003") is None
    assert all(q.expect_id != "mongolia-003" for q in load_questions(kb / "questions.yaml"))
    assert kbrun(kb, "check", "--quick") == 0
    assert kbrun(kb, "undo") == 0
    assert passages_file.read_bytes() == passages_before
    assert (kb / "questions.yaml").read_bytes() == questions_before


def test_remove_unknown_id_is_refused(kb, capsys):
    assert kbrun(kb, "remove", "mongolia-999") == 1
    assert "no passage with id 'mongolia-999'" in capsys.readouterr().err


def test_undo_steps_back_one_change_at_a_time(kb, capsys):
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    assert kbrun(kb, "edit", new_id(1), "--text", NEW_FACT.replace("2031", "2032")) == 0
    assert kbrun(kb, "undo") == 0
    assert load_knowledge(kb).by_id(new_id(1)).text == NEW_FACT
    assert kbrun(kb, "undo") == 0
    assert load_knowledge(kb).by_id(new_id(1)) is None
    capsys.readouterr()
    assert kbrun(kb, "undo") == 1
    assert "no earlier version" in capsys.readouterr().err


# -- import ----------------------------------------------------------------------------------------

DOCUMENT = """# Relations with Japan

## Partnership

NATO and Japan have been engaged in dialogue since the early 1990s.

Japan signed an Individual Partnership and Cooperation Programme with NATO in 2014.
"""


def test_import_shows_the_passages_and_saves_nothing_without_confirmation(kb, tmp_path, capsys, monkeypatch):
    document = tmp_path / "japan.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert kbrun(kb, "import", str(document)) == 1
    captured = capsys.readouterr()
    assert "japan-002" in captured.out and "nothing saved" in captured.err
    assert not (kb / "passages" / "japan.yaml").exists()


def test_import_with_yes_adds_a_source_the_bot_answers_from_and_undo_removes_it(kb, tmp_path, capsys):
    document = tmp_path / "japan.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    assert kbrun(kb, "import", str(document), "--yes") == 0
    loaded = load_knowledge(kb)
    assert loaded.sources["japan"].title == "Relations with Japan"
    assert (kb / "sources" / "japan.md").read_text(encoding="utf-8") == DOCUMENT
    answer = ask(kb, "When did Japan sign its partnership programme with NATO?")
    assert answer["passage_ids"] == ["japan-002"]
    assert kbrun(kb, "add", "--text", "Japan opened a NATO mission in Tokyo in 2030.", "--section", "Partnership",
                 "--source", "japan") == 0
    assert capsys.readouterr().out.strip().endswith("japan-003")
    document.write_text(DOCUMENT + "\nJapan hosted a NATO exercise in 2031.\n", encoding="utf-8")
    assert kbrun(kb, "import", str(document), "--yes") == 1  # the source id is taken now (the same bytes: see
    assert "already exists" in capsys.readouterr().err       # test_kb_importing's reimport test)
    assert kbrun(kb, "undo") == 0 and kbrun(kb, "undo") == 0
    assert "japan" not in load_knowledge(kb).sources
    assert not (kb / "sources" / "japan.md").exists()


# -- check -----------------------------------------------------------------------------------------

def test_check_passes_on_the_shipped_knowledge(kb, capsys):
    assert kbrun(kb, "check") == 0
    out = capsys.readouterr().out
    questions = len(load_questions(ROOT / "knowledge" / "questions.yaml"))
    assert f"OK: {COUNT} passages, {questions} regression questions, 0 error(s), 0 warning(s)" in out


def test_check_reports_invalid_yaml_with_file_and_line(kb, passages_file, capsys):
    lines = passages_file.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if line.startswith("- id: mongolia-004"))
    lines[number] = "  section: [unclosed"  # the line after the id
    passages_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert kbrun(kb, "check") == 1
    out = capsys.readouterr().out
    assert "relations-with-mongolia.yaml, line" in out and "invalid YAML" in out
    reported = int(out.split(", line ")[1].split(":")[0])
    assert abs(reported - (number + 1)) <= 1


def test_check_reports_a_question_expecting_an_unknown_passage(kb, capsys):
    with open(kb / "questions.yaml", "a", encoding="utf-8") as handle:
        handle.write("- q: What is the capital of Mongolia?\n  expect_id: mongolia-404\n")
    assert kbrun(kb, "check", "--quick") == 1
    assert "expect_id 'mongolia-404' is not a passage" in capsys.readouterr().out


def test_check_warns_about_near_duplicates_and_unreached_passages(kb, capsys):
    assert kbrun(kb, "add", "--force", "--text", "NATO and Mongolia have been engaged in dialogue and cooperation "
                 "since the year 2005.", "--section", "Relations with Mongolia") == 0
    assert kbrun(kb, "add", "--text", "The Mongolian horse festival Naadam takes place every July.",
                 "--section", "Culture") == 0
    capsys.readouterr()
    assert kbrun(kb, "check") == 1  # the forced duplicate now takes mongolia-003's regression question
    out = capsys.readouterr().out
    assert "regression question fails: 'Since when have NATO and Mongolia been in dialogue?'" in out
    assert "near-duplicates" in out and "mongolia-003" in out and new_id(1) in out
    assert f"no evaluation or regression question reaches {new_id(2)}" in out


def test_check_fails_when_a_regression_question_fails_unless_it_is_marked_xfail(kb, capsys):
    assert kbrun(kb, "edit", "mongolia-019", "--text", "Mongolia took part in a peacekeeping operation.") == 0
    capsys.readouterr()
    assert kbrun(kb, "check") == 1
    out = capsys.readouterr().out
    assert "Error: " in out and "regression question fails: 'When did Mongolia support KFOR in Kosovo?'" in out
    assert "FAILED" in out and "OK:" not in out
    assert kbrun(kb, "check", "--quick") == 0  # --quick asks nothing
    questions = kb / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    marked = text.replace("expect_id: mongolia-019\n", "expect_id: mongolia-019\n  xfail: true  # known failure\n")
    assert marked != text
    questions.write_text(marked, encoding="utf-8")
    capsys.readouterr()
    assert kbrun(kb, "check") == 0
    assert "KFOR" not in capsys.readouterr().out


# -- unanswered ------------------------------------------------------------------------------------

def listed_ids(out: str) -> dict[str, str]:
    """question -> id, from a `kb unanswered` listing ("  ID  (Nx) question")."""
    rows = [line.split(None, 2) for line in out.splitlines() if line.startswith("  ")]
    return {row[2]: row[0] for row in rows if len(row) == 3 and row[1].endswith("x)")}


def test_unanswered_lists_most_frequent_first_and_adds_one_in_one_step(kb, tmp_path, capsys):
    storage = Storage(tmp_path / "log.sqlite3")
    for question in ["Where is the NATO liaison office?"] * 3 + ["What is the capital of France?"]:
        storage.log_question("telegram", "42", question, False, "unknown", 0.05)
    storage.log_question("console", "1", "hello", False, "smalltalk", 0.0)
    storage.close()
    assert kbrun(kb, "unanswered") == 0
    out = capsys.readouterr().out
    assert out.index("(3x) Where is the NATO liaison office?") < out.index("(1x) What is the capital of France?")
    assert "hello" not in out
    office = listed_ids(out)["Where is the NATO liaison office?"]
    assert kbrun(kb, "unanswered", "--add", office, "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    assert new_id(1) in capsys.readouterr().out
    assert load_questions(kb / "questions.yaml")[-1].question == "Where is the NATO liaison office?"
    assert kbrun(kb, "unanswered", "--add", "0123abcd", "--text", NEW_FACT, "--section", "X") == 1
    assert "no logged unanswered question with id or text '0123abcd'" in capsys.readouterr().err


def test_unanswered_hides_questions_the_knowledge_now_answers(kb, tmp_path, capsys):
    storage = Storage(tmp_path / "log.sqlite3")
    for question in ["When did Mongolia support KFOR in Kosovo?", "What is the capital of France?"]:
        storage.log_question("telegram", "42", question, False, "unknown", 0.05)  # as logged before a passage said
    storage.close()
    assert kbrun(kb, "unanswered") == 0
    out = capsys.readouterr().out
    assert "What is the capital of France?" in out and "KFOR" not in out
    assert "(1 logged question(s) the knowledge now answers are not shown)" in out


def test_unanswered_add_takes_a_stable_id_or_the_text_not_a_shifting_position(kb, tmp_path, capsys):
    storage = Storage(tmp_path / "log.sqlite3")
    storage.log_question("telegram", "42", "Where is the NATO liaison office?", False, "unknown", 0.05)
    storage.flush()
    assert kbrun(kb, "unanswered") == 0
    office = listed_ids(capsys.readouterr().out)["Where is the NATO liaison office?"]
    for _ in range(3):  # the log changes: another question now heads the list
        storage.log_question("telegram", "7", "What is the capital of France?", False, "unknown", 0.05)
    storage.close()
    assert kbrun(kb, "unanswered") == 0
    out = capsys.readouterr().out
    assert out.index("France") < out.index("liaison") and listed_ids(out)["Where is the NATO liaison office?"] == office
    before = knowledge_bytes(kb)
    assert kbrun(kb, "unanswered", "--add", "1", "--text", NEW_FACT, "--section", "X") == 1
    assert_refused_and_unchanged(kb, before, capsys, "not a list position")
    assert kbrun(kb, "unanswered", "--add", office, "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    assert "Question: Where is the NATO liaison office?" in capsys.readouterr().out
    assert load_questions(kb / "questions.yaml")[-1].question == "Where is the NATO liaison office?"
    assert kbrun(kb, "remove", new_id(1)) == 0
    assert kbrun(kb, "unanswered", "--add", "where is the nato LIAISON office", "--text", NEW_FACT,
                 "--section", "Wider cooperation") == 0  # the text, in other case and punctuation
    assert load_questions(kb / "questions.yaml")[-1].question == "Where is the NATO liaison office?"


# -- regression questions and eval -----------------------------------------------------------------

def test_every_regression_question_passes(kb):
    config = load_config(ROOT / "config.yaml").with_knowledge(kb)
    questions = load_questions(kb / "questions.yaml")
    assert len(questions) >= len(load_knowledge(kb).passages)
    results = run_questions(build_answerer(config, cache=False), questions)
    failing = [(q.line, q.question, ids) for q, ok, ids in results if not ok and not q.xfail]
    assert failing == []


def test_every_passage_has_a_regression_question(kb):
    expected = {q.expect_id for q in load_questions(kb / "questions.yaml")}
    assert {p.id for p in load_knowledge(kb).passages} <= expected


def test_eval_runs_the_regression_questions_and_fails_when_one_breaks(kb, capsys):
    assert run(["--knowledge", str(kb), "eval", "--no-baseline"]) == 0
    assert f"({QUESTIONS} regression questions): {QUESTIONS} passed, 0 failed" in capsys.readouterr().out
    assert kbrun(kb, "edit", "mongolia-019", "--text", "Mongolia took part in a peacekeeping operation.") == 0
    assert run(["--knowledge", str(kb), "eval", "--no-baseline"]) == 1
    assert "When did Mongolia support KFOR in Kosovo?" in capsys.readouterr().out


def test_eval_names_a_regression_question_expecting_a_missing_passage_as_kb_check_does(kb, capsys):
    questions = kb / "questions.yaml"
    questions.write_text(questions.read_text(encoding="utf-8").replace("expect_id: mongolia-019",
                                                                       "expect_id: mongolia-999", 1), encoding="utf-8")
    assert kbrun(kb, "check", "--quick") == 1
    checked = [line for line in "".join(capsys.readouterr()).splitlines() if "mongolia-999" in line]
    assert run(["--knowledge", str(kb), "eval", "--no-baseline"]) == 1
    out = capsys.readouterr().out
    assert f"({QUESTIONS} regression questions): {QUESTIONS - 1} passed, 1 failed" in out
    named = [line.strip() for line in out.splitlines() if "mongolia-999" in line]
    assert len(named) == 1 and named[0].startswith(f"{questions}, line ")
    assert named[0].endswith(": expect_id 'mongolia-999' is not a passage (fix the id or remove the question)")
    assert "no answer" not in out and any(line.endswith(named[0]) for line in checked)


# -- hot reload in the console ---------------------------------------------------------------------

def test_console_picks_up_new_knowledge_and_survives_a_broken_file(kb, passages_file):
    config = load_config(ROOT / "config.yaml").with_knowledge(kb)
    live = LiveAnswerer(config, build=lambda c: build_answerer(c, cache=False))
    good = passages_file.read_text(encoding="utf-8")

    def script():
        yield "Where did Mongolia open a NATO liaison office?"
        assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0
        yield "Where did Mongolia open a NATO liaison office?"
        passages_file.write_text(good + "- id: [broken\n", encoding="utf-8")
        yield "Since when have NATO and Mongolia been in dialogue?"
        yield "Where did Mongolia open a NATO liaison office?"

    lines = script()

    def read(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    assert interactive(Conversation(live, new_sessions(config)), out=out, read=read) == 0
    text = out.getvalue()
    before_add, after_add = text.split(f"(knowledge reloaded: {COUNT + 1} passages)")
    assert "Ulaanbaatar" not in before_add
    assert NEW_FACT in after_add.split("Reload failed")[0]
    assert text.count("Reload failed, still serving the previous knowledge") == 1
    assert "relations-with-mongolia.yaml, line" in text
    tail = text.split("Reload failed")[1]
    assert "since 2005" in tail and NEW_FACT in tail  # the old index keeps serving


def test_edit_without_options_in_a_terminal_opens_the_editor(kb, tmp_path, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    editor = tmp_path / "editor.py"  # a stand-in for a person editing the file: changes the year
    editor.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text().replace('2005', '2006'))\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    assert kbrun(kb, "edit", "mongolia-003") == 0
    assert "Saved mongolia-003." in capsys.readouterr().out
    assert load_knowledge(kb).by_id("mongolia-003").text.endswith("since 2006.")


def test_commands_that_write_need_a_knowledge_folder(tmp_path, capsys):
    jsonl = tmp_path / "facts.jsonl"
    jsonl.write_text(json.dumps({"id": "f-1", "text": "The sky is blue."}) + "\n", encoding="utf-8")
    assert kbrun(jsonl, "list") == 0
    assert kbrun(jsonl, "add", "--text", NEW_FACT, "--section", "X") == 2
    assert "need a knowledge folder" in capsys.readouterr().err


def test_check_on_a_large_knowledge_finds_the_same_near_duplicates(kb, capsys, monkeypatch):
    assert kbrun(kb, "add", "--force", "--text", "Mongolia provided support for the NATO-led defence capacity "
                 "building efforts in Afghanistan.", "--section", "Relations with Mongolia") == 0
    assert kbrun(kb, "check", "--quick") == 0
    exact = [line for line in capsys.readouterr().out.splitlines() if "near-duplicates" in line]
    monkeypatch.setattr("bot.kb.duplicates.EXACT_PAIRS_UP_TO", 1)  # take the pre-filtered path used above 400 passages
    assert kbrun(kb, "check", "--quick") == 0
    filtered = [line for line in capsys.readouterr().out.splitlines() if "near-duplicates" in line]
    assert len(exact) == 1 and "mongolia-007" in exact[0] and new_id(1) in exact[0]
    assert filtered == exact


def test_check_reports_broken_questions_yaml_with_its_line(kb, capsys):
    text = (kb / "questions.yaml").read_text(encoding="utf-8")
    (kb / "questions.yaml").write_text(text + "- q: 'unclosed\n  expect_id: mongolia-001\n", encoding="utf-8")
    line = text.count("\n") + 1
    assert kbrun(kb, "check", "--quick") == 1
    out = capsys.readouterr().out
    assert "questions.yaml, line" in out and "invalid YAML" in out
    assert abs(int(out.split("questions.yaml, line ")[1].split(":")[0]) - line) <= 2


def test_check_warns_about_a_temporary_file_left_by_a_killed_write(kb, passages_file, capsys):
    (passages_file.parent / f".{passages_file.name}.abc123.tmp").write_text("half a fi", encoding="utf-8")
    assert kbrun(kb, "check", "--quick") == 0
    assert "left over from an interrupted write" in capsys.readouterr().out


def test_edit_question_adds_a_regression_question(kb):
    assert kbrun(kb, "edit", "mongolia-019", "--question", "How long was Mongolia in KFOR?") == 0
    assert ("How long was Mongolia in KFOR?", "mongolia-019") in [
        (q.question, q.expect_id) for q in load_questions(kb / "questions.yaml")]


def test_a_regression_question_the_passage_already_has_is_not_added_twice(kb):
    # Running the same 'kb edit --question' twice (or the same --question given twice) kept both copies.
    for _ in range(2):
        assert kbrun(kb, "edit", "mongolia-019", "--question", "How long was Mongolia in KFOR?",
                     "--question", "how long was  Mongolia in KFOR?") == 0
    asked = [(q.question.lower(), q.expect_id) for q in load_questions(kb / "questions.yaml")]
    assert asked.count(("how long was mongolia in kfor?", "mongolia-019")) == 1


# -- every write is checked to load before anything is replaced ----------------------------------------

def knowledge_bytes(kb: Path) -> dict[str, bytes]:
    """Every knowledge file's bytes (not the lock, history or journal), to show a refused write changed nothing."""
    return {str(p.relative_to(kb)): p.read_bytes() for p in sorted(kb.rglob("*"))
            if p.is_file() and not p.relative_to(kb).parts[0].startswith(".")}


def assert_refused_and_unchanged(kb: Path, before: dict[str, bytes], capsys, words: str) -> None:
    """One Error line naming the problem, every knowledge file as it was, and `kb check` still OK."""
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1 and words in err, err
    assert knowledge_bytes(kb) == before and not (kb / ".journal").exists()
    assert kbrun(kb, "check", "--quick") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("OK:")


BAD_BYTE = "\udcff"  # what Python hands over for the byte 0xff in a command-line argument


@pytest.mark.parametrize("argv, what", [
    (["add", "--text", f"Mongolia joined a NATO {BAD_BYTE} exercise in 2030.", "--section", "X"], "passage text"),
    (["add", "--text", NEW_FACT, "--section", f"Wider {BAD_BYTE}"], "section"),
    (["add", "--text", NEW_FACT, "--section", "X", "--question", f"Where{BAD_BYTE}?"], "--question"),
    (["edit", "mongolia-003", "--text", f"NATO and Mongolia talk since 2005 {BAD_BYTE}."], "passage text"),
    (["edit", "mongolia-003", "--section", "Lone \ud800 surrogate"], "unpaired surrogate U+D800"),
    (["edit", "mongolia-003", "--question", f"Since when{BAD_BYTE}?"], "--question"),
])
def test_text_that_is_not_utf8_is_refused_and_nothing_is_saved(kb, capsys, argv, what):
    before = knowledge_bytes(kb)
    assert kbrun(kb, *argv) == 1
    assert_refused_and_unchanged(kb, before, capsys, what)


@pytest.mark.slow
def test_a_byte_that_is_not_utf8_on_the_real_command_line_is_refused(kb, tmp_path):
    before = knowledge_bytes(kb)
    env = {**os.environ, "BOT_DATABASE": str(tmp_path / "log.sqlite3"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(kb), "kb", "add", "--text",
                             b"Mongolia joined a NATO \xff exercise in 2030.", "--section", "Wider cooperation"],
                            cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == b"Error: the passage text holds the byte 0xff, which is not UTF-8 " \
                            b"(type or paste the text as UTF-8)\n"
    assert knowledge_bytes(kb) == before


def test_unanswered_add_with_text_that_is_not_utf8_saves_nothing(kb, tmp_path, capsys):
    Storage(tmp_path / "log.sqlite3").log_question("telegram", "42", "Where is the liaison office?", False,
                                                   "unknown", 0.05)
    before = knowledge_bytes(kb)
    assert kbrun(kb, "unanswered", "--add", "Where is the liaison office?", "--text", f"It is in Ulaanbaatar {BAD_BYTE}.",
                 "--section", "X") == 1
    assert_refused_and_unchanged(kb, before, capsys, "passage text")


def test_an_import_that_would_not_load_saves_nothing(kb, tmp_path, capsys):
    # A URL that is not UTF-8 would make a source file that no longer loads: refused before anything is written.
    document = tmp_path / "japan.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    before = knowledge_bytes(kb)
    assert kbrun(kb, "import", str(document), "--yes", "--url", f"https://example.org/{BAD_BYTE}") == 1
    assert_refused_and_unchanged(kb, before, capsys, "--url holds the byte 0xff, which is not UTF-8")
    assert kbrun(kb, "undo") == 1  # and no version was kept for a change that did not happen


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def editor_script(tmp_path: Path, body: str) -> str:
    """$VISUAL for a stand-in editor: a Python script that does `body` to the file it is given (as `p`)."""
    script = tmp_path / "editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n" + body + "\n", encoding="utf-8")
    return f"{sys.executable} {script}"


@pytest.mark.parametrize("body, words", [
    ("p.write_text(p.read_text().replace('since 2005.', 'since 2005 \\\\ud800.\"').replace('text: ', 'text: \"'))",
     "unpaired surrogate"),
    ("p.write_bytes(p.read_bytes().replace(b'2005', b'20\\xff5'))", "invalid UTF-8 byte 0xff"),
])
def test_an_editor_writing_text_that_is_not_unicode_saves_nothing_and_keeps_the_edit(kb, tmp_path, monkeypatch,
                                                                                     capsys, body, words):
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setenv("VISUAL", editor_script(tmp_path, body))
    before = knowledge_bytes(kb)
    assert kbrun(kb, "edit", "mongolia-003") == 1
    err = capsys.readouterr().err
    assert words in err and "your edit is kept in " in err
    kept = Path(err.rsplit("your edit is kept in ", 1)[1].strip())
    assert kept.is_file() and b"20" in kept.read_bytes()
    kept.unlink()
    assert knowledge_bytes(kb) == before
    assert kbrun(kb, "check", "--quick") == 0


def test_undo_and_the_editor_on_a_knowledge_whose_lock_cannot_be_opened_exit_2_as_every_change_does(
        kb, tmp_path, monkeypatch, capsys):
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0  # a version to undo
    (kb / ".lock").unlink(missing_ok=True)
    (kb / ".lock").mkdir()  # cannot be opened, by root too: as a read-only folder's lock for another user
    capsys.readouterr()
    assert kbrun(kb, "remove", "mongolia-003") == 2
    refused = capsys.readouterr().err
    assert refused.startswith("Error: ") and "make the knowledge folder writable" in refused
    assert kbrun(kb, "undo") == 2 and capsys.readouterr().err == refused  # it exited 1
    monkeypatch.setattr(sys, "stdin", Terminal())
    opened = tmp_path / "opened"
    monkeypatch.setenv("VISUAL", editor_script(tmp_path, f"pathlib.Path({str(opened)!r}).touch()\n"
                                                         "p.write_text(p.read_text().replace('2005', '2006'))"))
    assert kbrun(kb, "edit", "mongolia-003") == 2 and capsys.readouterr().err == refused  # it exited 1, after editing
    assert not opened.exists()  # refused before the editor opens: no edit to make and lose
    assert load_knowledge(kb).by_id(new_id(1)).text == NEW_FACT


@pytest.mark.parametrize("visual, body, words", [
    ("/nonexistent/editor", None, "cannot run the editor '/nonexistent/editor'"),
    (None, "p.unlink()", "the editor removed the file"),
    (None, "sys.exit(3)", "exited with status 3"),
    ("vi 'unclosed", None, "cannot read the editor command"),
])
def test_an_editor_that_cannot_run_or_loses_the_file_is_one_error_line(kb, tmp_path, monkeypatch, capsys,
                                                                      visual, body, words):
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setenv("VISUAL", visual or editor_script(tmp_path, body))
    before = knowledge_bytes(kb)
    assert run(["--knowledge", str(kb), "kb", "edit", "mongolia-003"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1 and words in err, err
    assert knowledge_bytes(kb) == before


@pytest.mark.parametrize("argv, words", [
    (["--limit", "99999999999999999999"], "--limit must be between 1 and 1,000,000"),
    (["--limit", "0"], "--limit must be between 1 and 1,000,000"),
])
def test_unanswered_with_an_out_of_range_number_is_one_error_line(kb, tmp_path, capsys, argv, words):
    Storage(tmp_path / "log.sqlite3").log_question("telegram", "42", "Where is the liaison office?", False,
                                                   "unknown", 0.05)
    assert kbrun(kb, "unanswered", *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1 and words in err, err


# -- a new passage goes to the source the maintainer chose ----------------------------------------------

@pytest.fixture
def two_sources(kb: Path) -> Path:
    (kb / "passages" / "a-japan.yaml").write_text(
        "source:\n  id: japan\n  title: Relations with Japan\npassages:\n- id: japan-001\n  section: Partnership\n"
        "  text: NATO and Japan have been engaged in dialogue since the early 1990s.\n", encoding="utf-8")
    return kb


def test_add_without_source_among_several_is_refused_listing_them(two_sources, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    before = knowledge_bytes(two_sources)
    assert kbrun(two_sources, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "give --source" in err and "japan, nato-mongolia" in err, err
    assert knowledge_bytes(two_sources) == before  # not filed under 'japan', the alphabetically first


def test_add_without_source_in_a_terminal_asks_which(two_sources, capsys, monkeypatch):
    answers = iter(["Wider cooperation", "", "nope", "nato-mongolia"])
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert kbrun(two_sources, "add", "--text", NEW_FACT) == 0
    out = capsys.readouterr().out
    assert "Sources: japan; nato-mongolia" in out and "Choose one of" in out
    assert load_knowledge(two_sources).by_id(new_id(1)).source == "nato-mongolia"


def test_input_ending_at_a_prompt_is_one_error_line(two_sources, capsys, monkeypatch):
    def end_of_input(prompt=""):
        raise EOFError

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("builtins.input", end_of_input)
    before = knowledge_bytes(two_sources)
    assert kbrun(two_sources, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: the input ended") and err.count("\n") == 1, err
    assert knowledge_bytes(two_sources) == before


# -- a change to two files survives a crash between them ---------------------------------------------

def _killed_add(kb: Path, tmp_path: Path, victim: Path, before: bool = False) -> subprocess.CompletedProcess:
    """`kb add --question` in a real process that dies right after (or before) writing `victim`."""
    script = (
        dying_writes(f"Path(path).resolve() == Path({str(victim)!r}).resolve()", before) +
        "from bot.cli.main import run\n"
        f"sys.exit(run(['--knowledge', {str(kb)!r}, 'kb', 'add', '--text', {NEW_FACT!r}, '--section', "
        "'Wider cooperation', '--question', 'Where did Mongolia open a NATO liaison office?']))\n"
    )
    env = {**os.environ, "BOT_DATABASE": str(tmp_path / "log.sqlite3"), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=60)


def test_an_add_killed_between_the_passage_and_its_question_is_completed_by_check(kb, passages_file, tmp_path,
                                                                                  capsys):
    assert _killed_add(kb, tmp_path, passages_file).returncode == 9
    assert kbrun(kb, "check", "--quick") == 0
    captured = capsys.readouterr()
    assert f"completed the interrupted change 'add {new_id(1)}'" in captured.err
    assert load_knowledge(kb).by_id(new_id(1)).text == NEW_FACT
    assert (new_id(1), "Where did Mongolia open a NATO liaison office?") in [
        (q.expect_id, q.question) for q in load_questions(kb / "questions.yaml")]
    assert kbrun(kb, "undo") == 0  # one undo takes back both halves
    assert load_knowledge(kb).by_id(new_id(1)) is None
    assert all(q.expect_id != new_id(1) for q in load_questions(kb / "questions.yaml"))


def test_an_add_killed_before_it_was_decided_is_rolled_back_by_the_next_command(kb, tmp_path, capsys):
    before = knowledge_bytes(kb)
    assert _killed_add(kb, tmp_path, kb / ".journal" / "journal.json", before=True).returncode == 9
    assert knowledge_bytes(kb) == before
    assert kbrun(kb, "list") == 0
    assert "rolled back an interrupted change" in capsys.readouterr().err
    assert not (kb / ".journal").exists() and knowledge_bytes(kb) == before
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    assert capsys.readouterr().out.strip() == new_id(1)


def test_check_warns_about_a_terminal_code_written_into_a_passage_by_hand(kb, passages_file, capsys):
    text = passages_file.read_text(encoding="utf-8")
    passages_file.write_text(text.replace("since 2005.", 'since 2005.\\e[2J"').replace(
        "text: NATO and Mongolia have been engaged", 'text: "NATO and Mongolia have been engaged'), encoding="utf-8")
    assert load_knowledge(kb).by_id("mongolia-003").text.endswith("2005.\x1b[2J")
    assert kbrun(kb, "check", "--quick") == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if "control character" in line]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: mongolia-003 (")


def test_a_question_appended_to_a_questions_file_saved_on_windows_keeps_its_line_endings(kb):
    questions = kb / "questions.yaml"
    questions.write_bytes(questions.read_bytes().replace(b"\n", b"\r\n"))
    assert kbrun(kb, "edit", "mongolia-019", "--question", "How long was Mongolia in KFOR?") == 0
    data = questions.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")  # it was half CRLF, half LF
    assert ("How long was Mongolia in KFOR?", "mongolia-019") in [
        (q.question, q.expect_id) for q in load_questions(questions)]
