"""Smoke test: the benchmark scripts run end to end on a tiny corpus and print their tables."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TOPICS = ["terminal emulator", "image viewer", "music player", "text editor", "web browser", "mail client",
          "spell checker", "font renderer", "disk partitioner", "backup tool", "chess engine", "pdf reader"]


def tiny_corpus(path: Path) -> Path:
    """Twelve package-like records: synopsis, and a text that describes the same thing in more words."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i, topic in enumerate(TOPICS):
            record = {"id": f"pkg{i}", "synopsis": f"{topic} for the desktop",
                      "text": f"This package provides a {topic} for the desktop. The {topic} is small and fast."}
            handle.write(json.dumps(record) + "\n")
    return path


def test_the_scale_benchmark_prints_a_row_per_method_and_the_cold_start(tmp_path):
    corpus = tiny_corpus(tmp_path / "tiny.jsonl.gz")
    result = subprocess.run([sys.executable, "benchmarks/scale.py", "--corpus", str(corpus), "--sizes", "all",
                             "--queries", "8"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("| 12 | factbot (full answer path) |") == 2  # per-size table and the summary
    assert "bm25s + English stemmer" in out and "TfidfVectorizer" in out
    assert "saved index (loads)" in out
    bot_row = next(line for line in out.splitlines() if "factbot" in line)
    assert bot_row.split("|")[7].strip() == "100.0%"  # each synopsis names its own package's topic


def test_the_scale_benchmark_names_a_missing_corpus(tmp_path):
    result = subprocess.run([sys.executable, "benchmarks/scale.py", "--corpus", str(tmp_path / "none.gz"),
                             "--sizes", "10", "--no-cold"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "corpus not found" in result.stderr


def test_the_seed_benchmark_prints_latency_build_and_cold_start():
    result = subprocess.run([sys.executable, "benchmarks/seed.py", "--repeat", "1", "--cold-runs", "1"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "answer one question (in process, full path)" in result.stdout
    assert "saved index" in result.stdout and "Memory of this running bot" in result.stdout
