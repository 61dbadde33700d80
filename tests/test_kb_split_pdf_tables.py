"""A PDF's monospaced listings: a table's lines, as pypdf wrote them, replaced by the ones rebuilt from the page's
gaps; anything else, and a table pypdf's text does not hold line for line, left as it was."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from bot.kb.split_pdf_tables import across_pages, page_listings, with_tables

LISTING = ["Name        Value   Meaning", "----------------------------", "MATCH           1   Brief information",
           "EDIT            4   Monitor execution"]


def test_a_listing_in_columns_replaces_its_single_spaced_lines_between_blank_lines():
    text = "The debug flags:\nName Value Meaning\n----------------------------\nMATCH 1 Brief information\n" \
           "EDIT 4 Monitor execution\nMore text."
    lines = with_tables(text, [LISTING]).split("\n")
    assert lines[:3] == ["The debug flags:", "", "Name        Value   Meaning"]
    assert lines[3].startswith("\u2500") and lines[-2:] == ["", "More text."]  # a rule as man draws it


def test_lines_that_are_no_table_or_not_in_the_text_leave_it_as_it_was():
    text = "/etc/fonts/fonts.conf\n/etc/fonts/fonts.dtd\n/etc/fonts/conf.d"
    assert with_tables(text, [text.split("\n")]) == text
    assert with_tables("Name Value\nsomething else", [LISTING]) == "Name Value\nsomething else"
    assert across_pages([[["a"], ["b"]], [["c"]]]) == [["b", "c"], ["a"], ["b"], ["c"]]


def test_a_page_listing_is_rebuilt_from_its_gaps_in_a_monospaced_font_only():
    pages = PdfReader(Path(__file__).parent / "fixtures" / "snippets" / "fontconfig-user-properties.pdf").pages
    listings = page_listings(pages[1])
    pages[1].extract_text(visitor_operand_before=listings)
    listing = max(listings.runs(), key=len)
    assert listing[0] == "style           String  Font style. Overrides weight and slant"
    assert "ftface          FT_Face Use the specified FreeType face object" in listing
    assert not any("Font Matching" in line for line in listing)  # a heading in another font is not part of it
    listings(b"Tf", ["/F47"])  # an operator without its operands (a damaged stream): the listing is lost, not the page
    assert listings.runs() == []
