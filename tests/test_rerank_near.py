"""A passage's neighbours in its section, kept as a byte, are the ones comparing the sections gives."""

from __future__ import annotations

import pytest

from bot.core.rerank_near import MAX_REACH, Neighbourhood


def _compared(sections, at, reach):
    return (tuple(n for n in range(max(0, at - reach), at) if sections[n] == sections[at]),
            tuple(n for n in range(at + 1, min(len(sections), at + 1 + reach)) if sections[n] == sections[at]))


@pytest.mark.parametrize("reach", range(MAX_REACH + 2))
def test_neighbours_kept_or_filled_are_those_in_the_same_section(reach):
    sections = list("AABABBBAACA") + ["A"] * 3 + ["B"]
    lazy, filled = Neighbourhood(sections, reach), Neighbourhood(sections, reach)
    filled.fill()
    for at in range(len(sections)):
        expected = _compared(sections, at, reach)
        assert lazy.around(at) == expected == filled.around(at) == lazy.around(at)
    assert lazy.passages_known() == filled.passages_known() == (len(sections) if reach <= MAX_REACH else 0)


def test_the_first_and_last_passages_and_tiny_corpora_have_no_neighbours_outside():
    for sections in ([], ["S"], ["S", "S"], ["S", "T"]):
        near = Neighbourhood(sections, 2)
        near.fill()
        assert [near.around(at) for at in range(len(sections))] == [_compared(sections, at, 2)
                                                                    for at in range(len(sections))]
    assert Neighbourhood(["S", "S", "S"], 2).around(0) == ((), (1, 2))
    assert Neighbourhood(["S", "T", "S"], 2).around(2) == ((0,), ())  # the other section between is skipped
