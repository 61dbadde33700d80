"""Seed-knowledge benchmark: per-question latency, index build, cold start and a running bot's memory.

Latency is measured in process through `Answerer.answer()` over every question of the
evaluation files (context turns included), repeated to steady the medians. The cold start is a
fresh `python -m bot ask --no-log QUESTION`, once with no saved index and then with it.

Usage:
    python benchmarks/seed.py [--knowledge PATH] [--eval eval/mongolia.yaml ...] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, current_rss_mb, markdown_table, percentile, timed
from benchmarks.coldstart import run as cold_run


def main() -> None:
    """Print the seed figures as Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge", help="knowledge folder or JSON-lines file")
    parser.add_argument("--eval", type=Path, nargs="*", default=[REPO / "eval" / "mongolia.yaml"])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the evaluation questions")
    parser.add_argument("--question", default="Since when have NATO and Mongolia been engaged in dialogue and cooperation?")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per cold-start row (median)")
    args = parser.parse_args()

    from bot.core.pipeline import Answerer
    from bot.config import load_config
    from bot.core.context import Context
    from bot.kb.evaluate import load_cases
    from bot.core.index import TfidfIndex
    from bot.core.index_build import choose_scoring
    from bot.core.index_file import load_or_build
    from bot.kb.load import load_knowledge
    from bot.kb.model import MAX_TEXT_CHARS

    config = load_config(None).with_knowledge(args.knowledge)
    kb, load_s = timed(lambda: load_knowledge(args.knowledge))
    settings = choose_scoring(config.retrieval.scoring, kb.passages, MAX_TEXT_CHARS)  # as the bot chooses
    builds = [timed(lambda: TfidfIndex.build(kb.passages, settings))[1] for _ in range(args.repeat)]
    index = TfidfIndex.build(kb.passages, settings)
    answerer, init_s = timed(lambda: Answerer(kb, index, config))
    with tempfile.TemporaryDirectory(prefix="factbot-seed-") as tmp:
        index.save(Path(tmp))
        loads = [timed(lambda: load_or_build(kb.passages, Path(tmp), settings))[1] for _ in range(args.repeat)]
    cases = [case for file in args.eval for case in load_cases(file)]
    times: list[float] = []
    for _ in range(args.repeat):
        for case in cases:
            context = Context()
            for earlier in case.context:
                context = answerer.answer(earlier, context).context
            start = time.perf_counter()
            answerer.answer(case.question, context)
            times.append(time.perf_counter() - start)
    running_mb = current_rss_mb()

    print(f"Seed knowledge: {len(kb.passages)} passages; {len(cases)} evaluation questions x {args.repeat}")
    print(markdown_table(["what", "median ms", "p99 ms"], [
        ["answer one question (in process, full path)", f"{1000 * statistics.median(times):.3f}",
         f"{1000 * percentile(times, 99):.3f}"],
        ["build the index", f"{1000 * statistics.median(builds):.2f}", f"{1000 * max(builds):.2f}"],
        ["load the saved index (fingerprint + mapped .npy)", f"{1000 * statistics.median(loads):.2f}", f"{1000 * max(loads):.2f}"],
        ["load the knowledge files", f"{1000 * load_s:.2f}", "-"],
        ["make the answerer (speller, acronyms)", f"{1000 * init_s:.2f}", "-"],
    ]))
    print(f"\nMemory of this running bot process (RSS after {len(times)} answers): {running_mb:.0f} MB")

    rows = []
    with tempfile.TemporaryDirectory(prefix="factbot-seedcold-") as tmp:
        knowledge = Path(tmp) / "knowledge"
        if args.knowledge.is_dir():
            shutil.copytree(args.knowledge, knowledge, ignore=shutil.ignore_patterns(".index"))
        else:
            knowledge = Path(shutil.copy(args.knowledge, Path(tmp) / args.knowledge.name))
        first = cold_run(args.question, knowledge)  # no saved index: builds and saves it
        rows.append(["no saved index (builds, saves)", f"{first['wall_s']:.2f}", f"{first['peak_mb']:.0f}"])
        fresh = [cold_run(args.question, knowledge) for _ in range(args.cold_runs)]
        rows.append([f"saved index (median of {args.cold_runs})", f"{statistics.median(r['wall_s'] for r in fresh):.2f}",
                     f"{max(r['peak_mb'] for r in fresh):.0f}"])
    print(f"\nCold start of `python -m bot ask --no-log {args.question!r}`:")
    print(markdown_table(["start", "wall s", "peak RSS MB"], rows))
    print(f"Answer: {first['answer']}")


if __name__ == "__main__":
    main()
