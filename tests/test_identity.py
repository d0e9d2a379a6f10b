"""The rules of storage/identity.py one by one: corrections, forgotten fields, pools, empty copies.

Records are built as the reader types them (see test_store.make_record); the real PDFs
of each path are in test_counts.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from test_store import ASSESSOR, DATE, DEF, TRAINEE, _copy, assessments, make_record

from minicex_pdf.reading.personal import find, mask
from minicex_pdf.reading.validate import is_empty_form, status_of
from minicex_pdf.storage import identity
from minicex_pdf.storage.store import Store

LEVEL = "level_overall"
WELL, NEXT = (f.name for f in DEF.role_fields("feedback"))


def stored(tmp_path: Path, records, tag: str = "") -> tuple[list[list[str]], list[str]]:
    """Store ``records`` in this order in a new store: (assessments as SHA-256 lists, latest SHA-256s)."""
    with Store(tmp_path / f"s{tag}.sqlite") as store:
        for r in records:
            assert store.add(r).new
        return assessments(store), sorted(r.source.sha256 for r in store.records())


def other_level(record) -> str:
    return next(o.code for o in DEF.field(LEVEL).options if o.code != record.values[LEVEL])


def test_the_assessors_part_comes_from_the_definition() -> None:
    part = DEF.role_fields("assessor_part")
    assert [f.name for f in part] == {
        1: [
            "date", "assessor_name", "assessor_position", "assessor_role", "assessor_trained",
            "complexity", "complicated", "complicated_what", "focus", "clinical_context", "setting",
            "observation_minutes", "feedback_minutes",
            "level_history", "level_examination", "level_communication", "level_organisation", "level_overall",
            "went_well", "next_time", "assessor_signature", "assessor_signature_date",
        ],
        2: [
            "date", "assessor_name", "assessor_position", "assessor_email", "assessor_role", "assessor_trained",
            "complexity", "patient", "complicated", "complicated_what", "focus", "clinical_context", "setting",
            "observation_minutes", "feedback_minutes", "feedback_immediate",
            "level_history", "level_examination", "level_communication", "level_organisation", "level_overall",
            "level4_times_seen", "level4_confirmed",
            "went_well", "next_time", "assessor_signature_date", "assessor_printed_name",
        ],
    }[DEF.version]  # fmt: skip
    assert DEF.role("trainee") not in part and DEF.role("action_plan") not in part
    assert not any(f.prefill for f in part)  # nothing the roster fills in


def test_a_correction_of_one_value_is_the_same_assessment_and_the_later_import_is_latest(tmp_path: Path) -> None:
    first = make_record(1, instance="pre")
    corrected = _copy(first, "fix", **{LEVEL: other_level(first)})
    for i, order in enumerate(([first, corrected], [corrected, first])):
        groups, latest = stored(tmp_path, order, str(i))
        assert groups == [[r.source.sha256 for r in order]]  # one assessment, revisions in import order
        assert latest == [order[-1].source.sha256]  # equally full: the one imported last


def test_a_correction_that_also_adds_is_latest_in_any_order(tmp_path: Path) -> None:
    first = make_record(1, instance="pre")
    first = _copy(first, "no plan", action_plan=None)
    fuller = _copy(first, "fix and plan", **{LEVEL: other_level(first), "action_plan": "Läsa"})
    for i, order in enumerate(itertools.permutations([first, fuller])):
        groups, latest = stored(tmp_path, order, str(i))
        assert groups == [[first.source.sha256, fuller.source.sha256]]
        assert latest == [fuller.source.sha256]


def test_levels_and_feedback_changed_is_another_assessment(tmp_path: Path) -> None:
    first = make_record(1, instance="pre")
    other = _copy(first, "other", **{LEVEL: other_level(first), WELL: "Annat", NEXT: "Annat"})
    groups, latest = stored(tmp_path, [first, other])
    assert len(groups) == 2 and len(latest) == 2


@pytest.mark.parametrize("forgotten", [DATE, ASSESSOR, WELL])
def test_a_forgotten_field_filled_in_later_is_a_newer_revision_in_any_order(tmp_path: Path, forgotten: str) -> None:
    full = make_record(2, instance=None)
    without = _copy(full, "forgot", **{forgotten: None})
    for i, order in enumerate(itertools.permutations([full, without])):
        groups, latest = stored(tmp_path, order, str(i))
        assert groups == [[without.source.sha256, full.source.sha256]]
        assert latest == [full.source.sha256]


def test_walk_in_forms_of_two_trainees_or_another_trainee_on_one_form_are_never_merged(tmp_path: Path) -> None:
    asa = make_record(3, instance=None, trainee="Åsa Öberg")
    bo = _copy(asa, "bo", **{TRAINEE: "Bo Berg"})
    reused = make_record(4, instance="pre")
    renamed = _copy(reused, "renamed", **{TRAINEE: "Someone Else"})
    groups, _ = stored(tmp_path, [asa, bo, reused, renamed])
    assert len(groups) == 4
    assert identity.pool_of(DEF, asa.values, None) == "walkin:åsa öberg"
    assert identity.pool_of(DEF, asa.values, "x1") == "instance:x1"


def test_empty_copies_are_one_empty_form_and_never_a_revision_of_an_assessment(tmp_path: Path) -> None:
    filled = make_record(5, instance="pre")
    blank = {f.name: None for f in DEF.role_fields("assessor_part")}
    blank.update({f.name: False for f in DEF.role_fields("assessor_part") if f.type == "checkbox"})
    blank.update({f.name: () for f in DEF.role_fields("assessor_part") if f.type == "multichoice"})
    empty = _copy(filled, "empty", **blank)
    empty_again = _copy(empty, "again", action_plan=None)
    assert is_empty_form(DEF, empty.values) and not is_empty_form(DEF, filled.values)
    assert status_of(empty.problems, empty=True) == "empty"
    for i, order in enumerate(itertools.permutations([filled, empty, empty_again])):
        groups, _ = stored(tmp_path, order, str(i))
        assert sorted(map(len, groups)) == [1, 2]
        assert [filled.source.sha256] in groups


def test_one_date_two_fillings_of_the_same_day_join_the_one_they_match(tmp_path: Path) -> None:
    """A half-saved file (levels only) of the afternoon joins the afternoon, not the morning."""
    morning = make_record(6, instance="pre", date=dt.date(2026, 4, 1))
    afternoon = _copy(morning, "pm", **{LEVEL: other_level(morning), WELL: "PM", NEXT: "PM"})
    half = _copy(afternoon, "half", **{WELL: None, NEXT: None})
    for i, order in enumerate(itertools.permutations([morning, afternoon, half])):
        groups, _ = stored(tmp_path, order, str(i))
        assert sorted(groups) == sorted([[morning.source.sha256], [half.source.sha256, afternoon.source.sha256]])


# --------------------------------------------------------------------------- personal numbers


@pytest.mark.parametrize(
    ("text", "sv", "en"),
    [
        ("Pat 811218-9876, KOL", "Pat ÅÅMMDD-XXXX, KOL", "Pat YYMMDD-XXXX, KOL"),  # valid
        ("Pat 811218-9877", "Pat ÅÅMMDD-XXXX", "Pat YYMMDD-XXXX"),  # wrong check digit: masked all the same
        ("19121212-1212 och 191212121212", "ÅÅÅÅMMDD-XXXX och ÅÅÅÅMMDD-XXXX", "YYYYMMDD-XXXX och YYYYMMDD-XXXX"),
        ("121212+1212", "ÅÅMMDD-XXXX", "YYMMDD-XXXX"),
        ("8112789873", "ÅÅMMDD-XXXX", "YYMMDD-XXXX"),  # samordningsnummer (day + 60), no separator
        ("2026-03-05, STa1, tel 070-1234567", "2026-03-05, STa1, tel 070-1234567", None),
        ("130231-1234 ordernr 12345678901234", "130231-1234 ordernr 12345678901234", None),  # 31 Feb; too long
    ],
)
def test_masks_keep_the_text_readable(text: str, sv: str, en: str | None) -> None:
    assert mask(text, "sv") == sv
    assert mask(text, "en") == (en if en is not None else sv)


def test_found_numbers_know_their_check_digit() -> None:
    assert [f.valid for f in find("811218-9876 811218-9877 19121212-1212")] == [True, False, True]


# --------------------------------------------------------------------------- corrections saved over the file


@pytest.mark.parametrize("engine", ["pdfium", "mupdf"])
def test_a_correction_saved_over_the_assessors_file_is_latest_in_any_order(tmp_path: Path, engine: str) -> None:
    """The assessor opens the file they sent, changes one level and saves: the viewer appends to that file."""
    pytest.importorskip("pypdfium2")
    from minicex_pdf.engines.mupdf import fill_mupdf, mutool
    from minicex_pdf.engines.pdfium import fill_pdfium
    from minicex_pdf.form.generator import build_form
    from minicex_pdf.reading.reader import read_form

    if engine == "mupdf" and mutool() is None:
        pytest.skip("MuPDF's mutool is not installed (apt-get install mupdf-tools)")
    fill = fill_pdfium if engine == "pdfium" else fill_mupdf
    well, next_time = DEF.role_fields("feedback")
    levels = DEF.field(LEVEL).options
    prefilled = build_form(DEF, values={TRAINEE: "Åsa Öberg"}, instance_id="pre-fix")
    values = {
        DATE: "2026-02-03",
        ASSESSOR: "Karin Lund",
        LEVEL: levels[2].code,
        well.name: "Bra",
        next_time.name: "Mer",
    }
    (tmp_path / "sent.pdf").write_bytes(fill(prefilled, values, DEF))
    (tmp_path / "fixed.pdf").write_bytes(fill((tmp_path / "sent.pdf").read_bytes(), {LEVEL: levels[3].code}, DEF))
    sent, fixed = read_form(tmp_path / "sent.pdf"), read_form(tmp_path / "fixed.pdf")
    assert sent.source.sha256 in fixed.source.earlier
    assert fixed.values[LEVEL] == levels[3].code
    for i, order in enumerate(itertools.permutations([sent, fixed])):
        groups, latest = stored(tmp_path, order, str(i))
        assert groups == [[sent.source.sha256, fixed.source.sha256]]
        assert latest == [fixed.source.sha256]


def test_digests_name_each_earlier_version_with_or_without_its_line_end() -> None:
    import hashlib

    from minicex_pdf.reading.walker import digests

    sha = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
    data = b"%PDF-1.7 one\n%%EOF\r\n two\n%%EOF three%%EOF"
    whole, earlier = digests(data)
    assert whole == sha(data)
    assert earlier == (
        sha(b"%PDF-1.7 one\n%%EOF"),
        sha(b"%PDF-1.7 one\n%%EOF\r"),
        sha(b"%PDF-1.7 one\n%%EOF\r\n"),
        sha(b"%PDF-1.7 one\n%%EOF\r\n two\n%%EOF"),
    )
    assert digests(b"%PDF-1.7\n%%EOF\n") == (sha(b"%PDF-1.7\n%%EOF\n"), (sha(b"%PDF-1.7\n%%EOF"),))
