"""Acronyms learned from the text and synonym groups."""

from __future__ import annotations

from bot.core.expand import Expander, find_acronyms
from bot.text import words


def test_acronyms_are_learned_from_definitions():
    found = find_acronyms([
        "Mongolia in the Science for Peace and Security (SPS) Programme.",
        "The NATO-led Kosovo Force (KFOR) from 2005.",
        "non-commissioned officers (NCO) education",
        "A sentence with (BRACKETS) that define nothing.",
    ])
    assert found == {"sps": "science for peace and security", "kfor": "kosovo force", "nco": "non commissioned officers"}


def test_expansion_finds_phrases_on_stems_both_ways():
    expander = Expander([("armed forces", "army", "military")], {"sps": "science for peace and security"})
    added = {(e.phrase, e.added) for e in expander.expand(words("the armies and the SPS"))}
    assert ("army", ("armed forces", "military")) in added
    assert ("sps", ("science for peace and security",)) in added
    back = expander.expand(words("science for peace and security projects"))
    assert [e.added for e in back] == [("sps",)]
    assert expander.expand(words("nothing relevant here")) == []


def test_a_group_fires_once_however_many_of_its_words_the_query_holds():
    expander = Expander([("start", "started", "starting", "began"), ("army", "troops")], {})
    fired = expander.expand(words("when did the army and the troops start starting"))
    groups = {frozenset((e.phrase, *e.added)) for e in fired}
    assert len(fired) == 2
    assert groups == {frozenset(("start", "started", "starting", "began")), frozenset(("army", "troops"))}


def test_the_first_definition_of_an_acronym_wins_and_one_that_spells_nothing_does_not_block_a_later_one():
    found = find_acronyms([
        "A note (GPL) with nothing before it that spells the letters.",
        "Released under the General Public License (GPL) version 3.",
        "Also the Gnu Public Licence (GPL), a later spelling.",
    ])
    assert found == {"gpl": "general public license"}
