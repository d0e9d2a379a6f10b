"""Roster files as Excel and people really save them, read into one table of cells.

- CSV in UTF-8 (with or without BOM), Windows-1252 (Excel's "CSV" on Swedish
  Windows), UTF-16 with BOM (Excel's "Unicode Text"; also without BOM); ``,``
  ``;`` or tab; CRLF, LF or CR-only line ends. A quote that opens a cell and never
  closes makes only its own row unreadable (a :class:`LineError`), never
  swallows the rows after it.
- XLSX read row by row without trusting the stored sheet dimension (stale or
  just ``A1`` in files some programs write); formula cells without a saved value
  are listed so the caller can name their row and column.
- The header row is looked for on each sheet, below title rows and blank rows;
  the first sheet that has one is used.

Rows keep their numbers as the user sees them (the line in a text editor, the row
in Excel). Cells are trimmed NFC text. A file that cannot be read at all raises
:class:`minicex_pdf.errors.RosterError`.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RosterError
from ..limits import ROSTER_HEADER_SEARCH_ROWS as HEADER_SEARCH_ROWS
from ..limits import ROSTER_MAX_BYTES as MAX_BYTES
from ..limits import ROSTER_MAX_CELL_LINES as MAX_CELL_LINES

#: Roster files read, by suffix.
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t")

#: How many roster columns a row of cells names if it is the header row (0: it is not).
IsHeader = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class Table:
    """One sheet's header and data rows, with the row numbers the user sees."""

    header_row: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    sheet: str | None = None  # the XLSX sheet's name (None for CSV)
    first_sheet: bool = True
    #: Rows that could not be split into cells (a stray quote), by number.
    unreadable: tuple[int, ...] = ()
    #: (row, column index) of formula cells without a saved value.
    formulas: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    encoding: str | None = None


