"""Manual pages, as roff source and as rendered text: headings are sections, never passages; options keep their
descriptions; the synopsis is left out, an example goes with the sentence introducing it or nowhere, and each row
of a tbl table is a fact."""

from __future__ import annotations

from pathlib import Path

from bot.kb.documents import read_document
from bot.kb.split import split_document
from bot.kb.split_man import is_rendered, is_roff, read_rendered, read_roff

ROFF = r""".\" Manual page for pack
.TH PACK 1 "2024-01-02" "pack 2.0"
.SH NAME
pack \- squeeze files into one archive
.SH SYNOPSIS
.B pack
[\fB\-k\fR] [\fIfile\fR ...]
.SH DESCRIPTION
.B pack
joins the named files into one archive
and compresses it.
The archive ends in
.BR .pk .
.PP
It never changes the original files.
.SH OPTIONS
.TP
.B \-k, \-\-keep
Keep the input files after packing.
.sp
This is the default when writing to standard output.
.TP
\fB\-l\fR \fIlevel\fR
Set the compression level from 1 to 9.
.nf
pack -l 9 big.txt
.fi
.SS Exit status
.IP \(bu 2
Zero means every file was packed.
.SH AUTHOR
Written by Jo Doe.
"""

RENDERED = """\
PACK(1)                     General Commands Manual                    PACK(1)

NAME
       pack - squeeze files into one archive

SYNOPSIS
       pack [-k] [file ...]

DESCRIPTION
       pack  joins  the  named  files into one archive and compresses it.  The
       archive ends in .pk.

       It never changes the original files.

OPTIONS
       -k, --keep
              Keep the input files after packing.

              This is the default when writing to standard output.

       -l level
              Set the compression level from 1 to 9.

                  pack -l 9 big.txt

   Exit status
       •      Zero means every file was packed.

AUTHOR
       Written by Jo Doe.

pack 2.0                          2024-01-02                           PACK(1)
"""

EXPECTED = [
    ("NAME", "pack - squeeze files into one archive"),
    ("DESCRIPTION", "pack joins the named files into one archive and compresses it. The archive ends in .pk."),
    ("DESCRIPTION", "It never changes the original files."),
    ("OPTIONS", "-k, --keep: Keep the input files after packing."),
    ("OPTIONS", "-k, --keep: This is the default when writing to standard output."),
    ("OPTIONS", "-l level: Set the compression level from 1 to 9."),
    ("Exit status", "Exit status: zero means every file was packed."),
    ("AUTHOR", "Written by Jo Doe."),
]


def test_roff_source_is_read_by_its_macros():
    assert is_roff(ROFF) and not is_rendered(ROFF)
    draft = split_document(ROFF, "man")
    assert draft.title == "pack - squeeze files into one archive"
    assert [(p.section, p.text) for p in draft.passages] == EXPECTED


def test_rendered_text_gives_the_same_passages_as_its_source():
    assert is_rendered(RENDERED) and not is_roff(RENDERED)
    draft = split_document(RENDERED, "txt")  # recognised by its shape, whatever the file is called
    assert draft.title == "pack - squeeze files into one archive"
    assert [(p.section, p.text) for p in draft.passages] == EXPECTED


def test_no_heading_becomes_a_block_of_its_own():
    for outline in (read_roff(ROFF), read_rendered(RENDERED)):
        assert not any(b.text.upper() in ("NAME", "SYNOPSIS", "OPTIONS", "AUTHOR", "DESCRIPTION")
                       for b in outline.blocks)
        assert not any("[file ...]" in b.text for b in outline.blocks)  # the synopsis
        assert [(b.kind, b.term, b.text) for b in outline.blocks if "big.txt" in b.text] == [
            ("code", "-l level", "pack -l 9 big.txt")]  # an example: no sentence introduces it, so no passage


def test_an_example_goes_with_the_sentence_introducing_it_in_source_and_rendered_text():
    roff = ROFF.replace("Set the compression level from 1 to 9.", "Set the compression level from 1 to 9, as in:")
    rendered = RENDERED.replace("Set the compression level from 1 to 9.", "Set the compression level from 1 to 9, as in:")
    for draft in (split_document(roff, "man"), split_document(rendered, "txt")):
        assert ("OPTIONS", "-l level: Set the compression level from 1 to 9, as in: pack -l 9 big.txt", "") in [
            (p.section, p.text, p.review) for p in draft.passages]  # ending in a command is no cut sentence


