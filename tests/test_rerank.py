"""The second-stage reranker: hand-checked features and rankings on tiny corpora, the model file, and its cost."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.core.index import TfidfIndex
from bot.kb.model import Passage
from bot.core.rerank import (CONFIDENCE_FEATURES, FEATURES, Candidate, CorpusStats, Linear, Model, Reranker,
                             Reranking, RerankModelError, features, shipped_model)
from bot.core.rerank_text import asked_kind, denies, holds_kind, leans_back
from bot.core.rerank_store import PassageWords

REPO = Path(__file__).resolve().parent.parent

# A tiny document, in order: the answer to "when was the bridge built" is the sentence that leans on
# the one before it ("It was built in 1883"), which never names the bridge.
TEXTS = (
    "The old bridge crosses the river Tay.",
    "It was built in 1883 by the city engineers.",
    "The river Tay floods the valley every spring.",
    "Salmon swim up the river to spawn.",
    "The city council meets on Mondays.",
)
LN4, LN2_4, LN12 = math.log(4), math.log(2.4), math.log(12)  # idf of a stem in 1 and 2 of 5 passages, and of none


def at(position: int, score: float, texts=TEXTS) -> Candidate:
    """Passage `position` as a candidate, with up to two neighbours on each side (as the pipeline gives them)."""
    return Candidate(texts[position], score, tuple(texts[max(0, position - 2):position]),
                     tuple(texts[position + 1:position + 3]))


def column(rows: np.ndarray, name: str) -> list[float]:
    return [round(float(v), 4) for v in rows[:, FEATURES.index(name)]]


def model_weighing(**weights: float) -> Model:
    """A hand-made model: the ranker weighs the named features (raw values, no standardising); the
    confidence model is the logistic of the lead over the runner-up."""
    ranker = Linear(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)),
                    np.array([weights.get(n, 0.0) for n in FEATURES]))
    confidence = Linear(CONFIDENCE_FEATURES, np.zeros(len(CONFIDENCE_FEATURES)), np.ones(len(CONFIDENCE_FEATURES)),
                        np.array([1.0 if n == "margin" else 0.0 for n in CONFIDENCE_FEATURES]))
    return Model(ranker, confidence, 0.5)


@pytest.fixture(scope="module")
def stats() -> CorpusStats:
    return CorpusStats.from_texts(TEXTS)


# -- corpus statistics ----------------------------------------------------------------------------------

def test_idf_counts_passages_per_stem_and_gives_unknown_stems_the_highest(stats):
    assert stats.n_docs == 5
    assert stats.df("river") == 3 and stats.df("tay") == 2 and stats.df("bridg") == 1 and stats.df("moon") == 0
    assert stats.idf("bridg") == pytest.approx(LN4)
    assert stats.idf("citi") == pytest.approx(LN2_4)  # 'city' in two passages
    assert stats.idf("moon") == pytest.approx(LN12) == pytest.approx(stats.max_idf)


def test_document_frequencies_read_from_the_index_match_counting_the_texts(stats):
    index = TfidfIndex.build([Passage(f"p{n}", text) for n, text in enumerate(TEXTS)])
    from_index = CorpusStats.from_index(index)
    assert from_index.n_docs == 5
    for s in ("river", "tay", "bridg", "built", "citi", "salmon", "moon"):
        assert from_index.df(s) == stats.df(s), s


# -- features -------------------------------------------------------------------------------------------

def test_coverage_window_kind_and_leaning_by_hand(stats):
    rows = features("When was the bridge built?", [at(0, 0.5), at(1, 0.3)], stats)
    # 'bridge' and 'built' are each in one passage: each is half the question's idf mass
    assert column(rows, "cover") == [0.5, 0.5]
    assert column(rows, "window_cover") == [1.0, 1.0]  # a neighbour holds the other word
    assert column(rows, "context_gain") == [0.5, 0.5]
    assert column(rows, "previous_cover") == [0.0, 0.5]
    assert column(rows, "leaning") == [0.0, 1.0]  # 'It was built ...'
    assert column(rows, "leaning_previous") == [0.0, 0.5]
    assert column(rows, "asks_date") == [1.0, 1.0]
    assert column(rows, "fit_date") == [0.0, 1.0]  # only the second holds a year
    assert column(rows, "first_share") == [1.0, 0.6]
    assert column(rows, "first_rank") == [1.0, 0.5]
    assert column(rows, "phrase") == [0.2, 0.2]  # one copied word with content, of PHRASE_CAP 5
    assert column(rows, "unknown_share") == [0.0, 0.0]


def test_proximity_bigrams_and_copied_phrases(stats):
    rows = features("Does the river Tay flood every spring?", [at(2, 0.9), at(0, 0.4)], stats)
    # 'river tay flood(s) the valley every spring': 5 matched words over 6; 'the river tay': 2 over 2
    assert column(rows, "proximity") == [round(5 / 6, 4), 1.0]
    # the question's adjacent pairs (river, tay), (tay, flood), (flood, everi), (everi, spring): the first
    # passage has three of them ('valley' sits between 'floods' and 'every'), the second one
    assert column(rows, "bigrams") == [0.75, 0.25]
    # the longest copied run: 'the river tay flood' (4 of PHRASE_CAP 5), 'the river tay' (3)
    assert column(rows, "phrase") == [0.8, 0.6]
    spread = features("river salmon", [at(3, 0.5)], stats)
    assert column(spread, "proximity") == [round(2 / 3, 4)]  # 'salmon swim up the river': 2 words over 3


def test_a_word_no_passage_uses_counts_as_unknown_at_the_highest_idf(stats):
    rows = features("Who painted the bridge?", [at(0, 0.5)], stats)
    assert column(rows, "unknown_share") == [round(LN12 / (LN12 + LN4), 4)]
    assert column(rows, "cover") == [round(LN4 / (LN12 + LN4), 4)]
    assert column(rows, "cover_known") == [1.0]


def test_an_expansion_covers_a_word_only_when_every_word_of_it_is_there():
    texts = ("Talks covered weapons of mass destruction.", "Talks covered weapons sales.")
    stats = CorpusStats.from_texts(texts)
    cands = [Candidate(texts[0], 0.2), Candidate(texts[1], 0.2)]
    expansions = [("non-proliferation", ("weapons of mass destruction",))]
    rows = features("non-proliferation", cands, stats, expansions=expansions)
    assert column(rows, "cover") == [1.0, 0.0]
    assert column(rows, "unknown_share") == [0.0, 0.0]  # the passages know what it means
    plain = features("non-proliferation", cands, stats)
    assert column(plain, "cover") == [0.0, 0.0] and column(plain, "unknown_share") == [1.0, 1.0]


def test_a_word_of_the_same_family_counts_where_the_stemmer_keeps_them_apart():
    texts = ("Bell was the inventor of the telephone.", "The telephone rang twice.")
    stats = CorpusStats.from_texts(texts)
    rows = features("Who invented the telephone?", [Candidate(texts[0], 0.3), Candidate(texts[1], 0.3)], stats)
    # 'invented' stems to 'invent', 'inventor' to 'inventor': apart for the stemmer, one family by their
    # first five letters; idf: 'invent' (no passage) ln 6 = ln(1 + 2.5 / 0.5), 'telephon' (both) ln(1 + 0.5 / 2.5)
    invent, telephone = math.log(6), math.log(1.2)
    assert column(rows, "cover") == [round(telephone / (invent + telephone), 4)] * 2
    assert column(rows, "cover_family") == [1.0, round(telephone / (invent + telephone), 4)]


def test_the_first_stage_words_replace_the_question_text_words(stats):
    """The first stage corrected 'bridg' -> 'bridge'; the reranker reads the corrected words."""
    typo = features("When was the brigde built?", [at(0, 0.5)], stats)
    corrected = features("When was the brigde built?", [at(0, 0.5)], stats, content_words=["bridge", "built"])
    assert column(typo, "cover") != column(corrected, "cover") == [0.5]


@pytest.mark.parametrize("question, kind", [
    ("When was the bridge built?", "date"), ("In what year did it open?", "date"),
    ("When did the war end?", "end"), ("When will the bridge reopen?", "future"),
    ("How many people live there?", "number"), ("How long did it last?", "span"),
    ("Who built the bridge?", "person"), ("Where does the river rise?", "place"),
    ("What French town was he from?", "name"), ("What is the river called?", ""), ("Why did it flood?", ""),
    ("Which version of gzip added the option?", "number"), ("In what release did it change?", "number"),
])
def test_the_kind_of_fact_a_question_asks_for(question, kind):
    assert asked_kind(question) == kind


def test_a_question_without_a_question_word_asks_for_no_kind_as_every_pattern_would_say():
    from bot.core.rerank_text import _ASKING, _ASKS
    from bot.text import normalise

    questions = ["Until when is it open?", "Since when?", "Name the river", "the town's name", "How old is it",
                 "Whom did she marry", "a when b", "river Tay flooding spring", "GNU R package with XML-RPC interface",
                 "library for reading compressed files", "What year did the war end", "by when will it open",
                 "WHO built it", "which city", "Wholesale prices", "Showhow", "renamed files"]
    for question in questions:
        lowered = normalise(question)
        every = next((kind for kind, pattern in _ASKS if pattern.search(lowered)), "")
        assert asked_kind(question) == every, question
        if not any(part in lowered for part in _ASKING):
            assert every == ""
    # every other word the patterns name, in any order, never makes one match
    import random
    import re

    vocabulary = sorted({w for _kind, p in _ASKS for w in re.findall(r"[a-z]+", p.pattern)
                         if not any(part in w for part in _ASKING)} | {"1999", "2014", "is", "the"})
    pick = random.Random(13)
    for _ in range(3000):
        text = " ".join(pick.choice(vocabulary) for _ in range(pick.randint(1, 6)))
        assert not any(pattern.search(text) for _kind, pattern in _ASKS), text


def test_a_passage_holds_a_kind_only_with_a_fact_the_question_does_not_name():
    nothing = frozenset()
    assert holds_kind("date", "It was built in 1883.", nothing)
    assert not holds_kind("date", "It was built in 1883.", frozenset({"1883"}))  # the question's own year
    assert not holds_kind("number", "Troops were sent in 2009.", nothing)  # a year is not a count
    assert holds_kind("number", "In 2009, 130 troops were sent.", nothing)
    assert holds_kind("number", "The base package alone is over 700K.", nothing)  # a size written with its unit
    assert holds_kind("number", "It needs 64MiB to run.", nothing)
    assert holds_kind("number", "The option was added in gzip 1.4.", nothing)  # a version, as 'which version' asks
    assert not holds_kind("number", "Mongolia is one of a number of partners.", nothing)
    assert holds_kind("end", "The mission ran from 2009 to 2014.", nothing)
    assert not holds_kind("end", "The mission began in 2009.", nothing)
    assert holds_kind("person", "It was designed by Thomas Bouch.", frozenset({"it", "was", "designed"}))
    assert not holds_kind("person", "It was designed by the NCIA.", nothing)  # an acronym names a body
    assert holds_kind("place", "The river rises in Scotland.", nothing)


def test_passages_that_lean_on_the_sentence_before():
    assert leans_back("It was built in 1883.") and leans_back("\u201cThey also came.") and leans_back("However, no.")
    assert not leans_back("Italy is a country.") and not leans_back("The bridge is old.")


def test_a_passage_denies_in_its_own_words_or_not_at_all():
    assert denies("The king did not return.") and denies("The crown refused to allow it.")
    assert denies("Parliament is unable to legislate.") and denies("Non-Catholics could not settle.")
    assert not denies("The bridge was built in 1883.") and not denies("A notable engineer, Thomas Bouch.")
    # A condition states the negative case: it answers 'what must be added so that blank lines are not removed?'.
    assert denies('You need to add -traditional to the "cpp -P" args, else blank lines get removed.')
    assert denies("Keep the file, otherwise it is lost.") and denies("It runs unless the lock is held.")
    assert not denies("Elsewhere the workers wait for someone else.")  # whole words, and else only as "or else"


def test_denies_reads_words_as_its_regex_does():
    # The ASCII fast path (whole runs of letters, digits and '_') gives the regex's verdict on every text.
    from bot.core.rerank_text import _DENIES, _lowered

    texts = ["no_way out", "a no-op", "isn't it", "isn't_", "or else", "foo, else", "for else", "elsewhere",
             "refusal", "unfailing", "failing", "lack", "slack", "absentee", "denial", "Denied.", "DENIES",
             "n't", "cannot_", "2no", "no2", "Cannot", "ninguno: ningún no", "café non", "naïve refusé", "",
             "nothing", "note", "nor'", "it's not", "without-", "_without", "unless.", "xexcept", "instead!"]
    for text in texts:
        assert denies(text) == bool(_DENIES.search(_lowered(text))), text


def test_a_negated_question_misses_its_negation_only_in_a_passage_that_denies_nothing(stats):
    denying = Candidate("The bridge was not built by the city engineers.", 0.3)
    negated = features("Who did not build the bridge?", [at(1, 0.3), denying], stats)
    plain = features("Who built the bridge?", [at(1, 0.3), denying], stats)
    assert column(negated, "negation_missed") == [1.0, 0.0] and column(plain, "negation_missed") == [0.0, 0.0]


# -- ranking and confidence -----------------------------------------------------------------------------

def test_the_model_reorders_by_its_weights_and_ties_keep_the_first_stage_order(stats):
    cands = [at(0, 0.5), at(1, 0.3)]
    question = "When was the bridge built?"
    assert Reranker(model_weighing(fit_date=1.0), stats).rank(question, cands).order == (1, 0)
    assert Reranker(model_weighing(first_score=1.0), stats).rank(question, cands).order == (0, 1)
    assert Reranker(model_weighing(cover=1.0), stats).rank(question, cands).order == (0, 1)  # a tie: 0.5 each


def test_probabilities_come_from_the_lead_over_the_runner_up(stats):
    ranking = Reranker(model_weighing(fit_date=2.0), stats).rank("When was the bridge built?", [at(0, 0.5), at(1, 0.3)])
    assert ranking.scores == (0.0, 2.0)
    # margin +2 for the chosen one, -2 for the other; the hand-made confidence is sigmoid(margin)
    assert ranking.probabilities == pytest.approx((1 / (1 + math.e ** 2), 1 / (1 + math.e ** -2)))
    assert ranking.best == 1 and ranking.confidence == pytest.approx(1 / (1 + math.e ** -2))


def test_the_model_s_output_is_the_plain_numpy_reading_of_it_to_the_bit():
    """rerank_from_scores works the margins and the sigmoid on Python floats and hands the confidence model its
    rows as a view: every bit as the numpy formulas on a copy of the model's columns give them."""
    from bot.core.rerank import rerank_from_scores

    model, rng = shipped_model(), np.random.default_rng(7)
    every = np.arange(len(CONFIDENCE_FEATURES))
    for n in (1, 2, 3, 10):
        for x in (rng.normal(size=(n, len(FEATURES))), np.round(rng.normal(size=(n, len(FEATURES))), 1)):
            scores = np.round(rng.normal(size=n), 1 if n > 2 else 8)  # ties for the lead among ten
            top2 = np.sort(scores)[-2:]
            others = np.where(scores >= top2[1], top2[0], top2[1]) if n > 1 else scores - 1.0
            rows = np.empty((n, x.shape[1] + 2))
            rows[:, 0], rows[:, 1], rows[:, 2:] = scores, scores - others, x
            logits = model.confidence(rows[:, every])
            expected = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
            order, listed, probabilities = rerank_from_scores(model, x, scores)
            assert probabilities == tuple(expected.tolist()) and listed == tuple(scores.tolist())
            assert list(order) == sorted(range(n), key=lambda i: -scores[i])


