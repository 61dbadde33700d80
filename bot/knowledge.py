"""The passage store: load and validate fact passages from YAML folders or JSON-lines files.

A knowledge folder holds `passages/*.yaml` (one file per source document), an optional
`synonyms.yaml` (query-time word groups) and `sources/` (the documents as shipped). Every
error names the file and line, says what is wrong and how to fix it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from .errors import KnowledgeError

SYNONYMS_FILE = "synonyms.yaml"
MAX_TEXT_CHARS = 500  # a hand-written fact passage: a sentence or two
MAX_BULK_TEXT_CHARS = 100_000  # JSON-lines bulk data sets carry whole descriptions
MAX_FILE_BYTES = 64 * 1024 * 1024
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
PASSAGE_FIELDS = {"id", "text", "section", "questions", "source"}
SOURCE_FIELDS = {"id", "title", "publisher", "date", "url", "document"}
FILE_FIELDS = {"source", "passages"}


@dataclass(frozen=True)
class Source:
    """Where passages come from, for the source line under every answer."""

    id: str
    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    document: str = ""

    def citation(self) -> str:
        """A short human citation: title, publisher and date where known."""
        extra = ", ".join(part for part in (self.publisher, _readable_date(self.date)) if part)
        return f"{self.title} ({extra})" if extra else self.title


def _readable_date(value: str) -> str:
    """'2022-05-24' as '24 May 2022'; anything else unchanged."""
    import datetime

    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Passage:
    """One fact: a sentence or two, with a stable id, its section and its source."""

    id: str
    text: str
    section: str = ""
    source: str = ""
    questions: tuple[str, ...] = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class KnowledgeBase:
    """Every passage in document order, with the sources and synonym groups that go with them."""

    passages: tuple[Passage, ...]
    sources: dict[str, Source] = field(default_factory=dict)
    synonyms: tuple[tuple[str, ...], ...] = ()
    path: str = ""

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each passage id's place in `passages`, computed once (the passages never change)."""
        return {p.id: i for i, p in enumerate(self.passages)}

    def by_id(self, passage_id: str) -> Passage | None:
        """Look a passage up by id."""
        position = self.positions.get(passage_id)
        return None if position is None else self.passages[position]

    def sections(self) -> list[str]:
        """Distinct section names in document order (a copy: callers may change it)."""
        return list(self._sections)

    @cached_property
    def _sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.section for p in self.passages if p.section))


