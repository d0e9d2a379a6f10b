"""The empty roster: the definition's headers in each language, a sheet people can fill in, written safely."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest

from minicex_pdf.errors import UsageError
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.roster import read_roster
from minicex_pdf.form.roster_template import headers, write_template

# the [roster] headers_sv table of forms/minicex-2.toml, in the form's reading order
SWEDISH = ["namn", "specialitet", "arbetsplats", "handledare", "målbeskrivning", "delmål", "returneras till"]
ENGLISH = ["name", "specialty", "workplace", "supervisor", "regulation", "sub_goals", "return_to"]


def test_the_headers_in_each_language_in_reading_order():
    assert headers(load_definition(2), "sv") == SWEDISH
    assert headers(load_definition(2), "en") == ENGLISH
    assert headers(load_definition(1), "en") == ENGLISH[:-1]  # version 1 has no return address
    with pytest.raises(UsageError) as exc:
        headers(load_definition(2), "de")
    assert str(exc.value) == "unknown language 'de': use one of sv, en"


@pytest.mark.parametrize(
    ("lang", "title", "names", "error"),
    [
        ("sv", "ST-läkare", SWEDISH, "Välj en målbeskrivning i listan"),
        ("en", "Trainees", ENGLISH, "Choose a regulation from the list"),
    ],
)
def test_the_sheet_is_ready_to_fill_in(tmp_path, lang, title, names, error):
    out = write_template(tmp_path / "roster.xlsx", lang=lang)
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == title
    assert [c.value for c in sheet[1]] == names
    assert sheet.max_row == 1
    assert [sheet.cell(row=1, column=i).font.b for i in range(1, 8)] == [True] * 7
    assert {k: sheet.column_dimensions[k].width for k in "ABCDEFG"} == dict.fromkeys("ABCDEFG", 24)
    assert sheet.freeze_panes == "A2"
    (check,) = sheet.data_validations.dataValidation
    assert (check.type, check.formula1, str(check.sqref)) == ("list", '"HSLF-FS 2021:8,SOSFS 2015:8"', "E2:E1001")
    assert (check.error, check.errorTitle, check.showErrorMessage, check.allow_blank) == (
        error,
        names[4],
        True,
        True,
    )


def test_a_csv_template_in_english_is_comma_separated_with_a_bom(tmp_path):
    out = write_template(tmp_path / "roster.CSV", lang="en")
    assert out.read_bytes() == ("\ufeff" + ",".join(ENGLISH) + "\r\n").encode("utf-8")
    assert read_roster(out).rows == ()


def test_the_newest_definition_is_the_default(tmp_path):
    out = write_template(tmp_path / "r.csv", lang="en")
    assert out.read_text(encoding="utf-8-sig").strip().split(",")[-1] == "return_to"
    old = write_template(tmp_path / "old.csv", lang="en", definition=load_definition(1))
    assert old.read_text(encoding="utf-8-sig").strip().split(",") == ENGLISH[:-1]


def test_a_bare_file_name_is_written_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert write_template("roster.csv") == Path("roster.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]


def test_never_over_an_existing_file_unless_forced(tmp_path):
    out = tmp_path / "roster.csv"
    out.write_bytes(b"somebody's roster")
    with pytest.raises(UsageError) as exc:
        write_template(out)
    assert str(exc.value) == f"{out} exists: choose another name, or add --force to overwrite it"
    assert exc.value.message("sv") == (
        f"{out} finns redan: välj ett annat namn, eller lägg till --force för att skriva över den"
    )
    assert out.read_bytes() == b"somebody's roster"
    write_template(out, force=True)
    assert out.read_bytes() == ("\ufeff" + ";".join(SWEDISH) + "\r\n").encode("utf-8")


def test_other_suffixes_and_unwritable_places_are_one_clear_line(tmp_path):
    with pytest.raises(UsageError) as exc:
        write_template(tmp_path / "roster.ods")
    assert str(exc.value) == f"{tmp_path / 'roster.ods'}: a roster template is .xlsx or .csv"
    assert exc.value.message("sv") == f"{tmp_path / 'roster.ods'}: en mall för deltagarlistan är .xlsx eller .csv"
    gone = tmp_path / "no such folder" / "roster.csv"
    with pytest.raises(UsageError) as exc:
        write_template(gone)
    assert str(exc.value) == f"{gone}: cannot write: No such file or directory"
    assert exc.value.message("sv") == f"{gone}: kan inte skrivas: No such file or directory"
    assert list(tmp_path.iterdir()) == []


def test_an_xlsx_template_without_openpyxl_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(UsageError) as exc:
        write_template(tmp_path / "roster.xlsx")
    assert (str(exc.value), exc.value.message("sv")) == (
        "an XLSX template needs openpyxl: pip install 'minicex-pdf[xlsx]' (or write a .csv)",
        "en XLSX-mall behöver openpyxl: pip install 'minicex-pdf[xlsx]' (eller skriv en .csv)",
    )
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_file_is_made_beside_the_output_not_in_the_current_folder(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    os.rmdir(gone)  # nothing can be made in the current folder any more
    out = write_template(tmp_path / "roster.csv", lang="en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]
    assert out.read_bytes() == ("\ufeff" + ",".join(ENGLISH) + "\r\n").encode("utf-8")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_swedish_read_from_a_config_file_is_swedish(tmp_path, suffix):
    lang = tomllib.loads('lang = "sv"')["lang"]  # a string made at run time, as the config file gives it
    out = write_template(tmp_path / f"roster{suffix}", lang=lang)
    if suffix == ".csv":
        assert out.read_bytes() == ("\ufeff" + ";".join(SWEDISH) + "\r\n").encode("utf-8")
    else:
        sheet = openpyxl.load_workbook(out).active
        (check,) = sheet.data_validations.dataValidation
        assert (sheet.title, [c.value for c in sheet[1]], check.error) == (
            "ST-läkare",
            SWEDISH,
            "Välj en målbeskrivning i listan",
        )
