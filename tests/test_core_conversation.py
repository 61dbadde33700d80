"""Conversation.ask: one place that gets a session's context, answers, remembers and logs."""

from __future__ import annotations

import pytest

from bot.core.context import SessionStore
from bot.core.conversation import Conversation
from bot.core.pipeline import build_answerer


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
