"""A progress bar on standard error for steps that can take seconds (an index build, `kb import`), on a terminal only."""

from __future__ import annotations

import os
import sys
import time
from typing import Callable, Mapping, TextIO

# A step that ends sooner draws nothing: the seed knowledge's index builds in milliseconds, and a bar that
# flashes on every start is noise. Longer steps get the bar from this point on.
SHOW_AFTER_SECONDS = 0.3


def wanted(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """A bar only for a person at a terminal: never when stderr is piped or NO_COLOR asks for plain output."""
    try:
        return stream.isatty() and not environ.get("NO_COLOR")
    except (AttributeError, ValueError):  # a closed or unusual stream: no bar
        return False


class ProgressBar:
    """Draws rich.progress for the callbacks the core is given; use as a context manager, which clears it."""

    def __init__(self, description: str, stream: TextIO | None = None, environ: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream, os.environ if environ is None else environ)
        self.description = description
        self._clock = clock
        self._started = clock()
        self._progress = None
        self._task = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def step(self, text: str) -> None:
        """A new step of the work, shown as the bar's description (its count starts afresh)."""
        self.description = text
        if self._progress is not None:
            self._progress.update(self._task, description=text, completed=0, total=None)

    def count(self, done: int, total: int) -> None:
        """The core's on_progress callback: `done` of `total` items."""
        if not self.enabled or (self._progress is None and self._clock() - self._started < SHOW_AFTER_SECONDS):
            return
        if self._progress is None:
            self._start()
        self._progress.update(self._task, description=self.description, completed=done, total=total)

    def pulse(self) -> None:
        """Show the bar at once, without a count: for a step that reports nothing until it is done."""
        if self.enabled and self._progress is None:
            self._start()

    def callback(self) -> Callable[[int, int], None] | None:
        """What to hand the core: `count`, or None when no bar will ever be drawn (so the core does no work for it)."""
        return self.count if self.enabled else None

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream, stderr=self.stream is sys.stderr)
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                  TimeElapsedColumn(), console=console, transient=True)
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=None)


def build_answerer(config):
    """The core's build_answerer, drawing a bar while a large index is built (nothing for a saved or small one)."""
    from ..core.pipeline import build_answerer as build

    with ProgressBar("Indexing the knowledge") as bar:
        return build(config, on_progress=bar.callback())