def test_no_candidates_is_no_answer(stats):
    ranking = Reranker(shipped_model(), stats).rank("When was the bridge built?", [])
    assert ranking == Reranking((), (), ()) and ranking.best is None and ranking.confidence == 0.0


def test_the_shipped_model_prefers_the_sentence_that_holds_the_year(stats):
    """The first stage put the bridge's description first; the answer is its neighbour with the year."""
    ranking = Reranker(shipped_model(), stats).rank("When was the bridge built?", [at(0, 0.3), at(1, 0.3)])
    assert ranking.order == (1, 0)
    assert 0.0 < ranking.confidence < 1.0


def test_the_shipped_model_is_surer_of_a_question_the_passages_speak_to(stats):
    reranker = Reranker(shipped_model(), stats)
    on_topic = reranker.rank("When was the bridge over the river Tay built?", [at(0, 0.45), at(1, 0.3)])
    off_topic = reranker.rank("Who won the chess olympiad in Tallinn?", [at(4, 0.05)])
    assert on_topic.confidence > shipped_model().threshold > off_topic.confidence


def test_the_shipped_model_is_far_less_sure_of_a_negated_question_the_passage_answers_in_the_positive(stats):
    reranker, cands = Reranker(shipped_model(), stats), [at(1, 0.4), at(0, 0.3)]
    asked = reranker.rank("When was the bridge over the river Tay built by the city engineers?", cands)
    negated = reranker.rank("When was the bridge over the river Tay not built by the city engineers?", cands)
    assert negated.order == asked.order  # the ranking model does not weigh the negation
    assert asked.confidence > shipped_model().threshold > negated.confidence


