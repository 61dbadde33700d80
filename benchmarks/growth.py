"""Growth curve: the bot and bm25s from 1k to 250k passages, on the Debian descriptions split into sentences.

Each description is split into its sentences (and list items), every one a passage of its own
with the id PACKAGE:N, so the knowledge reaches 232,686 passages; a question (a package's
synopsis) is answered right when the first passage comes from that package's description. For
each size, packages are taken in a fixed-seed order until the size is reached, and the bot
(full answer path, index built from scratch) and bm25s (`get_scores` + `argmax`, its fastest
path) answer the same synopses interleaved in one fresh process: build time, memory the build
added (resident, from /proc), median and p99 per question, top-1.

Usage:
    python benchmarks/growth.py                              # 1k, 10k, 59k and all 232,686 passages
    python benchmarks/growth.py --sizes 1000,10000 --queries 200 --corpus PATH
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (DEFAULT_CORPUS, REPO, SEED, current_rss_mb, markdown_table, percentile, read_corpus,
                               write_knowledge)
from benchmarks.scale import _bm25s, _bot

# A sentence ends at . ! ? or : before a capital, digit or list mark; a list item starts at " * ".
SENTENCE = re.compile(r"(?<=[.!?:])\s+(?=[A-Z0-9*\"(-])|\s+(?=\* )|\n+")
SIZES = "1000,10000,58938,all"  # all: every sentence, 232,686 passages
HEADER = ["N", "method", "build s", "memory MB", "read-ahead s", "median ms", "p99 ms", "top-1"]


def sentences(records: list[dict]) -> list[dict]:
    """Every description's sentences as passages {id: PACKAGE:N, text, package}, packages in a fixed-seed order."""
    order = list(records)
    random.Random(SEED).shuffle(order)
    out = []
    for r in order:
        parts = [p.strip() for p in SENTENCE.split(r["text"]) if len(p.strip()) > 1]
        out += [{"id": f"{r['id']}:{n}", "text": p, "package": r["id"]} for n, p in enumerate(parts)]
    return out


def worker(corpus: Path, size: int, count: int) -> None:
    """Build both methods over the first `size` sentence passages and time them interleaved: one JSON line each."""
    records = read_corpus(corpus)
    synopsis = {r["id"]: r["synopsis"] for r in records}
    passages = sentences(records)[:size]
    del records
    packages = list(dict.fromkeys(p["package"] for p in passages))
    asked = [(synopsis[p], p) for p in random.Random(SEED).sample(packages, min(count, len(packages)))]
    figures = {}
    with tempfile.TemporaryDirectory(prefix="factbot-growth-") as tmp:
        knowledge = write_knowledge(passages, Path(tmp) / "sentences.jsonl")
        askers = {}
        for method in ("bot", "bm25s"):
            gc.collect()
            before = current_rss_mb()
            ask, build = _bot(knowledge) if method == "bot" else _bm25s(passages, "scores")
            askers[method] = ask
            start = time.perf_counter()  # the bot's read-ahead, as a serving bot does after its start
            getattr(ask, "warm", lambda: None)()
            figures[method] = {"build_s": build, "memory_mb": current_rss_mb() - before,
                               "warm_s": time.perf_counter() - start}
    gc.freeze()
    times = {m: [] for m in askers}
    right = dict.fromkeys(askers, 0)
    for question, package in asked:
        for method, ask in askers.items():
            start = time.perf_counter()
            got = ask(question)
            times[method].append(time.perf_counter() - start)
            right[method] += got is not None and got.rsplit(":", 1)[0] == package
    for method, f in figures.items():
        print(json.dumps({"method": method, "size": len(passages), **f, "median_ms": 1000 * statistics.median(times[method]),
                          "p99_ms": 1000 * percentile(times[method], 99), "top1": right[method] / len(asked)}), flush=True)


def main() -> None:
    """Print the growth table (Markdown), one fresh process per size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="debian-descriptions.jsonl.gz")
    parser.add_argument("--sizes", default=SIZES, help="comma-separated passage counts, or 'all'")
    parser.add_argument("--queries", type=int, default=500, help="synopsis questions per size (seed 0)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.corpus, int(args.sizes), args.queries)
        return
    rows = []
    for size in (10**9 if s == "all" else int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--worker", "--corpus", str(args.corpus), "--sizes", str(size),
                   "--queries", str(args.queries)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONHASHSEED": "0"})
        if result.returncode != 0:
            sys.exit(f"Error: growth worker failed:\n{result.stderr}")
        for line in (json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")):
            rows.append([f"{line['size']:,}", "factbot (full answer path)" if line["method"] == "bot" else
                         "bm25s get_scores + argmax", f"{line['build_s']:.2f}", f"{line['memory_mb']:.0f}",
                         f"{line['warm_s']:.2f}", f"{line['median_ms']:.2f}", f"{line['p99_ms']:.2f}",
                         f"{100 * line['top1']:.1f}%"])
        print(markdown_table(HEADER, rows[-2:]), flush=True)
    print()
    print(markdown_table(HEADER, rows))


if __name__ == "__main__":
    main()
