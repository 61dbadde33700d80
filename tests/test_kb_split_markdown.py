"""Markdown through markdown-it-py: ATX and Setext headings, lists, tables; code goes with the sentence introducing it, link-only lists are left out."""

from __future__ import annotations

from bot.kb.split import split_document
from bot.kb.split_markdown import read_markdown

DOC = """\
Backup Tool
===========

Contents:

- [Install](#install)
- [Options](#options)

Install
-------

Download the *latest* release and run
`make install` as root.

```sh
make install
```

## Options

| Option | Default | Meaning |
|--------|---------|---------|
| `--keep` | off | keep the source files |
| `--fast` | on | compress quickly |

1. Backups older than a year are deleted.
2. See the [manual](https://example.org/manual) for the retention rules.

<div>raw html is not read</div>
"""


def test_headings_lists_and_tables_and_code_are_read():
    outline = read_markdown(DOC)
    assert outline.title == "Backup Tool"
    assert [(b.section, b.kind, b.text) for b in outline.blocks] == [
        ("Backup Tool", "para", "Contents:"),  # (an introduction to a list: no passage, see below)
        ("Install", "para", "Download the latest release and run make install as root."),
        ("Install", "code", "make install"),  # (after a finished sentence: no passage, see below)
        ("Options", "row", "Option --keep: Default off; keep the source files"),  # (half the column is descriptions:
        ("Options", "row", "Option --fast: Default on; compress quickly"),  # no "Meaning" label)
        ("Options", "item", "Backups older than a year are deleted."),
        ("Options", "item", "See the manual for the retention rules."),
    ]
    texts = [p.text for p in split_document(DOC, "md").passages]
    assert len(texts) == 5 and "Contents:" not in texts


def test_a_short_example_goes_with_the_sentence_introducing_it():
    doc = ("# Build\n\n## Steps\n\nTo see a list of build options:\n\n    ./configure --help\n\n"
           "Then build and install it with:\n\n```\nmake\nmake install\n```\n\nCommon options include:\n\n"
           "    --prefix=/opt    # install under /opt\n    --disable-docs   # skip the manual\n")
    assert [(p.text, p.review) for p in split_document(doc, "md").passages] == [
        ("Steps: to see a list of build options: ./configure --help", ""),
        ("Steps: then build and install it with: make; make install", ""),  # short: it leans on its heading
        ("--prefix=/opt: install under /opt", ""),  # an example commented line by line: a term each
        ("--disable-docs: skip the manual", "")]


def test_atx_heading_levels_title_and_sections():
    draft = split_document("# Guide\n\nThe guide explains the tool in detail.\n\n## Setup\n\n### Linux\n\n"
                           "Install the package with the system's package manager first.\n", "md")
    assert draft.title == "Guide"
    assert [(p.section, p.text) for p in draft.passages] == [
        ("Guide", "The guide explains the tool in detail."),
        ("Linux", "Install the package with the system's package manager first."),
    ]


def test_badges_are_decoration_and_an_image_in_a_sentence_keeps_its_words():
    doc = ("[![Build status](https://ci.example.org/badge.svg)](https://ci.example.org) ![Coverage](cov.svg)\n\n"
           "Git\n===\n\nClick the ![gear](gear.png) icon to open the settings of the tool.\n")
    draft = split_document(doc, "md")
    assert draft.title == "Git"  # the badges made a "Build status" passage, and the title a section
    assert [p.text for p in draft.passages] == ["Click the gear icon to open the settings of the tool."]


def test_a_list_item_s_paragraphs_are_one_item():
    # zstd's README: '1. Create the dictionary' / '`zstd --train ...`' were two passages, the command without its step
    doc = ("# Zstd\n\n### Dictionary compression How To:\n\n1. Create the dictionary\n\n   `zstd --train DIR/* -o dict`\n\n"
           "2. Read the manual.\n\n   It says more.\n   - A nested item.\n\n   After the nested list.\n")
    assert [(b.kind, b.text, b.depth) for b in read_markdown(doc).blocks] == [
        ("item", "Create the dictionary: zstd --train DIR/* -o dict", 0),
        ("item", "Read the manual. It says more.", 0),
        ("item", "A nested item.", 1),
        ("item", "After the nested list.", 0)]


