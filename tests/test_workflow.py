"""The admin's workflow end to end, on real PDFs: one pre-filled form per trainee,
used for several assessments and filled in PDFium, imported, read back.

Exercises what a trainee really does with a pre-filled form: saves a copy for
each assessment (every copy carries the same instance id), and later adds the
action plan to one of them (an incremental save over the assessor's filling).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import FormDefinition
from minicex_pdf.form.generator import build_form
from minicex_pdf.storage.store import Store

pytest.importorskip("pypdfium2")
from minicex_pdf.engines.pdfium import fill_pdfium


@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory, definition: FormDefinition) -> Path:
    """A folder of returns from one pre-filled form: two assessments, one of them filled twice."""
    d = definition
    prefilled = build_form(d, values={d.role("trainee").name: "Åsa Öberg"}, instance_id="a1b2c3")
    level = d.role_fields("feedback")  # the fields every assessor writes
    first = {
        d.role("date").name: "2026-02-03",
        d.role("assessor").name: "Karin Lund",
        "level_overall": d.levels[2].code,
        level[0].name: "Tydlig anamnes",
        level[1].name: "Sammanfatta oftare",
    }
    second = {
        **first,
        d.role("date").name: "2026-03-10",
        d.role("assessor").name: "Per Ek",
        "level_overall": d.levels[3].code,
    }
    folder = tmp_path_factory.mktemp("returned")
    a = fill_pdfium(prefilled, first, d)
    (folder / "a.pdf").write_bytes(a)
    (folder / "b.pdf").write_bytes(fill_pdfium(prefilled, second, d))
    # the trainee adds the action plan to the first one later: same assessment, more filling
    (folder / "a-with-plan.PDF").write_bytes(fill_pdfium(a, {d.role("action_plan").name: "Läsa på om KOL"}, d))
    for n, name in enumerate(("a.pdf", "b.pdf", "a-with-plan.PDF")):  # saved in this order
        os.utime(folder / name, (1_790_000_000 + n, 1_790_000_000 + n))
    return folder


def test_reused_prefilled_form_gives_one_record_per_assessment(
    returned: Path, tmp_path: Path, definition: FormDefinition
) -> None:
    db = tmp_path / "m.sqlite"
    result = CliRunner().invoke(cli, ["import", str(returned), "--db", str(db), "--jobs", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    d = definition
    with Store(db) as store:
        records = list(store.records())
        assert store.counts() == {"files": 3, "forms": 2, "unreadable": 0}
        assert len(store.revisions("a1b2c3")) == 3
    assert [r.values[d.role("date").name] for r in records] == [dt.date(2026, 2, 3), dt.date(2026, 3, 10)]
    assert [r.values[d.role("assessor").name] for r in records] == ["Karin Lund", "Per Ek"]
    assert [r.values["level_overall"] for r in records] == [d.levels[2].code, d.levels[3].code]
    assert records[0].values[d.role("action_plan").name] == "Läsa på om KOL"
    assert records[1].values[d.role("action_plan").name] is None
    assert {r.values[d.role("trainee").name] for r in records} == {"Åsa Öberg"}
    assert {r.source.instance_id for r in records} == {"a1b2c3"}
