"""Read a roster of trainees (CSV or XLSX) into rows that pre-fill forms.

A roster has one trainee per row. Its columns are the definition's prefill keys
(``Field.prefill``: the English headers), the Swedish headers and other common
headers the definition gives for them (``[roster] headers_sv`` and ``aliases``),
or a first-name and a last-name column joined into the name (``[roster]
name_parts``); nothing here spells a header again. Headers are matched without
regard to case, spaces, ``-`` and ``_``. Files are read by :mod:`.roster_files`
(encodings, delimiters, line ends, sheets, title rows above the header).

A row that cannot make a good form (no name, an unknown regulation, a sub-goal
code that does not exist in the trainee's regulation, a formula without a saved
value) is a :class:`RowError` value with its row number and column; the other rows
are still made. What is read but worth knowing (an unknown column, a specialty not
in the catalogue, a character no shipped font has, which sheet and row held the
header) is a :class:`RowWarning`. Messages name rows and columns, never quote cells.
A file that cannot be read as a roster at all raises :class:`minicex_pdf.errors.RosterError`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import RosterError
from ..reading.record import SubGoal
from . import fonts
from .definition import Field, FormDefinition, Text, load_definition
from .roster_files import (
    CSV_SUFFIXES,
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    XLSX_SUFFIXES,
    Table,
    best_header,
    cell_text,
    column_letter,
    read_table,
)
from .subgoals import Catalogue
from .subgoals import catalogue as load_catalogue

__all__ = [
    "CSV_SUFFIXES",
    "MAX_BYTES",
    "XLSX_SUFFIXES",
    "Roster",
    "RosterColumns",
    "RosterRow",
    "RowError",
    "RowWarning",
    "check_table",
    "header_key",
    "read_roster",
]

#: What a sub-goal code looks like (STa1, c12, a3): messages name such entries of a cell, never other text.
_CODE_SHAPE = re.compile(r"[A-Za-z]{1,4}[0-9]{1,3}")
#: Headers of the column with the trainee's e-mail address (for ``minicex send``); not a form field.
EMAIL_HEADERS = ("email", "e-post", "e-mail", "mail")
#: The word before a row's number, chosen like the message after it (so the two never differ in language).
_ROW = Text(sv="rad", en="row")


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
        return f"{_ROW[lang]} {self.number}: {self.message[lang]}"


@dataclass(frozen=True)
class RowWarning:
    """Something read but worth knowing: about one row (``number``) or the whole file (``None``)."""

    number: int | None
    message: Text

    def text(self, lang: str = "en") -> str:
        """``row N: what to know``, or the message alone for the whole file."""
        if self.number is None:
            return self.message[lang]
        return f"{_ROW[lang]} {self.number}: {self.message[lang]}"


@dataclass(frozen=True)
class Roster:
    """A roster file read and checked: good rows, skipped rows, warnings, ignored columns."""

    path: str
    rows: tuple[RosterRow, ...]
    errors: tuple[RowError, ...] = ()
    ignored_columns: tuple[str, ...] = field(default=())
    warnings: tuple[RowWarning, ...] = ()
    sheet: str | None = None
    header_row: int = 1


def header_key(text: str) -> str:
    """A header as compared: NFC, case-folded, without spaces, ``-`` and ``_``."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFC", text)).casefold()


