"""Shared helpers for the benchmark scripts: the Debian corpus, timing and memory figures.

Benchmarks are scripts that print figures, never timed tests: machines are noisy, so every
speed figure is a median (and p99) and is compared with baselines run in the same process.
"""

from __future__ import annotations

import gzip
import json
import random
import resource
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

REPO = Path(__file__).resolve().parent.parent


def shared_corpus(name: str) -> Path:
    """A file of the shared corpora: beside the repository, or beside the folder of worktrees when it is a worktree."""
    places = [base / "shared" / "corpora" / name for base in (REPO.parent, REPO.parent.parent)]
    return next((p for p in places if p.is_file()), places[0])


DEFAULT_CORPUS = shared_corpus("debian-descriptions.jsonl.gz")
SEED = 0


def read_corpus(path: Path) -> list[dict]:
    """The Debian descriptions, one dict per package ({id, synopsis, text}), in file order."""
    if not path.is_file():
        sys.exit(f"Error: corpus not found at {path}; pass --corpus PATH to debian-descriptions.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def subset(records: Sequence[dict], size: int, seed: int = SEED) -> list[dict]:
    """A fixed-seed sample of `size` records, kept in corpus order (all of them when size >= len)."""
    if size >= len(records):
        return list(records)
    chosen = sorted(random.Random(seed).sample(range(len(records)), size))
    return [records[i] for i in chosen]


def queries(records: Sequence[dict], count: int, seed: int = SEED) -> list[tuple[str, str]]:
    """A fixed-seed sample of (synopsis, id) pairs: the question and the id of its right answer."""
    picked = random.Random(seed).sample(list(records), min(count, len(records)))
    return [(r["synopsis"], r["id"]) for r in picked]


def write_knowledge(records: Iterable[dict], path: Path) -> Path:
    """Write records as the bot's JSON-lines knowledge ({"id", "text"}), a temporary file, never in the repo."""
    with path.open("w", encoding="utf-8") as handle:
        for r in records:
            handle.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")
    return path


def timed(function: Callable[[], object]) -> tuple[object, float]:
    """Run a function once; its result and the wall time in seconds."""
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank, so p99 of 500 is the 5th slowest."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """This process's resident memory now, in MB, read from /proc (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table, so the output pastes straight into the README."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def run_quality(benchmark: str, together: bool = False) -> None:
    """Run one quality figure in this process, so an experiment's patches apply: realdocs, eval or squad."""
    if benchmark == "realdocs":
        from benchmarks import realdocs
        sys.exit(realdocs.main(["--tuning", "--failures", "--no-mongolia", *(["--together"] if together else [])]))
    if benchmark == "eval":
        from bot.cli.main import run
        sys.exit(run(["eval", "--no-baseline", "--failures"]))
    from benchmarks import squad
    sys.argv = ["squad.py"]
    squad.main()
