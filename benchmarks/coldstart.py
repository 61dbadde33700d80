"""Time one `python -m bot ... ask --no-log QUESTION` in a child process: wall seconds and peak memory.

Usage:
    python benchmarks/coldstart.py [--knowledge FILE] "QUESTION"    # prints one JSON line
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(question: str, knowledge: Path | None = None) -> dict:
    """Run the bot once in a fresh interpreter; its wall time, peak RSS and answer line."""
    command = [sys.executable, "-m", "bot"]
    if knowledge is not None:
        command += ["--knowledge", str(knowledge)]
    command += ["ask", "--no-log", question]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"bot failed ({result.returncode}): {result.stderr.strip()}")
    # RUSAGE_CHILDREN holds the largest peak of any waited-for child; this script waits for one only.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall_s": wall, "peak_mb": peak, "answer": result.stdout.strip().splitlines()[0] if result.stdout else ""}


def main() -> None:
    """Print the figures of one cold start as a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path)
    parser.add_argument("question")
    args = parser.parse_args()
    print(json.dumps(run(args.question, args.knowledge)))


if __name__ == "__main__":
    main()