# libyaml's parser (PyYAML's C extension) reads a 50 MB passages file in seconds instead of minutes; the
# pure-Python one is the fallback where PyYAML was built without it. Both give the same nodes and lines.
_BaseLoader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe YAML loader that records the line of every mapping and key, and refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        # One pass that constructs each key once: loading time is spent here, once per passage.
        self.flatten_mapping(node)
        mapping, lines = _LineDict(), {}
        for key_node, value_node in node.value:
            # Plain text keys and values (nearly all of them) are taken as they are, without the general machinery.
            key = key_node.value if key_node.tag == _STR_TAG else self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (list, dict)):  # YAML allows '? [a, b]' keys; a dict lookup would raise TypeError
                raise KnowledgeError("a key must be plain text, not a list or mapping", line=line,
                                     hint="remove the '?' or brackets before the key")
            if key in lines:
                raise KnowledgeError(f"duplicate key '{key}'", line=line, hint="each key may appear once per entry")
            lines[key] = line
            mapping[key] = value_node.value if value_node.tag == _STR_TAG else self.construct_object(value_node, deep=True)
        mapping.line = node.start_mark.line + 1
        mapping.lines = lines
        return mapping

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of a node: a plain scalar is tried only against the patterns for its first character (the
        general resolver builds a list per scalar, most of the loading time of a big file)."""
        if kind is yaml.ScalarNode and implicit[0] and _FAST_RESOLVE:
            for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
                if pattern.match(value):
                    return tag
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # Python refuses to convert integers of over 4,300 digits (sys.int_info)
            raise KnowledgeError("a number has too many digits", line=node.start_mark.line + 1,
                                 hint="quote it if it is meant as text") from None


_STR_TAG = "tag:yaml.org,2002:str"
# The shortcut in resolve() holds while no resolver applies to every first character or to a path.
_FAST_RESOLVE = None not in _LineLoader.yaml_implicit_resolvers and not _LineLoader.yaml_path_resolvers
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, lambda loader, node: loader.construct_mapping(node)
)
_LineLoader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: loader.construct_yaml_int(node))


class _LineDict(dict):
    """A dict that remembers where it was in its YAML file."""

    line: int = 0
    lines: dict


_SPECIAL_FILES = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                  (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def _check_regular(info: os.stat_result, path: Path, limit: int) -> None:
    """Refuse what is not a regular file, or is over the size limit, before a byte of it is read."""
    for test, kind in _SPECIAL_FILES:
        if test(info.st_mode):
            raise KnowledgeError(f"{kind}, not a regular file: only regular files are read", path,
                                 hint="replace it with a regular file, or remove it")
    if not stat.S_ISREG(info.st_mode):
        raise KnowledgeError("not a regular file: only regular files are read", path, hint="replace it with a regular file")
    if info.st_size > limit:
        raise KnowledgeError(f"file is {_mb(info.st_size)}, over the {_mb(limit)} limit", path,
                             hint="split it into several files")


def _mb(size: int) -> str:
    """A size in MB as people say it: '64 MB', '1.5 MB'."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file of at most `limit` bytes; FIFOs, devices, sockets and folders are refused unopened.

    A device (a link to /dev/zero) would read without end and a FIFO would block, so the target is
    checked with stat before opening, and again on the open descriptor (the path may have been
    swapped in between: the open never blocks, and at most `limit` + 1 bytes are read).
    """
    path = Path(path)
    try:
        _check_regular(os.stat(path), path, limit)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            _check_regular(os.fstat(handle.fileno()), path, limit)
            data = handle.read(limit + 1)
    except KnowledgeError:
        raise
    except FileNotFoundError:
        if path.is_symlink():
            raise KnowledgeError("symbolic link leads nowhere (its target is missing)", path,
                                 hint="point the link at a file, or remove it") from None
        raise KnowledgeError("file does not exist", path, hint="check the knowledge path in config.yaml or --knowledge") from None
    except PermissionError:
        raise KnowledgeError("permission denied", path, hint="make the file readable by the bot's user") from None
    except OSError as exc:
        raise KnowledgeError(f"cannot read file: {exc.strerror or exc}", path) from None
    if len(data) > limit:  # it grew after the stat
        raise KnowledgeError(f"file is over the {_mb(limit)} limit", path, hint="split it into several files")
    return data


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """Read a knowledge file as strict UTF-8, turning every I/O problem into a KnowledgeError."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KnowledgeError(
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}", path, line, hint="save the file as UTF-8"
        ) from None


def check_inside(root: Path, path: Path) -> None:
    """Refuse a knowledge file whose real location is outside the knowledge folder (a symbolic link out of it):
    its content would show in errors and answers, whatever file it is."""
    try:
        real, base = Path(path).resolve(), Path(root).resolve()
    except (OSError, RuntimeError):  # a link loop: reading reports it with the usual message
        return
    if real != base and base not in real.parents and real.is_file():  # a FIFO or device: reading names its kind
        raise KnowledgeError("a symbolic link to a file outside the knowledge folder: refused", path,
                             hint="copy the file into the knowledge folder instead of linking to it")


