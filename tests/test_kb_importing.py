"""Importing a document: progress is reported, and a document too big to load again is refused early."""

from __future__ import annotations

import pytest

def test_import_reports_its_progress_and_refuses_early_a_file_too_big_to_load(tiny_config, tmp_path, monkeypatch):
    from bot.kb import importing as kb_ops

    document = tmp_path / "handbook.txt"
    document.write_text("Handbook\n\n" + "".join(f"Fact number {n} is about the river.\n\n" for n in range(50)),
                        encoding="utf-8")
    steps: list[str] = []
    draft = kb_ops.prepare_import(tiny_config, document, progress=steps.append)
    assert len(draft.passages) == 50
    assert [s.split(" (")[0] for s in steps] == [f"reading and splitting {document}", "split into 50 passages; checking them",
                                               "comparing 50 new passages with 4 existing ones", "checked"]
    monkeypatch.setattr(kb_ops, "MAX_FILE_BYTES", 2000)
    with pytest.raises(kb_ops.PassageRejected, match="50 passages would make a passages file of over 0 MB"):
        kb_ops.prepare_import(tiny_config, document)
