"""PDF through pypdf: a small PDF written here, byte by byte, is read back into passages."""

from __future__ import annotations

import pytest

from bot.errors import PassageRejected
from bot.kb.split import split_document
from bot.kb.split_pdf import pdf_text


def tiny_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per string, each page's lines top to bottom."""
    count = len(pages)
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * n} 0 R" for n in range(count)) + f"] /Count {count} >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for n, lines in enumerate(pages):
        escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
        stream = "BT /F1 11 Tf 14 TL 72 740 Td " + " ".join(f"({line}) Tj T*" for line in escaped) + " ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {5 + 2 * n} 0 R >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


PAGES = [["Garden Guide", "", "Watering", "",
          "Tomatoes need water every morning in the summer, and less",
          "once the fruit has set and begins to turn red.", "", "Pests", "",
          "Slugs eat young lettuce leaves at night (collect them by hand)."],
         ["Harvest", "", "Potatoes are ready when the plants have flowered and died back."]]


def test_a_pdf_is_read_as_wrapped_plain_text_page_after_page():
    draft = split_document(tiny_pdf(PAGES), "pdf")
    assert draft.title == "Garden Guide"
    assert [(p.section, p.text) for p in draft.passages] == [
        ("Watering", "Tomatoes need water every morning in the summer, and less once the fruit has set and begins "
                     "to turn red."),
        ("Pests", "Slugs eat young lettuce leaves at night (collect them by hand)."),
        ("Harvest", "Potatoes are ready when the plants have flowered and died back."),
    ]


def test_a_damaged_pdf_is_a_named_error_not_a_crash():
    with pytest.raises(PassageRejected, match="cannot read the PDF"):
        pdf_text(b"%PDF-1.4\nthis is not really a PDF at all\n")


def test_running_headers_and_page_numbers_are_no_text_and_a_sentence_runs_on_across_pages():
    pages = [["Garden Guide", "Watering", "Tomatoes need water every morning in the summer, and less", "1"],
             ["Garden Guide", "once the fruit has set and begins to turn red.", "2"],
             ["Garden Guide", "Harvest", "Potatoes are ready when the plants have flowered and died back.", "3"]]
    draft = split_document(tiny_pdf(pages), "pdf")
    assert draft.title == "Garden Guide"  # the running header, kept on the first page only, titles it
    assert [(p.section, p.text) for p in draft.passages] == [
        ("Watering", "Tomatoes need water every morning in the summer, and less once the fruit has set and begins "
                     "to turn red."),
        ("Harvest", "Potatoes are ready when the plants have flowered and died back."),
    ]


def test_long_lines_of_a_wide_page_are_still_wrapped():
    line = "The database is stored below the prefixes that the base directory specification defines for every"
    draft = split_document(tiny_pdf([["Notes", "Layout", f"{line} user and", "system directory alike."] * 1]), "pdf")
    assert [p.text for p in draft.passages] == [f"{line} user and system directory alike."]
