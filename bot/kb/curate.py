"""Answering logged questions from a chat: what an admin sees and what decides whether a fact is saved.

A chat front end (Telegram) only shows these texts and routes button presses. The fact an admin sends
goes through `kb add` itself (`add_passage`): first as a trial, for the preview (length, near-duplicate,
and the bot answering the question with it, checked on the knowledge as it would be), then for real on
Save, locked, journalled and undoable with `kb undo`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from ..config import Config
from ..errors import BotError
from ..text import shorten
from .edit import add_passage, clean_text
from .model import KnowledgeBase, Passage

LIST_LIMIT = 20  # questions /unanswered shows, each with its button (Telegram keyboards hold up to 100)
NOTIFY_DAYS = 30  # askers of the last 30 days are told (telegram.notify_askers); older ones have moved on
NOTIFY_LIMIT = 200  # askers told about one new answer: at 30 messages a second, under 7 s of the send budget


@dataclass(frozen=True)
class Draft:
    """A fact an admin sent for a logged question, checked and placed, waiting for Save."""

    question: str
    normalised: str
    text: str
    section: str
    source: str | None
    passage_id: str


def listing_text(entries: Sequence, now_answered: int) -> str:
    """/unanswered: the questions the knowledge still cannot answer, numbered to match their buttons."""
    if not entries:
        text = "No unanswered questions."
    else:
        text = "Questions I could not answer, most asked first:\n" + "\n".join(
            f"{n}. {e.count}\u00d7 {e.question}" for n, e in enumerate(entries, 1))
        text += "\n\nPress a button to answer one with a new fact."
    if now_answered:
        text += f"\n({now_answered} logged question(s) the knowledge now answers are not shown.)"
    return text


def prompt_text(question: str) -> str:
    """What the bot asks an admin who pressed 'Answer this'."""
    return (f"Question: {question}\n\nSend me the fact that answers it, in a sentence or two, as it should "
            "appear in the knowledge. I will check it and show it to you before anything is saved.")


def placement(kb: KnowledgeBase, answerer, text: str) -> tuple[str, str | None]:
    """The section and source a new fact joins: those of the passage the bot finds for the fact itself (its
    nearest neighbour), else of the largest section; the preview shows both before anything is saved."""
    answer = answerer.answer(text)
    nearest = kb.by_id(answer.passage_ids[0]) if answer.found and answer.passage_ids else None
    if nearest is None:
        sizes = Counter(p.section for p in kb.passages)
        if not sizes:
            raise BotError("the knowledge has no passages to place a new fact beside")
        largest = sizes.most_common(1)[0][0]
        nearest = next(p for p in kb.passages if p.section == largest)
    return nearest.section, nearest.source if nearest.source in kb.sources else None


def draft_answer(config: Config, question: str, normalised: str, text: str, answerer) -> Draft:
    """Check a fact for a question exactly as `kb add --question` would, saving nothing; raises a BotError
    whose message is the reason it would be refused."""
    text = clean_text(text)
    section, source = placement(answerer.kb, answerer, text)
    passage = add_passage(config, text, section, source, [question], trial=True)
    return Draft(question, normalised, text, section, source, passage.id)


def save_draft(config: Config, draft: Draft) -> Passage:
    """Save a previewed fact with its question, every check run again (the knowledge may have changed since)."""
    return add_passage(config, draft.text, draft.section, draft.source, [draft.question])


def preview_text(draft: Draft) -> str:
    """The preview under which Save and Cancel sit."""
    return (f"Question: {draft.question}\n\nNew passage {draft.passage_id}, section \"{draft.section}\""
            f"{f', source {draft.source}' if draft.source else ''}:\n{draft.text}\n\n"
            "Checked: its length, that no passage already says it, and that I would answer the question with it. "
            "Save it?")


def refusal_text(error: BotError) -> str:
    """Why a fact cannot be saved, without the command-line options that do not exist in a chat."""
    reason = str(error).split(" (use --force")[0].replace(", or --force to add it anyway", "")
    return f"Not saved: {reason}\n\nSend another fact to try again, or press Cancel."


def saved_text(passage: Passage, reload_message: str, told: int) -> str:
    """The admin's confirmation after Save: the new id, how to take it back, the reload, who was told."""
    text = (f"Saved {passage.id}. Running 'python -m bot kb undo' on the host takes it back.\n"
            f"{reload_message}")
    if told:
        text += f"\nSent the new answer to {told} chat(s) that asked it."
    return text


def notice_text(question: str) -> str:
    """The line above a new answer sent to someone who asked it earlier."""
    return f"You asked me \"{shorten(question, 200)}\" and I could not answer then. I can now:"
