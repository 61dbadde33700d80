"""Candidates for the second stage, gathered from the product's own first stage on the tuning sources.

Every question of the tuning sources (the SQuAD part, one knowledge base per article made by the
product's own import, and the Mongolia tuning set over the seed knowledge) is read and searched by
the existing answerer, read-only; the top candidates it would hand to a second stage are written
down with their labels (does the passage hold a gold answer?), so feature and model experiments
run in seconds without importing the articles again. The held-out Mongolia set is never read here.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, SEED
from benchmarks.squad import DEFAULT_SQUAD, foreign_questions, holds, import_article, read_squad

DEPTH = 10  # candidates the first stage hands on
EXTRA_FOREIGN = 120  # foreign questions per article beyond the benchmark's 60, for training only
TUNING_SET = REPO / "eval" / "mongolia.yaml"
MONGOLIA = "mongolia (tuning set)"


FIRST_STAGE_THRESHOLD = 0.2  # the cosine threshold of the first stage alone ("bot today" in the figures)


def first_stage(config):
    """The configuration with the second stage off and the first stage's own threshold: the bot the
    model learns to improve on, and the candidates it was trained on."""
    import dataclasses
    return dataclasses.replace(config, retrieval=dataclasses.replace(config.retrieval, rerank=False,
                                                                     threshold=FIRST_STAGE_THRESHOLD))


def capturing_answerer(kb, index, config, depth: int = DEPTH):
    """The product's answerer with the second stage off, noting what its first stage found.

    Each search's reading, carried topic and candidates (before and after the answer-type weighing)
    are observed, not altered, apart from asking the first stage for `depth` candidates.
    """
    from bot.core.decision import fit_answer_type
    from bot.core.hits import Hits, search
    from bot.core.pipeline import Answerer
    from bot.core.query import weigh

    class Capturing(Answerer):
        def __init__(self, *args):
            super().__init__(*args)
            self.seen: list[tuple[str, tuple, tuple, list, dict]] = []

        def _search(self, reading, carried=()):
            s = self.settings
            query = weigh(reading, self.index, s, carried)
            hits = search(self.index, self.kb.passages, query, max(s.candidates, s.search_depth, depth), s)
            fitted = fit_answer_type(reading.text, hits, s)
            seen = (reading.tokens, reading.corrected, reading.unknown, reading.expansions)
            self.seen.append((reading.text, seen, tuple(carried), list(hits), {h.id: h.score for h in fitted}))
            return Hits(query, fitted)

    return Capturing(kb, index, first_stage(config))


@dataclass(frozen=True)
class Asked:
    """One question to collect: its text, what kind it is, and how to label passages for it."""

    id: str
    text: str
    kind: str  # answerable | foreign | adversarial | unanswerable (Mongolia's found: false)
    answers: tuple[str, ...] = ()
    home: str = ""  # the group (article) a foreign question was written for
    benchmark: bool = True  # part of the benchmark's own sample (foreign: the fixed 60 per article)
    category: str = ""
    every: bool = False  # a passage is right only when it holds every expected string (the eval's rule)
    context: tuple[str, ...] = ()  # earlier questions of the conversation, asked first
    plausible: tuple[str, ...] = ()  # an adversarial question's tempting wrong answer, in the passage it was written on


def _group(name: str, kb, index, config, asked: list[Asked]) -> dict:
    """Ask every question of one knowledge base; its passages and each question's candidates."""
    from bot.core.context import Context
    from bot.core.pipeline import Answerer
    from bot.text import holds_all

    capture = capturing_answerer(kb, index, config)
    plain = Answerer(kb, index, first_stage(config))
    positions = kb.positions
    passages = [{"id": p.id, "text": p.text, "section": p.section, "questions": list(p.questions)}
                for p in kb.passages]

    def right(text: str, item: Asked) -> bool:
        if not item.answers:
            return False
        return holds_all(text, item.answers) if item.every else holds(text, item.answers)

    rows = []
    for item in asked:
        before = Context()
        for earlier in item.context:
            before = plain.answer(earlier, before).context
        capture.seen.clear()
        answer = capture.answer(item.text, before)
        baseline = plain.answer(item.text, before)
        row = {"id": item.id, "question": item.text, "kind": item.kind, "home": item.home,
               "answers": list(item.answers), "every": item.every,
               "benchmark": item.benchmark, "category": item.category,
               "gold_anywhere": any(right(p.text, item) for p in kb.passages),
               "bot": {"found": baseline.found, "score": baseline.score,
                       "top1": bool(baseline.sources) and right(baseline.sources[0].text, item),
                       "right": baseline.found and right(baseline.text, item)},
               "words": [], "unknown": [], "expansions": [], "candidates": []}
        if capture.seen:
            # the search the answer used: with the previous topic when it leaned on it, else the question alone
            used = [seen for seen in capture.seen if seen[2] == tuple(answer.why.context)] or capture.seen
            text, reading, carried, hits, fitted = used[-1]
            content, _corrected, unknown, expansions = reading
            row["asked"] = text
            row["words"], row["unknown"] = list(content) + [w for w in carried if w not in content], list(unknown)
            row["expansions"] = [[e.phrase, list(e.added)] for e in expansions]
            row["candidates"] = [{"position": positions[h.id], "score": h.score, "fitted": fitted[h.id],
                                  "label": right(h.text, item),
                                  "plausible": bool(item.plausible) and holds(h.text, item.plausible)} for h in hits]
        rows.append(row)
    return {"name": name, "passages": passages, "questions": rows}


