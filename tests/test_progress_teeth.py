"""A trainee's progress written out in full, by hand: every count, level, sub-goal and form listed.

The records span a year end (November to February), hold unticked boxes,
incomplete and empty forms, an undated form and one with the assessor's name
typed in another case; the expectations are literal values, not the code's output.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import itertools

from minicex_pdf.form.definition import Text, load_definition
from minicex_pdf.reading.record import Record, SignatureCheck, Source, SubGoal
from minicex_pdf.report.progress import (
    AreaProgress,
    CohortLine,
    Feedback,
    FormRef,
    Observation,
    ProgressBuilder,
    TraineeProgress,
    _months,
    cohort,
    name_key,
)

DEF = load_definition()
LABEL = {a.code: a.label for a in DEF.areas}
D = _dt.date


def rec(path: str, status: str = "complete", subgoals: tuple[SubGoal, ...] = (), **values: object) -> Record:
    return Record(Source(path, path * 4, 1, "minicex-st", 1, None), dict(values), subgoals, (), status)  # type: ignore[arg-type]


def asa_records() -> list[Record]:
    common = {"trainee_name": "Åsa Öberg", "specialty": "allmänmedicin", "supervisor_name": "Per Lind"}
    return [
        rec(
            "nov.pdf",
            date=D(2026, 11, 20),
            assessor_name="Karin Berg",
            assessor_role="other",
            setting="outpatient",
            complexity="simple",
            complicated=False,  # an unticked box
            level_history="2",
            level_examination="not_observed",
            level_overall="2",
            went_well=" Bra anamnes. ",
            next_time="Sammanfatta.",
            action_plan="Öva.",
            subgoals_text="STa1",
            regulation="hslf2021",
            subgoals=(SubGoal("STa1", "hslf2021"), SubGoal("STc2", "hslf2021")),
            **common,
        ),
        rec(
            "jan.pdf",
            "awaiting_action_plan",
            date=D(2027, 1, 8),
            assessor_name="KARIN  berg",
            assessor_role=None,
            setting="emergency",
            complexity="complex",
            complicated=True,
            level_history="4",
            level_overall="3",
            went_well="Lugn.",
            next_time="Status.",
            action_plan=None,
            regulation=None,
            subgoals=(SubGoal("STa1", "hslf2021"), SubGoal("a2", "sosfs2015")),
            **common,
        ),
        rec(
            "feb.pdf",
            date=D(2027, 2, 2),
            assessor_name="Per Lind",  # the supervisor, no role ticked: by the supervisor
            setting="emergency",
            level_overall="1",
            went_well="Snabb.",
            next_time="Lyssna.",
            action_plan="Lyssna mer.",
            **common,
        ),
        rec(
            "undated.pdf",
            assessor_name="Bo Ek",
            assessor_role="supervisor",
            level_overall="3",
            went_well="Ok.",
            next_time="Mer.",
            action_plan="Plan.",
            **common,
        ),
        rec(
            "incomplete.pdf",
            "incomplete",
            date=D(2027, 3, 1),
            assessor_name="Eva Al",
            level_overall="4",
            regulation="sosfs2015",
            **common,
        ),
        rec("empty.pdf", "empty", **common),
    ]


def expected_asa() -> TraineeProgress:
    nov, jan, feb = D(2026, 11, 20), D(2027, 1, 8), D(2027, 2, 2)

    def area(code: str, levels: list[str | None], observed: int) -> AreaProgress:
        who = ["Karin Berg", "KARIN  berg", "Per Lind", "Bo Ek"]
        return AreaProgress(
            code,
            LABEL[code],
            tuple(Observation(d, lv, a) for d, lv, a in zip([nov, jan, feb, None], levels, who, strict=True)),
            observed,
        )

    return TraineeProgress(
        name="Åsa Öberg",
        specialty="Allmänmedicin",
        count=4,
        undated=1,
        latest=feb,
        per_month=(("2026-11", 1), ("2026-12", 0), ("2027-01", 1), ("2027-02", 1)),
        assessors=("Karin Berg", "Per Lind", "Bo Ek"),
        by_supervisor=2,
        areas=(
            area("history", ["2", "4", None, None], 2),
            area("examination", ["not_observed", None, None, None], 0),
            area("communication", [None, None, None, None], 0),
            area("organisation", [None, None, None, None], 0),
            area("overall", ["2", "3", "1", "3"], 4),
        ),
        settings=(("emergency", 2), ("inpatient", 0), ("outpatient", 1), ("other", 0)),
        complexity=(("simple", 1), ("complex", 1)),
        complicated=1,
        regulation="sosfs2015",  # the latest form that names one, even an incomplete one
        subgoals_covered=(
            (SubGoal("STa1", "hslf2021"), 2),
            (SubGoal("STc2", "hslf2021"), 1),
            (SubGoal("a2", "sosfs2015"), 1),
        ),
        subgoals_missing=("a1", "a3", "a4", "a5", "a6", "b1", "b2", "b3", "b4", "b5", *(f"c{i}" for i in range(1, 15))),
        awaiting_action_plan=(FormRef(jan, "KARIN  berg", "jan.pdf"),),
        feedback=(
            Feedback(nov, "Karin Berg", "Bra anamnes.", "Sammanfatta.", "Öva."),
            Feedback(jan, "KARIN  berg", "Lugn.", "Status.", ""),
            Feedback(feb, "Per Lind", "Snabb.", "Lyssna.", "Lyssna mer."),
            Feedback(None, "Bo Ek", "Ok.", "Mer.", "Plan."),
        ),
        notes=(),
        incomplete=(FormRef(D(2027, 3, 1), "Eva Al", "incomplete.pdf"),),
        empty=(FormRef(None, "", "empty.pdf"),),
    )


def test_progress_in_full_in_any_order():
    for order in itertools.permutations(asa_records()):
        assert ProgressBuilder(DEF).build(order) == [expected_asa()]


def test_cohort_line_in_full():
    (p,) = ProgressBuilder(DEF).build(asa_records())
    assert p.not_by_supervisor == 2
    assert cohort([p]) == [CohortLine("Åsa Öberg", "Allmänmedicin", 4, 3, 2, 1, D(2027, 2, 2), incomplete=1, empty=1)]


def test_regulation_from_subgoals_when_none_is_ticked():
    recs = [
        rec(
            "a.pdf",
            trainee_name="Bo",
            specialty="Allmänmedicin",
            date=D(2026, 1, 1),
            level_overall="2",
            subgoals=(SubGoal("STa1", "hslf2021"), SubGoal("STb2", "hslf2021"), SubGoal("a1", "sosfs2015")),
        ),
    ]
    (p,) = ProgressBuilder(DEF).build(recs)
    assert p.regulation == "hslf2021"
    assert p.subgoals_missing == (
        "STa2",
        "STa3",
        "STa4",
        "STa5",
        "STa6",
        "STa7",
        "STb1",
        "STb3",
        "STb4",
        "STc1",
        "STc2",
        "STc3",
        "STc4",
        "STc5",
        "STc6",
        "STc7",
        "STc8",
        "STc9",
        "STc10",
        "STc11",
        "STc12",
        "STc13",
        "STc14",
        "STc15",
    )
    assert p.subgoals_covered == (
        (SubGoal("STa1", "hslf2021"), 1),
        (SubGoal("STb2", "hslf2021"), 1),
        (SubGoal("a1", "sosfs2015"), 1),
    )
    assert p.notes == ()


def test_unknown_specialty_says_its_subgoals_are_unknown():
    recs = [rec("a.pdf", trainee_name="Bo", specialty="  Rymd   medicin ", regulation="hslf2021", level_overall="2")]
    (p,) = ProgressBuilder(DEF).build(recs)
    assert (p.specialty, p.regulation) == ("Rymd medicin", "hslf2021")
    assert p.subgoals_missing == (
        "STa1",
        "STa2",
        "STa3",
        "STa4",
        "STa5",
        "STa6",
        "STa7",
        "STb1",
        "STb2",
        "STb3",
        "STb4",
    )
    assert p.notes == (
        Text(
            sv="Specialitetens egna delmål är okända (specialiteten saknas i delmålslistan).",
            en="The specialty's own sub-goals are unknown (the specialty is not in the sub-goal list).",
        ),
    )
    (none,) = ProgressBuilder(DEF).build([rec("b.pdf", trainee_name="Bo", level_overall="2")])
    assert (none.regulation, none.subgoals_missing, none.notes, none.specialty) == (None, (), (), "")


def test_trainees_told_apart_by_name_and_specialty():
    recs = [
        rec("1.pdf", trainee_name="Bo Ek", specialty="Allmänmedicin", level_overall="2"),
        rec("2.pdf", trainee_name="bo  ek", specialty="", level_overall="2"),
        rec("3.pdf", trainee_name="Bo Ek", specialty="Kirurgi", level_overall="2"),
        rec("4.pdf", trainee_name="Al Ek", specialty="", level_overall="2"),
        rec("5.pdf", trainee_name="Al Ek", specialty="Kirurgi", level_overall="2"),
    ]
    for order in itertools.permutations(recs):
        got = [
            (p.name, p.specialty, [f.assessor for f in p.feedback], p.count, p.notes)
            for p in ProgressBuilder(DEF).build(order)
        ]
        first_bo = next(r for r in order if r.source.path in ("1.pdf", "2.pdf", "3.pdf")).values["trainee_name"]
        several = Text(
            sv="2 ST-läkare med detta namn, åtskilda efter specialitet.",
            en="2 trainees with this name, told apart by specialty.",
        )
        apart = Text(
            sv="Formulär utan specialitet: flera ST-läkare har detta namn, så de visas för sig.",
            en="Forms without a specialty: several trainees have this name, so they are shown apart.",
        )
        assert got == [
            ("Al Ek", "Kirurgi", ["", ""], 2, ()),
            (first_bo, "", [""], 1, (apart, several)),
            (first_bo, "Allmänmedicin", [""], 1, (apart, several)),
            (first_bo, "Kirurgi", [""], 1, (apart, several)),
        ]


def test_by_supervisor_rules():
    def one(**values: object) -> int:
        (p,) = ProgressBuilder(DEF).build([rec("a.pdf", trainee_name="Bo", level_overall="2", **values)])
        return p.by_supervisor

    assert one(assessor_role="supervisor", assessor_name="X", supervisor_name="Y") == 1
    assert one(assessor_role="other", assessor_name="Per Lind", supervisor_name="Per Lind") == 0
    assert one(assessor_name=" per  LIND", supervisor_name="Per Lind") == 1
    assert one(assessor_name="Per Lind", supervisor_name="Eva Al") == 0
    assert one(assessor_name="", supervisor_name="") == 0
    assert one() == 0


def test_months_across_year_ends():
    assert _months([]) == ()
    assert _months([D(2026, 12, 31)]) == (("2026-12", 1),)
    assert _months([D(2027, 1, 1), D(2026, 12, 31), D(2026, 12, 1)]) == (("2026-12", 2), ("2027-01", 1))
    assert _months([D(2025, 11, 5), D(2027, 1, 5)]) == (
        ("2025-11", 1),
        ("2025-12", 0),
        *((f"2026-{m:02d}", 0) for m in range(1, 13)),
        ("2027-01", 1),
    )


def test_name_key():
    assert name_key("  A\u030asa   ÖBERG\n") == "åsa öberg"
    assert name_key(None) == "" and name_key(3) == ""


def test_subgoals_covered_in_the_catalogues_order_specialty_codes_included():
    goals = tuple(SubGoal(c, "hslf2021") for c in ("STc10", "STc2", "STb1", "STa7"))
    (p,) = ProgressBuilder(DEF).build(
        [rec("a.pdf", trainee_name="Bo", specialty="Allmänmedicin", regulation="hslf2021", subgoals=goals)]
    )
    assert [g.code for g, _ in p.subgoals_covered] == ["STa7", "STb1", "STc2", "STc10"]


def test_progress_is_immutable():
    import dataclasses

    import pytest

    (p,) = ProgressBuilder(DEF).build(asa_records())
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.count = 0  # type: ignore[misc]
    for part, name in ((p.feedback[0], "went_well"), (p.areas[0], "code"), (p.awaiting_action_plan[0], "path")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(part, name, "x")
    assert hash(p.areas[0]) == hash(expected_asa().areas[0])


def test_a_cohort_line_counts_no_incomplete_or_empty_form_unless_told():
    line = CohortLine("Bo", "Kirurgi", 2, 1, 1, 0, None)
    assert (line.incomplete, line.empty) == (0, 0)


def test_name_key_is_the_same_for_every_normal_form_even_where_case_folding_decomposes():
    assert name_key("A \u1fe2") == name_key("a \u03c5\u0308\u0300") == "a \u1fe2"


def _signed(path: str, *states: str, status: str = "complete") -> Record:
    """A version-2 record whose assessor's and trainee's signature checks are in ``states`` (none: a v1 form)."""
    checks = tuple(
        SignatureCheck(role, role, state)  # type: ignore[arg-type]
        for role, state in zip(("assessor_signature", "trainee_signature"), states, strict=False)
    )
    base = rec(path, status, trainee_name="Bo Ek", specialty="kirurgi", date=D(2026, 12, 1), assessor_name="Eva")
    return dataclasses.replace(base, signatures=checks)


def test_the_report_counts_forms_the_assessor_signed_and_trusted_and_names_those_changed_after():
    import json

    records = [
        _signed("v1.pdf"),  # version 1: no signature field at all
        _signed("trusted.pdf", "valid_trusted", "unsigned"),
        _signed("trusted-both.pdf", "valid_trusted", "valid_trusted"),
        _signed("untrusted.pdf", "valid_untrusted", "unsigned"),
        _signed("unsigned.pdf", "unsigned", "unsigned"),
        _signed("changed.pdf", "changed", "unsigned"),
        _signed("trainee-broken.pdf", "unsigned", "broken"),
        _signed("only-trainee.pdf", "unsigned", "valid_trusted"),
        # an empty form is no assessment: not signable, yet its changed signature is named
        _signed("empty.pdf", "broken", status=json.loads('"empty"')),
    ]
    (p,) = ProgressBuilder(DEF).build(records)
    assert (p.count, p.signable, p.signed_by_assessor) == (8, 7, 2)
    assert [r.path for r in p.changed_after_signing] == ["changed.pdf", "trainee-broken.pdf", "empty.pdf"]
    assert [r.path for r in p.empty] == ["empty.pdf"]


def test_forms_read_back_from_json_are_listed_by_their_status():
    import json

    # statuses as the store gives them back: strings made at run time, not the code's own literals
    status = {name: json.loads(json.dumps(name)) for name in ("empty", "incomplete", "awaiting_action_plan")}
    records = [
        rec("e.pdf", status["empty"], trainee_name="Bo Ek", specialty="kirurgi", date=D(2026, 12, 1)),
        rec("i.pdf", status["incomplete"], trainee_name="Bo Ek", specialty="kirurgi", date=D(2026, 12, 2)),
        rec("a.pdf", status["awaiting_action_plan"], trainee_name="Bo Ek", specialty="kirurgi", date=D(2026, 12, 3)),
    ]
    (p,) = ProgressBuilder(DEF).build(records)
    assert ([r.path for r in p.empty], [r.path for r in p.incomplete]) == (["e.pdf"], ["i.pdf"])
    assert [r.path for r in p.awaiting_action_plan] == ["a.pdf"]
