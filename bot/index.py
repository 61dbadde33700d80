"""Moved to bot.core: index (scoring), index_build (weights) and index_file (saving); old imports still work."""
from .core.index import Match, TfidfIndex  # noqa: F401
from .core.index_build import SCORING, IndexSettings, choose_scoring, passage_features  # noqa: F401
from .core.index_file import FORMAT_VERSION, INDEX_FILE, fingerprint, load_or_build  # noqa: F401
