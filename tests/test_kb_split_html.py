"""HTML: the main content under its headings; navigation, tables of contents and bylines left out, and code kept
only with the sentence introducing it."""

from __future__ import annotations

from bot.kb.split import split_document
from bot.kb.split_html import html_to_text, read_html

def test_html_headings_and_list_items():
    page = ("<html><head><title>ignored head</title></head><body><h1>Page</h1><nav>menu</nav>"
            "<h2>Facts</h2><ul><li>The Gobi desert covers southern Mongolia and northern China.</li></ul>"
            "<script>var x = 1;</script><p>Camels &amp; horses are common in the Gobi desert today.</p></body></html>")
    text = html_to_text(page)
    assert "menu" not in text and "var x" not in text and "ignored head" not in text
    draft = split_document(page, "html")
    assert draft.title == "Page"
    assert [(p.section, p.text) for p in draft.passages] == [
        ("Facts", "The Gobi desert covers southern Mongolia and northern China."),
        ("Facts", "Camels & horses are common in the Gobi desert today."),
    ]




PAGE = """<!DOCTYPE html><html><head><title>Tool manual</title><style>p {color: red}</style></head><body>
<header><a href="/">Home</a> <a href="/docs">Docs</a></header>
<nav><ul><li><a href="#intro">Introduction</a></li><li><a href="#use">Use</a></li></ul></nav>
<main><h1>The Tool</h1><h3 class="author">Jane Doe</h3>
<div class="toc"><dl><dt>Table of Contents</dt><dt>1. <a href="#intro">Introduction</a></dt></dl></div>
<ol><li><a href="#a">First part</a></li><li><a href="#b">Second part</a></li></ol>
<h2><a name="intro"></a>Introduction</h2>
<p>The tool copies files between
   machines over a <code>ssh</code> connection.</p>
<pre>tool copy a b</pre>
<h2>Accounts</h2>
<dl><dt>root</dt><dd><p>The superuser owns the configuration.</p><p>It may change every setting.</p></dd>
<dt>guest</dt><dd>Guests can read shared files only.</dd></dl>
<aside>Sponsored: buy more disks today at our shop.</aside></main>
<footer><p>Copyright 2024 Example Org. All rights reserved.</p></footer></body></html>"""


def test_only_the_main_content_is_read_with_its_headings_and_definitions():
    draft = split_document(PAGE, "html")
    assert draft.title == "The Tool"
    assert [(p.section, p.text) for p in draft.passages] == [
        ("Introduction", "The tool copies files between machines over a ssh connection."),
        ("Accounts", "root: The superuser owns the configuration."),
        ("Accounts", "root: It may change every setting."),
        ("Accounts", "guest: Guests can read shared files only."),
    ]


def test_preformatted_code_goes_with_the_sentence_introducing_it():
    page = ("<h1>Quick start</h1><h2>Running</h2><p>Normally you run your program like this:</p>"
            "<pre>  myprog arg1 arg2\n</pre><p>Use this command line instead, with Memcheck on:</p>"
            "<pre>valgrind --leak-check=yes myprog arg1 arg2\n</pre><p>Memcheck is the default tool here.</p>")
    assert [p.text for p in split_document(page, "html").passages] == [
        "Running: normally you run your program like this: myprog arg1 arg2",
        "Running: use this command line instead, with Memcheck on: valgrind --leak-check=yes myprog arg1 arg2",
        "Running: Memcheck is the default tool here."]  # each opens its paragraph with a short sentence


def test_a_page_without_a_heading_is_titled_by_its_title_element():
    outline = read_html("<html><head><title>Release notes</title></head><body><p>Version 4 is out now.</p></body>")
    assert outline.title == "Release notes"
    assert [b.text for b in outline.blocks] == ["Version 4 is out now."]


def test_unclosed_tags_and_entities_are_read_as_a_browser_would():
    outline = read_html("<h1>Notes<p>Fish &amp; chips are sold here.<p>Tea costs &pound;2 a cup.")
    assert outline.title == "Notes"
    assert [b.text for b in outline.blocks] == ["Fish & chips are sold here.", "Tea costs \u00a32 a cup."]


def test_a_table_row_is_one_block_its_cells_under_the_header_labels_and_the_header_no_block():
    outline = read_html("<h1>Prices</h1><table><tr><th>Item</th><th>Price</th></tr>"
                        "<tr><td>Tea</td><td>2 euros a cup</td></tr></table>")
    assert [(b.kind, b.text) for b in outline.blocks] == [("row", "Item Tea: Price 2 euros a cup")]


