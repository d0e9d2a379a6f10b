"""Forms filled in PDFium as people fill them, read back to exact values, problems and status.

The ordinary cases the rules branch on: boxes left unticked, an incomplete form,
a date across the year end, padded text, minutes written in words, a level
"can supervise others", a focus area left unrated.
"""

from __future__ import annotations

import datetime as _dt
import os

import pytest
from test_reader import edited

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


# --------------------------------------------------------------------------- values a viewer or a tool left odd


def test_a_choice_holding_a_level_step_is_an_unknown_option_not_a_level(incomplete):
    from pypdf.generic import NameObject

    def setting_3(writer, fields):
        fields["setting"][NameObject("/V")] = NameObject("/3")

    record = read_form("s.pdf", data=edited(incomplete, setting_3), today=NEW_YEARS_EVE)
    assert record.values["setting"] is None
    assert record.raw == {"feedback_minutes": "en kvart", "setting": "3"}
    assert [(p.code, p.field) for p in record.problems if p.field == "setting"] == [
        ("value_conflict", "setting"),
        ("option_unknown", "setting"),
    ]


def test_check_boxes_turned_into_text_fields_read_yes_and_no_words(incomplete):
    from pypdf.generic import NameObject, TextStringObject

    words = {"assessor_trained": "nej", "complicated": " Ja ", "focus_history": "X", "focus_examination": "no"}

    def as_text(writer, fields):
        for name, word in words.items():
            fields[name][NameObject("/FT")] = NameObject("/Tx")
            fields[name][NameObject("/V")] = TextStringObject(word)

    values = read_form("t.pdf", data=edited(incomplete, as_text), today=NEW_YEARS_EVE).values
    assert (values["assessor_trained"], values["complicated"], values["focus"]) == (False, True, ("history",))


def test_an_unreadable_date_is_kept_raw_without_its_padding():
    data = fill_pdfium(build_form(DEF), {"date": "  igår  ", "observation_minutes": "  en kvart"}, DEF)
    assert read_form("d.pdf", data=data, today=NEW_YEARS_EVE).raw == {
        "date": "igår",
        "observation_minutes": "en kvart",
    }


def test_a_form_without_identity_that_has_exactly_the_share_of_names_needed_is_read():
    """80 % of the version's field names (28 of 35) is enough to take the file for that version."""
    import copy
    import tomllib

    from pypdf.generic import ArrayObject, NameObject

    from minicex_pdf.form.definition import forms_dir, parse_definition

    data = tomllib.loads((forms_dir() / "minicex-1.toml").read_text(encoding="utf-8"))
    extra = copy.deepcopy(data["sections"][0]["fields"][2])  # workplace: a plain text field
    extra.update(name="room", label={"sv": "Rum", "en": "Room"})
    extra.pop("prefill", None)
    data["sections"][0]["fields"].append(extra)
    custom = parse_definition(data)
    assert len({n for f in custom.fields for n in f.pdf_names}) + len(custom.signature_fields) == 35
    gone = {*custom.identity.names, "focus_history", "focus_examination", "focus_communication"}
    gone |= {"focus_organisation", "room", "workplace", "supervisor_name"}  # 7 of the 35 names

    def drop(writer, fields):
        form = writer._root_object["/AcroForm"]
        form[NameObject("/Fields")] = ArrayObject(r for r in form["/Fields"] if str(r.get_object()["/T"]) not in gone)
        for page in writer.pages:
            kept = [a for a in page.get("/Annots", []) if str(a.get_object().get("/T", "")) not in gone]
            page[NameObject("/Annots")] = ArrayObject(kept)
        writer.add_metadata({"/Keywords": "", "/Subject": ""})

    filled = fill_pdfium(build_form(custom), {"trainee_name": "Åsa Öberg", "room": "12"}, custom)
    record = read_form("bare.pdf", data=edited(filled, drop), definition_for={1: custom})
    assert (record.source.form_version, record.values["trainee_name"]) == (1, "Åsa Öberg")
    assert [(p.code, p.field) for p in record.problems] == [
        ("identity_missing", None),
        ("field_missing", "workplace"),
        ("field_missing", "supervisor_name"),
        ("required_missing", "date"),
        ("required_missing", "assessor_name"),
        ("required_missing", "assessor_role"),
        ("field_missing", "room"),
        ("field_missing", "focus"),
        ("required_missing", "level_overall"),
        ("feedback_missing", "went_well"),
        ("feedback_missing", "next_time"),
        ("action_plan_missing", "action_plan"),
    ]


# --------------------------------------------------------------------------- the record as text for people

#: What the assessor typed on the form shown as text below (an unreadable date, a level not observed).
SHOWN = {
    "trainee_name": "Åsa Öberg",
    "date": " igår",
    "assessor_trained": True,
    "focus": ("history", "communication"),
    "clinical_context": "Yrsel.\nRökare.",
    "observation_minutes": "15",
    "regulation": "hslf2021",
    "subgoals": "STa1, STb1",
    "level_history": "2",
    "level_examination": "not_observed",
    "level_overall": "3",
    "setting": "outpatient",
}

