"""A document's own description for a bare question on its subject: "What is fontconfig?", "What does gzip do?".

The subject's name is in nearly every passage of its document, so its idf is low and the question's one word
tells the passages apart badly: a passage that merely mentions it wins ("Directories can't be diverted with
dpkg-divert.") or the bot declines. The document says what its subject is where it starts: a manual's NAME line
("gzip, gunzip, zcat - compress or expand files"), a README's first paragraph ("libxml2 is an XML toolkit ...").
A subject is a name the source gives itself: its id, the id's first part ("fontconfig" of "fontconfig-user"),
the names a manual's title lists before its " - ", or a title of one word. Its description is the first of the
source's first `subject_opening_passages` passages that names it among its first `subject_opening_words` words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..kb.model import Passage, Source, source_column
from .hits import DEFINED, Hit, asked_term, is_bare

_EDGE = "\"'`.,:;!?()[]{}<>*"
_MAN_SECTION = re.compile(r"\(\d\w*\)$")  # "dpkg(1)": a manual's reference to its section


@dataclass(frozen=True)
class Descriptions:
    """Each subject name (lowercased) -> the positions of the passages describing it, in document order."""

    described: Mapping[str, tuple[int, ...]]

    def of(self, term: str) -> tuple[int, ...]:
        """The passages describing the subject a question's term names (none when it names no source)."""
        return self.described.get(_bare_word(term), ())


def subject_names(source: Source) -> frozenset[str]:
    """The names a source gives its subject, lowercased: its id and the id's first part (a file's name: "gzip",
    "fontconfig" of "fontconfig-user"), the names a manual's title lists before " - " ("gzip, gunzip, zcat -
    compress or expand files"), and a title of one word ("libxml2")."""
    names = {source.id, source.id.split("-")[0]}
    title = source.title.strip()
    head, dash, _ = title.partition(" - ")
    if dash:
        names.update(head.split(","))
    elif len(title.split()) == 1:
        names.add(title)
    return frozenset(n for n in map(_bare_word, names) if any(ch.isalpha() for ch in n))


def find_descriptions(sources: Mapping[str, Source], passages: Sequence[Passage], most_passages: int,
                      most_words: int) -> Descriptions:
    """Each subject name's describing passages: of each source naming it, the first of its first `most_passages`
    passages whose first `most_words` words hold the name (where a document says what its subject is)."""
    openings: dict[str, list[int]] = {}
    for position, sid in enumerate(source_column(passages)):
        seen = openings.setdefault(sid, [])
        if len(seen) < most_passages:
            seen.append(position)
    described: dict[str, list[int]] = {}
    for sid, positions in openings.items():
        source = sources.get(sid)
        for name in subject_names(source) if source is not None else ():
            found = next((p for p in positions if name in _opening(passages[p].text, most_words)), None)
            if found is not None:
                described.setdefault(name, []).append(found)
    return Descriptions({name: tuple(found) for name, found in described.items()})


def _opening(text: str, most: int) -> list[str]:
    """A passage's first `most` words as written, lowercased, without the punctuation around them."""
    return [_bare_word(w) for w in text.split()[:most]]


def _bare_word(word: str) -> str:
    """A word without its surrounding punctuation or manual section, lowercased: "dpkg(1)," -> "dpkg"."""
    return _MAN_SECTION.sub("", word.strip().strip(_EDGE)).strip(_EDGE).lower()


def described_first(question: str, ranked: tuple[Hit, ...], descriptions: Descriptions, passages: Sequence[Passage],
                    least: float) -> tuple[Hit, ...]:
    """The ranking with the subject's description first when a bare 'what is / does X (do)' question (hits.is_bare)
    asks about X, a source's subject: scored the better of its own score, the displaced passage's and `least` (the
    threshold), since the document's own description answers it by construction, however common X's word is."""
    asked = DEFINED.match(question.strip())
    term = asked_term(question)
    found = descriptions.of(term) if term and is_bare(question, asked) else ()
    if not found:
        return ranked
    ids = [passages[p].id for p in found]
    at = next((i for i, h in enumerate(ranked) if h.id in ids), None)
    if at is None:
        p = passages[found[0]]
        entry, rest = Hit(p.id, p.section, p.text, 0.0), ranked
    else:
        entry, rest = ranked[at], (*ranked[:at], *ranked[at + 1:])
    score = max(entry.score, ranked[0].score if ranked else 0.0, least)
    return (Hit(entry.id, entry.section, entry.text, score), *rest)
