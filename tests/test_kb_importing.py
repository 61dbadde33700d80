"""Importing a document: progress is reported, and a document too big to load again is refused early."""

from __future__ import annotations

import pytest

def test_import_reports_its_progress_and_refuses_early_a_file_too_big_to_load(tiny_config, tmp_path, monkeypatch):
    from bot.kb import importing as kb_ops

    document = tmp_path / "handbook.txt"
    document.write_text("Handbook\n\n" + "".join(f"Fact number {n} is about the river.\n\n" for n in range(50)),
                        encoding="utf-8")
    steps: list[str] = []
    draft = kb_ops.prepare_import(tiny_config, document, progress=steps.append)
    assert len(draft.passages) == 50
    assert [s.split(" (")[0] for s in steps] == [f"reading and splitting {document}", "split into 50 passages; checking them",
                                               "comparing 50 new passages with 4 existing ones", "checked"]
    monkeypatch.setattr(kb_ops, "MAX_FILE_BYTES", 2000)
    with pytest.raises(kb_ops.PassageRejected, match="50 passages would make a passages file of over 0 MB"):
        kb_ops.prepare_import(tiny_config, document)


def _import_and_ask(config, document, question):
    """Import a document into a new knowledge folder as `kb import` does, then ask one question."""
    from bot.core.pipeline import build_answerer
    from bot.kb import importing as kb_ops
    from bot.kb.load import load_knowledge

    root = document.parent / "knowledge"
    config = config.with_knowledge(root)
    draft = kb_ops.prepare_import(config, document)
    kb_ops.save_import(config, draft, document)
    return draft, build_answerer(config, load_knowledge(root)).answer(question)


def test_a_gzipped_manual_page_imports_and_its_options_are_answered(tiny_config, tmp_path):
    from pathlib import Path

    folder = tmp_path / "docs"
    folder.mkdir()
    document = folder / "gzip.1.gz"
    document.write_bytes((Path(__file__).parent / "fixtures" / "docs" / "gzip.1.gz").read_bytes())
    draft, answer = _import_and_ask(tiny_config, document, "How do I keep the input files?")
    assert draft.source.title == "gzip, gunzip, zcat - compress or expand files"
    assert draft.source.id == "gzip" and draft.passages[0].id == "gzip-001"  # as gzip.1's: not 'gzip-1'
    assert answer.found and "-k --keep: Keep (don't delete) input files" in answer.text