#: Each field by its title, its value (a raw one marked "(?)", a level with its step), then sub-goals and problems.
TEXT_SV = [
    "  status: ofullständig",
    "",
    "  ST-läkarens namn                                                Åsa Öberg",
    "  Specialitet                                                     –",
    "  Klinik, arbetsplats                                             –",
    "  Personlig handledare                                            –",
    "  Datum (ÅÅÅÅ-MM-DD)                                              igår (?)",
    "  Bedömarens namn                                                 –",
    "  Bedömarens befattning och specialitet                           –",
    "  Bedömarens relation till ST-läkaren                             –",
    "  Bedömaren har utbildning i bedömning och återkoppling           ja",
    "  Svårighetsgrad                                                  –",
    "  Komplicerad situation (t.ex. tolksamtal)                        nej",
    "  Vad var komplicerat?                                            –",
    "  Fokus (ett eller flera)                                         Anamnes, Bemötande och rådgivning",
    "  Kliniskt sammanhang (t.ex. diagnos, tillstånd eller situation)  Yrsel.",
    "                                                                  Rökare.",
    "  Vårdform                                                        Öppenvård",
    "  Tid för observation (min)                                       15",
    "  Tid för återkoppling (min)                                      –",
    "  Målbeskrivning                                                  HSLF-FS 2021:8 (STa1–STa7, STb1–STb4, STc1–)",
    "  Delmål (koder)                                                  STa1, STb1",
    "  Anamnes                                                         Reaktiv handledning (2)",
    "  Status                                                          Ej observerat",
    "  Bemötande och rådgivning                                        –",
    "  Arbetar organisatoriskt och effektivt                           –",
    "  Aktiviteten som helhet                                          Självständigt (3)",
    "  Det som gick speciellt bra                                      –",
    "  Att tänka på nästa gång                                         –",
    "  Handlingsplan                                                   –",
    "  Bedömarens underskrift / namnförtydligande                      –",
    "  Datum                                                           –",
    "  ST-läkarens underskrift / namnförtydligande                     –",
    "  Datum                                                           –",
    "",
    "  Delmål: STa1, STb1",
    "",
    "  Problem:",
    "  - [fel] Datumet kan inte läsas (skriv ÅÅÅÅ-MM-DD): Datum (ÅÅÅÅ-MM-DD)  (date_unreadable)",
    "  - [fel] Obligatoriskt fält är tomt: Bedömarens namn  (required_missing)",
    "  - [fel] Obligatoriskt fält är tomt: Bedömarens relation till ST-läkaren  (required_missing)",
    "  - [varning] Bemötande och rådgivning: området är valt som fokus men har ingen nivå  (focus_not_rated)",
    "  - [fel] Ingen återkoppling skriven: Det som gick speciellt bra (bedömaren ska alltid skriva något)  (feedback_missing)",
    "  - [fel] Ingen återkoppling skriven: Att tänka på nästa gång (bedömaren ska alltid skriva något)  (feedback_missing)",
    "  - [info] ST-läkarens handlingsplan är inte ifylld än  (action_plan_missing)",
]
TEXT_EN = [
    "  status: incomplete",
    "",
    "  Trainee's name                                             Åsa Öberg",
    "  Specialty                                                  –",
    "  Department, workplace                                      –",
    "  Personal supervisor                                        –",
    "  Date (YYYY-MM-DD)                                          igår (?)",
    "  Assessor's name                                            –",
    "  Assessor's position and specialty                          –",
    "  Assessor's relation to the trainee                         –",
    "  Assessor trained in assessment and feedback                yes",
    "  Complexity                                                 –",
    "  Complicated situation (e.g. with an interpreter)           no",
    "  What was complicated?                                      –",
    "  Focus (one or more)                                        History taking, Communication and counselling",
    "  Clinical context (e.g. diagnosis, condition or situation)  Yrsel.",
    "                                                             Rökare.",
    "  Setting                                                    Outpatient",
    "  Observation time (min)                                     15",
    "  Feedback time (min)                                        –",
    "  Regulation                                                 HSLF-FS 2021:8 (STa1–STa7, STb1–STb4, STc1–)",
    "  Sub-goals (codes)                                          STa1, STb1",
    "  History taking                                             Reactive supervision (2)",
    "  Physical examination                                       Not observed",
    "  Communication and counselling                              –",
    "  Organisation and efficiency                                –",
    "  The activity as a whole                                    Independently (3)",
    "  What went especially well                                  –",
    "  To think of next time                                      –",
    "  Action plan                                                –",
    "  Assessor's signature / printed name                        –",
    "  Date                                                       –",
    "  Trainee's signature / printed name                         –",
    "  Date                                                       –",
    "",
    "  Sub-goals: STa1, STb1",
    "",
    "  Problems:",
    "  - [error] The date cannot be read (write YYYY-MM-DD): Date (YYYY-MM-DD)  (date_unreadable)",
    "  - [error] Required field is empty: Assessor's name  (required_missing)",
    "  - [error] Required field is empty: Assessor's relation to the trainee  (required_missing)",
    "  - [warning] Communication and counselling: the area is in focus but has no level  (focus_not_rated)",
    "  - [error] No feedback written: What went especially well (the assessor must always write something)  (feedback_missing)",
    "  - [error] No feedback written: To think of next time (the assessor must always write something)  (feedback_missing)",
    "  - [info] The trainee's action plan is not filled in yet  (action_plan_missing)",
]


