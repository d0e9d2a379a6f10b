"""Progress per trainee from records: counts, assessors, levels in date order (never averaged), sub-goals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random

import pytest

from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.subgoals import catalogue
from minicex_pdf.reading.record import Record, Source, SubGoal
from minicex_pdf.report.progress import ProgressBuilder, Roles, cohort

D = load_definition()
R = Roles.of(D)
LEVELS = [lv.code for lv in D.levels]  # rank order: not observed, 1, 2, 3, 4
LEVEL_FIELDS = list(D.level_fields())
HSLF = D.regulations[0].code
OTHER_ROLE = next(o.code for o in R.role.options if o.code != R.role_supervisor)
SPECIALTY = catalogue(D).specialties(HSLF)[2]


def record(
    name="Åsa Öberg",
    date=None,
    assessor="Dr A",
    role=None,
    supervisor="Dr S",
    specialty=SPECIALTY,
    levels=(),
    subgoals=(),
    status="complete",
    **extra,
):
    values = {
        R.trainee.name: name,
        R.date.name: date,
        R.assessor.name: assessor,
        R.role.name: role,
        R.supervisor.name: supervisor,
        R.specialty.name: specialty,
        R.regulation.name: HSLF if subgoals else None,
        R.went_well.name: f"well {date}",
        R.next_time.name: f"next {date}",
        R.action_plan.name: None if status == "awaiting_action_plan" else f"plan {date}",
    }
    values.update({f.name: lv for f, lv in zip(LEVEL_FIELDS, levels, strict=False)})
    values.update(extra)
    digest = hashlib.sha256(repr((name, date, assessor, specialty, levels)).encode()).hexdigest()
    source = Source(f"{name}-{date}.pdf", digest, 1, D.id, D.version, None)
    return Record(source, values, tuple(SubGoal(c, HSLF) for c in subgoals), (), status)


@pytest.fixture(scope="module")
def asa():
    lv = LEVELS
    recs = [
        record(date=dt.date(2026, 1, 10), assessor="Dr A", role=OTHER_ROLE, levels=(lv[1], lv[0], lv[2], None, lv[1])),
        record(
            date=dt.date(2026, 1, 28), assessor="dr  a", role=OTHER_ROLE, levels=(lv[4], lv[1], lv[2], lv[3], lv[3])
        ),
        record(date=dt.date(2026, 3, 2), assessor="Dr S", role=None, levels=(lv[2], lv[0], lv[0], lv[0], lv[2])),
        record(
            date=dt.date(2026, 4, 1),
            assessor="Dr B",
            role=R.role_supervisor,
            levels=(lv[3],),
            subgoals=("STa1", "STb1"),
            status="awaiting_action_plan",
            **{R.setting.name: R.setting.options[0].code, R.complexity.name: R.complexity.options[1].code},
        ),
        record(date=None, assessor="Dr C", subgoals=("STa1",), **{R.setting.name: R.setting.options[0].code}),
    ]
    shuffled = recs[:]
    random.Random(5).shuffle(shuffled)
    (progress,) = ProgressBuilder(D).build(shuffled)
    return recs, progress


def test_counts_by_month_with_empty_months(asa):
    _, p = asa
    assert p.count == 5 and p.undated == 1
    assert p.per_month == (("2026-01", 2), ("2026-02", 0), ("2026-03", 1), ("2026-04", 1))
    assert p.latest == dt.date(2026, 4, 1)


def test_distinct_assessors_and_share_not_by_the_personal_supervisor(asa):
    _, p = asa
    assert p.assessors == ("Dr A", "Dr S", "Dr B", "Dr C")  # "dr  a" is Dr A
    # Dr S: role blank but equal to the supervisor's name; Dr B: role supervisor
    assert p.by_supervisor == 2 and p.not_by_supervisor == 3


def test_levels_per_area_in_date_order_and_how_often_observed(asa):
    recs, p = asa
    for f, area in zip(LEVEL_FIELDS, p.areas, strict=True):
        assert area.area == f.area and area.label == D.area(f.area).label
        # date order, undated last: exactly each form's own level code
        assert area.levels == tuple(r.values.get(f.name) for r in recs)
        ranked = [D.level(c).rank for c in area.levels if c]
        assert area.observed == sum(1 for rank in ranked if rank > 0)
    assert [a.observed for a in p.areas] == [4, 1, 2, 1, 3]


def test_settings_complexity_subgoals_and_forms_awaiting_the_action_plan(asa):
    _, p = asa
    assert dict(p.settings)[R.setting.options[0].code] == 2
    assert [c for c, _ in p.settings] == [o.code for o in R.setting.options]
    assert dict(p.complexity) == {R.complexity.options[0].code: 0, R.complexity.options[1].code: 1}
    assert p.regulation == HSLF
    assert [(g.code, n) for g, n in p.subgoals_covered] == [("STa1", 2), ("STb1", 1)]
    expected = [c for c in catalogue(D).codes(HSLF, SPECIALTY) if c not in ("STa1", "STb1")]
    assert list(p.subgoals_missing) == expected and len(expected) > 10
    assert [(f.date, f.assessor) for f in p.awaiting_action_plan] == [(dt.date(2026, 4, 1), "Dr B")]
    assert [f.went_well for f in p.feedback] == [
        f"well {r}" for r in ("2026-01-10", "2026-01-28", "2026-03-02", "2026-04-01", None)
    ]


def test_no_level_is_ever_averaged(asa):
    recs, p = asa
    # levels 1 and 4, 2 and 3 ... would average to values no form holds; only observed codes may appear
    seen = {r.values.get(f.name) for r in recs for f in LEVEL_FIELDS}
    for area in p.areas:
        assert set(area.levels) <= seen
    text = repr(p).casefold()
    for word in ("mean", "average", "median", "medel", "genomsnitt", "2.5", "1.5", "3.5"):
        assert word not in text
    fields = {f.name for f in dataclasses.fields(p)} | {f.name for f in dataclasses.fields(p.areas[0])}
    assert not any(w in n for n in fields for w in ("mean", "avg", "average", "median"))


def test_equal_names_in_two_specialties_are_two_trainees_and_blank_specialty_joins_only_if_unambiguous():
    other = catalogue(D).specialties(HSLF)[5]
    b = ProgressBuilder(D)
    recs = [
        record(name="Eva Lind", date=dt.date(2026, 2, 1), specialty=SPECIALTY),
        record(name="eva  lind", date=dt.date(2026, 2, 2), specialty=other.upper()),
        record(name="Eva Lind", date=dt.date(2026, 2, 3), specialty=""),
        record(name="Bo Berg", date=dt.date(2026, 2, 4), specialty=""),
        record(name="Bo Berg", date=dt.date(2026, 2, 5), specialty=SPECIALTY),
    ]
    progress = b.build(recs)
    got = [(p.name, p.specialty, p.count) for p in progress]
    assert got == [("Bo Berg", SPECIALTY, 2), ("Eva Lind", "", 1), ("Eva Lind", SPECIALTY, 1), ("Eva Lind", other, 1)]
    assert all(p.notes for p in progress if p.name == "Eva Lind")
    lines = cohort(progress)
    assert (lines[0].name, lines[0].count, lines[0].latest) == ("Bo Berg", 2, dt.date(2026, 2, 5))
    assert len(lines) == len(progress)