@dataclass(frozen=True)
class Columns:
    """Where each field's column is in one roster's header row."""

    index: dict[Field, int]
    name_parts: tuple[int, int] | None
    ignored: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class RosterColumns:
    """Which definition field each roster header fills, derived from the definition."""

    definition: FormDefinition
    by_header: dict[str, Field]
    first_names: frozenset[str] = frozenset()
    last_names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, definition: FormDefinition) -> RosterColumns:
        """Every accepted header (English prefill key, Swedish header, alias) -> its field."""
        fields = {f.prefill: f for f in definition.fields if f.prefill}
        by_header: dict[str, Field] = {}
        for key, f in fields.items():
            by_header[header_key(key)] = f
        for key, swedish in definition.roster_headers_sv:
            by_header[header_key(swedish)] = fields[key]
        for key, aliases in definition.roster_aliases:
            for alias in aliases:
                by_header.setdefault(header_key(alias), fields[key])
        parts = definition.roster_name_parts or ((), ())
        return cls(
            definition,
            by_header,
            frozenset(header_key(h) for h in parts[0]),
            frozenset(header_key(h) for h in parts[1]),
        )

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

    @property
    def specialty_field(self) -> Field:
        """The text field holding the specialty."""
        return self.definition.role("specialty")

    def score(self, cells: Sequence[str]) -> int:
        """How many roster columns ``cells`` name if it is a header row with a name (0 if it is not)."""
        keys = [header_key(c) for c in cells if c]
        fields = {self.by_header[k] for k in keys if k in self.by_header}
        has_parts = any(k in self.first_names for k in keys) and any(k in self.last_names for k in keys)
        if self.name_field not in fields and not has_parts:
            return 0
        return len(fields) + 2 * has_parts

    def match(self, header: Sequence[str], path: str) -> Columns:
        """The columns of ``header``; RosterError when a field's column appears twice."""
        index: dict[Field, int] = {}
        first = last = None
        ignored: list[tuple[int, str]] = []
        for i, text in enumerate(header):
            key = header_key(text)
            f = self.by_header.get(key)
            if f is None:
                if key in self.first_names and first is None:
                    first = i
                elif key in self.last_names and last is None:
                    last = i
                elif text:
                    ignored.append((i, text))
                continue
            if f in index:
                raise RosterError(
                    f"{path}: columns {column_letter(index[f])} and {column_letter(i)} are both the {f.prefill} "
                    "column: keep one of them",
                    sv=f"{path}: kolumnerna {column_letter(index[f])} och {column_letter(i)} är båda kolumnen "
                    f"{f.prefill}: behåll en av dem",
                )
            index[f] = i
        parts = (first, last) if first is not None and last is not None and self.name_field not in index else None
        for part in (first, last):
            if part is not None and parts is None:
                ignored.append((part, header[part]))
        return Columns(index, parts, tuple(sorted(ignored)))

    def column(self, f: Field, columns: Columns) -> Text:
        """``column C (header)`` for field ``f`` in both languages: its letter and its roster key."""
        i = columns.index.get(f, columns.name_parts[0] if columns.name_parts and f is self.name_field else -1)
        header = self.header(f)
        letter = column_letter(i) if i >= 0 else "?"
        return Text(sv=f"kolumn {letter} ({header.sv})", en=f"column {letter} ({header.en})")


# --------------------------------------------------------------------------- checking rows


def regulation_code(text: str, definition: FormDefinition) -> str | None:
    """The option code of a regulation however a roster writes it: ``HSLF-FS 2021:8``, ``HSLF 2021:8``,
    ``2021:8``, ``SOSFS 2015:8 (gamla)``, the option code; None when it names none."""
    given = re.sub(r"\([^)]*\)", "", unicodedata.normalize("NFC", text)).casefold()
    given_key = re.sub(r"[\s\-_]+", "", given)
    number = re.search(r"\d{4}:\d+", given_key)
    for reg in definition.regulations:
        if given_key in (re.sub(r"[\s\-_]+", "", reg.name).casefold(), reg.code.casefold()):
            return reg.code
        own = re.search(r"\d{4}:\d+", reg.name)
        if number and own and number.group() == own.group():
            letters = given_key[: number.start()]
            if not letters or re.sub(r"[\s\-_]+", "", reg.name[: own.start()]).casefold().startswith(letters):
                return reg.code
    return None


def _subgoal_problem(wrong: list[str], where: str, column: Text) -> Text:
    """Sub-goals not in ``where``: entries shaped like a code are named, anything else in the cell is counted."""
    codes = [w for w in wrong if _CODE_SHAPE.fullmatch(w)]
    other = len(wrong) - len(codes)
    sv = codes + ([f"{other} " + ("andra poster" if other > 1 else "annan post")] if other else [])
    en = codes + ([f"{other} other entr" + ("ies" if other > 1 else "y")] if other else [])
    return Text(
        sv=f"{column.sv}: delmål som inte finns i {where}: {', '.join(sv)}",
        en=f"{column.en}: sub-goals not in {where}: {', '.join(en)}",
    )


