"""How a section heading is offered: as a person would ask about it, or not at all; hand-checked shapes, then every
tuning document's own headings as `kb import` splits them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bot.core.lexicon import english_words
from bot.core.topics import offer, topic

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from devtools.suggestions import suggestions, tuning_documents  # noqa: E402

ENGLISH = english_words(100)


def offered(section: str) -> str:
    return offer(section, 10, ENGLISH.__contains__)


@pytest.mark.parametrize("section, expected", [
    # a FAQ's question is offered as the question itself, tidied
    ("Is there C++ bindings ?", "Is there C++ bindings?"), ("1.2. What is this spec?", "What is this spec?"),
    ("how do I rotate the token?", "How do I rotate the token?"),
    # a numbered heading without its number; a heading's closing punctuation and code marks dropped
    ("2.3. The MEDIA/SUBTYPE.xml files", "Tell me about the MEDIA/SUBTYPE.xml files"),
    ("Chapter 2. Users and Groups", "Tell me about Users and Groups"), ("4) Installation:", "Tell me about installation"),
    ("Appendix B: Glossary", "Tell me about glossary"), ("simple `find|xargs` approach", "Tell me about simple find|xargs approach"),
    # a manual's shouted headings in lower case; acronyms kept
    ("EXIT STATUS", "Tell me about exit status"), ("OPTIONS", "Tell me about options"), ("VCPKG", "Tell me about VCPKG"),
    ("XML OUTPUT", "Tell me about XML output"), ("Compatibility with tar(1)", "Tell me about compatibility with tar(1)"),
    # an option is asked about as one
    ("-f, --force", "What does --force do?"), ("--level=N", "What does --level do?"), ("-o FILE", "What does -o do?"),
    # headlines and names keep their capitals; a sentence-case heading's first capital is lowered
    ("Users and Groups in the Debian System", "Tell me about Users and Groups in the Debian System"),
    ("Relations with Mongolia", "Tell me about relations with Mongolia"), ("NATO partners", "Tell me about NATO partners"),
    ("Garden Club", "Tell me about Garden Club")])
def test_a_heading_is_offered_as_a_person_would_ask(section, expected):
    assert offered(section) == expected


@pytest.mark.parametrize("section", [
    "NAME", "SEE ALSO", "Description", "Chapter 1. Introduction", "Chapter 3", "Table of contents", "About this page",  # parts of a document
    "MATCH2 4096 0x1000", "1 2 3", "---", "2.14.1", "* * *",  # table and number rows, rules
    "g++: g++ causes passing non const ptr to ptr to a func with const arg to cause an error (not a bug)",  # a sentence
    "int main(void) {", "export LIBS=-lxml2", "https://example.org/faq", "$HOME/.config",  # code, addresses
    "[Some paragraphs taken from the above URL]", "Before reporting a bug, please", "Why?"])  # an editor's note, half a sentence
def test_a_heading_that_cannot_be_asked_about_is_not_offered(section):
    assert offered(section) == "" and topic(section, 10) == ""


def test_the_help_lists_a_topic_by_its_cleaned_name():
    assert topic("2.3. The MEDIA/SUBTYPE.xml files", 10) == "The MEDIA/SUBTYPE.xml files"
    assert topic("Is there C++ bindings ?", 10) == "Is there C++ bindings?"


# How a suggestion a person writes reads: 'Tell me about' a topic, or a question of its own.
_READS_WELL = re.compile(r"^(?:Tell me about (?![\d(\[]|about |is |are |does |do |can )[^`]+(?<![\s:,;.?!-])|[A-Z][^`]*\S\?)$")


@pytest.mark.parametrize("path", tuning_documents(), ids=lambda p: p.name)
def test_every_tuning_documents_sections_make_suggestions_that_read_well(path):
    made = suggestions(path)
    offered_ = [s for s in made.values() if s]
    assert offered_, "a document with no section to suggest"
    for suggestion in offered_:
        assert _READS_WELL.match(suggestion), suggestion
        topic_words = suggestion.removeprefix("Tell me about ").split()
        assert len(topic_words) <= 10, suggestion
        shouted = " ".join(topic_words)
        assert shouted != shouted.upper() or len(shouted) <= 5, suggestion  # a manual's 'EXIT STATUS' is lowered


def test_the_tuning_documents_headings_that_misread_before():
    by_document = {path.name: suggestions(path) for path in tuning_documents()}
    mime, gcc, find = by_document["shared-mime-info-spec.pdf"], by_document["gcc-README.Bugs.txt"], by_document["find.1.gz"]
    assert mime["1.2. What is this spec?"] == "What is this spec?"  # was 'Tell me about 1.2. What is this spec?'
    assert mime["2.3. The MEDIA/SUBTYPE.xml files"] == "Tell me about the MEDIA/SUBTYPE.xml files"
    assert find["EXIT STATUS"] == "Tell me about exit status" and find["SEE ALSO"] == find["NAME"] == ""
    assert gcc["[Some paragraphs taken from the above URL]"] == ""
    assert by_document["users-and-groups.html"]["Chapter 2. Users and Groups"] == "Tell me about Users and Groups"
