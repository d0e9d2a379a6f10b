"""The administrator's week on real PDFs: roster of 12 -> prefill -> 8 returned filled in PDFium -> import,
then status, the chase list, corrections (void, restore, merge) with their history, export and report.

Returned: five complete assessments, one awaiting the action plan, one incomplete (date and assessor
only), one returned untouched (empty); four trainees return nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.form.roster import RosterColumns

pytest.importorskip("pypdfium2")
from minicex_pdf.engines.pdfium import fill_pdfium

D = load_definition()
ROLE = D.role("assessor_role")
OTHER = next(o.code for o in ROLE.options if o.code != D.personal_supervisor)

# name, specialty, workplace, supervisor (roster columns in the definition's order, Swedish headers)
ROSTER = [
    ("Åsa Öberg", "Allmänmedicin", "VC Väster", "Per Ek"),
    ("Karl Lind", "Kirurgi", "Kir klin", "Eva Al"),
    ("Zoë Ångström", "Psykiatri", "Psyk öv", "Omar Aziz"),
    ("Ann-Marie Ek", "Internmedicin", "Med klin", "Bo Ström"),
    ("Bo Nilsson", "Akutsjukvård", "Akuten", "Eva Al"),
    ("Sara Björk", "Allmänmedicin", "VC Öster", "Per Ek"),
    ("Johan Berg", "Kirurgi", "Kir klin", "Eva Al"),
    ("Maria Åberg", "Psykiatri", "Psyk öv", "Omar Aziz"),
    ("Erik Holm", "Barn- och ungdomsmedicin", "BUM", "Lena Sjö"),
    ("Fatima Aziz", "Internmedicin", "Med klin", "Bo Ström"),
    ("Lars Ek", "Akutsjukvård", "Akuten", "Eva Al"),
    ("Nils Öst", "Allmänmedicin", "VC Väster", "Per Ek"),
]


def assessment(date: str, assessor: str, role: str, level: str, plan: bool = True) -> dict[str, object]:
    values: dict[str, object] = {
        D.role("date").name: date,
        D.role("assessor").name: assessor,
        ROLE.name: role,
        "level_overall": level,
        D.role_fields("feedback")[0].name: "Tydlig anamnes",
        D.role_fields("feedback")[1].name: "Sammanfatta oftare",
    }
    if plan:
        values[D.role("action_plan").name] = "Läsa på"
    return values


# what comes back, by roster row: (trainee, values filled in PDFium; None = returned untouched)
RETURNS = [
    ("Åsa Öberg", assessment("2026-02-03", "Karin Holm", OTHER, "3")),
    ("Karl Lind", assessment("2026-02-10", "Eva Al", D.personal_supervisor, "2")),
    ("Zoë Ångström", assessment("2026-03-01", "Lena Sjö", OTHER, "2")),
    ("Ann-Marie Ek", assessment("2026-03-05", "Per Ek", OTHER, "1")),
    ("Bo Nilsson", assessment("2026-03-12", "Karin Holm", OTHER, "3")),
    ("Sara Björk", assessment("2026-03-15", "Omar Aziz", OTHER, "2", plan=False)),  # awaiting the plan
    ("Johan Berg", {D.role("date").name: "2026-03-20", D.role("assessor").name: "Eva Al"}),  # incomplete
    ("Maria Åberg", None),  # returned untouched: empty
]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("week")
    roster = root / "roster.csv"
    headers = dict(D.roster_headers_sv)
    keys = [f.prefill for f in RosterColumns.of(D).fields][:4]
    with roster.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([[headers[k] for k in keys], *ROSTER])
    db = root / "store.sqlite"
    result = CliRunner().invoke(cli, ["prefill", str(roster), "-o", str(root / "forms"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    with (root / "forms" / "index.csv").open(encoding="utf-8-sig", newline="") as fh:
        index = {r["name"]: r["file"] for r in csv.DictReader(fh, delimiter=";")}
    returned = root / "returned"
    returned.mkdir()
    for n, (name, values) in enumerate(RETURNS, start=1):
        target = returned / f"returned-{n}.pdf"
        prefilled = root / "forms" / index[name]
        if values is None:
            shutil.copyfile(prefilled, target)
        else:
            target.write_bytes(fill_pdfium(prefilled.read_bytes(), values, D))
        os.utime(target, (1_790_000_000 + n, 1_790_000_000 + n))  # imported in this order: ids 1..8
    result = CliRunner().invoke(cli, ["import", str(returned), "--db", str(db), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    return {"root": root, "db": db, "roster": roster, "returned": returned}


@pytest.fixture
def db(week: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the week's store for a test that changes it."""
    copy = tmp_path / "store.sqlite"
    shutil.copyfile(week["db"], copy)
    return copy


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def status_json(db: Path, *args: str) -> list[dict[str, object]]:
    code, out, err = invoke("status", "--db", str(db), "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def line(name, specialty, workplace, supervisor, assessments=0, awaiting=0, incomplete=0, empty=0, assessors=0,
         not_supervisor=0, latest=None, not_returned=0):  # fmt: skip
    return {
        "trainee": name,
        "specialty": specialty,
        "workplace": workplace,
        "supervisor": supervisor,
        "assessments": assessments,
        "awaiting_action_plan": awaiting,
        "incomplete": incomplete,
        "empty": empty,
        "assessors": assessors,
        "not_by_supervisor": not_supervisor,
        "latest": latest,
        "not_returned": not_returned,
    }


