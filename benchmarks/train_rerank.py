"""Train the second-stage reranker and its confidence model; report leave-articles-out figures honestly.

Training data come from the tuning sources only: the SQuAD part (one knowledge base per article,
made by the product's own import) and the Mongolia tuning set (eval/mongolia.yaml); the held-out
Mongolia set is never read. Candidates are the product's own first-stage top ten
(benchmarks/rerank_data.py). Every figure printed is leave-one-article-out: the models that rank
an article's questions never saw that article, nor any question written for it (a foreign
question written for a held-out article is dropped from training too).

    python benchmarks/train_rerank.py                       # collect, cross-validate, write bot/core/rerank_model.json
    python benchmarks/train_rerank.py --data cands.json.gz  # reuse collected candidates (collect once with --save)
    python benchmarks/train_rerank.py --no-write --drop phrase bigrams   # an ablation, figures only
    python benchmarks/train_rerank.py --data cands.json.gz --on-top   # keep the shipped model, refit CONFIDENCE_RESIDUAL
    python benchmarks/train_rerank.py --neutral section_cover   # keep the shipped model, that feature weighing nothing
    python benchmarks/train_rerank.py --data cands.json.gz --no-write --docs --docs-weight 3   # + the real tuning
        documents (realdocs.py --tuning) as training rows, each scored by models that never saw it

scikit-learn is used here, offline; the product scores with the saved numbers and numpy alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, markdown_table
from benchmarks.rerank_data import DEFAULT_SQUAD, MONGOLIA, TUNING_PREFIX, collect, load, save, tuning_groups
from bot.core.rerank import (CONFIDENCE_FEATURES, FEATURES, MODEL_FILE, Candidate, CorpusStats, Linear, Model,
                             confidence_rows, features)

def is_squad(group: str) -> bool:
    """A SQuAD article's group (not the Mongolia set, not a real tuning document)."""
    return group != MONGOLIA and not group.startswith(TUNING_PREFIX)


def fold_of(group: str) -> str:
    """The cross-validation fold of a group: a document and its rendering are the same text, left out together."""
    return group.removesuffix("-rendered") if group.startswith(TUNING_PREFIX) else group


NEIGHBOURS = 2  # passages on each side a candidate is given (the features read one or two)
FOREIGN_FLOOR = 95.0  # the threshold is the best balanced score that still declines this share of foreign questions


@dataclass
class Asked:
    """One question with its candidates' feature rows and labels."""

    group: str
    kind: str
    home: str
    benchmark: bool
    category: str
    x: np.ndarray
    labels: np.ndarray
    gold_anywhere: bool
    bot: dict
    plausible: np.ndarray | None = None  # adversarial questions: candidates holding the tempting wrong answer


TAKE = 10  # candidates taken from the first stage
FITTED = True  # the first stage's score after its answer-type weighing (and in that order), as the pipeline has it
CURATED = True  # tell the models whether maintainers wrote questions for the passages
EXPAND_TOP = 0  # also rank the neighbours of the first stage's best few (first-stage score 0)


def expanded(group: dict, row: dict) -> list[dict]:
    """The first stage's candidates, plus the same-section neighbours of its best EXPAND_TOP, labelled."""
    from benchmarks.squad import holds
    from bot.text import holds_all

    cands = list(row["candidates"])[:TAKE]
    if FITTED:
        cands = sorted(({**c, "score": c["fitted"]} for c in cands), key=lambda c: -c["score"])
    if not EXPAND_TOP:
        return cands
    passages, taken = group["passages"], {c["position"] for c in cands}
    for c in row["candidates"][:EXPAND_TOP]:
        for at in (c["position"] - 1, c["position"] + 1):
            if 0 <= at < len(passages) and at not in taken and passages[at]["section"] == passages[c["position"]]["section"]:
                taken.add(at)
                answers, text = row.get("answers") or (), passages[at]["text"]
                label = bool(answers) and (holds_all(text, answers) if row.get("every") else holds(text, tuple(answers)))
                cands.append({"position": at, "score": 0.0, "label": label})
    return cands


