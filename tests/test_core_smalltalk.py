"""Small talk within the settings' bounds (the phrases themselves are tested in test_core_context.py)."""

from __future__ import annotations

import dataclasses

from bot.core.settings import AnswerSettings
from bot.core.smalltalk import SmallTalk, yields_to_topic

S = AnswerSettings()


def test_a_misspelt_small_talk_word_is_recognised_within_the_similarity():
    assert SmallTalk(S).intent("thnaks a lot") == "thanks"
    assert SmallTalk(dataclasses.replace(S, smalltalk_similarity=95.0)).intent("thnaks a lot") is None


def test_a_message_longer_than_the_limit_is_a_question_not_small_talk():
    assert SmallTalk(S).intent("thank you very much") == "thanks"
    assert SmallTalk(dataclasses.replace(S, smalltalk_max_words=3)).intent("thank you very much") is None


def test_the_longest_greeting_before_a_question_is_dropped_up_to_the_limit():
    question = "hi there, when did the programme begin"
    assert SmallTalk(S).strip_greeting(question) == "when did the programme begin"
    assert SmallTalk(dataclasses.replace(S, greeting_max_words=1)).strip_greeting(question) == (
        "there, when did the programme begin")


def test_only_small_talk_that_may_be_a_heading_gives_way_to_a_topic():
    assert yields_to_topic("options", "help") and yields_to_topic("Commands!", "help") and yields_to_topic("good", "ok")
    assert not yields_to_topic("help", "help") and not yields_to_topic("OK", "ok")  # the bot's own words
    assert not yields_to_topic("/start", "help") and yields_to_topic("start", "help")  # a command is no topic
    assert not any(yields_to_topic(text, intent) for text, intent in (("thanks", "thanks"), ("hi", "hello"),
                                                                       ("bye", "bye"), ("who are you", "who")))
