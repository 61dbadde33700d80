"""Telegram formatting on its own: escaped HTML, messages cut under the limit, source lines and labels."""

from __future__ import annotations

from bot.frontends.telegram.format import fit_html, html_chunks, label, source_line, sources_html, strip_tags, topic_html
from bot.knowledge import Source
from telegram_harness import assert_valid_html, plain


def test_html_chunks_never_cut_an_entity_or_exceed_the_limit():
    text = ("a&b <c> " * 2000) + "x" * 9000
    chunks = html_chunks(text, footer="<i>Source</i>", limit=4096)
    assert all(len(c) <= 4096 for c in chunks)
    for chunk in chunks:
        assert_valid_html(chunk)
    assert chunks[-1].endswith("<i>Source</i>")
    assert "".join(plain(c).replace("\n", " ").replace("Source", "") for c in chunks).replace(" ", "") == \
        text.replace(" ", "")


def test_html_chunks_cut_at_line_ends_and_give_a_footer_that_does_not_fit_its_own_message():
    assert html_chunks("one\ntwo", limit=10) == ["one\ntwo"]
    assert html_chunks("first line\nsecond line", limit=12) == ["first line", "second line"]
    assert html_chunks("short", footer="<i>a long footer</i>", limit=12) == ["short", "<i>a long footer</i>"]
    assert html_chunks("") == ["\u2026"]  # never an empty message, which Telegram refuses


def test_source_line_links_only_http_and_https_and_escapes_everything():
    ids = ("p-1", "p-2")
    assert source_line("Notes <A> & B", ids, "https://example.org/?a=1&b=2") == \
        '<i>Source: <a href="https://example.org/?a=1&amp;b=2">Notes &lt;A&gt; &amp; B</a> [p-1, p-2]</i>'
    for url in ("", "javascript:alert(1)", "ftp://example.org/x"):
        assert source_line("Notes", ids, url) == "<i>Source: Notes [p-1, p-2]</i>"
    assert source_line("", ("p-1",), "") == "<i>Source: knowledge base [p-1]</i>"


def test_sources_html_lists_each_document_with_its_link():
    text = sources_html([Source("s", "Relations & more", "NATO", "2022-05-24", "https://www.nato.int/x"),
                         Source("t", "Notes", url="file:///etc/passwd")])
    assert_valid_html(text)
    assert text == ("I answer from:\n\n<b>Relations &amp; more</b> (NATO, 2022-05-24)\n"
                    '<a href="https://www.nato.int/x">https://www.nato.int/x</a>\n\n<b>Notes</b>')
    assert sources_html([]) == "I answer from:\n\nmy documents"


def test_topic_html_and_fit_html_keep_one_message_under_the_limit():
    short = topic_html("Rivers & lakes", ["The Selenge flows north.", "Baikal <is> deep."])
    assert short == "<b>Rivers &amp; lakes</b>\n\n\u2022 The Selenge flows north.\n\n\u2022 Baikal &lt;is&gt; deep."
    long = topic_html("Rivers", ["x" * 3000, "y" * 3000])
    assert len(long) <= 4096 and "<b>" not in long and long.startswith("Rivers")  # cut as plain text
    assert fit_html("<b>a</b>") == ["<b>a</b>"]
    assert strip_tags("<b>a &amp; b</b>") == "a & b"


def test_label_is_one_line_and_shortened_with_an_ellipsis():
    assert label("When did\n  cooperation start?") == "When did cooperation start?"
    assert label("word " * 30, 20) == "word word word word\u2026" and len(label("word " * 30, 20)) == 20
