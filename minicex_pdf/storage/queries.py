"""Reading the store: the latest revision of each form, counts, trainees, unreadable files.

A damaged store gives what can be read: :meth:`Queries.rows` reads row by row,
leaves out the rows it cannot read and names them in ``damaged``;
:meth:`Queries.damage_message` says so in one line.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator
from typing import Any

from ..form.definition import FormDefinition
from ..reading.record import STATUSES, Record
from .connection import StoreFile
from .faults import is_damage, store_error
from .stored import (
    Provenance,
    StoredRow,
    Unreadable,
    definition_of,
    record_from_dict,
    trainee_key,
    unreadable_from_row,
)

#: Where the readable rest of a damaged store went, for :meth:`Store.damage_message` (English, Swedish).
_DAMAGE_REST = {
    "export": ("the export holds the rest", "exporten har resten"),
    "report": ("the report shows the rest", "rapporten visar resten"),
    "list": ("the list shows the rest", "listan visar resten"),
}


#: The order of :meth:`Store.rows`: oldest assessment first, undated last.
_ORDER = "ORDER BY date IS NULL, date, imported_at, id"


class Queries(StoreFile):
    """The store's reads: forms (latest revisions) past damaged rows, counts, trainees, unreadable files."""

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
            args.append(trainee_key(trainee))
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
                if not is_damage(exc):
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
                if not is_damage(exc):
                    raise store_error(self.path, exc, self.lock_wait) from None
                self.damaged[row_id] = "damaged page"
                continue
            if row is None:
                continue
            version = row["form_version"]
            if version not in cache:
                cache[version] = definition_of(version)
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
        key = trainee_key(trainee) if trainee is not None else None
        latest: dict[str, sqlite3.Row] = {}
        for row_id in range(1, top + 1):
            try:
                row = self._db.execute(
                    "SELECT id, form_key, revision, date, imported_at, trainee_key, status FROM forms WHERE id = ?",
                    (row_id,),
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
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
            yield unreadable_from_row(row)

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


def _provenance(row: sqlite3.Row) -> Provenance | None:
    """The e-mail a stored form came in, None for a form that did not come by e-mail."""
    if row["mail_from"] is None and row["mail_date"] is None and row["mail_subject"] is None:
        return None
    return Provenance(row["mail_from"], row["mail_date"], row["mail_subject"])
