"""Telling a question in another language from English with typos, names and acronyms, hand-checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.expand import Expander
from bot.core.index import TfidfIndex
from bot.core.language import is_foreign, judged_words
from bot.core.reading import Reader
from bot.core.settings import AnswerSettings
from bot.kb.model import Passage
from tests.conftest import REPO

S = AnswerSettings()
PASSAGES = (Passage("p1", "The Glacier Research Programme (GRP) began in 2011 in the northern valleys.", "Research"),
            Passage("p2", "Volunteers staff the Tsagaan Nuur hut every summer.", "People"))


@pytest.fixture(scope="module")
def reader() -> Reader:
    index = TfidfIndex.build(PASSAGES)
    return Reader(index.vocabulary, index.word_counts, Expander((), {}), S)


@pytest.mark.parametrize("text", [
    "¿Quién paga a los voluntarios del refugio?", "Pourquoi les bénévoles travaillent-ils chaque été ?",
    "Wann wurde die Hütte gebaut und wer arbeitet dort?", "Хэзээ энэ хөтөлбөр эхэлсэн бэ?",
    "Когда началась программа?", "这个项目是什么时候开始的？",
    "¿Hay programa en 2011?",  # Spanish's opening mark decides, whatever the words
    "Quando começou a cooperação entre os voluntários?",  # accented words are not English even near a typo
])
def test_a_question_in_another_language_is_foreign(reader, text):
    assert is_foreign(text, reader.knows, S)


@pytest.mark.parametrize("text", [
    "when did the programme begin", "wen did the progrmme beginn?",  # typos
    "who staffs the tsagaan nuur hut",  # the knowledge's own names, lower case
    "Did Kublai Khan visit Ulaanbaatar or Karakorum?",  # names it lacks, capitalised
    "What doesn't the GRP measure?", "glacierresearch volunters",  # a contraction, run-together words and a typo
    "Монгол", "hola", "qwzx vbnm plkj",  # a single word is never judged, nor words without a vowel
    "Is the café near the hut open in summer?", "a naïve résumé of the programme",  # English borrows accents
])
def test_english_with_typos_names_and_acronyms_is_never_foreign(reader, text):
    assert not is_foreign(text, reader.knows, S)


def test_names_inside_the_sentence_are_left_out_of_the_judgement():
    assert judged_words("Who was Richard's fiancee in Rouen?") == ["who", "was", "fiancee", "in"]


def test_no_question_of_the_evaluation_sets_is_taken_for_another_language(seed_answerer):
    questions = []
    for path in sorted((REPO / "eval").glob("*.yaml")):
        for item in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["questions"]:
            questions += [item["q"], *item.get("context", [])]
    assert len(questions) > 400
    assert [q for q in questions if is_foreign(q, seed_answerer.reader.knows, seed_answerer.settings)] == []
    assert all(seed_answerer.answer(q).kind != "not_english" for q in questions[:50])


def test_the_answerer_says_it_answers_in_english_and_keeps_the_conversation(seed_answerer):
    first = seed_answerer.answer("What is the Five Hills centre?")
    answer = seed_answerer.answer("¿Quién pagó el apoyo contra la COVID-19?", first.context)
    assert not answer.found and answer.kind == "not_english" and answer.context == first.context
    assert answer.text == seed_answerer.config.replies.not_english
    assert answer.why_lines == ("That was a question in another language than English, not a search of the knowledge.",)


@pytest.mark.parametrize("text, judged", [
    ("Did Kublai Khan's hut open in 2011?", ["did", "hut", "open", "in"]),  # names out, 's dropped, no digits
    ("What doesn't the GRP measure?", ["what", "doesn't", "the", "measure"]),
    ("O'Neill's hut", ["o'neill", "s", "hut"]), ("it's the volunteers' hut", ["it", "the", "volunteers", "hut"]),
    ("1234 5678", []), ("", []),
    ("Caf\u00e9 near the Hut", ["cafe", "near", "the"]),  # not ASCII: each word normalised on its own
])
def test_the_judged_words_of_ascii_text_and_of_any_other(text, judged):
    assert judged_words(text) == judged


@pytest.mark.parametrize("text", [
    "Wo ist die Hutte und wer arbeitet dort", "Quien paga a los voluntarios del refugio",  # foreign, unaccented
    "when did the programme begin", "qwzx vbnm plkj hut", "it's the volunteers' hut", "Hut", "",
])
def test_an_ascii_question_is_judged_by_the_rule_over_its_judged_words(reader, text):
    words = judged_words(text)  # no letter is outside Latin and no word accented: only the share of known words
    worded = [w for w in words if set(w) & set("aeiouy")]
    unknown = sum(not reader.knows(w) for w in worded)
    expected = min(len(words), len(worded)) >= S.foreign_min_words and unknown > S.foreign_word_share * len(worded)
    assert is_foreign(text, reader.knows, S) == expected
    assert expected or not text.startswith("Quien")  # the Spanish one is judged foreign
