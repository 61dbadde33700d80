"""One knowledge file's entries turned into values: a passages YAML file or a JSON-lines file, every field
checked, every error naming its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..errors import KnowledgeError
from ..files import JsonNumberTooLong, JsonRefused, parse_json, read_text
from ..text import lone_surrogate
from .model import MAX_BULK_TEXT_CHARS, Passage, Source, check_id, check_passage_text
from .yamlio import parse_yaml


PASSAGE_FIELDS = {"id", "text", "section", "questions", "source"}


SOURCE_FIELDS = {"id", "title", "publisher", "date", "url", "document"}


FILE_FIELDS = {"source", "passages"}


def check_fields(entry: dict, allowed: set[str], what: str, path: Path) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        line = getattr(entry, "lines", {}).get(unknown[0], getattr(entry, "line", None))
        raise KnowledgeError(
            f"unknown field '{unknown[0]}' in {what}", path, line, hint=f"allowed fields: {', '.join(sorted(allowed))}"
        )


def text_field(entry: dict, key: str, path: Path, required: bool, what: str) -> str:
    value = entry.get(key)
    line = getattr(entry, "lines", {}).get(key, getattr(entry, "line", None))
    if value is None:
        if required:
            raise KnowledgeError(f"{what} has no '{key}'", path, getattr(entry, "line", None), hint=f"add a '{key}:' line")
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key == "id":
        value = str(value)
    if hasattr(value, "isoformat") and key == "date":
        value = value.isoformat()
    if not isinstance(value, str):
        raise KnowledgeError(f"'{key}' must be text, not {type(value).__name__}", path, line, hint="quote the value")
    return value.strip()


def read_passage_file(path: Path) -> tuple[Source | None, list[Passage]]:
    """A passages YAML file's source (None without a header) and passages, every entry checked."""
    return parse_passage_text(read_text(path), path)


def parse_passage_text(content: str, path: Path) -> tuple[Source | None, list[Passage]]:
    """The source and passages of a passages file's text, checked as if read from `path`."""
    data = parse_yaml(content, path)
    if data is None:
        return None, []
    if not isinstance(data, dict):
        raise KnowledgeError("the file must be a mapping with 'source' and 'passages'", path, 1)
    check_fields(data, FILE_FIELDS, "the file", path)
    source = _source_entry(data, path)
    raw_passages = data.get("passages") or []
    if not isinstance(raw_passages, list):
        raise KnowledgeError("'passages' must be a list of entries starting with '- id:'", path, data.lines.get("passages"))
    file, file_source = str(path), source.id if source else ""
    passages = [_passage_entry(entry, data, path, file, file_source) for entry in raw_passages]
    if _may_hold_surrogates(content):
        check_unicode(passages, [source] if source else [], path)
    return source, passages


def _source_entry(data: dict, path: Path) -> Source | None:
    """The file's `source:` mapping as a Source, or None when the file has none."""
    raw_source = data.get("source")
    if raw_source is None:
        return None
    if not isinstance(raw_source, dict):
        raise KnowledgeError("'source' must be a mapping (id, title, ...)", path, data.lines.get("source"))
    check_fields(raw_source, SOURCE_FIELDS, "source", path)
    return Source(**{k: text_field(raw_source, k, path, k in ("id", "title"), "source") for k in SOURCE_FIELDS})


