"""The skip rule swept: the second stage only when the first stage is not decisive (rerank_skip_score).

SQuAD part with the leave-one-article-out models (as rerank_experiment.py): each question is answered
by the bot alone and with the second stage; a question the rule finds decisive gets the first
stage's answer (exactly what the product then gives), the rest the reranked one. The Mongolia tuning
set is answered on the full path at each setting. Never the held-out set: it is not for choosing.

    python benchmarks/rerank_margin.py --folds folds.json --scores 0 0.3 0.35 0.4
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, markdown_table
from benchmarks.rerank_data import TUNING_SET, first_stage
from benchmarks.rerank_experiment import CHANGES, mongolia, reranked_answerer, with_threshold
from benchmarks.squad import (DEFAULT_SQUAD, ask_bot, figures, foreign_questions, grade, import_article, percent,
                              read_squad)
from bot.core.hits import decisive
from bot.core.pipeline import Answerer
from bot.core.rerank import Model
from bot.core.settings import AnswerSettings


def squad_rows(corpus: Path, config, folds: dict) -> list[tuple[tuple, dict, dict]]:
    """Per question: the first stage's hits, the bot's outcome alone and with its fold's second stage."""
    articles = read_squad(corpus)
    rows = []
    CHANGES["rerank_skip_score"] = 0  # the second stage on every question: the rule is applied to these rows after
    with tempfile.TemporaryDirectory(prefix="factbot-margin-") as tmp:
        for number, article in enumerate(articles):
            built = import_article(article, Path(tmp) / f"article-{number}", config)
            model = Model.from_dict(folds[article.title])
            plain = Answerer(built.kb, built.answerer.index, first_stage(config))
            reranked = reranked_answerer(built.kb, built.answerer.index, with_threshold(config, model.threshold), model)
            seen: list = []
            search = plain._search
            plain._search = lambda reading, carried=(): seen.append(search(reading, carried)) or seen[-1]
            asked = ([(q, "answerable") for q in article.answerable] + [(q, "adversarial") for q in article.adversarial]
                     + [(q, "foreign") for q in foreign_questions(articles, article)])
            for question, kind in asked:
                seen.clear()
                alone = grade(ask_bot(plain, question.text), question, kind)
                hits = seen[0].ranked if seen else ()
                rows.append((hits, alone, grade(ask_bot(reranked, question.text), question, kind)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--folds", type=Path, required=True, help="fold models from train_rerank.py --folds")
    parser.add_argument("--scores", type=float, nargs="+", default=[0, 0.25, 0.3, 0.33, 0.35, 0.4],
                        help="first-stage scores from which the second stage is skipped (0: never skipped)")
    args = parser.parse_args(argv)
    from bot.config import default_config_path, load_config

    config = load_config(default_config_path(REPO))
    folds = json.loads(args.folds.read_text(encoding="utf-8"))
    rows = squad_rows(args.corpus, config, folds)
    table = []
    for level in args.scores:
        s = AnswerSettings(rerank_skip_score=level)
        skipped = [decisive(hits, s) for hits, _, _ in rows]
        f = figures([alone if skip else reranked for skip, (_, alone, reranked) in zip(skipped, rows)])
        asked = [skip for skip, (hits, alone, _) in zip(skipped, rows) if hits]  # questions that reach the search
        CHANGES["rerank_skip_score"] = level
        before, after, _, _ = mongolia(config, Model.load(), TUNING_SET)
        table.append([f"{level:g}", percent(f["balanced"]), percent(f["top1"]), percent(f["answerable_right"]),
                      percent(f["foreign_declined"]), f"{100 * (1 - sum(asked) / max(1, len(asked))):.0f}%",
                      f"{100 * after:.1f}%"])
    print(markdown_table(["skip score", "balanced", "top-1", "answerable", "foreign", "reranked", "tuning set"], table))
    print(f"\n(bot alone: tuning set {100 * before:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
