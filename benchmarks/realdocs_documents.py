"""The real documents benchmarks/realdocs.py runs: the held-out ones and the tuning ones, each with its question set.

Held out (tests/fixtures/realdocs/, eval/realdocs-*.yaml): never read their questions, never tune on them.
Tuning (tests/fixtures/docs/, eval/tuning-*.yaml): written the same way, to tune the method on (docs/realdocs.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import REPO

FIXTURES = REPO / "tests" / "fixtures" / "realdocs"
TUNING_FIXTURES = REPO / "tests" / "fixtures" / "docs"


@dataclass(frozen=True)
class Document:
    """One real document: a short name, its format, the file in the fixtures and its question set."""

    name: str
    format: str
    file: str
    questions: str

    @property
    def path(self) -> Path:
        return FIXTURES / self.file  # an absolute `file` stays itself: a test's own document


DOCUMENTS = (
    Document("postgresql-common", "Markdown", "postgresql-common-README.md", "eval/realdocs-postgresql-common.yaml"),
    Document("valgrind", "HTML", "valgrind-quick-start.html", "eval/realdocs-valgrind.yaml"),
    Document("bzip2", "man page (roff)", "bzip2.1", "eval/realdocs-bzip2.yaml"),
    Document("bzip2-rendered", "man page (rendered text)", "bzip2.1.txt", "eval/realdocs-bzip2.yaml"),
)

TUNING = (  # to tune the method on: other real documents, in the same formats, with sets of the same shape
    Document("libxml2", "Markdown", str(TUNING_FIXTURES / "libxml2-README.md"), "eval/tuning-libxml2.yaml"),
    Document("users-and-groups", "HTML", str(TUNING_FIXTURES / "users-and-groups.html"),
             "eval/tuning-users-and-groups.yaml"),
    Document("gzip", "man page (roff)", str(TUNING_FIXTURES / "gzip.1.gz"), "eval/tuning-gzip.yaml"),
    Document("gzip-rendered", "man page (rendered text)", str(TUNING_FIXTURES / "gzip-rendered.txt"),
             "eval/tuning-gzip.yaml"),
    Document("gcc-bugs", "plain text", str(TUNING_FIXTURES / "gcc-README.Bugs.txt"), "eval/tuning-gcc-bugs.yaml"),
    Document("find", "man page (roff)", str(TUNING_FIXTURES / "find.1.gz"), "eval/tuning-find.yaml"),
    Document("mime-spec", "PDF", str(TUNING_FIXTURES / "shared-mime-info-spec.pdf"), "eval/tuning-mime-spec.yaml"),
    Document("zstd", "Markdown", str(TUNING_FIXTURES / "zstd-README.md"), "eval/tuning-zstd.yaml"),
    Document("rootless-builds", "plain text", str(TUNING_FIXTURES / "dpkg-rootless-builds.txt"),
             "eval/tuning-rootless-builds.yaml"),
    Document("file", "man page (roff, mdoc)", str(TUNING_FIXTURES / "file.1.gz"), "eval/tuning-file.yaml"),
    Document("zlib-how", "HTML", str(TUNING_FIXTURES / "zlib-how.html"), "eval/tuning-zlib-how.yaml"),
)
