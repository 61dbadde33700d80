"""The layout's rules, read from the source with ast: module and function sizes, and imports flowing one way."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bot"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40

# What the core may read of the knowledge: its values and how it is loaded, never the kb operations (which
# use the core to ask questions, so an import the other way would be a cycle).
KB_READING = {"bot.kb", "bot.kb.model", "bot.kb.folder", "bot.kb.yamlio", "bot.kb.entries", "bot.kb.load",
              "bot.kb.questions", "bot.kb.snapshot", "bot.kb.snapshot_key"}

# Lower ranks never import higher ones: cli -> frontends -> core and kb -> config, text, errors (and the
# other small base modules). kb's operations sit above the core because they ask it questions.
RANKS = (("bot.cli", "bot.__main__"), ("bot.frontends",), ("bot.kb",), ("bot.core",), ("kb-reading",), ("bot",))


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _rank(module: str) -> int:
    """Higher is further out; a module's rank is its most specific group's."""
    if module in KB_READING:
        module = "kb-reading"
    for rank, prefixes in enumerate(RANKS):
        if any(module == p or module.startswith(p + ".") for p in prefixes if p != "bot"):
            return len(RANKS) - rank
    return 0


def _imports(name: str, path: Path) -> set[str]:
    """The package modules a module imports, at the top or inside a function (relative ones resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t == "bot" or t.startswith("bot."))
    return found


def test_the_package_is_found():
    assert {"bot.cli.main", "bot.core.pipeline", "bot.kb.store", "bot.frontends.console", "bot.querylog"} <= set(MODULES)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_300_lines(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines: split it by role"


def test_no_function_is_over_40_lines():
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name} ({length} lines)")
    assert long == []


def test_imports_flow_one_way():
    upward = [f"{name} imports {target}" for name, path in MODULES.items() for target in _imports(name, path)
              if target in MODULES and _rank(target) > _rank(name)]
    assert upward == []


def test_the_rule_catches_an_upward_import():
    assert _rank("bot.core.pipeline") > _rank("bot.kb.load") > _rank("bot.config")
    assert _rank("bot.kb.evaluate") > _rank("bot.core.pipeline")
    assert _rank("bot.cli.main") > _rank("bot.frontends.console") > _rank("bot.kb.store")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    importlib.import_module(name)
