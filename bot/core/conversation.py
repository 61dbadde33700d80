"""A conversation turn in one place: get the session's context, answer, remember it, log it.

The log is a callable the caller injects (the SQLite question log, or nothing), so the core does
no I/O of its own; every front end (console, JSON lines, Telegram) asks through `Conversation.ask`.
"""

from __future__ import annotations

from typing import Callable, Protocol

from .answer import Answer
from .context import Context, SessionStore

QuestionLog = Callable[[str, str, Answer], None]  # (who asked, question, answer)


class Answers(Protocol):
    """Anything that answers a question in a context: an Answerer, or a LiveAnswerer around one."""

    def answer(self, question: str, context: Context | None = None) -> Answer: ...


class Conversation:
    """Answers questions per session: the context of earlier turns in, the updated context kept."""

    def __init__(self, answerer: Answers, sessions: SessionStore, log: QuestionLog | None = None) -> None:
        self.answerer = answerer
        self.sessions = sessions
        self.log = log

    def ask(self, session: str, text: str, log_as: str | None = None) -> Answer:
        """Answer `text` in `session` ('' for a one-off question with no memory), then log it
        under `log_as` (default: the session)."""
        context = self.sessions.get(session) if session else None
        answer = self.answerer.answer(text, context)
        if session:
            self.sessions.put(session, answer.context)
        if self.log is not None:
            self.log(session if log_as is None else log_as, text, answer)
        return answer

    def forget(self, session: str) -> None:
        """Start a session afresh (/start, a new console conversation)."""
        self.sessions.clear(session)
