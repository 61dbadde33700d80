"""Knowledge loading: every malformed file gets an error naming the file and line; the real knowledge is linted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.kb.load import load_knowledge
from bot.kb.model import MAX_TEXT_CHARS
from bot.kb.yamlio import dump_passage_file, parse_yaml
from conftest import SEED_KNOWLEDGE, TINY_PASSAGES, write_knowledge

HEADER = "source:\n  id: s\n  title: S\npassages:\n"


def _kb(tmp_path: Path, passages: str) -> Path:
    return write_knowledge(tmp_path / "kb", HEADER + passages)


def _error(path: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(path)
    return info.value


def test_tiny_knowledge_loads_in_document_order(tiny_kb):
    kb = load_knowledge(tiny_kb)
    assert [p.id for p in kb.passages] == ["tiny-001", "tiny-002", "tiny-003", "tiny-004"]
    assert kb.sections() == ["Rivers", "Animals"]
    assert kb.by_id("tiny-003").text.startswith("Takhi horses")
    assert kb.by_id("tiny-003").source == "tiny"
    assert kb.by_id("nope") is None
    assert kb.sources["tiny"].citation() == "Tiny Facts (Test Office, 2 January 2024)"
    assert kb.by_id("tiny-001").line == 8


def test_dumped_file_loads_back_to_the_same_passages(tiny_kb, tmp_path):
    kb = load_knowledge(tiny_kb)
    again = write_knowledge(tmp_path / "again", dump_passage_file(kb.sources["tiny"], kb.passages))
    assert [(p.id, p.text, p.section) for p in load_knowledge(again).passages] == \
        [(p.id, p.text, p.section) for p in kb.passages]


def test_duplicate_ids_name_both_places(tmp_path):
    folder = _kb(tmp_path, "- id: a\n  text: One fact.\n- id: a\n  text: Another fact.\n")
    error = _error(folder)
    assert "duplicate passage id 'a'" in str(error)
    assert error.line == 7 and "line 5" in str(error)
    assert error.path.endswith("tiny.yaml")


def test_duplicate_ids_across_files(tmp_path):
    folder = _kb(tmp_path, "- id: a\n  text: One fact.\n")
    write_knowledge(folder, "passages:\n- id: a\n  text: Other fact.\n", name="two.yaml")
    assert "duplicate passage id 'a'" in str(_error(folder))


@pytest.mark.parametrize("passages, message, line", [
    ("- id: a\n  text: ''\n", "text is empty", 6),
    ("- id: a\n  text: '   '\n", "text is empty", 6),
    ("- id: a\n  txt: A fact.\n", "unknown field 'txt' in a passage", 6),
    ("- id: a\n  text: " + "x" * (MAX_TEXT_CHARS + 1) + "\n", f"{MAX_TEXT_CHARS + 1} characters, over the 500 limit", 6),
    ("- id: a\n  text: [not, text]\n", "'text' must be text", 6),
    ("- id: a b\n  text: A fact.\n", "id 'a b' must be", 6),
    ("- text: A fact.\n", "has no 'id'", 5),
    ("- id: a\n  text: A fact.\n  id: b\n", "duplicate key 'id'", 7),
    ("- id: a\n  text: A fact.\n  questions: [1, '']\n", "'questions' must be a list", 7),
    ("- just a string\n", "each passage must be a mapping", 4),
])
def test_bad_passages_name_file_line_and_problem(tmp_path, passages, message, line):
    error = _error(_kb(tmp_path, passages))
    assert message in str(error)
    assert error.line == line
    assert error.path.endswith("tiny.yaml")


def test_passage_of_exactly_the_limit_is_accepted(tmp_path):
    text = "x" * MAX_TEXT_CHARS
    assert load_knowledge(_kb(tmp_path, f"- id: a\n  text: {text}\n")).passages[0].text == text


def test_unknown_top_level_and_source_fields(tmp_path):
    folder = write_knowledge(tmp_path / "kb", "sources: []\npassages: []\n")
    assert "unknown field 'sources' in the file" in str(_error(folder))
    folder = write_knowledge(tmp_path / "kb2", "source:\n  id: s\n  title: S\n  author: me\npassages: []\n")
    error = _error(folder)
    assert "unknown field 'author' in source" in str(error) and error.line == 4


def test_invalid_yaml_gives_its_line(tmp_path):
    folder = _kb(tmp_path, "- id: a\n  text: A fact.\n- id: b\n  text: \"unclosed\n  section: x\n")
    error = _error(folder)
    assert "invalid YAML" in str(error)
    assert error.line is not None and error.line >= 8


def test_bad_indentation_gives_its_line(tmp_path):
    folder = _kb(tmp_path, "- id: a\n  text: A fact.\n   section: oops\n")
    error = _error(folder)
    assert "invalid YAML" in str(error) and error.line == 7


def test_invalid_utf8_gives_the_line_of_the_byte(tmp_path):
    folder = write_knowledge(tmp_path / "kb")
    file = folder / "passages" / "tiny.yaml"
    data = file.read_bytes().replace(b"Selenge", b"Sel\xffnge")
    file.write_bytes(data)
    error = _error(folder)
    assert "invalid UTF-8 byte 0xff" in str(error) and error.line == 10 and "save the file as UTF-8" in str(error)


@pytest.mark.parametrize("argv", [["ask", "hi"], []])
def test_asking_a_folder_of_documents_says_what_a_knowledge_folder_is_in_one_line(tmp_path, monkeypatch, capsys, argv):
    # '--knowledge docs' (the maintainer's own documents) said 'docs/passages: no passage files found (a knowledge
    # folder holds passages/*.yaml (start one with ... kb init))': a folder never named, parentheses in parentheses,
    # and kb init refuses that folder.
    from bot.cli.main import run

    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("# Notes\n\nThe river floods in spring.\n", encoding="utf-8")
    assert run(["--knowledge", str(docs), *argv]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"Error: {docs}: no passage files found (a knowledge folder holds passages/*.yaml; give the folder kb init or "
        "kb import made, or point them at a new folder to start one)"]


def test_file_that_is_not_a_mapping(tmp_path):
    folder = write_knowledge(tmp_path / "kb", "- a\n- b\n")
    assert "must be a mapping with 'source' and 'passages'" in str(_error(folder))


def test_empty_folder_and_missing_path(tmp_path):
    (tmp_path / "empty").mkdir()  # what `kb import` fills: the error says to import a document
    assert "holds no passages yet" in str(_error(tmp_path / "empty")) and "kb import" in str(_error(tmp_path / "empty"))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("not knowledge", encoding="utf-8")
    assert "no passage files found" in str(_error(tmp_path / "other"))
    assert "knowledge path does not exist" in str(_error(tmp_path / "missing"))
    folder = write_knowledge(tmp_path / "kb", "# only a comment\n")
    assert "holds no passages" in str(_error(folder))


def test_unsupported_file_kind(tmp_path):
    (tmp_path / "facts.txt").write_text("hello", encoding="utf-8")
    assert "unsupported knowledge file" in str(_error(tmp_path / "facts.txt"))


def test_jsonl_loads_and_skips_blank_lines(tmp_path):
    path = tmp_path / "facts.jsonl"
    lines = [{"id": "f1", "text": "The Gobi is a desert.", "section": "Land"}, {"id": 2, "text": "Ulaanbaatar is the capital."}]
    path.write_text("\n".join(json.dumps(x) for x in lines[:1]) + "\n\n" + json.dumps(lines[1]) + "\n", encoding="utf-8")
    kb = load_knowledge(path)
    assert [p.id for p in kb.passages] == ["f1", "2"]
    assert kb.passages[1].line == 3 and kb.passages[1].source == "facts"
    assert kb.sources["facts"].title == "facts"


@pytest.mark.parametrize("bad, message", [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"id": "x", "text": "t", "colour": "red"}', "unknown field 'colour'"),
    ('{"id": "x", "text": 5}', "must be text"),
    ('{"id": "x", "text": "   "}', "text is empty"),
    ('{"id": "x y", "text": "t"}', "id 'x y'"),
    ('{"id": "x\\n", "text": "t"}', "id 'x\n'"),  # a "$" in the id rule let a final newline in
])
def test_jsonl_bad_line_is_named(tmp_path, bad, message):
    path = tmp_path / "facts.jsonl"
    path.write_text('{"id": "ok", "text": "A good line."}\n' + bad + "\n", encoding="utf-8")
    error = _error(path)
    assert message in str(error) and error.line == 2 and error.path == str(path)


def test_truncated_file_is_reported_not_half_loaded(tmp_path):
    whole = TINY_PASSAGES
    cut = whole[: whole.index("Hustai") + 3]  # cut mid-text inside the third passage, as a crash would
    folder = write_knowledge(tmp_path / "kb", cut)
    kb = load_knowledge(folder)  # a cut plain scalar is still valid YAML: the loader must not invent more
    assert [p.id for p in kb.passages] == ["tiny-001", "tiny-002", "tiny-003"]
    cut_in_quote = HEADER + "- id: a\n  text: \"A fact that was cut"
    folder = write_knowledge(tmp_path / "kb2", cut_in_quote)
    error = _error(folder)
    assert "invalid YAML" in str(error) and error.line is not None


def test_wrong_types_name_the_line(tmp_path):
    folder = write_knowledge(tmp_path / "kb", "source: just text\npassages: []\n")
    error = _error(folder)
    assert "'source' must be a mapping" in str(error) and error.line == 1
    folder = write_knowledge(tmp_path / "kb2", HEADER.replace("passages:\n", "passages: 5\n"))
    error = _error(folder)
    assert "'passages' must be a list" in str(error) and error.line == 4


def test_a_50_mb_file_loads_and_an_oversized_one_is_refused(tmp_path):
    # 50 MB is under the 64 MB limit: it must load or fail with a KnowledgeError, never crash or hang.
    path = tmp_path / "big.jsonl"
    line = json.dumps({"id": "big", "text": "word " * 19_000}) + "\n"  # ~95 kB, under the bulk text limit
    with path.open("w", encoding="utf-8") as handle:
        for number in range(560):
            handle.write(line.replace('"big"', f'"big{number}"'))
    assert path.stat().st_size > 50 * 1024 * 1024
    kb = load_knowledge(path)
    assert len(kb.passages) == 560
    # Over the limit: refused by size before reading.
    with path.open("ab") as handle:
        handle.truncate(65 * 1024 * 1024)
    error = _error(path)
    assert "over the 64 MB limit" in str(error) and error.path == str(path)


def test_symlink_loop_gives_a_clear_error(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop")
    error = _error(loop)
    assert str(loop) in str(error) and "symbolic link leads nowhere" in str(error)
    folder = write_knowledge(tmp_path / "kb")
    (folder / "passages" / "bad.yaml").symlink_to(folder / "passages" / "bad.yaml")
    error = _error(folder)
    assert error.path.endswith("bad.yaml") and "Too many levels of symbolic links" in str(error)


def test_unreadable_path_gives_a_clear_error(tmp_path):
    # Tests run as root, who can read any file: a path through a regular file is unreadable for everyone.
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    error = _error(tmp_path / "plain" / "kb")
    assert "plain" in str(error) and "does not exist" in str(error)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permission bits")
def test_no_read_permission_gives_a_clear_error(tmp_path):
    folder = write_knowledge(tmp_path / "kb")
    file = folder / "passages" / "tiny.yaml"
    file.chmod(0)
    error = _error(folder)
    assert "permission denied" in str(error) and error.path == str(file)


@pytest.mark.parametrize("text, line", [("? [a, b]\n: x\n", 1), ("passages:\n- {id: a, text: b, ? {x: 1} : 3}\n", 2)])
def test_complex_keys_are_an_error_not_a_crash(tmp_path, text, line):
    folder = write_knowledge(tmp_path / "kb", text)
    error = _error(folder)
    assert "a key must be plain text" in str(error) and error.line == line and error.path.endswith("tiny.yaml")


def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    folder = write_knowledge(tmp_path / "kb", "passages: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert "nested too deeply" in str(_error(folder))
    path = tmp_path / "deep.jsonl"
    path.write_text('{"id": "a", "text": "b"}\n{"id": "c", "text": "d", "section": ' + "[" * 50_000 + "]" * 50_000 + "}\n",
                    encoding="utf-8")
    error = _error(path)
    assert "nested too deeply" in str(error) and error.line == 2


def test_lone_surrogate_escapes_are_refused(tmp_path):
    # "\ud800" decodes to a character no terminal, file or Telegram message can carry.
    folder = _kb(tmp_path, '- id: a\n  text: A fact.\n- id: b\n  text: "Bad \\ud800 fact."\n')
    error = _error(folder)
    # libyaml refuses the escape itself, on the line that holds it (the passage starts on line 7).
    assert "unpaired surrogate" in str(error) and error.line == 8 and error.path.endswith("tiny.yaml")
    path = tmp_path / "facts.jsonl"
    path.write_text('{"id": "a", "text": "ok"}\n{"id": "b", "text": "x", "section": "\\udc80"}\n', encoding="utf-8")
    error = _error(path)
    assert "unpaired surrogate" in str(error) and error.line == 2
    folder = write_knowledge(tmp_path / "kb3", 'source:\n  id: s\n  title: "T\\ud800"\npassages:\n- id: a\n  text: A.\n')
    assert "unpaired surrogate" in str(_error(folder))


def test_parse_yaml_refuses_python_objects(tmp_path):
    with pytest.raises(KnowledgeError):
        parse_yaml("!!python/object/apply:os.system ['true']", tmp_path / "x.yaml")


def test_the_real_knowledge_folder_is_clean():
    kb = load_knowledge(SEED_KNOWLEDGE)
    assert len(kb.passages) >= 20
    for passage in kb.passages:
        assert len(passage.text) <= MAX_TEXT_CHARS, passage.id
        assert passage.section, f"{passage.id} has no section"
        assert passage.source in kb.sources, f"{passage.id} names an unknown source {passage.source!r}"
    for source in kb.sources.values():
        assert source.title and source.date and source.url.startswith("https://"), source.id
        if source.document:
            assert (SEED_KNOWLEDGE / source.document).is_file(), source.document


HUGE = "1" * 5000  # Python refuses to convert integers of over 4,300 digits


@pytest.mark.parametrize("line", [f'{{"id": {HUGE}, "text": "x"}}', f'{{"id": "b", "text": "x", "questions": [{HUGE}]}}'])
def test_a_jsonl_number_with_too_many_digits_is_an_error_with_its_line(tmp_path, line):
    path = tmp_path / "facts.jsonl"
    path.write_text('{"id": "a", "text": "A fact."}\n' + line + "\n", encoding="utf-8")
    error = _error(path)
    assert "too many digits" in str(error) and error.line == 2 and error.path == str(path)


def test_a_yaml_number_with_too_many_digits_is_an_error_with_its_line(tmp_path):
    error = _error(_kb(tmp_path, f"- id: a\n  text: A fact.\n- id: {HUGE}\n  text: B.\n"))
    assert "too many digits" in str(error) and error.line == 7 and error.path.endswith("tiny.yaml")


def test_ask_with_a_huge_number_in_the_knowledge_file_prints_one_error_line(tmp_path):
    from conftest import run_bot

    path = tmp_path / "facts.jsonl"
    path.write_text(f'{{"id": "a", "text": "A fact."}}\n{{"id": {HUGE}, "text": "x"}}\n', encoding="utf-8")
    result = run_bot(["--knowledge", str(path), "ask", "--no-log", "what fact?"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [f"Error: {path}, line 2: invalid JSON: a number has too many digits "
                                                   '(write ids as short text, for example "id": "p-001")']


def _special(kind: str, path: Path) -> str:
    """Make a FIFO, a socket or a link to a device at `path`; the words the error must use."""
    if kind == "fifo":
        os.mkfifo(path)
        return "named pipe (FIFO), not a regular file"
    if kind == "socket":
        import socket

        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
        return "a socket, not a regular file"
    path.symlink_to("/dev/zero")
    return "a device, not a regular file"


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_fifos_sockets_and_devices_in_passages_are_refused_unopened(tmp_path, kind):
    folder = write_knowledge(tmp_path / "kb")
    expected = _special(kind, folder / "passages" / "more.yaml")
    error = _error(folder)  # before: a FIFO blocked for ever, /dev/zero was read without end
    assert expected in str(error) and error.path.endswith("more.yaml")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_special_synonyms_questions_and_knowledge_files_are_refused(tmp_path, kind):
    from bot.kb.questions import load_questions

    folder = write_knowledge(tmp_path / "kb")
    expected = _special(kind, folder / "synonyms.yaml")
    assert expected in str(_error(folder))
    _special(kind, folder / "questions.yaml")
    with pytest.raises(KnowledgeError, match="not a regular file"):
        load_questions(folder / "questions.yaml")
    expected = _special(kind, tmp_path / "facts.jsonl")
    assert expected in str(_error(tmp_path / "facts.jsonl"))
    _special(kind, tmp_path / "plain")
    assert "not a regular file" in str(_error(tmp_path / "plain"))


def test_kb_check_reports_a_fifo_in_passages_and_does_not_hang(tmp_path):
    from conftest import run_bot

    folder = write_knowledge(tmp_path / "kb")
    os.mkfifo(folder / "passages" / "more.yaml")
    result = run_bot(["--knowledge", str(folder), "kb", "check", "--quick"], tmp_path, timeout=30)
    assert result.returncode == 1
    assert f"Error: {folder / 'passages' / 'more.yaml'}: a named pipe (FIFO), not a regular file" in result.stdout.decode()


@pytest.mark.parametrize("name", ["zero", "zero.txt"])
def test_kb_import_of_a_device_is_refused_without_reading_it(tmp_path, name):
    from conftest import run_bot

    folder = write_knowledge(tmp_path / "kb")
    (tmp_path / name).symlink_to("/dev/zero")
    result = run_bot(["--knowledge", str(folder), "kb", "import", str(tmp_path / name), "--yes"], tmp_path, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert ("documents are read from .txt, .md, .html, .pdf or manual page" if name == "zero" else "a device, not a regular file") \
        in lines[0]


def test_a_link_out_of_the_knowledge_folder_shows_nothing_of_its_target(tmp_path):
    from bot.kb.questions import load_questions

    secret = tmp_path / "elsewhere" / "service.conf"
    secret.parent.mkdir()
    secret.write_text("api_secret_key: hunter2\nhosts: files dns\n", encoding="utf-8")
    folder = write_knowledge(tmp_path / "kb")
    (folder / "passages" / "more.yaml").symlink_to(secret)
    error = _error(folder)  # before: "unknown field 'api_secret_key' in the file"
    assert "outside the knowledge folder" in str(error) and error.path.endswith("more.yaml")
    assert "api_secret_key" not in str(error) and "hunter2" not in str(error) and str(secret) not in str(error)
    (folder / "passages" / "more.yaml").unlink()
    (folder / "synonyms.yaml").symlink_to(secret)
    assert "outside the knowledge folder" in str(_error(folder))
    (folder / "questions.yaml").symlink_to(secret)
    with pytest.raises(KnowledgeError, match="outside the knowledge folder"):
        load_questions(folder / "questions.yaml")


def test_links_inside_the_knowledge_folder_and_a_linked_folder_still_load(tmp_path):
    real = write_knowledge(tmp_path / "real")
    (real / "shared").mkdir()
    (real / "passages" / "tiny.yaml").rename(real / "shared" / "tiny.yaml")
    (real / "passages" / "tiny.yaml").symlink_to(real / "shared" / "tiny.yaml")
    (tmp_path / "linked").symlink_to(real)
    assert len(load_knowledge(tmp_path / "linked").passages) == 4


def test_kb_import_refuses_a_file_without_a_known_ending_and_says_what_is_read(tmp_path):
    from conftest import run_bot

    folder = write_knowledge(tmp_path / "kb")
    document = tmp_path / "notes"
    document.write_text("Notes\n\nThe Selenge River is long.\n", encoding="utf-8")
    result = run_bot(["--knowledge", str(folder), "kb", "import", str(document), "--yes"], tmp_path)
    assert result.returncode == 2  # before: imported as plain text, exit 0
    assert result.stderr.decode().strip() == (f"Error: {document}: documents are read from .txt, .md, .html, .pdf or "
                                              "manual page (.1 to .9) files and plain text named like README, NEWS "
                                              "or README.Debian, gzipped or not; rename it if it is one")
    assert sorted(p.name for p in (folder / "passages").iterdir()) == ["tiny.yaml"]


def test_kb_check_names_files_in_passages_that_are_not_read(tiny_config):
    from bot.kb.check import check_knowledge

    notes = Path(tiny_config.knowledge) / "passages" / "notes"
    notes.write_text("passages:\n- id: n\n  text: Never loaded.\n", encoding="utf-8")
    report = check_knowledge(tiny_config, ask_questions=False)
    assert not report.errors and report.passages == 4
    assert f"{notes}: not read (passages files end in .yaml or .yml); rename it or move it out of passages/" \
        in report.warnings


def test_duplicate_keys_and_huge_numbers_get_the_same_line_either_way(tmp_path):
    assert _error(_kb(tmp_path, "- id: a\n  text: x\n  id: b\n")).line == 7
    error = _error(write_knowledge(tmp_path / "kb2", HEADER + "- id: a\n  text: x\n- &anchor\n  id: a2\n  text: y\n  id: b\n"))
    assert "duplicate key 'id'" in str(error) and error.line == 10


@pytest.mark.parametrize("name, text, key", [
    ("questions.yaml", "question:\n- q: Where?\n  expect_id: a\n", "question"),
    ("questions.yaml", "questions: []\nquestion:\n- q: Where?\n  expect_id: a\n", "question"),
    ("synonyms.yaml", "synonyms:\n- [club, society]\nsynonym:\n- [army, military]\n", "synonym")])
def test_a_misspelt_top_key_in_questions_or_synonyms_is_an_error_not_ignored(tmp_path, name, text, key):
    # 'question:' was read as no questions at all, so `kb check` and `eval` passed without asking any.
    from bot.kb.load import load_synonyms
    from bot.kb.questions import load_questions

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=f"unknown field '{key}'") as error:
        (load_questions if name == "questions.yaml" else load_synonyms)(path)
    assert error.value.line == text.splitlines().index(f"{key}:") + 1
