"""Rosters as Excel and people really save them (issue 10): real files made with openpyxl or
written byte by byte; each test says which rows were read and which message was given."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from minicex_pdf.errors import RosterError
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.roster import Roster, RosterColumns, read_roster

D = load_definition()
COLUMNS = RosterColumns.of(D)
HSLF, SOSFS = D.regulations[0], D.regulations[1]
NAME, REG, SUB = COLUMNS.name_field.name, COLUMNS.regulation_field.name, COLUMNS.subgoal_field.name
SUPERVISOR, SPECIALTY = D.role("supervisor").name, COLUMNS.specialty_field.name
WORKPLACE = next(f.name for f in COLUMNS.fields if f.prefill == "workplace")
TRAINEES = ["Łukasz Wiśniewski", "Ayşe Yılmaz", "Dragoș Popescu", "Nguyễn Thị Minh", "Sean O’Brien"]


def xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def names(roster: Roster) -> list[tuple[int, str]]:
    return [(r.number, r.name) for r in roster.rows]


def errors(roster: Roster) -> list[str]:
    return [e.text("en") for e in roster.errors]


def warnings(roster: Roster) -> list[str]:
    return [w.text("en") for w in roster.warnings]


# --------------------------------------------------------------------------- XLSX


@pytest.mark.parametrize("dimension", ["A1", "A1:B2"])
def test_xlsx_with_a_stale_stored_dimension_reads_every_row(tmp_path, dimension):
    made = xlsx(tmp_path / "made.xlsx", {"Roster": [["name", "specialty"], *([n, "Kirurgi"] for n in TRAINEES)]})
    path = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="' + dimension.encode() + b'"', data)
                assert n == 1
            dst.writestr(item, data)
    roster = read_roster(path)
    assert names(roster) == list(enumerate(TRAINEES, start=2))
    assert roster.errors == () and roster.warnings == ()


def test_formula_cells_without_a_saved_value_name_row_and_column(tmp_path):
    path = xlsx(
        tmp_path / "r.xlsx",
        {
            "Blad1": [
                ["namn", "målbeskrivning", "delmål", "anteckning"],
                ["Åsa Öberg", HSLF.name, "STa1"],
                ["Bo Ek", HSLF.name, '=CONCAT("STa", 2)'],  # openpyxl saves no value for a formula
                ["Cy Li", HSLF.name, "STb1", "=1+1"],  # a formula in a column the roster does not use
                ['=A2&" kopia"', HSLF.name, "STa3"],
            ]
        },
    )
    roster = read_roster(path)
    assert names(roster) == [(2, "Åsa Öberg"), (4, "Cy Li")]
    assert errors(roster) == [
        "row 3: column C: a formula with no saved value (open the file in Excel and save it)",
        "row 5: column A: a formula with no saved value (open the file in Excel and save it)",
    ]
    assert warnings(roster) == ["column D (anteckning) is not used"]


def test_the_roster_on_another_sheet_below_a_title_and_blank_rows(tmp_path):
    path = xlsx(
        tmp_path / "r.xlsx",
        {
            "Instruktioner": [["Fyll i ST-läkarna på nästa blad"], ["Kontakt: studierektor"]],
            "ST-läkare 2026": [
                ["ST-läkare vid Kirurgkliniken, vt 2026"],
                [],
                ["ST-läkare", "Specialitet", "Huvudhandledare"],
                ["Łukasz Wiśniewski", "Kirurgi", "Anna Berg"],
                [],
                ["Ayşe Yılmaz", "Kirurgi", ""],
            ],
        },
    )
    roster = read_roster(path)
    assert names(roster) == [(4, "Łukasz Wiśniewski"), (6, "Ayşe Yılmaz")]
    assert roster.rows[0].values == {NAME: "Łukasz Wiśniewski", SPECIALTY: "Kirurgi", SUPERVISOR: "Anna Berg"}
    assert (roster.sheet, roster.header_row) == ("ST-läkare 2026", 3)
    assert warnings(roster) == ["the header row was read from sheet 'ST-läkare 2026', row 3"]
    assert roster.errors == ()


def test_a_workbook_with_no_name_column_on_any_sheet_is_refused(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", {"A": [["x", "y"], ["1", "2"]], "B": [["foo"]]})
    with pytest.raises(RosterError, match=r"r\.xlsx: no header row with a name column; headers are name, "):
        read_roster(path)


# --------------------------------------------------------------------------- CSV bytes

ROWS_TEXT = "namn;specialitet\r\nÅsa Öberg;Kirurgi\r\nZoë O’Brien–Ek;Kirurgi\r\n"
READ = [(2, "Åsa Öberg"), (3, "Zoë O’Brien–Ek")]


@pytest.mark.parametrize(
    "data",
    [
        ROWS_TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + ROWS_TEXT.encode("utf-8"),
        ROWS_TEXT.encode("cp1252"),
        ROWS_TEXT.replace(";", "\t").encode("utf-16"),  # Excel's "Unicode Text": BOM, tabs, CRLF
        ROWS_TEXT.replace(";", "\t").encode("utf-16-le"),  # the same without a BOM
        ROWS_TEXT.encode("utf-16-be"),
        ROWS_TEXT.replace(";", ",").replace("\r\n", "\n").encode("utf-8"),
        ROWS_TEXT.replace(";", "\t").replace("\r\n", "\r").encode("cp1252"),  # old Mac: CR only
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16-bom-tab", "utf16le-no-bom", "utf16be-no-bom", "comma-lf", "tab-cr"],
)
def test_csv_in_every_encoding_delimiter_and_line_end_excel_writes(tmp_path, data):
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    roster = read_roster(path)
    assert names(roster) == READ
    assert roster.errors == () and roster.warnings == ()


def test_an_unbalanced_quote_costs_its_own_row_only(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(
        b'name,specialty\n"Anna Berg,Kirurgi\nBo Ek,Kirurgi\nCy Li,"Kirurgi"\n'
        b'"Dan ""D"" Ro",Kirurgi\n"Eva\nEk",Kirurgi\n'
    )
    roster = read_roster(path)
    # row 2 opens a quote that never closes; rows after it are read on their own; a quoted
    # cell with a line break (rows 6-7) that closes and fills the header's columns is one cell
    assert names(roster) == [(3, "Bo Ek"), (4, "Cy Li"), (5, 'Dan "D" Ro'), (6, "Eva\nEk")]
    assert errors(roster) == [
        'row 2: a quote (") opens a cell that does not close on the line: the row was not read',
    ]


# --------------------------------------------------------------------------- headers


def test_first_and_last_name_columns_are_joined_and_common_headers_understood(tmp_path):
    path = xlsx(
        tmp_path / "r.xlsx",
        {
            "Blad1": [
                ["Förnamn", "Efternamn", "Klinik", "Huvudhandledare", "Telefon", "Målbeskrivning"],
                ["Nguyễn", "Thị Minh", "Kir klin", "Per Ek", "070-123", "HSLF-FS 2021:8"],
                ["Sean", "O’Brien", "", "", "", ""],
                ["", "Ek", "", "", "", ""],
            ]
        },
    )
    roster = read_roster(path)
    assert names(roster) == [(2, "Nguyễn Thị Minh"), (3, "Sean O’Brien"), (4, "Ek")]
    assert roster.rows[0].values == {
        NAME: "Nguyễn Thị Minh",
        WORKPLACE: "Kir klin",
        SUPERVISOR: "Per Ek",
        REG: HSLF.code,
    }
    assert warnings(roster) == ["column E (Telefon) is not used"]
    assert roster.ignored_columns == ("Telefon",)


def test_a_name_column_wins_over_name_parts_which_are_then_named_unused(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", {"S": [["ST-läkare", "Förnamn", "Efternamn"], ["Ayşe Yılmaz", "A", "Y"]]})
    roster = read_roster(path)
    assert names(roster) == [(2, "Ayşe Yılmaz")]
    assert warnings(roster) == ["column B (Förnamn) is not used", "column C (Efternamn) is not used"]


# --------------------------------------------------------------------------- regulation, specialty, sub-goals


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("HSLF-FS 2021:8", HSLF.code),
        ("HSLF 2021:8", HSLF.code),
        ("2021:8", HSLF.code),
        ("hslf-fs2021:8", HSLF.code),
        ("SOSFS 2015:8 (gamla)", SOSFS.code),
        ("2015:8", SOSFS.code),
        (SOSFS.code, SOSFS.code),
    ],
)
def test_regulation_as_rosters_write_it(tmp_path, written, code):
    path = xlsx(tmp_path / "r.xlsx", {"S": [["namn", "målbeskrivning"], ["Dragoș Popescu", written]]})
    roster = read_roster(path)
    assert [r.values[REG] for r in roster.rows] == [code]


def test_regulation_and_subgoal_mistakes_are_errors_for_their_row(tmp_path):
    path = xlsx(
        tmp_path / "r.xlsx",
        {
            "S": [
                ["namn", "specialitet", "målbeskrivning", "delmål"],
                ["A Ok", "Allmänmedicin", "HSLF-FS 2021:8", "STa3, STc4"],
                ["B Style", "Allmänmedicin", "HSLF-FS 2021:8", "a3"],  # SOSFS style under HSLF-FS
                ["C Style", "Allmänmedicin", "SOSFS 2015:8", "STa3"],  # HSLF style under SOSFS
                ["D Year", "Allmänmedicin", "HSLF-FS 2019:8", ""],
                ["E Words", "Allmänmedicin", "2021:8", "STa1, ring Per"],
            ]
        },
    )
    roster = read_roster(path)
    assert names(roster) == [(2, "A Ok")]
    assert errors(roster) == [
        f"row 3: column D (sub_goals): sub-goals not in {HSLF.name}, Allmänmedicin: a3",
        f"row 4: column D (sub_goals): sub-goals not in {SOSFS.name}, Allmänmedicin: STa3",
        f"row 5: column C (regulation): unknown regulation; known: {HSLF.name} ({HSLF.code}), {SOSFS.name} ({SOSFS.code})",
        f"row 6: column D (sub_goals): sub-goals not in {HSLF.name}, Allmänmedicin: 2 other entries",
    ]
    assert roster.errors[0].text("sv") == (
        f"rad 3: kolumn D (delmål): delmål som inte finns i {HSLF.name}, Allmänmedicin: a3"
    )


@pytest.mark.parametrize(
    ("written", "specialty"),
    [
        ("ÖNH", "Öron-, näs- och halssjukdomar"),
        ("öron- näs- och hals-sjukdomar", "Öron-, näs- och halssjukdomar"),
        ("BUP", "Barn- och ungdomspsykiatri"),
        ("barn och ungdomspsykiatri", "Barn- och ungdomspsykiatri"),
        ("ALLMÄNMEDICIN", "Allmänmedicin"),
    ],
)
def test_specialty_matched_ignoring_case_hyphens_and_short_forms(tmp_path, written, specialty):
    from minicex_pdf.form.subgoals import catalogue

    own = catalogue().codes(HSLF.code, specialty)[-1]  # a c code only this specialty has this high
    path = xlsx(tmp_path / "r.xlsx", {"S": [["namn", "specialitet", "delmål"], ["Ann Ek", written, f"STa1, {own}"]]})
    roster = read_roster(path)
    assert names(roster) == [(2, "Ann Ek")] and roster.warnings == ()
    assert roster.rows[0].values[SUB] == f"STa1, {own}"


def test_a_specialty_not_in_the_catalogue_is_a_warning_and_codes_stay_checked(tmp_path):
    path = xlsx(
        tmp_path / "r.xlsx",
        {
            "S": [
                ["namn", "specialitet", "målbeskrivning", "delmål"],
                ["Ann Ek", "Rymdmedicin", "HSLF-FS 2021:8", "STa1, STc3"],
                ["Bo Ek", "Rymdmedicin", "HSLF-FS 2021:8", "STc99"],
            ]
        },
    )
    roster = read_roster(path)
    assert names(roster) == [(2, "Ann Ek")]
    note = (
        "column B (specialty): the specialty is not in the sub-goal catalogue; sub-goals are checked only "
        "against the regulation's common ones and the c codes some specialty has"
    )
    assert warnings(roster) == [f"row 2: {note}", f"row 3: {note}"]
    assert errors(roster) == [f"row 3: column D (sub_goals): sub-goals not in {HSLF.name}: STc99"]


# --------------------------------------------------------------------------- characters no font has


def test_a_character_no_font_has_is_kept_and_warned_about_by_row_and_field(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("namn,handledare\nAnna 🙂 Berg,Per Ek\nשרה כהן,Per Ek\n", encoding="utf-8")
    roster = read_roster(path)
    assert names(roster) == [(2, "Anna 🙂 Berg"), (3, "שרה כהן")]
    assert warnings(roster) == [
        "row 2: column A (name): 1 character(s) the form's font has no glyph for (U+1F642): kept as they are, shown as �",
        "row 3: column A (name): 5 character(s) the form's font has no glyph for "
        "(U+05E9, U+05E8, U+05D4, U+05DB, U+05DF): kept as they are, shown as �",
    ]


def test_the_form_shows_the_replacement_and_holds_the_text(tmp_path):
    from minicex_pdf.form.generator import build_form
    from minicex_pdf.reading.reader import read_form

    pdf = build_form(values={NAME: "Anna 🙂 Berg"})
    assert read_form("f.pdf", data=pdf).values[NAME] == "Anna 🙂 Berg"
    pdfium = pytest.importorskip("pypdfium2")
    import io

    import pypdfium2.raw as c

    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    c.FPDFPage_Flatten(page.raw, c.FLAT_PRINT)
    out = io.BytesIO()
    doc.save(out)
    text = pdfium.PdfDocument(out.getvalue())[0].get_textpage().get_text_range()
    assert re.search(r"(?:^|\s)Anna \ufffd Berg(?:\s|$)", text)


def test_prefill_prints_warnings_and_errors_by_row_and_makes_the_good_rows(tmp_path):
    from click.testing import CliRunner

    from minicex_pdf.cli import cli

    roster = tmp_path / "r.csv"
    roster.write_text("namn;specialitet;Telefon\r\nAnna 🙂 Berg;Rymdmedicin;070\r\n;Kirurgi;\r\n", encoding="utf-8")
    out = tmp_path / "out"
    db = tmp_path / "m.sqlite"
    result = CliRunner().invoke(cli, ["prefill", str(roster), "-o", str(out), "--lang", "en", "--db", str(db)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{roster}: warning: column C (Telefon) is not used",
        f"{roster}: warning: row 2: column B (specialty): the specialty is not in the sub-goal catalogue; "
        "sub-goals are checked only against the regulation's common ones and the c codes some specialty has",
        f"{roster}: warning: row 2: column A (name): 1 character(s) the form's font has no glyph for (U+1F642): "
        "kept as they are, shown as �",
        f"{roster}: row 3: column A (name): Trainee's name is missing",
        f"1 form(s) in {out}, index index.csv",
        f"Recorded in {db}",  # the trainees and forms, for minicex status (#11)
        "1 row(s) skipped",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["index.csv", "minicex_Anna_Berg.pdf"]


def test_a_title_that_reads_like_a_header_does_not_win_over_the_header(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("ST-läkare\r\n\r\nST-läkare;Specialitet\r\nAyşe Yılmaz;Kirurgi\r\n".encode("utf-8-sig"))
    roster = read_roster(path)
    assert names(roster) == [(4, "Ayşe Yılmaz")]
    assert roster.rows[0].values == {NAME: "Ayşe Yılmaz", SPECIALTY: "Kirurgi"}
    assert warnings(roster) == ["the header row was read from row 3"]
