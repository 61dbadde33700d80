"""Learn a distributional thesaurus from Debian's package descriptions: which words are used in the same
contexts ('folder' beside 'directory'), by positive pointwise mutual information over a +-window of content
words and a truncated SVD, then each frequent word's nearest words by cosine.

    python benchmarks/distsim_build.py --show folder quicker tarball unpack complaining   # neighbours (~20 s)
    python benchmarks/distsim_build.py --out /tmp/similar_words.txt.gz                     # the table (~30 s)

The defaults are the table benchmarks/distsim_experiment.py was measured with (docs/quality-experiments.md,
"A distributional thesaurus from Debian's descriptions"); it was not shipped, so nothing in bot/ reads it.

Corpus: /work/shared/corpora/debian-descriptions.jsonl.gz (Debian 12 "bookworm" main, the English package
descriptions, each under its package's DFSG-free licence; provenance in /work/shared/corpora/README.md), read
with the bot's own tokeniser and stemmer (bot/text.py), so a table entry is a stem the index would hold.
scikit-learn and scipy are used here only, never at run time.

    PMI(w, c) = log( P(w, c) / (P(w) * P_a(c)) ),  P_a(c) = count(c)^0.75 / sum count^0.75  (context smoothing)
    PPMI = max(PMI, 0);  M = PPMI ~ U S V^T (rank d);  vector(w) = U[w] * S^p, unit length;  sim = cosine
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.text import normalise, split_words, stem, word_stems  # noqa: E402

CORPUS = Path("/work/shared/corpora/debian-descriptions.jsonl.gz")


def read_corpus(path: Path, positional: bool = False) -> tuple[list[list[str]], collections.Counter]:
    """Each record's stems (synopsis, then text) and each stem's surface words. Stop words are dropped, or, with
    `positional`, kept as themselves (marked '=word', never a target): 'in the folder' and 'in the directory'
    then share the contexts that make two words stand in for each other."""
    docs, surfaces = [], collections.Counter()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            found = split_words(normalise(record["synopsis"] + "\n" + record["text"]))
            stems = word_stems(found)
            kept = [(w, s) for w, s in zip(found, stems) if s and not s.isdigit() and len(s) > 1]
            surfaces.update(kept)
            if positional:
                docs.append([s if s and not s.isdigit() and len(s) > 1 else "=" + w for w, s in zip(found, stems)])
            else:
                docs.append([s for _w, s in kept])
    return docs, surfaces


def positional_matrix(docs: list[list[str]], ids: dict[str, int], window: int, max_contexts: int):
    """Target stems by (context token, offset) counts: a context is a word at a given offset (-window..window)."""
    from scipy import sparse

    counts = collections.Counter(s for d in docs for s in d)
    cvocab = {s: i for i, (s, _c) in enumerate(counts.most_common(max_contexts))}
    offsets = [k for k in range(-window, window + 1) if k]
    rows, cols = [], []
    for doc in docs:
        t = np.fromiter((ids.get(s, -1) for s in doc), dtype=np.int64, count=len(doc))
        c = np.fromiter((cvocab.get(s, -1) for s in doc), dtype=np.int64, count=len(doc))
        for n, k in enumerate(offsets):
            if len(doc) <= abs(k):
                continue
            a, b = (t[:-k], c[k:]) if k > 0 else (t[-k:], c[:k])
            keep = (a >= 0) & (b >= 0)
            rows.append(a[keep])
            cols.append(b[keep] * len(offsets) + n)
    r, col = np.concatenate(rows), np.concatenate(cols)
    return sparse.coo_matrix((np.ones(len(r), dtype=np.float32), (r, col)),
                             shape=(len(ids), len(cvocab) * len(offsets))).tocsr()


def cooccurrence(docs: list[list[str]], ids: dict[str, int], window: int):
    """Symmetric counts of two vocabulary stems within `window` content words, weighted 1/distance."""
    from scipy import sparse

    rows, cols, vals = [], [], []
    for doc in docs:
        seq = np.fromiter((ids.get(s, -1) for s in doc), dtype=np.int64, count=len(doc))
        for k in range(1, window + 1):
            if len(seq) <= k:
                break
            a, b = seq[:-k], seq[k:]
            keep = (a >= 0) & (b >= 0) & (a != b)
            rows.append(a[keep])
            cols.append(b[keep])
            vals.append(np.full(int(keep.sum()), 1.0 / k, dtype=np.float32))
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    n = len(ids)
    m = sparse.coo_matrix((np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(n, n))
    return m.tocsr()


def ppmi(m, alpha: float = 0.75):
    """Positive PMI of a co-occurrence matrix, contexts smoothed by count^alpha."""
    m = m.tocoo()
    total = m.sum()
    row = np.asarray(m.sum(axis=1)).ravel()
    col = np.asarray(m.sum(axis=0)).ravel() ** alpha
    col_total = col.sum()
    pmi = np.log((m.data / total) / ((row[m.row] / total) * (col[m.col] / col_total)))
    keep = pmi > 0
    from scipy import sparse
    return sparse.csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape)


def vectors(docs, min_count: int, max_words: int, window: int, dim: int, power: float, positional: bool = False):
    """Unit vectors for the most frequent stems (at least min_count occurrences), and the stems."""
    from sklearn.utils.extmath import randomized_svd

    counts = collections.Counter(s for d in docs for s in d if not s.startswith("="))
    vocab = [s for s, c in counts.most_common(max_words) if c >= min_count]
    ids = {s: i for i, s in enumerate(vocab)}
    m = positional_matrix(docs, ids, window, 2 * max_words) if positional else cooccurrence(docs, ids, window)
    u, s, _vt = randomized_svd(ppmi(m), n_components=min(dim, len(vocab) - 1), n_iter=5, random_state=0)
    vec = u * (s ** power)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True) + 1e-12
    return vocab, vec.astype(np.float32), counts


def neighbours(vec: np.ndarray, i: int, k: int) -> list[tuple[int, float]]:
    """The k nearest other rows to row i by cosine."""
    sims = vec @ vec[i]
    sims[i] = -1
    top = np.argpartition(-sims, k)[:k]
    top = top[np.argsort(-sims[top])]
    return [(int(j), float(sims[j])) for j in top]


def main(argv: list[str] | None = None) -> None:
    """Build the vectors, then show some words' neighbours or write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="JSON lines with synopsis and text, gzip'd")
    parser.add_argument("--min-count", type=int, default=5, help="stems seen fewer times get no vector")
    parser.add_argument("--max-words", type=int, default=40000, help="at most this many stems, most frequent first")
    parser.add_argument("--window", type=int, default=5, help="content words either side that count as context")
    parser.add_argument("--dim", type=int, default=300, help="dimensions kept by the truncated SVD")
    parser.add_argument("--power", type=float, default=0.0, help="singular values' exponent in the vectors")
    parser.add_argument("--k", type=int, default=30, help="neighbours shown, or written per stem")
    parser.add_argument("--positional", action="store_true", help="contexts are (word, offset), stop words included")
    parser.add_argument("--keep-floor", type=float, default=0.25, help="neighbours less similar are not written")
    parser.add_argument("--show", nargs="*", default=(), help="print these words' neighbours")
    parser.add_argument("--out", type=Path, help="write the table here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    docs, surfaces = read_corpus(args.corpus, args.positional)
    vocab, vec, counts = vectors(docs, args.min_count, args.max_words, args.window, args.dim, args.power,
                                 args.positional)
    print(f"{len(docs)} records, {sum(map(len, docs))} content words, {len(vocab)} stems, "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    ids = {s: i for i, s in enumerate(vocab)}
    for word in args.show:
        s = stem(word)
        if s not in ids:
            print(f"{word} ({s}): not in the table")
            continue
        near = neighbours(vec, ids[s], min(args.k, len(vocab) - 1))
        print(f"{word} ({s}, {counts[s]}): " + ", ".join(f"{vocab[j]} {sim:.2f}" for j, sim in near))
    if args.out:
        surface = {}
        for (w, s), _count in surfaces.most_common():
            surface.setdefault(s, w)
        write_table(args.out, vocab, vec, [surface[s] for s in vocab], args)


def write_table(out: Path, vocab, vec, words, args) -> None:
    """The table, gzip'd text: a header line saying what built it, then one line per stem,
    'stem<TAB>word sim word sim ...', its nearest words (a surface word of each neighbouring stem) down to
    --keep-floor, at most --k, similarity to two decimals."""
    info = {"corpus": args.corpus.name, "min_count": args.min_count, "max_words": args.max_words,
            "window": args.window, "positional": args.positional, "dim": args.dim, "power": args.power, "k": args.k, "keep_floor": args.keep_floor}
    lines = ["# " + json.dumps(info, sort_keys=True)]
    for i, s in enumerate(vocab):
        if i % 1000 == 0:
            block = vec[i:i + 1000] @ vec.T
            block[np.arange(len(block)), np.arange(i, i + len(block))] = -1
            k = min(args.k, len(vocab) - 1)
            tops = np.argpartition(-block, k - 1, axis=1)[:, :k]
        row, top = block[i % 1000], tops[i % 1000]
        near = [(int(j), float(row[j])) for j in top[np.argsort(-row[top])] if row[j] >= args.keep_floor]
        if near:
            lines.append(s + "\t" + " ".join(f"{words[j]} {sim:.2f}" for j, sim in near))
    with gzip.GzipFile(out, "wb", mtime=0) as handle:  # mtime 0: the same build writes the same bytes
        handle.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"wrote {out} ({len(lines) - 1} stems, {out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
