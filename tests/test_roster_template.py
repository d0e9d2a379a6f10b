"""``minicex roster-template``: an empty roster with the headers in one language and a list of regulations."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.roster import read_roster

D = load_definition()
SWEDISH = [sv for _, sv in D.roster_headers_sv]
ENGLISH = [key for key, _ in D.roster_headers_sv]


@pytest.mark.parametrize(("lang", "headers"), [("sv", SWEDISH), ("en", ENGLISH)])
def test_xlsx_template_has_the_headers_and_a_regulation_list(tmp_path, lang, headers):
    out = tmp_path / "roster.xlsx"
    result = CliRunner().invoke(cli, ["roster-template", "-o", str(out), "--lang", lang])
    assert (result.exit_code, result.output) == (0, f"{'Skrev' if lang == 'sv' else 'Wrote'} {out}\n")
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]] == headers
    (check,) = sheet.data_validations.dataValidation
    assert check.type == "list"
    assert check.formula1 == '"' + ",".join(r.name for r in D.regulations) + '"'
    column = "ABCDEFGHIJ"[ENGLISH.index("regulation")]
    assert str(check.sqref) == f"{column}2:{column}1001"
    roster = read_roster(out)  # an empty template is a roster with no rows yet
    assert (roster.rows, roster.errors, roster.warnings) == ((), (), ())


def test_filled_in_template_reads_with_the_regulation_chosen_from_the_list(tmp_path):
    out = tmp_path / "r.xlsx"
    assert CliRunner().invoke(cli, ["roster-template", "-o", str(out)]).exit_code == 0
    book = openpyxl.load_workbook(out)
    book.active.append(["Łukasz Wiśniewski", "Kirurgi", "", "", D.regulations[1].name, "a1"])
    book.save(out)
    (row,) = read_roster(out).rows
    assert (row.name, row.values[D.role("regulation").name]) == ("Łukasz Wiśniewski", D.regulations[1].code)


def test_csv_template_is_a_header_line_excel_opens(tmp_path):
    out = tmp_path / "roster.csv"
    assert CliRunner().invoke(cli, ["roster-template", "-o", str(out), "--lang", "sv"]).exit_code == 0
    assert out.read_bytes() == ("\ufeff" + ";".join(SWEDISH) + "\r\n").encode("utf-8")


def test_never_overwrites_and_refuses_other_suffixes(tmp_path):
    out = tmp_path / "roster.xlsx"
    out.write_bytes(b"somebody's roster")
    result = CliRunner().invoke(cli, ["roster-template", "-o", str(out)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {out} exists: choose another name with -o, or add --force to overwrite it\n",  # one rule (#11)
    )
    assert out.read_bytes() == b"somebody's roster"
    assert CliRunner().invoke(cli, ["roster-template", "-o", str(out), "--force"]).exit_code == 0
    bad = CliRunner().invoke(cli, ["roster-template", "-o", str(tmp_path / "r.ods")])
    assert (bad.exit_code, bad.output) == (1, f"Error: {tmp_path / 'r.ods'}: a roster template is .xlsx or .csv\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.xlsx"]
