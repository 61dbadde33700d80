"""Manual pages as `man` renders them: a tbl table's aligned columns are rows under its header's labels, a blank
row inside it does not cut it in two, and lines that are not clearly a table are read as before."""

from __future__ import annotations

from pathlib import Path

from bot.kb.split_rendered import read_rendered


def _rendered_snippet(name: str) -> list:
    """A snippet of a page rendered by `MANWIDTH=80 man PAGE | col -b`, read as a rendered page."""
    text = (Path(__file__).parent / "fixtures" / "snippets" / name).read_text(encoding="utf-8")
    return read_rendered(text).blocks


def test_a_rendered_table_inside_an_option_is_one_row_per_letter_under_the_option():
    rows = [b for b in _rendered_snippet("find-newerXY-rendered.txt") if b.kind == "row"]
    assert [b.text for b in rows][:2] == ["-newerXY reference a: The access time of the file reference",
                                         "-newerXY reference B: The birth time of the file reference"]
    assert len(rows) == 5


def test_a_rendered_table_under_a_ruled_header_labels_its_cells_and_joins_a_wrapped_description():
    rows = {b.term: b.text for b in _rendered_snippet("signal-table-rendered.txt") if b.kind == "row"}
    assert rows["Signal SIGHUP"] == ("Signal SIGHUP: Standard P1990; Action Term; Hangup detected on controlling "
                                     "terminal or death of controlling process")
    assert rows["Signal SIGCLD"] == "Signal SIGCLD: Standard -; Action Ign; A synonym for SIGCHLD"


def test_a_rendered_header_of_words_over_values_labels_the_rows_and_prose_around_stays_prose():
    blocks = _rendered_snippet("find-history-rendered.txt")
    rows = {b.term: b.text for b in blocks if b.kind == "row"}
    assert rows["Feature -newerXY"] == "Feature -newerXY: Added in 4.3.3; Also occurs in BSD"
    assert rows["Feature -d"] == "Feature -d: Added in 4.2.3; Also occurs in BSD"  # after the table's blank row
    assert rows["Feature -exec ... +"] == "Feature -exec ... +: Added in 4.2.12; Also occurs in POSIX"
    assert [b.text for b in blocks if b.kind != "row"][0] == (
        "Nanosecond-resolution timestamps were implemented in findutils-4.3.3.")
    levels = {b.term: b.text for b in _rendered_snippet("xz-levels-rendered.txt") if b.kind == "row"}
    assert levels["Level -0"] == "Level -0: xz 256 KiB; LZMA Utils N/A"


def test_aligned_lines_that_are_not_clearly_a_table_are_read_as_before():
    example = ("NAME\n       x\nEXAMPLES\n       Run:\n\n"
               "           pack -k a      # keep a\n           pack -d a.pk   # unpack\n"
               "           pack -l a.pk   # list\n")
    assert not [b for b in read_rendered(example).blocks if b.kind == "row"]  # an example's aligned comments
    tagged = "NAME\n       x\nOPTIONS\n       -k     Keep the input files and do not\n              delete them.\n"
    assert [(b.term, b.text) for b in read_rendered(tagged).blocks][-1] == ("-k", "-k: Keep the input files and do not "
                                                                             "delete them.")
