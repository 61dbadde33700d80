"""The saved term table answers like the dict it replaces, and a damaged one is refused."""

import numpy as np

from bot.core.terms import KeyTable, LazyCounts, TermTable, column_terms, hash_table

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


def key_table() -> KeyTable:
    """Stems 'cat' 0, 'dog' 1, 'emu' 2 (no term of its own) and columns 'dog', 'cat dog', 'cat', 'dog dog'."""
    stems = np.array(["cat", "dog", "emu"], dtype=object)
    ids = {"": 0, "cat": 1, "dog": 2, "emu": 3}  # id + 1; '' is a stop word's stem
    n = len(stems)
    by_column = [1, n + 0 * n + 1, 0, n + 1 * n + 1]  # a stem's key is its id, the bigram 'a b' n + a * n + b
    order = np.argsort(by_column)
    return KeyTable(ids, stems, np.array(by_column)[order], order.astype(np.int64))


def test_a_build_key_table_finds_stems_and_bigrams_by_their_keys():
    looked = key_table()
    assert {t: looked[t] for t in ("dog", "cat dog", "cat", "dog dog")} == {"dog": 0, "cat dog": 1, "cat": 2, "dog dog": 3}
    absent = ["emu", "dog cat", "emu dog", "cat dog dog", "cat ", " cat", "", "bird", "cat  dog", 5]
    assert [looked.get(t) for t in absent] == [None] * len(absent) and not any(t in looked for t in absent)
    assert looked.get("emu", -1) == -1


def test_a_key_table_spells_its_terms_in_column_order_like_the_dict_it_replaces():
    looked = key_table()
    assert looked.terms() == list(looked) == ["dog", "cat dog", "cat", "dog dog"] and len(looked) == 4
    assert looked == {"dog": 0, "cat dog": 1, "cat": 2, "dog dog": 3}
    assert column_terms(looked) == column_terms({"cat": 2, "dog": 0, "dog dog": 3, "cat dog": 1}) == looked.terms()
