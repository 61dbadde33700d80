"""The splitter (bot/kb/split.py), issue 14: passages that stand on their own, on small made-up inputs (each
test names the real document where the defect was seen; tests/test_kb_split_docs.py checks those documents)."""

from __future__ import annotations

import pytest

from bot.kb.model import MAX_TEXT_CHARS
from bot.kb.split import INTRO_CHARS, split_document


def texts(doc: str, kind: str = "txt") -> list[str]:
    return [p.text for p in split_document(doc, kind).passages]


@pytest.mark.parametrize("kind, doc, expected", [  # find(1): "Other useful examples: ." under its heading
    ("man", ".TH X 1\n.SH EXAMPLES\n.SS\nOther useful examples\n.PP\n\\&.\n.PP\nSearch for files.\n",
     ["Other useful examples: search for files."]),
    ("txt", "Title\n=====\n\nOther useful examples\n---------------------\n\n* .\n* Search for files.\n",
     ["Other useful examples: search for files."]),
    ("md", "# Title\n\n## Other useful examples\n\nThese are:\n\n- .\n- Search for files.\n",
     ["These are: Search for files."])])
def test_a_block_with_no_word_in_it_is_no_passage_even_behind_its_heading_or_introduction(kind, doc, expected):
    assert texts(doc, kind) == expected  # was "Other useful examples: ." / "These are: ." before each


LISTING = "\n".join(f"int step{n}(void) {{ return compress(source, dest, level{n}); }}" for n in range(8))


@pytest.mark.parametrize("kind, doc", [  # zlib's zlib_how.html: 'here is the program zpipe.c:' glued to the next text
    ("html", f"<h1>Usage</h1><p>We often get questions.</p><p>Without further adieu, here is the program zpipe.c:</p><pre>{LISTING}</pre>"
             "<p>We now include the header files for the required definitions.</p>"),
    ("txt", "Usage\n=====\n\nWe often get questions.\n\nWithout further adieu, here is the program zpipe.c:\n\n"
            + "".join(f"    {line}\n" for line in LISTING.split("\n"))
            + "\nWe now include the header files for the required definitions.\n")])
def test_an_introduction_whose_listing_is_left_out_does_not_join_the_next_paragraph(kind, doc):
    # It stays a passage of its own, for review: all that is left of the listing, it names it.
    assert [(p.text, p.review) for p in split_document(doc, kind).passages] == [
        ("We often get questions.", ""),
        ("Without further adieu, here is the program zpipe.c:", "ends with ':' but what follows (a list or an example) is not in it"),
        ("We now include the header files for the required definitions.", "")]
    short = doc.replace("Without further adieu, here is the program zpipe.c:", "For example:")  # names nothing: left out, as before
    assert texts(short, kind) == ["We often get questions.",
                                  "We now include the header files for the required definitions."]


def test_output_after_a_listing_left_out_keeps_the_listing_s_introduction():
    # GCC's README.Bugs: 'Example:' / a C program (left out) / 'make const' and the compiler's message
    doc = ("Notes\n=====\n\nCasts\n-----\n\nExample:\n\n" + LISTING + "\n\nmake const\nconst.cc:7: passing char ** "
           "as argument 1 adds cv-quals\n")
    assert texts(doc) == ["Example: make const const.cc:7: passing char ** as argument 1 adds cv-quals"]


INTRO, NO, ONLY, BINARY = ("The values are defined as:", "If no, nothing needs root.",
                           "If no is used, it must be the only keyword.", "If binary, the binary target runs as root.")


@pytest.mark.parametrize("kind, doc", [  # dpkg's rootless-builds.txt: sub-items got the outer list's introduction
    ("txt", f"Title\n=====\n\nValues\n------\n\n{INTRO}\n\n * {NO}\n   - {ONLY}\n\n * {BINARY}\n"),
    ("md", f"# Title\n\n## Values\n\n{INTRO}\n\n- {NO}\n  - {ONLY}\n- {BINARY}\n"),
    ("html", f"<h1>Title</h1><h2>Values</h2><p>{INTRO}</p><ul><li>{NO}<ul><li>{ONLY}</li></ul></li><li>{BINARY}</li>"
             "</ul>")])
def test_a_nested_item_gets_the_item_it_sits_under_in_front_not_the_outer_list_s_introduction(kind, doc):
    assert texts(doc, kind) == [f"{INTRO} {NO}", f"{NO} {ONLY}", f"{INTRO} {BINARY}"]


def test_a_nested_item_under_an_item_too_long_to_repeat_gets_nothing_in_front():
    long_item = NO.replace("nothing", "nothing, not the build, the install, the clean-up nor any other target of "
                           "the rules file or of the tools it calls, whoever runs them and wherever, ever")
    assert len(long_item) >= INTRO_CHARS
    doc = f"Title\n=====\n\nValues\n------\n\n{INTRO}\n\n    * {long_item}\n      - {ONLY}\n    * {BINARY}\n"
    # the first item is the outer list's however far it is indented
    assert texts(doc) == [f"{INTRO} {long_item}", ONLY, f"{INTRO} {BINARY}"]


