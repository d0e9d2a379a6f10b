"""Roster files with teeth (#15): the corners of CSV and XLSX reading, each read to an exact result.

Real files written as Excel, LibreOffice or a person with a text editor leave them: a stray quote
in the last cell, a cell with a line break in the middle of the file, a record one cell wider than
the header, a hand-typed header with a space after a quoted name, the roster on the second sheet
(at row 1) after an empty first sheet, and a workbook whose XML is damaged.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from minicex_pdf.errors import RosterError
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.roster import Roster, RosterColumns, check_table, read_roster
from minicex_pdf.form.roster_files import Table, read_csv_bytes

QUOTE_ERROR = 'a quote (") opens a cell that does not close on the line: the row was not read'


def csv_file(tmp_path: Path, data: bytes, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(roster: Roster) -> tuple[list[tuple[int, str, dict[str, str]]], list[str], list[str]]:
    return (
        [(r.number, r.name, r.values) for r in roster.rows],
        [e.text() for e in roster.errors],
        [w.text() for w in roster.warnings],
    )


# --------------------------------------------------------------------------- CSV


def test_a_stray_quote_opening_the_last_cell_costs_its_row_and_not_the_next(tmp_path):
    # the joined lines would have the header's width if an open quote were allowed to run on
    path = csv_file(tmp_path, b'name,specialty\nAl Ek,Kirurgi\nAnna Berg,"Kirurgi\nBo Ek,Kirurgi\nCy Li,Kirurgi\n')
    assert read(read_roster(path)) == (
        [
            (2, "Al Ek", {"trainee_name": "Al Ek", "specialty": "Kirurgi"}),
            (4, "Bo Ek", {"trainee_name": "Bo Ek", "specialty": "Kirurgi"}),
            (5, "Cy Li", {"trainee_name": "Cy Li", "specialty": "Kirurgi"}),
        ],
        [f"row 3: {QUOTE_ERROR}"],
        [],
    )


def test_a_cell_with_a_line_break_in_the_middle_of_the_file_is_one_cell(tmp_path):
    # LibreOffice quotes a cell typed with Alt+Enter; the record spans lines 3 and 4, rows follow it
    path = csv_file(
        tmp_path,
        b'name,workplace\r\nAl Ek,VC Ljusdal\r\nBo Ek,"VC Ljusdal\r\nhus 2"\r\nCy Li,VC Bolln\xc3\xa4s\r\n',
    )
    assert read(read_roster(path)) == (
        [
            (2, "Al Ek", {"trainee_name": "Al Ek", "workplace": "VC Ljusdal"}),
            (3, "Bo Ek", {"trainee_name": "Bo Ek", "workplace": "VC Ljusdal\nhus 2"}),
            (5, "Cy Li", {"trainee_name": "Cy Li", "workplace": "VC Bollnäs"}),
        ],
        [],
        [],
    )


def test_a_record_over_two_lines_wider_than_the_header_is_taken_for_a_stray_quote(tmp_path):
    path = csv_file(tmp_path, b'name,specialty\n"Eva\nEk",Kirurgi,extra\nBo Ek,Kirurgi\n')
    assert read(read_roster(path)) == (
        [
            (3, 'Ek"', {"trainee_name": 'Ek"', "specialty": "Kirurgi"}),
            (4, "Bo Ek", {"trainee_name": "Bo Ek", "specialty": "Kirurgi"}),
        ],
        [f"row 2: {QUOTE_ERROR}"],
        [],
    )


def test_a_hand_typed_header_with_a_space_after_a_quoted_name_is_the_header(tmp_path):
    path = csv_file(tmp_path, '"Namn" ;Specialitet\r\nÅsa Öberg;Kirurgi\r\n'.encode())
    assert read(read_roster(path)) == (
        [(2, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "specialty": "Kirurgi"})],
        [],
        [],
    )


def test_the_table_read_is_immutable():
    table = read_csv_bytes("r.csv", b"name\nBo\n", RosterColumns.of(load_definition()).score)
    assert table == Table(1, ("name",), ((2, ("Bo",)), (3, ())), encoding="utf-8")
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.header_row = 2  # type: ignore[misc]


def test_an_empty_table_is_an_empty_roster():
    with pytest.raises(RosterError) as caught:
        check_table([])
    assert str(caught.value) == "<roster>: the roster is empty"


# --------------------------------------------------------------------------- XLSX


def test_the_roster_at_row_1_of_the_second_sheet_after_an_empty_first_sheet_is_said(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Blad1"  # left empty, as a new workbook has it
    sheet = book.create_sheet("ST-läkare")
    sheet.append(["Namn", "Specialitet"])
    sheet.append(["Åsa Öberg", "Kirurgi"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    roster = read_roster(path)
    assert read(roster) == (
        [(2, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "specialty": "Kirurgi"})],
        [],
        ["the header row was read from sheet 'ST-läkare', row 1"],
    )
    assert (roster.sheet, roster.header_row) == ("ST-läkare", 1)


def test_a_workbook_with_damaged_xml_is_refused_with_one_line(tmp_path):
    made = tmp_path / "made.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Namn"])
    book.save(made)
    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, b"<workbook" if name == "xl/workbook.xml" else src.read(name))
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    # lxml's XMLSyntaxError where lxml is installed, else the standard library's ParseError
    assert str(caught.value) in {
        f"{path}: not a readable XLSX workbook (XMLSyntaxError)",
        f"{path}: not a readable XLSX workbook (ParseError)",
    }


def test_the_header_on_row_2_below_a_title(tmp_path):
    path = csv_file(tmp_path, "ST-läkare vt 2027\r\nNamn;Arbetsplats\r\nÅsa Öberg;VC Ljusdal\r\n".encode("cp1252"))
    assert read(read_roster(path)) == (
        [(3, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "workplace": "VC Ljusdal"})],
        [],
        ["the header row was read from row 2"],
    )


def test_cells_with_line_breaks_in_the_first_row_and_further_down(tmp_path):
    path = csv_file(
        tmp_path,
        b'name;workplace\n"Al\nEk";VC 1\nBo Ek;VC 2\n"Cy";"VC\n3"\nDi Ro;VC 4\nEd Ek;VC 5\n',
    )
    assert read(read_roster(path)) == (
        [
            (2, "Al\nEk", {"trainee_name": "Al\nEk", "workplace": "VC 1"}),
            (4, "Bo Ek", {"trainee_name": "Bo Ek", "workplace": "VC 2"}),
            (5, "Cy", {"trainee_name": "Cy", "workplace": "VC\n3"}),
            (7, "Di Ro", {"trainee_name": "Di Ro", "workplace": "VC 4"}),
            (8, "Ed Ek", {"trainee_name": "Ed Ek", "workplace": "VC 5"}),
        ],
        [],
        [],
    )


def test_a_utf8_file_with_a_stray_nul_byte_is_not_text(tmp_path):
    data = b"namn;arbetsplats\r\nBo Ek;VC1\x00\r\n"
    assert len(data) % 2 == 0 and data.index(0) % 2 == 1  # read as UTF-16 it would decode, to nonsense
    path = csv_file(tmp_path, data)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: not a text (CSV) file"


def test_utf16_without_a_bom_at_two_fifths_latin_text_is_read(tmp_path):
    text = "namn\nЖанна Иванова\r\n"  # 8 of 20 characters Latin: the least that is taken for UTF-16
    assert sum(ord(c) < 256 for c in text) * 5 == len(text) * 2
    path = csv_file(tmp_path, text.encode("utf-16-le"))
    assert read(read_roster(path)) == ([(2, "Жанна Иванова", {"trainee_name": "Жанна Иванова"})], [], [])


def test_utf16_big_endian_without_a_bom_with_cyrillic_names_is_read(tmp_path):
    # a quarter of its bytes are zero (less than two fifths), but half of the high bytes are
    text = "namn;arbetsplats\r\nЖанна Иванова;VC Ljusdal\r\n"
    path = csv_file(tmp_path, text.encode("utf-16-be"))
    assert read(read_roster(path)) == (
        [(2, "Жанна Иванова", {"trainee_name": "Жанна Иванова", "workplace": "VC Ljusdal"})],
        [],
        [],
    )


def test_a_nul_byte_as_late_as_the_4096th_byte_makes_the_file_not_text(tmp_path):
    head = b"namn;arbetsplats\r\n"
    filler = b"".join(b"Bo Ek %04d;VC\r\n" % n for n in range(300))  # 15 bytes a row
    data = (head + filler)[:4095] + b"\x00" + b"\r\nCy Li;VC\r\n"
    assert data.index(0) == 4095  # the last byte looked at for UTF-16 without a BOM
    path = csv_file(tmp_path, data)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: not a text (CSV) file"


def test_an_xlsx_roster_with_its_header_on_row_2_below_a_title(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    for row in (["ST-läkare, Kirurgkliniken vt 2027"], ["Namn", "Specialitet"], ["Åsa Öberg", "Kirurgi"], ["Bo Ek"]):
        sheet.append(row)
    path = tmp_path / "r.xlsx"
    book.save(path)
    roster = read_roster(path)
    assert read(roster) == (
        [
            (3, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "specialty": "Kirurgi"}),
            (4, "Bo Ek", {"trainee_name": "Bo Ek"}),
        ],
        [],
        ["the header row was read from sheet 'Blad1', row 2"],
    )
    assert (roster.sheet, roster.header_row) == ("Blad1", 2)


def test_utf16_without_a_bom_just_under_two_fifths_latin_in_the_first_4096_bytes_is_not_text(tmp_path):
    text = "namn\r\n" + "Bo Ek\r\n" * 69 + "Li\r\n" * 6 + "Жанна Иванова\r\n" * 102 + "Ирина Петрова\r\n"
    window = text[:2048]  # the first 4096 bytes
    assert (sum(ord(c) < 256 for c in window), window[-5:]) == (819, "Ирина")  # 819 < 2048 * 2/5
    path = csv_file(tmp_path, text.encode("utf-16-le"))
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: not a text (CSV) file"


def test_damaged_utf16_without_a_bom_is_not_text(tmp_path):
    # a lone surrogate (half a character pair) where a name should be: neither byte order decodes
    path = csv_file(tmp_path, "namn\r\nBo \ud800Ek\r\n".encode("utf-16-le", "surrogatepass"))
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: not a text (CSV) file"


def test_utf16_that_only_decodes_big_endian_is_read_big_endian(tmp_path):
    # Ø (00 D8) would begin a surrogate pair read little-endian; Ā (01 00) makes the low bytes zero too
    text = "namn\r\nØĀĀĀĀĀĀĀĀ\r\n"
    path = csv_file(tmp_path, text.encode("utf-16-be"))
    assert read(read_roster(path)) == ([(2, "ØĀĀĀĀĀĀĀĀ", {"trainee_name": "ØĀĀĀĀĀĀĀĀ"})], [], [])


def test_a_workbook_without_any_cell_is_an_empty_roster(tmp_path):
    book = openpyxl.Workbook()
    book.create_sheet("Blad2")
    path = tmp_path / "r.xlsx"
    book.save(path)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: the roster is empty"


def test_a_formula_saved_by_excel_with_its_value_is_read_as_the_value(tmp_path):
    made = tmp_path / "made.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Namn", "Specialitet"])
    book.active.append(['=B3&" Öberg"', "Kirurgi"])
    book.active.append(["Åsa", "Kirurgi"])
    book.save(made)
    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":  # Excel keeps the formula and its last value
                value = "Åsa Öberg".encode()
                data, n = re.subn(
                    rb'<c r="A2"><f>(.*?)</f><v></v></c>',
                    rb'<c r="A2" t="str"><f>\1</f><v>' + value + b"</v></c>",
                    data,
                )
                assert n == 1
            dst.writestr(name, data)
    assert read(read_roster(path)) == (
        [
            (2, "Åsa Öberg", {"trainee_name": "Åsa Öberg", "specialty": "Kirurgi"}),
            (3, "Åsa", {"trainee_name": "Åsa", "specialty": "Kirurgi"}),
        ],
        [],
        [],
    )


def test_a_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_refused_unread(tmp_path):
    from minicex_pdf.limits import ROSTER_MAX_BYTES

    path = tmp_path / "r.csv"
    with path.open("wb") as fh:  # a sparse file of NUL bytes, as a crashed save leaves one: quick to make
        fh.truncate(ROSTER_MAX_BYTES)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: not a text (CSV) file"  # read, and found not to be text
    with path.open("ab") as fh:
        fh.write(b"\x00")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: too large to be a roster ({ROSTER_MAX_BYTES + 1} bytes)"


def test_a_folder_named_like_a_roster_cannot_be_read(tmp_path):
    path = tmp_path / "roster.csv"
    path.mkdir()
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: cannot be read: Is a directory"


def test_a_quoted_cell_over_the_line_limit_is_a_stray_quote_and_one_at_the_limit_is_a_cell(tmp_path):
    from minicex_pdf.limits import ROSTER_MAX_CELL_LINES

    at_limit = "\n".join(f"rad {n}" for n in range(1, ROSTER_MAX_CELL_LINES + 1))
    over = "\n".join(f"rad {n}" for n in range(1, ROSTER_MAX_CELL_LINES + 2))
    text = f'name,workplace\nAl Ek,"{at_limit}"\nBo Ek,"{over}"\n'
    roster = read_roster(csv_file(tmp_path, text.encode()))
    rows, errors, warnings = read(roster)
    over_at = 2 + ROSTER_MAX_CELL_LINES  # the line Bo Ek's row starts on
    assert rows[0] == (2, "Al Ek", {"trainee_name": "Al Ek", "workplace": at_limit})
    assert errors == [f"row {over_at}: {QUOTE_ERROR}"]
    # the lines of the unclosed cell are read as rows of their own: each a name "rad N" (the last with its quote)
    assert [r[:2] for r in rows[1:]] == [(over_at + n, f"rad {n + 1}") for n in range(1, ROSTER_MAX_CELL_LINES)] + [
        (over_at + ROSTER_MAX_CELL_LINES, f'rad {ROSTER_MAX_CELL_LINES + 1}"')
    ]
    assert warnings == []


def test_a_table_of_a_named_sheet_is_by_default_the_first_sheet():
    from minicex_pdf.form.roster import check

    roster = check(Table(1, ("namn",), ((2, ("Bo Ek",)),), sheet="Blad1"))
    assert (roster.sheet, roster.warnings, [r.name for r in roster.rows]) == ("Blad1", (), ["Bo Ek"])


def test_columns_past_z_are_named_aa_and_ab(tmp_path):
    header = ["Namn"] + [""] * 25 + ["Telefon", "Mobil"]  # empty headers B to Z; AA and AB not roster columns
    path = csv_file(tmp_path, (";".join(header) + "\r\nBo Ek\r\n").encode())
    assert read(read_roster(path)) == (
        [(2, "Bo Ek", {"trainee_name": "Bo Ek"})],
        [],
        ["column AA (Telefon) is not used", "column AB (Mobil) is not used"],
    )


def test_a_utf8_bom_before_text_that_is_not_utf8_is_refused_by_name(tmp_path):
    # an editor put a UTF-8 byte order mark before a Windows-1252 file
    path = csv_file(tmp_path, b"\xef\xbb\xbf" + "namn\r\nÅsa Öberg\r\n".encode("cp1252"))
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: not readable as utf-8-sig text though it starts like it"


def test_an_xlsx_roster_without_openpyxl_installed_says_which_extra_to_install(tmp_path, monkeypatch):
    import sys

    book = openpyxl.Workbook()
    book.active.append(["Namn"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as on a machine without the xlsx extra
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: XLSX rosters need openpyxl: pip install 'minicex-pdf[xlsx]'"