ROWS = {r[0]: r for r in ROSTER}
EXPECTED = {
    "Åsa Öberg": line(*ROWS["Åsa Öberg"], 1, 0, 0, 0, 1, 1, "2026-02-03"),
    "Karl Lind": line(*ROWS["Karl Lind"], 1, 0, 0, 0, 1, 0, "2026-02-10"),
    "Zoë Ångström": line(*ROWS["Zoë Ångström"], 1, 0, 0, 0, 1, 1, "2026-03-01"),
    "Ann-Marie Ek": line(*ROWS["Ann-Marie Ek"], 1, 0, 0, 0, 1, 1, "2026-03-05"),
    "Bo Nilsson": line(*ROWS["Bo Nilsson"], 1, 0, 0, 0, 1, 1, "2026-03-12"),
    "Sara Björk": line(*ROWS["Sara Björk"], 1, 1, 0, 0, 1, 1, "2026-03-15"),
    "Johan Berg": line(*ROWS["Johan Berg"], 0, 0, 1, 0),
    "Maria Åberg": line(*ROWS["Maria Åberg"], 0, 0, 0, 1),
    "Erik Holm": line(*ROWS["Erik Holm"], not_returned=1),
    "Fatima Aziz": line(*ROWS["Fatima Aziz"], not_returned=1),
    "Lars Ek": line(*ROWS["Lars Ek"], not_returned=1),
    "Nils Öst": line(*ROWS["Nils Öst"], not_returned=1),
}
#: Sorted as the store sorts names (case-folded; Å Ä Ö after Z, as in Swedish).
ORDER = sorted(EXPECTED, key=str.casefold)


def test_status_has_the_twelve_trainees_and_four_returned_nothing(week: dict[str, Path]) -> None:
    lines = status_json(week["db"])
    assert lines == [EXPECTED[n] for n in ORDER]
    nothing = [ln["trainee"] for ln in lines if not (ln["assessments"] or ln["incomplete"] or ln["empty"])]
    assert nothing == ["Erik Holm", "Fatima Aziz", "Lars Ek", "Nils Öst"]


def test_status_table_names_the_store_it_used(week: dict[str, Path]) -> None:
    code, out, err = invoke("status", "--db", str(week["db"]), "--trainee", "ek", "--lang", "en")
    assert code == 0
    assert err == f"Database: {week['db']} (--db)\n"
    assert out == (
        "Trainee       Specialty      Assessments  Awaiting plan  Incomplete  Empty  Assessors  Not supervisor"
        "  Latest      Not returned\n"
        "------------  -------------  -----------  -------------  ----------  -----  ---------  --------------"
        "  ----------  ------------\n"
        "Ann-Marie Ek  Internmedicin            1              0           0      0          1               1"
        "  2026-03-05             0\n"
        "Lars Ek       Akutsjukvård             0              0           0      0          0               0"
        "  –                      1\n"
    )


