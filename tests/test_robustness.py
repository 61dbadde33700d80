"""Property-based tests: any text to the answerer and any bytes to `ask --jsonl` get a defined, well-formed reply."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.frontends import console, jsonlines
from bot.core.context import new_sessions
from bot.core.conversation import Conversation
from console_helpers import check_contract, fake_read, run_jsonl

KINDS = {"answer", "unknown", "smalltalk", "help", "empty", "too_long", "not_english"}
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text a hostile or careless user might send: any code point incl. control, right-to-left marks, emoji, surrogates.
hostile_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.text(alphabet=st.sampled_from("\x00\x07\x1b\t\n\r\u200b\u200e\u200f\u202e\u2066\ufeff\u0627\u05d0\U0001f600"
                                     "\U0001f1f2\U0001f1f3\ud800\udcff ?!.,'\"aeNATOmongolia2005"), max_size=80),
    st.builds(lambda words, sep: sep.join(words),
              st.lists(st.sampled_from(["NATO", "Mongolia", "when", "it", "what", "2005", "cyber", "thanks", "hi",
                                        "\u0645\u0646\u063a\u0648\u0644\u064a\u0627", "\U0001f600", "?", "and"]), max_size=12),
              st.sampled_from([" ", "", "\t", "\u00a0", "\u200f", "\n"])),
)


def check_answer(answer) -> None:
    """What every reply must be: a known kind, text to show, sources with sensible scores, serialisable."""
    assert answer.kind in KINDS
    assert isinstance(answer.text, str) and answer.text.strip()
    assert answer.found == (answer.kind == "answer")
    assert 0.0 <= answer.score <= 1.0
    assert all(0.0 <= hit.score <= 1.0 for hit in answer.sources)
    if answer.found:
        assert answer.passage_ids and answer.citation
    json.dumps(answer.to_dict(), ensure_ascii=False).encode("utf-8")


# -- the answerer on the seed knowledge: defined replies, never an exception ---------------------------

@pytest.mark.parametrize("question, kind", [
    ("", "empty"), ("   \t\n ", "empty"), ("?!...", "empty"), ("\u200b\u202e", "empty"), ("\x00", "empty"),
    ("x" * (1024 * 1024), "too_long"), ("qwzx vbnm plkj", "unknown"), ("\U0001f600\U0001f600", "empty"),
    ("What is the capital of Peru?", "unknown"), ("help", "help"), ("thanks!", "smalltalk"),
])
def test_defined_replies_on_the_seed(seed_answerer, question, kind):
    answer = seed_answerer.answer(question)
    assert answer.kind == kind
    check_answer(answer)
    if kind in ("empty", "unknown"):
        assert answer.suggestions or kind == "empty"


def test_one_megabyte_question_is_refused_politely(seed_answerer):
    answer = seed_answerer.answer("When did cooperation start? " * 40_000)
    assert answer.kind == "too_long" and "2,000 characters" in answer.text


@PROPERTY
@given(question=hostile_text)
def test_any_text_gets_a_defined_reply(seed_answerer, question):
    check_answer(seed_answerer.answer(question))


@PROPERTY
@given(turns=st.lists(hostile_text, min_size=1, max_size=4))
def test_any_conversation_gets_defined_replies(seed_answerer, turns):
    sessions = new_sessions(seed_answerer.config)
    for turn in turns:
        answer = seed_answerer.answer(turn, sessions.get("s"))
        sessions.put("s", answer.context)
        check_answer(answer)


@PROPERTY
@given(question=hostile_text)
def test_search_never_fails(seed_answerer, question):
    hits = seed_answerer.search(question)
    assert len(hits) <= seed_answerer.config.retrieval.candidates
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


# -- ask --jsonl in process: any bytes, one well-formed object per line, in order --------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["text", "session", "x"]),
                                                                      children, max_size=3),
    max_leaves=6,
)
requests = st.builds(lambda text, session: {"text": text, **({"session": session} if session is not None else {})},
                     hostile_text, st.none() | st.sampled_from(["a", "b", ""]) | st.integers(0, 3))


def _encode(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


raw_lines = st.one_of(
    requests.map(_encode),
    requests.map(lambda r: json.dumps(r).encode()),  # ASCII escapes, incl. "\ud800"-style lone surrogates
    json_values.map(_encode),
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from([b"[]", b"null", b'{"text": 5}', b"{", b"\xff\xfe", b'{"text": "\xc3\x28"}', b"   ", b"\r",
                     b'{"text": "hi", "session": true}', b'{"text": "hi", "session": [1]}', b"[" * 5000 + b"]" * 5000]),
)


@PROPERTY
@given(lines=st.lists(raw_lines, min_size=1, max_size=8))
def test_jsonl_gives_one_object_per_line_in_order(seed_answerer, lines):
    data = b"\n".join(lines) + b"\n"
    code, objects = run_jsonl(seed_answerer, new_sessions(seed_answerer.config), data)
    assert code == 0
    check_contract(objects, data.count(b"\n"))


@pytest.mark.parametrize("mark", ["\x85", "\u2028", "\u2029"])
def test_jsonl_escapes_unicode_line_breaks_so_any_line_splitter_reads_one_object_a_line(seed_answerer, mark):
    # Hypothesis found it: a session "\x85" went out raw inside a JSON string, and str.splitlines cut the line.
    line = json.dumps({"session": f"a{mark}b", "text": f"What is the{mark}Interoperability Platform?"})
    code, objects = run_jsonl(seed_answerer, new_sessions(seed_answerer.config), line.encode("utf-8") + b"\n")
    assert code == 0 and len(objects) == 1 and objects[0]["session"] == f"a{mark}b"
    check_contract(objects, 1)


@settings(max_examples=50, deadline=None)
@given(stream=st.binary(max_size=400))
def test_jsonl_survives_arbitrary_bytes(seed_answerer, stream):
    out = io.StringIO()
    assert jsonlines.jsonl(Conversation(seed_answerer, new_sessions(seed_answerer.config)), io.BytesIO(stream), out) == 0
    objects = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [o["line"] for o in objects] == list(range(1, len(objects) + 1))
    assert len(objects) == stream.count(b"\n") + (0 if stream.endswith(b"\n") or not stream else 1)


# -- the interactive console: any typed line, then end of input, exits 0 ---------------------------

@PROPERTY
@given(lines=st.lists(hostile_text.filter(lambda t: t.strip().lower() not in ("quit", "exit", ":q", "/quit", "/exit")),
                      max_size=5))
def test_interactive_answers_any_line_and_exits_zero(seed_answerer, lines):
    out = io.StringIO()
    assert console.interactive(Conversation(seed_answerer, new_sessions(seed_answerer.config)), out=out,
                               read=fake_read(lines)) == 0
    assert out.getvalue().rstrip().endswith("Goodbye!")


# -- knowledge files: any bytes load or give a KnowledgeError naming the file, nothing else -------------

yamlish = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(["source:", "  id: s", "  title: T", "passages:", "- id: a", "  text: A fact.",
                              "  section: S", "- id: a", "  text:", "    - x", "  questions: [q]", "? [k]", ": v",
                              "- !!binary aGk=", "  text: &x A", "  section: *x", "\t- id: b", "---", "...", "- [",
                              "  date: 2020-01-01", "  id: 1.5", "  text: \"\\ud800\"", "{", "- id: b\u00e9",
                              "  url: 5"]), max_size=12).map(lambda ls: "\n".join(ls).encode("utf-8")),
)


@PROPERTY
@given(data=yamlish)
def test_any_passages_file_loads_or_names_the_file(tmp_path_factory, data):
    from bot.errors import KnowledgeError
    from bot.kb.load import load_knowledge

    folder = tmp_path_factory.mktemp("kb")
    (folder / "passages").mkdir()
    (folder / "passages" / "p.yaml").write_bytes(data)
    try:
        kb = load_knowledge(folder)
    except KnowledgeError as exc:
        assert str(exc).startswith(str(folder)) and exc.reason
    else:
        assert kb.passages and all(p.text.strip() and len(p.text) <= 500 for p in kb.passages)
        json.dumps([p.__dict__ for p in kb.passages], ensure_ascii=False).encode("utf-8")  # printable anywhere


@PROPERTY
@given(lines=st.lists(st.one_of(st.binary(max_size=40), json_values.map(_encode), requests.map(_encode),
                                st.builds(lambda i, t: _encode({"id": i, "text": t}), st.text(max_size=8), hostile_text)),
                      max_size=6))
def test_any_jsonl_knowledge_loads_or_names_the_line(tmp_path_factory, lines):
    from bot.errors import KnowledgeError
    from bot.kb.load import load_knowledge

    path = tmp_path_factory.mktemp("kb") / "facts.jsonl"
    path.write_bytes(b"\n".join(lines))
    try:
        kb = load_knowledge(path)
    except KnowledgeError as exc:
        assert exc.path == str(path) and exc.reason
    else:
        assert kb.passages
        json.dumps([p.__dict__ for p in kb.passages], ensure_ascii=False).encode("utf-8")
