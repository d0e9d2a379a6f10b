"""The store under real faults, with exact expectations: the slow read past a damaged schema, a held lock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from test_store import make_record

from minicex_pdf.errors import StoreError
from minicex_pdf.storage import schema
from minicex_pdf.storage.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Store,
)


def drop_latest(path: Path) -> None:
    """Damage the schema as another program might: the view the fast read uses is gone."""
    with sqlite3.connect(path) as other:
        other.execute("DROP VIEW latest")


def test_the_slow_read_filters_by_trainee_and_keeps_the_date_order(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    undated = make_record(5, trainee="Åsa Öberg")
    undated = dataclasses.replace(undated, values={**undated.values, "date": None})
    with Store(path) as store:
        store.add(make_record(1, trainee="Åsa Öberg", date=dt.date(2026, 3, 1)))
        store.add(make_record(2, trainee="Bo Ek", date=dt.date(2026, 1, 1)))
        store.add(undated)
        store.add(make_record(3, trainee="A\u030asa  öberg", date=dt.date(2026, 2, 1)))
        store.add(make_record(4, trainee="Åsa Öberg", date=dt.date(2026, 2, 1)))  # same date: import order
        fast = {t: [r.record.source.path for r in store.rows(t)] for t in (None, "åsa öberg", "BO EK", "Nobody")}
        drop_latest(path)
        slow = {t: [r.record.source.path for r in store.rows(t)] for t in (None, "åsa öberg", "BO EK", "Nobody")}
        assert store.damaged == {}
    assert (
        slow
        == fast
        == {
            None: ["/in/form2.pdf", "/in/form3.pdf", "/in/form4.pdf", "/in/form1.pdf", "/in/form5.pdf"],
            "åsa öberg": ["/in/form3.pdf", "/in/form4.pdf", "/in/form1.pdf", "/in/form5.pdf"],
            "BO EK": ["/in/form2.pdf"],
            "Nobody": [],
        }
    )


def test_the_slow_read_gives_the_latest_revision_and_the_status_filter(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    first = make_record(4, instance="again", date=dt.date(2026, 5, 1))
    later = make_record(4, instance="again", extra=" corrected", date=dt.date(2026, 5, 1))
    with Store(path) as store:
        store.add(first)
        store.add(make_record(1, date=dt.date(2026, 6, 1)))  # odd: awaiting the action plan
        store.add(later)
        store.add(make_record(2, date=dt.date(2026, 4, 1)))
        drop_latest(path)
        rows = [(r.row_id, r.revision, r.record.source.sha256) for r in store.rows()]
        assert rows == [
            (4, 1, make_record(2).source.sha256),
            (3, 2, later.source.sha256),
            (2, 1, make_record(1).source.sha256),
        ]
        complete = [r.record.source.path for r in store.rows(statuses=["complete"])]
        awaiting = [r.record.source.path for r in store.rows("anna berg", statuses=["awaiting_action_plan"])]
        assert (complete, awaiting, store.damaged) == (["/in/form2.pdf", "/in/form4.pdf"], ["/in/form1.pdf"], {})


def test_the_slow_read_names_a_row_of_an_unknown_status(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add(make_record(1))
        store.add(make_record(2))
        with sqlite3.connect(path) as other:
            other.execute("UPDATE forms SET status = 'lost' WHERE id = 1")
        drop_latest(path)
        assert [r.record.source.path for r in store.rows(statuses=["complete"])] == ["/in/form2.pdf"]
        assert store.damaged == {1: "unknown status"}


def rollback_journal(path: Path) -> None:
    """A store as a copy tool leaves it: back in the rollback journal, so opening it must switch to WAL again."""
    Store(path).close()
    with sqlite3.connect(path, isolation_level=None) as other:
        assert other.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    other.close()


def test_switching_to_the_write_ahead_log_waits_for_another_writer(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    rollback_journal(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another program writing: readers may read, nobody may switch the journal
    release = threading.Timer(0.3, lambda: other.execute("ROLLBACK"))
    release.start()
    try:
        with Store(path, lock_wait=5) as store:
            assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        release.join()
        other.close()


def test_switching_to_the_write_ahead_log_gives_up_after_the_named_wait(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    rollback_journal(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as caught:
            Store(path, lock_wait=0.2)
        assert (caught.value.kind, str(caught.value)) == (
            "locked",
            f"{path}: the database is locked by another program (waited 0.2 s):"
            " close that program or let it finish, then run the command again",
        )
    finally:
        other.execute("ROLLBACK")
        other.close()


def older_store(path: Path, version: int) -> None:
    """A store as an older release made it: the first ``version`` migrations, then that schema version."""
    db = sqlite3.connect(path, isolation_level=None)
    for step in range(version):
        schema.migrate_step(db, step)
    db.close()


@pytest.mark.parametrize("version", [1, 3, 4])
def test_a_store_made_by_an_older_schema_is_brought_forward_step_by_step(tmp_path: Path, version: int) -> None:
    path = tmp_path / "s.sqlite"
    older_store(path, version)
    with Store(path) as store:
        assert (store.schema_version, store.missing) == (SCHEMA_VERSION, [])
        assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store.add(make_record(1))
        assert [r.source.path for r in store.records()] == ["/in/form1.pdf"]
    Store(tmp_path / "new.sqlite").close()
    assert objects(path) == objects(tmp_path / "new.sqlite")  # the same tables, views and indexes as a new store


def objects(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT type, name FROM sqlite_schema ORDER BY type, name").fetchall()
