"""Teeth for ``minicex status`` (:mod:`minicex_pdf.admin.status`): form-only trainees, voided forms, the supervisor rule.

Walk-in blanks (no roster) are generated, filled in PDFium and imported with ``minicex import``:
what the admin sees comes from the forms alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_admin_workflow import invoke, line
from test_progress import SPECIALTY, record

from minicex_pdf.admin.status import StatusBuilder, TraineeStatus, status_rows
from minicex_pdf.cli import cli
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.storage.filters import Filter
from minicex_pdf.storage.store import Store

pytest.importorskip("pypdfium2")
from minicex_pdf.engines.pdfium import fill_pdfium

D = load_definition()
ROLE = D.role("assessor_role")
OTHER = next(o.code for o in ROLE.options if o.code != D.personal_supervisor)
FEEDBACK = [f.name for f in D.role_fields("feedback")]


def trainee(name: str, specialty: str, workplace: str, supervisor: str) -> dict[str, object]:
    return {
        D.role("trainee").name: name,
        D.role("specialty").name: specialty,
        "workplace": workplace,
        D.role("supervisor").name: supervisor,
    }


def assessed(date: str, assessor: str, role: str) -> dict[str, object]:
    return {
        D.role("date").name: date,
        D.role("assessor").name: assessor,
        ROLE.name: role,
        "level_overall": "2",
        FEEDBACK[0]: "Tydlig anamnes",
        FEEDBACK[1]: "Sammanfatta oftare",
        D.role("action_plan").name: "Läsa på",
    }


ASA = trainee("Åsa Öberg", "Allmänmedicin", "VC Väster", "Per Ek")
KARL = trainee("Karl Lind", "Kirurgi", "Kir klin", "Eva Al")
#: Walk-in blanks filled in PDFium, imported in this order (ids 1..3).
FORMS = [
    {**ASA, **assessed("2026-02-03", "Per Ek", D.personal_supervisor)},  # complete, by the supervisor
    {**KARL, **assessed("2026-02-10", "Karin Holm", OTHER)},  # complete, by someone else
    # incomplete, at the department he moved to: the status line keeps the first form's workplace
    {**KARL, "workplace": "Ort klin", D.role("date").name: "2026-03-20", D.role("assessor").name: "Eva Al"},
]


@pytest.fixture(scope="module")
def walk_ins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("walk-ins")
    folder = root / "returned"
    folder.mkdir()
    blank = build_form(D)
    for n, values in enumerate(FORMS, start=1):
        target = folder / f"form-{n}.pdf"
        target.write_bytes(fill_pdfium(blank, values, D))
        os.utime(target, (1_790_000_000 + n, 1_790_000_000 + n))  # imported in this order
    db = root / "store.sqlite"
    result = CliRunner().invoke(cli, ["import", str(folder), "--db", str(db), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    return {"db": db, "returned": folder}


@pytest.fixture
def db(walk_ins: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the walk-ins' store for a test that changes it."""
    copy = tmp_path / "store.sqlite"
    shutil.copyfile(walk_ins["db"], copy)
    return copy


def status_json(db: Path, *args: str) -> list[dict[str, object]]:
    code, out, err = invoke("status", "--db", str(db), "--format", "json", "--lang", "en", *args)
    assert code == 0, err
    return json.loads(out)


def chase_json(db: Path, *args: str) -> list[dict[str, object]]:
    code, out, err = invoke("status", "--db", str(db), "--chase", "--format", "json", "--lang", "en", *args)
    assert code == 0, err
    return json.loads(out)


ASA_LINE = line("Åsa Öberg", "Allmänmedicin", "VC Väster", "Per Ek", 1, 0, 0, 0, 1, 0, "2026-02-03")
KARL_LINE = line("Karl Lind", "Kirurgi", "Kir klin", "Eva Al", 1, 0, 1, 0, 1, 1, "2026-02-10")


def test_trainees_without_a_roster_show_the_workplace_and_supervisor_of_their_forms(
    walk_ins: dict[str, Path],
) -> None:
    assert status_json(walk_ins["db"]) == [KARL_LINE, ASA_LINE]
    code, out, _ = invoke("status", "--db", str(walk_ins["db"]), "--format", "csv", "--lang", "en")
    assert (code, out.splitlines()) == (
        0,
        [
            "\ufeffTrainee;Specialty;Workplace;Supervisor;Assessments;Awaiting plan;Incomplete;Empty;Assessors;"
            "Not supervisor;Latest;Not returned",
            "Karl Lind;Kirurgi;Kir klin;Eva Al;1;0;1;0;1;1;2026-02-10;0",
            "Åsa Öberg;Allmänmedicin;VC Väster;Per Ek;1;0;0;0;1;0;2026-02-03;0",
        ],
    )