def candidates_of(group: dict, row: dict, cands: list[dict] | None = None) -> list[Candidate]:
    """The first stage's candidates as the reranker takes them: text, score and same-section neighbours."""
    passages = group["passages"]
    out = []
    for c in (row["candidates"] if cands is None else cands):
        at = c["position"]
        section = passages[at]["section"]
        before = tuple(p["text"] for p in passages[max(0, at - NEIGHBOURS):at] if p["section"] == section)
        after = tuple(p["text"] for p in passages[at + 1:at + 1 + NEIGHBOURS] if p["section"] == section)
        out.append(Candidate(passages[at]["text"], c["score"], before, after, section,
                             tuple(passages[at]["questions"])))
    return out


def stats_of(group: dict) -> CorpusStats:
    """Document frequencies over the group's passages as the index counts them (text, section, questions)."""
    from bot.text import STOP_WORDS, stem, words

    counts: dict[str, int] = {}
    for p in group["passages"]:
        found = words(p["text"]) + words(p["section"]) + [w for q in p["questions"] for w in words(q)]
        for s in {stem(w) for w in found if w not in STOP_WORDS}:
            counts[s] = counts.get(s, 0) + 1
    return CorpusStats(len(group["passages"]), lambda s: counts.get(s, 0))


def featurise(data: dict) -> list[Asked]:
    """Feature rows for every question of every group."""
    out = []
    for group in data["groups"]:
        stats = stats_of(group)
        curated = CURATED and any(p["questions"] for p in group["passages"])
        for row in group["questions"]:
            chosen = expanded(group, row)
            cands = candidates_of(group, row, chosen)
            x = features(row.get("asked", row["question"]), cands, stats, row["words"],
                                [(phrase, tuple(added)) for phrase, added in row.get("expansions", ())], curated) if cands else \
                np.zeros((0, len(FEATURES)))
            out.append(Asked(group["name"], row["kind"], row["home"], row["benchmark"], row["category"], x,
                             np.array([c["label"] for c in chosen], dtype=bool), row["gold_anywhere"],
                             row["bot"], np.array([c.get("plausible", False) for c in chosen], dtype=bool)))
    return out


# -- fitting --------------------------------------------------------------------------------------------

def _standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    return mean, np.where(scale > 1e-9, scale, 1.0)


def fit_ranker(train: list[Asked], columns: list[int], c: float = 1.0) -> Linear:
    """Pairwise logistic regression: a right candidate should outscore each wrong one of its question."""
    from sklearn.linear_model import LogisticRegression

    rows = [a.x[:, columns] for a in train if a.kind == "answerable" and len(a.labels)]
    mean, scale = _standardiser(np.vstack(rows))
    diffs, weights = [], []
    for a in train:
        if a.kind == "answerable":
            labels, weight = a.labels, RANKER_MONGOLIA_WEIGHT if a.group == MONGOLIA else \
                TUNING_WEIGHT if a.group.startswith(TUNING_PREFIX) else 1.0
        elif a.kind == "adversarial" and PLAUSIBLE_WEIGHT and a.plausible is not None:
            labels, weight = a.plausible, PLAUSIBLE_WEIGHT
        else:
            continue
        if not labels.any() or labels.all():
            continue
        z = (a.x[:, columns] - mean) / scale
        pos, neg = z[labels], z[~labels]
        pairs = (pos[:, None, :] - neg[None, :, :]).reshape(-1, len(columns))
        diffs.append(pairs)
        weights.append(np.full(len(pairs), weight / len(pairs)))  # each question counts once
    d, w = np.vstack(diffs), np.concatenate(weights)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000)
    model.fit(np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w])
    names = tuple(FEATURES[i] for i in columns)
    return Linear(names, mean, scale, model.coef_[0].copy(), 0.0)


