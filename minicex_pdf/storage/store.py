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

Every SQLite fault (damaged, locked, read-only, disk full) becomes a
:class:`~minicex_pdf.errors.StoreError` whose one-line message names the file and
says what to do. Exports and reports open the store read-only (``readonly=True``)
and read past damaged rows, naming them in :attr:`Store.damaged`.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .. import __version__
from ..errors import DefinitionError, FormReadError, StoreError, UsageError
from ..form.definition import FormDefinition, Text, load_definition
from ..limits import store_lock_wait
from ..names import name_key
from ..reading.record import STATUSES, Problem, Record, SignatureCheck, Source, SubGoal
from . import identity
from .mailbook import MailBook

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

_SPACE = re.compile(r"\s+")

#: What each store fault means for the user: ``{path}`` is the database file.
_TEXTS = {
    "damaged": "{path}: the database is damaged ({what}): restore it from a backup,"
    " or import the forms again into a new database",
    "missing": "{path}: the database is damaged (missing: {what}): restore it from a backup,"
    " or import the forms again into a new database",
    "locked": "{path}: the database is locked by another program (waited {wait:g} s):"
    " close that program or let it finish, then run the command again",
    "full": "{path}: the disk is full: free some space, then run the command again (what was stored before is kept)",
    "io": "{path}: the database file cannot be written or read (disk I/O error; the disk may be full or failing):"
    " free some space or check the disk, then run the command again",
    "readonly": "{path}: the database is read-only (no permission to change the file or its folder):"
    " import into a database in a folder you may write, or ask for write access",
    "readonly_folder": "{path}: cannot create the database, the folder is read-only: choose another place with --db",
    "cannot_open": "{path}: cannot open the database (missing folder or no permission): check the path with --db",
    "wal": "{path}: its latest changes are in {wal}, which cannot be read in this read-only folder:"
    " copy the database together with {wal} to a folder you may write, and use that copy",
    "old": "{path}: made by an older minicex and read-only here: run minicex import once where the"
    " database may be written, to bring it up to date",
    "other": "{path}: database error ({what}): check the file, or restore it from a backup",
}

#: The same in Swedish (messages follow --lang).
_TEXTS_SV = {
    "damaged": "{path}: databasen är skadad ({what}): återställ den från en säkerhetskopia,"
    " eller importera formulären igen till en ny databas",
    "missing": "{path}: databasen är skadad (saknas: {what}): återställ den från en säkerhetskopia,"
    " eller importera formulären igen till en ny databas",
    "locked": "{path}: databasen är låst av ett annat program (väntade {wait:g} s):"
    " stäng programmet eller låt det bli klart, kör sedan kommandot igen",
    "full": "{path}: disken är full: frigör utrymme och kör kommandot igen (det som redan lagrats finns kvar)",
    "io": "{path}: databasfilen kan inte skrivas eller läsas (in/ut-fel; disken kan vara full eller trasig):"
    " frigör utrymme eller kontrollera disken, kör sedan kommandot igen",
    "readonly": "{path}: databasen är skrivskyddad (ingen behörighet att ändra filen eller dess mapp):"
    " importera till en databas i en mapp du får skriva i, eller be om skrivrätt",
    "readonly_folder": "{path}: databasen kan inte skapas, mappen är skrivskyddad: välj en annan plats med --db",
    "cannot_open": "{path}: databasen kan inte öppnas (mappen saknas eller behörighet saknas): kontrollera sökvägen med --db",
    "wal": "{path}: de senaste ändringarna finns i {wal}, som inte kan läsas i denna skrivskyddade mapp:"
    " kopiera databasen tillsammans med {wal} till en mapp du får skriva i och använd kopian",
    "old": "{path}: gjord av en äldre minicex och skrivskyddad här: kör minicex import en gång där"
    " databasen får skrivas, så uppdateras den",
    "other": "{path}: databasfel ({what}): kontrollera filen, eller återställ den från en säkerhetskopia",
}


