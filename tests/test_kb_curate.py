"""Answering logged questions from a chat, below any front end: the trial check writes nothing, a refusal says why
without command-line options, a new fact joins its nearest passage's section, and answered questions drop out."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from bot.config import PACKAGE_ROOT, StorageConfig, load_config
from bot.core.answer import Answer
from bot.core.pipeline import build_answerer
from bot.errors import BotError, DuplicatePassage, PassageRejected
from bot.kb.check import still_unanswered
from bot.kb.curate import draft_answer, listing_text, placement, refusal_text, save_draft
from bot.kb.load import load_knowledge
from bot.kb.model import KnowledgeBase
from bot.kb.store import KnowledgeStore
from bot.querylog import Storage

QUESTION = "Where did Mongolia open a NATO liaison office?"
FACT = "Mongolia opened a NATO liaison office in Ulaanbaatar in 2031."


@pytest.fixture
def config(tmp_path: Path):
    folder = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_ROOT / "knowledge", folder, ignore=shutil.ignore_patterns(".index", ".history", ".lock", ".identity"))
    config = load_config(PACKAGE_ROOT / "config.yaml", environ={}).with_knowledge(folder)
    return dataclasses.replace(config, storage=StorageConfig(str(tmp_path / "log.sqlite3")))


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".index" not in p.parts and p.name != ".lock"}


def test_a_draft_is_checked_like_kb_add_writes_nothing_and_saves_with_history(config):
    answerer = build_answerer(config, cache=False)
    before = files(config.knowledge)
    draft = draft_answer(config, QUESTION, "where did mongolia open a nato liaison office", FACT, answerer)
    assert files(config.knowledge) == before and not (config.knowledge / ".journal").exists()
    assert draft.text == FACT and draft.section in answerer.kb.sections()
    passage = save_draft(config, draft)
    assert passage.id == draft.passage_id and load_knowledge(config.knowledge).by_id(passage.id).text == FACT
    assert [v.reason for v in KnowledgeStore(config.knowledge).versions()] == [f"add {passage.id}"]
    with pytest.raises(DuplicatePassage):  # the same fact again is now a near-duplicate
        draft_answer(config, QUESTION, "", FACT, build_answerer(config, cache=False))


@pytest.mark.parametrize("text, error, reason", [
    ("", PassageRejected, "passage text is empty"),
    ("x" * 501, PassageRejected, "over the 500 limit"),
    ("The Mongolian horse festival Naadam takes place every July.", PassageRejected, "would not answer"),
])
def test_a_refused_draft_names_the_reason_and_writes_nothing(config, text, error, reason):
    before = files(config.knowledge)
    with pytest.raises(error) as caught:
        draft_answer(config, QUESTION, "", text, build_answerer(config, cache=False))
    shown = refusal_text(caught.value)
    assert reason in shown and "--force" not in shown and files(config.knowledge) == before


def test_a_new_fact_joins_the_section_of_the_passage_it_is_nearest(config):
    answerer = build_answerer(config, cache=False)
    kb = answerer.kb
    for passage in kb.passages[:5]:
        section, source = placement(kb, answerer, passage.text)
        assert section == passage.section and source == (passage.source if passage.source in kb.sources else None)
    section, _ = placement(kb, answerer, "zzqx wwvy")  # nothing near: the largest section
    sizes = {s: sum(p.section == s for p in kb.passages) for s in kb.sections()}
    assert sizes[section] == max(sizes.values())


def test_questions_the_knowledge_now_answers_drop_out_of_the_listing(config, tmp_path):
    answerer = build_answerer(config, cache=False)
    with Storage(tmp_path / "log.sqlite3") as log:
        for question in ("What is the price of yak cheese?", "What is the price of yak cheese?", kb_question(answerer)):
            log.log_question("telegram", "7", question, False, "unknown", 0.0)
        found = still_unanswered(log, answerer, 20)
    assert [e.question for e in found.entries] == ["What is the price of yak cheese?"] and found.now_answered == 1
    text = listing_text(found.entries, found.now_answered)
    assert "1. 2\u00d7 What is the price of yak cheese?" in text and "1 logged question(s)" in text
    assert listing_text((), 0) == "No unanswered questions."


def kb_question(answerer) -> str:
    """A regression-style question the knowledge answers: the first passage's own text."""
    return answerer.kb.passages[0].text


class NothingFound:
    """An answerer for an empty knowledge: it finds nothing."""

    def answer(self, text):
        return Answer(found=False, text="", kind="unknown")


def test_placement_refuses_an_empty_knowledge():
    with pytest.raises(BotError, match="no passages"):
        placement(KnowledgeBase([]), NothingFound(), "Yaks give milk.")
