"""Every passage's terms counted at once: the same terms, counts and vocabulary order as counting
`index_build.passage_features` one passage at a time, with the per-word work done once per distinct word.

The pieces of text (each passage's text, section and questions) are normalised, joined and split
into byte tokens by one `bytes.translate` and `split` (which also lower-case the ASCII pieces); each distinct token becomes its words
(`text.split_words`), each distinct word its stem. From there everything is numpy over ids: stems,
the adjacent-stem bigrams within a piece, and one stable sort that groups the (term, passage) pairs.
A term's column is its place in first-seen order, the order a dict filled passage by passage gives.
"""

from __future__ import annotations

import itertools
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import numpy as np

from ..kb.model import Passage
from ..text import normalise, split_words, word_stems
from .index_words import TextWords, text_words
from .terms import KeyTable

if TYPE_CHECKING:  # index_build imports this module; the settings are only read here
    from .index_build import IndexSettings

Progress = Callable[[int, int], None]
PROGRESS_STEPS = 100  # how many times a count reports its progress, at most

# Bytes that can be part of a word stay, every other ASCII byte becomes a space. The UTF-8 bytes of
# other scripts stay too: the few tokens holding them, or an apostrophe, are split by split_words.
# Capitals become small letters and a backtick an apostrophe: text.normalise of an ASCII piece, done
# here in C for the whole chunk (no character normalises to a capital or a backtick, so the other
# pieces, normalised one by one, are left as they are).
_KEEP = b"abcdefghijklmnopqrstuvwxyz0123456789'"
_BYTES = bytes(c + 32 if 65 <= c <= 90 else 39 if c == 96 else c if c in _KEEP or c >= 128 else 32 for c in range(256))
SENTINEL = b"\xff"  # between pieces: UTF-8 never holds the byte 0xFF, so a lone 0xFF token ends a piece
_JOIN = b" \xff "


@dataclass(frozen=True)
class Counted:
    """(term, passage) counts sorted term-major, passages ascending; columns in first-seen term order."""

    vocabulary: KeyTable  # term -> column
    word_counts: dict[str, int]
    term_of: np.ndarray  # int32 column of each pair
    indices: np.ndarray  # int32 passage of each pair
    tf: np.ndarray  # int32 times the term occurs in the passage
    is_bigram: np.ndarray  # bool per column
    text_words: TextWords  # every text's words as read here, for the second stage (index_words.py)
    heading_tf: np.ndarray | None = None  # int32: how many of each pair's `tf` are in the section heading (None: not
    # counted apart, as when the heading weighs as much as the text: IndexSettings.section_weight 1)


class _Ids(dict):
    """Key -> id in first-seen order, assigned inside C loops (`map(ids.__getitem__, keys)`)."""

    def __missing__(self, key) -> int:
        found = self[key] = len(self)
        return found


def count_terms(passages: Sequence[Passage], settings: IndexSettings, on_progress: Progress | None = None) -> Counted:
    """Count every passage's index terms (passage_features) and every word (the speller's counts)."""
    tokens, token_ids, piece_tokens, piece_passage, indexed, text_chars = _tokenise(passages, settings, on_progress)
    words, word_stream, piece_words = _words(tokens, token_ids, piece_tokens)
    word_counts = dict(zip(words, np.bincount(word_stream, minlength=len(words)).tolist()))
    stem_names = _Ids({"": 0})  # a stop word's stem is '': -1 once shifted, the stems 0, 1, ...
    stem_of_word = np.fromiter(map(stem_names.__getitem__, word_stems(words)), dtype=np.int32, count=len(words)) - 1
    stem_strs = np.array(list(stem_names)[1:], dtype=object)
    piece_of_word = np.repeat(np.arange(len(piece_words), dtype=np.int32), piece_words)
    stems = stem_of_word[word_stream]
    keep = (stems >= 0) & indexed[piece_of_word]
    stems, stem_piece = stems[keep], piece_of_word[keep]
    del piece_of_word, keep
    apart = settings.index_sections and settings.section_weight != 1
    heading = _headings(piece_passage, len(text_chars)) if apart else None
    features = list(_features(stems, stem_piece, piece_passage, len(stem_strs), settings.bigrams, heading))
    del stems, stem_piece
    vocabulary, is_bigram, column_stems, term_of, indices, tf, heading_tf = _pairs(features, stem_names, stem_strs)
    texts = text_words(word_stream, piece_words, piece_passage, text_chars, words, stem_of_word, stem_names, stem_strs,
                       column_stems)
    return Counted(vocabulary, word_counts, term_of, indices, tf, is_bigram, texts, heading_tf)


