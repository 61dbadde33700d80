"""Safe writes of knowledge files: a file lock around read-modify-write, a journal, atomic replacement, undo.

Every change goes through `KnowledgeStore.transaction()`: it takes an exclusive lock (filelock) on
`<knowledge>/.lock` (so concurrent `kb add` runs queue instead of overwriting each other). `commit()`
then works in three steps, so that a change touching several files is all-or-nothing:

1. The new content of every file goes into `<knowledge>/.journal/new/`, beside the files the check
   needs, and the caller's check loads that staged knowledge exactly as the bot would.
2. `<knowledge>/.journal/journal.json` is written atomically: from then on the change is decided.
3. The current version of every file is copied into `<knowledge>/.history/NNNNNN/` (bounded to the
   last `history_limit` versions), each file is replaced atomically (temporary file, fsync, rename),
   and the journal is removed.

A crash before step 2 leaves the files untouched and the next command deletes the journal (rolls back); a crash
after it leaves a journal that the next command (or `kb check`) completes. Undo restores a saved version through
the same journal, and only ever touches regular files inside the knowledge folder, whatever its manifest says.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Callable, Iterable, Iterator

import filelock

from .. import files as disk
from ..errors import KnowledgeError, KnowledgeLocked, KnowledgeNotWritable, UndoRefused
from .folder import KnowledgeFolder, lock_refused, refuse_linked_lock
from .history import HISTORY_LIMIT, MANIFEST, History, Version, relative_name, remove_tree

JOURNAL = "journal.json"
LOCK_WAIT_SECONDS = 30.0  # how long a command queues behind another's change before it gives up in one line

Content = str | bytes | Iterable[str] | None  # None deletes the file
Check = Callable[[Path], None]  # loads the staged folder; raises when the change would break the knowledge


class KnowledgeStore:
    """Locked, journalled, atomic, undoable writes to the files of one knowledge folder."""

    def __init__(self, root: Path | str, history_limit: int = HISTORY_LIMIT, timeout: float | None = None) -> None:
        self.folder = KnowledgeFolder(Path(root))
        self.root = self.folder.root
        self.journal = self.folder.journal
        self.timeout = LOCK_WAIT_SECONDS if timeout is None else timeout
        if not self.root.is_dir():
            raise KnowledgeError("knowledge folder does not exist", self.root, hint="maintainers' commands edit a "
                                 "knowledge folder, not a JSON-lines file")
        self.real = self.root.resolve()
        self.history = History(self.folder.history, self.real, history_limit)

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Transaction"]:
        """Hold the knowledge lock while reading, changing and committing files (an interrupted change is
        completed or rolled back first, so the reads see a whole knowledge)."""
        with self._locked():
            self._recover()
            yield Transaction(self)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The exclusive lock on `.lock` (filelock's flock: released by the kernel if the process dies)."""
        refuse_linked_lock(self.folder.lock)
        lock = filelock.FileLock(self.folder.lock, timeout=self.timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise KnowledgeLocked(f"another maintainer's command has held the knowledge lock for {self.timeout:g} s; nothing "
                                  "was changed", self.folder.lock, hint="wait for it to finish and try again") from None
        except OSError as exc:
            raise lock_refused(self.folder.lock, exc) from None
        try:
            yield
        finally:
            lock.release()

    def inside(self, path: Path | str) -> Path:
        """The real path of a knowledge file, refused when it (or a link on the way) leads out of the folder
        or into the store's own hidden files: writes and undo never touch anything else."""
        path = Path(path) if Path(path).is_absolute() else self.root / path
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symbolic link loop
            raise KnowledgeError("cannot resolve the path (a symbolic link loop?)", path) from None
        try:
            relative = real.relative_to(self.real)
        except ValueError:
            raise KnowledgeError("leads out of the knowledge folder (a symbolic link?); nothing was changed", path,
                                 hint="kb commands only write inside the knowledge folder: replace the link "
                                      "with the file itself") from None
        if not relative.parts or any(part.startswith(".") for part in relative.parts):
            raise KnowledgeError("is not a knowledge file (the folder itself or a hidden file); nothing was changed", path)
        return real

    def relative(self, real: Path) -> str:
        """A checked real path's name inside the knowledge folder, as journals and manifests record it."""
        return real.relative_to(self.real).as_posix()

    def undo(self, check: Check | None = None, view: Iterable[Path] = (), force: bool = False,
             merge: Callable[[dict[Path, Content]], dict[Path, Content]] | None = None) -> Version:
        """Restore the files of the latest saved version and drop it from the history. Everything is read and checked
        first: a damaged manifest, a path out of the folder, a non-regular file or (unless `force`) a file edited
        since the change changes nothing. `merge` adjusts what is restored (the retired ids only ever grow)."""
        with self._locked():
            self._recover()
            disk.refuse_blocked([self.real / self.folder.HISTORY / "version"], self.real)  # a linked .history: refused
            versions = self.history.versions()
            if not versions:
                raise UndoRefused("there is no earlier version to go back to", self.history.folder,
                                  hint="undo restores what the last kb add, edit, remove or import changed")
            latest = versions[-1]
            try:
                changes = self._restoring(latest, force)
            except KnowledgeError as exc:  # a damaged version, a path out of the folder: this version cannot be used
                raise UndoRefused(exc.reason, exc.path, hint=exc.hint) from None
            changes = merge(changes) if merge is not None else changes
            self._run(changes, f"undo {latest.reason}", check, view, snapshot=None, drop=latest.name)
            return latest

    def _restoring(self, latest: Version, force: bool) -> dict[Path, Content]:
        """What undoing a saved version writes: each file's saved copy, or None for a file it did not have."""
        folder = self.history.folder / latest.name
        damaged = f"remove the folder {folder} to skip that version"
        if latest.damaged:
            raise KnowledgeError(f"the saved version is damaged: {latest.damaged}; nothing was changed",
                                 folder / MANIFEST, hint=damaged)
        changes: dict[Path, Content] = {}
        for relative in latest.files:
            target = self.inside(relative)
            if target.is_symlink() or (target.exists() and not target.is_file()):
                raise KnowledgeError("is not a regular file; nothing was changed", target, hint=damaged)
            changes[target] = None if relative in latest.absent else self.history.saved_copy(folder, relative)
        if not force:  # the retired ids are merged, not restored: a change to them since loses nothing
            self.history.refuse_edited(latest, skip=self.folder.RETIRED)
        return changes

    def versions(self) -> list[Version]:
        """Saved previous versions, oldest first."""
        return self.history.versions()

    # -- the journal ------------------------------------------------------------------------------------

    def pending(self) -> bool:
        """Whether an interrupted change waits in the journal."""
        return self.journal.exists() or self.journal.is_symlink()

    def recover(self) -> str | None:
        """Complete (or roll back) an interrupted change; returns what was done, or None when nothing waited."""
        if not self.pending():
            return None
        with self._locked():
            return self._recover()

    def _recover(self) -> str | None:
        if not self.pending():
            return None
        if self.journal.is_symlink() or not self.journal.is_dir() or not (self.journal / JOURNAL).exists():
            # Interrupted before the change was decided: no knowledge file was touched yet.
            try:
                if self.journal.is_dir() and not self.journal.is_symlink():
                    shutil.rmtree(self.journal)
                else:
                    self.journal.unlink()
            except OSError as exc:
                raise KnowledgeNotWritable(f"cannot remove an unfinished change: {exc.strerror or exc}",
                                           self.journal, hint="make the knowledge folder writable") from None
            return "rolled back an interrupted change that had not been saved"
        try:
            journal = disk.parse_json((self.journal / JOURNAL).read_text(encoding="utf-8"))
            reason, files = journal["reason"], journal["files"]
            snapshot, drop = journal.get("snapshot"), journal.get("drop")
            if not isinstance(reason, str) or not isinstance(files, dict) or not all(
                    isinstance(v, bool) for v in files.values()):
                raise ValueError("unexpected fields")
            for name in (snapshot, drop):
                if name is not None and not (isinstance(name, str) and name.isdigit()):
                    raise ValueError("unexpected version name")
            targets = {self.inside(relative_name(name)): keep for name, keep in files.items()}
        except (OSError, ValueError, KeyError, TypeError, RecursionError, KnowledgeError) as exc:
            raise KnowledgeError(f"an interrupted change cannot be completed: the journal is damaged ({exc})",
                                 self.journal / JOURNAL,
                                 hint=f"check the knowledge files by hand, then remove {self.journal}") from None
        self._apply(reason, targets, snapshot, drop)
        return f"completed the interrupted change '{reason}'"

    def _run(self, changes: dict[Path, Content], reason: str, check: Check | None, view: Iterable[Path],
             snapshot: str | None, drop: str | None = None, trial: bool = False) -> None:
        """Stage the new contents in the journal, check them, decide the change, then apply it (a trial stops
        after the check and discards the staged copy: nothing is written)."""
        staged, names = self.journal / "new", {path: self.relative(path) for path in changes}
        disk.refuse_blocked([*changes, self.real / self.folder.HISTORY / "version"], self.real)
        try:
            try:
                staged.mkdir(parents=True)
            except OSError as exc:
                raise KnowledgeNotWritable(f"cannot stage the change: {exc.strerror or exc}; nothing was changed",
                                           staged, hint="make the knowledge folder writable") from None
            for path, content in changes.items():
                if content is not None:
                    try:
                        disk.atomic_write(staged / names[path], content)
                    except KnowledgeError as exc:  # name the file the change was for, not its staged copy
                        raise KnowledgeNotWritable(exc.reason, path, hint=exc.hint) from None
            if check is not None:
                self._stage_view(staged, view, names)
                check(staged)
            if trial:
                shutil.rmtree(self.journal, ignore_errors=True)
                return
            disk.atomic_write(self.journal / JOURNAL, json.dumps({
                "reason": reason, "files": {names[p]: c is not None for p, c in changes.items()},
                "snapshot": snapshot, "drop": drop}, indent=1))
        except BaseException:
            if not (self.journal / JOURNAL).exists():
                shutil.rmtree(self.journal, ignore_errors=True)
            raise
        self._apply(reason, {path: changes[path] is not None for path in changes}, snapshot, drop)

    def _stage_view(self, staged: Path, view: Iterable[Path], names: dict[Path, str]) -> None:
        """Put every file the check reads into the staged folder at its place: the new content where the change
        writes it, a hard link to (or a copy of) the current file elsewhere."""
        changed = {name: staged / name for name in names.values()}
        deleted = {name for path, name in names.items() if not (staged / name).exists()}
        for file in view:
            file = Path(file)
            try:
                place = staged / file.relative_to(self.root)
                real = file.resolve()
                name = self.relative(real) if real.is_relative_to(self.real) else None
                if name in deleted or (name in changed and place == changed[name]):
                    continue
                source = changed.get(name, real)
                if not source.exists():
                    continue
                place.parent.mkdir(parents=True, exist_ok=True)
                if not stat.S_ISREG(os.stat(source).st_mode):
                    place.symlink_to(source)  # never read a device or FIFO here: the check's loader judges it
                    continue
                try:
                    os.link(source, place)
                except OSError:
                    shutil.copyfile(source, place)
            except (OSError, ValueError, RuntimeError) as exc:
                raise KnowledgeError(f"cannot stage the change: {exc}; nothing was changed", file) from None

    def _apply(self, reason: str, targets: dict[Path, bool], snapshot: str | None, drop: str | None) -> None:
        """Carry out a decided change; safe to repeat after a crash at any point."""
        staged = self.journal / "new"
        try:
            if snapshot is not None and not (self.history.folder / snapshot / MANIFEST).exists():
                self.history.snapshot(snapshot, {self.relative(t): keep for t, keep in targets.items()}, reason, staged)
            for target, keep in targets.items():
                if keep:
                    disk.atomic_write(target, (staged / self.relative(target)).read_bytes())
                elif target.exists() or target.is_symlink():
                    target.unlink()
                    disk.fsync_dir(target.parent)
            if drop is not None:
                remove_tree(self.history.folder / drop, MANIFEST)
        except (OSError, KnowledgeError) as exc:  # a full disk, a folder made read-only meanwhile: a setup error
            what = ": ".join(str(p) for p in (exc.filename, exc.strerror or exc) if p) if isinstance(exc, OSError) \
                else f"{exc.path}: {exc.reason}"
            raise KnowledgeNotWritable(f"'{reason}' was interrupted: {what}", self.journal, hint="free disk space or make "
                                       "the knowledge folder writable, then run 'python -m bot kb check' to complete it") from None
        remove_tree(self.journal, JOURNAL)


class Transaction:
    """Changes staged while the lock is held; `commit` checks, journals, snapshots and writes them."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self.changes: dict[Path, Content] = {}

    def write(self, path: Path, content: Content) -> None:
        """Stage new content for a file (None deletes it); refused at once when the path leads out of the folder."""
        # Paths here are built from the knowledge folder as given, so relative ones are relative to the working
        # directory (a relative --knowledge), not to the folder: inside() would otherwise put them one level deeper.
        real = self.store.inside(Path(path).absolute())
        if content is None and real.exists() and not real.is_file():
            raise KnowledgeError("is not a regular file; nothing was changed", path)
        self.changes[real] = content

    def staged(self, path: Path) -> Content:
        """The content staged for a file so far (None when nothing is staged or it is to be deleted)."""
        return self.changes.get(self.store.inside(Path(path).absolute()))

    def commit(self, reason: str, check: Check | None = None, view: Iterable[Path] = (), trial: bool = False) -> None:
        """Write all staged files or none: `check` first loads the staged knowledge (the `view` files, with the
        new contents in place) and raises to refuse the change; then the journal decides it and it is applied.
        A trial runs the same check and writes nothing (a preview of whether the change would be saved)."""
        if not self.changes:
            return
        self.store._run(self.changes, reason, check, view, snapshot=self.store.history.next_version(), trial=trial)
        self.changes = {}
