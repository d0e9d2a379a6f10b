"""The reader's rules with exact expectations: each problem a form can have, and only those.

Every test states the whole problem set (field and code), written out by hand from
the instrument: a rule that fires where it should not fails a test as surely as one
that stays silent. Values are typed as the reader gives them (``Record.values``).
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter

import pytest

from minicex_pdf.form.definition import FormDefinition, Text, load_definition
from minicex_pdf.reading.record import Problem, SubGoal
from minicex_pdf.reading.validate import (
    check,
    is_blank,
    is_empty_form,
    parse_date,
    parse_minutes,
    problem,
    status_of,
)

TODAY = _dt.date(2026, 12, 31)


@pytest.fixture(scope="module")
def definition() -> FormDefinition:
    """Version 1: the problem sets below are written by hand from its fields (version 2 adds rules of its own)."""
    return load_definition(1)


def complete_values() -> dict[str, object]:
    """A realistic, complete assessment without a single problem (action plan written, focus rated)."""
    return {
        "trainee_name": "Åsa Öberg",
        "specialty": "Allmänmedicin",
        "workplace": "Vårdcentralen Ljusdal",
        "supervisor_name": "Per Lind",
        "date": _dt.date(2026, 12, 30),
        "assessor_name": "Karin Berg",
        "assessor_position": "Specialist i allmänmedicin",
        "assessor_role": "other",
        "assessor_trained": True,
        "complexity": "complex",
        "complicated": False,
        "complicated_what": None,
        "focus": ("history", "communication"),
        "clinical_context": "Äldre man med yrsel.\nTidigare frisk.",
        "setting": "outpatient",
        "observation_minutes": 15,
        "feedback_minutes": 5,
        "regulation": "hslf2021",
        "subgoals": "STa1, STc4",
        "level_history": "3",
        "level_examination": None,
        "level_communication": "2",
        "level_organisation": None,
        "level_overall": "3",
        "went_well": "Bra anamnes.",
        "next_time": "Sammanfatta för patienten.",
        "action_plan": "Öva sammanfattning.",
        "assessor_signature": "Karin Berg",
        "assessor_signature_date": _dt.date(2026, 12, 30),
        "trainee_signature": None,
        "trainee_signature_date": None,
    }


def found(problems: list[Problem]) -> Counter[tuple[str, str | None]]:
    """The problems as a multiset of (code, field): order-free, but every duplicate counts."""
    return Counter((p.code, p.field) for p in problems)


def run(definition, changes: dict[str, object], **kwargs) -> Counter[tuple[str, str | None]]:
    values = complete_values()
    values.update(changes)
    return found(check(definition, values, today=TODAY, **kwargs))


def test_a_complete_form_has_no_problem(definition):
    assert run(definition, {}) == Counter()
    assert status_of(check(definition, complete_values(), today=TODAY)) == "complete"


def test_an_empty_form_lists_each_required_field_once(definition):
    values = {f.name: None for f in definition.fields}
    values["focus"] = ()
    values["assessor_trained"] = values["complicated"] = False
    assert found(check(definition, values, today=TODAY)) == Counter(
        {
            ("required_missing", "trainee_name"): 1,
            ("required_missing", "date"): 1,
            ("required_missing", "assessor_name"): 1,
            ("required_missing", "assessor_role"): 1,
            ("required_missing", "level_overall"): 1,
            ("feedback_missing", "went_well"): 1,
            ("feedback_missing", "next_time"): 1,
            ("action_plan_missing", "action_plan"): 1,
        }
    )
    assert is_empty_form(definition, values)


@pytest.mark.parametrize("blank", [None, "", (), [], False])
def test_each_kind_of_blank_is_missing(definition, blank):
    assert run(definition, {"assessor_name": blank, "went_well": blank}) == Counter(
        {("required_missing", "assessor_name"): 1, ("feedback_missing", "went_well"): 1}
    )


@pytest.mark.parametrize("value", [0, "0", " ", ("x",), True, _dt.date(2026, 1, 1)])
def test_values_that_are_not_blank(value):
    assert not is_blank(value)


@pytest.mark.parametrize("value", [None, "", (), [], False])
def test_values_that_are_blank(value):
    assert is_blank(value)


def test_an_unreadable_required_value_is_not_also_missing(definition):
    assert run(definition, {"date": None}, unreadable=["date"]) == Counter()
    assert run(definition, {"date": None}, unreadable=["assessor_name"]) == Counter({("required_missing", "date"): 1})


def test_only_the_missing_action_plan(definition):
    problems = check(definition, {**complete_values(), "action_plan": None}, today=TODAY)
    assert found(problems) == Counter({("action_plan_missing", "action_plan"): 1})
    assert status_of(problems) == "awaiting_action_plan"


def test_an_incomplete_form_is_incomplete_even_without_an_action_plan(definition):
    problems = check(definition, {**complete_values(), "action_plan": "", "next_time": None}, today=TODAY)
    assert found(problems) == Counter({("action_plan_missing", "action_plan"): 1, ("feedback_missing", "next_time"): 1})
    assert status_of(problems) == "incomplete"
    assert status_of(problems, empty=True) == "empty"


def test_status_of_severities(definition):
    fld = definition.field("trainee_name")
    info = problem("integer_outside_norm", definition.field("feedback_minutes"), value=30, low=1, high=10)
    warning = problem("date_future", fld)
    error = problem("required_missing", fld)
    plan = problem("action_plan_missing", definition.field("action_plan"))
    assert status_of([info, warning]) == "complete"
    assert status_of([error]) == "incomplete"
    assert status_of([warning, plan]) == "awaiting_action_plan"
    assert status_of([plan, error]) == "incomplete"
    assert status_of(iter([plan])) == "awaiting_action_plan"  # any iterable, read once
    assert status_of([], empty=True) == "empty"
    assert status_of([]) == "complete"


# --------------------------------------------------------------------------- dates across the year end


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (_dt.date(2026, 12, 31), Counter()),  # today is not the future
        (_dt.date(2027, 1, 1), Counter({("date_future", "date"): 1})),  # tomorrow, across the year end
        (_dt.date(2025, 12, 31), Counter()),
    ],
)
def test_date_in_the_future_across_the_year_end(definition, day, expected):
    assert run(definition, {"date": day}) == expected


def test_every_date_field_is_checked_for_the_future(definition):
    later = _dt.date(2027, 1, 2)
    assert run(definition, {"assessor_signature_date": later, "trainee_signature_date": later}) == Counter(
        {("date_future", "assessor_signature_date"): 1, ("date_future", "trainee_signature_date"): 1}
    )


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-12-31", _dt.date(2026, 12, 31)),
        ("2027-01-01", _dt.date(2027, 1, 1)),
        ("2027 - 1 - 1", _dt.date(2027, 1, 1)),
        ("20261231", _dt.date(2026, 12, 31)),
        ("20270101", _dt.date(2027, 1, 1)),
        ("\t2026.12.31\n", _dt.date(2026, 12, 31)),
        ("2026-12-32", None),
        ("20261301", None),
        ("2026-13-01", None),
        ("2026-12", None),
        ("26-12-31", None),
        ("", None),
    ],
)
def test_parse_date_exactly(text, date):
    assert parse_date(text) == date


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        (" 20 ", 20),
        ("0", 0),
        ("ca. 12 min", 12),
        ("cirka 7 minuter", 7),
        ("about 9 minutes", 9),
        ("approx. 4 m", 4),
        ("12 MIN", 12),
        ("1234567", None),
        ("12.5", None),
        ("", None),
    ],
)
def test_parse_minutes_exactly(text, minutes):
    assert parse_minutes(text) == minutes


# --------------------------------------------------------------------------- minutes: norm and limit, at each edge


@pytest.mark.parametrize(
    ("minutes", "code"),
    [
        (0, "integer_out_of_range"),
        (1, "integer_outside_norm"),
        (9, "integer_outside_norm"),
        (10, None),
        (20, None),
        (21, "integer_outside_norm"),
        (240, "integer_outside_norm"),
        (241, "integer_out_of_range"),
    ],
)
def test_observation_minutes_edges(definition, minutes, code):
    expected = Counter({(code, "observation_minutes"): 1}) if code else Counter()
    assert run(definition, {"observation_minutes": minutes}) == expected


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(0, "integer_out_of_range"), (1, None), (10, None), (11, "integer_outside_norm"), (121, "integer_out_of_range")],
)
def test_feedback_minutes_edges(definition, minutes, code):
    expected = Counter({(code, "feedback_minutes"): 1}) if code else Counter()
    assert run(definition, {"feedback_minutes": minutes}) == expected


def test_minutes_messages_name_value_and_range(definition):
    values = {**complete_values(), "observation_minutes": 300, "feedback_minutes": 30}
    by_field = {p.field: p for p in check(definition, values, today=TODAY)}
    assert by_field["observation_minutes"].message == Text(
        sv="Tid för observation (min): 300 ligger långt utanför det normala (1–240)",
        en="Observation time (min): 300 is far outside the norm (1–240)",
    )
    assert by_field["feedback_minutes"].message == Text(
        sv="Tid för återkoppling (min): 30 ligger utanför det vanliga (1–10)",
        en="Feedback time (min): 30 is outside the usual range (1–10)",
    )
    assert by_field["feedback_minutes"].severity == "info"
    assert by_field["observation_minutes"].severity == "warning"


# --------------------------------------------------------------------------- levels and focus


def test_can_supervise_others_needs_confirmation(definition):
    problems = check(definition, {**complete_values(), "level_overall": "4"}, today=TODAY)
    assert found(problems) == Counter({("level_needs_confirmation", "level_overall"): 1})
    assert (
        problems[0].message.en
        == "The activity as a whole: the level “Can supervise others” is used only after several observations; confirm it"
    )
    assert (
        problems[0].message.sv
        == "Aktiviteten som helhet: nivån ”Kan handleda andra” används först efter flera observationer; bekräfta den"
    )


def test_level_codes_typed_into_text_fields_are_just_text(definition):
    assert (
        run(definition, {"complicated_what": "4", "workplace": "1", "assessor_position": "not_observed"}) == Counter()
    )


def test_level_in_focus_area_rated_four_needs_confirmation_only(definition):
    assert run(definition, {"level_history": "4"}) == Counter({("level_needs_confirmation", "level_history"): 1})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"level_history": None}, {("focus_not_rated", "level_history"): 1}),
        ({"level_history": "not_observed"}, {("focus_not_rated", "level_history"): 1}),
        ({"level_history": "1"}, {}),
        ({"level_examination": "1"}, {("rated_not_in_focus", "level_examination"): 1}),
        ({"level_examination": "not_observed"}, {}),  # "not observed" is not a rating
        (
            {"level_organisation": "2", "level_examination": "3"},
            {("rated_not_in_focus", "level_organisation"): 1, ("rated_not_in_focus", "level_examination"): 1},
        ),
        ({"focus": (), "level_examination": "1"}, {}),  # nothing ticked as focus: no complaint
        ({"focus": None, "level_examination": "1"}, {}),
        (
            {"focus": ("examination",), "level_history": "1"},
            {
                ("rated_not_in_focus", "level_history"): 1,
                ("rated_not_in_focus", "level_communication"): 1,
                ("focus_not_rated", "level_examination"): 1,
            },
        ),
        ({"level_overall": "1"}, {}),  # the activity as a whole is never a focus area
        ({"level_history": "zz"}, {("focus_not_rated", "level_history"): 1}),  # unknown code: not a rating
    ],
)
def test_focus_and_ratings(definition, changes, expected):
    assert run(definition, changes) == Counter(expected)


# --------------------------------------------------------------------------- personal identity numbers in free text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Pat 19121212-1212 med yrsel", "personal_id_number"),
        ("121212-1212", "personal_id_number"),
        ("pat 811218-9876, KOL", "personal_id_number"),  # Luhn by hand: 50
        ("811218-9877", "personal_id_number_suspect"),
        ("811218-9877 och 121212-1212", "personal_id_number"),  # one valid is enough for the error
        ("Tel 070-1234567", None),
        ("20261231", None),
    ],
)
def test_personal_numbers_in_each_free_text_field(definition, text, code):
    for name in ("clinical_context", "went_well", "complicated_what"):
        expected = Counter({(code, name): 1}) if code else Counter()
        assert run(definition, {name: text}) == expected, name


def test_personal_numbers_in_non_text_fields_are_not_checked(definition):
    # the raw text of an unreadable date is kept apart; a date field's value is never text
    assert run(definition, {"date": None}, unreadable=["date"]) == Counter()


# --------------------------------------------------------------------------- sub-goals


def test_unknown_subgoals_shown_safely(definition):
    tokens = ("STd1", "hej", "12345", "x" * 11, "a", "b", "c", "d", "e")
    problems = check(definition, complete_values(), today=TODAY, unknown_subgoals=tokens)
    assert found(problems) == Counter({("subgoal_unknown", "subgoals"): 1})
    assert problems[0].message.en == "Sub-goals (codes): unknown sub-goals: STd1, hej, a, b, c, d (+3)"


def test_unknown_subgoals_all_shown(definition):
    problems = check(definition, complete_values(), today=TODAY, unknown_subgoals=("STd1", "x" * 10))
    assert problems[0].message.sv.endswith("okända delmål: STd1, xxxxxxxxxx")


@pytest.mark.parametrize(
    ("regulation", "goals", "expected"),
    [
        ("hslf2021", [("STa1", "hslf2021")], {}),
        ("hslf2021", [("a1", "sosfs2015"), ("STa1", "hslf2021")], {("subgoal_regulation_mismatch", "subgoals"): 1}),
        (None, [("a1", "sosfs2015")], {}),  # no regulation ticked: nothing to compare with
        ("sosfs2015", [("a1", "sosfs2015"), ("b2", "sosfs2015")], {}),
    ],
)
def test_subgoal_regulation_mismatch(definition, regulation, goals, expected):
    subgoals = tuple(SubGoal(c, r) for c, r in goals)
    assert run(definition, {"regulation": regulation}, subgoals=subgoals) == Counter(expected)


def test_mismatch_names_at_most_six_codes(definition):
    subgoals = tuple(SubGoal(f"a{i}", "sosfs2015") for i in range(1, 9))
    problems = check(definition, complete_values(), today=TODAY, subgoals=subgoals)
    assert [p.message.en for p in problems] == [
        "Sub-goals (codes): sub-goals a1, a2, a3, a4, a5, a6 belong to another regulation than the one ticked"
    ]


def test_problem_without_a_field(definition):
    p = problem("identity_missing", version=1)
    assert p == Problem(
        code="identity_missing",
        severity="warning",
        field=None,
        message=Text(
            sv="Formulärets dolda identitetsfält saknas; det känns igen på fälten (version 1)",
            en="The form's hidden identity fields are missing; recognised by its fields (version 1)",
        ),
    )


def test_problem_params_in_both_languages(definition):
    level = definition.level("4")
    p = problem("level_needs_confirmation", definition.field("level_history"), level=level.label)
    assert p.message.sv.startswith("Anamnes: nivån ”Kan handleda andra”")
    assert p.message.en.startswith("History taking: the level “Can supervise others”")


def test_status_of_problems_rebuilt_from_json(definition):
    """Problems that went through the store (JSON) give the same status as fresh ones."""
    import json

    fresh = check(definition, {**complete_values(), "next_time": None, "action_plan": None}, today=TODAY)
    rebuilt = [
        Problem(d["code"], d["severity"], d["field"], Text(**d["message"]))
        for d in json.loads(json.dumps([p.to_dict() for p in fresh]))
    ]
    assert rebuilt == fresh
    assert status_of(rebuilt) == status_of(fresh) == "incomplete"
    plan_only = [p for p in rebuilt if p.code == "action_plan_missing"]
    assert status_of(plan_only) == "awaiting_action_plan"


def test_the_missing_action_plan_never_makes_a_form_incomplete_whatever_its_severity(definition):
    plan = definition.field("action_plan")
    as_error = Problem("action_plan_missing", "error", "action_plan", problem("action_plan_missing", plan).message)
    assert status_of([as_error]) == "awaiting_action_plan"


# --------------------------------------------------------------------------- version 2's own rules


V2 = load_definition(2)


def delta(changes: dict[str, object]) -> Counter[tuple[str, str | None]]:
    """The problems ``changes`` add to (+) or take from (-) an otherwise empty version 2 form."""
    base: dict[str, object] = {f.name: None for f in V2.fields}
    before = found(check(V2, base, today=TODAY))
    after = found(check(V2, {**base, **changes}, today=TODAY))
    out = Counter(after)
    out.subtract(before)
    return Counter({k: v for k, v in out.items() if v})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"level_overall": "4"}, {("level_needs_confirmation", "level_overall"): 1}),
        (
            {"level_overall": "4", "level4_times_seen": 2},
            {("level_needs_confirmation", "level_overall"): 1, ("integer_outside_norm", "level4_times_seen"): 1},
        ),
        ({"level_overall": "4", "level4_times_seen": 3}, {}),  # seen three times: the norm's least
        ({"level_overall": "4", "level4_times_seen": 30}, {}),
        ({"level_overall": "4", "level4_confirmed": _dt.date(2026, 12, 1)}, {}),  # decided at a panel
        ({"level_overall": "not_observed"}, {("overall_not_observed", "level_overall"): 1}),
        ({"level_overall": "1"}, {}),
        ({"level_history": "not_observed"}, {}),  # only the activity as a whole must be observed
        ({"assessor_trained": False}, {("assessor_not_trained", "assessor_trained"): 1}),
        ({"assessor_trained": True}, {}),
    ],
)
def test_version_2_rules(changes, expected):
    got = delta(changes)
    for key in [k for k in got if k[0] == "required_missing" and k[1] in changes]:
        del got[key]  # the field is filled now
    assert got == Counter(expected)


def test_unknown_subgoals_count_the_ones_not_shown(definition):
    tokens = ("STd1", "1234567", "x" * 12, "a", "b")
    problems = check(definition, complete_values(), today=TODAY, unknown_subgoals=tokens)
    assert problems[0].message.en == "Sub-goals (codes): unknown sub-goals: STd1, a, b (+2)"
    only_unsafe = check(definition, complete_values(), today=TODAY, unknown_subgoals=("123456", "y" * 11))
    assert only_unsafe[0].message.en == "Sub-goals (codes): unknown sub-goals:  (+2)"


def test_empty_is_said_by_name():
    with pytest.raises(TypeError):
        status_of([], True)  # type: ignore[misc]
