"""The reranker on the full answer path: SQuAD (leave-one-article-out) and the Mongolia sets, before and after.

The product's answerer is used as it is: "bot" with the second stage off (`retrieval.rerank: false`,
the first stage's threshold 0.2), "reranked" with it on and each fold's model in place of the
shipped one (its threshold read as a probability). The options --raw-first-stage and --odds of the
first version (both dropped ideas, see docs/quality-experiments.md) are in its git history.

    python benchmarks/train_rerank.py --data cands.json.gz --folds folds.json   # fold models + shipped model
    python benchmarks/rerank_experiment.py --folds folds.json --corpus PATH
    python benchmarks/rerank_experiment.py --folds folds.json --no-held-out --failures   # while tuning
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, markdown_table
from benchmarks.rerank_data import DEPTH, MONGOLIA, TUNING_SET, first_stage
from benchmarks.squad import (DEFAULT_SQUAD, FIGURES, HEADER, ask_bot, foreign_questions, grade, figures,
                              import_article, percent, read_squad)
from bot.core.pipeline import Answerer
from bot.core.rerank import CorpusStats, Model, Reranker

HELD_OUT_SET = REPO / "eval" / "mongolia-heldout.yaml"


CHANGES: dict = {}  # AnswerSettings changed for the reranked bot (--no-name-penalty, --no-keyword-rule)


def reranked_answerer(kb, index, config, model: Model, timings: list | None = None):
    """The product's answerer (second stage on) with `model` in place of the shipped one.

    The threshold in `config` is read as a probability. `timings` collects the seconds the second
    stage's `rank` took per search (features and both models)."""
    from bot.core.pipeline import Answerer
    from bot.core.settings import AnswerSettings

    config = with_rerank(config)
    answerer = Answerer(kb, index, config, settings=AnswerSettings.from_config(config, **CHANGES))
    answerer.reranker = reranker = Reranker(model, CorpusStats.from_index(index),
                                            curated=any(p.questions for p in kb.passages))
    if timings is not None:
        rank = reranker.rank

        def timed(*args, **kwargs):
            started = time.perf_counter()
            out = rank(*args, **kwargs)
            timings.append(time.perf_counter() - started)
            return out

        reranker.rank = timed
    return answerer


def with_rerank(config):
    return dataclasses.replace(config, retrieval=dataclasses.replace(config.retrieval, rerank=True))


def with_threshold(config, threshold: float):
    return dataclasses.replace(config, retrieval=dataclasses.replace(config.retrieval, threshold=threshold))


def squad(corpus: Path, config, folds: dict, timings: list) -> dict:
    """Each article answered by the bot as it is and by the bot with the fold model that never saw it."""
    articles = read_squad(corpus)
    graded = {"bot": [], "reranked": []}
    per_article = {}
    with tempfile.TemporaryDirectory(prefix="factbot-rerank-exp-") as tmp:
        for number, article in enumerate(articles):
            built = import_article(article, Path(tmp) / f"article-{number}", config)
            model = Model.from_dict(folds[article.title])
            plain = Answerer(built.kb, built.answerer.index, first_stage(config))
            reranked = reranked_answerer(built.kb, built.answerer.index, with_threshold(config, model.threshold),
                                         model, timings=timings)
            asked = ([(q, "answerable") for q in article.answerable] + [(q, "adversarial") for q in article.adversarial]
                     + [(q, "foreign") for q in foreign_questions(articles, article)])
            rows = {"bot": [], "reranked": []}
            for question, kind in asked:
                rows["bot"].append(grade(ask_bot(plain, question.text), question, kind))
                rows["reranked"].append(grade(ask_bot(reranked, question.text), question, kind))
            for system in rows:
                graded[system].extend(rows[system])
            per_article[article.title] = {s: figures(r) for s, r in rows.items()}
    return {"total": {s: figures(r) for s, r in graded.items()}, "articles": per_article}


def mongolia(config, model: Model, path: Path) -> tuple[float, float, dict]:
    """An evaluation set's overall accuracy for the bot as it is and with the reranker, per category."""
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import evaluate, load_cases
    from bot.kb.load import load_knowledge

    kb = load_knowledge(config.knowledge)
    plain = build_answerer(first_stage(config), kb, cache=False)
    reranked = reranked_answerer(kb, plain.index, with_threshold(config, model.threshold), model)
    cases = load_cases(path)
    before, after = evaluate(plain, cases), evaluate(reranked, cases)
    categories = {c: (before.accuracy(c), after.accuracy(c)) for c in before.by_category()}
    return before.accuracy(), after.accuracy(), categories, after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--folds", type=Path, required=True, help="fold models from train_rerank.py --folds")
    parser.add_argument("--model", type=Path, help="the model trained on everything (default: the shipped one)")
    parser.add_argument("--failures", action="store_true", help="list the tuning-set questions the reranked bot misses")
    parser.add_argument("--no-held-out", action="store_true", help="leave the held-out set alone (while tuning)")
    parser.add_argument("--no-name-penalty", action="store_true",
                        help="drop the answerer's penalty for unknown names (the model weighs them itself)")
    parser.add_argument("--no-keyword-rule", action="store_true",
                        help="drop the answerer's lower floor for bare keywords (the model weighs them itself)")
    args = parser.parse_args(argv)
    if args.no_name_penalty:
        CHANGES["unknown_name_penalty"] = 1.0  # these two hand rules sit after the second stage in the answer path
    if args.no_keyword_rule:
        CHANGES["keyword_floor"] = 1.0

    from bot.config import default_config_path, load_config

    started = time.perf_counter()
    config = load_config(default_config_path(REPO))
    folds = json.loads(args.folds.read_text(encoding="utf-8"))
    model = Model.load(args.model) if args.model else Model.load()
    timings: list[float] = []
    result = squad(args.corpus, config, folds, timings)
    total = result["total"]
    print("SQuAD part, full answer path, leave-one-article-out models:\n")
    print(markdown_table(["system", *HEADER], [[s, *(percent(total[s][k]) for k in FIGURES)] for s in total]))
    print()
    rows = []
    for name, path, used in (("tuning set, model trained on everything", TUNING_SET, model),
                             ("tuning set, model that never saw Mongolia", TUNING_SET, Model.from_dict(folds[MONGOLIA])),
                             *([] if args.no_held_out else
                               [("HELD-OUT set, model trained on everything", HELD_OUT_SET, model)])):
        before, after, categories, report = mongolia(config, used, path)
        rows.append([name, f"{100 * before:.1f}%", f"{100 * after:.1f}%",
                     ", ".join(f"{c} {100 * b:.0f}->{100 * a:.0f}" for c, (b, a) in categories.items() if b != a)])
        if args.failures and path == TUNING_SET and used is model:
            from bot.kb.evaluate import failures
            print("\n".join(failures(report)) + "\n")
    print(markdown_table(["Mongolia", "bot", "bot + reranker", "categories that moved"], rows))
    timings.sort()
    print(f"\nSecond stage per search (features and both models; k={DEPTH}): "
          f"median {1000 * statistics.median(timings):.3f} ms, p99 {1000 * timings[int(0.99 * len(timings))]:.3f} ms "
          f"over {len(timings)} questions")
    print(f"Run time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