def test_hyphenated_words_at_a_line_end_are_joined_again():
    text = "NAME\n       tool - does things\n\nDESCRIPTION\n       The tool reads its configu\u2010\n       ration once.\n"
    assert [b.text for b in read_rendered(text).blocks][-1] == "The tool reads its configuration once."


def test_an_example_block_keeps_its_lines_set_in_a_font():
    roff = (".TH T 1\n.SH NAME\nt \\- tool\n.SH EXAMPLES\nTo pack every log file, run:\n.nf\n.B t \\-r /var/log\n"
            ".fi\n")
    assert [p.text for p in split_document(roff, "man").passages][-1] == "To pack every log file, run: t -r /var/log"


def test_a_line_set_apart_with_rs_is_an_example_inside_its_sentence():
    # tar(1): "... the command" / .RS / .B info tar / .RE / "should give you access ...": one sentence around it.
    roff = (".TH T 1\n.SH NAME\nt \\- tool\n.SH NOTE\nIf the manual is installed on your system, the command\n.PP\n"
            ".RS +4\n.B info t\n.RE\n.PP\nshould give you access to it.\n.PP\nIt is also online at\n.PP\n.RS +4\n"
            ".B https://example.org/t\n.RE\n.PP\nThe manual is the authority.\n.SH ENVIRONMENT\n.RS\n.TP\n.B T_MODE\n"
            "How the tool runs.\n.RE\n")
    assert [p.text for p in split_document(roff, "man").passages] == [
        "If the manual is installed on your system, the command info t should give you access to it.",
        "It is also online at https://example.org/t",
        "The manual is the authority.",
        "T_MODE: How the tool runs."]  # an .RS holding a tagged paragraph is read as before


def test_an_entry_inside_another_belongs_to_it_and_a_bare_ip_goes_on_with_the_outer_entry():
    # find(1) lists -size's suffixes as .IP entries inside .RS: "`b': for 512-byte blocks" meant nothing alone,
    # and the paragraphs after .RE (a bare .IP) lost the -size they describe.
    source = r""".TH FIND 1
.SH TESTS
.IP "\-size \fIn\fR[cbk]"
File uses n units of space.
The following suffixes can be used:
.RS
.IP `b'
for 512-byte blocks (this is the default if no suffix is used)
.IP `c'
for bytes
.RE
.IP
The size is rounded up, as
.B \-size\ \-1M
shows.
.IP \-true
Always true.
"""
    assert [(b.term, b.text) for b in read_roff(source).blocks] == [
        ("-size n[cbk]", "-size n[cbk]: File uses n units of space. The following suffixes can be used:"),
        ("-size n[cbk] `b'", "-size n[cbk] `b': for 512-byte blocks (this is the default if no suffix is used)"),
        ("-size n[cbk] `c'", "-size n[cbk] `c': for bytes"),
        ("-size n[cbk]", "-size n[cbk]: The size is rounded up, as -size -1M shows."),  # '\ ' is a space, not a gap
        ("-true", "-true: Always true."),
    ]


REQUIREMENTS = "There are two requirements for storing the database:"
ROFF_LIST = (".TH STORE 1\n.SH NAME\nstore \\- keep things\n.SH LAYOUT\n" + REQUIREMENTS + "\n.IP \\(bu 2\n"
             "Applications must be able to extend the database\nwhen they are installed.\n.IP \\(bu 2\n"
             "It must be possible to install applications in the home directory.\n")
RENDERED_LIST = f"""\
NAME
       store - keep things

LAYOUT
       {REQUIREMENTS}

       \u2022   Applications must be able to extend the database when they
           are installed.

       \u2022   It must be possible to install applications in the home directory.
"""


def test_bulleted_paragraphs_are_list_items_that_carry_their_introduction():
    # A bullet (.IP \(bu, or a rendered '•') was read as a paragraph, so the list's introduction went only to
    # the first; and a rendered bullet's wrapped line made its first line a term ('... when they: are installed.').
    for draft in (split_document(ROFF_LIST, "man"), split_document(RENDERED_LIST, "txt")):
        assert [p.text for p in draft.passages if p.section == "LAYOUT"] == [
            f"{REQUIREMENTS} Applications must be able to extend the database when they are installed.",
            f"{REQUIREMENTS} It must be possible to install applications in the home directory."]
    for outline in (read_roff(ROFF_LIST), read_rendered(RENDERED_LIST)):
        assert [b.kind for b in outline.blocks if b.section == "LAYOUT"] == ["para", "item", "item"]


