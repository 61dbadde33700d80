"""The review list's reads of a passage that leans on another past its first word (bot/kb/leaning.py)."""

from __future__ import annotations

import pytest

from bot.kb.leaning import later_pointer, stands_for_itself, unfinished
from bot.kb.split import split_document


@pytest.mark.parametrize("text, word", [
    # passages from the tuning documents' hand count (docs/realdocs.md) that the opening-word check missed
    ("Since this reservation is a serious restriction, these ids must be allocated on request.", "this"),
    ("If this element is not specified then the mimetype is used.", "this"),
    ("The purpose of these elements is to provide users a way to look up information.", "these"),
    ("Everyone is keen to see them merged.", "them"),
    ("In that system, each user has a group of their own.", "in that"),
    ("Second, it allows the database to be used for other purposes.", "second"),
    ("But these uses are rare.", "but"),
    ("Note that this doesn't indicate the user's preferred application.", "note that this"),
    # the second round (docs/realdocs.md): past a label, a place in a list, 'instead', 'also', "each"/"the default"
    ("disk: But these uses I've found on my systems seem to preclude doing that easily.", "but"),
    ("users: In that system, each user is a member of the 'users' group.", "in that"),
    ("-files0-from file: Finally, the seek position within the named file is also unspecified.", "finally"),
    ("When using the first two formats, gunzip checks a 32 bit CRC.", "the first two"),
    ("The former only matches empty files, the latter matches files from 0 to 1,048,575 bytes.", "the former"),
    ("You can use an alias or script instead.", "instead"),
    ("If you have appropriate privileges, it also preserves the file's owner and group.", "it also"),
    ("Each element has a type attribute giving the MIME type that it describes.", "each element"),
    ("The default weight value is 50, and the maximum is 100.", "the default weight value"),
])
def test_a_pointer_in_the_first_clause_or_a_step_opener_is_found(text, word):
    assert later_pointer(text) == word


@pytest.mark.parametrize("text", [
    "Multiple compressed files can be concatenated. In this case, gunzip will extract all members at once.",
    "A platform with recent POSIX support should be sufficient (please report any violation to this rule).",
    "Permission is granted to make verbatim copies of this manual.",
    "Chapter 1. Introduction: this is a work in progress.",  # the heading it leans on is in front of it
    "-k --keep: keep (don't delete) input files during compression or decompression.",
    "gzip reduces the size of the named files using Lempel-Ziv coding.",
    # near misses of the second round's reads
    "postgres: Postgresql databases are owned by this user and group.",  # 'this' past a label is the label
    "-printf format %Ak S: Second (00.00 .. 61.00). There is a fractional part.",  # a noun, not a step
    "Autotools (for POSIX systems): then you can install the library: make install",  # the heading's own steps
    "-follow: The -follow option affects only those tests which appear after it on the command line.",
    "Please include all of the following items, the first three of which can be obtained from gcc -v: the system type;",
    "The -d option is supported for BSD systems, but you should use the POSIX-compliant option -depth instead.",
    "-follow: Deprecated; use the -L option instead.",
    "When writing compressed data to a tape, it is generally necessary to pad the output with zeroes.",
    "If the compressed file name is too long for its file system, gzip truncates it.",
    "Each application that wishes to contribute to the MIME database will install a single XML file.",
    "Each mime-type node may contain any combination of the following elements, and in any order.",
    "The default value of the weight attribute is 50.",
    "Each application provides only a single XML source file, which is installed in the packages directory.",
])
def test_a_pointer_inside_its_own_sentence_or_after_a_label_is_not(text):
    assert later_pointer(text) == ""


def test_this_document_and_an_it_that_stands_for_what_follows_lean_on_nothing():
    assert stands_for_itself("This document describes the users and groups of a Debian system.")
    assert stands_for_itself("It must be possible to install applications without root access.")
    assert stands_for_itself("It is also useful to store the information in one place.")
    assert not stands_for_itself("It returns the number of bytes read.")
    assert not stands_for_itself("It is the last rule that your code violates.")  # which rule: the passage before
    assert not stands_for_itself("This step serves several purposes.")


def test_the_review_list_names_them_and_no_longer_names_the_document_itself():
    doc = ("# Groups\n\nThis document lists the groups of the system.\n\n"
           "The staff group lets users add local changes without root. Since this group is powerful, "
           "its members must be trusted.\n\nIf this element is missing, the default applies.\n")
    reviews = {p.text: p.review for p in split_document(doc, "md").passages}
    assert reviews["This document lists the groups of the system."] == ""
    assert next(r for t, r in reviews.items() if t.startswith("If this element")) == (
        "'this' leans on what comes before it: say what it means")


