"""The question log's SQL: its schema, how a record becomes a row, and how connections are opened."""

from __future__ import annotations

import sqlite3

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
    passage_ids TEXT NOT NULL,
    knowledge TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS questions_unanswered ON questions (found, normalised);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    vote INTEGER NOT NULL,
    knowledge TEXT NOT NULL DEFAULT ''
);
"""
INSERT_QUESTION = ("INSERT INTO questions (at, channel, chat, question, normalised, found, kind, score, passage_ids, "
                   "knowledge) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_FEEDBACK = ("INSERT INTO feedback (at, channel, chat, question, passage_ids, vote, knowledge) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)")
MAX_LOGGED_CHARS = 2000
# SQLite's busy_timeout: long enough to ride out another process's normal commit (milliseconds), short enough
# that a lock held for longer costs only one retry of the writer thread (never an answer) and that reads and
# close() give up quickly.
BUSY_TIMEOUT = 0.2


def of_knowledge(tags: tuple[str, ...]) -> str:
    """The condition selecting one knowledge base's rows, given its tags (its id, and the paths its rows were
    tagged with before it had one): also the '' rows, from a log written before rows were tagged, which belong
    to every knowledge base. No tags (an untagged Storage) selects the whole log."""
    return f"knowledge IN ('', {', '.join('?' * len(tags))})" if tags else "1 = 1"


def _storable(value: object) -> object:
    """Text SQLite can store: a lone surrogate (from invalid UTF-8 in argv) becomes a visible \\udcff escape."""
    if isinstance(value, str) and not value.isascii():  # ASCII holds no surrogate: most text skips the round trip
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite failed only because another connection holds a lock (worth retrying later)."""
    return ((getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def connect(path: str) -> sqlite3.Connection:
    """A connection that waits at most BUSY_TIMEOUT for another's lock and commits only when told."""
    return sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT, isolation_level=None)


def open_writer(path: str) -> sqlite3.Connection:
    """The writing connection: WAL mode (set when the database is created) so readers and a crash never block it."""
    db = connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        _tag_rows(db)
    except BaseException:
        db.close()
        raise
    return db


def _tag_rows(db: sqlite3.Connection) -> None:
    """Give a log made before questions were tagged with their knowledge base the column (its rows stay, untagged)."""
    for table in ("questions", "feedback"):
        if "knowledge" not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
            try:
                db.execute(f"ALTER TABLE {table} ADD COLUMN knowledge TEXT NOT NULL DEFAULT ''")
            except sqlite3.OperationalError as exc:  # another process added it first
                if "duplicate column" not in str(exc):
                    raise


def insert_row(kind: str, values: tuple) -> tuple[str, tuple]:
    """The INSERT for one queued record; the normalising is done here, on the writer thread, not by the caller."""
    if kind == "question":
        at, channel, chat, question, found, what, score, passage_ids, knowledge = values
        params = (at, channel, chat, question, " ".join(words(question)), found, what, score, ",".join(passage_ids),
                  knowledge)
        return INSERT_QUESTION, tuple(_storable(p) for p in params)
    at, channel, chat, question, passage_ids, vote, knowledge = values
    return INSERT_FEEDBACK, tuple(_storable(p) for p in (at, channel, chat, question, ",".join(passage_ids), vote,
                                                         knowledge))
