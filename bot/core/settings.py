"""Every tunable of the answer pipeline in one frozen value, each with the reason for its value.

The first block mirrors the configuration (`retrieval:` and `session:` in config.yaml) and is
copied from it by `AnswerSettings.from_config`; the rest are values chosen on the evaluation sets
(README, Performance) and recorded here instead of as bare numbers in the code. `setting_rows`
lists them all, with their reasons, for `why` and for maintainers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def _tunable(value: Any, why: str) -> Any:
    """A settings field with its default and the one-line reason for it."""
    return field(default=value, metadata={"why": why})


@dataclass(frozen=True)
class AnswerSettings:
    """The numbers the answer pipeline decides with; frozen, so one question never sees two versions.

    `threshold` left unset (None, config `auto`) becomes the threshold of the stage that decides:
    rerank_threshold (0.31, a probability) with the second stage, first_stage_threshold (0.2, a cosine)
    without it. Once made, it is a number: `dataclasses.replace(s, rerank=False)` keeps it, so pass
    `threshold=None` with it for the other stage's own."""

    # -- from the configuration -------------------------------------------------------------------
    threshold: float | None = _tunable(None, "score the best passage needs (retrieval.threshold); unset: the deciding stage's own")
    rerank: bool = _tunable(True, "learned second stage (retrieval.rerank): SQuAD top-1 64.9 -> 72.5%, balanced 75.3 -> 82.6%")
    candidates: int = _tunable(5, "passages an answer lists as its sources (retrieval.candidates)")
    max_answer_chars: int = _tunable(400, "longest answer text; a second fact joins only within it")
    max_question_chars: int = _tunable(2000, "longer messages get the 'too long' reply, unread")
    typo_correction: bool = _tunable(True, "correct unknown words against the knowledge's words")
    typo_min_similarity: float = _tunable(80.0, "rapidfuzz ratio a known word needs to replace an unknown one")
    max_turns: int = _tunable(4, "previous turns a conversation remembers (session.max_turns)")
    max_age_seconds: float = _tunable(600.0, "a topic older than this is not carried into a follow-up")

    # -- reading: words, corrections, expansions --------------------------------------------------
    compound_min_length: int = _tunable(7, "shorter unknown words are rarely two words run together")
    compound_min_head: int = _tunable(3, "a compound's first part has at least 3 letters ('counter|terrorism')")
    compound_min_tail: int = _tunable(2, "a compound's last part has at least 2 characters ('covid|19')")
    shortened_scan: int = _tunable(64, "known words tried for a cut-short first word ('sym' of 'symlinks'); 'con' starts 1000s")
    related_min_length: int = _tunable(5, "shorter words prefix too many others to pick one ('env' is no word)")
    related_max_extra: int = _tunable(4, "a related word adds at most 4 letters ('environment|al')")
    spell_min_length: int = _tunable(3, "one- and two-letter words are never corrected, nor offered as corrections")
    spell_shortlist: int = _tunable(24, "words sharing the most trigrams that rapidfuzz ranks; enough at 60k words")
    spell_candidates: int = _tunable(8, "best-ranked corrections checked for their edit distance")
    spell_one_edit_max_length: int = _tunable(5, "words this short allow one edit, longer ones spell_max_edits")
    spell_max_edits: int = _tunable(2, "longer words allow two edits: more would reach other real words")
    english_min_count: int = _tunable(100, "rarer entries of the English word list are mostly names and typos")
    acronym_max_letters: int = _tunable(10, "a longer capitalised word in brackets is a name, not an acronym")
    acronym_extra_words: int = _tunable(4, "joining words ('for', 'and') an acronym's definition may hold")
    smalltalk_max_words: int = _tunable(8, "a longer message is a question even when it opens politely")
    smalltalk_similarity: float = _tunable(80.0, "rapidfuzz ratio at which a typed word is a small-talk word misspelt")
    smalltalk_fuzzy_min_length: int = _tunable(4, "shorter words must match small talk exactly ('hi' vs 'ho')")
    foreign_min_words: int = _tunable(2, "a single word is a name or keyword, never judged a language")
    foreign_letter_share: float = _tunable(0.5, "mostly non-Latin letters (Cyrillic, CJK ...) is not English")
    foreign_word_share: float = _tunable(0.5, "a question mostly of words neither English nor the knowledge's is another language")
    greeting_max_words: int = _tunable(3, "longest greeting dropped before a question ('hi there, ...')")

    # -- the query: how much each term counts -----------------------------------------------------
    expansion_weight: float = _tunable(0.6, "a synonym added to a known word counts less than the user's own word")
    acronym_weight: float = _tunable(0.3, "an acronym's spelt-out words are many: each counts little")
    substitute_weight: float = _tunable(0.7, "a synonym standing in for a word the knowledge lacks counts more")
    context_weight: float = _tunable(0.7, "words carried from the previous question count less than new ones")
    unknown_weight: float = _tunable(1.0, "an unknown word counts against a match as the rarest known word would")

    # -- hits: search and answer-type fit ---------------------------------------------------------
    search_depth: int = _tunable(8, "passages ranked per question at least, so answer-type fit can reorder them")
    subject_elsewhere: float = _tunable(0.1, "a source's id or title word names it when at most this share of each "
                                        "other source's passages hold it")
    subject_opening_passages: int = _tunable(10, "a source's first passages where it says what its subject is "
                                              "(a NAME line, a first paragraph); 0: off")
    subject_opening_words: int = _tunable(3, "a description names its subject early: 'The gzip command ...', "
                                          "'Zstandard, or zstd ...'")
    offered_topics: bool = _tunable(True, "a suggestion asked back gets its section's first passage: suggestions "
                                    "answered 74 -> 104 of 104")
    subject_depth: int = _tunable(20, "times the usual depth searched for a named document's passages among all")
    rescore_depth: int = _tunable(2, "candidates rescored per slot when expansions offer alternatives")
    type_bonus: float = _tunable(1.1, "a passage holding the kind of fact asked for ('when': a date) gains a little")
    type_penalty: float = _tunable(0.3, "a passage without it loses much: it cannot be the answer")
    rerank_depth: int = _tunable(10, "first-stage candidates the second stage reorders: trained on ten; 15 or 20 found no more")
    rerank_skip_score: float = _tunable(0.35, "no second stage when the first stage's best scores this (0: always): "
                                        "tuning set 95.5 -> 96.8%")
    rerank_skip_words: int = _tunable(4, "also skipped from first_stage_threshold when the best passage holds all of "
                                      "this many words (0: off)")
    rerank_skip_cover: float = _tunable(0.95, "also skipped when the best passage covers this share of the question "
                                        "(0: off): Debian read 44 -> 38%")
    rerank_skip_cover_score: float = _tunable(0.25, "where rerank_skip_cover starts: from 0.2 SQuAD lost an answer")
    entry_label_chars: int = _tunable(40, "a 'term: ' label this long names an entry: 'what does X' reads "
                                      "past others to X's (0: off)")
    rerank_skip_cover_stems: int = _tunable(2, "rerank_skip_cover's fewest question stems: with one, SQuAD lost an answer")
    rerank_threshold: float = _tunable(0.31, "threshold with rerank when unset: a probability, rerank_model.json's own")
    first_stage_threshold: float = _tunable(0.2, "threshold with rerank off when unset, a cosine; skipped questions "
                                            "scale by model's / this")
    rerank_neighbours: int = _tunable(2, "passages read each side of a candidate, same section: +-1 alone cost 0.7 points top-1")
    unknown_name_penalty: float = _tunable(0.35, "a name the knowledge never mentions means another subject")
    option_penalty: float = _tunable(0.3, "a passage not naming the option asked about ('--extension') is about "
                                     "another; 1: off")

    # -- decision: confidence and follow-ups ------------------------------------------------------
    followup_ratio: float = _tunable(0.9, "a follow-up reading wins when it scores at least this share of the plain one")
    short_followup_words: int = _tunable(2, "a question this short that finds nothing alone leans on the last topic")
    keyword_max_words: int = _tunable(3, "bare keywords ('Five Hills', 'SPS') are at most 3 words")
    keyword_floor: float = _tunable(0.4, "share of the threshold a fully matched keyword query needs")
    keyword_coverage: float = _tunable(0.999, "'fully matched' allowing for rounding in the coverage sum")

    # -- composing the answer ---------------------------------------------------------------------
    second_fact_candidates: int = _tunable(2, "runners-up looked at as the second fact of an answer")
    second_fact_ratio: float = _tunable(0.5, "a neighbouring fact joins the answer when it scores this close")
    cut_divisor: int = _tunable(3, "a long passage is cut at a sentence end after limit // 3 characters, else a word")
    runners_up: int = _tunable(3, "runner-up passages `why` shows")
    examples: int = _tunable(3, "example questions offered (one per section)")
    example_topic_words: int = _tunable(6, "words of a passage that name its topic when it has no section")
    topic_words: int = _tunable(10, "a heading of more words is a sentence or a table row, not a topic to offer")
    suggestions: int = _tunable(3, "'you could ask' suggestions under an unknown answer")
    near_miss_ratio: float = _tunable(0.5, "share of the threshold a near miss needs to be suggested")
    help_topics: int = _tunable(8, "sections named in the help text")
    unsure_margin: float = _tunable(1.5, "an answer under threshold x 1.5 is unsure: nearby sections are offered")
    close_runner_up: float = _tunable(0.8, "a runner-up scoring 0.8 x the answer is a nearby section worth offering")
    nearby_sections: int = _tunable(2, "nearby sections offered under an unsure answer")
    alternative_floor: float = _tunable(0.75, "share of the threshold another passage needs to be offered beside it")
    why_text_chars: int = _tunable(90, "characters of a runner-up's text `why` shows")

    def __post_init__(self) -> None:
        """An unset threshold is the deciding stage's own: a probability with rerank, a cosine without."""
        if self.threshold is None:
            object.__setattr__(self, "threshold", self.rerank_threshold if self.rerank else self.first_stage_threshold)

    @classmethod
    def from_config(cls, config: Any, **changes: Any) -> "AnswerSettings":
        """The settings a configuration asks for: its retrieval and session keys, the recorded rest,
        and `changes` over both (for experiments and tests)."""
        retrieval, session = config.retrieval, config.session
        configured = dict(threshold=retrieval.threshold, rerank=retrieval.rerank, candidates=retrieval.candidates,
                          max_answer_chars=retrieval.max_answer_chars, max_question_chars=retrieval.max_question_chars,
                          typo_correction=retrieval.typo_correction, typo_min_similarity=retrieval.typo_min_similarity,
                          max_turns=session.max_turns, max_age_seconds=session.max_age_seconds)
        return cls(**{**configured, **changes})


def setting_rows(settings: AnswerSettings) -> list[tuple[str, Any, str]]:
    """(name, value, reason) for every setting, in declaration order, for `why` and documentation."""
    return [(f.name, getattr(settings, f.name), f.metadata["why"]) for f in fields(settings)]
