"""How a section heading is offered to a user: as a person would ask about it, or not at all.

Imported documents' headings are often not topics: a FAQ's question ("Is there C++ bindings ?"), a
numbered heading ("2.3. The MEDIA/SUBTYPE.xml files"), a manual's "NAME" or "SEE ALSO", an option
("-f, --force"), a table or number row, a line of code, a sentence. These rules are about how
documents are written, not about any one document.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A heading's number, with the word that may lead it: '2.3.', '1)', 'Chapter 2.', 'Appendix A:', 'B.'.
_NUMBER = re.compile(r"^(?:(?:chapter|section|part|appendix)\s+(?:\d+|[ivxlc]+|[a-z])\b[.:)]?|\d+(?:\.\d+)+\.?|"
                     r"\d+[.)]|[A-Za-z][.)])(?:\s+|$)", re.IGNORECASE)
# What lines of code, markup and addresses hold and headings do not: 'f(x)', '$HOME', 'a = b', '{', a URL;
# a manual's reference ('tar(1)') is a name.
_CODE = re.compile(r"[{}<>=$\\;@]|://|\bwww\.|\w\((?!\d\w*\))|^[#*~]")  # a call, not tar(1)
_OPTION = re.compile(r"^-{1,2}[A-Za-z][\w-]*(?:=\S*)?$")  # '-f', '--force', '--level=N'
_PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z_]*|<[^>]*>|\[[^\]]*\])$")  # an option's argument: 'FILE', '<n>', '[=WHEN]'
_NUMERIC = re.compile(r"^[-+(]?(?:\d[\d.,:/x-]*|0x[0-9a-f]+)[)%]?$", re.IGNORECASE)  # '4096', '0x10', '2.14.1', '1/2'
_TRAILING = " \t:,;.\u2026-\u2013\u2014"  # what a heading's end carries that a suggestion does not
# Headings that name a part of a document, not something in it to ask about.
NO_TOPIC = frozenset({"name", "names", "synopsis", "see also", "contents", "table of contents", "index",
                      "description", "introduction", "overview", "general", "summary", "abstract", "preface",
                      "foreword", "notes", "note", "misc", "miscellaneous", "other", "others", "todo", "to do",
                      "about this page", "about this document", "untitled"})
# A heading that opens like a clause ('Before reporting a bug, please') is half a sentence, not a topic.
CLAUSE_OPENERS = frozenset({"before", "after", "if", "unless", "while", "because", "although", "though",
                            "whether", "and", "or", "but", "so", "then", "also", "please"})
# Small words a headline leaves in lower case ('Users and Groups in the Debian System').
MINOR = frozenset({"a", "an", "the", "and", "or", "nor", "but", "of", "in", "on", "at", "to", "for", "by", "with",
                   "from", "as", "vs", "via", "per", "into", "onto", "over", "under"})
VOWELS = frozenset("aeiouy")


def cleaned(section: str) -> str:
    """A heading without its number, code marks, spacing and closing punctuation ('2.3. The X:' -> 'The X')."""
    text = " ".join(section.replace("`", "").split())
    text = _NUMBER.sub("", text, count=1)
    text = re.sub(r"\s+([?!])$", r"\1", text.rstrip(_TRAILING))
    return text


def is_topic(text: str, max_words: int) -> bool:
    """Whether a cleaned heading can be asked about: words, not a row of numbers, code, a sentence or a bracket."""
    tokens = text.split()
    letters = sum(c.isalpha() for c in text)
    if letters < 2 or letters < 0.5 * len(text.replace(" ", "")):
        return False  # mostly punctuation and digits: a table or number row
    if sum(bool(_NUMERIC.match(t)) for t in tokens) >= 2 or len(tokens) > max_words:
        return False
    if text[0] in "[(" and text[-1] in "])" or _CODE.search(text):
        return False  # '[Some paragraphs taken from above]' is an editor's note; the rest is code
    if text.endswith("?"):
        return len(tokens) > 1  # 'Why?' alone asks nothing
    return text.lower() not in NO_TOPIC and tokens[0].lower() not in CLAUSE_OPENERS


def option_name(text: str) -> str:
    """The option a heading names when it is nothing but options and their arguments ('-f, --force'), else ''."""
    tokens = text.replace(",", " ").replace("|", " ").split()
    if not tokens or not _OPTION.match(tokens[0]) or not all(_OPTION.match(t) or _PLACEHOLDER.match(t) for t in tokens):
        return ""
    return max((t.split("=")[0] for t in tokens if _OPTION.match(t)), key=len)  # the long name says the most


def lowered(text: str, knows: Callable[[str], bool]) -> str:
    """A heading as it reads inside a sentence: a capital that only opens it, or an all-capitals heading, lowered;
    names, headlines and acronyms ('NATO partners', 'Users and Groups', 'VCPKG') kept as written."""
    words = text.split()
    if text == text.upper():  # 'EXIT STATUS': a manual shouts its headings; 'XML', 'VCPKG' are acronyms
        return " ".join(w.lower() if len(w) >= 4 and VOWELS & set(w.lower()) else w for w in words)
    if not text[:2].istitle():
        return text  # 'the case for ...', 'NATO partners', 'CMake (mainly for Windows)'
    major = [w.lstrip("(\"'") for w in words if w.lower() not in MINOR]
    capitals = all(w[:1].isupper() for w in major if w[:1].isalpha())
    # 'Garden Club', 'Users and Groups': every word capitalised, one of them a word that is no name
    headline = len(major) > 1 and capitals and any(knows(w.lower()) for w in major[1:])
    return text if headline or (len(words) > 1 and text.istitle()) else text[0].lower() + text[1:]


def offer(section: str, max_words: int, knows: Callable[[str], bool]) -> str:
    """What to suggest for a section: its own question, 'What does --x do?', 'Tell me about' its topic, or ''
    when the heading cannot be asked about."""
    text = cleaned(section)
    option = option_name(text)
    if option:
        return f"What does {option} do?"
    if not text or not is_topic(text, max_words):
        return ""
    if text.endswith("?"):
        return text[0].upper() + text[1:]
    return f"Tell me about {lowered(text, knows)}"


def topic(section: str, max_words: int) -> str:
    """A section's name as the help text lists it: cleaned, or '' when it is no topic."""
    text = cleaned(section)
    return text if option_name(text) or (text and is_topic(text, max_words)) else ""
