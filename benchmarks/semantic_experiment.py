"""Does a meaning feature pay? Cross-validate the second stage with and without word-embedding columns, on the
same candidates, folds and process as benchmarks/train_rerank.py; and time those columns at Debian scale.

    python benchmarks/train_rerank.py --no-write --save /tmp/cands.json.gz   # collect the candidates once
    python benchmarks/semantic_experiment.py --data /tmp/cands.json.gz       # the table (about 3 minutes)
    python benchmarks/semantic_experiment.py --cost                          # ms per question at Debian passages

The vectors are WordLlama's l2_supercat model (MIT, `pip install wordllama`, not a project dependency):
32,000 token vectors of 256 numbers shipped inside the wheel; a text is the mean of its tokens' vectors.
The files are read straight from the installed package, because wordllama 0.4.0's `WordLlama.load()`
looks for its bundled tokenizer in the wrong folder and downloads it (and importing wordllama configures
the root logger). Figures only; nothing is written. Results: docs/quality-experiments.md, "A neural reranker".
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import struct
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchmarks.train_rerank as train
from benchmarks.common import DEFAULT_CORPUS, markdown_table
from benchmarks.rerank_data import DEFAULT_SQUAD, MONGOLIA, collect, load
from bot.core.rerank import CONFIDENCE_FEATURES, FEATURES, Candidate

SEMANTIC = ("sem_cos", "sem_window", "sem_gap")
KEYS = ("top1", "balanced", "answerable_right", "foreign_declined", "adversarial_declined")


class Embedder:
    """Texts to unit vectors (the mean of their tokens' vectors), each text embedded once and kept."""

    def __init__(self) -> None:
        from tokenizers import Tokenizer

        spec = importlib.util.find_spec("wordllama")
        if spec is None:
            sys.exit("Error: this experiment needs the wordllama package: pip install wordllama")
        root = Path(next(iter(spec.submodule_search_locations)))
        self.tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
        with (root / "weights" / "l2_supercat_256.safetensors").open("rb") as f:  # header length, JSON, numbers
            size = struct.unpack("<Q", f.read(8))[0]
            meta = json.loads(f.read(size))["embedding.weight"]
            start, end = meta["data_offsets"]
            f.seek(8 + size + start)
            raw = f.read(end - start)
        self.matrix = np.frombuffer(raw, dtype={"F16": np.float16, "F32": np.float32}[meta["dtype"]]) \
            .reshape(meta["shape"]).astype(np.float32)
        self.kept: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit row per text (no tokens: zeros)."""
        new = [t for t in dict.fromkeys(texts) if t not in self.kept]
        for text, encoding in zip(new, self.tokenizer.encode_batch([t[:2000] for t in new], add_special_tokens=False)):
            vector = self.matrix[encoding.ids].mean(axis=0) if encoding.ids else np.zeros(self.matrix.shape[1])
            norm = float(np.linalg.norm(vector))
            self.kept[text] = vector / norm if norm > 0 else vector
        return np.array([self.kept[t] for t in texts]).reshape(len(texts), self.matrix.shape[1])


def columns(embedder: Embedder, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
    """SEMANTIC per candidate: cosine with the question; the same for the candidate with its nearest
    neighbour each side (the mean of their vectors); its cosine minus the best candidate's."""
    if not candidates:
        return np.zeros((0, len(SEMANTIC)))
    q = embedder.embed([question])[0]
    own = embedder.embed([c.text for c in candidates]) @ q
    windows = []
    for c in candidates:
        around = embedder.embed([*c.before[-1:], c.text, *c.after[:1]]).mean(axis=0)
        norm = float(np.linalg.norm(around))
        windows.append(float(around @ q) / norm if norm > 0 else 0.0)
    return np.column_stack([own, windows, own - own.max()])


def with_semantic(data: dict, embedder: Embedder) -> list:
    """train_rerank's feature rows with the SEMANTIC columns appended (same questions, same order)."""
    asked = train.featurise(data)
    rows = iter(asked)
    for group in data["groups"]:
        for row in group["questions"]:
            a = next(rows)
            cands = train.candidates_of(group, row, train.expanded(group, row))
            a.x = np.column_stack([a.x, columns(embedder, row.get("asked", row["question"]), cands)])
    # The training script picks columns by name from these tuples: extend them for this process only.
    train.FEATURES = (*FEATURES, *SEMANTIC)
    train.CONFIDENCE_FEATURES = (*CONFIDENCE_FEATURES, *SEMANTIC)
    return asked


def variants() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """(ranking model's, confidence model's) semantic columns: none, all, each alone, the ranking model's only."""
    out = {"lexical only (shipped features)": ((), ()), "+ all three": (SEMANTIC, SEMANTIC)}
    out.update({f"+ {n} alone": ((n,), (n,)) for n in SEMANTIC})
    out["+ all three, ranking model only"] = (SEMANTIC, ())
    return out


def table(asked: list, c: float) -> None:
    rows = []
    for label, (ranked, vouched) in variants().items():
        names = tuple(n for n in train.FEATURES if n not in SEMANTIC or n in ranked)
        confidence = tuple(n for n in train.CONFIDENCE_FEATURES if n not in SEMANTIC or n in vouched)
        outcomes, thresholds = train.cross_validate(asked, names, confidence, c)
        squad, mongolia = train.cv_report(outcomes, thresholds)
        rows.append([label, *(f"{squad[k]:.1f}%" for k in KEYS), f"{mongolia['standalone']:.1f}%"])
    first = train.bot_figures([o for o in outcomes if o.group != MONGOLIA])
    rows.insert(0, ["first stage + the bot's decision", *(f"{first[k]:.1f}%" for k in KEYS), ""])
    print("Leave-one-article-out (each article ranked by models that never saw it):\n")
    print(markdown_table(["system", "top-1", "balanced", "answerable right", "foreign declined",
                          "adversarial declined", "Mongolia standalone"], rows))


def cost(corpus: Path, rounds: int = 300) -> None:
    """The columns' time per question over ten random Debian passages with two neighbours each side, all
    read for the first time (as at 59k passages, where nearly every candidate is new), and the load time."""
    started = time.perf_counter()
    embedder = Embedder()
    print(f"load (import tokenizers, read tokenizer and vectors): {1000 * (time.perf_counter() - started):.0f} ms")
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    rng, spent = np.random.default_rng(0), []
    for _ in range(rounds):
        at = rng.integers(2, len(texts) - 3, 10)
        cands = [Candidate(texts[a], 0.5, (texts[a - 2], texts[a - 1]), (texts[a + 1], texts[a + 2])) for a in at]
        begun = time.perf_counter()
        columns(embedder, "how do I compress files quickly", cands)
        spent.append(1000 * (time.perf_counter() - begun))
    print(f"semantic columns per question: median {np.median(spent):.2f} ms, p99 {np.percentile(spent, 99):.2f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--data", type=Path, help="candidates saved by train_rerank.py --save; collected afresh if absent")
    parser.add_argument("--c", type=float, default=1.0, help="the confidence model's inverse regularisation")
    parser.add_argument("--cost", nargs="?", const=DEFAULT_CORPUS, type=Path, metavar="DEBIAN_JSONL_GZ",
                        help="time the columns over Debian descriptions instead")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.cost:
        cost(args.cost)
        return 0
    data = load(args.data) if args.data and args.data.is_file() else collect(args.corpus)
    table(with_semantic(data, Embedder()), args.c)
    print(f"\nRun time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
