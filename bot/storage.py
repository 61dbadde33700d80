"""The embedded SQLite log: questions asked (answered or not) and users' feedback, for maintainers.

WAL mode and one short transaction per write, so a crash or kill mid-write loses at most that
write and never corrupts what was logged before. Every failure becomes a StorageError: logging
must never take an answer down with it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import BotError
from .text import words

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    question TEXT NOT NULL,
    normalised TEXT NOT NULL,
    found INTEGER NOT NULL,
    kind TEXT NOT NULL,
    score REAL NOT NULL,
    passage_ids TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_unanswered ON questions (found, normalised);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    vote INTEGER NOT NULL
);
"""
MAX_LOGGED_CHARS = 2000
MAX_PENDING = 10_000  # records kept in memory while the disk is full; the oldest go first beyond this


def _storable(value: object) -> object:
    """Text SQLite can store: a lone surrogate (from invalid UTF-8 in argv) becomes a visible \\udcff escape."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


class StorageError(BotError):
    """The log database cannot be opened or written."""


@dataclass(frozen=True)
class Unanswered:
    """A question users asked that the bot could not answer, with how often and when last."""

    question: str
    count: int
    last_at: float


class Storage:
    """A small SQLite database of questions and feedback, safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._pending: deque[tuple[str, tuple]] = deque(maxlen=MAX_PENDING)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open the log database {self.path}: {exc} "
                               "(check storage.database in config.yaml and that its folder is writable)") from None

    def _write(self, sql: str, params: Iterable) -> None:
        """Write one row; a row that fails (disk full, locked) is kept in memory and retried on the next write."""
        with self._lock:
            self._pending.append((sql, tuple(_storable(p) for p in params)))
            try:
                self._flush()
            except sqlite3.Error as exc:
                raise StorageError(f"cannot write to the log database {self.path}: {exc} "
                                   f"({len(self._pending)} record(s) kept in memory, retried on the next write)") from None

    @property
    def pending(self) -> int:
        """How many records wait in memory for the database to accept them again."""
        return len(self._pending)

    def log_question(self, channel: str, chat: str, question: str, found: bool, kind: str, score: float,
                     passage_ids: Iterable[str] = ()) -> None:
        """Record one question and whether the knowledge answered it."""
        question = question[:MAX_LOGGED_CHARS]
        self._write("INSERT INTO questions (at, channel, chat, question, normalised, found, kind, score, passage_ids) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (time.time(), channel, str(chat), question, " ".join(words(question)),
                     int(found), kind, float(score), ",".join(passage_ids)))

    def log_feedback(self, channel: str, chat: str, question: str, passage_ids: Iterable[str], vote: int) -> None:
        """Record a thumbs up (+1) or down (-1) for the passages behind an answer."""
        self._write("INSERT INTO feedback (at, channel, chat, question, passage_ids, vote) VALUES (?, ?, ?, ?, ?, ?)",
                    (time.time(), channel, str(chat), question[:MAX_LOGGED_CHARS], ",".join(passage_ids), int(vote)))

    def unanswered(self, limit: int = 20) -> list[Unanswered]:
        """Questions the bot could not answer, most frequent first (small talk and empty input excluded)."""
        try:
            with self._lock:
                rows = self._db.execute(
                    "SELECT MAX(question), COUNT(*), MAX(at) FROM questions WHERE found = 0 AND kind = 'unknown' "
                    "GROUP BY normalised ORDER BY COUNT(*) DESC, MAX(at) DESC LIMIT ?", (limit,)).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the log database {self.path}: {exc}") from None
        return [Unanswered(q, n, at) for q, n, at in rows]

    def counts(self) -> dict[str, int]:
        """Totals for /stats and `kb stats`: questions, answered, unanswered, feedback up and down."""
        try:
            with self._lock:
                q = self._db.execute("SELECT COUNT(*), COALESCE(SUM(found), 0), "
                                     "COALESCE(SUM(kind = 'unknown'), 0) FROM questions").fetchone()
                f = self._db.execute("SELECT COALESCE(SUM(vote > 0), 0), COALESCE(SUM(vote < 0), 0) FROM feedback").fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the log database {self.path}: {exc}") from None
        return {"questions": q[0], "answered": q[1], "unanswered": q[2], "helpful": f[0], "unhelpful": f[1]}

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite) after a last try at pending records."""
        with self._lock:
            try:
                self._flush()
            except sqlite3.Error:
                pass
            self._db.close()

    def _flush(self) -> None:
        """Write the records waiting in memory, oldest first, stopping at the first the database refuses."""
        while self._pending:
            self._db.execute(*self._pending[0])
            self._pending.popleft()

    def __enter__(self) -> "Storage":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def existing_log(database: str) -> "Storage | None":
    """The log database if one has been written (maintainers' read-only views), else None."""
    if database == ":memory:" or not Path(database).exists():
        return None
    return Storage(database)
