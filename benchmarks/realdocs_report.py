"""The real-document benchmark's shared report pieces (realdocs.py and realdocs_together.py): bm25s's verdict,
the share format, the figures per category and the list of the questions the bot got wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks.common import markdown_table

if TYPE_CHECKING:  # realdocs.py imports this module
    from benchmarks.realdocs import Outcome, Run


def bm25s_right(outcome: Outcome, threshold: float) -> bool:
    """bm25s answers when its best score is above the threshold: right when that matches the question."""
    answered = outcome.bm25s_score > threshold
    return answered and outcome.bm25s_holds if outcome.found else not answered


def percent(right: int, total: int) -> str:
    return f"{100 * right / total:.1f}%" if total else "-"


def by_category(runs: list[Run], threshold: float) -> str:
    """Each category's share right over the documents run, for both systems: what a change to the method moves."""
    outcomes = [o for run in runs for o in run.outcomes]
    rows = []
    for category in dict.fromkeys(o.category for o in outcomes):
        chosen = [o for o in outcomes if o.category == category]
        rows.append([category, str(len(chosen)), percent(sum(o.bot_right for o in chosen), len(chosen)),
                     percent(sum(bm25s_right(o, threshold) for o in chosen), len(chosen))])
    return "\n" + markdown_table(["category", "questions", "factbot", "bm25s"], rows)


def wrong(runs: list[Run]) -> str:
    """The questions the bot got wrong, for reading, never for tuning on."""
    lines = ["", "Questions factbot got wrong:"]
    for run in runs:
        for o in run.outcomes:
            if not o.bot_right:
                expected = f"expect {list(o.expect)}" if o.found else "expect a decline"
                lines.append(f"  [{o.document}] {o.question!r}: {expected}; got {o.bot_answer[:120]!r}")
    return "\n".join(lines)
