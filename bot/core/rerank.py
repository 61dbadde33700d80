"""Second stage: reorder the first stage's top candidates with a small learned model and say how sure it is.

The first stage (the TF-IDF index) finds the right passage among its top ten nine times in ten but
puts it first only two times in three. This stage reads those few candidates closely (features in
rerank_features.py: coverage of rare words by the sentence and its neighbours, closeness and order,
the kind of fact asked for, leaning on the sentence before). A linear model weighs these; a second
small model turns the winner's lead into a calibrated probability that it answers the question, so
the no-answer threshold is a probability the user can read.

Both models were fitted offline by benchmarks/train_rerank.py on the tuning sources (the SQuAD part
and the Mongolia tuning set, validated on held-out articles) and ship as plain numbers in
rerank_model.json beside this module; scoring needs only numpy. See docs/quality-experiments.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from ..errors import BotError
from ..kb.model import question_column, section_column
from .rerank_features import FEATURES, Candidate, features
from .rerank_near import Neighbourhood
from .rerank_question import CorpusStats
from .index_words import SavedIds
from .rerank_store import PassageWords, TextColumn

__all__ = ["CONFIDENCE_FEATURES", "FEATURES", "Candidate", "CorpusStats", "Linear", "Model", "RerankModelError",
           "Reranker", "Reranking", "confidence_rows", "features", "rerank_from_scores", "shipped_model"]

MODEL_FILE = Path(__file__).with_name("rerank_model.json")
MODEL_VERSION = 1


class RerankModelError(BotError):
    """The reranker's weights file is missing, unreadable or does not fit this code."""


@dataclass(frozen=True)
class Reranking:
    """The candidates' new order (indexes into the list given), a score and probability for each."""

    order: tuple[int, ...]
    scores: tuple[float, ...]  # the ranking model's score per candidate, in the order given
    probabilities: tuple[float, ...]  # per candidate, in the order given: that it answers the question

    @property
    def best(self) -> int | None:
        """The index of the chosen candidate, or None when there were none."""
        return self.order[0] if self.order else None

    @property
    def confidence(self) -> float:
        """The probability that the chosen candidate answers the question (0 when none)."""
        return self.probabilities[self.order[0]] if self.order else 0.0


