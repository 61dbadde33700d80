"""A term's own entry: is "what does X do" answered by X's entry, and a question on a detail by the passage holding it?

Each tuning document (benchmarks/realdocs.py's TUNING, never a held-out one) is imported into its own knowledge base
as realdocs.py imports it (`kb init` + `kb import`), then asked two kinds of question:

- generated: "What does X do?" and "What is X?" for every term X a passage's 'term: ' label names (hits.entry_terms;
  not a stop word), right when the answer is one of X's entries;
- hand-made (eval/entries-<document>.yaml, where there is one): `definition` questions, whose answer is X's entry,
  and `detail` questions that name X but are answered by another passage, each right when its answer holds the
  expected strings (the product's evaluator).

This is the measure behind hits.entry_first (docs/quality-experiments.md, "A bare what-does-X question gets X's own
entry"). gzip's man page and its rendered text share one file, as they share eval/tuning-gzip.yaml.

- subject (eval/subjects.yaml, a tuning set): "What is gzip?", "What does dpkg-divert do?", a bare question on the
  document's own subject, answered by its description (described.py); asked of the tuning documents and of two fresh
  documents of this machine (dpkg-divert(1), fontconfig's user manual), which are skipped where they are missing;
  with --together, also of one knowledge base holding every document (each distinct question asked once).

Usage:
    python benchmarks/entries.py
    python benchmarks/entries.py --documents find gzip --failures
    python benchmarks/entries.py --together             # also the subject questions in one base of them all
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, markdown_table
from benchmarks.realdocs import TUNING, Document, build, percent

FORMS = ("What does {} do?", "What is {}?")
SUBJECTS = REPO / "eval" / "subjects.yaml"
FRESH = (  # documents of this machine no tuning set was written from: the walkthrough that found the subject failure
    Document("dpkg-divert", "man page (roff)", "/usr/share/man/man1/dpkg-divert.1.gz", ""),
    Document("fontconfig", "PDF", "/usr/share/doc/fontconfig/fontconfig-user.pdf.gz", ""),
)


def handmade(document: Document) -> Path:
    """The document's hand-made question file (it may not exist): its tuning set's name with 'entries-'."""
    return REPO / (document.questions.replace("tuning-", "entries-") if document.questions else "eval/entries-none.yaml")


def generated(answerer, passages, failures: list[str], name: str) -> tuple[int, int, int]:
    """(asked, answered, answered by X's entry) over the generated definition questions."""
    from bot.core.hits import entry_terms, is_entry_of
    from bot.text import STOP_WORDS

    most = answerer.settings.entry_label_chars or 40  # the terms are the labels', with the rule off too
    terms = sorted({t for p in passages for t in entry_terms(p.text, most)})
    asked = answered = own = 0
    for form in FORMS:
        for term in (t for t in terms if t.lower() not in STOP_WORDS and any(ch.isalnum() for ch in t)):
            answer = answerer.answer(form.format(term))
            right = answer.found and is_entry_of(term, answer.text, most)
            asked, answered, own = asked + 1, answered + answer.found, own + right
            if not right:
                failures.append(f"  [{name}] {form.format(term)!r}: got {answer.text[:100]!r}")
    return asked, answered, own


def ask(document: Document, knowledge: Path, config, failures: list[str]) -> list[str]:
    """One document's row: the generated questions' figures, then the hand-made ones' by category."""
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import evaluate, load_cases
    from bot.kb.load import load_knowledge

    kb = load_knowledge(knowledge)
    answerer = build_answerer(config.with_knowledge(knowledge), kb)
    asked, answered, own = generated(answerer, kb.passages, failures, document.name)
    cells = [document.name, str(asked), percent(answered, asked), percent(own, asked)]
    path = handmade(document)
    cases = load_cases(path) if path.is_file() else []
    report = evaluate(answerer, cases)
    for category in ("definition", "detail"):
        chosen = [o for o in report.outcomes if o.case.category == category]
        cells.append(f"{sum(o.correct for o in chosen)} / {len(chosen)}" if chosen else "-")
        failures += [f"  [{document.name}] {o.case.question!r}: expect {list(o.case.expect)}; got {o.answer[:100]!r}"
                     for o in chosen if not o.correct]
    return cells + [subject(document, answerer, failures)]


def subject(document: Document, answerer, failures: list[str]) -> str:
    """The document's questions of eval/subjects.yaml (its name is their category): right of asked."""
    from bot.kb.evaluate import evaluate, load_cases

    outcomes = evaluate(answerer, [c for c in load_cases(SUBJECTS) if c.category == document.name]).outcomes
    failures += [f"  [{document.name}] {o.case.question!r}: expect {list(o.case.expect) or 'no answer'}; "
                 f"got {o.answer[:100]!r}" for o in outcomes if not o.correct]
    return f"{sum(o.correct for o in outcomes)} / {len(outcomes)}" if outcomes else "-"


def one_base(documents: list[Document], folder: Path, config_path: Path | None, config, failures: list[str]) -> str:
    """The subject questions of these documents asked of one base holding them all: right of asked."""
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import evaluate, load_cases
    from bot.kb.load import load_knowledge
    from benchmarks.realdocs_together import build_together

    knowledge, failed = build_together(documents, folder, config_path)
    if knowledge is None:
        return failed
    names = {d.name for d in documents}
    cases = list({c.question: c for c in load_cases(SUBJECTS) if c.category in names}.values())
    outcomes = evaluate(build_answerer(config.with_knowledge(knowledge), load_knowledge(knowledge)), cases).outcomes
    failures += [f"  [one base] {o.case.question!r}: expect {list(o.case.expect) or 'no answer'}; got {o.answer[:100]!r}"
                 for o in outcomes if not o.correct]
    return f"{sum(o.correct for o in outcomes)} of {len(outcomes)}"


HEADER = ["document", "generated questions", "answered", "by X's entry", "hand-made definition right",
          "hand-made detail right", "subject right"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    documents = TUNING + tuple(d for d in FRESH if d.path.is_file())
    names = [d.name for d in documents]
    parser.add_argument("--documents", nargs="+", choices=names, metavar="NAME", help=f"only these ({', '.join(names)})")
    parser.add_argument("--config", type=Path, help="the bot's configuration (default: the repository's config.yaml)")
    parser.add_argument("--failures", action="store_true", help="list the questions answered otherwise")
    parser.add_argument("--together", action="store_true", help="also the subject questions in one base of them all")
    args = parser.parse_args(argv)

    from bot.config import default_config_path, load_config

    started = time.perf_counter()
    config_path = args.config or default_config_path(REPO)
    config = load_config(config_path)
    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="factbot-entries-") as tmp:
        for document in (d for d in documents if not args.documents or d.name in args.documents):
            knowledge, failed = build(document, Path(tmp), config_path)
            rows.append([document.name, failed, "-", "-", "-", "-", "-"] if knowledge is None
                        else ask(document, knowledge, config, failures))
        chosen = [d for d in documents if not args.documents or d.name in args.documents]
        together = one_base(chosen, Path(tmp), config_path, config, failures) if args.together else ""
    print("What does X do: a term's own entry against the passages that mention it, on the tuning documents\n")
    print(markdown_table(HEADER, rows))
    if together:
        print(f"\nSubject questions in one base of every document: {together}")
    print(f"\nRun time: {time.perf_counter() - started:.1f} s")
    if args.failures:
        print("\nAnswered otherwise:\n" + "\n".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
