"""Every passage's words, stemmed once and kept, so the second stage never re-tokenises a candidate or its
neighbours question after question.

At 58,938 passages the second stage reads about 39 passages per question (ten candidates and their
neighbours), nearly all for the first time; tokenising and stemming them was most of its cost
(docs/quality-experiments.md, "Cost per question"). The index build has already split every text into
words and stemmed them (index_words.py): with its arrays the store reads no text but the few longer than
READ_CHARS (the second stage reads a text only that far, and the cut may split a word), and of those only the
last word before the cut (the words before it are the build's), each the first time a question needs it. Without them (an index kept without its texts' words) each passage is read that way,
and a long-running front end may read the rest ahead (`read_all`). A question's view of its passages
(`Gathered`) is then a few numpy passes over their ids at once: each content word as a column of the
question's terms, and for the candidates each word's head and each word as the question's word id, exactly
what `rerank_text.content(text)` would give.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import Stemmer

from ..text import STOP_WORDS, normalise, split_words
from .index_words import SavedIds
from .rerank_ids import Ids, fit, mapped
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
    """The stemmed words of every passage text, as ids: what `rerank_text.content(text)` gives, each passage's
    kept the first time a question needs it. With the index build's words (`saved`, index_words.py) a passage
    is taken from its arrays, and only a text longer than READ_CHARS is read; without them every passage is
    read from its text. Safe to share between threads answering side by side."""

    def __init__(self, texts: Sequence[str], sections: Sequence[str] | None = None,
                 questions: Sequence[tuple[str, ...]] | None = None, saved: SavedIds | None = None) -> None:
        # The passages' columns, kept so the second stage's candidates and neighbours are read by place (hits.py).
        self.texts, self.sections, self.questions = texts, sections, questions
        size = len(texts)
        built = saved.words if saved is not None and len(saved.words.whole) == size else None
        self._built = built
        # A word's code: its stem's id for a content word, ~id (negative) for a stop word; per build word id.
        self._codes = np.zeros(0, np.int32) if built is None else \
            np.where(built.word_keep.astype(bool), built.word_stems, ~built.word_stems).astype(np.int32)
        # Per passage, int32 ids as bytes (joined per question in C): each word's stem, each content word's stem.
        # `_content` is set last: a passage is read once it is.
        self._every: list[bytes | None] = [None] * size
        self._content: list[bytes | None] = [None] * size
        # Every stem and head has an id: the build's when it has one, else one given here in the order met.
        self._stem_ids = Ids(saved.stem if built is not None else None, len(built.head_of) if built is not None else 0)
        self._head_ids = Ids(saved.head if built is not None else None,
                             len(built.heads) // FAMILY_PREFIX if built is not None else 0)
        self._head_of = np.array(built.head_of) if built is not None else np.zeros(0, np.int32)  # per stem id; grown
        # The texts read here: every word met has an id, and its code.
        self._word_id: dict[bytes | str, int] = {}  # keyed by ASCII bytes or, from a few texts, str (_words)
        self._word_code = np.zeros(0, dtype=np.int32)  # per word id (grown by doubling)
        self._lock = threading.Lock()  # one reader assigns ids at a time (two would give two stems one id)
        self._unread = size  # passages not read yet
        self._from_text = 0  # passages read from their text (the others were taken from the build's arrays)
        self._next = 0  # where read_next goes on from
        self._position: dict[str, int] | None = None  # text -> its first place, made when `gather` is first asked
        self._tables = threading.local()

    def __len__(self) -> int:
        return len(self._content)

    def passages_read(self) -> int:
        """How many passages have been read so far (for tests and benchmarks)."""
        return len(self._content) - self._unread

    def texts_read(self) -> int:
        """How many of the passages read were read from their text, not the build's arrays (for tests)."""
        return self._from_text

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
        """Read and keep the words of the passages at these places that are not read yet, all in one pass: from
        the build's arrays when they hold the whole text, else from the text."""
        with self._lock:
            todo = [n for n in dict.fromkeys(places) if self._content[n] is None]
            if not todo:
                return
            whole = self._built.whole if self._built is not None else None
            taken = [n for n in todo if whole[n]] if whole is not None else []
            read = [n for n in todo if not whole[n]] if whole is not None else todo
            for places_, (codes, sizes) in ((taken, self._taken(taken)), (read, self._read_texts(read))):
                self._keep_words(places_, codes, sizes)
            self._unread -= len(todo)
            self._from_text += len(read)
            if not self._unread:  # every passage read: the words' tables are never needed again (~8 MB at 59k)
                self._word_id, self._word_code = {}, np.zeros(0, np.int32)

    def _taken(self, places: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The codes of these passages' words in the build's stream, and each one's word count."""
        if not places:
            return np.zeros(0, np.int32), np.zeros(0, np.int64)
        starts, at = self._built.starts, np.array(places, dtype=np.intp)
        begin, sizes = starts[at], starts[at + 1] - starts[at]
        bounds = sizes.cumsum()
        positions = np.repeat(begin - bounds + sizes, sizes)
        positions += np.arange(len(positions))
        return self._codes[self._built.stream[positions]], sizes

    def _read_texts(self, todo: list[int]) -> tuple[np.ndarray, list[int]]:
        """The codes of these passages' words read from their texts (called holding the lock): what
        rerank_text.content gives, each new word stemmed once; and each one's word count."""
        found = [_words(self.texts[n][:READ_CHARS]) for n in todo]
        # A cut text has the build's words up to its last one, which the cut may have split (index_words.py): folding
        # and splitting are local, so a word that ends before the cut is the whole text's (checked at every cut of
        # 30,000 random strings of accents, combining marks, jamo, ligatures, apostrophes). Only that one is read.
        lead = [len(f) - 1 if self._built is not None and f else 0 for f in found]
        found = [f[k:] for f, k in zip(found, lead)]
        word_id = self._word_id
        flat = list(itertools.chain.from_iterable(found))
        ids = list(map(word_id.get, flat))  # one lookup a word; the few new ones (None) are learnt, then looked up
        if None in ids:
            unknown = [n for n, i in enumerate(ids) if i is None]
            self._learn(list(dict.fromkeys(flat[n] for n in unknown)))  # stemmed once, in one call
            for n in unknown:
                ids[n] = word_id[flat[n]]
        codes = self._word_code[np.array(ids, dtype=np.intp)]
        if any(lead):
            codes = self._with_lead(todo, lead, codes, np.cumsum([0] + [len(f) for f in found]))
        return codes, [k + len(f) for k, f in zip(lead, found)]

    def _with_lead(self, todo: list[int], lead: list[int], codes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """The codes of the words read (each passage's from `bounds`) after each passage's first `lead` words of the
        build's stream."""
        pieces = []
        for n, (place, k) in enumerate(zip(todo, lead)):
            if k:
                start = int(self._built.starts[place])
                pieces.append(self._codes[self._built.stream[start:start + k]])
            pieces.append(codes[bounds[n]:bounds[n + 1]])
        return np.concatenate(pieces)

    def _keep_words(self, places: list[int], codes: np.ndarray, sizes) -> None:
        """Keep each passage's words as bytes: every word's stem id, and its content words' (codes one passage
        after another, `sizes` words each)."""
        if not places:
            return
        keep = codes >= 0
        every = codes ^ (codes >> 31)  # a stop word's ~id back to its id
        ends = np.cumsum(sizes)
        own, own_ends = every[keep], np.concatenate(([0], np.cumsum(keep)))[ends]  # content words to each end
        for n, every_, own_ in zip(places, _cut(every, ends), _cut(own, own_ends)):
            self._every[n] = every_
            self._content[n] = own_  # last: the passage counts as read once this is set

    def _learn(self, new: list[bytes | str]) -> None:
        """Give new words their ids, each its code (a stem new here its id and its head's), in arrays grown by
        doubling."""
        stem_ids, head_ids, first, known = self._stem_ids, self._head_ids, len(self._word_id), len(self._stem_ids)
        stems, fresh = [], []  # per new word its stem's id; per stem new here its head's id
        new_words = [w if type(w) is str else w.decode("ascii") for w in new]
        for s in _STEMMER.stemWords(new_words):
            found = stem_ids.find(s)
            if found < 0:
                found = stem_ids.add(s)
                fresh.append(head_ids.give(s[:FAMILY_PREFIX]) if len(s) >= FAMILY_PREFIX else -1)
            stems.append(found)
        self._word_id.update(zip(new, range(first, first + len(new))))
        self._word_code = fit(self._word_code, first, [s if w not in STOP_WORDS else ~s for s, w in zip(stems, new_words)])
        self._head_of = fit(self._head_of, known, fresh)

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
        stems, heads = self._scratch(self._stem_ids, "stems"), self._scratch(self._head_ids, "heads")
        return Gathered(mapped(stems, self._stem_ids, terms, content_), lengths,
                        mapped(heads, self._head_ids, starts, heads_of), mapped(stems, self._stem_ids, word_ids, every),
                        every_lengths)

    def _scratch(self, ids: Ids, name: str) -> np.ndarray:
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
