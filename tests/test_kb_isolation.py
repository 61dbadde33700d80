"""A knowledge base answers by its own words and its own synonyms.yaml only: nothing the seed document
needs (its synonyms, its acronyms such as 'US' and 'IT') is built into the bot, so a document imported
as its own knowledge base beside the seed gets answers the seed's rules never touch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import load_config
from bot.core.pipeline import build_answerer
from bot.kb.importing import draft_passages
from bot.kb.yamlio import dump_passage_file
from tests.conftest import SEED_KNOWLEDGE, write_config

CLUB = """Riverside Cycling Club

The club was set up by six riders who met at the old mill in 1987.

Members pay 40 euros a year, and the fee covers insurance on club rides.

The club's IT volunteer keeps the booking website and the members' list running.

The first ride of every season starts at the town square in March.

A grant from the town council paid for the new storage shed in 2019.

Many US visitors join the Sunday ride in summer.
"""
# Each uses words a seed synonym group or a seed acronym would read differently ('money', 'start',
# 'helps', 'computers', 'pays', capital 'US' and 'IT').
QUESTIONS = ("Who gave the money for the shed?", "When did the club start?", "Who helps with the computers?",
             "Which US riders come?", "Who keeps IT going?", "Who pays for the insurance?")


def _club(tmp_path: Path, synonyms: Path | None = None, config: str = ""):
    """The club document split by the product's own splitter into a knowledge base of its own."""
    tmp_path.mkdir(exist_ok=True)
    document = tmp_path / "club.txt"
    document.write_text(CLUB, encoding="utf-8")
    folder = tmp_path / "club-kb"
    (folder / "passages").mkdir(parents=True)
    source, passages, _review = draft_passages(document, "club")
    (folder / "passages" / "club.yaml").write_text(dump_passage_file(source, passages), encoding="utf-8")
    if synonyms is not None:
        shutil.copy(synonyms, folder / "synonyms.yaml")
    return build_answerer(load_config(write_config(tmp_path, folder, config), environ={}), cache=False)


@pytest.fixture
def club(tmp_path, seed_answerer):
    seed_answerer.answer(QUESTIONS[0])  # the seed knowledge is loaded and in use in the same process
    return _club(tmp_path)


def test_no_seed_synonym_or_acronym_reads_into_another_knowledge_base(club):
    for question in QUESTIONS:
        reading = club.reader.read(question)
        assert reading.expansions == (), question
    assert club.reader.read("Which US riders come?").tokens == ("riders", "come")  # not the seed's 'usa'
    assert club.reader.read("Who keeps IT going?").tokens == ("keeps",)  # not the seed's 'cyber' or 'systems'


def test_the_other_documents_answers_are_its_own(club):
    assert club.answer("Who keeps IT going?").passage_ids == ("club-003",)
    assert club.answer("Who pays for the insurance?").passage_ids == ("club-002",)
    assert not club.answer("Who gave the money for the shed?").found  # 'money' is no word of this document


def test_the_seed_synonyms_would_change_these_answers_if_they_applied(tmp_path, seed_answerer, club):
    # the check above can fail: the seed's own file, put in the club's folder, reads and answers differently
    assert seed_answerer.reader.read("Who gave the money for the shed?").expansions
    borrowed = _club(tmp_path / "borrowed", SEED_KNOWLEDGE / "synonyms.yaml")
    assert "cyber" in borrowed.reader.read("Who keeps IT going?").tokens
    assert [borrowed.answer(q).passage_ids for q in QUESTIONS] != [club.answer(q).passage_ids for q in QUESTIONS]
    # the first stage alone answers 'money' from the grant (the second stage finds it too unsure at 0.21 < 0.31)
    first_stage = _club(tmp_path / "first", SEED_KNOWLEDGE / "synonyms.yaml", "retrieval:\n  rerank: false\n")
    assert first_stage.answer("Who gave the money for the shed?").passage_ids == ("club-005",)