def test_the_chase_list_holds_exactly_the_three_forms_to_chase(week: dict[str, Path]) -> None:
    code, out, _ = invoke("status", "--db", str(week["db"]), "--chase", "--format", "json", "--lang", "en")
    assert code == 0
    returned = week["returned"]
    plan = "The trainee's action plan is not filled in yet"
    required = "Required field is empty: {}".format
    feedback = "No feedback written: {} (the assessor must always write something)".format
    assert json.loads(out) == [
        {
            "id": 6,
            "trainee": "Sara Björk",
            "assessor": "Omar Aziz",
            "date": "2026-03-15",
            "file": str(returned / "returned-6.pdf"),
            "status": "awaiting_action_plan",
            "missing": [plan],
        },
        {
            "id": 7,
            "trainee": "Johan Berg",
            "assessor": "Eva Al",
            "date": "2026-03-20",
            "file": str(returned / "returned-7.pdf"),
            "status": "incomplete",
            "missing": [
                required(ROLE.label.en),
                required(D.field("level_overall").label.en),
                feedback(D.role_fields("feedback")[0].label.en),
                feedback(D.role_fields("feedback")[1].label.en),
                plan,
            ],
        },
        {
            "id": 8,
            "trainee": "Maria Åberg",
            "assessor": "",
            "date": None,
            "file": str(returned / "returned-8.pdf"),
            "status": "empty",
            "missing": ["nothing filled in by the assessor"],
        },
    ]