MONGOLIA_WEIGHT = 3.0  # how much a question of the Mongolia tuning set counts beside a SQuAD one (confidence)
RANKER_MONGOLIA_WEIGHT = 1.0  # the same for the ranking model
TUNING_WEIGHT = 1.0  # how much a real tuning document's question counts beside a SQuAD one (both models; 0: left out)
# SQuAD's unanswerable questions were written against a paragraph too, and name a tempting wrong answer
# in it: the passage holding that answer is the one the question is about, a ranking lesson of its own.
PLAUSIBLE_WEIGHT = 0.0
ADVERSARIAL_WEIGHT = 0.0  # how much a SQuAD adversarial question counts as one to decline, beside an answerable one


def confidence_training(train: list[Asked], ranker: Linear, columns: list[int], groups: set[str]):
    """Rows for the confidence model: each question's chosen candidate, labelled by whether it is right.

    Answerable questions count as much in all as the questions that must be declined, the way the
    balanced score weighs them; SQuAD's adversarial questions stay out (telling them apart needs reading)."""
    rows, labels, kinds, mongolia, documents = [], [], [], [], []
    for a in train:
        if not len(a.labels) or (a.kind == "adversarial" and not ADVERSARIAL_WEIGHT):
            continue
        if a.kind == "foreign" and a.home not in groups:
            continue  # written for a held-out article: never train on it
        scores = ranker(a.x[:, ranker_columns(ranker)])
        best = int(np.argmax(scores))
        rows.append(confidence_rows(a.x, scores)[best, columns])
        labels.append(bool(a.labels[best]))
        kinds.append(a.kind)
        mongolia.append(a.group == MONGOLIA)
        documents.append(a.group.startswith(TUNING_PREFIX))
    kinds = np.array(kinds)
    weights = np.ones(len(kinds))
    answerable, adversarial = kinds == "answerable", kinds == "adversarial"
    others = ~answerable & ~adversarial
    if answerable.any() and others.any():
        weights[others] = answerable.sum() / others.sum()
    weights[adversarial] = ADVERSARIAL_WEIGHT
    weights[np.array(mongolia, dtype=bool)] *= MONGOLIA_WEIGHT
    weights[np.array(documents, dtype=bool)] *= TUNING_WEIGHT
    return np.array(rows), np.array(labels), weights


def ranker_columns(ranker: Linear) -> list[int]:
    return [FEATURES.index(n) for n in ranker.names]


def fit_confidence(train: list[Asked], ranker: Linear, names: tuple[str, ...], groups: set[str],
                   c: float = 1.0) -> Linear:
    from sklearn.linear_model import LogisticRegression

    columns = [CONFIDENCE_FEATURES.index(n) for n in names]
    x, y, w = confidence_training(train, ranker, columns, groups)
    mean, scale = _standardiser(x)
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=w)
    return Linear(names, mean, scale, model.coef_[0].copy(), float(model.intercept_[0]))


RANKER_C = 0.1  # the ranking model's inverse regularisation (stronger: many features say nearly the same)
# Features that only a curated knowledge base (maintainers' questions, synonyms, acronyms) sets: a second,
# residual pairwise fit on the curated questions alone weighs them, on top of the shared ranker, so the
# curated tuning set refines its own ranking without moving the ranking of plain imported documents.
CURATED_RANKING = ("curated_first", "curated_cover", "curated_floor", "curated_keywords", "curated_kind_miss",
                   "questions_cover", "questions_same_ask", "defines", "curated_rank")
CURATED_RESIDUAL = True