def parse_yaml(text: str, path: Path) -> Any:
    """Parse YAML safely, reporting syntax errors with their line."""
    try:
        try:
            return _load_plain(text)
        except _Unusual:
            return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader derives from a safe loader
    except KnowledgeError as exc:
        raise KnowledgeError(exc.reason, path, exc.line, exc.hint) from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise _too_deep(path, None) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        # libyaml may place an error found at the end of the text one line past it; the last line is where to look.
        line = min(mark.line + 1, len(text.splitlines()) or 1) if mark else None
        if "nesting depth" in problem:  # libyaml's own limit
            raise _too_deep(path, line) from None
        if "Unicode character escape" in problem:  # libyaml refuses "\ud800" itself
            raise KnowledgeError("a \\u escape of an unpaired surrogate or other invalid Unicode", path, line,
                                 hint="remove the \\u escape or write the character itself") from None
        raise KnowledgeError(
            f"invalid YAML: {problem}", path, line, hint="check the indentation and quoting near that line",
        ) from None


class _Unusual(Exception):
    """YAML that _load_plain leaves to PyYAML's full loader: tags, anchors, aliases, merge and complex keys."""


_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp"))


def _load_plain(text: str) -> Any:
    """Build a single YAML document of plain mappings, lists and scalars straight from the parser's events.

    What PyYAML's loader gives for such a document (the same values, _LineDict lines and errors), six
    times faster: it skips composing a node, with two marks, for every scalar of a big passages file.
    Anything else raises _Unusual, and the full loader reads the text instead.
    """
    from yaml import events

    loader = _LineLoader(text)
    try:
        get, resolve = loader.get_event, loader.resolve
        if not isinstance(get(), events.StreamStartEvent):
            raise _Unusual
        if isinstance(get(), events.StreamEndEvent):
            return None
        stack: list[list] = []  # [container, the key waiting for its value (mappings)]
        result = None
        while True:
            event = get()
            kind = type(event)
            if getattr(event, "anchor", None) is not None or kind is events.AliasEvent:
                raise _Unusual
            if kind is events.ScalarEvent:
                if event.tag not in (None, "!"):
                    raise _Unusual
                tag = resolve(yaml.ScalarNode, event.value, event.implicit)
                if tag == _STR_TAG:
                    value = event.value
                elif tag in _SCALAR_TAGS:
                    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
                    value = loader.yaml_constructors[tag](loader, node)
                else:
                    raise _Unusual
            elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
                if event.tag not in (None, "!") or (stack and type(stack[-1][0]) is _LineDict and stack[-1][1] is None):
                    raise _Unusual  # a tagged collection, or a collection as a mapping key
                container: Any = []
                if kind is events.MappingStartEvent:
                    container = _LineDict()
                    container.line, container.lines = event.start_mark.line + 1, {}
                stack.append([container, None])
                continue
            elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
                value = stack.pop()[0]
            elif kind is events.DocumentEndEvent and not stack:
                if not isinstance(get(), events.StreamEndEvent):
                    raise _Unusual  # several documents: the full loader says what is wrong
                return result
            else:
                raise _Unusual
            if not stack:
                result = value
                continue
            top = stack[-1]
            if type(top[0]) is list:
                top[0].append(value)
            elif top[1] is None:
                line = event.start_mark.line + 1
                if value in top[0].lines:
                    raise KnowledgeError(f"duplicate key '{value}'", line=line, hint="each key may appear once per entry")
                top[0].lines[value] = line
                top[1] = (value,)
            else:
                top[0][top[1][0]] = value
                top[1] = None
    finally:
        loader.dispose()


def _too_deep(path: Path, line: int | None) -> KnowledgeError:
    return KnowledgeError("invalid YAML: lists or mappings nested too deeply", path, line,
                          hint="a passages file is two levels deep")


def _check_fields(entry: dict, allowed: set[str], what: str, path: Path) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        line = getattr(entry, "lines", {}).get(unknown[0], getattr(entry, "line", None))
        raise KnowledgeError(
            f"unknown field '{unknown[0]}' in {what}", path, line, hint=f"allowed fields: {', '.join(sorted(allowed))}"
        )


