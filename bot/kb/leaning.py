"""Review-only reads of a passage that leans on what came before it past its first word, or that reads as part of
something else though each sentence is whole (docs/realdocs.md, hand count); no passage is changed by them."""

from __future__ import annotations

import re

# "Since this reservation ...", "If this element ...", "The purpose of these elements ...", "In that system ...":
# a pointer among the first clause's first POINTER_WORDS words, where the opening-word check cannot see it (further
# on, or past the first clause, a 'this' mostly points inside its own sentence: "any violation to this rule").
POINTER_WORDS = 8
# "When using the first two formats ...", "The former only matches ...": a place in a list the passage does not hold.
_POINTER = re.compile(r"\b(this|these|those|them|(?:in|of|for|on|at|by|with) that|the (?:first|last) (?:two|three|"
                      r"four|five|few)|the above|the former|the latter)\b(?! (?:document|specification|manual|manpage|"
                      r"page|guide|readme|chapter|notice|program)\b)", re.IGNORECASE)
# Past a label ("disk: But these uses ...", "users: In that system ..."), a step or contrast, 'them' or 'in that'
# still leans back; 'this'/'these' there mostly mean the label itself ("postgres: ... owned by this user").
_LABELLED_POINTER = re.compile(r"\b(them|(?:in|of|for|on|at|by|with) that)\b", re.IGNORECASE)
_ORDINALS = ("second", "third", "fourth", "fifth")  # after a label only with a comma: "%Ak S: Second (00.00 .. 61.00)"
# after a heading 'then' goes on with the heading's own steps ("Autotools: then you can install the library")
_LABEL_STEPS = ("then",)
# "Each element has a type attribute ...", "The default weight value is 50": a short first sentence about "each" or
# "the default" of something it does not name (of what? the sentence before said); "Each application that ..." names it.
UNNAMED_WORDS = 15
_NOUN = r"(?!(?:of|that|which|who|whose|in|for|from|with|to|on|at|by)\b)\w+"  # not a word that goes on to name it
_UNNAMED = re.compile(rf"((?:each|the (?:default|maximum|minimum)(?: {_NOUN})?) {_NOUN}) {_NOUN}", re.IGNORECASE)
# "If you have appropriate privileges, it also preserves ...": past a leading clause, a pronoun that adds to what an
# earlier passage said ('also'); "it is generally necessary to ..." (stands_for_itself) is not one.
_ALSO = re.compile(r"(?:if|when|whenever|while|since|although|as|because|unless|after|before|once)\b[^,]{3,80}, "
                   r"((?:it|they|he|she) also)\b", re.IGNORECASE)
# "You can use an alias or script instead.": a short first sentence offering another way than one it does not name.
_INSTEAD = re.compile(r"(?:[^.!?]*\s)?instead[.!]", re.IGNORECASE)
# "Second, it allows ...", "But these uses ...", "Then you can configure ...": a step or a contrast whose first half
# is in another passage.
_SEQUENCE = re.compile(r"[\W_]*(second|third|fourth|fifth|finally|lastly|but|then|instead|otherwise|"
                       r"note that this|besides|alternatively)\b", re.IGNORECASE)
# "This document ...", "This program ...", "This is free software": the document (or the program it is about) the
# answer cites; "It is useful to ...", "It must be possible to ...": an 'it' that stands for what follows; "There are
# security problems ...": a 'there' that only says something exists (not "There are other values ...", "There is no
# harm in checking here"). None leans on another passage ("It is the last rule that ..." does).
_SELF = re.compile(r"[\W_]*(?:this|these) (?:document|specification|manual|manpage|page|guide|readme|program)s?\b|"
                   r"[\W_]*this is free software\b|"
                   r"[\W_]*it (?:is|was|must be|should be|may be|can be|will be)(?: (?!the\b|an?\b|this\b)\w+){0,3} (?:to|that)\b|"
                   r"[\W_]*there (?:is|are|was|were|has been|have been|will be|may be|can be)\b"
                   r"(?! (?:also|other|another|more|still|then|further)\b)(?![^,;:.!?]*\bhere\b)", re.IGNORECASE)
_LABEL = re.compile(r"[^!?:]{1,60}: ")  # "term: " or "1.1. Version: ": context the passage already carries


