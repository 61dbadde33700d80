"""One question's candidates read together for the second stage's features (rerank_features.py).

Every word of the candidates and their neighbours is mapped at once with numpy (rerank_store.Gathered:
which question term each content word is), then the few that are a term are read in one Python pass; a
text is a bit mask of the question stems it speaks to, so a window, a paragraph or a family is an OR of
integers and its idf mass is looked up once per mask. Sums run in the question's stem order, so a feature has the same bits in every process.
"""

from __future__ import annotations

import math
from itertools import accumulate
from typing import Mapping, NamedTuple, Protocol, Sequence

import numpy as np

from ..text import words
from .rerank_measures import BM25_B, BM25_K1, FIRST_FLOOR, phrases, proximity
from .rerank_question import Question, matched, opening
from .rerank_store import Gathered, gather_texts
from .rerank_text import FAMILY_PREFIX, KINDS, content, denies, holds_kind, leans_back

_K1_PLUS_1 = BM25_K1 + 1  # the same float as BM25_K1 + 1 written in the sum


class Candidate(NamedTuple):
    """One passage the first stage found, as plain data: its text, score and surroundings."""
    # A NamedTuple, not a frozen dataclass: ten are made per reranked question, a tuple in a third of the time.

    text: str
    score: float  # the first stage's score (any scale; the model also sees it relative to the best)
    before: tuple[str, ...] = ()  # the passages just before it in the same section, nearest last
    after: tuple[str, ...] = ()  # the passages just after it in the same section, nearest first
    section: str = ""
    questions: tuple[str, ...] = ()  # questions a maintainer attached to the passage
    # Where the passage, then `before` and `after` sit in the passages the store read (() when not known):
    # the store then reads them by place, never hashing or comparing their texts.
    places: tuple[int, ...] = ()


class Gatherer(Protocol):
    """Passages read ahead (rerank_store.PassageWords): a question's columns of those texts, None if one is no passage."""

    def gather(self, texts: Sequence[str], full: int, terms: Mapping[str, int], starts: Mapping[str, int],
               word_ids: Mapping[str, int]) -> Gathered | None: ...

    def gather_at(self, places: Sequence[int], full: int, terms: Mapping[str, int], starts: Mapping[str, int],
                  word_ids: Mapping[str, int]) -> Gathered: ...