def test_a_list_introduction_still_leads_an_item_too_long_for_one_passage():
    # An item whose first sentence is nearly a whole passage long lost its introduction: it did not fit in front.
    intro = "There are two important requirements for the database:"
    long_item = "Applications must be able to " + ", ".join(
        f"extend part {n} of the database when they are installed" for n in range(8)) + "."
    assert len(intro) + len(long_item) > MAX_TEXT_CHARS > len(long_item)
    passages = split_document(f"# T\n\n## Layout\n\n{intro}\n\n- {long_item}\n- It must be possible to install.\n",
                              "md").passages
    assert passages[0].text.startswith(f"{intro} Applications must be able to extend part 0")
    assert " ".join(p.text for p in passages[:2]) == f"{intro} {long_item}"  # cut at a clause, nothing lost
    assert all(len(p.text) <= MAX_TEXT_CHARS for p in passages)
    assert passages[0].review.startswith("a sentence of 468 characters was cut at a clause boundary")


@pytest.mark.parametrize("kind, doc", [  # zstd's README: each row of its benchmark table was flagged as cut
    ("md", "# T\n\n## Speed\n\n| Name | Ratio | Decompress. |\n| --- | --- | --- |\n| zstd 1.5 | 2.887 | 1700 MB/s |\n"),
    ("html", "<h1>T</h1><h2>Speed</h2><table><tr><td>zstd 1.5</td><td>Fast. Ratio 2.887</td><td>1700 MB/s</td></tr>"
             "</table><p>The ratio is the size before over the size after. Higher is</p>")])
def test_a_table_row_is_not_named_for_ending_without_a_full_stop(kind, doc):
    reviews = {p.text: p.review for p in split_document(doc, kind).passages}
    assert [r for t, r in reviews.items() if "1700" in t] == [""]
    if kind == "html":  # a paragraph still is
        assert reviews["The ratio is the size before over the size after. Higher is"] == (
            "does not end like a sentence: is something missing after it?")


def test_words_about_the_example_just_shown_stay_with_it():
    # the shared MIME-info spec's 'For instance: 0:text/x-diff:__NOGLOBS__ ...' and 'In the above example, ...', and
    # find(1)'s sample output and 'In this example, -prune prevents ...', were passages apart
    same_paragraph = ("Globs\n=====\n\nThe glob files\n--------------\n\nThe glob-deleteall element is written out using __NOGLOBS__ as "
                      "the pattern. For instance: 0:text/x-diff:__NOGLOBS__ 50:text/x-diff:*.diff ... In the above "
                      "example, the mimetype text/x-diff is redefined to only be associated with the pattern *.diff.\n")
    assert texts(same_paragraph)[-1] == (
        "For instance: 0:text/x-diff:__NOGLOBS__ 50:text/x-diff:*.diff ... In the above example, the mimetype "
        "text/x-diff is redefined to only be associated with the pattern *.diff.")
    after_example = ("Usage\n=====\n\nPruning\n-------\n\nSearch for the roots of the projects, sample output:\n\n"
                     "    repo/project1/CVS\n    repo/project4/.git\n\nIn this example, -prune prevents descent into "
                     "directories already found.\n\nIt is fast.\n")
    assert texts(after_example) == [
        "Search for the roots of the projects, sample output: repo/project1/CVS; repo/project4/.git In this example, "
        "-prune prevents descent into directories already found.", "Pruning: it is fast."]


def test_an_introduction_to_labelled_entries_is_left_to_them_not_kept_as_a_passage():
    # find(1): '-type c: File is of type c:' and '... The following suffixes can be used:' were passages (flagged),
    # though each entry after them says what it belongs to ('-type c d: directory')
    roff = (".TH FIND 1\n.SH TESTS\n.TP\n.BI \\-type \" c\"\nFile is of type c:\n.RS\n.TP\n.B b\nblock (buffered) special\n"
            ".TP\n.B d\ndirectory\n.RE\n.TP\n.BI \\-size \" n\"\nFile uses n units of space, rounding up. The following "
            "suffixes can be used:\n.RS\n.TP\n.B c\nfor bytes\n.RE\n")
    assert texts(roff, "man") == ["-type c b: block (buffered) special", "-type c d: directory",
                                  "-size n: File uses n units of space, rounding up.", "-size n c: for bytes"]
    html = ("<h1>File</h1><h2>Options</h2><p>Exclude the named test from the tests made. Valid test names are:</p>"
            "<dl><dt>ascii</dt><dd>Text files.</dd><dt>tar</dt><dd>Tar archives.</dd></dl>")
    assert texts(html, "html") == ["Options: exclude the named test from the tests made.", "ascii: Text files.",
                                   "tar: Tar archives."]


def test_a_question_stays_in_front_of_an_answer_too_long_for_one_passage():
    # The question was taken from its own passage to go in front of the answer, and lost when both did not fit.
    question = "Where does the tool keep its settings between two runs of it?"
    answer = "It keeps " + ", ".join(f"the settings of part {n} of the system in their own file" for n in range(8)) + "."
    assert len(question) + len(answer) > MAX_TEXT_CHARS > len(answer)
    passages = split_document(f"FAQ\n===\n\nSettings\n--------\n\n{question}\n\n{answer}\n").passages
    assert " ".join(p.text for p in passages) == f"{question} {answer}"
    assert passages[0].text.startswith(f"{question} It keeps the settings of part 0")
