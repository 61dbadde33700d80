"""SQuAD benchmark: real people's questions on Wikipedia articles nobody here tuned the bot on.

The protocol is the one in ../shared/corpora/README.md: one knowledge base per article, made by the
product's own import (`kb import` of the article as a Markdown document); every question asked once,
on its own, through the full answer path (`Answerer.answer()`, as `ask` does). Beside the bot, in
the same run and over the same passages, bm25s and plain scikit-learn TF-IDF answer with their best
passage, each with the one no-answer threshold that maximises its balanced score over the articles run.

Usage:
    python benchmarks/squad.py                                  # all 8 articles, as configured (rerank on)
    python benchmarks/squad.py --no-rerank                      # the first stage alone (retrieval.rerank: false)
    python benchmarks/squad.py --articles 2 --corpus PATH       # the first two articles
    python benchmarks/squad.py --articles Normans --json figures.json --details questions.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, SEED, markdown_table, shared_corpus

DEFAULT_SQUAD = shared_corpus("squad-v2.0-dev-part.json.gz")
FOREIGN_PER_ARTICLE = 60
ANSWER_WINDOW = 700  # an answer counts when a gold answer is within its first 700 characters
SYSTEMS = ("bot", "bm25s", "tfidf")
LABELS = {"bot": "factbot", "bm25s": "bm25s (stemmer, stop words), best threshold",
          "tfidf": "sklearn TfidfVectorizer() + cosine, best threshold"}
FIGURES = ("balanced", "answerable_right", "foreign_declined", "adversarial_declined", "top1")
HEADER = ["balanced", "answerable right", "foreign declined", "adversarial declined", "top-1"]


@dataclass(frozen=True)
class Question:
    """One SQuAD question: gold answers are empty for the unanswerable ("adversarial") ones."""

    id: str
    text: str
    answers: tuple[str, ...]
    plausible: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """One Wikipedia article: its title, paragraphs and questions, in SQuAD's order."""

    title: str
    paragraphs: tuple[str, ...]
    questions: tuple[Question, ...]

    @property
    def answerable(self) -> list[Question]:
        return [q for q in self.questions if q.answers]

    @property
    def adversarial(self) -> list[Question]:
        return [q for q in self.questions if not q.answers]


# -- the corpus ---------------------------------------------------------------------------------------