def fit_curated_residual(train: list[Asked], ranker: Linear, c: float = 1.0) -> Linear:
    """The shared ranker plus weights for the curated-only features, fitted on curated questions' pairs."""
    from sklearn.linear_model import LogisticRegression

    cols = ranker_columns(ranker)
    extra = [ranker.names.index(n) for n in CURATED_RANKING if n in ranker.names]
    diffs, weights = [], []
    for a in train:
        if a.kind != "answerable" or not a.labels.any() or a.labels.all() or not a.x[0, FEATURES.index("curated")]:
            continue
        z = (a.x[:, cols] - ranker.mean) / ranker.scale
        inputs = np.column_stack([z @ ranker.weights, z[:, extra]])
        pos, neg = inputs[a.labels], inputs[~a.labels]
        pairs = (pos[:, None, :] - neg[None, :, :]).reshape(-1, inputs.shape[1])
        diffs.append(pairs)
        weights.append(np.full(len(pairs), 1.0 / len(pairs)))
    if not diffs:
        return ranker
    d, w = np.vstack(diffs), np.concatenate(weights)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000)
    model.fit(np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w])
    scale, *residual = model.coef_[0]
    combined = ranker.weights * scale
    combined[extra] += residual
    return Linear(ranker.names, ranker.mean, ranker.scale, combined, 0.0)


# Features the confidence model weighs on top of its own fit, with SQuAD's adversarial questions as the ones to
# decline: a negated question whose passage denies nothing is nearly always one of them, and too rare among
# answerable and foreign questions for the plain fit to learn it. Left out of the ranker and of the plain fit,
# so every question where they are zero keeps its probability (docs/quality-experiments.md, "Declining").
CONFIDENCE_RESIDUAL = ("negation_missed",)
RESIDUAL_L2 = 1.0  # ridge on the residual weights (raw 0/1 features)


def fit_confidence_residual(train: list[Asked], model: Model, names: tuple[str, ...]) -> Linear:
    """The confidence model with weights for `names` fitted on top of its own logit (an offset), on each
    question's chosen candidate: answerable, foreign and adversarial questions each weighing the same in all."""
    from scipy.optimize import minimize

    rcols, groups = ranker_columns(model.ranker), {a.group for a in train}
    ccols = [CONFIDENCE_FEATURES.index(n) for n in model.confidence.names]
    offsets, x, y, kinds = [], [], [], []
    for a in train:
        if not len(a.labels) or (a.kind == "foreign" and a.home not in groups):
            continue
        scores = model.ranker(a.x[:, rcols])
        best = int(np.argmax(scores))
        offsets.append(model.confidence(confidence_rows(a.x, scores)[best:best + 1, ccols])[0])
        x.append([a.x[best, FEATURES.index(n)] for n in names])
        y.append(float(a.labels[best]))
        kinds.append("other" if a.kind not in ("answerable", "adversarial") else a.kind)
    offsets, x, y, kinds = np.array(offsets), np.array(x), np.array(y), np.array(kinds)
    weights = np.ones(len(y))
    for kind in ("other", "adversarial"):
        weights[kinds == kind] = (kinds == "answerable").sum() / max(1, (kinds == kind).sum())

    def loss(w: np.ndarray) -> float:
        z = offsets + x @ w
        return float(np.sum(weights * (np.logaddexp(0, z) - y * z)) + 0.5 * RESIDUAL_L2 * w @ w)

    w = minimize(loss, np.zeros(len(names)), method="L-BFGS-B").x
    c = model.confidence
    return Linear(c.names + tuple(names), np.r_[c.mean, np.zeros(len(names))], np.r_[c.scale, np.ones(len(names))],
                  np.r_[c.weights, w], c.bias)


def fit(train: list[Asked], names: tuple[str, ...], confidence_names: tuple[str, ...], c: float = 1.0) -> Model:
    if not TUNING_WEIGHT:
        train = [a for a in train if not a.group.startswith(TUNING_PREFIX)]
    residual = tuple(n for n in CONFIDENCE_RESIDUAL if n in confidence_names)
    names = tuple(n for n in names if n not in CONFIDENCE_RESIDUAL)
    confidence_names = tuple(n for n in confidence_names if n not in CONFIDENCE_RESIDUAL)
    ranker = fit_ranker(train, [FEATURES.index(n) for n in names], RANKER_C)
    if CURATED_RESIDUAL:
        ranker = fit_curated_residual(train, ranker)
    groups = {a.group for a in train}
    confidence = fit_confidence(train, ranker, confidence_names, groups, c)
    if residual:
        confidence = fit_confidence_residual(train, Model(ranker, confidence), residual)
    model = Model(ranker, confidence, 0.5)
    return Model(ranker, confidence, choose_threshold(predict(model, train, groups)))


