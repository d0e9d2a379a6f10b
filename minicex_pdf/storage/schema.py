"""The store's schema: its SQL, the forward migrations and what each leaves behind.

The schema has a version (``PRAGMA user_version``): entry ``i`` of
:data:`MIGRATIONS` brings a database from version ``i`` to ``i + 1``, run by
:class:`~minicex_pdf.storage.connection.StoreFile` when it opens the file.
``PRAGMA application_id`` marks a SQLite file as a store (:data:`APPLICATION_ID`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import NamedTuple

from .grouping import identity_columns, regroup
from .stored import definition_of, trainee_key

#: Marks a SQLite file as a minicex store (``PRAGMA application_id``): "MCEX".
APPLICATION_ID = 0x4D434558


class Step(NamedTuple):
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
    # 3: e-mail (minicex_pdf.mail): where a form came from, what was sent, which messages were read.
    """
    ALTER TABLE forms ADD COLUMN mail_from TEXT;
    ALTER TABLE forms ADD COLUMN mail_date TEXT;
    ALTER TABLE forms ADD COLUMN mail_subject TEXT;
    CREATE TABLE mail_sent (
        id INTEGER PRIMARY KEY,
        item TEXT NOT NULL,
        recipient TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        message_id TEXT NOT NULL,
        sent_at TEXT NOT NULL
    );
    CREATE INDEX mail_sent_item ON mail_sent (item, recipient);
    CREATE TABLE mail_seen (
        message_key TEXT PRIMARY KEY,
        sender TEXT,
        date TEXT,
        pdfs INTEGER NOT NULL,
        seen_at TEXT NOT NULL
    );
    """,
    # 4: the administrator's tables (roster_store.py, audit.py): the roster's trainees and the
    # forms prefill made for them, voided forms, merged name variants, and the audit trail.
    # Voids and audit rows name a file (SHA-256), not a form_key: which files are one
    # assessment may be decided again as files arrive, a file stays the file it is.
    """
    CREATE TABLE roster_trainees (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        specialty TEXT NOT NULL DEFAULT '',
        specialty_key TEXT NOT NULL DEFAULT '',
        workplace TEXT NOT NULL DEFAULT '',
        supervisor TEXT NOT NULL DEFAULT '',
        added_at TEXT NOT NULL,
        UNIQUE (name_key, specialty_key)
    );
    CREATE TABLE prefilled (
        instance_id TEXT PRIMARY KEY,
        trainee INTEGER NOT NULL REFERENCES roster_trainees (id),
        roster TEXT NOT NULL,
        folder TEXT NOT NULL,
        file TEXT NOT NULL,
        made_at TEXT NOT NULL
    );
    CREATE INDEX prefilled_folder ON prefilled (folder, trainee);
    CREATE TABLE voided (
        sha256 TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        user TEXT NOT NULL
    );
    CREATE TABLE aliases (
        name_key TEXT PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        sha256 TEXT,
        name_key TEXT,
        reason TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_file ON audit (sha256);
    CREATE INDEX audit_name ON audit (name_key)
    """,
    # 5: trainee keys in NFC, so a name typed on a Mac (NFD) is the same trainee
    Step("SELECT 1", lambda db: _rekey_trainees(db)),
)
SCHEMA_VERSION = len(MIGRATIONS)


def is_foreign(app_id: int, tables: int) -> bool:
    """Is a SQLite file with this application id and number of tables another program's (not a store, not empty)?"""
    return app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables > 0)


def _rekey_trainees(db: sqlite3.Connection) -> None:
    """Work out every stored trainee key again with :func:`~.stored.trainee_key` (migration 5)."""
    rows = db.execute("SELECT id, trainee FROM forms").fetchall()
    db.executemany("UPDATE forms SET trainee_key = ? WHERE id = ?", [(trainee_key(name), i) for i, name in rows])


_CREATED = re.compile(r"\b(CREATE|DROP)\s+(TABLE|VIEW)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(\w+)", re.IGNORECASE)


def schema_objects() -> list[str]:
    """The tables and views :data:`MIGRATIONS` leave behind, in the order they are made."""
    made: dict[str, None] = {}
    for step in MIGRATIONS:
        for verb, _, name in _CREATED.findall(step.sql if isinstance(step, Step) else step):
            if verb.upper() == "CREATE":
                made[name.lower()] = None
            else:
                made.pop(name.lower(), None)
    return list(made)


def missing_objects(db: sqlite3.Connection) -> list[str]:
    """The tables and views of :func:`schema_objects` that ``db`` lacks."""
    have = {r[0].lower() for r in db.execute("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')")}
    return [name for name in schema_objects() if name not in have]


def _rederive(db: sqlite3.Connection) -> None:
    """Migration 2: each stored file's pool, part, fullness and (empty) status, then every pool grouped again."""
    from ..reading.validate import is_empty_form

    for row in db.execute("SELECT id, record, form_version FROM forms").fetchall():
        data = json.loads(row["record"])
        definition = definition_of(row["form_version"])
        if definition is not None and data["status"] != "empty" and is_empty_form(definition, data["values"]):
            data["status"] = "empty"
            db.execute(
                "UPDATE forms SET status = 'empty', record = ? WHERE id = ?",
                (json.dumps(data, ensure_ascii=False, separators=(",", ":")), row["id"]),
            )
        pool, part, filled = identity_columns(definition, data)
        db.execute(
            "UPDATE forms SET pool = ?, part = ?, filled = ?, earlier = '[]' WHERE id = ?",
            (pool, part, filled, row["id"]),
        )
    for (pool,) in db.execute("SELECT DISTINCT pool FROM forms").fetchall():
        regroup(db, pool)


def migrate_step(db: sqlite3.Connection, step: int) -> None:
    """Run migration ``step`` (0-based) on ``db`` and mark the file as a minicex store of version ``step + 1``."""
    migration = MIGRATIONS[step]
    for statement in statements(migration.sql if isinstance(migration, Step) else migration):
        db.execute(statement)
    if isinstance(migration, Step):
        migration.then(db)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {step + 1}")


def statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (none of ours has a ';' inside a literal)."""
    for part in script.split(";"):
        if part.strip():
            yield part.strip()
