"""bot.text: the one shortening with an ellipsis, used by the kb listings and Telegram's buttons and titles."""

from __future__ import annotations

from bot.text import shorten


def test_shorten_keeps_short_text_and_cuts_long_text_to_the_width_with_an_ellipsis():
    assert shorten("Lake Baikal", 11) == "Lake Baikal"
    assert shorten("The Selenge River flows north", 12) == "The Selenge\u2026"  # the space before the cut is dropped
    assert len(shorten("x" * 500)) == 70 and shorten("x" * 500).endswith("\u2026")
