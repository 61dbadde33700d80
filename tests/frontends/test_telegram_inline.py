"""Telegram inline mode end to end: the answer and the core's alternatives, examples for an empty query."""

from __future__ import annotations

from bot.answer import build_answerer
from telegram_harness import QUESTION, Harness, assert_valid_html, make_config, plain, run


def test_inline_mode_offers_the_top_answers(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            h.fake.inline(21, QUESTION)
            await h.fake.wait_for(lambda: h.fake.inline_answers)
            results = h.fake.inline_answers[-1]["results"]
            expected = build_answerer(h.config).answer(QUESTION)
            assert 1 <= len(results) <= 3
            assert plain(results[0]["input_message_content"]["message_text"]).startswith(expected.text)
            for result in results:
                assert_valid_html(result["input_message_content"]["message_text"])
            h.fake.inline(21, "")
            await h.fake.wait_for(lambda: len(h.fake.inline_answers) == 2)
            assert h.fake.inline_answers[-1]["results"], "an empty query offers example answers"
    run(scenario())


def test_inline_results_are_the_answer_then_the_cores_alternatives_with_their_sources(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            question = "Mongolia NATO cooperation"
            expected = build_answerer(h.config).answer(question)
            assert expected.found and len(expected.alternatives) >= 2
            h.fake.inline(22, question)
            await h.fake.wait_for(lambda: h.fake.inline_answers)
            results = h.fake.inline_answers[-1]["results"]
            bodies = [r["input_message_content"]["message_text"] for r in results]
            shown = [plain(body).split("\n\nSource: ")[0] for body in bodies]
            assert shown == [expected.text] + [other.hit.text for other in expected.alternatives[:2]]
            for body, other in zip(bodies[1:], expected.alternatives):
                assert f'href="{other.url}"' in body and f"[{other.hit.id}]" in body
            assert [u.question for u in h.storage.unanswered()] == [] and h.storage.counts()["questions"] == 1
    run(scenario())