# -- the model file ---------------------------------------------------------------------------------------

def test_a_model_survives_a_round_trip_through_json(tmp_path, stats):
    model = model_weighing(fit_date=1.5, cover=-0.5)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model.to_dict()), encoding="utf-8")
    again = Model.load(path)
    assert again.to_dict() == model.to_dict()
    cands = [at(0, 0.5), at(1, 0.3)]
    assert Reranker(again, stats).rank("When was the bridge built?", cands) == \
        Reranker(model, stats).rank("When was the bridge built?", cands)


def test_a_model_may_use_a_subset_of_the_features_in_any_order(stats):
    names = ("fit_date", "first_score")
    small = Model(Linear(names, np.zeros(2), np.ones(2), np.array([1.0, 0.0])),
                  Linear(("margin",), np.zeros(1), np.ones(1), np.ones(1)), 0.5)
    ranking = Reranker(Model.from_dict(small.to_dict()), stats).rank("When was the bridge built?",
                                                                    [at(0, 0.5), at(1, 0.3)])
    assert ranking.order == (1, 0) and ranking.confidence == pytest.approx(1 / (1 + math.e ** -1))


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(version=99), "not version 1"),
    (lambda d: d["ranker"]["features"].__setitem__(0, "telepathy"), "features this code lacks: telepathy"),
    (lambda d: d["ranker"]["weights"].pop(), "do not match its feature list"),
    (lambda d: d["confidence"].pop("weights"), "malformed"),
    (lambda d: d["ranker"]["weights"].__setitem__(0, "NaN"), "not finite"),
    (lambda d: d["ranker"]["weights"].__setitem__(0, "heavy"), "malformed"),
])
def test_a_broken_model_file_is_refused_with_how_to_fix_it(tmp_path, change, message):
    data = model_weighing(cover=1.0).to_dict()
    change(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RerankModelError, match=message) as raised:
        Model.load(path)
    assert "benchmarks/train_rerank.py" in str(raised.value)


