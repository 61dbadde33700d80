"""AnswerSettings: every tunable recorded once with its reason, wired from the config, and actually used."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from bot.config import Config, RetrievalConfig, SessionConfig
from bot.core.index import TfidfIndex
from bot.core.pipeline import Answerer
from bot.core.settings import AnswerSettings, setting_rows
from bot.kb.model import KnowledgeBase, Passage, Source

CORE = Path(__file__).resolve().parent.parent / "bot" / "core"
STAGES = ("reading", "query", "hits", "decision", "compose", "pipeline", "conversation", "context")


def test_every_setting_has_a_one_line_reason_and_the_rows_list_them_all():
    settings = AnswerSettings()
    rows = setting_rows(settings)
    assert [name for name, _value, _why in rows] == [f.name for f in dataclasses.fields(AnswerSettings)]
    for name, value, why in rows:
        assert value == getattr(settings, name)
        assert why.strip() and "\n" not in why and len(why) <= 100, name
    assert ("followup_ratio", 0.9, rows[[r[0] for r in rows].index("followup_ratio")][2]) in rows


def test_the_configured_keys_come_from_the_config_and_the_rest_are_the_recorded_values():
    config = Config(retrieval=RetrievalConfig(threshold=0.35, candidates=7, max_answer_chars=300),
                    session=SessionConfig(max_turns=2, max_age_seconds=60.0))
    settings = AnswerSettings.from_config(config)
    assert (settings.threshold, settings.candidates, settings.max_answer_chars) == (0.35, 7, 300)
    assert (settings.max_turns, settings.max_age_seconds) == (2, 60.0)
    assert settings.unsure_margin == AnswerSettings().unsure_margin == 1.5
    assert AnswerSettings.from_config(config, runners_up=1).runners_up == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.threshold = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("stage", STAGES)
def test_the_pipeline_stages_hold_no_bare_numbers(stage):
    """A number in a stage other than 0 and 1 is a tunable that belongs in AnswerSettings."""
    allowed = {"compose": {2}}  # topic[:2].istitle(): whether a heading starts with a capitalised word
    tree = ast.parse((CORE / f"{stage}.py").read_text(encoding="utf-8"))
    numbers = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
               and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)}
    assert numbers - {0, 1} - allowed.get(stage, set()) == set()


PASSAGES = (
    Passage("p1", "The Glacier Research Programme began in 2011 in the northern valleys.", "Research", "s"),
    Passage("p2", "The programme measures ice thickness with radar every spring.", "Research", "s"),
    Passage("p3", "Volunteers from twelve countries staff the mountain hut in summer.", "People", "s"),
    Passage("p4", "The hut was rebuilt in 2019 after an avalanche damaged its roof.", "People", "s"),
)


def answerer(**changes) -> Answerer:
    kb = KnowledgeBase(PASSAGES, {"s": Source("s", "Glacier Notes")})
    config = Config()
    return Answerer(kb, TfidfIndex.build(kb.passages), config, settings=AnswerSettings.from_config(config, **changes))


def test_a_changed_setting_changes_the_answer():
    question = "when was the hut rebuilt by the programme"
    assert len(answerer().answer(question).why.runners_up) == 3
    assert len(answerer(runners_up=1).answer(question).why.runners_up) == 1
    assert answerer().answer(question).found
    assert not answerer(threshold=0.99).answer(question).found
    assert len(answerer(suggestions=2).answer("bitcoin price").suggestions) == 2
    assert len(answerer(examples=1).examples) == 1


def test_an_unset_threshold_is_the_deciding_stage_s_own_and_a_set_one_is_kept():
    """threshold: auto gives the second stage its probability threshold and the first stage alone its
    cosine one, so turning rerank off never leaves a probability threshold on cosine scores."""
    from bot.core.rerank import shipped_model

    on, off = AnswerSettings(), AnswerSettings(rerank=False)
    assert on.rerank and on.threshold == on.rerank_threshold == shipped_model().threshold
    assert not off.rerank and off.threshold == off.first_stage_threshold < on.threshold
    for rerank in (True, False):
        assert AnswerSettings(rerank=rerank, threshold=0.25).threshold == 0.25  # a number set is used as it is
        unset = AnswerSettings.from_config(Config(retrieval=RetrievalConfig(rerank=rerank)))
        assert unset.threshold == (on if rerank else off).threshold
        assert AnswerSettings.from_config(Config(retrieval=RetrievalConfig(rerank=rerank, threshold=0.4))).threshold == 0.4
    assert dataclasses.replace(on, rerank=False, threshold=None).threshold == off.threshold


def test_rerank_off_is_the_first_stage_alone_at_its_own_threshold():
    """rerank: false with the threshold left unset answers exactly as the first stage alone at 0.2 does."""
    off = Config(retrieval=RetrievalConfig(rerank=False))
    explicit = Config(retrieval=RetrievalConfig(rerank=False, threshold=0.2))
    kb = KnowledgeBase(PASSAGES, {"s": Source("s", "Glacier Notes")})
    index = TfidfIndex.build(kb.passages)
    unset, pinned, reranked = Answerer(kb, index, off), Answerer(kb, index, explicit), Answerer(kb, index, Config())
    assert unset.reranker is None and reranked.reranker is not None
    for question in ("when was the hut rebuilt", "who staffs the hut", "radar", "what is the price of bitcoin",
                     "when did the research begin in the valleys"):
        a, b = unset.answer(question), pinned.answer(question)
        assert (a.found, a.text, a.passage_ids, a.score, a.why.threshold) == (b.found, b.text, b.passage_ids, b.score, 0.2)
