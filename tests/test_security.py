"""Hostile input, end to end.

The Telegram front end (fake Bot API on 127.0.0.1): forged button presses, odd button data, admin views in
groups, malformed updates and what the logs may show. The `kb` commands: path escapes, where `kb undo` and
`kb add` touch only files inside the knowledge folder, whatever a manifest or a symbolic link says.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
from pathlib import Path

import pytest

from bot.cli.main import make_conversation
from bot.cli.main import run as cli_run
from bot.frontends.telegram.app import build_application, start_webhook, stop
from bot.frontends.telegram.buttons import EXPIRED
from bot.frontends.telegram.handlers import PRIVATE_ONLY
from bot.frontends.telegram.keyboards import ButtonStore, Pending, button_index
from bot.core.live import LiveAnswerer
from devtools.botapi_fake import FakeBotAPI
from telegram_harness import (ADMIN, QUESTION, TOKEN, Harness, buttons, free_port, make_config, plain, post_update,
                              run)

SECRET = "My phone is 99114321"
SECRET_QUESTION = f"{QUESTION} {SECRET}"


def _clean(message: dict) -> dict:
    """A sent message as it appears inside a callback query (without the fake's bookkeeping)."""
    return {k: v for k, v in message.items() if k != "_params"}


def test_forged_presses_from_another_chat_reveal_nothing_and_the_owner_still_votes(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path, flood_burst=1000)) as h:
            victim = await h.ask(1, SECRET_QUESTION)
            victim_data = dict(buttons(victim))
            assert set(victim_data) == {"\U0001F44D", "\U0001F44E", "why?"}
            attacker = await h.ask(2, QUESTION)  # the attacker's own message, to press forged buttons on
            guessed = [f"{kind}:{key}" for kind in ("why", "down", "up", "ask")
                       for key in ("1", "2", "3", "a", "")]  # the old sequential keys, and none
            copied = list(victim_data.values())
            answers_before = len(h.fake.callback_answers)
            presses = [(attacker, data) for data in guessed + copied]
            presses += [(victim, data) for data in copied]  # as if on the victim's message, in the victim's chat
            for message, data in presses:
                h.fake.callback(2, data, _clean(message))
            await h.fake.wait_for(lambda: len(h.fake.callback_answers) >= answers_before + len(presses))
            await h.fake.settle(0.2)  # a leak would follow the toast: give it time to show
            toasts = [a.get("text") for a in h.fake.callback_answers[answers_before:]]
            assert toasts == [EXPIRED] * len(presses)
            assert len(h.fake.sent_to(2)) == 1  # only the attacker's own answer
            leaked = [m for m in h.fake.sent if m["chat"]["id"] != 1 and (SECRET in plain(m["text"])
                                                                          or "Why:" in m["text"])]
            assert leaked == [] and h.fake.edits == []
            assert h.storage.counts()["helpful"] == 0
            assert h.storage._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0

            await h.tap(1, victim, victim_data["\U0001F44E"])  # the owner's own vote still counts, once
            assert h.fake.callback_answers[-1]["text"] == "Thanks for your feedback!"
            rows = h.storage._db.execute("SELECT chat, question, vote FROM feedback").fetchall()
            assert rows == [("1", SECRET_QUESTION, -1)]
            before = len(h.fake.sent_to(1))
            await h.tap(1, victim, victim_data["why?"])
            await h.fake.wait_for(lambda: len(h.fake.sent_to(1)) > before)
            assert plain(h.fake.sent_to(1)[-1]["text"]).startswith(f"Why: {SECRET_QUESTION}")
    run(scenario())


