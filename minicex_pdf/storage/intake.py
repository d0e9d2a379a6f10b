"""Files coming in: each readable file stored in one transaction with its problems, unreadable ones remembered.

An import stopped at any moment leaves a consistent database: each file is one
transaction, in which the files of its pool are grouped into assessments again
(:mod:`.grouping`). A file already stored (by SHA-256) is left as it is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import __version__
from ..form.definition import FormDefinition
from ..reading.record import Record
from .connection import StoreFile
from .faults import fault
from .grouping import identity_columns, regroup
from .stored import (
    Provenance,
    Stored,
    Unreadable,
    definition_of,
    key_fields,
    now,
    trainee_key,
    unreadable_from_row,
)

_SPACE = re.compile(r"\s+")


def _assessment_date(definition: FormDefinition | None, data: dict[str, Any]) -> str | None:
    """A record dict's assessment date (ISO), None where not filled in or of a version this release does not know."""
    if definition is None:
        return None
    date = data["values"].get(key_fields(definition)[1])
    return date if isinstance(date, str) else None


class Intake(StoreFile):
    """The store's writes of imported files: what is known already, one file stored, one remembered as unreadable."""

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
            return unreadable_from_row(row) if row else None

    def add(self, record: Record | dict[str, Any], mail: Provenance | None = None) -> Stored:
        """Store one record and its problems in one transaction; a known SHA-256 is left as it is.

        ``record`` may be a :class:`Record` or its :meth:`Record.to_dict` (what import workers send);
        ``mail`` the message it came in, if it came by e-mail.
        The files of its pool are then grouped into assessments again (:mod:`.identity`).
        """
        data = record.to_dict() if isinstance(record, Record) else record
        src = data["source"]
        definition = definition_of(src["form_version"])
        trainee = data["values"].get(key_fields(definition)[0]) if definition else None
        trainee = (_SPACE.sub(" ", trainee).strip() or None) if isinstance(trainee, str) else None
        date = _assessment_date(definition, data)
        instance = src["instance_id"] or None
        pool, part, filled = identity_columns(definition, data)
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
                    trainee_key(trainee),
                    date,
                    data["status"],
                    src["path"],
                    src["size"],
                    now(),
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
                regroup(db, pool)
            except (ValueError, TypeError):  # bad JSON or the wrong shape; TypeError: a NULL (or list in a set)
                what = f"the files stored with this one ({pool}) cannot be grouped, a record is not readable"
                raise fault("damaged", "damaged", path=self.path, what=what) from None
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
                    now(),
                ),
            )
