"""The SQLite log: questions and feedback are kept, grouped for maintainers, survive crashes, a full disk
and another process holding the lock, and logging never makes an answer wait."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import closing

import pytest

from bot import querylog_writer as storage_module
from bot.querylog import MAX_LOGGED_CHARS, Storage, StorageError
from conftest import REPO, clean_env, run_bot


@pytest.fixture
def storage(tmp_path):
    store = Storage(tmp_path / "logs" / "bot.sqlite3")
    yield store
    store.close()


def test_log_and_counts(storage):
    storage.log_question("console", "c1", "When did it start?", True, "answer", 0.5, ["a-1"])
    storage.log_question("telegram", 42, "What is the GDP?", False, "unknown", 0.05)
    storage.log_question("telegram", 42, "hello", False, "smalltalk", 0.0)
    storage.log_feedback("telegram", 42, "When did it start?", ["a-1"], +1)
    storage.log_feedback("telegram", 43, "When did it start?", ["a-1"], -1)
    storage.log_feedback("telegram", 44, "Other?", ["a-2"], -1)
    assert storage.counts() == {"questions": 3, "answered": 1, "unanswered": 1, "other": 1, "helpful": 1,
                                "unhelpful": 2}


def test_unanswered_groups_spellings_and_orders_by_frequency(storage):
    for question in ("What is the GDP?", "what is the gdp", "What is the GDP  ", "Who is the president?"):
        storage.log_question("console", "c", question, False, "unknown", 0.01)
    storage.log_question("console", "c", "", False, "empty", 0.0)
    storage.log_question("console", "c", "Since when?", True, "answer", 0.4, ["x"])
    rows = storage.unanswered()
    assert [(r.count, r.question.lower().strip(" ?")) for r in rows] == [(3, "what is the gdp"), (1, "who is the president")]
    assert rows[0].last_at >= rows[1].last_at - 1
    assert len(storage.unanswered(limit=1)) == 1


def test_long_questions_are_cut_not_refused(storage):
    storage.log_question("console", "c", "q" * 10_000, False, "too_long", 0.0)
    assert storage.flush()
    with sqlite3.connect(storage.path) as db:
        assert db.execute("SELECT length(question) FROM questions").fetchone() == (MAX_LOGGED_CHARS,)


def test_survives_a_second_connection_and_a_reopen(tmp_path):
    path = tmp_path / "bot.sqlite3"
    first = Storage(path)
    second = Storage(path)
    first.log_question("console", "a", "What is the GDP?", False, "unknown", 0.0)
    second.log_question("telegram", "b", "What is the GDP?", False, "unknown", 0.0)
    assert first.counts()["questions"] == 2 and second.unanswered()[0].count == 2
    first.close()
    second.close()
    again = Storage(path)
    assert again.counts()["questions"] == 2
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    again.close()


def test_unopenable_database_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(StorageError, match=r"cannot open the log database .*file/db.*storage.database"):
        Storage(tmp_path / "file" / "db.sqlite3")


def test_memory_database(tmp_path):
    store = Storage(":memory:")
    store.log_question("console", "c", "q", False, "unknown", 0.0)
    assert store.counts()["questions"] == 1


# -- a full disk: SQLite's own error at the connection, injected by a small fake --------------------

class FullDisk:
    """A connection stand-in that refuses writes with SQLite's disk-full error while `full` is set."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real
        self.full = True
        self.refused = 0

    def execute(self, sql, params=()):
        if self.full and sql.lstrip().upper().startswith("INSERT"):
            self.refused += 1
            raise sqlite3.OperationalError(os.strerror(errno.ENOSPC) + ": database or disk is full")
        return self.real.execute(sql, params)

    def close(self) -> None:
        self.real.close()


def full_disk(store: Storage) -> FullDisk:
    """Put the fake in front of the writer thread's connection (the write seam), once it is idle."""
    assert store.flush()
    disk = FullDisk(store._database.db)
    store._database.db = disk
    return disk


def warnings(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and text in r.getMessage()]


