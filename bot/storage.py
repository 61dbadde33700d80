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
not yet written and never corrupts what was logged before.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import BotError
from .text import words

log = logging.getLogger(__name__)

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
INSERT_QUESTION = ("INSERT INTO questions (at, channel, chat, question, normalised, found, kind, score, passage_ids) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_FEEDBACK = "INSERT INTO feedback (at, channel, chat, question, passage_ids, vote) VALUES (?, ?, ?, ?, ?, ?)"
MAX_LOGGED_CHARS = 2000
MAX_PENDING = 10_000  # records kept in memory while the database refuses writes; the oldest go first beyond this
# SQLite's busy_timeout: long enough to ride out another process's normal commit (milliseconds), short enough
# that a lock held for longer costs only one retry of the writer thread (never an answer) and that reads and
# close() give up quickly.
BUSY_TIMEOUT = 0.2
CLOSE_TIMEOUT = 1.0  # at close or exit, how long to try to write what waits: a one-shot `ask` must not hang on a lock
READ_WAIT = BUSY_TIMEOUT  # how long a read waits for this process's own records to be written first
BATCH = 500  # records per transaction: one commit for a burst, small enough that a failed try is cheap to repeat
# Another process holding the lock for less than this is ordinary contention: retried without a warning line
# (other write errors, such as a full disk, are reported at once).
LOCK_GRACE = 1.0
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.5)  # pauses between tries while the database refuses writes (the last repeats)


