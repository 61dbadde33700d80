"""A document's own description for a bare question on its subject: "What is fontconfig?", "What does gzip do?".

The subject's name is in nearly every passage of its document, so its idf is low and the question's one word
tells the passages apart badly: a passage that merely mentions it wins ("Directories can't be diverted with
dpkg-divert.") or the bot declines. The document says what its subject is where it starts: a manual's NAME line
("gzip, gunzip, zcat - compress or expand files"), a README's first paragraph ("libxml2 is an XML toolkit ...").
A subject is a name the source gives itself: its id, the id's first part ("fontconfig" of "fontconfig-user"),
the names a manual's title lists before its " - ", or a title of one word. Its description is the first of the
source's first `subject_opening_passages` passages that names it among its first `subject_opening_words` words,
and not joined to another thing by 'and'."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..kb.model import Passage, Source, source_column
from .hits import Hit, bare_term, lead_first

_EDGE = "\"'`.,:;!?()[]{}<>*"
_JOINS = {"and", "&"}  # "NATO and Mongolia", "Mongolia & NATO": a passage on both
_MAN_SECTION = re.compile(r"\(\d\w*\)?$")  # "dpkg(1)": a manual's reference to its section (its ")" may be cut)


@dataclass(frozen=True)
class Descriptions:
    """Each subject name (lowercased) -> the positions of the passages describing it, in document order."""

    described: Mapping[str, tuple[int, ...]]
    sources: Mapping[str, int] = field(default_factory=dict)  # source id -> the position of its description

    def of(self, term: str) -> tuple[int, ...]:
        """The passages describing the subject a question's term names (none when it names no source)."""
        return self.described.get(_bare_word(term), ())

    def of_sources(self, sids: Sequence[str]) -> tuple[int, ...]:
        """The descriptions of these sources (those that have one), in their order."""
        return tuple(self.sources[sid] for sid in sids if sid in self.sources)


def subject_names(source: Source, english: frozenset[str] = frozenset()) -> frozenset[str]:
    """The names a source gives its subject, lowercased: its id and the id's first part unless an `english` word (a
    file's name: "gzip", "fontconfig" of "fontconfig-user", but not "packet" of "packet-switching": "What is packet
    loss?"), the names a manual's title lists before " - " ("gzip, gunzip, zcat - compress or expand files"), and a
    title of one word ("libxml2")."""
    first = source.id.split("-")[0]
    names = {source.id} if first.lower() in english else {source.id, first}
    title = source.title.strip()
    head, dash, _ = title.partition(" - ")
    if dash:
        names.update(head.split(","))
    elif len(title.split()) == 1:
        names.add(title)
    return frozenset(n for n in map(_bare_word, names) if any(ch.isalpha() for ch in n))


def find_descriptions(sources: Mapping[str, Source], passages: Sequence[Passage], most_passages: int,
                      most_words: int, english: frozenset[str] = frozenset()) -> Descriptions:
    """Each subject name's describing passages: of each source naming it, the first of its first `most_passages`
    passages whose first `most_words` words hold the name (where a document says what its subject is)."""
    openings: dict[str, list[int]] = {}
    for position, sid in enumerate(source_column(passages)):
        seen = openings.setdefault(sid, [])
        if len(seen) < most_passages:
            seen.append(position)
    described: dict[str, list[int]] = {}
    own: dict[str, int] = {}
    for sid, positions in openings.items():
        source = sources.get(sid)
        for name in subject_names(source, english) if source is not None else ():
            found = next((p for p in positions if _describes(name, passages[p].text, most_words)), None)
            if found is not None:
                described.setdefault(name, []).append(found)
                own[sid] = min(own.get(sid, found), found)  # of its names' descriptions, the one it opens with
    return Descriptions({name: tuple(found) for name, found in described.items()}, own)


def _describes(name: str, text: str, most: int) -> bool:
    """Whether a passage opens on the subject `name` alone: among its first `most` words, and not joined to another
    thing by 'and' either side ("NATO and Mongolia are committed to ...", a NATO page's opening, describes their
    relations, not NATO)."""
    opening = ["", *(_bare_word(w) for w in text.split()[:most + 1]), ""]
    return any(w == name and not _JOINS & {opening[i - 1], opening[i + 1]} for i, w in enumerate(opening[1:most + 1], 1))


def _bare_word(word: str) -> str:
    """A word without its surrounding punctuation or manual section, lowercased: "dpkg(1)," -> "dpkg"."""
    return _MAN_SECTION.sub("", word.strip().strip(_EDGE)).strip(_EDGE).lower()


asked_subject = bare_term  # the term X of a bare 'what is / does X (do)' question, '' for any other (hits.py)


def sources_described_first(sids: Sequence[str], ranked: tuple[Hit, ...], descriptions: Descriptions,
                            passages: Sequence[Passage], least: float) -> tuple[Hit, ...] | None:
    """The ranking with the description of one of these sources first (a title section asked back: it mostly holds
    front matter, authors or a version, the description says what the document is about), scored as
    `described_first`'s; None when none of them has a description."""
    found = descriptions.of_sources(sids)
    return lead_first(ranked, found, passages, least) if found else None


def described_first(term: str, ranked: tuple[Hit, ...], descriptions: Descriptions, passages: Sequence[Passage],
                    least: float) -> tuple[Hit, ...]:
    """The ranking with the subject's description first when a bare question's term (asked_subject) is a source's
    subject: scored the better of its own score, the displaced passage's and `least` (the threshold), since the
    document's own description answers it by construction, however common the subject's word is."""
    return lead_first(ranked, descriptions.of(term), passages, least)
