"""Plain text: hard-wrapped lines joined into paragraphs, headings found by their shape (Setext included)."""

from __future__ import annotations

from bot.kb.split import split_document
from bot.kb.split_text import read_plain

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
