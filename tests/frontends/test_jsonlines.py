"""The JSON-lines stream of `ask --jsonl`: answers in order, every bad line one error, the exact bytes out."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.core.conversation import Conversation
from bot.frontends import jsonlines
from console_helpers import BrokenOn, check_contract, run_jsonl

QUESTION = "Since when have NATO and Mongolia been engaged in dialogue and cooperation?"


def test_jsonl_answers_in_order_and_reports_bad_lines(seed_answerer, sessions):
    lines = [
        json.dumps({"text": QUESTION}).encode(),
        b"not json",
        b"[]",
        b"null",
        b'{"text": 5}',
        b'{"question": "wrong key"}',
        b"\xff\xfe invalid utf-8",
        b"",
        b'{"text": "thanks"}',
        b'{"text": "hi", "session": "\\ud800"}',
        b'{"text": "When was the Individual Partnership and Cooperation Programme renewed?", "session": "s1"}',
        b'{"text": "And when did it start?", "session": "s1"}',
        b'{"text": "' + b"x" * 5000 + b'"}',
    ]
    code, objects = run_jsonl(seed_answerer, sessions, b"\n".join(lines) + b"\n")
    assert code == 0
    check_contract(objects, len(lines))
    assert objects[0]["found"] is True and "since 2005" in objects[0]["answer"]
    assert "not valid JSON" in objects[1]["error"]
    assert "expected a JSON object" in objects[2]["error"] and "expected a JSON object" in objects[3]["error"]
    assert objects[4]["error"] == '"text" must be a string'
    assert objects[5]["error"] == ('expected a JSON object like {"text": "your question", "session": "optional id"} '
                                   '(this one has "question")')
    assert "not valid UTF-8" in objects[6]["error"]
    assert "empty line" in objects[7]["error"]
    assert objects[8]["kind"] == "smalltalk"
    assert "unpaired surrogate" in objects[9]["error"]
    assert objects[10]["session"] == "s1" and "April 2020" in objects[10]["answer"]
    assert objects[11]["found"] is True
    assert objects[12]["kind"] == "too_long"


def test_jsonl_last_line_without_newline_and_crlf(seed_answerer, sessions):
    code, objects = run_jsonl(seed_answerer, sessions, b'{"text": "thanks"}\r\n{"text": "hello"}')
    assert code == 0 and [o["kind"] for o in objects] == ["smalltalk", "smalltalk"]


def test_jsonl_line_over_the_limit_is_read_through(seed_answerer, sessions, monkeypatch):
    monkeypatch.setattr(jsonlines, "MAX_LINE_BYTES", 1000)
    data = b'{"text": "' + b"y" * 3000 + b'"}\n{"text": "thanks"}\n'
    code, objects = run_jsonl(seed_answerer, sessions, data)
    assert code == 0
    check_contract(objects, 2)
    assert "over" in objects[0]["error"] and objects[1]["kind"] == "smalltalk"


def test_jsonl_empty_input(seed_answerer, sessions):
    assert run_jsonl(seed_answerer, sessions, b"") == (0, [])


def test_jsonl_refuses_an_overlong_session_id_and_goes_on(seed_answerer, sessions):
    data = json.dumps({"text": "hi", "session": "s" * 5000}).encode() + b'\n{"text": "thanks", "session": "ok"}\n'
    code, objects = run_jsonl(seed_answerer, sessions, data)
    assert code == 0
    assert "at most 200 characters" in objects[0]["error"] and objects[1]["kind"] == "smalltalk"
    assert len(sessions) == 1  # only the "ok" session: the refused line stored nothing


def test_jsonl_huge_numbers_and_deep_nesting_cost_one_line_each(seed_answerer, sessions):
    # int() refuses 4,301+ digits with a ValueError that once ended the whole stream; later lines must still be answered.
    lines = [b'{"text": "thanks", "n": ' + b"9" * 5000 + b"}",
             b'{"text": "thanks", "session": ' + b"1" * 150 + b"}",
             b'{"text": "thanks", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
             b'{"text": "thanks", "x": 1e99999, "session": 7}']
    code, objects = run_jsonl(seed_answerer, sessions, b"\n".join(lines) + b"\n")
    assert code == 0 and [o["line"] for o in objects] == [1, 2, 3, 4]
    assert "5000 digits" in objects[0]["error"] and "150 digits" in objects[1]["error"]
    assert "nested too deeply" in objects[2]["error"]
    assert objects[3]["kind"] == "smalltalk" and objects[3]["session"] == "7"


def test_a_jsonl_line_encodes_as_the_json_module_would_read_it_even_with_a_lone_surrogate():
    result = {"answer": "Ulaanbaatar – “the red hero”", "score": 0.25, "sources": [{"id": "p1"}], "line": 1}
    assert json.loads(jsonlines._encode(result)) == result
    odd = {"why": {"unknown": ["\ud800x"]}, "line": 2}  # orjson refuses lone surrogates: json writes them
    assert json.loads(jsonlines._encode(odd)) == odd


# Lines the fast reader (orjson, objects of strings only) must read exactly as the json module does, or leave to it.
TRICKY_LINES = [
    b'{"text": "plain"}', b'{"text": "caf\xc3\xa9 \\u00e9 \\ud83d\\ude00 \xf0\x9f\x98\x80", "session": "s"}',
    b'{"text": "a", "text": "b"}', b'{"text": 5, "text": "last wins"}', b'{"text": "x", "session": null}',
    b'{"text": "x", "session": 7}', b'{"text": "x", "session": 18446744073709551616}',
    b'{"text": "x", "session": -0}', b'{"text": "x", "session": 1.5}', b'{"text": "x", "n": ' + b"9" * 150 + b"}",
    b'{"text": "x", "n": 1e400}', b'{"text": "x", "n": NaN}', b'{"text": "\\ud800"}', b'{"text": "\\udc80\\udc80"}',
    b'{"text": "a\tb"}', b'{"text": "\\u0000"}', b'\xef\xbb\xbf{"text": "bom"}', b'{"text": "x"} trailing',
    b' \t{"text": "spaced"}\t ', b'{"text": "x"}\x0c', b'{"text": "\xed\xa0\x80"}', b"\xff", b"{}", b"[]", b'"text"',
    b'{"text": ["x"]}', b'{"text": {"a": "b"}}', b'{"text": "x", "extra": [[[]]]}', b'{"text": "' + b"s" * 300 + b'"}',
    b'{"text": "x", "session": "' + b"s" * 300 + b'"}', b'{"text": "\\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t"}',
]


@pytest.mark.parametrize("raw", TRICKY_LINES)
def test_a_line_reads_as_the_json_module_reads_it(raw, monkeypatch):
    fast = jsonlines._parse_line(raw)
    monkeypatch.setattr(jsonlines, "_strings_object", lambda raw: None)  # the json module alone, as before
    assert fast == jsonlines._parse_line(raw)
    if isinstance(fast, tuple):
        assert type(fast[0]) is str and type(fast[1]) is str


def test_a_jsonl_line_is_exactly_these_bytes():
    # The JSON-lines contract, byte for byte: compact separators, keys in this order, scores rounded to 4 places,
    # non-ASCII written as UTF-8 (not escaped), one line per answer; a refused line the same way.
    from bot.core.answer import Answer, Why
    from bot.core.hits import Hit

    hit = Hit(id="p-1", section="Капитал", text="Ulaanbaatar – “the red hero” \U0001F600", score=0.123456)
    runner = Hit(id="p-2", section="", text="other", score=1 / 3)
    answer = Answer(found=True, text="Ulaanbaatar – “the red hero”", kind="answer", score=0.987654321, sources=(hit,),
                    citation="Cities", passage_ids=("p-1",), suggestions=("And Darkhan?",),
                    why=Why(matched=("capit",), corrected=(("captal", "capital"),),
                            expansions=(("UB", "ulaanbaatar", "acronym"),), unknown=("zzz",), score=0.98765,
                            coverage=2 / 3, threshold=0.25, runners_up=(runner,)))

    class One:
        def ask(self, session, text, log_as=None):
            return answer

    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n", write_through=True)
    jsonlines.jsonl(One(), io.BytesIO(b'{"text": "q", "session": "s"}\nnot json\n'), out)
    assert raw.getvalue() == (
        '{"found":true,"answer":"Ulaanbaatar – “the red hero”","kind":"answer","score":0.9877,'
        '"sources":[{"id":"p-1","section":"Капитал","text":"Ulaanbaatar – “the red hero” \U0001F600","score":0.1235}],'
        '"citation":"Cities","passage_ids":["p-1"],"suggestions":["And Darkhan?"],'
        '"why":{"matched":["capit"],"corrected":[{"from":"captal","to":"capital"}],'
        '"expansions":[{"phrase":"UB","added":"ulaanbaatar","kind":"acronym"}],"context":[],"unknown":["zzz"],'
        '"score":0.9877,"coverage":0.6666666666666666,"threshold":0.25,"runners_up":[{"id":"p-2","score":0.3333}]},'
        '"line":1,"session":"s"}\n'
        '{"line":2,"error":"line is not valid JSON: Expecting value"}\n').encode("utf-8")


def test_between_lines_runs_after_each_line_is_written(seed_answerer, sessions):
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n", write_through=True)
    written = []
    jsonlines.jsonl(Conversation(seed_answerer, sessions), io.BytesIO(b'{"text": "hello"}\n\n{"text": "thanks"}\n'), out,
                  between_lines=lambda: written.append(raw.getvalue().count(b"\n")))
    assert written == [1, 2, 3]


def test_a_failure_answering_one_line_costs_that_line_one_error_object_and_the_stream_goes_on(
        seed_answerer, sessions, caplog):
    broken = "What does the broken stage say?"
    lines = [json.dumps({"text": broken, "session": "s"}), json.dumps({"text": QUESTION, "session": "s"})]
    with caplog.at_level(logging.DEBUG, logger="bot"):
        code, objects = run_jsonl(BrokenOn(seed_answerer, broken), sessions, "\n".join(lines).encode() + b"\n")
    assert code == 0 and [o["line"] for o in objects] == [1, 2]
    assert objects[0] == {"line": 1, "error": seed_answerer.config.replies.failed}
    assert objects[1]["found"] is True and "since 2005" in objects[1]["answer"]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]  # one line naming it; the traceback at DEBUG
    assert record.exc_info is None and "line 1 failed: KeyError" in record.getMessage()
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [KeyError]
