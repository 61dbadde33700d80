"""Admins answer logged questions from the chat, end to end against the fake Bot API, on a copy of the knowledge:
list, 'Answer this', the fact, the preview, Save (written with history, swapped in live, askers told) or Cancel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli.main import run as cli_run
from bot.config import PACKAGE_ROOT
from bot.frontends.telegram.keyboards import EXPIRED
from bot.kb.load import load_knowledge
from bot.kb.questions import load_questions
from bot.kb.store import KnowledgeStore
from telegram_harness import ADMIN, Harness, buttons, make_config, plain, run

QUESTION = "Where did Mongolia open a NATO liaison office?"
FACT = "Mongolia opened a NATO liaison office in Ulaanbaatar in 2031."
ASKER, OTHER = 31, 32


@pytest.fixture
def config(tmp_path: Path):
    """The shipped knowledge copied to a scratch folder (the repository's own is never written)."""
    folder = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_ROOT / "knowledge", folder, ignore=shutil.ignore_patterns(".index", ".history", ".lock"))
    return make_config(tmp_path, flood_burst=1000).with_knowledge(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every knowledge file's bytes (the store's hidden files included), to show nothing was written."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".index" not in p.parts and p.name != ".lock"}


async def next_message(h: Harness, chat: int, before: int) -> dict:
    """The bot's next message in a chat after `before` messages."""
    await h.fake.wait_for(lambda: len(h.fake.sent_to(chat)) > before)
    return h.fake.sent_to(chat)[before]


async def press(h: Harness, user: int, message: dict, label_start: str) -> dict:
    """Press the button whose label starts with `label_start` and return the bot's next message to `user`."""
    data = next(d for text, d in buttons(message) if text.startswith(label_start))
    before = len(h.fake.sent_to(user))
    await h.tap(user, message, data)
    return await next_message(h, user, before)


async def preview_for(h: Harness, fact: str, times: int = 1) -> dict:
    """Ask `times` (so the question is logged), list it, press 'Answer this' and send `fact`: the bot's reply."""
    for _ in range(times):
        first = await h.ask(ASKER, QUESTION)
        assert "Source:" not in first["text"]  # the knowledge cannot answer it yet
    listing = await h.ask(ADMIN, "/unanswered")
    assert f"1. {times}\u00d7 {QUESTION}" in plain(listing["text"])
    prompt = await press(h, ADMIN, listing, "Answer this: 1.")
    assert QUESTION in plain(prompt["text"]) and [t for t, _ in buttons(prompt)] == ["Cancel"]
    return await h.ask(ADMIN, fact)


def test_admin_answers_a_question_saves_it_live_with_undo_and_the_asker_is_told_once(config, tmp_path):
    folder = config.knowledge

    async def scenario():
        async with Harness(config) as h:
            preview = await preview_for(h, FACT, times=2)  # asked twice, told once
            new_id = plain(preview["text"]).split("New passage ")[1].split(",")[0]
            assert FACT in plain(preview["text"]) and [t for t, _ in buttons(preview)] == ["Save", "Cancel"]
            assert load_knowledge(folder).by_id(new_id) is None and KnowledgeStore(folder).versions() == []
            told_before = len(h.fake.sent_to(ASKER))
            saved = plain((await press(h, ADMIN, preview, "Save"))["text"])
            assert saved.startswith(f"Saved {new_id}.") and "kb undo" in saved and "Sent the new answer to 1 chat" in saved
            assert load_knowledge(folder).by_id(new_id).text == FACT
            assert (QUESTION, new_id) in [(q.question, q.expect_id) for q in load_questions(folder / "questions.yaml")]
            assert [v.reason for v in KnowledgeStore(folder).versions()] == [f"add {new_id}"]
            told = h.fake.sent_to(ASKER)[told_before:]
            assert len(told) == 1 and "You asked me" in plain(told[0]["text"]) and new_id in plain(told[0]["text"])
            assert new_id in plain((await h.ask(OTHER, QUESTION))["text"])  # served live, no restart
            await h.tap(ADMIN, preview, dict(buttons(preview))["Save"])  # the same Save again: spent
            assert h.fake.callback_answers[-1]["text"] == EXPIRED
            await h.fake.settle()
            assert len(h.fake.sent_to(ASKER)) == told_before + 1 and len(load_knowledge(folder).passages) == \
                len(load_knowledge(PACKAGE_ROOT / "knowledge").passages) + 1
    run(scenario())
    assert cli_run(["--knowledge", str(folder), "kb", "undo"]) == 0  # `kb undo` takes the chat's change back
    for name in ("passages/relations-with-mongolia.yaml", "questions.yaml"):
        assert (folder / name).read_bytes() == (PACKAGE_ROOT / "knowledge" / name).read_bytes()
    assert KnowledgeStore(folder).versions() == []


def test_cancel_writes_nothing_and_the_admins_next_message_is_a_question_again(config):
    folder = config.knowledge

    async def scenario():
        async with Harness(config) as h:
            before = snapshot(folder)
            preview = await preview_for(h, FACT)
            cancelled = plain((await press(h, ADMIN, preview, "Cancel"))["text"])
            assert cancelled == "Cancelled: nothing was saved." and snapshot(folder) == before
            listing = await h.ask(ADMIN, "/unanswered")
            prompt = await press(h, ADMIN, listing, "Answer this: 1.")
            assert plain((await press(h, ADMIN, prompt, "Cancel"))["text"]) == "Cancelled: nothing was saved."
            reply = plain((await h.ask(ADMIN, "What is the Individual Partnership and Cooperation Programme?"))["text"])
            assert "Save" not in reply and "Source:" in reply  # answered as a question, not taken as a fact
            assert snapshot(folder) == before and KnowledgeStore(folder).versions() == []
    run(scenario())