def _text_field(entry: dict, key: str, path: Path, required: bool, what: str) -> str:
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


def check_passage_text(text: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    """Say what is wrong with a passage text, or None when it is acceptable."""
    if not text.strip():
        return "text is empty"
    if len(text) > limit:
        return f"text is {len(text)} characters, over the {limit} limit"
    return None


def check_id(passage_id: str) -> str | None:
    """Say what is wrong with a passage id, or None when it is acceptable."""
    if not ID_PATTERN.match(passage_id):
        return f"id '{passage_id}' must be letters, digits, '.', '_', ':', '+' or '-', at most 128 characters"
    return None


def _load_yaml_file(path: Path) -> tuple[Source | None, list[Passage]]:
    content = read_text(path)
    data = parse_yaml(content, path)
    if data is None:
        return None, []
    if not isinstance(data, dict):
        raise KnowledgeError("the file must be a mapping with 'source' and 'passages'", path, 1)
    _check_fields(data, FILE_FIELDS, "the file", path)
    source = None
    raw_source = data.get("source")
    if raw_source is not None:
        if not isinstance(raw_source, dict):
            raise KnowledgeError("'source' must be a mapping (id, title, ...)", path, data.lines.get("source"))
        _check_fields(raw_source, SOURCE_FIELDS, "source", path)
        source = Source(**{k: _text_field(raw_source, k, path, k in ("id", "title"), "source") for k in SOURCE_FIELDS})
    raw_passages = data.get("passages") or []
    if not isinstance(raw_passages, list):
        raise KnowledgeError("'passages' must be a list of entries starting with '- id:'", path, data.lines.get("passages"))
    passages = []
    file, file_source = str(path), source.id if source else ""
    for entry in raw_passages:
        if not isinstance(entry, dict):
            raise KnowledgeError("each passage must be a mapping with id, section and text", path, data.lines.get("passages"))
        if not entry.keys() <= PASSAGE_FIELDS:
            _check_fields(entry, PASSAGE_FIELDS, "a passage", path)
        # Plain text values (nearly all) are taken directly; _text_field converts or explains the rest.
        passage_id = entry.get("id")
        passage_id = passage_id.strip() if type(passage_id) is str else _text_field(entry, "id", path, True, "a passage")
        text = entry.get("text")
        if type(text) is not str:
            text = _text_field(entry, "text", path, True, f"passage '{passage_id}'")
        text = " ".join(text.split())
        problem = check_id(passage_id) or check_passage_text(text)
        if problem:
            raise KnowledgeError(problem, path, entry.lines.get("text", entry.line), hint="split long passages; ids are short slugs")
        questions = entry.get("questions") or ()
        if questions and (not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions)):
            raise KnowledgeError("'questions' must be a list of non-empty texts", path, entry.lines.get("questions"))
        section, source_id = entry.get("section"), entry.get("source")
        section = section.strip() if type(section) is str else _text_field(entry, "section", path, False, "a passage")
        source_id = source_id.strip() if type(source_id) is str else _text_field(entry, "source", path, False, "a passage")
        passages.append(Passage(
            id=passage_id, text=text, section=section, source=source_id or file_source,
            questions=tuple(q.strip() for q in questions), file=file, line=entry.line,
        ))
    if _may_hold_surrogates(content):
        _check_unicode(passages, [source] if source else [], path)
    return source, passages


def _may_hold_surrogates(text: str) -> bool:
    """Whether a strictly decoded UTF-8 file can hold lone surrogates: only through \\u (or YAML's \\U) escapes,
    so the field-by-field check runs only for files that have one."""
    return "\\u" in text or "\\U" in text


_JSONL_HINT = 'each line is {"id": ..., "text": ...}'