def _passage_entry(entry: object, data: dict, path: Path, file: str, file_source: str) -> Passage:
    """One `- id:` entry as a Passage (its source defaults to the file's)."""
    if not isinstance(entry, dict):
        raise KnowledgeError("each passage must be a mapping with id, section and text", path, data.lines.get("passages"))
    if not entry.keys() <= PASSAGE_FIELDS:
        check_fields(entry, PASSAGE_FIELDS, "a passage", path)
    # Plain text values (nearly all) are taken directly; text_field converts or explains the rest.
    passage_id = entry.get("id")
    passage_id = passage_id.strip() if type(passage_id) is str else text_field(entry, "id", path, True, "a passage")
    text = entry.get("text")
    if type(text) is not str:
        text = text_field(entry, "text", path, True, f"passage '{passage_id}'")
    text = " ".join(text.split())
    problem = check_id(passage_id) or check_passage_text(text)
    if problem:
        raise KnowledgeError(problem, path, entry.lines.get("text", entry.line), hint="split long passages; ids are short slugs")
    questions = entry.get("questions") or ()
    if questions and (not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions)):
        raise KnowledgeError("'questions' must be a list of non-empty texts", path, entry.lines.get("questions"))
    section, source_id = entry.get("section"), entry.get("source")
    section = section.strip() if type(section) is str else text_field(entry, "section", path, False, "a passage")
    source_id = source_id.strip() if type(source_id) is str else text_field(entry, "source", path, False, "a passage")
    return Passage(
        id=passage_id, text=text, section=section, source=source_id or file_source,
        questions=tuple(q.strip() for q in questions), file=file, line=entry.line,
    )


def _may_hold_surrogates(text: str) -> bool:
    """Whether a strictly decoded UTF-8 file can hold lone surrogates: only through \\u (or YAML's \\U) escapes,
    so the field-by-field check runs only for files that have one."""
    return "\\u" in text or "\\U" in text


_JSONL_HINT = 'each line is {"id": ..., "text": ...}'


def load_jsonl(path: Path) -> list[Passage]:
    passages = []
    file, default_source = str(path), path.stem
    content = read_text(path)
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = parse_json(line)
        except JsonNumberTooLong:
            raise KnowledgeError("invalid JSON: a number has too many digits", path, number,
                                 hint="write ids as short text, for example \"id\": \"p-001\"") from None
        except JsonRefused as exc:
            raise KnowledgeError(f"invalid JSON: {exc.msg}", path, number, hint=_JSONL_HINT) from None
        if not isinstance(entry, dict):
            raise KnowledgeError("each line must be a JSON object", path, number, hint='{"id": ..., "text": ..., "section": ...}')
        if not entry.keys() <= PASSAGE_FIELDS:
            unknown = sorted(set(entry) - PASSAGE_FIELDS)
            raise KnowledgeError(f"unknown field '{unknown[0]}'", path, number, hint="allowed: id, text, section, questions, source")
        passage_id, text, section = entry.get("id"), entry.get("text"), entry.get("section", "")
        if isinstance(passage_id, int) and not isinstance(passage_id, bool):
            passage_id = str(passage_id)
        if not isinstance(passage_id, str) or not isinstance(text, str) or not isinstance(section, (str, type(None))):
            raise KnowledgeError("'id', 'text' and 'section' must be text", path, number)
        text = " ".join(text.split())
        problem = check_id(passage_id) or check_passage_text(text, MAX_BULK_TEXT_CHARS)
        if problem:
            raise KnowledgeError(problem, path, number)
        passages.append(Passage(id=passage_id, text=text, section=section or "",
                                source=str(entry.get("source") or default_source), file=file, line=number))
    if _may_hold_surrogates(content):
        check_unicode(passages, [], path)
    return passages


def check_unicode(passages: Iterable[Passage], sources: Iterable[Source], path: Path) -> None:
    """Refuse lone surrogates (JSON/YAML "\\ud800" escapes): no terminal, file or Telegram can show them."""
    for item in (*passages, *sources):
        values = [getattr(item, f) for f in ("id", "text", "section", "source", "title", "publisher", "date", "url",
                                             "document") if isinstance(getattr(item, f, None), str)]
        for value in values + list(getattr(item, "questions", ())):
            at = lone_surrogate(value)
            if at is not None:
                where = (item.file, item.line) if isinstance(item, Passage) else (path, None)
                raise KnowledgeError(f"unpaired surrogate {value[at]!r} in {value[:40]!r}: not valid Unicode",
                                     where[0], where[1], hint="remove the \\u escape or write the character itself")


def load_passage_file(path: Path) -> tuple[Source | None, list[Passage]]:
    """Read one passages file (its source and passages), validated like the whole knowledge."""
    return read_passage_file(Path(path))
