"""Does a distributional thesaurus pay? Words the knowledge lacks get, as a lower-weight expansion of kind
'similar', their nearest words in a table learnt from Debian's package descriptions (distsim_build.py) that
the knowledge holds; then the tuning benchmarks run in this process with that reading patched in.

    python benchmarks/distsim_build.py --min-count 5 --max-words 40000 --window 5 --power 0 --k 20 \\
        --keep-floor 0.4 --out /tmp/similar_words.txt.gz                                # the table (~20 s)
    python benchmarks/distsim_experiment.py --table /tmp/similar_words.txt.gz --floor 0.5 --keep-unknown realdocs
    python benchmarks/distsim_experiment.py --table ... --floor 0.5 --keep-unknown eval     # Mongolia tuning set
    python benchmarks/distsim_experiment.py --table ... --floor 0.5 --keep-unknown squad

Only a word no other reading knows (Reading.unknown, after the typo, family, compound and cut-short readings)
is looked up, and only neighbours whose stem the knowledge's vocabulary holds are added, at most --most, down
to --floor, at --weight (the substitute synonym's 0.7 and the synonym's 0.6 are the product's own). With
--keep-unknown the word still counts as unknown for the known share and the decision (only the first stage's
weights and the second stage's alternatives see the expansion). Figures only; the product is not changed.
Results: docs/quality-experiments.md, "A distributional thesaurus from Debian's descriptions".
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import sys
from functools import lru_cache
from pathlib import Path
from typing import Mapping

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.text import stem, words  # noqa: E402


@lru_cache(maxsize=2)
def table(path: Path) -> Mapping[str, str]:
    """Each stem's line of neighbours ('word sim word sim ...'), unparsed."""
    out = {}
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        key, tab, rest = line.partition("\t")
        if tab and not key.startswith("#"):
            out[key] = rest
    return out


def similar_words(word: str, vocabulary: Mapping[str, int], floor: float, most: int,
                  lines: Mapping[str, str]) -> tuple[str, ...]:
    """Up to `most` of a word's neighbours, similarity >= floor, whose stem the knowledge holds, best first."""
    own = stem(word)
    parts = lines.get(own, "").split(" ")
    found, seen = [], {own}
    for neighbour, sim in zip(parts[::2], parts[1::2]):
        if float(sim) < floor or len(found) >= most:
            break
        key = stem(neighbour)
        if key in vocabulary and key not in seen:
            seen.add(key)
            found.append(neighbour)
    return tuple(found)


def patch(path: Path, floor: float, most: int, weight: float, keep_unknown: bool, english: int = 0,
          common: int = 0) -> None:
    """Put the 'similar' reading into the answer pipeline of this process; with `english`, only for a word
    seen at least that often in pyspellchecker's English counts (a general word, not a name or a term)."""
    from bot.core import pipeline, query, reading
    from bot.core.expand import Expansion
    from bot.core.lexicon import english_words

    general = english_words(english) if english else None
    everyday = english_words(common) if common else frozenset()  # 'every', 'now', 'look': no topic to stand in for

    read_words, expansion_group, weigh = reading.Reader.read_words, query._expansion_group, pipeline.weigh

    def patched_read(self, text, tokens):
        found = read_words(self, text, tokens)
        spoken = {stem(w) for e in found.expansions for w in words(e.phrase)}
        added = []
        for word in found.unknown:
            if (general is not None and word not in general) or word in everyday:
                continue
            near = similar_words(word, self.vocabulary, floor, most, table(path)) if stem(word) not in spoken else ()
            if near:
                added.append(Expansion(word, near, "similar"))
        return dataclasses.replace(found, expansions=found.expansions + tuple(added)) if added else found

    def patched_group(expansion, own_weights, weights, vocabulary, settings):
        if expansion.kind == "similar":
            settings = dataclasses.replace(settings, expansion_weight=weight, substitute_weight=weight)
        return expansion_group(expansion, own_weights, weights, vocabulary, settings)

    def patched_weigh(read, index, settings, carried=()):
        weighed = weigh(read, index, settings, carried)
        if not keep_unknown or not any(e.kind == "similar" for e in read.expansions):
            return weighed
        plain = weigh(dataclasses.replace(read, expansions=tuple(e for e in read.expansions if e.kind != "similar")),
                      index, settings, carried)
        return dataclasses.replace(weighed, unknown=plain.unknown, norm_terms=plain.norm_terms,
                                   known_share=plain.known_share)

    reading.Reader.read_words = patched_read
    query._expansion_group = patched_group
    pipeline.weigh = patched_weigh


def main(argv: list[str] | None = None) -> None:
    """Patch the reading in, then run one tuning benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", choices=("realdocs", "eval", "squad"))
    parser.add_argument("--table", type=Path, required=True, help="made by benchmarks/distsim_build.py --out")
    parser.add_argument("--floor", type=float, default=0.5)
    parser.add_argument("--most", type=int, default=3)
    parser.add_argument("--weight", type=float, default=0.5)
    parser.add_argument("--keep-unknown", action="store_true")
    parser.add_argument("--english", type=int, default=0, help="only words this common in English (0: any word)")
    parser.add_argument("--common", type=int, default=0, help="never words this common in English (0: none)")
    args = parser.parse_args(argv)
    if args.most > 0:
        patch(args.table, args.floor, args.most, args.weight, args.keep_unknown, args.english, args.common)
    if args.benchmark == "realdocs":
        from benchmarks import realdocs
        sys.exit(realdocs.main(["--tuning", "--failures"]))
    if args.benchmark == "eval":
        from bot.cli.main import run
        sys.exit(run(["eval"]))
    from benchmarks import squad
    sys.argv = ["squad.py"]
    squad.main()


if __name__ == "__main__":
    main()
