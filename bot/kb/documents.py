"""A document file as the importer reads it: its kind from its name, its text (or a PDF's bytes), its raw bytes.

Only known document endings are read, a missing file or a folder is told as such, and a binary or a text in
an unknown encoding is refused by name before anything is split.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import re
import stat
from pathlib import Path

from ..errors import UsageError
from ..files import MAX_FILE_BYTES, read_bytes, read_text


DOCUMENT_KINDS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
                  ".pdf": "pdf", **{f".{n}": "man" for n in range(1, 10)}}
_MAN_SUFFIX = re.compile(r"^\.[1-9][a-z]{0,6}$")  # a manual page's section: .1, .8, .3pm, .1ssl
# A source tree's plain text documents go by capitalised names without an ending: README, NEWS, INSTALL, TODO,
# and Debian's README.Debian, README.Bugs, NEWS.Debian. Only such a name is read without a known ending.
_PLAIN_TEXT_NAME = re.compile(r"^[A-Z][A-Z_-]{2,}(?:\.[A-Z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)?$")


def kind_of(path: Path) -> str:
    """The document kind the splitter should use, from the file name; only known document endings are read.

    A gzipped document (README.md.gz, gzip.1.gz) is known by the ending before '.gz'; README, NEWS.gz or
    README.Debian are plain text.
    """
    name = Path(path.stem) if path.suffix.lower() == ".gz" else path
    suffix = name.suffix.lower()
    kind = DOCUMENT_KINDS.get(suffix) or ("man" if _MAN_SUFFIX.match(suffix) else None)
    if kind is None and _PLAIN_TEXT_NAME.match(name.name):
        kind = "txt"  # its bytes are still checked: a NUL or a text not in UTF-8 is refused by name
    if kind is None:  # any other file with no ending may be anything, a binary or a system file: never guessed at
        raise UsageError(f"{path}: documents are read from .txt, .md, .html, .pdf or manual page (.1 to .9) files "
                         "and plain text named like README, NEWS or README.Debian, gzipped or not; rename it if it "
                         "is one")
    return kind


def document_name(path: Path) -> str:
    """The document's file name as text: one that is not UTF-8 (a Latin-1 name from an old archive) read as
    Windows-1252, since the passages file cites it and sources/ keeps it, both written in UTF-8."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path.name).decode("cp1252", errors="replace")
    return path.name


def _check_present(path: Path) -> None:
    """Refuse a missing document or a folder by what it is, before its name's ending is judged."""
    if not path.exists():  # read_bytes' hint is about the knowledge path, not a document
        if path.is_symlink():  # `kb import` stat()ed it before reading it, and failed with a traceback
            raise UsageError(f"{path}: a symbolic link whose target is missing (point it at the document, or name "
                             "the document itself)")
        raise UsageError(f"{path}: no such document (check the file's name and folder)")
    if path.is_dir():
        raise UsageError(f"{path}: a folder, not a document (import the documents in it one file at a time)")


def document_kind(path: Path) -> str:
    """The kind of a document the user named: a mistyped name or a folder (`docs/`) is told as such, not as an
    unknown ending with the advice to rename it."""
    _check_present(path)
    return kind_of(path)


def read_document(path: Path) -> str | bytes:
    """A document's content: text (UTF-8, or Latin-1 for old manual pages), or a PDF's bytes; .gz unpacked."""
    _check_present(path)
    data = read_bytes(path)
    if path.suffix.lower() == ".gz":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
                data = packed.read(MAX_FILE_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise UsageError(f"{path}: not a readable gzip file ({exc})") from None
        if len(data) > MAX_FILE_BYTES:
            raise UsageError(f"{path}: unpacks to over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit (split the document)")
    if kind_of(path) == "pdf":
        return data
    if b"\x00" in data:  # valid UTF-8 and Latin-1 both, so a program or an image would be read as text
        raise UsageError(f"{path}: holds NUL bytes: a binary file or UTF-16 text, not a document (save a text as UTF-8)")
    try:
        return data.decode("utf-8-sig")  # a byte order mark (Notepad writes one) would hide the first heading
    except UnicodeDecodeError:
        if kind_of(path) == "man":
            return data.decode("latin-1")
        codec = legacy_html_codec(data) if kind_of(path) == "html" else None
        if codec is not None:
            return data.decode(codec, errors="replace")
        if path.suffix.lower() == ".gz":
            raise UsageError(f"{path}: its text is not UTF-8 (unpack it and save it as UTF-8)") from None
        return read_text(path)  # its error names the line and the fix


_CHARSET = re.compile(rb"""<meta[^>]*charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def legacy_html_codec(data: bytes) -> str | None:
    """The codec of an HTML page that is not UTF-8, as a browser picks it: its declared charset, or Windows-1252
    when none is declared (also for 'iso-8859-1' and 'ascii', which browsers read as it); None when the page says
    UTF-8 (its bad bytes are then an error worth showing) or names a codec Python does not know."""
    found = _CHARSET.search(data[:4096])
    name = found.group(1).decode("ascii").lower() if found else "windows-1252"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return None if codec.startswith("utf") else codec


def document_bytes(path: Path) -> bytes:
    """An imported document's bytes: a regular file within the knowledge's size limit, read no further."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UsageError(f"{path}: not a regular file (import reads .txt, .md, .html, .pdf or manual page documents)")
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the document: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path}: over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit (split the document)")
    return data
