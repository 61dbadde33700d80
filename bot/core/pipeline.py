"""The answerer: a question (and its conversation) through the stages to a short, sourced answer or an honest no.

    guard the input -> small talk? -> English? -> reading -> query -> hits -> decision -> compose
                                                                \\-> (follow-up: the same reading with the last topic)
    hits = the index's top ten, weighed for the kind of fact asked, then reordered by the second stage
    (rerank.py) with each passage's probability of answering as its score

The index is entered once per search (ranking with grouped rescoring) and once for its best
passage's coverage; a question that leans on the last topic searches twice (alone and with the
topic), reading it only once, and the topic wins only where the question alone is not confident or
its answer holds less of the question (a question that stands alone is never overridden).
"""

from __future__ import annotations

import logging
import time
from functools import cached_property
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..config import Config
from ..kb.model import KnowledgeBase, Passage, question_column, section_column
from ..text import clean, words
from .answer import Answer
from .compose import Composer
from .context import Context
from .described import Descriptions, asked_subject, described_first, find_descriptions
from .decision import decide, fit_answer_type, leans_on_context, passage_coverage, prefers_followup
from .expand import Expander, find_acronyms
from .hits import Hit, Hits, decisive, entry_first, first_stage_scaled, other_entry, rerank, search
from .index import TfidfIndex
from .index_build import IndexSettings
from .language import is_foreign
from .offered import Offered, find_offered, offered_first
from .query import Query, weigh
from .reading import Reader, Reading
from .settings import AnswerSettings
from .smalltalk import SmallTalk, yields_to_topic
from .subjects import Subjects, find_subjects

log = logging.getLogger(__name__)


