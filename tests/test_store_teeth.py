"""The store's promises with exact expectations: one record per file, nothing half-stored, revisions counted."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import sqlite3
from pathlib import Path

import pytest
from test_store import make_record

from minicex_pdf.storage.store import Store, Stored


def counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM forms").fetchone()[0], c.execute(
            "SELECT count(*) FROM problems"
        ).fetchone()[0]


def test_a_failed_add_leaves_nothing_behind_and_the_next_add_works(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        assert store.add(make_record(1)) == Stored(new=True, revision=1, form_key="instance:inst1", files=1)
        bad = make_record(2).to_dict()
        bad["problems"] = [{"code": "x"}]  # fails inside the transaction, after the form's row went in
        with pytest.raises(KeyError):
            store.add(bad)
        assert store.add(make_record(3)) == Stored(new=True, revision=1, form_key="instance:inst3", files=1)
        assert store.add(make_record(3)) == Stored(new=False, revision=1, form_key="instance:inst3")
        assert [r.source.path for r in store.records()] == ["/in/form1.pdf", "/in/form3.pdf"]
    assert counts(db) == (2, 2)  # forms 1 and 3 have one problem each; form 2 left nothing


def test_revisions_of_one_form_are_counted_and_only_the_latest_is_listed(tmp_path: Path) -> None:
    later = make_record(4, instance="again", extra=" later")
    first = dataclasses.replace(
        later, values={**later.values, "action_plan": None}, source=dataclasses.replace(later.source, sha256="f" * 64)
    )  # the same assessment before the trainee wrote the action plan
    with Store(tmp_path / "s.sqlite") as store:
        assert store.add(later) == Stored(new=True, revision=1, form_key="instance:again", files=1)
        assert store.add(first) == Stored(new=True, revision=1, form_key="instance:again", files=2)
        assert [r.source.sha256 for r in store.records()] == [later.source.sha256]
        assert [r.source.sha256 for r in store.revisions("again")] == [later.source.sha256, "f" * 64]
        rows = list(store.rows())
        assert [(r.revision, r.record.source.sha256) for r in rows] == [(2, later.source.sha256)]


def test_two_equally_full_files_of_one_form_the_later_import_is_latest(tmp_path: Path) -> None:
    a = make_record(4, instance="again")
    b = make_record(4, instance="again", extra=" corrected")
    with Store(tmp_path / "s.sqlite") as store:
        store.add(a)
        assert store.add(b) == Stored(new=True, revision=2, form_key="instance:again", files=2)
        assert [r.source.sha256 for r in store.records()] == [b.source.sha256]


def test_records_by_trainee_whatever_the_spelling(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.add(make_record(1, trainee="Åsa Öberg", date=_dt.date(2027, 1, 1)))
        store.add(make_record(2, trainee="A\u030asa  öberg ", date=_dt.date(2026, 12, 31)))
        store.add(make_record(3, trainee="Bo Ek"))
        assert [r.source.path for r in store.records("ÅSA ÖBERG")] == ["/in/form2.pdf", "/in/form1.pdf"]
        assert [r.source.path for r in store.records("bo ek")] == ["/in/form3.pdf"]
        assert list(store.records("Nobody")) == []


def test_a_store_with_keys_from_before_nfc_is_migrated_to_one_trainee(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add(make_record(1, trainee="Åsa Öberg"))
        store.add(make_record(2, trainee="A\u030asa O\u0308berg"))  # typed on a Mac
    with sqlite3.connect(path) as db:  # the keys as schema 4 wrote them: case-folded, not NFC
        for i, name in db.execute("SELECT id, trainee FROM forms").fetchall():
            db.execute("UPDATE forms SET trainee_key = ? WHERE id = ?", (" ".join(name.split()).casefold(), i))
        db.execute("PRAGMA user_version = 4")
    with Store(path) as store:
        assert store.schema_version == 5
        assert [r.source.path for r in store.records("åsa öberg")] == ["/in/form1.pdf", "/in/form2.pdf"]
        assert len(store.trainees()) == 1


def test_status_filter_is_exact(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        for n in range(4):  # even: complete, odd: awaiting the action plan
            store.add(make_record(n))
        store.add(dataclasses.replace(make_record(7), status="empty"))
        paths = lambda *s: [r.record.source.path for r in store.rows(statuses=s)]  # noqa: E731
        assert paths("complete") == ["/in/form0.pdf", "/in/form2.pdf"]
        assert paths("awaiting_action_plan") == ["/in/form1.pdf", "/in/form3.pdf"]
        assert paths("empty") == ["/in/form7.pdf"]
        assert paths("incomplete") == []
        assert len(list(store.rows())) == 5


def test_a_form_without_trainee_or_assessor_is_stored_under_no_trainee(tmp_path: Path) -> None:
    rec = make_record(5, trainee="   ")
    rec = dataclasses.replace(rec, values={**rec.values, "assessor_name": None})
    with Store(tmp_path / "s.sqlite") as store:
        stored = store.add(rec)
        assert (stored.new, stored.revision, stored.files) == (True, 1, 1)
        store.add(make_record(6, trainee=" Åsa   Öberg "))
        assert store.trainees() == ["Åsa Öberg"]
        assert list(store.records("   ")) == []
        assert [r.source.path for r in store.records()] == ["/in/form5.pdf", "/in/form6.pdf"]
        again = store.add(rec)
        assert (again.new, again.revision, again.files) == (False, 1, 1)


def test_where_a_form_came_from_by_mail_is_kept(tmp_path: Path) -> None:
    from minicex_pdf.storage.store import Provenance

    mail = Provenance("karin@example.se", "2026-12-31T10:00:00+00:00", "Mini-CEX Åsa")
    with Store(tmp_path / "s.sqlite") as store:
        store.add(make_record(1), mail=mail)
        store.add(make_record(2))
        assert [r.mail for r in store.rows()] == [mail, None]


def test_stored_rows_are_immutable(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.add(make_record(1))
        (row,) = store.rows()
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.revision = 2  # type: ignore[misc]