def test_a_header_row_labels_the_data_rows_and_a_description_column_needs_no_label():
    # as Node.js's API pages put a function's history: <thead> of <th>s, then one row a version
    page = ("<h1>os</h1><h2>os.tmpdir()</h2><table><thead><tr><th>Version</th><th>Changes</th></tr></thead>"
            "<tbody><tr><td>v2.0.0</td><td><p>This function is now cross-platform consistent.</p></td></tr>"
            "<tr><td>v0.9.9</td><td><p>Added in: v0.9.9</p></td></tr></tbody></table>"
            "<h2>Signals</h2><table><tr><th>Signal</th><th>Action</th><th>Comment</th></tr>"
            "<tr><td>SIGHUP</td><td>Term</td><td>Hangup detected on controlling terminal</td></tr>"
            "<tr><td>SIGBUS</td><td>Core</td><td>Bus error (bad memory access)</td></tr></table>")
    assert [(p.section, p.text) for p in split_document(page, "html").passages] == [
        ("os.tmpdir()", "Version v2.0.0: This function is now cross-platform consistent."),
        ("os.tmpdir()", "Version v0.9.9: Added in: v0.9.9"),
        ("Signals", "Signal SIGHUP: Action Term; Hangup detected on controlling terminal"),
        ("Signals", "Signal SIGBUS: Action Core; Bus error (bad memory access)")]


def test_a_table_without_a_header_a_layout_table_and_a_caption():
    page = ("<h1>Guide</h1><h2>Ports</h2><table><caption>Ports the daemon listens on</caption>"
            "<tr><td>ssh</td><td>22</td></tr><tr><td>web</td><td>443</td></tr></table>"
            "<table><tr><td><p>A layout table holds paragraphs.</p><p>Each is read as one.</p></td></tr></table>"
            # texinfo's index: empty <td>s between the <th>s, rows only of links
            "<table><tr><td></td><th>Index Entry</th><td>&nbsp;</td><th>Section</th></tr>"
            "<tr><td></td><td><a href='#a'>aes</a></td><td></td><td><a href='#c'>Cipher functions</a></td></tr>"
            "</table>")
    assert [(b.kind, b.text) for b in read_html(page).blocks] == [
        ("para", "Ports the daemon listens on"), ("row", "ssh: 22"), ("row", "web: 443"),
        ("para", "A layout table holds paragraphs. Each is read as one.")]


def test_a_faq_list_s_questions_title_their_answers_and_a_layout_table_s_link_box_is_navigation():
    """libxslt's FAQ.html (a layout table's link boxes, then '<li><em>question</em><p>answer ...'): the box's
    title 'API Indexes' was a passage, each question a passage apart from its answer (section 'FAQ'), and
    '<p>... Use</p><p><code>xslt-config --cflags</code></p><p>to get the compilation flags ...' three."""
    from pathlib import Path

    markup = (Path(__file__).parent / "fixtures" / "snippets" / "libxslt-FAQ.html").read_text(encoding="utf-8")
    passages = [(p.section, p.text) for p in split_document(markup, "html").passages]
    assert not [text for _, text in passages if "API Indexes" in text]
    assert ("Troubles compiling or linking programs using libxslt", "Use xslt-config --cflags to get the compilation "
            "flags and xslt-config --libs to get the linker flags.") in passages
    assert passages[-1] == ("Is there C++ bindings ?", "Yes for example xmlwrapp , see the related pages about bindings")
    assert ("passing parameters on the xsltproc command line doesn't work",
            "or use xsltproc --stringparam test alpha foo.xsl foo.xml") in passages


def test_paragraphs_that_end_a_sentence_and_a_list_item_of_one_paragraph_stay_apart():
    markup = ("<h1>Guide</h1><p>Install it first.</p><ul><li>Tomatoes need water.</li></ul>"
              "<p>(See the notes.)</p><p>deflate() compresses.</p><p>Use the tool</p><p>Then stop.</p>")
    assert [p.text for p in split_document(markup, "html").passages] == [
        "Install it first.", "Tomatoes need water.", "(See the notes.)", "deflate() compresses.", "Use the tool",
        "Then stop."]
