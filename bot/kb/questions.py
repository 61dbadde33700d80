"""The regression questions in knowledge/questions.yaml: read, checked, and appended one entry at a time."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import KnowledgeError
from ..files import check_inside, read_text
from .entries import check_fields
from .model import RegressionQuestion
from .yamlio import parse_yaml


QUESTION_FIELDS = {"q", "expect_id", "expect", "xfail"}


def load_questions(path: Path) -> list[RegressionQuestion]:
    """Read knowledge/questions.yaml (missing file: no questions), naming the line of any bad entry."""
    path = Path(path)
    if not path.exists():
        return []
    check_inside(path.parent, path)
    data = parse_yaml(read_text(path), path)
    if data is None:
        return []
    if isinstance(data, dict):  # a misspelt 'questions:' would otherwise read as no questions, and every check pass
        check_fields(data, {"questions"}, "questions.yaml", path)
    items = (data.get("questions") or []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise KnowledgeError("expected 'questions:' followed by a list", path, 1,
                             hint="each entry is '- q: ...' with 'expect_id: PASSAGE-ID' or 'expect: [words]'")
    out = []
    for item in items or []:
        line = getattr(item, "line", None)
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not item["q"].strip():
            raise KnowledgeError("each entry needs a 'q' question text", path, line or getattr(data, "lines", {}).get("questions"))
        check_fields(item, QUESTION_FIELDS, "a question", path)
        expect_id = item.get("expect_id") or ""
        expect = item.get("expect") or []
        xfail = item.get("xfail", False)
        if not isinstance(expect_id, str) or not isinstance(expect, list) \
                or not all(isinstance(e, (str, int)) for e in expect) or not isinstance(xfail, bool):
            raise KnowledgeError("'expect_id' must be a passage id, 'expect' a list of texts, 'xfail' true or false",
                                 path, line)
        if not expect_id and not expect:
            raise KnowledgeError("a question needs 'expect_id' or 'expect'", path, line,
                                 hint="name the passage that answers it, or words the answer must hold")
        out.append(RegressionQuestion(item["q"].strip(), expect_id.strip(), tuple(str(e) for e in expect), xfail,
                                      line or 0))
    return out


def question_entry_yaml(question: str, expect_id: str) -> str:
    """One questions.yaml entry as YAML text, for appending without rewriting the file's comments."""
    return yaml.safe_dump([{"q": question, "expect_id": expect_id}], sort_keys=False, allow_unicode=True, width=110)
