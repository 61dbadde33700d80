"""`ask --jsonl`: the JSON-lines loop, with the garbage collector run between lines, never inside an answer."""

from __future__ import annotations

import gc
import sys
from typing import Callable

from ..core.conversation import Conversation
from ..frontends import jsonlines


def run(conversation: Conversation, prepare: Callable[[], None] | None = None) -> int:
    """Answer standard input's JSON lines on standard output, the automatic collector off meanwhile; `prepare`
    (Answerer.prepare) first builds what a few milliseconds now spare every question of the stream."""
    if prepare is not None:
        prepare()
        gc.freeze()  # what it built lives as long as the process: no collection walks it
    gc.disable()
    try:
        return jsonlines.jsonl(conversation, sys.stdin.buffer, sys.stdout, between_lines=collect_young)
    finally:
        gc.enable()


def collect_young() -> None:
    """Collect what the last line left in cycles, then freeze what it kept, so no later collection walks it again."""
    # An answer leaves no cycles but keeps a few dozen objects (passages made on first use, cache entries). Left to
    # the collector, each is walked again by the young collections (one every ~10 lines, 0.2 ms), the middle ones
    # (every ~100 lines, 3 ms: the p99) and the full ones (20-80 ms). Walked once after their line and frozen, they
    # cost ~5 us a line. Only a cycle that outlives its line and dies later would never be freed; answers make none.
    gc.collect(0)
    gc.freeze()
