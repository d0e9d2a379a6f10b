"""Forms filled in PDFium as people fill them, read back to exact values, problems and status.

The ordinary cases the rules branch on: boxes left unticked, an incomplete form,
a date across the year end, padded text, minutes written in words, a level
"can supervise others", a focus area left unrated.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.reading.reader import read_form

pytest.importorskip("pypdfium2")
from minicex_pdf.engines.pdfium import fill_pdfium

DEF = load_definition(1)  # the values and problems below are version 1's
NEW_YEARS_EVE = _dt.date(2026, 12, 31)

#: What the assessor typed and ticked (boxes not named here are left unticked).
INCOMPLETE = {
    "trainee_name": "  Åsa Öberg ",
    "specialty": "Allmänmedicin",
    "date": "2027-01-01",  # tomorrow, seen from new year's eve
    "assessor_name": "Karin Berg",
    "assessor_role": "other",
    "focus": ("history", "examination"),
    "clinical_context": "Yrsel.  \n\n",
    "observation_minutes": "ca 15 min",
    "feedback_minutes": "en kvart",
    "regulation": "hslf2021",
    "subgoals": "sta1, STd9",
    "level_history": "2",
    "level_overall": "4",
    "went_well": "Bra anamnes.  \nLugn.\n",
}


def expected_values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {f.name: None for f in DEF.fields}
    values.update(
        trainee_name="Åsa Öberg",
        specialty="Allmänmedicin",
        date=_dt.date(2027, 1, 1),
        assessor_name="Karin Berg",
        assessor_role="other",
        assessor_trained=False,
        complicated=False,
        focus=("history", "examination"),
        clinical_context="Yrsel.",
        observation_minutes=15,
        feedback_minutes=None,
        regulation="hslf2021",
        subgoals="sta1, STd9",
        level_history="2",
        level_overall="4",
        went_well="Bra anamnes.\nLugn.",
    )
    values.update(changes)
    return values


@pytest.fixture(scope="module")
def incomplete() -> bytes:
    return fill_pdfium(build_form(DEF, instance_id="teeth-1"), INCOMPLETE, DEF)


def test_an_incomplete_form_across_the_year_end(incomplete):
    record = read_form("x.pdf", data=incomplete, today=NEW_YEARS_EVE)
    assert record.values == expected_values()
    assert record.raw == {"feedback_minutes": "en kvart"}
    assert [(p.code, p.severity, p.field) for p in record.problems] == [
        ("date_future", "warning", "date"),
        ("integer_unreadable", "warning", "feedback_minutes"),
        ("subgoal_unknown", "warning", "subgoals"),
        ("focus_not_rated", "warning", "level_examination"),
        ("level_needs_confirmation", "warning", "level_overall"),
        ("feedback_missing", "error", "next_time"),
        ("action_plan_missing", "info", "action_plan"),
    ]
    assert [(g.code, g.regulation) for g in record.subgoals] == [("STa1", "hslf2021")]
    assert record.status == "incomplete"
    assert (record.source.instance_id, record.source.form_version) == ("teeth-1", 1)


def test_the_same_form_read_a_day_later_is_not_in_the_future(incomplete):
    record = read_form("x.pdf", data=incomplete, today=_dt.date(2027, 1, 1))
    assert "date_future" not in {p.code for p in record.problems}
    assert len(record.problems) == 6


def test_completed_by_the_trainee_it_awaits_nothing(incomplete):
    done = fill_pdfium(
        incomplete,
        {
            "next_time": "Sammanfatta.",
            "action_plan": "Öva sammanfattning.",
            "feedback_minutes": "5",
            "subgoals": "STa1",
        },
        DEF,
    )
    record = read_form("y.pdf", data=done, today=_dt.date(2027, 1, 2))
    assert record.values == expected_values(
        next_time="Sammanfatta.", action_plan="Öva sammanfattning.", feedback_minutes=5, subgoals="STa1"
    )
    assert [(p.code, p.field) for p in record.problems] == [
        ("focus_not_rated", "level_examination"),
        ("level_needs_confirmation", "level_overall"),
    ]
    assert record.status == "complete"
    assert record.raw == {}


def test_awaiting_only_the_action_plan(incomplete):
    done = fill_pdfium(incomplete, {"next_time": "Sammanfatta.", "feedback_minutes": "5"}, DEF)
    record = read_form("z.pdf", data=done, today=_dt.date(2027, 1, 2))
    assert [(p.code, p.field) for p in record.problems] == [
        ("subgoal_unknown", "subgoals"),
        ("focus_not_rated", "level_examination"),
        ("level_needs_confirmation", "level_overall"),
        ("action_plan_missing", "action_plan"),
    ]
    assert record.status == "awaiting_action_plan"


def test_ticked_then_unticked_boxes_read_unticked(incomplete):
    ticked = fill_pdfium(incomplete, {"assessor_trained": True, "complicated": True, "focus": ("history",)}, DEF)
    assert read_form("t.pdf", data=ticked).values["assessor_trained"] is True
    unticked = fill_pdfium(ticked, {"assessor_trained": False, "complicated": False, "focus": ()}, DEF)
    values = read_form("u.pdf", data=unticked, today=_dt.date(2027, 1, 2)).values
    assert (values["assessor_trained"], values["complicated"], values["focus"]) == (False, False, ())


def test_an_untouched_blank_is_empty():
    record = read_form("blank.pdf", data=build_form(DEF), today=NEW_YEARS_EVE)
    assert record.status == "empty"
    assert record.values == {
        **{f.name: None for f in DEF.fields},
        "assessor_trained": False,
        "complicated": False,
        "focus": (),
    }
