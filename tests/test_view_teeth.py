"""The admin's view of a store: finding one form by id or by file, as void and restore do."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_faults import damage_a_page
from test_store import make_record

from minicex_pdf.errors import UsageError
from minicex_pdf.reading.record import Record
from minicex_pdf.storage.audit import Corrections
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


JOINED_VOIDS = (
    "SELECT g.form_key, v.reason, v.at, v.user FROM voided AS v JOIN forms AS g ON g.sha256 = v.sha256 ORDER BY v.at"
)


def test_voided_forms_stay_out_of_exports_when_a_damaged_page_spoils_the_joined_read(tmp_path: Path) -> None:
    """Every odd form voided, then a page of forms damaged: the join fails, each void is found by its own file."""
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for n in range(1, 13):
            store.add(make_record(n, trainee=f"Trainee {n}"))
        corrections = Corrections(store, user="admin")
        for n in range(1, 13, 2):
            corrections.void(f"/in/form{n}.pdf", f"copy {n}")
    lost = damage_a_page(path)
    assert lost & {1, 3, 5, 7, 9, 11}  # the damaged page held a voided form
    readable = sorted(set(range(1, 13)) - lost)
    with Store(path, readonly=True) as store:
        assert store.tolerant(JOINED_VOIDS) is None  # what makes the view read the voids one by one
        view = StoreView(store)
        lines = {ln.record.source.path: (ln.voided.reason if ln.voided else None) for ln in view.lines()}
        assert lines == {f"/in/form{n}.pdf": (f"copy {n}" if n % 2 else None) for n in readable}
        voids = [ln.voided for ln in view.lines() if ln.voided]
        assert {v.user for v in voids} == {"admin"}
        assert len(set(voids)) == len([n for n in readable if n % 2])  # values: hashable, and cannot be changed
        with pytest.raises(dataclasses.FrozenInstanceError):
            voids[0].reason = "changed"  # type: ignore[misc]
        assert [r.record.source.path for r in view.rows()] == [f"/in/form{n}.pdf" for n in readable if n % 2 == 0]
        assert set(store.damaged) == lost