def test_an_answer_shows_the_heading_its_sentence_leans_on(tiny_config, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    document = folder / "releases.md"
    document.write_text("# Release history\n\n## Version 2\n\nSupport ended in 2019.\n\n## Version 3\n\n"
                        "Version 3 is supported until 2030 and receives security fixes every month.\n", encoding="utf-8")
    _, answer = _import_and_ask(tiny_config, document, "When did support for version 2 end?")
    assert answer.found and "Version 2: support ended in 2019." in answer.text


def test_a_sentence_over_the_limit_never_blocks_the_import(tiny_config, tmp_path):
    from bot.kb.model import MAX_TEXT_CHARS

    folder = tmp_path / "docs"
    folder.mkdir()
    document = folder / "report.txt"
    sentence = ("The survey, which covered every district of the province over three years, found that rainfall "
                "had fallen by a fifth") + ", and that the herders had moved their camps further north each year" * 7
    document.write_text(f"Survey report\n\nFindings\n\n{sentence}.\n", encoding="utf-8")
    assert len(sentence) > MAX_TEXT_CHARS
    draft, answer = _import_and_ask(tiny_config, document, "How much had rainfall fallen by?")
    assert len(draft.passages) >= 2 and all(len(p.text) <= MAX_TEXT_CHARS for p in draft.passages)
    assert all("was cut at a clause boundary" in line for line in draft.review)
    assert answer.found and "a fifth" in answer.text


def test_a_pdf_imports(tiny_config, tmp_path):
    from test_kb_split_pdf import tiny_pdf

    folder = tmp_path / "docs"
    folder.mkdir()
    document = folder / "garden.pdf"
    document.write_bytes(tiny_pdf([["Garden Guide", "Watering", "Tomatoes need water every morning in summer."]]))
    draft, answer = _import_and_ask(tiny_config, document, "When do tomatoes need water?")
    assert [p.text for p in draft.passages] == ["Watering: tomatoes need water every morning in summer."]
    assert answer.found and "every morning" in answer.text


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_an_aes_encrypted_pdf_with_no_password_to_open_imports_and_answers(tiny_config, tiny_kb, tmp_path, capsys,
                                                                          algorithm):
    from bot.cli.main import run
    from bot.core.pipeline import build_answerer
    from test_kb_split_pdf import encrypted_pdf

    path = tmp_path / "garden.pdf"
    path.write_bytes(encrypted_pdf([["Garden Guide", "Watering", "Tomatoes need water every morning in summer."]],
                                   algorithm, ""))
    assert run(["--knowledge", str(tiny_kb), "kb", "import", str(path), "--yes"]) == 0
    assert "Error" not in capsys.readouterr().err
    answer = build_answerer(tiny_config).answer("When do tomatoes need water?")
    assert answer.found and "every morning" in answer.text


def test_a_pdf_that_needs_a_password_is_one_error_line_and_nothing_is_saved(tiny_kb, tmp_path, capsys):
    from bot.cli.main import run
    from test_kb_split_pdf import encrypted_pdf

    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf([["Garden Guide", "Tomatoes need water every morning in summer."]], "AES-256", "pw"))
    before = sorted(p.name for p in (tiny_kb / "passages").iterdir())
    assert run(["--knowledge", str(tiny_kb), "kb", "import", str(path), "--yes"]) == 2  # as any unreadable document
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"Error: {path}: cannot read the PDF: it needs a password to open (save a copy without one)"]
    assert sorted(p.name for p in (tiny_kb / "passages").iterdir()) == before


def test_the_kind_of_a_document_comes_from_its_name_gzipped_or_not():
    from pathlib import Path

    from bot.errors import UsageError
    from bot.kb.documents import kind_of

    assert [kind_of(Path(n)) for n in ("a.md", "README.md.gz", "gzip.1.gz", "sshd.8", "openssl.1ssl", "x.pdf",
                                       "notes.TXT", "page.htm")] == ["md", "md", "man", "man", "man", "pdf", "txt", "html"]
    # a source tree's plain text documents go without an ending (gnupg's README.gz, README.Debian, NEWS)
    assert {kind_of(Path(n)) for n in ("README", "README.gz", "NEWS.gz", "README.Debian", "README.Bugs", "INSTALL",
                                       "NEWS.Debian.gz", "README.Debian.amd64", "TODO")} == {"txt"}
    for name in ("notes", "Makefile", "zero", "archive.tar.gz", "data.gz", "photo.jpg", "README.tar.gz", "X11"):
        with pytest.raises(UsageError, match="documents are read from"):
            kind_of(Path(name))


