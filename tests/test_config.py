"""Config loading: defaults, the repository's config.yaml, unknown keys and bad types named, env overrides."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import yaml

from bot.config import Config, load_config
from bot.errors import ConfigError
from conftest import REPO


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_defaults():
    config = load_config(None, environ={})
    assert config == dataclasses.replace(Config(), storage=config.storage, knowledge=config.knowledge)
    assert config.retrieval.threshold is None and config.retrieval.rerank  # auto: the second stage's own (settings)
    assert config.knowledge.name == "knowledge"


def test_repository_config_loads_and_matches_the_packaged_defaults():
    config = load_config(REPO / "config.yaml", environ={})
    defaults = load_config(None, environ={})
    assert config.knowledge == REPO / "knowledge"
    assert config.retrieval == defaults.retrieval
    assert config.session == defaults.session
    assert config.replies == defaults.replies
    assert config.telegram == defaults.telegram
    assert Path(config.storage.database) == REPO / "data" / "bot.sqlite3"


def _leaf_keys(node, prefix=""):
    """(dotted key, 0-based line) for every setting (not section) of a YAML mapping node."""
    for key_node, value_node in node.value:
        dotted = prefix + key_node.value
        if isinstance(value_node, yaml.MappingNode):
            yield from _leaf_keys(value_node, dotted + ".")
        else:
            yield dotted, key_node.start_mark.line


def test_every_key_in_the_repository_config_has_a_comment_line_above_it():
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    root = yaml.compose(text)
    keys = list(_leaf_keys(root))
    assert len(keys) > 20
    missing = [dotted for dotted, line in keys if line == 0 or not lines[line - 1].strip().startswith("#")]
    assert missing == [], f"config.yaml keys without a comment line above them: {missing}"


def test_every_config_field_appears_in_the_repository_config():
    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    for field in dataclasses.fields(Config):
        if field.name == "path":
            continue
        assert field.name in raw, f"config.yaml does not document '{field.name}'"
        value = getattr(Config(), field.name)
        if dataclasses.is_dataclass(value):
            documented = set(raw[field.name])
            assert documented == {f.name for f in dataclasses.fields(value)}, field.name


@pytest.mark.parametrize("text, named", [
    ("retrieval:\n  treshold: 0.3\n", "retrieval.treshold"),
    ("knowlege: kb\n", "knowlege"),
    ("replies:\n  greting: hi\n", "replies.greting"),
])
def test_unknown_keys_are_named(tmp_path, text, named):
    with pytest.raises(ConfigError, match=f"unknown config key '{named}'"):
        load_config(_write(tmp_path, text), environ={})


@pytest.mark.parametrize("text, key", [
    ("retrieval:\n  threshold: high\n", "retrieval.threshold"),
    ("retrieval:\n  candidates: 2.5\n", "retrieval.candidates"),
    ("retrieval:\n  typo_correction: maybe\n", "retrieval.typo_correction"),
    ("retrieval: 5\n", "retrieval"),
    ("replies:\n  greeting: [a, b]\n", "replies.greeting"),
    ("session:\n  max_turns: -1\n", "session.max_turns"),
    ("telegram:\n  admins: [abc]\n", "telegram.admins"),
    ("retrieval:\n  threshold: 1.5\n", "retrieval.threshold"),
    ("retrieval:\n  candidates: 0\n", "retrieval.candidates"),
    ("knowledge: ''\n", "knowledge"),
    ("retrieval:\n  max_question_chars: .inf\n", "retrieval.max_question_chars"),
    ("retrieval:\n  candidates: .nan\n", "retrieval.candidates"),
    ("session:\n  max_age_seconds: .nan\n", "session.max_age_seconds"),
])
def test_bad_types_and_ranges_name_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError, match=f"'{key}'"):
        load_config(_write(tmp_path, text), environ={})


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"line 3 is not valid YAML"):
        load_config(_write(tmp_path, "retrieval:\n  threshold: 0.3\n  candidates: 5: 6\n"), environ={})


def test_config_that_is_not_a_mapping_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(_write(tmp_path, "- a\n- b\n"), environ={})


def test_missing_config_file_says_how_to_fix_it(tmp_path):
    with pytest.raises(ConfigError, match="does not exist.*--config"):
        load_config(tmp_path / "nope.yaml", environ={})


def test_empty_config_file_gives_defaults(tmp_path):
    config = load_config(_write(tmp_path, "# nothing here\n"), environ={})
    assert config.retrieval.threshold is None and config.retrieval.rerank
    assert config.knowledge == load_config(None, environ={}).knowledge  # the packaged knowledge
    assert Path(config.storage.database) == tmp_path / "data" / "bot.sqlite3"


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    config = load_config(_write(tmp_path, "knowledge: kb\nstorage:\n  database: logs/x.db\n"), environ={})
    assert config.knowledge == tmp_path / "kb"
    assert Path(config.storage.database) == tmp_path / "logs" / "x.db"
    assert config.path == tmp_path / "config.yaml"


def test_environment_overrides(tmp_path):
    path = _write(tmp_path, "retrieval:\n  threshold: 0.3\n")
    config = load_config(path, environ={
        "BOT_KNOWLEDGE": "/srv/kb", "BOT_THRESHOLD": "0.45", "TELEGRAM_ADMINS": "12, 34 56",
        "BOT_DATABASE": str(tmp_path / "env.db"), "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
    })
    assert config.knowledge == Path("/srv/kb")
    assert config.retrieval.threshold == 0.45
    assert config.telegram.admins == (12, 34, 56)
    assert config.storage.database == str(tmp_path / "env.db")
    assert config.telegram.base_url == "http://127.0.0.1:8081/bot"


@pytest.mark.parametrize("written, threshold", [("auto", None), ("AUTO", None), ("", None), ("0.31", 0.31), ("0.2", 0.2)])
def test_the_threshold_is_a_number_or_auto(tmp_path, written, threshold):
    """auto (or no value) leaves the threshold to the stage that decides: AnswerSettings picks it."""
    config = load_config(_write(tmp_path, f"retrieval:\n  threshold: {written}\n"), environ={})
    assert config.retrieval.threshold == threshold
    from_env = load_config(_write(tmp_path, "retrieval:\n  threshold: 0.3\n"), environ={"BOT_THRESHOLD": written})
    assert from_env.retrieval.threshold == (0.3 if written == "" else threshold)
    with pytest.raises(ConfigError, match="'retrieval.threshold' must be a number or auto, not 'high'"):
        load_config(_write(tmp_path, "retrieval:\n  threshold: high\n"), environ={})


def test_the_second_stage_is_on_by_default_and_bot_rerank_turns_it_off(tmp_path):
    assert load_config(None, environ={}).retrieval.rerank
    assert not load_config(None, environ={"BOT_RERANK": "false"}).retrieval.rerank
    assert not load_config(_write(tmp_path, "retrieval:\n  rerank: false\n"), environ={}).retrieval.rerank
    assert load_config(_write(tmp_path, "retrieval:\n  rerank: false\n"), environ={"BOT_RERANK": "yes"}).retrieval.rerank
    with pytest.raises(ConfigError, match="'retrieval.rerank' must be true or false"):
        load_config(None, environ={"BOT_RERANK": "sometimes"})


def test_empty_environment_values_do_not_override(tmp_path):
    config = load_config(_write(tmp_path, "retrieval:\n  threshold: 0.3\n"), environ={"BOT_THRESHOLD": ""})
    assert config.retrieval.threshold == 0.3


@pytest.mark.parametrize("variable, value, key", [
    ("BOT_THRESHOLD", "lots", "retrieval.threshold"),
    ("BOT_THRESHOLD", "2", "retrieval.threshold"),
    ("BOT_THRESHOLD", "automatic", "retrieval.threshold"),
    ("TELEGRAM_ADMINS", "12,alice", "telegram.admins"),
])
def test_bad_environment_values_name_the_key(tmp_path, variable, value, key):
    with pytest.raises(ConfigError, match=f"'{key}'"):
        load_config(None, environ={variable: value})


def test_config_is_frozen():
    config = load_config(None, environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.knowledge = Path("elsewhere")  # type: ignore[misc]


def test_with_knowledge_replaces_only_the_knowledge(tmp_path):
    config = load_config(None, environ={})
    other = config.with_knowledge(tmp_path)
    assert other.knowledge == tmp_path
    assert other.retrieval == config.retrieval


def test_memory_database_is_kept_as_is(tmp_path):
    # SECURITY.md offers ":memory:" as the way to keep no log on disk.
    config = load_config(_write(tmp_path, 'storage:\n  database: ":memory:"\n'), environ={})
    assert config.storage.database == ":memory:"
    assert load_config(None, environ={"BOT_DATABASE": ":memory:"}).storage.database == ":memory:"


def test_every_scoring_preset_can_be_named_in_the_config():
    from bot.config import SCORING_NAMES
    from bot.core.index_build import SCORING

    assert set(SCORING_NAMES) == {"auto", *SCORING}


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_config_that_is_not_a_regular_file_is_refused_unread(tmp_path, kind):
    path = tmp_path / "config.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # before: reading it blocked until someone wrote to the pipe
    else:
        path.symlink_to("/dev/zero")  # before: read without end
    with pytest.raises(ConfigError, match="cannot read config file .*not a regular file"):
        load_config(path, environ={})


def test_a_config_over_1_mb_is_refused(tmp_path):
    path = _write(tmp_path, "# padding\n" * 120_000)
    with pytest.raises(ConfigError, match=r"file is 1.1 MB, over the 1 MB limit"):
        load_config(path, environ={})


@pytest.mark.parametrize("text, message", [("retrieval:\n  candidates: " + "9" * 5000 + "\n", "too many digits"),
                                           ("a: " + "[" * 1000 + "]" * 1000 + "\n", "nested too deeply")])
def test_a_config_with_a_huge_number_or_deep_nesting_is_one_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, text), environ={})
