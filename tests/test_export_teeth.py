"""What users rely on in an export, pinned as literal values: column keys, headers, and each cell.

Spreadsheets, scripts and mail merges are built on these keys and headers: a
renamed key, a reordered column or a changed header must fail here, on
purpose. When a change is meant (a new field in a new form version, a new
column), update the lists below by hand and say so in the CHANGELOG.

Issue #11 (unique headers, the JSONL machine format, severities in the language)
changed the Swedish status header, the JSON Lines rows and the problems' severity
words: updated here by hand.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
from pathlib import Path

import pytest

from minicex_pdf.errors import UsageError
from minicex_pdf.form.definition import Text
from minicex_pdf.reading.record import Problem, Record, Source, SubGoal
from minicex_pdf.storage.export import Exporter, columns
from minicex_pdf.storage.store import Store

#: (key, Swedish header, English header) of every export column, in order.
COLUMNS = [
    # version 2's fields in its reading order
    ("trainee_name", "ST-läkarens namn", "Trainee's name"),
    ("specialty", "Specialitet", "Specialty"),
    ("stage", "Utbildningsfas", "Stage of training"),
    ("stage_time", "Månad eller år i utbildningen", "Month or year of training"),
    ("workplace", "Klinik, arbetsplats", "Department, workplace"),
    ("supervisor_name", "Personlig handledare", "Personal supervisor"),
    ("date", "Datum (ÅÅÅÅ-MM-DD)", "Date (YYYY-MM-DD)"),
    ("assessor_name", "Bedömarens namn", "Assessor's name"),
    ("assessor_position", "Bedömarens befattning och specialitet", "Assessor's position and specialty"),
    ("assessor_email", "Bedömarens e-postadress", "Assessor's e-mail"),
    ("assessor_role", "Bedömarens relation till ST-läkaren", "Assessor's relation to the trainee"),
    (
        "assessor_trained",
        "Bedömaren har genomgått utbildning i att bedöma och ge återkoppling",
        "The assessor has been trained in assessment and feedback",
    ),
    ("complexity", "Svårighetsgrad", "Complexity"),
    ("patient", "Patient", "Patient"),
    ("complicated", "Komplicerad situation (t.ex. tolksamtal)", "Complicated situation (e.g. with an interpreter)"),
    ("complicated_what", "Vad var komplicerat?", "What was complicated?"),
    ("focus", "Fokus (ett eller flera)", "Focus (one or more)"),
    (
        "clinical_context",
        "Kliniskt sammanhang (t.ex. diagnos, tillstånd eller situation)",
        "Clinical context (e.g. diagnosis, condition or situation)",
    ),
    ("setting", "Vårdmiljö", "Setting"),
    ("observation_minutes", "Tid för observation (min)", "Observation time (min)"),
    ("feedback_minutes", "Tid för återkoppling (min)", "Feedback time (min)"),
    ("feedback_immediate", "Återkoppling direkt efteråt", "Feedback given straight after"),
    ("regulation", "Målbeskrivning", "Curriculum (regulation)"),
    ("subgoals", "Delmål (koder)", "Sub-goals (codes)"),
    ("level_history_code", "Anamnes (kod)", "History taking (code)"),
    ("level_history", "Anamnes", "History taking"),
    ("level_examination_code", "Status (kod)", "Physical examination (code)"),
    ("level_examination", "Status", "Physical examination"),
    ("level_communication_code", "Bemötande och rådgivning (kod)", "Professionalism and counselling (code)"),
    ("level_communication", "Bemötande och rådgivning", "Professionalism and counselling"),
    ("level_organisation_code", "Arbetar organisatoriskt och effektivt (kod)", "Organisation and efficiency (code)"),
    ("level_organisation", "Arbetar organisatoriskt och effektivt", "Organisation and efficiency"),
    ("level_overall_code", "Aktiviteten som helhet (kod)", "Overall: the activity as a whole (code)"),
    ("level_overall", "Aktiviteten som helhet", "Overall: the activity as a whole"),
    (
        "level4_times_seen",
        "Vid nivå 4: antal gånger bedömaren sett ST-läkaren i situationen",
        "For level 4: times the assessor has seen the trainee in this situation",
    ),
    (
        "level4_confirmed",
        "Vid nivå 4: bekräftat vid specialistkollegium (datum)",
        "For level 4: confirmed at a specialist panel (date)",
    ),
    ("went_well", "Det som gick speciellt bra", "What went especially well"),
    ("next_time", "Att tänka på nästa gång", "Suggestions for next time"),
    ("action_plan", "Handlingsplan", "Action plan"),
    ("assessor_signature_date", "Bedömarens underskrift: datum", "Assessor's signature: date"),
    ("assessor_printed_name", "Bedömarens namnförtydligande", "Assessor's printed name"),
    ("trainee_signature_date", "ST-läkarens underskrift: datum", "Trainee's signature: date"),
    ("trainee_printed_name", "ST-läkarens namnförtydligande", "Trainee's printed name"),
    ("return_to", "Skicka det ifyllda formuläret till", "Return the completed form to"),
    # fields only version 1 has
    ("assessor_signature", "Bedömarens underskrift / namnförtydligande", "Assessor's signature / printed name"),
    ("trainee_signature", "ST-läkarens underskrift / namnförtydligande", "Trainee's signature / printed name"),
    # what the reader and the store add
    ("subgoal_codes", "Delmål (tolkade koder)", "Sub-goals (codes read)"),
    ("status", "Formulärets status", "Status"),  # #11: "Status" is also an area's label in Swedish
    ("assessor_signature_state", "Bedömarens underskrift: status", "Assessor's signature: status"),
    ("assessor_signature_signer", "Bedömarens underskrift: undertecknad av", "Assessor's signature: signed by"),
    ("trainee_signature_state", "ST-läkarens underskrift: status", "Trainee's signature: status"),
    ("trainee_signature_signer", "ST-läkarens underskrift: undertecknad av", "Trainee's signature: signed by"),
    ("problems", "Problem", "Problems"),
    ("revision", "Version av ifyllnaden", "Revision"),
    ("instance_id", "Formulär-id", "Form instance id"),
    ("form_version", "Formulärversion", "Form version"),
    ("source_path", "Källfil", "Source file"),
    ("sha256", "SHA-256", "SHA-256"),
    ("imported_at", "Importerad (UTC)", "Imported (UTC)"),
    ("mail_from", "E-post från", "E-mail from"),
    ("mail_date", "E-postens datum (UTC)", "E-mail date (UTC)"),
    ("mail_subject", "E-postens ämne", "E-mail subject"),
]
KEYS = [k for k, _, _ in COLUMNS]
SHA_A, SHA_B, SHA_C = "a" * 64, "b" * 64, "c" * 64


def test_column_keys_and_headers_are_pinned():
    assert [(c.key, c.header.sv, c.header.en) for c in columns()] == COLUMNS


def record_a() -> Record:
    """A complete assessment with both boxes unticked, an untyped minute count and a patient's number."""
    return Record(
        source=Source("/in/121212-1212.pdf", SHA_A, 10, "minicex-st", 1, "i-a"),
        values={
            "trainee_name": "Åsa Öberg",
            "specialty": "Allmänmedicin",
            "workplace": None,
            "supervisor_name": "Per Lind",
            "date": _dt.date(2026, 12, 31),
            "assessor_name": "Karin Berg",
            "assessor_position": "ÖL",
            "assessor_role": "other",
            "assessor_trained": False,
            "complexity": "complex",
            "complicated": False,
            "complicated_what": None,
            "focus": ("history", "communication"),
            "clinical_context": "Pat 811218-9876, yrsel",
            "setting": "outpatient",
            "observation_minutes": None,
            "feedback_minutes": 5,
            "regulation": "hslf2021",
            "subgoals": "STa1, STc4",
            "level_history": "3",
            "level_examination": "not_observed",
            "level_communication": "4",
            "level_organisation": None,
            "level_overall": "2",
            "went_well": "Lugn.\nTydlig.",
            "next_time": "=SUM(A1)",
            "action_plan": "Öva.",
            "assessor_signature": None,
            "assessor_signature_date": None,
            "trainee_signature": None,
            "trainee_signature_date": None,
        },
        subgoals=(SubGoal("STa1", "hslf2021"), SubGoal("STc4", "hslf2021")),
        problems=(
            Problem("integer_unreadable", "warning", "observation_minutes", Text(sv="Inte minuter", en="Not minutes")),
        ),
        status="complete",
        raw={"observation_minutes": "tjugo"},
    )


