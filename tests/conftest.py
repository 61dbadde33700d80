"""Shared fixtures: tiny hand-made knowledge folders, a config pointing into tmp_path, one seed answerer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

from bot.core.context import new_sessions
from bot.core.pipeline import Answerer, build_answerer
from bot.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
SEED_KNOWLEDGE = REPO / "knowledge"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """The user's cache folder (a read-only knowledge's index goes there) is a temporary one: tests never write
    into the real ~/.cache, and subprocesses inherit it."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))

# A tiny knowledge base whose answers are checked by hand in the tests.
TINY_PASSAGES = """\
source:
  id: tiny
  title: Tiny Facts
  publisher: Test Office
  date: '2024-01-02'
  url: https://example.org/tiny
passages:
- id: tiny-001
  section: Rivers
  text: The Selenge River flows north from Mongolia into Lake Baikal.
- id: tiny-002
  section: Rivers
  text: The Orkhon River is the longest river entirely inside Mongolia.
- id: tiny-003
  section: Animals
  text: Takhi horses were reintroduced to the Hustai National Park in 1992.
- id: tiny-004
  section: Animals
  text: The snow leopard lives in the Altai mountains.
"""

# An imported document's headings: a manual's part name, a table row, a FAQ's question, a numbered heading
# (the suggestions made from them are checked in the front ends' tests).
IMPORTED_PASSAGES = """\
source:
  id: faq
  title: Library FAQ
passages:
- id: faq-001
  section: NAME
  text: xmllint - command line XML tool
- id: faq-002
  section: MATCH2 4096 0x1000
  text: MATCH2 4096 0x1000 weak binding
- id: faq-003
  section: Is there C++ bindings ?
  text: Yes, C++ bindings come from the libxml++ project.
- id: faq-004
  section: 2.3. The MEDIA/SUBTYPE.xml files
  text: Each MEDIA/SUBTYPE.xml file describes one media type.
- id: faq-005
  section: EXIT STATUS
  text: The exit status is 0 when the document is well formed.
"""


def write_knowledge(folder: Path, passages_yaml: str = TINY_PASSAGES, name: str = "tiny.yaml") -> Path:
    """Make a knowledge folder holding one passages file; returns the folder."""
    (folder / "passages").mkdir(parents=True, exist_ok=True)
    (folder / "passages" / name).write_text(textwrap.dedent(passages_yaml), encoding="utf-8")
    return folder


def write_config(folder: Path, knowledge: Path, extra: str = "") -> Path:
    """A config file whose knowledge and database live under `folder` (never the repository's data/)."""
    path = folder / "config.yaml"
    path.write_text(f"knowledge: {knowledge}\nstorage:\n  database: {folder / 'log.sqlite3'}\n{extra}", encoding="utf-8")
    return path


@pytest.fixture
def tiny_kb(tmp_path: Path) -> Path:
    """A hand-made knowledge folder of four passages in two sections."""
    return write_knowledge(tmp_path / "kb")


@pytest.fixture
def tiny_config(tmp_path: Path, tiny_kb: Path) -> Config:
    """A config over the tiny knowledge with its database in tmp_path."""
    return load_config(write_config(tmp_path, tiny_kb), environ={})


@pytest.fixture(scope="session")
def seed_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The repository's config.yaml over the seed knowledge, with the database moved into a temp folder."""
    db = tmp_path_factory.mktemp("seeddb") / "log.sqlite3"
    return load_config(REPO / "config.yaml", environ={"BOT_DATABASE": str(db)})


@pytest.fixture(scope="session")
def seed_answerer(seed_config: Config) -> Answerer:
    """One answerer over the seed knowledge for the whole test session (building it costs time)."""
    return build_answerer(seed_config, cache=False)


@pytest.fixture(scope="session")
def seed_first_stage(seed_config: Config) -> Answerer:
    """The seed answerer as a user who sets `retrieval.rerank: false` gets it (threshold auto: the cosine 0.2)."""
    import dataclasses
    config = dataclasses.replace(seed_config, retrieval=dataclasses.replace(seed_config.retrieval, rerank=False))
    return build_answerer(config, cache=False)


@pytest.fixture
def sessions(seed_config: Config):
    """A fresh session store for conversation-aware front ends."""
    return new_sessions(seed_config)


def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a subprocess: no BOT_/TELEGRAM_ overrides, database and history in tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env["BOT_DATABASE"] = str(tmp_path / "cli.sqlite3")
    env["BOT_HISTORY"] = str(tmp_path / "history")
    env["PYTHONPATH"] = str(REPO)
    return env


def run_bot(args: list[str], tmp_path: Path, stdin: bytes | None = None, timeout: float = 60,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m bot ARGS` in the repository as a user would, capturing bytes."""
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, env=env or clean_env(tmp_path), input=stdin,
                          capture_output=True, timeout=timeout)


def dying_writes(hit: str, before: bool = False) -> str:
    """Python source that makes every atomic write kill the process (no cleanup at all) right after, or
    right before, writing a file for which the expression `hit` (over `path`) is true: a crash between
    the files of one change, for the tests of the journal."""
    return ("import os, sys\n"
            "from pathlib import Path\n"
            "import bot.files as disk\n"
            "real = disk.atomic_write\n"
            "def dying(path, content):\n"
            f"    hit = {hit}\n"
            f"    if hit and {before!r}:\n"
            "        os._exit(9)\n"
            "    real(path, content)\n"
            "    if hit:\n"
            "        os._exit(9)\n"
            "disk.atomic_write = dying\n")


def reseal(saved: Path) -> None:
    """Record a rewritten saved array's size and CRC-32 in its folder's metadata, as a save would have, so a test
    reaches the checks behind them (how the arrays fit together)."""
    from bot.npyfile import json_checked, json_with_crc

    meta = json_checked((saved.parent / "meta.json").read_bytes())
    data = saved.read_bytes()
    meta["checks"][saved.name] = [len(data), zlib.crc32(data)]
    (saved.parent / "meta.json").write_bytes(json_with_crc(meta))


def as_a_user_who_cannot_write(command: list[str], env: dict[str, str] | None = None,
                               timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a command as a user without write access: root writes anywhere, so it runs as `nobody` then (a process
    cannot fake the kernel's permission check)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: no way to be a user who cannot write")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = env if env is not None else {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([*prefix, *command], cwd=REPO, env=env, capture_output=True, timeout=timeout)
