"""Round-trip editing: add, edit, remove and undo change only the lines of the passage concerned, byte for byte."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from bot.config import load_config
from bot.kb.edit import add_passage, edit_passage, remove_passage, undo
from bot.kb.entries import parse_passage_text
from bot.kb.model import Passage
from bot.kb.splice import splice_passages
from conftest import REPO, write_config

PASSAGES = Path("passages") / "relations-with-mongolia.yaml"
COMMENT = "# Reviewed by hand: the next passages come from the capabilities part of the page.\n"
QUESTION_COMMENT = "# The Building Integrity questions.\n"


@pytest.fixture
def seed(tmp_path):
    """A copy of the real knowledge with comments between entries, and its config."""
    folder = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", folder, ignore=shutil.ignore_patterns(".index", ".history", ".lock", ".identity"))
    path = folder / PASSAGES
    path.write_text(path.read_text(encoding="utf-8").replace("- id: mongolia-010\n", COMMENT + "- id: mongolia-010\n"),
                    encoding="utf-8")
    questions = folder / "questions.yaml"
    questions.write_text(questions.read_text(encoding="utf-8").replace(
        "- q: What is the Building Integrity", QUESTION_COMMENT + "- q: What is the Building Integrity"), encoding="utf-8")
    return folder, load_config(write_config(tmp_path, folder), environ={})


def _texts(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in (str(PASSAGES), "questions.yaml")}


def _diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines a unified diff removes and adds."""
    lines = list(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), n=0))
    removed = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
    return removed, added


def test_an_add_only_adds_the_passage_lines_and_its_question(seed):
    folder, config = seed
    before = _texts(folder)
    passage = add_passage(config, "The zebra programme began in 2031 in Ulaanbaatar.", "Zebras",
                          questions=["When did the zebra programme begin?"], force=True)
    after = _texts(folder)
    assert _diff(before[str(PASSAGES)], after[str(PASSAGES)]) == (
        [], [f"- id: {passage.id}\n", "  section: Zebras\n", "  text: The zebra programme began in 2031 in Ulaanbaatar.\n"])
    assert _diff(before["questions.yaml"], after["questions.yaml"]) == (
        [], ["- q: When did the zebra programme begin?\n", f"  expect_id: {passage.id}\n"])


def test_an_edit_changes_only_the_edited_field_of_that_passage(seed):
    folder, config = seed
    before = _texts(folder)[str(PASSAGES)]
    edit_passage(config, "mongolia-004", text="Mongolia is one of the partners across the globe.")
    removed, added = _diff(before, _texts(folder)[str(PASSAGES)])
    # Its old text was wrapped over two lines (not where the dumper would wrap it today): both go, nothing else.
    assert removed == ["  text: Mongolia is one of a number of countries beyond the Euro-Atlantic area – often referred "
                       "to as “partners across\n", "    the globe” – with which NATO is strengthening relations.\n"]
    assert added == ["  text: Mongolia is one of the partners across the globe.\n"]
    edit_passage(config, "mongolia-004", section="Partners")
    assert _diff(before, _texts(folder)[str(PASSAGES)])[0][0] == "  section: Relations with Mongolia\n"
    assert len(_diff(before, _texts(folder)[str(PASSAGES)])[0]) == 3


def test_a_removal_takes_only_the_passage_lines_and_keeps_the_comments(seed):
    folder, config = seed
    before = _texts(folder)
    remove_passage(config, "mongolia-010")
    after = _texts(folder)
    removed, added = _diff(before[str(PASSAGES)], after[str(PASSAGES)])
    start = before[str(PASSAGES)].index("- id: mongolia-010\n")
    entry = before[str(PASSAGES)][start:before[str(PASSAGES)].index("- id: mongolia-011\n")]
    assert (removed, added) == (entry.splitlines(keepends=True), [])
    assert COMMENT in after[str(PASSAGES)]
    removed, added = _diff(before["questions.yaml"], after["questions.yaml"])
    assert added == [] and removed == ["- q: How does Mongolia improve the interoperability of its armed forces?\n",
                                       "  expect_id: mongolia-010\n"]
    assert QUESTION_COMMENT in after["questions.yaml"]


