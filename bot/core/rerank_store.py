"""Every passage's words, stemmed once and kept, so the second stage never re-tokenises a candidate or its
neighbours question after question.

At 58,938 passages the second stage reads about 39 passages per question (ten candidates and their
neighbours), nearly all for the first time; tokenising and stemming them was most of its cost
(docs/quality-experiments.md, "Cost per question"). Here each passage is read the first time a question
needs it, its stemmed words kept as integer ids: no question ever waits for every passage to be read (that
took 1-3 s at 59k, and stalled the second question of a long `ask --jsonl` stream), a one-shot ask reads
only its own candidates, and a long-running front end may read the rest ahead (`read_all`). A question's
view of its passages (`Gathered`) is then a few numpy passes over their ids at once: each content word as a
column of the question's terms, and for the candidates each word's head and each word as the question's
word id, exactly what `rerank_text.content(text)` would give.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import Stemmer

from ..text import STOP_WORDS, normalise, split_words
from .rerank_text import FAMILY_PREFIX, READ_CHARS, content

_STEMMER = Stemmer.Stemmer("english")  # the stemmer rerank_text.content uses


@dataclass(frozen=True)
class Gathered:
    """A question's texts as columns: `cols` holds each content word of every text in turn as its column
    in the question's terms (-1: none); `heads` the same words of the first `full` texts as a column of
    the question's heads, `every` every word of those texts as the question's word id (-1: none)."""

    cols: np.ndarray
    lengths: np.ndarray  # per text: its content words
    heads: np.ndarray
    every: np.ndarray
    every_lengths: np.ndarray  # per one of the first `full` texts: its words


def gather_texts(texts: Sequence[str], full: int, terms: Mapping[str, int], starts: Mapping[str, int],
                 word_ids: Mapping[str, int]) -> Gathered:
    """The same columns read from the texts themselves (rerank_text.content): for texts that are no
    passage, and the reference the store must match."""
    read = [content(t) for t in texts]
    cols = [terms.get(s, -1) for _every, own in read for s in own]
    heads = [starts.get(s[:FAMILY_PREFIX], -1) if len(s) >= FAMILY_PREFIX else -1
             for _every, own in read[:full] for s in own]
    every = [word_ids.get(w, -1) for every, _own in read[:full] for w in every]
    return Gathered(np.array(cols, dtype=np.int64), np.array([len(o) for _e, o in read], dtype=np.int64),
                    np.array(heads, dtype=np.int64), np.array(every, dtype=np.int64),
                    np.array([len(e) for e, _o in read[:full]], dtype=np.int64))


READ_AHEAD_CHUNK = 256  # passages `read_all` reads per hold of the lock (5-10 ms): a question's own reads never wait longer


class TextColumn(Sequence):
    """Passage texts each decoded or built the first time it is read, then kept (a snapshot's texts are mapped bytes)."""

    def __init__(self, read: Callable[[int], str], size: int) -> None:
        self._read, self._kept = read, [None] * size

    def __len__(self) -> int:
        return len(self._kept)

    def __getitem__(self, n: int) -> str:
        text = self._kept[n]
        if text is None:
            text = self._kept[n] = self._read(n)
        return text


class PassageWords:
    """The stemmed words of every passage text, as ids: what `rerank_text.content(text)` gives, each passage
    read the first time it is asked for and kept. Safe to share between threads answering side by side."""

    def __init__(self, texts: Sequence[str], sections: Sequence[str] | None = None,
                 questions: Sequence[tuple[str, ...]] | None = None) -> None:
        # The passages' columns, kept so the second stage's candidates and neighbours are read by place (hits.py).
        self.texts, self.sections, self.questions = texts, sections, questions
        size = len(texts)
        # Per passage, int32 ids as bytes (joined per question in C): each word's stem, each content word's stem.
        # `_content` is set last: a passage is read once it is.
        self._every: list[bytes | None] = [None] * size
        self._content: list[bytes | None] = [None] * size
        # Every word met has an id, every stem and every head (a stem's first letters) too, in the order met.
        self._word_id: dict[bytes | str, int] = {}  # keyed by ASCII bytes or, from a few texts, str (_words)
        self._stem_id: dict[str, int] = {}
        self._heads: dict[str, int] = {}
        self._word_stem = np.zeros(0, dtype=np.int32)  # per word id: its stem's id (grown by doubling, like the next two)
        self._word_keep = np.zeros(0, dtype=bool)  # per word id: whether it is a content word (no stop word)
        self._head_of = np.zeros(0, dtype=np.int32)  # per stem id: its head's id (-1: none); replaced, never shrunk
        self._lock = threading.Lock()  # one reader assigns ids at a time (two would give two stems one id)
        self._unread = size  # passages not read yet
        self._next = 0  # where read_next goes on from
        self._position: dict[str, int] | None = None  # text -> its first place, made when `gather` is first asked
        self._tables = threading.local()

    def __len__(self) -> int:
        return len(self._content)

    def passages_read(self) -> int:
        """How many passages have been read so far (for tests and benchmarks)."""
        return len(self._content) - self._unread

    def read_all(self) -> None:
        """Read every passage not read yet, a chunk at a time, so questions asked meanwhile never wait long."""
        while self.read_next(READ_AHEAD_CHUNK):
            pass

    def read_next(self, count: int) -> bool:
        """Read the next `count` passages in order not read yet (a read-ahead's step); False once none is left."""
        with self._lock:  # the place is claimed under the lock, so two read-aheads never read one chunk twice
            start = self._next
            self._next = end = min(len(self), start + count)
        self._read(range(start, end))
        return end < len(self)

    def _read(self, places: Sequence[int]) -> None:
        """Read and keep the words of the passages at these places that are not read yet, all in one pass."""
        with self._lock:
            todo = [n for n in dict.fromkeys(places) if self._content[n] is None]
            if todo:
                self._read_new(todo)
                self._unread -= len(todo)
                if not self._unread:  # every passage read: the words' tables are never needed again (~8 MB at 59k)
                    self._word_id, self._word_stem, self._word_keep = {}, np.zeros(0, np.int32), np.zeros(0, bool)

    def _read_new(self, todo: list[int]) -> None:
        """The words of passages not read yet as ids (called holding the lock): what rerank_text.content gives,
        each word's stem and the stems of its content words, with numpy over all the passages' words at once."""
        found = [_words(self.texts[n][:READ_CHARS]) for n in todo]
        word_id = self._word_id
        flat = list(itertools.chain.from_iterable(found))
        ids = list(map(word_id.get, flat))  # one lookup a word; the few new ones (None) are learnt, then looked up
        if None in ids:
            unknown = [n for n, i in enumerate(ids) if i is None]
            self._learn(list(dict.fromkeys(flat[n] for n in unknown)))  # stemmed once, in one call
            for n in unknown:
                ids[n] = word_id[flat[n]]
        sizes = np.fromiter(map(len, found), dtype=np.intp, count=len(found))
        at = np.array(ids, dtype=np.intp)
        every, keep = self._word_stem[at], self._word_keep[at]
        ends = np.cumsum(sizes)
        own, own_ends = every[keep], np.concatenate(([0], np.cumsum(keep)))[ends]  # content words to each end
        for n, every_, own_ in zip(todo, _cut(every, ends), _cut(own, own_ends)):
            self._every[n] = every_
            self._content[n] = own_  # last: the passage counts as read once this is set

    def _learn(self, new: list[bytes | str]) -> None:
        """Give new words their ids, each its stem's id (a new stem its id and its head's) and whether it is a
        content word, in arrays grown by doubling."""
        stem_id, heads, first, known = self._stem_id, self._heads, len(self._word_id), len(self._stem_id)
        stems, fresh = [], []  # per new word its stem's id; per new stem its head's id
        new_words = [w if type(w) is str else w.decode("ascii") for w in new]
        for s in _STEMMER.stemWords(new_words):
            found = stem_id.get(s)
            if found is None:
                found = stem_id[s] = len(stem_id)
                fresh.append(heads.setdefault(s[:FAMILY_PREFIX], len(heads)) if len(s) >= FAMILY_PREFIX else -1)
            stems.append(found)
        self._word_id.update(zip(new, range(first, first + len(new))))
        self._word_stem = _fit(self._word_stem, first, stems)
        self._word_keep = _fit(self._word_keep, first, [w not in STOP_WORDS for w in new_words])
        self._head_of = _fit(self._head_of, known, fresh)

    def gather(self, texts: Sequence[str], full: int, terms: Mapping[str, int], starts: Mapping[str, int],
               word_ids: Mapping[str, int]) -> Gathered | None:
        """The texts' columns (see Gathered), or None when one of them is no passage (read it with gather_texts)."""
        position = self._position
        if position is None:  # two threads may both make it: the same dict either way
            position = {}
            for n in range(len(self.texts)):
                position.setdefault(self.texts[n], n)
            self._position = position
        try:
            at = [position[t] for t in texts]
        except KeyError:
            return None
        return self.gather_at(at, full, terms, starts, word_ids)

    def gather_at(self, at: Sequence[int], full: int, terms: Mapping[str, int], starts: Mapping[str, int],
                  word_ids: Mapping[str, int]) -> Gathered:
        """The columns of the passages at these places (see Gathered): as `gather` of their texts."""
        kept = self._content
        if None in map(kept.__getitem__, at):
            self._read(at)
        own = [kept[a] for a in at]
        content_ = np.frombuffer(b"".join(own), dtype=np.int32)
        every = np.frombuffer(b"".join([self._every[a] for a in at[:full]]), dtype=np.int32)
        lengths = np.array([len(b) >> 2 for b in own], dtype=np.int64)
        # Every stem read above has its head: it was given one before any passage holding it was marked read.
        heads_of = self._head_of[content_[:int(lengths[:full].sum())]]
        every_lengths = np.array([len(self._every[a]) >> 2 for a in at[:full]], dtype=np.int64)
        # The tables are sized after the ids above were read: every id they hold has its row.
        stems, heads = self._scratch(self._stem_id, "stems"), self._scratch(self._heads, "heads")
        return Gathered(_mapped(stems, self._stem_id, terms, content_), lengths,
                        _mapped(heads, self._heads, starts, heads_of), _mapped(stems, self._stem_id, word_ids, every),
                        every_lengths)

    def _scratch(self, ids: Mapping[str, int], name: str) -> np.ndarray:
        """This thread's table from an id to a column, all -1 between uses (so questions may be read side by side),
        with a row for every id given so far and a last one never set (the -1 of a word without a head)."""
        table = getattr(self._tables, name, None)
        if table is None or len(table) <= len(ids):
            table = np.full(max(2 * len(ids), 1024) + 1, -1, dtype=np.int64)  # grown by doubling as passages are read
            setattr(self._tables, name, table)
        return table


# Every ASCII byte that is no letter or digit, as a space: the ASCII words of `words` are what is left between them.
_NOT_WORD = bytes(b if chr(b).isalnum() and b < 128 else 32 for b in range(256))


def _words(text: str) -> list[bytes] | list[str]:
    """The words of `words(text)`, as ASCII bytes for most texts (split in C, 3-4 times faster than the regex)."""
    # After normalising, an ASCII text without an apostrophe has as words exactly its runs of ASCII letters and
    # digits (the regex's `[^\W_]+`); any other text is read by `words` itself. The store keys words by either.
    folded = normalise(text)
    if folded.isascii() and "'" not in folded:
        return folded.encode("ascii").translate(_NOT_WORD).split()
    return split_words(folded)


def _cut(values: np.ndarray, ends: np.ndarray) -> list[bytes]:
    """The values as bytes, one piece per end offset (each piece from the end before it)."""
    data, size = values.tobytes(), values.itemsize
    bounds = [0, *(ends * size).tolist()]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


def _fit(values: np.ndarray, at: int, new: list) -> np.ndarray:
    """The array with `new` written from `at` on: the same array when it has room, else a copy twice the size."""
    if at + len(new) > len(values):
        grown = np.zeros(max(2 * (at + len(new)), 1024), dtype=values.dtype)
        grown[:at] = values[:at]
        values = grown
    values[at:at + len(new)] = new
    return values


def _mapped(table: np.ndarray, ids: Mapping[str, int], keys: Mapping[str, int], values: np.ndarray) -> np.ndarray:
    """Each id's column among the keys (-1 for any other id), through a scratch table set and then cleared."""
    at, columns, rows = [], [], len(table) - 1
    for key, n in keys.items():
        found = ids.get(key)
        if found is not None and found < rows:  # an id another thread gave since the table was sized is in no value
            at.append(found)
            columns.append(n)
    if not at:
        return np.full(len(values), -1, dtype=np.int64)
    table[at] = columns
    out = table[values]
    table[at] = -1
    return out
