"""Exports of the store: one row per form (its latest revision) as CSV, XLSX or JSON Lines.

A form is one assessment whatever path it took (:mod:`.identity`); its status
says whether it is counted. Empty forms (nothing filled in by the assessor) are
left out unless ``include_empty``. Anything that looks like a personnummer or
samordningsnummer is masked (``ÅÅMMDD-XXXX``) in every cell unless ``unmasked``
(the admin's own export only).

Columns come from the definition, in its reading order: one per field, headers
its label in the chosen language; a multichoice field (focus) is one cell; a
level field is two cells, its code and its label, never a mean. Then the parsed
sub-goals, the status, the problems and where the record came from (the file,
and for a form that came by e-mail the sender, date and subject of the message).

No cell is ever a live formula. A text is *formula-like* when it begins with a tab,
a carriage return or a line feed, or when its first character after any leading
white space and invisible characters (NBSP, U+3000, U+FEFF, U+200B, U+202E, ...)
is ``= + - @`` or a full-width or small form of them (``＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫``).
In CSV such a text gets a leading apostrophe (the only way CSV has); in XLSX
every text cell is written as text (a string cell, formula-like ones also marked
"quote prefix"), so the user sees the text exactly as written. JSON Lines escapes
U+0085, U+2028 and U+2029, which some line-based readers take as line ends.

Headers are unique in each language: a label two fields share (the signature
dates' "Datum") is replaced by the field's tooltip. CSV and XLSX show labels for
people; JSON Lines is the machine format: option codes, booleans, lists and ISO
dates, one key per field.

Voided forms are left out and merged names shown as merged (:class:`StoreView`);
a :class:`Filter` picks trainees, places and dates.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import errno
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError
from ..form.definition import LANGS, Field, FormDefinition, Text, definitions
from ..outputs import atomic_output, formula_like, neutralise, output_error
from ..reading import personal
from ..reading.record import SEVERITY_TEXT, SIGNATURE_TEXT, STATUS_TEXT, STATUSES
from ..reading.signatures import SIGNATURE_ROLES
from .filters import Filter
from .store import Store, StoredRow

FORMATS = ("csv", "xlsx", "jsonl")
#: lxml's names for write errors (openpyxl's XLSX rows go through it).
_LXML_ERRNO = {"IO_ENOSPC": errno.ENOSPC, "IO_EFBIG": errno.EFBIG, "IO_EDQUOT": errno.EDQUOT, "IO_EACCES": errno.EACCES}
#: Line ends JSON leaves raw (ensure_ascii=False) that line-based readers may split on.
_JSONL_ESCAPES = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
#: Characters XML 1.0 (and so XLSX) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_YES = Text(sv="ja", en="yes")
_NO = Text(sv="nej", en="no")
_CODE = Text(sv="kod", en="code")
_HEADERS = {
    "subgoal_codes": Text(sv="Delmål (tolkade koder)", en="Sub-goals (codes read)"),
    "status": Text(sv="Formulärets status", en="Status"),  # "Status" is an area in Swedish
    "signature_state": Text(sv="status", en="status"),
    "signature_signer": Text(sv="undertecknad av", en="signed by"),
    "problems": Text(sv="Problem", en="Problems"),
    "revision": Text(sv="Version av ifyllnaden", en="Revision"),
    "instance_id": Text(sv="Formulär-id", en="Form instance id"),
    "form_version": Text(sv="Formulärversion", en="Form version"),
    "source_path": Text(sv="Källfil", en="Source file"),
    "sha256": Text(sv="SHA-256", en="SHA-256"),
    "imported_at": Text(sv="Importerad (UTC)", en="Imported (UTC)"),
    "mail_from": Text(sv="E-post från", en="E-mail from"),
    "mail_date": Text(sv="E-postens datum (UTC)", en="E-mail date (UTC)"),
    "mail_subject": Text(sv="E-postens ämne", en="E-mail subject"),
}


@dataclass(frozen=True)
class Column:
    """One export column: a stable key, its header in both languages, and how to get the cell."""

    key: str
    header: Text
    cell: Callable[[StoredRow, str], Any]
    #: The JSON Lines value (codes, booleans, lists, ISO dates); None: the column is not in JSON Lines.
    machine: Callable[[StoredRow], Any] | None = None


def jsonl_line(data: Any) -> str:
    """One JSON Lines line (no newline): UTF-8 text, with U+0085, U+2028 and U+2029 escaped."""
    return json.dumps(data, ensure_ascii=False).translate(_JSONL_ESCAPES)


def _value(row: StoredRow, field: Field) -> Any:
    value = row.record.values.get(field.name)
    if value in (None, "") and field.name in row.record.raw:
        return row.record.raw[field.name]  # present but not typed ("igår" in a date field): show what was written
    return value


def _label(field: Field, code: Any, lang: str) -> Any:
    option = field.option(code) if isinstance(code, str) else None
    return option.label[lang] if option else code


def _field_columns(field: Field) -> list[Column]:
    def code(r: StoredRow, lang: str) -> Any:
        return _value(r, field)

    def label(r: StoredRow, lang: str) -> Any:
        return _label(field, _value(r, field), lang)

    def many(r: StoredRow, lang: str) -> Any:
        value = _value(r, field)
        if isinstance(value, str):
            return value
        return "; ".join(str(_label(field, c, lang)) for c in value or ()) or None

    def tick(r: StoredRow, lang: str) -> Any:
        return (_YES if _value(r, field) else _NO)[lang]

    def machine(r: StoredRow) -> Any:
        if field.name not in r.record.values and field.name not in r.record.raw:
            return None  # a field of another version of the form
        value = _value(r, field)
        if field.type == "multichoice" and not isinstance(value, str):
            return list(value or ())
        if field.type == "checkbox":
            return bool(value)
        return _plain(value)

    if field.type == "level":
        both = Text(f"{field.title.sv} ({_CODE.sv})", f"{field.title.en} ({_CODE.en})")
        return [Column(f"{field.name}_code", both, code), Column(field.name, field.title, label, machine)]
    cell = {"choice": label, "multichoice": many, "checkbox": tick}.get(field.type, code)
    return [Column(field.name, field.title, cell, machine)]


def _problems(row: StoredRow, lang: str) -> str | None:
    lines = [f"{SEVERITY_TEXT[p.severity][lang]}: {p.message[lang]} [{p.code}]" for p in row.record.problems]
    return "\n".join(lines) or None


def columns(defs: Iterable[FormDefinition] | None = None) -> list[Column]:
    """The export columns: the newest definition's fields in reading order, then older versions' extra fields."""
    defs = list(definitions().values()) if defs is None else list(defs)
    seen: set[str] = set()
    cols: list[Column] = []
    fields: dict[str, Field] = {}
    for definition in sorted(defs, key=lambda d: -d.version):
        for field in definition.fields:
            if field.name not in seen:
                seen.add(field.name)
                fields[field.name] = field
                cols.extend(_field_columns(field))
    src = lambda key: lambda r, lang: getattr(r.record.source, key)  # noqa: E731
    raw = lambda key: lambda r: getattr(r.record.source, key)  # noqa: E731
    h = _HEADERS
    cols += [
        Column(
            "subgoal_codes",
            h["subgoal_codes"],
            lambda r, lang: ", ".join(s.code for s in r.record.subgoals) or None,
            lambda r: [s.code for s in r.record.subgoals],
        ),
        Column("status", h["status"], lambda r, lang: STATUS_TEXT[r.record.status][lang], lambda r: r.record.status),
        *_signature_columns(defs),
        Column(
            "problems",
            h["problems"],
            _problems,
            lambda r: [{"code": p.code, "severity": p.severity, "field": p.field} for p in r.record.problems],
        ),
        Column("revision", h["revision"], lambda r, lang: r.revision, lambda r: r.revision),
        Column("instance_id", h["instance_id"], src("instance_id"), raw("instance_id")),
        Column("form_version", h["form_version"], src("form_version"), raw("form_version")),
        Column("source_path", h["source_path"], src("path"), raw("path")),
        Column("sha256", h["sha256"], src("sha256"), raw("sha256")),
        Column("imported_at", h["imported_at"], lambda r, lang: r.imported_at, lambda r: r.imported_at),
        Column(
            "mail_from",
            h["mail_from"],
            lambda r, lang: r.mail.sender if r.mail else None,
            lambda r: r.mail.sender if r.mail else None,
        ),
        Column(
            "mail_date",
            h["mail_date"],
            lambda r, lang: r.mail.date if r.mail else None,
            lambda r: r.mail.date if r.mail else None,
        ),
        Column(
            "mail_subject",
            h["mail_subject"],
            lambda r, lang: r.mail.subject if r.mail else None,
            lambda r: r.mail.subject if r.mail else None,
        ),
    ]
    return _unique_headers(cols, fields)


def _unique_headers(cols: list[Column], fields: dict[str, Field]) -> list[Column]:
    """Headers unique in each language: a field label used twice becomes the field's tooltip."""
    for lang in LANGS:
        counts = Counter(c.header[lang] for c in cols)
        for i, col in enumerate(cols):
            field = fields.get(col.key)
            if counts[col.header[lang]] > 1 and field is not None:
                texts = {"sv": col.header.sv, "en": col.header.en, lang: field.tooltip[lang]}
                cols[i] = dataclasses.replace(col, header=Text(sv=texts["sv"], en=texts["en"]))
    for lang in LANGS:
        dupes = [h for h, n in Counter(c.header[lang] for c in cols).items() if n > 1]
        if dupes:
            raise UsageError(f"export headers used twice in {lang}: {', '.join(dupes)}")
    return cols