def stands_for_itself(text: str) -> bool:
    """Whether an opening 'this'/'it' points at the document or at what follows, not at another passage."""
    return bool(_SELF.match(text))


def later_pointer(text: str, section: str = "") -> str:
    """A word past the first that leans on an earlier passage ('this' in "If this element ..."), or ''; a passage
    carrying its label or heading in front is read as standing on it, but for a step, a contrast or 'in that', and
    "each file" or "the default value" stand on the `section` heading that names files or values."""
    step = _SEQUENCE.match(text)
    if step:
        return step.group(1).lower()
    label = _LABEL.match(text)
    if label:
        return _after_label(text[label.end():])
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    if _INSTEAD.fullmatch(first) and len(first.split()) <= POINTER_WORDS:
        return "instead"
    also = _ALSO.match(first)
    if also:
        return also.group(1).lower()
    unnamed = _UNNAMED.match(first)
    if unnamed and len(first.split()) <= UNNAMED_WORDS and not _names(section, unnamed.group(1).split()[-1]):
        return unnamed.group(1).lower()
    found = _POINTER.search(_first_clause(text))
    return found.group(1).lower() if found else ""


def _names(section: str, noun: str) -> bool:
    """Whether a heading names the thing a noun stands for ('2.3. The MEDIA/SUBTYPE.xml files' for 'file')."""
    singular = noun.lower().removesuffix("s")
    return any(word.removesuffix("s") == singular for word in re.findall(r"[a-z]+", section.lower()))


def _first_clause(text: str) -> str:
    """The first clause's first POINTER_WORDS words, where a pointer most likely points outside the passage."""
    return " ".join(re.split(r"[,;:.!?()]", text, maxsplit=1)[0].split()[:POINTER_WORDS])


def _after_label(rest: str) -> str:
    """What leans back in a passage past its label: a step or contrast opener, or 'them'/'in that' early on."""
    step = _SEQUENCE.match(rest)
    word = step.group(1).lower() if step else ""
    if word and word not in _LABEL_STEPS and (word not in _ORDINALS or rest[step.end():step.end() + 1] == ","):
        return word
    found = _LABELLED_POINTER.search(_first_clause(rest))
    return found.group(1).lower() if found else ""


# An example cut at a full stop inside it: markup opened and never closed ('<!--Created by update-mime-database.'),
# markup closed that the passage never opened ('DO NOT EDIT!-->'), or an elided listing ('50:text/x-diff:*.diff ...').
_UNCLOSED = re.compile(r"<!--(?!.*-->)|<[A-Za-z][\w:.-]*\s+[\w:-]+=[\"'][^<>]*$", re.DOTALL)
# a comment's end goes on with markup or ends the passage: "Edit --> Preferences" in prose is a menu path
_UNOPENED = re.compile(r"^(?:(?!<!--).)*-->\s*(?:<|$)|^[^<]*/>", re.DOTALL)
_ELIDED = re.compile(r"(?:\.\.\.|\u2026)$")
# "... are explained in the following sections.", "... as follows.": what it points to is in another passage.
_FORWARD = re.compile(r"\b(?:in the following (?:sections?|chapters?|pages?)|as follows|(?:described|explained|"
                      r"listed|shown|given|discussed) (?:in detail )?below)\.?$", re.IGNORECASE)
_QUESTION_END = re.compile(r"\?[\"'\u201d)]*$")


def unfinished(text: str) -> str:
    """Why a passage reads as part of something else though each sentence is whole, or '': an example cut at a full
    stop inside it, a pointer to what comes next with nothing after it, or an aside that asks and states nothing."""
    if _UNCLOSED.search(text) or _UNOPENED.search(text):
        return "cut inside an example (its markup is opened or closed in another passage): join the parts"
    if _ELIDED.search(text):
        return "ends with '...': the rest of it (an example or a thought) is not in it"
    if _FORWARD.search(text):
        return "points to what follows it, which is not in it: say it or leave it out"
    label = _LABEL.match(text)
    body = text[label.end():] if label else text
    if all(_QUESTION_END.search(s) for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", body)):
        return "only asks a question: it states no fact an answer could give"
    return ""
