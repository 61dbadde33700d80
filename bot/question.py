"""Moved to bot.core.phrasing (how people ask); this name stays so older imports keep working."""
from .core.phrasing import *  # noqa: F401,F403
