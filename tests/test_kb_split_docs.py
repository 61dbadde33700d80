"""Real documents from Debian packages (tests/fixtures/docs, with their licences): passages and sections as
checked by hand, no navigation or code, options with their descriptions, no half-sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.documents import kind_of, read_document
from bot.kb.model import MAX_TEXT_CHARS
from bot.kb.split import split_document

DOCS = Path(__file__).parent / "fixtures" / "docs"
MAN_HEADINGS = {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "AUTHOR", "SEE ALSO", "BUGS", "ENVIRONMENT"}


def split(name: str):
    path = DOCS / name
    return split_document(read_document(path), kind_of(path))


def pairs(draft) -> list[tuple[str, str]]:
    return [(p.section, p.text) for p in draft.passages]


@pytest.mark.parametrize("name", ["libxml2-README.md", "users-and-groups.html", "gzip.1.gz", "gzip-rendered.txt",
                                  "base-files-README.txt", "gcc-README.Bugs.txt", "find.1.gz",
                                  "shared-mime-info-spec.pdf", "zstd-README.md", "dpkg-rootless-builds.txt",
                                  "file.1.gz", "zlib-how.html"])
def test_every_passage_loads_and_none_is_half_a_sentence(name):
    draft = split(name)
    assert draft.passages and all(len(p.text) <= MAX_TEXT_CHARS for p in draft.passages)
    # A hard-wrapped line cut off mid-sentence ends in a word such as these.
    assert not [p.text for p in draft.passages if p.text.rsplit(" ", 1)[-1] in ("the", "that", "a", "of", "and", "to")
                and not p.text.endswith("; and")]  # a list's last but one item ('the compiler output ...; and')
    assert not [p.text for p in draft.passages if p.text.strip(" :").upper() in MAN_HEADINGS]


def test_markdown_readme():
    draft = split("libxml2-README.md")
    assert draft.title == "libxml2"
    assert list(dict.fromkeys(p.section for p in draft.passages)) == [
        "libxml2", "License", "Build instructions", "Autotools (for POSIX systems like Linux, BSD, macOS)",
        "CMake (mainly for Windows)", "Dependencies", "Contributing", "Authors"]
    found = pairs(draft)
    for expected in [
        ("libxml2", "libxml2 is an XML toolkit implemented in C, originally developed for the GNOME Project."),
        ("License", "License: this code is released under the MIT License, see the Copyright file."),
        ("CMake (mainly for Windows)", "You can also open the libxml source directory with its CMakeLists.txt "
                                       "directly in various IDEs such as CLion, QtCreator, or Visual Studio."),
        ("Dependencies", "However, if found at configuration time, libxml will detect and use the following libraries: "
                         "liblzma, another compression library."),  # an item finishing its list's introduction
        ("Authors", "Authors: Nick Wellnhofer"),
    ]:
        assert expected in found
    for expected in [  # a command goes with the sentence introducing it; a commented option list, one term a line
        ("Autotools (for POSIX systems like Linux, BSD, macOS)",
         "Then you can configure and build the library: ./configure [possible options]; make"),
        ("CMake (mainly for Windows)", "-D BUILD_SHARED_LIBS=OFF: build static libraries"),
    ]:
        assert expected in found


def test_html_document():
    draft = split("users-and-groups.html")
    assert draft.title == "Users and Groups in the Debian System"
    assert list(dict.fromkeys(p.section for p in draft.passages)) == [
        "Users and Groups in the Debian System", "Chapter 1. Introduction", "Chapter 2. Users and Groups"]
    found = pairs(draft)
    assert not [t for _, t in found if "Table of Contents" in t or t.startswith("1. Introduction")]
    for expected in [
        ("Users and Groups in the Debian System", "Copyright \u00a9 2001, 2002 Joey Hess"),  # not under a name
        ("Chapter 1. Introduction", "The Debian base-passwd package contains the master versions of /etc/passwd "
                                    "and /etc/group."),
        ("Chapter 2. Users and Groups", "root: Root is (typically) the superuser."),
        ("Chapter 2. Users and Groups", "dip: The group's name stands for \"Dialup IP\"."),
        ("Chapter 2. Users and Groups", "nobody, nogroup: If root-squashing is in use over NFS, root access from the "
                                        "client is performed as user nobody on the server."),
    ]:
        assert expected in found


@pytest.mark.parametrize("name", ["gzip.1.gz", "gzip-rendered.txt"])
def test_manual_page_source_and_rendered(name):
    draft = split(name)
    assert draft.title == "gzip, gunzip, zcat - compress or expand files"
    sections = list(dict.fromkeys(p.section for p in draft.passages))
    assert sections[:4] == ["NAME", "DESCRIPTION", "OPTIONS", "ADVANCED USAGE"] and "SYNOPSIS" not in sections
    found = pairs(draft)
    for expected in [
        ("OPTIONS", "-k --keep: Keep (don't delete) input files during compression or decompression."),
        ("OPTIONS", "-c --stdout --to-stdout: Write output on standard output; keep original files unchanged."),
        ("OPTIONS", "-l --list: The crc is given as ffffffff for a file not in gzip format."),
        ("DESCRIPTION", "The gzip command reduces the size of the named files using Lempel-Ziv coding (LZ77)."),
        ("ADVANCED USAGE", "Multiple compressed files can be concatenated. In this case, gunzip will extract all "
                           "members at once."),
    ]:
        assert expected in found
    options = [t for s, t in found if s == "OPTIONS"]
    assert len(options) >= 30 and all(t.startswith("-") for t in options)  # each option with its description
    assert ("OPTIONS", "-l --list: To get the uncompressed size for such a file, you can use: zcat file.Z | wc -c"
            ) in found  # an example, with the sentence introducing it


def test_hard_wrapped_plain_text():
    draft = split("base-files-README.txt")
    assert draft.title == "Frequently Asked Questions about base-files"
    assert list(dict.fromkeys(p.section for p in draft.passages)) == [
        "Questions about /etc/issue and /etc/debian_version", "Other questions"]
    found = pairs(draft)
    for expected in [
        # A question stays with the statement it asks about, and an answer with its question.
        ("Questions about /etc/issue and /etc/debian_version",
         'Q. I upgraded my system to the unstable distribution and now my /etc/issue says "trixie/sid". Should it '
         'not read "sid" or "unstable"? A. That would be nice, but it is not possible because of the way the testing '
         'distribution works.'),
        ("Questions about /etc/issue and /etc/debian_version",
         "Q. Why \"trixie/sid\" and not \"testing/unstable\" as it used to be? A. The codename is a little bit more "
         "informative, as the meaning of \"testing\" changes over time."),
        ("Other questions", "The files installed by base-files are just defaults."),
        ("Other questions", "Note 2: The file /etc/nsswitch.conf has been moved to libc-bin."),
    ]:
        assert expected in found


def test_gcc_bugs_quotes_lose_their_markers_and_short_items_stay_whole():
    found = pairs(split("gcc-README.Bugs.txt"))
    standard = 'g++: g++ causes passing non const ptr to ptr to a func with const arg to cause an error (not a bug)'
    for expected in [
        (standard, 'Answer from "Martin v. Loewis" <martin@loewis.home.cs.tu-berlin.de>: ok... maybe I missed '
                   "something.. I haven't really kept up with the latest in C++ news."),
        (standard, "The n-tuple of cv-qualifiers after the first in a pointer type, e.g., cv(1,1) , cv(1,2) , ... , "
                   "cv(1,n) in the pointer type T1, is called the cv-qualification signature of the pointer type."),
        (standard, "An expression of type T1 can be converted to type T2 if and only if the following conditions are "
                   "satisfied: the pointer types are similar."),
        ("What we do not want", "Bugs in releases or snapshots of GCC not issued by the GNU Project. Report them to "
                                "whoever provided you with the release"),
        ("C++ exceptions don't work with C libraries",
         "Your main options are to: Don't use callbacks, or at least don't throw through them."),
    ]:
        assert expected in found
    assert not [text for _, text in found if " # " in text or " > C++" in text or text.startswith(("#", ">"))]
    assert ("Before reporting a bug, please", "Try to reproduce the bug with a current GCC development snapshot. You "
            "usually can get a recent development snapshot from the gcc-snapshot package in the unstable (or "
            "experimental) distribution. See: http://packages.debian.org/gcc-snapshot") in found  # its own paragraph


def test_mime_spec_requirements_say_they_are_requirements():
    # 'There are two important requirements ...:' was dropped: no item finishes its sentence, each is one of its own.
    found = pairs(split("shared-mime-info-spec.pdf"))
    intro = "There are two important requirements for the way the MIME database is stored: "
    for item in ["Applications must be able to extend the database in any way when they are installed, to add both "
                 "new rules for determining type, and new information about specific types.",
                 "It must be possible to install applications in /usr, /usr/local and the user\u2019s home directory "
                 "(in the normal Unix way) and have the MIME information used."]:
        assert ("2.1. Directory layout", intro + item) in found


def test_rootless_builds_fields_and_nested_items_stand_alone():
    # issue 14: 'Status: recommendation, stable: version: 1.0' was one passage under the heading 'Status: ...', and
    # the sub-items under 'If "no", ...' and '<implementations-keywords> ...' got the outer list's introduction.
    found = pairs(split("dpkg-rootless-builds.txt"))
    title = "Supporting rootless builds"
    assert found[:2] == [(title, "Status: recommendation, stable"), (title, "Version: 1.0")]
    assert ("Specification", 'If "no", then "debian/rules binary" will not require root at all (not even fakeroot). '
            'If the "no" keyword is used, it MUST be the only keyword in that field and MUST appear exactly once.'
            ) in found
    keywords = [t for _, t in found if t.startswith("<implementations-keywords> will be a space separated list")]
    assert len(keywords) == 3  # each of its three sub-items behind it (the item has the list's introduction)
    assert not [t for _, t in found if t.startswith("The case sensitive values are defined as: Keywords")]


def test_zlib_how_listing_introduction_does_not_join_the_paragraph_after_the_listing():
    found = pairs(split("zlib-how.html"))
    assert ("zlib Usage Example", "Without further adieu, here is the program zpipe.c:") in found
    assert ("zlib Usage Example", "We now include the header files for the required definitions.") in found


def test_review_list_spares_passages_that_stand_alone_and_keeps_those_that_lean():
    reviews = {p.text: p.review for name in ("find.1.gz", "file.1.gz", "shared-mime-info-spec.pdf", "zlib-how.html")
               for p in split(name).passages}
    for spared in ["Each file may contain information from multiple source files.",
                   "There has been a file command in every UNIX since at least Research Version 4 (man page dated "
                   "November, 1973).",
                   "This is free software: you are free to change and redistribute it. There is NO WARRANTY, to the "
                   "extent permitted by law."]:
        assert reviews[spared] == ""
    assert reviews["There are other values of the flush parameter that are used in more advanced applications."]
    assert reviews["Each element has a type attribute giving the MIME type that it describes."]