def on_top(asked: list[Asked], shipped: Model, names: tuple[str, ...]) -> Model:
    """The shipped ranker, confidence model and threshold kept as they are, the residual features fitted on
    top: every question where those are zero keeps its answer."""
    kept = tuple(n for n in shipped.confidence.names if n not in CONFIDENCE_RESIDUAL)
    where = [shipped.confidence.names.index(n) for n in kept]
    c = shipped.confidence
    base = Model(shipped.ranker, Linear(kept, c.mean[where], c.scale[where], c.weights[where], c.bias))
    residual = tuple(n for n in CONFIDENCE_RESIDUAL if n in names)
    confidence = fit_confidence_residual(asked, base, residual) if residual else base.confidence
    return Model(shipped.ranker, confidence, shipped.threshold, shipped.info)


def neutral(shipped: Model, names: tuple[str, ...]) -> Model:
    """The shipped model with these features weighing nothing in the ranker and the confidence model (each then
    reads as at its training mean): for a feature the training data nearly never sets, whose fitted weight
    extrapolates without bound on documents that set it often (docs/quality-experiments.md, "section_cover")."""
    def without(linear: Linear) -> Linear:
        weights = np.array([0.0 if n in names else w for n, w in zip(linear.names, linear.weights)])
        return Linear(linear.names, linear.mean, linear.scale, weights, linear.bias)

    info = {**(shipped.info or {}), "neutral": sorted(set(names) | set((shipped.info or {}).get("neutral", ())))}
    return Model(without(shipped.ranker), without(shipped.confidence), shipped.threshold, info)


# -- predicting and grading -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    group: str
    kind: str
    benchmark: bool
    top1: bool
    probability: float
    category: str = ""
    bot: dict = None


def predict(model: Model, asked: list[Asked], groups: set[str] | None = None) -> list[Outcome]:
    """Each question's chosen candidate and its probability (no candidates: declined, probability 0)."""
    rcols = ranker_columns(model.ranker)
    ccols = [CONFIDENCE_FEATURES.index(n) for n in model.confidence.names]
    out = []
    for a in asked:
        if groups is not None and a.kind == "foreign" and a.home not in groups:
            continue
        if not len(a.labels):
            out.append(Outcome(a.group, a.kind, a.benchmark, False, 0.0, a.category, a.bot))
            continue
        scores = model.ranker(a.x[:, rcols])
        best = int(np.lexsort((np.arange(len(scores)), -scores))[0])
        logit = model.confidence(confidence_rows(a.x, scores)[best:best + 1, ccols])[0]
        out.append(Outcome(a.group, a.kind, a.benchmark, bool(a.labels[best]), float(1 / (1 + np.exp(-logit))),
                           a.category, a.bot))
    return out


def squad_figures(outcomes: list[Outcome], threshold: float) -> dict:
    """The benchmark's figures for the reranked choice: top-1, answerable right, foreign and adversarial declined."""
    answerable = [o for o in outcomes if o.kind == "answerable"]
    foreign = [o for o in outcomes if o.kind == "foreign" and o.benchmark]
    adversarial = [o for o in outcomes if o.kind == "adversarial"]
    share = lambda hits, rows: 100.0 * hits / len(rows) if rows else 0.0
    right = share(sum(o.top1 and o.probability >= threshold for o in answerable), answerable)
    declined = share(sum(o.probability < threshold for o in foreign), foreign)
    return {"top1": share(sum(o.top1 for o in answerable), answerable), "answerable_right": right,
            "foreign_declined": declined, "balanced": (right + declined) / 2,
            "adversarial_declined": share(sum(o.probability < threshold for o in adversarial), adversarial)}


