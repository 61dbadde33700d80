"""Conversation pieces of the core: small talk, follow-up context and bounded session memory."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from rapidfuzz import fuzz, process

from .core.lexicon import english_words
from .core.settings import AnswerSettings
from .text import words

# Phrases per intent, matched against the whole message once punctuation and case are gone.
SMALLTALK: dict[str, tuple[str, ...]] = {
    "thanks": ("thanks", "thank you", "thank u", "thx", "ty", "tnx", "thanks a lot", "many thanks", "much appreciated",
               "cheers", "appreciate it", "thank you very much", "thanks so much", "great thanks", "thankyou", "tysm"),
    "bye": ("bye", "goodbye", "good bye", "bye bye", "see you", "see ya", "cya", "later", "see you later", "good night",
            "gotta go", "have a nice day", "farewell", "take care", "that is all", "that's all", "quit", "exit"),
    "who": ("who are you", "what are you", "are you a bot", "are you a robot", "are you human", "are you a human",
            "are you real", "what is your name", "what's your name", "whats your name", "your name", "who made you",
            "who built you", "are you an ai", "are you a person", "who is this", "introduce yourself"),
    "help": ("help", "what can you do", "what do you know", "what can i ask", "what can i ask you", "how does this work",
             "what do you do", "how do i use this", "what topics", "what topics do you know", "menu", "commands",
             "what are you for", "what can you tell me", "what do you know about", "start", "options", "how to use"),
    "hello": ("hi", "hello", "hey", "hey there", "hi there", "hello there", "good morning", "good afternoon",
              "good evening", "greetings", "yo", "hiya", "howdy", "morning", "how are you", "how are you doing",
              "how's it going", "hows it going", "whats up", "what's up", "sup", "hallo", "hola", "nice to meet you"),
    "ok": ("ok", "okay", "k", "kk", "cool", "nice", "great", "got it", "alright", "all right", "awesome", "perfect",
           "good", "fine", "i see", "understood", "sure", "yes", "no", "yep", "nope", "wow", "interesting", "lol",
           "makes sense", "good to know", "nice one", "good one", "great stuff", "brilliant", "good job", "well done", "excellent", "sounds good", "oh", "ah", "hmm"),
}
_FILLER = {"so", "very", "much", "really", "well", "oh", "and", "again", "bot", "there", "you", "mate", "man", "buddy",
           "friend", "pal", "all", "then", "please", "just", "a", "lot", "for", "the", "that", "it", "info", "help"}
_PRIORITY = ("thanks", "bye", "who", "help", "hello", "ok")
_PHRASES = sorted(((tuple(words(p)), intent) for intent, ps in SMALLTALK.items() for p in ps), key=lambda x: -len(x[0]))


_PHRASE_WORDS = sorted({w for phrase, _intent in _PHRASES for w in phrase})
_KNOWN_WORDS = frozenset(_PHRASE_WORDS) | _FILLER


@lru_cache(maxsize=20_000)  # every question asks this of its first word or two; a fuzzy scan is 5 us
def _could_be_smalltalk(token: str) -> bool:
    """A cheap first look: is this word (or a near miss of it) ever part of small talk?"""
    if token in _KNOWN_WORDS:
        return True
    return len(token) >= 4 and process.extractOne(token, _PHRASE_WORDS, scorer=fuzz.ratio, score_cutoff=80) is not None


def _fuzzy_equal(a: str, b: str) -> bool:
    """A typed word that is a small-talk word misspelt; a real English word ('grant') is never a typo of one ('great')."""
    return a == b or (len(a) >= 4 and len(b) >= 4 and fuzz.ratio(a, b) >= 80 and a not in english_words(AnswerSettings.english_min_count))


def smalltalk_intent(text: str) -> str | None:
    """The small-talk intent of a whole message, or None when it holds anything else."""
    tokens = words(text)
    if not tokens or len(tokens) > 8 or not all(_could_be_smalltalk(t) for t in tokens):
        return None
    found: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, intent in _PHRASES:
            n = len(phrase)
            if n and i + n <= len(tokens) and all(_fuzzy_equal(t, p) for t, p in zip(tokens[i:i + n], phrase)):
                found.append(intent)
                i += n
                break
        else:
            if tokens[i] not in _FILLER:
                return None
            i += 1
    if not found:
        return None
    return min(found, key=_PRIORITY.index)


def strip_greeting(text: str) -> str:
    """Drop a leading greeting ('hi, when did ...') so the rest is answered as a question."""
    tokens = text.split()
    first = words(tokens[0]) if tokens else []
    if not first or not _could_be_smalltalk(first[0]):
        return text  # the common case, decided on one word
    for size in (3, 2, 1):
        head = " ".join(tokens[:size])
        if len(tokens) > size and smalltalk_intent(head) in ("hello", "thanks", "ok"):
            return " ".join(tokens[size:])
    return text


@dataclass(frozen=True)
class Turn:
    """One answered question, remembered so a follow-up can lean on its topic."""

    question: str
    topic: tuple[str, ...]
    passage_id: str
    at: float


@dataclass(frozen=True)
class Context:
    """The recent turns of one conversation, newest last."""

    turns: tuple[Turn, ...] = ()

    def topic(self, now: float, max_age: float) -> tuple[str, ...]:
        """The topic words of the newest turn that is still fresh, or nothing."""
        for turn in reversed(self.turns):
            if now - turn.at <= max_age and turn.topic:
                return turn.topic
        return ()

    def add(self, turn: Turn, max_turns: int) -> "Context":
        """A new context with the turn appended and the oldest dropped beyond max_turns."""
        return Context(self.turns[-(max_turns - 1):] + (turn,) if max_turns > 1 else (turn,))


class SessionStore:
    """Contexts by session key, bounded in count (least recently used go first) and in age."""

    def __init__(self, max_sessions: int, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_sessions = max_sessions
        self.max_age = max_age
        self.clock = clock
        self._items: OrderedDict[str, tuple[float, Context]] = OrderedDict()

    def get(self, key: str) -> Context:
        """The context of a session, or an empty one when it is new or has expired."""
        item = self._items.get(key)
        if item is None or self.clock() - item[0] > self.max_age:
            self._items.pop(key, None)
            return Context()
        self._items.move_to_end(key)
        return item[1]

    def put(self, key: str, context: Context) -> None:
        """Remember a session's context, evicting the least recently used beyond the bound."""
        self._items[key] = (self.clock(), context)
        self._items.move_to_end(key)
        while len(self._items) > self.max_sessions:
            self._items.popitem(last=False)

    def clear(self, key: str) -> None:
        """Forget one session (a /start or a new console conversation)."""
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)
