"""Every trainee's name, end to end (issue 10): roster -> pre-filled form -> filled in PDFium ->
imported -> exported -> report, with names in Latin Extended, Vietnamese, Greek, Cyrillic and a ’.

The rosters are real files as Excel saves them: XLSX (openpyxl), "CSV" in Windows-1252 with
``;`` and CRLF, and "Unicode Text" (UTF-16 with BOM, tab-separated). The other engines fill
and read these characters back in test_engines.py and test_reader.py (conftest's NAMES).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli
from minicex_pdf.engines.pdfium import fill_pdfium
from minicex_pdf.form.definition import FormDefinition, load_definition
from minicex_pdf.reading.reader import read_form

pytest.importorskip("pypdfium2")

D = load_definition()
#: The issue's names, and ones in Greek and Cyrillic.
NAMES = [
    "Łukasz Wiśniewski",
    "Ayşe Yılmaz",
    "Dragoș Popescu",
    "Nguyễn Thị Minh",
    "Sean O’Brien",
    "Ελένη Παπαδοπούλου",
    "Дмитрий Иванов",
]
#: What Windows-1252 can hold of them (Excel's "CSV" on Swedish Windows), and a Swedish one.
CP1252_NAMES = ["Sean O’Brien", "Åsa Öberg–Lind", "Zoë Ça"]
HEADER = ["Förnamn", "Efternamn", "Specialitet", "Huvudhandledare", "Målbeskrivning", "Delmål"]


def rows(names: list[str], supervisor: str = "Małgorzata Kowalska") -> list[list[str]]:
    """Roster rows: the name split into first and last, a short-form specialty, a bare regulation number."""
    return [[*name.split(" ", 1), "ÖNH", supervisor, "2021:8", "STa1, STc2"] for name in names]


def file_name(name: str) -> str:
    """The pre-filled form's file name: letters kept, spaces as _, typographic punctuation as ASCII."""
    return "minicex_" + name.replace(" ", "_").replace("’", "'").replace("–", "-") + ".pdf"


def write_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    for r in [HEADER, *rows(NAMES)]:
        book.active.append(r)
    book.save(path)
    return path


def write_text(path: Path, table: list[list[str]], encoding: str, delimiter: str) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


ROSTERS = {
    "xlsx": (lambda p: write_xlsx(p / "roster.xlsx"), NAMES),
    "cp1252-csv": (
        lambda p: write_text(p / "roster.csv", [HEADER, *rows(CP1252_NAMES, "Per Ek")], "cp1252", ";"),
        CP1252_NAMES,
    ),
    "utf16-text": (lambda p: write_text(p / "roster.txt", [HEADER, *rows(NAMES)], "utf-16", "\t"), NAMES),
}


def shows(text: str, words: str) -> bool:
    """Whether ``words`` stand in ``text`` as a whole (the field next to it may share the line)."""
    return re.search(rf"(?:^|\s){re.escape(words)}(?:\s|$)", text) is not None


def page_text(pdf: bytes) -> str:
    """The text of every page with the form fields' appearances flattened in, as PDFium extracts it."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    doc = pdfium.PdfDocument(pdf)
    pages = list(doc)  # kept open until saved: a closed page loses its flattening
    assert all(c.FPDFPage_Flatten(page.raw, c.FLAT_PRINT) != c.FLATTEN_FAIL for page in pages)
    out = io.BytesIO()
    doc.save(out)
    return "\n".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(out.getvalue()))


@pytest.fixture(scope="module", params=sorted(ROSTERS))
def prefilled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp(request.param)
    make, names = ROSTERS[request.param]
    roster = make(folder)
    db = folder / "m.sqlite"
    result = CliRunner().invoke(
        cli, ["prefill", str(roster), "-o", str(folder / "out"), "--lang", "en", "--db", str(db)]
    )
    return names, folder / "out", result


def test_every_name_makes_a_form_named_after_it(prefilled):
    names, out, result = prefilled
    assert result.exit_code == 0, result.output
    db = out.parent / "m.sqlite"
    assert result.output == f"{len(names)} form(s) in {out}, index index.csv\nRecorded in {db}\n"
    with (out / "index.csv").open(encoding="utf-8-sig", newline="") as fh:
        index = list(csv.DictReader(fh, delimiter=";"))  # index.csv: ";" and a BOM (#11)
    assert [r["name"] for r in index] == names
    files = [r["file"] for r in index]
    assert files == [file_name(n) for n in names]


def test_each_prefilled_form_shows_and_holds_the_name_exactly(prefilled):
    names, out, _ = prefilled
    for name in names:
        pdf = (out / file_name(name)).read_bytes()
        assert shows(page_text(pdf), name)
        assert read_form("f.pdf", data=pdf).values[D.role("trainee").name] == name


def test_filled_imported_exported_and_reported_as_written(prefilled, tmp_path, definition: FormDefinition):
    names, out, _ = prefilled
    d = definition
    returned = tmp_path / "returned"
    returned.mkdir()
    feedback = "Bra – “tydlig” anamnes för €0…\nNästa gång: fråga Łukasz, Ελένη och Дмитрий."
    for i, pdf_path in enumerate(sorted(out.glob("*.pdf"))):
        values = {
            d.role("date").name: dt.date(2026, 3, 1 + i),
            d.role("assessor").name: "Nguyễn Văn An",
            "level_overall": d.levels[2].code,
            d.role_fields("feedback")[0].name: feedback,
        }
        (returned / pdf_path.name).write_bytes(fill_pdfium(pdf_path.read_bytes(), values, d))
    db = tmp_path / "m.sqlite"
    runner = CliRunner()
    done = runner.invoke(cli, ["import", str(returned), "--db", str(db), "--jobs", "1", "--quiet"])
    assert done.exit_code == 0, done.output
    exported = runner.invoke(cli, ["export", "--db", str(db), "--format", "jsonl"])
    lines = [json.loads(line) for line in exported.output.splitlines()]
    trainee, assessor = d.role("trainee").name, d.role("assessor").name
    assert sorted(r[trainee] for r in lines) == sorted(names)
    assert {r[assessor] for r in lines} == {"Nguyễn Văn An"}
    assert {r[d.role_fields("feedback")[0].name] for r in lines} == {feedback}
    for fmt in ("csv", "xlsx"):  # the files an admin opens in Excel
        target = tmp_path / f"e.{fmt}"
        done = runner.invoke(cli, ["export", "--db", str(db), "--format", fmt, "-o", str(target), "--lang", "en"])
        assert done.exit_code == 0, done.output
        if fmt == "csv":
            with target.open(encoding="utf-8-sig", newline="") as fh:
                table = list(csv.reader(fh, delimiter=";"))
        else:
            table = [
                [c or "" for c in row] for row in openpyxl.load_workbook(target).active.iter_rows(values_only=True)
            ]
        columns = {label: [str(row[i]) for row in table[1:]] for i, label in enumerate(table[0])}
        assert sorted(columns[d.role("trainee").label.en]) == sorted(names), fmt
        assert set(columns[d.role("assessor").label.en]) == {"Nguyễn Văn An"}, fmt
        assert set(columns[d.role_fields("feedback")[0].label.en]) == {feedback}, fmt
    report = tmp_path / "r.pdf"
    done = runner.invoke(cli, ["report", "--db", str(db), "-o", str(report), "--lang", "en"])
    assert done.exit_code == 0, done.output
    text = page_text(report.read_bytes()).splitlines()
    for name in names:
        assert name in text  # each trainee's page starts with the name on its own line
    assert shows("\n".join(text), "Nguyễn Văn An")
