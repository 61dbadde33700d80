"""Maintainers' commands (`python -m bot kb ...`): split documents into passages and manage them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Config
from .errors import KnowledgeError
from .knowledge import Passage, Source, dump_passage_file, read_text
from .splitter import split_document


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `kb` and its subcommands on the main parser."""
    kb = commands.add_parser("kb", help="maintain the knowledge: split, list, add, check, ...")
    sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    split = sub.add_parser("split", help="split a document (.txt, .md, .html) into draft passages (YAML on stdout)")
    split.add_argument("file", type=Path)
    split.add_argument("--source-id", help="id of the new source (default: the file name)")
    split.add_argument("--url", default="", help="where the document was published")


def kind_of(path: Path) -> str:
    """The document kind the splitter should use, from the file name."""
    suffix = path.suffix.lower()
    return "html" if suffix in (".html", ".htm") else "md" if suffix in (".md", ".markdown") else "txt"


def draft_passages(path: Path, source_id: str, url: str = "") -> tuple[Source, list[Passage], list[str]]:
    """Split a document file into a source and draft passages, plus the ids that need a reviewer's eye."""
    draft = split_document(read_text(path), kind_of(path))
    source = Source(id=source_id, title=draft.title, date=draft.date, url=url, document=f"sources/{path.name}")
    passages, review = [], []
    for number, item in enumerate(draft.passages, start=1):
        passage = Passage(id=f"{source_id}-{number:03d}", text=item.text, section=item.section, source=source_id)
        passages.append(passage)
        if item.needs_review:
            review.append(passage.id)
    return source, passages, review


def run(args: argparse.Namespace, config: Config) -> int:
    """Run one `kb` subcommand; exit code 0 on success."""
    if args.kb_command == "split":
        source_id = args.source_id or "".join(c if c.isalnum() else "-" for c in args.file.stem.lower()).strip("-")
        source, passages, review = draft_passages(args.file, source_id, args.url)
        sys.stdout.write(dump_passage_file(source, passages))
        if review:
            print(f"Review these passages: they may lean on the sentence before them: {', '.join(review)}",
                  file=sys.stderr)
        return 0
    raise KnowledgeError(f"unknown kb command {args.kb_command}")
