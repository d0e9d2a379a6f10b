"""Rosters as admins' spreadsheets save them, each read to an exact, hand-written result.

Fixtures: Excel's "CSV UTF-8" (a byte order mark, semicolons, CRLF), cells padded
with spaces, short rows (trailing empty cells left out), blank lines, a name
typed on a Mac (NFD), Windows-1252, and an XLSX with numbers as floats.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from minicex_pdf.errors import RosterError
from minicex_pdf.form.definition import Text
from minicex_pdf.form.roster import RosterRow, RowError, RowWarning, check_table, header_key, read_roster
from minicex_pdf.reading.record import SubGoal

HSLF = "hslf2021"


def excel_csv(tmp_path: Path, lines: list[str], name: str = "roster.csv", encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def test_excel_csv_utf8_with_bom_padded_cells_and_short_rows(tmp_path):
    path = excel_csv(
        tmp_path,
        [
            "Namn;Specialitet; Arbetsplats ;handledare;Målbeskrivning;Delmål;Anteckning",
            "  Åsa Öberg ; allmänmedicin ;VC Ljusdal;  Per Lind  ;HSLF-FS 2021:8; sta1, STc4 ;x",
            "Bo Ek;;;",  # a short row: Excel leaves trailing empty cells out
            ";;;;;",  # an empty row
            "",
            "A\u030ase Ek;Kirurgi",  # NFD, as typed on a Mac; shorter still
            "Eva Al;;;;sosfs 2015:8;a1, STa1",
        ],
    )
    roster = read_roster(path)
    assert roster.rows == (
        RosterRow(
            2,
            "Åsa Öberg",
            {
                "trainee_name": "Åsa Öberg",
                "specialty": "allmänmedicin",
                "workplace": "VC Ljusdal",
                "supervisor_name": "Per Lind",
                "subgoals": "STa1, STc4",
                "regulation": HSLF,
            },
            (SubGoal("STa1", HSLF), SubGoal("STc4", HSLF)),
        ),
        RosterRow(3, "Bo Ek", {"trainee_name": "Bo Ek"}),
        RosterRow(6, "Åse Ek", {"trainee_name": "Åse Ek", "specialty": "Kirurgi"}),
    )
    assert roster.rows[2].name == "\u00c5se Ek"  # NFC
    assert roster.errors == (
        RowError(
            7,
            Text(
                sv="kolumn F (delmål): delmål som inte finns i SOSFS 2015:8: STa1",
                en="column F (sub_goals): sub-goals not in SOSFS 2015:8: STa1",
            ),
        ),
    )
    assert roster.ignored_columns == ("Anteckning",)
    assert roster.errors[0].text("sv") == "rad 7: kolumn F (delmål): delmål som inte finns i SOSFS 2015:8: STa1"
    assert roster.errors[0].text() == "row 7: column F (sub_goals): sub-goals not in SOSFS 2015:8: STa1"


def test_comma_separated_english_headers_with_a_comma_in_a_cell(tmp_path):
    path = excel_csv(
        tmp_path,
        ["NAME,sub-goals,Regulation", 'Li Wang,"STa1, STb2",hslf2021'],
        encoding="utf-8",
    )
    assert read_roster(path).rows == (
        RosterRow(
            2,
            "Li Wang",
            {"trainee_name": "Li Wang", "subgoals": "STa1, STb2", "regulation": HSLF},
            (SubGoal("STa1", HSLF), SubGoal("STb2", HSLF)),
        ),
    )


def test_windows_1252_csv(tmp_path):
    path = excel_csv(tmp_path, ["namn;specialitet", "Åsa Öberg;Ögonsjukdomar"], encoding="cp1252")
    assert read_roster(path).rows == (
        RosterRow(2, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "specialty": "Ögonsjukdomar"}),
    )


def test_header_after_blank_lines_and_tab_separated(tmp_path):
    path = excel_csv(tmp_path, ["", "\t", "namn\tdelmål", "Bo Ek\ta1"], name="r.tsv", encoding="utf-8")
    roster = read_roster(path)
    assert roster.rows == (  # bare codes are SOSFS 2015:8's
        RosterRow(
            4,
            "Bo Ek",
            {"trainee_name": "Bo Ek", "subgoals": "a1", "regulation": "sosfs2015"},
            (SubGoal("a1", "sosfs2015"),),
        ),
    )
    assert roster.errors == ()


def test_rows_skipped_with_their_reason():
    table = [
        ["name", "regulation", "sub_goals"],
        ["", "hslf2021", ""],
        ["Bo", "nej", ""],
        ["Al", "hslf2021", "STa1, STa99"],
        ["Cy", "", "STa1"],  # the regulation follows from the codes
        ["Di", "", "a1, STa1"],  # codes of two regulations and none ticked
    ]
    roster = check_table(table)
    assert [e.text() for e in roster.errors] == [
        "row 2: column A (name): Trainee's name is missing",
        "row 3: column B (regulation): unknown regulation; known: HSLF-FS 2021:8 (hslf2021), SOSFS 2015:8 (sosfs2015)",
        "row 4: column C (sub_goals): sub-goals not in HSLF-FS 2021:8: STa99",
        "row 6: column C (sub_goals): sub-goals without a regulation (give HSLF-FS 2021:8 / SOSFS 2015:8)",
    ]
    assert roster.rows == (
        RosterRow(5, "Cy", {"trainee_name": "Cy", "subgoals": "STa1", "regulation": HSLF}, (SubGoal("STa1", HSLF),)),
    )


def test_xlsx_with_numbers_as_floats(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Namn", "Arbetsplats", "Delmål", "Målbeskrivning"])
    sheet.append(["  Åsa Öberg", 12.0, None, None])
    sheet.append([None, None, None, None])
    sheet.append(["Bo Ek", 12.5])
    path = tmp_path / "r.xlsx"
    book.save(path)
    assert read_roster(path).rows == (
        RosterRow(2, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "workplace": "12"}),
        RosterRow(4, "Bo Ek", {"trainee_name": "Bo Ek", "workplace": "12.5"}),
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([" ", "\t"], "the roster is empty"),
        (["kurs;poäng", "A;3"], "no header row with a name column; headers are name, specialty"),
        (["namn;name", "Åsa;Åsa"], "columns A and B are both the name column: keep one of them"),
    ],
)
def test_not_a_roster(tmp_path, lines, message):
    path = excel_csv(tmp_path, lines)
    with pytest.raises(RosterError, match=re.escape(message)) as caught:
        read_roster(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_header_key():
    assert header_key("  Sub_goals - ") == "subgoals"
    assert header_key("MA\u030aLBESKRIVNING") == "målbeskrivning"


def test_a_cell_that_is_not_codes_is_counted_never_quoted():
    table = [
        ["name", "regulation", "sub_goals"],
        ["Ed", "hslf2021", "STa99, hej, 121212-1212"],  # a patient's number typed into the wrong column
        ["Fi", "hslf2021", "STa99, hej"],
    ]
    roster = check_table(table)
    assert [e.text("sv") for e in roster.errors] == [
        "rad 2: kolumn C (delmål): delmål som inte finns i HSLF-FS 2021:8: STa99, 2 andra poster",
        "rad 3: kolumn C (delmål): delmål som inte finns i HSLF-FS 2021:8: STa99, 1 annan post",
    ]
    assert [e.text("en") for e in roster.errors] == [
        "row 2: column C (sub_goals): sub-goals not in HSLF-FS 2021:8: STa99, 2 other entries",
        "row 3: column C (sub_goals): sub-goals not in HSLF-FS 2021:8: STa99, 1 other entry",
    ]


# --------------------------------------------------------------------------- first and last names, e-mail, title rows


def test_first_and_last_name_columns_in_either_order_and_an_email_column(tmp_path):
    path = excel_csv(
        tmp_path,
        [
            "Efternamn;Förnamn;E-post;Klinik",
            "Öberg; Åsa ;asa@example.se;VC Ljusdal",
            "Ek;Bo",  # short: no e-mail, no workplace
            ";Li;li@example.se",  # a first name only
        ],
    )
    roster = read_roster(path)
    assert roster.rows == (
        RosterRow(2, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "workplace": "VC Ljusdal"}, email="asa@example.se"),
        RosterRow(3, "Bo Ek", {"trainee_name": "Bo Ek"}),
        RosterRow(4, "Li", {"trainee_name": "Li"}, email="li@example.se"),
    )
    assert (roster.errors, roster.warnings, roster.ignored_columns, roster.header_row) == ((), (), (), 1)


def test_name_parts_beyond_a_short_row_are_a_missing_name(tmp_path):
    path = excel_csv(tmp_path, ["Klinik;Förnamn;Efternamn", "VC Ljusdal", "VC Bollnäs;Bo;Ek"])
    roster = read_roster(path)
    assert [e.text() for e in roster.errors] == ["row 2: column B (name): Trainee's name is missing"]
    assert roster.rows == (RosterRow(3, "Bo Ek", {"trainee_name": "Bo Ek", "workplace": "VC Bollnäs"}),)


def test_a_name_column_wins_over_name_parts_which_are_then_not_used(tmp_path):
    path = excel_csv(tmp_path, ["Förnamn;Namn;Efternamn", "Åsa;Åsa Öberg;Öberg"])
    roster = read_roster(path)
    assert roster.rows == (RosterRow(2, "Åsa Öberg", {"trainee_name": "Åsa Öberg"}),)
    assert roster.ignored_columns == ("Förnamn", "Efternamn")
    assert [w.text("sv") for w in roster.warnings] == [
        "kolumn A (Förnamn) används inte",
        "kolumn C (Efternamn) används inte",
    ]
    assert [w.text("en") for w in roster.warnings] == [
        "column A (Förnamn) is not used",
        "column C (Efternamn) is not used",
    ]


def test_title_rows_above_the_header_are_skipped_and_said(tmp_path):
    path = excel_csv(tmp_path, ["ST-läkare på kliniken, våren 2027", "", "Namn;Specialitet", "Åsa Öberg;Kirurgi"])
    roster = read_roster(path)
    assert roster.header_row == 3
    assert roster.rows == (RosterRow(4, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "specialty": "Kirurgi"}),)
    assert [w.text("sv") for w in roster.warnings] == ["rubrikraden lästes från rad 3"]
    assert [w.text("en") for w in roster.warnings] == ["the header row was read from row 3"]


def test_a_formula_without_a_saved_value_in_a_name_part(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Förnamn", "Efternamn"])
    sheet.append(['="Å"&"sa"', "Öberg"])  # openpyxl saves no value for a formula
    sheet.append(["Bo", "Ek"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    roster = read_roster(path)
    assert [e.text() for e in roster.errors] == [
        "row 2: column A: a formula with no saved value (open the file in Excel and save it)"
    ]
    assert roster.rows == (RosterRow(3, "Bo Ek", {"trainee_name": "Bo Ek"}),)


def test_no_name_column_message_in_full(tmp_path):
    path = excel_csv(tmp_path, ["kurs;poäng", "A;3"])
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == (
        f"{path}: no header row with a name column; headers are name, specialty, workplace, supervisor,"
        " regulation, sub_goals, return_to or namn, specialitet, arbetsplats, handledare, målbeskrivning, delmål,"
        " returneras till"
    )


def test_roster_values_are_immutable():
    import dataclasses

    warning = RowWarning(3, Text(sv="a", en="b"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        warning.number = 4  # type: ignore[misc]
    assert warning.text("sv") == "rad 3: a" and warning.text("en") == "row 3: b"
    assert RowWarning(None, Text(sv="a", en="b")).text("sv") == "a"


def test_check_table_finds_the_header_below_a_title():
    roster = check_table([["Kursen våren 2027"], [], ["namn", "specialitet"], ["Bo Ek", "Kirurgi"]])
    assert roster.header_row == 3
    assert roster.rows == (RosterRow(4, "Bo Ek", {"trainee_name": "Bo Ek", "specialty": "Kirurgi"}),)
    assert [w.text("en") for w in roster.warnings] == ["the header row was read from row 3"]
    assert check_table([["name"], ["Bo"]]).header_row == 1


# --------------------------------------------------------------------------- mutation survivors (#15)


def test_roster_rows_errors_and_the_roster_are_immutable():
    import dataclasses

    row = RosterRow(2, "Bo Ek", {"trainee_name": "Bo Ek"})
    error = RowError(3, Text(sv="a", en="b"))
    roster = check_table([["name"], ["Bo Ek"]])
    for value, attribute, new in ((row, "name", "Al"), (error, "number", 4), (roster, "rows", ())):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, attribute, new)
    assert (row.name, error.number, roster.rows) == ("Bo Ek", 3, (RosterRow(2, "Bo Ek", {"trainee_name": "Bo Ek"}),))


def test_first_and_last_name_columns_win_over_a_title_that_reads_like_a_name_header(tmp_path):
    # "ST-läkare" alone names one column (the name); the header below names the name by its two parts
    path = excel_csv(tmp_path, ["ST-läkare", "Förnamn;Efternamn", "Åsa;Öberg"])
    roster = read_roster(path)
    assert roster.header_row == 2
    assert roster.rows == (RosterRow(3, "Åsa Öberg", {"trainee_name": "Åsa Öberg"}),)
    assert [w.text() for w in roster.warnings] == ["the header row was read from row 2"]


def test_an_email_column_beyond_a_short_row_leaves_the_email_empty(tmp_path):
    path = excel_csv(tmp_path, ["Namn;Klinik;Specialitet;E-post", "Bo Ek;VC Ljusdal", "Li Wang;;;li@example.se"])
    roster = read_roster(path)
    assert roster.rows == (
        RosterRow(2, "Bo Ek", {"trainee_name": "Bo Ek", "workplace": "VC Ljusdal"}),
        RosterRow(3, "Li Wang", {"trainee_name": "Li Wang"}, email="li@example.se"),
    )
    assert (roster.errors, roster.warnings, roster.ignored_columns) == ((), (), ())


def test_a_table_without_a_name_column_names_no_column_for_the_missing_name():
    from minicex_pdf.form.roster import check
    from minicex_pdf.form.roster_files import Table

    # check() is given a table whose header has no name column: no letter is blamed (column A holds the specialty)
    roster = check(Table(1, ("specialitet",), ((2, ("Kirurgi",)),)))
    assert [e.text() for e in roster.errors] == ["row 2: column ? (name): Trainee's name is missing"]
    assert roster.rows == ()


def test_the_word_row_is_in_the_language_of_its_message():
    # any language code other than "en" reads Swedish (like Text does): never "row 3: <Swedish text>"
    error, warning = RowError(3, Text(sv="namn saknas", en="name missing")), RowWarning(4, Text(sv="a", en="b"))
    assert [error.text(lang) for lang in ("sv", "en", "sv+en")] == [
        "rad 3: namn saknas",
        "row 3: name missing",
        "rad 3: namn saknas",
    ]
    assert [warning.text(lang) for lang in ("sv", "en", "sv+en")] == ["rad 4: a", "row 4: b", "rad 4: a"]


def test_an_unused_column_between_first_and_last_name_is_not_part_of_the_name(tmp_path):
    path = excel_csv(tmp_path, ["Förnamn;Telefon;;Efternamn;Efternamn", "Åsa;070-123;x;Öberg;Ek"])
    roster = read_roster(path)
    assert roster.rows == (RosterRow(2, "Åsa Öberg", {"trainee_name": "Åsa Öberg"}),)
    assert [w.text() for w in roster.warnings] == [
        "column B (Telefon) is not used",
        "column E (Efternamn) is not used",
    ]


def test_a_regulation_number_under_the_other_regulation_s_letters_is_unknown():
    roster = check_table(
        [["name", "regulation"], ["Bo", "SOSFS 2021:8"], ["Cy", "HSLF-FS 2015:8"], ["Di", "FS 2021:8"]]
    )
    known = "HSLF-FS 2021:8 (hslf2021), SOSFS 2015:8 (sosfs2015)"
    assert [e.text() for e in roster.errors] == [
        f"row 2: column B (regulation): unknown regulation; known: {known}",
        f"row 3: column B (regulation): unknown regulation; known: {known}",
        f"row 4: column B (regulation): unknown regulation; known: {known}",
    ]
    assert roster.rows == ()


def test_a_definition_without_swedish_headers_names_columns_by_their_english_key_in_both_languages():
    import dataclasses

    from minicex_pdf.form.definition import load_definition

    english_only = dataclasses.replace(load_definition(), roster_headers_sv=())
    roster = check_table([["name", "specialty"], ["", "Kirurgi"]], definition=english_only)
    assert [e.text("sv") for e in roster.errors] == ["rad 2: kolumn A (name): ST-läkarens namn saknas"]
    assert [e.text("en") for e in roster.errors] == ["row 2: column A (name): Trainee's name is missing"]


def test_a_column_after_the_email_column_is_still_named_unused(tmp_path):
    path = excel_csv(tmp_path, ["Namn;E-post;Telefon;Mobil", "Bo Ek;bo@example.se;070-1;070-2"])
    roster = read_roster(path)
    assert roster.rows == (RosterRow(2, "Bo Ek", {"trainee_name": "Bo Ek"}, email="bo@example.se"),)
    assert roster.ignored_columns == ("Telefon", "Mobil")
    assert [w.text() for w in roster.warnings] == ["column C (Telefon) is not used", "column D (Mobil) is not used"]


def test_the_roster_columns_and_those_found_in_a_header_are_immutable():
    import dataclasses

    from minicex_pdf.form.definition import load_definition
    from minicex_pdf.form.roster import RosterColumns

    columns = RosterColumns.of(load_definition())
    found = columns.match(("Förnamn", "Efternamn", "Telefon"), "r.csv")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.name_parts = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        columns.by_header = {}  # type: ignore[misc]
    assert (found.index, found.name_parts, found.ignored) == ({}, (0, 1), ((2, "Telefon"),))


def test_a_first_name_column_alone_is_no_name_column(tmp_path):
    path = excel_csv(tmp_path, ["Förnamn;Specialitet", "Åsa;Kirurgi"])
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == (
        f"{path}: no header row with a name column; headers are name, specialty, workplace, supervisor,"
        " regulation, sub_goals, return_to or namn, specialitet, arbetsplats, handledare, målbeskrivning, delmål,"
        " returneras till"
    )


def test_a_roster_made_by_hand_has_nothing_but_its_rows_and_its_header_on_row_1():
    from minicex_pdf.form.roster import Roster

    rows = (RosterRow(2, "Bo", {"trainee_name": "Bo"}),)
    assert Roster("r.csv", rows) == Roster("r.csv", rows, (), (), (), None, 1)