class Answerer:
    """Answers questions from one knowledge base and its index; pure, no I/O."""

    def __init__(self, kb: KnowledgeBase, index: TfidfIndex, config: Config,
                 clock: Callable[[], float] = time.monotonic, settings: AnswerSettings | None = None,
                 acronyms: dict[str, str] | None = None) -> None:
        self.kb = kb
        self.index = index
        self.config = config
        self.retrieval = config.retrieval
        self.clock = clock
        self.settings = settings or AnswerSettings.from_config(config)
        self.acronyms = acronyms if acronyms is not None else find_acronyms((p.text for p in kb.passages), self.settings)
        expander = Expander(kb.synonyms, self.acronyms)
        self.reader = Reader(index.vocabulary, index.word_counts, expander, self.settings)
        self.reranker = self._reranker() if self.settings.rerank else None
        self._words_indexed = self.reranker is not None and words_indexed(kb.passages, index.settings)
        self.smalltalk = SmallTalk(self.settings)
        self.composer = Composer(kb, self.settings, config.replies)

    @property
    def examples(self) -> tuple[str, ...]:
        """The example questions, found on first need (a greeting, help, a decline): `ask` answering a question
        does without them."""
        return self.composer.examples

    def warm(self) -> None:
        """Build at once what a later question would otherwise pay for (for front ends that keep running):
        the speller's postings, the word lists, the second stage's passage words. Answers are unchanged."""
        self.reader.warm()
        if self.settings.subject_opening_passages:
            self.descriptions  # noqa: B018 (cached: one pass over the passages' sources, ~50 ms at 6,000 sources)
        if self.settings.offered_topics:
            self.offered  # noqa: B018 (cached: one pass over the passages' sections)
        if self.reranker is not None:
            self.reranker.warm(self.kb.passages, self.settings.rerank_neighbours)

    def prepare(self) -> None:
        """Build now the few things that cost milliseconds at once but spare every question a little (a stream of
        questions about to start: `ask --jsonl`); unlike `warm`, nothing that takes long. Answers are unchanged."""
        if self.reranker is not None:
            self.reranker.prepare(self.kb.passages, self.settings.rerank_neighbours)

    def _reranker(self):
        """The learned second stage (retrieval.rerank; imported only when it is on)."""
        from .index_words import SavedIds
        from .rerank import CorpusStats, Reranker, shipped_model

        curated = any(question_column(self.kb.passages))  # maintainers' questions are telling
        built = self.index.text_words  # the texts' words as the index build read them: the stage reads no text
        saved = (self.kb.passages, SavedIds(built, self.index.vocabulary)) if built is not None else None
        return Reranker(shipped_model(), CorpusStats.from_index(self.index), curated=curated, saved=saved)

    def answer(self, question: str, context: Context | None = None) -> Answer:
        """Answer one question; `context` is the conversation so far (returned updated in the answer)."""
        context = context or Context()
        compose, replies, limit = self.composer, self.config.replies, self.settings.max_question_chars
        if len(question) > limit:
            return compose.reply("too_long", replies.too_long.format(limit=f"{limit:,}"), context)
        text = clean(question)
        if not any(ch.isalnum() for ch in text):
            return compose.reply("empty", compose.with_examples(replies.empty), context, self.examples)
        intent = self.smalltalk.intent(text)
        if intent and yields_to_topic(text, intent) and self.settings.offered_topics and self.offered.of(text):
            return self._retrieve(text, context)  # 'options' to a manual: its topic (offered.py), not help
        if intent == "help":
            return compose.reply("help", compose.help_text(), context, self.examples)
        if intent is not None:
            reply = getattr(replies, f"smalltalk_{intent}")
            return compose.reply("smalltalk", reply, Context() if intent == "bye" else context)
        if is_foreign(text, self.reader.knows, self.settings):  # kept: the conversation goes on in English
            return compose.reply("not_english", replies.not_english, context)
        return self._retrieve(self.smalltalk.strip_greeting(text), context)

    def _retrieve(self, text: str, context: Context) -> Answer:
        """Search alone, and with the previous topic when the question leans on it; decide; compose."""
        s = self.settings
        reading = self.reader.read(text)
        alone = self._search(reading)
        decision = decide(text, alone, self.index, self.kb.positions, s)
        previous = context.topic(self.clock(), s.max_age_seconds)
        if previous and leans_on_context(text, alone, s):
            followup = decide(text, self._search(reading, previous), self.index, self.kb.positions, s)
            if prefers_followup(text, decision, followup, s):
                decision = followup
        if not decision.confident:
            return self.composer.not_found(decision)
        return self.composer.found(decision, context, self.clock())

    @cached_property
    def subjects(self) -> Subjects | None:
        """The documents' names, in a base of several sources (subjects.py); found on the first question."""
        if len(self.kb.sources) <= 1:
            return None
        index = self.index

        def postings(term: str) -> np.ndarray:
            column = index.vocabulary.get(term)
            return index.indices[index.indptr[column]:index.indptr[column + 1]] if column is not None else index.indices[:0]

        from .lexicon import english_words

        return find_subjects(self.kb.sources, self.kb.passages, postings, self.settings.subject_elsewhere,
                             english_words(self.settings.english_min_count))

    @cached_property
    def descriptions(self) -> Descriptions:
        """Each source's subject names and the passages describing them (described.py); found on the first bare what-is question."""
        from .lexicon import english_words

        s = self.settings
        return find_descriptions(self.kb.sources, self.kb.passages, s.subject_opening_passages, s.subject_opening_words,
                                 english_words(s.english_min_count))

    @cached_property
    def offered(self) -> Offered:
        """Each section's suggestion and topic, to know one asked back (offered.py); found on the first question."""
        return find_offered(self.kb.passages, self.settings.topic_words, self.kb.sources)

    def _search(self, reading: Reading, carried: tuple[str, ...] = ()) -> Hits:
        """Search (in a named document's passages alone, `_search_named`); a suggestion asked back gets its section's
        first passage first (offered.py), a bare question on a document's subject its description (described.py)."""
        found, s, text = self._search_named(reading, carried), self.settings, reading.text
        if s.offered_topics and self.offered.of(text):  # a suggestion asked back: its section's passage, kept
            titled = s.subject_opening_passages and self.offered.titled(text)  # a title section: its description
            return Hits(found.query, offered_first(text, found.ranked, self.offered, self.kb.passages, s.threshold,
                                                   self.descriptions if titled else None), led=True)
        subject = asked_subject(text) if s.subject_opening_passages else ""
        if not subject:
            return found
        ranked = described_first(subject, found.ranked, self.descriptions, self.kb.passages, s.threshold)
        return found if ranked is found.ranked else Hits(found.query, ranked)

    def _search_named(self, reading: Reading, carried: tuple[str, ...] = ()) -> Hits:
        """Search, in the named document's passages alone when the question names one of several (subjects.py)."""
        subjects = self.subjects
        named = subjects.named(reading) if subjects is not None else frozenset()
        if named:
            found = self._search_in(reading, carried, subjects.holds(named))
            if found.ranked:  # else none of its passages matches: the whole knowledge is searched as usual
                return found
        return self._search_in(reading, carried)

    def _search_in(self, reading: Reading, carried: tuple[str, ...] = (), only: np.ndarray | None = None) -> Hits:
        """Weigh a reading (with a carried topic), rank passages (only those `only` marks, when given), fit them to the
        kind of fact asked for, rerank."""
        s = self.settings
        query = weigh(reading, self.index, s, carried)
        k = max(s.candidates, s.search_depth, s.rerank_depth if self.reranker else 0)
        hits = fit_answer_type(reading.text, search(self.index, self.kb.passages, query, k, s, only), s)
        if not self.reranker:
            return Hits(query, hits)
        measured: list[float] = []  # the best passage's coverage, when `decisive` read it (decide reuses it)
        if (decisive(hits, s, reading.text, query, *self._best_passage(hits, query, measured))
                and not other_entry(reading.text, hits, s)):
            # a clear first-stage answer stands, decided as without the stage (unless it is not the asked term's entry)
            scaled = first_stage_scaled(hits, self.reranker.model.threshold, s)
            return Hits(query, scaled, measured[0] if measured else None)
        # the second stage reads the weighed candidates closely and scores them as probabilities; a bare 'what does X
        # do' question then gets X's own entry first (it reorders nothing else)
        ranked = rerank(self.reranker, self.kb.passages, self.kb.positions, query, hits, s)
        ranked = entry_first(reading.text, ranked, s)
        same = bool(measured) and bool(ranked) and ranked[0].id == hits[0].id  # the stage kept the best passage first
        return Hits(query, ranked, measured[0] if same else None)

    def _best_passage(self, hits: tuple[Hit, ...], query: Query,
                      measured: list[float]) -> tuple[Callable, Callable | None]:
        """What `decisive` may ask of the best passage, each read only when asked: its coverage of the query (kept
        in `measured`), and whether it holds some stems, from the index when it holds exactly the passages' words."""
        position = self.kb.positions[hits[0].id] if hits else -1
        has = self.index.has

        def coverage() -> float:
            if not measured:
                measured.append(passage_coverage(query, self.index, position))
            return measured[0]

        def indexed(stems: set[str]) -> bool:
            return all(has(position, s) for s in stems)

        return coverage, indexed if self._words_indexed else None

    # -- for maintainers, tools and front ends ---------------------------------------------------

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        """The top passages for a question without composing an answer (for maintainers and tools)."""
        query = self._analyse(words(question))
        return list(search(self.index, self.kb.passages, query, k or self.settings.candidates, self.settings))

    def _analyse(self, tokens: list[str], carried: tuple[str, ...] = ()) -> Query:
        """Read and weigh a question's words, without the answer-type fit or a decision."""
        return weigh(self.reader.read_words(" ".join(tokens), tokens), self.index, self.settings, carried)

    def help_text(self) -> str:
        """What the bot knows about, for `help` and /help."""
        return self.composer.help_text()

    def sources_text(self) -> str:
        """The documents the answers come from, as a person would name them."""
        return self.composer.sources_text()