def _signature_columns(defs: list[FormDefinition]) -> list[Column]:
    """Per signature role of any version: its state and the signer's name (empty for forms without the field)."""
    out = []
    for role in SIGNATURE_ROLES:
        label = next((d.role(role).label for d in sorted(defs, key=lambda d: -d.version) if role in d.roles), None)
        if label is None:
            continue

        def state(r: StoredRow, lang: str, role: str = role) -> Any:
            check = r.record.signature(role)
            return SIGNATURE_TEXT[check.state][lang] if check else None

        def signer(r: StoredRow, lang: str, role: str = role) -> Any:
            check = r.record.signature(role)
            return check.signer.name if check and check.signer else None

        def code(r: StoredRow, role: str = role) -> Any:
            check = r.record.signature(role)
            return check.state if check else None

        machines = {"signature_state": code, "signature_signer": lambda r, s=signer: s(r, "en")}
        for key, cell in (("signature_state", state), ("signature_signer", signer)):
            header = Text(f"{label.sv}: {_HEADERS[key].sv}", f"{label.en}: {_HEADERS[key].en}")
            out.append(Column(f"{role}_{key.split('_')[1]}", header, cell, machines[key]))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


class Exporter:
    """Writes the latest revision of every stored form in one format."""

    def __init__(
        self,
        store: Store,
        *,
        fmt: str,
        lang: str = "sv",
        delimiter: str = ";",
        include_empty: bool = False,
        unmasked: bool = False,
        where: Filter | None = None,
    ) -> None:
        if fmt not in FORMATS:
            raise UsageError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise UsageError(
                f"the delimiter must be one character other than a quote or a line break, not {delimiter!r}"
            )
        self.store, self.fmt, self.lang, self.delimiter = store, fmt, lang, delimiter
        self.statuses = [s for s in STATUSES if include_empty or s != "empty"]
        self.unmasked = unmasked
        self.where = where or Filter()
        self.columns = columns()

    def headers(self) -> list[str]:
        """The header row in the chosen language."""
        return [c.header[self.lang] for c in self.columns]

    def rows(self) -> Iterator[list[Any]]:
        """Each form's cells, streamed from the store (masked unless ``unmasked``; not neutralised)."""
        for row in self._stored():
            cells = [c.cell(row, self.lang) for c in self.columns]
            if not self.unmasked:
                cells = [personal.mask(c, self.lang) if isinstance(c, str) else c for c in cells]
            yield cells

    def _stored(self) -> Iterator[StoredRow]:
        from .view import StoreView

        return StoreView(self.store).rows(self.where, statuses=self.statuses)

    def write(self, out: str | Path | None) -> int:
        """Write to the file ``out`` (or standard output for csv and jsonl); the number of rows written.

        A store without forms is a UsageError ("no forms imported yet"), not an empty file.
        """
        from .view import StoreView

        if StoreView(self.store).is_empty():
            raise UsageError(
                f"{self.store.path}: no forms imported yet: import returned forms with minicex import",
                sv=f"{self.store.path}: inga formulär importerade än: importera returnerade formulär med minicex import",
            )
        if self.fmt == "xlsx":
            if out is None:
                raise UsageError("an XLSX export needs an output file: add -o FILE.xlsx")
            return self._xlsx(Path(out))
        if out is None:
            try:
                return self._text(sys.stdout, bom=False)
            except BrokenPipeError:
                raise  # the reader went away (| head): not an error to report
            except OSError as exc:
                raise output_error("standard output", exc) from None
        with atomic_output(out, "w", encoding="utf-8", newline="") as fh:
            return self._text(fh, bom=self.fmt == "csv")

    def _text(self, fh: IO[str], *, bom: bool) -> int:
        n = 0
        if self.fmt == "csv":
            if bom:
                fh.write("\ufeff")  # Excel reads UTF-8 only with a byte order mark
            writer = csv.writer(fh, delimiter=self.delimiter, lineterminator="\r\n")
            writer.writerow([neutralise(h) for h in self.headers()])
            for cells in self.rows():
                writer.writerow([neutralise(_plain(c)) for c in cells])
                n += 1
            return n
        machine = [c for c in self.columns if c.machine is not None]
        for row in self._stored():
            data = {c.key: c.machine(row) for c in machine}  # type: ignore[misc]
            if not self.unmasked:
                data = {k: personal.mask(v, self.lang) if isinstance(v, str) else v for k, v in data.items()}
            fh.write(jsonl_line(data) + "\n")
            n += 1
        return n

    def _xlsx(self, out: Path) -> int:
        try:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.utils import get_column_letter
        except ImportError:
            raise UsageError(
                "XLSX export needs openpyxl: pip install 'minicex-pdf[xlsx]' (or pip install openpyxl)"
            ) from None
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("mini-CEX")
        ws.freeze_panes = "A2"
        for i, col in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(len(col.header[self.lang]) + 2, 12), 40)

        def cell(value: Any) -> Any:
            if not isinstance(value, str):
                return value
            # A text cell is text: a string cell never evaluated, whatever it begins with.
            text = WriteOnlyCell(ws, value=None)
            text.value = _ILLEGAL_XML.sub("", value)
            text.data_type = "s"
            if formula_like(value):
                text.quotePrefix = True  # Excel keeps it text even when the cell is edited
            return text

        n = 0
        try:
            ws.append([cell(h) for h in self.headers()])
            for cells in self.rows():
                ws.append([cell(c) for c in cells])
                n += 1
            ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{n + 1}"
            with atomic_output(out, "wb") as fh:
                wb.save(fh)
        except Exception as exc:
            # openpyxl streams rows through a temporary file; lxml reports its write errors in its own way.
            if type(exc).__name__ != "SerialisationError":
                raise
            with suppress(Exception):
                ws.close()  # now, not when the interpreter exits (which would print a traceback)
            code = _LXML_ERRNO.get(str(exc), errno.EIO)
            raise output_error(out, OSError(code, os.strerror(code))) from None
        return n