def _load_jsonl(path: Path) -> list[Passage]:
    passages = []
    file, default_source = str(path), path.stem
    content = read_text(path)
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KnowledgeError(f"invalid JSON: {exc.msg}", path, number, hint=_JSONL_HINT) from None
        except RecursionError:
            raise KnowledgeError("invalid JSON: nested too deeply", path, number, hint=_JSONL_HINT) from None
        except ValueError:  # Python refuses to convert integers of over 4,300 digits (sys.int_info)
            raise KnowledgeError("invalid JSON: a number has too many digits", path, number,
                                 hint="write ids as short text, for example \"id\": \"p-001\"") from None
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
        _check_unicode(passages, [], path)
    return passages


def load_synonyms(path: Path, root: Path | None = None) -> tuple[tuple[str, ...], ...]:
    """Read synonym groups: a list of lists of words or phrases that mean the same to users."""
    if not path.exists():
        return ()
    check_inside(path.parent if root is None else root, path)
    data = parse_yaml(read_text(path), path)
    groups = data.get("synonyms") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise KnowledgeError("expected 'synonyms:' followed by a list of groups", path, 1, hint="see the README")
    out = []
    for group in groups:
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and w.strip() for w in group):
            raise KnowledgeError("each synonym group must be a list of two or more words", path,
                                 getattr(data, "lines", {}).get("synonyms"), hint="for example [army, armed forces, military]")
        out.append(tuple(w.strip() for w in group))
    return tuple(out)


def _check_unique(passages: Iterable[Passage]) -> None:
    seen: dict[str, Passage] = {}
    for passage in passages:
        if passage.id in seen:
            first = seen[passage.id]
            raise KnowledgeError(
                f"duplicate passage id '{passage.id}' (first used in {first.file}, line {first.line})",
                passage.file, passage.line, hint="give each passage its own id",
            )
        seen[passage.id] = passage


def _check_unicode(passages: Iterable[Passage], sources: Iterable[Source], path: Path) -> None:
    """Refuse lone surrogates (JSON/YAML "\\ud800" escapes): no terminal, file or Telegram can show them."""
    for item in (*passages, *sources):
        values = [getattr(item, f) for f in ("id", "text", "section", "source", "title", "publisher", "date", "url",
                                             "document") if isinstance(getattr(item, f, None), str)]
        for value in values + list(getattr(item, "questions", ())):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                where = (item.file, item.line) if isinstance(item, Passage) else (path, None)
                raise KnowledgeError(f"unpaired surrogate {value[exc.start]!r} in {value[:40]!r}: not valid Unicode",
                                     where[0], where[1], hint="remove the \\u escape or write the character itself")


def passage_files(root: Path) -> list[Path]:
    """The passages files of a knowledge folder, in the order they load."""
    folder = Path(root) / "passages"
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []


def ignored_files(root: Path) -> list[Path]:
    """Files in a knowledge folder's passages/ that are not loaded (no .yaml or .yml ending), for `kb check` to name."""
    folder = Path(root) / "passages"
    if not folder.is_dir():
        return []
    loaded = set(passage_files(root))
    return sorted(p for p in folder.iterdir() if p not in loaded and not p.name.startswith("."))


