"""The store's remaining promises with exact expectations (issue #15): foreign files, damage found and named,
one bad row never hiding the rows after it, schema 2's migration of empty forms, and unticked boxes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from test_store import DEF, make_record
from test_store_faults_teeth import drop_latest, older_store

from minicex_pdf.errors import StoreError, UsageError
from minicex_pdf.reading.record import Record
from minicex_pdf.storage import schema
from minicex_pdf.storage.store import APPLICATION_ID, SCHEMA_VERSION, Provenance, Store

#: The tail of every "damaged" message.
FIX = "restore it from a backup, or import the forms again into a new database"


def files(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` and the SHA-256 of its bytes (a -wal or -shm file left behind shows too)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- whose file is it


def foreign(path: Path, app_id: int, version: int, table: bool) -> None:
    """A SQLite file of another program: its own application id and schema version, maybe a table."""
    with sqlite3.connect(path) as db:
        if table:
            db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
            db.execute("INSERT INTO notes (text) VALUES ('another program''s data')")
        db.execute(f"PRAGMA application_id = {app_id}")
        db.execute(f"PRAGMA user_version = {version}")
    db.close()


@pytest.mark.parametrize(
    ("app_id", "version", "table"),
    [
        (0, 0, True),  # no id, a table: what most programs leave
        (0, 2, True),  # no id, numbers its own schema like we do
        (0, SCHEMA_VERSION, True),  # ... and is at our version number
        (0x47504B47, 0, False),  # a GeoPackage's id ("GPKG"), nothing in it yet
        (-7, 0, False),  # a negative id (the field is a signed 32-bit number)
        (APPLICATION_ID + 1, 0, True),
    ],
)
@pytest.mark.parametrize("readonly", [False, True])
def test_a_sqlite_file_of_another_program_is_refused_and_left_untouched(
    tmp_path: Path, app_id: int, version: int, table: bool, readonly: bool
) -> None:
    path = tmp_path / "other.sqlite"
    foreign(path, app_id, version, table)
    before = files(tmp_path)
    with pytest.raises(UsageError) as caught:
        Store(path, readonly=readonly)
    assert str(caught.value) == f"{path}: is a SQLite database, but not a minicex database"
    assert files(tmp_path) == before  # not switched to the write-ahead log, no table added, no -wal file


@pytest.mark.parametrize("how", ["no file", "zero bytes", "sqlite, nothing in it"])
def test_a_new_or_empty_file_becomes_a_store(tmp_path: Path, how: str) -> None:
    path = tmp_path / "new.sqlite"
    if how == "zero bytes":
        path.write_bytes(b"")
    elif how == "sqlite, nothing in it":
        foreign(path, 0, 0, table=False)
        assert path.stat().st_size > 0
    with Store(path) as store:
        assert (store.schema_version, store.missing) == (SCHEMA_VERSION, [])
        assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        store.add(make_record(1))
    with Store(path) as again:  # and opens again as ours, tables and all
        assert [r.source.path for r in again.records()] == ["/in/form1.pdf"]


# --------------------------------------------------------------------------- damage found and named


def test_check_passes_an_intact_store_and_names_a_damaged_one(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for n in range(30):
            store.add(make_record(n))
        store.check()  # intact: no exception
    with sqlite3.connect(path) as db:
        (index_page,) = db.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'forms_date'").fetchone()
    db.close()
    data = bytearray(path.read_bytes())
    start = (index_page - 1) * 4096
    data[start : start + 4096] = bytes(4096)  # the date index's page zeroed: the rows themselves are intact
    path.write_bytes(bytes(data))
    with Store(path) as store, pytest.raises(StoreError) as caught:
        store.check()
    assert (caught.value.kind, str(caught.value)) == (
        "damaged",
        f"{path}: the database is damaged (database disk image is malformed): {FIX}",
    )


def test_a_table_dropped_by_another_program_is_named_exactly(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add(make_record(1))
        with sqlite3.connect(path) as other:
            other.execute("DROP TABLE unreadable")
        other.close()
        with pytest.raises(StoreError) as caught:
            store.counts()
    assert (caught.value.kind, str(caught.value)) == (
        "damaged",
        f"{path}: the database is damaged (missing: unreadable): {FIX}",
    )


# --------------------------------------------------------------------------- one bad row hides only itself


def test_an_unknown_status_is_named_when_a_status_filter_would_hide_it(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for n in (1, 2, 4):
            store.add(make_record(n))
        with sqlite3.connect(path) as other:
            other.execute("UPDATE forms SET status = 'lost' WHERE id = 2")
        other.close()
        complete = [r.record.source.path for r in store.rows(statuses=["complete"])]
        assert (complete, store.damaged) == (["/in/form4.pdf"], {2: "unknown status"})


def test_a_damaged_record_page_spoils_only_its_own_row(tmp_path: Path) -> None:
    """Row 2's record is long (overflow pages); one of those pages is zeroed: rows 1 and 3 still come."""
    path = tmp_path / "s.sqlite"
    long = make_record(2)
    long = dataclasses.replace(long, values={**long.values, "went_well": "Bra anamnes. " * 2000})
    with Store(path) as store:
        for rec in (make_record(1), long, make_record(3)):
            store.add(rec)
    with sqlite3.connect(path) as db:
        try:
            pages = [
                r[0] for r in db.execute("SELECT pageno FROM dbstat WHERE name = 'forms' AND pagetype = 'overflow'")
            ]
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table to find an overflow page")
    db.close()
    assert len(pages) >= 3  # only row 2 is long enough to overflow
    data = bytearray(path.read_bytes())
    start = (sorted(pages)[1] - 1) * 4096
    data[start : start + 4096] = bytes(4096)
    path.write_bytes(bytes(data))
    with Store(path, readonly=True) as store:
        assert [r.record.source.path for r in store.rows()] == ["/in/form1.pdf", "/in/form3.pdf"]
        assert store.damaged == {2: "damaged page"}


