"""`kb edit ID` without options: the passage's YAML in $VISUAL or $EDITOR, checked like a new passage when saved."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import DuplicatePassage, KnowledgeError, KnowledgeLocked, KnowledgeNotWritable
from ..errors import PassageRejected, UsageError
from ..kb.edit import edit_passage
from ..kb.folder import KnowledgeFolder, check_writable
from ..kb.lookup import knowledge_root, locate
from ..kb.entries import load_passage_file
from ..kb.model import Passage
from ..kb.yamlio import dump_passage_file

if TYPE_CHECKING:
    from .kb_commands import Console


def _editor_command() -> list[str]:
    """$VISUAL or $EDITOR (else vi) as an argument list, or UsageError saying how to set it."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        command = shlex.split(editor)
    except ValueError as exc:
        raise UsageError(f"cannot read the editor command {editor!r}: {exc} (fix $VISUAL or $EDITOR)") from None
    if not command:
        raise UsageError("$VISUAL or $EDITOR is empty (set it to an editor, or use --text and --section)")
    return command


def edit_in_editor(config: Config, passage_id: str, console: "Console") -> int:
    """Open the passage in the editor and save what comes back; a refused edit stays in its file, never lost."""
    root = knowledge_root(config)
    found = locate(root, passage_id)
    check_writable(KnowledgeFolder(root))  # before the editor opens: an edit that can never be saved is work lost
    original = dump_passage_file(None, [found.passage])
    command = _editor_command()
    with tempfile.NamedTemporaryFile("w+", suffix=".yaml", encoding="utf-8", delete=False) as handle:
        handle.write("# Edit the passage, save and close. The id cannot change.\n" + original)
        name = handle.name
    keep = False  # an edit that cannot be saved stays on disk, so the maintainer's work is not lost
    try:
        try:
            status = subprocess.run([*command, name], check=False).returncode
        except OSError as exc:
            raise UsageError(f"cannot run the editor {command[0]!r}: {exc.strerror or exc} (set $VISUAL or $EDITOR "
                             "to an installed editor, or use --text and --section); nothing was saved") from None
        if status != 0:
            raise UsageError(f"the editor {command[0]!r} exited with status {status}; nothing was saved")
        if not Path(name).is_file():
            raise UsageError("the editor removed the file instead of saving it; nothing was saved")
        keep = True
        if not _save_edit(config, found.passage, Path(name), console):
            keep = False
            return 0
        keep = False
    finally:
        if not keep:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    console.print(f"Saved {passage_id}.")
    return 0


def _save_edit(config: Config, passage: Passage, edited_file: Path, console: "Console") -> bool:
    """Check and save the edited passage; False when nothing changed. A refusal names the file that keeps the edit."""
    name = str(edited_file)
    try:
        _, edited = load_passage_file(edited_file)
        if len(edited) != 1 or edited[0].id != passage.id:
            raise PassageRejected("the edited file must hold exactly this one passage, with the same id")
        new = edited[0]
        if (new.text, new.section) == (passage.text, passage.section):
            console.print("No change.")
            return False
        edit_passage(config, passage.id, new.text, new.section)
    except (KnowledgeNotWritable, KnowledgeLocked) as exc:  # read-only or full meanwhile, or another command's
        # change held the lock: a setup error, exit 2, as for every command
        raise type(exc)(f"{exc.reason}; your edit is kept in {name}", exc.path, hint=exc.hint) from None
    except KnowledgeError as exc:
        raise PassageRejected(f"the edited passage was not saved: {exc.reason}"
                              + (f", line {exc.line}" if exc.line else "") + f"; your edit is kept in {name}") from None
    except DuplicatePassage as exc:
        raise DuplicatePassage(f"{exc}; your edit is kept in {name}", exc.existing_id) from None
    except PassageRejected as exc:
        raise PassageRejected(f"{exc}; your edit is kept in {name}") from None
    return True
