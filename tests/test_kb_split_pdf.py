"""PDF through pypdf: a small PDF written here, byte by byte, is read back into passages."""

from __future__ import annotations

import io
from pathlib import Path

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


def encrypted_pdf(pages: list[list[str]], algorithm: str, password: str) -> bytes:
    """A PDF of these pages encrypted by pypdf's writer, as a PDF program encrypts one (AES with `cryptography`)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf(pages))))
    writer.encrypt(password, "owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256", "RC4-128"])
def test_an_encrypted_pdf_with_an_empty_password_to_open_is_read(algorithm):
    # Most encrypted PDFs need no password to open (only to edit or print); pyproject's pypdf[crypto] reads AES.
    text = pdf_text(encrypted_pdf(PAGES[:1], algorithm, ""))
    assert text.startswith("Garden Guide") and "Tomatoes need water every morning" in text


@pytest.mark.parametrize("algorithm", ["AES-256", "RC4-128"])
def test_a_pdf_that_needs_a_password_is_one_line_saying_so(algorithm):
    with pytest.raises(PassageRejected, match=r"cannot read the PDF: it needs a password to open \(save a copy"):
        pdf_text(encrypted_pdf(PAGES[:1], algorithm, "secret"))


def test_an_aes_encrypted_pdf_without_the_cryptography_package_is_one_line_not_a_traceback(monkeypatch):
    # pypdf raised DependencyError, which is not a PdfReadError: kb import of such a PDF ended in a traceback. With
    # pypdf installed without its crypto extra (pip --no-deps), pypdf reads AES with its fallback, which raises it.
    import pypdf._encryption
    from pypdf._crypt_providers import _fallback

    locked = encrypted_pdf(PAGES[:1], "AES-128", "")
    monkeypatch.setattr(pypdf._encryption, "CryptAES", _fallback.CryptAES)
    with pytest.raises(PassageRejected, match=r"encrypted, and pypdf needs the 'cryptography' package"):
        pdf_text(locked)


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


def test_a_table_of_contents_and_an_index_with_dot_leaders_are_no_passages():
    # A Texinfo manual's PDF (libtasn1.pdf) gave 70 passages such as "4 3 Utilities . . . . . . 5", one of which
    # answered "what is libtasn1".
    pages = [["Garden Guide", "", "Table of Contents", "1 Watering . . . . . . . . . . . . . . 2",
              "2 Harvest . . . . . . . . . . . . . . . . . . . . . . 2", "Index.............................. 3"],
             ["Watering", "", "Tomatoes need water every morning in the summer.", "", "Harvest", "",
              "Potatoes are ready when the plants have flowered and died back."],
             ["Index", "potatoes . . . . . . . . . . . . . . . . . . . . . . . . 2", "tomatoes . . . . . . . . . . . ."]]
    draft = split_document(tiny_pdf(pages), "pdf")
    assert [(p.section, p.text) for p in draft.passages] == [
        ("Watering", "Watering: tomatoes need water every morning in the summer."),
        ("Harvest", "Potatoes are ready when the plants have flowered and died back.")]


SNIPPETS = Path(__file__).parent / "fixtures" / "snippets"


def test_ligature_glyphs_are_letters_and_words_hyphenated_at_a_line_end_are_whole():
    """fontconfig-user.pdf (pdfTeX): 'Fontconﬁg' with the one-glyph 'ﬁ', 'cus-' / 'tomization' across lines."""
    lines = (SNIPPETS / "fontconfig-user-lines.txt").read_text(encoding="utf-8").splitlines()
    pdf = tiny_pdf([["fonts-conf"] + [line.replace("\ufb01", "\xae") for line in lines]])  # 0xAE: 'fi' in Helvetica
    draft = split_document(pdf, "pdf")
    texts = [p.text for p in draft.passages]
    assert texts[0] == ("Fontconfig is a library designed to provide system-wide font configuration, customization "
                        "and application access.")
    assert "From an external perspective, configuration of the library consists of generating" in " ".join(texts)
    assert "Fc- ConfigParse" in " ".join(texts)  # a capital after the break: a name, not a hyphenated word


def test_a_compound_the_document_writes_whole_keeps_its_hyphen_across_a_line_end():
    text = pdf_text(tiny_pdf([["Spacing", "", "Spacing is proportional or dual-", "width; a dual-width font is rare."]]))
    assert "Spacing is proportional or dual-width; a dual-width font is rare." in text.replace("\n", " ")


def test_a_manual_page_s_section_names_alone_on_a_line_are_headings_in_a_pdf():
    """fontconfig-user.pdf (DocBook's refentry): 'Description' over 'Fontconﬁg is a library ...' was glued into one
    passage with 'Name', 'Synopsis' and the file list before it."""
    lines = (SNIPPETS / "fontconfig-user-lines.txt").read_text(encoding="utf-8").splitlines()
    pdf = tiny_pdf([["fonts-conf", "Synopsis", "/etc/fonts/fonts.conf", "~/.fonts.conf"]
                    + [line.replace("\ufb01", "\xae") for line in lines]])
    passages = [(p.section, p.text) for p in split_document(pdf, "pdf").passages]
    assert passages[0] == ("Synopsis", "Synopsis: /etc/fonts/fonts.conf ~/.fonts.conf")  # short: its heading in front
    assert passages[1][0] == "Description" and passages[1][1].startswith("Fontconfig is a library designed")


def test_a_table_in_a_monospaced_listing_is_one_fact_per_row_across_a_page_break():
    """fontconfig-user.pdf's property table: pypdf's text was one run-on passage ('family String Font family names
    familylang String ...'); its rows are rebuilt from the page's TJ gaps and read under the header's labels."""
    data = (Path(__file__).parent / "fixtures" / "snippets" / "fontconfig-user-properties.pdf").read_bytes()
    texts = [p.text for p in split_document(data, "pdf").passages]
    rows = [t for t in texts if t.startswith("Property ")]
    assert rows[:2] == ["Property family: Type String; Font family names",  # page 1, under the header
                        "Property familylang: Type String; Languages corresponding to each family"]
    assert "Property style: Type String; Font style. Overrides weight and slant" in rows  # page 2 keeps the labels
    assert "Property ftface: Type FT_Face; Use the specified FreeType face object" in rows  # one space before 'Use'
    assert "Property rgba: Type Int; unknown, rgb, bgr, vrgb, vbgr, none - subpixel geometry" in rows
    assert "Others are provided as a convenience for the applications’ rendering mechanism." in texts
