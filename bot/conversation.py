"""Moved to bot.core (context, smalltalk, conversation); these names stay importable for older code."""
from .core.context import Context, SessionStore, Turn  # noqa: F401
from .core.conversation import Conversation  # noqa: F401
from .core.smalltalk import SMALLTALK, smalltalk_intent, strip_greeting  # noqa: F401
