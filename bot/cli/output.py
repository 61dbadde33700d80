"""When standard output cannot take what a command prints: the reader went away (`... | head`), or the file it
is redirected to cannot grow (`kb split doc.md > drafts.yaml` on a full disk). Either ends the command with its
exit code, never a traceback."""

from __future__ import annotations

import contextlib
import errno
import os
import sys

# The errors of a write that cannot be done for want of room or a working device: anything else is not the
# output's fault, and is left to show itself.
OUTPUT_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def drop_output() -> None:
    """Point standard output at /dev/null, so the interpreter's final flush of what is left does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def output_gone(code: int = 141) -> int:
    """The reader stopped early: stop quietly, as command-line tools do."""
    drop_output()
    return code


def output_failed(exc: OSError, code: int = 2) -> int:
    """The output cannot be written: one `Error:` line on standard error (if that can be written), the exit code."""
    if exc.errno not in OUTPUT_FULL:
        raise exc
    drop_output()
    with contextlib.suppress(OSError):
        print(f"Error: cannot write the output: {exc.strerror or exc} (free disk space, or send the output "
              "elsewhere)", file=sys.stderr)
    return code


def interrupted(what: str = "") -> int:
    """Ctrl-C: one line saying so (after the terminal's ^C, on a line of its own), exit 130 as the README says."""
    start = "\n" if sys.stderr.isatty() else ""
    print(f"{start}Interrupted{': ' + what if what else ''}.", file=sys.stderr)
    return 130
