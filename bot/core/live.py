"""A live answerer: serves from the current knowledge and swaps in a new one atomically on reload.

A reload builds the new knowledge and index completely before the swap; if the knowledge is
broken, the error is reported and the old answerer keeps serving. Front ends call
`reload_if_changed()` now and then (cheap: it compares file modification times) or `reload()`
on an admin's command.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import Config
from ..errors import BotError
from ..kb.load import knowledge_files
from .answer import Answer
from .context import Context
from .pipeline import Answerer, build_answerer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did: whether it swapped, how many passages now serve, or the error it kept out."""

    ok: bool
    message: str
    passages: int


def knowledge_stamp(path: Path) -> tuple:
    """Modification times and sizes of the files the answerer reads, to notice a change without reading
    them (the saved index, undo history, lock and regression questions do not count)."""
    try:
        # Links count by their own stamp (lstat): a new looping or dangling link is a change to report, once.
        files = knowledge_files(path)
        stats = [(p, p.lstat() if p.is_symlink() else p.stat()) for p in files]
        return tuple((str(p), st.st_mtime_ns, st.st_size) for p, st in stats)
    except OSError:
        return ()


class LiveAnswerer:
    """Holds the current Answerer; every question uses one consistent answerer, never a half-built one."""

    def __init__(self, config: Config, build: Callable[[Config], Answerer] = build_answerer, warm: bool = False,
                 log_refused: bool = True) -> None:
        self.config = config
        self._build = build
        self._warm = warm  # each answerer built reads ahead in a background thread (Answerer.warm)
        self._log_refused = log_refused  # False: the front end shows the refused reload itself (the console)
        self._lock = threading.Lock()
        self._stamp = knowledge_stamp(Path(config.knowledge))
        self._current = build(config)
        self.warming: threading.Thread | None = None  # the latest read-ahead, for callers that want to wait
        self._warm_up(self._current)

    def _warm_up(self, answerer: Answerer) -> None:
        """Start `answerer.warm()` in a daemon thread when asked: questions meanwhile are answered as before."""
        if self._warm:
            self.warming = threading.Thread(target=_warm, args=(answerer,), name="answerer-warm-up", daemon=True)
            self.warming.start()

    @property
    def current(self) -> Answerer:
        """The answerer serving now."""
        return self._current

    def answer(self, question: str, context: Context | None = None) -> Answer:
        """Answer with the current answerer."""
        return self._current.answer(question, context)

    def reload(self) -> ReloadResult:
        """Rebuild from the knowledge files and swap; on error keep serving the old answerer."""
        with self._lock:
            stamp = knowledge_stamp(Path(self.config.knowledge))
            self._stamp = stamp  # a broken file is reported once, not on every check
            try:
                fresh = self._build(self.config)
            except BotError as exc:
                if self._log_refused:
                    log.error("knowledge reload failed, still serving the previous version: %s", exc)
                problem = str(exc)
            except Exception as exc:  # a bug in loading or indexing must not take the serving bot down
                log.exception("knowledge reload failed unexpectedly, still serving the previous version")
                problem = f"unexpected {type(exc).__name__}: {exc} (see the log)"
            else:
                problem = ""
            if problem:
                return ReloadResult(False, f"Reload failed, still serving the previous knowledge: {problem}",
                                    len(self._current.kb.passages))
            self._current = fresh
            self._warm_up(fresh)
            count = len(fresh.kb.passages)
            log.info("knowledge reloaded: %d passages", count)
            return ReloadResult(True, f"Reloaded: {count} passages.", count)

    def reload_if_changed(self) -> ReloadResult | None:
        """Reload when a knowledge file changed since the last load; None when nothing changed."""
        if knowledge_stamp(Path(self.config.knowledge)) == self._stamp:
            return None
        return self.reload()


def _warm(answerer: Answerer) -> None:
    """Warm an answerer up; a failure is logged, never raised into a serving bot (the answers need none of it)."""
    try:
        answerer.warm()
    except Exception:  # noqa: BLE001 - a background convenience must not take the bot down
        log.exception("reading ahead failed; questions read what they need as they come")
