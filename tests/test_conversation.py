"""Small talk recognition and the bounded session store."""

from __future__ import annotations

import pytest

from bot.core.context import Context, SessionStore, Turn
from bot.core.smalltalk import smalltalk_intent, strip_greeting


@pytest.mark.parametrize("text,intent", [
    ("hi", "hello"), ("Hello there!", "hello"), ("good morning", "hello"), ("thx", "thanks"),
    ("ok cool thanks", "thanks"), ("thank you so much", "thanks"), ("bye!", "bye"), ("who are you?", "who"),
    ("are you a robot", "who"), ("what can you do", "help"), ("ok", "ok"), ("thnaks", "thanks"),
])
def test_smalltalk_intents(text, intent):
    assert smalltalk_intent(text) == intent


@pytest.mark.parametrize("text", ["hi, when did it start?", "grant", "grand", "thanks for the cyber answer, what is SPS", "help me find the budget",
                                  "what is DEEP", ""])
def test_questions_are_not_smalltalk(text):
    assert smalltalk_intent(text) is None


def test_strip_greeting_keeps_the_question():
    assert strip_greeting("hi there when did it start") == "when did it start"
    assert strip_greeting("when did it start") == "when did it start"


def test_context_is_bounded_in_turns_and_age():
    context = Context()
    for i in range(10):
        context = context.add(Turn(f"q{i}", (f"w{i}",), "p", at=float(i)), max_turns=3)
    assert [t.question for t in context.turns] == ["q7", "q8", "q9"]
    assert context.topic(now=9.5, max_age=5) == ("w9",)
    assert context.topic(now=100.0, max_age=5) == ()


def test_session_store_evicts_least_recently_used_and_expired():
    now = [0.0]
    store = SessionStore(max_sessions=2, max_age=60, clock=lambda: now[0])
    ctx = Context((Turn("q", ("w",), "p", 0.0),))
    store.put("a", ctx)
    store.put("b", ctx)
    store.get("a")  # a is now most recent
    store.put("c", ctx)
    assert len(store) == 2 and store.get("b") == Context() and store.get("a") == ctx
    now[0] = 1000.0
    assert store.get("a") == Context()


def test_a_session_store_bounded_to_nothing_remembers_nothing_and_never_fails():
    store = SessionStore(max_sessions=0, max_age=60)  # session.max_sessions: 0 turns conversation memory off
    ctx = Context((Turn("q", ("w",), "p", 0.0),))
    store.put("a", ctx)
    assert store.get("a") == Context() and len(store) == 0