def test_full_disk_keeps_records_in_memory_reports_once_and_loses_nothing(tmp_path, caplog):
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    store.log_question("console", "c", "before the disk filled", False, "unknown", 0.0)
    disk = full_disk(store)
    for n in range(3):
        store.log_question("console", "c", f"while full {n}", False, "unknown", 0.0)  # no error: answering goes on
    store.log_feedback("console", "c", "while full 0", ["p"], -1)
    assert not store.flush(0.3)  # cannot be written while the disk is full
    assert store.pending == 4 and disk.refused >= 1 and store.dropped == 0
    assert store.counts() == {"questions": 1, "answered": 0, "unanswered": 1, "other": 0, "helpful": 0, "unhelpful": 0}
    assert len(warnings(caplog, "database or disk is full")) == 1  # one line per episode, not one per retry
    disk.full = False  # space freed: the waiting records are written, in order
    store.log_question("console", "c", "after", True, "answer", 0.5, ["p"])
    assert store.flush(5) and store.pending == 0
    store.close()
    with sqlite3.connect(path) as db:
        assert [q for (q,) in db.execute("SELECT question FROM questions ORDER BY id")] == [
            "before the disk filled", "while full 0", "while full 1", "while full 2", "after"]
        assert db.execute("SELECT vote FROM feedback").fetchall() == [(-1,)]


