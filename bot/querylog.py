"""The embedded SQLite log: questions asked (answered or not) and users' feedback, for maintainers.

Logging never blocks answering. log_question/log_feedback only append to a bounded in-memory queue
and return at once; one writer thread per Storage writes the queue to SQLite in short transactions.
While the database cannot be written (another process holds its lock, the disk is full) records wait
in memory and are written when it can; beyond MAX_PENDING the oldest waiting are dropped, counted in
`dropped` and reported in the log, never lost silently. A database that is locked when the Storage
opens is opened later by the writer thread, so logging stays on for the run.

close() (called by the front ends, or at interpreter exit or garbage collection when they do not)
tries for at most CLOSE_TIMEOUT to write what waits, then logs one warning saying how many records
were not logged. So a one-shot `python -m bot ask` while another process holds the lock answers at
once and exits at most a second later saying its record was not logged, while a running console or
bot writes it when the lock is released.

WAL mode and one short transaction per batch, so a crash or kill mid-write loses at most the records
not yet written and never corrupts what was logged before. A record waits up to WRITE_DELAY (0.1 s) for
the rest of its burst, so a stream of questions is one transaction and one wake-up of the writer, not one
per question: a crash loses at most the last WRITE_DELAY's records; an exit, Ctrl-C or the end of the
input never loses any (close writes them).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import StorageError  # noqa: F401 - part of this module's interface
from .querylog_sql import MAX_LOGGED_CHARS, is_busy, of_knowledge, open_writer
from .querylog_writer import OPEN_DATABASES, CLOSE_TIMEOUT, LogDatabase


@dataclass(frozen=True)
class Unanswered:
    """A question users asked that the bot could not answer, with how often and when last."""

    question: str
    count: int
    last_at: float
    normalised: str = ""

    @property
    def id(self) -> str:
        """A short id that stays the same while the log grows (a list position shifts): a hash of the normalised
        question, so every spelling grouped under it has the same id."""
        return hashlib.sha256(self.normalised.encode("utf-8", "surrogatepass")).hexdigest()[:8]


class Storage:
    """A small SQLite log of questions and feedback, safe to share between threads; logging never waits."""

    def __init__(self, path: str | Path, knowledge: str = "", earlier: Iterable[str] = ()) -> None:
        self.path = str(path)
        self.knowledge = knowledge  # the knowledge base this log's questions are asked of and read for; '' = all
        # and the tags its rows were written with before (the paths it had before it had an id)
        self._tags = tuple(dict.fromkeys((knowledge, *earlier))) if knowledge else ()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            db: sqlite3.Connection | None = open_writer(self.path)
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise self._cannot_open(exc) from None
            db = None  # another process holds a lock: the writer thread opens it once it is free
        except (sqlite3.Error, OSError) as exc:
            raise self._cannot_open(exc) from None
        self._database = LogDatabase(self.path, db)
        OPEN_DATABASES.add(self._database)
        # Records still waiting are written (or reported) when the Storage is closed, collected, or Python exits.
        self._finalizer = weakref.finalize(self, self._database.close, CLOSE_TIMEOUT)

    def _cannot_open(self, exc: Exception) -> StorageError:
        return StorageError(f"cannot open the log database {self.path}: {exc} "
                            "(check storage.database in config.yaml and that its folder is writable)")

    @property
    def pending(self) -> int:
        """How many records wait in memory to be written."""
        return self._database.pending

    @property
    def dropped(self) -> int:
        """How many records were dropped because more than MAX_PENDING waited (each episode is also logged)."""
        return self._database.dropped

    @property
    def _db(self) -> sqlite3.Connection:
        """The read connection, once this process's records are written (for callers that query it directly)."""
        return self._database.read(lambda db: db)

    def log_question(self, channel: str, chat: str, question: str, found: bool, kind: str, score: float,
                     passage_ids: Iterable[str] = ()) -> None:
        """Queue one question and whether the knowledge answered it; returns at once."""
        self._database.put("question", (time.time(), channel, str(chat), question[:MAX_LOGGED_CHARS], int(found),
                                        kind, float(score), tuple(passage_ids), self.knowledge))

    def log_feedback(self, channel: str, chat: str, question: str, passage_ids: Iterable[str], vote: int) -> None:
        """Queue a thumbs up (+1) or down (-1) for the passages behind an answer; returns at once."""
        self._database.put("feedback", (time.time(), channel, str(chat), question[:MAX_LOGGED_CHARS],
                                        tuple(passage_ids), int(vote), self.knowledge))

    def flush(self, timeout: float = CLOSE_TIMEOUT) -> bool:
        """Wait up to timeout for the records logged so far to be written; True if none still waits."""
        return self._database.flush(timeout)

    def unanswered(self, limit: int = 20, offset: int = 0) -> list[Unanswered]:
        """Questions the bot could not answer, most frequent first (small talk and empty input excluded)."""
        rows = self._database.read(lambda db: db.execute(
            "SELECT MAX(question), COUNT(*), MAX(at), normalised FROM questions WHERE found = 0 AND kind = 'unknown' "
            f"AND {self._of} GROUP BY normalised ORDER BY COUNT(*) DESC, MAX(at) DESC, normalised LIMIT ? OFFSET ?",
            (*self._tags, limit, offset)).fetchall())
        return [Unanswered(q, n, at, key) for q, n, at, key in rows]

    def askers(self, normalised: str, since: float, limit: int) -> list[str]:
        """The Telegram chats that asked this (normalised) question unanswered since `since`, latest first, each once:
        whom to tell when an admin answers it."""
        rows = self._database.read(lambda db: db.execute(
            "SELECT chat FROM questions WHERE channel = 'telegram' AND normalised = ? AND at >= ? AND found = 0 "
            f"AND {self._of} GROUP BY chat ORDER BY MAX(at) DESC LIMIT ?",
            (normalised, since, *self._tags, limit)).fetchall())
        return [chat for (chat,) in rows]

    def counts(self) -> dict[str, int]:
        """Totals for /stats and `kb stats`: questions split into answered, unanswered and other (small talk, help,
        empty or over-long input: not questions the knowledge could answer), so the three add up; feedback up and down."""
        q, f = self._database.read(lambda db: (
            db.execute("SELECT COUNT(*), COALESCE(SUM(found != 0), 0), COALESCE(SUM(found = 0 AND kind = 'unknown'), 0), "
                       f"COALESCE(SUM(found = 0 AND kind != 'unknown'), 0) FROM questions WHERE {self._of}",
                       self._tags).fetchone(),
            db.execute(f"SELECT COALESCE(SUM(vote > 0), 0), COALESCE(SUM(vote < 0), 0) FROM feedback WHERE {self._of}",
                       self._tags).fetchone()))
        return {"questions": q[0], "answered": q[1], "unanswered": q[2], "other": q[3], "helpful": f[0],
                "unhelpful": f[1]}

    @property
    def _of(self) -> str:
        """The condition selecting this knowledge base's rows; its parameters are self._tags."""
        return of_knowledge(self._tags)

    def close(self) -> None:
        """Write what waits within CLOSE_TIMEOUT, log how many records could not be, and close the connections."""
        self._finalizer()

    def __enter__(self) -> "Storage":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
