"""Read a roster of trainees (CSV or XLSX) into rows that pre-fill forms.

A roster has one trainee per row. Its columns are the definition's prefill keys
(``Field.prefill``: the English headers) or the Swedish headers the definition
gives for them (``[roster] headers_sv``); nothing here spells a header again.
Headers are matched without regard to case, spaces, ``-`` and ``_``.

A row that cannot make a good form (no name, an unknown regulation, a sub-goal
code that does not exist in the trainee's regulation) is a :class:`RowError`
value with its row number; the other rows are still made. A file that cannot be
read as a roster at all raises :class:`minicex_pdf.errors.RosterError`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import RosterError
from ..limits import ROSTER_MAX_BYTES
from ..reading.record import SubGoal
from .definition import Field, FormDefinition, Text, load_definition
from .subgoals import Catalogue
from .subgoals import catalogue as load_catalogue

#: Roster files this module reads, by suffix.
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: What a sub-goal code looks like (STa1, c12, a3): messages name such entries of a cell, never other text.
_CODE_SHAPE = re.compile(r"[A-Za-z]{1,4}[0-9]{1,3}")
#: Headers of the column with the trainee's e-mail address (for ``minicex send``); not a form field.
EMAIL_HEADERS = ("email", "e-post", "e-mail", "mail")


@dataclass(frozen=True)
class RosterRow:
    """One good roster row: the values it pre-fills, keyed by definition field names."""

    number: int
    name: str
    values: dict[str, Any]
    subgoals: tuple[SubGoal, ...] = ()
    #: The e-mail column's cell ("" when the roster has none): checked only when mail is sent.
    email: str = ""


@dataclass(frozen=True)
class RowError:
    """A roster row that was skipped, and why (in Swedish and English)."""

    number: int
    message: Text

    def text(self, lang: str = "en") -> str:
        """``row N: what is wrong`` in one language."""
        word = "rad" if lang == "sv" else "row"
        return f"{word} {self.number}: {self.message[lang]}"


@dataclass(frozen=True)
class Roster:
    """A roster file read and checked: good rows, skipped rows, ignored columns."""

    path: str
    rows: tuple[RosterRow, ...]
    errors: tuple[RowError, ...] = ()
    ignored_columns: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RosterColumns:
    """Which definition field each roster header fills, derived from the definition."""

    definition: FormDefinition
    by_header: dict[str, Field]

    @classmethod
    def of(cls, definition: FormDefinition) -> RosterColumns:
        """Every accepted header (English prefill key, Swedish header) -> its field."""
        fields = {f.prefill: f for f in definition.fields if f.prefill}
        by_header: dict[str, Field] = {}
        for key, f in fields.items():
            by_header[header_key(key)] = f
        for key, swedish in definition.roster_headers_sv:
            by_header[header_key(swedish)] = fields[key]
        return cls(definition, by_header)

    def header(self, f: Field) -> Text:
        """The header naming ``f``'s column in messages: the English key, and the Swedish header if any."""
        swedish = dict(self.definition.roster_headers_sv).get(f.prefill or "", f.prefill or f.name)
        return Text(sv=swedish, en=f.prefill or f.name)

    @property
    def fields(self) -> tuple[Field, ...]:
        """The prefill fields, in the form's reading order."""
        return tuple(f for f in self.definition.fields if f.prefill)

    @property
    def name_field(self) -> Field:
        """The field a row cannot do without (the trainee's name)."""
        return self.definition.role("trainee")

    @property
    def regulation_field(self) -> Field:
        """The choice field whose options are the definition's regulations."""
        return self.definition.role("regulation")

    @property
    def subgoal_field(self) -> Field:
        """The text field holding sub-goal codes."""
        return self.definition.role("subgoals")


def specialty_of(texts: Iterable[str | None], catalogue: Catalogue) -> str | None:
    """The first of ``texts`` that names a specialty of the sub-goal catalogue (its name there)."""
    return next((name for t in texts if (name := catalogue.specialty(t))), None)


