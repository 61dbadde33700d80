"""Does pseudo-relevance feedback pay, or a section heading weighed as its own field? The first stage's best
passages lend their most weighted terms to the question (Rocchio / RM3 in the index's own vector space), or a
heading word counts `--heading` times a text word; then a tuning benchmark runs in this process with it patched in.

    python benchmarks/prf_experiment.py realdocs --feedback 3 --terms 10 --beta 0.3        # the tuning documents
    python benchmarks/prf_experiment.py eval --feedback 3 --terms 10 --beta 0.3            # Mongolia tuning set
    python benchmarks/prf_experiment.py squad --feedback 3 --terms 10 --beta 0.3
    python benchmarks/prf_experiment.py realdocs --feedback 3 --unknown-only --beta 0.6    # only for unknown words
    python benchmarks/prf_experiment.py realdocs --feedback 3 --scores original --order expanded
    python benchmarks/prf_experiment.py realdocs --heading 1                               # heading as the text

The feedback, written out: the first stage's `--feedback` best passages R (their scores s_d) give each term t
they hold that the question lacks the weight c(t) = sum_{d in R} s_d / sum s * w(d, t), w the index's own stored
weight (the passage's normalised TF-IDF); the `--terms` heaviest (held by at least `--min-docs` of R) join the
query with the normalised component beta * c(t), as Rocchio's q' = q/|q| + beta * centroid(R) does; the query's
length and known share stay the question's. `--scores original` keeps each passage's score under the question
alone (the second stage and the threshold read that), so the feedback moves only which passages are candidates
and (`--order expanded`) their order. `--heading H` builds the index with w(d, t) = f(tf_text + H tf_heading) idf(t) /
norm(d) (BM25F's weighted term count), f(x) = 1 + ln x, and x under 1 (the sublinear TF-IDF the tuning documents and
Mongolia use; shipped as IndexSettings.section_weight 0.85, measured here before it was; 1 is the index before).
Figures only; the product is not changed. Results: docs/quality-experiments.md, "Pseudo-relevance feedback".
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import defaultdict
from pathlib import Path
from typing import Mapping, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import run_quality  # noqa: E402
from bot.text import content_stems, words  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Feedback:
    """How the feedback is taken and used (the command line's switches)."""

    docs: int = 3
    terms: int = 10
    beta: float = 0.3
    min_docs: int = 1
    unknown_only: bool = False
    scores: str = "expanded"  # or "original": each passage keeps its score under the question alone
    order: str = "expanded"  # with original scores: "expanded" keeps the feedback's order, "original" re-sorts


def feedback_terms(index, passages: Sequence, own: Mapping[str, float], matches: Sequence,
                   feedback: Feedback) -> list[tuple[str, float]]:
    """The heaviest terms of the best passages that the question does not hold: (term, c(t)), heaviest first."""
    top = list(matches[:feedback.docs])
    total = sum(m.score for m in top)
    if not top or total <= 0:
        return []
    weight, held = defaultdict(float), defaultdict(int)
    for m in top:
        passage = passages[m.position]
        for term in set(content_stems(words(passage.text))) | set(content_stems(words(passage.section))):
            if term not in own and term in index.vocabulary:
                weight[term] += m.score / total * index.value(m.position, term)
                held[term] += 1
    chosen = sorted(((-c, t) for t, c in weight.items() if held[t] >= feedback.min_docs and c > 0))
    return [(t, -c) for c, t in chosen[:feedback.terms]]


def expanded_weights(index, query, chosen: list[tuple[str, float]], beta: float) -> dict[str, float]:
    """The query's weights u(t) with each feedback term at the u(t) that gives it the normalised component
    beta * c(t): u(t) idf(t) / |q| = beta c(t)."""
    norm = index.query_norm(query.norm_terms)
    weights = dict(query.weights)
    for term, c in chosen:
        weights[term] = beta * c * norm / index.query_factor(term)
    return weights


def patch(feedback: Feedback | None, heading: float | None = None) -> None:
    """Put the feedback (and the heading's weight) into the answer pipeline of this process."""
    if heading is not None:
        _patch_heading(heading)
    if feedback is None:
        return
    from bot.core import hits as stage, pipeline

    search, places = stage.search, {}
    answerer_init = pipeline.Answerer.__init__

    def init(self, kb, *args, **kwargs):
        answerer_init(self, kb, *args, **kwargs)
        places[id(kb.passages)] = kb.positions

    def searched(index, passages, query, k, settings, only=None):
        base = search(index, passages, query, k, settings, only)
        if feedback.unknown_only and not query.unknown:
            return base
        depth = k * (settings.subject_depth if only is not None else 1)
        matches = index.rank(query.weights, query.norm_terms, depth, query.own, query.groups, settings.rescore_depth,
                             query.known_share)
        matches = [m for m in matches if only is None or only[m.position]]
        chosen = feedback_terms(index, passages, query.weights, matches, feedback)
        if not chosen:
            return base
        wider = dataclasses.replace(query, weights=expanded_weights(index, query, chosen, feedback.beta), groups=())
        found = search(index, passages, wider, k, settings, only)
        if feedback.scores == "expanded":
            return found
        norm, positions = index.query_norm(query.norm_terms), places[id(passages)]
        kept = tuple(stage.Hit(h.id, h.section, h.text, _score(index, query, norm, positions[h.id])) for h in found)
        return kept if feedback.order == "expanded" else tuple(sorted(kept, key=lambda h: -h.score))

    pipeline.Answerer.__init__ = init
    pipeline.search = searched


def _score(index, query, norm: float, position: int) -> float:
    """A passage's first-stage score under the question alone (expansions counted per term, not per group)."""
    total = sum(u * index.query_factor(t) * index.value(position, t) for t, u in query.weights.items())
    return min(1.0, total / norm) * query.known_share if norm > 0 else 0.0


def _patch_heading(heading: float) -> None:
    """Build the short passages' (TF-IDF) index with a heading word weighing `heading` times a text word's, instead of
    the shipped IndexSettings.section_weight; the fingerprint holds the settings, so no saved index is reused."""
    from bot.core import index_build

    index_build.SCORING["tfidf"] = dataclasses.replace(index_build.SCORING["tfidf"], section_weight=heading)


def main(argv: list[str] | None = None) -> None:
    """Patch the feedback (or the heading's weight) in, then run one tuning benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", choices=("realdocs", "eval", "squad"))
    parser.add_argument("--feedback", type=int, default=0, help="best passages the feedback reads (0: no feedback)")
    parser.add_argument("--terms", type=int, default=10, help="feedback terms added at most")
    parser.add_argument("--beta", type=float, default=0.3, help="Rocchio's weight of the feedback centroid")
    parser.add_argument("--min-docs", type=int, default=1, help="feedback passages a term must be in")
    parser.add_argument("--unknown-only", action="store_true", help="only for a question with a word the index lacks")
    parser.add_argument("--scores", choices=("expanded", "original"), default="expanded")
    parser.add_argument("--order", choices=("expanded", "original"), default="expanded")
    parser.add_argument("--heading", type=float, help="a heading word's weight against a text word's (default: shipped)")
    parser.add_argument("--together", action="store_true", help="realdocs: also every tuning document in one base")
    args = parser.parse_args(argv)
    feedback = (Feedback(args.feedback, args.terms, args.beta, args.min_docs, args.unknown_only, args.scores,
                         args.order) if args.feedback > 0 else None)
    patch(feedback, args.heading)
    run_quality(args.benchmark, args.together)


if __name__ == "__main__":
    main()
