"""Plain text: hard-wrapped lines joined into paragraphs, headings found by their shape (Setext included)."""

from __future__ import annotations

from bot.kb.split import split_document
from bot.kb.split_text import read_plain, unquoted

WRAPPED = """\
Cache Module
============

Overview
--------

The module can optionally operate with a private cache that
is kept in memory between requests, so repeated lookups of the
same key are answered without reading the disk again.

  * Entries expire after ten minutes unless they are read
    again before that.
  * The cache holds at most 512 entries.

    cache --clear --all
    cache --stats

Limits
~~~~~~

Keys longer than 250 bytes are refused with an error.
"""


def test_hard_wrapped_lines_become_paragraphs_and_setext_titles_headings():
    outline = read_plain(WRAPPED)
    assert outline.title == "Cache Module"
    assert [(b.section, b.kind, b.text) for b in outline.blocks] == [
        ("Overview", "para", "The module can optionally operate with a private cache that is kept in memory between "
                             "requests, so repeated lookups of the same key are answered without reading the disk again."),
        ("Overview", "item", "Entries expire after ten minutes unless they are read again before that."),
        ("Overview", "item", "The cache holds at most 512 entries."),
        ("Overview", "code", "cache --clear --all\ncache --stats"),  # no sentence introduces it: no passage
        ("Limits", "para", "Keys longer than 250 bytes are refused with an error."),
    ]


def test_unwrapped_text_keeps_each_line_a_paragraph():
    long_line = "The first paragraph is written on one long line, as editors that wrap softly save it, " * 2
    text = f"Notes\n\n{long_line.strip()}\nA second paragraph follows on the next line without a blank line.\n"
    assert [b.text for b in read_plain(text).blocks] == [
        long_line.strip(), "A second paragraph follows on the next line without a blank line."]


def test_a_bulleted_line_ending_in_a_colon_names_the_part_that_follows():
    text = "FAQ\n\n* Questions about upgrades:\n\nQ. Why is the file not replaced on upgrade?\n"
    draft = split_document(text)
    assert [(p.section, p.text) for p in draft.passages] == [
        ("Questions about upgrades", "Q. Why is the file not replaced on upgrade?")]


def test_no_line_of_a_wrapped_paragraph_is_a_passage_of_its_own():
    texts = [p.text for p in split_document(WRAPPED).passages]
    assert not any(t.endswith(("that", "the", "read")) for t in texts)
    assert not any("cache --" in t for t in texts)  # the indented command lines are an example


def test_one_long_pasted_line_leaves_a_wrapped_text_wrapped():
    # GCC's README.Bugs quotes a 104-character compiler message: its paragraphs were cut into one passage a line.
    paragraph = ["Please report bugs found in the packaging of GCC to the Debian bug tracking",
                 "system. See the web site for instructions (or use the reportbug script)."] * 6
    message = "const.cc:7: passing char ** as argument 1 of test(const char **) adds cv-quals without intervening const"
    outline = read_plain("\n".join(paragraph) + "\n\n" + message + "\n")
    assert outline.blocks[0].text.count("Please report") == 6  # one paragraph, its lines joined
    lines = ["The first paragraph is written on one long line, as editors that wrap softly save it, " * 2] * 3
    assert len(read_plain("\n".join(lines) + "\nA short line.\n").blocks) == 4  # most lines long: each one a paragraph


def test_numbered_lines_shaped_as_headings_are_headings():
    text = ("1. Introduction\n1.1. Version\nThis is version 0.21 of the specification.\n"
            "1.2. What is this spec?\nMany programs use the MIME system.\n")
    outline = read_plain(text, wrapped=True)
    assert [(b.section, b.text) for b in outline.blocks] == [
        ("1.1. Version", "This is version 0.21 of the specification."),
        ("1.2. What is this spec?", "Many programs use the MIME system.")]
    steps = read_plain("Install it:\n1. Download the archive\n2. Unpack it\n", wrapped=True)
    assert [b.kind for b in steps.blocks] == ["para", "item", "item"]  # a numbered list stays a list