@pytest.mark.parametrize("text, why", [
    ('The output file contains the following: <?xml version="1.0"?> <mime-type type="text/x-diff"> <!--Created '
     'automatically by update-mime-database.', "cut inside an example"),
    ("DO NOT EDIT!--> <comment>Differences between files</comment> ... </mime-type>", "cut inside an example"),
    ('Here is an example: <match type="string" offset="0" value="Common subdirectories:', "cut inside an example"),
    ("55:text/x-diff:*.patch 50:text/x-diff:*.diff ...", "ends with '...'"),
    ("adm: Wouldn't hurt to rename it 'log' either \u2026", "ends with '...'"),
    ("The format of the generated files is explained in the following sections.", "points to what follows"),
    ("-Olevel: The optimisations performed at each optimisation level are as follows.", "points to what follows"),
    ("backup: Presumably so backup/restore responsibilities can be delegated to someone without root?", "only asks"),
    ("backup: HELP: Is that right? Amanda reportedly uses this, details?", "only asks"),
])
def test_an_example_cut_a_pointer_to_what_follows_or_a_question_only_is_unfinished(text, why):
    assert unfinished(text).startswith(why)


@pytest.mark.parametrize("text", [
    "To extract a zip file with a single member, use a command like 'gunzip <foo.zip' or 'gunzip -S .zip foo.zip'.",
    "<!--Created automatically--> <comment>Differences between files</comment>",  # the example whole
    "To change it, choose Edit --> Preferences and pick another font.",  # a menu path, not a comment's end
    "Please send mail to <base-passwd@packages.debian.org> if you have more information.",
    "ok... maybe I missed something.. I haven't really kept up with the latest in C++ news.",
    "If you think you have found a bug (see below \"How to report a bug\"), report it upstream.",
    "Unknown elements are described below in a table: name, type and default.",  # something follows
    "bin: HELP: No files are owned by user or group bin. What good are they? Historically they owned binaries.",
    "file already exists; do you wish to overwrite (y or n)?: Respond \"y\" if you want the output file replaced.",
    "Lines beginning with '#' are comments and should be ignored.",
])
def test_a_whole_example_a_pointer_with_its_content_or_a_question_answered_is_not(text):
    assert unfinished(text) == ""


def test_the_review_list_names_a_cut_example_each_element_and_a_question_only():
    doc = ('The update tool makes one file per type, containing the following: <?xml version="1.0" encoding="utf-8"?> '
           '<mime-type xmlns="http://www.example.org/standards/shared-info" type="text/x-diff"> <!--Created '
           'automatically by the update tool. DO NOT EDIT!--> <comment>Differences between files</comment> and the '
           'rest of the type as it was given in the source files.\n\nEach element has a type attribute.\n\n'
           'Each element that has no type attribute is read as text.\n\nPresumably so it can be delegated?\n')
    reviews = [p.review.split(":")[0] for p in split_document(doc, "txt").passages]
    assert reviews == ["cut inside an example (its markup is opened or closed in another passage)"] * 2 + [
        "'each element' leans on what comes before it", "", "only asks a question"]


def test_a_there_that_says_something_exists_and_this_program_lean_on_nothing():
    # find(1)'s BUGS and file(1)'s HISTORY and COPYRIGHT were flagged as leaning on what came before
    for text in ["There are security problems inherent in the behaviour that the POSIX standard specifies for find.",
                 "There has been a file command in every UNIX since at least Research Version 4.",
                 "This program, based on the System V version, was written by Ian Darwin.",
                 "This is free software: you are free to change and redistribute it."]:
        assert stands_for_itself(text) and later_pointer(text) == "", text
    # zlib_how: 'other' values than the ones named before, and checking 'here', still lean on the passage before
    assert not stands_for_itself("There are other values of the flush parameter that are used in advanced code.")
    assert not stands_for_itself("There is no harm in checking for Z_STREAM_ERROR here, for example.")
    assert not stands_for_itself("There they found the missing files.")


def test_each_x_under_a_heading_naming_x_stands_on_its_heading():
    # the shared MIME-info spec: 'Each file may contain ...' under '2.3. The MEDIA/SUBTYPE.xml files' was flagged
    text = "Each file may contain information from multiple source files."
    assert later_pointer(text, "2.3. The MEDIA/SUBTYPE.xml files") == ""
    assert later_pointer(text, "2.2. The source XML elements") == "each file"
    assert later_pointer("The default weight value is 50.", "Weight values") == ""
    assert later_pointer("Each element has a type attribute.", "2.2. The source XML files") == "each element"
