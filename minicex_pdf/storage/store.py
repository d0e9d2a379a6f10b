"""The embedded store: one SQLite file of imported records, their problems and unreadable files.

Each imported file is one row of ``forms``: indexed columns for lookups and the
whole :meth:`Record.to_dict` as JSON, so that :meth:`Store.records` rebuilds
the record exactly (values typed by the definition of the form's version).
Problems have their own table; files that could not be read go in
``unreadable`` so that a later run reports them again without re-reading them.

Which files are one assessment is decided from their content by
:mod:`.identity`: a form returned again after more filling is a new *revision*
(older revisions stay); copies of one pre-filled form used for other
assessments, or walk-in blanks of one trainee, are forms of their own. Each
file's ``pool``, compared ``part`` and fullness are stored with it, and when a
file arrives the files of its pool are grouped again, so ``form_key`` and
``revision`` are the same whatever order the files came in. ``form_key`` names
an assessment and may change as files arrive: the stable handle of a file is
its row id or SHA-256. Each file is written in one transaction, so an import
stopped at any moment leaves a consistent database. The schema has a version
(``PRAGMA user_version``) and migrates forward.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import DefinitionError, FormReadError, UsageError
from ..form.definition import FormDefinition, Text, load_definition
from ..reading.record import STATUSES, Problem, Record, Source, SubGoal
from . import identity

#: Marks a SQLite file as a minicex store (``PRAGMA application_id``): "MCEX".
APPLICATION_ID = 0x4D434558


@dataclass(frozen=True)
class Step:
    """A migration step that runs SQL and then a Python function on the connection, in one transaction."""

    sql: str
    then: Callable[[sqlite3.Connection], None]


#: Forward migrations: entry ``i`` brings a database from version ``i`` to ``i + 1``.
#: Append new entries at the end; never edit one that has been released.
MIGRATIONS: tuple[str | Step, ...] = (
    """
    CREATE TABLE forms (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        form_key TEXT NOT NULL,
        instance_id TEXT,
        revision INTEGER NOT NULL,
        form_id TEXT NOT NULL,
        form_version INTEGER NOT NULL,
        trainee TEXT,
        trainee_key TEXT,
        date TEXT,
        status TEXT NOT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (form_key, revision)
    );
    CREATE INDEX forms_trainee ON forms (trainee_key);
    CREATE INDEX forms_date ON forms (date);
    CREATE TABLE problems (
        form INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        field TEXT,
        message_sv TEXT NOT NULL,
        message_en TEXT NOT NULL,
        PRIMARY KEY (form, seq)
    );
    CREATE INDEX problems_code ON problems (code);
    CREATE TABLE unreadable (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        kind TEXT NOT NULL,
        reason_sv TEXT NOT NULL,
        reason_en TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    CREATE VIEW latest AS
        SELECT * FROM forms AS f
        WHERE f.revision = (SELECT max(g.revision) FROM forms AS g WHERE g.form_key = f.form_key);
    """,
    # 2: identity from content (storage/identity.py). `pool`: the files that may be one
    # assessment; `part`: the assessor's part and trainee as compared (JSON); `filled`: how many
    # fields are filled; `earlier`: SHA-256 of the files this one was saved over (JSON). Existing rows get them, statuses get "empty", and every pool is grouped
    # again (form_key, revision): no row is deleted.
    Step(
        """
        ALTER TABLE forms ADD COLUMN pool TEXT;
        ALTER TABLE forms ADD COLUMN part TEXT;
        ALTER TABLE forms ADD COLUMN filled INTEGER;
        ALTER TABLE forms ADD COLUMN earlier TEXT;
        CREATE INDEX forms_pool ON forms (pool);
        CREATE INDEX forms_status ON forms (status)
        """,
        lambda db: _rederive(db),
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Stored:
    """What storing one readable file did: ``new`` False when its bytes were already there."""

    new: bool
    revision: int
    form_key: str
    #: How many stored files the assessment has, this one included.
    files: int = 1


@dataclass(frozen=True)
class StoredRow:
    """One stored form with its bookkeeping: the record and where and when it came in."""

    record: Record
    revision: int
    imported_at: str


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be read: its kind (``FormReadError.kind``) and the reason in words."""

    path: str
    sha256: str
    size: int
    kind: str
    reason: Text


def reason_of(exc: FormReadError) -> Text:
    """What is wrong with an unreadable file, without its path, in both languages."""
    tail = f" ({exc.detail})" if exc.detail else ""
    return Text(sv=exc.text.get("sv", exc.text["en"]) + tail, en=exc.text["en"] + tail)


def key_fields(definition: FormDefinition) -> tuple[str, str, str]:
    """The fields that name the trainee, date the assessment and name the assessor (the definition's roles)."""
    return definition.role("trainee").name, definition.role("date").name, definition.role("assessor").name


def _assessment(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """A record dict's assessment date (ISO) and assessor (folded), None where not filled in."""
    definition = _definition(data["source"]["form_version"])
    if definition is None:
        return None, None
    _, date_field, assessor_field = key_fields(definition)
    date, assessor = data["values"].get(date_field), data["values"].get(assessor_field)
    return (date if isinstance(date, str) else None), _trainee_key(assessor if isinstance(assessor, str) else None)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _trainee_key(name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    return _SPACE.sub(" ", name).strip().casefold()


def _definition(version: int) -> FormDefinition | None:
    try:
        return load_definition(version)
    except DefinitionError:
        return None


def _typer(field_type: str) -> Callable[[Any], Any]:
    if field_type == "date":
        return lambda v: _dt.date.fromisoformat(v) if isinstance(v, str) else v
    if field_type == "multichoice":
        return lambda v: tuple(v) if isinstance(v, list) else v
    if field_type == "checkbox":
        return lambda v: bool(v) if v is not None else False
    return lambda v: v


def record_from_dict(data: dict[str, Any], definition: FormDefinition | None = None) -> Record:
    """Rebuild a :class:`Record` from :meth:`Record.to_dict`, values typed by ``definition``."""
    src = data["source"]
    source = Source(
        path=src["path"],
        sha256=src["sha256"],
        size=src["size"],
        form_id=src["form_id"],
        form_version=src["form_version"],
        instance_id=src["instance_id"],
        earlier=tuple(src.get("earlier", ())),
    )
    if definition is None:
        definition = _definition(source.form_version)
    types = {f.name: f.type for f in definition.fields} if definition else {}
    values = {}
    for name, value in data["values"].items():
        if name in types:
            values[name] = _typer(types[name])(value)
        else:
            values[name] = tuple(value) if isinstance(value, list) else value
    return Record(
        source=source,
        values=values,
        subgoals=tuple(SubGoal(code=s["code"], regulation=s["regulation"]) for s in data.get("subgoals", ())),
        problems=tuple(
            Problem(
                code=p["code"],
                severity=p["severity"],
                field=p["field"],
                message=Text(sv=p["message"]["sv"], en=p["message"]["en"]),
            )
            for p in data.get("problems", ())
        ),
        status=data["status"],
        raw=dict(data.get("raw", {})),
    )


class Store:
    """One SQLite file of imported forms; created or migrated forward when opened."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise UsageError(f"{self.path}: is a folder, not a database file")
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise UsageError(f"{self.path}: cannot open the database ({exc})") from None
        self._db.row_factory = sqlite3.Row
        try:
            self._setup()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise UsageError(f"{self.path}: not a minicex database ({exc})") from None

    # ------------------------------------------------------------------ schema

    def _setup(self) -> None:
        db = self._db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
            raise UsageError(f"{self.path}: is a SQLite database, but not a minicex database")
        if version > SCHEMA_VERSION:
            raise UsageError(
                f"{self.path}: made by a newer minicex (schema {version}; this release knows up to {SCHEMA_VERSION})"
            )
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        for step in range(version, SCHEMA_VERSION):
            # One transaction per step: a migration either happens whole or not at all.
            db.execute("BEGIN IMMEDIATE")
            try:
                migration = MIGRATIONS[step]
                for statement in _statements(migration.sql if isinstance(migration, Step) else migration):
                    db.execute(statement)
                if isinstance(migration, Step):
                    migration.then(db)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {step + 1}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------------ writing

    def known_hashes(self) -> set[str]:
        """SHA-256 of every file seen before: imported, or unreadable by this release."""
        rows = self._db.execute(
            "SELECT sha256 FROM forms UNION SELECT sha256 FROM unreadable WHERE tool_version = ?", (__version__,)
        )
        return {r[0] for r in rows}

    def lookup(self, sha256: str) -> Stored | Unreadable | None:
        """What is stored for a file with this SHA-256: the form, the unreadable entry, or None."""
        row = self._db.execute("SELECT revision, form_key FROM forms WHERE sha256 = ?", (sha256,)).fetchone()
        if row:
            return Stored(new=False, revision=row["revision"], form_key=row["form_key"])
        row = self._db.execute(
            "SELECT * FROM unreadable WHERE sha256 = ? AND tool_version = ?", (sha256, __version__)
        ).fetchone()
        return _unreadable(row) if row else None

    def add(self, record: Record | dict[str, Any]) -> Stored:
        """Store one record and its problems in one transaction; a known SHA-256 is left as it is.

        ``record`` may be a :class:`Record` or its :meth:`Record.to_dict` (what import workers send).
        The files of its pool are then grouped into assessments again (:mod:`.identity`).
        """
        data = record.to_dict() if isinstance(record, Record) else record
        src = data["source"]
        definition = _definition(src["form_version"])
        trainee = data["values"].get(key_fields(definition)[0]) if definition else None
        trainee = (_SPACE.sub(" ", trainee).strip() or None) if isinstance(trainee, str) else None
        date = _assessment(data)[0]
        instance = src["instance_id"] or None
        pool, part, filled = _identity_columns(definition, data)
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT revision, form_key FROM forms WHERE sha256 = ?", (src["sha256"],)).fetchone()
            if row:
                db.execute("ROLLBACK")
                return Stored(new=False, revision=row["revision"], form_key=row["form_key"])
            cur = db.execute(
                "INSERT INTO forms (sha256, form_key, instance_id, revision, form_id, form_version, trainee,"
                " trainee_key, date, status, path, size, imported_at, record, pool, part, filled, earlier)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    src["sha256"],
                    f"new:{src['sha256']}",
                    instance,
                    1,
                    src["form_id"],
                    src["form_version"],
                    trainee,
                    _trainee_key(trainee),
                    date,
                    data["status"],
                    src["path"],
                    src["size"],
                    _now(),
                    json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                    pool,
                    part,
                    filled,
                    json.dumps(src.get("earlier", [])),
                ),
            )
            db.executemany(
                "INSERT INTO problems (form, seq, code, severity, field, message_sv, message_en)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (cur.lastrowid, i, p["code"], p["severity"], p["field"], p["message"]["sv"], p["message"]["en"])
                    for i, p in enumerate(data["problems"])
                ],
            )
            _regroup(db, pool)
            row = db.execute("SELECT revision, form_key FROM forms WHERE id = ?", (cur.lastrowid,)).fetchone()
            files = db.execute("SELECT count(*) FROM forms WHERE form_key = ?", (row["form_key"],)).fetchone()[0]
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return Stored(new=True, revision=row["revision"], form_key=row["form_key"], files=files)

    def add_unreadable(self, item: Unreadable) -> None:
        """Remember a file that could not be read (by SHA-256), in one transaction."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO unreadable (sha256, path, size, kind, reason_sv, reason_en, tool_version, seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, kind = excluded.kind,"
                " reason_sv = excluded.reason_sv, reason_en = excluded.reason_en,"
                " tool_version = excluded.tool_version, seen_at = excluded.seen_at",
                (
                    item.sha256,
                    item.path,
                    item.size,
                    item.kind,
                    item.reason.sv,
                    item.reason.en,
                    __version__,
                    _now(),
                ),
            )

    def _transaction(self) -> _Tx:
        return _Tx(self._db)

    # ------------------------------------------------------------------ reading

    def records(self, trainee: str | None = None) -> Iterator[Record]:
        """The latest revision of each form, oldest assessment date first (undated last)."""
        for row in self.rows(trainee):
            yield row.record

    def rows(self, trainee: str | None = None, *, statuses: Collection[str] | None = None) -> Iterator[StoredRow]:
        """Like :meth:`records`, with each record's revision and import time; only ``statuses`` if given."""
        sql = "SELECT record, revision, imported_at, form_version FROM latest WHERE 1"
        args: list[Any] = []
        if trainee is not None:
            sql += " AND trainee_key = ?"
            args.append(_trainee_key(trainee))
        if statuses is not None:
            sql += f" AND status IN ({', '.join('?' * len(statuses))})"
            args.extend(statuses)
        sql += " ORDER BY date IS NULL, date, imported_at, id"
        cache: dict[int, FormDefinition | None] = {}
        # A cursor of its own streams rows: no list of all records is held.
        for row in self._db.execute(sql, args):
            version = row["form_version"]
            if version not in cache:
                cache[version] = _definition(version)
            yield StoredRow(
                record=record_from_dict(json.loads(row["record"]), cache[version]),
                revision=row["revision"],
                imported_at=row["imported_at"],
            )

    def revisions(self, instance_id: str) -> list[Record]:
        """Every stored file with ``instance_id`` (revisions, and forms from copies of it), oldest first."""
        rows = self._db.execute("SELECT record FROM forms WHERE instance_id = ? ORDER BY id", (instance_id,))
        return [record_from_dict(json.loads(r["record"])) for r in rows]

    def status_counts(self) -> dict[str, int]:
        """How many forms (latest revisions) have each status; every status of ``STATUSES`` is a key."""
        rows = self._db.execute("SELECT status, count(*) FROM latest GROUP BY status")
        out: dict[str, int] = dict.fromkeys(STATUSES, 0)
        out.update({r[0]: r[1] for r in rows})
        return out

    def trainees(self) -> list[str]:
        """The trainees with at least one form, by name (one spelling each)."""
        rows = self._db.execute(
            "SELECT min(trainee) FROM forms WHERE trainee_key IS NOT NULL GROUP BY trainee_key ORDER BY trainee_key"
        )
        return [r[0] for r in rows]

    def unreadable(self) -> Iterator[Unreadable]:
        """The files that could not be read, by path."""
        for row in self._db.execute("SELECT * FROM unreadable ORDER BY path"):
            yield _unreadable(row)

    def counts(self) -> dict[str, int]:
        """How many stored files, forms (latest revisions) and unreadable files."""
        one = self._db.execute
        return {
            "files": one("SELECT count(*) FROM forms").fetchone()[0],
            "forms": one("SELECT count(DISTINCT form_key) FROM forms").fetchone()[0],
            "unreadable": one("SELECT count(*) FROM unreadable").fetchone()[0],
        }

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` and the foreign keys are fine."""
        ok = self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return ok and not self._db.execute("PRAGMA foreign_key_check").fetchall()

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Close the database (checkpointing the write-ahead log)."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Tx:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _identity_columns(definition: FormDefinition | None, data: dict[str, Any]) -> tuple[str, str, int]:
    """A record dict's pool, compared part (JSON) and fullness; a file of an unknown version is a pool of its own."""
    if definition is None:
        return f"sha256:{data['source']['sha256']}", "{}", 0
    values = data["values"]
    return (
        identity.pool_of(definition, values, data["source"]["instance_id"]),
        identity.part_json(identity.compared_part(definition, values)),
        identity.filled_count(values),
    )


def _regroup(db: sqlite3.Connection, pool: str) -> None:
    """Group the files of ``pool`` into assessments again and renumber their form keys and revisions."""
    rows = db.execute(
        "SELECT id, sha256, part, filled, earlier, form_key, revision, form_version FROM forms WHERE pool = ?",
        (pool,),
    ).fetchall()
    if not rows:
        return
    definition = _definition(rows[0]["form_version"])
    anchors = identity.anchor_fields(definition) if definition is not None else ()
    filings = [
        identity.Filing(r["id"], r["sha256"], json.loads(r["part"]), r["filled"], frozenset(json.loads(r["earlier"])))
        for r in rows
    ]
    assessments = identity.group(filings, anchors)
    now = {r["id"]: (r["form_key"], r["revision"]) for r in rows}
    want = {}
    for key, assessment in zip(identity.keys(pool, assessments), assessments, strict=True):
        for revision, filing in enumerate(assessment.files, start=1):
            want[filing.id] = (key, revision)
    changed = [i for i in want if want[i] != now[i]]
    # In two steps, so that UNIQUE (form_key, revision) holds after each statement.
    db.executemany("UPDATE forms SET form_key = 'moving:' || id WHERE id = ?", [(i,) for i in changed])
    db.executemany("UPDATE forms SET form_key = ?, revision = ? WHERE id = ?", [(*want[i], i) for i in changed])


def _rederive(db: sqlite3.Connection) -> None:
    """Migration 2: each stored file's pool, part, fullness and (empty) status, then every pool grouped again."""
    from ..reading.validate import is_empty_form

    for row in db.execute("SELECT id, record, form_version FROM forms").fetchall():
        data = json.loads(row["record"])
        definition = _definition(row["form_version"])
        if definition is not None and data["status"] != "empty" and is_empty_form(definition, data["values"]):
            data["status"] = "empty"
            db.execute(
                "UPDATE forms SET status = 'empty', record = ? WHERE id = ?",
                (json.dumps(data, ensure_ascii=False, separators=(",", ":")), row["id"]),
            )
        pool, part, filled = _identity_columns(definition, data)
        db.execute(
            "UPDATE forms SET pool = ?, part = ?, filled = ?, earlier = '[]' WHERE id = ?",
            (pool, part, filled, row["id"]),
        )
    for (pool,) in db.execute("SELECT DISTINCT pool FROM forms").fetchall():
        _regroup(db, pool)


def _unreadable(row: sqlite3.Row) -> Unreadable:
    return Unreadable(
        path=row["path"],
        sha256=row["sha256"],
        size=row["size"],
        kind=row["kind"],
        reason=Text(sv=row["reason_sv"], en=row["reason_en"]),
    )


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (none of ours has a ';' inside a literal)."""
    for part in script.split(";"):
        if part.strip():
            yield part.strip()