@pytest.fixture(scope="module")
def shown() -> bytes:
    return fill_pdfium(build_form(DEF, instance_id="txt-1"), SHOWN, DEF)


@pytest.mark.parametrize(("lang", "lines"), [("sv", TEXT_SV), ("en", TEXT_EN)])
def test_the_record_as_text_shows_every_field_by_its_title(shown, lang, lines):
    from minicex_pdf.reading.reader import record_text

    record = read_form("/forms/t.pdf", data=shown, today=_dt.date(2026, 4, 1))
    head = ["/forms/t.pdf", f"  sha256 {record.source.sha256}  minicex-st v1  txt-1"]
    assert record_text(record, lang).split("\n") == head + lines


def test_the_record_of_an_unknown_version_as_text_is_its_head_and_problems(shown):
    from minicex_pdf.reading.reader import record_text

    record = read_form("/forms/t.pdf", data=shown, today=_dt.date(2026, 4, 1))
    text = record_text(record, "en", definition_for=lambda version: None).split("\n")
    assert text[2:5] == ["  status: incomplete", "", ""] and text[5:7] == ["  Sub-goals: STa1, STb1", ""]
    assert text[7:] == TEXT_EN[-8:]


def test_signatures_are_headed_in_the_language_of_the_config_file(tmp_path, monkeypatch):
    """``lang = "sv"`` read from the config file (a string built at run time) gives the Swedish heading."""
    from click.testing import CliRunner

    from minicex_pdf.cli import cli
    from minicex_pdf.config import config_file

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    config_file().parent.mkdir(parents=True)
    config_file().write_text('lang = "sv"\n', encoding="utf-8")
    blank = tmp_path / "blank.pdf"
    v2 = load_definition(2)
    blank.write_bytes(fill_pdfium(build_form(v2), {"regulation": "hslf2021", "subgoals": "STa1"}, v2))
    out = CliRunner().invoke(cli, ["read", "--format", "text", "--require-signature", "error", str(blank)])
    assert out.exit_code == 0, out.output
    lines = out.output.split("\n")
    assert lines[lines.index("  Delmål: STa1") - 1] == ""
    start = lines.index("  Digitala underskrifter:")
    assert lines[start - 1 : start + 4] == [
        "",
        "  Digitala underskrifter:",
        "  - Bedömarens underskrift: ej underskriven",
        "  - ST-läkarens underskrift: ej underskriven",
        "",
    ]


def test_a_choice_whose_codes_are_numbers_shows_its_label_alone():
    """Only a level shows its step beside the label; a choice coded 1-4 shows the label only."""
    import tomllib

    from minicex_pdf.form.definition import forms_dir, parse_definition
    from minicex_pdf.reading.reader import record_text

    data = tomllib.loads((forms_dir() / "minicex-1.toml").read_text(encoding="utf-8"))
    setting = next(f for s in data["sections"] for f in s["fields"] if f["name"] == "setting")
    for number, option in enumerate(setting["options"], 1):
        option["code"] = str(number)
    custom = parse_definition(data)
    filled = fill_pdfium(build_form(custom), {"setting": "2", "level_overall": "2"}, custom)
    record = read_form("n.pdf", data=filled, definition_for={1: custom})
    assert (record.values["setting"], record.values["level_overall"]) == ("2", "2")
    lines = record_text(record, "en", definition_for={1: custom}).split("\n")
    shown = {line[:59].strip(): line[61:] for line in lines[4:36]}  # titles padded to the longest (57)
    assert (shown["Setting"], shown["The activity as a whole"]) == ("Inpatient", "Reactive supervision (2)")


# --------------------------------------------------------------------------- which form, and signatures required


def test_a_form_whose_version_field_was_emptied_is_refused_by_name(incomplete):
    from pypdf.generic import NameObject, TextStringObject

    from minicex_pdf.errors import UnknownVersionError

    def empty_version(writer, fields):
        fields["form_version"][NameObject("/V")] = TextStringObject("")

    with pytest.raises(UnknownVersionError) as err:
        read_form("v.pdf", data=edited(incomplete, empty_version))
    assert err.value.message("en") == (
        "v.pdf: a mini-CEX of a form version this release does not know (field form_version is not a version number)"
    )


