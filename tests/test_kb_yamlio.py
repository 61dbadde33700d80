"""YAML in and out: the fast event reader equals PyYAML's loader, and libyaml writes what PyYAML writes."""

from __future__ import annotations

import pytest

from bot.errors import KnowledgeError
from bot.kb.yamlio import parse_yaml
from conftest import SEED_KNOWLEDGE, TINY_PASSAGES

def test_libyaml_writes_passages_files_as_pyyaml_does():
    import yaml

    from bot.kb.model import Passage, Source
    from bot.kb.yamlio import _dumper, dump_passage_file

    odd = ["Ünïcödé “quotes” and 'single' and \"double\"", "yes", "null", "123", "1e3", "- dash", "# hash", "a: b",
           "tab\tin", " leading", "x" * 300, "colon: in text", "{brace}", "[b]", "@at", "`tick`", "|pipe", ">gt",
           "2024-01-02", "0x1F", "~", "rtl \u200f mark", "line\u2028separator", "\u00a0nbsp", "word " * 60]
    passages = [Passage(id=f"o-{n}", text=t, section=t, source="s", questions=(t,)) for n, t in enumerate(odd)]
    source = Source("s", "Title: with colon", date="2024-01-02")
    data = yaml.safe_load(dump_passage_file(source, passages))
    assert _dumper(data) is yaml.CSafeDumper
    python = yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True, width=110,
                       default_flow_style=False)
    assert dump_passage_file(source, passages) == python
    emoji = [Passage(id="e", text="Camels \U0001F42A have humps.", source="s")]
    assert "\U0001F42A" in dump_passage_file(source, emoji)  # written as it is, not as a \U escape


PLAIN_DOCUMENTS = [
    "", "---\n", "# only a comment\n", "just text\n", "- a\n- 1\n- 2.5\n- true\n- ~\n- 2024-01-02\n- 2024-01-02 10:00:00\n",
    "a: 1\nb: [x, 'y', \"z\\u00e9\", {c: d}]\nc: {}\nd: []\ne:\nf: |\n  block\n  text\ng: >\n  folded\n  text\n",
    "key with spaces: 'value: with colon'\n'quoted key': 0x1F\n1: one\nnull: n\n? simple\n: explicit\n",
    "passages:\n- id: a\n  text: >-\n    long folded\n    text\n  questions: [q1, q2]\n- {id: b, text: flow}\n",
    "nested:\n  - - deep\n    - [1, [2, [3]]]\n  - x: {y: {z: [w]}}\n",
    "%YAML 1.1\n---\nx: y\n...\n", "x: 1e3\ny: .inf\nz: -.5\nw: 0o17\nv: 1_000\nu: +12\nt: yes\ns: Off\n",
]


UNUSUAL_DOCUMENTS = ["a: &x 1\nb: *x\n", "base: &b {x: 1}\nmore:\n  <<: *b\n  y: 2\n", "x: !!str 1\n",
                     "? [a, b]\n: c\n", "--- a\n--- b\n", "a: !!binary aGVsbG8=\n", "s: !!set {a, b}\n"]


@pytest.mark.parametrize("text", PLAIN_DOCUMENTS + [SEED_KNOWLEDGE.joinpath(*p).read_text(encoding="utf-8") for p in (
    ("questions.yaml",), ("synonyms.yaml",), ("passages", "relations-with-mongolia.yaml"))] + [TINY_PASSAGES])
def test_plain_documents_read_from_events_equal_pyyaml_s_load(text):
    import yaml

    from bot.kb.yamlio import _LineLoader, _load_plain

    fast, full = _load_plain(text), yaml.load(text, Loader=_LineLoader)
    assert fast == full and type(fast) is type(full)

    def lines(value):  # every mapping's own line and its keys' lines, in order
        if isinstance(value, dict):
            return [(value.line, value.lines)] + [x for v in value.values() for x in lines(v)]
        return [x for v in value for x in lines(v)] if isinstance(value, list) else []

    assert lines(fast) == lines(full)


@pytest.mark.parametrize("text", UNUSUAL_DOCUMENTS)
def test_anything_else_is_left_to_pyyaml_s_full_loader(text, tmp_path):
    import yaml

    from bot.kb.yamlio import _LineLoader, _load_plain, _Unusual

    with pytest.raises(_Unusual):
        _load_plain(text)
    try:
        expected = yaml.load(text, Loader=_LineLoader)
    except (yaml.YAMLError, KnowledgeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        with pytest.raises(KnowledgeError) as info:
            parse_yaml(text, tmp_path / "x.yaml")
        assert info.value.line == (mark.line + 1 if mark else exc.line)
    else:
        assert parse_yaml(text, tmp_path / "x.yaml") == expected