def _headings(piece_passage: np.ndarray, n_docs: int) -> np.ndarray:
    """1 for each passage's section piece (its second: text, section, then its questions), 0 for the others."""
    heading = np.zeros(len(piece_passage), dtype=np.uint8)
    heading[np.searchsorted(piece_passage, np.arange(n_docs)) + 1] = 1
    return heading


def _tokenise(passages: Sequence[Passage], settings: IndexSettings, on_progress: Progress | None) -> tuple:
    """Token ids of every piece in order: (distinct tokens, token stream, tokens per piece,
    each piece's passage, whether each piece is indexed, each passage's text length in characters)."""
    ids = _Ids({SENTINEL: 0})
    streams, counts, sizes, chars = [], [], array("q"), array("q")
    total, done, every = len(passages), 0, max(1, len(passages) // PROGRESS_STEPS)
    chunks = iter(passages)
    while done < total:  # a chunk at a time, so no list of every token of the knowledge is ever held
        chunk = list(itertools.islice(chunks, every))
        pieces = [piece for p in chunk for piece in (p.text, p.section, *p.questions)]
        sizes.extend([2 + len(p.questions) for p in chunk])
        chars.extend([len(p.text) for p in chunk])
        stream, lengths = _split(pieces, ids)
        streams.append(stream)
        counts.append(lengths)
        done = min(done + every, total)
        if on_progress is not None:
            on_progress(done, total)
    per_passage = np.frombuffer(sizes, dtype=np.int64) if total else np.zeros(0, dtype=np.int64)
    owners = np.repeat(np.arange(total, dtype=np.int32), per_passage)
    place = np.arange(len(owners)) - np.repeat(np.cumsum(per_passage) - per_passage, per_passage)  # 0 text, 1 section
    indexed = (place == 0) | ((place == 1) & settings.index_sections) | ((place >= 2) & settings.index_questions)
    join = (lambda arrays, dtype: np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype))
    return (list(ids), join(streams, np.int32), join(counts, np.int64), owners, indexed,
            np.frombuffer(chars, dtype=np.int64) if total else np.zeros(0, dtype=np.int64))


def _split(pieces: list[str], ids: _Ids) -> tuple[np.ndarray, np.ndarray]:
    """The token ids of pieces of text and each piece's token count: one split of the joined chunk."""
    encoded = [p.encode() if p.isascii() else normalise(p).encode("utf-8", "surrogatepass") for p in pieces]
    tokens = _JOIN.join(encoded).translate(_BYTES).split()
    found = np.fromiter(map(ids.__getitem__, tokens), dtype=np.int32, count=len(tokens))
    ends = np.flatnonzero(found == 0)
    return found[found != 0], np.diff(ends, prepend=-1, append=len(found)) - 1


def _words(tokens: list[bytes], token_ids: np.ndarray, piece_tokens: np.ndarray) -> tuple:
    """The distinct words in first-seen order, the word stream (ids) and each piece's word count.

    A token is one word unless it holds an apostrophe or another script ("o'brien's", "x©y"):
    split_words then gives it none, one or several, as it would in the whole text."""
    found = [[]] + [[token.decode("ascii")] if token.isalnum() else split_words(token.decode("utf-8", "surrogatepass"))
                    for token in itertools.islice(tokens, 1, None)]  # token 0 is the sentinel between pieces: no word
    names = dict.fromkeys(itertools.chain.from_iterable(found))  # the words in first-seen order
    names = dict(zip(names, range(len(names))))
    sizes = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
    parts = np.fromiter(map(names.__getitem__, itertools.chain.from_iterable(found)), dtype=np.int32, count=int(sizes.sum()))
    first = np.cumsum(sizes) - sizes  # where each token's words start in `parts`
    per_token = sizes[token_ids]
    if bool((per_token == 1).all()):
        stream = parts[first[token_ids]]
    else:  # some tokens give no word or several: expand each occurrence to its words
        total = int(per_token.sum())
        ends = np.cumsum(per_token)
        stream = parts[np.repeat(first[token_ids] - (ends - per_token), per_token) + np.arange(total)]
        del ends
    bounds = np.concatenate(([0], np.cumsum(per_token)))[np.concatenate(([0], np.cumsum(piece_tokens)))]
    return list(names), stream, np.diff(bounds)