def test_a_form_whose_form_id_was_emptied_reads_by_its_version(incomplete):
    from pypdf.generic import NameObject, TextStringObject

    def empty_id(writer, fields):
        fields["form_id"][NameObject("/V")] = TextStringObject("")
        fields["instance_id"][NameObject("/V")] = TextStringObject("  ")

    record = read_form("i.pdf", data=edited(incomplete, empty_id), today=NEW_YEARS_EVE)
    assert (record.source.form_version, record.source.instance_id) == (1, None)
    assert record.values == expected_values()


def test_option_labels_typed_into_text_fields_read_as_their_codes(incomplete):
    """A tool that turned the radio groups into text fields: a label in either language, any case, is the option."""
    from pypdf.generic import NameObject, TextStringObject

    typed = {
        "assessor_role": " OTHER ASSESSOR ",
        "setting": "slutenvård",
        "complexity": "Komplex",
        "regulation": "SOSFS2015",
    }

    def as_text(writer, fields):
        for name, text in typed.items():
            fields[name][NameObject("/FT")] = NameObject("/Tx")
            fields[name][NameObject("/V")] = TextStringObject(text)

    record = read_form("o.pdf", data=edited(incomplete, as_text), today=NEW_YEARS_EVE)
    got = {k: record.values[k] for k in typed}
    assert got == {"assessor_role": "other", "setting": "inpatient", "complexity": "complex", "regulation": "sosfs2015"}
    assert record.raw == {"feedback_minutes": "en kvart"}


def test_a_required_assessor_signature_missing_makes_a_complete_form_incomplete():
    from conftest import full_values

    from minicex_pdf.reading.signatures import SignaturePolicy

    v2 = load_definition(2)
    data = fill_pdfium(build_form(v2, instance_id="sig-1"), full_values(v2), v2)
    expected = [("subgoal_unknown", "subgoals", "warning"), ("focus_not_rated", "level_history", "warning")]
    for policy, status, severity in (
        (None, "complete", None),
        ("warning", "complete", "warning"),
        ("error", "incomplete", "error"),
    ):
        signatures = SignaturePolicy((), policy) if policy else None
        record = read_form("f.pdf", data=data, signatures=signatures, today=_dt.date(2026, 4, 1))
        missing = [("assessor_signature_missing", "assessor_sig", severity)] if severity else []
        assert [(p.code, p.field, p.severity) for p in record.problems] == expected + missing
        assert record.status == status
        assert [(s.field, s.state) for s in record.signatures] == [
            ("assessor_sig", "unsigned"),
            ("trainee_sig", "unsigned"),
        ]


def test_the_record_as_json_in_one_language_or_both(shown):
    from minicex_pdf.reading.reader import record_json

    record = read_form("/forms/t.pdf", data=shown, today=_dt.date(2026, 4, 1))
    both, sv = record_json(record), record_json(record, "sv")
    assert (both["status_text"], sv["status_text"]) == ("incomplete", "ofullständig")
    assert both["problems"][0]["message"] == {
        "sv": "Datumet kan inte läsas (skriv ÅÅÅÅ-MM-DD): Datum (ÅÅÅÅ-MM-DD)",
        "en": "The date cannot be read (write YYYY-MM-DD): Date (YYYY-MM-DD)",
    }
    assert sv["problems"][0]["message"] == "Datumet kan inte läsas (skriv ÅÅÅÅ-MM-DD): Datum (ÅÅÅÅ-MM-DD)"
    assert (
        [p["code"] for p in sv["problems"]]
        == [p["code"] for p in both["problems"]]
        == [
            "date_unreadable",
            "required_missing",
            "required_missing",
            "focus_not_rated",
            "feedback_missing",
            "feedback_missing",
            "action_plan_missing",
        ]
    )
    assert "signatures" not in sv


def _without(names: set[str], *, keywords: bool = True):
    """An edit that removes the fields ``names`` (and their widgets), and the document keywords unless told."""
    from pypdf.generic import ArrayObject, NameObject

    def drop(writer, fields):
        form = writer._root_object["/AcroForm"]
        form[NameObject("/Fields")] = ArrayObject(r for r in form["/Fields"] if str(r.get_object()["/T"]) not in names)
        for page in writer.pages:
            kept = [a for a in page.get("/Annots", []) if str(a.get_object().get("/T", "")) not in names]
            page[NameObject("/Annots")] = ArrayObject(kept)
        if not keywords:
            writer.add_metadata({"/Keywords": "", "/Subject": ""})

    return drop