def test_the_workplace_filter_finds_trainees_by_the_workplace_on_any_of_their_forms(walk_ins: dict[str, Path]) -> None:
    assert status_json(walk_ins["db"], "--workplace", "väster") == [ASA_LINE]
    assert status_json(walk_ins["db"], "--workplace", "kir klin") == [KARL_LINE]
    assert status_json(walk_ins["db"], "--workplace", "ort klin") == [KARL_LINE]  # any of his forms


def test_a_voided_form_is_neither_counted_nor_chased_until_restored(db: Path, walk_ins: dict[str, Path]) -> None:
    incomplete = {
        "id": 3,
        "trainee": "Karl Lind",
        "assessor": "Eva Al",
        "date": "2026-03-20",
        "file": str(walk_ins["returned"] / "form-3.pdf"),
        "status": "incomplete",
    }
    assert [{k: v for k, v in c.items() if k != "missing"} for c in chase_json(db)] == [incomplete]
    assert invoke("void", "3", "--db", str(db), "--reason", "a copy")[0] == 0
    assert chase_json(db) == []
    assert status_json(db) == [{**KARL_LINE, "incomplete": 0}, ASA_LINE]
    assert invoke("void", "2", "--db", str(db), "--reason", "wrong trainee")[0] == 0
    assert status_json(db) == [ASA_LINE]  # known only from voided forms: not a trainee any more
    assert invoke("restore", "3", "--db", str(db))[0] == 0
    assert [c["id"] for c in chase_json(db)] == [3]


def test_chase_lines_are_values_a_caller_cannot_change(walk_ins: dict[str, Path]) -> None:
    with Store(walk_ins["db"], readonly=True) as store:
        builder = StatusBuilder(store, D)
        first, again = builder.chase(), builder.chase()
    assert len(first) == 1 and set(first) == set(again)  # hashable, equal by value
    with pytest.raises(dataclasses.FrozenInstanceError):
        first[0].status = "complete"  # type: ignore[misc]


def test_without_a_role_the_form_is_by_the_supervisor_only_when_the_assessor_is_the_supervisor(
    tmp_path: Path,
) -> None:
    """Stored records without the role: the assessor's name decides (the same name, written another way)."""
    path = tmp_path / "roles.sqlite"
    with Store(path) as store:
        for day, assessor, supervisor in [
            (2, "per  EK", "Per Ek"),  # the supervisor, written another way
            (3, "Anna Berg", "Per Ek"),  # sorts before the supervisor
            (4, "Örjan Wik", "Per Ek"),  # sorts after the supervisor
            (5, "", ""),  # nobody named: not the supervisor
        ]:
            store.add(record(date=dt.date(2026, 3, day), assessor=assessor, supervisor=supervisor, role=None))
        store.add(record(name="Bo Ek", date=dt.date(2026, 3, 6), assessor="Bo Al", supervisor="Bo Al", role=None))
        builder = StatusBuilder(store, D)
        lines = status_rows(builder.trainees())
    assert lines == [
        {**line("Bo Ek", SPECIALTY, "", "Bo Al", 1, 0, 0, 0, 1, 0), "latest": dt.date(2026, 3, 6)},
        {**line("Åsa Öberg", SPECIALTY, "", "Per Ek", 4, 0, 0, 0, 3, 3), "latest": dt.date(2026, 3, 5)},
    ]


def test_a_new_trainee_line_counts_nothing() -> None:
    """A line made for a trainee (as the builder makes one before counting) holds zero of everything."""
    assert status_rows([TraineeStatus("Åsa Öberg", "Kirurgi")]) == [line("Åsa Öberg", "Kirurgi", "", "")]
    assert TraineeStatus("Åsa Öberg", "Kirurgi").nothing_returned


def test_dates_bound_the_counts_of_trainees_without_a_roster(walk_ins: dict[str, Path]) -> None:
    with Store(walk_ins["db"], readonly=True) as store:
        lines = status_rows(StatusBuilder(store, D).trainees(Filter(since=dt.date(2026, 2, 11))))
    karl = {**KARL_LINE, "assessments": 0, "assessors": 0, "not_by_supervisor": 0, "latest": None}
    asa = {**ASA_LINE, "assessments": 0, "assessors": 0, "latest": None}
    assert lines == [karl, asa]
