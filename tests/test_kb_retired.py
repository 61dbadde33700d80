"""Removed passages' ids are never given again, and the record of them is undone with the removal."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.errors import KnowledgeError
from bot.kb.edit import add_passage, remove_passage, undo
from bot.kb.folder import KnowledgeFolder
from bot.kb.load import load_knowledge
from bot.kb.retired import HEADER, retired_ids
from conftest import write_config, write_knowledge


@pytest.fixture
def tiny(tmp_path):
    """The tiny knowledge (ids tiny-001 to tiny-004) and its config."""
    folder = write_knowledge(tmp_path / "kb")
    return folder, load_config(write_config(tmp_path, folder), environ={})


def _ids(folder) -> list[str]:
    return [p.id for p in load_knowledge(folder).passages]


def test_the_highest_id_removed_is_not_given_to_the_next_passage(tiny):
    folder, config = tiny
    highest = _ids(folder)[-1]
    remove_passage(config, highest)
    added = add_passage(config, "The zebra programme began in 2031.", "Zebras", force=True)
    assert added.id != highest
    assert int(added.id.rsplit("-", 1)[1]) == int(highest.rsplit("-", 1)[1]) + 1
    assert retired_ids(folder) == {highest}
    assert KnowledgeFolder(folder).retired.read_text(encoding="utf-8") == f"{HEADER}{highest}\n"


def test_undoing_a_removal_forgets_the_id_again(tiny):
    folder, config = tiny
    highest = _ids(folder)[-1]
    remove_passage(config, highest)
    undo(config)
    assert not KnowledgeFolder(folder).retired.exists()
    assert retired_ids(folder) == set()
    assert highest in _ids(folder)


def test_removals_add_to_the_file_and_keep_a_maintainers_lines(tiny):
    folder, config = tiny
    ids = _ids(folder)
    path = KnowledgeFolder(folder).retired
    path.write_text("# kept by hand\nold-007", encoding="utf-8")  # no final newline
    remove_passage(config, ids[0])
    remove_passage(config, ids[-1])
    assert path.read_text(encoding="utf-8") == f"# kept by hand\nold-007\n{ids[0]}\n{ids[-1]}\n"
    assert retired_ids(folder) == {"old-007", ids[0], ids[-1]}


def test_a_line_that_is_not_one_id_is_refused_with_its_place(tiny):
    folder, config = tiny
    KnowledgeFolder(folder).retired.write_text("tiny-001 tiny-002\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        add_passage(config, "The zebra programme began in 2031.", "Zebras", force=True)
    assert "'tiny-001 tiny-002' is not one passage id" in str(caught.value)
    assert "retired-ids.txt" in str(caught.value)


def test_kb_check_warns_of_a_passage_given_a_removed_id_by_hand(tiny):
    from bot.kb.check import check_knowledge

    folder, config = tiny
    KnowledgeFolder(folder).retired.write_text(f"{HEADER}tiny-002\n", encoding="utf-8")
    report = check_knowledge(config, ask_questions=False)
    assert [w for w in report.warnings if "removed passage" in w] == [
        "tiny-002 (" + str(folder / "passages" / "tiny.yaml") + ", line 11) has the id of a removed passage "
        "(retired-ids.txt): logged questions and feedback about that one now name it; give it a new id"]
    KnowledgeFolder(folder).retired.write_text("a b\n", encoding="utf-8")
    assert any("'a b' is not one passage id" in w for w in check_knowledge(config, ask_questions=False).warnings)


def _kb(folder, tmp_path, *argv: str) -> int:
    """A `kb` command through the real command line."""
    from bot.cli.main import run

    return run(["--config", str(tmp_path / "config.yaml"), "--knowledge", str(folder), "kb", *argv])


def test_an_undone_add_never_gives_its_id_to_the_next_fact(tiny, tmp_path, capsys):
    folder, _ = tiny
    assert _kb(folder, tmp_path, "add", "--text", "The zebra programme began in 2031.", "--section", "Zebras",
               "--force") == 0
    undone = _ids(folder)[-1]
    capsys.readouterr()
    assert _kb(folder, tmp_path, "undo") == 0
    assert f"; {undone} is kept in retired-ids.txt and never given again." in capsys.readouterr().out
    assert undone not in _ids(folder) and retired_ids(folder) == {undone}
    assert _kb(folder, tmp_path, "add", "--text", "The okapi census ended in 2032.", "--section", "Okapis",
               "--force") == 0
    assert _ids(folder)[-1] != undone
    assert int(_ids(folder)[-1].rsplit("-", 1)[1]) == int(undone.rsplit("-", 1)[1]) + 1


def test_undoing_a_remove_after_an_undone_add_keeps_the_added_id_retired(tiny, tmp_path, capsys):
    folder, _ = tiny
    first = _ids(folder)[0]
    assert _kb(folder, tmp_path, "remove", first) == 0
    assert _kb(folder, tmp_path, "add", "--text", "The zebra programme began in 2031.", "--section", "Zebras",
               "--force") == 0
    added = _ids(folder)[-1]
    assert _kb(folder, tmp_path, "undo") == 0  # the add: its id is retired, not freed
    assert _kb(folder, tmp_path, "undo") == 0  # the remove: not refused as "edited by hand", and the id comes back
    assert first in _ids(folder) and added not in _ids(folder)
    assert retired_ids(folder) == {added}
    assert KnowledgeFolder(folder).retired.read_text(encoding="utf-8") == f"{HEADER}{added}\n"


def test_an_undone_add_keeps_a_maintainers_lines_in_the_file(tiny, tmp_path, capsys):
    folder, _ = tiny
    path = KnowledgeFolder(folder).retired
    path.write_text("# kept by hand\nold-007", encoding="utf-8")  # no final newline
    assert _kb(folder, tmp_path, "add", "--text", "The zebra programme began in 2031.", "--section", "Zebras",
               "--force") == 0
    added = _ids(folder)[-1]
    assert _kb(folder, tmp_path, "edit", _ids(folder)[0], "--text", "The okapi census ended in 2032.", "--force") == 0
    assert _kb(folder, tmp_path, "undo") == 0  # the edit: no id freed, the file untouched
    assert path.read_text(encoding="utf-8") == "# kept by hand\nold-007"
    assert _kb(folder, tmp_path, "undo") == 0  # the add
    assert path.read_text(encoding="utf-8") == f"# kept by hand\nold-007\n{added}\n"
