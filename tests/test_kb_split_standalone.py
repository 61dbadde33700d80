"""The splitter (bot/kb/split.py), issue 14: passages that stand on their own, on small made-up inputs (each
test names the real document where the defect was seen; tests/test_kb_split_docs.py checks those documents)."""

from __future__ import annotations

import pytest

from bot.kb.split import split_document


def texts(doc: str, kind: str = "txt") -> list[str]:
    return [p.text for p in split_document(doc, kind).passages]


@pytest.mark.parametrize("kind, doc, expected", [  # find(1): "Other useful examples: ." under its heading
    ("man", ".TH X 1\n.SH EXAMPLES\n.SS\nOther useful examples\n.PP\n\\&.\n.PP\nSearch for files.\n",
     ["Other useful examples: search for files."]),
    ("txt", "Title\n=====\n\nOther useful examples\n---------------------\n\n* .\n* Search for files.\n",
     ["Other useful examples: search for files."]),
    ("md", "# Title\n\n## Other useful examples\n\nThese are:\n\n- .\n- Search for files.\n",
     ["These are: Search for files."])])
def test_a_block_with_no_word_in_it_is_no_passage_even_behind_its_heading_or_introduction(kind, doc, expected):
    assert texts(doc, kind) == expected  # was "Other useful examples: ." / "These are: ." before each