def test_an_indented_paragraph_without_a_bullet_is_no_list_item():
    roff = ".TH T 1\n.SH NAME\nt \\- tool\n.SH NOTES\nThe notes are:\n.IP \"\" 4\nThe tool reads its configuration once.\n"
    assert [b.kind for b in read_roff(roff).blocks] == ["para", "para", "para"]


def test_a_line_holding_only_the_control_character_is_an_empty_request_not_a_full_stop():
    # xz(1) separates paragraphs with a lone '.': it was read as text, so its title and sentences ended in ' .'.
    source = (".TH XZ 1\n.SH NAME\nxz \\- compress .xz files\n.\n.SH DESCRIPTION\nThe limit is lower than for\n"
              ".BR \"xz \\-9\" .\n.\n'\n.PP\nIt keeps the input files.\n.\n")
    outline = read_roff(source)
    assert outline.title == "xz - compress .xz files"
    assert [b.text for b in outline.blocks] == ["xz - compress .xz files", "The limit is lower than for xz -9.",
                                                "It keeps the input files."]


def test_pod_man_verbatim_blocks_are_examples_for_the_sentence_introducing_them():
    """dpkg-divert(1), made by Pod::Man: '.Vb 1' / command / '.Ve' was read as a paragraph of its own, so each
    'To remove that diversion:' was apart from its command, and one of the two was lost as a duplicate."""
    from pathlib import Path

    roff = (Path(__file__).parent / "fixtures" / "snippets" / "dpkg-divert-examples.1").read_text(encoding="utf-8")
    texts = [p.text for p in split_document(roff, "man").passages]
    assert "To remove that diversion: dpkg-divert --rename --remove /usr/bin/example" in texts
    assert "To remove that diversion: dpkg-divert --package wibble --rename --remove /usr/bin/example" in texts
    assert not [text for text in texts if text.startswith("dpkg-divert --")]


def find_page() -> str:
    path = Path(__file__).parent / "fixtures" / "docs" / "find.1.gz"
    return read_document(path)


def test_each_row_of_a_tbl_table_is_a_fact_in_the_entry_it_sits_in():
    # find(1) lost both of its .TS tables: -newerXY's letters and the HISTORY's table of when each feature came
    found = [(p.section, p.text) for p in split_document(find_page(), "man").passages]
    letters = [t for s, t in found if s == "TESTS" and t.startswith("-newerXY reference")][:6]
    assert letters == [
        "-newerXY reference: Succeeds if timestamp X of the file being considered is newer than timestamp Y of the "
        "file reference.",  # (its 'The letters X and Y can be any of the following letters:' introduces the rows)
        "-newerXY reference a: The access time of the file reference",
        "-newerXY reference B: The birth time of the file reference",
        "-newerXY reference c: The inode status change time of reference",
        "-newerXY reference m: The modification time of the file reference",
        "-newerXY reference t: reference is interpreted directly as a time"]
    # the paragraph after the table is still the entry's
    assert ("TESTS", "-newerXY reference: Some combinations are invalid; for example, it is invalid for X to be t."
            ) in found
    history = [t for s, t in found if s == "HISTORY" and t.startswith("Feature ")]
    assert history[:2] == ["Feature -files0-from: Added in 4.9.0",
                           "Feature -newerXY: Added in 4.3.3; Also occurs in BSD"]
    assert len(history) == 26 and "Feature -exec ... +: Added in 4.2.12; Also occurs in POSIX" in history
    assert not [t for _, t in found if "Added in Also" in t or t.startswith("Feature: ")]  # the header is no passage


def test_a_table_in_the_synopsis_is_left_out_and_a_table_without_an_entry_stands_on_its_labels():
    page = (".TH X 1\n.SH NAME\nx \\- packs\n.SH SYNOPSIS\n.TS\nallbox;\nl l.\n\\fBx\\fR\t[\\fIfile\\fR]\n.TE\n"
            ".SH PRESETS\nThe presets:\n.TS\ntab(;);\nc c c\nn n n.\nPreset;DictSize;CompCPU\n\\-0;256 KiB;0\n"
            "\\-9;64 MiB;6\n.TE\n")  # xz(1)'s presets, cut to three columns
    draft = split_document(page, "man")
    assert draft.title == "x - packs" and [(p.section, p.text) for p in draft.passages] == [
        ("PRESETS", "Preset -0: DictSize 256 KiB; CompCPU 0"),
        ("PRESETS", "Preset -9: DictSize 64 MiB; CompCPU 6")]