def check_row(
    number: int,
    cells: dict[Field, str],
    columns: RosterColumns,
    catalogue: Catalogue,
    where: Columns | None = None,
    warnings: list[RowWarning] | None = None,
) -> RosterRow | RowError:
    """One row as a good :class:`RosterRow`, or the :class:`RowError` that skips it (warnings appended)."""
    definition = columns.definition
    where = where or Columns({f: i for i, f in enumerate(cells)}, None, ())
    warnings = warnings if warnings is not None else []
    name_field = columns.name_field
    if not cells.get(name_field):
        label = name_field.label
        col = columns.column(name_field, where)
        return RowError(number, Text(sv=f"{col.sv}: {label.sv} saknas", en=f"{col.en}: {label.en} is missing"))
    values: dict[str, Any] = {name_field.name: cells[name_field]}
    for f in columns.fields:
        if f is not name_field and cells.get(f) and f.type in ("text", "multiline"):
            values[f.name] = cells[f]
    reg_field, sub_field = columns.regulation_field, columns.subgoal_field
    regulation: str | None = None
    names = {r.code: r.name for r in definition.regulations}
    if cells.get(reg_field):
        regulation = regulation_code(cells[reg_field], definition)
        if regulation is None:
            known = ", ".join(f"{r.name} ({r.code})" for r in definition.regulations)
            col = columns.column(reg_field, where)
            return RowError(
                number,
                Text(
                    sv=f"{col.sv}: okänd målbeskrivning; kända: {known}",
                    en=f"{col.en}: unknown regulation; known: {known}",
                ),
            )
    spec_field = columns.specialty_field
    specialty = catalogue.specialty(cells.get(spec_field)) if cells.get(spec_field) else None
    if cells.get(spec_field) and specialty is None:
        col = columns.column(spec_field, where)
        warnings.append(
            RowWarning(
                number,
                Text(
                    sv=f"{col.sv}: specialiteten finns inte i delmålskatalogen; delmålen kontrolleras bara mot "
                    "målbeskrivningens gemensamma delmål och c-delmål som finns i någon specialitet",
                    en=f"{col.en}: the specialty is not in the sub-goal catalogue; sub-goals are checked only "
                    "against the regulation's common ones and the c codes some specialty has",
                ),
            )
        )
    subgoals: tuple[SubGoal, ...] = ()
    if cells.get(sub_field):
        col = columns.column(sub_field, where)
        subgoals, unknown = catalogue.normalise(cells[sub_field], regulation, specialty, strict=True)
        regs = {s.regulation for s in subgoals}
        if regulation is None and len(regs) == 1:
            regulation = regs.pop()
        if regulation is None:
            given = " / ".join(names.values())
            return RowError(
                number,
                Text(
                    sv=f"{col.sv}: delmål utan målbeskrivning (ange {given})",
                    en=f"{col.en}: sub-goals without a regulation (give {given})",
                ),
            )
        wrong = list(unknown) + [s.code for s in subgoals if s.regulation != regulation]
        if wrong:
            place = names[regulation] + (f", {specialty}" if specialty else "")
            return RowError(number, _subgoal_problem(wrong, place, col))
        values[sub_field.name] = ", ".join(s.code for s in subgoals)
    if regulation is not None:
        values[reg_field.name] = regulation
    for f in columns.fields:
        lost = fonts.missing(values[f.name]) if isinstance(values.get(f.name), str) else ()
        if lost:
            points = ", ".join(f"U+{ord(ch):04X}" for ch in lost)
            col = columns.column(f, where)
            warnings.append(
                RowWarning(
                    number,
                    Text(
                        sv=f"{col.sv}: {len(lost)} tecken som formulärets typsnitt saknar ({points}): "
                        "sparas som de är, visas som �",
                        en=f"{col.en}: {len(lost)} character(s) the form's font has no glyph for ({points}): "
                        "kept as they are, shown as �",
                    ),
                )
            )
    return RosterRow(number, cells[name_field], values, subgoals)


