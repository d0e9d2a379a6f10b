"""The reader's rules on their own: personal identity numbers, dates, minutes, sub-goals, status."""

from __future__ import annotations

import datetime as _dt

import pytest

from minicex_pdf.form.subgoals import catalogue
from minicex_pdf.reading.record import Problem, SubGoal
from minicex_pdf.reading.validate import (
    RULES,
    check,
    has_personal_number,
    parse_date,
    parse_minutes,
    problem,
    status_of,
)

# --------------------------------------------------------------------------- personnummer


@pytest.mark.parametrize(
    "text",
    [
        "19121212-1212",  # Skatteverket's test person, full form
        "121212-1212",
        "121212+1212",  # over 100 years old
        "1212121212",
        "191212121212",
        "pat 811218-9876, KOL",  # check digit by hand: 7+1+2+2+2+8+9+8+5+6 = 50
        "811278-9873",  # samordningsnummer: day 18 + 60
        "121272-1219",
    ],
)
def test_personal_numbers_are_found(text):
    assert has_personal_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "811218-9877",  # wrong check digit
        "130231-1234",  # 31 February
        "20130101-1234",  # check digit wrong
        "2026-03-05",
        "tel 070-1234567",
        "STa1, STb1, STc4",
        "Observation 15 min, återkoppling 5 min",
        "ordernummer 12345678901234",  # longer digit run: not a personal number
        "",
    ],
)
def test_other_numbers_are_not(text):
    assert not has_personal_number(text)


# --------------------------------------------------------------------------- dates and minutes


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-03-05", _dt.date(2026, 3, 5)),
        (" 2026-3-5 ", _dt.date(2026, 3, 5)),
        ("2026/03/05", _dt.date(2026, 3, 5)),
        ("2026.03.05", _dt.date(2026, 3, 5)),
        ("20260305", _dt.date(2026, 3, 5)),
        ("2026-02-30", None),
        ("5/3/2026", None),  # day and month order is ambiguous: not guessed
        ("igår", None),
        ("2026-03-05 kl 10", None),
    ],
)
def test_parse_date(text, date):
    assert parse_date(text) == date


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("15", 15), ("15 min", 15), ("15min.", 15), ("ca 15 minuter", 15), ("~5", 5), ("10-15", None), ("en kvart", None)],
)
def test_parse_minutes(text, minutes):
    assert parse_minutes(text) == minutes


# --------------------------------------------------------------------------- sub-goals


def test_catalogue_codes_and_titles(definition):
    cat = catalogue(definition)
    reg_codes = [r.code for r in definition.regulations]
    assert cat.regulations == tuple(reg_codes)
    hslf, sosfs = reg_codes
    common = cat.codes(hslf)
    assert common[0] == "STa1" and all(not c.startswith("STc") for c in common)
    with_specialty = cat.codes(hslf, "allmänmedicin")  # any case
    assert with_specialty[: len(common)] == common and with_specialty[-1].startswith("STc")
    assert cat.title("STc4", hslf, "Allmänmedicin") and cat.title("STc4", hslf) is None
    assert cat.title("a1", sosfs) and cat.regulation_of("STb2") == hslf and cat.regulation_of("b2") == sosfs
    assert cat.specialty("  Allmänmedicin ") == "Allmänmedicin" and cat.specialty("Astrologi") is None


@pytest.mark.parametrize(
    ("text", "regulation", "codes", "unknown"),
    [
        ("STa1, STb1, STc4", "hslf2021", ["STa1", "STb1", "STc4"], []),
        ("sta1; ST b 2 och STc1-3", "hslf2021", ["STa1", "STb2", "STc1", "STc2", "STc3"], []),
        ("a1, a2", "hslf2021", ["STa1", "STa2"], []),  # bare codes under the regulation ticked
        ("a1, a2", None, ["a1", "a2"], []),  # bare codes are SOSFS 2015:8 style
        ("a1, STa1", "sosfs2015", ["a1", "STa1"], []),  # each tagged by its own shape
        ("STa1, STa1, STd1, hej", "hslf2021", ["STa1"], ["STd1", "hej"]),
        ("STa99", "hslf2021", [], ["STa99"]),
        ("", "hslf2021", [], []),
    ],
)
def test_normalise_subgoals(definition, text, regulation, codes, unknown):
    goals, bad = catalogue(definition).normalise(text, regulation)
    assert [g.code for g in goals] == codes
    assert all(g.regulation == catalogue(definition).regulation_of(g.code) or g.regulation == regulation for g in goals)
    assert list(bad) == unknown


def test_specialty_limits_the_specialty_codes(definition):
    cat = catalogue(definition)
    hslf = definition.regulations[0].code
    last = cat.codes(hslf, "Allmänmedicin")[-1]
    beyond = f"STc{int(last[3:]) + 1}"
    assert cat.normalise(beyond, hslf, "Allmänmedicin")[1] == (beyond,)
    assert cat.is_known(SubGoal(last, hslf), "Allmänmedicin")


# --------------------------------------------------------------------------- problems and status


def test_every_rule_has_both_languages_and_a_known_severity():
    for code, rule in RULES.items():
        assert rule.severity in ("error", "warning", "info"), code
        assert rule.sv and rule.en and rule.sv != rule.en, code


def test_status_follows_the_problems(definition):
    fld = definition.fields[0]
    plan = problem("action_plan_missing", fld)
    error = problem("required_missing", fld)
    warning = problem("date_future", fld)
    assert status_of([]) == "complete"
    assert status_of([warning]) == "complete"
    assert status_of([plan, warning]) == "awaiting_action_plan"
    assert status_of([plan, error]) == "incomplete"


def test_check_on_empty_values_reports_required_and_feedback(definition):
    values = {f.name: None for f in definition.fields}
    problems = check(definition, values, today=_dt.date(2026, 1, 1))
    codes = {p.code for p in problems}
    assert codes == {"required_missing", "feedback_missing", "action_plan_missing"}
    required = {f.name for f in definition.fields if f.required}
    assert {p.field for p in problems if p.code in ("required_missing", "feedback_missing")} == required
    assert all(isinstance(p, Problem) for p in problems)