@dataclass(frozen=True)
class Linear:
    """A standardised linear model: score = ((x - mean) / scale) . weights + bias."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def to_dict(self) -> dict:
        return {"features": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: Mapping, known: Sequence[str]) -> "Linear":
        names = tuple(data["features"])
        unknown = [n for n in names if n not in known]
        if unknown:
            raise RerankModelError(f"the reranker model uses features this code lacks: {', '.join(unknown)}; "
                                   "retrain it with benchmarks/train_rerank.py")
        arrays = [np.asarray(data[key], dtype=float) for key in ("mean", "scale", "weights")]
        if any(a.shape != (len(names),) for a in arrays) or not all(np.isfinite(a).all() for a in arrays):
            raise RerankModelError("the reranker model's numbers are not finite or do not match its feature list; "
                                   "retrain it with benchmarks/train_rerank.py")
        mean, scale, weights = arrays
        return cls(names, mean, np.where(scale > 0, scale, 1.0), weights, float(data.get("bias", 0.0)))


CONFIDENCE_FEATURES = ("rank_score", "margin", *FEATURES)


@dataclass(frozen=True)
class Model:
    """The ranking model, the confidence model over its output, and the threshold it was tuned with."""

    ranker: Linear
    confidence: Linear
    threshold: float = 0.5
    info: Mapping | None = None  # how and on what it was trained, for people

    def to_dict(self) -> dict:
        return {"version": MODEL_VERSION, "ranker": self.ranker.to_dict(), "confidence": self.confidence.to_dict(),
                "threshold": self.threshold, "info": dict(self.info or {})}

    @classmethod
    def from_dict(cls, data: Mapping) -> "Model":
        if not isinstance(data, Mapping) or data.get("version") != MODEL_VERSION:
            raise RerankModelError(f"the reranker model is not version {MODEL_VERSION}; "
                                   "retrain it with benchmarks/train_rerank.py")
        try:
            return cls(Linear.from_dict(data["ranker"], FEATURES),
                       Linear.from_dict(data["confidence"], CONFIDENCE_FEATURES),
                       float(data.get("threshold", 0.5)), dict(data.get("info") or {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise RerankModelError(f"the reranker model is malformed ({type(exc).__name__}: {exc}); "
                                   "retrain it with benchmarks/train_rerank.py") from None

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "Model":
        """Read a model saved as JSON (plain numbers: loading it runs no code)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise RerankModelError(f"cannot read the reranker model {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise RerankModelError(f"the reranker model {path} is not JSON: {exc}") from None
        return cls.from_dict(data)


def _columns(model_names: Sequence[str], names: Sequence[str]) -> np.ndarray | slice:
    """Where the model's features sit among the names (a copy in that order, as the model was fitted on)."""
    # All of them in order: every column, as a view (confidence_rows lays its rows out as that copy would be).
    if tuple(model_names) == tuple(names):
        return slice(None)
    where = {n: i for i, n in enumerate(names)}
    return np.array([where[n] for n in model_names], dtype=np.intp)


class Reranker:
    """The second stage: give it a question and the first stage's candidates, get them reordered."""

    def __init__(self, model: Model, stats: CorpusStats, curated: bool = False,
                 saved: tuple[Sequence, SavedIds] | None = None) -> None:
        self.model = model
        self.stats = stats
        self.curated = curated  # maintainers wrote questions for the passages (their words are then telling)
        self._ranker_columns = _columns(model.ranker.names, FEATURES)
        self._confidence_columns = _columns(model.confidence.names, CONFIDENCE_FEATURES)
        self._words: tuple[Sequence, PassageWords] | None = None  # the passages seen, and their words read so far
        self._near: tuple[Sequence, Neighbourhood] | None = None  # the passages seen, and their neighbours
        self._saved = saved  # the passages the index was built from, and the words the build read (index_words.py)

    def passage_words(self, passages: Sequence) -> PassageWords:
        """The passages' stemmed words (rerank_store.py): the index build's when it kept them for these passages,
        else each passage read the first time a question needs it and kept (a one-shot `ask` reads only its own)."""
        held = self._words  # one read of the pair: another thread may swap it meanwhile
        if held is not None and held[0] is passages:
            return held[1]
        saved = self._saved[1] if self._saved is not None and self._saved[0] is passages else None
        words = PassageWords(TextColumn(_text_reader(passages), len(passages)), section_column(passages),
                             question_column(passages), saved)
        self._words = (passages, words)  # two threads may both make one: each reads the same words
        return words

    def neighbourhood(self, passages: Sequence, reach: int) -> Neighbourhood:
        """Which passages around each one share its section (rerank_near.py), kept for these passages and reach."""
        held = self._near  # one read of the pair, as in passage_words
        if held is not None and held[0] is passages and held[1].reach == reach:
            return held[1]
        near = Neighbourhood(section_column(passages), reach)
        self._near = (passages, near)
        return near

    def prepare(self, passages: Sequence, reach: int) -> None:
        """Make the passages' word store and work out every passage's neighbours now (~5 ms at 59k): what the first
        reranked question, and each one's first sight of its candidates, would otherwise pay bits of."""
        self.passage_words(passages)
        self.neighbourhood(passages, reach).fill()

    def warm(self, passages: Sequence, reach: int | None = None) -> None:
        """Read every passage's words now (a long-running front end, in the background), so later questions read none;
        with the neighbours' reach, which passages around each share its section too."""
        self.passage_words(passages).read_all()
        if reach is not None:
            self.neighbourhood(passages, reach).fill()

    def rank(self, question: str, candidates: Sequence[Candidate], content_words: Sequence[str] | None = None,
             expansions: Sequence[tuple[str, Sequence[str]]] = (), words: PassageWords | None = None) -> Reranking:
        """Reorder candidates (given best first by the first stage) and give each a probability.

        `content_words` are the question's words as the first stage read them (spelling corrected,
        stop words out); without them the question's own content words are used. `expansions` are the
        synonyms and acronyms the first stage added: (the user's phrase, the phrases meaning the same).
        `words` holds the passages' stems read before (else each text is read here).
        """
        if not candidates:
            return Reranking((), (), ())
        x = features(question, candidates, self.stats, content_words, expansions, self.curated, words)
        scores = self.model.ranker(x[:, self._ranker_columns])
        return Reranking(*rerank_from_scores(self.model, x, scores, self._confidence_columns))


def _text_reader(passages: Sequence) -> Callable[[int], str]:
    """A passage's text by place; a snapshot's passages decode theirs without building the passage."""
    text_at = getattr(passages, "text_at", None)
    return text_at if text_at is not None else (lambda n: passages[n].text)


def confidence_rows(x: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The confidence model's inputs: each candidate's ranking score, its lead over the best other one, its features."""
    # The lead is negative when it is not first. Laid out column by column, as `rows[:, columns]` copies them,
    # so the model's product sums in the same order either way.
    listed = scores.tolist()
    if len(listed) > 1:
        second, first = sorted(listed)[-2:]
        leads = [v - (second if v >= first else first) for v in listed]
    else:
        leads = [v - (v - 1.0) for v in listed]  # a lone candidate leads by a fixed margin (its ranker score decides)
    rows = np.empty((len(listed), x.shape[1] + 2), order="F")
    rows[:, 0], rows[:, 1], rows[:, 2:] = scores, leads, x
    return rows


def rerank_from_scores(model: Model, x: np.ndarray, scores: np.ndarray, columns: Sequence[int] | slice | None = None
                       ) -> tuple[tuple[int, ...], tuple[float, ...], tuple[float, ...]]:
    """Order by ranking score (ties keep the first stage's order); probability = 1 / (1 + exp(-clip(logit, -30, 30)))."""
    # The exponential in numpy (its own rounding), the rest on ten Python floats.
    listed = scores.tolist()
    order = tuple(sorted(range(len(listed)), key=lambda i: -listed[i]))  # stable: ties keep the first stage's order
    rows = confidence_rows(x, scores)
    if columns is None:
        columns = _columns(model.confidence.names, CONFIDENCE_FEATURES)
    logits = model.confidence(rows[:, columns]).tolist()
    exps = np.exp([-min(max(v, -30.0), 30.0) for v in logits]).tolist()
    return order, tuple(listed), tuple([1.0 / (1.0 + v) for v in exps])


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The model shipped beside this module, read once."""
    return Model.load(MODEL_FILE)
