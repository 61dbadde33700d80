"""Same answers, old code against new: every answer field compared, and the answer path timed interleaved.

A speed change to the answer path must not change one answer. This script loads the package as it was
at a git revision (exported with `git archive` into a temporary folder as the package `bot_old`) beside
the working tree's `bot`, builds both answerers over the same knowledge and asks both every question:

- the Debian descriptions (58,938 passages) with 500 synopsis questions, as benchmarks/scale.py asks;
- every SQuAD question (answerable, adversarial and foreign) on its own article, as benchmarks/squad.py asks;
- the tuning evaluation sets (eval/mongolia.yaml, eval/tuning-*.yaml) with their context turns, on the knowledge
  they are written for; the held-out sets (eval/mongolia-heldout.yaml, eval/realdocs-*.yaml) only when asked
  for by name (`--sets heldout`), since a comparison is read while choosing and held-out sets must not be.

Each answer is compared field by field (found, kind, text, sources with scores, passage ids, citation,
suggestions, explanation, alternatives, the conversation it leaves), floats to 1e-12. Then both answer
the Debian questions again, question by question alternating which goes first, for the speed figures.

Usage:
    python benchmarks/same_answers.py --old main                # everything (several minutes)
    python benchmarks/same_answers.py --old HEAD~3 --sets debian --rounds 5
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DEFAULT_CORPUS, REPO, percentile, queries, read_corpus, write_knowledge

TOLERANCE = 1e-12
SETS = ("debian", "squad", "eval")  # the default: none of them held out
CHOICES = (*SETS, "heldout")


def old_package(revision: str, folder: Path) -> str:
    """Export `bot/` at a revision as the package `bot_old` under `folder` (put on sys.path); its name."""
    archive = subprocess.run(["git", "archive", revision, "bot"], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "bot").rename(folder / "bot_old")
    sys.path.insert(0, str(folder))
    return "bot_old"


def answerer(package: str, knowledge: Path):
    """An answerer of one package's code over a knowledge path, its index built afresh, a fixed clock."""
    import importlib

    config = importlib.import_module(f"{package}.config").load_config(None).with_knowledge(knowledge)
    build = importlib.import_module(f"{package}.core.pipeline").build_answerer
    return build(config, cache=False, clock=lambda: 1000.0)


