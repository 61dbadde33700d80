"""Manual pages in mdoc (BSD macros): read as the man(7) source they stand for, so that the words set by macros
(.Nm, .Fl, .Pa, .Ev, .Dv, .Xr) stay in the sentences, lists become entries and displays examples."""

from __future__ import annotations

from pathlib import Path

from bot.kb.documents import kind_of, read_document
from bot.kb.split import split_document
from bot.kb.split_man import read_roff
from bot.kb.split_mdoc import _Inline, is_mdoc, mdoc_to_man

MDOC = r""".\" a page in the style of file(1)
.Dd October 26, 2022
.Dt PACK 1
.Os
.Sh NAME
.Nm pack
.Nd squeeze files
.Sh SYNOPSIS
.Nm
.Op Fl k
.Ar
.Sh DESCRIPTION
.Nm
reads
.Pa /etc/pack.conf
first, as
.Xr tar 1
does.
.Sh OPTIONS
.Bl -tag -width indent
.It Fl k , Fl Fl keep
Keep the input files.
.It Fl P , Fl Fl parameter Ar name=value
Set limits.
.Bl -column "bytes" "Default" -offset indent
.It Sy "Name" Ta Sy "Default" Ta Sy "Explanation"
.It Li bytes Ta 1048576 Ta max bytes to read
.El
.El
.Sh EXIT STATUS
.Nm
exits with
.Dv 0
on success, unless
.Fl E
is given:
.Bl -bullet -compact
.It
A file cannot be found
.El
.Sh ENVIRONMENT
The variable
.Ev PACKDIR
names the folder
.Aq and the mail address .
.Sh EXAMPLES
.Bd -literal -offset indent
$ pack \*[Gt]out
.Ed
"""


def test_an_mdoc_page_is_told_by_its_date_request():
    assert is_mdoc(MDOC) and not is_mdoc(".TH PACK 1\n.SH NAME\npack \\- squeeze\n")


def test_inline_macros_print_their_words():
    inline = _Inline("pack")
    assert inline.render("Fl b , Fl Fl brief".split()) == "-b, --brief"
    assert inline.render("Xr utimes 2 ,".split()) == "utimes(2),"
    assert inline.render(["Dq", "Li", "-F @", ","]) == '"-F @",'
    assert inline.render("Op Fl e Ar testname".split()) == "[-e testname]"
    assert inline.render(["Nm"]) == "pack" and inline.render(["Ar"]) == "file ..."
    assert inline.render("Pf ( Fl a".split()) == "(-a"
    assert inline.render("Li bytes Ta 1048576".split()).split("\t") == ["bytes ", "1048576"]


def test_an_mdoc_page_reads_as_its_man_equivalent():
    assert mdoc_to_man(MDOC).splitlines()[:5] == [".\\\" a page in the style of file(1)", ".TH PACK 1", ".SH NAME",
                                                  "pack", "\\- squeeze files"]
    outline = read_roff(MDOC)
    assert outline.title == "pack - squeeze files"
    texts = [(b.term, b.text) for b in outline.blocks if b.kind != "code"]
    assert ("", "pack reads /etc/pack.conf first, as tar(1) does.") in texts
    assert ("-k, --keep", "-k, --keep: Keep the input files.") in texts
    # a column list is a table: its heading row (every cell in .Sy) is no entry but labels the cells under it
    assert ("-P, --parameter name=value bytes", "-P, --parameter name=value bytes: Default 1048576; max bytes to read"
            ) in texts
    assert not [t for t in texts if "Explanation" in t[1]]
    assert ("", "pack exits with 0 on success, unless -E is given:") in texts
    assert ("", "The variable PACKDIR names the folder <and the mail address>.") in texts
    assert [b.text for b in outline.blocks if b.kind == "code"] == ["$ pack >out"]


def test_file_manual_page_keeps_the_words_its_macros_set():
    # file(1) was read by man(7)'s rules alone: "will exit with if the operation was successful", "The environment
    # variable can be used ...", "bug tracker at or the mailing list at", and its parameter table was lost.
    path = Path(__file__).parent / "fixtures" / "docs" / "file.1.gz"
    texts = [p.text for p in split_document(read_document(path), kind_of(path)).passages]
    assert "file will exit with 0 if the operation was successful or >0 if an error was encountered." in texts
    assert "The environment variable MAGIC can be used to set the default magic file name." in texts
    assert "-b, --brief: Do not prepend filenames to output lines (brief mode)." in texts
    assert "-P, --parameter name=value bytes: Default 1048576; max number of bytes to read from file" in texts
    assert any("bug tracker at https://bugs.astron.com/ or the mailing list at <file@astron.com>" in t for t in texts)


def test_an_item_head_over_several_lines_is_one_term():
    # ssh(1): '.It Fl L Xo / .Sm off / .Oo Ar bind_address : Oc / .Ar port / .Sm on / .Xc' is one option's head;
    # read line by line its 'Xo' became a flag ("-L -Xo") and the rest a passage of its own.
    source = (".Dd $Mdocdate$\n.Dt SSH 1\n.Sh OPTIONS\n.Bl -tag -width Ds\n.It Fl D Xo\n.Sm off\n"
              ".Oo Ar bind_address : Oc\n.Ar port\n.Sm on\n.Xc\nSpecifies a dynamic forwarding.\n.El\n")
    blocks = read_roff(source).blocks
    assert [(b.term, b.text) for b in blocks] == [("-D[bind_address:]port",
                                                  "-D[bind_address:]port: Specifies a dynamic forwarding.")]