def test_records_waiting_at_close_are_written_if_the_disk_recovered(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    disk = full_disk(store)
    store.log_question("console", "c", "waiting", False, "unknown", 0.0)
    assert not store.flush(0.2)
    disk.full = False
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT question FROM questions").fetchall() == [("waiting",)]


def test_real_sqlite_full_error_loses_nothing(tmp_path, caplog):
    # SQLite's page limit makes the real engine fail with SQLITE_FULL, the error a full disk gives.
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    store.log_question("console", "c", "first", False, "unknown", 0.0)
    assert store.flush()
    writer = store._database.db
    pages = writer.execute("PRAGMA page_count").fetchone()[0]
    writer.execute(f"PRAGMA max_page_count = {pages}")
    for n in range(200):
        store.log_question("console", "c", f"{n} " + "long question text " * 90, False, "unknown", 0.0)
    assert not store.flush(0.3) and store.pending > 0
    assert len(warnings(caplog, "database or disk is full")) == 1
    writer.execute("PRAGMA max_page_count = 1000000")  # space freed
    store.log_question("console", "c", "last", False, "unknown", 0.0)
    store.close()
    with sqlite3.connect(path) as db:
        rows = [q.split(" ", 1)[0] for (q,) in db.execute("SELECT question FROM questions ORDER BY id")]
    assert rows == ["first"] + [str(n) for n in range(200)] + ["last"]


# -- kill -9 mid-write ---------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from bot.querylog import Storage
    store = Storage(sys.argv[1])
    n = 0
    while True:
        store.log_question("console", "c", f"question {n}", n % 2 == 0, "answer" if n % 2 == 0 else "unknown", 0.1)
        store.log_feedback("console", "c", f"question {n}", ["p"], 1)
        assert store.flush(10)
        print(n, flush=True)  # acknowledged: both rows were committed
        n += 1
""")


@pytest.mark.slow
def test_log_and_feedback_survive_kill_9_mid_write(tmp_path):
    path = tmp_path / "bot.sqlite3"
    for _round in range(3):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=REPO, stdout=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        acknowledged = -1
        for line in proc.stdout:  # let it write a few hundred rows, then kill it with no chance to clean up
            acknowledged = int(line)
            if acknowledged >= 300:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            questions = {q for (q,) in db.execute("SELECT question FROM questions")}
            feedback = {q for (q,) in db.execute("SELECT question FROM feedback")}
        # Every acknowledged write of this round is there (earlier rounds wrote the same texts).
        assert {f"question {n}" for n in range(acknowledged + 1)} <= questions
        assert {f"question {n}" for n in range(acknowledged + 1)} <= feedback
    store = Storage(path)  # and the bot opens it again and goes on
    store.log_question("console", "c", "after the crash", False, "unknown", 0.0)
    assert store.counts()["questions"] >= 3 * 301 + 1
    store.close()


# -- another process holds the lock: logging never makes an answer wait --------------------------

class Locker:
    """A second real connection holding SQLite's write lock (BEGIN EXCLUSIVE) until released."""

    def __init__(self, path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()


HOLDER = textwrap.dedent("""
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.readline()  # hold the lock until told
    db.execute("COMMIT")
""")


def hold_lock(path) -> subprocess.Popen:
    """Another process holding the write lock on path until a line is written to its stdin."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline() == "locked\n"
    return proc


def release(proc: subprocess.Popen) -> None:
    proc.communicate("go\n", timeout=10)
    assert proc.returncode == 0


def questions_in(path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [q for (q,) in db.execute("SELECT question FROM questions ORDER BY id")]


def journal_mode(path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA journal_mode").fetchone()[0]


def test_logging_returns_while_another_connection_holds_the_write_lock(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(storage_module, "LOCK_GRACE", 0.3)
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    locker = Locker(path)
    # Called on the thread that holds the lock: had it waited for the lock it could never return.
    store.log_question("telegram", 1, "asked while locked", False, "unknown", 0.0)
    store.log_feedback("telegram", 1, "asked while locked", ["p"], 1)
    assert store.pending == 2 and not store.flush(0.1)
    assert questions_in(path) == []  # WAL: readers go on; the record waits in memory
    while not warnings(caplog, "records wait in memory"):  # a lock held past LOCK_GRACE is reported ...
        assert not store.flush(0.1)
    assert not store.flush(0.5)
    assert len(warnings(caplog, "database is locked; records wait in memory")) == 1  # ... once, not per retry
    locker.release()
    assert store.flush(5)
    assert questions_in(path) == ["asked while locked"] and store.counts()["helpful"] == 1
    store.close()


def test_sqlite_is_only_ever_called_on_the_writer_thread(tmp_path):
    store = Storage(tmp_path / "bot.sqlite3")
    threads = set()
    store._database.db.set_trace_callback(lambda sql: threads.add(threading.get_ident()))
    for n in range(20):
        store.log_question("console", "c", f"q{n}", False, "unknown", 0.0)
        store.log_feedback("console", "c", f"q{n}", ["p"], 1)
    assert store.flush(5)
    assert threads and threading.get_ident() not in threads
    assert threads == {store._database.thread.ident}
    store.close()


def test_database_locked_at_start_up_and_not_in_wal_mode_still_logs_later(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # an old log in the default rollback-journal mode
        db.execute("CREATE TABLE unrelated (x)")
    assert journal_mode(path) == "delete"
    locker = Locker(path)
    store = Storage(path)  # opens without waiting for the lock, and logging stays on
    store.log_question("console", "c", "asked while locked at start", False, "unknown", 0.0)
    assert store.pending == 1
    with pytest.raises(StorageError, match=r"cannot read the log database .*database is locked"):
        store.counts()  # reads do not wait either: one clear error
    locker.release()
    assert store.flush(5)
    assert store.counts()["questions"] == 1 and questions_in(path) == ["asked while locked at start"]
    assert journal_mode(path) == "wal"  # set once it could be
    store.close()


def test_beyond_the_bound_the_oldest_are_dropped_counted_and_reported_once(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(storage_module, "MAX_PENDING", 5)
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    locker = Locker(path)
    for n in range(8):
        store.log_question("console", "c", f"q{n}", False, "unknown", 0.0)
    assert store.pending == 5 and store.dropped == 3
    assert len(warnings(caplog, "the oldest are dropped")) == 1
    locker.release()
    assert store.flush(5)
    written = questions_in(path)
    assert len(written) == 5 and written[-1] == "q7" and written == sorted(written)  # newest kept, order kept
    assert warnings(caplog, "3 record(s) were dropped")  # and the episode's total when it ends
    store.close()


def test_close_writes_what_waits_or_reports_how_many_could_not_be(tmp_path, caplog):
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    for n in range(50):
        store.log_question("console", "c", f"q{n}", False, "unknown", 0.0)
    store.close()  # nothing stops it: all written
    assert len(questions_in(path)) == 50 and not warnings(caplog, "not logged")
    store = Storage(path)
    locker = Locker(path)
    store.log_question("console", "c", "never written", False, "unknown", 0.0)
    store.close()  # returns while the lock is still held, and says so
    assert warnings(caplog, "not logged") == [
        f"1 record(s) could not be written to the log database {path} within 1.0 s (database is locked) "
        "and are not logged"]
    with pytest.raises(StorageError, match="is closed"):
        store.log_question("console", "c", "after close", False, "unknown", 0.0)
    locker.release()
    assert len(questions_in(path)) == 50


@pytest.mark.slow
def test_one_shot_ask_while_another_process_holds_the_lock(tmp_path, tiny_kb):
    database = tmp_path / "cli.sqlite3"
    Storage(database).close()
    holder = hold_lock(database)
    try:  # the holder keeps the lock until released below, so ask ends while it is held
        result = run_bot(["--knowledge", str(tiny_kb), "ask", "Where does the Selenge River flow?"], tmp_path,
                         timeout=30)
    finally:
        release(holder)
    assert result.returncode == 0 and "Lake Baikal" in result.stdout.decode()
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].endswith("(database is locked) and are not logged") and " WARNING " in lines[0]
    assert "1 record(s) could not be written" in lines[0]
    assert questions_in(database) == []  # as it said


@pytest.mark.slow
def test_a_running_console_writes_its_record_once_the_lock_is_released(tmp_path, tiny_kb):
    database = tmp_path / "cli.sqlite3"
    Storage(database).close()
    holder = hold_lock(database)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--knowledge", str(tiny_kb), "ask", "--jsonl"], cwd=REPO,
                            env=clean_env(tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write(json.dumps({"text": "Where does the Selenge River flow?"}) + "\n")
        proc.stdin.flush()
        assert "Lake Baikal" in json.loads(proc.stdout.readline())["answer"]  # answered while the lock is held
        assert questions_in(database) == []
        release(holder)
        deadline = time.monotonic() + 20
        while not questions_in(database) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert questions_in(database) == ["Where does the Selenge River flow?"]
        assert proc.poll() is None  # written by the running process, not at its exit
    finally:
        out, err = proc.communicate("", timeout=30)
        if holder.returncode is None:
            holder.kill()
    assert proc.returncode == 0
    assert "not logged" not in err and "Traceback" not in err


def test_a_locked_log_never_stalls_the_telegram_bot(tmp_path):
    from telegram_harness import QUESTION, Harness, make_config, run

    async def scenario():
        async with Harness(make_config(tmp_path)) as h:
            locker = Locker(h.config.storage.database)
            try:
                for chat in (11, 12, 13):  # before: each message blocked every chat for 10 s
                    reply = await h.ask(chat, QUESTION, timeout=5)
                    assert "Source:" in reply["text"]
                assert h.storage.pending == 3
            finally:
                locker.release()
            assert h.storage.flush(5) and h.storage.counts()["questions"] == 3
    run(scenario())


def test_askers_are_the_telegram_chats_that_asked_it_unanswered_recently_each_once(storage):
    old = time.time() - 40 * 86400
    storage.log_question("telegram", 5, "Yak cheese price?", False, "unknown", 0.0)
    storage.log_question("telegram", 5, "yak  cheese PRICE", False, "unknown", 0.0)  # the same chat, once
    storage.log_question("telegram", -100, "Yak cheese price?", False, "unknown", 0.0)  # a group
    storage.log_question("console", "console", "Yak cheese price?", False, "unknown", 0.0)  # no chat to tell
    storage.log_question("telegram", 6, "Camel milk price?", False, "unknown", 0.0)
    storage.flush()
    storage._db.execute("UPDATE questions SET at = ? WHERE chat = '-100'", (old,))
    storage._db.commit()
    since = time.time() - 30 * 86400
    assert sorted(storage.askers("yak cheese price", since, 10)) == ["5"]
    assert sorted(storage.askers("yak cheese price", old - 1, 10)) == ["-100", "5"]
    assert len(storage.askers("yak cheese price", old - 1, 1)) == 1


def test_knowledge_bases_sharing_one_log_each_read_their_own_questions_and_old_rows_stay(tmp_path):
    # One config, several --knowledge folders: the garden club's `kb unanswered` listed the NATO questions.
    path = tmp_path / "bot.sqlite3"
    with closing(sqlite3.connect(path)) as db:  # a log written before questions were tagged with their knowledge
        db.executescript("CREATE TABLE questions (id INTEGER PRIMARY KEY, at REAL NOT NULL, channel TEXT NOT NULL, "
                         "chat TEXT NOT NULL, question TEXT NOT NULL, normalised TEXT NOT NULL, found INTEGER NOT NULL, "
                         "kind TEXT NOT NULL, score REAL NOT NULL, passage_ids TEXT NOT NULL);"
                         "CREATE TABLE feedback (id INTEGER PRIMARY KEY, at REAL NOT NULL, channel TEXT NOT NULL, "
                         "chat TEXT NOT NULL, question TEXT NOT NULL, passage_ids TEXT NOT NULL, vote INTEGER NOT NULL);"
                         "INSERT INTO questions VALUES (1, 1.0, 'console', 'c', 'Old question?', 'old question', 0, "
                         "'unknown', 0.0, '');")
    garden, nato = Storage(path, "/kb/garden"), Storage(path, "/kb/nato")
    garden.log_question("console", "c", "Who is the treasurer?", False, "unknown", 0.0)
    garden.log_feedback("telegram", 1, "When do we meet?", ["g-1"], +1)
    nato.log_question("console", "c", "What is NATO's budget?", False, "unknown", 0.0)
    nato.log_question("console", "c", "hello", False, "smalltalk", 0.0)
    assert garden.flush() and nato.flush()
    assert [r.question for r in garden.unanswered()] == ["Who is the treasurer?", "Old question?"]
    assert [r.question for r in nato.unanswered()] == ["What is NATO's budget?", "Old question?"]
    assert garden.counts() == {"questions": 2, "answered": 0, "unanswered": 2, "other": 0, "helpful": 1, "unhelpful": 0}
    assert nato.counts()["questions"] == 3 and nato.counts()["helpful"] == 0
    garden.close(), nato.close()
    with Storage(path) as everything:  # untagged: the whole log, as before
        assert everything.counts()["questions"] == 4
    with Storage(path, "kb-1234", ["/kb/garden", "/kb/garden"]) as identified:  # the garden's rows logged under its
        identified.log_question("console", "c", "Who is the chair?", False, "unknown", 0.0)  # path before it had an id
        assert identified.flush()
        assert sorted(r.question for r in identified.unanswered()) == ["Old question?", "Who is the chair?",
                                                                       "Who is the treasurer?"]
        assert identified.counts()["helpful"] == 1 and identified.askers("who is the chair", 0, 5) == []


def test_a_burst_of_questions_is_written_in_one_transaction_without_a_flush(tmp_path, monkeypatch):
    monkeypatch.setattr(storage_module, "WRITE_DELAY", 2.0)  # longer than the burst takes, however busy the machine
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    assert store.flush()  # the writer's connection is open and idle
    begins = []
    store._database.db.set_trace_callback(lambda sql: begins.append(sql) if sql.startswith("BEGIN") else None)
    for n in range(50):  # before: one wake-up of the writer and one transaction per question
        store.log_question("console", "jsonl", f"q{n}", False, "unknown", 0.0)
    deadline = time.monotonic() + 20
    while len(questions_in(path)) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)  # no flush: the writer writes the burst by itself once WRITE_DELAY has passed
    assert questions_in(path) == [f"q{n}" for n in range(50)] and len(begins) == 1
    store.close()


def test_a_flush_does_not_wait_for_the_burst_delay(tmp_path, monkeypatch):
    monkeypatch.setattr(storage_module, "WRITE_DELAY", 30.0)
    store = Storage(tmp_path / "bot.sqlite3")
    store.log_question("console", "jsonl", "asked", False, "unknown", 0.0)
    started = time.monotonic()
    assert store.flush(10) and time.monotonic() - started < 5 and store.counts()["questions"] == 1
    store.log_question("console", "jsonl", "asked again", False, "unknown", 0.0)
    assert store.counts()["questions"] == 2  # a read flushes first, as before
    started = time.monotonic()
    store.log_question("console", "jsonl", "asked at the end", False, "unknown", 0.0)
    store.close()  # and so does close: nothing waits out the delay
    assert time.monotonic() - started < 5 and len(questions_in(tmp_path / "bot.sqlite3")) == 3


@pytest.mark.slow
def test_every_question_of_a_jsonl_stream_is_logged_at_its_end_and_at_ctrl_c(tmp_path, tiny_kb):
    database = tmp_path / "cli.sqlite3"
    lines = "".join(json.dumps({"text": f"Where does the Selenge River flow? {n}"}) + "\n" for n in range(30))
    result = run_bot(["--knowledge", str(tiny_kb), "ask", "--jsonl"], tmp_path, stdin=lines.encode(), timeout=60)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 30
    assert len(questions_in(database)) == 30  # the end of the input
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--knowledge", str(tiny_kb), "ask", "--jsonl"], cwd=REPO,
                            env=clean_env(tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdin.write(lines)
    proc.stdin.flush()
    assert all("Lake Baikal" in json.loads(proc.stdout.readline())["answer"] for _ in range(30))
    proc.send_signal(signal.SIGINT)  # Ctrl-C while it waits for more, its last records not yet written
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err
    assert len(questions_in(database)) == 60
