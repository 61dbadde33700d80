"""bot.text: the one shortening with an ellipsis, used by the kb listings and Telegram's buttons and titles."""

from __future__ import annotations

from bot.text import lone_surrogate, shorten


def test_shorten_keeps_short_text_and_cuts_long_text_to_the_width_with_an_ellipsis():
    assert shorten("Lake Baikal", 11) == "Lake Baikal"
    assert shorten("The Selenge River flows north", 12) == "The Selenge\u2026"  # the space before the cut is dropped
    assert len(shorten("x" * 500)) == 70 and shorten("x" * 500).endswith("\u2026")


def test_lone_surrogate_finds_the_first_unpaired_surrogate_and_nothing_in_valid_text():
    assert lone_surrogate("fine \U0001F600 text") is None
    assert lone_surrogate("ab\ud800c") == 2
    assert lone_surrogate("x" + b"\xff".decode("utf-8", "surrogateescape")) == 1
