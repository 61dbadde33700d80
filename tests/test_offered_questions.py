"""Every question the bot offers (examples in the greeting, help and /start, 'I don't know' suggestions,
passages' own `questions:`) is answered from the passage it was offered for: the bot never suggests a
question it then answers wrongly."""

from __future__ import annotations

import pytest


def _offered(answerer) -> dict[str, set[str]]:
    """Each question the bot can offer, with the passages that answer it (empty: any passage will do)."""
    kb, composer = answerer.kb, answerer.composer
    offered: dict[str, set[str]] = {q: set() for q in answerer.examples}
    for passage in kb.passages:
        for question in passage.questions:
            offered.setdefault(question, set()).add(passage.id)
        # a near miss is suggested as its passage's question (or 'Tell me about' its topic; none for a heading
        # that is no topic)
        question = composer.question_for(passage)
        if question:
            offered.setdefault(question, set()).add(passage.id)
    return offered


def test_the_offered_questions_include_the_examples_and_every_passages_questions(seed_answerer):
    offered = _offered(seed_answerer)
    assert seed_answerer.examples and set(seed_answerer.examples) <= set(offered)
    assert all(offered[q] for q in seed_answerer.examples)  # each example comes from a passage
    assert len(offered) >= len(seed_answerer.kb.passages)


@pytest.mark.parametrize("stages", ["default", "first stage alone"])
def test_every_offered_question_is_answered_by_its_own_passage(stages, seed_answerer, seed_first_stage):
    answerer = seed_answerer if stages == "default" else seed_first_stage  # rerank: false is a user's choice too
    wrong = {}
    for question, ids in _offered(answerer).items():
        answer = answerer.answer(question)
        if not answer.found or not set(answer.passage_ids) & ids:
            wrong[question] = (sorted(ids), answer.passage_ids, answer.text[:80])
    assert not wrong, wrong


@pytest.mark.parametrize("lead", ["help", "/start"])
def test_the_help_and_start_examples_are_the_answered_ones(seed_answerer, lead):
    reply = seed_answerer.answer(lead)
    assert reply.kind == "help" and reply.suggestions == seed_answerer.examples


def test_a_why_question_gets_the_reason_not_the_date(seed_answerer):
    answer = seed_answerer.answer("Why do NATO and Mongolia work together?")
    assert answer.passage_ids == ("mongolia-001",) and "to address" in answer.text
