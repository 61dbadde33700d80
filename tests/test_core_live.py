"""Live reload: a changed knowledge file is picked up; a broken one is reported and the old answers keep serving."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from bot.core.live import LiveAnswerer, knowledge_stamp
from conftest import TINY_PASSAGES

SELENGE = "Where does the Selenge River flow?"
NEW_FACT = "- id: tiny-005\n  section: Animals\n  text: The Bactrian camel has two humps and lives in the Gobi desert.\n"
CAMEL = "How many humps does the Bactrian camel have?"


def _file(config) -> Path:
    return Path(config.knowledge) / "passages" / "tiny.yaml"


def test_a_changed_file_is_picked_up(tiny_config):
    live = LiveAnswerer(tiny_config)
    assert live.answer(CAMEL).found is False
    assert live.reload_if_changed() is None  # nothing changed: no work
    _file(tiny_config).write_text(TINY_PASSAGES + NEW_FACT, encoding="utf-8")
    result = live.reload_if_changed()
    assert result is not None and result.ok and result.passages == 5 and result.message == "Reloaded: 5 passages."
    answer = live.answer(CAMEL)
    assert answer.found and "two humps" in answer.text and answer.passage_ids == ("tiny-005",)
    assert live.reload_if_changed() is None


def test_a_new_file_is_picked_up(tiny_config):
    live = LiveAnswerer(tiny_config)
    (Path(tiny_config.knowledge) / "passages" / "more.yaml").write_text("passages:\n" + NEW_FACT, encoding="utf-8")
    assert live.reload_if_changed().ok
    assert "two humps" in live.answer(CAMEL).text


def _break_invalid_yaml(path: Path) -> str:
    path.write_text(TINY_PASSAGES + "- id: bad\n  text: \"unclosed\n", encoding="utf-8")
    return "invalid YAML"


def _break_truncated(path: Path) -> str:
    path.write_text(TINY_PASSAGES[:TINY_PASSAGES.index("passages:") + 4], encoding="utf-8")
    return "line 7: invalid YAML"


def _break_wrong_type(path: Path) -> str:
    path.write_text(TINY_PASSAGES.replace("text: The Orkhon River", "text:\n    - The Orkhon River"), encoding="utf-8")
    return "'text' must be text"


def _break_duplicate_id(path: Path) -> str:
    path.write_text(TINY_PASSAGES.replace("tiny-004", "tiny-001"), encoding="utf-8")
    return "duplicate passage id 'tiny-001'"


def _break_huge(path: Path) -> str:
    with path.open("ab") as handle:  # sparse: 65 MB on paper, nothing on disk
        handle.truncate(65 * 1024 * 1024)
    return "over the 64 MB limit"


def _break_symlink_loop(path: Path) -> str:
    path.unlink()
    path.symlink_to(path)
    return "Too many levels of symbolic links"


def _break_unreadable(path: Path) -> str:
    # Root reads any file, so make the passages folder a regular file instead: unreadable for everyone.
    shutil.rmtree(path.parent)
    path.parent.write_text("not a folder", encoding="utf-8")
    return "no passage files found"


def _break_invalid_utf8(path: Path) -> str:
    path.write_bytes(path.read_bytes().replace(b"Orkhon", b"Ork\xe9on"))
    return "invalid UTF-8 byte 0xe9"


def _break_complex_key(path: Path) -> str:
    path.write_text(TINY_PASSAGES + "- {id: x, text: y, ? [a, b] : c}\n", encoding="utf-8")
    return "line 20: a key must be plain text"


def _break_deep_nesting(path: Path) -> str:
    path.write_text("passages: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    return "nested too deeply"


def _break_removed(path: Path) -> str:
    shutil.rmtree(path.parent.parent)
    return "does not exist"


def _break_fifo(path: Path) -> str:
    # Opening a FIFO blocks until someone writes to it: the running console hung on reload.
    path.unlink()
    os.mkfifo(path)
    return "a named pipe (FIFO), not a regular file"


def _break_device(path: Path) -> str:
    # /dev/zero never ends: the reload read it until memory ran out.
    path.unlink()
    path.symlink_to("/dev/zero")
    return "a device, not a regular file"


BREAKAGES = [_break_invalid_yaml, _break_truncated, _break_wrong_type, _break_duplicate_id, _break_huge,
             _break_symlink_loop, _break_unreadable, _break_invalid_utf8, _break_complex_key,
             _break_deep_nesting, _break_removed, _break_fifo, _break_device]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__[7:])
def test_a_broken_file_keeps_the_old_answers_and_reports_the_error(tiny_config, breakage):
    live = LiveAnswerer(tiny_config)
    before = live.answer(SELENGE)
    assert before.found and "Lake Baikal" in before.text
    old = live.current
    expected = breakage(_file(tiny_config))
    result = live.reload()
    assert not result.ok
    assert result.message.startswith("Reload failed, still serving the previous knowledge:")
    assert expected in result.message
    assert str(tiny_config.knowledge) in result.message  # the error names where the problem is
    assert result.passages == 4
    assert live.current is old
    assert live.answer(SELENGE) == before


@pytest.mark.parametrize("breakage", [_break_invalid_yaml, _break_duplicate_id, _break_symlink_loop, _break_unreadable,
                                      _break_fifo],
                         ids=lambda f: f.__name__[7:])
def test_a_broken_file_is_noticed_once_then_the_fix_is_picked_up(tiny_config, breakage):
    live = LiveAnswerer(tiny_config)
    breakage(_file(tiny_config))
    result = live.reload_if_changed()
    assert result is not None and not result.ok
    assert live.reload_if_changed() is None  # reported once, not on every check
    assert live.answer(SELENGE).found
    folder = Path(tiny_config.knowledge) / "passages"
    if folder.is_file() or folder.is_symlink():
        folder.unlink()
    folder.mkdir(exist_ok=True)
    if _file(tiny_config).is_symlink() or (_file(tiny_config).exists() and not _file(tiny_config).is_file()):
        _file(tiny_config).unlink()  # a link or a FIFO (writing to a FIFO would wait for a reader)
    _file(tiny_config).write_text(TINY_PASSAGES + NEW_FACT, encoding="utf-8")
    fixed = live.reload_if_changed()
    assert fixed is not None and fixed.ok and fixed.passages == 5
    assert "two humps" in live.answer(CAMEL).text


def test_a_read_only_knowledge_folder_still_serves_and_says_why_the_index_is_not_saved(tiny_config, caplog):
    # Root can write anywhere, so block the index folder with a regular file of the same name.
    (Path(tiny_config.knowledge) / ".index").write_text("in the way", encoding="utf-8")
    with caplog.at_level("WARNING"):
        live = LiveAnswerer(tiny_config)
    assert live.answer(SELENGE).found
    assert any("could not save the index" in r.getMessage() for r in caplog.records)
    assert (Path(tiny_config.knowledge) / ".index").read_text(encoding="utf-8") == "in the way"
    assert _file(tiny_config).read_text(encoding="utf-8") == TINY_PASSAGES


def test_stamp_ignores_the_saved_index(tiny_config):
    LiveAnswerer(tiny_config)  # saves .index/ beside the knowledge
    assert (Path(tiny_config.knowledge) / ".index").is_dir()
    assert all(".index" not in name for name, _, _ in knowledge_stamp(Path(tiny_config.knowledge)))


def test_a_broken_knowledge_at_start_is_an_error(tiny_config):
    _break_duplicate_id(_file(tiny_config))
    from bot.errors import KnowledgeError

    with pytest.raises(KnowledgeError, match="duplicate passage id"):
        LiveAnswerer(tiny_config)


def test_reload_is_atomic_under_concurrent_questions(tiny_config):
    import threading

    live = LiveAnswerer(tiny_config)
    errors: list[BaseException] = []
    asked: list[int] = []
    stop = threading.Event()

    def ask() -> None:
        # A short pause between questions, as between users' messages: two threads answering back to back
        # with no pause can starve the reloading thread of the GIL for minutes on a loaded virtual machine
        # (CPython hands the GIL back to a thread that releases it often, here numpy's, before a waiting one
        # wakes), which measured nothing but the host's scheduler. Hundreds of questions still meet each reload.
        while not stop.wait(0.0005):
            try:
                answer = live.answer(SELENGE)
                assert answer.found and "Lake Baikal" in answer.text
                asked.append(1)
            except BaseException as exc:  # noqa: BLE001 - collected and re-raised below
                errors.append(exc)
                return

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for n in range(5):
        _file(tiny_config).write_text(TINY_PASSAGES + (NEW_FACT if n % 2 == 0 else ""), encoding="utf-8")
        os.utime(_file(tiny_config), ns=(n * 10**9, n * 10**9))
        before = len(asked)
        assert live.reload().ok
        while len(asked) < before + 20 and not errors:  # questions answered across each reload, not only before
            time.sleep(0.001)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == [] and len(asked) >= 100


def test_an_unexpected_failure_while_rebuilding_keeps_the_old_answers(tiny_config):
    from bot.core.pipeline import build_answerer

    calls = []

    def flaky_build(config):
        """The real builder the first time, then a bug (not a knowledge error) on reload."""
        calls.append(config)
        if len(calls) > 1:
            raise RuntimeError("index bug")
        return build_answerer(config)

    live = LiveAnswerer(tiny_config, build=flaky_build)
    result = live.reload()
    assert not result.ok and "unexpected RuntimeError: index bug" in result.message and result.passages == 4
    assert live.answer(SELENGE).found


def test_a_new_looping_link_beside_good_files_is_noticed_and_reported_once(tiny_config):
    live = LiveAnswerer(tiny_config)
    loop = Path(tiny_config.knowledge) / "passages" / "loop.yaml"
    loop.symlink_to(loop)
    result = live.reload_if_changed()
    assert result is not None and not result.ok and "loop.yaml" in result.message
    assert live.reload_if_changed() is None and live.answer(SELENGE).found
    loop.unlink()
    assert live.reload_if_changed().ok


def test_only_files_the_answerer_reads_count_as_a_change(tiny_config):
    live = LiveAnswerer(tiny_config)
    root = Path(tiny_config.knowledge)
    (root / "questions.yaml").write_text("questions: []\n", encoding="utf-8")
    (root / ".history").mkdir()
    (root / ".history" / "old.yaml").write_text("x: 1\n", encoding="utf-8")
    (root / ".lock").write_text("", encoding="utf-8")
    assert live.reload_if_changed() is None
    (root / "synonyms.yaml").write_text("synonyms:\n  - [river, stream]\n", encoding="utf-8")
    result = live.reload_if_changed()
    assert result is not None and result.ok


def test_a_warm_live_answerer_reads_ahead_for_each_knowledge_it_serves(tiny_config):
    live = LiveAnswerer(tiny_config, warm=True)
    live.warming.join(timeout=30)
    first = live.current
    assert first.reranker.passage_words(first.kb.passages).passages_read() == len(first.kb.passages)  # before any question
    assert first.reader.speller._postings is not None
    _file(tiny_config).write_text(TINY_PASSAGES + NEW_FACT, encoding="utf-8")
    assert live.reload().ok
    live.warming.join(timeout=30)
    current = live.current
    assert current is not first and current.reranker.passage_words(current.kb.passages).passages_read() == len(current.kb.passages)
    assert "two humps" in live.answer(CAMEL).text


def test_a_live_answerer_reads_nothing_ahead_unless_asked(tiny_config):
    live = LiveAnswerer(tiny_config)
    assert live.warming is None and live.current.reader.speller._postings is None


def test_a_failing_read_ahead_is_logged_and_the_bot_keeps_answering(tiny_config, monkeypatch, caplog):
    from bot.core.pipeline import Answerer

    def broken(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Answerer, "warm", broken)
    live = LiveAnswerer(tiny_config, warm=True)
    live.warming.join(timeout=30)
    assert "reading ahead failed" in caplog.text and "disk on fire" in caplog.text
    assert live.answer(SELENGE).found


def test_saved_files_damaged_on_disk_are_rebuilt_at_a_start_and_at_a_reload_never_served(tiny_config):
    from bot.kb.folder import index_cache

    questions = (SELENGE, "Which horses live in Hustai?", "What lives in the Altai mountains?")
    clean = LiveAnswerer(tiny_config)
    expected = [(a.text, a.passage_ids) for a in map(clean.answer, questions)]
    cache = index_cache(Path(tiny_config.knowledge))
    stream, bodies = next(cache.glob("v*/text_stream.npy")), cache / "knowledge" / "bodies.npy"
    saved = {path: path.read_bytes() for path in (stream, bodies)}

    def damaged(data: bytes) -> bytes:  # eight bytes in the middle changed: word ids and letters that still read
        middle = len(data) // 2
        return data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 8]) + data[middle + 8:]

    stream.write_bytes(damaged(saved[stream]))
    live = LiveAnswerer(tiny_config)
    live.current.warm()  # reads every passage's words: a word id past the end would raise here
    assert [(a.text, a.passage_ids) for a in map(live.answer, questions)] == expected
    # Replaced (not written in place: the running answerer maps the file it checked) while the bot serves.
    replacement = bodies.with_name("replacement")
    replacement.write_bytes(damaged(saved[bodies]))
    os.replace(replacement, bodies)
    assert live.reload().ok
    assert [(a.text, a.passage_ids) for a in map(live.answer, questions)] == expected
    assert list(live.current.kb.passages) == list(clean.current.kb.passages)
    assert {path: path.read_bytes() for path in saved} == saved  # both written again
