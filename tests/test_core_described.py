"""A bare question on a document's own subject ("What is zorbconf?") is answered by the document's description, though
the subject's name is in nearly every passage and a passage that merely mentions it scores as well."""

from __future__ import annotations

import dataclasses

from bot.config import Config
from bot.core.described import asked_subject, described_first, find_descriptions, sources_described_first, subject_names
from bot.core.hits import Hit
from bot.core.index import TfidfIndex
from bot.core.pipeline import Answerer
from bot.core.settings import AnswerSettings
from bot.kb.model import KnowledgeBase, Passage, Source

ZORB = (  # a library's manual: every passage says "zorbconf", its first paragraph says what it is
    Passage("zorbconf-user-001", "/etc/zorb/zorb.conf ~/.zorbconf/zorb.conf", "Synopsis", "zorbconf-user"),
    Passage("zorbconf-user-002", "Zorbconf is a library designed to provide system-wide widget configuration.",
            "Description", "zorbconf-user"),
    Passage("zorbconf-user-003", "Widgets cannot be configured with zorbconf while zorbconf rebuilds its cache.",
            "Notes", "zorbconf-user"),
    Passage("zorbconf-user-004", "zorbconf reads zorb.conf first, then the user's own zorbconf file.", "Files",
            "zorbconf-user"),
    Passage("zorbconf-user-005", "zorbconf-cache rebuilds the cache zorbconf keeps of every widget.", "Cache",
            "zorbconf-user"),
)
SOURCES = {"zorbconf-user": Source("zorbconf-user", "widgets-conf")}


def answerer(passages=ZORB, sources=SOURCES, **changes) -> Answerer:
    kb = KnowledgeBase(passages, sources)
    settings = dataclasses.replace(AnswerSettings.from_config(Config()), **changes)
    return Answerer(kb, TfidfIndex.build(passages), Config(), clock=lambda: 0.0, settings=settings)


def test_a_bare_question_on_the_documents_subject_gets_its_description():
    for question in ("What is zorbconf?", "What does zorbconf do?", "what is Zorbconf", "What's zorbconf?",
                     "What\u2019s zorbconf?"):
        answer = answerer().answer(question)
        assert answer.found and answer.passage_ids[0] == "zorbconf-user-002", question
    # with the rule off, a passage that merely mentions the name answers (or the bot declines): what this fixes
    off = answerer(subject_opening_passages=0).answer("What is zorbconf?")
    assert not off.found or off.passage_ids[0] != "zorbconf-user-002"


def test_a_question_that_goes_on_or_names_no_subject_is_left_to_the_ranking():
    assert answerer().answer("What does zorbconf read first?").passage_ids[0] == "zorbconf-user-004"
    assert answerer().answer("What is zorbconf-cache?").passage_ids[0] == "zorbconf-user-005"


def test_a_sources_subject_names_are_its_id_the_ids_first_part_a_manuals_names_and_a_one_word_title():
    assert subject_names(Source("fontconfig-user", "fonts-conf")) == {"fontconfig-user", "fontconfig", "fonts-conf"}
    assert subject_names(Source("gzip", "gzip, gunzip, zcat - compress or expand files")) == {"gzip", "gunzip", "zcat"}
    assert subject_names(Source("zlib-how", "zlib Usage Example")) == {"zlib-how", "zlib"}
    # an English word is no name of the id's first part: "What is packet loss?" is not about packet switching
    assert subject_names(Source("packet-switching", "Packet switching"), frozenset({"packet"})) == {"packet-switching"}


def test_the_description_is_the_first_opening_passage_naming_the_subject_early():
    sources = {"gzip": Source("gzip", "gzip, gunzip, zcat - compress or expand files"),
               "zstd-readme": Source("zstd-readme", "zstd-README.md")}
    passages = (
        Passage("gzip-001", "gzip, gunzip, zcat - compress or expand files", "NAME", "gzip"),
        Passage("gzip-002", "The gzip command reduces the size of the named files.", "DESCRIPTION", "gzip"),
        Passage("zstd-001", "This is the reference implementation of zstd.", "General", "zstd-readme"),
        Passage("zstd-002", "Zstandard, or zstd as short version, is a fast compression algorithm.", "General",
                "zstd-readme"),
    )
    found = find_descriptions(sources, passages, most_passages=10, most_words=3)
    assert found.of("gzip") == found.of("gunzip") == (0,)
    assert found.of("zstd") == (3,)  # "zstd" is the 6th word of the first: a mention, not a description
    assert found.of("Zstd?") == (3,) and found.of("bzip2") == ()
    assert found.of("gzip(1)") == found.of("gzip(1") == (0,)  # a manual's section, its ')' cut with the '?'
    assert find_descriptions(sources, passages, most_passages=1, most_words=3).of("zstd") == ()


def test_a_passage_opening_on_the_subject_and_another_thing_describes_neither():
    sources = {"nato-mongolia": Source("nato-mongolia", "Relations with Mongolia")}
    passages = (Passage("n-001", "NATO and Mongolia are committed to strengthening relations.", "", "nato-mongolia"),
                Passage("n-002", "Mongolia & NATO signed a programme.", "", "nato-mongolia"),
                Passage("n-003", "NATO is an alliance of thirty countries.", "", "nato-mongolia"))
    assert find_descriptions(sources, passages, 10, 3).of("nato") == (2,)
    assert find_descriptions(sources, passages[:2], 10, 3).of("nato") == ()


def test_the_description_takes_the_better_score_and_at_least_the_threshold():
    passages = ZORB
    found = find_descriptions(SOURCES, passages, 10, 3)
    ranked = (Hit("zorbconf-user-003", "Notes", ZORB[2].text, 0.2), Hit("zorbconf-user-002", "", ZORB[1].text, 0.1))
    first = described_first("zorbconf", ranked, found, passages, 0.31)
    assert [h.id for h in first] == ["zorbconf-user-002", "zorbconf-user-003"] and first[0].score == 0.31
    # not among the ranked: it joins them, first
    alone = described_first("zorbconf", ranked[:1], found, passages, 0.1)
    assert [h.id for h in alone] == ["zorbconf-user-002", "zorbconf-user-003"] and alone[0].score == 0.2
    assert described_first("widgets", ranked, found, passages, 0.31) is ranked


def test_only_a_bare_what_is_question_asks_about_a_subject():
    assert asked_subject("What is zorbconf?") == asked_subject("What does zorbconf do?") == "zorbconf"
    assert asked_subject("What is the zorbconf library?") == "zorbconf"
    assert asked_subject("What is zorbconf's cache rebuilt from?") == asked_subject("Where is zorbconf?") == ""


def test_each_source_keeps_the_description_it_opens_with():
    two = (*ZORB, Passage("gadget-001", "gadget is a widget tool.", "gadget", "gadget"))
    sources = {**SOURCES, "gadget": Source("gadget", "gadget")}
    found = find_descriptions(sources, two, 10, 3)
    assert found.sources == {"zorbconf-user": 1, "gadget": 5}
    assert found.of_sources(("gadget", "nothing", "zorbconf-user")) == (5, 1)
    ranked = (Hit("zorbconf-user-003", "Notes", "x", 0.2),)
    led = sources_described_first(("gadget",), ranked, found, two, 0.31)
    assert [h.id for h in led] == ["gadget-001", "zorbconf-user-003"] and led[0].score == 0.31
    assert sources_described_first(("nothing",), ranked, found, two, 0.31) is None
