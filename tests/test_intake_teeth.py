"""Teeth for files coming into the store (``storage/intake.py``): what a known file is looked up as."""

from __future__ import annotations

from pathlib import Path

from test_store import make_record

from minicex_pdf.storage.store import Store, Stored


def test_a_stored_file_is_looked_up_as_already_there_in_its_assessment(tmp_path: Path) -> None:
    record = make_record(1)
    with Store(tmp_path / "s.sqlite") as store:
        first = store.add(record)
        assert first == Stored(new=True, revision=1, form_key=first.form_key, files=1)
        already = Stored(new=False, revision=1, form_key=first.form_key)
        assert store.lookup(record.source.sha256) == already
        assert store.add(record) == already  # the same bytes again: left as they are
        assert store.lookup("0" * 64) is None
        assert store.counts() == {"files": 1, "forms": 1, "unreadable": 0}
