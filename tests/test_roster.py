"""Rosters (CSV/XLSX, English or Swedish headers) read into rows; bad rows are data with row numbers."""

from __future__ import annotations

import copy
import csv
import tomllib

import openpyxl
import pytest

from minicex_pdf.errors import DefinitionError, RosterError
from minicex_pdf.form.definition import forms_dir, load_definition, parse_definition
from minicex_pdf.form.roster import RosterColumns, read_roster
from minicex_pdf.reading.record import SubGoal

D = load_definition()
COLUMNS = RosterColumns.of(D)
ENGLISH = [f.prefill for f in COLUMNS.fields]
SWEDISH = [sv for _, sv in D.roster_headers_sv]
HSLF, SOSFS = D.regulations[0], D.regulations[1]

ROWS = [
    ["Åsa Öberg", "Allmänmedicin", "VC Väster", "Per Ek", HSLF.name, "STa1, STc4"],
    ["Bo Ng", "Kirurgi", "Kir klin", "", SOSFS.code.upper(), "a1; b1 c2"],
    ["Cy Li", "", "", "", "", ""],
]


def write_csv(path, rows, delimiter=",", encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def by_name(roster):
    return {r.name: r for r in roster.rows}


def test_the_issue_headers_are_the_definitions_prefill_keys_and_swedish_headers():
    # The roster format users are told about (issue 5): the definition must declare exactly these.
    # Version 2 adds the "return to" line an admin pre-fills.
    assert ENGLISH == ["name", "specialty", "workplace", "supervisor", "regulation", "sub_goals", "return_to"]
    assert SWEDISH == [
        "namn",
        "specialitet",
        "arbetsplats",
        "handledare",
        "målbeskrivning",
        "delmål",
        "returneras till",
    ]


@pytest.mark.parametrize(
    "make",
    [
        lambda p: write_csv(p / "r.csv", [ENGLISH, *ROWS]),
        lambda p: write_csv(p / "r.csv", [SWEDISH, *ROWS], delimiter=";", encoding="cp1252"),
        lambda p: write_csv(p / "r.csv", [[h.upper().replace("_", " ") for h in ENGLISH], *ROWS], delimiter="\t"),
        lambda p: write_xlsx(p / "r.xlsx", [SWEDISH, *ROWS]),
    ],
    ids=["csv-english", "csv-swedish-cp1252-semicolon", "csv-upper-tab", "xlsx-swedish"],
)
def test_csv_and_xlsx_with_english_or_swedish_headers_read_the_same(tmp_path, make):
    roster = read_roster(make(tmp_path))
    assert roster.errors == ()
    rows = by_name(roster)
    assert list(rows) == [r[0] for r in ROWS]
    asa = rows["Åsa Öberg"]
    assert asa.number == 2
    assert asa.values[COLUMNS.regulation_field.name] == HSLF.code
    assert asa.subgoals == (SubGoal("STa1", HSLF.code), SubGoal("STc4", HSLF.code))
    assert asa.values[COLUMNS.subgoal_field.name] == "STa1, STc4"
    assert asa.values[COLUMNS.name_field.name] == "Åsa Öberg"
    assert {f.name for f in COLUMNS.fields} >= set(asa.values)
    bo = rows["Bo Ng"]
    assert bo.values[COLUMNS.regulation_field.name] == SOSFS.code
    assert [s.code for s in bo.subgoals] == ["a1", "b1", "c2"]
    cy = rows["Cy Li"]  # only a name: fills only the name
    assert cy.values == {COLUMNS.name_field.name: "Cy Li"} and cy.subgoals == ()


def test_bad_rows_are_reported_with_their_row_number_and_the_others_kept(tmp_path):
    rows = [
        ENGLISH,
        ["Good One", "Allmänmedicin", "", "", "hslf-fs  2021:8", "STb1"],
        ["", "Allmänmedicin", "VC", "", "", ""],  # no name
        ["Bad Reg", "", "", "", "SOSFS 2099:1", ""],  # unknown regulation
        [],  # blank row: ignored, still counted
        ["Bad Goal", "Allmänmedicin", "", "", SOSFS.name, "a1, STa1"],  # HSLF code under SOSFS
        ["No Such Goal", "Allmänmedicin", "", "", HSLF.name, "STc99, Anna Berg 19900101"],  # not in the specialty
        ["Also Good", "", "", "", "", "STa2"],  # regulation follows from the code's shape
        ["No Reg", "", "", "", "", "hello"],  # no code of any regulation
    ]
    roster = read_roster(write_csv(tmp_path / "r.csv", rows))
    assert [r.name for r in roster.rows] == ["Good One", "Also Good"]
    assert roster.rows[1].values[COLUMNS.regulation_field.name] == HSLF.code
    assert [e.number for e in roster.errors] == [3, 4, 6, 7, 9]
    known = ", ".join(f"{r.name} ({r.code})" for r in D.regulations)
    reg, sub = COLUMNS.header(COLUMNS.regulation_field), COLUMNS.header(COLUMNS.subgoal_field)
    name = COLUMNS.header(COLUMNS.name_field)
    # Messages name the row and the column (letter and header), never what the cell holds (only
    # entries shaped like a code).
    assert [e.text("en") for e in roster.errors] == [
        f"row 3: column A ({name.en}): {COLUMNS.name_field.label.en} is missing",
        f"row 4: column E ({reg.en}): unknown regulation; known: {known}",
        f"row 6: column F ({sub.en}): sub-goals not in {SOSFS.name}, Allmänmedicin: STa1",
        f"row 7: column F ({sub.en}): sub-goals not in {HSLF.name}, Allmänmedicin: STc99, 3 other entries",
        f"row 9: column F ({sub.en}): sub-goals without a regulation (give {HSLF.name} / {SOSFS.name})",
    ]
    assert roster.errors[3].text("sv") == (
        f"rad 7: kolumn F ({sub.sv}): delmål som inte finns i {HSLF.name}, Allmänmedicin: STc99, 3 andra poster"
    )
    assert all(e.text("sv").startswith(f"rad {e.number}:") for e in roster.errors)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.docx", b"PK\x03\x04", "use a .csv or .xlsx"),
        ("r.xlsx", b"this is not a zip", "not a readable XLSX"),
        ("r.csv", b"", "empty"),
        ("r.csv", b"foo,bar\n1,2\n", "no header row with a name column"),
        ("r.csv", b"\x00\x01\x02binary", "not a text"),
    ],
)
def test_an_unreadable_roster_is_a_roster_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterError, match=message) as err:
        read_roster(path)
    assert str(path) in str(err.value)


def test_a_missing_roster_file_is_a_roster_error(tmp_path):
    with pytest.raises(RosterError, match="cannot be read"):
        read_roster(tmp_path / "nope.csv")


def test_a_column_given_twice_is_a_roster_error(tmp_path):
    path = write_csv(tmp_path / "r.csv", [[ENGLISH[0], SWEDISH[0]], ["a", "b"]])
    with pytest.raises(RosterError) as err:  # (the test's folder name holds "twice": compare the whole message)
        read_roster(path)
    assert str(err.value) == f"{path}: columns A and B are both the name column: keep one of them"


def test_the_definition_checks_its_roster_headers():
    with (forms_dir() / f"minicex-{D.version}.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    broken = copy.deepcopy(raw)
    broken["roster"]["headers_sv"].pop(ENGLISH[-1])
    with pytest.raises(DefinitionError, match=r"roster\.headers_sv: .*missing"):
        parse_definition(broken)
    broken = copy.deepcopy(raw)
    broken["roster"]["headers_sv"]["colour"] = "färg"
    with pytest.raises(DefinitionError, match="unknown"):
        parse_definition(broken)