def test_a_short_finished_line_ends_a_list_item_sharing_the_paragraphs_margin():
    # A PDF's items and paragraphs share one margin: the paragraph after a list went into its last item.
    full = "It must be possible to install applications in /usr, /usr/local and the home directory (in the"
    text = (f"There are two requirements:\n\u2022 {full}\nnormal Unix way) and have it used.\n"
            f"This specification uses the XDG Base Directory Specification to define the prefixes below\n"
            f"which the database is stored, for every directory in the list.\n")
    blocks = read_plain(text, wrapped=True).blocks
    assert [(b.kind, b.text.split()[-1]) for b in blocks] == [("para", "requirements:"), ("item", "used."),
                                                              ("para", "list.")]


def test_code_and_urls_name_no_section_and_a_wrapped_setext_title_is_whole():
    # GCC's README.Bugs: '        try {' before a capitalised line, '#include <iostream>' and
    # '  See: http://...' alone were taken for headings, and C at the margin became passages.
    text = """\
C++ exceptions don't work with C libraries
------------------------------------------

Mostly trying to throw an exception in a callback function. Example:

    int main()
    {
        try {
            SortCondition(NULL,NULL);
        } catch (A) {}
}

  See: http://packages.debian.org/gcc-snapshot

#include <iostream>

int main(void)
{
  return 0;
}

The C compiler does support exceptions, you just have to turn them on.

g++: g++ causes passing non const ptr to ptr to a func with const arg
     to cause an error (not a bug)
---------------------------------------------------------------------

This is not a bug in the compiler.
"""
    outline = read_plain(text)
    assert {b.section for b in outline.blocks} == {
        "C++ exceptions don't work with C libraries",
        "g++: g++ causes passing non const ptr to ptr to a func with const arg to cause an error (not a bug)"}
    assert not [b.text for b in outline.blocks if b.kind != "code" and ("return 0" in b.text or "#include" in b.text)]


def test_a_class_at_the_margin_is_code_though_some_lines_end_in_words():
    run = ["class Test", "{", "  public:", "    Test(const char *q);", "  protected:", "    static const int n = 4;",
           "};"]
    assert [b.kind for b in read_plain("Example.\n\n" + "\n".join(run) + "\n").blocks] == ["para", "code"]
    assert [b.kind for b in read_plain("Results (see the table)\nwere good, and the rest\nfollowed; in time.\n"
                                       "It ended there.\n").blocks] == ["para"]  # prose, though lines end in ) , ;


def test_a_block_quoted_with_the_same_marker_on_every_line_is_read_without_it():
    # GCC's README.Bugs: an e-mail reply quoted with '> ' and the C++ standard quoted with '# ' kept their markers
    # in mid-passage ('... the latest in > C++ news.'); '#include' lines and a lone '# Title' are left alone.
    text = """\
> ok... maybe I missed something.. I haven't really kept up with the latest in
> C++ news.

# A conversion can add cv-qualifiers at levels other than the first in
# multi-level pointers, subject to the following rules:
#
#  - the pointer types are similar.

#include <stdio.h>
#include <tcl.h>

# apt-get install gcc
# make check
"""
    assert unquoted(text) == """\
ok... maybe I missed something.. I haven't really kept up with the latest in
C++ news.

A conversion can add cv-qualifiers at levels other than the first in
multi-level pointers, subject to the following rules:

 - the pointer types are similar.

#include <stdio.h>
#include <tcl.h>

# apt-get install gcc
# make check
"""  # root's commands hold no sentence's end: not a quotation
    blocks = read_plain(text).blocks
    assert [(b.kind, b.text) for b in blocks[:3]] == [
        ("para", "ok... maybe I missed something.. I haven't really kept up with the latest in C++ news."),
        ("para", "A conversion can add cv-qualifiers at levels other than the first in multi-level pointers, subject "
                 "to the following rules:"),
        ("item", "the pointer types are similar.")]
    assert unquoted("# Title\n\nText.\n") == "# Title\n\nText.\n"


def test_a_footnote_standing_alone_is_no_heading():
    # dpkg's triggers.txt: '[1] can be specified explicitly by --triggers or --no-triggers' under a table was read
    # as a heading, and every passage down to the next heading cited it as their section.
    text = ("Command line\n============\n\nMost commands process the triggers when they finish, usually [1].\n\n"
            "[1] can be specified explicitly by --triggers or --no-triggers\n\n"
            "A trigger may be activated explicitly with the dpkg-trigger program.\n")
    assert {b.section for b in read_plain(text).blocks} == {"Command line"}