def read_squad(path: Path) -> list[Article]:
    """The articles of a SQuAD 2.0 JSON file (gzip'd or not), paragraphs with their whitespace folded."""
    if not path.is_file():
        sys.exit(f"Error: corpus not found at {path}; pass --corpus PATH to squad-v2.0-dev-part.json.gz")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        articles = []
        for article in data["data"]:
            paragraphs, questions = [], []
            for paragraph in article["paragraphs"]:
                paragraphs.append(" ".join(paragraph["context"].split()))
                for qa in paragraph["qas"]:
                    answers = () if qa.get("is_impossible") else tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                    plausible = tuple(dict.fromkeys(a["text"] for a in qa.get("plausible_answers", ())))
                    questions.append(Question(qa["id"], qa["question"], answers, plausible))
            articles.append(Article(article["title"], tuple(paragraphs), tuple(questions)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        sys.exit(f"Error: {path} is not a SQuAD 2.0 file ({type(exc).__name__}: {exc})")
    if not articles:
        sys.exit(f"Error: {path} holds no articles")
    return articles


def choose(articles: list[Article], wanted: list[str] | None) -> list[Article]:
    """The articles to run: all, the first N (`--articles 2`), or those named (`--articles Normans Huguenot`)."""
    if not wanted:
        return articles
    if len(wanted) == 1 and wanted[0].isdigit():
        return articles[: max(1, int(wanted[0]))]
    key = lambda name: " ".join(name.replace("_", " ").split()).casefold()
    by_name = {key(a.title): a for a in articles}
    missing = [name for name in wanted if key(name) not in by_name]
    if missing:
        sys.exit(f"Error: no article {', '.join(missing)} (articles: {', '.join(a.title for a in articles)})")
    return [by_name[key(name)] for name in wanted]


def foreign_questions(articles: list[Article], article: Article, count: int = FOREIGN_PER_ARTICLE) -> list[Question]:
    """A fixed random sample of the other articles' answerable questions, the same whichever articles run."""
    pool = [q for other in articles if other.title != article.title for q in other.answerable]
    return random.Random(f"{SEED}:{article.title}").sample(pool, min(count, len(pool)))


def fold(text: str) -> str:
    """Case and spacing folded, as the grading compares answers."""
    return " ".join(text.casefold().split())


def holds(text: str, answers: tuple[str, ...]) -> bool:
    """True when one of the gold answers is within the first ANSWER_WINDOW characters of a text."""
    window = fold(text)[:ANSWER_WINDOW]
    return any(fold(a) in window for a in answers if a.strip())


# -- one knowledge base per article, by the product's own import ----------------------------------------

def markdown(article: Article, paragraphs: tuple[str, ...] | None = None) -> str:
    """The article as a maintainer would save it: `# Title`, then its paragraphs separated by blank lines."""
    title = article.title.replace("_", " ")
    return f"# {title}\n\n" + "\n\n".join(paragraphs or article.paragraphs) + "\n"


@dataclass(frozen=True)
class Built:
    """An article's knowledge base and answerer, and what the import needed along the way."""

    kb: object
    answerer: object
    broken_sentences: int  # passages cut from sentences over the passage limit


def import_article(article: Article, folder: Path, config) -> Built:
    """Import the article into a new knowledge folder with `kb import`'s own functions.

    A sentence over the passage limit is cut at a clause boundary by the splitter itself (and named for
    review); the figure says how many passages came from such cuts.
    """
    from bot.core.pipeline import build_answerer
    from bot.kb.importing import prepare_import, save_import, slug
    from bot.kb.load import load_knowledge

    root = folder / "knowledge"  # not made here: the first import starts it, as for a maintainer
    folder.mkdir(parents=True)
    config = config.with_knowledge(root)
    source_id = slug(article.title)
    document = folder / f"{source_id}.md"
    document.write_text(markdown(article), encoding="utf-8")
    draft = prepare_import(config, document, source_id)
    save_import(config, draft, document)
    kb = load_knowledge(root)
    cut = sum("was cut" in line for line in draft.review)
    return Built(kb, build_answerer(config, kb), cut)


# -- the three systems --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """What one system did with one question: its best passage, its score, and the bot's decision."""

    best: str
    score: float
    answered: bool | None = None  # the bot decides; baselines answer when over their threshold
    text: str = ""
    ranked: tuple[str, ...] = ()
    why: dict | None = None  # the bot's `why`, for the per-question details


def ask_bot(answerer, question: str) -> Result:
    """The bot's full answer path, as `ask` runs it: one question, no conversation."""
    answer = answerer.answer(question)
    best = answer.sources[0].text if answer.sources else ""
    return Result(best, answer.score, answer.found, answer.text if answer.found else "",
                  tuple(h.id for h in answer.sources), answer.to_dict()["why"])


def bm25s_scorer(texts: list[str]):
    """bm25s over the passages with PyStemmer's English stemmer and English stop words."""
    import bm25s
    import numpy as np
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)

    def scores(question: str):
        tokens = bm25s.tokenize([question], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)[0]
        known = [t for t in tokens if t in retriever.vocab_dict]
        return retriever.get_scores(known) if known else np.zeros(len(texts))

    return scores


def tfidf_scorer(texts: list[str]):
    """Plain scikit-learn TfidfVectorizer() with cosine similarity (its rows are l2-normalised)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(texts)
    return lambda question: (matrix @ vectorizer.transform([question]).T).toarray().ravel()


def ask_baseline(scores, texts: list[str], question: str) -> Result:
    values = scores(question)
    best = int(values.argmax())
    return Result(texts[best], float(values[best]))


# -- grading ------------------------------------------------------------------------------------------

def best_threshold(graded: list[dict]) -> float:
    """The no-answer threshold (answer when score > t) that maximises the pooled balanced score."""
    import numpy as np

    answerable = [g for g in graded if g["kind"] == "answerable"]
    foreign = np.sort(np.array([g["score"] for g in graded if g["kind"] == "foreign"]))
    right = np.sort(np.array([g["score"] for g in answerable if g["top1"]]))
    candidates = np.unique(np.concatenate([[-1.0], foreign, [g["score"] for g in answerable]]))
    # Answered right: right best passages scoring above t; foreign declined: foreign scores at or below t.
    answered_right = (len(right) - np.searchsorted(right, candidates, side="right")) / max(1, len(answerable))
    declined = np.searchsorted(foreign, candidates, side="right") / max(1, len(foreign))
    best = float(candidates[int(np.argmax(answered_right + declined))])
    return best


def grade(result: Result, question: Question, kind: str, threshold: float | None = None) -> dict:
    """One question's outcome; baselines answer with their best passage when its score beats the threshold."""
    answered = result.answered if threshold is None else result.score > threshold
    text = result.text if threshold is None else result.best
    gold = question.answers
    return {"kind": kind, "score": result.score, "answered": bool(answered),
            "top1": bool(gold) and holds(result.best, gold),
            "right": bool(answered) and bool(gold) and holds(text, gold)}


def figures(graded: list[dict]) -> dict:
    """The five percentages and the counts behind them."""
    def share(hits: int, total: int) -> float:
        return 100.0 * hits / total if total else 0.0

    answerable = [g for g in graded if g["kind"] == "answerable"]
    foreign = [g for g in graded if g["kind"] == "foreign"]
    adversarial = [g for g in graded if g["kind"] == "adversarial"]
    out = {
        "answerable_right": share(sum(g["right"] for g in answerable), len(answerable)),
        "foreign_declined": share(sum(not g["answered"] for g in foreign), len(foreign)),
        "adversarial_declined": share(sum(not g["answered"] for g in adversarial), len(adversarial)),
        "top1": share(sum(g["top1"] for g in answerable), len(answerable)),
    }
    out["balanced"] = (out["answerable_right"] + out["foreign_declined"]) / 2
    out["counts"] = {"answerable": len(answerable), "foreign": len(foreign), "adversarial": len(adversarial)}
    return out


def misses(details: list[dict], passages_with_gold: dict[str, int]) -> list[tuple[str, int]]:
    """Where the bot's answerable questions went: the categories the quality work aims at."""
    rows = {"answered right": 0, "best passage right, but declined": 0,
            "best passage right and answered, gold not in the answer text": 0,
            "best passage wrong, a right one 2nd-5th (answered)": 0,
            "best passage wrong, a right one 2nd-5th (declined)": 0,
            "no right passage in the top 5 (answered)": 0, "no right passage in the top 5 (declined)": 0,
            "no passage holds a gold answer (the split cut it)": 0}
    for d in details:
        if d["kind"] != "answerable":
            continue
        if d["right"]:
            key = "answered right"
        elif not passages_with_gold.get(d["id"]):
            key = "no passage holds a gold answer (the split cut it)"
        elif d["top1"]:
            key = ("best passage right and answered, gold not in the answer text" if d["answered"]
                   else "best passage right, but declined")
        elif d["gold_rank"]:
            key = f"best passage wrong, a right one 2nd-5th ({'answered' if d['answered'] else 'declined'})"
        else:
            key = f"no right passage in the top 5 ({'answered' if d['answered'] else 'declined'})"
        rows[key] += 1
    return list(rows.items())


def percent(value: float) -> str:
    return f"{value:.1f}%"


# -- the run ------------------------------------------------------------------------------------------

def run(articles: list[Article], chosen: list[Article], config, details_out=None) -> dict:
    """Import, ask and grade every chosen article; figures per article and pooled, per system."""
    graded: dict[str, dict[str, list[dict]]] = {s: {} for s in SYSTEMS}
    raw: dict[str, dict[str, list[tuple[Result, Question, str]]]] = {s: {} for s in SYSTEMS[1:]}
    notes = {"broken_sentences": {}, "passages": {}}
    bot_details: list[dict] = []
    gold_passages: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="factbot-squad-") as tmp:
        for number, article in enumerate(chosen):
            built = import_article(article, Path(tmp) / f"article-{number}", config)
            notes["broken_sentences"][article.title] = built.broken_sentences
            texts = [p.text for p in built.kb.passages]
            notes["passages"][article.title] = len(texts)
            asked = ([(q, "answerable") for q in article.answerable] + [(q, "adversarial") for q in article.adversarial]
                     + [(q, "foreign") for q in foreign_questions(articles, article)])
            graded["bot"][article.title] = []
            by_id = {p.id: p.text for p in built.kb.passages}
            for question, kind in asked:
                result = ask_bot(built.answerer, question.text)
                outcome = grade(result, question, kind)
                graded["bot"][article.title].append(outcome)
                if kind == "answerable":
                    gold_passages[question.id] = sum(holds(t, question.answers) for t in texts)
                ranks = [n for n, pid in enumerate(result.ranked, 1) if question.answers and holds(by_id[pid], question.answers)]
                bot_details.append({**outcome, "article": article.title, "id": question.id, "question": question.text,
                                    "gold": list(question.answers), "answer": result.text, "best": result.best,
                                    "gold_rank": ranks[0] if ranks else 0, "ranked": list(result.ranked), "why": result.why})
            for system, make in (("bm25s", bm25s_scorer), ("tfidf", tfidf_scorer)):
                scores = make(texts)
                raw[system][article.title] = [(ask_baseline(scores, texts, q.text), q, kind) for q, kind in asked]
    thresholds = {}
    for system in SYSTEMS[1:]:
        unthresholded = [grade(r, q, kind, float("-inf")) for rows in raw[system].values() for r, q, kind in rows]
        thresholds[system] = best_threshold(unthresholded)
        for title, rows in raw[system].items():
            graded[system][title] = [grade(r, q, kind, thresholds[system]) for r, q, kind in rows]
    if details_out is not None:
        for d in bot_details:
            details_out.write(json.dumps(d, ensure_ascii=False) + "\n")
    return {
        "articles": {a.title: {s: figures(graded[s][a.title]) for s in SYSTEMS} for a in chosen},
        "total": {s: figures([g for rows in graded[s].values() for g in rows]) for s in SYSTEMS},
        "thresholds": thresholds,
        "bot_misses": misses(bot_details, gold_passages),
        "notes": notes,
    }