def test_identity_from_the_keywords_keeps_the_instance_id(incomplete):
    record = read_form("k.pdf", data=edited(incomplete, _without(set(DEF.identity.names))), today=NEW_YEARS_EVE)
    assert (record.source.form_id, record.source.form_version, record.source.instance_id) == (
        "minicex-st",
        1,
        "teeth-1",
    )
    assert record.values == expected_values()


def test_a_form_known_by_its_field_names_reads_a_missing_box_unticked_and_names_the_form_first():
    values = {k: v for k, v in INCOMPLETE.items() if k != "trainee_name"}
    filled = fill_pdfium(build_form(DEF, instance_id="bare-1"), values, DEF)
    focus = {f"focus_{area}" for area in ("history", "examination", "communication", "organisation")}
    bare = edited(filled, _without({*DEF.identity.names, "complicated", *focus}, keywords=False))
    record = read_form("bare.pdf", data=bare, today=NEW_YEARS_EVE)
    assert (record.source.form_version, record.source.instance_id) == (1, None)
    assert record.values == expected_values(trainee_name=None, focus=())
    assert [(p.code, p.field) for p in record.problems] == [
        ("identity_missing", None),
        ("required_missing", "trainee_name"),
        ("date_future", "date"),
        ("field_missing", "complicated"),
        ("field_missing", "focus"),
        ("integer_unreadable", "feedback_minutes"),
        ("subgoal_unknown", "subgoals"),
        ("level_needs_confirmation", "level_overall"),
        ("feedback_missing", "next_time"),
        ("action_plan_missing", "action_plan"),
    ]


def test_a_pdf_form_with_a_few_minicex_field_names_is_not_a_minicex():
    import io

    from reportlab.pdfgen.canvas import Canvas

    from minicex_pdf.errors import NotMinicexError

    buf = io.BytesIO()
    canvas = Canvas(buf)
    for i, name in enumerate(("trainee_name", "date", "notes")):
        canvas.acroForm.textfield(name=name, value="x", x=50, y=700 - 40 * i)
    canvas.showPage()
    canvas.save()
    with pytest.raises(NotMinicexError):
        read_form("other.pdf", data=buf.getvalue())


def test_a_radio_group_saved_without_a_value_reads_the_state_its_widget_shows(incomplete):
    from pypdf.generic import NameObject

    def widget_only(writer, fields):
        del fields["assessor_role"][NameObject("/V")]

    record = read_form("r.pdf", data=edited(incomplete, widget_only), today=NEW_YEARS_EVE)
    assert record.values == expected_values()
    assert record.raw == {"feedback_minutes": "en kvart"}


@pytest.mark.skipif(not os.path.exists("/proc/self/pagemap"), reason="needs Linux /proc (a file that says it is empty)")
def test_a_file_that_says_it_is_empty_but_holds_more_than_the_limit_is_refused():
    """/proc files report size 0: the limit is checked again on what was read (one byte past it)."""
    from minicex_pdf.errors import DamagedPdfError
    from minicex_pdf.reading.reader import read_file

    with pytest.raises(DamagedPdfError) as err:
        read_file("/proc/self/pagemap")
    assert (
        err.value.message("en") == "/proc/self/pagemap: the PDF is damaged or truncated (32 MB, larger than any form)"
    )


def test_a_file_of_exactly_the_size_limit_is_read(tmp_path):
    from minicex_pdf.limits import MAX_FILE_SIZE
    from minicex_pdf.reading.reader import read_file

    path = tmp_path / "big.pdf"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_SIZE)  # sparse: no disk used
    assert len(read_file(path)) == MAX_FILE_SIZE


def test_a_version_2_record_as_json_says_each_signatures_state_in_words():
    from minicex_pdf.form.definition import load_definition
    from minicex_pdf.form.generator import build_form
    from minicex_pdf.reading.reader import record_json

    record = read_form("/forms/v2.pdf", data=build_form(load_definition(2), lang="sv+en"))
    sv, en = record_json(record, "sv"), record_json(record, "en")
    assert [(s["field"], s["state"], s["state_text"]) for s in sv["signatures"]] == [
        ("assessor_sig", "unsigned", "ej underskriven"),
        ("trainee_sig", "unsigned", "ej underskriven"),
    ]
    assert [s["state_text"] for s in en["signatures"]] == ["not signed", "not signed"]
    assert [s["state_text"] for s in record_json(record)["signatures"]] == ["not signed", "not signed"]


def test_keywords_naming_only_the_version_identify_the_form(incomplete):
    def edit(writer, fields):
        _without(set(DEF.identity.names), keywords=False)(writer, fields)
        writer.add_metadata({"/Keywords": "minicex-form-version=1"})

    record = read_form("k.pdf", data=edited(incomplete, edit), today=NEW_YEARS_EVE)
    assert (record.source.form_id, record.source.form_version) == ("minicex-st", 1)
    assert "identity_missing" not in [p.code for p in record.problems]


