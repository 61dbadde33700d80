"""Moved to bot.core.spelling; this name stays so older imports keep working."""
from .core.spelling import Speller, trigrams  # noqa: F401