class Batch:
    """One question's candidates: each text read once into a mask of question stems and their counts."""

    def __init__(self, q: Question, candidates: Sequence[Candidate], curated: bool, words_: Gatherer | None) -> None:
        self.q, self.candidates, self.curated, stems = q, candidates, float(curated), q.stems
        self.terms = {t: n for n, t in enumerate(dict.fromkeys(
            [*stems, *(s for _own, others in q.alternatives for o in others for s in o)]))} if q.alternatives \
            else dict(zip(stems, range(len(stems))))  # the stems are distinct
        self.starts = {h: n for n, h in enumerate(dict.fromkeys(s[:FAMILY_PREFIX] for s in stems
                                                                if len(s) >= FAMILY_PREFIX))}
        placed = words_ is not None and all(c.places for c in candidates)
        keys = [c.places if placed else (c.text, *c.before, *c.after) for c in candidates]  # own, before, after
        row: dict = {}  # each distinct text (or place): the candidates' own first, then their neighbours
        for k in keys:
            row.setdefault(k[0], len(row))
        full, self.at = len(row), []  # at: per candidate, the rows of its own text, then before it, then after
        for k in keys:
            rows = [row[k[0]]]
            for t in k[1:]:
                rows.append(row.setdefault(t, len(row)))
            self.at.append(rows)
        texts = list(row)
        args = (texts, full, self.terms, self.starts, q.word_ids)
        if placed:
            self.g = words_.gather_at(*args)
        else:
            self.g = (words_.gather(*args) if words_ is not None else None) or gather_texts(*args)
        self.full, self.idf = full, [q.idf[s] for s in stems]
        self.total, self.known_total = q.total or 1.0, q.known_total or 1.0
        self.masses = _Masses(self.idf)
        self.covers: dict[str, float] = {}
        self._read(len(texts))

    def _read(self, n_texts: int) -> None:
        """Per text: the mask of stems it speaks to, their counts, its length; per candidate text its family mask."""
        # One pass in Python over the words that are a question term (about a hundred of some 1,500 content words
        # at 59k passages) instead of a table of every text by every term: a few numpy calls, not thirty-odd.
        g, n_stems = self.g, len(self.q.stems)
        self.lengths = [*g.lengths.tolist(), 0]
        self.ends = list(accumulate(self.lengths[:n_texts]))
        at = np.flatnonzero(g.cols >= 0)
        rows, masks = self._count(at.tolist(), g.cols[at].tolist(), n_texts, max(1, len(self.terms)))
        self.defined = self._expanded(rows, masks) if self.q.alternatives else []  # read only with expansions
        # A stem found holds at least once (found through an expansion: once); any other none.
        self.zero, tf, self.direct = [0] * n_stems, [], []
        for row, mask in zip(rows, masks):
            if row is None:
                tf.append(self.zero)
                self.direct.append(0)
                continue
            own = row[:n_stems]
            self.direct.append(sum(own))
            tf.append([n or mask >> k & 1 for k, n in enumerate(own)] if self.q.alternatives else own)
        self.tf, self.masks = [*tf, self.zero], [*masks, 0]  # the last: no text (no such neighbour)
        self.family = self._family(masks)

    def _count(self, places: list[int], columns: list[int], n_texts: int, width: int) -> tuple[list, list[int]]:
        """Per text its count of each term (None: no term) and its mask of stems; per candidate text (self.where)
        each question stem's (position among its content stems, stem column), and (self.held) how many of the
        question's stem pairs stand next to each other in it."""
        n_stems, full, ends = len(self.q.stems), self.full, self.ends
        pairs = {(self.terms[a], self.terms[b]) for a, b in self.q.bigrams}
        rows: list = [None] * n_texts
        masks, self.where, self.held = [0] * n_texts, [[] for _ in range(full)], [0] * full
        t, start, end = 0, 0, ends[0]
        last_t, last_place, last = -1, -2, -1  # the question stem before: its text, place and column
        for place, c in zip(places, columns):  # in order of place: text by text
            while place >= end:
                t += 1
                start, end = end, ends[t]
            row = rows[t]
            if row is None:
                row = rows[t] = [0] * width
            row[c] += 1
            if c < n_stems:
                masks[t] |= 1 << c
                if t < full:
                    self.where[t].append((place - start, c))
                    if place == last_place + 1 and t == last_t and (last, c) in pairs:
                        self.held[t] += 1
                    last_t, last_place, last = t, place, c
        return rows, masks

    def _expanded(self, rows: list, masks: list[int]) -> list[bool]:
        """Add to each text's mask the stems a phrase meaning the same stands in for (every word of it there);
        per text, whether it holds the phrase's own words too (it defines them)."""
        terms, defined = self.terms, [False] * len(rows)
        for t, row in enumerate(rows):
            if row is None:  # no term at all: no phrase either
                continue
            for own, others in self.q.alternatives:
                if any(all(row[terms[s]] for s in o) for o in others):
                    own_columns = [terms[s] for s in own]
                    for k in own_columns:
                        masks[t] |= 1 << k
                    defined[t] = defined[t] or all(row[k] for k in own_columns)
        return defined

    def _family(self, masks: list[int]) -> list[int]:
        """Per candidate text, its mask and every stem of which it holds another word of the family (sharing
        FAMILY_PREFIX letters, which the stemmer keeps apart: 'norse', 'norsemen')."""
        bits = [0] * len(self.starts)  # per head column: the stems with that head
        for n, s in enumerate(self.q.stems):
            if len(s) >= FAMILY_PREFIX:
                bits[self.starts[s[:FAMILY_PREFIX]]] |= 1 << n
        heads, family, ends = self.g.heads, masks[:self.full], self.ends
        at = np.flatnonzero(heads >= 0)
        t, end = 0, ends[0]
        for place, h in zip(at.tolist(), heads[at].tolist()):
            while place >= end:
                t += 1
                end = ends[t]
            family[t] |= bits[h]
        return family

    def bm25(self, tf: Sequence[int], length: int, mean_length: float) -> float:
        """BM25 of a text from its counts of the question's stems (one found through an expansion counts once)."""
        q = self.q
        if not length or not q.total:
            return 0.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / mean_length)
        found = 0.0
        for idf, n in zip(self.idf, tf):
            if n:
                found += idf * n * _K1_PLUS_1 / (n + norm)
        return found / q.total

    def rows(self) -> list[tuple]:
        """The candidates' rows of FEATURES (rerank_features.py), in one loop with few calls per candidate."""
        # The median Debian question is a reranked one, and the loop runs ten times on each.
        q, cs, masks, at, tf, sizes = self.q, self.candidates, self.masks, self.at, self.tf, self.lengths
        masses, total, bm25, curated = self.masses, self.total, self.bm25, self.curated
        best_first = max(c.score for c in cs) or 1.0
        where, bigrams, phrase = self.where, self.held, phrases(q, self.g.every, self.g.every_lengths)
        asks, levels, fitting, unfit, rarest, n_rarest, n_bigrams, keywords, unknown, log_candidates = self._shared()
        kind, folded, negated, alternatives = q.kind, q.folded, q.negated, bool(q.alternatives)
        lengths, summed, spoken, mean_own, mean_paragraph = self._paragraphs()
        out = []
        for n, (c, rows) in enumerate(zip(cs, at)):
            o, nb, score = rows[0], len(c.before), c.score
            mine, length, found = masks[o], sizes[o], spoken[n]
            mass, cover = masses[mine], masses[mine] / total
            fit, floor = (holds_kind(kind, c.text, folded) if kind else False), float(score >= FIRST_FLOOR)
            # window_cover, window2_cover, context_gain, previous_cover, leaning, leaning_previous
            previous = masks[rows[nb]] if nb else 0
            wide = mine | previous | (masks[rows[nb + 1]] if len(rows) > nb + 1 else 0)
            wide2 = wide | (masks[rows[nb - 1]] if nb > 1 else 0) | (masks[rows[nb + 2]] if len(rows) > nb + 2 else 0)
            window_cover, previous_cover = masses[wide] / total, masses[previous] / total
            leaning = float(leans_back(c.text))
            out.append((score, score / best_first, 1.0 / (n + 1), cover, mass / self.known_total,
                        bm25(tf[o], length, mean_own) if mine else 0.0,
                        window_cover, masses[wide2] / total, window_cover - cover, previous_cover, leaning,
                        leaning * previous_cover, (mine & rarest).bit_count() / n_rarest,
                        proximity(where[o], length) if mine.bit_count() > 1 else 0.0,
                        bigrams[o] / n_bigrams if n_bigrams else 0.0, phrase[o] if mine else 0.0,
                        math.log1p(length), math.log1p(length - self.direct[o]),
                        *self._maintained(c),
                        float(fit), *(fitting if fit else unfit), *levels,
                        curated, curated * score, unknown, curated * (asks - fit),
                        curated * cover, floor, curated * floor,
                        # paragraph_cover, paragraph_bm25: the candidate with its neighbours as one text
                        *((masses[found] / total, bm25(summed[n], lengths[n], mean_paragraph)) if found else (0.0, 0.0)),
                        log_candidates, keywords, float(self.defined[o]) if alternatives else 0.0, curated / (n + 1),
                        masses[self.family[o]] / total, float(negated and not denies(c.text))))
        return out

    def _shared(self) -> tuple:
        """What every candidate's row shares: the question's own features, and what rows count and divide by."""
        q, curated = self.q, self.curated
        asks = float(bool(q.kind))
        levels = (asks, *(float(q.kind == k) for k in KINDS), q.unknown_share, float(q.unknown_name),
                  math.log1p(len(q.stems)))
        return (asks, levels, tuple(float(q.kind == k) for k in KINDS), (0.0,) * len(KINDS),
                sum(1 << n for n, s in enumerate(q.stems) if s in q.rarest), len(q.rarest) or 1, len(q.bigrams),
                curated * float(not q.opening and len(q.every) <= 3), curated * q.unknown_share,
                math.log(len(self.candidates)))

    def _paragraphs(self) -> tuple[list[int], list[list[int]], list[int], float, float]:
        """Each candidate's paragraph as one text (length, stem counts, mask); the candidates' and paragraphs' mean length."""
        # A paragraph is Batch.at's rows (itself and its neighbours): sums and ORs over them in any order;
        # a text without a question stem adds 0 to its counts.
        at, masks, sizes, tf, zero = self.at, self.masks, self.lengths, self.tf, self.zero
        lengths, summed, spoken = [], [], []
        for rows in at:
            length, found, counts = 0, 0, tf[rows[0]]
            for t in rows:
                length += sizes[t]
                found |= masks[t]
            for t in rows[1:]:
                if tf[t] is not zero:
                    counts = [a + b for a, b in zip(counts, tf[t])]
            lengths.append(length)
            summed.append(counts)
            spoken.append(found)
        return (lengths, summed, spoken, max(1.0, sum(sizes[rows[0]] for rows in at) / len(at)),
                max(1.0, sum(lengths) / len(lengths)))

    def _maintained(self, c: Candidate) -> tuple:
        """section_cover, questions_cover, questions_same_ask: what the maintainers wrote around it."""
        asked = same_ask = 0.0
        for attached in c.questions:
            value = self._cover_of(attached)
            asked = max(asked, value)
            if opening(words(attached)) == self.q.opening:
                same_ask = max(same_ask, value)
        return self._cover_of(c.section), asked, same_ask

    def _cover_of(self, text: str) -> float:
        """The share of the question's idf mass a text that is no passage (a section, a question) speaks to."""
        value = self.covers.get(text)
        if value is None:
            if self.q.alternatives:
                found = matched(self.q, frozenset(content(text)[1]))
                mask = sum(1 << n for n, s in enumerate(self.q.stems) if s in found)
            else:  # the same bits from the text's few stems (a section, a question): the stems' own columns
                column, n_stems, mask = self.terms.get, len(self.q.stems), 0
                for s in content(text)[1]:
                    n = column(s, n_stems)
                    if n < n_stems:
                        mask |= 1 << n
            value = self.covers[text] = self.masses[mask] / self.total
        return value


class _Masses(dict):
    """The idf mass of the stems in a mask, added in the question's order, worked out at a mask's first look-up."""

    def __init__(self, idf: list[float]) -> None:
        super().__init__({0: 0.0})
        self.idf = idf

    def __missing__(self, mask: int) -> float:
        found = 0.0
        for n, idf in enumerate(self.idf):
            if mask >> n & 1:
                found += idf
        self[mask] = found
        return found