def test_add_then_remove_leaves_every_file_byte_identical(seed):
    folder, config = seed
    before = _texts(folder)
    passage = add_passage(config, "The zebra programme began in 2031 in Ulaanbaatar.", "Zebras",
                          questions=["When did the zebra programme begin?"], force=True)
    remove_passage(config, passage.id)
    assert _texts(folder) == before


def test_undo_restores_every_file_byte_identical(seed):
    folder, config = seed
    before = _texts(folder)
    add_passage(config, "The zebra programme began in 2031 in Ulaanbaatar.", "Zebras", force=True)
    edit_passage(config, "mongolia-013", text="Between 2013 and 2017 the defence university changed its curriculum.")
    remove_passage(config, "mongolia-002")
    for _ in range(3):
        undo(config)
    assert _texts(folder) == before


def _passages(text: str):
    return parse_passage_text(text, Path("facts.yaml"))[1]


def _splice(text: str, change) -> str | None:
    before = _passages(text)
    return splice_passages(text, Path("facts.yaml"), "", before, change(before))


BLANK_SEPARATED = """\
passages:

  - id: a-001   # the first
    text: "Alpha is the first letter."

  - id: a-002
    text: |
      Beta is the second letter.

  - id: a-003
    text: Gamma is the third letter.
# end of the list
"""


def test_an_indented_blank_separated_list_keeps_its_layout():
    with_new = _splice(BLANK_SEPARATED, lambda ps: [*ps, Passage(id="a-004", text="Delta is the fourth.",
                                                                 section="Letters")])
    assert with_new == BLANK_SEPARATED.replace(
        "# end", "\n  - id: a-004\n    section: Letters\n    text: Delta is the fourth.\n# end")
    assert _splice(with_new, lambda ps: ps[:3]) == BLANK_SEPARATED
    without_beta = _splice(BLANK_SEPARATED, lambda ps: [ps[0], ps[2]])
    assert without_beta == BLANK_SEPARATED.replace("  - id: a-002\n    text: |\n      Beta is the second letter.\n\n", "")
    edited = _splice(BLANK_SEPARATED, lambda ps: [ps[0], Passage(id="a-002", text="Beta comes second."), ps[2]])
    assert edited == BLANK_SEPARATED.replace("|\n      Beta is the second letter.\n", "Beta comes second.\n")


def test_a_reorder_or_an_insertion_is_left_to_a_whole_rewrite():
    assert _splice(BLANK_SEPARATED, lambda ps: [ps[1], ps[0], ps[2]]) is None
    assert _splice(BLANK_SEPARATED, lambda ps: [ps[0], Passage(id="a-009", text="New."), ps[1], ps[2]]) is None


def test_windows_line_endings_and_a_missing_last_newline_are_kept():
    text = "passages:\r\n- id: a-001\r\n  text: Alpha.\r\n- id: a-002\r\n  text: Beta."
    assert _splice(text, lambda ps: [ps[0]]) == "passages:\r\n- id: a-001\r\n  text: Alpha.\r\n"
    assert _splice(text, lambda ps: [Passage(id="a-001", text="Alef."), ps[1]]) == text.replace("Alpha", "Alef")


def test_a_changed_field_on_the_dash_line_rewrites_that_entry_only():
    text = "passages:\n- text: Alpha.\n  id: a-001\n- id: a-002\n  text: 'Beta.'\n"
    edited = _splice(text, lambda ps: [Passage(id="a-001", text="Alef."), ps[1]])
    assert edited == "passages:\n- id: a-001\n  section: ''\n  text: Alef.\n- id: a-002\n  text: 'Beta.'\n"


def test_a_flow_style_file_is_written_whole_in_the_standard_layout(tiny_config, tiny_kb):
    path = tiny_kb / "passages" / "tiny.yaml"
    path.write_text("# Kept.\npassages: [{id: a-001, section: S, text: Alpha is first.}, "
                    "{id: a-002, section: S, text: Beta is second.}]\n", encoding="utf-8")
    edit_passage(tiny_config, "a-002", text="Beta comes second.")
    assert path.read_text(encoding="utf-8") == ("# Kept.\npassages:\n- id: a-001\n  section: S\n  text: Alpha is first.\n"
                                                "- id: a-002\n  section: S\n  text: Beta comes second.\n")