def bot_figures(outcomes: list[Outcome]) -> dict:
    """The same figures for the product's own answers (its found flag and best source)."""
    answerable = [o for o in outcomes if o.kind == "answerable"]
    foreign = [o for o in outcomes if o.kind == "foreign" and o.benchmark]
    adversarial = [o for o in outcomes if o.kind == "adversarial"]
    share = lambda hits, rows: 100.0 * hits / len(rows) if rows else 0.0
    right = share(sum(o.bot["top1"] and o.bot["found"] for o in answerable), answerable)
    declined = share(sum(not o.bot["found"] for o in foreign), foreign)
    return {"top1": share(sum(o.bot["top1"] for o in answerable), answerable), "answerable_right": right,
            "foreign_declined": declined, "balanced": (right + declined) / 2,
            "adversarial_declined": share(sum(not o.bot["found"] for o in adversarial), adversarial)}


def mongolia_figures(outcomes: list[Outcome], threshold: float, use_bot: bool = False, group: str = MONGOLIA) -> dict:
    """The tuning set's standalone questions: answerable ones answered with a right passage, the rest declined."""
    rows = [o for o in outcomes if o.group == group]
    if not rows:
        return {}
    def ok(o: Outcome) -> bool:
        found = o.bot["found"] if use_bot else o.probability >= threshold
        top1 = o.bot["top1"] if use_bot else o.top1
        return (found and top1) if o.kind == "answerable" else not found
    return {"standalone": 100.0 * sum(map(ok, rows)) / len(rows),
            "answerable": 100.0 * sum(ok(o) for o in rows if o.kind == "answerable") / max(1, sum(o.kind == "answerable" for o in rows)),
            "declined": 100.0 * sum(ok(o) for o in rows if o.kind != "answerable") / max(1, sum(o.kind != "answerable" for o in rows))}


def choose_threshold(outcomes: list[Outcome]) -> float:
    """The probability threshold with the best balanced score over SQuAD and Mongolia alike, declining at
    least FOREIGN_FLOOR percent of the foreign questions when any threshold can."""
    best, best_key = 0.5, None
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        squad = squad_figures([o for o in outcomes if is_squad(o.group)], t)
        mongolia = mongolia_figures(outcomes, t)
        balanced = squad["balanced"] + (mongolia.get("standalone", 0.0) - 50.0) * 0.5 if mongolia else squad["balanced"]
        key = (squad["foreign_declined"] >= FOREIGN_FLOOR, balanced)
        if best_key is None or key > best_key:
            best, best_key = float(t), key
    return best


def cross_validate(asked: list[Asked], names, confidence_names, c: float = 1.0,
                   models: dict | None = None) -> tuple[list[Outcome], dict]:
    """Leave one group (article, or the Mongolia set) out: train on the rest, predict the held-out one
    with the threshold chosen on the rest. The fold models are kept in `models` when given."""
    outcomes, thresholds = [], {}
    for held in dict.fromkeys(fold_of(a.group) for a in asked):
        train = [a for a in asked if fold_of(a.group) != held]
        model = fit(train, names, confidence_names, c)
        for group in {a.group for a in asked if fold_of(a.group) == held}:
            thresholds[group] = model.threshold
            if models is not None:
                models[group] = model.to_dict()
        outcomes.extend(Outcome(o.group, o.kind, o.benchmark, o.top1, o.probability, o.category, o.bot)
                        for o in predict(model, [a for a in asked if fold_of(a.group) == held]))
    return outcomes, thresholds