def report(result: dict, seconds: float) -> str:
    """The tables: one row per article and system, then the pooled total, then where the bot's misses go."""
    rows = []
    for title, systems in result["articles"].items():
        for system in SYSTEMS:
            f = systems[system]
            rows.append([title, system, *(percent(f[k]) for k in FIGURES)])
    total = result["total"]
    counts = total["bot"]["counts"]
    lines = [f"SQuAD 2.0 part: {len(result['articles'])} article(s), {counts['answerable']} answerable, "
             f"{counts['adversarial']} adversarial and {counts['foreign']} foreign questions", "",
             markdown_table(["article", "system", *HEADER], rows), "",
             "Total (pooled over the articles):", "",
             markdown_table(["system", *HEADER], [[LABELS[s], *(percent(total[s][k]) for k in FIGURES)] for s in SYSTEMS]),
             "", "Baseline thresholds (answer when the best score is above): "
             + ", ".join(f"{s} {t:.4g}" for s, t in result["thresholds"].items()), "",
             "Where the bot's answerable questions went:", "",
             markdown_table(["outcome", "questions"], result["bot_misses"]), ""]
    notes = result["notes"]
    broken = {t: n for t, n in notes["broken_sentences"].items() if n}
    if broken:
        lines.append("Note: passages from sentences over the passage limit, cut at a clause by the splitter: "
                     + ", ".join(f"{t} {n}" for t, n in broken.items()) + ".")
    lines.append(f"Passages per article: {', '.join(f'{t} {n}' for t, n in notes['passages'].items())}.")
    lines.append(f"Run time: {seconds:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SQUAD, help="SQuAD 2.0 JSON file (gzip'd or not)")
    parser.add_argument("--articles", nargs="+", metavar="N|NAME", help="the first N articles, or articles by name")
    parser.add_argument("--config", type=Path, help="the bot's configuration (default: the repository's config.yaml)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file as JSON")
    parser.add_argument("--rerank", action=argparse.BooleanOptionalAction,
                        help="the learned second stage on (threshold 0.31, a probability) or off (the first stage "
                             "alone, cosine threshold 0.2); default: as the config says (on)")
    parser.add_argument("--details", type=Path, help="write every question the bot was asked, graded, as JSON lines")
    args = parser.parse_args(argv)

    from bot.config import default_config_path, load_config
    from bot.errors import BotError

    started = time.perf_counter()
    articles = read_squad(args.corpus)
    chosen = choose(articles, args.articles)
    try:
        config = load_config(args.config or default_config_path(REPO))
        if args.rerank is not None:  # each stage with the threshold it was tuned with (threshold: auto)
            config = dataclasses.replace(config, retrieval=dataclasses.replace(
                config.retrieval, rerank=args.rerank, threshold=None))
        if args.details:
            with args.details.open("w", encoding="utf-8") as details:
                result = run(articles, chosen, config, details)
        else:
            result = run(articles, chosen, config)
    except BotError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(report(result, seconds))
    if args.json:
        result["seconds"] = round(seconds, 2)
        result["corpus"] = str(args.corpus)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
