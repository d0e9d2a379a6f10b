"""Assessment identity rules with exact expectations, on the values the store keeps (no store needed).

Each test names the files by hand and states which files are one assessment, in
which revision order, and which key each assessment gets.
"""

from __future__ import annotations

import datetime as _dt
import itertools

import pytest

from minicex_pdf.form.definition import load_definition
from minicex_pdf.storage.identity import (
    MAX_CORRECTED,
    Assessment,
    Filing,
    anchor_fields,
    assessor_part,
    compared_part,
    difference,
    filled_count,
    fold,
    group,
    keys,
    part_json,
    pool_of,
)

DEF = load_definition()
ANCHORS = ("trainee_name", "date", "assessor_name")


def base(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "trainee_name": "Åsa Öberg",
        "specialty": "Allmänmedicin",
        "date": _dt.date(2026, 12, 30),
        "assessor_name": "Karin Berg",
        "assessor_role": "other",
        "assessor_trained": False,
        "focus": ("history",),
        "level_history": "3",
        "level_overall": "3",
        "went_well": "Bra anamnes.",
        "next_time": "Sammanfatta.",
        "action_plan": None,
    }
    values.update(changes)
    return values


def filing(id: int, sha: str, earlier: tuple[str, ...] = (), **changes: object) -> Filing:
    return Filing.of(id, sha, DEF, base(**changes), earlier)


def test_anchor_fields():
    assert anchor_fields(DEF) == ANCHORS
    assert MAX_CORRECTED == 1


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("  Åsa\t\n Öberg ", "åsa öberg"),
        ("A\u030asa", "åsa"),  # NFD (a Mac) is NFC
        ("STRASSE", "strasse"),
        ("Maße", "masse"),  # casefold, not lower
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_assessor_part_is_the_filled_assessor_fields_normalised():
    values = base(focus=("communication", "History"), assessor_name="  KARIN  berg", complicated=False)
    assert assessor_part(DEF, values) == {
        "date": "2026-12-30",
        "assessor_name": "karin berg",
        "assessor_role": "other",
        "focus": ["communication", "history"],
        "level_history": "3",
        "level_overall": "3",
        "went_well": "bra anamnes.",
        "next_time": "sammanfatta.",
    }
    assert assessor_part(DEF, {"observation_minutes": 0, "trainee_name": "X"}) == {"observation_minutes": 0}


def test_compared_part_adds_the_trainee_only_when_named():
    assert compared_part(DEF, {"trainee_name": " Åsa  ÖBERG", "level_overall": "2"}) == {
        "trainee_name": "åsa öberg",
        "level_overall": "2",
    }
    assert compared_part(DEF, {"trainee_name": "  ", "level_overall": "2"}) == {"level_overall": "2"}
    assert compared_part(DEF, {"trainee_name": None}) == {}


def test_filled_count_counts_every_filled_field():
    assert filled_count(base()) == 10  # action_plan None and the unticked box do not count
    assert filled_count({"a": 0, "b": "", "c": (), "d": False, "e": True}) == 2


def test_pool_of():
    assert pool_of(DEF, base(), "abc123") == "instance:abc123"
    assert pool_of(DEF, base(trainee_name="  ÅSA   Öberg "), None) == "walkin:åsa öberg"
    assert pool_of(DEF, base(trainee_name=None), None) == "walkin:"
    assert pool_of(DEF, base(), "") == "walkin:åsa öberg"


def test_part_json_is_compact_sorted_and_unescaped():
    assert part_json({"b": "ö", "a": [1, 2]}) == '{"a":[1,2],"b":"ö"}'


# --------------------------------------------------------------------------- difference


def test_difference_counts_the_values_that_differ():
    a = filing(1, "a")
    assert difference(a, filing(2, "b"), ANCHORS) == 0
    assert difference(a, filing(2, "b", level_history="2"), ANCHORS) == 1
    assert difference(a, filing(2, "b", level_history="2", next_time="Annat."), ANCHORS) is None
    assert difference(a, filing(2, "b", action_plan="Öva."), ANCHORS) == 0  # not the assessor's part


