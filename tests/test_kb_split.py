"""The splitter: a hand-made document split as a reviewer expects, and the seed document split repeatably."""

from __future__ import annotations

import pytest
import yaml

from bot.kb.model import MAX_TEXT_CHARS
from bot.kb.split import INTRO_CHARS, split_document
from conftest import SEED_KNOWLEDGE, run_bot
from test_kb_split_pdf import tiny_pdf

DOC = """\
Guide to the Steppe

Last updated: 3 Jan. 2024

Climate

Rain is rare, e.g. Ulaanbaatar gets about 250 mm in a year. Winters are long and cold, with frost from Oct. to Apr. in most places.

Herding

Herders move their camps four times a year:

  \u2022 Nomadic herders keep horses, sheep and goats on the open grassland across the country.
  - They follow the grass from season to season and rarely stay in one place for long.
"""


def test_hand_made_document_is_split_into_sections_and_facts():
    draft = split_document(DOC)
    assert draft.title == "Guide to the Steppe"
    assert draft.date == "3 Jan. 2024"
    assert [(p.section, p.text, p.needs_review) for p in draft.passages] == [
        ("Climate", "Rain is rare, e.g. Ulaanbaatar gets about 250 mm in a year.", False),
        ("Climate", "Winters are long and cold, with frost from Oct. to Apr. in most places.", False),
        # Each item carries the list's introduction, which was dropped before: 'four times a year' was lost.
        ("Herding", "Herders move their camps four times a year: Nomadic herders keep horses, sheep and goats on the "
                    "open grassland across the country.", False),
        ("Herding", "Herders move their camps four times a year: They follow the grass from season to season and "
                    "rarely stay in one place for long.", True),  # (the review reads the item's own words)
    ]


def test_very_short_sentences_are_joined_to_a_neighbour():
    draft = split_document("Title\n\nUlaanbaatar\n\nIt grew. The capital grew fast after the railway arrived in 1949.\n")
    # Opening its section with "It", it leans on the heading: the heading is put in front.
    assert [p.text for p in draft.passages] == [
        "Ulaanbaatar: it grew. The capital grew fast after the railway arrived in 1949."]


def test_empty_document_is_a_defined_draft():
    draft = split_document("")
    assert draft.title == "Untitled document" and draft.passages == ()


