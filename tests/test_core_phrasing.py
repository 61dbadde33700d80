"""How questions are read: the kind of fact asked for, pointers back, and names the knowledge lacks."""

from __future__ import annotations

import pytest

import re

from bot.core.phrasing import (_ASKS_COUNTRY, _QUESTION_WORD, ANSWER_TYPES, SWITCH, holds_option, is_anaphoric,
                               named_options, unknown_names, wanted_kind)


@pytest.mark.parametrize("question,passage,holds", [
    ("When did it start?", "It started in March 2012.", True),
    ("since when has Mongolia taken part?", "Mongolia is taking part.", False),
    ("How long did the project last?", "The project ran from 2017 to 2020.", True),
    ("How many troops did Mongolia send?", "Mongolia sent troops from 2009 to 2014.", False),
    ("How much money was given?", "The United States provided USD 1.2 million.", True),
    ("How many countries take part?", "Volunteers from twelve countries take part.", True),
    ("How many countries are partners?", "Mongolia is one of a number of partner countries.", False),
    ("How many centres are there?", "There is one centre.", True),
    ("How big was the contribution?", "It was among the largest partner contributors.", True),
    ("Which NATO countries border Mongolia?", "Mongolia is one of a number of countries beyond the Euro-Atlantic area.", False),
    ("Which country paid for the aid?", "The United States provided USD 1.2 million.", True),
    ("what other nations work with Mongolia", "Japan and South Korea also work with Mongolia.", True),
    ("Which countries did the woman visit?", "She visited Oman.", True),
    ("How large was the contribution?", "Mongolia took part in the mission.", False),
    ("How large is the base package?", "The base package alone is over 700K.", True),  # a size with its unit
    ("How much memory does it need?", "It needs 64MiB to run.", True),
    ("Which version of gzip added the option?", "The option first appeared in gzip 1.4.", True),
    ("Which version of gzip added the option?", "The option lets rsync send only the changed files.", False),
    ("In what release did findutils change it?", "As of findutils-4.2.2, it changed.", True),
    ("Who leads the agency?", "The agency supported the project.", False),
    ("Who heads the centre?", "The centre is led by Colonel Bat.", True),
    ("Where is the centre located?", "The centre was recognised.", False),
    ("Where is the centre?", "The centre is in Ulaanbaatar.", True),
    ("Which NATO body partnered on the project?", "The project ran from 2017 to 2020.", False),
    ("who did nato team up with", "It worked with the NATO Communications and Information Agency.", True),
    ("through which centre was it given?", "It was given through the Coordination Centre.", True),
    ("Which agency helped?", "An agency helped.", False),
    ("Which club office handled it?", "It was handled by the Booking Office.", True),  # any body, no names built in
    ("When does the programme expire?", "Since March 2012, work has gone through the programme.", False),
    ("when did the KFOR mission end", "Mongolia supported KFOR from December 2005 to March 2007.", True),
    ("until when?", "Mongolia contributed troops from 2009 to 2014.", True),
    ("When will the programme next be renewed?", "The programme was renewed in April 2020.", False),
    ("When will the centre open?", "The centre will open in 2027.", True),
    ("Which city is the university in?", "The university placed greater emphasis on English.", False),
    ("Why do the two clubs work together?", "The clubs have worked together since 2005.", False),
    ("Why do the two clubs work together?", "The clubs work together to share their pitches.", True),
    ("why was the bridge closed", "The bridge was closed because of flooding.", True),
    ("What is the purpose of the fund?", "The fund was moved to Oslo.", False),
    ("What was the reason for the move?", "The move aimed at lower costs.", True),
])
def test_wanted_kind_and_whether_a_passage_holds_it(question, passage, holds):
    has = wanted_kind(question)
    assert has is not None
    assert bool(has.search(passage)) is holds


@pytest.mark.parametrize("question", ["What is DEEP?", "Tell me about the Five Hills centre", "where does the money come from",
                                      "What are countries beyond the Euro-Atlantic area called?"])
def test_questions_without_a_wanted_kind(question):
    assert wanted_kind(question) is None


def _alternatives(pattern: str) -> list[str]:
    """A regular expression's top-level alternatives (split at each '|' outside brackets and groups)."""
    out, depth, start, escaped = [], 0, 0, False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
    return out + [pattern[start:]]


@pytest.mark.parametrize("asks", [_ASKS_COUNTRY] + [asks for _kind, asks, _has in ANSWER_TYPES])
def test_every_way_of_asking_for_a_kind_holds_a_question_word(asks):
    """wanted_kind skips every pattern when the question has no question word: each alternative must need one."""
    words = _QUESTION_WORD.pattern.split("(?:")[1].split(")")[0].split("|")
    for alternative in _alternatives(asks.pattern):
        assert re.search(rf"\b({'|'.join(words)})\b", alternative.replace("\\b", " ")), alternative


def test_pointing_back_and_switching_subject():
    assert is_anaphoric("What does it promote?") and is_anaphoric("when did they send them")
    assert not is_anaphoric("What is the Building Integrity Programme?")
    assert SWITCH.match("ok and what about kosovo") and not SWITCH.match("when did it end")


def test_unknown_names_are_the_capitalised_unknown_words():
    assert unknown_names("Did Mongolia send troops to Iraq?", ("iraq",)) == ["iraq"]
    assert unknown_names("Budget of the programme?", ("budget",)) == []  # sentence start: not a name
    assert unknown_names("did mongolia go to iraq", ("iraq",)) == []


def test_the_thing_a_what_or_which_question_asks_for():
    from bot.core.phrasing import asked_noun

    assert asked_noun("What uid does the www-data user have?") == "uid"
    assert asked_noun("Which version of gzip added --rsyncable?") == "version"
    assert asked_noun("what does the -k option do") == ""  # a verb: no thing named
    assert asked_noun("What kind of stuff do they work on?") == ""  # a frame word
    assert asked_noun("How big is it?") == ""


def test_options_a_question_names_and_whether_a_passage_names_them():
    assert named_options("Which version of findutils added the -printf action?") == ["-printf"]
    assert named_options("does --rsyncable or -k keep files?") == ["--rsyncable", "-k"]
    assert named_options("Is my e-mail address kept, and what does gzip -9 do?") == []  # a hyphenated word, a level
    assert holds_option("-l --list: For each compressed file, list ...", ["-l"])
    assert not holds_option("-ls: True; list the current file", ["-l"])  # '-l' is not '-ls'
    assert holds_option("zstd 1.5.1 --fast=1: Ratio 2.437", ["--fast"])
