"""Every passage text's words as the index build read them, kept beside the index, so the second stage reads no text.

The build already splits every text into words and stems every distinct word once (index_count.py); the
second stage needs exactly that of each candidate (`rerank_text.content`: every word's stem, stop words
too, and which are content words). So the build keeps, as plain arrays: the texts' word ids in order (the
build's word stream) with where each text starts, each word's stem id and whether it is a content word,
the stem id of each one-word index term (a question's stem is found through the index's own term table),
the stems of the stop words (no index term), and each stem's head (its first FAMILY_PREFIX letters) with
the heads sorted, so a question's head is found by binary search. Numpy over arrays the build has: a few
tens of milliseconds at 59k passages, and nothing to read at a start (the arrays are mapped with the index).

A text longer than READ_CHARS is read only that far by the second stage, and the cut may split a word:
such a text (about 3% of the Debian descriptions) is marked, and the store reads the last word before its cut
from its text (the words before it are the build's).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping

import numpy as np
import Stemmer

from ..text import STOP_WORDS
from .rerank_text import FAMILY_PREFIX, READ_CHARS

_STEMMER = Stemmer.Stemmer("english")  # the stemmer the build and rerank_text use


@dataclass(frozen=True)
class TextWords:
    """The passage texts' words as the build read them, and what the second stage needs of each word."""

    stream: np.ndarray  # int32: the word ids of every text, one text after another
    starts: np.ndarray  # int64 per passage, and one more: where its text's words start in `stream`
    whole: np.ndarray  # uint8 per passage: 1 when its text is no longer than READ_CHARS (its words here are all read)
    word_stems: np.ndarray  # int32 per word id: its stem's id (a stop word's too)
    word_keep: np.ndarray  # uint8 per word id: 1 for a content word (no stop word)
    column_stems: np.ndarray  # int32 per index column: the stem id of a one-word term, -1 for a bigram
    stop_stems: np.ndarray  # uint8: UTF-8 text of the stop words' stems, joined by newlines
    stop_ids: np.ndarray  # int32: the id of each of those stems
    head_of: np.ndarray  # int32 per stem id: its head's id (-1: shorter than FAMILY_PREFIX)
    heads: np.ndarray  # uint32: the heads in sorted order, FAMILY_PREFIX code points each (a '<U5' array's data)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array by field name (what the index saves)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def consistent(self, n_docs: int, n_words: int, n_columns: int) -> bool:
        """Whether the arrays fit together and the index (a damaged save is refused at open, not mid-answer). The
        stream's word ids are not scanned: that would read its every page (14 MB at 59k) at each start."""
        n_stems, starts = len(self.head_of), self.starts
        return (len(starts) == n_docs + 1 and len(self.whole) == n_docs and int(starts[0]) == 0
                and int(starts[-1]) == len(self.stream) and bool((np.diff(starts) >= 0).all())
                and len(self.word_stems) == n_words and len(self.word_keep) == n_words
                and len(self.column_stems) == n_columns and len(self.heads) % FAMILY_PREFIX == 0
                and int(np.count_nonzero(self.stop_stems == 10)) + (len(self.stop_stems) > 0) == len(self.stop_ids)
                and _within(self.word_stems, n_stems)
                and _within(self.stop_ids, n_stems) and _within(self.column_stems, n_stems, -1)
                and _within(self.head_of, len(self.heads) // FAMILY_PREFIX, -1))


def _within(values: np.ndarray, end: int, low: int = 0) -> bool:
    """Whether every value lies in [low, end)."""
    return not len(values) or (int(values.min()) >= low and int(values.max()) < end)


def text_words(stream: np.ndarray, piece_words: np.ndarray, piece_passage: np.ndarray, text_chars: np.ndarray,
               words: list[str], stem_of_word: np.ndarray, stem_names: Mapping[str, int], stem_strs: np.ndarray,
               column_stems: np.ndarray) -> TextWords:
    """The arrays from the build's own reading: its word stream (`piece_words` per piece, each piece's passage),
    each text's length in characters, the distinct words, each one's stem id (-1: a stop word) and the stems'
    ids (`stem_names`: stem -> id + 1, '' first; `stem_strs` in id order), and the stem id of each index column."""
    n_docs = len(text_chars)
    ends = np.cumsum(piece_words)
    first_piece = np.searchsorted(piece_passage, np.arange(n_docs))  # a passage's pieces: its text, then the rest
    text_end, text_size = ends[first_piece], piece_words[first_piece]
    if int(text_size.sum()) == len(stream):  # no section or question has a word: the stream is the texts' words
        text_stream = stream
    else:
        total = int(text_size.sum())
        bounds = np.cumsum(text_size)
        text_stream = stream[np.repeat(text_end - bounds, text_size) + np.arange(total)]
    starts = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(text_size, out=starts[1:])
    word_stems, word_keep, stop_stems, stop_ids, n_stems = _stop_words(words, stem_of_word, stem_names)
    strings = np.concatenate((stem_strs, np.full(n_stems - len(stem_strs), "", dtype=object)))
    for stem, n in zip(stop_stems, stop_ids.tolist()):
        strings[n] = stem
    head_of, heads = _heads(strings)
    return TextWords(text_stream.astype(np.int32, copy=False), starts, (text_chars <= READ_CHARS).astype(np.uint8),
                     word_stems, word_keep, column_stems.astype(np.int32, copy=False),
                     np.frombuffer("\n".join(stop_stems).encode("utf-8", "surrogatepass"), dtype=np.uint8),
                     stop_ids, head_of, heads)


def _stop_words(words: list[str], stem_of_word: np.ndarray, stem_names: Mapping[str, int]) -> tuple:
    """Each word's stem id with the stop words' stems added (they are no index term, but the second stage
    reads them): (word stems, word keep, stop stems, their ids, stem ids in all). A stop stem that is also
    some content word's stem keeps that stem's id; the others get ids after the build's stems."""
    word_stems = stem_of_word.astype(np.int32)
    stop = np.flatnonzero(word_stems < 0).tolist()  # the build gives a stop word the stem '' (id -1)
    stems = _STEMMER.stemWords([words[n] for n in stop])
    keep = np.ones(len(words), dtype=np.uint8)
    keep[stop] = [words[n] not in STOP_WORDS for n in stop]
    known, given = len(stem_names) - 1, {}
    size = known  # stem ids in all
    for n, stem in zip(stop, stems):
        found = given.get(stem)
        if found is None:
            found = stem_names.get(stem, 0) - 1 if stem else -1  # dict.get: the build's table never grows here
            if found < 0:
                found, size = size, size + 1
            given[stem] = found
        word_stems[n] = found
    return word_stems, keep, list(given), np.fromiter(given.values(), dtype=np.int32, count=len(given)), size


def _heads(strings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each stem's head id (-1 when shorter than FAMILY_PREFIX) and the heads sorted, in numpy: the stems cut to
    FAMILY_PREFIX code points ('<U5', NUL-padded: no word holds a NUL), sorted by their code points packed into
    two integers (21 bits each), then made unique. Half the time of np.unique over the strings."""
    text = strings.astype(f"<U{FAMILY_PREFIX}") if len(strings) else np.zeros(0, dtype=f"<U{FAMILY_PREFIX}")
    codes = text.view(np.uint32).reshape(-1, FAMILY_PREFIX)
    long = codes[:, -1] != 0
    c = codes[long].astype(np.uint64)
    high, low = np.zeros(len(c), dtype=np.uint64), np.zeros(len(c), dtype=np.uint64)
    for n in range(FAMILY_PREFIX):  # the first three code points in `high`, the rest (up to three) in `low`
        key = high if n < 3 else low
        key <<= np.uint64(21)
        key |= c[:, n]
    order = np.lexsort((low, high))
    high, low = high[order], low[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (high[1:] != high[:-1]) | (low[1:] != low[:-1])
    ids = np.empty(len(order), dtype=np.int32)
    ids[order] = np.cumsum(new) - 1
    head_of = np.full(len(strings), -1, dtype=np.int32)
    head_of[long] = ids
    return head_of, np.ascontiguousarray(text[long][order[new]]).view(np.uint32).reshape(-1)


class SavedIds:
    """A stem's id, or a head's, in the saved arrays (None when they hold none): the stop stems' table (made on
    first use), else the index's term table and the column's stem; a head by binary search among the heads."""

    def __init__(self, words: TextWords, vocabulary: Mapping[str, int]) -> None:
        self.words, self._vocabulary, self._stop = words, vocabulary, None
        self._columns = memoryview(words.column_stems)
        self._heads = words.heads.view(f"<U{FAMILY_PREFIX}") if len(words.heads) else np.zeros(0, f"<U{FAMILY_PREFIX}")

    def stem(self, stem: str) -> int | None:
        """The id of a stem the texts hold, or None."""
        stop = self._stop
        if stop is None:
            text = self.words.stop_stems.tobytes().decode("utf-8", "surrogatepass")
            stop = self._stop = dict(zip(text.split("\n") if len(self.words.stop_ids) else [],
                                         self.words.stop_ids.tolist()))
        found = stop.get(stem)
        if found is None:
            col = self._vocabulary.get(stem)
            if col is not None and self._columns[col] >= 0:
                found = self._columns[col]
        return found

    def head(self, head: str) -> int | None:
        """The id of a head some stem has, or None."""
        if len(head) != FAMILY_PREFIX or not len(self._heads):
            return None
        at = int(np.searchsorted(self._heads, head))
        return at if at < len(self._heads) and self._heads[at] == head else None
