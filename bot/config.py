"""Load and validate config.yaml (plus environment overrides) into frozen dataclasses.

The dataclass defaults below are the packaged default configuration; `config.yaml` at the
top of the repository repeats every key with a comment. Unknown keys and values of the
wrong type are errors that name the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import math
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RetrievalConfig:
    """How passages are found and when an answer is trusted."""

    threshold: float | None = None  # None ("auto"): the deciding stage's own (AnswerSettings: 0.31 or 0.2)
    rerank: bool = True
    candidates: int = 5
    max_answer_chars: int = 400
    max_question_chars: int = 2000
    typo_correction: bool = True
    typo_min_similarity: float = 80.0
    scoring: str = "auto"


@dataclass(frozen=True)
class SessionConfig:
    """Bounds on the conversation memory used for follow-up questions."""

    max_turns: int = 4
    max_age_seconds: float = 600.0
    max_sessions: int = 10000


@dataclass(frozen=True)
class Replies:
    """Texts the bot says in its own words (everything else comes from the knowledge)."""

    greeting: str = "Hello! I answer questions about the documents in my knowledge base."
    not_found: str = "Sorry, I don't know that: my documents don't say."
    suggest: str = "You could ask, for example:"
    not_english: str = "I answer in English, about my documents: please ask your question in English."
    empty: str = "Please type a question, for example:"
    too_long: str = "That message is too long for me. Please ask one question in fewer than {limit} characters."
    smalltalk_hello: str = "Hello! Ask me a question about my documents."
    smalltalk_thanks: str = "You're welcome! Anything else?"
    smalltalk_bye: str = "Goodbye! Come back any time."
    smalltalk_who: str = "I'm a question-answering bot: I answer from a small set of documents and cite my source."
    smalltalk_ok: str = "Glad to help. Ask me anything else about my documents."
    failed: str = "Sorry, an internal error stopped me answering that (the details are in the log). Please ask again."


@dataclass(frozen=True)
class StorageConfig:
    """Where the bot keeps its log of unanswered questions and feedback."""

    database: str = "data/bot.sqlite3"


@dataclass(frozen=True)
class TelegramConfig:
    """Telegram front end settings; the token itself only ever comes from the environment."""

    base_url: str = "https://api.telegram.org/bot"
    admins: tuple[int, ...] = ()
    poll_timeout: float = 30.0
    request_timeout: float = 10.0
    send_retries: int = 4
    retry_base_seconds: float = 0.5
    flood_burst: int = 5
    flood_per_second: float = 1.0
    overall_max_rate: float = 30.0
    group_max_rate: float = 20.0
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    notify_askers: bool = True


@dataclass(frozen=True)
class Config:
    """The whole configuration, passed explicitly from the entry point to every part."""

    knowledge: Path = PACKAGE_ROOT / "knowledge"
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    replies: Replies = field(default_factory=Replies)
    storage: StorageConfig = field(default_factory=StorageConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    path: Path | None = None

    @property
    def bundled_knowledge(self) -> bool:
        """Whether the knowledge is the package's own (the NATO page): its evaluation sets are about it alone."""
        return Path(self.knowledge).resolve() == (PACKAGE_ROOT / "knowledge").resolve()

    def with_knowledge(self, knowledge: Path) -> "Config":
        """Return a copy that loads another knowledge base (the --knowledge option)."""
        return dataclasses.replace(self, knowledge=Path(knowledge))


SCORING_NAMES = ("auto", "tfidf", "bm25")

# Environment variables that override a key: deployments change these without editing files.
ENV_OVERRIDES = {
    "BOT_KNOWLEDGE": "knowledge",
    "BOT_THRESHOLD": "retrieval.threshold",
    "BOT_RERANK": "retrieval.rerank",
    "BOT_DATABASE": "storage.database",
    "TELEGRAM_BASE_URL": "telegram.base_url",
    "TELEGRAM_ADMINS": "telegram.admins",
}


def _convert(value: Any, annotation: Any, key: str) -> Any:
    """Check one value against its field type, converting where YAML or the environment differ."""
    origin = typing.get_origin(annotation)
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, Mapping):
            raise ConfigError(f"config key '{key}' must be a mapping of settings, not {type(value).__name__}")
        return _build(annotation, value, key + ".")
    if annotation is Path or annotation == (Path | None):
        if not isinstance(value, (str, Path)) or not str(value).strip():
            raise ConfigError(f"config key '{key}' must be a path")
        return Path(value)
    if annotation is bool:
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.lower() in ("true", "yes", "1")
        if not isinstance(value, bool):
            raise ConfigError(f"config key '{key}' must be true or false, not {value!r}")
        return value
    if annotation in (int, float):
        return _number(value, annotation, key)
    if annotation == (float | None):  # a number, or auto (the default: decided elsewhere)
        if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
            return None
        try:
            return _number(value, float, key)
        except ConfigError:
            raise ConfigError(f"config key '{key}' must be a number or auto, not {value!r}") from None
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"config key '{key}' must be text, not {value!r}")
        return value
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(annotation)
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if value is None:
            value = []
        if not isinstance(value, list):
            raise ConfigError(f"config key '{key}' must be a list, not {value!r}")
        return tuple(_convert(item, item_type, key) for item in value)
    raise ConfigError(f"config key '{key}' has an unsupported type")  # pragma: no cover - programming error