def _features(stems: np.ndarray, piece: np.ndarray, piece_passage: np.ndarray, n_stems: int, bigrams: bool,
              heading: np.ndarray | None = None) -> tuple:
    """Every index term as an int64 key (stem s: s; bigram a b: n + a * n + b), laid out in
    passage_features' order (each piece's stems, then its bigrams), each one's passage, and (given each piece's
    `heading` mark) whether it is in a section heading, else None."""
    n_pieces = len(piece_passage)
    per_piece = np.bincount(piece, minlength=n_pieces)
    pairs = np.flatnonzero(piece[1:] == piece[:-1]) if bigrams else np.zeros(0, dtype=np.int64)
    per_piece_bigrams = np.maximum(per_piece - 1, 0) if bigrams else np.zeros(n_pieces, dtype=np.int64)
    bigrams_before = np.cumsum(per_piece_bigrams) - per_piece_bigrams
    # A piece starts at (stems before it) + (bigrams before it); its stem i then sits at i + bigrams
    # before the piece, its bigram starting at stem i at i + bigrams before the piece + its stem count.
    stem_at = np.arange(len(stems)) + bigrams_before[piece]
    left = piece[pairs]
    bigram_at = pairs + bigrams_before[left] + per_piece[left]
    keys = np.empty(len(stems) + len(pairs), dtype=np.int64)
    keys[stem_at] = stems
    keys[bigram_at] = n_stems + stems[pairs].astype(np.int64) * n_stems + stems[pairs + 1]  # int64: n ** 2 overflows int32
    passage_of = np.empty(len(keys), dtype=np.int32)
    passage_of[stem_at] = piece_passage[piece]
    passage_of[bigram_at] = piece_passage[left]
    if heading is None:
        return keys, passage_of, None
    in_heading = np.empty(len(keys), dtype=np.uint8)
    in_heading[stem_at] = heading[piece]
    in_heading[bigram_at] = heading[left]
    return keys, passage_of, in_heading


def _pairs(features: list, stem_ids: Mapping[str, int], stem_strs: np.ndarray) -> tuple:
    """One stable sort groups each term's occurrences in passage order; the groups are then put in
    first-seen order: (vocabulary, is_bigram, each term's stem id or -1, term_of, indices, tf, heading tf or None).
    `features` ([keys, passages, heading marks]) is emptied, and every large array dropped once used, so the peak
    memory stays low."""
    keys, passage_of, in_heading = features
    features.clear()
    if not len(keys):
        empty = np.zeros(0, dtype=np.int32)
        return KeyTable(stem_ids, stem_strs, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)), \
            np.zeros(0, dtype=bool), empty, empty, empty, empty, None if in_heading is None else empty
    order = _stable_order(keys)
    keys, passage_of = keys[order], passage_of[order]
    in_heading = None if in_heading is None else in_heading[order]
    new_term = np.concatenate(([True], keys[1:] != keys[:-1]))
    new_pair = new_term.copy()
    new_pair[1:] |= passage_of[1:] != passage_of[:-1]
    term_starts, pair_starts = np.flatnonzero(new_term), np.flatnonzero(new_pair)
    seen = np.argsort(order[term_starts])  # the groups in order of their first occurrence
    del order, new_pair
    term_keys = keys[term_starts]  # ascending
    tf = np.diff(np.append(pair_starts, len(keys))).astype(np.int32)
    in_heading = None if in_heading is None else np.add.reduceat(in_heading, pair_starts, dtype=np.int32)
    passage_of = passage_of[pair_starts]
    group_start = np.flatnonzero(new_term[pair_starts])  # each term's first pair
    del keys, new_term, term_starts
    group_size = np.diff(np.append(group_start, len(pair_starts)))[seen]
    ends = np.cumsum(group_size)
    take = np.repeat(group_start[seen] - (ends - group_size), group_size) + np.arange(len(pair_starts))
    del pair_starts, ends
    indices, tf = passage_of[take], tf[take]
    heading_tf = None if in_heading is None else in_heading[take]
    del take, passage_of
    term_of = np.repeat(np.arange(len(seen), dtype=np.int32), group_size)
    return (*_vocabulary(term_keys, seen, stem_ids, stem_strs), term_of, indices, tf, heading_tf)


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """np.argsort(keys, kind="stable") as a sort on 16-bit digits, last digit first: numpy sorts 16-bit
    keys by radix, so this takes half the time of the general stable sort of int64 keys."""
    top = int(keys.max())
    return np.lexsort([((keys >> shift) & 0xFFFF).astype(np.uint16) for shift in range(0, max(top.bit_length(), 1), 16)])


def _vocabulary(term_keys: np.ndarray, seen: np.ndarray, stem_ids: Mapping[str, int],
                stem_strs: np.ndarray) -> tuple[KeyTable, np.ndarray, np.ndarray]:
    """The vocabulary over the terms' keys (ascending; `seen`: the column order), which terms are bigrams,
    and each term's stem id (-1 for a bigram), all in column order."""
    columns = np.empty(len(seen), dtype=np.int64)
    columns[seen] = np.arange(len(seen))
    in_order = term_keys[seen]
    is_bigram = in_order >= len(stem_strs)
    return (KeyTable(stem_ids, stem_strs, term_keys, columns), is_bigram,
            np.where(is_bigram, -1, in_order).astype(np.int32))