def plain(value):
    """A value as plain data, so the two packages' dataclasses compare by their fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if hasattr(value, "why_lines"):
            out["why_lines"] = plain(value.why_lines)
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def differences(old, new, where: str = "", tolerance: float = TOLERANCE) -> list[str]:
    """Where two plain values differ (floats by more than `tolerance`)."""
    if isinstance(old, float) and isinstance(new, float):
        return [] if abs(old - new) <= tolerance else [f"{where}: {old!r} != {new!r}"]
    if isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
        return [d for k in old for d in differences(old[k], new[k], f"{where}.{k}", tolerance)]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new)) for d in differences(a, b, f"{where}[{i}]", tolerance)]
    return [] if old == new else [f"{where}: {old!r} != {new!r}"]


class Tally:
    """Questions compared per set, and the first differences found."""

    def __init__(self) -> None:
        self.asked: dict[str, int] = {}
        self.differing: dict[str, int] = {}
        self.inexact: dict[str, int] = {}  # within the tolerance, but some float not bit for bit the same
        self.examples: list[str] = []

    def compare(self, name: str, question: str, old, new) -> None:
        old, new = plain(old), plain(new)
        found = differences(old, new)
        self.asked[name] = self.asked.get(name, 0) + 1
        if not found and differences(old, new, tolerance=0.0):
            self.inexact[name] = self.inexact.get(name, 0) + 1
        if found:
            self.differing[name] = self.differing.get(name, 0) + 1
            if len(self.examples) < 10:
                self.examples.append(f"[{name}] {question!r}: " + "; ".join(found[:3]))


def debian(tally: Tally, old: str, count: int, rounds: int) -> dict[str, list[float]]:
    """The Debian questions through both, compared; then timed interleaved for `rounds` rounds."""
    records = read_corpus(DEFAULT_CORPUS)
    asked = [q for q, _ in queries(records, count)]
    with tempfile.TemporaryDirectory(prefix="factbot-same-") as tmp:
        path = write_knowledge(records, Path(tmp) / "debian.jsonl")
        records = None
        pair = {"old": answerer(old, path), "new": answerer("bot", path)}
    for question in asked:
        tally.compare("debian", question, pair["old"].answer(question), pair["new"].answer(question))
    gc.collect()
    gc.freeze()  # as a serving process does once loaded
    times: dict[str, list[float]] = {"old": [], "new": []}
    for round_ in range(rounds):
        for question in asked:
            for label in (("old", "new") if round_ % 2 == 0 else ("new", "old")):
                ask = pair[label].answer
                start = time.perf_counter()
                ask(question)
                times[label].append(time.perf_counter() - start)
    gc.unfreeze()
    return times


def squad(tally: Tally, old: str) -> None:
    """Every SQuAD question on its own article, both codes over the article imported once."""
    from benchmarks.squad import DEFAULT_SQUAD, foreign_questions, import_article, read_squad
    from bot.config import load_config

    # Beside the repository, or beside the folder of worktrees when the repository is a git worktree.
    path = next((p for p in (DEFAULT_SQUAD, REPO.parent.parent / "shared" / "corpora" / DEFAULT_SQUAD.name)
                 if p.is_file()), DEFAULT_SQUAD)
    articles = read_squad(path)
    with tempfile.TemporaryDirectory(prefix="factbot-same-squad-") as tmp:
        for number, article in enumerate(articles):
            built = import_article(article, Path(tmp) / f"article-{number}", load_config(None))
            pair = (answerer(old, built.kb.path), answerer("bot", built.kb.path))  # both on the fixed clock
            asked = list(article.answerable) + list(article.adversarial) + foreign_questions(articles, article)
            for question in asked:
                text = question.text
                tally.compare("squad", text, pair[0].answer(text), pair[1].answer(text))


def evaluation(tally: Tally, old: str, held_out: bool = False) -> None:
    """The evaluation sets with their context turns, Mongolia's on the shipped knowledge, real documents' on their
    imports: the tuning sets, or (`held_out`) the held-out ones."""
    from benchmarks.realdocs import DOCUMENTS, TUNING, build
    from bot.config import load_config
    from bot.kb.evaluate import load_cases

    knowledge = load_config(None).knowledge
    sets = [(REPO / "eval" / ("mongolia-heldout.yaml" if held_out else "mongolia.yaml"), knowledge)]
    with tempfile.TemporaryDirectory(prefix="factbot-same-eval-") as tmp:
        for document in DOCUMENTS if held_out else TUNING:
            folder, failed = build(document, Path(tmp), None)
            if folder is not None:
                sets.append((REPO / document.questions, folder))
        for cases_path, folder in sets:
            pair = (answerer(old, folder), answerer("bot", folder))
            for case in load_cases(cases_path):
                contexts = [None, None]
                for text in (*case.context, case.question):
                    answers = [a.answer(text, c) for a, c in zip(pair, contexts)]
                    contexts = [a.context for a in answers]
                    tally.compare(f"eval {cases_path.stem}", text, *answers)


def summary(label: str, seconds: list[float], questions: int) -> str:
    """One table row: every answer's time, and each question's best over the rounds (the machine's noise mostly out)."""
    ms = [1000 * s for s in seconds]
    best = [min(ms[i::questions]) for i in range(questions)]
    return (f"| {label} | {statistics.median(ms):.3f} | {percentile(ms, 99):.3f} | {statistics.mean(ms):.3f} "
            f"| {statistics.median(best):.3f} | {percentile(best, 99):.3f} | {len(ms):,} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", default="HEAD", help="the git revision whose bot/ is compared (default HEAD)")
    parser.add_argument("--sets", default=",".join(SETS),
                        help="which of " + ",".join(CHOICES) + " (default: " + ",".join(SETS) + "; heldout only by name)")
    parser.add_argument("--questions", type=int, default=500, help="Debian synopsis questions (seed 0)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds over the Debian questions")
    args = parser.parse_args()
    chosen = args.sets.split(",")
    if not set(chosen) <= set(CHOICES):
        parser.error(f"--sets: choose among {', '.join(CHOICES)}")
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="factbot-old-") as tmp:
        old = old_package(args.old, Path(tmp))
        times = debian(tally, old, args.questions, args.rounds) if "debian" in chosen else None
        if "squad" in chosen:
            squad(tally, old)
        if "eval" in chosen:
            evaluation(tally, old)
        if "heldout" in chosen:
            evaluation(tally, old, held_out=True)
    for name, count in tally.asked.items():
        print(f"{name}: {count:,} questions, {tally.differing.get(name, 0)} answers differ "
              f"({tally.inexact.get(name, 0)} more with a float not bit for bit the same)")
    print("\n".join(tally.examples))
    if times:
        print(f"\nDebian, {args.rounds} interleaved rounds (old code {args.old} against the working tree):\n")
        print("| code | median ms | p99 ms | mean ms | best of rounds: median ms | p99 ms | answers timed |\n"
              "| --- | --- | --- | --- | --- | --- | --- |")
        questions = len(times["old"]) // args.rounds
        print(summary(f"old ({args.old})", times["old"], questions))
        print(summary("new (working tree)", times["new"], questions))
    return 1 if tally.differing else 0


if __name__ == "__main__":
    sys.exit(main())
