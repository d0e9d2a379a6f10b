"""Exports read back with the csv module, openpyxl and json: right rows, readable headers, no live formulas.

The store is filled with records built as the reader builds them (the
end-to-end export of real imported PDFs is in test_import.py).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_export_teeth import COLUMNS
from test_store import make_record

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import load_definition
from minicex_pdf.storage.export import columns, formula_like, neutralise
from minicex_pdf.storage.store import Store

DEF = load_definition()
NASTY = ('=HYPERLINK("http://x","y")', "+46 70", "-1+2", "@SUM(A1)", "\tx", "\rx")
TEXT_FIELDS = [f.name for f in DEF.fields if f.type in ("text", "multiline")]
LEVELS = list(DEF.level_fields())


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "e.sqlite"
    with Store(path) as store:
        for n in range(4):
            rec = make_record(n)
            values = dict(rec.values)
            for name, nasty in zip(TEXT_FIELDS[1:], NASTY, strict=False):
                values[name] = nasty  # formula-looking text in free-text fields
            store.add(dataclasses.replace(rec, values=values))
        old = make_record(9, instance="again")
        store.add(old)
        store.add(make_record(9, instance="again", extra=" later"))  # a newer revision: only it is exported
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


def test_csv_has_bom_semicolons_labels_and_one_row_per_form(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    code, _ = run("export", "--db", str(db), "--format", "csv", "-o", str(out), "--lang", "sv")
    assert code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == 5
    assert header[0] == DEF.fields[0].label.sv
    for lv in LEVELS:  # code and label per area
        assert f"{lv.label.sv} (kod)" in header and lv.label.sv in header
    trainee_col = header.index(DEF.fields[0].label.sv)
    assert sorted(r[trainee_col] for r in body) == ["Anna Berg"] * 5
    later = [r for r in body if r[header.index("Formulär-id")] == "again"]
    assert len(later) == 1 and later[0][header.index("Version av ifyllnaden")] == "2"
    assert not [c for r in rows for c in r if c[:1] in "=+-@\t\r" and c]


def test_level_cells_are_code_and_label_never_a_mean(db: Path) -> None:
    code, text = run("export", "--db", str(db), "--format", "csv", "--lang", "en", "--delimiter", ",")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    for lv in LEVELS:
        for row in rows:
            level = DEF.level(row[f"{lv.label.en} (code)"])
            assert level is not None and row[lv.label.en] == level.label.en
    assert not [h for h in rows[0] if "mean" in h.lower() or "average" in h.lower()]


def test_neutralise() -> None:
    assert [neutralise(v) for v in NASTY] == ["'" + v for v in NASTY]
    assert neutralise("Anna") == "Anna" and neutralise(-3) == -3 and neutralise("") == ""


def test_xlsx_frozen_header_filter_and_no_formulas(db: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "e.xlsx"
    code, _ = run("export", "--db", str(db), "--format", "xlsx", "-o", str(out), "--lang", "en")
    assert code == 0
    ws = openpyxl.load_workbook(out).active
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:BJ6"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [en for _, _, en in COLUMNS]  # pinned by hand, not the code's own columns()
    assert len(rows) == 6
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    texts = {c for r in rows for c in r if isinstance(c, str)}
    assert set(NASTY) <= texts  # text cells hold the text exactly: no apostrophe the user sees
    nasty = [cell for row in ws.iter_rows() for cell in row if cell.value in NASTY]
    assert len(nasty) == 4 * len(NASTY)
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in nasty)
    date_col = [c.key for c in columns()].index(next(f.name for f in DEF.fields if f.type == "date"))
    assert isinstance(rows[1][date_col], dt.datetime)


def test_jsonl_is_the_machine_format_codes_booleans_lists_iso_dates(db: Path) -> None:
    code, text = run("export", "--db", str(db), "--format", "jsonl", "--lang", "sv")
    assert code == 0
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == 5
    # one key per field (a level is its code, no second "_code" key), then the bookkeeping columns
    assert list(rows[0]) == [k for k, _, _ in COLUMNS if not k.endswith("_code")]  # pinned by hand
    stored = {r.source.sha256: r for r in Store(db).records()}
    for row in rows:
        record = stored[row["sha256"]]
        for f in DEF.fields:
            value = record.values.get(f.name)
            expected = (
                value.isoformat()
                if isinstance(value, dt.date)
                else list(value)
                if isinstance(value, tuple)
                else bool(value)
                if f.type == "checkbox"
                else value
            )
            assert row[f.name] == expected, f.name
        assert row["status"] == record.status
        assert row["subgoal_codes"] == [s.code for s in record.subgoals]
        assert row["problems"] == [{"code": p.code, "severity": p.severity, "field": p.field} for p in record.problems]


def test_export_headers_are_unique_in_each_language() -> None:
    for lang in ("sv", "en"):
        headers = [c.header[lang] for c in columns()]
        assert len(headers) == len(set(headers)), lang


def test_an_empty_store_says_no_forms_imported_yet(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    Store(empty).close()
    result = CliRunner().invoke(cli, ["export", "--db", str(empty), "--format", "csv", "--lang", "en"])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {empty}: no forms imported yet: import returned forms with minicex import\n",
    )


def test_output_rules_extension_folder_and_force(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    wrong = runner.invoke(cli, ["export", "--db", str(db), "--format", "csv", "-o", str(tmp_path / "e.xlsx")])
    assert (wrong.exit_code, wrong.output) == (
        1,
        f"Error: {tmp_path / 'e.xlsx'}: a csv file should end in .csv: change the name or --format\n",
    )
    folder = runner.invoke(cli, ["export", "--db", str(db), "--format", "csv", "-o", str(tmp_path), "--lang", "sv"])
    assert (folder.exit_code, folder.output) == (1, f"Fel: {tmp_path}: är en mapp: ange ett filnamn med -o\n")
    kept = tmp_path / "kept.csv"
    kept.write_text("a returned form")
    again = runner.invoke(cli, ["export", "--db", str(db), "--format", "csv", "-o", str(kept)])
    assert again.exit_code == 1 and "--force" in again.output and kept.read_text() == "a returned form"
    forced = runner.invoke(cli, ["export", "--db", str(db), "--format", "csv", "-o", str(kept), "--force"])
    assert forced.exit_code == 0 and kept.read_bytes().startswith(b"\xef\xbb\xbf")


def test_xlsx_needs_an_output_file(db: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "xlsx"])
    assert result.exit_code == 2 and "-o FILE.xlsx" in result.output


def test_missing_database_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    result = CliRunner().invoke(cli, ["export", "--db", str(missing), "--format", "csv", "--lang", "en"])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {missing}: no such database: import forms with minicex import --db {missing}, or set MINICEX_DB\n",
    )
    assert not missing.exists()


# Formula starts behind leading white space and invisible characters, full-width forms, and leading line ends.
HIDDEN = [
    " =1+1",
    "\u00a0=1+1",
    "\u3000+1",
    "\ufeff=1",
    "\u200b-1",
    "\u202e@SUM(A1)",
    "\x0b=1",
    "\x0c=1",
    "\u0085=1",
    "\u2028=1",
    "\uff1d1+1",
    "\ufe621",
    "\uff0d1",
    "\uff20SUM(A1)",
    "  \u200b \uff1d1",
    "\nAnna",
    "\n=1",
]
PLAIN = ["Anna", "Bra anamnes - och status", "a=b", "1-2", " Anna", "\u200bAnna", "", "\u3000"]


def test_formula_like_sees_through_white_space_and_invisible_characters() -> None:
    assert [v for v in HIDDEN if not formula_like(v)] == []
    assert [v for v in PLAIN if formula_like(v)] == []
    assert [neutralise(v) for v in HIDDEN] == ["'" + v for v in HIDDEN]
    assert [neutralise(v) for v in PLAIN] == PLAIN  # an apostrophe only where it is needed


BULLETS = "- Bra anamnes\n- Bra status"
SEPARATORS = "rad ett\u2028rad två\u2029stycke\u0085slut"
TRICKY = [*HIDDEN, BULLETS, SEPARATORS, "Anna"]
#: What each exported form holds in its free-text fields (the trainee's name left as it is), in export order.
TRICKY_FORMS = [
    dict(zip(TEXT_FIELDS[1:], TRICKY[i : i + len(TEXT_FIELDS) - 1], strict=False))
    for i in range(0, len(TRICKY), len(TEXT_FIELDS) - 1)
]


@pytest.fixture(scope="module")
def tricky_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Forms whose free-text fields hold formula-like text, a bullet list and line separators."""
    path = tmp_path_factory.mktemp("tricky") / "t.sqlite"
    with Store(path) as store:
        for n, texts in enumerate(TRICKY_FORMS, start=1):
            rec = make_record(n)
            store.add(dataclasses.replace(rec, values={**rec.values, **texts}))
    return path