@pytest.mark.parametrize("fact, reason", [
    ("Mongolia " + "opened an office " * 40, "over the 500 limit"),
    ("Since 2005, NATO and Mongolia have been engaged in dialogue and cooperation.", "near-duplicate of passage"),
    ("The Mongolian horse festival Naadam takes place every July.", f"would not answer {QUESTION!r}"),
])
def test_a_fact_failing_a_check_shows_why_and_offers_nothing_to_save(config, fact, reason):
    folder = config.knowledge

    async def scenario():
        async with Harness(config) as h:
            before = snapshot(folder)
            refusal = await preview_for(h, fact)
            text = plain(refusal["text"])
            assert text.startswith("Not saved:") and reason in text and "--force" not in text
            assert [t for t, _ in buttons(refusal)] == ["Cancel"]
            assert snapshot(folder) == before
            retry = await h.ask(ADMIN, FACT)  # still waiting for a fact: a better one gets its preview
            assert [t for t, _ in buttons(retry)] == ["Save", "Cancel"]
    run(scenario())


def test_notify_askers_off_tells_nobody(tmp_path, config):
    import dataclasses

    config = dataclasses.replace(config, telegram=dataclasses.replace(config.telegram, notify_askers=False))

    async def scenario():
        async with Harness(config) as h:
            preview = await preview_for(h, FACT)
            told_before = len(h.fake.sent_to(ASKER))
            saved = plain((await press(h, ADMIN, preview, "Save"))["text"])
            assert saved.startswith("Saved") and "Sent the new answer" not in saved
            await h.fake.settle()
            assert len(h.fake.sent_to(ASKER)) == told_before
    run(scenario())


def test_a_log_database_broken_before_save_still_saves_and_confirms(config):
    async def scenario():
        async with Harness(config) as h:
            preview = await preview_for(h, FACT)
            h.storage.flush()
            for path in Path(h.storage.path).parent.glob("bot.sqlite3*"):  # replaced under the running bot
                path.write_bytes(b"not an SQLite database\n" * 200)
            told_before = len(h.fake.sent_to(ASKER))
            saved = plain((await press(h, ADMIN, preview, "Save"))["text"])
            assert saved.startswith("Saved") and "Sent the new answer" not in saved  # saved, askers unknown
            assert load_knowledge(config.knowledge).by_id(saved.split()[1].rstrip(".")).text == FACT
            await h.fake.settle()
            assert len(h.fake.sent_to(ASKER)) == told_before and h.logs.errors() == []
            assert any("cannot read the log database" in line for line in h.logs.lines)
    run(scenario())


def test_non_admins_reach_nothing_with_the_command_forged_or_copied_buttons(config):
    folder = config.knowledge
    stranger = 30

    async def scenario():
        async with Harness(config) as h:
            before = snapshot(folder)
            refusal = await h.ask(stranger, "/unanswered")
            assert refusal["text"] == "Sorry, only the bot's maintainers may use /unanswered." and not buttons(refusal)
            listing = await h.ask(ADMIN, "/unanswered")  # nothing logged yet: no buttons to copy
            preview = await preview_for(h, FACT)
            listing = await h.ask(ADMIN, "/unanswered")
            own = await h.ask(stranger, "Hello there, what do you know?")
            group = await h.ask(-100900, f"@fact_bot {QUESTION}", user_id=ADMIN, chat_type="supergroup")
            copied = [d for _, d in buttons(listing) + buttons(preview)]
            presses = [(stranger, message, data) for message in (listing, preview, own) for data in copied]
            presses += [(stranger, own, data) for data in ("cur:", "cur:1", "cur:AAAAAAAAAAAAAAAA", "cur:" + "9" * 60)]
            presses += [(ADMIN, group, data) for data in copied]  # an admin's own token, pressed in a group
            answers = len(h.fake.callback_answers)
            sent = len(h.fake.sent)
            for user, message, data in presses:
                h.fake.callback(user, data, {k: v for k, v in message.items() if k != "_params"})
            await h.fake.wait_for(lambda: len(h.fake.callback_answers) >= answers + len(presses))
            await h.fake.settle(0.3)
            assert [a.get("text") for a in h.fake.callback_answers[answers:]] == [EXPIRED] * len(presses)
            assert len(h.fake.sent) == sent and h.fake.edits == []
            reply = plain((await h.ask(stranger, FACT))["text"])  # a stranger's "fact" is only a question
            assert not reply.startswith(("Not saved", "Question:")) and snapshot(folder) == before
            saved = plain((await press(h, ADMIN, preview, "Save"))["text"])  # the admin's own still work
            assert saved.startswith("Saved")
    run(scenario())


def test_a_reply_to_a_prompt_answers_that_prompts_question(config):
    second = "What is the price of yak cheese?"

    async def scenario():
        async with Harness(config) as h:
            await h.ask(ASKER, QUESTION)
            await h.ask(ASKER, second)
            listing = await h.ask(ADMIN, "/unanswered")
            labels = [t for t, _ in buttons(listing)]
            first = await press(h, ADMIN, listing, next(t for t in labels if "NATO" in t))
            await press(h, ADMIN, listing, next(t for t in labels if "yak" in t))  # the latest prompt
            reply_to = {k: v for k, v in first.items() if k != "_params"}
            preview = await h.ask(ADMIN, FACT, reply_to=reply_to)
            assert plain(preview["text"]).startswith(f"Question: {QUESTION}")
            assert [t for t, _ in buttons(preview)] == ["Save", "Cancel"]
            refusal = plain((await h.ask(ADMIN, FACT))["text"])  # still owed for the yak question
            assert refusal.startswith("Not saved:") and repr(second) in refusal
    run(scenario())