def words_indexed(passages: Sequence[Passage], settings: IndexSettings) -> bool:
    """Whether the index's terms of each passage are exactly the stems of its text's and section's content words
    (no questions indexed beside them, no section left out), so the index can tell what a passage holds."""
    return ((not settings.index_questions or not any(question_column(passages)))
            and (settings.index_sections or not any(section_column(passages))))


def build_answerer(config: Config, kb: KnowledgeBase | None = None, cache: bool = True,
                   clock: Callable[[], float] = time.monotonic,
                   on_progress: Callable[[int, int], None] | None = None) -> Answerer:
    """Load the knowledge and its index (saved beside it when possible; a build tells `on_progress`) and make an answerer."""
    from ..kb.folder import index_cache
    from ..kb.model import MAX_TEXT_CHARS
    from .index_build import choose_scoring
    from .index_file import load_or_build, saved_beside

    digest = None
    if kb is None:
        kb, digest = _load_knowledge(config.knowledge, cache)
    cache_dir = index_cache(kb.path) if cache and kb.path else None
    settings = choose_scoring(config.retrieval.scoring, kb.passages, MAX_TEXT_CHARS)
    index = load_or_build(kb.passages, cache_dir, settings, on_progress, digest)
    s = AnswerSettings.from_config(config)  # the acronyms depend on the passages (the fingerprint) and these two
    acronyms = saved_beside(cache_dir, index.fingerprint, f"acronyms-{s.acronym_max_letters}-{s.acronym_extra_words}",
                            lambda: find_acronyms((p.text for p in kb.passages), s))
    return Answerer(kb, index, config, clock, s, acronyms)


def _load_knowledge(path: Path, cache: bool) -> tuple[KnowledgeBase, str | None]:
    """The knowledge, read from its snapshot when its files are byte for byte unchanged (with its passages'
    digest, so the index fingerprint needs no hashing), else parsed and checked and snapshotted for next time."""
    from ..kb.folder import index_cache
    from ..kb.load import load_knowledge
    from ..kb.snapshot import load_snapshot, save_snapshot, saved_files
    from ..kb.snapshot_key import knowledge_key
    from .index_file import passages_digest

    folder = index_cache(Path(path))
    key = knowledge_key(path, saved_files(folder)) if cache else None  # unchanged files' hashes are reused
    found = load_snapshot(folder, key) if key else None
    if found is not None:
        return found
    kb = load_knowledge(path)
    if key is None or getattr(knowledge_key(path), "value", None) != key.value:  # changed while parsed: not saved
        return kb, None
    digest = passages_digest(kb.passages)
    try:
        save_snapshot(kb, folder, key, digest)
    except OSError as exc:  # a read-only knowledge folder still serves, it just parses each start
        log.warning("could not save the knowledge snapshot to %s: %s", folder, exc.strerror or exc)
    return kb, digest

