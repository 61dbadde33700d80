"""The second stage, this code against an earlier revision's, on the same inputs in one process.

Records what the answer path hands the second stage (question, candidates with neighbours, words,
expansions) for Debian queries at 58,938 passages, then for every call: (1) the feature matrices and the
model's order, scores and probabilities of both revisions must be exactly equal (np.array_equal), the
earlier one with its sums over sets of stems taken in the question's stem order (their only difference:
before, the order of a frozenset of strings, which moves with PYTHONHASHSEED); (2) CPU time per call,
the two revisions alternating call by call, several rounds. With --path, also `hits.rerank` as the
answer path calls it (the candidates made with their neighbours, then the stage), each revision's whole
package (same_answers.old_package), on the questions the stage reads with its usual skip gate: the
reordered hits must be equal, then wall time per call, alternating.

    python benchmarks/rerank_speed.py --before bd2547e~2 [--queries 500] [--rounds 3] [--path]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DEFAULT_CORPUS, REPO, percentile, queries, read_corpus, subset, write_knowledge

MODULES = ("rerank", "rerank_features", "rerank_question", "rerank_store", "rerank_text", "rerank_batch",
           "rerank_measures")


def earlier(revision: str, folder: Path):
    """The second stage of another revision, importable beside this one as bot.core.old_rerank."""
    import bot.core

    for name in MODULES:
        shown = subprocess.run(["git", "show", f"{revision}:bot/core/{name}.py"], cwd=REPO, capture_output=True, text=True)
        if shown.returncode == 0:
            text = shown.stdout
            for other in MODULES:
                text = text.replace(f"from .{other} import", f"from .old_{other} import")
            (folder / f"old_{name}.py").write_text(text, encoding="utf-8")
    shown = subprocess.run(["git", "show", f"{revision}:bot/core/rerank_model.json"], cwd=REPO, capture_output=True)
    model = shown.stdout if shown.returncode == 0 else (REPO / "bot" / "core" / "rerank_model.json").read_bytes()
    (folder / "rerank_model.json").write_bytes(model)  # the revision's own model: a newer one may name newer features
    bot.core.__path__.append(str(folder))
    return importlib.import_module("bot.core.old_rerank")


def in_stem_order(old) -> None:
    """The earlier code's sums over sets of stems, taken in the question's stem order (nothing else changes)."""
    features = importlib.import_module("bot.core.old_rerank_features")

    def covered(q, found):
        return sum(q.idf[s] for s in q.stems if s in found)

    def bm25(q, counts, length, mean_length):
        if not length or not q.total:
            return 0.0
        norm = features.BM25_K1 * (1 - features.BM25_B + features.BM25_B * length / mean_length)
        return sum(q.idf[m] * counts[m] * (features.BM25_K1 + 1) / (counts[m] + norm)
                   for m in q.stems if m in counts) / q.total

    features.covered = importlib.import_module("bot.core.old_rerank_question").covered = covered
    features._bm25 = bm25


def record(size: int, count: int) -> tuple:
    """The answerer at this size with the stage on every question, and the calls it makes to the stage."""
    from benchmarks.scale import _bot
    import bot.core.pipeline as pipeline

    built = []
    init = pipeline.Answerer.__init__
    pipeline.Answerer.__init__ = lambda self, *a, **k: init(self, *a, **k) or built.append(self)
    records = subset(read_corpus(DEFAULT_CORPUS), size)
    with tempfile.TemporaryDirectory(prefix="factbot-rerank-") as tmp:
        _bot(write_knowledge(records, Path(tmp) / "debian.jsonl"), rerank=True)
    pipeline.Answerer.__init__ = init
    answerer = built[-1]
    gated = [], pipeline.rerank  # the calls of hits.rerank with the usual gate, before it is opened
    pipeline.rerank = lambda *args: gated[0].append(args[1:]) or gated[1](*args)
    asked = queries(records, count)
    answerer.warm()
    for question, _ in asked:
        answerer.answer(question)
    pipeline.rerank = gated[1]
    answerer.settings = dataclasses.replace(answerer.settings, rerank_skip_score=0.0)
    calls, rank = [], answerer.reranker.rank
    answerer.reranker.rank = lambda *args: calls.append(args[:4]) or rank(*args)
    for question, _ in asked:
        answerer.answer(question)
    del answerer.reranker.rank  # the method again
    answerer.path_calls = gated[0]
    return answerer, calls


def path(answerer, revision: str, rounds: int) -> None:
    """hits.rerank of the revision's package against this one's, on the calls the answer path made."""
    from benchmarks.same_answers import old_package
    import bot.core.hits as hits

    package = old_package(revision, Path(tempfile.mkdtemp(prefix="factbot-old-path-")))
    old_hits = importlib.import_module(f"{package}.core.hits")
    old_rerank = importlib.import_module(f"{package}.core.rerank")
    new = answerer.reranker
    before = old_rerank.Reranker(old_rerank.shipped_model(), new.stats, curated=new.curated)
    before.warm(answerer.kb.passages)  # both read every passage's words ahead, as a front end does
    sides = {"before": (old_hits.rerank, before), "after": (hits.rerank, new)}
    calls = answerer.path_calls
    plain = lambda found: [(h.id, h.section, h.text, h.score) for h in found]  # noqa: E731
    same = sum(plain(old_hits.rerank(before, *c)) == plain(hits.rerank(new, *c)) for c in calls)
    print(f"hits.rerank, {len(calls)} calls the answer path made: the reordered hits exactly equal in {same}")
    times: dict[str, list[float]] = {name: [] for name in sides}
    for round_ in range(rounds):
        for n, call in enumerate(calls):
            for name in (("before", "after") if (n + round_) % 2 == 0 else ("after", "before")):
                rerank, reranker = sides[name]
                start = time.perf_counter()
                rerank(reranker, *call)
                times[name].append(time.perf_counter() - start)
    for name, values in times.items():
        print(f"{name}: wall per call median {1000 * statistics.median(values):.3f} ms, "
              f"p90 {1000 * percentile(values, 90):.3f}, p99 {1000 * percentile(values, 99):.3f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the git revision to compare with")
    parser.add_argument("--size", type=int, default=58938)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--path", action="store_true", help="also time hits.rerank (candidates and stage)")
    args = parser.parse_args(argv)
    answerer, calls = record(args.size, args.queries)
    folder = Path(tempfile.mkdtemp(prefix="factbot-old-rerank-"))
    old = earlier(args.before, folder)
    in_stem_order(old)
    new = answerer.reranker
    before = old.Reranker(old.shipped_model(), new.stats, curated=new.curated)
    from bot.core.rerank_features import features

    before.passage_words(answerer.kb.passages)  # the first call only notes the passages (a one-shot ask)
    rankers = {"before": (before, before.passage_words(answerer.kb.passages),
                          importlib.import_module("bot.core.old_rerank_features").features),
               "after": (new, new.passage_words(answerer.kb.passages), features)}
    same = 0
    for call in calls:
        (r0, x0), (r1, x1) = [(r.rank(*call, words), rows(*call[:2], r.stats, *call[2:], r.curated, words))
                              for r, words, rows in rankers.values()]
        # features appended since the earlier revision are left out of the comparison (the columns both have)
        same += np.array_equal(x0, x1[:, :x0.shape[1]]) and (r0.order, r0.scores, r0.probabilities) == (r1.order, r1.scores, r1.probabilities)
    print(f"{len(calls)} calls: feature matrices (the earlier revision's columns) and the model's output exactly "
          f"equal in {same}")
    gc.collect()
    gc.freeze()
    times: dict[str, list[float]] = {name: [] for name in rankers}
    for round_ in range(args.rounds):
        for n, call in enumerate(calls):
            for name in (("before", "after") if (n + round_) % 2 == 0 else ("after", "before")):
                ranker, words, _rows = rankers[name]
                start = time.process_time()
                ranker.rank(*call, words)
                times[name].append(time.process_time() - start)
    for name, values in times.items():
        print(f"{name}: CPU per call median {1000 * statistics.median(values):.3f} ms, "
              f"p90 {1000 * percentile(values, 90):.3f}, p99 {1000 * percentile(values, 99):.3f} ms")
    if args.path:
        path(answerer, args.before, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
