"""What the serving layer adds: the gap between answer lines of `python -m bot ask --jsonl`.

One child process is started on a Debian knowledge file (its index built and saved first, so
the child loads it); every question is written to its standard input at once, and each answer
line is timestamped as it is read. With the questions already waiting, the gap between two
lines is the time the process spends on one line: reading it, answering, JSON encoding,
writing and flushing. The same questions answered in process by `Answerer.answer()` give the
answer path alone, so the difference is what `--jsonl` adds.

With --old REV the same children run the code of a git revision too (exported with `git archive`),
alternating with the working tree's, so a change is timed against its base under the same load. With
--log each child logs its questions to a database of its own (as `ask --jsonl` does by default), and
the benchmark checks the log holds every question once the child has ended.

Usage:
    python benchmarks/jsonl_gap.py                          # all 58,938 passages, 2,000 questions
    python benchmarks/jsonl_gap.py --size 10000 --questions 500 --corpus PATH
    python benchmarks/jsonl_gap.py --old main --log --rounds 5
    python benchmarks/jsonl_gap.py --old main --pause 20        # one question at a time, 20 ms apart
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (DEFAULT_CORPUS, REPO, markdown_table, percentile, queries, read_corpus, subset,
                               write_knowledge)


def line_gaps(knowledge: Path, questions: list[str], code: Path = REPO, database: Path | None = None,
              pause: float | None = None) -> list[float]:
    """Seconds between consecutive answer lines of one `ask --jsonl` child of `code` fed every question (with
    `database`, logged there, and checked to hold every question at the end; else --no-log). With `pause`, each
    question is sent only `pause` seconds after the last answer came, and the time to its answer is returned."""
    command = [sys.executable, "-m", "bot", "--knowledge", str(knowledge), "ask", "--jsonl"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env["PYTHONPATH"] = str(code)
    if database is None:
        command.append("--no-log")
    else:
        database.unlink(missing_ok=True)
        env["BOT_DATABASE"] = str(database)
    child = subprocess.Popen(command, cwd=code, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if pause is not None:
        return _paced(child, questions, pause)
    payload = "".join(json.dumps({"text": q}) + "\n" for q in questions)
    writer = threading.Thread(target=lambda: (child.stdin.write(payload), child.stdin.close()))
    writer.start()  # written from a thread, so a full pipe never blocks the reading below
    stamps = []
    for line in child.stdout:
        stamps.append(time.perf_counter())
        if "error" in json.loads(line):
            raise RuntimeError(f"the bot refused a line: {line.strip()}")
    writer.join()
    if child.wait() != 0 or len(stamps) != len(questions):
        raise RuntimeError(f"ask --jsonl answered {len(stamps)} of {len(questions)} lines (exit {child.returncode})")
    if database is not None:
        with sqlite3.connect(database) as db:
            logged = db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
        if logged != len(questions):
            raise RuntimeError(f"the log holds {logged} of the {len(questions)} questions asked")
    return [b - a for a, b in zip(stamps, stamps[1:])]


def _paced(child: subprocess.Popen, questions: list[str], pause: float) -> list[float]:
    """Seconds from sending each question to reading its answer, one question at a time (a script that waits)."""
    waits = []
    for question in questions:
        time.sleep(pause)
        start = time.perf_counter()
        child.stdin.write(json.dumps({"text": question}) + "\n")
        child.stdin.flush()
        line = child.stdout.readline()
        waits.append(time.perf_counter() - start)
        if "error" in json.loads(line):
            raise RuntimeError(f"the bot refused a line: {line.strip()}")
    child.stdin.close()
    if child.wait() != 0:
        raise RuntimeError(f"ask --jsonl exited {child.returncode}")
    return waits[1:]  # as the gaps: the first answer is not timed


def in_process(knowledge: Path, questions: list[str]) -> list[float]:
    """Seconds per `Answerer.answer()` over the same questions and the same saved index."""
    import gc

    from bot.config import load_config
    from bot.core.pipeline import build_answerer

    answerer = build_answerer(load_config(None).with_knowledge(knowledge))
    gc.freeze()  # as the command line does once loaded
    times = []
    for question in questions:
        start = time.perf_counter()
        answerer.answer(question)
        times.append(time.perf_counter() - start)
    return times


def exported(revision: str, folder: Path) -> Path:
    """The package (and its configuration) at a git revision, exported into `folder` for children to run."""
    folder.mkdir()
    archive = subprocess.run(["git", "archive", revision, "bot", "config.yaml"], cwd=REPO, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    """Print the gap between `ask --jsonl` answer lines beside the in-process answer time."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="debian-descriptions.jsonl.gz")
    parser.add_argument("--size", type=int, default=10**9, help="passages (default: all)")
    parser.add_argument("--questions", type=int, default=2000, help="synopsis questions (seed 0)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both measurements")
    parser.add_argument("--old", metavar="REV", help="also time the children at this git revision, alternating")
    parser.add_argument("--log", action="store_true", help="the children log every question (default: --no-log)")
    parser.add_argument("--pause", type=float, metavar="MS", help="send each question MS ms after the last answer "
                        "and time its answer (a script that waits), instead of all at once")
    args = parser.parse_args()
    records = subset(read_corpus(args.corpus), args.size)
    questions = [q for q, _id in queries(records, args.questions)]
    with tempfile.TemporaryDirectory(prefix="factbot-jsonl-") as tmp:
        knowledge = write_knowledge(records, Path(tmp) / "debian.jsonl")
        size = len(records)
        del records
        subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(knowledge), "ask", "--no-log", "warm up"],
                       cwd=REPO, capture_output=True, check=True)  # builds and saves the index once
        codes = {"": REPO}
        if args.old:
            codes = {f" ({args.old})": exported(args.old, Path(tmp) / "old"), " (working tree)": REPO}
        database = Path(tmp) / "log.sqlite3" if args.log else None
        gaps: dict[str, list[float]] = {label: [] for label in codes}
        answers: list[float] = []
        for round_ in range(args.rounds):  # alternate, so a busy spell of the machine hits every one alike
            for label, code in (list(codes.items()) if round_ % 2 == 0 else list(codes.items())[::-1]):
                gaps[label] += line_gaps(knowledge, questions, code, database,
                                         None if args.pause is None else args.pause / 1000)
            answers += in_process(knowledge, questions)
    logged = ", logged" if args.log else ""
    what = "gap between answer lines" if args.pause is None else f"answer time, sent {args.pause:g} ms after the last"
    timed = [(f"ask --jsonl{logged}: {what}{label}", v) for label, v in gaps.items()]
    rows = [[f"{size:,}", what, f"{len(v):,}", f"{1000 * statistics.median(v):.3f}", f"{1000 * percentile(v, 99):.3f}",
             f"{1000 * statistics.fmean(v):.3f}", f"{1000 * max(v):.1f}"]
            for what, v in timed + [("Answerer.answer() in process", answers)]]
    print(markdown_table(["N", "path", "samples", "median ms", "p99 ms", "mean ms", "max ms"], rows))


if __name__ == "__main__":
    main()