def test_a_form_known_by_its_field_names_is_the_version_with_the_fewest_names_it_lacks(incomplete):
    """Two versions take the file (each has >= 80 % of its names): it is read as the one whose names are
    the closest to the file's (version 1, all of whose 31 remaining names it has), not as the later
    version that added four fields (31 of 38: a share of names, not a count, and not the newer)."""
    import copy
    import tomllib

    from minicex_pdf.form.definition import forms_dir, parse_definition

    data = tomllib.loads((forms_dir() / "minicex-1.toml").read_text(encoding="utf-8"))
    data["form"]["version"] = 2
    for name in ("room", "ward", "phone", "pager"):
        extra = copy.deepcopy(data["sections"][0]["fields"][2])  # workplace: a plain text field
        extra.update(name=name, label={"sv": name, "en": name})
        extra.pop("prefill", None)
        data["sections"][0]["fields"].append(extra)
    later = parse_definition(data)
    bare = edited(incomplete, _without(set(DEF.identity.names), keywords=False))
    for pool in ({1: DEF, 2: later}, {2: later, 1: DEF}):
        record = read_form("bare.pdf", data=bare, today=NEW_YEARS_EVE, definition_for=pool)
        assert (record.source.form_version, record.source.instance_id) == (1, None)
        assert record.values == expected_values()
    only_later = read_form("bare.pdf", data=bare, today=NEW_YEARS_EVE, definition_for={2: later})
    assert only_later.source.form_version == 2  # 31 of its 38 names: enough on its own


def test_a_file_over_the_size_limit_is_refused_naming_its_size_in_whole_megabytes(tmp_path):
    """The size is counted in MB of 1024 x 1024 bytes, rounded down: a byte short of 40 MB is 39 MB."""
    from minicex_pdf.errors import DamagedPdfError
    from minicex_pdf.reading.reader import read_file

    path = tmp_path / "big.pdf"
    with path.open("wb") as fh:
        fh.truncate(40 * 1024 * 1024 - 1)  # sparse: no disk used, refused before it is read
    with pytest.raises(DamagedPdfError) as err:
        read_file(path)
    assert err.value.message("en") == f"{path}: the PDF is damaged or truncated (39 MB, larger than any form)"


def test_a_field_of_the_forms_version_found_only_on_its_page_is_read():
    """A viewer that kept a version-2 field's widget on the page but left it out of the form's field list:
    the fields all versions share are in the list, so the page is walked again for this version's own."""
    from pypdf.generic import ArrayObject, NameObject

    v2 = load_definition(2)
    typed = {"trainee_name": "Åsa Öberg", "patient": "new", "return_to": "Karin Berg, Akuten"}
    whole = fill_pdfium(build_form(v2, instance_id="page-1"), typed, v2)

    def unlist(writer, fields):
        form = writer._root_object["/AcroForm"]
        form[NameObject("/Fields")] = ArrayObject(
            r for r in form["/Fields"] if str(r.get_object()["/T"]) not in ("patient", "return_to")
        )

    record = read_form("p.pdf", data=edited(whole, unlist), today=NEW_YEARS_EVE)
    assert (record.values["patient"], record.values["return_to"]) == ("new", "Karin Berg, Akuten")
    assert record.values == read_form("p.pdf", data=whole, today=NEW_YEARS_EVE).values


def test_not_observed_saved_in_the_overall_level_is_read_as_not_observed_and_refused_by_its_rule():
    """Version 2's activity as a whole has no "not observed" box, but a form saved with it there (an older
    layout, an edited file) is read as that step, so the rule that it must be rated names it (not as an
    unknown option); no box shows the stored value, which is a conflict too."""
    from pypdf.generic import NameObject

    v2 = load_definition(2)
    typed = {"trainee_name": "Åsa Öberg", "date": "2026-03-05", "assessor_name": "Karin Berg"}
    typed |= {"assessor_role": "other", "level_overall": "3", "went_well": "Bra.", "next_time": "Sammanfatta."}
    rated = fill_pdfium(build_form(v2, instance_id="overall-1"), typed, v2)

    def overall_not_observed(writer, fields):
        fields["level_overall"][NameObject("/V")] = NameObject("/not_observed")
        for kid in fields["level_overall"]["/Kids"]:
            kid.get_object()[NameObject("/AS")] = NameObject("/Off")

    record = read_form("n.pdf", data=edited(rated, overall_not_observed), today=NEW_YEARS_EVE)
    assert (record.values["level_overall"], record.raw, record.status) == ("not_observed", {}, "incomplete")
    assert [(p.code, p.field) for p in record.problems] == [
        ("assessor_not_trained", "assessor_trained"),
        ("value_conflict", "level_overall"),
        ("overall_not_observed", "level_overall"),
        ("action_plan_missing", "action_plan"),
    ]


