"""Sentence boundaries, and where a sentence too long for one passage is cut."""

from __future__ import annotations

from bot.kb.sentences import break_long, sentences


def test_sentences_keep_abbreviations_initials_and_decimals():
    assert sentences("Dr. Smith met Mr. Brown 3.5 km away. The U.S. team won. It rained.") == [
        "Dr. Smith met Mr. Brown 3.5 km away.", "The U.S. team won.", "It rained."]
    assert sentences('He said "Go." Then he left!  Why?') == ['He said "Go."', "Then he left!", "Why?"]


def test_a_long_run_of_abbreviations_stays_one_sentence():
    # Built piece by piece (joining as it went made this quadratic: 100k pieces took 23 s, now 0.2 s).
    text = " ".join(f"See No. {n}" for n in range(1, 2001)) + ". Next sentence here."
    found = sentences(text)
    assert found == [" ".join(f"See No. {n}" for n in range(1, 2001)) + ".", "Next sentence here."]


def test_an_initial_does_not_end_a_sentence():
    assert sentences("The format is specified in P. Deutsch, RFC 1952. It is old.") == [
        "The format is specified in P. Deutsch, RFC 1952.", "It is old."]


def test_a_long_sentence_is_cut_at_the_clause_boundary_nearest_its_middle():
    sentence = ("The committee met in the old hall of the university for three long days in the spring " * 2 + "; "
                + "its members agreed on a new charter for the whole region after a vote " * 2).strip() + "."
    parts, how = break_long(sentence, 200)
    assert how == "at a clause boundary"
    assert parts[0].endswith(";") and parts[1].startswith("its members")
    assert " ".join(parts) == sentence and all(len(p) <= 200 for p in parts)


def test_a_sentence_without_clauses_is_cut_between_words_and_one_that_fits_is_left_alone():
    sentence = " ".join(["word"] * 60) + "."
    parts, how = break_long(sentence, 100)
    assert how == "between words (no clause boundary)"
    assert " ".join(parts) == sentence and all(len(p) <= 100 for p in parts)
    assert break_long("Short.", 100) == (["Short."], "")
    assert break_long("x" * 250, 100)[0] == ["x" * 100, "x" * 100, "x" * 50]


def test_a_short_quotation_of_two_sentences_stays_in_one():
    assert sentences('LSB lists bin as legacy, and says: "The bin UID is old. New programs should not use it." '
                     "Debian agrees.") == [
        'LSB lists bin as legacy, and says: "The bin UID is old. New programs should not use it."', "Debian agrees."]
    stray = 'A stray " mark. ' + "Then a long sentence follows here. " * 12
    assert len(sentences(stray)) == 13  # an unbalanced quote mark does not glue the paragraph together