def test_group_members_each_rate_an_answer_once(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            group = -100700
            reply = await h.ask(group, f"@fact_bot {QUESTION}", user_id=11, chat_type="supergroup")
            data = dict(buttons(reply))
            await h.tap(12, reply, data["\U0001F44E"])  # another member rates first ...
            assert h.fake.callback_answers[-1]["text"] == "Thanks for your feedback!"
            await h.tap(11, reply, data["\U0001F44D"])  # ... and does not block the asker
            assert h.fake.callback_answers[-1]["text"] == "Thanks for your feedback!"
            for user in (11, 12):
                await h.tap(user, reply, data["\U0001F44D"])
                assert "already" in h.fake.callback_answers[-1]["text"]
            votes = h.storage._db.execute("SELECT chat, vote FROM feedback ORDER BY id").fetchall()
            assert votes == [(str(group), -1), (str(group), 1)]
            assert h.fake.edits == []  # the buttons stay, so the rest of the group can still rate
    run(scenario())


def test_odd_or_huge_numbers_in_button_data_get_a_toast_not_a_traceback(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path, flood_burst=1000)) as h:
            topics = await h.ask(3, "/topics")
            huge = "9" * 5000
            for data in ("sec:\u00b2", f"sec:{huge}", "ex:\u00b2", f"ex:{huge}", "sec:-1", "ex: 1",
                         f"up:{'x' * 5000}", f"why:{huge}", "nonsense", ""):
                await h.tap(3, topics, data)
                assert h.fake.callback_answers[-1]["text"] == EXPIRED, data
            for data in ("topic:\u00b2", f"topic:{huge}"):
                await h.tap(3, topics, data)
                await h.fake.wait_for(lambda: h.fake.edits)
                assert plain(h.fake.edits[-1]["text"]) == "Pick a topic:"
            assert h.logs.errors() == []
            assert "Source:" in (await h.ask(3, QUESTION))["text"]
    run(scenario())


def test_button_tokens_are_random_bound_to_their_message_and_bounded():
    store = ButtonStore(limit=3)
    keys = [store.add(Pending(f"q{n}", None, chat=10)) for n in range(4)]
    assert len(set(keys)) == 4 and all(len(k) == 16 for k in keys)
    assert len(store) == 3 and store.lookup(keys[0], 10, 1) is None  # the oldest expired
    other = ButtonStore()
    assert not set(keys) & {other.add(Pending("q", None, chat=10)) for _ in range(50)}
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    store.bind(InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=f"ask:{keys[3]}")]]), 10, 77)
    assert store.lookup(keys[3], 10, 77).question == "q3"
    assert store.lookup(keys[3], 10, 78) is None and store.lookup(keys[3], 11, 77) is None
    assert store.vote(keys[3], 5) and not store.vote(keys[3], 5) and store.vote(keys[3], 6)
    assert [button_index(s, 10) for s in ("3", "\u00b2", "9" * 5000, "10", "-1", "\u0663", "03")] == \
        [3, None, None, None, None, None, 3]


