"""Print every distinct suggestion the bot would form from each tuning document's sections.

    python devtools/suggestions.py            # every tuning document under tests/fixtures/docs
    python devtools/suggestions.py FILE...    # any documents you would import
    python devtools/suggestions.py --ask      # and ask each suggestion: is it answered from its own section?
    python devtools/suggestions.py --ask --topics   # the same for each topic as the help lists it, typed bare

Each document is split as `kb import` splits it; each section gives the suggestion an "I don't know" would
offer for it ("Tell me about ...", its own question, or nothing: shown as "(not offered)"). With --ask each
document is imported into a temporary knowledge base (kb init, kb import) and each suggestion asked.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Replies  # noqa: E402
from bot.core.compose import Composer  # noqa: E402
from bot.core.settings import AnswerSettings  # noqa: E402
from bot.core.topics import topic  # noqa: E402
from bot.kb.importing import draft_passages, slug  # noqa: E402
from bot.kb.model import KnowledgeBase  # noqa: E402


def suggestions(path: Path, topics: bool = False) -> dict[str, str]:
    """Each distinct section of a document with the suggestion made from it ('' when none is offered), or with
    its topic as the help lists it (`topics`)."""
    source, passages, _ = draft_passages(path, slug(path.stem))
    composer = Composer(KnowledgeBase(tuple(passages), {source.id: source}), AnswerSettings(), Replies())
    firsts = {p.section: p for p in reversed(passages)}  # each section's first passage
    sections = dict.fromkeys(p.section for p in passages)
    if topics:
        return {section: topic(section, AnswerSettings().topic_words) for section in sections}
    return {section: composer.question_for(firsts[section]) for section in sections}


def tuning_documents() -> list[Path]:
    """The tuning documents benchmarks/realdocs.py --tuning imports (never the held-out ones)."""
    from benchmarks.realdocs_documents import TUNING

    return [document.path for document in TUNING]


def answered_from_section(path: Path, topics: bool = False) -> dict[str, bool]:
    """Each suggestion of a document, imported as a maintainer would, with whether the bot answers it from a
    passage of the section it was made from."""
    from bot.config import load_config
    from bot.core.pipeline import build_answerer

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"  # the question log in the temporary folder, never data/
        config.write_text(f"knowledge: {tmp}/kb\nstorage:\n  database: {tmp}/log.sqlite3\n", encoding="utf-8")
        for command in (["kb", "init"], ["kb", "import", str(path), "--yes"]):
            subprocess.run([sys.executable, "-m", "bot", "--config", str(config), *command], check=True,
                           capture_output=True)
        answerer = build_answerer(load_config(config, environ={}), cache=False)
        out = {}
        for section, offered in suggestions(path, topics).items():
            if offered:
                answer = answerer.answer(offered)
                out[offered] = answer.found and any(answerer.kb.by_id(i).section == section for i in answer.passage_ids)
        return out


def main(argv: list[str]) -> int:
    ask, topics = "--ask" in argv, "--topics" in argv
    paths = [Path(a) for a in argv if a not in ("--ask", "--topics")] or tuning_documents()
    for path in paths:
        print(f"== {path.name}")
        if ask:
            answered = answered_from_section(path, topics)
            print(f"  {sum(answered.values())} of {len(answered)} answered from their own section")
            for offered, right in answered.items():
                print(f"  {'answered' if right else 'NOT from its section':22}{offered}")
            continue
        for section, offered in suggestions(path, topics).items():
            print(f"  {offered or '(not offered)':70}  <- {section!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
