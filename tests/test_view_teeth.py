"""The admin's view of a store: finding one form by id or by file, as void and restore do."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_store import make_record

from minicex_pdf.errors import UsageError
from minicex_pdf.reading.record import Record
from minicex_pdf.storage.store import Store
from minicex_pdf.storage.view import StoreView


def at(record: Record, path: str) -> Record:
    return dataclasses.replace(record, source=dataclasses.replace(record.source, path=path))


def test_a_file_name_two_stored_forms_share_is_refused_with_their_ids(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.add(at(make_record(1, trainee="Åsa Öberg"), "/mail/2026-01/form.pdf"))
        store.add(at(make_record(2, trainee="Bo Ek"), "/mail/2026-02/form.pdf"))
        store.add(at(make_record(3, trainee="Cia Berg"), "/in/cia.pdf"))
        view = StoreView(store)
        ids = {line.row.record.values["trainee_name"]: line.id for line in view.lines()}
        with pytest.raises(UsageError) as err:
            view.find("form.pdf")
        first, second = sorted((ids["Åsa Öberg"], ids["Bo Ek"]))
        assert str(err.value) == f"'form.pdf' names 2 forms ({first}, {second}): give one id"
        # the whole path, the file name alone, or the id name one form each
        assert view.find("/mail/2026-02/form.pdf").id == ids["Bo Ek"]
        assert view.find("cia.pdf").id == view.find(str(ids["Cia Berg"])).id == ids["Cia Berg"]
        with pytest.raises(UsageError) as err:
            view.find("999")
        assert str(err.value) == "no stored form '999': minicex forms lists the ids"
        line = view.find("cia.pdf")
        with pytest.raises(dataclasses.FrozenInstanceError):
            line.status = "complete"  # type: ignore[misc]