def test_a_missing_or_garbled_model_file_is_a_named_error(tmp_path):
    with pytest.raises(RerankModelError, match="cannot read"):
        Model.load(tmp_path / "absent.json")
    (tmp_path / "garbled.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RerankModelError, match="not JSON"):
        Model.load(tmp_path / "garbled.json")


def test_the_shipped_model_is_plain_numbers_for_every_feature_it_names():
    data = json.loads((REPO / "bot" / "core" / "rerank_model.json").read_text(encoding="utf-8"))
    model = Model.from_dict(data)
    assert set(model.ranker.names) <= set(FEATURES) and set(model.confidence.names) <= set(CONFIDENCE_FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert "cross_validated" in model.info  # the figures it was chosen by travel with it


def test_scoring_never_imports_scikit_learn():
    """Cold start stays fast: the shipped numbers are scored with numpy alone."""
    code = ("import sys; from bot.core.rerank import Candidate, CorpusStats, Reranker, shipped_model; "
            "texts = ['The bridge was built in 1883.', 'The river floods.']; "
            "r = Reranker(shipped_model(), CorpusStats.from_texts(texts)).rank("
            "'When was the bridge built?', [Candidate(t, 0.3) for t in texts]); "
            "print(r.best, 'sklearn' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "False"]


def test_the_training_script_learns_a_separating_feature_and_writes_a_model_the_bot_can_load(tmp_path):
    """Offline training (scikit-learn) on synthetic questions: right candidates cover more of the question."""
    from benchmarks.train_rerank import Asked, fit, predict, rounded

    rng = np.random.default_rng(0)
    asked = []
    for n in range(120):
        x = rng.normal(0.0, 0.1, (5, len(FEATURES)))
        labels = np.zeros(5, dtype=bool)
        right = int(rng.integers(0, 5))
        if n % 3:  # two in three are answerable: one right candidate, covering more
            labels[right] = True
            x[right, FEATURES.index("cover")] += 1.0
        asked.append(Asked(f"article-{n % 4}", "answerable" if n % 3 else "foreign", f"article-{(n + 1) % 4}", True,
                           "", x, labels, bool(labels.any()), {"found": False, "top1": False, "right": False}))
    model = fit(asked, FEATURES, CONFIDENCE_FEATURES)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(rounded(model.to_dict())), encoding="utf-8")
    loaded = Model.load(path)
    assert loaded.ranker.weights[loaded.ranker.names.index("cover")] > 0
    outcomes = predict(loaded, asked)
    answerable = [o for o in outcomes if o.kind == "answerable"]
    assert sum(o.top1 for o in answerable) == len(answerable)
    # answerable questions (with a right candidate that leads) are surer than foreign ones
    assert np.mean([o.probability for o in answerable]) > np.mean([o.probability for o in outcomes if o.kind == "foreign"])


def test_cross_validation_leaves_a_document_and_its_rendering_out_together():
    """gzip's man page and its rendered text are the same text: a fold that holds one out holds out both, and a
    tuning document never counts among SQuAD's figures."""
    from benchmarks.rerank_data import MONGOLIA, TUNING_PREFIX
    from benchmarks.train_rerank import Asked, cross_validate, fold_of, is_squad

    rng = np.random.default_rng(1)
    groups = ["article-0", "article-1", TUNING_PREFIX + "gzip", TUNING_PREFIX + "gzip-rendered", TUNING_PREFIX + "find"]
    asked = []
    for n in range(100):
        x = rng.normal(0.0, 0.1, (5, len(FEATURES)))
        labels = np.zeros(5, dtype=bool)
        if n % 3:
            labels[n % 5] = True
            x[n % 5, FEATURES.index("cover")] += 1.0
        group = groups[n % 5]
        asked.append(Asked(group, "answerable" if n % 3 else "unanswerable", group, True, "", x, labels,
                           bool(labels.any()), {"found": False, "top1": False, "right": False}))
    models: dict = {}
    outcomes, thresholds = cross_validate(asked, FEATURES, CONFIDENCE_FEATURES, models=models)
    assert fold_of(TUNING_PREFIX + "gzip-rendered") == fold_of(TUNING_PREFIX + "gzip") != fold_of(TUNING_PREFIX + "find")
    assert models[TUNING_PREFIX + "gzip"] == models[TUNING_PREFIX + "gzip-rendered"] != models[TUNING_PREFIX + "find"]
    assert len(outcomes) == len(asked) and set(thresholds) == set(groups)
    assert is_squad("article-0") and not is_squad(MONGOLIA) and not is_squad(TUNING_PREFIX + "find")


def test_the_residual_confidence_feature_is_fitted_on_top_and_nothing_else_moves():
    """Adversarial questions whose chosen passage misses their negation teach a negative weight; `on_top`
    keeps the shipped ranker, the other confidence weights and the threshold as they are."""
    from benchmarks.train_rerank import Asked, on_top

    rng, column = np.random.default_rng(1), FEATURES.index("negation_missed")
    asked = []
    for n in range(90):
        x = rng.normal(0.0, 0.1, (3, len(FEATURES)))
        x[:, column] = 0.0
        kind = ("answerable", "adversarial", "foreign")[n % 3]
        labels = np.array([kind == "answerable", False, False])
        if kind == "adversarial" and n % 2:
            x[:, column] = 1.0
        asked.append(Asked("article", kind, "article", True, "", x, labels, bool(labels.any()), {}))
    shipped = shipped_model()
    model = on_top(asked, shipped, CONFIDENCE_FEATURES)
    assert model.ranker is shipped.ranker and model.threshold == shipped.threshold
    assert model.confidence.weights[model.confidence.names.index("negation_missed")] < 0.0
    kept = [n for n in shipped.confidence.names if n != "negation_missed"]
    assert [model.confidence.weights[model.confidence.names.index(n)] for n in kept] == \
        [shipped.confidence.weights[shipped.confidence.names.index(n)] for n in kept]


def test_the_features_are_exactly_those_the_shipped_model_was_trained_on():
    """Speeding up the reading must not move a single feature value: the model's weights were fitted on them.
    tests/fixtures/rerank_features_seed.json holds the second stage's inputs for the seed questions (and a few
    odd ones) and the rows the code computed before its reading of passages was made cheaper."""
    recorded = json.loads((Path(__file__).parent / "fixtures" / "rerank_features_seed.json").read_text(encoding="utf-8"))
    texts, calls = recorded["texts"], recorded["calls"]

    def candidate(d: dict) -> Candidate:
        return Candidate(texts[d["text"]], d["score"], tuple(texts[i] for i in d["before"]),
                         tuple(texts[i] for i in d["after"]), texts[d["section"]], tuple(texts[i] for i in d["questions"]))

    read = [[candidate(d) for d in call["candidates"]] for call in calls]
    passages = sorted({t for cs in read for c in cs for t in (c.text, *c.before, *c.after)})
    stats = CorpusStats.from_texts(passages)
    kept = PassageWords(passages)  # the passages' words kept as ids, as the answerer reads them
    for words in (None, None, kept):  # the second time every passage's reading comes from the cache
        for call, candidates in zip(calls, read):
            rows = features(call["question"], candidates, stats, call["content_words"],
                            [(p, tuple(a)) for p, a in call["expansions"]], call["curated"],
                            words)
            # Equal to the last bits or so: the recorded rows summed over sets of stems in string-hash order,
            # which differs between processes (PYTHONHASHSEED); the code now adds in the question's stem order.
            recorded = np.array(call["rows"])  # the columns of that time; features added since come after them
            np.testing.assert_allclose(rows[:, :recorded.shape[1]], recorded, rtol=1e-12, atol=1e-12,
                                       err_msg=call["question"])


def test_the_stem_memo_stays_bounded_and_gives_the_stemmer_s_own_stems(monkeypatch):
    """The second stage remembers word stems to skip the stemmer; past its bound it starts again, same stems."""
    import Stemmer

    from bot import text as bot_text
    from bot.core import rerank_text

    monkeypatch.setattr(rerank_text, "MEMO_WORDS", 12)
    monkeypatch.setattr(rerank_text, "_STEMS", {})
    monkeypatch.setattr(rerank_text, "_KEEP", {})
    stemmer = Stemmer.Stemmer("english")
    for n, passage in enumerate(TEXTS * 2):
        text = f"{passage} Variation {n} running runners ran"  # a new text each time, so the lru cache misses
        found = bot_text.words(text)
        every = tuple(stemmer.stemWords(found))
        assert rerank_text.content(text) == (every, tuple(s for w, s in zip(found, every) if w not in bot_text.STOP_WORDS))
        assert len(rerank_text._STEMS) <= max(12, len(set(found)))
