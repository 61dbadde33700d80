"""Stage 1, reading: content words, compounds, typos, word families and expansions on a hand-made vocabulary."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.expand import Expander, Expansion, find_acronyms
from bot.core.index import TfidfIndex
from bot.core.reading import Reader, Reading
from bot.core.settings import AnswerSettings
from bot.kb.model import Passage
from bot.text import stem

PASSAGES = (
    Passage("p1", "The Glacier Research Programme (GRP) measures ice with radar."),
    Passage("p2", "Counter terrorism training ran in the Five Hills centre."),
    Passage("p3", "Environmental cleanup of the USA base ended."),
)


def reader(settings: AnswerSettings = AnswerSettings(),
           synonyms=(("cleanup", "rehabilitation"), ("usa", "US", "america"))) -> Reader:
    index = TfidfIndex.build(PASSAGES)
    expander = Expander(synonyms, find_acronyms(p.text for p in PASSAGES))
    return Reader(index.vocabulary, index.word_counts, expander, settings)


@pytest.fixture(scope="module")
def read() -> Reader:
    return reader()


def test_stop_and_frame_words_are_dropped_and_the_rest_kept_in_order(read):
    question = "What kind of radar does the glacier research programme use?"
    assert read.read(question) == Reading(question, ("radar", "glacier", "research", "programme"), (), (),
                                          (Expansion("glacier research programme", ("grp",), "acronym"),))


def test_a_run_together_word_is_split_into_two_known_words(read):
    assert read.read("counterterrorism").tokens == ("counter", "terrorism")
    assert read.read("fivehills").tokens == ("five", "hills")
    assert read.split_compounds(["glacier", "counterterrorism"]) == ["glacier", "counter", "terrorism"]


def test_compounds_respect_the_minimum_length():
    strict = reader(dataclasses.replace(AnswerSettings(), compound_min_length=20))
    assert strict.read("counterterrorism").tokens == ("counterterrorism",)
    assert strict.read("counterterrorism").unknown == ("counterterrorism",)


def test_a_misspelt_word_is_corrected_but_a_real_english_word_is_not(read):
    reading = read.read("how is ice measurd with radr")
    assert reading.corrected == (("measurd", "measures"), ("radr", "radar"))
    assert reading.tokens == ("ice", "measures", "radar")
    assert read.read("penguin radar").unknown == ("penguin",)  # English, so never turned into a knowledge word


def test_typo_correction_can_be_switched_off():
    off = reader(dataclasses.replace(AnswerSettings(), typo_correction=False))
    assert off.read("radr").unknown == ("radr",)


def test_a_word_of_the_same_family_stands_in_for_one_stemming_missed(read):
    # 'environment' stems to 'environ', the knowledge's 'environmental' to 'environment'
    reading = read.read("environment")
    assert reading.corrected == (("environment", "environmental"),) and not reading.unknown
    assert read.related_word("env") is None  # too short to choose a family


def test_two_words_run_together_with_the_first_cut_short_read_as_the_pair_the_knowledge_writes():
    index = TfidfIndex.build((Passage("p1", "Directories are searched, but symbolic links are ignored."),
                              Passage("p2", "A table is written, then a link map.")))
    shortened = Reader(index.vocabulary, index.word_counts, Expander((), {}), AnswerSettings())
    reading = shortened.read("Does it follow symlinks?")
    assert [stem(t) for t in reading.tokens] == ["follow", "symbol", "link"] and reading.unknown == ("follow",)
    assert [(typed, stem_pair(read_as)) for typed, read_as in reading.corrected] == [("symlinks", "symbol link")]
    assert shortened.read("Does it follow tablinks?").unknown == ("follow", "tablinks")  # never 'table link' in it
    assert shortened.read("symlnk").unknown == ("symlnk",)  # too short, and no known word ends it


def stem_pair(words: str) -> str:
    return " ".join(map(stem, words.split()))


def test_synonyms_and_acronyms_are_found_and_capitalised_acronyms_read_as_words(read):
    assert read.read("GRP").expansions == (Expansion("grp", ("glacier research programme",), "acronym"),)
    assert read.read("cleanup").expansions == (Expansion("cleanup", ("rehabilitation",), "synonym"),)
    assert "usa" in read.read("Did the US base close?").tokens  # 'us' alone is a stop word; synonyms say US is usa
    assert "usa" not in read.read("Did the base help us?").tokens  # only the capitals are the acronym
    assert "usa" not in reader(synonyms=()).read("Did the US base close?").tokens  # no rule of the bot's own


def test_an_empty_question_reads_as_nothing(read):
    assert read.read("") == Reading("", ())
