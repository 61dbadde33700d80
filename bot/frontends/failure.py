"""The one reply every front end gives when answering a question fails unexpectedly (a bug): the configured
`replies.failed`, while the traceback goes to the log and the next question is answered as usual."""

from __future__ import annotations

from ..config import Replies
from ..core.conversation import Conversation


def failed_reply(conversation: Conversation) -> str:
    """The configured `failed` reply of the answerer behind the conversation (a LiveAnswerer's current one)."""
    answerer = getattr(conversation.answerer, "current", conversation.answerer)
    replies = getattr(getattr(answerer, "config", None), "replies", None)  # an answerer without config: the default
    return (replies or Replies()).failed
