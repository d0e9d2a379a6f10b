"""What a SQLite fault means for the user, and the store's one write transaction.

Every SQLite fault (damaged, locked, read-only, disk full) becomes a
:class:`~minicex_pdf.errors.StoreError` whose one-line message names the file and
says what to do, in English and Swedish (:func:`store_error`). Every write of the
store is one :class:`Transaction`, rolled back on any exception.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from pathlib import Path
from typing import Any

from ..errors import StoreError

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


def fault(key: str, kind: str, **values: Any) -> StoreError:
    """The :class:`StoreError` of message ``key`` (``_TEXTS``), in English and Swedish."""
    return StoreError(_TEXTS[key].format(**values), kind, sv=_TEXTS_SV[key].format(**values))


class Transaction:
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
                rollback(self.db)
                raise
        else:
            rollback(self.db)


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Is this SQLite error a damaged file or schema (so the rest may still be readable)?"""
    return error_code(exc).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
        w in str(exc) for w in ("malformed", "no such table", "no such column")
    )


def error_code(exc: sqlite3.Error) -> str:
    """SQLite's name of the error (``SQLITE_BUSY``, ...), empty where Python does not give it."""
    return str(getattr(exc, "sqlite_errorname", "") or "")


def is_busy(exc: sqlite3.Error) -> bool:
    """Is this SQLite error another connection's lock?"""
    return error_code(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def store_error(path: Path, exc: sqlite3.Error, lock_wait: float) -> StoreError:
    """The :class:`StoreError` for a SQLite exception on the store at ``path``: names the file and what to do."""
    code = error_code(exc)
    if is_busy(exc):
        return fault("locked", "locked", path=path, wait=lock_wait)
    if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(exc):
        return fault("damaged", "damaged", path=path, what=str(exc))
    if "no such table" in str(exc):
        return fault("missing", "damaged", path=path, what=str(exc).rsplit(": ", 1)[-1])
    for prefix, kind in (
        ("SQLITE_FULL", "full"),
        ("SQLITE_IOERR", "io"),
        ("SQLITE_READONLY", "readonly"),
        ("SQLITE_CANTOPEN", "cannot_open"),
    ):
        if code.startswith(prefix):
            return fault(kind, kind, path=path)
    return fault("other", "other", path=path, what=str(exc))


def rollback(db: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already done so (it has after a full disk)."""
    if db.in_transaction:
        with suppress(sqlite3.Error):  # if it fails the connection is unusable; closing it discards the transaction
            db.execute("ROLLBACK")
