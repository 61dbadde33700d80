"""Damage each file of a knowledge base's saved index and snapshot in turn and record what the bot does.

Builds a copy of the bundled knowledge (and a second copy with one passage's year changed, whose saved files
stand in for "a file from another build"), saves its index, then for every saved file and every kind of damage
restores the good save, damages the file and runs `python -m bot ask --jsonl` over a few tuning questions, and
a long-running front end's path in a child process (a LiveAnswerer warmed as the console and Telegram bot warm
it, its questions and every passage, then a reload). Each run is classed: `rebuilt` (same answers, the file
written again), `same, kept` (same answers, the damage left in place), `refused` (a friendly error, no
traceback), `WRONG` (an answer differs) or `CRASH` (a traceback, an exception in a question, or a signal);
`(same bytes)` when the damage left the file as it was (another build's file that does not differ).

Usage:
    python devtools/damage_saves.py [--only NAME] [--markdown]    # ~6 min; prints one line per case
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = ["Since when have NATO and Mongolia been engaged in dialogue and cooperation?",
             "When was the Individual Partnership and Cooperation Programme most recently renewed?",
             "What NATO-led efforts in Afghanistan did Mongolia provide support for?",
             "Which emerging security challenges are named among the priority areas?",
             "What is the Interoperability Platform?", "afghnistan troops"]
DAMAGES = ("truncate", "flip", "swap", "empty", "other build")
LONG_RUNNING = """
import json, sys, dataclasses
from pathlib import Path
from bot.config import load_config
from bot.core.live import LiveAnswerer
config = load_config().with_knowledge(Path(sys.argv[1]))
questions = json.loads(sys.argv[2])
live = LiveAnswerer(config, warm=True)
live.warming.join()
first = [repr(live.answer(q)) for q in questions] + [repr(list(live.current.kb.passages))]
result = live.reload()
second = [repr(live.answer(q)) for q in questions]
print(json.dumps({"answers": first, "after_reload": second, "reload": result.message}))
"""


def copy_knowledge(target: Path, change: bool = False) -> Path:
    """The bundled knowledge without its saves, history or identity; `change` edits one passage's text."""
    shutil.copytree(REPO / "knowledge", target, ignore=shutil.ignore_patterns(".index", ".identity", ".history",
                                                                               ".lock", ".journal"))
    if change:
        first = sorted((target / "passages").rglob("*.yaml"))[0]
        first.write_text(first.read_text().replace("cooperation since 2005.", "cooperation since 2006.", 1))
    return target


def run_ask(kb: Path) -> dict:
    """`ask --jsonl` over the questions: return code, answers, whether stderr holds a traceback."""
    lines = "".join(json.dumps({"text": q}) + "\n" for q in QUESTIONS)
    done = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(kb), "ask", "--no-log", "--jsonl"],
                          input=lines, capture_output=True, text=True, cwd=REPO, env=_env(), timeout=300)
    answers = []
    for line in done.stdout.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        answers.append(row)
    return {"rc": done.returncode, "answers": answers, "stderr": done.stderr}


def run_live(kb: Path) -> dict:
    """The long-running path in a child: a warmed LiveAnswerer's answers, then a reload's and its answers."""
    done = subprocess.run([sys.executable, "-c", LONG_RUNNING, str(kb), json.dumps(QUESTIONS)], capture_output=True,
                          text=True, cwd=REPO, env=_env(), timeout=300)
    try:
        out = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        out = {}
    return {"rc": done.returncode, "answers": out.get("answers", []) + out.get("after_reload", []),
            "stderr": done.stderr, "reload": out.get("reload", "")}


def _env() -> dict:
    """The environment with this tree first on the path."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def verdict(run: dict, expected: list[str], damaged: Path, before: bytes) -> str:
    """One run classed, worst first."""
    if run["rc"] < 0 or "Traceback" in run["stderr"]:
        return "CRASH"
    if run["rc"] != 0:
        return "refused"
    if run["answers"] != expected:
        return "WRONG"
    try:
        now = damaged.read_bytes()
    except OSError:
        return "rebuilt"  # the folder it was in was replaced
    return "same, kept" if now == before else "rebuilt"


def damage(path: Path, how: str, other: Path | None) -> None:
    """Damage one saved file in place (a copy over it keeps its name)."""
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[:max(1, len(data) * 2 // 3)])
    elif how == "flip":
        middle = bytearray(data)
        for at in range(len(data) // 2, min(len(data), len(data) // 2 + 8)):
            middle[at] ^= 0x5A
        path.write_bytes(bytes(middle))
    elif how == "swap":
        neighbours = sorted(p for p in path.parent.iterdir() if p.suffix == path.suffix and p != path)
        path.write_bytes(neighbours[0].read_bytes() if neighbours else b"")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "other build" and other is not None:
        path.write_bytes(other.read_bytes())


def counterpart(saved: Path, save: Path, other_save: Path) -> Path | None:
    """The file of the other build's save that stands where `saved` stands (its index folder has another name)."""
    relative = saved.relative_to(save)
    if relative.parts[0] != "knowledge":
        folders = [p for p in other_save.iterdir() if p.name.startswith("v")]
        relative = Path(folders[0].name, *relative.parts[1:]) if folders else relative
    found = other_save / relative
    return found if found.exists() else None


def main() -> None:
    """Print one line per saved file and damage: the `ask` verdict and the long-running verdict."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="only saved files whose name contains this")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="damage-") as tmp:
        kb, other = copy_knowledge(Path(tmp, "kb")), copy_knowledge(Path(tmp, "other"), change=True)
        run_ask(other)
        expected = run_ask(kb)["answers"]
        expected_live = run_live(kb)["answers"]
        save, other_save, good = kb / ".index", other / ".index", Path(tmp, "good")
        shutil.copytree(save, good)
        files = sorted(p for p in good.rglob("*") if p.is_file() and (not args.only or args.only in p.name))
        print("| file | damage | ask | long-running (start, questions, reload) |" if args.markdown else "")
        print("| --- | --- | --- | --- |" if args.markdown else "", flush=True)
        for pristine in files:
            relative = pristine.relative_to(good)
            for how in DAMAGES:
                results = []
                for runner, wanted in ((run_ask, expected), (run_live, expected_live)):
                    shutil.rmtree(save)
                    shutil.copytree(good, save)
                    target = save / relative
                    damage(target, how, counterpart(target, save, other_save))
                    before = target.read_bytes()
                    if before == pristine.read_bytes():
                        results.append("(same bytes)")
                        continue
                    results.append(verdict(runner(kb), wanted, target, before))
                top = relative.parts[0]
                name = str(relative) if top == "knowledge" else f"{top[:2]}../{relative.name}"
                print(f"| {name} | {how} | {results[0]} | {results[1]} |" if args.markdown
                      else f"{name:40} {how:12} ask={results[0]:12} live={results[1]}", flush=True)


if __name__ == "__main__":
    main()
