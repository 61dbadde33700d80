"""The names inside a knowledge folder, in one place: every path to a knowledge file is built here."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import KnowledgeError, KnowledgeNotWritable


@dataclass(frozen=True)
class KnowledgeFolder:
    """A knowledge folder and the files and folders it holds (visible ones the maintainer edits, hidden ones
    the bot keeps for itself)."""

    root: Path

    PASSAGES = "passages"
    SYNONYMS = "synonyms.yaml"
    QUESTIONS = "questions.yaml"
    SOURCES = "sources"
    RETIRED = "retired-ids.txt"
    INDEX = ".index"
    HISTORY = ".history"
    JOURNAL = ".journal"
    LOCK = ".lock"
    IDENTITY = ".identity"

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def passages(self) -> Path:
        """The folder of passages files, one per source."""
        return self.root / self.PASSAGES

    def passage_file(self, source_id: str) -> Path:
        """Where an imported source's passages are written."""
        return self.passages / f"{source_id}.yaml"

    @property
    def synonyms(self) -> Path:
        """Groups of words that mean the same in this knowledge."""
        return self.root / self.SYNONYMS

    @property
    def questions(self) -> Path:
        """The regression questions `kb check` and `eval` ask."""
        return self.root / self.QUESTIONS

    @property
    def sources(self) -> Path:
        """The documents the passages were imported from."""
        return self.root / self.SOURCES

    @property
    def retired(self) -> Path:
        """Ids of removed passages: never given again, so logs, feedback and notes keep meaning what they named."""
        return self.root / self.RETIRED

    @property
    def index(self) -> Path:
        """The saved index, rebuilt when the passages change."""
        return self.root / self.INDEX

    @property
    def history(self) -> Path:
        """Saved earlier versions, for `kb undo`."""
        return self.root / self.HISTORY

    @property
    def journal(self) -> Path:
        """A change decided but not yet fully written (completed by the next command)."""
        return self.root / self.JOURNAL

    @property
    def lock(self) -> Path:
        """The file whose lock makes maintainers' commands queue."""
        return self.root / self.LOCK

    @property
    def identity(self) -> Path:
        """The knowledge base's id in the question log and the paths it was seen at, so a move keeps its history."""
        return self.root / self.IDENTITY


def index_cache(path: Path) -> Path:
    """Where the index of a knowledge folder, or of a JSON-lines file (beside it), is saved: beside the
    knowledge, or in the user's cache folder when the knowledge is read-only (an installed package, a
    read-only mount), so that each start does not rebuild it and warn."""
    path = Path(path)
    beside = KnowledgeFolder(path).index if path.is_dir() else path.parent / f".{path.name}.index"
    folder = beside if beside.exists() else beside.parent
    if beside.is_symlink():  # saving through it wrote (and pruned old indexes) wherever it points: a cache can move
        return _user_cache(path, beside)
    if not folder.is_dir() or _writable(folder):  # a missing knowledge is reported by the loader, a file in the way
        return beside  # by the failed save
    return _user_cache(path, beside)


def _user_cache(path: Path, beside: Path) -> Path:
    """The index's folder in the user's cache, named after the knowledge and where its own would be."""
    import platformdirs  # only for a read-only knowledge: most starts never import it

    cache = Path(platformdirs.user_cache_dir("factbot", appauthor=False))
    try:  # the user's own: the saved passages may come from a folder other users cannot read
        cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        pass  # saving then fails and says so, as it did beside the knowledge
    name = hashlib.sha256(os.fsencode(os.path.abspath(beside))).hexdigest()[:16]
    return cache / f"{path.name}-{name}"


def _writable(path: Path) -> bool:
    """Whether this process may create and replace files in the folder (False on a read-only file system)."""
    return os.access(path, os.W_OK | os.X_OK)


def lock_refused(lock: Path, exc: OSError) -> KnowledgeNotWritable:
    """The one error every maintainers' command gives when it cannot open the knowledge lock (a read-only folder)."""
    return KnowledgeNotWritable(f"cannot open the lock file: {exc.strerror or exc}", lock,
                          hint="make the knowledge folder writable")


def refuse_linked_lock(lock: Path) -> None:
    """Refuse a lock file that is a symbolic link before opening it: an older filelock opens with O_TRUNC and
    follows links, emptying (or creating) whatever file it names outside the knowledge folder."""
    if lock.is_symlink():
        raise KnowledgeError("a symbolic link where the lock file is expected (kb commands write only inside the "
                             "knowledge folder); nothing was changed", lock,
                             hint="remove the link: the next kb command makes a lock file of its own")


def check_writable(folder: KnowledgeFolder) -> None:
    """Refuse a change before any work for it (`kb import` splits and shows a whole document first), with the
    error the change would end in, when this process cannot open the lock or write where a change writes."""
    import filelock  # only for maintainers' commands: a start never imports it

    refuse_linked_lock(folder.lock)
    try:
        with filelock.FileLock(folder.lock, timeout=0):
            pass
    except filelock.Timeout:
        pass  # another command holds it: the lock opened, and the change itself waits its turn
    except OSError as exc:
        raise lock_refused(folder.lock, exc) from None
    for path in (folder.root, folder.passages, folder.sources):  # the journal, the passages file, the document
        if path.is_dir() and not _writable(path):
            raise KnowledgeNotWritable("cannot write in this folder", path, hint="make the knowledge folder writable")
