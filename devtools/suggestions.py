"""Print every distinct suggestion the bot would form from each tuning document's sections.

    python devtools/suggestions.py            # every tuning document under tests/fixtures/docs
    python devtools/suggestions.py FILE...    # any documents you would import

Each document is split as `kb import` splits it; each section gives the suggestion an "I don't know" would
offer for it ("Tell me about ...", its own question, or nothing: shown as "(not offered)").
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Replies  # noqa: E402
from bot.core.compose import Composer  # noqa: E402
from bot.core.settings import AnswerSettings  # noqa: E402
from bot.kb.importing import draft_passages, slug  # noqa: E402
from bot.kb.model import KnowledgeBase  # noqa: E402


def suggestions(path: Path) -> dict[str, str]:
    """Each distinct section of a document with the suggestion made from it ('' when none is offered)."""
    source, passages, _ = draft_passages(path, slug(path.stem))
    composer = Composer(KnowledgeBase(tuple(passages), {source.id: source}), AnswerSettings(), Replies())
    firsts = {p.section: p for p in reversed(passages)}  # each section's first passage
    return {section: composer.question_for(firsts[section]) for section in dict.fromkeys(p.section for p in passages)}


def tuning_documents() -> list[Path]:
    """The tuning documents benchmarks/realdocs.py --tuning imports (never the held-out ones)."""
    from benchmarks.realdocs_documents import TUNING

    return [document.path for document in TUNING]


def main(argv: list[str]) -> int:
    for path in [Path(a) for a in argv] or tuning_documents():
        print(f"== {path.name}")
        for section, offered in suggestions(path).items():
            print(f"  {offered or '(not offered)':70}  <- {section!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