def test_csv_neutralises_hidden_formula_starts_and_nothing_else(tricky_db: Path) -> None:
    code, text = run("export", "--db", str(tricky_db), "--format", "csv", "--delimiter", ",", "--lang", "sv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    headers = {c.key: c.header.sv for c in columns()}
    got = [{name: row[headers[name]] for name in texts} for row, texts in zip(rows, TRICKY_FORMS, strict=True)]
    assert got == [{k: ("'" + v) if formula_like(v) else v for k, v in texts.items()} for texts in TRICKY_FORMS]
    assert "'" + BULLETS in {c for r in got for c in r.values()}


def test_xlsx_text_cells_are_text_with_no_apostrophe_the_user_sees(tricky_db: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "t.xlsx"
    code, _ = run("export", "--db", str(tricky_db), "--format", "xlsx", "-o", str(out), "--lang", "sv")
    assert code == 0
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    col = {c.key: header.index(c.header.sv) + 1 for c in columns()}
    got = [
        {
            name: (cell.value, cell.data_type, bool(cell.quotePrefix))
            for name in texts
            for cell in [ws.cell(r, col[name])]
        }
        for r, texts in enumerate(TRICKY_FORMS, start=2)
    ]
    # The text exactly as written (XML 1.0 cannot hold VT and FF: only those are left out), as a string
    # cell; formula-like ones are also marked "quote prefix" (text even when edited in Excel).
    want = [
        {k: (v.replace("\x0b", "").replace("\x0c", ""), "s", formula_like(v)) for k, v in texts.items()}
        for texts in TRICKY_FORMS
    ]
    assert got == want
    assert (BULLETS, "s", True) in [c for r in got for c in r.values()]  # "- Bra anamnes", no apostrophe
    with zipfile.ZipFile(out) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")  # not one formula in the sheet


def test_jsonl_escapes_line_separators_so_each_record_is_one_line(tricky_db: Path) -> None:
    code, text = run("export", "--db", str(tricky_db), "--format", "jsonl")
    assert code == 0
    assert "\u2028" not in text and "\u2029" not in text and "\u0085" not in text
    lines = text.splitlines()  # Python splits on U+2028, U+2029 and U+0085 too
    assert len(lines) == len(TRICKY_FORMS)
    assert [{k: json.loads(line)[k] for k in texts} for line, texts in zip(lines, TRICKY_FORMS, strict=True)] == (
        TRICKY_FORMS
    )