def test_signatures_are_headed_in_english_for_a_language_built_at_run_time():
    """``lang`` may be any string equal to "en" (read from a file or an option), not only the literal."""
    from minicex_pdf.reading.reader import record_text
    from minicex_pdf.reading.signatures import SignaturePolicy

    v2 = load_definition(2)
    blank = fill_pdfium(build_form(v2), {"regulation": "hslf2021", "subgoals": "STa1"}, v2)
    record = read_form("s.pdf", data=blank, today=NEW_YEARS_EVE, signatures=SignaturePolicy(require="error"))
    lines = record_text(record, "".join(["e", "n"])).split("\n")
    start = lines.index("  Digital signatures:")
    assert lines[start - 3 : start + 4] == [
        "",
        "  Sub-goals: STa1",
        "",
        "  Digital signatures:",
        "  - Assessor's signature: not signed",
        "  - Trainee's signature: not signed",
        "",
    ]


def test_a_multichoice_whose_codes_are_numbers_shows_its_labels_alone():
    """Only a level shows its step beside the label; boxes coded 1-3 show their labels only."""
    import copy
    import tomllib

    from minicex_pdf.form.definition import forms_dir, parse_definition
    from minicex_pdf.reading.reader import record_text

    data = tomllib.loads((forms_dir() / "minicex-1.toml").read_text(encoding="utf-8"))
    setting = next(f for s in data["sections"] for f in s["fields"] if f["name"] == "setting")
    shifts = copy.deepcopy(setting)
    shifts.update(name="shifts", type="multichoice", label={"sv": "Pass", "en": "Shifts"})
    shifts["options"] = [
        {"code": str(n), "label": {"sv": sv, "en": en}}
        for n, (sv, en) in enumerate((("Dag", "Day"), ("Kväll", "Evening"), ("Natt", "Night")), 1)
    ]
    data["sections"][0]["fields"].append(shifts)
    custom = parse_definition(data)
    filled = fill_pdfium(build_form(custom), {"shifts": ("1", "3")}, custom)
    record = read_form("m.pdf", data=filled, definition_for={1: custom})
    assert record.values["shifts"] == ("1", "3")
    lines = record_text(record, "en", definition_for={1: custom}).split("\n")
    assert [line for line in lines if line.lstrip().startswith("Shifts ")] == ["  Shifts" + " " * 51 + "  Day, Night"]


def test_a_version_2_form_without_identity_keywords_or_five_shared_fields_is_read_by_its_names():
    """No identity fields, no /Keywords at all, five fields both versions have gone: version 1 has too few
    of its names (27 of 34) and is passed over, version 2 has enough (39 of 44)."""
    from pypdf.generic import NameObject

    v2 = load_definition(2)
    filled = fill_pdfium(build_form(v2, instance_id="names-2"), {"trainee_name": "Åsa Öberg"}, v2)
    gone = ("specialty", "workplace", "supervisor_name", "clinical_context", "went_well")
    strip = _without({*v2.identity.names, *gone})

    def no_keywords(writer, fields):
        strip(writer, fields)
        info = writer._info.get_object()
        for key in ("/Keywords", "/Subject"):
            info.pop(NameObject(key), None)

    record = read_form("bare.pdf", data=edited(filled, no_keywords), today=NEW_YEARS_EVE)
    assert (record.source.form_version, record.source.instance_id) == (2, None)
    assert record.values["trainee_name"] == "Åsa Öberg"
    missing = [p.field for p in record.problems if p.code == "field_missing"]
    assert (record.problems[0].code, sorted(missing)) == ("identity_missing", sorted(gone))


def test_a_choice_turned_into_a_text_field_reads_typed_words_without_their_padding(incomplete):
    """An editor made the setting a text field: a label typed with spaces is the option, other words are
    kept raw without the spaces around them."""
    from pypdf.generic import NameObject, TextStringObject

    def typed(word):
        def edit(writer, fields):
            fields["setting"][NameObject("/FT")] = NameObject("/Tx")
            fields["setting"][NameObject("/V")] = TextStringObject(word)

        return read_form("c.pdf", data=edited(incomplete, edit), today=NEW_YEARS_EVE)

    assert typed("  Slutenvård ").values["setting"] == "inpatient"
    home = typed("  hemma ")
    assert (home.values["setting"], home.raw) == (None, {"feedback_minutes": "en kvart", "setting": "hemma"})


def test_a_ticked_box_whose_on_state_has_another_name_reads_ticked(incomplete):
    """The name of a check box's on state is the form maker's (Acrobat: Yes; others: Kryss, 1, ...)."""
    from pypdf.generic import DictionaryObject, NameObject

    def kryss(writer, fields):
        box = fields["complicated"]
        box[NameObject("/V")] = NameObject("/Kryss")
        box[NameObject("/AS")] = NameObject("/Kryss")
        normal = box["/AP"]["/N"]
        states = {("/Kryss" if str(k) != "/Off" else "/Off"): v for k, v in normal.items()}
        box["/AP"][NameObject("/N")] = DictionaryObject({NameObject(k): v for k, v in states.items()})

    record = read_form("k.pdf", data=edited(incomplete, kryss), today=NEW_YEARS_EVE)
    assert record.values == expected_values(complicated=True)


