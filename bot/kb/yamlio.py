"""YAML in and out: a safe loader that records every key's line and refuses duplicates (with a fast path for
plain documents), and the dumper that writes passages files the way maintainers read them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import yaml
from yaml import events

from ..errors import KnowledgeError
from ..files import yaml_safe_loader, yaml_too_deep
from .model import Passage, Source


_BaseLoader = yaml_safe_loader()


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
        if yaml_too_deep(problem):
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
    loader = _LineLoader(text)
    try:
        get = loader.get_event
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
                value = _scalar(loader, event)
            elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
                stack.append([_collection(event, kind is events.MappingStartEvent, stack), None])
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
            _place(stack[-1], value, event)
    finally:
        loader.dispose()


def _scalar(loader: _LineLoader, event: Any) -> Any:
    """A plain scalar's value, as PyYAML's loader constructs it; _Unusual for a tag it leaves to the full loader."""
    if event.tag not in (None, "!"):
        raise _Unusual
    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR_TAG:
        return event.value
    if tag in _SCALAR_TAGS:
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        return loader.yaml_constructors[tag](loader, node)
    raise _Unusual


def _collection(event: Any, mapping: bool, stack: list[list]) -> Any:
    """A new empty list, or _LineDict that knows its line; _Unusual for a tagged one or one used as a key."""
    if event.tag not in (None, "!") or (stack and type(stack[-1][0]) is _LineDict and stack[-1][1] is None):
        raise _Unusual  # a tagged collection, or a collection as a mapping key
    if not mapping:
        return []
    container = _LineDict()
    container.line, container.lines = event.start_mark.line + 1, {}
    return container


def _place(top: list, value: Any, event: Any) -> None:
    """Put a finished value into the open collection: appended to a list, or as a mapping's key, then its value."""
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


def _too_deep(path: Path, line: int | None) -> KnowledgeError:
    return KnowledgeError("invalid YAML: lists or mappings nested too deeply", path, line,
                          hint="a passages file is two levels deep")


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
    return _dump(data, list(data.get("source", {}).values()), data["passages"])


def dump_passages(passages: Iterable[Passage], file_source: str) -> str:
    """Passages as the `- id:` entries of a passages file, for writing only the ones a change adds or edits."""
    entries = [passage_entry(p, file_source) for p in passages]
    return _dump(entries, [], entries)


def _dump(data: Any, source_values: list, entries: list[dict]) -> str:
    """YAML text of passages entries (and a source), with the emitter _dumper picks for their characters."""
    texts = [str(v) for v in source_values]
    for entry in entries:
        for value in entry.values():
            texts.extend(value if isinstance(value, list) else (str(value),))
    return yaml.dump(data, Dumper=_dumper(texts), sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _dumper(texts: list[str]) -> type:
    """libyaml's emitter (6x faster on an imported document) where it writes what PyYAML's does: it escapes
    characters beyond U+FFFF (emoji) that PyYAML writes as they are, so such files keep the Python emitter."""
    if not getattr(yaml, "__with_libyaml__", False):
        return yaml.SafeDumper
    return yaml.SafeDumper if _ASTRAL.search("\n".join(texts)) else yaml.CSafeDumper


def header_comment(text: str) -> str:
    """The comment lines at the top of a YAML file, kept when maintainers' commands rewrite it."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)