def test_a_row_removed_while_listing_is_skipped_and_the_rest_still_come(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for n in (1, 2, 3):
            store.add(make_record(n))
        listing = store.rows()
        first = next(listing)
        with sqlite3.connect(path) as other:  # another program removes row 2 between two rows of the listing
            other.execute("DELETE FROM problems WHERE form = 2")
            other.execute("DELETE FROM forms WHERE id = 2")
        other.close()
        rest = [r.record.source.path for r in listing]
        assert (first.record.source.path, rest, store.damaged) == ("/in/form1.pdf", ["/in/form3.pdf"], {})


def test_the_slow_read_skips_a_row_of_another_trainee_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add(make_record(1, trainee="Bo Ek"))
        store.add(make_record(2, trainee="Åsa Öberg"))
        store.add(make_record(3, trainee="Bo Ek"))
        store.add(make_record(4, trainee="Åsa Öberg"))
        drop_latest(path)
        assert [r.record.source.path for r in store.rows("ÅSA ÖBERG")] == ["/in/form2.pdf", "/in/form4.pdf"]
        assert [r.record.source.path for r in store.rows("bo ek", statuses=["awaiting_action_plan"])] == [
            "/in/form1.pdf",
            "/in/form3.pdf",
        ]
        assert store.damaged == {}


# --------------------------------------------------------------------------- schema 2: empty forms


def empty_form(n: int, trainee: str) -> Record:
    """A form returned with nothing of the assessor's part filled in (only the pre-filled trainee)."""
    rec = make_record(n, trainee=trainee)
    values = dict(rec.values)
    for f in DEF.role_fields("assessor_part"):
        values[f.name] = False if f.type == "checkbox" else () if f.type == "multichoice" else None
    return dataclasses.replace(rec, values=values, status="incomplete", problems=())


def schema1_row(db: sqlite3.Connection, row_id: int, rec: Record) -> None:
    """A row as release 1 (schema 1) stored it: its columns, and the record as JSON of that release."""
    data = rec.to_dict()
    trainee = rec.values[DEF.role("trainee").name]
    db.execute(
        "INSERT INTO forms (id, sha256, form_key, instance_id, revision, form_id, form_version, trainee,"
        " trainee_key, date, status, path, size, imported_at, record) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?,"
        " '2026-01-01T00:00:00+00:00', ?)",
        (
            row_id,
            rec.source.sha256,
            f"instance:{rec.source.instance_id}",
            rec.source.instance_id,
            rec.source.form_id,
            rec.source.form_version,
            trainee,
            trainee.casefold(),
            data["values"].get("date"),
            rec.status,
            rec.source.path,
            rec.source.size,
            json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        ),
    )


def stored_json(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT path, record FROM forms").fetchall())
    db.close()
    return rows


def test_schema_2_makes_an_old_empty_form_empty_and_keeps_every_name_as_text(tmp_path: Path) -> None:
    empty = empty_form(1, "Åsa Ödmark")
    filled = make_record(2, trainee="Łukasz Wiśniewski")
    path = tmp_path / "old.sqlite"
    older_store(path, 1)
    with sqlite3.connect(path) as db:
        schema1_row(db, 1, empty)
        schema1_row(db, 2, filled)
    db.close()
    before = stored_json(path)

    with Store(path) as store:
        got = [(r.record, r.record.status) for r in store.rows()]
        assert [s for _, s in got] == ["complete", "empty"]  # the empty form has no date: listed last
        assert [r for r, _ in got] == [filled, dataclasses.replace(empty, status="empty")]
        assert [r.record.source.path for r in store.rows(statuses=["empty"])] == ["/in/form1.pdf"]
        assert store.status_counts() == {"complete": 1, "awaiting_action_plan": 0, "incomplete": 0, "empty": 1}
    with Store(tmp_path / "new.sqlite") as new:  # the same forms imported by this release
        new.add(dataclasses.replace(empty, status="empty"))
        new.add(filled)
    migrated, fresh = stored_json(path), stored_json(tmp_path / "new.sqlite")
    assert migrated == fresh
    assert migrated["/in/form2.pdf"] == before["/in/form2.pdf"]  # a filled form's record is not rewritten
    assert "Åsa Ödmark" in migrated["/in/form1.pdf"]  # readable (and searchable) as text, not \u escapes
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT status FROM forms ORDER BY id").fetchall() == [("empty",), ("complete",)]
    db.close()


# --------------------------------------------------------------------------- typed values


def test_an_unticked_box_stored_as_null_or_a_number_comes_back_as_a_bool(tmp_path: Path) -> None:
    boxes = [f.name for f in DEF.fields if f.type == "checkbox"]
    assert len(boxes) >= 1
    with Store(tmp_path / "s.sqlite") as store:
        for n, value in enumerate((None, 0, 1)):
            data = make_record(n).to_dict()
            data["values"].update(dict.fromkeys(boxes, value))
            store.add(data)
        got = [[r.values[b] for b in boxes] for r in store.records()]
    assert got == [[False] * len(boxes), [False] * len(boxes), [True] * len(boxes)]
    assert {type(v) for row in got for v in row} == {bool}


# --------------------------------------------------------------------------- waiting for another writer


def test_the_store_opens_soon_after_another_writer_lets_go(tmp_path: Path) -> None:
    """Switching to the write-ahead log is retried every few hundredths of a second, not once a second."""
    path = tmp_path / "s.sqlite"
    Store(path).close()
    with sqlite3.connect(path, isolation_level=None) as other:
        assert other.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    other.close()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.2, lambda: other.execute("ROLLBACK"))
    started = time.monotonic()
    release.start()
    try:
        with Store(path, lock_wait=5) as store:
            waited = time.monotonic() - started
            assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        release.join()
        other.close()
    assert 0.2 <= waited < 0.8


# --------------------------------------------------------------------------- naming many damaged rows

FIX_ROWS = "restore the database from a backup, or import the forms again into a new database"
FIX_ROWS_SV = "återställ databasen från en säkerhetskopia, eller importera formulären igen till en ny databas"


@pytest.mark.parametrize("bad", [10, 11])
def test_the_damage_message_names_ten_rows_then_says_there_are_more(tmp_path: Path, bad: int) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        for n in range(bad + 2):
            store.add(make_record(n, date=dt.date(2026, 1, 1)))
        list(store.rows())
        assert store.damage_message("list") is None  # nothing wrong, nothing to say
        with sqlite3.connect(path) as other:
            other.execute("UPDATE forms SET record = json_set(record, '$.status', 'lost') WHERE id <= ?", (bad,))
            other.execute("UPDATE forms SET record = '{' WHERE id = ?", (bad + 2,))
        other.close()
        assert [r.row_id for r in store.rows()] == [bad + 1]
        listed = ", ".join(map(str, range(1, 11))) + (", ..." if bad > 10 else "")
        assert store.damage_message("export") == (
            f"{path}: the database is damaged, {bad + 1} form(s) could not be read: database rows {listed}"
            f" (unknown status); row {bad + 2} (record not readable); the export holds the rest: {FIX_ROWS}"
        )
        assert store.damage_message("report", lang="sv") == (
            f"{path}: databasen är skadad, {bad + 1} formulär kunde inte läsas: databasens rader {listed}"
            f" (unknown status); rad {bad + 2} (record not readable); rapporten visar resten: {FIX_ROWS_SV}"
        )


def test_a_table_a_later_step_drops_is_not_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A release that makes a table in one step and drops it in a later one: the store is whole, not damaged."""
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add(make_record(1))
    steps = ("CREATE TABLE scratch (x INTEGER)", "DROP TABLE scratch")
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, *steps))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 2)
    assert "scratch" not in schema.schema_objects()
    with Store(path) as store:
        assert (store.schema_version, store.missing) == (SCHEMA_VERSION + 2, [])
        store.check()
        assert [r.source.path for r in store.records()] == ["/in/form1.pdf"]


def test_a_mail_with_only_some_headers_is_kept_as_it_came(tmp_path: Path) -> None:
    """A message without Date or Subject (or From) still came by mail: what it had is kept, the rest None."""
    partial = [
        Provenance("karin@example.se", None, None),
        Provenance(None, "2026-12-31T10:00:00+00:00", None),
        Provenance(None, None, "Mini-CEX Åsa"),
    ]
    with Store(tmp_path / "s.sqlite") as store:
        for n, mail in enumerate(partial):
            store.add(make_record(n), mail=mail)
        store.add(make_record(3))
        assert [r.mail for r in store.rows()] == [*partial, None]


def test_giving_up_on_another_writer_comes_after_the_named_wait_not_before(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store(path).close()
    with sqlite3.connect(path, isolation_level=None) as other:
        assert other.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    other.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    try:
        with pytest.raises(StoreError) as caught:
            Store(path, lock_wait=0.3)
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert caught.value.kind == "locked"
    assert 0.3 <= waited < 2.0


def test_integrity_is_not_ok_when_a_problem_row_points_at_no_form(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.add(make_record(1))
        assert store.integrity_ok()
    raw = sqlite3.connect(db)  # another program, foreign keys off (SQLite's default)
    raw.execute(
        "INSERT INTO problems (form, seq, code, severity, field, message_sv, message_en)"
        " VALUES (9999, 0, 'date_future', 'warning', NULL, 'sv', 'en')"
    )
    raw.commit()
    raw.close()
    with Store(db) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # the pages are fine
        assert not store.integrity_ok()


def test_a_store_file_name_is_taken_as_written_even_when_it_looks_like_a_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = "file:minicex#2026?mode=ro.sqlite"
    with Store(Path(name)) as store:
        store.add(make_record(1))
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    with Store(Path(name), readonly=True) as store:
        assert store.db.execute("SELECT count(*) FROM forms").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("column", "text"),
    [
        ("part", "[]"),
        ("part", '"x"'),
        ("part", "5"),
        ("part", None),
        ("part", "{"),
        ("earlier", '{"a": 1}'),
        ("earlier", "[[1]]"),
    ],
)
def test_a_stored_file_another_program_garbled_stops_the_next_of_its_assessment_with_one_line(
    tmp_path: Path, column: str, text: str | None
) -> None:
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.add(make_record(1))
    raw = sqlite3.connect(db)
    raw.execute(f"UPDATE forms SET {column} = ?", (text,))
    raw.commit()
    raw.close()
    before = files(tmp_path)
    with Store(db) as store, pytest.raises(StoreError) as err:
        store.add(make_record(1, extra=" and the action plan"))
    assert str(err.value) == (
        f"{db}: the database is damaged (the files stored with this one (instance:inst1) cannot be grouped,"
        " a record is not readable): restore it from a backup, or import the forms again into a new database"
    )
    with Store(db) as store:
        assert store.db.execute("SELECT count(*) FROM forms").fetchone()[0] == 1
    assert set(files(tmp_path)) == set(before)


def test_what_storing_did_is_a_value_that_cannot_be_changed(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        stored = store.add(make_record(1))
        again = store.add(make_record(1))
    assert (stored.new, stored.revision, again.new, again.revision) == (True, 1, False, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.revision = 2  # type: ignore[misc]