def test_the_chase_list_as_csv_for_a_mail_merge(week: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "chase.csv"
    code, stdout, _ = invoke(
        "status", "--db", str(week["db"]), "--chase", "--format", "csv", "-o", str(out), "--lang", "sv"
    )
    assert (code, stdout) == (0, "")
    raw = out.read_bytes()
    assert raw.startswith("\ufeffId;ST-läkare;Bedömare;Datum;Fil;Status;Saknas\r\n".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [(r[0], r[1], r[5]) for r in rows[1:]] == [
        ("6", "Sara Björk", "väntar på ST-läkarens handlingsplan"),
        ("7", "Johan Berg", "ofullständig"),
        ("8", "Maria Åberg", "tom"),
    ]
    assert rows[3][6] == "inget ifyllt av bedömaren"
    again = CliRunner().invoke(cli, ["status", "--db", str(week["db"]), "--chase", "--format", "csv", "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.output  # one overwrite rule for every -o


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--trainee", "OBERG"], ["Åsa Öberg"]),  # case and accents ignored
        (["--trainee", "öberg, åsa"], ["Åsa Öberg"]),  # word order ignored
        (["--trainee", "ek"], ["Ann-Marie Ek", "Lars Ek"]),
        (["--specialty", "kirurgi"], ["Johan Berg", "Karl Lind"]),
        (["--workplace", "vc"], ["Nils Öst", "Sara Björk", "Åsa Öberg"]),
        (["--supervisor", "eva al"], ["Bo Nilsson", "Johan Berg", "Karl Lind", "Lars Ek"]),
    ],
)
def test_status_filters_pick_trainees(week: dict[str, Path], args: list[str], names: list[str]) -> None:
    assert [ln["trainee"] for ln in status_json(week["db"], *args)] == names


def test_status_dates_bound_the_counts_not_the_trainees(week: dict[str, Path]) -> None:
    lines = {ln["trainee"]: ln for ln in status_json(week["db"], "--since", "2026-03-01", "--until", "2026-03-12")}
    assert len(lines) == 12
    counted = sorted(n for n, ln in lines.items() if ln["assessments"])
    assert counted == ["Ann-Marie Ek", "Bo Nilsson", "Zoë Ångström"]
    assert lines["Johan Berg"]["incomplete"] == 0 and lines["Maria Åberg"]["empty"] == 0  # undated: outside


def test_an_unknown_trainee_gets_the_closest_names(week: dict[str, Path]) -> None:
    code, _, err = invoke("status", "--db", str(week["db"]), "--trainee", "Lindh Karl", "--lang", "en")
    assert code == 1
    assert err.splitlines()[-1] == "Error: no trainee matches 'Lindh Karl'; did you mean 'Karl Lind'?"
    code, _, err = invoke("status", "--db", str(week["db"]), "--trainee", "Obreg", "--lang", "sv")
    assert err.splitlines()[-1] == "Fel: ingen ST-läkare matchar 'Obreg'; menade du 'Åsa Öberg'?"


def test_forms_lists_id_trainee_date_assessor_status_file(week: dict[str, Path]) -> None:
    code, out, _ = invoke("forms", "--db", str(week["db"]), "--format", "json", "--specialty", "kirurgi")
    assert code == 0
    returned = week["returned"]
    assert json.loads(out) == [
        {
            "id": 2,
            "trainee": "Karl Lind",
            "date": "2026-02-10",
            "assessor": "Eva Al",
            "status": "complete",
            "file": str(returned / "returned-2.pdf"),
        },
        {
            "id": 7,
            "trainee": "Johan Berg",
            "date": "2026-03-20",
            "assessor": "Eva Al",
            "status": "incomplete",
            "file": str(returned / "returned-7.pdf"),
        },
    ]


def export_rows(db: Path, *args: str) -> list[dict[str, object]]:
    code, out, err = invoke("export", "--db", str(db), "--format", "jsonl", *args)
    assert code == 0, err
    return [json.loads(x) for x in out.splitlines()]


def report_text(db: Path, tmp_path: Path, *args: str) -> str:
    out = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.pdf"
    code, _, err = invoke("report", "--db", str(db), "-o", str(out), "--lang", "en", *args)
    assert code == 0, err
    return "\n".join(p.extract_text(extraction_mode="layout") for p in PdfReader(out).pages)


#: A cohort line without assessments: 0 assessments, 0 assessors, "0 of 0", 0 awaiting, incomplete, empty, no date.
ZERO = ["0", "0", "0", "of", "0", "0", "0", "0", "–"]


def cohort_line(text: str, name: str) -> list[str]:
    return next(ln for ln in text.splitlines() if name in ln).split()


def test_void_and_restore_change_status_export_report_and_are_in_the_history(db: Path, tmp_path: Path) -> None:
    trainee = D.role("trainee").name
    before = export_rows(db)
    assert len(before) == 7 and "Bo Nilsson" in [r[trainee] for r in before]  # the empty form is left out (#9)
    code, out, _ = invoke("void", "5", "--db", str(db), "--reason", "sent by mistake", "--lang", "en")
    assert (code, out) == (0, "Form 5 voided: it is no longer counted (minicex restore 5 undoes it)\n")
    assert status_json(db, "--trainee", "bo nilsson") == [line(*ROWS["Bo Nilsson"])]
    assert [r[trainee] for r in export_rows(db)] == [r[trainee] for r in before if r[trainee] != "Bo Nilsson"]
    assert cohort_line(report_text(db, tmp_path), "Bo Nilsson")[-9:] == ZERO
    code, out, _ = invoke("forms", "--db", str(db), "--trainee", "nilsson", "--format", "json")
    assert json.loads(out)[0]["status"] == "voided"  # listed, as voided
    again = invoke("void", "5", "--db", str(db), "--reason", "twice", "--lang", "en")
    assert again[0] == 1 and re.fullmatch(r"Error: form 5 is already voided \(\d{4}-\d\d-\d\dT[\d:+]+\)\n", again[2])
    code, out, _ = invoke("restore", "5", "--db", str(db), "--reason", "it was right", "--lang", "en")
    assert (code, out) == (0, "Form 5 restored: it counts again\n")
    assert status_json(db, "--trainee", "bo nilsson") == [EXPECTED["Bo Nilsson"]]
    assert len(export_rows(db)) == 7 and len(export_rows(db, "--all")) == 8
    code, out, _ = invoke("history", "5", "--db", str(db), "--lang", "en")
    rows = [ln.split("  ") for ln in out.splitlines()[2:]]
    assert [[c.strip() for c in r if c.strip()][1:] for r in rows] == [
        [os_user(), "voided", "sent by mistake"],
        [os_user(), "restored", "it was right"],
    ]


def os_user() -> str:
    import getpass

    return getpass.getuser()


def test_trainee_merge_joins_name_variants_everywhere_and_is_in_the_history(
    db: Path, tmp_path: Path, week: dict[str, Path]
) -> None:
    # a walk-in blank (no instance id) where the assessor wrote the name another way
    walk_in = tmp_path / "walk-in.pdf"
    values = {D.role("trainee").name: "Oberg, Asa", **assessment("2026-04-01", "Per Ek", D.personal_supervisor, "3")}
    walk_in.write_bytes(fill_pdfium(build_form(D), values, D))
    assert invoke("import", str(walk_in), "--db", str(db), "-q")[0] == 0
    assert len(status_json(db)) == 13
    code, out, _ = invoke("trainee", "merge", "Oberg, Asa", "--into", "Åsa Öberg", "--db", str(db), "--lang", "en")
    assert (code, out) == (0, "Merged 'Oberg, Asa' into 'Åsa Öberg'\n")
    lines = status_json(db)
    assert len(lines) == 12
    asa = next(ln for ln in lines if ln["trainee"] == "Åsa Öberg")
    assert (asa["assessments"], asa["assessors"], asa["not_by_supervisor"], asa["latest"]) == (2, 2, 1, "2026-04-01")
    trainee = D.role("trainee").name
    assert [r[trainee] for r in export_rows(db, "--trainee", "öberg")] == ["Åsa Öberg", "Åsa Öberg"]
    # assessments, assessors, not by the supervisor "n of N", awaiting, incomplete, empty, latest
    assert cohort_line(report_text(db, tmp_path), "Åsa Öberg")[-9:] == [
        "2",
        "2",
        "1",
        "of",
        "2",
        "0",
        "0",
        "0",
        "2026-04-01",
    ]
    code, out, _ = invoke("history", "9", "--db", str(db), "--lang", "en")
    assert out.splitlines()[2].split("  ")[-2:] == ["name merged: Oberg, Asa → Åsa Öberg", "–"]
    unknown = invoke("trainee", "merge", "Asa Obreg", "--into", "Åsa Öberg", "--db", str(db), "--lang", "en")
    assert unknown[0] == 1 and unknown[2].endswith("no trainee called 'Asa Obreg'; did you mean 'Åsa Öberg'?\n")


def test_report_cohort_page_lists_roster_trainees_without_forms(week: dict[str, Path], tmp_path: Path) -> None:
    text = report_text(week["db"], tmp_path)
    for name in ("Erik Holm", "Fatima Aziz", "Lars Ek", "Nils Öst"):
        assert cohort_line(text, name)[-9:] == ZERO
    only = report_text(week["db"], tmp_path, "--specialty", "kirurgi", "--since", "2026-02-01")
    first_page = only.split("\f")[0] if "\f" in only else only
    assert "Karl Lind" in first_page and "Johan Berg" in first_page and "Åsa Öberg" not in only


def test_export_filters(week: dict[str, Path]) -> None:
    trainee, date = D.role("trainee").name, D.role("date").name
    rows = export_rows(week["db"], "--since", "2026-03-01", "--until", "2026-03-15")
    assert [(r[trainee], r[date]) for r in rows] == [
        ("Zoë Ångström", "2026-03-01"),
        ("Ann-Marie Ek", "2026-03-05"),
        ("Bo Nilsson", "2026-03-12"),
        ("Sara Björk", "2026-03-15"),
    ]
    assert [r[trainee] for r in export_rows(week["db"], "--supervisor", "per ek", "--workplace", "väster")] == [
        "Åsa Öberg"
    ]


def test_prefill_again_makes_forms_only_for_new_trainees(week: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite"
    forms = tmp_path / "forms"
    roster = week["roster"]
    assert invoke("prefill", str(roster), "-o", str(forms), "--db", str(db), "--lang", "en")[0] == 0
    code, out, _ = invoke("prefill", str(roster), "-o", str(forms), "--db", str(db), "--lang", "en")
    assert (code, out) == (
        0,
        f"0 form(s) in {forms}\n"
        "12 trainee(s) already have a form in this folder and got none (--again makes new ones)\n"
        f"Recorded in {db}\n",
    )
    with roster.open("a", encoding="utf-8", newline="") as fh:
        fh.write("Ny Person;Kirurgi;Kir klin;Eva Al\r\n")
    code, out, _ = invoke("prefill", str(roster), "-o", str(forms), "--db", str(db), "--lang", "sv")
    assert (code, out) == (
        0,
        f"1 formulär i {forms}, förteckning index.csv\n"
        "12 ST-läkare har redan formulär i mappen och fick inga nya (--again gör nya)\n"
        f"Registrerade i {db}\n",
    )
    assert len(list(forms.glob("*.pdf"))) == 13
    assert invoke("prefill", str(roster), "-o", str(forms), "--db", str(db), "--again")[0] == 0
    assert len(list(forms.glob("*.pdf"))) == 26
    lines = status_json(db)
    assert [ln["not_returned"] for ln in lines] == [2] * 13


def test_a_real_subprocess_run_of_status(week: dict[str, Path], tmp_path: Path) -> None:
    env = {**os.environ, "MINICEX_DB": str(week["db"]), "PYTHONPATH": str(Path(__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "minicex_pdf", "status", "--format", "json", "--lang", "en"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode() == f"Database: {week['db']} (MINICEX_DB)\n"
    assert json.loads(done.stdout) == [EXPECTED[n] for n in ORDER]


def test_forms_table_and_void_by_file_name(db: Path, week: dict[str, Path]) -> None:
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(week["root"])  # files are shown relative to the current folder
    try:
        listed = runner.invoke(cli, ["forms", "--db", str(db), "--trainee", "berg", "--lang", "sv"])
        voided = runner.invoke(cli, ["void", "returned-7.pdf", "--db", str(db), "--reason", "dubblett", "--lang", "sv"])
        after = runner.invoke(cli, ["forms", "--db", str(db), "--trainee", "berg", "--lang", "sv"])
    finally:
        os.chdir(cwd)
    assert listed.stdout == (
        "Id  ST-läkare    Datum       Bedömare    Status        Fil\n"
        "--  -----------  ----------  ----------  ------------  -----------------------\n"
        " 1  Åsa Öberg    2026-02-03  Karin Holm  komplett      returned/returned-1.pdf\n"
        " 7  Johan Berg   2026-03-20  Eva Al      ofullständig  returned/returned-7.pdf\n"
        " 8  Maria Åberg  –           –           tom           returned/returned-8.pdf\n"
    )
    assert voided.stdout == "Formulär 7 makulerat: det räknas inte längre (minicex restore 7 ångrar)\n"
    assert next(ln for ln in after.stdout.splitlines() if ln.startswith(" 7")).split()[6] == "makulerat"
    nothing = runner.invoke(cli, ["forms", "--db", str(db), "--since", "2030-01-01", "--lang", "en"])
    assert nothing.stdout == "" and nothing.stderr.splitlines()[-1] == "nothing matches the filters"


def test_a_voided_form_stays_voided_when_a_newer_revision_comes_in(db: Path, week: dict[str, Path]) -> None:
    assert invoke("void", "6", "--db", str(db), "--reason", "wrong trainee")[0] == 0
    with_plan = week["root"] / "later" / "returned-6-plan.pdf"
    with_plan.parent.mkdir(exist_ok=True)
    first = (week["returned"] / "returned-6.pdf").read_bytes()
    with_plan.write_bytes(fill_pdfium(first, {D.role("action_plan").name: "Läsa på"}, D))
    assert invoke("import", str(with_plan), "--db", str(db), "-q")[0] == 0
    _, out, _ = invoke("forms", "--db", str(db), "--trainee", "sara", "--format", "json")
    assert [(f["id"], f["status"], Path(str(f["file"])).name) for f in json.loads(out)] == [
        (6, "voided", "returned-6-plan.pdf")
    ]
    assert status_json(db, "--trainee", "sara") == [line(*ROWS["Sara Björk"])]
    assert invoke("restore", "6", "--db", str(db))[0] == 0
    sara = status_json(db, "--trainee", "sara")
    assert sara == [line(*ROWS["Sara Björk"], 1, 0, 0, 0, 1, 1, "2026-03-15")]  # counted again, plan written
