"""When may the second stage be skipped? Every tuning question answered twice: the first stage's answer kept
(the stage skipped) and the stage run, with the first stage's signals at the moment `hits.decisive` decides.

Tuning data only: the SQuAD part (shipped model, as squad.py), the Mongolia tuning set (as `bot eval`),
and the Debian synopsis queries of scale.py (58,938 passages, 500 queries). A rule over the signals is
then judged offline: a question it skips gets its skipped outcome, the rest their reranked one (exact for
questions with one search; a Mongolia question with context turns is judged with the mode forced on every
turn, which the printed check on the full path confirms).

    python benchmarks/skip_signals.py --out /tmp/skip_rows.jsonl [--sets squad,mongolia,debian,realdocs]

`realdocs` adds the real tuning documents (benchmarks/realdocs.py --tuning), graded as `bot eval` grades.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DEFAULT_CORPUS, REPO, queries, read_corpus, subset, write_knowledge

MODE = {"mode": "current"}  # "skip": every search keeps the first stage; "rerank": every search is reranked
SEEN: list[dict] = []  # the signals of each search of the question being asked
LAST: dict = {}  # the query and answerer of the search under way


def signals(answerer, query, hits, question: str) -> dict:
    """The first stage's general signals for one search: scores, margins, coverage, the question's terms."""
    from bot.core.decision import passage_coverage
    from bot.core.phrasing import wanted_kind
    from bot.text import negated, stem, words

    index, positions = answerer.index, answerer.kb.positions
    scores = [h.score for h in hits]
    s1 = scores[0] if scores else 0.0
    s2 = scores[1] if len(scores) > 1 else 0.0
    covs = [passage_coverage(query, index, positions[h.id]) for h in hits[:10]]
    stems = list(dict.fromkeys(stem(t) for t in query.tokens))
    idfs = [index.idf_of(s) for s in stems]
    held = [index.has(positions[hits[0].id], s) for s in stems] if hits else []
    median_idf = sorted(idfs)[len(idfs) // 2] if idfs else 0.0
    rare_held = all(h for h, i in zip(held, idfs) if i >= median_idf) if held else False
    rarest_held = held[idfs.index(max(idfs))] if held else False
    return {
        "n": len(hits), "s1": s1, "s2": s2, "s3": scores[2] if len(scores) > 2 else 0.0,
        "s5": scores[4] if len(scores) > 4 else 0.0, "ratio": s2 / s1 if s1 else 1.0,
        "close": sum(s >= 0.9 * s1 for s in scores[1:]) if s1 else 0,
        "ntok": len(query.tokens), "nstems": len(stems), "nwords": len(words(question)), "known": query.known_share,
        "nexp": len(query.expansions), "nunk": len(query.unknown), "carried": bool(query.carried),
        "typed": wanted_kind(question) is not None, "negated": negated(question),
        "cov1": covs[0] if covs else 0.0, "cov2": covs[1] if len(covs) > 1 else 0.0,
        "covmax": max(covs) if covs else 0.0, "cov_top": bool(covs) and covs[0] >= max(covs) - 1e-9,
        "cov_rank": sum(c > covs[0] + 1e-9 for c in covs[1:]) if covs else 0,
        "rare_held": rare_held, "rarest_held": rarest_held, "all_held": bool(held) and all(held),
        "held_share": sum(held) / len(held) if held else 0.0,
        "idf_sum": sum(idfs), "idf_max": max(idfs, default=0.0), "max_idf": index.max_idf,
        "len1": len(hits[0].text) if hits else 0, "top": hits[0].id if hits else None,
    }


def install() -> None:
    """Route `decisive` through MODE and record the signals of every search."""
    import bot.core.pipeline as pipeline

    original_decisive, original_search, original_rerank = pipeline.decisive, pipeline.search, pipeline.rerank

    def search(index, passages, query, k, settings):
        LAST["query"] = query
        return original_search(index, passages, query, k, settings)

    def decisive(hits, settings, question="", *signals_of_the_index):
        row = signals(LAST["answerer"], LAST["query"], hits, question)
        row["current"] = original_decisive(hits, settings, question, *signals_of_the_index)
        SEEN.append(row)
        if MODE["mode"] == "current":
            return row["current"]
        return MODE["mode"] == "skip" and bool(hits)

    def rerank(reranker, passages, positions, query, hits, settings):
        out = original_rerank(reranker, passages, positions, query, hits, settings)
        if SEEN:
            SEEN[-1]["rr_top"] = out[0].id if out else None
            SEEN[-1]["rr_p1"] = out[0].score if out else 0.0
        return out

    pipeline.search, pipeline.decisive, pipeline.rerank = search, decisive, rerank


def both(answer) -> dict:
    """The question asked with the stage skipped and with it run: signals (first search) and both outcomes."""
    out = {}
    for mode in ("skip", "rerank"):
        MODE["mode"] = mode
        SEEN.clear()
        out[mode] = answer()
        out[f"{mode}_searches"] = list(SEEN)
    MODE["mode"] = "current"
    first = out["skip_searches"][-1] if out["skip_searches"] else {}
    reranked = out["rerank_searches"][-1] if out["rerank_searches"] else {}
    row = dict(first)
    row["rr_top"], row["rr_p1"] = reranked.get("rr_top"), reranked.get("rr_p1", 0.0)
    row["searches"] = len(out["skip_searches"])
    return row, out["skip"], out["rerank"]


def squad_rows(config, write) -> None:
    """Every SQuAD question on its own article, graded as squad.py grades it."""
    from benchmarks.squad import DEFAULT_SQUAD, ask_bot, foreign_questions, grade, import_article, read_squad

    articles = read_squad(DEFAULT_SQUAD)
    with tempfile.TemporaryDirectory(prefix="factbot-skip-") as tmp:
        for number, article in enumerate(articles):
            built = import_article(article, Path(tmp) / f"article-{number}", config)
            LAST["answerer"] = built.answerer
            asked = ([(q, "answerable") for q in article.answerable] + [(q, "adversarial") for q in article.adversarial]
                     + [(q, "foreign") for q in foreign_questions(articles, article)])
            for question, kind in asked:
                row, skip, rerank = both(lambda: grade(ask_bot(built.answerer, question.text), question, kind))
                write({"set": "squad", "group": article.title, "kind": kind, "q": question.text, **row,
                       "skip": {k: skip[k] for k in ("answered", "top1", "right")},
                       "rerank": {k: rerank[k] for k in ("answered", "top1", "right")}})


def mongolia_rows(config, write) -> None:
    """The Mongolia tuning set as `bot eval` asks it (context turns first), right as it grades."""
    from bot.core.context import Context
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import is_correct, load_cases

    answerer = build_answerer(config)
    LAST["answerer"] = answerer

    def outcome(case):
        context = Context()
        for earlier in case.context:
            context = answerer.answer(earlier, context).context
        answer = answerer.answer(case.question, context)
        return {"right": is_correct(case, answer.found, answer.text), "answered": answer.found,
                "top": answer.sources[0].id if answer.sources else None}

    for number, case in enumerate(load_cases(REPO / "eval" / "mongolia.yaml")):
        row, skip, rerank = both(lambda: outcome(case))
        write({"set": "mongolia", "group": case.category, "kind": case.category, "q": case.question,
               "context": len(case.context), **row, "skip": skip, "rerank": rerank})


def debian_rows(config, write, size: int = 58938, count: int = 500) -> None:
    """scale.py's Debian questions (synopses) over all the descriptions; right when the top passage is the package's."""
    from bot.core.index import TfidfIndex
    from bot.core.index_build import choose_scoring
    from bot.core.pipeline import Answerer
    from bot.kb.load import load_knowledge
    from bot.kb.model import MAX_TEXT_CHARS

    records = subset(read_corpus(DEFAULT_CORPUS), size)
    asked = queries(records, count)
    with tempfile.TemporaryDirectory(prefix="factbot-skip-") as tmp:
        path = write_knowledge(records, Path(tmp) / "debian.jsonl")
        records = None
        kb = load_knowledge(path)
        config = config.with_knowledge(path)
        answerer = Answerer(kb, TfidfIndex.build(kb.passages, choose_scoring(config.retrieval.scoring, kb.passages,
                                                                              MAX_TEXT_CHARS)), config)
        LAST["answerer"] = answerer

        def outcome(question, expected):
            answer = answerer.answer(question)
            top = answer.passage_ids[0] if answer.passage_ids else (answer.sources[0].id if answer.sources else None)
            return {"top1": top == expected, "answered": answer.found, "top": top}

        for question, expected in asked:
            row, skip, rerank = both(lambda: outcome(question, expected))
            write({"set": "debian", "group": "debian", "kind": "debian", "q": question, **row,
                   "skip": skip, "rerank": rerank})


def realdocs_rows(config, write) -> None:
    """The real tuning documents of realdocs.py --tuning (never the held-out ones), each imported as that script does."""
    from benchmarks.realdocs import TUNING, build
    from bot.config import default_config_path
    from bot.core.pipeline import build_answerer
    from bot.kb.evaluate import is_correct, load_cases
    from bot.kb.load import load_knowledge

    with tempfile.TemporaryDirectory(prefix="factbot-skip-") as tmp:
        for document in TUNING:
            knowledge, failed = build(document, Path(tmp), default_config_path(REPO))
            if knowledge is None:
                continue
            answerer = build_answerer(config.with_knowledge(knowledge), load_knowledge(knowledge))
            LAST["answerer"] = answerer

            def outcome(case):
                answer = answerer.answer(case.question)
                return {"right": is_correct(case, answer.found, answer.text), "answered": answer.found,
                        "top": answer.sources[0].id if answer.sources else None}

            for case in load_cases(REPO / document.questions):
                row, skip, rerank = both(lambda: outcome(case))
                write({"set": "realdocs", "group": document.name, "kind": case.category, "q": case.question,
                       **row, "skip": skip, "rerank": rerank})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, one per question")
    parser.add_argument("--sets", default="squad,mongolia,debian")
    args = parser.parse_args(argv)
    from bot.config import default_config_path, load_config

    config = load_config(default_config_path(REPO))
    install()
    with args.out.open("w", encoding="utf-8") as handle:
        def write(row):
            handle.write(json.dumps(row, default=lambda v: v.item() if hasattr(v, "item") else str(v)) + "\n")
        for name in args.sets.split(","):
            {"squad": squad_rows, "mongolia": mongolia_rows, "debian": debian_rows,
             "realdocs": realdocs_rows}[name](config, write)
            handle.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
