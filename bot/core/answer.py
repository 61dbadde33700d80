"""The answer: everything a front end shows, decided in the core, so every front end shows the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .context import Context
from .hits import Hit

# The kinds of answer that searched the knowledge; the rest are replies (small talk, help, ...).
SEARCHED = ("answer", "unknown")


@dataclass(frozen=True)
class Why:
    """How an answer came about: the terms matched, corrections, expansions and runner-ups."""

    matched: tuple[str, ...] = ()
    corrected: tuple[tuple[str, str], ...] = ()
    expansions: tuple[tuple[str, str, str], ...] = ()
    context: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    score: float = 0.0
    coverage: float = 0.0
    threshold: float = 0.0
    runners_up: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class Alternative:
    """Another passage worth offering beside the answer (Telegram's inline results), with its source."""

    hit: Hit
    citation: str
    url: str = ""


@dataclass(frozen=True)
class Answer:
    """What the user gets: the answer text, whether it came from the knowledge, its sources, and
    what a front end offers around it (suggestions, nearby sections, alternatives, the explanation)."""

    found: bool
    text: str
    kind: str  # answer | unknown | smalltalk | help | empty | too_long | not_english
    score: float = 0.0
    sources: tuple[Hit, ...] = ()
    citation: str = ""
    passage_ids: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    why: Why = field(default_factory=Why)
    context: Context = field(default_factory=Context, compare=False, repr=False)
    source_url: str = ""  # the answer's source document, when known (a front end links only http(s))
    unsure: bool = False  # answered, but close to the threshold: `nearby` sections are worth offering
    nearby: tuple[str, ...] = ()  # sections of close runner-ups in other topics ("did you mean")
    alternatives: tuple[Alternative, ...] = ()  # other passages above the floor, best first
    # The explanation's lines (`why`, Telegram's 'why?') are made when first read, not for every answer.
    # (The alternatives stay eager: made later they would keep the knowledge base that made them alive
    # in Telegram's button store after a reload.)
    why_chars: int = field(default=90, compare=False, repr=False)  # of a runner-up's text `why_lines` quotes (settings)

    @cached_property
    def why_lines(self) -> tuple[str, ...]:
        """The explanation, one line each."""
        return explain(self.kind, self.found, self.why, self.why_chars)

    def to_dict(self) -> dict:
        """The stable JSON shape of an answer (the JSON-lines contract)."""
        return {
            "found": self.found, "answer": self.text, "kind": self.kind, "score": round(self.score, 4),
            "sources": [{"id": h.id, "section": h.section, "text": h.text, "score": round(h.score, 4)} for h in self.sources],
            "citation": self.citation, "passage_ids": list(self.passage_ids), "suggestions": list(self.suggestions),
            "why": _why_dict(self.why),
        }


def explain(kind: str, found: bool, why: Why, text_chars: int) -> tuple[str, ...]:
    """The explanation of an answer: matched and corrected words, expansions, score and runner-ups."""
    if kind not in SEARCHED:
        said = {"not_english": "a question in another language than English"}.get(kind, kind.replace("_", " "))
        return (f"That was {said}, not a search of the knowledge.",)
    lines = [f"score {why.score:.3f} (threshold {why.threshold:.3f}) -> {'answered' if found else 'not answered'}; "
             f"the best passage holds {why.coverage:.0%} of the question"]
    lines.append("matched terms: " + (", ".join(why.matched) or "none"))
    if why.corrected:
        lines.append("corrected: " + ", ".join(f"{a} -> {b}" for a, b in why.corrected))
    if why.unknown:
        lines.append("unknown words: " + ", ".join(why.unknown))
    if why.expansions:
        lines.append("expanded: " + "; ".join(f"{p} -> {a} ({k})" for p, a, k in why.expansions))
    if why.context:
        lines.append("carried from the previous question: " + ", ".join(why.context))
    for hit in why.runners_up:
        lines.append(f"runner-up {hit.id} ({hit.score:.3f}): {hit.text[:text_chars]}")
    return tuple(lines)


def _why_dict(why: Why) -> dict:
    """The explanation's JSON shape: pairs and triples as named fields, scores rounded (field by field:
    dataclasses.asdict deep-copies every runner-up only for it to be replaced)."""
    return {
        "matched": list(why.matched), "corrected": [{"from": a, "to": b} for a, b in why.corrected],
        "expansions": [{"phrase": p, "added": a, "kind": k} for p, a, k in why.expansions],
        "context": list(why.context), "unknown": list(why.unknown), "score": round(why.score, 4),
        "coverage": why.coverage, "threshold": why.threshold,
        "runners_up": [{"id": h.id, "score": round(h.score, 4)} for h in why.runners_up],
    }
