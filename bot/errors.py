"""Domain errors: small named exceptions whose message says what is wrong and how to fix it."""

from __future__ import annotations


class BotError(Exception):
    """Base of every error a front end turns into one friendly line."""


class ConfigError(BotError):
    """The configuration file or an environment override is invalid."""


class KnowledgeError(BotError):
    """A knowledge file is unreadable or invalid; names the file and line so it can be fixed."""

    def __init__(self, message: str, path: object = None, line: int | None = None, hint: str = "") -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        self.hint = hint
        where = self.path or "knowledge"
        if line is not None:
            where = f"{where}, line {line}"
        text = f"{where}: {message}"
        if hint:
            text = f"{text} ({hint})"
        super().__init__(text)


class KnowledgeNotWritable(KnowledgeError):
    """This process cannot write the knowledge folder (a read-only mount, another user's folder, a full disk): a setup
    error, the same one line and exit code 2 from every kb command that changes the knowledge, undo included."""


class KnowledgeLocked(KnowledgeError):
    """Another maintainer's command held the knowledge lock for the whole wait: nothing was changed, and the same
    one line and exit code 2 come from every kb command that changes the knowledge, undo included."""


class UndoRefused(KnowledgeError):
    """`kb undo` has nothing it may restore (no earlier version, a damaged one): a refusal, exit 1."""


class EmptyKnowledge(KnowledgeError):
    """A knowledge folder holds no passages yet (just made by `kb init`): the fix is to import a document."""

    def __init__(self, path: object) -> None:
        super().__init__("the knowledge holds no passages yet", path,
                         hint=f"import a document: python -m bot --knowledge {path} kb import FILE --yes")


class StorageError(BotError):
    """The log database cannot be opened or read, or is already closed."""


class PassageNotFound(BotError):
    """A maintainer named a passage id that the knowledge does not have."""


class DuplicatePassage(BotError):
    """A new passage is a near-duplicate of an existing one."""

    def __init__(self, message: str, existing_id: str) -> None:
        self.existing_id = existing_id
        super().__init__(message)


class PassageRejected(BotError):
    """A new or edited passage fails validation (empty, too long, bad section or source)."""


class UsageError(BotError):
    """Something the command needs is missing and there is no terminal to ask for it."""
