"""PDF documents through pypdf: the text of each page, read as plain text (paragraphs, headings, wrapping)."""

from __future__ import annotations

import io
import logging

from ..errors import PassageRejected


def pdf_text(data: bytes | str) -> str:
    """The text pypdf extracts from a PDF's pages, one page after the other with a blank line between them."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if isinstance(data, str):
        data = data.encode("latin-1", errors="replace")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about odd but readable files are noise here
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise PassageRejected(f"cannot read the PDF: {exc}") from None
    return "\n\n".join(pages)
