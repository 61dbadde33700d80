"""The question log's writer: a bounded in-memory queue and one thread that writes it to SQLite in batches."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections import deque

from .errors import StorageError
from .querylog_sql import BUSY_TIMEOUT, is_busy, connect, open_writer, insert_row

log = logging.getLogger("bot.querylog")

MAX_PENDING = 10_000  # records kept in memory while the database refuses writes; the oldest go first beyond this
CLOSE_TIMEOUT = 1.0  # at close or exit, how long to try to write what waits: a one-shot `ask` must not hang on a lock
READ_WAIT = BUSY_TIMEOUT  # how long a read waits for this process's own records to be written first
BATCH = 500  # records per transaction: one commit for a burst, small enough that a failed try is cheap to repeat
# How long the first record of a burst waits for the others before the writer takes them: a stream of questions
# is written in one transaction and one wake-up of the writer per WRITE_DELAY, not per question (each wake-up takes
# the interpreter from the answering thread for ~50 us). A crash (kill -9, power loss) loses at most the records
# of the last WRITE_DELAY; an exit, Ctrl-C or the end of the input writes them (close).
WRITE_DELAY = 0.1
# Another process holding the lock for less than this is ordinary contention: retried without a warning line
# (other write errors, such as a full disk, are reported at once).
LOCK_GRACE = 1.0
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.5)  # pauses between tries while the database refuses writes (the last repeats)


class LogDatabase:
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
        self.flushing = 0  # the newest sequence number a flush waits for: records up to it are written at once
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
            waiting = len(self.queue)
            if self.thread is None:
                thread = threading.Thread(target=self._run, name="factbot-log-writer", daemon=True)
                try:
                    thread.start()
                    self.thread = thread
                except RuntimeError as exc:  # e.g. at interpreter shutdown: the record waits, close() reports it
                    note = f"cannot start the log writer for {self.path}: {exc}"
            if waiting in (1, _batch_size()):  # the writer waits for a first record, or a burst filled a batch
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
            target = self.flushing = self.seq
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
            while self._take_batch():
                error = self._write([(kind, values) for _, kind, values in self.inflight])
                for level, note in self._settle_batch(error):
                    log.log(level, "%s", note)
                if error is not None:
                    delay = RETRY_DELAYS[min(tries, len(RETRY_DELAYS) - 1)]
                    tries += 1
                    self._pause(delay)
                else:
                    tries = 0
        finally:
            with self.lock:
                self.stop = self.exited = True
                self.done.notify_all()
                closed = self.closed
            if closed:
                self._close_writer()

    def _take_batch(self) -> bool:
        """Wait for records and move the oldest into `inflight`; False when the writer should stop."""
        with self.lock:
            while not self.queue and not self.closing:
                self.work.wait()
            self._gather()
            if not self.queue or self.stop:
                return False
            self.inflight = [self.queue.popleft() for _ in range(min(_batch_size(), len(self.queue)))]
            self.hurry = False
            return True

    def _gather(self) -> None:
        """Wait (lock held) up to WRITE_DELAY for a burst to fill a batch, unless a flush or close waits, or a
        failed batch is to be retried."""
        deadline = time.monotonic() + WRITE_DELAY
        while (self.queue and len(self.queue) < _batch_size() and self.queue[0][0] > self.flushing and not self.closing
               and self.failing is None):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.work.wait(remaining)

    def _settle_batch(self, error: Exception | None) -> list[tuple[int, str]]:
        """Account for one try: a failed batch goes back to the front. Returns the log lines to write (unlocked)."""
        notes = []
        with self.lock:
            if error is None:
                if self.warned:
                    notes.append((logging.INFO, f"the log database {self.path} accepts writes again; "
                                                "the records that waited are being written"))
                if self.episode_dropped:
                    notes.append((logging.WARNING, f"{self.episode_dropped} record(s) were dropped while "
                                                   f"the log database {self.path} did not accept writes"))
                self.failing, self.warned, self.episode_dropped = None, False, 0
            else:
                self.queue.extendleft(reversed(self.inflight))
                now = time.monotonic()
                if self.failing is None:
                    self.failing_since = now
                self.failing = str(error) or type(error).__name__
                # While closing, close() reports what is left in one line instead.
                if not (self.warned or self.closing) and (
                        not is_busy(error) or now - self.failing_since >= LOCK_GRACE):
                    self.warned = True
                    notes.append((logging.WARNING, f"cannot write to the log database {self.path}: "
                                                   f"{self.failing}; records wait in memory and are written "
                                                   "when it can (answers are not delayed)"))
            self.inflight = []
            self.done.notify_all()
        return notes

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
                    self.db = open_writer(self.path)  # opened late: the database was locked when the Storage opened
                db = self.db
                db.execute("BEGIN IMMEDIATE")  # take the write lock first: a busy database fails before any work
                try:
                    for kind, values in records:
                        db.execute(*insert_row(kind, values))
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
            settle(self.key, READ_WAIT)
        try:
            if self.closed:
                raise sqlite3.ProgrammingError("the database is closed")
            if self.memory:
                with self.db_lock:
                    return query(self.db)
            with self.read_lock:
                if self.reader is None:
                    self.reader = connect(self.path)
                return query(self.reader)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the log database {self.path}: {exc}") from None


def _batch_size() -> int:
    """Records per transaction: BATCH, leaving room under MAX_PENDING to drop the oldest still waiting."""
    return max(1, min(BATCH, MAX_PENDING // 2))


OPEN_DATABASES: weakref.WeakSet[LogDatabase] = weakref.WeakSet()


def settle(key: str, timeout: float) -> None:
    """Give every Storage of this process on the same file up to `timeout` to write its records, so reads see them."""
    deadline = time.monotonic() + timeout
    for database in list(OPEN_DATABASES):
        if database.key == key:
            database.flush(max(0.0, deadline - time.monotonic()))
