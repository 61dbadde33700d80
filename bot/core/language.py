"""Whether a question is written in another language than English, by a measured rule (no model).

The bot answers in English about its documents; a question in Spanish, French or Mongolian would
otherwise get "my documents don't say", as if the documents had been searched and found wanting.

    foreign  <=>  at least `foreign_min_words` words of letters besides names, and either
                  more than `foreign_letter_share` of the letters are not Latin (Cyrillic, Greek, CJK ...), or
                  more than `foreign_word_share` of the words are neither English nor the knowledge's own

A word written with an accent English does not use (cuándo, coopération, Zusammenarbeit's umlauts)
counts as not English even when it folds to a near miss of an English word, unless the word as
written reads as English (café, naïve); Spanish's opening ¿ or ¡ decides at once.

Names (words capitalised inside the sentence) belong to no language and are left out; in scripts
written without spaces (Chinese, Japanese, Thai) each character counts as a word.
A word is English when the reader knows it (Reader.knows): pyspellchecker's English word list, a stop
word, a word of the knowledge (so its names and acronyms never count as foreign), or a misspelling,
relative or run-together pair of the knowledge's words (so typos stay English). A Latin word without
a vowel is no word of any language (keyboard mash, an acronym typed in lower case) and is left out too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

from ..text import normalise
from .settings import AnswerSettings

_LETTERS = re.compile(r"[^\W\d_]+")
_VOWEL = re.compile(r"[aeiouy]|[^a-z']")  # accents are folded, so a word of another script always passes
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")  # "doesn't" is one English word, not 'doesn' and 't'
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")  # _WORD on ASCII text, where a letter is A-Z or a-z


def _latin(ch: str) -> bool:
    """Whether a letter is Latin script (a-z and its accented forms)."""
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def _unspaced(ch: str) -> bool:
    """Whether a letter belongs to a script written without spaces, where each character counts as a word."""
    return unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "THAI"))


def judged_words(text: str) -> list[str]:
    """The words a language is judged by: normalised, possessive 's dropped, and without the words
    capitalised inside the sentence, which are names ('Kublai Khan', 'NATO') in any language."""
    return [folded for _, folded in _words(text)]


def _words(text: str) -> list[tuple[str, str]]:
    """Each judged word as written (its accents kept) and as judged_words gives it, in one pass."""
    if text.isascii():  # most questions: lower-casing the whole text folds each word as normalise would
        found = _ASCII_WORD.findall(text)
        pairs = zip(found, _ASCII_WORD.findall(text.lower()))  # two regex calls instead of a normalise per word
    else:
        found = _WORD.findall(text)
        pairs = ((w, normalise(w)) for w in found)
    return [(w, n.removesuffix("'s")) for i, (w, n) in enumerate(pairs) if (i == 0 or not w[0].isupper()) and n]


def _accented(word: str) -> bool:
    """Whether a Latin word carries a mark English spelling does not use (á, ç, ñ, ü ...)."""
    return any(not ch.isascii() and _latin(ch) for ch in word)


def is_foreign(text: str, knows: Callable[[str], bool], settings: AnswerSettings) -> bool:
    """Whether `text` reads as a language other than English (see the module docstring for the rule)."""
    words = _words(text)
    plain = text.isascii()  # most questions: every letter Latin, no accents, no unspaced script, no ¿ ¡
    if (len(words) if plain else sum(len(n) if _unspaced(n[0]) else 1 for _, n in words)) < settings.foreign_min_words:
        return False
    if not plain or settings.foreign_letter_share < 0:  # ASCII letters are all Latin: 0 > share x n cannot hold
        letters = "".join(_LETTERS.findall(text))
        if (0 if plain else sum(not _latin(ch) for ch in letters)) > settings.foreign_letter_share * len(letters):
            return True
    if "\u00bf" in text or "\u00a1" in text:  # ¿ ¡: Spanish, whatever its words
        return True
    worded = [(w, n) for w, n in words if _VOWEL.search(n)]  # 'qwzx vbnm' is a keyboard, not a language
    if len(worded) < settings.foreign_min_words:
        return False
    if plain:
        return sum(not knows(n) for _, n in worded) > settings.foreign_word_share * len(worded)
    unknown = sum(not knows(n) or (_accented(w) and not knows(w.lower())) for w, n in worded)
    return unknown > settings.foreign_word_share * len(worded)