def cell_text(value: Any) -> str:
    """A cell as trimmed NFC text (whole-number floats from Excel without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_table(path: Path, is_header: IsHeader) -> Table:
    """The roster table of the file at ``path``; RosterError if unreadable or no sheet has a header row."""
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise RosterError(
            f"{path}: not a roster: use a .csv or .xlsx file",
            sv=f"{path}: ingen deltagarlista: använd en .csv- eller .xlsx-fil",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RosterError(
            f"{path}: cannot be read: {exc.strerror}", sv=f"{path}: kan inte läsas: {exc.strerror}"
        ) from None
    if size > MAX_BYTES:
        raise RosterError(
            f"{path}: too large to be a roster ({size} bytes)",
            sv=f"{path}: för stor för en deltagarlista ({size} byte)",
        )
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, is_header)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(
            f"{path}: cannot be read: {exc.strerror}", sv=f"{path}: kan inte läsas: {exc.strerror}"
        ) from None
    return read_csv_bytes(path, data, is_header)


# --------------------------------------------------------------------------- CSV


def decode(path: Path | str, data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise RosterError(
                    f"{path}: not readable as {encoding} text though it starts like it",
                    sv=f"{path}: kan inte läsas som {encoding}-text fast den börjar så",
                ) from None
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: every other byte of Latin text is zero.
        head = data[:4096]
        for encoding, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
            if zeros.count(0) >= 0.4 * len(zeros) and len(data) % 2 == 0:
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                if not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
                    return text, encoding
        raise RosterError(f"{path}: not a text (CSV) file", sv=f"{path}: ingen textfil (CSV)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel on Swedish Windows saves "CSV" as Windows-1252; its five unused bytes read as Latin-1.
        return data.decode("cp1252", errors="ignore") if _cp1252_ok(data) else data.decode("latin-1"), "cp1252"


def _cp1252_ok(data: bytes) -> bool:
    return not any(b in data for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


def _split(line: str, delimiter: str, strict: bool) -> list[str] | None:
    """The cells of one line, or None when a quoted cell does not close on it (``strict``)."""
    try:
        rows = list(csv.reader([line], delimiter=delimiter, strict=strict))
    except csv.Error:
        return None
    return rows[0] if rows else []


def read_csv_bytes(path: Path | str, data: bytes, is_header: IsHeader) -> Table:
    """A CSV file's table: encoding, delimiter and header row found; stray quotes cost one row each."""
    text, encoding = decode(path, data)
    lines = re.split(r"\r\n|\r|\n", text)
    # The header row and the delimiter are those that name the most roster columns ("STa1, STb1"
    # in a cell fools csv.Sniffer; a title row that reads "ST-läkare" names fewer than the header).
    best: tuple[int, str] | None = None
    top = 0
    for number, line in enumerate(lines[:HEADER_SEARCH_ROWS]):
        for delimiter in DELIMITERS:
            score = is_header([cell_text(c) for c in _split(line, delimiter, strict=False) or []])
            if score > top:
                best, top = (number, delimiter), score
    if best is None:
        if not any(line.strip() for line in lines):
            raise RosterError(f"{path}: the roster is empty", sv=f"{path}: listan är tom")
        raise RosterError(
            f"{path}: no header row with a name column in the first {HEADER_SEARCH_ROWS} rows",
            sv=f"{path}: ingen rubrikrad med en namnkolumn på de första {HEADER_SEARCH_ROWS} raderna",
        )
    start, delimiter = best
    header = tuple(cell_text(c) for c in _split(lines[start], delimiter, strict=False) or [])
    rows: list[tuple[int, tuple[str, ...]]] = []
    unreadable: list[int] = []
    i = start + 1
    while i < len(lines):
        cells = _split(lines[i], delimiter, strict=True)
        used = 1
        while cells is None and used < MAX_CELL_LINES and i + used < len(lines):
            # A cell with line breaks in quotes is fine if the record closes and has the header's width.
            used += 1
            joined = _split("\n".join(lines[i : i + used]), delimiter, strict=True)
            if joined is not None:
                cells = joined if len(joined) == len(header) else None
                break
        if cells is None:
            unreadable.append(i + 1)
            used = 1
        else:
            rows.append((i + 1, tuple(cell_text(c) for c in cells)))
        i += used
    return Table(start + 1, header, tuple(rows), unreadable=tuple(unreadable), encoding=encoding)


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path, is_header: IsHeader) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise RosterError(
            f"{path}: XLSX rosters need openpyxl: pip install 'minicex-pdf[xlsx]'",
            sv=f"{path}: XLSX-listor kräver openpyxl: pip install 'minicex-pdf[xlsx]'",
        ) from None

    def load(data_only: bool) -> Any:
        try:
            return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise RosterError(
                f"{path}: not a readable XLSX workbook ({type(exc).__name__})",
                sv=f"{path}: ingen läsbar XLSX-arbetsbok ({type(exc).__name__})",
            ) from None
        except Exception as exc:  # openpyxl raises its own InvalidFileException and others
            raise RosterError(
                f"{path}: not a readable XLSX workbook ({type(exc).__name__})",
                sv=f"{path}: ingen läsbar XLSX-arbetsbok ({type(exc).__name__})",
            ) from None

    values = load(data_only=True)
    try:
        empty = True
        for index, sheet in enumerate(values.worksheets):
            # Read-only mode trusts the stored dimension, which some programs leave stale or at "A1":
            # forget it, so every row that is there is read.
            sheet.reset_dimensions()
            all_rows = [
                (n, tuple(cell_text(v) for v in raw)) for n, raw in enumerate(sheet.iter_rows(values_only=True), 1)
            ]
            empty = empty and not any(any(cells) for _, cells in all_rows)
            best = best_header([cells for _, cells in all_rows[:HEADER_SEARCH_ROWS]], is_header)
            if best is None:
                continue
            header_row, header, rows = all_rows[best][0], all_rows[best][1], all_rows[best + 1 :]
            blank = {(n, c) for n, cells in rows for c, v in enumerate(cells) if v == ""}
            return Table(
                header_row,
                header,
                tuple(rows),
                sheet=sheet.title,
                first_sheet=index == 0,
                formulas=frozenset(_formulas(load(data_only=False), index, blank) if blank else ()),
            )
    finally:
        values.close()
    if empty:
        raise RosterError(f"{path}: the roster is empty", sv=f"{path}: listan är tom")
    raise RosterError(
        f"{path}: no sheet has a header row with a name column in its first {HEADER_SEARCH_ROWS} rows",
        sv=f"{path}: inget blad har en rubrikrad med en namnkolumn på sina första {HEADER_SEARCH_ROWS} rader",
    )


def _formulas(book: Any, index: int, blank: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of the ``blank`` (row, column) cells of sheet ``index`` hold a formula (no saved value)."""
    try:
        sheet = book.worksheets[index]
        sheet.reset_dimensions()
        found = set()
        for number, raw in enumerate(sheet.iter_rows(values_only=True), 1):
            for column, value in enumerate(raw):
                if (number, column) in blank and (
                    (isinstance(value, str) and value.startswith("="))
                    or type(value).__name__ in ("ArrayFormula", "DataTableFormula")
                ):
                    found.add((number, column))
        return found
    finally:
        book.close()


def best_header(rows: Sequence[Sequence[str]], is_header: IsHeader) -> int | None:
    """Index of the row that names the most roster columns (the first of equals), or None."""
    scores = [is_header(row) for row in rows]
    top = max(scores, default=0)
    return scores.index(top) if top else None