def check(
    table: Table, path: str = "<roster>", definition: FormDefinition | None = None, catalogue: Catalogue | None = None
) -> Roster:
    """A :class:`Table` (header found) checked row by row."""
    definition = definition or load_definition()
    catalogue = catalogue or load_catalogue(definition)
    columns = RosterColumns.of(definition)
    where = columns.match(table.header, path)
    warnings: list[RowWarning] = []
    if (table.sheet is not None and not table.first_sheet) or table.header_row != 1:
        sheet_sv = f"bladet {table.sheet!r}, " if table.sheet is not None else ""
        sheet_en = f"sheet {table.sheet!r}, " if table.sheet is not None else ""
        warnings.append(
            RowWarning(
                None,
                Text(
                    sv=f"rubrikraden lästes från {sheet_sv}rad {table.header_row}",
                    en=f"the header row was read from {sheet_en}row {table.header_row}",
                ),
            )
        )
    email_keys = {header_key(h) for h in EMAIL_HEADERS}
    email_at = next((i for i, text in where.ignored if header_key(text) in email_keys), None)
    for i, text in where.ignored:
        if i == email_at:
            continue
        warnings.append(
            RowWarning(
                None,
                Text(
                    sv=f"kolumn {column_letter(i)} ({text}) används inte",
                    en=f"column {column_letter(i)} ({text}) is not used",
                ),
            )
        )
    good: list[RosterRow] = []
    bad: list[RowError] = [
        RowError(
            n,
            Text(
                sv='ett citattecken (") öppnar en cell som inte stängs på raden: raden lästes inte',
                en='a quote (") opens a cell that does not close on the line: the row was not read',
            ),
        )
        for n in table.unreadable
    ]
    for number, row in table.rows:
        if not any(row):
            continue
        formula = next((i for i in sorted(where.index.values()) if (number, i) in table.formulas), None)
        if where.name_parts and formula is None:
            formula = next((i for i in where.name_parts if (number, i) in table.formulas), None)
        if formula is not None:
            bad.append(
                RowError(
                    number,
                    Text(
                        sv=f"kolumn {column_letter(formula)}: en formel utan sparat värde "
                        "(öppna filen i Excel och spara den)",
                        en=f"column {column_letter(formula)}: a formula with no saved value "
                        "(open the file in Excel and save it)",
                    ),
                )
            )
            continue
        cells = {f: (row[i] if i < len(row) else "") for f, i in where.index.items()}
        if where.name_parts:
            first, last = (row[i] if i < len(row) else "" for i in where.name_parts)
            cells[columns.name_field] = " ".join(p for p in (first, last) if p)
        result = check_row(number, cells, columns, catalogue, where, warnings)
        if isinstance(result, RosterRow) and email_at is not None and email_at < len(row):
            result = replace(result, email=row[email_at])
        (good if isinstance(result, RosterRow) else bad).append(result)  # type: ignore[arg-type]
    return Roster(
        path=path,
        rows=tuple(good),
        errors=tuple(sorted(bad, key=lambda e: e.number)),
        ignored_columns=tuple(text for i, text in where.ignored if i != email_at),
        warnings=tuple(warnings),
        sheet=table.sheet,
        header_row=table.header_row,
    )


def check_table(
    table: Sequence[Sequence[str]],
    path: str = "<roster>",
    definition: FormDefinition | None = None,
    catalogue: Catalogue | None = None,
) -> Roster:
    """A table of cells (rows numbered from 1; the header row found below any title rows) checked row by row."""
    definition = definition or load_definition()
    columns = RosterColumns.of(definition)
    rows = [tuple(cell_text(c) for c in row) for row in table]
    start = best_header(rows[:HEADER_SEARCH_ROWS], columns.score)
    if start is None:
        if not any(any(r) for r in rows):
            raise RosterError(f"{path}: the roster is empty", sv=f"{path}: listan är tom")
        raise RosterError(f"{path}: {_no_name_column(definition)}", sv=f"{path}: {_no_name_column(definition, 'sv')}")
    found = Table(start + 1, rows[start], tuple((i + 1, r) for i, r in enumerate(rows) if i > start))
    return check(found, path, definition, catalogue)


def _no_name_column(definition: FormDefinition, lang: str = "en") -> str:
    english = [f.prefill or "" for f in definition.fields if f.prefill]
    swedish = [h for _, h in definition.roster_headers_sv]
    if lang == "sv":
        return (
            "ingen rubrikrad med en namnkolumn; rubrikerna är "
            + ", ".join(swedish or english)
            + (f" eller {', '.join(english)}" if swedish else "")
        )
    return (
        "no header row with a name column; headers are "
        + ", ".join(english)
        + (f" or {', '.join(swedish)}" if swedish else "")
    )


def read_roster(
    path: str | Path, definition: FormDefinition | None = None, catalogue: Catalogue | None = None
) -> Roster:
    """Read and check a CSV or XLSX roster; RosterError if the file is not a roster."""
    path = Path(path)
    definition = definition or load_definition()
    columns = RosterColumns.of(definition)
    try:
        table = read_table(path, columns.score)
    except RosterError as exc:
        if "no header row" in str(exc) or "no sheet has a header" in str(exc):
            raise RosterError(
                f"{path}: {_no_name_column(definition)}", sv=f"{path}: {_no_name_column(definition, 'sv')}"
            ) from None
        raise
    return check(table, str(path), definition, catalogue)
