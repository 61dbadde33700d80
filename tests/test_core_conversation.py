"""Conversation.ask: one place that gets a session's context, answers, remembers and logs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import load_config
from bot.core.context import SessionStore
from bot.core.conversation import Conversation
from bot.core.pipeline import build_answerer
from bot.kb.importing import draft_passages
from bot.kb.yamlio import dump_passage_file
from tests.conftest import SEED_KNOWLEDGE, write_config


@pytest.fixture
def logged() -> list:
    return []


@pytest.fixture
def conversation(tiny_config, logged) -> Conversation:
    answerer = build_answerer(tiny_config, cache=False, clock=lambda: 100.0)
    sessions = SessionStore(10, 600.0, clock=lambda: 100.0)
    return Conversation(answerer, sessions, log=lambda who, text, answer: logged.append((who, text, answer.kind)))


def test_a_follow_up_in_the_same_session_carries_the_topic_and_another_session_does_not(conversation):
    first = conversation.ask("chat-1", "Tell me about the Selenge River")
    assert first.found and first.passage_ids[0] == "tiny-001"
    follow = conversation.ask("chat-1", "where does it flow?")
    assert follow.why.context == ("selenge", "river")  # leaned on the remembered turn
    assert conversation.ask("chat-2", "where does it flow?").why.context == ()
    assert len(conversation.sessions) == 2


def test_every_question_is_logged_under_its_session_or_the_name_given(conversation, logged):
    conversation.ask("chat-1", "hello")
    conversation.ask("chat-1", "Where do snow leopards live?", log_as="telegram:42")
    assert logged == [("chat-1", "hello", "smalltalk"), ("telegram:42", "Where do snow leopards live?", "answer")]


def test_a_question_without_a_session_is_answered_afresh_and_not_remembered(conversation, logged):
    conversation.ask("chat-1", "Tell me about the Selenge River")
    answer = conversation.ask("", "where does it flow?", log_as="ask")
    assert answer.why.context == () and len(conversation.sessions) == 1
    assert logged[-1] == ("ask", "where does it flow?", "answer")


def test_forgetting_a_session_starts_it_afresh(conversation):
    conversation.ask("chat-1", "Tell me about the Selenge River")
    conversation.forget("chat-1")
    assert conversation.ask("chat-1", "where does it flow?").why.context == ()


def test_without_a_log_nothing_is_recorded_and_answers_are_the_same(tiny_config):
    answerer = build_answerer(tiny_config, cache=False)
    quiet = Conversation(answerer, SessionStore(10, 600.0))
    assert quiet.ask("s", "Where do snow leopards live?") == answerer.answer("Where do snow leopards live?")


# -- conversations over two documents: the seed (NATO and Mongolia) and a lighthouse leaflet ------

LIGHTHOUSE = """Gull Point Lighthouse

The lighthouse on Gull Point was built in 1868 by the harbour board.

Its lamp was converted to electricity in 1931 and automated in 1989.

Volunteers from the lighthouse trust give guided tours every Saturday from May to September.

The keeper's cottage now houses a small museum of shipwreck finds.

The trust repainted the tower red and white in 2016 with money from the lottery fund.
"""


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory) -> Conversation:
    """The seed knowledge plus a second document split by the product's own importer, in one knowledge base."""
    return _two_documents(tmp_path_factory.mktemp("two"))


@pytest.fixture(scope="module")
def two_documents_first_stage(tmp_path_factory) -> Conversation:
    """The same, answered by the first stage alone (retrieval.rerank: false)."""
    return _two_documents(tmp_path_factory.mktemp("two-first-stage"), "retrieval:\n  rerank: false\n")


def _two_documents(tmp: Path, config: str = "") -> Conversation:
    folder = tmp / "kb"
    shutil.copytree(SEED_KNOWLEDGE, folder)
    leaflet = tmp / "lighthouse.txt"
    leaflet.write_text(LIGHTHOUSE, encoding="utf-8")
    source, passages, _review = draft_passages(leaflet, "lighthouse")
    (folder / "passages" / "lighthouse.yaml").write_text(dump_passage_file(source, passages), encoding="utf-8")
    answerer = build_answerer(load_config(write_config(tmp, folder, config), environ={}), cache=False, clock=lambda: 100.0)
    return Conversation(answerer, SessionStore(10, 600.0, clock=lambda: 100.0))


def ask_in_turn(conversation: Conversation, *questions: str) -> list:
    """Ask the questions one after another in one fresh session."""
    conversation.forget("s")
    return [conversation.ask("s", q) for q in questions]


def test_a_question_that_stands_alone_is_not_answered_from_the_last_topic(two_documents):
    five_hills, cyber = ask_in_turn(two_documents, "what is five hills", "who did they work with on cyber defence?")
    assert "Five Hills" in five_hills.text
    assert "cyber defence" in cyber.text and cyber.why.context == () and cyber.why.coverage == 1.0


def test_a_question_about_the_second_document_is_not_pulled_back_to_the_first(two_documents):
    _, lamp = ask_in_turn(two_documents, "what is five hills", "when did they automate the lamp?")
    assert "1989" in lamp.text and lamp.why.context == ()


def test_a_pronoun_follow_up_carries_the_topic_in_either_document(two_documents):
    _, recognised = ask_in_turn(two_documents, "Tell me about the Five Hills training centre", "since when is it recognised")
    assert "August 2014" in recognised.text and recognised.why.context == ("five", "hills", "training", "centre")
    _, painted = ask_in_turn(two_documents, "Tell me about the lighthouse trust", "when did they repaint it?")
    assert "2016" in painted.text and painted.why.context == ("lighthouse", "trust")


PILING_UP = ("what is five hills", "who did they work with on cyber defence?", "Who built the lighthouse?",
             "when was it automated?")


def test_the_carried_topic_is_the_last_topic_only_and_never_piles_up(two_documents):
    """With the second stage the last question is answered by its own words (its reading with the topic
    ranks the 1868 passage first, which holds none of 'automated', so the question's own answer stands),
    and its own words are the topic remembered: nothing of the earlier topics."""
    turns = ask_in_turn(two_documents, *PILING_UP)
    assert [t.found for t in turns] == [True, True, True, True]
    assert "1989" in turns[-1].text and turns[-1].why.context == ()
    assert two_documents.sessions.get("s").topic(100.0, 600.0) == ("automated",)


def test_the_first_stage_alone_answers_that_follow_up_with_the_last_topic_only(two_documents_first_stage):
    turns = ask_in_turn(two_documents_first_stage, *PILING_UP)
    assert [t.found for t in turns] == [True, True, True, True]
    assert "1989" in turns[-1].text and turns[-1].why.context == ("built", "lighthouse")
    remembered = two_documents_first_stage.sessions.get("s").topic(100.0, 600.0)
    assert remembered == ("built", "lighthouse")  # the subject pointed back at, nothing of the earlier topics