def test_unanswered_in_a_group_points_the_admin_to_the_private_chat(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            h.storage.log_question("telegram", "555", SECRET, False, "unknown", 0.0)
            group = -100800
            reply = await h.ask(group, "/unanswered", user_id=ADMIN, chat_type="supergroup")
            assert reply["text"] == PRIVATE_ONLY.format(command="unanswered")
            await h.fake.settle()
            assert not any(SECRET in plain(m["text"]) for m in h.fake.sent_to(group))
            assert "Passages:" in plain((await h.ask(group, "/stats", user_id=ADMIN, chat_type="supergroup"))["text"])
            assert SECRET in plain((await h.ask(ADMIN, "/unanswered"))["text"])
    run(scenario())


def test_a_malformed_update_is_skipped_once_and_its_text_never_logged(tmp_path):
    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            bad_id = h.fake.push(message={"message_id": 5, "chat": {"id": 71, "type": "private", "first_name": "a"},
                                          "from": {"id": 71, "is_bot": False, "first_name": "a"},
                                          "text": SECRET})  # no "date": the library cannot read it
            assert "Source:" in (await h.ask(70, QUESTION))["text"]
            await h.fake.settle()
            polls = h.fake.method_calls("getUpdates")
            assert polls[-1]["offset"] > bad_id and len(polls) < 50  # confirmed, not fetched in a loop
            assert h.fake.sent_to(71) == []
            assert any(f"skipped malformed update {bad_id} (KeyError)" in line for line in h.logs.lines)
            for text in (SECRET, QUESTION):  # the library logs whole updates at DEBUG unless withheld
                assert not [line for line in h.logs.lines if text in line], text
            assert h.logs.errors() == []
    run(scenario())


def test_the_library_never_logs_a_bad_webhook_update_with_its_text(tmp_path):
    async def scenario():
        port = free_port()
        config = make_config(tmp_path)
        fake = await FakeBotAPI(TOKEN).start()
        harness = Harness(config)  # only for its log capture
        app = build_application(config, make_conversation(LiveAnswerer(config), config, None, "telegram"), None, TOKEN,
                                base_url=fake.base_url)
        root = logging.getLogger()
        root.addHandler(harness.logs)
        level = root.level
        root.setLevel(logging.DEBUG)
        await start_webhook(app, "s3cret", "127.0.0.1", port, "https://bot.example.org/")
        try:
            bad = {"update_id": 41, "message": {"message_id": 5, "text": SECRET, "chat": {"id": 7, "type": "private"}}}
            await post_update(f"http://127.0.0.1:{port}/telegram", bad, "s3cret")
            good = {"update_id": 42, "message": {"message_id": 6, "date": int(time.time()), "text": QUESTION,
                                                 "chat": {"id": 77, "type": "private"},
                                                 "from": {"id": 77, "is_bot": False, "first_name": "a"}}}
            assert await post_update(f"http://127.0.0.1:{port}/telegram", good, "s3cret") == 200
            await fake.wait_for(lambda: fake.sent_to(77))
        finally:
            await stop(app)
            await fake.stop()
            root.removeHandler(harness.logs)
            root.setLevel(level)
        critical = [line for line in harness.logs.lines if " CRITICAL " in line]
        assert critical and "<update 41 withheld>" in critical[0]  # the library's own report of the bad update
        assert not [line for line in harness.logs.lines if SECRET in line or QUESTION in line]
    run(scenario())


# -- path escapes in the kb commands ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
NEW_FACT = "Mongolia opened a NATO liaison office in Ulaanbaatar in 2031."


@pytest.fixture
def kb(tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the shipped knowledge, with a folder of files outside it that must never change."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder, ignore=shutil.ignore_patterns(".index", ".history", ".lock", ".identity"))
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "log.sqlite3"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("must survive\n", encoding="utf-8")
    (outside / "secret.txt").write_text("a secret that must not be copied in\n", encoding="utf-8")
    return folder


def kbrun(kb: Path, *argv: str) -> int:
    return cli_run(["--knowledge", str(kb), "kb", *argv])


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every file and link under a folder with its content (or link target), to compare before and after."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            out[name] = f"-> {path.readlink()}"
        elif path.is_file() and path.name != ".lock":
            out[name] = path.read_bytes()
    return out


def one_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def version(kb: Path, capsys) -> Path:
    """One saved version (from a real kb add) whose manifest the tests then tamper with."""
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    capsys.readouterr()
    [folder] = (kb / ".history").iterdir()
    return folder


def tamper(folder: Path, files: dict, copies: dict[str, bytes] | None = None) -> None:
    (folder / "manifest.json").write_text(json.dumps({"at": 1.0, "reason": "add x", "files": files}), encoding="utf-8")
    for name, data in (copies or {}).items():
        target = folder / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.mark.parametrize("files", [
    {"../outside/victim.txt": False},                        # deletes a file next to the knowledge folder
    {"passages/../../outside/victim.txt": True},             # overwrites it with the saved copy
    {"PLACEHOLDER_ABSOLUTE": False},                          # an absolute path
    {"questions.yaml": True, "../outside/victim.txt": False},  # one bad entry among good ones
    {".history/000001/manifest.json": False},                 # the store's own files
])
def test_undo_refuses_a_manifest_path_out_of_the_folder_and_touches_nothing(kb, version, capsys, files):
    victim = kb.parent / "outside" / "victim.txt"
    files = {str(victim) if k == "PLACEHOLDER_ABSOLUTE" else k: v for k, v in files.items()}
    tamper(version, files, {"../../outside/victim.txt": b"overwritten\n", "questions.yaml": b"questions: []\n"})
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    assert "nothing was changed" in one_error(capsys)
    assert tree(kb.parent) == before
    assert victim.read_text(encoding="utf-8") == "must survive\n"


def test_undo_does_not_write_through_a_symlink_out_of_the_folder(kb, version, capsys):
    (kb / "passages" / "link.yaml").symlink_to(kb.parent / "outside" / "victim.txt")
    tamper(version, {"passages/link.yaml": True}, {"passages/link.yaml": b"overwritten\n"})
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    assert "leads out of the knowledge folder" in one_error(capsys)
    assert tree(kb.parent) == before


def test_undo_does_not_write_through_a_symlinked_folder(kb, version, capsys):
    (kb / "linked").symlink_to(kb.parent / "outside")
    tamper(version, {"linked/victim.txt": False})
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    one_error(capsys)
    assert tree(kb.parent) == before


def test_undo_does_not_copy_in_a_file_the_saved_version_links_to(kb, version, capsys):
    saved = version / "files" / "questions.yaml"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.symlink_to(kb.parent / "outside" / "secret.txt")
    tamper(version, {"questions.yaml": True})
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    assert "not a regular file" in one_error(capsys)
    assert tree(kb.parent) == before
    assert b"secret" not in (kb / "questions.yaml").read_bytes()


@pytest.mark.parametrize("manifest", [
    "{not json",
    "[1, 2]",
    '{"at": 1, "reason": "x", "files": 5}',
    '{"at": 1, "reason": "x", "files": {"questions.yaml": "yes"}}',
    '{"at": "noon", "reason": "x", "files": {"questions.yaml": true}}',
    '{"at": 1e999, "reason": "x", "files": {"questions.yaml": true}}',
    '{"at": 1, "reason": "x", "files": {}}',
    '{"at": 1, "reason": "x", "files": {"": true}}',
    '{"at": ' + "9" * 5000 + ', "reason": "x", "files": {"questions.yaml": true}}',
    "[" * 100_000,
    b"\xff\xfe".decode("latin-1"),
])
def test_a_malformed_manifest_is_one_error_line_and_touches_nothing(kb, version, capsys, manifest):
    (version / "manifest.json").write_text(manifest, encoding="utf-8" if manifest.isascii() else "latin-1")
    before = tree(kb.parent)
    assert kbrun(kb, "undo") == 1
    assert "damaged" in one_error(capsys)
    assert tree(kb.parent) == before


def test_add_into_a_passages_file_linked_out_of_the_folder_is_one_error_and_writes_nothing(kb, capsys):
    outside = kb.parent / "outside" / "other.yaml"
    outside.write_text("source:\n  id: other\n  title: Other\npassages:\n- id: other-001\n  section: S\n"
                       "  text: A fact kept in a file outside the knowledge folder.\n", encoding="utf-8")
    (kb / "passages" / "other.yaml").symlink_to(outside)
    before = tree(kb.parent)
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "S", "--source", "other") == 2
    assert "knowledge folder" in one_error(capsys)
    assert tree(kb.parent) == before
    assert not (kb / ".history").exists() and not (kb / ".journal").exists()


def test_add_into_a_passages_file_linked_inside_the_folder_writes_the_real_file(kb, capsys):
    real = kb / "kept" / "relations.yaml"
    real.parent.mkdir()
    (kb / "passages" / "relations-with-mongolia.yaml").rename(real)
    (kb / "passages" / "relations-with-mongolia.yaml").symlink_to(real)
    assert kbrun(kb, "add", "--text", NEW_FACT, "--section", "Wider cooperation") == 0
    assert (kb / "passages" / "relations-with-mongolia.yaml").is_symlink()  # the link is kept, its file changed
    assert NEW_FACT in real.read_text(encoding="utf-8")
    assert kbrun(kb, "undo") == 0
    assert NEW_FACT not in real.read_text(encoding="utf-8")
