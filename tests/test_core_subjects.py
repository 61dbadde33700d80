"""The document a question names, in a base of several documents: found from the sources' ids and titles, and
searched alone, so a passage that does not repeat its document's name still answers a question naming it."""

from __future__ import annotations

import dataclasses

import numpy as np

from bot.config import Config
from bot.core.index import TfidfIndex
from bot.core.pipeline import Answerer
from bot.core.reading import Reading
from bot.core.settings import AnswerSettings
from bot.core.subjects import find_subjects
from bot.kb.model import KnowledgeBase, Passage, Source

ZORB = (  # a library's README: only its first passage says the library's name
    Passage("zorblib-readme-001", "zorblib is a small library for reading XML, written in C.", "", "zorblib-readme"),
    Passage("zorblib-readme-002", "Now you can run the test suite with: make check", "Building", "zorblib-readme"),
    Passage("zorblib-readme-003", "The code is released under the MIT License.", "License", "zorblib-readme"),
)
FIND = (  # a command's manual, whose passages say "find" and "test suite" in other words
    Passage("find-1-001", "-O3: The findutils test suite runs all the tests on find at each optimisation level.",
            "OPTIONS", "find-1"),
    Passage("find-1-002", "find searches the directory tree rooted at each starting point.", "DESCRIPTION", "find-1"),
    Passage("find-1-003", "find exits with status 0 if all files are processed successfully.", "EXIT STATUS", "find-1"),
    Passage("find-1-004", "The findutils package is released under the GNU General Public License, version 3.",
            "COPYRIGHT", "find-1"),
)
SOURCES = {"zorblib-readme": Source("zorblib-readme", "zorblib"),
           "find-1": Source("find-1", "find - search for files in a directory hierarchy")}


def answerer(passages=ZORB + FIND, sources=SOURCES, **changes) -> Answerer:
    kb = KnowledgeBase(passages, sources)
    settings = dataclasses.replace(AnswerSettings.from_config(Config()), **changes)
    return Answerer(kb, TfidfIndex.build(passages), Config(), clock=lambda: 0.0, settings=settings)


def test_a_question_naming_a_document_gets_that_documents_passage_though_the_passage_does_not_name_it():
    answer = answerer().answer("How can I run the zorblib test suite?")
    assert answer.found and answer.passage_ids[0] == "zorblib-readme-002" and "make check" in answer.text
    licence = answerer().answer("Under which license is zorblib released?")
    assert licence.passage_ids[0] == "zorblib-readme-003"
    # with no document named (no word counts as a name), the other document's "test suite" wins: what this fixes
    assert answerer(subject_elsewhere=-1.0).answer("How can I run the zorblib test suite?").passage_ids[0] == "find-1-001"


def test_a_question_naming_no_document_is_searched_in_them_all():
    answer = answerer().answer("What exit status is returned when all files are processed?")
    assert answer.passage_ids[0] == "find-1-003"


def names(passages=ZORB + FIND, sources=SOURCES, english=frozenset({"find", "search", "files", "directory", "hierarchy"}),
          elsewhere: float = 0.1) -> dict[str, list[str]]:
    index = TfidfIndex.build(passages)

    def postings(term: str) -> np.ndarray:
        column = index.vocabulary.get(term)
        return index.indices[index.indptr[column]:index.indptr[column + 1]] if column is not None else index.indices[:0]

    subjects = find_subjects(sources, passages, postings, elsewhere, english)
    return {name: sorted(named) for name, named in subjects.names.items()}


def test_names_are_the_ids_and_titles_words_that_are_no_english_words_and_that_no_other_document_speaks_of():
    assert names() == {"zorblib": ["zorblib-readme"], "readm": ["zorblib-readme"]}  # 'find' and 'files' are English
    mentioned = (*ZORB, *FIND, Passage("find-1-005", "Unlike zorblib, find reads no XML.", "", "find-1"))
    assert "zorblib" not in names(mentioned)  # a fifth of find's passages speak of zorblib: it tells nothing apart
    assert "zorblib" in names(mentioned, elsewhere=0.25)
    # a short document on the same subject (a page on Japan and NATO beside a NATO page): its share counts, not its size
    short = {**SOURCES, "notes": Source("notes", "Notes")}
    beside = (*ZORB, *FIND, Passage("notes-001", "We moved from zorblib to expat in 2020.", "", "notes"))
    assert "zorblib" not in names(beside, short)


def test_a_base_of_one_document_names_nothing_and_the_named_sources_are_found_in_a_question():
    assert names(ZORB, {"zorblib-readme": SOURCES["zorblib-readme"]}) == {}
    subjects = answerer().subjects
    assert subjects.named(Reading("Is zorblib fast?", ("zorblib", "fast"))) == {"zorblib-readme"}
    assert subjects.named(Reading("How do I find files?", ("find", "files"))) == frozenset()
    assert subjects.holds(frozenset({"zorblib-readme"})).tolist() == [True] * 3 + [False] * 4
    assert answerer(ZORB, {"zorblib-readme": SOURCES["zorblib-readme"]}).subjects is None