def _storable(value: object) -> object:
    """Text SQLite can store: a lone surrogate (from invalid UTF-8 in argv) becomes a visible \\udcff escape."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


class StorageError(BotError):
    """The log database cannot be opened or read, or is already closed."""


@dataclass(frozen=True)
class Unanswered:
    """A question users asked that the bot could not answer, with how often and when last."""

    question: str
    count: int
    last_at: float


def _busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite failed only because another connection holds a lock (worth retrying later)."""
    return ((getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _connect(path: str) -> sqlite3.Connection:
    """A connection that waits at most BUSY_TIMEOUT for another's lock and commits only when told."""
    return sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT, isolation_level=None)


def _open(path: str) -> sqlite3.Connection:
    """The writing connection: WAL mode (set when the database is created) so readers and a crash never block it."""
    db = _connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
    except BaseException:
        db.close()
        raise
    return db


def _row(kind: str, values: tuple) -> tuple[str, tuple]:
    """The INSERT for one queued record; the normalising is done here, on the writer thread, not by the caller."""
    if kind == "question":
        at, channel, chat, question, found, what, score, passage_ids = values
        params = (at, channel, chat, question, " ".join(words(question)), found, what, score, ",".join(passage_ids))
        return INSERT_QUESTION, tuple(_storable(p) for p in params)
    at, channel, chat, question, passage_ids, vote = values
    return INSERT_FEEDBACK, tuple(_storable(p) for p in (at, channel, chat, question, ",".join(passage_ids), vote))


class _Database:
    """The queue, the one writer thread and the read connection behind a Storage (it never refers back to it)."""

    def __init__(self, path: str, db: sqlite3.Connection | None) -> None:
        self.path = path
        self.memory = path == ":memory:"
        self.key = path if self.memory else os.path.realpath(path)
        self.db = db  # the writer thread's connection; None until a locked database can be opened
        self.db_lock = threading.Lock()  # the writing connection is used by one thread at a time
        self.lock = threading.Lock()
        self.work = threading.Condition(self.lock)  # the writer waits here for records, a flush or close
        self.done = threading.Condition(self.lock)  # flushes wait here for tries to finish
        self.queue: deque[tuple[int, str, tuple]] = deque()  # (sequence number, kind, values), oldest first
        self.inflight: list[tuple[int, str, tuple]] = []  # the batch the writer is trying to write
        self.seq = 0
        self.dropped = 0
        self.episode_dropped = 0
        self.failing: str | None = None  # why the last try failed, until one succeeds
        self.failing_since = 0.0
        self.warned = False  # whether this episode of failures has been reported
        self.hurry = self.closing = self.stop = self.closed = self.exited = False
        self.thread: threading.Thread | None = None
        self.reader: sqlite3.Connection | None = None
        self.read_lock = threading.Lock()

    # -- callers' side: never waits for SQLite --------------------------------------------------------

    def put(self, kind: str, values: tuple) -> None:
        """Queue one record and return; at the bound, the oldest record waiting is dropped and counted."""
        note = None
        with self.lock:
            if self.closing:
                raise StorageError(f"the log database {self.path} is closed (open a new Storage to log again)")
            self.seq += 1
            if len(self.queue) + len(self.inflight) >= MAX_PENDING:
                if self.queue:
                    self.queue.popleft()
                    self.queue.append((self.seq, kind, values))
                note = self._drop(1)
            else:
                self.queue.append((self.seq, kind, values))
            if self.thread is None:
                thread = threading.Thread(target=self._run, name="factbot-log-writer", daemon=True)
                try:
                    thread.start()
                    self.thread = thread
                except RuntimeError as exc:  # e.g. at interpreter shutdown: the record waits, close() reports it
                    note = f"cannot start the log writer for {self.path}: {exc}"
            self.work.notify()
        if note:
            log.warning("%s", note)

    def _drop(self, n: int) -> str | None:
        """Count n dropped records (lock held); the first drop of an episode returns the warning to log."""
        self.dropped += n
        self.episode_dropped += n
        self.done.notify_all()
        if self.episode_dropped == n:
            return (f"the log database {self.path} has not accepted writes ({self.failing or 'busy'}) and "
                    f"{MAX_PENDING} records wait in memory: the oldest are dropped and counted until it does")
        return None

    @property
    def pending(self) -> int:
        with self.lock:
            return len(self.queue) + len(self.inflight)

    def flush(self, timeout: float) -> bool:
        """Wait up to timeout for every record queued so far to be written (or dropped); True if none waits."""
        deadline = time.monotonic() + timeout
        with self.lock:
            target = self.seq
            self.hurry = True
            self.work.notify()
            while ((self.inflight and self.inflight[0][0] <= target) or (self.queue and self.queue[0][0] <= target)):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.stop:
                    return False
                self.done.wait(remaining)
        return True

    def close(self, timeout: float) -> None:
        """Let the writer try for at most `timeout` to write what waits, then stop it and report what was not."""
        deadline = time.monotonic() + timeout
        with self.lock:
            if self.closing:
                return
            self.closing = self.hurry = True
            self.work.notify()
            thread = self.thread
        if thread is not None:
            # Stop early enough that the last try (at most BUSY_TIMEOUT) ends before the deadline.
            thread.join(max(0.0, timeout - BUSY_TIMEOUT - 0.05))
            with self.lock:
                self.stop = True
                self.work.notify()
            thread.join(max(0.0, deadline - time.monotonic()))
        with self.lock:
            unwritten = len(self.queue) + len(self.inflight)
            reason = self.failing or "the write did not finish in time"
            self.closed = True
            exited = thread is None or self.exited
        if exited:
            self._close_writer()  # else the writer closes it when its last try returns
        with self.read_lock:
            if self.reader is not None and self.reader is not self.db:
                self.reader.close()
            self.reader = None
        if unwritten:
            log.warning("%d record(s) could not be written to the log database %s within %.1f s (%s) "
                        "and are not logged", unwritten, self.path, timeout, reason)

    # -- the writer thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        """Write the queue in batches, oldest first; on failure keep the batch at the front and retry later."""
        tries = 0
        try:
            while True:
                with self.lock:
                    while not self.queue and not self.closing:
                        self.work.wait()
                    if not self.queue or self.stop:
                        return
                    size = max(1, min(BATCH, MAX_PENDING // 2))  # leaves room to drop the oldest still waiting
                    self.inflight = [self.queue.popleft() for _ in range(min(size, len(self.queue)))]
                    self.hurry = False
                error = self._write([(kind, values) for _, kind, values in self.inflight])
                notes = []
                with self.lock:
                    if error is None:
                        if self.warned:
                            notes.append((logging.INFO, f"the log database {self.path} accepts writes again; "
                                                        "the records that waited are being written"))
                        if self.episode_dropped:
                            notes.append((logging.WARNING, f"{self.episode_dropped} record(s) were dropped while "
                                                           f"the log database {self.path} did not accept writes"))
                        self.failing, self.warned, self.episode_dropped, tries = None, False, 0, 0
                    else:
                        self.queue.extendleft(reversed(self.inflight))
                        now = time.monotonic()
                        if self.failing is None:
                            self.failing_since = now
                        self.failing = str(error) or type(error).__name__
                        # While closing, close() reports what is left in one line instead.
                        if not (self.warned or self.closing) and (
                                not _busy(error) or now - self.failing_since >= LOCK_GRACE):
                            self.warned = True
                            notes.append((logging.WARNING, f"cannot write to the log database {self.path}: "
                                                           f"{self.failing}; records wait in memory and are written "
                                                           "when it can (answers are not delayed)"))
                    self.inflight = []
                    self.done.notify_all()
                for level, note in notes:
                    log.log(level, "%s", note)
                if error is not None:
                    delay = RETRY_DELAYS[min(tries, len(RETRY_DELAYS) - 1)]
                    tries += 1
                    self._pause(delay)
        finally:
            with self.lock:
                self.stop = self.exited = True
                self.done.notify_all()
                closed = self.closed
            if closed:
                self._close_writer()

    def _pause(self, delay: float) -> None:
        """Wait before the next try; a flush or close cuts it short, and while closing pauses stay short."""
        start = time.monotonic()
        with self.lock:
            while not (self.hurry or self.stop):
                end = start + (min(delay, RETRY_DELAYS[0]) if self.closing else delay)
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return
                self.work.wait(remaining)

    def _write(self, records: list[tuple[str, tuple]]) -> Exception | None:
        """Write the records in one transaction; returns why it failed, or None."""
        with self.db_lock:
            try:
                if self.db is None:
                    self.db = _open(self.path)  # opened late: the database was locked when the Storage opened
                db = self.db
                db.execute("BEGIN IMMEDIATE")  # take the write lock first: a busy database fails before any work
                try:
                    for kind, values in records:
                        db.execute(*_row(kind, values))
                    db.execute("COMMIT")
                except BaseException:
                    try:
                        db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # SQLite already rolled back (e.g. after SQLITE_FULL)
                    raise
            except Exception as exc:  # noqa: BLE001 - whatever the cause, the records wait and are retried
                return exc
        return None

    def _close_writer(self) -> None:
        with self.db_lock:
            if self.db is not None:
                self.db.close()

    # -- reads ---------------------------------------------------------------------------------------

    def read(self, query):
        """Run query(connection) on the read connection (the writing one for :memory:); errors become StorageError."""
        if self.memory:
            self.flush(READ_WAIT)
        else:
            _settle(self.key, READ_WAIT)
        try:
            if self.closed:
                raise sqlite3.ProgrammingError("the database is closed")
            if self.memory:
                with self.db_lock:
                    return query(self.db)
            with self.read_lock:
                if self.reader is None:
                    self.reader = _connect(self.path)
                return query(self.reader)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the log database {self.path}: {exc}") from None


_DATABASES: weakref.WeakSet[_Database] = weakref.WeakSet()


def _settle(key: str, timeout: float) -> None:
    """Give every Storage of this process on the same file up to `timeout` to write its records, so reads see them."""
    deadline = time.monotonic() + timeout
    for database in list(_DATABASES):
        if database.key == key:
            database.flush(max(0.0, deadline - time.monotonic()))


class Storage:
    """A small SQLite log of questions and feedback, safe to share between threads; logging never waits."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            db: sqlite3.Connection | None = _open(self.path)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise self._cannot_open(exc) from None
            db = None  # another process holds a lock: the writer thread opens it once it is free
        except (sqlite3.Error, OSError) as exc:
            raise self._cannot_open(exc) from None
        self._database = _Database(self.path, db)
        _DATABASES.add(self._database)
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
                                        kind, float(score), tuple(passage_ids)))

    def log_feedback(self, channel: str, chat: str, question: str, passage_ids: Iterable[str], vote: int) -> None:
        """Queue a thumbs up (+1) or down (-1) for the passages behind an answer; returns at once."""
        self._database.put("feedback", (time.time(), channel, str(chat), question[:MAX_LOGGED_CHARS],
                                        tuple(passage_ids), int(vote)))

    def flush(self, timeout: float = CLOSE_TIMEOUT) -> bool:
        """Wait up to timeout for the records logged so far to be written; True if none still waits."""
        return self._database.flush(timeout)

    def unanswered(self, limit: int = 20) -> list[Unanswered]:
        """Questions the bot could not answer, most frequent first (small talk and empty input excluded)."""
        rows = self._database.read(lambda db: db.execute(
            "SELECT MAX(question), COUNT(*), MAX(at) FROM questions WHERE found = 0 AND kind = 'unknown' "
            "GROUP BY normalised ORDER BY COUNT(*) DESC, MAX(at) DESC LIMIT ?", (limit,)).fetchall())
        return [Unanswered(q, n, at) for q, n, at in rows]

    def counts(self) -> dict[str, int]:
        """Totals for /stats and `kb stats`: questions, answered, unanswered, feedback up and down."""
        q, f = self._database.read(lambda db: (
            db.execute("SELECT COUNT(*), COALESCE(SUM(found), 0), "
                       "COALESCE(SUM(kind = 'unknown'), 0) FROM questions").fetchone(),
            db.execute("SELECT COALESCE(SUM(vote > 0), 0), COALESCE(SUM(vote < 0), 0) FROM feedback").fetchone()))
        return {"questions": q[0], "answered": q[1], "unanswered": q[2], "helpful": f[0], "unhelpful": f[1]}

    def close(self) -> None:
        """Write what waits within CLOSE_TIMEOUT, log how many records could not be, and close the connections."""
        self._finalizer()

    def __enter__(self) -> "Storage":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def existing_log(database: str) -> "Storage | None":
    """The log database if one has been written (maintainers' read-only views), else None."""
    if database == ":memory:" or not Path(database).exists():
        return None
    return Storage(database)
