"""Build time: the bot's build against bm25s's, and against the bot's own build at an earlier revision, interleaved.

The bot's build is what scale.py times: the index (`TfidfIndex.build`, with its fingerprint) and the
Answerer (acronyms, speller, composer). bm25s's is `bm25s.tokenize` with PyStemmer's English stemmer
and English stop words, then `BM25().index`. Every round builds each once, in one process, the order
reversed every other round, so a busy shared machine slows all of them alike; medians are reported.
With `--against REV` the index modules of that git revision (index_build, index_file, expand) build
too, and the arrays, vocabulary and word counts of both builds are checked to be identical.

Usage:
    python benchmarks/build.py                                  # all 58,938 Debian descriptions, 5 rounds
    python benchmarks/build.py --rounds 3 --against main --size 10000
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DEFAULT_CORPUS, REPO, markdown_table, read_corpus, subset, write_knowledge

ARRAYS = ("idf", "indptr", "indices", "data")


def _module_at(revision: str, name: str):
    """bot/core/NAME.py as it was at a git revision, imported beside the current one (bot.core.NAME_then)."""
    source = subprocess.run(["git", "show", f"{revision}:bot/core/{name}.py"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / f"{name}_then.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"bot.core.{name}_then", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _builders(records: list[dict], against: str | None) -> dict:
    """name -> a function that builds once: the bot now, bm25s, and the bot at `against`."""
    import bm25s
    import Stemmer

    from bot.config import load_config
    from bot.core.index import TfidfIndex
    from bot.core.index_build import choose_scoring
    from bot.core.pipeline import Answerer
    from bot.core.settings import AnswerSettings
    from bot.kb.load import load_knowledge
    from bot.kb.model import MAX_TEXT_CHARS

    path = write_knowledge(records, Path(tempfile.mkdtemp()) / "knowledge.jsonl")
    kb, config = load_knowledge(path), load_config(None).with_knowledge(path)
    settings = choose_scoring(config.retrieval.scoring, kb.passages, MAX_TEXT_CHARS)
    stemmer, texts = Stemmer.Stemmer("english"), [r["text"] for r in records]

    def bm25():
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
        return retriever

    builders = {"bot": lambda: Answerer(kb, TfidfIndex.build(kb.passages, settings), config), "bm25s": bm25}
    if against:
        build, index_file, expand = (_module_at(against, name) for name in ("index_build", "index_file", "expand"))

        def then():
            a = build.build_arrays(kb.passages, settings)
            index = TfidfIndex(a.vocabulary, a.idf, a.indptr, a.indices, a.data, a.n_docs, a.word_counts, settings,
                               index_file.fingerprint(kb.passages, settings))
            acronyms = expand.find_acronyms((p.text for p in kb.passages), AnswerSettings.from_config(config))
            return Answerer(kb, index, config, acronyms=acronyms)

        builders[f"bot at {against}"] = then
    return builders


def _same(now, then) -> bool:
    """Whether two Answerers hold identical indexes and acronyms."""
    a, b = now.index, then.index
    return (list(a.vocabulary.items()) == list(b.vocabulary.items())
            and list(a.word_counts.items()) == list(b.word_counts.items())
            and all(getattr(a, n).dtype == getattr(b, n).dtype and (getattr(a, n) == getattr(b, n)).all() for n in ARRAYS)
            and a.fingerprint == b.fingerprint and list(now.acronyms.items()) == list(then.acronyms.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--size", type=int, default=58938, help="passages (a fixed-seed sample when fewer than all)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", help="a git revision whose build is timed and compared too")
    args = parser.parse_args()
    records = subset(read_corpus(args.corpus), args.size)
    builders = _builders(records, args.against)
    seconds: dict[str, list[float]] = {name: [] for name in builders}
    for round_ in range(args.rounds):
        names = list(builders) if round_ % 2 == 0 else list(builders)[::-1]
        built = {}
        for name in names:
            gc.collect()
            start = time.perf_counter()
            built[name] = builders[name]()
            seconds[name].append(time.perf_counter() - start)
            if name == "bm25s":
                del built[name]
        if args.against and round_ == 0 and not _same(built["bot"], built[f"bot at {args.against}"]):
            sys.exit(f"Error: the build differs from the one at {args.against}")
        del built
        print(f"round {round_ + 1}: " + ", ".join(f"{n} {s[-1]:.2f} s" for n, s in seconds.items()), flush=True)
    base = statistics.median(seconds["bm25s"])
    print(f"\n{len(records):,} passages, {args.rounds} rounds interleaved"
          + (f"; the build is identical to the one at {args.against}" if args.against else ""))
    print(markdown_table(["build", "median s", "min s", "max s", "median vs bm25s"],
                         [[n, f"{statistics.median(s):.2f}", f"{min(s):.2f}", f"{max(s):.2f}",
                           f"{statistics.median(s) / base:.2f}x"] for n, s in seconds.items()]))


if __name__ == "__main__":
    main()
