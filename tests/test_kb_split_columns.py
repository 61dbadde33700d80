"""Aligned columns in plain text: a table only where its columns are clear, its header found by a rule or by
words over values, a wrapped description joined to its row."""

from __future__ import annotations

from bot.kb.split_columns import aligned_table

SIGNALS = """\
       Signal      Standard   Action   Comment
       ──────────────────────────────────────────
       SIGHUP       P1990      Term    Hangup detected on controlling terminal
                                       or death of controlling process
       SIGCLD         -        Ign     A synonym for SIGCHLD
""".split("\n")


def test_a_rule_under_the_first_line_makes_it_the_header_and_a_wrapped_cell_joins_its_row():
    table = aligned_table(SIGNALS)
    assert table.header == ["Signal", "Standard", "Action", "Comment"]
    assert table.rows == [["SIGHUP", "P1990", "Term", "Hangup detected on controlling terminal or death of "
                           "controlling process"], ["SIGCLD", "-", "Ign", "A synonym for SIGCHLD"]]


def test_a_first_line_in_lower_case_over_descriptions_is_data():
    table = aligned_table(["a   The access time", "B   The birth time", "c   The inode change time"])
    assert table.header == [] and table.rows[0] == ["a", "The access time"]


def test_prose_two_lines_and_an_example_with_comments_are_no_table():
    prose = ["Some combinations are invalid;  for example, it is invalid for  X",
             "to  be t.  Some combinations are not implemented on all systems;",
             "for example B is not supported on all systems.  If an invalid or"]
    assert aligned_table(prose) is None
    assert aligned_table(["-k     Keep the input", "       files."]) is None
    assert aligned_table(["pack -k a      # keep a", "pack -d a.pk   # unpack", "pack -l a.pk   # list"]) is None


def test_a_column_of_one_mark_is_a_separator_and_repeated_labels_are_a_list_set_side_by_side():
    table = aligned_table(["rd   -   readable", "wr   -   writable", "ex   -   executable"])
    assert table.rows == [["rd", "readable"], ["wr", "writable"], ["ex", "executable"]]
    fields = ["field   default    field   default", "GID           5    GROUP         8",
              "UID           5    USER          8"]
    assert aligned_table(fields) is None


def test_a_first_row_of_words_over_a_column_of_numbers_is_the_header():
    table = aligned_table(["Number   Description", "1        Generally helpful progress information",
                           "10       Output for each file processed"])
    assert table.header == ["Number", "Description"] and table.rows[1] == ["10", "Output for each file processed"]


def test_under_a_ruled_header_a_label_parts_columns_where_a_row_leaves_only_one_space():
    lines = ["Property   Type     Description", "------------------------------", "family     String   Font names",
             "ftface     FT_Face  Use the face", "fthandle   FT_Face1 Use the handle"]
    table = aligned_table(lines)
    assert table.header == ["Property", "Type", "Description"]
    assert table.rows[2] == ["fthandle", "FT_Face1", "Use the handle"]
