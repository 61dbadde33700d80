"""tbl tables in roff source: format lines, cells split at the tab character, T{ ... T} text blocks, spans, and
which rows are the header (real tables from find(1), xz(1), signal(7), ps(1) and systemd-detect-virt(1))."""

from __future__ import annotations

from bot.kb.split_man import _cell
from bot.kb.split_tbl import Spec, format_line, read_table


def table(source: str):
    return read_table(source.split("\n"), _cell)


def test_format_lines_give_each_column_its_key_and_bold():
    assert format_line("lB1 l1 lw(3i).") == [Spec("l", True), Spec("l"), Spec("l")]
    assert format_line("llw(2i).") == [Spec("l"), Spec("l")]
    assert format_line("c c c") == [Spec("c")] * 3
    assert format_line("lfB n") == [Spec("l", True), Spec("n")]


def test_a_two_column_table_without_a_header_is_its_rows():
    # find(1), -newerXY's letters: five format lines, tab-separated cells, font escapes
    found = table("ll\nll\nll\nll\nllw(2i).\na\tThe access time of the file \\fIreference\\fR\n"
                  "B\tThe birth time of the file \\fIreference\\fR\n"
                  "t\t\\fIreference\\fR is interpreted directly as a time")
    assert found.header == []
    assert found.rows == [["a", "The access time of the file reference"], ["B", "The birth time of the file reference"],
                          ["t", "reference is interpreted directly as a time"]]


def test_capitalised_words_over_a_column_of_values_are_the_header():
    # find(1)'s HISTORY: one format line for every row, so only the words tell the header from the data
    found = table("l l l .\nFeature\tAdded in\tAlso occurs in\n\\-files0\\-from\t4.9.0\n\\-newerXY\t4.3.3\tBSD")
    assert found.header == ["Feature", "Added in", "Also occurs in"]
    assert found.rows == [["-files0-from", "4.9.0"], ["-newerXY", "4.3.3", "BSD"]]


def test_a_centred_first_row_over_numbers_is_the_header_and_the_tab_option_is_read():
    found = table("tab(;);\nc c c\nc n n.\nLevel;xz;LZMA Utils\n\\-0;256 KiB;N/A\n\\-1;1 MiB;64 KiB")  # xz(1)
    assert found.header == ["Level", "xz", "LZMA Utils"]
    assert found.rows == [["-0", "256 KiB", "N/A"], ["-1", "1 MiB", "64 KiB"]]


def test_rows_above_a_rule_in_the_format_are_the_header_and_a_continued_line_joins_its_row():
    # signal(7): two header rows over a rule; a description going on on a line with empty first cells
    found = table("l c c c l\nl c c c l\n_____\nlB c c c l.\nSignal\tx86/ARM\tAlpha/\tMIPS\tNotes\n"
                  "\tmost others\tSPARC\nSIGHUP\t\\01\t\\01\t\\01\tHangup detected on controlling terminal\n"
                  "\t\t\t\tor death of controlling process\nSIGINT\t\\02\t\\02\t\\02")
    assert found.header == ["Signal", "x86/ARM most others", "Alpha/SPARC", "MIPS", "Notes"]
    assert found.rows == [["SIGHUP", "1", "1", "1", "Hangup detected on controlling terminal or death of controlling "
                           "process"], ["SIGINT", "2", "2", "2"]]


def test_a_first_line_alone_in_bold_is_the_header():
    found = table("l l lw(3i).\n\\fBKEY\tLONG\tDESCRIPTION\\fR\nc\tcmd\tsimple name of executable\n"
                  "C\tpcpu\tcpu utilization")  # ps(1)'s obsolete sort keys
    assert found.header == ["KEY", "LONG", "DESCRIPTION"]
    assert found.rows == [["c", "cmd", "simple name of executable"], ["C", "pcpu", "cpu utilization"]]


def test_text_blocks_spans_from_above_and_new_formats():
    # systemd-detect-virt(1): bold header, T{ ... T} cells, the first column spanned down ('^') after .T&
    found = table("allbox tab(:);\nlB lB lB.\nT{\nType\nT}:T{\nID\nT}:T{\nProduct\nT}\n.T&\nlt l l\n^ l l.\n"
                  "T{\nVM\nT}:T{\n\\fIqemu\\fR\nT}:T{\nQEMU software virtualization, without KVM\nT}\n"
                  ":T{\n\\fIkvm\\fR\nT}:T{\nLinux KVM kernel virtual machine, in combination with QEMU\\&.\nT}")
    assert found.header == ["Type", "ID", "Product"]
    assert found.rows == [["VM", "qemu", "QEMU software virtualization, without KVM"],
                          ["VM", "kvm", "Linux KVM kernel virtual machine, in combination with QEMU."]]


def test_a_cell_s_requests_are_read_as_its_words():
    found = table("allbox;\nlbx lb lb\nl l l.\nInterface\tAttribute\tValue\nT{\n.BR strtol (),\n.BR strtoll ()\n"
                  "T}\tThread safety\tMT-Safe locale")  # strtol(3)'s attributes
    assert found.rows == [["strtol(), strtoll()", "Thread safety", "MT-Safe locale"]]


def test_a_table_of_lower_case_names_has_no_header():
    found = table("l l.\nascii\t8bcccbcc18b95.b\ndos\t8bcccbcc12bc5b95.b.")  # less(1)'s character sets
    assert found.header == [] and len(found.rows) == 2
