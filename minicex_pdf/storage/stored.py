"""What the store holds, as Python values: a stored file, its row, its e-mail, an unreadable file.

:func:`record_from_dict` rebuilds a :class:`~minicex_pdf.reading.record.Record` from
the JSON the store keeps (values typed by the definition of the form's version).
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import DefinitionError, FormReadError
from ..form.definition import FormDefinition, Text, load_definition
from ..names import name_key
from ..reading.record import Problem, Record, SignatureCheck, Source, SubGoal


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


def now() -> str:
    """Now in UTC, ISO 8601 to the second (as the store writes times)."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def trainee_key(name: str | None) -> str | None:
    """The stored key of a trainee's (or an assessor's) name: :func:`~minicex_pdf.names.name_key`, None for none."""
    return name_key(name) or None


def definition_of(version: int) -> FormDefinition | None:
    """The definition of form version ``version``, None for a version this release does not know."""
    try:
        return load_definition(version)
    except DefinitionError:
        return None


def _typer(field_type: str) -> Callable[[Any], Any]:
    """What turns a stored JSON value of a field of this type back into the reader's Python value."""
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
        definition = definition_of(source.form_version)
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


def unreadable_from_row(row: sqlite3.Row) -> Unreadable:
    """The :class:`Unreadable` of a row of the ``unreadable`` table."""
    return Unreadable(
        path=row["path"],
        sha256=row["sha256"],
        size=row["size"],
        kind=row["kind"],
        reason=Text(sv=row["reason_sv"], en=row["reason_en"]),
    )