#: Where the readable rest of a damaged store went, for :meth:`Store.damage_message` (English, Swedish).
_DAMAGE_REST = {
    "export": ("the export holds the rest", "exporten har resten"),
    "report": ("the report shows the rest", "rapporten visar resten"),
    "list": ("the list shows the rest", "listan visar resten"),
}


def _foreign(app_id: int, tables: int) -> bool:
    """Is a SQLite file with this application id and number of tables another program's (not a store, not empty)?"""
    return app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables > 0)


def _fault(key: str, kind: str, **values: Any) -> StoreError:
    """The :class:`StoreError` of message ``key`` (``_TEXTS``), in English and Swedish."""
    return StoreError(_TEXTS[key].format(**values), kind, sv=_TEXTS_SV[key].format(**values))


@dataclass(frozen=True)
class Stored:
    """What storing one readable file did: ``new`` False when its bytes were already there."""

    new: bool
    revision: int
    form_key: str
    #: How many stored files the assessment has, this one included.
    files: int = 1


@dataclass(frozen=True)
class Provenance:
    """The e-mail a form came in: sender address, message date (ISO 8601) and subject."""

    sender: str | None
    date: str | None
    subject: str | None


@dataclass(frozen=True)
class StoredRow:
    """One stored form with its bookkeeping: the record and where and when it came in."""

    record: Record
    revision: int
    imported_at: str
    mail: Provenance | None = None
    #: The database row of this revision, and the assessment it belongs to (``form_key``; may be regrouped).
    row_id: int = 0
    form_key: str = ""


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
    """The stored key of a trainee's (or an assessor's) name: :func:`~minicex_pdf.names.name_key`, None for none."""
    return name_key(name) or None


def _rekey_trainees(db: sqlite3.Connection) -> None:
    """Work out every stored trainee key again with :func:`_trainee_key` (migration 5)."""
    rows = db.execute("SELECT id, trainee FROM forms").fetchall()
    db.executemany("UPDATE forms SET trainee_key = ? WHERE id = ?", [(_trainee_key(name), i) for i, name in rows])


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
        signatures=tuple(SignatureCheck.from_dict(s) for s in data.get("signatures", ())),
    )


