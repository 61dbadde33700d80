"""Scale benchmark for maintainers' commands: `kb check --quick`, loading a big knowledge, `kb import`, `kb add`.

It writes synthetic but varied knowledge into a temporary folder (fixed seed, so the figures can be
regenerated), runs each command as `python -m bot ...` in a fresh process and prints its wall time,
CPU time and peak resident memory (that child's own rusage, from os.wait4). On a busy machine the CPU
time is the steadier figure: the commands run on one core.

Usage:
    python benchmarks/kb_scale.py                                 # the sizes of issue 11: 10k, 50 MB, 50 MB
    python benchmarks/kb_scale.py --check-passages 2000 --load-mb 5 --import-mb 5
    python benchmarks/kb_scale.py --only load --keep /tmp/kb      # keep the generated files to profile them
    python benchmarks/kb_scale.py --only add                      # add, edit, remove in a 10k-passage file
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, SEED, markdown_table

SCENARIOS = ("check", "load", "import", "add")
QUESTION = "How many people live in the river valley?"
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "an", "or", "el", "um", "ber", "dor", "gan", "lis",
              "mon", "par", "sen", "tar", "zu", "qui", "fe", "ho")
_COMMON = ("river", "valley", "people", "council", "bridge", "harbour", "festival", "school", "railway", "museum",
           "market", "forest", "mountain", "village", "treaty", "station", "library", "province", "island", "road")


class Text:
    """Deterministic sentences over a large made-up vocabulary, so passages are as varied as real ones."""

    def __init__(self, seed: int = SEED, words: int = 20000) -> None:
        self.random = random.Random(seed)
        made = {"".join(self.random.choices(_SYLLABLES, k=self.random.randint(2, 4))) for _ in range(words)}
        self.words = sorted(made) + list(_COMMON) * 50  # common words recur, as in real documents

    def sentence(self, low: int = 7, high: int = 14) -> str:
        """One sentence with a capital, a number and a full stop."""
        words = self.random.choices(self.words, k=self.random.randint(low, high))
        words.insert(self.random.randint(1, len(words)), str(self.random.randint(2, 99999)))
        return " ".join(words).capitalize() + "."


def write_folder(root: Path, passages: int, files: int, text: Text, low: int, high: int) -> Path:
    """A knowledge folder of `passages` passages spread over `files` passages files (YAML, as `kb` writes)."""
    (root / "passages").mkdir(parents=True)
    per_file = -(-passages // files)
    number = 0
    for f in range(files):
        lines = [f"source:\n  id: doc-{f:03d}\n  title: Document {f}\npassages:\n"]
        for _ in range(min(per_file, passages - number)):
            number += 1
            lines.append(f"- id: doc-{f:03d}-{number:06d}\n  section: Section {number // 40}\n"
                         f"  text: {text.sentence(low, high)}\n")
        (root / "passages" / f"doc-{f:03d}.yaml").write_text("".join(lines), encoding="utf-8")
    return root


def write_big(root: Path, megabytes: float, text: Text) -> tuple[Path, Path, int]:
    """The same short passages as one passages/*.yaml file and as one JSON-lines file of about `megabytes` MB."""
    (root / "passages").mkdir(parents=True)
    yaml_lines, json_lines, size, number = ["source:\n  id: big\n  title: Big\npassages:\n"], [], 0, 0
    while size < megabytes * 1_000_000:
        number += 1
        sentence = text.sentence(6, 9)
        entry = f"- id: big-{number:06d}\n  section: Section {number // 40}\n  text: {sentence}\n"
        yaml_lines.append(entry)
        json_lines.append(json.dumps({"id": f"big-{number:06d}", "section": f"Section {number // 40}",
                                      "text": sentence}) + "\n")
        size += len(entry)
    (root / "passages" / "big.yaml").write_text("".join(yaml_lines), encoding="utf-8")
    jsonl = root.parent / f"{root.name}.jsonl"
    jsonl.write_text("".join(json_lines), encoding="utf-8")
    return root, jsonl, number


def write_document(path: Path, megabytes: float, text: Text) -> Path:
    """A plain-text document of about `megabytes` MB: a title, headed sections, paragraphs of a few sentences."""
    parts, size, section = ["Imported Handbook\n\nLast updated: 1 May 2024\n\n"], 0, 0
    while size < megabytes * 1_000_000:
        if section == 0 or text.random.random() < 0.05:
            section += 1
            parts.append(f"Chapter {section}\n\n")
        paragraph = " ".join(text.sentence() for _ in range(text.random.randint(2, 5))) + "\n\n"
        parts.append(paragraph)
        size += len(paragraph)
    path.write_text("".join(parts), encoding="utf-8")
    return path


def run(command: list[str], timeout: float) -> dict:
    """Run `python -m bot COMMAND` in a fresh process: wall seconds, that process's peak RSS, exit code."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-m", "bot", *command], cwd=REPO, stdout=subprocess.DEVNULL,
                                 stderr=err, stdin=subprocess.DEVNULL)
        deadline, status, usage = start + timeout, None, None
        while status is None:
            pid, code, rusage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                status, usage = os.waitstatus_to_exitcode(code), rusage
            elif time.perf_counter() > deadline:
                child.kill()
                _, code, usage = os.wait4(child.pid, 0)
                status = "timed out"
            else:
                time.sleep(0.05)
        child.returncode = -1  # reaped above; keep Popen from waiting again
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-1:]
    return {"wall_s": time.perf_counter() - start, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024, "exit": status,
            "stderr": tail[0][:120] if tail else ""}


def _edits(folder: Path, passages: int, text: Text, timeout: float, row) -> None:
    """`kb add`, `kb edit` and `kb remove` of one passage in a knowledge of one big passages file (the worst case:
    the whole file is read, changed and checked), each a fresh process."""
    write_folder(folder, passages, 1, text, 10, 22)
    size = f"{passages:,} passages in 1 file"
    base = ["--knowledge", str(folder), "kb"]
    steps = (("kb add --force", ["add", "--force", "--text", text.sentence(10, 22), "--section", "Added"]),
             ("kb edit", ["edit", f"doc-000-{passages // 2:06d}", "--text", text.sentence(10, 22)]),
             ("kb remove", ["remove", f"doc-000-{passages // 3:06d}"]))
    for label, command in steps:
        row(label, size, run(base + command, timeout))


def main() -> None:
    """Generate the inputs, run each command once and print a Markdown table of the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check-passages", type=int, default=10000,
                        help="passages for `kb check --quick`, and in the one file `kb add`, `edit`, `remove` change")
    parser.add_argument("--load-mb", type=float, default=50, help="size of the big passages file")
    parser.add_argument("--import-mb", default="50,35",
                        help="sizes of the text documents `kb import` reads (comma-separated MB; 50 MB of short "
                             "sentences makes a passages file over the 64 MB limit, 35 MB one under it)")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="which of check,load,import,add to run")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a command is stopped")
    parser.add_argument("--keep", type=Path, help="write the inputs here and keep them (default: a temp dir)")
    args = parser.parse_args()
    only = [s for s in args.only.split(",") if s]
    unknown = sorted(set(only) - set(SCENARIOS))
    if unknown:
        sys.exit(f"Error: unknown scenario {unknown[0]!r} (choose from {', '.join(SCENARIOS)})")
    base = args.keep or Path(tempfile.mkdtemp(prefix="factbot-kbscale-"))
    base.mkdir(parents=True, exist_ok=True)
    rows = []

    def row(what: str, size: str, figures: dict) -> None:
        rows.append([what, size, f"{figures['wall_s']:.1f}", f"{figures['cpu_s']:.1f}", f"{figures['peak_mb']:.0f}",
                     figures["exit"]])
        print(f"{what} ({size}): {figures['wall_s']:.1f} s ({figures['cpu_s']:.1f} s CPU), {figures['peak_mb']:.0f} MB, "
              f"exit {figures['exit']}"
              + (f" - {figures['stderr']}" if figures["exit"] not in (0, 1) else ""), file=sys.stderr, flush=True)

    try:
        text = Text()
        if "check" in only:
            folder = write_folder(base / "check", args.check_passages, 10, text, 10, 22)
            row("kb check --quick", f"{args.check_passages:,} passages in 10 files",
                run(["--knowledge", str(folder), "kb", "check", "--quick"], args.timeout))
        if "load" in only:
            folder, jsonl, count = write_big(base / "big", args.load_mb, text)
            size = f"{count:,} passages, {(folder / 'passages' / 'big.yaml').stat().st_size / 1e6:.0f} MB"
            for label, path in (("YAML", folder), ("JSON lines", jsonl)):
                for start in ("first answer, no saved index", "next answer, saved index"):
                    row(f"ask ({label}): {start}", size,
                        run(["--knowledge", str(path), "ask", "--no-log", QUESTION], args.timeout))
        if "import" in only:
            for megabytes in (float(mb) for mb in args.import_mb.split(",") if mb):
                folder = base / f"import-kb-{megabytes:g}"
                shutil.copytree(REPO / "knowledge", folder, ignore=shutil.ignore_patterns(".index", ".history", ".lock"))
                document = write_document(base / f"handbook-{megabytes:g}.txt", megabytes, text)
                row("kb import --yes", f"{document.stat().st_size / 1e6:.1f} MB text",
                    run(["--knowledge", str(folder), "kb", "import", str(document), "--yes"], args.timeout))
        if "add" in only:
            _edits(base / "add", args.check_passages, text, args.timeout, row)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(markdown_table(["command", "input", "wall s", "CPU s", "peak RSS MB", "exit"], rows))


if __name__ == "__main__":
    main()
