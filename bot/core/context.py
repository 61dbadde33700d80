"""Conversation memory: the recent turns of one conversation, and sessions bounded in count and age."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from cachetools import TTLCache

if TYPE_CHECKING:
    from ..config import Config


@dataclass(frozen=True)
class Turn:
    """One answered question, remembered so a follow-up can lean on its topic."""

    question: str
    topic: tuple[str, ...]
    passage_id: str
    at: float


@dataclass(frozen=True)
class Context:
    """The recent turns of one conversation, newest last."""

    turns: tuple[Turn, ...] = ()

    def topic(self, now: float, max_age: float) -> tuple[str, ...]:
        """The topic words of the newest turn that is still fresh, or nothing."""
        for turn in reversed(self.turns):
            if now - turn.at <= max_age and turn.topic:
                return turn.topic
        return ()

    def add(self, turn: Turn, max_turns: int) -> "Context":
        """A new context with the turn appended and the oldest dropped beyond max_turns."""
        return Context(self.turns[-(max_turns - 1):] + (turn,) if max_turns > 1 else (turn,))


class SessionStore:
    """Contexts by session key, bounded in count (least recently used go first) and in age.

    A cachetools.TTLCache does both: a session expires `max_age` seconds after its last answer.
    """

    def __init__(self, max_sessions: int, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_sessions = max_sessions
        self.max_age = max_age
        self.clock = clock
        self._items: TTLCache[str, Context] = TTLCache(max(1, max_sessions), max_age, timer=clock)

    def get(self, key: str) -> Context:
        """The context of a session, or an empty one when it is new or has expired."""
        return self._items.get(key, Context())

    def put(self, key: str, context: Context) -> None:
        """Remember a session's context, evicting the least recently used beyond the bound."""
        if self.max_sessions > 0:  # a bound of 0 remembers nothing (TTLCache cannot be that small)
            self._items[key] = context

    def clear(self, key: str) -> None:
        """Forget one session (a /start or a new console conversation)."""
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


def new_sessions(config: Config, clock: Callable[[], float] = time.monotonic) -> SessionStore:
    """A session store bounded as the configuration says."""
    return SessionStore(config.session.max_sessions, config.session.max_age_seconds, clock)
