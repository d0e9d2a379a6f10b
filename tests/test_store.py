"""The SQLite store: records rebuilt exactly, revisions, unreadable files, schema versions.

These tests build :class:`Record` values directly (the reader's output
contract); the end-to-end tests in test_import.py go through real PDFs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from minicex_pdf.errors import DamagedPdfError, UsageError
from minicex_pdf.form.definition import Text, load_definition
from minicex_pdf.reading.record import Problem, Record, Source, SubGoal
from minicex_pdf.storage import schema
from minicex_pdf.storage.store import SCHEMA_VERSION, Store, Unreadable, key_fields, reason_of

DEF = load_definition()
TRAINEE, DATE, ASSESSOR = key_fields(DEF)
#: Free-text fields outside the assessor's part that the trainee fills in after the assessment.
TRAINEE_PART = {
    DEF.role("action_plan"),
    *(f for f in DEF.fields if f.signature and f not in DEF.role_fields("assessor_part")),
}


def make_record(
    n: int, *, trainee: str = "Anna Berg", date: dt.date | None = None, instance: str | None = "", extra: str = ""
) -> Record:
    """A record typed as the reader types one, with a value of every field type of the definition."""
    values: dict[str, object] = {}
    for f in DEF.fields:
        if f.type in ("text", "multiline"):
            # `extra` is the trainee's later filling of the same assessment: the assessor's part stays
            values[f.name] = f"{f.name} {n}{extra if f in TRAINEE_PART else ''}"
        elif f.type == "date":
            values[f.name] = date or dt.date(2026, 1, 1) + dt.timedelta(days=n)
        elif f.type == "integer":
            values[f.name] = n
        elif f.type == "checkbox":
            values[f.name] = n % 2 == 0
        elif f.type == "multichoice":
            values[f.name] = tuple(o.code for o in f.options[: 1 + n % len(f.options)])
        else:
            values[f.name] = f.options[n % len(f.options)].code
    values[TRAINEE] = trainee
    content = f"{n}{trainee}{instance}{extra}".encode()
    return Record(
        source=Source(
            path=f"/in/form{n}.pdf",
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            form_id=DEF.id,
            form_version=DEF.version,
            instance_id=f"inst{n}" if instance == "" else instance,
        ),
        values=values,
        subgoals=(SubGoal("STa1", DEF.regulations[0].code), SubGoal("STc4", DEF.regulations[0].code)),
        problems=(Problem("no_action_plan", "warning", "action_plan", Text("ingen plan", "no plan")),) * (n % 2),
        status="complete" if n % 2 == 0 else "awaiting_action_plan",
        raw={"observation_minutes": "tjugo"} if n == 3 else {},
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "t.sqlite") as s:
        yield s


def test_records_are_rebuilt_exactly(store: Store) -> None:
    originals = [make_record(n) for n in range(5)]
    for r in originals:
        assert store.add(r).new
    back = list(store.records())
    assert back == originals  # dates, tuples, subgoals, problems, raw: all equal, in date order
    assert isinstance(back[0].values[DATE], dt.date)


def test_same_bytes_twice_is_not_stored_twice(store: Store) -> None:
    r = make_record(1)
    first, second = store.add(r), store.add(r)
    assert first.new and not second.new and second.revision == 1
    assert store.counts() == {"files": 1, "forms": 1, "unreadable": 0}
    assert r.source.sha256 in store.known_hashes()


def test_refilled_form_is_a_new_revision_and_the_old_one_stays(store: Store) -> None:
    old = make_record(1, instance="abc")
    new = make_record(1, instance="abc", extra=" more")
    assert store.add(old).revision == 1
    assert store.add(new).revision == 2
    assert list(store.records()) == [new]
    assert store.revisions("abc") == [old, new]
    assert store.counts() == {"files": 2, "forms": 1, "unreadable": 0}


def assessments(store: Store) -> list[list[str]]:
    """The stored files grouped by assessment, each in revision order, as their SHA-256 (sorted by first file)."""
    rows = store._db.execute("SELECT form_key, sha256 FROM forms ORDER BY form_key, revision").fetchall()
    out: dict[str, list[str]] = {}
    for key, sha in rows:
        out.setdefault(key, []).append(sha)
    return sorted(out.values())


def _copy(record: Record, tag: str, **values: object) -> Record:
    """``record`` with other ``values``, as another file (its own SHA-256)."""
    sha = hashlib.sha256((record.source.sha256 + tag).encode()).hexdigest()
    return replace(record, values={**record.values, **values}, source=replace(record.source, sha256=sha))


def test_copies_of_one_prefilled_form_used_for_other_assessments_are_forms_of_their_own(store: Store) -> None:
    """A trainee saves the pre-filled PDF and uses it again: another date or assessor is another assessment."""
    first = make_record(1, instance="pre", date=dt.date(2026, 2, 1))
    other_day = make_record(2, instance="pre", date=dt.date(2026, 3, 1))
    plan_added = _copy(first, "plan", action_plan="Läsa mer", trainee_signature="Anna Berg")
    other_assessor = _copy(first, "other", **{ASSESSOR: "Someone Else"})
    started = _copy(first, "started", **{DATE: None, "went_well": None})
    for r in (first, other_day, plan_added, other_assessor, started):
        assert store.add(r).new
    sha = lambda r: r.source.sha256  # noqa: E731
    assert assessments(store) == sorted(
        [
            # date and feedback not yet filled, then filled, then the plan added: three revisions
            [sha(started), sha(first), sha(plan_added)],
            [sha(other_day)],
            [sha(other_assessor)],
        ]
    )
    assert store.counts() == {"files": 5, "forms": 3, "unreadable": 0}
    assert len(store.revisions("pre")) == 5
    assert plan_added in list(store.records())


def test_forms_without_instance_id_are_each_their_own_form(store: Store) -> None:
    a, b = make_record(1, instance=None), make_record(2, instance=None)
    store.add(a)
    store.add(b)
    assert list(store.records()) == [a, b]


def test_records_by_trainee_oldest_first_and_trainee_names(store: Store) -> None:
    store.add(make_record(1, trainee="Anna  Berg", date=dt.date(2026, 3, 1)))
    store.add(make_record(2, trainee="Olle Ek", date=dt.date(2026, 1, 1)))
    store.add(make_record(3, trainee="anna berg", date=dt.date(2026, 2, 1)))
    assert store.trainees() == ["Anna Berg", "Olle Ek"]
    dates = [r.values[DATE] for r in store.records("ANNA BERG")]
    assert dates == [dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert [r.values[DATE] for r in store.records()] == sorted([*dates, dt.date(2026, 1, 1)])


def test_problems_have_their_own_table(store: Store, tmp_path: Path) -> None:
    store.add(make_record(1))
    store.add(make_record(2))
    store.close()
    with sqlite3.connect(tmp_path / "t.sqlite") as db:
        rows = db.execute("SELECT code, severity, field, message_en FROM problems").fetchall()
    assert rows == [("no_action_plan", "warning", "action_plan", "no plan")]


def test_unreadable_files_are_remembered_by_hash(store: Store) -> None:
    exc = DamagedPdfError("/in/bad.pdf", "cut short")
    item = Unreadable("/in/bad.pdf", "ab" * 32, 10, exc.kind, reason_of(exc))
    store.add_unreadable(item)
    store.add_unreadable(item)  # seen again: one row
    assert list(store.unreadable()) == [item]
    assert store.lookup("ab" * 32) == item
    assert "ab" * 32 in store.known_hashes()
    assert item.reason.en == "the PDF is damaged or truncated (cut short)"


def test_schema_is_versioned_and_migrates_forward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.sqlite"
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        s.add(make_record(1))
    extra = "ALTER TABLE forms ADD COLUMN note TEXT; CREATE INDEX forms_note ON forms (note)"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, extra))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION + 1
        assert len(list(s.records())) == 1  # data kept across the migration
    with sqlite3.connect(path) as db:
        assert "note" in [r[1] for r in db.execute("PRAGMA table_info(forms)")]


def test_newer_schema_and_foreign_files_are_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    Store(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(UsageError, match="newer minicex"):
        Store(newer)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(UsageError, match="not a minicex database"):
        Store(other)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is no database at all" * 100)
    with pytest.raises(UsageError, match="not a minicex database"):
        Store(junk)
