"""Small talk: greetings, thanks, goodbyes and 'who are you', recognised before any search."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from ..text import words
from .lexicon import english_words
from .settings import AnswerSettings

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
_LEADS = ("hello", "thanks", "ok")  # small talk that may open a question ('hi, when did ...')
# Small talk whose phrases are also words a heading may be ('options', 'commands', 'menu', 'start', 'good'): a
# knowledge's own topic of those words wins. Greetings, thanks, goodbyes and 'who are you' are acts, never topics
# ('Thanks' heads a README's credits, and 'thanks' still thanks).
_TOPIC_LIKE = ("help", "ok")


class SmallTalk:
    """Recognises small talk within the settings' bounds; its first look at a word is cached."""

    def __init__(self, settings: AnswerSettings = AnswerSettings()) -> None:
        self.settings = settings
        # every question asks this of its first word or two; a fuzzy scan is 5 us
        self._could_be = lru_cache(maxsize=20_000)(self._could_be_smalltalk)

    def intent(self, text: str) -> str | None:
        """The small-talk intent of a whole message, or None when it holds anything else."""
        tokens = words(text)
        if not tokens or len(tokens) > self.settings.smalltalk_max_words or not all(map(self._could_be, tokens)):
            return None
        found: list[str] = []
        i = 0
        while i < len(tokens):
            for phrase, intent in _PHRASES:
                n = len(phrase)
                if n and i + n <= len(tokens) and all(map(self._fuzzy_equal, tokens[i:i + n], phrase)):
                    found.append(intent)
                    i += n
                    break
            else:
                if tokens[i] not in _FILLER:
                    return None
                i += 1
        return min(found, key=_PRIORITY.index) if found else None

    def strip_greeting(self, text: str) -> str:
        """Drop a leading greeting ('hi, when did ...') so the rest is answered as a question."""
        tokens = text.split()
        first = words(tokens[0]) if tokens else []
        if not first or not self._could_be(first[0]):
            return text  # the common case, decided on one word
        for size in range(self.settings.greeting_max_words, 0, -1):
            if len(tokens) > size and self.intent(" ".join(tokens[:size])) in _LEADS:
                return " ".join(tokens[size:])
        return text

    def _could_be_smalltalk(self, token: str) -> bool:
        """A cheap first look: is this word (or a near miss of it) ever part of small talk?"""
        if token in _KNOWN_WORDS:
            return True
        s = self.settings
        return len(token) >= s.smalltalk_fuzzy_min_length and process.extractOne(
            token, _PHRASE_WORDS, scorer=fuzz.ratio, score_cutoff=s.smalltalk_similarity) is not None

    def _fuzzy_equal(self, typed: str, word: str) -> bool:
        """A typed word that is a small-talk word misspelt; a real English word ('grant') is never a typo of one ('great')."""
        s = self.settings
        return typed == word or (len(typed) >= s.smalltalk_fuzzy_min_length and len(word) >= s.smalltalk_fuzzy_min_length
                                 and fuzz.ratio(typed, word) >= s.smalltalk_similarity
                                 and typed not in english_words(s.english_min_count))


def yields_to_topic(text: str, intent: str) -> bool:
    """Whether small talk of this intent gives way to a topic of the same words: not a social act, not a command
    ('/start', '/help') and not the intent's own word ('help', 'ok': what a user types to the bot itself)."""
    return intent in _TOPIC_LIKE and not text.lstrip().startswith("/") and words(text) != [intent]


@lru_cache(maxsize=1)
def _default() -> SmallTalk:
    """The small-talk reader with the recorded settings, for the module-level functions."""
    return SmallTalk()


def smalltalk_intent(text: str) -> str | None:
    """The small-talk intent of a whole message with the recorded settings (see SmallTalk.intent)."""
    return _default().intent(text)


def strip_greeting(text: str) -> str:
    """Drop a leading greeting with the recorded settings (see SmallTalk.strip_greeting)."""
    return _default().strip_greeting(text)
