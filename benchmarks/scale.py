"""Scale benchmark: the bot against bm25s and plain scikit-learn TF-IDF on real Debian descriptions.

Passages are the package descriptions, queries the one-line synopses, and the right answer is
the passage with the query's id. For each size the bot answers through its full path
(`Answerer.answer()`: typo handling, expansions, answer composition), and the two baselines
answer the same queries in the same process, so the ratios hold on a noisy machine. Peak
memory comes from a fresh process per size and method.

Usage:
    python benchmarks/scale.py                      # 1k, 10k and all 58,938 passages
    python benchmarks/scale.py --sizes 1000 --queries 100 --corpus PATH
    python benchmarks/scale.py --sizes all --no-rerank  # the first stage alone (retrieval.rerank: false)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (DEFAULT_CORPUS, REPO, markdown_table, peak_rss_mb, percentile, queries, read_corpus,
                               subset, timed, write_knowledge)

METHODS = ("bot", "bm25s-scores", "bm25s", "bm25s-numba", "tfidf")
LABELS = {"bot": "factbot (full answer path)", "bm25s": "bm25s retrieve(k=1)",
          "bm25s-scores": "bm25s get_scores + argmax", "bm25s-numba": "bm25s numba backend, retrieve(k=1)",
          "tfidf": "sklearn TfidfVectorizer() + cosine"}
BASE = "bm25s-scores"  # the ratio column compares with bm25s's fastest path


def _bot(path: Path, rerank: bool | None = None):
    """Build the bot over a knowledge file (index fitted from scratch) and return its answer function."""
    import dataclasses

    from bot.core.pipeline import Answerer
    from bot.config import load_config
    from bot.core.index import TfidfIndex
    from bot.core.index_build import choose_scoring
    from bot.kb.load import load_knowledge
    from bot.kb.model import MAX_TEXT_CHARS

    kb = load_knowledge(path)
    config = load_config(None).with_knowledge(path)
    if rerank is not None:  # --rerank / --no-rerank over the default (on), each stage with its own threshold
        config = dataclasses.replace(config, retrieval=dataclasses.replace(config.retrieval, rerank=rerank, threshold=None))

    def build():  # the scoring the bot would choose for this knowledge (config retrieval.scoring: auto)
        settings = choose_scoring(config.retrieval.scoring, kb.passages, MAX_TEXT_CHARS)
        return Answerer(kb, TfidfIndex.build(kb.passages, settings), config)

    answerer, seconds = timed(build)
    reranked = []  # the questions the second stage read (the rest were decisive in the first stage)
    if answerer.reranker:
        rank = answerer.reranker.rank
        answerer.reranker.rank = lambda *args, **kwargs: reranked.append(1) or rank(*args, **kwargs)

    def ask(question: str) -> str | None:
        before = len(reranked)
        answer = answerer.answer(question)
        ask.reranked = len(reranked) > before
        if answer.passage_ids:
            return answer.passage_ids[0]
        return answer.sources[0].id if answer.sources else None

    ask.warm = answerer.warm  # what the Telegram bot and the console run in the background after a start
    ask.answerer = answerer  # for benchmarks that look inside the path (stages.py)
    return ask, seconds


def _bm25s(records: list[dict], how: str = "retrieve"):
    """bm25s with PyStemmer's English stemmer and English stop words, as its README shows.

    `how` picks the answering path: "retrieve" is `retrieve(k=1)` (its documented top-k call),
    "scores" is `get_scores` + `argmax` (its fastest single-question path: no top-k machinery),
    "numba" is `retrieve(k=1)` on `backend="numba"` (compiled scoring and selection).
    """
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    ids = [r["id"] for r in records]

    def build():
        retriever = bm25s.BM25(backend="numba") if how == "numba" else bm25s.BM25()
        retriever.index(bm25s.tokenize([r["text"] for r in records], stopwords="en", stemmer=stemmer,
                                       show_progress=False), show_progress=False)
        return retriever

    retriever, seconds = timed(build)
    vocab = retriever.vocab_dict

    def ask(question: str) -> str | None:
        tokens = bm25s.tokenize([question], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
        known = [t for t in tokens[0] if t in vocab]
        if not known:
            return None
        if how == "scores":
            return ids[int(retriever.get_scores(known).argmax())]
        selection = "numba" if how == "numba" else "numpy"  # "auto" would pick numba when it is installed
        docs, _scores = retriever.retrieve([known], k=1, show_progress=False, backend_selection=selection)
        return ids[int(docs[0][0])]

    return ask, seconds


def _baseline(method: str, records: list[dict]):
    """Build one baseline; its answer function and build seconds."""
    if method == "tfidf":
        return _tfidf(records)
    return _bm25s(records, {"bm25s": "retrieve", "bm25s-scores": "scores", "bm25s-numba": "numba"}[method])


def numba_available() -> bool:
    """Whether bm25s's numba backend can run here (numba is an optional install)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _tfidf(records: list[dict]):
    """Plain scikit-learn TfidfVectorizer() with cosine similarity (rows are l2-normalised)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = [r["id"] for r in records]
    vectorizer = TfidfVectorizer()
    matrix, seconds = timed(lambda: vectorizer.fit_transform([r["text"] for r in records]))

    def ask(question: str) -> str | None:
        scores = (matrix @ vectorizer.transform([question]).T).toarray().ravel()
        return ids[int(scores.argmax())] if scores.any() else None

    return ask, seconds


def worker(corpus: Path, size: int, count: int, methods: list[str], rerank: bool | None = None) -> None:
    """Run the given methods over one size in this process, one JSON line of figures per method."""
    records = subset(read_corpus(corpus), size)
    asked = queries(records, count)
    n_records = len(records)
    with tempfile.TemporaryDirectory(prefix="factbot-bench-") as tmp:
        knowledge = write_knowledge(records, Path(tmp) / "debian.jsonl")
        # The bot reads its own copy of the texts from the knowledge file; the corpus is let go first so
        # its peak memory counts the bot, not the benchmark's data (the baselines read it back below).
        records = None
        askers = {}
        for method in methods:
            start_peak = peak_rss_mb()
            if method == "bot":
                askers[method], build = _bot(knowledge, rerank)
            else:
                records = records or subset(read_corpus(corpus), size)
                askers[method], build = _baseline(method, records)
            warm = getattr(askers[method], "warm", None)
            first = time.perf_counter()  # the bot's read-ahead (Answerer.warm: as a serving bot, before the questions)
            if warm is not None:
                warm()
            askers[method](asked[0][0])
            first = time.perf_counter() - first
            for question, _ in asked[1:5]:  # warm caches, as a running bot would be
                askers[method](question)
            askers[method] = (askers[method], build, peak_rss_mb(), start_peak, first)
        gc.collect()
        gc.freeze()  # what a serving process does once loaded (bot/cli): collections skip the built objects
        # Interleave the methods query by query so drifts in machine speed hit them alike.
        times: dict[str, list[float]] = {m: [] for m in methods}
        cpu: dict[str, list[float]] = {m: [] for m in methods}  # this process's CPU time: less of the machine's load in it
        right: dict[str, int] = {m: 0 for m in methods}
        reranks: dict[str, int] = {m: 0 for m in methods}  # questions the second stage read (--rerank)
        for question, expected in asked:
            for method in methods:
                ask = askers[method][0]
                start, start_cpu = time.perf_counter(), time.process_time()
                got = ask(question)
                times[method].append(time.perf_counter() - start)
                reranks[method] += getattr(ask, "reranked", False)
                cpu[method].append(time.process_time() - start_cpu)
                right[method] += got == expected
        for method in methods:
            _ask, build, peak, start_peak, first = askers[method]
            print(json.dumps({"method": method, "size": n_records, "queries": len(asked), "build_s": build, "first_s": first,
                              "median_ms": 1000 * statistics.median(times[method]),
                              "p99_ms": 1000 * percentile(times[method], 99),
                              "cpu_median_ms": 1000 * statistics.median(cpu[method]),
                              "cpu_p99_ms": 1000 * percentile(cpu[method], 99),
                              "top1": right[method] / len(asked), "reranked": reranks[method] / len(asked),
                              "peak_mb": peak, "peak_before_mb": start_peak}),
                  flush=True)


def cold_start(corpus: Path, size: int, question: str, rerank: bool | None = None) -> dict:
    """Wall time and peak memory of `python -m bot --knowledge FILE ask`: first with no saved index, then with it
    (--rerank / --no-rerank reach it as BOT_RERANK)."""
    env = {**os.environ, **({} if rerank is None else {"BOT_RERANK": str(rerank).lower()})}
    records = subset(read_corpus(corpus), size)
    out = {}
    with tempfile.TemporaryDirectory(prefix="factbot-cold-") as tmp:
        path = write_knowledge(records, Path(tmp) / "debian.jsonl")
        command = [sys.executable, str(Path(__file__).resolve().parent / "coldstart.py"), "--knowledge", str(path),
                   question]
        for label in ("stale", "fresh"):
            result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=True, env=env)
            out[label] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def _run_worker(args: argparse.Namespace, size: int, methods: list[str]) -> list[dict]:
    command = [sys.executable, __file__, "--worker", "--corpus", str(args.corpus), "--sizes", str(size),
               "--queries", str(args.queries), "--methods", ",".join(methods), *({True: ["--rerank"], False: ["--no-rerank"]}.get(args.rerank, []))]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONHASHSEED": "0"})
    if result.returncode != 0:
        sys.exit(f"Error: benchmark worker failed:\n{result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    """Print the scale table (Markdown) and the cold-start figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="debian-descriptions.jsonl.gz")
    parser.add_argument("--sizes", default="1000,10000,all", help="comma-separated passage counts, or 'all'")
    parser.add_argument("--queries", type=int, default=500, help="synopsis queries sampled per size (seed 0)")
    parser.add_argument("--methods", default=",".join(METHODS), help="which of " + ",".join(METHODS) + " to run")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start runs of python -m bot")
    parser.add_argument("--rerank", action=argparse.BooleanOptionalAction,
                        help="the learned second stage on or off (default: on, as retrieval.rerank's default)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [10**9 if s == "all" else int(s) for s in args.sizes.split(",")]
    methods = [m for m in args.methods.split(",") if m]
    if "bm25s-numba" in methods and not numba_available():
        print("bm25s-numba left out: numba is not installed (pip install numba)", file=sys.stderr)
        methods.remove("bm25s-numba")
    if args.worker:
        worker(args.corpus, sizes[0], args.queries, methods, args.rerank)
        return
    rows, cold_rows = [], []
    for size in sizes:
        together = {r["method"]: r for r in _run_worker(args, size, methods)}
        for method in methods:
            figures = together[method]
            # Peak memory of each method alone, in its own fresh process (the bot runs first above, so its peak is its own).
            peak = figures["peak_mb"] if method == methods[0] else _run_worker(args, size, [method])[0]["peak_mb"]
            base = together.get(BASE)
            ratio = f"{figures['median_ms'] / base['median_ms']:.2f}x" if base else "-"
            rows.append([f"{figures['size']:,}", LABELS[method], f"{figures['build_s']:.2f}",
                         f"{figures['median_ms']:.2f}", f"{figures['p99_ms']:.2f}", ratio,
                         f"{100 * figures['top1']:.1f}%", f"{peak:.0f}"])
        print(markdown_table(["N", "method", "build s", "query median ms", "p99 ms", "median vs bm25s scores", "top-1",
                              "peak RSS MB"], rows[-len(methods):]), flush=True)
        for method in methods:
            figures = together[method]
            read = f"; second stage read {100 * figures['reranked']:.0f}% of the questions" if method == "bot" else ""
            print(f"{method}: CPU time per query median {figures['cpu_median_ms']:.2f} ms, p99 {figures['cpu_p99_ms']:.2f} ms; "
                  f"read-ahead and first answer after the build {figures['first_s']:.2f} s" + read, flush=True)
        if not args.no_cold and "bot" in methods:
            records_size = together["bot"]["size"]
            cold = cold_start(args.corpus, size, "terminal emulator for the X window system", args.rerank)
            for label, what in (("stale", "no saved index (builds, saves)"), ("fresh", "saved index (loads)")):
                cold_rows.append([f"{records_size:,}", what, f"{cold[label]['wall_s']:.2f}",
                                  f"{cold[label]['peak_mb']:.0f}"])
    print()
    print(markdown_table(["N", "method", "build s", "query median ms", "p99 ms", "median vs bm25s scores", "top-1",
                          "peak RSS MB"], rows))
    if cold_rows:
        print()
        print("First answer of `python -m bot --knowledge FILE ask --no-log QUESTION` (fresh process):")
        print(markdown_table(["N", "start", "wall s", "peak RSS MB"], cold_rows))


if __name__ == "__main__":
    main()
