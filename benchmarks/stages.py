"""Stage benchmark: where the bot's answer path spends its time, beside bm25s's fastest path, in one process.

The same Debian synopsis queries as `scale.py` (seed 0), asked through the bot's full path
(`Answerer.answer()`) and through bm25s `get_scores` + `argmax`, interleaved question by question.
Each of the bot's stages is timed by wrapping it for the run, and the table splits the questions
the first stage decides alone from those the second stage reads. It answers one question: how much
of the bot's time is the first stage, the part bm25s also does, and how much is everything else.

Usage:
    python benchmarks/stages.py                       # all 58,938 passages, 500 queries, 3 rounds
    python benchmarks/stages.py --size 10000 --rounds 1 --corpus PATH
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DEFAULT_CORPUS, markdown_table, percentile, queries, read_corpus, subset, write_knowledge
from benchmarks.scale import _bm25s, _bot

# The stages, as `Answerer` calls them: (where the name is looked up, its name, the label printed).
STAGES = (
    ("pipeline", "is_foreign", "language check"),
    ("reader", "read", "reading (words, typos, expansions)"),
    ("pipeline", "weigh", "weighing the query"),
    ("pipeline", "search", "first stage: search (scores, top k, hits)"),
    ("index", "_scores", "  of it, scoring the postings"),
    ("pipeline", "fit_answer_type", "fitting the kind of fact asked"),
    ("pipeline", "decisive", "skip rules (is the first stage decisive)"),
    ("pipeline", "rerank", "second stage"),
    ("pipeline", "decide", "decision"),
    ("composer", "found", "composing the answer"),
    ("composer", "not_found", "composing the 'I don't know'"),
)
NESTED = {"_scores"}  # inside another stage: not added again to the total of the stages


def instrument(answerer, spent: dict[str, int]) -> None:
    """Wrap each stage so that a question's time per stage is added up in `spent` (nanoseconds)."""
    import bot.core.pipeline as pipeline

    owners = {"pipeline": pipeline, "reader": answerer.reader, "index": answerer.index, "composer": answerer.composer}
    for owner, name, _label in STAGES:
        target = owners[owner]
        if not hasattr(target, name):
            continue
        inner = getattr(target, name)

        def timed(*args, _inner=inner, _name=name, **kwargs):
            start = time.perf_counter_ns()
            try:
                return _inner(*args, **kwargs)
            finally:
                spent[_name] = spent.get(_name, 0) + time.perf_counter_ns() - start

        setattr(target, name, timed)


def median_us(values: list[int]) -> str:
    """A median of nanoseconds in microseconds, or a dash for none."""
    return f"{statistics.median(values) / 1000:.0f}" if values else "-"


def table(rows: list[tuple[int, dict[str, int]]], rival: list[float]) -> str:
    """Per stage, its median over the questions the second stage skipped and over those it read."""
    skipped = [r for r in rows if "rerank" not in r[1]]
    read = [r for r in rows if "rerank" in r[1]]
    lines = []
    for _owner, name, label in STAGES:
        cells = [median_us([r[1][name] for r in group if name in r[1]]) for group in (skipped, read)]
        if cells != ["-", "-"]:
            lines.append([label, *cells])
    outside = [[t - sum(v for k, v in s.items() if k not in NESTED) for t, s in group] for group in (skipped, read)]
    lines.append(["between the stages (Python glue)", *(median_us(o) for o in outside)])
    lines.append([f"**whole answer** ({len(skipped)} / {len(read)} questions)",
                  *(median_us([t for t, _ in group]) for group in (skipped, read))])
    everything = [t for t, _ in rows]
    summary = (f"\nWhole answer over all questions: median {statistics.median(everything) / 1e3:.0f} µs, "
               f"p99 {percentile(everything, 99) / 1e3:.0f} µs. bm25s get_scores + argmax (with its tokenizer) in "
               f"the same rounds: median {statistics.median(rival) * 1e6:.0f} µs, p99 {percentile(rival, 99) * 1e6:.0f} µs.")
    return markdown_table(["stage", "median µs, second stage skipped", "median µs, second stage read"], lines) + summary


def run(corpus: Path, size: int, count: int, rounds: int) -> str:
    """Build both, warm both, then ask every query of every round through both, alternating."""
    records = subset(read_corpus(corpus), size)
    asked = [q for q, _ in queries(records, count)]
    with tempfile.TemporaryDirectory(prefix="factbot-stages-") as tmp:
        ask, _ = _bot(write_knowledge(records, Path(tmp) / "debian.jsonl"))
        rival, _ = _bm25s(records, "scores")
        records = None
        answerer = ask.answerer
        answerer.warm()
        spent: dict[str, int] = {}
        instrument(answerer, spent)
        for question in asked[:20]:  # warm caches, as a running bot would be
            answerer.answer(question), rival(question)
        gc.collect()
        gc.freeze()
        rows, rival_times = [], []
        for _ in range(rounds):
            for question in asked:
                spent.clear()
                start = time.perf_counter_ns()
                answerer.answer(question)
                rows.append((time.perf_counter_ns() - start, dict(spent)))
                start = time.perf_counter()
                rival(question)
                rival_times.append(time.perf_counter() - start)
    return table(rows, rival_times)


def main() -> None:
    """Print the stage table (Markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="debian-descriptions.jsonl.gz")
    parser.add_argument("--size", type=int, default=10**9, help="passages (default: all)")
    parser.add_argument("--queries", type=int, default=500, help="synopsis queries (seed 0)")
    parser.add_argument("--rounds", type=int, default=3, help="times every query is asked")
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    print(run(args.corpus, args.size, args.queries, args.rounds))


if __name__ == "__main__":
    main()
