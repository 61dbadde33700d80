"""End-to-end tests of the Telegram front end: the real bot and HTTP stack against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import logging
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.answer import build_answerer, new_sessions
from bot.config import PACKAGE_ROOT
from bot.knowledge import load_knowledge
from bot.live import LiveAnswerer
from bot.cli.main import make_conversation, run_telegram
from bot.frontends.telegram.app import build_application, start_webhook, stop, watch_knowledge
from bot.frontends.telegram.format import html_chunks
from bot.frontends.telegram.guard import FloodGuard, TokenRedactor, read_token
from devtools.botapi_fake import FakeBotAPI
from telegram_harness import ADMIN, QUESTION, TOKEN, Harness, assert_valid_html, buttons, make_config, plain, run


# -- conversations ---------------------------------------------------------------------------------

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


def test_unknown_question_offers_did_you_mean_buttons_and_is_logged(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            question = "What is the price of yak cheese in Ulaanbaatar?"
            reply = await h.ask(4, question)
            expected = build_answerer(h.config).answer(question)
            assert not expected.found and expected.suggestions
            labels = [label for label, data in buttons(reply) if data.startswith("ask:")]
            assert 2 <= len(labels) <= 3 and labels[0] == expected.suggestions[0][:60]
            assert [u.question for u in h.storage.unanswered()] == [question]
            before = len(h.fake.sent_to(4))
            await h.tap(4, reply, buttons(reply)[0][1])
            await h.fake.wait_for(lambda: len(h.fake.sent_to(4)) > before)
            assert "Source:" in h.fake.sent_to(4)[-1]["text"]
    run(scenario())


def test_feedback_and_why_buttons(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            reply = await h.ask(5, QUESTION)
            data = dict((label, d) for label, d in buttons(reply))
            await h.tap(5, reply, data["\U0001F44D"])
            assert h.fake.callback_answers[-1]["text"] == "Thanks for your feedback!"
            await h.tap(5, reply, data["\U0001F44E"])
            assert "already" in h.fake.callback_answers[-1]["text"]
            rows = h.storage._db.execute("SELECT channel, chat, question, passage_ids, vote FROM feedback").fetchall()
            expected = build_answerer(h.config).answer(QUESTION)
            assert rows == [("telegram", "5", QUESTION, ",".join(expected.passage_ids), 1)]
            assert h.fake.edits and [b["text"] for row in h.fake.edits[-1]["reply_markup"]["inline_keyboard"]
                                     for b in row] == ["why?"]
            assert h.storage.counts()["helpful"] == 1
            before = len(h.fake.sent_to(5))
            await h.tap(5, reply, data["why?"])
            await h.fake.wait_for(lambda: len(h.fake.sent_to(5)) > before)
            why = plain(h.fake.sent_to(5)[-1]["text"])
            assert "matched terms:" in why and "threshold" in why
            await h.tap(5, reply, "up:doesnotexist")
            assert "expired" in h.fake.callback_answers[-1]["text"]
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


# -- hostile input and long output -------------------------------------------------------------------

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


def test_html_chunks_never_cut_an_entity_or_exceed_the_limit():
    text = ("a&b <c> " * 2000) + "x" * 9000
    chunks = html_chunks(text, footer="<i>Source</i>", limit=4096)
    assert all(len(c) <= 4096 for c in chunks)
    for chunk in chunks:
        assert_valid_html(chunk)
    assert chunks[-1].endswith("<i>Source</i>")
    assert "".join(plain(c).replace("\n", " ").replace("Source", "") for c in chunks).replace(" ", "") == \
        text.replace(" ", "")


# -- faults --------------------------------------------------------------------------------------------

def test_send_faults_are_survived_and_every_question_answered_exactly_once(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            h.fake.fail("sendMessage", ("status", 429, 1), ("status", 429, 1), ("status", 500), ("status", 502),
                        ("delay", 1.6), ("reset",), ("garbage",), ("status", 503))
            chats = list(range(100, 110))
            for chat in chats:
                h.fake.message(chat, QUESTION)
            await h.fake.wait_for(lambda: all(h.fake.sent_to(c) for c in chats), timeout=30)
            await h.fake.settle(0.5)
            assert [len(h.fake.sent_to(c)) for c in chats] == [1] * len(chats)
            assert len(h.fake.faults_injected) == 8 and not h.fake.faults["sendMessage"]
            assert h.storage.counts()["questions"] == len(chats)
    run(scenario())


def test_a_429_is_retried_by_the_rate_limiter_alone(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path, send_retries=1)) as h:
            h.fake.fail("sendMessage", *[("status", 429, 1)] * 4)  # Telegram keeps saying "too many requests"
            update_id = h.fake.message(61, QUESTION)
            given_up = f"update {update_id} (message, chat 61) failed: RetryAfter"
            await h.fake.wait_for(lambda: any(given_up in line for line in h.logs.errors()))
            tries = [f for f in h.fake.faults_injected if f[0] == "sendMessage"]
            assert len(tries) == 2  # 1 + send_retries, not (1 + send_retries) squared by a second retry layer
            h.fake.faults["sendMessage"].clear()
            assert "Source:" in (await h.ask(61, QUESTION))["text"]  # the bot carries on
    run(scenario())


def test_get_updates_failures_do_not_stop_polling(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            h.fake.fail("getUpdates", ("status", 500), ("status", 502), ("garbage",), ("reset",), ("delay", 2.0))
            for chat in (201, 202, 203):
                h.fake.message(chat, QUESTION)
            await h.fake.wait_for(lambda: all(h.fake.sent_to(c) for c in (201, 202, 203)), timeout=30)
            await h.fake.settle(0.5)
            assert [len(h.fake.sent_to(c)) for c in (201, 202, 203)] == [1, 1, 1]
            assert len([f for f in h.fake.faults_injected if f[0] == "getUpdates"]) == 5
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


# -- the token and the process -----------------------------------------------------------------------

def test_token_is_checked_and_never_shown(tmp_path, capsys):
    config = make_config(tmp_path)
    assert run_telegram(config, environ={}) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err
    bad = "12345:short-token-secret"
    assert run_telegram(config, environ={"TELEGRAM_BOT_TOKEN": bad}) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a valid bot token" in err and bad not in err and "short-token" not in err
    assert read_token({"TELEGRAM_BOT_TOKEN": f" {TOKEN} "}) == TOKEN
    live = LiveAnswerer(config)
    app = build_application(config, make_conversation(live, config, None, "telegram"), None, TOKEN, base_url="http://127.0.0.1:9/bot")
    assert TOKEN not in repr(app.bot_data["front"])
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "The token `%s` was rejected", (TOKEN,), None)
    TokenRedactor(TOKEN).filter(record)
    assert TOKEN not in record.getMessage() and "[token]" in record.getMessage()


def test_a_rejected_token_gives_one_line_and_exit_code_2(tmp_path, capsys):
    async def serve_fake():
        fake = await FakeBotAPI("1:" + "Z" * 35).start()  # knows another token, so ours gets 401
        return fake

    loop = asyncio.new_event_loop()
    fake = loop.run_until_complete(serve_fake())
    import threading

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        config = make_config(tmp_path, base_url=fake.base_url)
        assert run_telegram(config, environ={"TELEGRAM_BOT_TOKEN": TOKEN}) == 2
        err = capsys.readouterr().err
        assert "rejected the token" in err and TOKEN not in err and err.count("\n") == 1
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_flood_guard_refills_over_time():
    now = [0.0]
    guard = FloodGuard(burst=3, rate=2.0, clock=lambda: now[0])
    assert [guard.allow(1)[0] for _ in range(5)] == [True, True, True, False, False]
    assert guard.allow(2)[0]
    now[0] += 1.0
    assert [guard.allow(1)[0] for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_during_a_burst_stops_within_five_seconds(tmp_path, stop_signal):
    async def scenario():
        fake = await FakeBotAPI(TOKEN).start()
        config_file = tmp_path / "config.yaml"
        config_file.write_text(
            f"knowledge: {PACKAGE_ROOT / 'knowledge'}\nstorage:\n  database: {tmp_path / 'bot.sqlite3'}\n"
            "telegram:\n  poll_timeout: 1\n  request_timeout: 2\n  overall_max_rate: 30\n", encoding="utf-8")
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url, PYTHONPATH=str(PACKAGE_ROOT))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config_file), "telegram", cwd=str(tmp_path), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            await fake.wait_for(lambda: fake.method_calls("getUpdates"), timeout=20)
            fake.fail("sendMessage", *[("delay", 1.5)] * 5)
            for n in range(400):
                fake.message(1000 + n % 80, QUESTION)
            await fake.wait_for(lambda: len(fake.sent) >= 3, timeout=20)
            started = time.monotonic()
            process.send_signal(stop_signal)
            await asyncio.wait_for(process.wait(), 10)
            elapsed = time.monotonic() - started
            _out, err = await process.communicate()
        finally:
            if process.returncode is None:
                process.kill()
            await fake.stop()
        assert elapsed < 5, f"took {elapsed:.1f} s"
        assert process.returncode == 0, err.decode()
        assert TOKEN not in err.decode()
    run(scenario())


def test_webhook_mode_answers_posted_updates_and_checks_the_secret(tmp_path):
    import json
    import socket
    import urllib.error
    import urllib.request

    async def post(url: str, update: dict, secret: str) -> int:
        def send() -> int:
            request = urllib.request.Request(url, json.dumps(update).encode(), method="POST", headers={
                "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.status
            except urllib.error.HTTPError as exc:
                return exc.code
        return await asyncio.to_thread(send)

    async def scenario():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = make_config(tmp_path)
        fake = await FakeBotAPI(TOKEN).start()
        live = LiveAnswerer(config)
        app = build_application(config, make_conversation(live, config, None, "telegram"), None, TOKEN, base_url=fake.base_url)
        secret = "s3cret-for-tests"
        await start_webhook(app, secret, "127.0.0.1", port, "https://bot.example.org/")
        try:
            registered = fake.method_calls("setWebhook")[-1]
            assert registered["url"] == "https://bot.example.org/telegram"
            assert registered["secret_token"] == secret
            update = {"update_id": 1, "message": {"message_id": 5, "date": int(time.time()), "text": QUESTION,
                                                  "chat": {"id": 77, "type": "private"},
                                                  "from": {"id": 77, "is_bot": False, "first_name": "a"}}}
            url = f"http://127.0.0.1:{port}/telegram"
            assert await post(url, dict(update, update_id=2), "wrong-secret") == 403
            assert await post(url, update, secret) == 200
            await fake.wait_for(lambda: fake.sent_to(77))
            await asyncio.sleep(0.3)
            assert len(fake.sent_to(77)) == 1 and "Source:" in fake.sent_to(77)[0]["text"]
        finally:
            await stop(app)
            await fake.stop()
    run(scenario())


def test_webhook_mode_without_a_public_url_is_a_clear_error(tmp_path, capsys):
    assert run_telegram(make_config(tmp_path), webhook=True, environ={"TELEGRAM_BOT_TOKEN": TOKEN}) == 2
    assert "telegram.webhook_url" in capsys.readouterr().err


def _jsonl_knowledge(folder: Path, long_text: str) -> Path:
    import json

    path = folder / "facts.jsonl"
    rows = [{"id": "yak-1", "section": "Yaks", "text": long_text},
            {"id": "camel-1", "section": "Camels", "text": "Bactrian camels have two humps and live in the Gobi."},
            {"id": "horse-1", "section": "Horses", "text": "Mongolian horses are small, hardy and live outdoors."}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_an_answer_over_4096_characters_is_split_with_buttons_under_the_last_part(tmp_path):
    long_text = " ".join(f"Yak herders<{n}> & families move camp {n} times a year." for n in range(200))
    config = make_config(tmp_path).with_knowledge(_jsonl_knowledge(tmp_path, long_text))
    config = dataclasses.replace(config, retrieval=dataclasses.replace(config.retrieval, max_answer_chars=20000))

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


def _yak_knowledge(tmp_path):
    """A one-passage JSON-lines knowledge and a config serving it, for the reload tests."""
    path = _jsonl_knowledge(tmp_path, "Yaks give milk, wool and transport to herding families.")
    return path, make_config(tmp_path).with_knowledge(path)


def test_reload_with_broken_knowledge_keeps_serving_the_old_one(tmp_path):
    path, config = _yak_knowledge(tmp_path)

    async def scenario():
        async with Harness(config) as h:
            assert "Source:" in (await h.ask(51, "What do yaks give?"))["text"]
            path.write_text('{"id": "broken", "text": \n', encoding="utf-8")
            reply = plain((await h.ask(ADMIN, "/reload"))["text"])
            assert reply.startswith("Reload failed, still serving the previous knowledge") and "line 1" in reply
            assert "Source:" in (await h.ask(51, "What do yaks give?"))["text"]
    run(scenario())


def test_a_broken_file_found_by_the_watcher_is_reported_to_the_admins(tmp_path):
    path, config = _yak_knowledge(tmp_path)

    async def scenario():
        async with Harness(config) as h:
            watcher = asyncio.create_task(watch_knowledge(h.front, h.app.bot, every=0.05))
            try:
                path.write_text('{"id": "broken", "text": \n', encoding="utf-8")
                await h.fake.wait_for(lambda: h.fake.sent_to(ADMIN), 10)
                report = plain(h.fake.sent_to(ADMIN)[0]["text"])
                assert report.startswith("Reload failed, still serving the previous knowledge") and "line 1" in report
                await asyncio.sleep(0.3)
                assert len(h.fake.sent_to(ADMIN)) == 1  # once per change, not on every check
                assert "Source:" in (await h.ask(51, "What do yaks give?"))["text"]
            finally:
                watcher.cancel()
    run(scenario())


def test_an_unsure_answer_offers_nearby_topics(tmp_path):
    from bot.evaluation import load_cases

    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            answerer = build_answerer(h.config)
            threshold = h.config.retrieval.threshold
            for case in load_cases(PACKAGE_ROOT / "eval" / "mongolia.yaml"):
                answer = answerer.answer(case.question)
                answered = {s.section for s in answer.sources if s.id in answer.passage_ids}
                near = [s.section for s in answer.sources if s.section not in answered and s.score >= 0.8 * answer.score]
                if answer.found and answer.score < 1.5 * threshold and near:
                    break
            else:
                raise AssertionError("the evaluation set has no unsure answer to test with")
            reply = await h.ask(52, case.question)
            offered = [(label, data) for label, data in buttons(reply) if label.startswith("Did you mean")]
            assert offered and offered[0][0] == f"Did you mean: {near[0][:45]}"[:60]
            sure = await h.ask(52, QUESTION)
            assert not [label for label, _ in buttons(sure) if label.startswith("Did you mean")]
            before = len(h.fake.sent_to(52))
            await h.tap(52, reply, offered[0][1])
            await h.fake.wait_for(lambda: len(h.fake.sent_to(52)) > before)
            assert plain(h.fake.sent_to(52)[-1]["text"]).startswith(near[0])
    run(scenario())


def test_a_permanent_error_is_logged_with_context_and_the_bot_carries_on(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            h.fake.fail("sendMessage", ("status", 400))
            update_id = h.fake.message(60, QUESTION)
            await h.fake.wait_for(lambda: h.logs.errors())
            assert f"update {update_id} (message, chat 60) failed: BadRequest" in h.logs.errors()[0]
            assert len(h.fake.method_calls("sendMessage")) == 1  # a 400 is not retried
            assert "Source:" in (await h.ask(60, QUESTION))["text"]
    run(scenario())