def knowledge_files(path: Path) -> list[Path]:
    """Every file the answerer reads: the passages files and synonyms.yaml, or the JSON-lines file itself."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    synonyms = path / SYNONYMS_FILE
    return passage_files(path) + ([synonyms] if synonyms.exists() or synonyms.is_symlink() else [])


def load_knowledge(path: Path | str) -> KnowledgeBase:
    """Load a knowledge folder or a JSON-lines file of passages, validating everything."""
    path = Path(path)
    sources: dict[str, Source] = {}
    passages: list[Passage] = []
    synonyms: tuple[tuple[str, ...], ...] = ()
    try:
        is_dir = path.is_dir()
        is_file = path.is_file()
    except OSError as exc:
        raise KnowledgeError(f"cannot open: {exc.strerror or exc}", path) from None
    if is_dir:
        folder = path / "passages"
        try:
            files = passage_files(path)
        except OSError as exc:
            raise KnowledgeError(f"cannot list folder: {exc.strerror or exc}", folder) from None
        if not files:
            raise KnowledgeError("no passage files found", folder, hint="a knowledge folder holds passages/*.yaml")
        for file in files:
            check_inside(path, file)
            source, found = _load_yaml_file(file)
            if source is not None:
                sources[source.id] = source
            passages.extend(found)
        synonyms = load_synonyms(path / SYNONYMS_FILE, root=path)
    elif is_file:
        if path.suffix not in JSONL_SUFFIXES:
            raise KnowledgeError("unsupported knowledge file", path, hint="a knowledge file is JSON lines named *.jsonl, "
                                 "*.ndjson or *.json; or use a folder with passages/*.yaml")
        passages = _load_jsonl(path)
        sources[path.stem] = Source(id=path.stem, title=path.stem)
    elif path.exists():  # a FIFO, device or socket: refused by name, never opened
        read_bytes(path)
    elif path.is_symlink():
        raise KnowledgeError("symbolic link leads nowhere (a link loop or a missing target)", path,
                             hint="point the link at the knowledge folder or file")
    else:
        raise KnowledgeError("knowledge path does not exist", path, hint="check 'knowledge' in config.yaml or --knowledge")
    if not passages:
        raise KnowledgeError("the knowledge holds no passages", path, hint="add passages with 'python -m bot kb add'")
    _check_unique(passages)
    return KnowledgeBase(passages=tuple(passages), sources=sources, synonyms=synonyms, path=str(path))


def passage_entry(passage: Passage, file_source: str = "") -> dict:
    """The YAML mapping of one passage, omitting what its file already says."""
    entry: dict[str, Any] = {"id": passage.id, "section": passage.section, "text": passage.text}
    if passage.questions:
        entry["questions"] = list(passage.questions)
    if passage.source and passage.source != file_source:
        entry["source"] = passage.source
    return entry


def dump_passage_file(source: Source | None, passages: Iterable[Passage]) -> str:
    """Render a passages file the way maintainers read and diff it: one short mapping per fact."""
    data: dict[str, Any] = {}
    if source is not None:
        data["source"] = {k: v for k, v in (
            ("id", source.id), ("title", source.title), ("publisher", source.publisher), ("date", source.date),
            ("url", source.url), ("document", source.document)) if v}
    file_source = source.id if source else ""
    data["passages"] = [passage_entry(p, file_source) for p in passages]
    return yaml.dump(data, Dumper=_dumper(data), sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _dumper(data: dict) -> type:
    """libyaml's emitter (6x faster on an imported document) where it writes what PyYAML's does: it escapes
    characters beyond U+FFFF (emoji) that PyYAML writes as they are, so such files keep the Python emitter."""
    if not getattr(yaml, "__with_libyaml__", False):
        return yaml.SafeDumper
    texts = [str(v) for v in data.get("source", {}).values()]
    for entry in data["passages"]:
        for value in entry.values():
            texts.extend(value if isinstance(value, list) else (str(value),))
    return yaml.SafeDumper if _ASTRAL.search("\n".join(texts)) else yaml.CSafeDumper


# -- maintainers' additions: passage files, near-duplicates, regression questions -----------------

DUPLICATE_SIMILARITY = 90.0  # rapidfuzz token_set_ratio (0-100) at which two passages say the same thing
QUESTION_FIELDS = {"q", "expect_id", "expect", "xfail"}


def load_passage_file(path: Path) -> tuple[Source | None, list[Passage]]:
    """Read one passages file (its source and passages), validated like the whole knowledge."""
    return _load_yaml_file(Path(path))


def header_comment(text: str) -> str:
    """The comment lines at the top of a YAML file, kept when maintainers' commands rewrite it."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def _similar(a: str, b: str, score: float) -> bool:
    """token_set_ratio alone calls a two-word text a duplicate of any passage holding both words; also ask for
    comparable lengths (the shorter text has at least half the words of the longer one)."""
    na, nb = len(a.split()), len(b.split())
    return score >= DUPLICATE_SIMILARITY and min(na, nb) >= 0.5 * max(na, nb)


