"""Lists for people and programs: a terminal table, CSV for Excel, or JSON.

The table and CSV show words (status labels, ``; ``-joined lists) in the chosen
language; JSON keeps the machine form (status codes, lists, ISO dates, numbers).
CSV is UTF-8 with a byte order mark and ``;``, like every CSV this tool writes,
with spreadsheet formulas neutralised.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..form.definition import Text
from ..storage.export import neutralise

#: Output formats of the admin's lists.
LIST_FORMATS = ("table", "csv", "json")


@dataclass
class Listing:
    """Rows keyed by column key, with each column's header; rendered as table, CSV or JSON."""

    columns: dict[str, Text]
    rows: Sequence[dict[str, Any]]
    lang: str = "sv"
    #: Turns a cell into words for the table and CSV (``key, value -> text``), e.g. status codes to labels.
    words: Callable[[str, Any], Any] | None = None

    def _cell(self, key: str, value: Any) -> str:
        if self.words is not None:
            value = self.words(key, value)
        if value is None:
            return ""
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return "; ".join(str(v) for v in value)
        return str(value)

    def render(self, fmt: str, keys: Sequence[str] | None = None) -> str:
        """The rows as ``table``, ``csv`` (with BOM) or ``json``; ``keys`` limits the table's columns."""
        if fmt == "json":
            return self.json()
        if fmt == "csv":
            return self.csv()
        return self.table(keys)

    def table(self, keys: Sequence[str] | None = None) -> str:
        """An aligned text table: numbers right, text left; empty cells as ``–``."""
        keys = list(keys or self.columns)
        head = [self.columns[k][self.lang] for k in keys]
        body = [[self._cell(k, r[k]) or "–" for k in keys] for r in self.rows]
        widths = [max([len(h)] + [len(row[i]) for row in body]) for i, h in enumerate(head)]
        numeric = [bool(self.rows) and all(isinstance(r[k], int) for r in self.rows) for k in keys]

        def line(cells: list[str]) -> str:
            parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)]
            return "  ".join(parts).rstrip()

        return "\n".join([line(head), line(["-" * w for w in widths]), *(line(row) for row in body)])

    def csv(self) -> str:
        """CSV for Excel: BOM, ``;``, CRLF, headers in the language, formulas neutralised."""
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        writer.writerow([self.columns[k][self.lang] for k in self.columns])
        for r in self.rows:
            writer.writerow([neutralise(self._cell(k, r[k])) for k in self.columns])
        return buf.getvalue()

    def json(self) -> str:
        """A JSON array of objects keyed by column key: codes, numbers, lists, ISO dates."""

        def plain(value: Any) -> Any:
            if isinstance(value, _dt.date):
                return value.isoformat()
            if isinstance(value, tuple):
                return list(value)
            return value

        data = [{k: plain(r[k]) for k in self.columns} for r in self.rows]
        return json.dumps(data, ensure_ascii=False, indent=2)