def squad_groups(corpus: Path, config, articles: list[str] | None = None) -> list[dict]:
    """One group per SQuAD article: its answerable, adversarial and foreign questions."""
    chosen = read_squad(corpus)
    every = chosen
    if articles:
        chosen = [a for a in chosen if a.title in articles]
    groups = []
    home_of = {q.id: a.title for a in every for q in a.questions}
    with tempfile.TemporaryDirectory(prefix="factbot-rerank-") as tmp:
        for number, article in enumerate(chosen):
            built = import_article(article, Path(tmp) / f"article-{number}", config)
            sampled = foreign_questions(every, article)
            taken = {q.id for q in sampled}
            pool = [q for other in every if other.title != article.title for q in other.answerable if q.id not in taken]
            extra = random.Random(f"{SEED}:extra:{article.title}").sample(pool, min(EXTRA_FOREIGN, len(pool)))
            asked = ([Asked(q.id, q.text, "answerable", q.answers, article.title) for q in article.answerable]
                     + [Asked(q.id, q.text, "adversarial", (), article.title, plausible=q.plausible)
                        for q in article.adversarial]
                     + [Asked(q.id, q.text, "foreign", (), home_of[q.id]) for q in sampled]
                     + [Asked(q.id, q.text, "foreign", (), home_of[q.id], benchmark=False) for q in extra])
            groups.append(_group(article.title, built.kb, built.answerer.index, config, asked))
            print(f"  {article.title}: {len(asked)} questions", file=sys.stderr)
    return groups


def mongolia_group(config) -> dict:
    """The Mongolia tuning set over the seed knowledge (small talk aside), follow-ups asked after their
    context; a passage is right when it holds every expected string."""
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import load_cases
    from bot.kb.load import load_knowledge

    kb = load_knowledge(config.knowledge)
    answerer = build_answerer(config, kb, cache=False)
    asked = []
    for number, case in enumerate(load_cases(TUNING_SET)):
        if case.category == "smalltalk":
            continue
        kind = "answerable" if case.found else "unanswerable"
        asked.append(Asked(f"mongolia-{number}", case.question, kind, case.expect, MONGOLIA,
                           category=case.category, every=True, context=case.context))
    return _group(MONGOLIA, kb, answerer.index, config, asked)


TUNING_PREFIX = "tuning: "  # the group name of a real tuning document (benchmarks/realdocs.py --tuning)


def tuning_groups(config) -> list[dict]:
    """One group per real tuning document (never a held-out one), imported as realdocs.py imports it, with
    its question set asked the way the Mongolia set is (a right passage holds every expected string)."""
    from benchmarks.realdocs import TUNING, build
    from bot.config import default_config_path
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import load_cases
    from bot.kb.load import load_knowledge

    groups = []
    with tempfile.TemporaryDirectory(prefix="factbot-rerank-docs-") as tmp:
        for document in TUNING:
            knowledge, failed = build(document, Path(tmp), default_config_path(REPO))
            if knowledge is None:
                raise SystemExit(f"Error: {document.name}: {failed}")
            name = TUNING_PREFIX + document.name
            kb, chosen = load_knowledge(knowledge), config.with_knowledge(knowledge)
            answerer = build_answerer(chosen, kb, cache=False)
            asked = [Asked(f"{document.name}-{number}", case.question, "answerable" if case.found else "unanswerable",
                           case.expect, name, category=case.category, every=True, context=case.context)
                     for number, case in enumerate(load_cases(REPO / document.questions))]
            groups.append(_group(name, kb, answerer.index, chosen, asked))
            print(f"  {document.name}: {len(asked)} questions", file=sys.stderr)
    return groups


def collect(corpus: Path = DEFAULT_SQUAD, articles: list[str] | None = None) -> dict:
    """Every group's candidates, with the first stage's depth, ready to write as JSON."""
    from bot.config import default_config_path, load_config

    config = load_config(default_config_path(REPO))
    groups = squad_groups(corpus, config, articles) + [mongolia_group(config)]
    return {"depth": DEPTH, "corpus": str(corpus), "groups": groups}


def save(data: dict, path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(data, handle)


def load(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--out", type=Path, required=True, help="where to write the candidates (.json.gz)")
    args = parser.parse_args()
    save(collect(args.corpus), args.out)