class Store(MailBook):
    """One SQLite file of imported forms; created or migrated forward when opened.

    ``readonly`` opens for reading only (exports, reports): nothing is written, and a
    store in a read-only file or folder can still be read. ``lock_wait`` is how many
    seconds to wait for another program's lock (default :func:`limits.store_lock_wait`).
    Every SQLite fault becomes a :class:`StoreError` whose message names the file.
    """

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
            raise _fault("readonly", "readonly", path=self.path)
        if not self.path.exists() and folder.is_dir() and not os.access(folder, os.W_OK):
            raise _fault("readonly_folder", "readonly", path=self.path)
        db = self._connect(self._uri())
        try:
            self._identify(db)
            self._wal(db)
            self._migrate(db)
            self.missing = _missing(db)
            if self.missing:
                raise _fault("missing", "damaged", path=self.path, what=", ".join(self.missing))
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
            if not _code(exc).startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
                raise
            # A WAL store in a folder this user may not write: SQLite cannot make its shared-memory
            # file, so read the file as it is (nobody can be writing it: the folder is read-only),
            # unless its write-ahead log holds changes that reading it this way would miss.
            wal = Path(f"{self.path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise _fault("wal", "readonly", path=self.path, wal=wal.name) from None
            db = self._connect(self._uri(mode="ro", immutable="1"))
            try:
                version = self._identify(db)
            except BaseException:
                db.close()
                raise
        except BaseException:
            db.close()
            raise
        if version < SCHEMA_VERSION:
            # An older store: bring it forward once (this needs write access), then read it.
            db.close()
            try:
                Store(self.path, lock_wait=self.lock_wait).close()
            except StoreError as exc:
                if exc.kind not in ("readonly", "cannot_open"):
                    raise
                raise _fault("old", exc.kind, path=self.path) from None
            return self._open_readonly()
        self.missing = _missing(db)
        if "forms" in self.missing:  # nothing at all can be read
            db.close()
            raise _fault("missing", "damaged", path=self.path, what=", ".join(self.missing))
        return db

    def _identify(self, db: sqlite3.Connection) -> int:
        """Check that ``db`` is a minicex store (or empty) this release can use; its schema version."""
        try:
            db.execute("BEGIN")  # one snapshot: another process may be creating the store right now
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            _rollback(db)
            if _code(exc) == "SQLITE_NOTADB":
                raise UsageError(f"{self.path}: not a minicex database ({exc})") from None
            raise
        _rollback(db)
        if _foreign(app_id, tables):
            raise UsageError(f"{self.path}: is a SQLite database, but not a minicex database")
        if version > SCHEMA_VERSION:
            raise UsageError(
                f"{self.path}: made by a newer minicex (schema {version}; this release knows up to {SCHEMA_VERSION})"
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
                if not _busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Bring the schema forward, one transaction per step, each step decided under the write lock.

        Two imports may create the same new store at the same moment: whichever comes second
        finds the step done (the version read inside its own transaction) and skips it.
        """
        while db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            with _Tx(db):  # rolled back on any exception, as every write of the store
                app_id = db.execute("PRAGMA application_id").fetchone()[0]
                tables = db.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
                if _foreign(app_id, tables):  # another program made it since _identify looked
                    raise UsageError(f"{self.path}: is a SQLite database, but not a minicex database")
                step = db.execute("PRAGMA user_version").fetchone()[0]
                if step < SCHEMA_VERSION:
                    migration = MIGRATIONS[step]
                    for statement in _statements(migration.sql if isinstance(migration, Step) else migration):
                        db.execute(statement)
                    if isinstance(migration, Step):
                        migration.then(db)
                    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    db.execute(f"PRAGMA user_version = {step + 1}")

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
                raise _fault("missing", "damaged", path=self.path, what=", ".join(self.missing))
            result = [r[0] for r in self._db.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                what = "database disk image is malformed"  # what SQLite says when it meets such a page
                raise _fault("damaged", "damaged", path=self.path, what=what)
            bad = self._bad_records()
            if bad:
                what = f"database row(s) {', '.join(map(str, bad))}: record not readable or unknown status"
                raise _fault("damaged", "damaged", path=self.path, what=what)

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

    # ------------------------------------------------------------------ writing

    def known_hashes(self) -> set[str]:
        """SHA-256 of every file seen before: imported, or unreadable by this release."""
        with self._errors():
            rows = self._db.execute(
                "SELECT sha256 FROM forms UNION SELECT sha256 FROM unreadable WHERE tool_version = ?", (__version__,)
            )
            return {r[0] for r in rows}

    def lookup(self, sha256: str) -> Stored | Unreadable | None:
        """What is stored for a file with this SHA-256: the form, the unreadable entry, or None."""
        with self._errors():
            row = self._db.execute("SELECT revision, form_key FROM forms WHERE sha256 = ?", (sha256,)).fetchone()
            if row:
                return Stored(new=False, revision=row["revision"], form_key=row["form_key"])
            row = self._db.execute(
                "SELECT * FROM unreadable WHERE sha256 = ? AND tool_version = ?", (sha256, __version__)
            ).fetchone()
            return _unreadable(row) if row else None

    def add(self, record: Record | dict[str, Any], mail: Provenance | None = None) -> Stored:
        """Store one record and its problems in one transaction; a known SHA-256 is left as it is.

        ``record`` may be a :class:`Record` or its :meth:`Record.to_dict` (what import workers send);
        ``mail`` the message it came in, if it came by e-mail.
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
        with self._errors(), self._transaction():
            row = db.execute("SELECT revision, form_key FROM forms WHERE sha256 = ?", (src["sha256"],)).fetchone()
            if row:
                return Stored(new=False, revision=row["revision"], form_key=row["form_key"])
            cur = db.execute(
                "INSERT INTO forms (sha256, form_key, instance_id, revision, form_id, form_version, trainee,"
                " trainee_key, date, status, path, size, imported_at, record, pool, part, filled, earlier,"
                " mail_from, mail_date, mail_subject)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    mail.sender if mail else None,
                    mail.date if mail else None,
                    mail.subject if mail else None,
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
            try:
                _regroup(db, pool)
            except (ValueError, TypeError):  # bad JSON or the wrong shape; TypeError: a NULL (or list in a set)
                what = f"the files stored with this one ({pool}) cannot be grouped, a record is not readable"
                raise _fault("damaged", "damaged", path=self.path, what=what) from None
            row = db.execute("SELECT revision, form_key FROM forms WHERE id = ?", (cur.lastrowid,)).fetchone()
            files = db.execute("SELECT count(*) FROM forms WHERE form_key = ?", (row["form_key"],)).fetchone()[0]
        return Stored(new=True, revision=row["revision"], form_key=row["form_key"], files=files)

    def add_unreadable(self, item: Unreadable) -> None:
        """Remember a file that could not be read (by SHA-256), in one transaction."""
        with self._errors(), self._transaction():
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

    def tolerant(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row] | None:
        """The rows of a caller's query, or None where the file is damaged (other faults: a StoreError)."""
        with self._errors():
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as exc:
                if not _damage(exc):
                    raise
                return None

    def guarded(self) -> AbstractContextManager[None]:
        """``with store.guarded():`` SQLite faults in a caller's own queries become a StoreError naming the file."""
        return self._errors()

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection, for modules that keep their own tables here (roster_store, audit)."""
        return self._db

    def transaction(self) -> _Tx:
        """``with store.transaction() as db:`` one write transaction, rolled back on any exception."""
        return _Tx(self._db)

    # ------------------------------------------------------------------ reading

    def records(self, trainee: str | None = None) -> Iterator[Record]:
        """The latest revision of each form, oldest assessment date first (undated last)."""
        for row in self.rows(trainee):
            yield row.record

    def rows(self, trainee: str | None = None, *, statuses: Collection[str] | None = None) -> Iterator[StoredRow]:
        """Like :meth:`records`, with each record's revision and import time; only ``statuses`` if given.

        A damaged store gives what can be read: rows that cannot be read (a damaged page,
        a record that does not parse, an unknown status) are left out and named in
        :attr:`damaged` (row id -> what is wrong) when the iteration ends.
        """
        self.damaged = {}
        where = " WHERE 1"
        args: list[Any] = []
        if trainee is not None:
            where += " AND trainee_key = ?"
            args.append(_trainee_key(trainee))
        unknown = f"{where} AND status NOT IN ({', '.join('?' * len(STATUSES))})", [*args, *STATUSES]
        if statuses is not None:
            where += f" AND status IN ({', '.join('?' * len(statuses))})"
            args.extend(statuses)
        with self._errors():
            try:
                ids = [r[0] for r in self._db.execute(f"SELECT id FROM latest{where} {_ORDER}", args)]
                if statuses is not None:  # a status filter would hide a row of a status nobody knows
                    for (row_id,) in self._db.execute(f"SELECT id FROM latest{unknown[0]}", unknown[1]):
                        self.damaged[row_id] = "unknown status"
            except sqlite3.DatabaseError as exc:
                if not _damage(exc):
                    raise
                ids = self._readable_ids(trainee, statuses)
        cache: dict[int, FormDefinition | None] = {}
        for row_id in ids:
            # One row at a time: no list of all records is held, and one bad row spoils only itself.
            try:
                row = self._db.execute(
                    "SELECT record, revision, imported_at, form_version, mail_from, mail_date, mail_subject, form_key"
                    " FROM forms WHERE id = ?",
                    (row_id,),
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                if not _damage(exc):
                    raise store_error(self.path, exc, self.lock_wait) from None
                self.damaged[row_id] = "damaged page"
                continue
            if row is None:
                continue
            version = row["form_version"]
            if version not in cache:
                cache[version] = _definition(version)
            try:
                data = json.loads(row["record"])
                if data.get("status") not in STATUSES:
                    self.damaged[row_id] = "unknown status"
                    continue
                record = record_from_dict(data, cache[version])
            except (ValueError, KeyError, TypeError, AttributeError):
                self.damaged[row_id] = "record not readable"
                continue
            yield StoredRow(
                record=record,
                revision=row["revision"],
                imported_at=row["imported_at"],
                mail=_provenance(row),
                row_id=row_id,
                form_key=row["form_key"],
            )

    def _readable_ids(self, trainee: str | None, statuses: Collection[str] | None) -> list[int]:
        """The ids :meth:`rows` would give, found row by row past damaged pages (the slow way)."""
        top = self._db.execute("SELECT max(id) FROM forms").fetchone()[0] or 0
        key = _trainee_key(trainee) if trainee is not None else None
        latest: dict[str, sqlite3.Row] = {}
        for row_id in range(1, top + 1):
            try:
                row = self._db.execute(
                    "SELECT id, form_key, revision, date, imported_at, trainee_key, status FROM forms WHERE id = ?",
                    (row_id,),
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                if not _damage(exc):
                    raise
                self.damaged[row_id] = "damaged page"
                continue
            if row is None or (trainee is not None and row["trainee_key"] != key):
                continue
            held = latest.get(row["form_key"])
            if held is None or row["revision"] > held["revision"]:
                latest[row["form_key"]] = row
        for row in latest.values():
            if row["status"] not in STATUSES:
                self.damaged[row["id"]] = "unknown status"
        order = sorted(
            (r for r in latest.values() if statuses is None or r["status"] in statuses),
            key=lambda r: (r["date"] is None, r["date"] or "", r["imported_at"] or "", r["id"]),
        )
        return [r["id"] for r in order]

    def damage_message(self, rest: str, lang: str = "en") -> str | None:
        """One line naming the rows and tables the last :meth:`rows` could not read, or None.

        ``rest`` says where the readable rest went: ``export``, ``report`` or ``list``.
        """
        if not self.damaged and not self.missing:
            return None
        sv = lang == "sv"
        by_reason: dict[str, list[int]] = {}
        for row_id in sorted(self.damaged):
            by_reason.setdefault(self.damaged[row_id], []).append(row_id)
        row_word = ("rad", "rader") if sv else ("row", "rows")
        parts = [
            f"{row_word[len(ids) > 1]} {', '.join(map(str, ids[:10]))}{', ...' if len(ids) > 10 else ''} ({reason})"
            for reason, ids in by_reason.items()
        ]
        told = []
        if self.damaged:
            told.append(
                f"{len(self.damaged)} formulär kunde inte läsas: databasens {'; '.join(parts)}"
                if sv
                else f"{len(self.damaged)} form(s) could not be read: database {'; '.join(parts)}"
            )
        if self.missing:
            told.append(f"{'saknas' if sv else 'missing'}: {', '.join(self.missing)}")
        where = _DAMAGE_REST[rest][1 if sv else 0]
        if sv:
            return (
                f"{self.path}: databasen är skadad, {'; '.join(told)}; {where}: återställ databasen från en"
                " säkerhetskopia, eller importera formulären igen till en ny databas"
            )
        return (
            f"{self.path}: the database is damaged, {'; '.join(told)}; {where}:"
            " restore the database from a backup, or import the forms again into a new database"
        )

    def revisions(self, instance_id: str) -> list[Record]:
        """Every stored file with ``instance_id`` (revisions, and forms from copies of it), oldest first."""
        with self._errors():
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
        with self._errors():
            rows = self._db.execute(
                "SELECT min(trainee) FROM forms WHERE trainee_key IS NOT NULL GROUP BY trainee_key ORDER BY trainee_key"
            )
            return [r[0] for r in rows]

    def unreadable(self) -> Iterator[Unreadable]:
        """The files that could not be read, by path."""
        with self._errors():
            rows = self._db.execute("SELECT * FROM unreadable ORDER BY path").fetchall()
        for row in rows:
            yield _unreadable(row)

    def counts(self) -> dict[str, int]:
        """How many stored files, forms (latest revisions) and unreadable files."""
        one = self._db.execute
        with self._errors():
            return {
                "files": one("SELECT count(*) FROM forms").fetchone()[0],
                "forms": one("SELECT count(DISTINCT form_key) FROM forms").fetchone()[0],
                "unreadable": one("SELECT count(*) FROM unreadable").fetchone()[0],
            }

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` and the foreign keys are fine."""
        with self._errors():
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
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception (if SQLite has not rolled back already)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            try:
                self.db.execute("COMMIT")
            except BaseException:
                _rollback(self.db)
                raise
        else:
            _rollback(self.db)


#: The order of :meth:`Store.rows`: oldest assessment first, undated last.
_ORDER = "ORDER BY date IS NULL, date, imported_at, id"


def _damage(exc: sqlite3.DatabaseError) -> bool:
    """Is this SQLite error a damaged file or schema (so the rest may still be readable)?"""
    return _code(exc).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
        w in str(exc) for w in ("malformed", "no such table", "no such column")
    )


def _code(exc: sqlite3.Error) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def _busy(exc: sqlite3.Error) -> bool:
    return _code(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def store_error(path: Path, exc: sqlite3.Error, lock_wait: float) -> StoreError:
    """The :class:`StoreError` for a SQLite exception on the store at ``path``: names the file and what to do."""
    code = _code(exc)
    if _busy(exc):
        return _fault("locked", "locked", path=path, wait=lock_wait)
    if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(exc):
        return _fault("damaged", "damaged", path=path, what=str(exc))
    if "no such table" in str(exc):
        return _fault("missing", "damaged", path=path, what=str(exc).rsplit(": ", 1)[-1])
    for prefix, kind in (
        ("SQLITE_FULL", "full"),
        ("SQLITE_IOERR", "io"),
        ("SQLITE_READONLY", "readonly"),
        ("SQLITE_CANTOPEN", "cannot_open"),
    ):
        if code.startswith(prefix):
            return _fault(kind, kind, path=path)
    return _fault("other", "other", path=path, what=str(exc))


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already done so (it has after a full disk)."""
    if db.in_transaction:
        with suppress(sqlite3.Error):  # if it fails the connection is unusable; closing it discards the transaction
            db.execute("ROLLBACK")


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


def _missing(db: sqlite3.Connection) -> list[str]:
    have = {r[0].lower() for r in db.execute("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')")}
    return [name for name in schema_objects() if name not in have]


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
    filings = []
    for r in rows:
        part, earlier = json.loads(r["part"]), json.loads(r["earlier"])
        if not isinstance(part, dict) or not isinstance(earlier, list):
            raise ValueError(f"row {r['id']}: its compared part or earlier files are not what the store writes")
        filings.append(identity.Filing(r["id"], r["sha256"], part, r["filled"], frozenset(earlier)))
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


def _provenance(row: sqlite3.Row) -> Provenance | None:
    if row["mail_from"] is None and row["mail_date"] is None and row["mail_subject"] is None:
        return None
    return Provenance(row["mail_from"], row["mail_date"], row["mail_subject"])


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (none of ours has a ';' inside a literal)."""
    for part in script.split(";"):
        if part.strip():
            yield part.strip()
