"""The review list's reads of a passage that leans on another past its first word (bot/kb/leaning.py)."""

from __future__ import annotations

import pytest

from bot.kb.leaning import later_pointer, stands_for_itself
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