def test_an_indented_line_after_an_introduction_is_its_example():
    # dpkg's rootless-builds.txt: 'We add a new field to the "Source" stanza of debian/control:' over the two-space
    # indented 'Rules-Requires-Root: no | ...' made that line a heading, and the sentence introducing it was lost.
    text = ("Specification\n-------------\n\nWe add a new field to the Source stanza:\n\n"
            "  Rules-Requires-Root: no | binary-targets\n\nThe field is optional.\n\n  CENTRED TITLE\n\nMore text.\n")
    blocks = read_plain(text).blocks
    assert [(b.section, b.kind, b.text) for b in blocks[:3]] == [
        ("Specification", "para", "We add a new field to the Source stanza:"),
        ("Specification", "code", "Rules-Requires-Root: no | binary-targets"),
        ("Specification", "para", "The field is optional.")]
    assert blocks[-1].section == "CENTRED TITLE"  # with no introduction before it, an indented line may still head
    passages = [p.text for p in split_document(text, "text").passages]
    assert "We add a new field to the Source stanza: Rules-Requires-Root: no | binary-targets" in passages


def test_consecutive_label_lines_are_facts_of_their_own_not_a_heading_and_its_line():
    # dpkg's rootless-builds.txt: 'Status: recommendation, stable' became a heading, and the passage under it read
    # 'Status: recommendation, stable: version: 1.0'.
    doc = ("Supporting rootless builds\n==========================\n\nStatus: recommendation, stable\nVersion: 1.0\n\n"
           "Background\n----------\n\nDebian packages have required (fake)root privileges for some targets.\n")
    assert [(p.section, p.text) for p in split_document(doc).passages] == [
        ("Supporting rootless builds", "Status: recommendation, stable"),
        ("Supporting rootless builds", "Version: 1.0"),
        ("Background", "Debian packages have required (fake)root privileges for some targets.")]
    # one such line alone is still a heading; a sentence with a colon in it is no field
    outline = read_plain("Status: draft\n\nIt works.\n\nNote: this is a sentence.\nIt goes on here.\n")
    assert outline.title == "Status: draft"
    assert [b.kind for b in outline.blocks] == ["para", "para"]


def test_a_paragraph_indented_under_a_list_item_is_more_of_that_item():
    # GCC's README.Bugs: '  See: http://packages.debian.org/gcc-snapshot' under its item became a passage of its own,
    # 'Before reporting a bug, please: see: http://...', with the heading in front instead of the item.
    doc = ("Reporting Bugs\n==============\n\nBefore reporting a bug, please\n------------------------------\n\n"
           "- Try to reproduce the bug with a current snapshot. You can get one\n  from the gcc-snapshot package.\n\n"
           "  See: http://packages.example.org/gcc-snapshot\n\n- Check the list of known bugs.\n\n"
           "The maintainers read every report.\n")
    blocks = read_plain(doc).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("item", "Try to reproduce the bug with a current snapshot. You can get one from the gcc-snapshot package. "
                 "See: http://packages.example.org/gcc-snapshot"),
        ("item", "Check the list of known bugs."),
        ("para", "The maintainers read every report.")]  # at the margin: a paragraph of its own


def test_a_question_and_its_answer_and_a_sloppy_indent_are_not_fields_or_nesting():
    # 'Q: ...?' / 'A: ...' stay one paragraph, the question with its answer
    assert [b.text for b in read_plain("Q: How do I build it?\nA: Run make in the top folder.\n").blocks] == [
        "Q: How do I build it? A: Run make in the top folder."]
    # an item one column further in than the one before is its sibling; two or more columns in, nested under it
    outline = read_plain("Steps:\n\n* Unpack the archive.\n * Run the configure script.\n   - It checks the compiler.\n")
    assert [(b.text, b.depth) for b in outline.blocks if b.kind == "item"] == [
        ("Unpack the archive.", 0), ("Run the configure script.", 0), ("It checks the compiler.", 1)]


