"""Opening the store's file: create or migrate it, check it is a store and sound, guard every query.

:class:`StoreFile` is the base of :class:`~minicex_pdf.storage.store.Store`: the
connection and its lifetime, the schema brought forward (:mod:`.schema`) one
transaction per step, the read-only ways of opening a store in a folder this user
may not write, and the guard that turns every SQLite fault into a
:class:`~minicex_pdf.errors.StoreError` naming the file (:mod:`.faults`).
"""

from __future__ import annotations

import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Self

from ..errors import StoreError, UsageError
from ..limits import store_lock_wait
from ..reading.record import STATUSES
from . import schema
from .faults import Transaction, error_code, fault, is_busy, is_damage, rollback, store_error
from .schema import is_foreign, missing_objects


class StoreFile:
    """One open store file; created or migrated forward when opened (``readonly``: then only read, once an older store was brought forward)."""

    def __init__(self, path: str | Path, *, readonly: bool = False, lock_wait: float | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.lock_wait = store_lock_wait() if lock_wait is None else lock_wait
        #: Database rows the last :meth:`rows` could not read: row id -> what is wrong.
        self.damaged: dict[int, str] = {}
        #: Tables and views of the schema that are missing from the file.
        self.missing: list[str] = []
        if self.path.is_dir():
            raise UsageError(f"{self.path}: is a folder, not a database file")
        with self._errors():
            self._db = self._open_readonly() if readonly else self._open()

    # ------------------------------------------------------------------ opening

    def _uri(self, **query: str) -> str:
        """The store's file as an SQLite URI, so that a name like ``file:a#b?c`` is taken as written."""
        return (
            "file:"
            + urllib.parse.quote(str(self.path.absolute()))
            + (f"?{urllib.parse.urlencode(query)}" if query else "")
        )

    def _connect(self, uri: str) -> sqlite3.Connection:
        db = sqlite3.connect(uri, isolation_level=None, timeout=self.lock_wait, uri=True)
        db.row_factory = sqlite3.Row
        return db

    def _open(self) -> sqlite3.Connection:
        folder = self.path.parent
        if self.path.exists() and not (os.access(self.path, os.W_OK) and os.access(folder, os.W_OK)):
            raise fault("readonly", "readonly", path=self.path)
        if not self.path.exists() and folder.is_dir() and not os.access(folder, os.W_OK):
            raise fault("readonly_folder", "readonly", path=self.path)
        db = self._connect(self._uri())
        try:
            self._identify(db)
            self._wal(db)
            self._migrate(db)
            self.missing = missing_objects(db)
            if self.missing:
                raise fault("missing", "damaged", path=self.path, what=", ".join(self.missing))
        except BaseException:
            db.close()
            raise
        return db

    def _open_readonly(self) -> sqlite3.Connection:
        if not self.path.exists():
            raise UsageError(f"{self.path}: no such database file")
        db = self._connect(self._uri(mode="ro"))
        try:
            version = self._identify(db)
        except sqlite3.OperationalError as exc:
            db.close()
            if not error_code(exc).startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
                raise
            # A WAL store in a folder this user may not write: SQLite cannot make its shared-memory
            # file, so read the file as it is (nobody can be writing it: the folder is read-only),
            # unless its write-ahead log holds changes that reading it this way would miss.
            wal = Path(f"{self.path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise fault("wal", "readonly", path=self.path, wal=wal.name) from None
            db = self._connect(self._uri(mode="ro", immutable="1"))
            try:
                version = self._identify(db)
            except BaseException:
                db.close()
                raise
        except BaseException:
            db.close()
            raise
        if version < schema.SCHEMA_VERSION:
            # An older store: bring it forward once (this needs write access), then read it.
            db.close()
            try:
                StoreFile(self.path, lock_wait=self.lock_wait).close()
            except StoreError as exc:
                if exc.kind not in ("readonly", "cannot_open"):
                    raise
                raise fault("old", exc.kind, path=self.path) from None
            return self._open_readonly()
        self.missing = missing_objects(db)
        if "forms" in self.missing:  # nothing at all can be read
            db.close()
            raise fault("missing", "damaged", path=self.path, what=", ".join(self.missing))
        return db

    def _identify(self, db: sqlite3.Connection) -> int:
        """Check that ``db`` is a minicex store (or empty) this release can use; its schema version."""
        try:
            db.execute("BEGIN")  # one snapshot: another process may be creating the store right now
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            rollback(db)
            if error_code(exc) == "SQLITE_NOTADB":
                raise UsageError(f"{self.path}: not a minicex database ({exc})") from None
            raise
        rollback(db)
        if is_foreign(app_id, tables):
            raise UsageError(f"{self.path}: is a SQLite database, but not a minicex database")
        if version > schema.SCHEMA_VERSION:
            raise UsageError(
                f"{self.path}: made by a newer minicex (schema {version}; this release knows up to {schema.SCHEMA_VERSION})"
            )
        return int(version)

    def _wal(self, db: sqlite3.Connection) -> None:
        """Write-ahead logging; changing the journal mode does not wait for locks by itself, so retry."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                db.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Bring the schema forward, one transaction per step, each step decided under the write lock.

        Two imports may create the same new store at the same moment: whichever comes second
        finds the step done (the version read inside its own transaction) and skips it.
        """
        while db.execute("PRAGMA user_version").fetchone()[0] < schema.SCHEMA_VERSION:
            with Transaction(db):  # rolled back on any exception, as every write of the store
                app_id = db.execute("PRAGMA application_id").fetchone()[0]
                tables = db.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
                if is_foreign(app_id, tables):  # another program made it since _identify looked
                    raise UsageError(f"{self.path}: is a SQLite database, but not a minicex database")
                step = db.execute("PRAGMA user_version").fetchone()[0]
                if step < schema.SCHEMA_VERSION:
                    schema.migrate_step(db, step)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn SQLite's exceptions into a :class:`StoreError` that names the file and what to do."""
        try:
            yield
        except sqlite3.Error as exc:
            raise store_error(self.path, exc, self.lock_wait) from None

    def check(self) -> None:
        """Raise :class:`StoreError` when the file is damaged: pages, tables, records or statuses.

        ``PRAGMA quick_check``, the schema's tables, every record's JSON and status.
        An import runs this first, so that it never writes into a damaged store.
        """
        with self._errors():
            if self.missing:
                raise fault("missing", "damaged", path=self.path, what=", ".join(self.missing))
            result = [r[0] for r in self._db.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                what = "database disk image is malformed"  # what SQLite says when it meets such a page
                raise fault("damaged", "damaged", path=self.path, what=what)
            bad = self._bad_records()
            if bad:
                what = f"database row(s) {', '.join(map(str, bad))}: record not readable or unknown status"
                raise fault("damaged", "damaged", path=self.path, what=what)

    def _bad_records(self) -> list[int]:
        """The first ten rows whose record is not JSON or whose status is unknown (SQLite's JSON functions, 3.38+)."""
        known = ", ".join(f"'{s}'" for s in STATUSES)
        return [
            r[0]
            for r in self._db.execute(
                "SELECT id FROM forms WHERE status NOT IN (" + known + ") OR CASE WHEN json_valid(record)"
                " THEN coalesce(json_extract(record, '$.status') NOT IN (" + known + "), 1) ELSE 1 END"
                " OR NOT json_valid(coalesce(part, '{}')) OR NOT json_valid(coalesce(earlier, '[]'))"
                " ORDER BY id LIMIT 10"
            )
        ]

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._errors():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------------ queries and transactions

    def _transaction(self) -> Transaction:
        """The store's one write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``/``ROLLBACK``)."""
        return Transaction(self._db)

    def tolerant(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row] | None:
        """The rows of a caller's query, or None where the file is damaged (other faults: a StoreError)."""
        with self._errors():
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                return None

    def guarded(self) -> AbstractContextManager[None]:
        """``with store.guarded():`` SQLite faults in a caller's own queries become a StoreError naming the file."""
        return self._errors()

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection, for modules that keep their own tables here (roster_store, audit)."""
        return self._db

    def transaction(self) -> Transaction:
        """``with store.transaction() as db:`` one write transaction, rolled back on any exception."""
        return Transaction(self._db)

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Close the database (checkpointing the write-ahead log)."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
