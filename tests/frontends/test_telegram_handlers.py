"""Telegram messages and commands end to end: conversations, groups, admin commands, hostile and long text,
and the flood guard; the real python-telegram-bot stack against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import html
import time
from pathlib import Path

from bot.core.conversation import Conversation
from bot.core.context import new_sessions
from bot.core.pipeline import build_answerer
from bot.cli.main import open_storage
from bot.config import PACKAGE_ROOT
from bot.kb.load import load_knowledge
from console_helpers import BrokenOn
from telegram_harness import (ADMIN, QUESTION, Harness, assert_valid_html, buttons, jsonl_knowledge, make_config,
                              plain, run, yak_knowledge)


def test_start_greets_and_example_buttons_get_answers(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            reply = await h.ask(1, "/start")
            examples = h.live.current.examples
            assert h.config.replies.greeting in plain(reply["text"])
            assert "Relations with Mongolia" in plain(reply["text"])
            assert [label for label, _ in buttons(reply)] == [e if len(e) <= 60 else e[:59].rstrip() + "\u2026"
                                                             for e in examples]
            before = len(h.fake.sent_to(1))
            await h.tap(1, reply, buttons(reply)[0][1])
            await h.fake.wait_for(lambda: len(h.fake.sent_to(1)) > before)
            answer = h.fake.sent_to(1)[-1]
            expected = build_answerer(h.config).answer(examples[0])
            assert html.escape(expected.text) in answer["text"]
    run(scenario())


def test_help_topics_and_about(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            kb = h.live.current.kb
            help_reply = await h.ask(2, "/help")
            assert "/topics" in help_reply["text"] and kb.sections()[1] in plain(help_reply["text"])
            topics = await h.ask(2, "/topics")
            assert [label for label, _ in buttons(topics)] == kb.sections()
            await h.tap(2, topics, buttons(topics)[1][1])
            await h.fake.wait_for(lambda: h.fake.edits)
            edit = h.fake.edits[-1]
            section = kb.sections()[1]
            first_fact = next(p.text for p in kb.passages if p.section == section)
            assert section in plain(edit["text"]) and first_fact in plain(edit["text"])
            assert_valid_html(edit["text"])
            about = await h.ask(2, "/about")
            source = next(iter(kb.sources.values()))
            assert source.title in about["text"] and source.date in about["text"] and source.url in about["text"]
    run(scenario())


def test_question_gets_the_console_answer_with_source_typing_and_buttons(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            reply = await h.ask(3, QUESTION)
            expected = build_answerer(h.config).answer(QUESTION)
            assert expected.found
            assert plain(reply["text"]).startswith(expected.text)
            assert "Source:" in reply["text"] and expected.passage_ids[0] in reply["text"]
            assert 'href="https://www.nato.int/' in reply["text"]
            assert [label for label, _ in buttons(reply)] == ["\U0001F44D", "\U0001F44E", "why?"]
            actions = [p for p in h.fake.method_calls("sendChatAction") if p["chat_id"] == 3]
            assert actions and actions[0]["action"] == "typing"
            assert h.storage.counts()["answered"] == 1
    run(scenario())


def test_follow_ups_use_the_chat_context_like_the_console(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            first, follow = "What is the Five Hills training centre?", "Since when?"
            console = build_answerer(h.config)
            sessions = new_sessions(h.config)
            expected = []
            for question in (first, follow):
                answer = console.answer(question, sessions.get("c"))
                sessions.put("c", answer.context)
                expected.append(answer)
            alone = console.answer(follow)
            assert expected[1].found and expected[1].text != alone.text  # the follow-up needs its context
            assert plain((await h.ask(6, first))["text"]).startswith(expected[0].text)
            assert plain((await h.ask(6, follow))["text"]).startswith(expected[1].text)
            other_chat = await h.ask(7, follow)  # another chat has no context to lean on
            assert plain(other_chat["text"]).startswith(alone.text.split("\n")[0][:40])
    run(scenario())


def test_group_answers_only_when_mentioned_replied_to_or_commanded(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            group = -100500
            h.fake.message(group, QUESTION, user_id=11, chat_type="supergroup")
            await h.fake.settle()
            assert h.fake.sent_to(group) == []
            reply = await h.ask(group, f"@fact_bot {QUESTION}", user_id=11, chat_type="supergroup")
            assert "Source:" in reply["text"]
            assert reply["_params"]["reply_parameters"]["message_id"] > 0
            bot_message = {k: v for k, v in reply.items() if k != "_params"}
            follow = await h.ask(group, "When did NATO and Mongolia start cooperating?", user_id=12,
                                 chat_type="supergroup", reply_to=bot_message)
            assert "Source:" in follow["text"] or "know" in follow["text"]
            assert "/topics" in (await h.ask(group, "/help@fact_bot", user_id=11, chat_type="supergroup"))["text"]
            count = len(h.fake.sent_to(group))
            h.fake.message(group, "/help@other_bot", user_id=11, chat_type="supergroup")
            h.fake.message(group, "@someone_else what do you think?", user_id=11, chat_type="supergroup")
            h.fake.message(group, None, user_id=11, chat_type="supergroup", sticker=_sticker())
            await h.fake.settle()
            assert len(h.fake.sent_to(group)) == count
    run(scenario())


def _sticker() -> dict:
    return {"file_id": "stk", "file_unique_id": "stku", "type": "regular", "width": 512, "height": 512,
            "is_animated": False, "is_video": False}


def test_non_text_updates_get_a_hint_or_silence_never_an_error(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            photo = [{"file_id": "p", "file_unique_id": "pu", "width": 10, "height": 10}]
            voice = {"file_id": "v", "file_unique_id": "vu", "duration": 2}
            for extra in ({"sticker": _sticker()}, {"photo": photo}, {"voice": voice}):
                before = len(h.fake.sent_to(8))
                h.fake.message(8, None, **extra)
                await h.fake.wait_for(lambda: len(h.fake.sent_to(8)) > before)
                assert "only read text" in h.fake.sent_to(8)[-1]["text"]
            count = len(h.fake.sent)
            h.fake.message(8, "edited text", kind="edited_message")
            h.fake.message(-100900, "a channel post", chat_type="channel", kind="channel_post")
            h.fake.message(8, None, location={"latitude": 1.0, "longitude": 2.0}, chat_type="group",
                           user_id=8)
            await h.fake.settle()
            assert len(h.fake.sent) == count
            unknown = await h.ask(8, "/frobnicate")
            assert "/help" in unknown["text"]
            assert h.logs.errors() == []
    run(scenario())


def test_admin_commands_refuse_others_and_serve_admins(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            await h.ask(30, "What is the price of yak cheese?")
            for command in ("/reload", "/stats", "/unanswered"):
                refusal = await h.ask(30, command)
                assert refusal["text"] == f"Sorry, only the bot's maintainers may use {command}."
            stats = plain((await h.ask(ADMIN, "/stats"))["text"])
            passages = len(load_knowledge(PACKAGE_ROOT / "knowledge").passages)
            assert f"Passages: {passages}" in stats and "questions 1, answered 0, unanswered 1" in stats
            unanswered = plain((await h.ask(ADMIN, "/unanswered"))["text"])
            assert "1\u00d7 What is the price of yak cheese?" in unanswered
            assert plain((await h.ask(ADMIN, "/reload"))["text"]) == f"Reloaded: {passages} passages."
    run(scenario())


def test_stats_and_unanswered_with_a_log_database_that_is_not_sqlite_keep_the_bot_answering(tmp_path):
    config = make_config(tmp_path)
    Path(config.storage.database).write_bytes(b"not an SQLite database\n" * 200)
    assert open_storage(config) is None  # as `python -m bot telegram` opens it: a warning, and the bot starts

    async def scenario():
        async with Harness(config, logged=False) as h:
            assert "Source:" in (await h.ask(30, QUESTION))["text"]
            stats = plain((await h.ask(ADMIN, "/stats"))["text"]).splitlines()
            assert stats[0].startswith("Passages: ") and "Answered since start: 1" in stats
            assert stats[-1] == "Logged: unknown (the question log is not available; the bot's log says why)"
            assert plain((await h.ask(ADMIN, "/unanswered"))["text"]) == "The question log is not available."
            assert "Source:" in (await h.ask(30, QUESTION))["text"] and h.logs.errors() == []
    run(scenario())


def test_stats_with_a_log_database_broken_while_running_shows_the_rest(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            await h.ask(30, QUESTION)
            h.storage.flush()
            for path in tmp_path.glob("bot.sqlite3*"):  # the database and its WAL replaced under the running bot
                path.write_bytes(b"not an SQLite database\n" * 200)
            stats = plain((await h.ask(ADMIN, "/stats"))["text"]).splitlines()
            assert stats[0].startswith("Passages: ") and "Answered since start: 1" in stats
            assert stats[-1].startswith("Logged: unknown (cannot read the log database ") and len(stats) == 5
            unanswered = plain((await h.ask(ADMIN, "/unanswered"))["text"])
            assert unanswered.startswith("cannot read the log database ") and "\n" not in unanswered
            assert "Source:" in (await h.ask(30, QUESTION))["text"] and h.logs.errors() == []
    run(scenario())


def test_html_in_questions_is_escaped_wherever_it_is_echoed(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            nasty = "<b>bold</b> & </code> <a href='x'>yak</a> cheese?"
            reply = await h.ask(40, nasty)
            assert "<b>bold" not in reply["text"]
            why = dict(buttons(reply))["why?"]
            before = len(h.fake.sent_to(40))
            await h.tap(40, reply, why)
            await h.fake.wait_for(lambda: len(h.fake.sent_to(40)) > before)
            echoed = h.fake.sent_to(40)[-1]["text"]
            assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;/code&gt;" in echoed
            listing = await h.ask(ADMIN, "/unanswered")
            assert html.escape(nasty, quote=False) in listing["text"] and plain(listing["text"]).count(nasty) == 1
            h.fake.inline(40, "<b>Mongolia</b> & </code> Five Hills training centre")
            await h.fake.wait_for(lambda: h.fake.inline_answers)
            for result in h.fake.inline_answers[-1]["results"]:
                assert_valid_html(result["input_message_content"]["message_text"])
    run(scenario())  # the harness checks every sent message is valid Telegram HTML


def test_long_replies_are_split_under_the_limit(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            questions = [f"question {n} about " + " ".join(f"<zorg{n}x{k}>&" for k in range(120)) for n in range(12)]
            for question in questions:
                h.storage.log_question("telegram", "1", question, False, "unknown", 0.0)
            await h.ask(ADMIN, "/unanswered")
            await h.fake.settle()
            parts = [m["text"] for m in h.fake.sent_to(ADMIN)]
            assert len(parts) >= 5 and all(len(p) <= 4096 for p in parts)
            joined = " ".join(" ".join(plain(p) for p in parts).split())
            for question in questions:
                assert question in joined
    run(scenario())


def test_a_flood_from_one_user_is_throttled_without_starving_others(tmp_path):
    async def scenario():
        # Almost no refill: on a busy machine reading 1,000 updates takes seconds, each worth a refill.
        async with Harness(make_config(tmp_path, flood_per_second=0.001)) as h:
            for n in range(1000):
                h.fake.message(300, f"spam {n} Mongolia")
            others = list(range(301, 306))
            started = time.monotonic()
            for chat in others:
                h.fake.message(chat, QUESTION)
            await h.fake.wait_for(lambda: all(h.fake.sent_to(c) for c in others), timeout=20)
            waited = time.monotonic() - started
            await h.fake.settle(0.5)
            flooder = h.fake.sent_to(300)
            assert len(flooder) <= h.config.telegram.flood_burst + 2  # the burst, a notice, maybe one refill
            assert any("faster than I can read" in m["text"] for m in flooder)
            assert all(len(h.fake.sent_to(c)) == 1 for c in others)
            assert waited < 10
    run(scenario())


def test_commands_buttons_and_inline_queries_share_the_flood_guard(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path, flood_per_second=0.001)) as h:
            burst = h.config.telegram.flood_burst
            topics = {"message_id": 1, "date": int(time.time()), "chat": {"id": 310, "type": "private"},
                      "from": h.fake.bot_user(), "text": "Pick a topic:"}
            for n in range(60):  # one user, every kind of update but questions
                h.fake.message(310, "/help")
                h.fake.message(310, "/about")
                h.fake.callback(310, "topic:1", topics)
                h.fake.inline(310, "" if n % 2 else "Mongolia")
            others = list(range(311, 316))
            for chat in others:
                h.fake.message(chat, QUESTION)
            await h.fake.wait_for(lambda: all(h.fake.sent_to(c) for c in others), timeout=30)
            await h.fake.settle(0.5)
            assert all(len(h.fake.sent_to(c)) == 1 for c in others)
            replies = [m for m in h.fake.sent_to(310) if "faster than I can read" not in m["text"]]
            handled = len(replies) + len(h.fake.inline_answers) + len(h.fake.edits)
            assert handled == burst  # 240 updates, one budget: the burst, then nothing (no refill to speak of)
            notices = len(h.fake.sent_to(310)) - len(replies) + sum(
                1 for a in h.fake.callback_answers if a.get("text") == "Please slow down a little.")
            assert notices == 1
            assert len(h.fake.callback_answers) <= burst + 1  # dropped presses cost no Bot API call
    run(scenario())


def test_an_answer_over_4096_characters_is_split_with_buttons_under_the_last_part(tmp_path):
    long_text = " ".join(f"Yak herders<{n}> & families move camp {n} times a year." for n in range(200))
    config = make_config(tmp_path).with_knowledge(jsonl_knowledge(tmp_path, long_text))
    # The first stage alone: on three passages, one of them 10,000 characters of repeats, the second
    # stage's probability is far from calibrated (0.02); this test is about splitting a long answer.
    config = dataclasses.replace(config, retrieval=dataclasses.replace(config.retrieval, max_answer_chars=20000,
                                                                       rerank=False, threshold=0.2))

    async def scenario():
        async with Harness(config) as h:
            await h.ask(50, "How often do yak herders move camp?")
            await h.fake.settle()
            parts = h.fake.sent_to(50)
            assert len(parts) >= 3 and all(len(p["text"]) <= 4096 for p in parts)
            assert [bool(buttons(p)) for p in parts] == [False] * (len(parts) - 1) + [True]
            text = " ".join(" ".join(plain(p["text"]) for p in parts).split())
            assert text.startswith(long_text) and "Source:" in text
    run(scenario())


def test_reload_with_broken_knowledge_keeps_serving_the_old_one(tmp_path):
    path, config = yak_knowledge(tmp_path)

    async def scenario():
        async with Harness(config) as h:
            assert "Source:" in (await h.ask(51, "What do yaks give?"))["text"]
            path.write_text('{"id": "broken", "text": \n', encoding="utf-8")
            reply = plain((await h.ask(ADMIN, "/reload"))["text"])
            assert reply.startswith("Reload failed, still serving the previous knowledge") and "line 1" in reply
            assert "Source:" in (await h.ask(51, "What do yaks give?"))["text"]
    run(scenario())


def test_a_question_in_another_language_gets_the_english_line_and_no_buttons(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            reply = await h.ask(3, "¿Quién pagó el apoyo contra la COVID-19?")
            assert plain(reply["text"]) == h.config.replies.not_english and buttons(reply) == []
    run(scenario())


def test_a_failure_answering_one_question_gets_one_friendly_message_and_the_chat_goes_on(tmp_path):
    broken = "What does the broken stage say?"

    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            real = h.front.conversation
            h.front.conversation = Conversation(BrokenOn(h.live, broken), real.sessions, real.log)
            reply = await h.ask(7, broken)
            assert plain(reply["text"]) == h.config.replies.failed and buttons(reply) == []
            assert len(h.fake.sent_to(7)) == 1  # one message, not the traceback
            errors = h.logs.errors()
            assert len(errors) == 1 and "chat 7 failed" in errors[0] and "KeyError" in errors[0]  # with traceback
            assert "April 2020" in plain((await h.ask(7, QUESTION))["text"])
            assert h.front.answered == 1
    run(scenario())