@pytest.mark.parametrize("anchor", ["trainee_name", "date", "assessor_name"])
def test_a_different_anchor_is_another_assessment_but_a_forgotten_one_is_not(anchor):
    other = {"trainee_name": "Bo Ek", "date": _dt.date(2026, 12, 29), "assessor_name": "Per Lind"}[anchor]
    a = filing(1, "a")
    assert difference(a, filing(2, "b", **{anchor: other}), ANCHORS) is None
    assert difference(a, filing(2, "b", **{anchor: None}), ANCHORS) == 0
    assert difference(filing(2, "b", **{anchor: None}), a, ANCHORS) == 0


def test_an_empty_file_is_one_with_empty_files_only():
    empty = Filing.of(1, "a", DEF, {"trainee_name": "Åsa Öberg"})
    empty2 = Filing.of(2, "b", DEF, {"trainee_name": "åsa öberg"})
    full = filing(3, "c")
    assert difference(empty, full, ANCHORS) is None
    assert difference(full, empty, ANCHORS) is None
    assert difference(empty, empty2, ANCHORS) == 0
    nameless = Filing.of(4, "d", DEF, {})
    assert difference(empty, nameless, ANCHORS) == 0


# --------------------------------------------------------------------------- grouping and revision order


def shas(assessments: list[Assessment]) -> list[list[str]]:
    return [[f.sha256 for f in a.files] for a in assessments]


def test_group_in_every_order():
    files = [
        filing(1, "s1"),  # the assessor's file
        filing(2, "s2", action_plan="Öva."),  # the trainee added the plan: newer
        filing(3, "s3", earlier=("s2",), level_history="2", action_plan="Öva."),  # a correction saved over s2
        filing(4, "s4", date=_dt.date(2026, 12, 1)),  # another day: another assessment
        filing(5, "s5", level_history="1", level_overall="1"),  # two values differ: another assessment
        Filing.of(6, "s6", DEF, {"trainee_name": "Åsa Öberg"}),  # an empty copy
    ]
    expected = [["s4"], ["s1", "s2", "s3"], ["s5"], ["s6"]]
    for order in itertools.permutations(files):
        assert shas(group(order, ANCHORS)) == expected


def test_a_file_joins_the_assessment_it_differs_least_from():
    x = filing(1, "x")
    y = filing(2, "y", level_history="1", level_overall="1")  # two values from x: another assessment
    f = filing(3, "f", level_history="1", level_overall=None)  # one from x, none from y (overall forgotten)
    for order in itertools.permutations([x, y, f]):
        assert shas(group(order, ANCHORS)) == [["x"], ["f", "y"]]


def test_revision_order_fullness_then_descent_then_import():
    older = filing(7, "z-old")
    newer = filing(3, "a-new", earlier=("z-old",), level_history="2")  # saved over the older one
    for order in ([older, newer], [newer, older]):
        assert shas(group(order, ANCHORS)) == [["z-old", "a-new"]]
    fuller = filing(1, "m", action_plan="Öva.")
    assert shas(group([fuller, older], ANCHORS)) == [["z-old", "m"]]
    twin1, twin2 = filing(9, "t1", level_history="2"), filing(8, "t2")
    assert shas(group([twin1, twin2], ANCHORS)) == [["t2", "t1"]]  # neither saved over the other: later import wins
    assert group([twin1, twin2], ANCHORS)[0].latest.sha256 == "t1"


def test_revision_order_by_assessor_part_before_import():
    # equally full forms: the one with more of the assessor's part is newer
    a = filing(1, "a", specialty=None, level_examination="2")
    b = filing(2, "b")
    assert a.filled == b.filled and len(a.part) == len(b.part) + 1
    assert shas(group([a, b], ANCHORS)) == [["b", "a"]]