def record_b() -> Record:
    """An incomplete form, both boxes ticked, dated the day after: exported after A."""
    values = {k: None for k in KEYS[:36] if not k.endswith("_code")}
    values.update(
        trainee_name="Bo Ek",
        date=_dt.date(2027, 1, 1),
        assessor_trained=True,
        complicated=True,
        focus=(),
        assessor_role="supervisor",
    )
    return Record(
        source=Source("/in/b.pdf", SHA_B, 20, "minicex-st", 1, None),
        values=values,
        problems=(
            Problem("feedback_missing", "error", "went_well", Text(sv="Ingen återkoppling", en="No feedback")),
            Problem("action_plan_missing", "info", "action_plan", Text(sv="Ingen plan", en="No plan")),
        ),
        status="incomplete",
    )


def record_c() -> Record:
    """An empty copy: only exported with include_empty."""
    values = {k: None for k in KEYS[:36] if not k.endswith("_code")}
    values.update(trainee_name="Cia", assessor_trained=False, complicated=False, focus=())
    return Record(source=Source("/in/c.pdf", SHA_C, 30, "minicex-st", 1, "i-c"), values=values, status="empty")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("teeth") / "e.sqlite"
    with Store(path) as store:
        for r in (record_b(), record_c(), record_a()):
            store.add(r)
    return path


STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")


def expected_sv() -> list[dict[str, str]]:
    """Each exported row's non-empty cells by column key (imported_at apart): every other cell must be empty."""
    a = {
        "trainee_name": "Åsa Öberg",
        "specialty": "Allmänmedicin",
        "supervisor_name": "Per Lind",
        "date": "2026-12-31",
        "assessor_name": "Karin Berg",
        "assessor_position": "ÖL",
        "assessor_role": "Annan bedömare",
        "assessor_trained": "nej",  # an unticked box
        "complexity": "Komplex",
        "complicated": "nej",
        "focus": "Anamnes; Bemötande och rådgivning",
        "clinical_context": "Pat ÅÅMMDD-XXXX, yrsel",  # masked
        "setting": "Mottagning",  # the option's label in the newest version
        "observation_minutes": "tjugo",  # what was written, as it could not be typed
        "feedback_minutes": "5",
        "regulation": "HSLF-FS 2021:8 (STa1–STa7, STb1–STb4, STc1 och framåt)",
        "subgoals": "STa1, STc4",
        "level_history_code": "3",
        "level_history": "Självständigt",
        "level_examination_code": "not_observed",
        "level_examination": "Ej observerat",
        "level_communication_code": "4",
        "level_communication": "Kan handleda andra",
        "level_overall_code": "2",
        "level_overall": "Reaktiv handledning",
        "went_well": "Lugn.\nTydlig.",
        "next_time": "'=SUM(A1)",  # neutralised
        "action_plan": "Öva.",
        "subgoal_codes": "STa1, STc4",
        "status": "komplett",
        "problems": "varning: Inte minuter [integer_unreadable]",  # #11: the severity in the language too
        "revision": "1",
        "instance_id": "i-a",
        "form_version": "1",
        "source_path": "/in/ÅÅMMDD-XXXX.pdf",
        "sha256": SHA_A,
    }
    b = {
        "trainee_name": "Bo Ek",
        "date": "2027-01-01",
        "assessor_role": "Personlig handledare",
        "assessor_trained": "ja",
        "complicated": "ja",
        "status": "ofullständig",
        "problems": "fel: Ingen återkoppling [feedback_missing]\ninfo: Ingen plan [action_plan_missing]",
        "revision": "1",
        "form_version": "1",
        "source_path": "/in/b.pdf",
        "sha256": SHA_B,
    }
    return [a, b]


def filled(row: list[str]) -> dict[str, str]:
    return {k: v for k, v in zip(KEYS, row, strict=True) if v and k != "imported_at"}