def test_an_org_mode_text_s_starred_headings_are_sections_and_no_lone_line_is_guessed_one():
    """gnupg's README (Emacs org-mode): '* INTRODUCTION' was read as a list item glued to its paragraph, '*** Apple
    ...' kept its stars, and 'You may run' (over its indented command) became a section."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "snippets" / "gnupg-README-org.txt").read_text(encoding="utf-8")
    draft = split_document(text, "txt")
    passages = [(p.section, p.text) for p in draft.passages]
    assert draft.title == "The GNU Privacy Guard 2"
    assert passages[0][0] == "The GNU Privacy Guard 2"  # not the first copyright line, guessed to be a heading
    assert passages[1] == ("INTRODUCTION", "GnuPG is a complete and free implementation of the OpenPGP standard as "
                                           "defined by RFC4880 (also known as PGP).")
    assert ("INTRODUCTION", "You may run gpgconf --list-dirs to view the default directories used by GnuPG.") in passages
    assert {section for section, _ in passages} == {"The GNU Privacy Guard 2", "INTRODUCTION",
                                                    "Apple OSX 10.x using XCode", "DOCUMENTATION"}
    assert ("DOCUMENTATION", "An online version of the manual is available at "
                             "https://gnupg.org/documentation/manuals/gnupg/ .") in passages  # '[[url]]' is its url


def test_a_commented_footer_is_read_without_its_markers_and_emacs_file_variables_are_no_text():
    """gnupg's README ends with a '# '-commented licence notice and '# Local Variables: / # mode:org / # End:';
    the file's last newline kept the block's markers ('... gives # unlimited permission'), and the editor's
    settings were a passage."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "snippets" / "gnupg-README-footer.txt").read_text(encoding="utf-8")
    texts = [p.text for p in split_document(text, "txt").passages]
    assert not [t for t in texts if "#" in t or "Local Variables" in t or "mode:org" in t]
    assert ("This file is Free Software; as a special exception the authors gives unlimited permission to copy "
            "and/or distribute it, with or without modifications, as long as this notice is preserved.") in texts


def test_an_introduced_listing_in_two_aligned_columns_is_a_table_of_names_not_code():
    """gnupg's README: 'depends on the following GnuPG related packages:' over 'npth         (https://...)' lines was
    left out as a code example, so the question 'What does GnuPG depend on?' had no answer."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "snippets" / "gnupg-README-deps.txt").read_text(encoding="utf-8")
    texts = [p.text for p in split_document(text, "txt").passages]
    assert texts[0] == ("GnuPG 2.2 depends on the following GnuPG related packages: npth "
                        "(https://gnupg.org/ftp/gcrypt/npth/)")
    assert len([t for t in texts if t.startswith("GnuPG 2.2 depends on")]) == 5
    assert texts[5] == ("You should get the latest versions of course, the GnuPG configure script complains if a "
                        "version is not sufficient.")
    assert not [t for t in texts if "make install" in t and "(https" in t]  # the commands are not a table


def test_a_line_starting_with_a_dash_inside_an_open_parenthesis_is_no_list_item():
    """fontconfig-user.pdf's text wraps '(U+0030' / '- U+0039) and ending ...': the dash started a list item, and
    the sentence was cut in two passages."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "snippets" / "fontconfig-user-range.txt").read_text(encoding="utf-8")
    texts = [p.text for p in split_document(text, "txt").passages]
    assert ("If a directory, every ﬁle within that directory starting with an ASCII digit (U+0030 - U+0039) and "
            "ending with the string “.conf” will be processed in sorted order.") in texts


def test_a_paragraph_of_hundreds_of_thousands_of_wrapped_lines_is_read_in_linear_time():
    # Each wrapped line was joined onto the paragraph read so far, copying it: 400,000 lines (6 MB) took minutes.
    # No clock here (timings belong in benchmarks/): at 200,000 lines the quadratic join would take a quarter of
    # those minutes, so a return of it shows as the suite's slowest test by far; today it takes about a second.
    lines = 200_000
    outline = read_plain("Title\n\n" + "Short line here.\n" * lines, wrapped=True)
    assert [b.text for b in outline.blocks] == [" ".join(["Short line here."] * lines)]


def test_lines_in_columns_are_a_table_only_when_asked_for_a_pdf_listing():
    text = ("Flags:\n\nName     Value   Meaning\nMATCH        1   Brief information\n"
            "EDIT         4   Monitor execution\n")
    assert not [b for b in read_plain(text).blocks if b.kind == "row"]
    rows = [b.text for b in read_plain(text, tables=True).blocks if b.kind == "row"]
    assert rows == ["Name MATCH: Value 1; Meaning Brief information", "Name EDIT: Value 4; Meaning Monitor execution"]
