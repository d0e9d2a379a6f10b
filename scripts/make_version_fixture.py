"""Make the filled form of a released definition version kept in tests/resources.

The real pipeline: the generator builds the blank of that version, PDFium fills
it like a user, the reader reads it; the PDF and the record it read to are
written side by side. Run once when a version is released (and never again for
it: the point is that the *old* file keeps reading)::

    python scripts/make_version_fixture.py 1
    python scripts/make_version_fixture.py 2
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from pathlib import Path

from minicex_pdf.engines.pdfium import fill_pdfium
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.reading.reader import read_form

OUT = Path(__file__).resolve().parent.parent / "tests" / "resources"
TODAY = _dt.date(2026, 12, 1)

#: Values typed into the form: Swedish letters, line breaks, a sub-goal list, a missing action plan.
VALUES: dict[str, object] = {
    "trainee_name": "Åsa Öberg",
    "specialty": "Allmänmedicin",
    "workplace": "Vårdcentralen Näsby",
    "date": "2026-11-30",
    "assessor_name": "Örjan Ärlig",
    "assessor_position": "Distriktsläkare",
    "assessor_role": "supervisor",
    "assessor_trained": True,
    "complexity": "simple",
    "focus": ("history", "examination"),
    "clinical_context": "Yrsel hos äldre.\nInga patientuppgifter.",
    "setting": "outpatient",
    "observation_minutes": 18,
    "feedback_minutes": 6,
    "regulation": "hslf2021",
    "subgoals": "sta1; STb2, STc1-STc3",
    "level_history": "2",
    "level_examination": "3",
    "level_communication": "not_observed",
    "level_organisation": "1",
    "level_overall": "2",
    "went_well": "Strukturerad anamnes.\nGott bemötande.",
    "next_time": "Tänk på ortostatiskt blodtryck.",
    # fields from version 2 on (left out for older versions)
    "stage": "st",
    "stage_time": "År 3",
    "assessor_email": "orjan.arlig@example.se",
    "patient": "follow_up",
    "feedback_immediate": "yes",
    "assessor_printed_name": "Örjan Ärlig",
    "assessor_signature_date": "2026-11-30",
    "return_to": "Studierektor ST, Region Exempel",
}


def main(version: int) -> None:
    definition = load_definition(version)
    values = {k: v for k, v in VALUES.items() if k in {f.name for f in definition.fields}}
    pdf = fill_pdfium(build_form(definition, instance_id=f"fixture-v{version}"), values, definition)
    path = OUT / f"minicex-{version}-filled.pdf"
    path.write_bytes(pdf)
    record = read_form(path, today=TODAY, definition_for={version: definition})
    data = {"today": TODAY.isoformat(), "values_typed": _jsonable(values), "record": record.to_dict()}
    data["record"]["source"]["path"] = path.name
    (OUT / f"minicex-{version}-filled.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {path.name} ({len(pdf)} bytes) and its record: {record.status}")


def _jsonable(values: dict[str, object]) -> dict[str, object]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