def test_assessments_ordered_by_date_undated_last_then_checksum():
    files = [
        filing(1, "d", date=None, level_overall="1", level_history="1"),
        filing(2, "c", date=_dt.date(2027, 1, 1)),
        filing(3, "b", date=_dt.date(2026, 12, 31)),
        filing(4, "a", date=_dt.date(2027, 1, 1), assessor_name="Per Lind"),
    ]
    assert shas(group(files, ANCHORS)) == [["b"], ["a"], ["c"], ["d"]]


def test_keys():
    one = Assessment((filing(1, "a"),))
    assert keys("walkin:åsa", [one, one, one]) == ["walkin:åsa", "walkin:åsa#2", "walkin:åsa#3"]
    assert keys("instance:x", []) == []


def test_assessments_of_one_day_ordered_by_their_fullest_files_checksum():
    x = filing(1, "b")
    x_later = filing(2, "z", action_plan="Öva.")  # the fullest file of x's assessment
    y = filing(3, "m", level_history="1", level_overall="1")
    for order in itertools.permutations([x, x_later, y]):
        assert shas(group(order, ANCHORS)) == [["m"], ["b", "z"]]


def test_a_nameless_untouched_copy_is_one_with_a_named_one():
    nameless = Filing.of(1, "a", DEF, {})
    named = Filing.of(2, "b", DEF, {"trainee_name": "Åsa Öberg"})
    assert difference(nameless, named, ANCHORS) == 0
    assert difference(named, nameless, ANCHORS) == 0


def test_a_file_is_compared_with_the_fullest_file_of_each_assessment():
    p = filing(1, "p")
    q = filing(2, "q", level_history="2", assessor_role=None)  # one value corrected, one forgotten: p's
    r = filing(3, "r", level_history="2", level_overall="1", assessor_role=None, went_well=None)  # two from p
    for order in itertools.permutations([p, q, r]):
        assert shas(group(order, ANCHORS)) == [["q", "p"], ["r"]]


def test_the_file_with_more_of_the_assessors_part_leads_its_assessment():
    a = filing(1, "a")  # all of the assessor's part, nothing of the trainee's
    b = filing(2, "z", assessor_role=None, action_plan="Öva.", trainee_signature="Åsa Öberg")  # fuller form
    c = filing(3, "m", level_history="1", level_overall="1")  # another assessment that day
    assert (a.filled, b.filled) == (10, 11) and len(a.part) == len(b.part) + 1
    for order in itertools.permutations([a, b, c]):
        assert shas(group(order, ANCHORS)) == [["a", "z"], ["m"]]


def test_fold_is_the_same_for_every_normal_form_even_where_case_folding_decomposes():
    # U+1FE2 (Greek upsilon with dialytika and varia) case-folds to three code points; found by hypothesis
    assert fold("A \u1fe2") == fold("a \u03c5\u0308\u0300") == fold("A \u03a5\u0308\u0300") == "a \u1fe2"


def test_a_file_joins_the_nearest_assessment_even_when_a_later_one_also_fits():
    x = filing(1, "a")
    y = filing(2, "b", level_history="1", level_overall="1")  # two values from x: another assessment
    # f is x before the overall level and the advice were written: nothing differs from x, one value from y
    f = filing(3, "c", level_overall=None, next_time=None)
    for order in itertools.permutations([x, y, f]):
        assert shas(group(order, ANCHORS)) == [["c", "a"], ["b"]]


def test_assessments_are_ordered_by_the_date_of_their_fullest_file_not_of_a_revision_without_one():
    dated = filing(1, "a", date=_dt.date(2026, 12, 30))
    undated_draft = filing(2, "d", date=None, next_time=None)  # the same assessment, the date not yet written
    later = filing(3, "b", date=_dt.date(2027, 1, 1), assessor_name="Per Lind")
    for order in itertools.permutations([dated, undated_draft, later]):
        assert shas(group(order, ANCHORS)) == [["d", "a"], ["b"]]
