"""Real documents benchmark: a maintainer's own files from a Debian machine, imported and asked about.

Each document in tests/fixtures/realdocs/ (a Markdown README, an HTML guide, a manual page as roff
source and as rendered text) becomes its own knowledge base through the product's own commands,
`python -m bot --knowledge DIR kb init` then `kb import FILE --yes`, as a maintainer would make it.
Its question set (eval/realdocs-*.yaml, written from the document before any passages were seen) is
then run through the product's evaluator, as `python -m bot --knowledge DIR eval FILE` does. Beside the
bot, over the same passages and with the same check (every expected string in the answer), bm25s answers
with its best passage when its score is above the one threshold that maximises its right answers over
all documents run (an oracle's choice, which flatters bm25s). A document the import refuses is reported
as "import failed", with the import's own error. The question sets are held out: never tune on them.
`--tuning` runs, the same way, the tuning documents in tests/fixtures/docs/ with their sets
(eval/tuning-*.yaml) instead, and never the held-out ones: those are the ones to tune the method on.

Usage:
    python benchmarks/realdocs.py                       # every document, and the Mongolia tuning set
    python benchmarks/realdocs.py --documents valgrind --no-mongolia
    python benchmarks/realdocs.py --failures            # also list the questions the bot got wrong
    python benchmarks/realdocs.py --tuning --failures   # the tuning documents only, and what the bot got wrong
    python benchmarks/realdocs.py --tuning --together   # also all of them in ONE knowledge base (realdocs_together.py)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, markdown_table
from benchmarks.realdocs_documents import DOCUMENTS, TUNING, Document
from benchmarks.realdocs_report import bm25s_right, by_category, percent, wrong  # noqa: F401 (entries.py: percent)
from benchmarks.squad import bm25s_scorer

MONGOLIA = REPO / "eval" / "mongolia.yaml"


@dataclass(frozen=True)
class Outcome:
    """One question for one document: the bot's verdict, and bm25s's best passage and its score."""

    document: str
    question: str
    expect: tuple[str, ...]
    found: bool  # what the question set expects: False for out-of-scope questions
    bot_right: bool
    bot_answer: str
    bm25s_score: float
    bm25s_holds: bool  # bm25s's best passage holds every expected string
    held: bool  # some passage holds every expected string: False when the split cut the answer apart
    category: str = ""  # the question set's category (plain, reworded, unanswerable)


@dataclass(frozen=True)
class Run:
    """One document's run: its passages (or why the import failed) and its questions' outcomes."""

    document: Document
    passages: int = 0
    flagged: int = 0
    failed: str = ""
    outcomes: tuple[Outcome, ...] = ()


# -- building a knowledge base as a maintainer does ----------------------------------------------------

def product(config: Path | None, knowledge: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `python -m bot --knowledge DIR ...` from this repository, as a maintainer types it."""
    chosen = ["--config", str(config)] if config else []
    command = [sys.executable, "-m", "bot", *chosen, "--knowledge", str(knowledge), *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def build(document: Document, folder: Path, config: Path | None) -> tuple[Path | None, str]:
    """Init a knowledge folder and import the document into it: the folder, or the error that stopped it."""
    return steps(folder / document.name, [("kb", "init"), ("kb", "import", str(document.path), "--yes")], config)


def steps(knowledge: Path, commands: list[tuple[str, ...]], config: Path | None) -> tuple[Path | None, str]:
    """Run product commands on one folder in turn: the folder, or the first error line that stopped them."""
    for step in commands:
        result = product(config, knowledge, *step)
        if result.returncode != 0:
            lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
            reason = next((line for line in lines if line.startswith("Error:")), lines[-1] if lines else "no output")
            return None, f"{' '.join(step[:2])} failed: {reason.replace(str(REPO) + os.sep, '')}"
    return knowledge, ""


def flagged(document: Document) -> int:
    """How many of the document's passages the import's review list names for a person's eye."""
    from bot.kb.importing import draft_passages, slug

    _, _, review = draft_passages(document.path, slug(document.path.stem))
    return len(review)


# -- asking ---------------------------------------------------------------------------------------------

def ask(document: Document, knowledge: Path, config) -> Run:
    """The question set through the product's evaluator, and bm25s over the same passages."""
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import evaluate, load_cases
    from bot.kb.load import load_knowledge
    from bot.text import holds_all

    kb = load_knowledge(knowledge)
    cases = load_cases(REPO / document.questions)
    report = evaluate(build_answerer(config.with_knowledge(knowledge), kb), cases)
    texts = [p.text for p in kb.passages]
    scores = bm25s_scorer(texts)
    outcomes = []
    for case, result in zip(cases, report.outcomes):
        values = scores(case.question)
        best = int(values.argmax())
        outcomes.append(Outcome(document.name, case.question, case.expect, case.found, result.correct,
                                result.answer if result.found else "", float(values[best]),
                                bool(case.expect) and holds_all(texts[best], case.expect),
                                any(holds_all(text, case.expect) for text in texts) if case.expect else True,
                                case.category))
    return Run(document, len(texts), flagged(document), "", tuple(outcomes))


def best_threshold(outcomes: list[Outcome]) -> float:
    """The no-answer threshold (answer when score > t) with the most right answers over all documents."""
    candidates = sorted({-1.0, *(o.bm25s_score for o in outcomes)})
    return max(candidates, key=lambda t: (sum(bm25s_right(o, t) for o in outcomes), -t))


def mongolia(config) -> float:
    """The bot's overall score on the Mongolia tuning set, as `python -m bot eval` prints it."""
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import evaluate, load_cases

    return 100 * evaluate(build_answerer(config), load_cases(MONGOLIA)).accuracy()


# -- the report -----------------------------------------------------------------------------------------

def row(run: Run, threshold: float) -> list[str]:
    """One document's figures: overall, then answerable right and out-of-scope declined, for both systems."""
    name, kind = run.document.name, run.document.format
    if run.failed:
        return [name, kind, "import failed", "-", "-", "-", "-", "-", "-", "-"]
    every = list(run.outcomes)
    inside, outside = [o for o in every if o.found], [o for o in every if not o.found]

    def share(chosen: list[Outcome], right) -> str:
        return percent(sum(map(right, chosen)), len(chosen))

    bot, bm25s = (lambda o: o.bot_right), (lambda o: bm25s_right(o, threshold))
    return [name, kind, str(run.passages), str(run.flagged), share(every, bot), share(every, bm25s),
            f"{share(inside, bot)} / {share(outside, bot)}", f"{share(inside, bm25s)} / {share(outside, bm25s)}",
            str(sum(not o.held for o in inside)), str(len(every))]


HEADER = ["document", "format", "passages", "flagged for review", "factbot", "bm25s",
          "factbot: answerable right / out-of-scope declined", "bm25s: answerable right / declined",
          "answers no passage holds", "questions"]


def report(runs: list[Run], threshold: float, tuning: float | None, seconds: float) -> str:
    """The table, the reasons for any failed import, the bm25s threshold and the Mongolia figure beside."""
    lines = ["Real documents from Debian packages, each imported into its own knowledge base by kb init + kb import", "",
             markdown_table(HEADER, [row(run, threshold) for run in runs]), ""]
    lines += [f"{run.document.name}: {run.failed}" for run in runs if run.failed]
    lines.append(f"bm25s (English stemmer and stop words) answers when its best score is above {threshold:.4g}, "
                 "the threshold with the most right answers over these documents.")
    if tuning is not None:
        lines.append(f"Mongolia tuning set (eval/mongolia.yaml), factbot: {tuning:.1f}%")
    lines.append(f"Run time: {seconds:.1f} s")
    return "\n".join(lines)


def run_all(chosen: list[Document], config_path: Path | None) -> list[Run]:
    """Build and ask every chosen document, each in its own temporary knowledge folder."""
    from bot.config import load_config

    config = load_config(config_path)
    runs = []
    with tempfile.TemporaryDirectory(prefix="factbot-realdocs-") as tmp:
        for document in chosen:
            knowledge, failed = build(document, Path(tmp), config_path)
            runs.append(Run(document, failed=failed) if knowledge is None else ask(document, knowledge, config))
    return runs


def command_line() -> argparse.ArgumentParser:
    """The command line: which documents, which extras to print."""
    names = [d.name for d in DOCUMENTS + TUNING]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", nargs="+", choices=names, metavar="NAME", help=f"only these ({', '.join(names)})")
    parser.add_argument("--tuning", action="store_true", help="the tuning documents instead of the held-out ones")
    parser.add_argument("--config", type=Path, help="the bot's configuration (default: the repository's config.yaml)")
    parser.add_argument("--no-mongolia", action="store_true", help="skip the Mongolia tuning set's figure")
    parser.add_argument("--failures", action="store_true", help="list the questions the bot got wrong")
    parser.add_argument("--together", action="store_true", help="also ask everything of ONE base holding every document")
    parser.add_argument("--json", type=Path, help="also write every question's outcome to this file as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = command_line()
    args = parser.parse_args(argv)

    from benchmarks.realdocs_together import together_of, together_report, together_wrong
    from bot.config import default_config_path, load_config
    from bot.errors import BotError

    started = time.perf_counter()
    config_path = args.config or default_config_path(REPO)
    chosen = [d for d in (TUNING if args.tuning else DOCUMENTS) if not args.documents or d.name in args.documents]
    if not chosen:
        parser.error(f"none of {', '.join(args.documents)} is a {'tuning' if args.tuning else 'held-out'} document")
    try:
        runs = run_all(chosen, config_path)
        together = together_of(chosen, config_path) if args.together else None
        tuning = None if args.no_mongolia else mongolia(load_config(config_path).with_knowledge(REPO / "knowledge"))
    except BotError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    outcomes = [o for run in runs for o in run.outcomes]
    threshold = best_threshold(outcomes) if outcomes else 0.0
    print(report(runs, threshold, tuning, time.perf_counter() - started))
    if args.tuning:
        print(by_category(runs, threshold))
    if args.failures:
        print(wrong(runs))
    if together is not None:
        print(together_report(runs, together) + (together_wrong(together) if args.failures else ""))
    if args.json:
        data = {"threshold": threshold, "mongolia": tuning,
                "documents": [{"name": r.document.name, "passages": r.passages, "flagged": r.flagged, "failed": r.failed,
                               "questions": [o.__dict__ for o in r.outcomes]} for r in runs],
                "together": together and [{"name": r.document.name, "questions": [o.__dict__ for o in r.outcomes]}
                                          for r in together.runs]}
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
