"""Measure answer quality on an evaluation set, per category, beside a plain TF-IDF baseline.

An evaluation file is YAML: `questions:` a list of {q, category, expect: [strings], found: false,
context: [earlier questions]}. A question is right when the bot's `found` matches and, for an
answerable one, its answer holds every expected string (case, quotes and spacing folded).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..core.context import Context
from ..core.pipeline import Answerer
from ..errors import KnowledgeError
from ..files import read_text
from .model import KnowledgeBase
from .yamlio import parse_yaml
from ..text import holds_all

ITEM_FIELDS = {"q", "category", "expect", "found", "context"}


@dataclass(frozen=True)
class Case:
    """One evaluation question."""

    question: str
    category: str
    expect: tuple[str, ...] = ()
    found: bool = True
    context: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Outcome:
    """The result of one case for one system."""

    case: Case
    correct: bool
    answer: str
    found: bool


@dataclass
class Report:
    """Accuracy per category for one system."""

    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def by_category(self) -> dict[str, tuple[int, int]]:
        """(right, total) per category, in first-seen order."""
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            row = table[outcome.case.category]
            row[0] += outcome.correct
            row[1] += 1
        return {k: (v[0], v[1]) for k, v in table.items()}

    def accuracy(self, category: str | None = None) -> float:
        """Fraction right overall or in one category."""
        chosen = [o for o in self.outcomes if category is None or o.case.category == category]
        return sum(o.correct for o in chosen) / len(chosen) if chosen else 0.0


def load_cases(path: Path | str) -> list[Case]:
    """Read and check an evaluation file, naming the line of any malformed entry."""
    path = Path(path)
    data = parse_yaml(read_text(path), path)
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise KnowledgeError("expected 'questions:' followed by a list", path, 1)
    cases = []
    for item in items:
        line = getattr(item, "line", None)
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise KnowledgeError("each entry needs a 'q' question text", path, line)
        unknown = set(item) - ITEM_FIELDS
        if unknown:
            raise KnowledgeError(f"unknown field '{sorted(unknown)[0]}'", path, line, hint=f"allowed: {', '.join(sorted(ITEM_FIELDS))}")
        expect = item.get("expect") or []
        found = item.get("found", True)
        if not isinstance(expect, list) or not all(isinstance(e, (str, int)) for e in expect) or not isinstance(found, bool):
            raise KnowledgeError("'expect' must be a list of strings and 'found' true or false", path, line)
        if found and not expect:
            raise KnowledgeError("an answerable question needs 'expect' strings", path, line, hint="or mark it found: false")
        context = item.get("context") or []
        if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
            # a bare string would be asked letter by letter as earlier turns
            raise KnowledgeError("'context' must be a list of earlier questions", path, line, hint='e.g. context: ["When?"]')
        cases.append(Case(item["q"], str(item.get("category", "general")), tuple(str(e) for e in expect), found,
                          tuple(context), line or 0))
    return cases


def is_correct(case: Case, found: bool, answer: str) -> bool:
    """The scoring rule: found must match, and an answer must hold every expected string."""
    if found != case.found:
        return False
    return holds_all(answer, case.expect)


def evaluate(answerer: Answerer, cases: Sequence[Case]) -> Report:
    """Run every case through the answerer, with its context turns asked first in a fresh session."""
    report = Report("bot")
    for case in cases:
        context = Context()
        for earlier in case.context:
            context = answerer.answer(earlier, context).context
        answer = answerer.answer(case.question, context)
        report.outcomes.append(Outcome(case, is_correct(case, answer.found, answer.text), answer.text, answer.found))
    return report


def paragraphs(kb: KnowledgeBase) -> list[str]:
    """The baseline's documents: the source documents' paragraphs, else the passages themselves."""
    out: list[str] = []
    base = Path(kb.path)
    for source in kb.sources.values():
        document = base / source.document if source.document else None
        if document is not None and document.is_file():
            text = document.read_text(encoding="utf-8")
            out.extend(p for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n|\n\s*\u2022", text)) if len(p) > 40)
    return out or [p.text for p in kb.passages]


def baseline(kb: KnowledgeBase, cases: Sequence[Case]) -> Report:
    """Plain scikit-learn TfidfVectorizer() over whole paragraphs, best cosine match, always answers."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = paragraphs(kb)
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(docs)
    report = Report("baseline")
    for case in cases:
        scores = (matrix @ vectorizer.transform([case.question]).T).toarray().ravel()
        best = docs[int(scores.argmax())]
        report.outcomes.append(Outcome(case, is_correct(case, True, best), best, True))
    return report


def table(reports: Sequence[Report]) -> str:
    """A plain-text table of accuracy per category, one column per system."""
    categories: list[str] = []
    for report in reports:
        categories.extend(c for c in report.by_category() if c not in categories)
    header = f"{'category':<14}{'n':>5}" + "".join(f"{r.name:>12}" for r in reports)
    lines = [header, "-" * len(header)]
    for category in categories:
        n = reports[0].by_category().get(category, (0, 0))[1]
        lines.append(f"{category:<14}{n:>5}" + "".join(f"{100 * r.accuracy(category):>11.1f}%" for r in reports))
    lines.append("-" * len(header))
    total = len(reports[0].outcomes)
    lines.append(f"{'overall':<14}{total:>5}" + "".join(f"{100 * r.accuracy():>11.1f}%" for r in reports))
    return "\n".join(lines)


def failures(report: Report, show: Callable[[Outcome], str] | None = None) -> list[str]:
    """One line per wrong answer, for tuning by category rather than by question."""
    out = []
    for o in report.outcomes:
        if not o.correct:
            expected = f"expect {list(o.case.expect)}" if o.case.found else "expect not found"
            out.append(f"[{o.case.category}] {o.case.question!r}: {expected}; got found={o.found}: {o.answer[:100]!r}")
    return out
