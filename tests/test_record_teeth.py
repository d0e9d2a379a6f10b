"""A record's JSON form and its statuses, written out in full."""

from __future__ import annotations

import datetime as _dt

from minicex_pdf.form.definition import Text
from minicex_pdf.reading.record import (
    ASSESSMENT_STATUSES,
    STATUS_TEXT,
    STATUSES,
    Problem,
    Record,
    SignatureCheck,
    Signer,
    Source,
    SubGoal,
)


def test_statuses_and_which_are_counted():
    assert STATUSES == ("complete", "awaiting_action_plan", "incomplete", "empty")
    assert ASSESSMENT_STATUSES == ("complete", "awaiting_action_plan")
    assert STATUS_TEXT["incomplete"] == Text(sv="ofullständig", en="incomplete")
    assert STATUS_TEXT["awaiting_action_plan"].en == "awaiting the trainee's action plan"
    assert set(STATUS_TEXT) == set(STATUSES)


def test_record_to_dict_in_full():
    error = Problem("required_missing", "error", "date", Text(sv="Datum saknas", en="Date missing"))
    info = Problem("action_plan_missing", "info", "action_plan", Text(sv="Ingen plan", en="No plan"))
    record = Record(
        source=Source("in/a.pdf", "ab" * 32, 2048, "minicex-st", 1, "i-1", earlier=("cd" * 32,)),
        values={
            "date": _dt.date(2026, 12, 31),
            "focus": ("history", "communication"),
            "observation_minutes": 15,
            "complicated": False,
            "went_well": "Bra.\nMycket bra.",
            "action_plan": None,
        },
        subgoals=(SubGoal("STa1", "hslf2021"), SubGoal("a2", "sosfs2015")),
        problems=(error, info),
        status="incomplete",
        raw={"feedback_minutes": "en kvart"},
    )
    assert record.to_dict() == {
        "source": {
            "path": "in/a.pdf",
            "sha256": "ab" * 32,
            "size": 2048,
            "form_id": "minicex-st",
            "form_version": 1,
            "instance_id": "i-1",
            "earlier": ["cd" * 32],
        },
        "status": "incomplete",
        "values": {
            "date": "2026-12-31",
            "focus": ["history", "communication"],
            "observation_minutes": 15,
            "complicated": False,
            "went_well": "Bra.\nMycket bra.",
            "action_plan": None,
        },
        "subgoals": [{"code": "STa1", "regulation": "hslf2021"}, {"code": "a2", "regulation": "sosfs2015"}],
        "problems": [
            {
                "code": "required_missing",
                "severity": "error",
                "field": "date",
                "message": {"sv": "Datum saknas", "en": "Date missing"},
            },
            {
                "code": "action_plan_missing",
                "severity": "info",
                "field": "action_plan",
                "message": {"sv": "Ingen plan", "en": "No plan"},
            },
        ],
        "raw": {"feedback_minutes": "en kvart"},
    }
    assert record.errors == (error,)
    assert record["observation_minutes"] == 15


def test_record_defaults():
    record = Record(source=Source("a.pdf", "0" * 64, 1, "minicex-st", 1, None), values={})
    assert record.status == "incomplete"
    assert record.to_dict()["source"]["earlier"] == []
    assert (record.subgoals, record.problems, record.raw, record.errors) == ((), (), {}, ())


def test_records_and_their_parts_are_immutable_and_problems_hashable():
    import dataclasses

    import pytest

    problem = Problem("date_future", "warning", "date", Text(sv="a", en="b"))
    goal = SubGoal("STa1", "hslf2021")
    source = Source("a.pdf", "0" * 64, 1, "minicex-st", 1, None)
    record = Record(source=source, values={})
    signer = Signer("Anna Läkare", "Test CA", "0a", "2026-01-01", "2027-01-01")
    check = SignatureCheck("assessor_signature", "assessor_sig", "valid", signer=signer)
    parts = (
        (problem, "code"),
        (goal, "code"),
        (source, "path"),
        (record, "status"),
        (signer, "name"),
        (check, "state"),
    )
    for obj, name in parts:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, "x")
    assert len({problem, Problem("date_future", "warning", "date", Text(sv="a", en="b")), goal, source}) == 3


def test_errors_of_problems_read_back_from_json():
    import json

    data = json.loads(json.dumps({"severity": ["error", "warning", "info"]}))["severity"]
    problems = tuple(Problem(f"c{i}", s, None, Text(sv="a", en="b")) for i, s in enumerate(data))
    record = Record(source=Source("a.pdf", "0" * 64, 1, "minicex-st", 1, None), values={}, problems=problems)
    assert record.errors == (problems[0],)


def _check(role: str, state: str = "valid", changed: tuple[str, ...] = ()) -> SignatureCheck:
    signer = Signer("Łukasz Wiśniewski", "Region Test CA", "1f2e", "2026-01-01T00:00:00", "2028-01-01T00:00:00")
    return SignatureCheck(role, role.replace("_signature", "_sig"), state, signer=signer, changed=changed)  # type: ignore[arg-type]


def test_a_records_signature_is_found_by_its_exact_role_only():
    assessor, trainee = _check("assessor_signature"), _check("trainee_signature", state="unsigned")
    record = Record(
        source=Source("a.pdf", "0" * 64, 1, "minicex-st", 2, None), values={}, signatures=(assessor, trainee)
    )
    assert record.signature("assessor_signature") is assessor
    assert record.signature("trainee_signature") is trainee
    # a role the form does not have, even one that sorts before or shares a prefix with one it has
    assert [record.signature(r) for r in ("assessor", "a", "", "witness_signature")] == [None, None, None, None]


def test_a_signature_check_comes_back_from_its_dict_with_the_changed_fields():
    changed = _check("assessor_signature", state="changed", changed=("overall_level", "feedback_good"))
    assert SignatureCheck.from_dict(changed.to_dict()) == changed
    unsigned = SignatureCheck("trainee_signature", "trainee_sig", "unsigned")
    assert SignatureCheck.from_dict(unsigned.to_dict()) == unsigned
    assert SignatureCheck.from_dict(unsigned.to_dict()).changed == ()