def _number(value: Any, annotation: type, key: str) -> int | float:
    """A finite, non-negative number (a whole one for int), from YAML or from an environment string."""
    if isinstance(value, str):
        try:
            value = annotation(value)
        except ValueError:
            raise ConfigError(f"config key '{key}' must be a number, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"config key '{key}' must be a number, not {value!r}")
    if not math.isfinite(value):  # YAML's .inf and .nan: int() of them raises, and nan passes every bound
        raise ConfigError(f"config key '{key}' must be a finite number, not {value!r}")
    if annotation is int and value != int(value):
        raise ConfigError(f"config key '{key}' must be a whole number, not {value!r}")
    if value < 0:
        raise ConfigError(f"config key '{key}' must not be negative, got {value!r}")
    return annotation(value)


def _build(cls: type, data: Mapping[str, Any], prefix: str = "") -> Any:
    """Build a config dataclass from a mapping, refusing unknown keys by name."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.name != "path"}
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            known = ", ".join(sorted(names))
            raise ConfigError(f"unknown config key '{prefix}{key}' (known keys here: {known})")
        kwargs[key] = _convert(value, hints[key], prefix + key)
    return cls(**kwargs)


def _set_dotted(data: dict, dotted: str, value: str) -> None:
    """Place an environment value at its dotted key in the raw config mapping."""
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"config key '{part}' must be a mapping of settings")
    node[parts[-1]] = value


def default_config_path(cwd: Path | None = None) -> Path | None:
    """The configuration used without --config: ./config.yaml, else the packaged one, else none."""
    for candidate in ((cwd or Path.cwd()) / "config.yaml", PACKAGE_ROOT / "config.yaml"):
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read a config file (or the defaults), apply environment overrides and validate it all."""
    environ = os.environ if environ is None else environ
    raw: dict = {}
    base = PACKAGE_ROOT
    if path is not None:
        path = Path(path)
        raw, base = _read_config_file(path), path.resolve().parent
    for variable, dotted in ENV_OVERRIDES.items():
        if environ.get(variable):
            _set_dotted(raw, dotted, environ[variable])
    config = _build(Config, raw)
    knowledge = config.knowledge if config.knowledge.is_absolute() else base / config.knowledge
    database = Path(config.storage.database).expanduser()
    if not database.is_absolute() and config.storage.database != ":memory:":
        database = base / database
        config = dataclasses.replace(config, storage=StorageConfig(database=str(database)))
    _check_values(config)
    return dataclasses.replace(config, knowledge=knowledge, path=path)


def _read_config_file(path: Path) -> dict:
    """A config file's mapping: a regular UTF-8 file of at most 1 MB holding valid YAML (empty: no keys)."""
    import yaml

    from .errors import KnowledgeError
    from .files import read_text, yaml_safe_loader, yaml_too_deep

    if not path.exists() and not path.is_symlink():
        raise ConfigError(f"config file {path} does not exist (pass --config PATH to another file)")
    try:  # a regular file of at most 1 MB: a FIFO or device given as --config is refused, not read
        text = read_text(path, MAX_CONFIG_BYTES)
    except KnowledgeError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.reason}"
                          + (f" (line {exc.line})" if exc.line else "")) from None
    try:
        loaded = yaml.load(text, Loader=yaml_safe_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = str(getattr(exc, "problem", None) or exc)
        if yaml_too_deep(problem):
            problem = "lists or mappings nested too deeply"
        raise ConfigError(f"config file {path}{line} is not valid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"config file {path} is not valid YAML: lists or mappings nested too deeply") from None
    except ValueError:  # Python refuses integers of over 4,300 digits
        raise ConfigError(f"config file {path} is not valid YAML: a number has too many digits") from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"config file {path} must be a mapping of keys, not {type(loaded).__name__}")
    return loaded


def _check_values(config: Config) -> None:
    """Bounds that depend on more than a field's type."""
    if config.retrieval.threshold is not None and not 0 < config.retrieval.threshold < 1:
        raise ConfigError(f"config key 'retrieval.threshold' must be between 0 and 1, got {config.retrieval.threshold}")
    if config.retrieval.scoring not in SCORING_NAMES:
        raise ConfigError(f"config key 'retrieval.scoring' must be one of {', '.join(SCORING_NAMES)}, "
                          f"not {config.retrieval.scoring!r}")
    if config.retrieval.candidates < 1:
        raise ConfigError("config key 'retrieval.candidates' must be at least 1")
    if not 0 < config.retrieval.typo_min_similarity <= 100:
        raise ConfigError("config key 'retrieval.typo_min_similarity' must be between 1 and 100")
