"""Telegram keyboards and the button store on their own: what each button carries, and how long it lives."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.answer import Answer
from bot.frontends.telegram.keyboards import (ButtonStore, Pending, button_arg, examples_keyboard, feedback_row,
                                              nearby_topic_rows, suggestion_rows)

SECTIONS = ["Animals", "Rivers", "Lakes"]


def _data(rows) -> list[tuple[str, str]]:
    return [(b.text, b.callback_data) for row in rows for b in row]


def test_nearby_topics_are_offered_only_under_an_unsure_answer_as_the_core_chose_them():
    unsure = Answer(True, "fact", "answer", unsure=True, nearby=("Lakes", "Gone since a reload"))
    assert _data(nearby_topic_rows(unsure, SECTIONS)) == [("Did you mean: Lakes", "sec:2")]
    sure = Answer(True, "fact", "answer", unsure=False, nearby=("Lakes",))
    assert nearby_topic_rows(sure, SECTIONS) == []


def test_examples_travel_by_number_and_other_questions_by_a_token_for_their_chat():
    store = ButtonStore()
    examples = ("Where does the Selenge flow?", "What lives in the Altai?")
    markup = examples_keyboard(("What lives in the Altai?", "Something else entirely?"), examples, store, chat=7)
    (first_label, first), (_, second) = _data(markup.inline_keyboard)
    assert first_label == "What lives in the Altai?" and first == "ex:1"
    assert second.startswith("ask:") and store.lookup(button_arg(second), 7, 1).question == "Something else entirely?"
    assert store.lookup(button_arg(second), 8, 1) is None  # another chat


def test_suggestions_are_at_most_three_ask_buttons_without_an_answer():
    store = ButtonStore()
    rows = suggestion_rows(("a?", "b?", "c?", "d?"), store, chat=7)
    assert [label for label, _ in _data(rows)] == ["a?", "b?", "c?"]
    assert all(store.lookup(button_arg(data), 7, 1).answer is None for _, data in _data(rows))


def test_votes_leave_with_their_button_and_binding_does_not_make_a_button_look_new():
    store = ButtonStore(limit=2)
    first = store.add(Pending("q1", Answer(True, "a", "answer"), chat=7))
    assert store.vote(first, user=1) and not store.vote(first, user=1)
    store.bind(InlineKeyboardMarkup([feedback_row(first)]), 7, 100)
    second = store.add(Pending("q2", None, chat=7))
    store.add(Pending("q3", None, chat=7))  # the oldest button, `first`, expires even though it was just bound
    assert store.lookup(first, 7, 100) is None and store.lookup(second, 7, 1) is not None
    assert store.vote(first, user=1)  # nothing is left of it, its votes included
    assert len(store) == 2


def test_a_bound_button_works_only_on_its_own_message():
    store = ButtonStore()
    key = store.add(Pending("q", None, chat=7))
    store.bind(InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=f"ask:{key}")]]), 8, 100)  # other chat
    assert store.lookup(key, 7, 55).message is None  # not bound by another chat's message
    store.bind(InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=f"ask:{key}")]]), 7, 100)
    assert store.lookup(key, 7, 100).message == 100 and store.lookup(key, 7, 101) is None
