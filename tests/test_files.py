"""The bounded JSON parser every JSON reader shares (console input, JSON-lines knowledge, journal, manifests)."""

from __future__ import annotations

import pytest

from bot.files import MAX_NUMBER_DIGITS, JsonNumberTooLong, JsonRefused, parse_json


def test_numbers_up_to_the_limit_are_read_and_longer_ones_refused_before_conversion():
    assert parse_json('{"n": ' + "9" * MAX_NUMBER_DIGITS + "}") == {"n": int("9" * MAX_NUMBER_DIGITS)}
    with pytest.raises(JsonNumberTooLong, match=f"a number has {MAX_NUMBER_DIGITS + 1} digits"):
        parse_json("[" + "9" * (MAX_NUMBER_DIGITS + 1) + "]")
    with pytest.raises(JsonNumberTooLong, match="5000 digits"):  # int() itself would raise past 4,300
        parse_json("9" * 5000)


def test_deep_nesting_and_malformed_json_are_refused_with_a_short_phrase_and_the_position():
    with pytest.raises(JsonRefused, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(JsonRefused) as error:
        parse_json('{"text": }')
    assert error.value.msg == "Expecting value" and str(error.value) == "Expecting value: line 1 column 10 (char 9)"
    assert parse_json('{"x": 1e99999}') == {"x": float("inf")}  # floats do not go through int()