def cv_report(outcomes: list[Outcome], thresholds: dict) -> tuple[dict, dict]:
    """Pooled figures over the held-out articles, each graded at the threshold its own fold chose."""
    graded = {}
    for held, t in thresholds.items():
        graded[held] = [o for o in outcomes if o.group == held]
    # The balanced score pools answered-right and declined counts over articles, so grade each
    # outcome at its fold's threshold, then pool.
    pooled = [Outcome(o.group, o.kind, o.benchmark, o.top1, 1.0 if o.probability >= thresholds[o.group] else 0.0,
                      o.category, o.bot) for o in outcomes]
    squad = [o for o in pooled if is_squad(o.group)]
    return squad_figures(squad, 0.5), mongolia_figures(pooled, 0.5)


def documents_report(outcomes: list[Outcome], thresholds: dict, asked: list[Asked]) -> str:
    """Each real tuning document's questions right (answerable: the right passage first and kept; the rest
    declined): the first stage's bot, the shipped model, and the fold model that never saw the document."""
    shipped = Model.load(MODEL_FILE)
    groups = [g for g in thresholds if g.startswith(TUNING_PREFIX)]
    pooled = [Outcome(o.group, o.kind, o.benchmark, o.top1, 1.0 if o.probability >= thresholds[o.group] else 0.0,
                      o.category, o.bot) for o in outcomes]
    seen = predict(shipped, [a for a in asked if a.group in groups])
    rows, totals = [], np.zeros(6)
    for g in groups:
        n = sum(o.group == g for o in pooled)
        right = [mongolia_figures(outcomes, 0.5, True, g)["standalone"], mongolia_figures(seen, shipped.threshold,
                 group=g)["standalone"], mongolia_figures(pooled, 0.5, group=g)["standalone"]]
        first = [sum(o.top1 for o in chosen if o.group == g and o.kind == "answerable") for chosen in (seen, pooled)]
        totals += np.r_[np.round(np.array(right) * n / 100), first, n]
        rows.append([g.removeprefix(TUNING_PREFIX), *(f"{r:.0f}%" for r in right), *map(str, first)])
    rows.append(["all (questions right)", *(f"{t:.0f} of {totals[5]:.0f}" for t in totals[:3]),
                 *(f"{t:.0f}" for t in totals[3:5])])
    return markdown_table(["document", "first stage + the bot's decision", "shipped model", "held out by document",
                           "right passage first: shipped", "held out"], rows)


