"""Moved to bot.core.expand; this name stays so older imports keep working."""
from .core.expand import Expander, Expansion, find_acronyms  # noqa: F401
