"""Why the tuning documents' reworded questions fail, and two tries at it: a first stage that weighs a passage's
neighbours with it (a small window model), and a confidence that answers a clear lead under the threshold.

    python benchmarks/window_experiment.py categories                       # each question's kind of failure
    python benchmarks/window_experiment.py realdocs --lam 0.3 --scores original   # the window, tuning documents
    python benchmarks/window_experiment.py eval --lam 0.3 --scores original       # ... Mongolia tuning set
    python benchmarks/window_experiment.py squad --floor 0.05 --ratio 20          # the margin rule, SQuAD part

The window, written out: t(d) = s(d) + lam * agg{s(n) : n within --reach places of d in d's section}, s the first
stage's score (0 for a passage it does not match), agg the best (`max`) or the sum over 2 x reach (`mean`); the
first stage's k best by t are the candidates, with t as their score, or (`--scores original`) with s, so that only
which passages are candidates and their order move. The margin rule: the second stage's first passage, under the
model's threshold, is answered when its probability is at least --floor and --ratio times the best other one's.
Both are patched into this process (nothing in bot/ changes); `categories` reads the tuning documents as
realdocs.py imports them. Results: docs/quality-experiments.md, "A window of neighbours in the first stage".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import run_quality  # noqa: E402


def window_scores(scores: Sequence[float], sections: Sequence[str], lam: float, reach: int = 1,
                  agg: str = "max") -> list[float]:
    """t(d) = s(d) + lam * agg of its neighbours' s within `reach` places in its own section (0 where s(d) is 0)."""
    out = []
    for i, own in enumerate(scores):
        near = [scores[j] for j in range(max(0, i - reach), min(len(scores), i + reach + 1))
                if j != i and sections[j] == sections[i]]
        lift = (max(near) if agg == "max" else sum(near) / (2 * reach)) if near else 0.0
        out.append(own + lam * lift if own > 0 else 0.0)
    return out


def patch_window(lam: float, reach: int, agg: str, original: bool) -> None:
    """Put the window into the answer pipeline's first stage (every passage scored, then the k best by t)."""
    from bot.core import hits as stage, pipeline

    def searched(index, passages, query, k, settings, only=None):
        n = len(passages)
        matches = index.rank(query.weights, query.norm_terms, n, query.own, query.groups, settings.rescore_depth,
                             query.known_share)
        own = [0.0] * n
        for m in matches:
            if only is None or only[m.position]:
                own[m.position] = m.score
        lifted = window_scores(own, [p.section for p in passages], lam, reach, agg)
        best = sorted((i for i in range(n) if own[i] > 0), key=lambda i: -lifted[i])[:k]
        return tuple(stage.Hit(passages[i].id, passages[i].section, passages[i].text,
                               own[i] if original else min(1.0, lifted[i])) for i in best)

    pipeline.search = searched


def patch_margin(floor: float, ratio: float) -> None:
    """Answer the second stage's first passage under the threshold when it leads the rest by `ratio` times."""
    from bot.core import hits as stage, pipeline

    rerank = stage.rerank

    def reranked(reranker, passages, positions, query, hits, settings):
        ranked = rerank(reranker, passages, positions, query, hits, settings)
        threshold = reranker.model.threshold
        if ranked and floor <= ranked[0].score < threshold:
            runner_up = max((h.score for h in ranked[1:]), default=0.0)
            if ranked[0].score >= ratio * max(runner_up, 1e-3):
                first = ranked[0]
                ranked = (stage.Hit(first.id, first.section, first.text, threshold), *ranked[1:])
        return ranked

    pipeline.rerank = reranked


def kind_of_failure(question, answer, expect: tuple[str, ...], found: bool, first: Sequence, final: Sequence) -> str:
    """right / out of scope answered / right passage not in the first stage's ten / in the ten, another first /
    right passage first, declined (a passage is right when it holds every expected string)."""
    from bot.text import holds_all

    if answer.found == found and (not found or holds_all(answer.text, expect)):
        return "right"
    if not found:
        return "out of scope answered"
    place = next((i for i, h in enumerate(first) if holds_all(h.text, expect)), None)
    if place is None or place >= 10:
        return "not in the first stage's ten"
    return "right passage first, declined" if final and holds_all(final[0].text, expect) else "in the ten, another first"


def categories() -> None:
    """Each tuning question's kind of failure, counted by question category."""
    from benchmarks.common import REPO
    from benchmarks.realdocs import build
    from benchmarks.realdocs_documents import TUNING
    from bot.config import default_config_path, load_config
    from bot.core.decision import decide, fit_answer_type
    from bot.core.hits import search
    from bot.core.pipeline import build_answerer
    from bot.core.query import weigh
    from bot.kb.evaluate import load_cases
    from bot.kb.load import load_knowledge
    from bot.text import clean

    config_path = default_config_path(REPO)
    config, counts = load_config(config_path), Counter()
    with tempfile.TemporaryDirectory(prefix="factbot-window-") as tmp:
        for document in TUNING:
            folder, failed = build(document, Path(tmp), config_path)
            kb = load_knowledge(folder)
            answerer = build_answerer(config.with_knowledge(folder), kb)
            s = answerer.settings
            for case in load_cases(REPO / document.questions):
                text = clean(case.question)
                reading = answerer.reader.read(text)
                first = fit_answer_type(reading.text, search(answerer.index, kb.passages, weigh(reading, answerer.index, s),
                                                             50, s), s)
                final = decide(text, answerer._search(reading), answerer.index, kb.positions, s).hits
                kind = kind_of_failure(case.question, answerer.answer(case.question), case.expect, case.found, first, final)
                counts[case.category, kind] += 1
    for (category, kind), n in sorted(counts.items()):
        print(f"{category:13} {kind:32} {n}")


def main(argv: list[str] | None = None) -> None:
    """Patch the window or the margin rule in, then run one tuning benchmark (or count the kinds of failure)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", choices=("categories", "realdocs", "eval", "squad"))
    parser.add_argument("--lam", type=float, default=0.0, help="the neighbours' weight (0: no window)")
    parser.add_argument("--reach", type=int, default=1, help="neighbours each side, in the same section")
    parser.add_argument("--agg", choices=("max", "mean"), default="max")
    parser.add_argument("--scores", choices=("window", "original"), default="window")
    parser.add_argument("--ratio", type=float, default=0.0, help="the margin rule's lead (0: no margin rule)")
    parser.add_argument("--floor", type=float, default=0.05, help="the margin rule's least probability")
    args = parser.parse_args(argv)
    if args.benchmark == "categories":
        return categories()
    if args.lam > 0:
        patch_window(args.lam, args.reach, args.agg, args.scores == "original")
    if args.ratio > 0:
        patch_margin(args.floor, args.ratio)
    run_quality(args.benchmark, False)


if __name__ == "__main__":
    main()
