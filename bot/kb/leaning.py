"""Review-only reads of a passage that leans on what came before it, past its first word (docs/realdocs.md, hand count)."""

from __future__ import annotations

import re

# "Since this reservation ...", "If this element ...", "The purpose of these elements ...", "In that system ...":
# a pointer among the first clause's first POINTER_WORDS words, where the opening-word check cannot see it (further
# on, or past the first clause, a 'this' mostly points inside its own sentence: "any violation to this rule").
POINTER_WORDS = 8
_POINTER = re.compile(r"\b(this|these|those|them|(?:in|of|for|on|at|by|with) that)\b(?! (?:document|specification|"
                      r"manual|manpage|page|guide|readme|chapter|notice)\b)", re.IGNORECASE)
# "Second, it allows ...", "But these uses ...", "Then you can configure ...": a step or a contrast whose first half
# is in another passage.
_SEQUENCE = re.compile(r"[\W_]*(second|third|fourth|fifth|finally|lastly|but|then|instead|otherwise|"
                       r"note that this|besides|alternatively)\b", re.IGNORECASE)
# "This document ...": the document the answer cites, and "It is useful to ...", "It must be possible to ...": an
# 'it' that stands for what follows. Neither leans on another passage ("It is the last rule that ..." does).
_SELF = re.compile(r"[\W_]*(?:this|these) (?:document|specification|manual|manpage|page|guide|readme)s?\b|"
                   r"[\W_]*it (?:is|was|must be|should be|may be|can be|will be)(?: (?!the\b|an?\b|this\b)\w+){0,3} (?:to|that)\b", re.IGNORECASE)
_LABEL = re.compile(r"[^!?:]{1,60}: ")  # "term: " or "1.1. Version: ": context the passage already carries


def stands_for_itself(text: str) -> bool:
    """Whether an opening 'this'/'it' points at the document or at what follows, not at another passage."""
    return bool(_SELF.match(text))


def later_pointer(text: str) -> str:
    """A word past the first that leans on an earlier passage ('this' in "If this element ..."), or ''; a passage
    carrying its label or heading in front is read as standing on it."""
    step = _SEQUENCE.match(text)
    if step:
        return step.group(1).lower()
    if _LABEL.match(text):
        return ""
    clause = " ".join(re.split(r"[,;:.!?()]", text, maxsplit=1)[0].split()[:POINTER_WORDS])
    found = _POINTER.search(clause)
    return found.group(1).lower() if found else ""