def rounded(value, digits: int = 6):
    """Numbers cut to `digits` decimals, so retraining on the same data gives the same file byte for byte
    (the solver's last digits wander between runs)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    global TUNING_WEIGHT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--data", type=Path, help="candidates collected before (.json.gz); collected afresh if absent")
    parser.add_argument("--save", type=Path, help="also save the collected candidates here")
    parser.add_argument("--drop", nargs="*", default=[], help="features to leave out (ablation)")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model JSON")
    parser.add_argument("--no-write", action="store_true", help="cross-validate only")
    parser.add_argument("--on-top", action="store_true", help="write the shipped model with only the residual "
                                                               "confidence features (CONFIDENCE_RESIDUAL) fitted anew")
    parser.add_argument("--folds", type=Path, help="write each fold's model (keyed by its held-out article) here, "
                                                   "for benchmarks/rerank_experiment.py")
    parser.add_argument("--docs", action="store_true", help="also train on the real tuning documents "
                        "(benchmarks/realdocs.py --tuning), cross-validated leaving one document out")
    parser.add_argument("--docs-weight", type=float, default=TUNING_WEIGHT, help="how much a tuning document's "
                        "question counts beside a SQuAD one (0: figures for them, no training on them)")
    parser.add_argument("--neutral", nargs="+", metavar="FEATURE", help="write the shipped model with these "
                        "features' weights set to zero (no data read, nothing refitted)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.neutral:
        unknown = [n for n in args.neutral if n not in CONFIDENCE_FEATURES]
        if unknown:
            print(f"Error: no feature {', '.join(unknown)} (features: {', '.join(CONFIDENCE_FEATURES)})", file=sys.stderr)
            return 2
        args.out.write_text(json.dumps(rounded(neutral(Model.load(MODEL_FILE), tuple(args.neutral)).to_dict()),
                                       indent=1) + "\n", encoding="utf-8")
        print(f"Wrote {args.out} with {', '.join(args.neutral)} weighing nothing")
        return 0
    if args.data and args.data.is_file():
        data = load(args.data)
    else:
        data = collect(args.corpus)
        if args.save or args.data:
            save(data, args.save or args.data)
    if args.docs:
        from bot.config import default_config_path, load_config
        TUNING_WEIGHT = args.docs_weight
        data = {**data, "groups": data["groups"] + tuning_groups(load_config(default_config_path(REPO)))}
    asked = featurise(data)
    unknown = [n for n in args.drop if n not in FEATURES]
    if unknown:
        print(f"Error: no feature {', '.join(unknown)} (features: {', '.join(FEATURES)})", file=sys.stderr)
        return 2
    names = tuple(n for n in FEATURES if n not in args.drop)
    confidence_names = tuple(n for n in CONFIDENCE_FEATURES if n not in args.drop)
    folds: dict = {}
    outcomes, thresholds = cross_validate(asked, names, confidence_names, args.c, folds)
    if args.folds:
        args.folds.write_text(json.dumps(folds) + "\n", encoding="utf-8")
    squad, mongolia = cv_report(outcomes, thresholds)
    bot_squad = bot_figures([o for o in outcomes if is_squad(o.group)])
    bot_mongolia = mongolia_figures(outcomes, 0.5, use_bot=True)
    keys = ("top1", "balanced", "answerable_right", "foreign_declined", "adversarial_declined")
    print("Leave-one-article-out (each article ranked by models that never saw it):\n")
    print(markdown_table(["system", "top-1", "balanced", "answerable right", "foreign declined",
                          "adversarial declined", "Mongolia standalone"],
                         [["first stage + the bot's decision", *(f"{bot_squad[k]:.1f}%" for k in keys),
                           f"{bot_mongolia['standalone']:.1f}%"],
                          ["reranker + confidence", *(f"{squad[k]:.1f}%" for k in keys),
                           f"{mongolia['standalone']:.1f}%"]]))
    if args.docs:
        print("\nReal tuning documents, each by models that never saw it (gzip and its rendering left out together):\n")
        print(documents_report(outcomes, thresholds, asked))
    print("\nThresholds chosen per fold: " + ", ".join(f"{g} {t:.2f}" for g, t in thresholds.items()))
    if not args.no_write:
        model = on_top(asked, Model.load(MODEL_FILE), confidence_names) if args.on_top else \
            fit(asked, names, confidence_names, args.c)
        figures = {"squad": {k: round(v, 2) for k, v in squad.items()},
                   "mongolia_standalone": round(mongolia["standalone"], 2)}
        if args.on_top:  # the shipped model's own record kept, the residual's added
            info = {**(model.info or {}), "confidence_residual": {
                "features": [n for n in model.confidence.names if n in CONFIDENCE_RESIDUAL], "questions": len(asked),
                "cross_validated_when_every_part_is_refitted": figures, "script": "benchmarks/train_rerank.py --on-top"}}
        else:
            info = {"trained_on": sorted({a.group for a in asked}), "questions": len(asked), "cross_validated": figures,
                    "script": "benchmarks/train_rerank.py", "c": args.c}
        model = Model(model.ranker, model.confidence, model.threshold, info)
        args.out.write_text(json.dumps(rounded(model.to_dict()), indent=1) + "\n", encoding="utf-8")
        print(f"\nWrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out} "
              f"(threshold {model.threshold:.2f})")
        weights = sorted(zip(model.ranker.names, model.ranker.weights), key=lambda p: -abs(p[1]))
        print("Ranker weights (standardised features): " + ", ".join(f"{n} {w:+.2f}" for n, w in weights))
        weights = sorted(zip(model.confidence.names, model.confidence.weights), key=lambda p: -abs(p[1]))
        print("Confidence weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in weights[:12]))
    print(f"\nRun time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