def test_csv_rows_in_full(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    with Store(db) as store:
        assert Exporter(store, fmt="csv", lang="sv").write(out) == 2
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert rows[0] == [sv for _, sv, _ in COLUMNS]
    assert all(STAMP.match(r[KEYS.index("imported_at")]) for r in rows[1:])
    assert [filled(r) for r in rows[1:]] == expected_sv()


def test_empty_forms_only_with_include_empty(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    with Store(db) as store:
        assert Exporter(store, fmt="csv", lang="en", delimiter=",", include_empty=True).write(out) == 3
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == [en for _, _, en in COLUMNS]
    at = [KEYS.index(k) for k in ("trainee_name", "assessor_trained", "complicated", "status")]
    assert [tuple(r[i] for i in at) for r in rows[1:]] == [
        ("Åsa Öberg", "no", "no", "complete"),
        ("Bo Ek", "yes", "yes", "incomplete"),
        ("Cia", "no", "no", "empty (nothing filled in by the assessor)"),
    ]


def test_jsonl_rows_in_full(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    with Store(db) as store:
        assert Exporter(store, fmt="jsonl", lang="en", unmasked=True).write(out) == 2
    first, second = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    # #11: JSON Lines is the machine format: one key per field (a level is its code), option codes,
    # booleans, lists and ISO dates; CSV and XLSX keep the labels
    machine_keys = [k for k in KEYS if not k.endswith("_code")]
    assert list(first) == machine_keys and list(second) == machine_keys
    assert STAMP.match(first.pop("imported_at"))
    assert {k: v for k, v in first.items() if v is not None} == {
        "trainee_name": "Åsa Öberg",
        "specialty": "Allmänmedicin",
        "supervisor_name": "Per Lind",
        "date": "2026-12-31",
        "assessor_name": "Karin Berg",
        "assessor_position": "ÖL",
        "assessor_role": "other",
        "assessor_trained": False,
        "complexity": "complex",
        "complicated": False,
        "focus": ["history", "communication"],
        "clinical_context": "Pat 811218-9876, yrsel",  # unmasked
        "setting": "outpatient",
        "observation_minutes": "tjugo",  # what was written, as it could not be typed
        "feedback_minutes": 5,
        "regulation": "hslf2021",
        "subgoals": "STa1, STc4",
        "level_history": "3",
        "level_examination": "not_observed",
        "level_communication": "4",
        "level_overall": "2",
        "went_well": "Lugn.\nTydlig.",
        "next_time": "=SUM(A1)",  # JSON is never a spreadsheet: not neutralised
        "action_plan": "Öva.",
        "subgoal_codes": ["STa1", "STc4"],
        "status": "complete",
        "problems": [{"code": "integer_unreadable", "severity": "warning", "field": "observation_minutes"}],
        "revision": 1,
        "instance_id": "i-a",
        "form_version": 1,
        "source_path": "/in/121212-1212.pdf",
        "sha256": SHA_A,
    }
    assert (second["trainee_name"], second["focus"], second["subgoal_codes"], second["instance_id"]) == (
        "Bo Ek",
        [],
        [],
        None,
    )


def test_xlsx_rows_in_full(db: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "e.xlsx"
    with Store(db) as store:
        assert Exporter(store, fmt="xlsx", lang="sv").write(out) == 2
    ws = openpyxl.load_workbook(out).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == [sv for _, sv, _ in COLUMNS]
    assert ws.auto_filter.ref == "A1:BJ3"  # 62 columns
    a = dict(zip(KEYS, rows[1], strict=True))
    assert [a[k] for k in ("trainee_name", "specialty", "workplace", "supervisor_name", "date")] == [
        "Åsa Öberg",
        "Allmänmedicin",
        None,
        "Per Lind",
        _dt.datetime(2026, 12, 31),
    ]
    cells = (
        "assessor_trained",
        "complicated",
        "clinical_context",
        "observation_minutes",
        "feedback_minutes",
        "next_time",
    )
    assert [a[k] for k in cells] == [
        "nej",
        "nej",
        "Pat ÅÅMMDD-XXXX, yrsel",
        "tjugo",
        5,
        "=SUM(A1)",  # the text exactly, as a text cell: never a live formula
    ]
    formula = ws.cell(row=2, column=KEYS.index("next_time") + 1)
    assert (formula.data_type, formula.quotePrefix) == ("s", True)
    b = dict(zip(KEYS, rows[2], strict=True))
    assert (b["trainee_name"], b["assessor_trained"], b["status"]) == ("Bo Ek", "ja", "ofullständig")


def test_xlsx_column_widths_follow_the_headers(db: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "w.xlsx"
    with Store(db) as store:
        Exporter(store, fmt="xlsx", lang="sv").write(out)
    ws = openpyxl.load_workbook(out).active
    widths = {col: ws.column_dimensions[col].width for col in ("A", "B", "N", "R", "AV")}
    # "ST-läkarens namn" 16 + 2; "Specialitet" 11 + 2; "Patient" 7 + 2 is under the least, 12;
    # the clinical context's 62 characters over the most, 40; "Formulärets status" (#11) 18 + 2
    assert widths == {"A": 18, "B": 13, "N": 12, "R": 40, "AV": 20}


@pytest.mark.parametrize("delimiter", ["", ";;", '"', "\n", "\r"])
def test_a_delimiter_must_be_one_plain_character(db: Path, delimiter: str) -> None:
    with Store(db) as store, pytest.raises(UsageError, match="the delimiter must be one character"):
        Exporter(store, fmt="csv", delimiter=delimiter)


def test_the_format_is_a_keyword_and_may_come_from_a_file(db: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    with Store(db) as store:
        with pytest.raises(TypeError):
            Exporter(store, "csv")  # type: ignore[misc]
        fmt = json.loads('{"format": "xlsx"}')["format"]  # a format name read at run time, not a literal
        assert Exporter(store, fmt=fmt).write(tmp_path / "f.xlsx") == 2
    assert openpyxl.load_workbook(tmp_path / "f.xlsx").active["A2"].value == "Åsa Öberg"


def test_csv_to_standard_output_has_no_byte_order_mark_but_a_file_has(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a BOM is for Excel opening a file; piped into another program it is a stray character
    with Store(db) as store:
        assert Exporter(store, fmt="csv", lang="sv").write(None) == 2
        assert Exporter(store, fmt="csv", lang="sv").write(tmp_path / "e.csv") == 2
    piped = capsys.readouterr().out
    written = (tmp_path / "e.csv").read_text(encoding="utf-8")
    assert (piped[:1], written[:1]) == (COLUMNS[0][1][:1], "\ufeff")
    assert piped.replace("\r\n", "\n") == written[1:].replace("\r\n", "\n")
