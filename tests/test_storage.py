"""The SQLite log: questions and feedback are kept, grouped for maintainers, and survive crashes and a full disk."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from bot.storage import MAX_LOGGED_CHARS, Storage, StorageError
from conftest import REPO


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
    assert storage.counts() == {"questions": 3, "answered": 1, "unanswered": 1, "helpful": 1, "unhelpful": 2}


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


def test_full_disk_gives_a_clear_error_and_loses_nothing(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    store.log_question("console", "c", "before the disk filled", False, "unknown", 0.0)
    disk = FullDisk(store._db)
    store._db = disk  # the write seam: SQLite reports ENOSPC as SQLITE_FULL
    for n in range(3):
        with pytest.raises(StorageError, match=rf"database or disk is full \({n + 1} record\(s\) kept in memory"):
            store.log_question("console", "c", f"while full {n}", False, "unknown", 0.0)
    with pytest.raises(StorageError):
        store.log_feedback("console", "c", "while full 0", ["p"], -1)
    assert store.pending == 4 and disk.refused == 4
    assert store.counts() == {"questions": 1, "answered": 0, "unanswered": 1, "helpful": 0, "unhelpful": 0}
    disk.full = False  # space freed: the next write flushes the waiting records first, in order
    store.log_question("console", "c", "after", True, "answer", 0.5, ["p"])
    assert store.pending == 0
    store.close()
    with sqlite3.connect(path) as db:
        assert [q for (q,) in db.execute("SELECT question FROM questions ORDER BY id")] == [
            "before the disk filled", "while full 0", "while full 1", "while full 2", "after"]
        assert db.execute("SELECT vote FROM feedback").fetchall() == [(-1,)]


def test_records_waiting_at_close_are_written_if_the_disk_recovered(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    disk = FullDisk(store._db)
    store._db = disk
    with pytest.raises(StorageError):
        store.log_question("console", "c", "waiting", False, "unknown", 0.0)
    disk.full = False
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT question FROM questions").fetchall() == [("waiting",)]


# -- kill -9 mid-write ---------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from bot.storage import Storage
    store = Storage(sys.argv[1])
    n = 0
    while True:
        store.log_question("console", "c", f"question {n}", n % 2 == 0, "answer" if n % 2 == 0 else "unknown", 0.1)
        store.log_feedback("console", "c", f"question {n}", ["p"], 1)
        print(n, flush=True)  # acknowledged: both rows were committed
        n += 1
""")


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


def test_real_sqlite_full_error_loses_nothing(tmp_path):
    # SQLite's page limit makes the real engine fail with SQLITE_FULL, the error a full disk gives.
    path = tmp_path / "bot.sqlite3"
    store = Storage(path)
    store.log_question("console", "c", "first", False, "unknown", 0.0)
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    written, failed = 0, 0
    for n in range(200):
        try:
            store.log_question("console", "c", f"{n} " + "long question text " * 90, False, "unknown", 0.0)
            written += 1
        except StorageError as exc:
            assert "database or disk is full" in str(exc)
            failed += 1
    assert failed > 0 and store.pending == failed
    store._db.execute("PRAGMA max_page_count = 1000000")  # space freed
    store.log_question("console", "c", "last", False, "unknown", 0.0)
    store.close()
    with sqlite3.connect(path) as db:
        rows = [q.split(" ", 1)[0] for (q,) in db.execute("SELECT question FROM questions ORDER BY id")]
    assert rows == ["first"] + [str(n) for n in range(200)] + ["last"]