def test_every_heading_of_the_record_as_text_follows_a_language_built_at_run_time(shown):
    """``lang`` read from a file or an option is a string equal to "sv" or "en", not the literal itself."""
    from minicex_pdf.reading.reader import record_text

    record = read_form("/forms/t.pdf", data=shown, today=_dt.date(2026, 4, 1))
    for lang, heads in (
        ("sv", ["  Delmål: STa1, STb1", "  Problem:"]),
        ("en", ["  Sub-goals: STa1, STb1", "  Problems:"]),
    ):
        lines = record_text(record, "".join(list(lang))).split("\n")
        assert [line for line in lines if line.startswith(("  Delmål:", "  Sub-goals:", "  Problem"))] == heads


# --------------------------------------------------------------------------- session 5: fresh sample (seed 63)


def _with_text_fields(version: int, names: tuple[str, ...]):
    """Version 1's definition numbered ``version``, with plain text fields ``names`` added to its first section."""
    import copy
    import tomllib

    from minicex_pdf.form.definition import forms_dir, parse_definition

    data = tomllib.loads((forms_dir() / "minicex-1.toml").read_text(encoding="utf-8"))
    data["form"]["version"] = version
    for name in names:
        extra = copy.deepcopy(data["sections"][0]["fields"][2])  # workplace: a plain text field
        extra.update(name=name, label={"sv": name, "en": name})
        extra.pop("prefill", None)
        data["sections"][0]["fields"].append(extra)
    return parse_definition(data)


def test_a_form_known_by_its_field_names_is_the_version_that_covers_the_larger_share_of_them():
    """A file of 40 fields without identity: version 2 has all 40 and seven more (40 of 47), version 1 has
    34 of them and no other (34 of 40). The share decides (0.851 against 0.850), not the count of names
    the two differ in (7 against 6), nor which version is newer."""
    six = ("room", "ward", "phone", "pager", "fax", "desk")
    bare = edited(
        build_form(_with_text_fields(3, six), instance_id="w-1"), _without(set(DEF.identity.names), keywords=False)
    )
    seven = ("floor", "wing", "bed", "unit", "team", "shift", "site")
    later = _with_text_fields(2, (*six, *seven))
    narrow = _with_text_fields(3, ())  # version 1's fields numbered as the newer version
    for pool in ({1: DEF, 2: later}, {2: later, 1: DEF}, {3: narrow, 2: later}):
        record = read_form("bare.pdf", data=bare, today=NEW_YEARS_EVE, definition_for=pool)
        assert (record.source.form_version, record.source.instance_id) == (2, None)
        assert [(p.code, p.field) for p in record.problems if p.code in ("identity_missing", "field_missing")] == [
            ("identity_missing", None),
            *(("field_missing", name) for name in seven),
        ]


# --------------------------------------------------------------------------- session 5: fresh sample (seed 71)


@pytest.mark.skipif(
    not os.path.exists("/proc/self/mem"), reason="needs Linux /proc (a regular file that fails to read)"
)
def test_a_regular_file_that_fails_to_read_is_named_with_the_systems_reason():
    """/proc/self/mem opens as a regular file of size 0; reading at offset 0 fails with EIO."""
    from minicex_pdf.errors import FormReadError
    from minicex_pdf.reading.reader import read_file

    with pytest.raises(FormReadError) as err:
        read_file("/proc/self/mem")
    assert type(err.value) is FormReadError
    assert err.value.message("en") == "/proc/self/mem: the file cannot be read (Input/output error)"


# --------------------------------------------------------------------------- session 5: fresh sample (seed 74)


def test_with_the_open_flags_of_windows_a_file_is_still_opened_for_reading(tmp_path, monkeypatch):
    """Windows has O_BINARY (0x8000) and no O_NONBLOCK: a copy of the reader loaded with those opens with
    O_BINARY alone (on Linux a harmless flag), and reads the file."""
    import importlib.util

    from minicex_pdf.reading import reader as real

    monkeypatch.setattr(os, "O_BINARY", 0x8000, raising=False)
    monkeypatch.delattr(os, "O_NONBLOCK")
    spec = importlib.util.spec_from_file_location("minicex_pdf.reading._reader_as_on_windows", real.__file__)
    assert spec is not None and spec.loader is not None
    as_on_windows = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(as_on_windows)
    monkeypatch.undo()
    path = tmp_path / "f.pdf"
    path.write_bytes(b"%PDF-1.7\n%%EOF\n")
    assert as_on_windows.read_file(path) == b"%PDF-1.7\n%%EOF\n"
