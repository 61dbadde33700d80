"""Small talk within the settings' bounds (the phrases themselves are tested in test_conversation.py)."""

from __future__ import annotations

import dataclasses

from bot.core.settings import AnswerSettings
from bot.core.smalltalk import SmallTalk

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