def find_near_duplicate(text: str, passages: Iterable[Passage], skip: str = "") -> tuple[Passage, float] | None:
    """The existing passage that says nearly the same as `text` (and its similarity), or None."""
    from rapidfuzz import fuzz

    from .text import fold

    key = fold(text)
    best: tuple[Passage, float] | None = None
    for passage in passages:
        if passage.id == skip:
            continue
        other = fold(passage.text)
        score = fuzz.token_set_ratio(key, other)
        if _similar(key, other, score) and (best is None or score > best[1]):
            best = (passage, score)
    return best


EXACT_PAIRS_UP_TO = 400  # passages; above this, candidate pairs are found first (all pairs grow as n squared)
# token_set_ratio >= 90 through the shared words needs the words only one text has to weigh (in characters,
# with a space each) at most 2/9 of the shared ones; a little slack keeps rounding on the safe side.
_UNSHARED_SHARE = 0.25


def _signature_pairs(keys: list[str], first: int | None = None,
                     rows: int = 2000) -> Iterator[tuple["np.ndarray", "np.ndarray"]]:
    """Candidate pairs (i < j) that may score token_set_ratio >= 90, without scoring all n*n pairs.

    Every text's rarest words, up to a quarter of its length, form its signature. When two texts
    share words making up nine tenths of one of them (how token_set_ratio reaches 90 for texts of
    comparable length), that text's signature holds a shared word, so the pair is a candidate: a
    sparse product, and rare words have short posting lists. With `first`, only pairs between the
    first `first` texts and the others. Pairs come in blocks of `rows` texts, so memory stays bounded.
    """
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, binary=True, dtype=np.int32)
    words = vectorizer.fit_transform(keys).tocsr()
    n = words.shape[0]
    width = np.fromiter((len(w) + 1 for w in vectorizer.get_feature_names_out()), dtype=np.int64,
                        count=words.shape[1])
    df = np.bincount(words.indices, minlength=words.shape[1])
    row_of = np.repeat(np.arange(n), np.diff(words.indptr))
    order = np.lexsort((words.indices, df[words.indices], row_of))  # each text's words, rarest first
    taken = np.cumsum(width[words.indices[order]])
    row_start = np.concatenate(([0], taken))[words.indptr[:-1]]
    before = taken - width[words.indices[order]] - row_start[row_of[order]]  # width of the rarer words before
    total = np.bincount(row_of, weights=width[words.indices], minlength=n)
    chosen = order[before <= _UNSHARED_SHARE * total[row_of[order]]]
    signature = sparse.csr_matrix((np.ones(len(chosen), dtype=np.int32), (row_of[chosen], words.indices[chosen])),
                                  shape=words.shape)
    lo = first if first is not None else 0  # the texts each block is paired with start here
    words_t, signature_t = words[lo:].T.tocsr(), signature[lo:].T.tocsr()
    for start in range(0, first if first is not None else n, rows):
        stop = min(start + rows, first if first is not None else n)
        # Either text's signature may hold the shared word; the sum lists each pair once.
        hits = (signature[start:stop] @ words_t + words[start:stop] @ signature_t).tocoo()
        i, j = hits.row.astype(np.int64) + start, hits.col.astype(np.int64) + lo
        keep = j > i
        yield i[keep], j[keep]