@pytest.mark.parametrize("command", ["import", "split"])
def test_a_missing_document_is_named_as_a_document_not_as_the_knowledge(tiny_kb, tmp_path, capsys, command):
    # The hint used to send the maintainer to the knowledge path in config.yaml, which is not what is wrong.
    from bot.cli.main import run

    missing = tmp_path / "handbok.md"
    assert run(["--knowledge", str(tiny_kb), "kb", command, str(missing)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {missing}: ")
    assert "no such document" in lines[0] and "config.yaml" not in lines[0] and "--knowledge" not in lines[0]


@pytest.mark.parametrize("command", ["import", "split"])
def test_a_link_to_a_missing_document_is_one_error_line(tiny_kb, tmp_path, capsys, command):
    # kb import looked at the link's target's size before reading it, and stopped with a FileNotFoundError traceback.
    from bot.cli.main import run

    link = tmp_path / "handbook.md"
    link.symlink_to(tmp_path / "moved-away.md")
    before = sorted(p.name for p in tiny_kb.rglob("*"))
    assert run(["--knowledge", str(tiny_kb), "kb", command, str(link), "--yes"][: 5 if command == "split" else 6]) == 2
    assert capsys.readouterr().err == (f"Error: {link}: a symbolic link whose target is missing (point it at the "
                                       "document, or name the document itself)\n")
    assert sorted(p.name for p in tiny_kb.rglob("*")) == before


@pytest.mark.parametrize("command", ["import", "split"])
@pytest.mark.parametrize("name, told", [("handbook", "no such document"), ("docs", "a folder, not a document")])
def test_a_missing_document_or_a_folder_without_an_ending_is_told_as_what_it_is(tiny_kb, tmp_path, capsys, command,
                                                                                 name, told):
    # The ending was judged first: 'kb import docs' (a folder) and a mistyped 'handbook' were told to rename the
    # file to .txt or .md, which is no fix for either.
    from bot.cli.main import run

    (tmp_path / "docs").mkdir()
    assert run(["--knowledge", str(tiny_kb), "kb", command, str(tmp_path / name)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {tmp_path / name}: ")
    assert told in lines[0] and "rename" not in lines[0]


@pytest.mark.parametrize("name, expected", [("Garden Club notes", "garden-club-notes"), ("Übersicht der Gärten", "ubersicht-der-garten"),
                                            ("café.menu", "cafe-menu"), ("日本語", "document"), ("x" * 300, "x" * 60)])
def test_a_source_id_made_from_any_file_name_is_a_valid_id(name, expected):
    # A file named with an accent or in another script made an id the check refused: 'kb import Übersicht.md' failed.
    from bot.kb.importing import slug
    from bot.kb.model import check_id

    assert slug(name) == expected and check_id(slug(name)) is None


@pytest.mark.parametrize("name, expected", [("README.md", "readme"), ("README.md.gz", "readme"), ("gzip.1", "gzip"),
                                            ("gzip.1.GZ", "gzip"), ("openssl.1ssl.gz", "openssl"), ("v2.0.txt", "v2-0")])
def test_a_gzipped_documents_default_source_id_is_the_uncompressed_files(name, expected):
    from pathlib import Path

    from bot.kb.importing import default_source_id

    assert default_source_id(Path("docs") / name) == expected  # README.md.gz was 'readme-md'


def test_a_document_named_with_accents_imports_under_its_default_source_id(tiny_config, tmp_path):
    document = tmp_path / "Übersicht.md"
    document.write_text("# Garden\n\nThe garden club meets on Tuesdays in the community hall.\n", encoding="utf-8")
    draft, answer = _import_and_ask(tiny_config, document, "When does the garden club meet?")
    assert draft.source.id == "ubersicht" and answer.passage_ids == ("ubersicht-001",)


@pytest.mark.parametrize("name", ["program.1", "data.txt", "blob.md.gz"])
def test_a_binary_file_with_a_document_ending_is_refused_not_imported_as_garbage(tiny_kb, tmp_path, capsys, name):
    # A manual page that is not UTF-8 is read as Latin-1, and NUL is valid UTF-8: both took a binary in as passages.
    import gzip

    from bot.cli.main import run

    binary = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00 Hello world. " * 40 + bytes(range(256))
    path = tmp_path / name
    path.write_bytes(gzip.compress(binary) if name.endswith(".gz") else binary)
    before = sorted(p.name for p in (tiny_kb / "passages").iterdir())
    assert run(["--knowledge", str(tiny_kb), "kb", "import", str(path), "--yes"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: ") and "binary" in lines[0].removeprefix(f"Error: {path}")
    assert sorted(p.name for p in (tiny_kb / "passages").iterdir()) == before


@pytest.mark.parametrize("command", ["import", "split"])
def test_a_broken_pdf_is_named_in_its_error(tiny_kb, tmp_path, capsys, command):
    from bot.cli.main import run
    from test_kb_split_pdf import tiny_pdf

    path = tmp_path / "report.pdf"
    path.write_bytes(tiny_pdf([["Garden Guide", "Tomatoes need water every morning in summer."]])[:300])  # cut short
    assert run(["--knowledge", str(tiny_kb), "kb", command, str(path)]) == 2  # as a binary or a broken .gz: exit 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: cannot read the PDF")


def test_a_folder_given_as_a_document_is_told_apart_from_a_file(tiny_kb, tmp_path, capsys):
    # The knowledge's advice ('replace it with a regular file, or remove it') told a maintainer to remove their folder.
    from bot.cli.main import run

    folder = tmp_path / "manual.html"
    folder.mkdir()
    (folder / "index.html").write_text("<h1>Manual</h1><p>The manual has one page.</p>", encoding="utf-8")
    assert run(["--knowledge", str(tiny_kb), "kb", "import", str(folder), "--yes"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {folder}: a folder") and "remove" not in lines[0]
    assert (folder / "index.html").is_file()


@pytest.mark.parametrize("head", [b"", b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">',
                                  b'<meta charset="windows-1252">'])
def test_an_html_page_in_a_legacy_encoding_is_read_as_a_browser_reads_it(tiny_kb, tmp_path, capsys, head):
    # Debian ships such pages (libxslt's xslt.html): they were refused as 'invalid UTF-8'.
    from bot.cli.main import run

    page = tmp_path / "caf\u00e9.html"
    page.write_bytes(b"<html><head>" + head + b"</head><body><h1>Caf\xe9 Guide</h1>"
                     b"<p>The caf\xe9 opens at nine \x96 every day but Sunday.</p></body></html>")
    assert run(["--knowledge", str(tiny_kb), "kb", "split", str(page)]) == 0
    out = capsys.readouterr().out
    assert "The caf\u00e9 opens at nine \u2013 every day but Sunday." in out and "Caf\u00e9 Guide" in out


def test_an_html_page_that_says_it_is_utf8_but_is_not_is_still_refused(tiny_kb, tmp_path, capsys):
    from bot.cli.main import run

    page = tmp_path / "page.html"
    page.write_bytes(b'<html><head><meta charset="utf-8"></head><body><p>The caf\xe9 opens at nine.</p></body></html>')
    assert run(["--knowledge", str(tiny_kb), "kb", "split", str(page)]) == 2
    assert "invalid UTF-8 byte 0xe9" in capsys.readouterr().err


@pytest.mark.parametrize("name, text", [
    ("notes.md", "# Garden Club\r\n\r\nThe club grows vegetables in Elm Park.\r\n\r\n## Meetings\r\n\r\nThe club meets on Tuesdays.\r\n"),
    ("notes.txt", "Garden Club\n===========\n\nThe club grows vegetables in Elm Park.\n"),
    ("notes.html", "<html><body><h1>Garden</h1><p>The club meets on Tuesdays.</p></body></html>")])
def test_a_byte_order_mark_is_not_part_of_the_document(tmp_path, name, text):
    # Notepad's UTF-8 starts with one: '# Garden Club' became a passage, the title 'Untitled document'.
    from bot.kb.importing import draft_passages

    plain, marked = tmp_path / name, tmp_path / "marked" / name
    marked.parent.mkdir()
    plain.write_bytes(text.encode("utf-8"))
    marked.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert draft_passages(marked, "notes") == draft_passages(plain, "notes")
    assert "\ufeff" not in str(draft_passages(marked, "notes"))


def test_the_publisher_and_url_of_an_import_are_one_clean_line(tiny_config, tmp_path):
    # A newline in --publisher split every citation and `kb show` of that source over two lines.
    from bot.kb import importing as kb_ops

    document = tmp_path / "garden.md"
    document.write_text("# Garden\n\nThe garden club meets on Tuesdays in the community hall.\n", encoding="utf-8")
    draft = kb_ops.prepare_import(tiny_config.with_knowledge(tmp_path / "kb"), document,
                                  url="https://example.org/\x07garden\n", publisher="Garden\n  Club\tPress\x1b")
    assert draft.source.publisher == "Garden Club Press"
    assert draft.source.url.startswith("https://example.org/") and draft.source.url.isprintable()


def test_a_documents_terminal_codes_are_not_saved_in_its_passages(tiny_config, tmp_path):
    # A colour code or a bell in a document (a terminal's output saved to a file) went into the passages as they
    # were, and `kb list` and every answer then sent it to the maintainer's and the users' terminals.
    from bot.kb import importing as kb_ops

    document = tmp_path / "garden.md"
    document.write_bytes(b"# Garden\x1b[1m Club\x1b[0m\n\n## Meet\x07ings\n\n"
                         b"The club meets\x1b[31m on Tuesdays\x1b[0m in the hall\x07 at nine.\n")
    draft = kb_ops.prepare_import(tiny_config.with_knowledge(tmp_path / "kb"), document)
    assert draft.source.title == "Garden Club"
    assert [(p.section, p.text) for p in draft.passages] == [("Meetings", "The club meets on Tuesdays in the hall at nine.")]


@pytest.mark.parametrize("name", ["NEWS.md", "NEWS.md.gz"])
def test_a_document_without_a_title_is_cited_by_its_file_name(tmp_path, name):
    # Every such source was 'Untitled document', so their citations could not be told apart.
    import gzip

    from bot.kb.importing import draft_passages

    text = b"The club meets on Tuesdays in the community hall.\n\nMembership costs 25 euros a year.\n"
    path = tmp_path / name
    path.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    source, passages, _ = draft_passages(path, "news")
    assert source.title == "NEWS.md" and len(passages) == 2


def _two_readmes(tiny_config, tmp_path):
    """A config on an empty knowledge folder and two documents both named README.md, as Debian ships them."""
    config = tiny_config.with_knowledge(tmp_path / "kb")
    first, second = tmp_path / "a" / "README.md", tmp_path / "b" / "README.md"
    for path, fact in ((first, "The garden club meets on Tuesdays."), (second, "The chess club meets on Fridays.")):
        path.parent.mkdir()
        path.write_text(f"# {path.parent.name}\n\n{fact}\n", encoding="utf-8")
    return config, first, second


def test_two_documents_with_the_same_file_name_are_both_kept(tiny_config, tmp_path):
    # Debian's READMEs: after '--source-id' as told, the second was refused again ('rename the document').
    from bot.kb import importing as kb_ops
    from bot.kb.load import load_knowledge

    config, first, second = _two_readmes(tiny_config, tmp_path)
    kb_ops.save_import(config, kb_ops.prepare_import(config, first), first)
    kb_ops.save_import(config, kb_ops.prepare_import(config, second, "chess"), second)
    sources = load_knowledge(tmp_path / "kb").sources
    assert sources["readme"].document == "sources/README.md" and sources["chess"].document == "sources/chess-README.md"
    assert (tmp_path / "kb" / "sources" / "README.md").read_bytes() == first.read_bytes()
    assert (tmp_path / "kb" / "sources" / "chess-README.md").read_bytes() == second.read_bytes()


def test_an_import_whose_document_name_was_taken_meanwhile_is_refused_not_pointed_at_the_other(tiny_config, tmp_path):
    # Two imports prepared at once both chose sources/README.md; the second saved a source citing the first's file.
    from bot.errors import PassageRejected
    from bot.kb import importing as kb_ops

    config, first, second = _two_readmes(tiny_config, tmp_path)
    drafts = kb_ops.prepare_import(config, first), kb_ops.prepare_import(config, second, "chess")
    kb_ops.save_import(config, drafts[0], first)
    with pytest.raises(PassageRejected, match="appeared meanwhile"):
        kb_ops.save_import(config, drafts[1], second)
    assert not (tmp_path / "kb" / "passages" / "chess.yaml").exists()


@pytest.mark.parametrize("command", ["import", "split"])
@pytest.mark.parametrize("text", ["", "\n\n   \n"])
def test_an_empty_document_is_refused_by_split_as_by_import(tiny_kb, tmp_path, capsys, command, text):
    # 'kb split' of an empty file printed a source with 'passages: []' and exited 0, where import said why it stopped.
    from bot.cli.main import run

    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in (tiny_kb / "passages").iterdir())
    assert run(["--knowledge", str(tiny_kb), "kb", command, str(path), *(["--yes"] if command == "import" else [])]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == f"Error: {path}: no passages found in the document (is it empty?)"
    assert sorted(p.name for p in (tiny_kb / "passages").iterdir()) == before


@pytest.mark.parametrize("name, content, why", [
    ("headings.md", "# Notes\n\n## Meetings\n\n## Members\n", "it has headings, code or links but no sentences under them"),
    ("scan.pdf", None, "its pages hold no text: a scanned PDF is pictures of text, which needs OCR first")])
def test_a_document_without_sentences_says_why_it_gave_no_passages(tiny_kb, tmp_path, capsys, name, content, why):
    # Both were told 'is it empty?': a scan shows its text in a viewer, and a file of headings is not empty.
    from bot.cli.main import run
    from test_kb_split_pdf import tiny_pdf

    path = tmp_path / name
    path.write_bytes(tiny_pdf([[]]) if content is None else content.encode())
    assert run(["--knowledge", str(tiny_kb), "kb", "split", str(path)]) == 1
    assert capsys.readouterr().err.strip() == f"Error: {path}: no passages found in the document ({why})"


def test_a_document_imported_again_under_any_name_or_id_is_refused_and_nothing_is_doubled(tmp_path, monkeypatch, capsys):
    # The second import said "a source 'notes' already exists (choose another with --source-id)", and following
    # that advice, or importing a copy under another name, saved every passage a second time.
    from bot.cli.main import run

    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    kb, document = tmp_path / "kb", tmp_path / "notes.md"
    document.write_text("# Notes\n\nThe river floods every spring when the snow melts.\n", encoding="utf-8")
    copy = tmp_path / "copy-of-notes.md"
    copy.write_bytes(document.read_bytes())
    assert run(["--knowledge", str(kb), "kb", "import", str(document), "--yes"]) == 0
    capsys.readouterr()
    files = sorted(p.name for p in (kb / "passages").iterdir())
    for argv in ([str(document)], [str(document), "--source-id", "notes-2"], [str(copy)]):
        assert run(["--knowledge", str(kb), "kb", "import", *argv, "--yes"]) == 1
        assert capsys.readouterr().err.splitlines() == [
            f"Error: {argv[0]}: already imported as source 'notes' (the same as {kb / 'sources' / 'notes.md'}); nothing to do"]
    assert sorted(p.name for p in (kb / "passages").iterdir()) == files


def test_two_imports_of_one_document_prepared_side_by_side_save_it_once(tiny_config, tmp_path):
    # Two maintainers importing one document under two names at once: both drafts were checked before either was
    # saved, and both were saved, every passage twice.
    from bot.errors import PassageRejected
    from bot.kb import importing as kb_ops

    config = tiny_config.with_knowledge(tmp_path / "notes-kb")
    document, copy = tmp_path / "notes.md", tmp_path / "copy-of-notes.md"
    document.write_text("# Notes\n\nThe river floods every spring when the snow melts.\n", encoding="utf-8")
    copy.write_bytes(document.read_bytes())
    first, second = kb_ops.prepare_import(config, document), kb_ops.prepare_import(config, copy)
    kb_ops.save_import(config, first, document)
    with pytest.raises(PassageRejected, match="already imported as source 'notes'"):
        kb_ops.save_import(config, second, copy)
    assert sorted(p.name for p in (tmp_path / "notes-kb" / "passages").iterdir()) == ["notes.yaml"]


@pytest.mark.parametrize("command", ["import", "split"])
def test_a_document_whose_file_name_is_not_utf8_imports_under_that_name_read_as_latin1(tmp_path, monkeypatch, capsys,
                                                                                       command):
    # 'café.md' named in Latin-1 (an old archive's) ended both commands in a UnicodeEncodeError traceback: its name,
    # undecodable, went into the passages file's YAML.
    import os

    from bot.cli.main import run

    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    kb, document = tmp_path / "kb", tmp_path / os.fsdecode(b"caf\xe9.md")
    document.write_text("# Menu\n\nThe cafe serves soup every day at noon.\n", encoding="utf-8")
    assert run(["--knowledge", str(kb), "kb", command, str(document), *(["--yes"] if command == "import" else [])]) == 0
    out = capsys.readouterr().out
    assert "id: cafe\n" in out and "document: sources/café.md\n" in out
    if command == "import":
        assert (kb / "sources" / "café.md").read_bytes() == document.read_bytes()
