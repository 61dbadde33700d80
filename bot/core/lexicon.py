"""A list of real English words, so typo correction never 'corrects' a right word the knowledge lacks.

Without it, 'join' would become the knowledge's 'joint' and 'head' its 'had', and a question the
documents do not answer would be answered from the wrong passage. The list is pyspellchecker's
English word-frequency table (160,000 words from subtitles and books), read lazily and once.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache

import orjson


@lru_cache(maxsize=2)
def english_words(min_count: int) -> frozenset[str]:
    """English words seen at least `min_count` times in pyspellchecker's corpus (empty if unavailable);
    AnswerSettings.english_min_count says which count the answerer uses."""
    from importlib import resources  # with what it loads (tempfile, shutil, zipfile): only when a list is read

    try:
        data = resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return frozenset()
    text = gzip.decompress(data)
    try:
        counts = orjson.loads(text)  # a third of the json module's time over these 160,000 words
    except orjson.JSONDecodeError:  # what orjson refuses (a number past 64 bits) the json module reads
        counts = json.loads(text)
    return frozenset(word for word, count in counts.items() if count >= min_count)