def near_duplicate_pairs(passages: Iterable[Passage]) -> list[tuple[Passage, Passage, float]]:
    """Every pair of passages that say nearly the same: rapidfuzz cdist over all pairs for a small knowledge,
    token_set_ratio over the candidate pairs of shared rare words for a large one."""
    from rapidfuzz import fuzz, process

    from .text import fold

    items = list(passages)
    if len(items) < 2:
        return []
    keys = [fold(p.text) for p in items]
    out = []
    if len(items) <= EXACT_PAIRS_UP_TO:
        scores = process.cdist(keys, keys, scorer=fuzz.token_set_ratio, score_cutoff=DUPLICATE_SIMILARITY, workers=-1)
        pairs = [(int(i), int(j), float(scores[i, j])) for i, j in zip(*scores.nonzero()) if i < j]
    else:
        pairs = [pair for first, second in _signature_pairs(keys)
                 for pair in _scored(keys, keys, first.tolist(), second.tolist())]
    for i, j, score in sorted(pairs):
        if _similar(keys[i], keys[j], score):
            out.append((items[i], items[j], score))
    return out


def _scored(left: list[str], right: list[str], first: list[int], second: list[int]) -> list[tuple[int, int, float]]:
    """token_set_ratio of each candidate pair, keeping those at the duplicate threshold."""
    from rapidfuzz import fuzz

    scorer, cutoff = fuzz.token_set_ratio, DUPLICATE_SIMILARITY
    return [(i, j, score) for i, j in zip(first, second) if (score := scorer(left[i], right[j], score_cutoff=cutoff))]


def near_duplicates_of(texts: list[str], passages: Iterable[Passage]) -> list[tuple[Passage, float] | None]:
    """For each new text, the existing passage that says nearly the same (and its similarity), or None: what
    find_near_duplicate says for one text, for many at once (an imported document) without n*m comparisons."""
    from .text import fold

    items = list(passages)
    new = [fold(t) for t in texts]
    old = [fold(p.text) for p in items]
    best: list[tuple[int, float] | None] = [None] * len(texts)
    if not new or not old:
        return [None] * len(texts)
    if len(new) * len(old) <= EXACT_PAIRS_UP_TO ** 2:
        blocks = [([i for i in range(len(new)) for _ in old], [j for _ in new for j in range(len(old))])]
    else:
        blocks = ((first.tolist(), (second - len(new)).tolist())
                  for first, second in _signature_pairs(new + old, first=len(new)))
    for first, second in blocks:
        for i, j, score in _scored(new, old, first, second):
            # The most similar wins, and of equally similar ones the first in passage order, as one by one.
            if _similar(new[i], old[j], score) and (best[i] is None or (-score, j) < (-best[i][1], best[i][0])):
                best[i] = (j, score)
    return [None if b is None else (items[b[0]], b[1]) for b in best]


@dataclass(frozen=True)
class RegressionQuestion:
    """A question the knowledge must keep answering: with a given passage, or with given words."""

    question: str
    expect_id: str = ""
    expect: tuple[str, ...] = ()
    xfail: bool = False
    line: int = 0

    def passes(self, found: bool, text: str, passage_ids: Iterable[str]) -> bool:
        """Right when the answer was found and uses the expected passage, or holds every expected string."""
        if not found:
            return False
        if self.expect_id and self.expect_id not in passage_ids:
            return False
        from .text import holds_all

        return holds_all(text, self.expect)


def load_questions(path: Path) -> list[RegressionQuestion]:
    """Read knowledge/questions.yaml (missing file: no questions), naming the line of any bad entry."""
    path = Path(path)
    if not path.exists():
        return []
    check_inside(path.parent, path)
    data = parse_yaml(read_text(path), path)
    if data is None:
        return []
    items = (data.get("questions") or []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise KnowledgeError("expected 'questions:' followed by a list", path, 1,
                             hint="each entry is '- q: ...' with 'expect_id: PASSAGE-ID' or 'expect: [words]'")
    out = []
    for item in items or []:
        line = getattr(item, "line", None)
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not item["q"].strip():
            raise KnowledgeError("each entry needs a 'q' question text", path, line or getattr(data, "lines", {}).get("questions"))
        _check_fields(item, QUESTION_FIELDS, "a question", path)
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
