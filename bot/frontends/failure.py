"""The one reply every front end gives when answering a question fails unexpectedly (a bug): the configured
`replies.failed`, while the cause goes to the log and the next question is answered as usual."""

from __future__ import annotations

import logging

from ..config import Replies
from ..core.conversation import Conversation


def failed_reply(conversation: Conversation) -> str:
    """The configured `failed` reply of the answerer behind the conversation (a LiveAnswerer's current one)."""
    answerer = getattr(conversation.answerer, "current", conversation.answerer)
    replies = getattr(getattr(answerer, "config", None), "replies", None)  # an answerer without config: the default
    return (replies or Replies()).failed


def log_failure(log: logging.Logger, what: str, error: BaseException) -> None:
    """Log a failure for the person at a terminal: one ERROR line naming the exception, and its traceback at
    DEBUG (shown with -v), so the screen holds the friendly reply, not a traceback, and the cause is still told."""
    message = " ".join(str(error).split())[:300]  # one line, whatever the exception's message holds
    log.error("%s: %s%s (-v shows the traceback)", what, type(error).__name__, f": {message}" if message else "")
    log.debug("the traceback of that failure:", exc_info=error)