def header_key(text: str) -> str:
    """A header as compared: NFC, case-folded, without spaces, ``-`` and ``_``."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFC", text)).casefold()


def _cell(value: Any) -> str:
    """A cell as trimmed NFC text (whole-number floats from Excel without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


# --------------------------------------------------------------------------- reading files


def _read_table(path: Path, known: Container[str]) -> list[list[str]]:
    """The file's rows as lists of cell text; RosterError when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise RosterError(f"{path}: not a roster: use a .csv or .xlsx file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read: {exc.strerror}") from None
    if size > ROSTER_MAX_BYTES:
        raise RosterError(f"{path}: too large to be a roster ({size} bytes)")
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read: {exc.strerror}") from None
    return _read_csv(path, data, known)


def _read_csv(path: Path, data: bytes, known: Container[str]) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise RosterError(f"{path}: not a text (CSV) file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Swedish Windows saves "CSV" as Windows-1252.
        text = data.decode("cp1252", errors="replace")
    # Excel writes ";" in Swedish locales and "," elsewhere; the sniffer is fooled by
    # "STa1, STb1" in a cell, so take the delimiter whose first line has the most known headers.
    lines = [line for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    delimiter = max(",;\t", key=lambda d: sum(header_key(c) in known for c in first.split(d)))
    try:
        return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise RosterError(f"{path}: not a readable CSV file: {exc}") from None


def _read_xlsx(path: Path) -> list[list[str]]:
    try:
        import openpyxl
    except ImportError:
        raise RosterError(f"{path}: XLSX rosters need openpyxl: pip install 'minicex-pdf[xlsx]'") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise RosterError(f"{path}: not a readable XLSX workbook ({type(exc).__name__})") from None
    except Exception as exc:  # openpyxl raises its own InvalidFileException and others
        raise RosterError(f"{path}: not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


# --------------------------------------------------------------------------- checking rows


def _regulation_code(text: str, definition: FormDefinition) -> str | None:
    """The option code of a regulation given by name or code (any case, any spacing)."""
    wanted = re.sub(r"\s+", "", text).casefold()
    for reg in definition.regulations:
        if wanted in (re.sub(r"\s+", "", reg.name).casefold(), reg.code.casefold()):
            return reg.code
    return None


def check_row(
    number: int, cells: dict[Field, str], columns: RosterColumns, catalogue: Catalogue
) -> RosterRow | RowError:
    """One row as a good :class:`RosterRow`, or the :class:`RowError` that skips it."""
    definition = columns.definition
    name_field = columns.name_field
    if not cells.get(name_field):
        label = name_field.label
        return RowError(number, Text(sv=f"{label.sv} saknas", en=f"{label.en} is missing"))
    values: dict[str, Any] = {name_field.name: cells[name_field]}
    for f in columns.fields:
        if f is not name_field and cells.get(f) and f.type in ("text", "multiline"):
            values[f.name] = cells[f]
    reg_field, sub_field = columns.regulation_field, columns.subgoal_field
    regulation: str | None = None
    if cells.get(reg_field):
        regulation = _regulation_code(cells[reg_field], definition)
        if regulation is None:
            known = ", ".join(f"{r.name} ({r.code})" for r in definition.regulations)
            col = columns.header(reg_field)
            return RowError(
                number,
                Text(
                    sv=f"kolumnen {col.sv}: okänd målbeskrivning; kända: {known}",
                    en=f"column {col.en}: unknown regulation; known: {known}",
                ),
            )
    subgoals: tuple[SubGoal, ...] = ()
    if cells.get(sub_field):
        specialty = specialty_of(cells.values(), catalogue)
        subgoals, unknown = catalogue.normalise(cells[sub_field], regulation, specialty)
        regs = {s.regulation for s in subgoals}
        if regulation is None and len(regs) == 1:
            regulation = regs.pop()
        names = {r.code: r.name for r in definition.regulations}
        col = columns.header(sub_field)
        if regulation is None:
            given = " / ".join(names.values())
            return RowError(
                number,
                Text(
                    sv=f"kolumnen {col.sv}: delmål utan målbeskrivning (ange {given})",
                    en=f"column {col.en}: sub-goals without a regulation (give {given})",
                ),
            )
        wrong = list(unknown) + [s.code for s in subgoals if s.regulation != regulation]
        if wrong:
            # Only entries shaped like a sub-goal code are named; anything else in the cell is counted.
            codes = [w for w in wrong if _CODE_SHAPE.fullmatch(w)]
            other = len(wrong) - len(codes)
            listed = Text(
                sv=", ".join(
                    codes + ([f"{other} " + ("andra poster" if other > 1 else "annan post")] if other else [])
                ),
                en=", ".join(codes + ([f"{other} other entr" + ("ies" if other > 1 else "y")] if other else [])),
            )
            where = names[regulation] + (f", {specialty}" if specialty else "")
            return RowError(
                number,
                Text(
                    sv=f"kolumnen {col.sv}: delmål som inte finns i {where}: {listed.sv}",
                    en=f"column {col.en}: sub-goals not in {where}: {listed.en}",
                ),
            )
        values[sub_field.name] = ", ".join(s.code for s in subgoals)
    if regulation is not None:
        values[reg_field.name] = regulation
    return RosterRow(number, cells[name_field], values, subgoals)


def check_table(
    table: Sequence[Sequence[str]],
    path: str = "<roster>",
    definition: FormDefinition | None = None,
    catalogue: Catalogue | None = None,
) -> Roster:
    """A table of cells (header row first) checked row by row."""
    definition = definition or load_definition()
    catalogue = catalogue or load_catalogue()
    columns = RosterColumns.of(definition)
    rows = list(table)
    start = next((i for i, row in enumerate(rows) if any(rows[i])), None)
    if start is None:
        raise RosterError(f"{path}: the roster is empty")
    header = rows[start]
    index: dict[Field, int] = {}
    ignored: list[str] = []
    email_at: int | None = None
    for i, text in enumerate(header):
        f = columns.by_header.get(header_key(text))
        if f is None:
            if email_at is None and header_key(text) in {header_key(h) for h in EMAIL_HEADERS}:
                email_at = i
            elif text:
                ignored.append(text)
            continue
        if f in index:
            raise RosterError(
                f"{path}: columns {index[f] + 1} and {i + 1} are both the {f.prefill} column: keep one of them"
            )
        index[f] = i
    if columns.name_field not in index:
        english = [f.prefill or "" for f in columns.fields]
        swedish = [h for _, h in definition.roster_headers_sv]
        raise RosterError(
            f"{path}: no name column in the first row; headers are {', '.join(english)}"
            + (f" or {', '.join(swedish)}" if swedish else "")
        )
    good: list[RosterRow] = []
    bad: list[RowError] = []
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(row):
            continue
        cells = {f: (row[i] if i < len(row) else "") for f, i in index.items()}
        result = check_row(offset, cells, columns, catalogue)
        if isinstance(result, RosterRow):
            if email_at is not None and email_at < len(row):
                result = replace(result, email=row[email_at])
            good.append(result)
        else:
            bad.append(result)
    return Roster(path=path, rows=tuple(good), errors=tuple(bad), ignored_columns=tuple(ignored))


def read_roster(
    path: str | Path, definition: FormDefinition | None = None, catalogue: Catalogue | None = None
) -> Roster:
    """Read and check a CSV or XLSX roster; RosterError if the file is not a roster."""
    path = Path(path)
    definition = definition or load_definition()
    return check_table(_read_table(path, RosterColumns.of(definition).by_header), str(path), definition, catalogue)
