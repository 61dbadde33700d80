"""Several documents in one knowledge base, as a maintainer's usually is: `realdocs.py --tuning --together`.

Every chosen document is imported into ONE knowledge base by the product's own commands (`kb init`, then
`kb import FILE --yes` for each in turn), and every document's question set is asked against it. A question
is graded as in the one-base-per-document run (`found` must match, the answer must hold every expected string)
and, besides, the answer's passages must come from the question's own document: a sources' mix-up ("the
licence of libtasn1" answered with another package's licence) is wrong even when its words match. Documents
sharing a question set (gzip's man page as roff source and as rendered text) count as one document: either's
passage is right. bm25s answers over the same combined passages, with the same two checks and its own
oracle threshold. The figures are printed beside each document's own-base figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import REPO, markdown_table
from benchmarks.realdocs import Document, Outcome, Run, best_threshold, steps
from benchmarks.realdocs_report import bm25s_right, percent
from benchmarks.squad import bm25s_scorer


@dataclass(frozen=True)
class Together:
    """The combined base's run: each document's outcomes, where each answer came from, or why the import failed."""

    passages: int = 0
    failed: str = ""
    runs: tuple[Run, ...] = ()
    sources: tuple[tuple[str, ...], ...] = ()  # per outcome (in runs' order): the documents the bot's answer came from


def build_together(documents: list[Document], folder: Path, config: Path | None) -> tuple[Path | None, str]:
    """Init one knowledge folder and import every document into it in turn: the folder, or what stopped it."""
    commands = [("kb", "init")] + [("kb", "import", str(d.path), "--yes") for d in documents]
    return steps(folder / "together", commands, config)


def owners(documents: list[Document], kb) -> dict[str, str]:
    """Each source id of the combined base -> the document it was imported from (matched by the kept file's name)."""
    from bot.kb.documents import document_name

    by_file = {document_name(d.path): d.name for d in documents}
    return {sid: by_file.get(Path(source.document).name, "") for sid, source in kb.sources.items()}


NAMED = "eval/tuning-together.yaml"  # questions naming their document's subject; each one's category is its document


def ask_together(documents: list[Document], knowledge: Path, config) -> Together:
    """Every document's questions against the one base (then the named-subject set's, as one more row): the bot's
    answers, the documents they came from, and bm25s's."""
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import load_cases
    from bot.kb.load import load_knowledge

    kb = load_knowledge(knowledge)
    answerer = build_answerer(config.with_knowledge(knowledge), kb)
    owner = owners(documents, kb)
    texts = [p.text for p in kb.passages]
    bm25s = (texts, [owner.get(p.source, "") for p in kb.passages], bm25s_scorer(texts))
    named = [c for c in load_cases(REPO / NAMED) if c.category in {d.name for d in documents}]
    asked = [(d, load_cases(REPO / d.questions)) for d in documents]
    asked.append((Document("named subject", "", NAMED, NAMED), named))
    runs, sources = [], []
    for document, cases in asked:
        outcomes = []
        for case in cases:
            own = next((d for d in documents if d.name == case.category), document)
            same = {d.name for d in documents if d.questions == own.questions}
            outcome, came_from = _one(case, own, same, answerer, kb, owner, bm25s)
            outcomes.append(outcome)
            sources.append(came_from)
        runs.append(Run(document, len(texts), 0, "", tuple(outcomes)))
    return Together(len(texts), "", tuple(runs), tuple(sources))


def _one(case, document: Document, same: set[str], answerer, kb, owner: dict[str, str], bm25s) -> tuple[Outcome, tuple[str, ...]]:
    """One question: the bot right only from the right document, bm25s's best passage likewise."""
    from bot.core.context import Context
    from bot.kb.evaluate import is_correct
    from bot.text import holds_all

    texts, documents_of, scores = bm25s
    context = Context()
    for earlier in case.context:
        context = answerer.answer(earlier, context).context
    answer = answerer.answer(case.question, context)
    came_from = tuple(dict.fromkeys(owner.get(kb.by_id(pid).source, "") for pid in answer.passage_ids if kb.by_id(pid)))
    right = is_correct(case, answer.found, answer.text) and (not answer.found or set(came_from) <= same)
    values = scores(case.question)
    best = int(values.argmax())
    holds = bool(case.expect) and holds_all(texts[best], case.expect) and documents_of[best] in same
    held = any(holds_all(t, case.expect) and d in same for t, d in zip(texts, documents_of)) if case.expect else True
    outcome = Outcome(document.name, case.question, case.expect, case.found, right,
                      answer.text if answer.found else "", float(values[best]), holds, held, case.category)
    return outcome, came_from


def run_together(chosen: list[Document], folder: Path, config_path: Path | None, config) -> Together:
    """Build the one base in `folder` and ask it everything, or say why the import failed."""
    knowledge, failed = build_together(chosen, folder, config_path)
    return Together(failed=failed) if knowledge is None else ask_together(chosen, knowledge, config)


def _share(outcomes, right) -> tuple[int, int]:
    return sum(map(right, outcomes)), len(outcomes)


def together_report(alone: list[Run], together: Together) -> str:
    """Per document: the bot and bm25s in its own base beside the same in the one base of every document."""
    if together.failed:
        return f"\nAll documents in one knowledge base: {together.failed}"
    solo = best_threshold([o for run in alone for o in run.outcomes])
    joint = best_threshold([o for run in together.runs[:len(alone)] for o in run.outcomes])
    rows, totals = [], [[0, 0] for _ in range(4)]
    for own, run in zip(alone, together.runs):
        figures = [_share(own.outcomes, lambda o: o.bot_right), _share(run.outcomes, lambda o: o.bot_right),
                   _share(own.outcomes, lambda o: bm25s_right(o, solo)),
                   _share(run.outcomes, lambda o: bm25s_right(o, joint))]
        for total, (right, count) in zip(totals, figures):
            total[0] += right
            total[1] += count
        rows.append([run.document.name, str(own.passages), *(f"{r} ({percent(r, n)})" for r, n in figures)])
    rows.append(["all", str(together.passages), *(f"{r} of {n} ({percent(r, n)})" for r, n in totals)])
    for run in together.runs[len(alone):]:  # the named-subject set, asked of the one base only
        bot, bm25s = _share(run.outcomes, lambda o: o.bot_right), _share(run.outcomes, lambda o: bm25s_right(o, joint))
        rows.append([f"{run.document.name} ({run.document.file})", "", "-", f"{bot[0]} of {bot[1]} ({percent(*bot)})",
                     "-", f"{bm25s[0]} of {bm25s[1]} ({percent(*bm25s)})"])
    header = ["document", "passages (own base; one base: all)", "factbot, own base", "factbot, one base",
              "bm25s, own base", "bm25s, one base"]
    return "\n".join(["", f"All {len(alone)} documents imported into ONE knowledge base (kb init, then kb "
                      "import of each), every question asked against it; right only from the question's own document",
                      "", markdown_table(header, rows), "",
                      f"bm25s thresholds (oracle): own bases {solo:.4g}, one base {joint:.4g}."])


def together_wrong(together: Together) -> str:
    """The questions the bot got wrong in the one base, with the documents its answer came from."""
    lines = ["", "Questions factbot got wrong in the one base:"]
    outcomes = [o for run in together.runs for o in run.outcomes]
    for o, came_from in zip(outcomes, together.sources):
        if not o.bot_right:
            expected = f"expect {list(o.expect)}" if o.found else "expect a decline"
            origin = f" from {', '.join(came_from)}" if o.bot_answer else ""
            lines.append(f"  [{o.document}] {o.question!r}: {expected}; got{origin} {o.bot_answer[:100]!r}")
    return "\n".join(lines)


def together_of(chosen: list[Document], config_path: Path | None) -> Together:
    """The one-base run in a temporary folder of its own, with the bot's configuration."""
    import tempfile

    from bot.config import load_config

    with tempfile.TemporaryDirectory(prefix="factbot-together-") as tmp:
        return run_together(chosen, Path(tmp), config_path, load_config(config_path))
