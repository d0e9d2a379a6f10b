"""Counts a panel can trust: one assessment is one record, whatever path the form took.

Real returned forms, filled in PDFium and MuPDF as their viewers fill them, imported in
several orders, and the counts asserted where an admin and a panel see them: the store,
the export and the text of the report PDF.

The returns (:func:`build_returns`), for two trainees:

- Åsa Öberg's pre-filled form (instance id ``pre-asa``, sub-goals STa1 and STc4 filled in
  from the roster) used again and again: ``asa1`` (the assessor's part, PDFium) and
  ``asa1-plan`` (the same file with the action plan added, PDFium's incremental save);
  ``asa2`` (another day and assessor, MuPDF, no action plan yet); ``asa3-morning`` and
  ``asa3-afternoon`` (same day, same assessor, other levels and feedback, PDFium and
  MuPDF); ``asa-half`` (date and assessor only, and a valid personnummer: incomplete);
  ``asa-untouched`` (the pre-filled form sent back as it was: empty).
- Bo Berg's walk-in blank (no instance id): ``bo`` (assessor's part, PDFium) and
  ``bo-plan`` (the trainee's action plan added in MuPDF).

So: Åsa has 4 assessments (3 complete, 1 awaiting the action plan), 1 incomplete and
1 empty form; Bo has 1 assessment of 2 revisions.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import FormDefinition, load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.reading.reader import read_form
from minicex_pdf.storage.store import SCHEMA_VERSION, Store

pytest.importorskip("pypdfium2")
from minicex_pdf.engines.mupdf import fill_mupdf, mutool
from minicex_pdf.engines.pdfium import fill_pdfium

if mutool() is None:
    pytest.skip("MuPDF's mutool is not installed (apt-get install mupdf-tools)", allow_module_level=True)

D = load_definition()
RESOURCES = Path(__file__).parent / "resources"

#: A valid personnummer (Skatteverket's test person) and one with a wrong check digit.
VALID_PNR, SLIPPED_PNR = "19121212-1212", "811218-9877"

#: Each file's assessment (by the file that starts it) and the files in revision order.
ASSESSMENTS = {
    ("asa1", "asa1-plan"),
    ("asa2",),
    ("asa3-morning",),
    ("asa3-afternoon",),
    ("asa-half",),
    ("asa-untouched",),
    ("bo", "bo-plan"),
}
STATUS = {
    "asa1-plan": "complete",
    "asa2": "awaiting_action_plan",
    "asa3-morning": "complete",
    "asa3-afternoon": "complete",
    "asa-half": "incomplete",
    "asa-untouched": "empty",
    "bo-plan": "complete",
}


def _assessor_part(
    d: FormDefinition, date: str, who: str, role: str, ranks: tuple[int, ...], well: str, next_time: str
) -> dict[str, object]:
    """What an assessor fills in: date, name, relation, the encounter, levels, feedback."""
    well_field, next_field = d.role_fields("feedback")
    levels = list(d.level_fields())
    return {
        d.role("date").name: date,
        d.role("assessor").name: who,
        d.role("assessor_role").name: role,
        d.role("complexity").name: d.role("complexity").options[0].code,
        d.role("setting").name: d.role("setting").options[1].code,
        **{f.name: d.levels[r].code for f, r in zip(levels, ranks, strict=False)},
        well_field.name: well,
        next_field.name: next_time,
    }


def build_returns(folder: Path, d: FormDefinition = D) -> dict[str, Path]:
    """The returned files of the module docstring, written to ``folder``; name -> path."""
    trainee, plan = d.role("trainee").name, d.role("action_plan").name
    other = next(o.code for o in d.role("assessor_role").options if o.code != d.personal_supervisor)
    prefilled = build_form(
        d,
        values={
            trainee: "Åsa Öberg",
            d.role("specialty").name: "Allmänmedicin",
            d.role("supervisor").name: "Per Ek",
            d.role("regulation").name: d.regulations[0].code,
            d.role("subgoals").name: "STa1, STc4",
        },
        instance_id="pre-asa",
    )
    blank = build_form(d)
    files: dict[str, bytes] = {}
    asa1 = _assessor_part(d, "2026-02-03", "Karin Lund", other, (2, 2, 3, 0, 2), "Tydlig anamnes", "Sammanfatta")
    asa1[d.role_fields("feedback")[0].name] = f"Tydlig anamnes. Pat {SLIPPED_PNR} nämndes."
    files["asa1"] = fill_pdfium(prefilled, asa1, d)
    files["asa1-plan"] = fill_pdfium(files["asa1"], {plan: "Läsa på om KOL"}, d)
    asa2 = _assessor_part(d, "2026-03-10", "Per Ek", d.personal_supervisor, (3, 3, 3, 3, 3), "Lugnt", "Tempo")
    files["asa2"] = fill_mupdf(prefilled, asa2, d)
    morning = _assessor_part(d, "2026-04-01", "Karin Lund", other, (1, 2, 1, 2, 1), "Morgonens möte", "Fråga mer")
    files["asa3-morning"] = fill_pdfium(prefilled, {**morning, plan: "Öva anamnes"}, d)
    afternoon = _assessor_part(d, "2026-04-01", "Karin Lund", other, (3, 3, 2, 3, 3), "Eftermiddagen", "Status")
    files["asa3-afternoon"] = fill_mupdf(prefilled, {**afternoon, plan: "Öva status"}, d)
    files["asa-half"] = fill_pdfium(
        prefilled,
        {
            d.role("date").name: "2026-05-05",
            d.role("assessor").name: "Eva Al",
            "clinical_context": f"Pat {VALID_PNR}, KOL",
        },
        d,
    )
    files["asa-untouched"] = prefilled
    bo = _assessor_part(d, "2026-02-20", "Lena Sjö", other, (2, 2, 2, 2, 2), "Bra struktur", "Tidshållning")
    files["bo"] = fill_pdfium(blank, {trainee: "Bo Berg", **bo}, d)
    files["bo-plan"] = fill_mupdf(files["bo"], {plan: "Planera tiden"}, d)
    out = {}
    for name, data in files.items():
        out[name] = folder / f"{name}.pdf"
        out[name].write_bytes(data)
    return out


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_returns(tmp_path_factory.mktemp("returns"))


def grouped(db: Path) -> set[tuple[str, ...]]:
    """The stored files grouped by assessment, each in revision order, as file stems."""
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT form_key, path FROM forms ORDER BY form_key, revision").fetchall()
    out: dict[str, list[str]] = {}
    for key, path in rows:
        out.setdefault(key, []).append(Path(path).stem)
    return {tuple(files) for files in out.values()}


def import_in_order(names: list[str], returns: dict[str, Path], db: Path) -> None:
    """Import the files one ``minicex import`` at a time, in the order given."""
    for name in names:
        result = CliRunner().invoke(cli, ["import", str(returns[name]), "--db", str(db), "-j", "1", "-q"])
        assert result.exit_code == 0, result.output


def report_text(db: Path, tmp: Path, lang: str = "en") -> str:
    out = tmp / f"report-{lang}.pdf"
    # --force: each test of a module fixture writes the same report again (the one -o rule of #11)
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "-o", str(out), "--lang", lang, "--force"])
    assert result.exit_code == 0, result.output
    return pdf_text(out)


def pdf_text(path: Path) -> str:
    """The text of a PDF as pdftotext lays it out (pypdf when poppler is missing)."""
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
    from pypdf import PdfReader

    return "\n".join(p.extract_text(extraction_mode="layout") for p in PdfReader(path).pages)


def export_rows(db: Path, *extra: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "csv", "--lang", "en", *extra])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout), delimiter=";"))


NAMES = ["asa1", "asa1-plan", "asa2", "asa3-morning", "asa3-afternoon", "asa-half", "asa-untouched", "bo", "bo-plan"]
ORDERS = {
    "as made": NAMES,
    "reversed": NAMES[::-1],
    "shuffled": random.Random(9).sample(NAMES, len(NAMES)),
}


@pytest.fixture(scope="module", params=sorted(ORDERS))
def imported(request: pytest.FixtureRequest, returns: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("order")
    db = tmp / "store.sqlite"
    import_in_order(ORDERS[request.param], returns, db)
    return db, tmp


def test_store_groups_files_into_assessments_in_any_order(imported) -> None:
    db, _ = imported
    assert grouped(db) == ASSESSMENTS
    with Store(db) as store:
        latest = {Path(r.source.path).stem: r.status for r in store.records()}
        assert store.counts() == {"files": 9, "forms": 7, "unreadable": 0}
        assert store.status_counts() == {"complete": 4, "awaiting_action_plan": 1, "incomplete": 1, "empty": 1}
        plan = {Path(r.source.path).stem: r.values[D.role("action_plan").name] for r in store.records()}
    assert latest == STATUS
    assert plan["asa1-plan"] == "Läsa på om KOL" and plan["bo-plan"] == "Planera tiden"


def test_export_has_one_row_per_assessment_with_its_status(imported) -> None:
    db, _ = imported
    status = "Status"
    source = "Source file"
    rows = export_rows(db)
    texts = {
        "complete": "complete",
        "awaiting_action_plan": "awaiting the trainee's action plan",
        "incomplete": "incomplete",
        "empty": "empty (nothing filled in by the assessor)",
    }
    assert sorted((Path(r[source]).stem, r[status]) for r in rows) == sorted(
        (name, texts[s]) for name, s in STATUS.items() if s != "empty"
    )
    rows = export_rows(db, "--all")
    assert sorted((Path(r[source]).stem, r[status]) for r in rows) == sorted(
        (name, texts[s]) for name, s in STATUS.items()
    )


def _cohort_line(text: str, name: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if ln.strip().startswith(name))
    return line.split()[len(name.split()) + 1 :]  # after the name and the one-word specialty (or "–")


def test_report_counts_assessments_and_shows_incomplete_and_empty_apart(imported) -> None:
    db, tmp = imported
    text = report_text(db, tmp, "en")
    pages = text.split("\f")
    cohort = pages[0]
    # count, assessors, not by the supervisor "n of N", awaiting, incomplete, empty, latest assessment
    assert _cohort_line(cohort, "Åsa Öberg") == ["4", "2", "3", "of", "4", "1", "1", "1", "2026-04-01"]
    assert _cohort_line(cohort, "Bo Berg") == ["1", "1", "1", "of", "1", "0", "0", "0", "2026-02-20"]
    # trainees come by name (Bo before Åsa): Åsa's section runs from her heading to the end
    asa = "\f".join(pages[next(i for i, p in enumerate(pages) if i and p.lstrip().startswith("Åsa Öberg")) :])
    assert "Incomplete forms: 1 · Empty forms: 1" in asa
    assert "STa1 (4), STc4 (4)" in asa  # every copy carries the roster's sub-goals: counted per assessment
    for feedback in ("Morgonens möte", "Eftermiddagen", "Lugnt", "Tydlig anamnes"):
        assert feedback in text
    feedback = asa.split("Feedback in date order", 1)[1]
    headings = [ln.split(" · ")[0].strip() for ln in feedback.splitlines() if " · " in ln and "page" not in ln]
    assert headings == ["2026-02-03", "2026-03-10", "2026-04-01", "2026-04-01"]  # no undated empty entry
    assert "asa-half.pdf" in asa and "asa-untouched.pdf" in asa  # listed by file


def test_personal_numbers_are_masked_in_the_report_and_the_export(imported) -> None:
    db, tmp = imported
    digits = [VALID_PNR, SLIPPED_PNR, VALID_PNR.replace("-", ""), SLIPPED_PNR.replace("-", "")]
    for lang in ("sv", "en"):
        text = report_text(db, tmp, lang)
        assert not any(d in text for d in digits)
    assert "Pat ÅÅMMDD-XXXX nämndes" in report_text(db, tmp, "sv")
    # --lang sv: the mask follows the language, and the default language is English (#11)
    masked = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "jsonl", "--all", "--lang", "sv"]).stdout
    assert not any(d in masked for d in digits)
    assert "Pat ÅÅMMDD-XXXX nämndes" in masked and "Pat ÅÅÅÅMMDD-XXXX, KOL" in masked
    unmasked = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "jsonl", "--all", "--unmasked"])
    assert f"Pat {SLIPPED_PNR} nämndes" in unmasked.stdout and f"Pat {VALID_PNR}, KOL" in unmasked.stdout


def test_wrong_check_digit_is_a_warning_and_a_valid_number_an_error_at_import(returns) -> None:
    slipped, valid = read_form(returns["asa1"]), read_form(returns["asa-half"])
    well = D.role_fields("feedback")[0].name
    assert [(p.code, p.severity, p.field) for p in slipped.problems if p.code.startswith("personal")] == [
        ("personal_id_number_suspect", "warning", well)
    ]
    assert [(p.code, p.severity, p.field) for p in valid.problems if p.code.startswith("personal")] == [
        ("personal_id_number", "error", "clinical_context")
    ]
    assert not any(SLIPPED_PNR in p.message.en or SLIPPED_PNR in p.message.sv for p in slipped.problems)


def test_each_engine_path_reads_to_the_status_the_store_keeps(returns) -> None:
    assert {name: read_form(returns[name]).status for name in STATUS} == STATUS
    assert read_form(returns["asa1"]).status == "awaiting_action_plan"
    assert read_form(returns["bo"]).status == "awaiting_action_plan"


@pytest.fixture(scope="module")
def records(returns):
    return {name: read_form(path) for name, path in returns.items()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(NAMES))
def test_any_order_of_arrival_gives_the_same_assessments_and_latest_revisions(records, order) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.sqlite"
        with Store(db) as store:
            for name in order:
                assert store.add(records[name]).new
            latest = {Path(r.source.path).stem for r in store.records()}
        assert grouped(db) == ASSESSMENTS
    assert latest == set(STATUS)


# --------------------------------------------------------------------------- migration


def test_a_version_1_store_migrates_without_losing_any_file(tmp_path: Path) -> None:
    """A store made by minicex at schema 1 (see tests/resources/README.md) from these same returns."""
    db = tmp_path / "v1.sqlite"
    shutil.copyfile(RESOURCES / "store-v1.sqlite", db)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
        before = sorted(r[0] for r in con.execute("SELECT sha256 FROM forms"))
        problems = con.execute("SELECT count(*) FROM problems").fetchone()[0]
        # what schema 1 made of them: the walk-in and its plan as two forms, the untouched copy counted
        assert con.execute("SELECT count(DISTINCT form_key) FROM forms").fetchone()[0] != 7
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.integrity_ok()
        assert store.counts() == {"files": 9, "forms": 7, "unreadable": 0}
        assert store.status_counts() == {"complete": 4, "awaiting_action_plan": 1, "incomplete": 1, "empty": 1}
        assert {Path(r.source.path).stem: r.status for r in store.records()} == STATUS
    with sqlite3.connect(db) as con:
        assert sorted(r[0] for r in con.execute("SELECT sha256 FROM forms")) == before
        assert con.execute("SELECT count(*) FROM problems").fetchone()[0] == problems
    assert grouped(db) == ASSESSMENTS
    with Store(db) as store:  # opening again changes nothing
        assert store.counts() == {"files": 9, "forms": 7, "unreadable": 0}
    assert os.path.getsize(db) > 0
