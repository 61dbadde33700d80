"""The saved term table answers like the dict it replaces, and a damaged one is refused."""

import numpy as np

from bot.core.terms import LazyCounts, TermTable, hash_table

TERMS = ["anim", "the sleep", "état", "zebra", "", "a" * 300]


def table(terms=TERMS):
    t = hash_table(terms)
    return TermTable(t["text"], t["starts"], t["hashes"], t["columns"])


def test_every_term_maps_to_its_column_and_others_are_absent():
    looked = table()
    assert {t: looked[t] for t in TERMS} == {t: i for i, t in enumerate(TERMS)}
    assert looked.get("zebr") is None and "animal" not in looked and 5 not in looked
    assert looked == dict(zip(TERMS, range(len(TERMS)))) and len(looked) == len(TERMS)


def test_terms_sharing_a_hash_are_told_apart_by_their_bytes():
    looked = table(["plumless", "buckeroo"])  # a known CRC-32 collision
    assert looked["plumless"] == 0 and looked["buckeroo"] == 1 and looked.get("plumles") is None


def test_damaged_arrays_are_refused():
    t = hash_table(TERMS)
    assert TermTable.consistent(t["text"], t["starts"], t["hashes"], t["columns"])
    assert not TermTable.consistent(t["text"][:-3], t["starts"], t["hashes"], t["columns"])
    assert not TermTable.consistent(t["text"], t["starts"], t["hashes"], t["columns"] + 5)


def test_word_counts_decode_on_first_use():
    counts = LazyCounts(np.frombuffer(b"cat\ndog", dtype=np.uint8), np.array([3, 1]))
    assert len(counts) == 2 and counts._dict is None
    assert dict(counts) == {"cat": 3, "dog": 1}


def test_a_large_table_finds_every_term_and_no_other():
    terms = [f"term{i} w{i % 97}" for i in range(50_000)]
    looked = table(terms)
    assert all(looked[t] == i for i, t in enumerate(terms)) and "term50000 w0" not in looked
