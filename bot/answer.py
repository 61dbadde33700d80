"""Moved to bot.core (the answer pipeline, one module per stage); these names stay importable for older code."""
from .core.answer import Answer, Why  # noqa: F401
from .core.context import Context, SessionStore, Turn  # noqa: F401
from .core.hits import Hit  # noqa: F401
from .core.pipeline import Answerer, build_answerer, new_sessions  # noqa: F401
from .core.settings import AnswerSettings as _Recorded

EXPANSION_WEIGHT, SUBSTITUTE_WEIGHT = _Recorded.expansion_weight, _Recorded.substitute_weight  # now AnswerSettings fields