@pytest.mark.slow
def test_seed_document_split_is_repeatable(tmp_path):
    source = SEED_KNOWLEDGE / "sources" / "relations-with-mongolia.txt"
    first = run_bot(["kb", "split", str(source)], tmp_path)
    second = run_bot(["kb", "split", str(source)], tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stderr == second.stderr
    data = yaml.safe_load(first.stdout)
    assert data["source"]["title"] == "Relations with Mongolia"
    assert data["source"]["date"].startswith("24 May")
    texts = [p["text"] for p in data["passages"]]
    assert len(texts) >= 20 and len(set(p["id"] for p in data["passages"])) == len(texts)
    assert all(len(t) <= MAX_TEXT_CHARS for t in texts)  # loadable as passages without editing
    # A sentence that leans on the one before ("This was renewed ...") stays in its passage.
    assert any(t.startswith("NATO and Mongolia have been engaged in dialogue and cooperation since 2005. It is one")
               for t in texts)
    assert any("Cooperation Programme. This was renewed most recently in April 2020." in t for t in texts)
    assert b"Review these passages" in first.stderr


def test_a_short_sentence_that_leans_on_its_heading_gets_the_heading_in_front():
    doc = ("# Product history\n\n## Version 2\n\nSupport ended in 2019.\n\n"
           "## Version 3\n\nVersion 3 added a plugin system for third-party exporters and importers.\n\n"
           "## Mongolia\n\nRelations were established in 1990. Trade grew steadily over the decade after that.\n\n"
           "## Daniel Brown\n\nHe wrote the first release. Brown was a student at the time of its writing.\n")
    texts = [p.text for p in split_document(doc, "md").passages]
    assert texts == [
        "Version 2: support ended in 2019.",
        # It names its heading: nothing to add.
        "Version 3 added a plugin system for third-party exporters and importers.",
        # Only the paragraph's first sentence leans on the heading; the rest follow from it.
        "Mongolia: relations were established in 1990. Trade grew steadily over the decade after that.",
        # "He" opening its section means the heading; "Brown", written capitalised mid-sentence, is a name.
        "Daniel Brown: he wrote the first release. Brown was a student at the time of its writing.",
    ]


def test_a_name_keeps_its_capital_behind_a_heading():
    doc = "# Team\n\n## Authors\n\n- Daniel Veillard\n- Nick Wellnhofer\n"
    assert [p.text for p in split_document(doc, "md").passages] == [
        "Authors: Daniel Veillard", "Authors: Nick Wellnhofer"]


def test_a_sentence_that_leans_on_the_one_before_stays_with_it():
    doc = ("Guide\n\nPrograms\n\nA reading scheme began in 2012 with ten schools across the northern provinces. "
           "It was renewed in April 2020 after a review of its first results.\n")
    assert [p.text for p in split_document(doc).passages] == [
        "A reading scheme began in 2012 with ten schools across the northern provinces. "
        "It was renewed in April 2020 after a review of its first results."]


def test_the_review_list_says_why_each_passage_needs_an_eye():
    long_sentence = ("The council, which had met every spring since the founding of the town, decided after a long "
                     "debate about roads, bridges, schools and the market square that the budget would rise") + (
                     ", and the members from the northern villages asked for a new bridge over the river") * 5 + "."
    doc = (f"Town notes\n\nCouncil\n\nThe council has nine members elected for four years.\n\n"
           f"They meet in the old hall on the market square every month of the year.\n\n{long_sentence}\n")
    passages = split_document(doc).passages
    assert len(long_sentence) > MAX_TEXT_CHARS
    assert [(p.text[:30], p.review) for p in passages] == [
        ("The council has nine members e", ""),
        ("They meet in the old hall on t", "opens with 'they', which leans on what comes before: say what it means"),
        ("The council, which had met eve",
         f"a sentence of {len(long_sentence)} characters was cut at a clause boundary: check each part reads alone"),
        (passages[3].text[:30],
         f"a sentence of {len(long_sentence)} characters was cut at a clause boundary: check each part reads alone"),
    ]
    assert all(len(p.text) <= MAX_TEXT_CHARS for p in passages)
    assert " ".join(p.text for p in passages[2:]) == long_sentence


def test_a_list_item_without_a_full_stop_is_not_named_but_one_cut_mid_sentence_is():
    doc = ("# Files\n\n## Programs\n\n"
           "- /usr/bin/pg_lsclusters: list all available clusters with their status and configuration\n"
           "- /usr/bin/pg_dropcluster: remove a cluster and its configuration files from the disk\n\n"
           "## Diagnostics\n\n"
           "- Corrupt input: The compressed file has been damaged. The data up to the point of failure can be recovered using\n\n"
           "The manual gives the rest of the steps that a user should follow after a failure of this\n")
    reviews = [p.review for p in split_document(doc, "md").passages]
    cut = "does not end like a sentence: is something missing after it?"
    assert reviews == ["", "", cut, cut]  # fragments are how lists are written; a description in sentences is not


def test_a_short_list_item_is_one_passage_and_every_item_gets_its_lists_introduction():
    # GCC's README.Bugs: 'Report them to whoever ...' was a passage of its own, and only the lower-case item of
    # 'Your main options are to:' got the introduction in front. 'What we do not want:' (a heading in the real
    # file) was dropped, as no item finishes its sentence: the items did not say they are not wanted.
    doc = ("What we do not want:\n\n"
           "  * Bugs in releases or snapshots of GCC not issued by the GNU\n"
           "    Project. Report them to whoever provided you with the release\n"
           "  * Questions about the correctness or the expected behavior of\n"
           "    certain constructs that are not GCC extensions. Ask them in\n"
           "    forums dedicated to the discussion of the programming language\n\n"
           "Your main options are to:\n"
           "  a) Don't use callbacks, or at least don't throw through them.\n"
           "  c) always use -fsjlj-exceptions (boo, bad choice :-)\n")
    passages = split_document(doc).passages
    texts = [p.text for p in passages]
    assert texts == [
        "What we do not want: Bugs in releases or snapshots of GCC not issued by the GNU Project. Report them to "
        "whoever provided you with the release",
        "What we do not want: Questions about the correctness or the expected behavior of certain constructs that "
        "are not GCC extensions. Ask them in forums dedicated to the discussion of the programming language",
        "Your main options are to: Don't use callbacks, or at least don't throw through them.",
        "Your main options are to: always use -fsjlj-exceptions (boo, bad choice :-)"]
    # The next item starts where an item ends: nothing is missing after it, full stop or not. The list's last
    # item may have lost an example after it, and is still named.
    assert [p.review for p in passages[:2]] == ["", "does not end like a sentence: is something missing after it?"]


def test_a_short_introduction_opening_its_section_goes_in_front_of_the_paragraph_it_introduces():
    # GCC's README.Bugs: 'Example:' under a heading was dropped, and the compiler output after it did not say it is one.
    text = ("Notes\n=====\n\nStatic members\n--------------\n\nAnswer from Martin Loewis:\n\n"
            "This is not a bug in the compiler, but in your code.\n\nCasts\n-----\n\nThe rules are:\n\n")
    assert [p.text for p in split_document(text).passages] == [
        "Answer from Martin Loewis: This is not a bug in the compiler, but in your code."]  # the last, no paragraph


def test_words_between_two_examples_are_no_passage():
    doc = ("# Usage\n\n## Examples\n\nThen\n\n    gzip -c a b\n\nis equivalent to\n\n    cat a b | gzip\n\n"
           "The shorter form is easier to type and to remember later.\n")
    assert [p.text for p in split_document(doc, "md").passages] == ["The shorter form is easier to type and to remember later."]


def test_a_passage_ending_in_a_colon_is_named_for_review():
    long_example = "".join(f"    ./step{n}\n" for n in range(7))  # a listing too long to go with its sentence
    doc = ("# Build\n\n## Steps\n\nThe build needs a C compiler and GNU make on the system. "
           "Then you can configure and build the library:\n\n" + long_example)
    passages = split_document(doc, "md").passages
    assert [(p.text, p.review) for p in passages] == [
        ("The build needs a C compiler and GNU make on the system.", ""),
        ("Then you can configure and build the library:",
         "ends with ':' but what follows (a list or an example) is not in it")]


def test_a_short_example_goes_with_the_sentence_introducing_it():
    doc = ("# Build\n\n## Steps\n\nThe build needs a C compiler and GNU make on the system. "
           "Then you can configure and build the library:\n\n    ./configure\n    make\n")
    assert [(p.text, p.review) for p in split_document(doc, "md").passages] == [
        ("The build needs a C compiler and GNU make on the system.", ""),
        # a step after another is named for review (bot/kb/leaning.py), as in the test below
        ("Then you can configure and build the library: ./configure; make",
         "'then' leans on what comes before it: say what it means")]


def test_labelled_links_go_with_the_sentence_before_them_though_it_ends():
    # GCC's README.Bugs: the trackers' addresses were an indented example after a finished sentence, and left out.
    doc = ("Reporting bugs\n==============\n\n- Check if the bug is already reported in the bug tracking systems.\n\n"
           "    Debian:   http://bugs.debian.org/gcc\n    Upstream: http://gcc.gnu.org/bugzilla/\n\n"
           "- Send the report.\n\n    make check > log.txt\n")
    assert [p.text for p in split_document(doc, "txt").passages] == [
        "Check if the bug is already reported in the bug tracking systems. Debian: http://bugs.debian.org/gcc; "
        "Upstream: http://gcc.gnu.org/bugzilla/",
        "Send the report."]  # any other example after a finished sentence is still left out


def test_examples_and_the_words_between_them_stay_together_after_their_introduction():
    doc = ("# Usage\n\n## Examples\n\nFiles can be joined, for example:\n\n    gzip -c a b\n\nis equivalent to\n\n"
           "    cat a b | gzip\n\nThe shorter form is easier to type and to remember later.\n")
    assert [p.text for p in split_document(doc, "md").passages] == [
        "Examples: files can be joined, for example: gzip -c a b is equivalent to cat a b | gzip",
        "The shorter form is easier to type and to remember later."]


def test_an_answer_keeps_the_question_it_answers():
    doc = ("FAQ\n\nUpgrades\n\nQ. Why is /etc/issue not changed by an upgrade?\n\n"
           "A. The file is often customised by its owner, so it is left alone.\n\n"
           "Q. Is that a bug?\n\nQ. Where is the version then?\n\nA. In /etc/debian_version, updated at every release.\n")
    assert [p.text for p in split_document(doc).passages] == [
        "Q. Why is /etc/issue not changed by an upgrade? A. The file is often customised by its owner, so it is left "
        "alone.",
        "Q. Is that a bug?",  # (a question followed by another question keeps to itself)
        "Q. Where is the version then? A. In /etc/debian_version, updated at every release.",
    ]


def test_an_example_s_lines_are_joined_without_doubling_their_own_punctuation():
    doc = "# Loops\n\n## For\n\nThe for statement is the same as this code:\n\n    a;\n    while (b) {\n      c;\n    }\n"
    assert [p.text for p in split_document(doc, "md").passages] == [
        "The for statement is the same as this code: a; while (b) { c; }"]


def test_words_after_an_example_with_no_example_to_go_on_with_are_left_out():
    doc = "# Use\n\n## Joining\n\nFiles can be joined, for example:\n\n    gzip -c a b\n\nThen\n\nThat is all there is to it.\n"
    assert [p.text for p in split_document(doc, "md").passages][0] == "Joining: files can be joined, for example: gzip -c a b"


def test_a_sentence_that_goes_on_after_its_example_keeps_the_example_inside_it():
    # APT's README: "you need to run", the command, then "from a build directory." on a paragraph of its own.
    doc = ("# APT\n\n### Coding\n\nAPT uses CMake. To start building, you need to run\n\n\tcmake <path to source>\n\n"
           "from a build directory. For example, if you want to build in the source tree,\nrun:\n\n\tcmake .\n\n"
           "Then you can use make as you normally would.\n")
    assert [(p.text, p.review) for p in split_document(doc, "md").passages] == [
        ("Coding: APT uses CMake. To start building, you need to run cmake <path to source> from a build directory.", ""),
        ("For example, if you want to build in the source tree, run: cmake .", ""),
        # a step after another ('Then ...', after the cmake run) is named for review: it leans on the passage before
        ("Then you can use make as you normally would.", "'then' leans on what comes before it: say what it means")]


def test_list_items_carry_their_introduction_whether_they_finish_its_sentence_or_are_sentences_of_their_own():
    doc = ("# APT\n\nAPT is the package manager. Included tools are:\n\n* **apt-get** for retrieval of packages\n"
           "* **apt-cache** for querying available information\n\n## Herding\n\nHerders move four times a year:\n\n"
           "- Nomadic herders keep horses, sheep and goats on the open grassland across the country.\n")
    assert [(p.text, p.review) for p in split_document(doc, "md").passages] == [
        ("APT is the package manager.", ""),  # its closing sentence goes in front of each item instead
        ("Included tools are: apt-get for retrieval of packages", ""),
        ("Included tools are: apt-cache for querying available information", ""),
        ("Herders move four times a year: Nomadic herders keep horses, sheep and goats on the open grassland across "
         "the country.", "")]


REQUIREMENTS = "There are two important requirements for the way the database is stored:"
FIRST = "Applications must be able to extend the database in any way when they are installed."
SECOND = "It must be possible to install applications in the home directory and have the information used."


@pytest.mark.parametrize("kind, doc", [  # the shared MIME-info spec (a PDF) dropped its requirements' introduction
    ("txt", f"Store\n\nLayout\n\n{REQUIREMENTS}\n\n  * {FIRST}\n  * {SECOND}\n"),
    ("md", f"# Store\n\n## Layout\n\n{REQUIREMENTS}\n\n1. {FIRST}\n2. {SECOND}\n"),
    ("html", f"<h1>Store</h1><h2>Layout</h2><p>{REQUIREMENTS}</p><ul><li>{FIRST}</li><li>{SECOND}</li></ul>"),
    ("pdf", tiny_pdf([["Store", "", "Layout", "", REQUIREMENTS, f"- {FIRST}", f"- {SECOND}"]]))])
def test_a_short_introduction_goes_in_front_of_every_item_that_is_a_sentence_of_its_own(kind, doc):
    assert [(p.section, p.text, p.review) for p in split_document(doc, kind).passages] == [
        ("Layout", f"{REQUIREMENTS} {FIRST}", ""), ("Layout", f"{REQUIREMENTS} {SECOND}", "")]


def test_an_introduction_too_long_to_repeat_or_under_another_heading_is_not_put_in_front_of_items():
    own_file = "An application installs a single XML file named after the application."
    long_intro = REQUIREMENTS.replace("the database", "the database that every program on the system shares, "
                                      "from the desktop to the command line,")  # INTRO_CHARS or more
    assert len(long_intro) >= INTRO_CHARS
    doc = f"# Store\n\n## Layout\n\n{long_intro}\n\n- {FIRST}\n\n## Rules\n\n{REQUIREMENTS}\n\n## Files\n\n- {own_file}\n"
    assert [(p.text, p.review) for p in split_document(doc, "md").passages] == [
        (f"Layout: t{long_intro[1:]}", "ends with ':' but what follows (a list or an example) is not in it"),  # to fix
        (FIRST, ""),
        (own_file, "")]  # an introduction closing its section introduces no list under the next heading


def test_a_short_sentence_ending_in_a_colon_goes_in_front_of_the_paragraph_it_introduces():
    # GCC's README.Bugs: 'Alexandre Oliva <...> responded:' stood alone (flagged), and 'Answer from "Martin v.
    # Loewis" <...>:', a paragraph of its own, was dropped as a list's introduction with no list after it.
    text = """\
Notes
=====

Static members
--------------

The code compiles under GNU C++ 2.7.2, but fails to link with GNU C++ 2.95.2.
Alexandre Oliva responded:

All of them are correct. A static data member must be defined outside the class body.

Answer from Martin Loewis:

This is not a bug in the compiler, but in your code.
"""
    texts = [p.text for p in split_document(text).passages]
    assert texts == ["The code compiles under GNU C++ 2.7.2, but fails to link with GNU C++ 2.95.2.",
                     "Alexandre Oliva responded: All of them are correct. A static data member must be defined "
                     "outside the class body.",
                     "Answer from Martin Loewis: This is not a bug in the compiler, but in your code."]
