"""A suggestion the bot made, asked back, is answered from the section it was made from.

When the bot declines it offers questions made from section headings (topics.offer: "Tell me about exit status",
"What is this spec?", "What does --force do?"), and a Telegram button sends one back as the question. Searched
like any question, a heading's few common words ("options", "tests", "bugs") match some other section's passage
as well or better, or nothing scores the threshold: the bot would decline its own suggestion. So a question that
is, word for word (case and punctuation aside), a section's offered question or its topic as the help lists it
gets that section's first passage first, where the section opens its subject.
A rule about how suggestions are made, never about one document's words. A document's title section mostly holds
its front matter (authors, status, version): `titled` names the sources whose title a question asks back, so the
answerer can give the source's description instead (described.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..kb.model import Passage, Source, section_column, source_column
from ..text import words
from .described import Descriptions, sources_described_first
from .hits import Hit, lead_first
from .topics import offer, topic


@dataclass(frozen=True)
class Offered:
    """Each offered question and topic, as `asked_key` reads it -> the positions of the first passages of the
    sections offering it (one a source), in document order."""

    offered: Mapping[str, tuple[int, ...]]
    titles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key -> the sources whose title it asks

    def of(self, question: str) -> tuple[int, ...]:
        """The first passages of the sections a question asks for by their own suggestion or topic (none else)."""
        return self.offered.get(asked_key(question), ())

    def titled(self, question: str) -> tuple[str, ...]:
        """The sources whose title section a question asks for by its suggestion or topic (none else)."""
        return self.titles.get(asked_key(question), ())


def asked_key(text: str) -> str:
    """A question as compared with the suggestions: its words, lowercased, without punctuation."""
    return " ".join(words(text))


def find_offered(passages: Sequence[Passage], max_words: int, sources: Mapping[str, Source] | None = None) -> Offered:
    """Each section's suggestion (topics.offer) and topic (topics.topic), from each source's first passage of it;
    of `sources`, which keys ask for a title section (a heading that is, word for word, its source's title)."""
    firsts: dict[tuple[str, str], int] = {}
    for position, key in enumerate(zip(source_column(passages), section_column(passages))):
        if key[1]:
            firsts.setdefault(key, position)
    titles = {sid: asked_key(source.title) for sid, source in (sources or {}).items()}
    found: dict[str, list[int]] = {}
    titled: dict[str, list[str]] = {}
    for (sid, section), position in firsts.items():
        # a suggestion's case only follows the heading's (topics.lowered), and asked_key lowers it anyway
        as_topic = asked_key(topic(section, max_words))
        asked = {asked_key(offer(section, max_words, lambda _word: False)), as_topic}
        is_title = bool(titles.get(sid)) and as_topic == titles[sid]
        for key in filter(None, asked):
            found.setdefault(key, []).append(position)
            if is_title:
                titled.setdefault(key, []).append(sid)
    return Offered({key: tuple(positions) for key, positions in found.items()},
                   {key: tuple(sids) for key, sids in titled.items()})


def offered_first(question: str, ranked: tuple[Hit, ...], offered: Offered, passages: Sequence[Passage],
                  least: float, descriptions: Descriptions | None = None) -> tuple[Hit, ...]:
    """The ranking with the asked section's first passage first when a question is one of its suggestions (of
    several sections offering it, the one whose first passage ranks best), scored at least `least` (the
    threshold): the bot offered the section as an answer. The first passage, not the section's best-ranked one:
    that is whichever repeats the heading's word ("Tell me about options": "-D debugopts all: Enable all of the
    other debug options"), the first is where the section opens its subject. A source's title section asked back
    gets the source's description first instead, when `descriptions` holds one (it says what the document is
    about; the title section mostly holds front matter: authors, a status, a version)."""
    titled = offered.titled(question) if descriptions is not None else ()
    described = sources_described_first(titled, ranked, descriptions, passages, least) if titled else None
    if described is not None:
        return described
    return lead_first(ranked, offered.of(question), passages, least)
