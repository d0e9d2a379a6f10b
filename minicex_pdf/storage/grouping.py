"""Which stored files are one assessment: the SQL side of :mod:`.identity`.

Each file's ``pool``, compared ``part`` and fullness are stored with it
(:func:`identity_columns`); when a file arrives the files of its pool are grouped
again (:func:`regroup`), so ``form_key`` and ``revision`` are the same whatever
order the files came in.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..form.definition import FormDefinition
from . import identity
from .stored import definition_of


def identity_columns(definition: FormDefinition | None, data: dict[str, Any]) -> tuple[str, str, int]:
    """A record dict's pool, compared part (JSON) and fullness; a file of an unknown version is a pool of its own."""
    if definition is None:
        return f"sha256:{data['source']['sha256']}", "{}", 0
    values = data["values"]
    return (
        identity.pool_of(definition, values, data["source"]["instance_id"]),
        identity.part_json(identity.compared_part(definition, values)),
        identity.filled_count(values),
    )


def regroup(db: sqlite3.Connection, pool: str) -> None:
    """Group the files of ``pool`` into assessments again and renumber their form keys and revisions."""
    rows = db.execute(
        "SELECT id, sha256, part, filled, earlier, form_key, revision, form_version FROM forms WHERE pool = ?",
        (pool,),
    ).fetchall()
    if not rows:
        return
    now = {r["id"]: (r["form_key"], r["revision"]) for r in rows}
    definition = definition_of(rows[0]["form_version"])
    # a version this release does not know: its pool (sha256:...) is this one file, an assessment of its own
    want = {r["id"]: (pool, 1) for r in rows} if definition is None else _grouped(definition, pool, rows)
    changed = [i for i in want if want[i] != now[i]]
    # In two steps, so that UNIQUE (form_key, revision) holds after each statement.
    db.executemany("UPDATE forms SET form_key = 'moving:' || id WHERE id = ?", [(i,) for i in changed])
    db.executemany("UPDATE forms SET form_key = ?, revision = ? WHERE id = ?", [(*want[i], i) for i in changed])


def _grouped(definition: FormDefinition, pool: str, rows: list[sqlite3.Row]) -> dict[int, tuple[str, int]]:
    """Each row's form key and revision when the files of ``pool`` are grouped by :func:`identity.group`."""
    filings = []
    for r in rows:
        part, earlier = json.loads(r["part"]), json.loads(r["earlier"])
        if not isinstance(part, dict) or not isinstance(earlier, list):
            raise ValueError(f"row {r['id']}: its compared part or earlier files are not what the store writes")
        filings.append(identity.Filing(r["id"], r["sha256"], part, r["filled"], frozenset(earlier)))
    assessments = identity.group(filings, identity.anchor_fields(definition))
    want = {}
    for key, assessment in zip(identity.keys(pool, assessments), assessments, strict=True):
        for revision, filing in enumerate(assessment.files, start=1):
            want[filing.id] = (key, revision)
    return want
