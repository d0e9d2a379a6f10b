"""An empty roster to fill in: the definition's headers in one language, and in XLSX a
drop-down list of the regulations in the regulation column.

Example::

    write_template("roster.xlsx", lang="sv")  # namn, specialitet, ..., målbeskrivning (a list), delmål
    write_template("roster.csv", lang="en")   # name,specialty,...  (UTF-8 with BOM, for Excel)
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from ..errors import UsageError
from ..limits import ROSTER_TEMPLATE_ROWS as TEMPLATE_ROWS
from .definition import LANGS, FormDefinition, load_definition
from .roster import RosterColumns
from .roster_files import column_letter

__all__ = ["TEMPLATE_ROWS", "headers", "write_template"]


def headers(definition: FormDefinition, lang: str) -> list[str]:
    """The roster headers in ``lang``: the prefill keys (en) or the Swedish headers (sv)."""
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    swedish = dict(definition.roster_headers_sv)
    keys = [f.prefill or "" for f in RosterColumns.of(definition).fields]
    return [swedish.get(k, k) if lang == "sv" else k for k in keys]


def _xlsx(definition: FormDefinition, lang: str) -> bytes:
    try:
        import openpyxl
        from openpyxl.styles import Font
        from openpyxl.worksheet.datavalidation import DataValidation
    except ImportError:
        raise UsageError(
            "an XLSX template needs openpyxl: pip install 'minicex-pdf[xlsx]' (or write a .csv)",
            sv="en XLSX-mall behöver openpyxl: pip install 'minicex-pdf[xlsx]' (eller skriv en .csv)",
        ) from None
    columns = RosterColumns.of(definition)
    names = headers(definition, lang)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ST-läkare" if lang == "sv" else "Trainees"
    sheet.append(names)
    for i, _ in enumerate(names):
        sheet.cell(row=1, column=i + 1).font = Font(bold=True)
        sheet.column_dimensions[column_letter(i)].width = 24
    sheet.freeze_panes = "A2"
    where = [f.prefill for f in columns.fields].index(columns.regulation_field.prefill)
    letter = column_letter(where)
    listed = ",".join(r.name for r in definition.regulations)
    check = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    check.error = "Välj en målbeskrivning i listan" if lang == "sv" else "Choose a regulation from the list"
    check.errorTitle = headers(definition, lang)[where]
    check.showErrorMessage = True
    sheet.add_data_validation(check)
    check.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _csv(definition: FormDefinition, lang: str) -> bytes:
    buf = io.StringIO()
    # Excel opens UTF-8 with a BOM right; a Swedish Excel splits on ";".
    csv.writer(buf, delimiter=";" if lang == "sv" else ",", lineterminator="\r\n").writerow(headers(definition, lang))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_template(
    path: str | Path, lang: str = "sv", definition: FormDefinition | None = None, force: bool = False
) -> Path:
    """Write an empty roster (``.xlsx`` or ``.csv`` by the suffix) to ``path``; never overwrites unless ``force``."""
    path = Path(path)
    definition = definition or load_definition()
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(
            f"{path}: a roster template is .xlsx or .csv", sv=f"{path}: en mall för deltagarlistan är .xlsx eller .csv"
        )
    if path.exists() and not force:
        raise UsageError(
            f"{path} exists: choose another name, or add --force to overwrite it",
            sv=f"{path} finns redan: välj ett annat namn, eller lägg till --force för att skriva över den",
        )
    data = _xlsx(definition, lang) if suffix == ".xlsx" else _csv(definition, lang)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".minicex-", suffix=suffix, dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot write: {exc.strerror}", sv=f"{path}: kan inte skrivas: {exc.strerror}"
        ) from None
    return path