def test_consecutive_label_lines_are_facts_of_their_own_not_one_sentence():
    doc = ("# Supporting rootless builds\n\nStatus: recommendation, stable\nVersion: 1.0\n\n## Background\n\n"
           "Note: Debian packages have required (fake)root privileges for some targets.\n")
    assert [(p.section, p.text) for p in split_document(doc, "md").passages] == [
        ("Supporting rootless builds", "Status: recommendation, stable"),
        ("Supporting rootless builds", "Version: 1.0"),
        ("Background", "Note: Debian packages have required (fake)root privileges for some targets.")]  # one line


def test_myst_targets_roles_definitions_and_prose_directives_are_read_as_markdown():
    """pip's configuration.md (MyST, the Markdown of Sphinx): '(config-file)=' was a passage, '{any}`os.devnull`'
    read '{any}os.devnull', and the ```{tab} Unix fence (the file locations) was left out as code."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "snippets" / "pip-configuration-myst.md").read_text(encoding="utf-8")
    passages = [(p.section, p.text) for p in split_document(text, "md").passages]
    texts = [t for _, t in passages]
    assert not [t for t in texts if "(config-" in t or "{file}" in t or "{any}" in t]
    assert ("PIP_CONFIG_FILE", "Setting this to os.devnull disables the loading of all configuration files.") in passages
    assert ("Location (Unix)", "User: $HOME/.config/pip/pip.conf, which respects the XDG_CONFIG_HOME environment "
                               "variable.") in passages
    assert passages[-1][0] == "PIP_CONFIG_FILE"  # the section after the tab is the next heading's, not 'Unix'


def test_a_fence_naming_any_other_directive_is_still_code():
    text = "# Build\n\nRun this to build:\n\n```{code-block} sh\nmake all\n```\n"
    assert [p.text for p in split_document(text, "md").passages] == ["Run this to build: make all"]


def test_a_code_fence_inside_a_list_item_is_part_of_the_item():
    """pip's configuration.md: '- ```PIP_FIND_LINKS=...```' / 'is the same as' / '```--find-links=...```' in one
    item was the fragment 'is the same as', the item's two fences dropped."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "snippets" / "pip-environment-list.md").read_text(encoding="utf-8")
    texts = [p.text for p in split_document(text, "md").passages]
    assert ('PIP_FIND_LINKS="http://mirror1.example.com http://mirror2.example.com": is the same as: '
            "--find-links=http://mirror1.example.com --find-links=http://mirror2.example.com") in texts
    assert not [t for t in texts if t.endswith("is the same as")]


def test_a_table_s_header_row_is_no_passage_and_each_row_carries_its_labels():
    # zstd's README: its benchmark table, cut to two rows (a linked name, a bold one)
    doc = ("# Zstandard\n\n## Benchmarks\n\n[zlib]: https://zlib.net/\n\n"
           "| Compressor name         | Ratio | Compression| Decompress.|\n"
           "| ---------------         | ------| -----------| ---------- |\n"
           "| **zstd 1.5.1 -1**       | 2.887 |   530 MB/s |  1700 MB/s |\n"
           "| [zlib] 1.2.11 -1        | 2.743 |    95 MB/s |   400 MB/s |\n")
    assert [(p.section, p.text) for p in split_document(doc, "md").passages] == [
        ("Benchmarks", "Compressor name zstd 1.5.1 -1: Ratio 2.887; Compression 530 MB/s; Decompress. 1700 MB/s"),
        ("Benchmarks", "Compressor name zlib 1.2.11 -1: Ratio 2.743; Compression 95 MB/s; Decompress. 400 MB/s")]


def test_a_row_without_a_first_cell_keeps_what_it_has_and_a_name_alone_is_no_fact():
    doc = "| Name | Value |\n| --- | --- |\n| | 42 |\n| lonely |  |\n\n| Tools |\n| --- |\n| zstd |\n| xz |\n"
    assert [(b.kind, b.text) for b in read_markdown(doc).blocks] == [
        ("row", "Value 42"), ("item", "zstd"), ("item", "xz")]  # a table of one column is a list
