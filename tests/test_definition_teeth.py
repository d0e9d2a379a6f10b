"""The form definition rejects each broken ``forms/*.toml`` with one message naming the entry.

Each case writes the shipped ``minicex-2.toml`` with one realistic edit (a typo, a
forgotten key, a wrong type) to a temporary file and loads it as the tool does, then
compares the whole message. The accessors of a loaded definition are pinned against
the shipped file's own entries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from minicex_pdf.errors import DefinitionError
from minicex_pdf.form.definition import (
    FormDefinition,
    Text,
    definitions,
    forms_dir,
    load_definition,
    load_file,
    split_langs,
)

SHIPPED = (forms_dir() / "minicex-2.toml").read_text(encoding="utf-8")
F = "minicex-2.toml"

AREA_LEVEL = '  name = "level_examination"\n  type = "level"\n  area = "examination"\n'


def write(tmp_path: Path, *edits: tuple[str, str], name: str = F) -> Path:
    """The shipped version 2 with each (old, new) edit made once (old must occur exactly once)."""
    text = SHIPPED
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(path: Path) -> str:
    with pytest.raises(DefinitionError) as exc:
        load_file(path)
    return str(exc.value)


BROKEN = {
    # [form]
    "version zero": ("version = 2\n", "version = 0\n", f"{F}: form.version: must be a whole number from 1"),
    "version a string": ("version = 2\n", 'version = "2"\n', f"{F}: form.version: must be a whole number from 1"),
    "released a string": (
        "released = 2026-12-01",
        'released = "2026-12-01"',
        f"{F}: form.released: must be a date",
    ),
    "form id with a space": (
        'id = "minicex-st"',
        'id = "minicex st"',
        f"{F}: form.id: 'minicex st' must be ASCII letters, digits and _ (no dots or spaces)",
    ),
    "form id empty": ('id = "minicex-st"', 'id = ""', f"{F}: form.id: must be a non-empty string"),
    "title without a table": (
        'title = { sv = "Mini-CEX – bedömning av ST-läkare", en = "Mini-CEX – assessment of a specialty trainee (ST-läkare)" }',
        'title = "Mini-CEX"',
        f"{F}: form.title: must be a table with sv and en",
    ),
    "subtitle with blank English": (
        'subtitle = { sv = "Mini clinical evaluation exercise", en = "Mini clinical evaluation exercise" }',
        'subtitle = { sv = "Mini clinical evaluation exercise", en = "  " }',
        f"{F}: form.subtitle: has no en text",
    ),
    "subtitle with a number for Swedish": (
        'subtitle = { sv = "Mini clinical evaluation exercise", en = "Mini clinical evaluation exercise" }',
        'subtitle = { sv = 1, en = "Mini clinical evaluation exercise" }',
        f"{F}: form.subtitle: has no sv text",
    ),
    "a third language": (
        'required_key = { sv = "obligatoriskt", en = "required" }',
        'required_key = { sv = "obligatoriskt", en = "required", de = "Pflicht" }',
        f"{F}: form.required_key: unknown language 'de'",
    ),
    "a sign the fonts lack": (
        'required_key = { sv = "obligatoriskt", en = "required" }',
        'required_key = { sv = "obligatoriskt", en = "required ≥ 1" }',
        f"{F}: form.required_key: en text has '≥', which the form's fonts cannot show",
    ),
    # [identity]
    "identity field with a dot": (
        'form_id_field = "form_id"',
        'form_id_field = "form.id"',
        f"{F}: identity.form_id_field: 'form.id' must be ASCII letters, digits and _ (no dots or spaces)",
    ),
    "identity field missing": (
        'instance_field = "instance_id"\n',
        "",
        f"{F}: identity: missing 'instance_field'",
    ),
    # [scale]
    "ranks out of order": ("rank = 3\n", "rank = 5\n", f"{F}: scale.levels: ranks must run 0, 1, 2, ... in order"),
    "a rank twice": ("rank = 3\n", "rank = 2\n", f"{F}: scale.levels: ranks must run 0, 1, 2, ... in order"),
    "a rank missing": ("rank = 3\n", "", f"{F}: scale.levels: ranks must run 0, 1, 2, ... in order"),
    "level code with a space": (
        'code = "not_observed"\nrank = 0',
        'code = "not observed"\nrank = 0',
        f"{F}: scale.levels[0].code: 'not observed' must be ASCII letters, digits and _ (no dots or spaces)",
    ),
    # [[areas]]
    "repeated area": (
        'code = "examination"\nfocus = true',
        'code = "history"\nfocus = true',
        f"{F}: areas: repeats an area code",
    ),
    # [[regulations]]
    "regulation without its name": ('name = "SOSFS 2015:8"\n', "", f"{F}: regulations[1]: missing 'name'"),
    # [instructions]
    "no paragraphs": (
        "paragraphs = [\n",
        "paragraphs = []\nparagraphs_old = [\n",
        f"{F}: instructions.paragraphs: must be a non-empty list",
    ),
    # fields
    "field name with a dot": (
        'name = "stage_time"',
        'name = "stage.time"',
        f"{F}: sections[0].fields[3].name: 'stage.time' must be ASCII letters, digits and _ (no dots or spaces)",
    ),
    "field name twice": (
        'name = "stage_time"',
        'name = "workplace"',
        f"{F}: field name 'workplace' is used twice",
    ),
    "field named like an option's box": (
        'name = "stage_time"',
        'name = "focus_history"',
        f"{F}: field name 'focus_history' is used twice",
    ),
    "field named like an identity field": (
        'name = "stage_time"',
        'name = "form_id"',
        f"{F}: field name 'form_id' is used twice",
    ),
    "field without a type": (
        'name = "stage_time"\n  type = "text"\n',
        'name = "stage_time"\n',
        f"{F}: field 'stage_time' (sections[0].fields[3]): missing 'type'",
    ),
    "unknown field type": (
        'name = "stage_time"\n  type = "text"',
        'name = "stage_time"\n  type = "colour"',
        f"{F}: field 'stage_time' (sections[0].fields[3].type): 'colour' is not one of "
        "text, multiline, date, integer, checkbox, choice, multichoice, level, signature",
    ),
    "level of an unknown area": (
        AREA_LEVEL,
        AREA_LEVEL.replace('area = "examination"', 'area = "status"'),
        f"{F}: field 'level_examination' (sections[3].fields[1].area): no area 'status'",
    ),
    "level leaving out an unknown step": (
        'exclude = ["not_observed"]',
        'exclude = ["never"]',
        f"{F}: field 'level_overall' (sections[3].fields[4].exclude): must list codes of the scale's levels",
    ),
    "level leaving out a step not as a list": (
        'exclude = ["not_observed"]',
        'exclude = "not_observed"',
        f"{F}: field 'level_overall' (sections[3].fields[4].exclude): must list codes of the scale's levels",
    ),
    "checkbox leaving out a step": (
        'name = "assessor_trained"\n  type = "checkbox"',
        'name = "assessor_trained"\n  type = "checkbox"\n  exclude = []',
        f"{F}: field 'assessor_trained' (sections[0].fields[11].exclude): only a level field can leave out steps of the scale",
    ),
    "text leaving out a step": (
        'name = "stage_time"\n  type = "text"',
        'name = "stage_time"\n  type = "text"\n  exclude = []',
        f"{F}: field 'stage_time' (sections[0].fields[3].exclude): only a level field can leave out steps of the scale",
    ),
    "options from elsewhere": (
        'options_from = "areas"',
        'options_from = "colours"',
        f"{F}: field 'focus' (sections[1].fields[4].options_from): 'colours' is not areas or regulations",
    ),
    "a choice of one": (
        '    { code = "bt", label = { sv = "BT", en = "BT" } },\n',
        "",
        f"{F}: field 'stage' (sections[0].fields[2]): a choice needs at least two options",
    ),
    "a choice without options": (
        '    { code = "bt", label = { sv = "BT", en = "BT" } },\n    { code = "st", label = { sv = "ST", en = "ST" } },\n',
        "",
        f"{F}: field 'stage' (sections[0].fields[2].options): must be a non-empty list",
    ),
    "option code twice": (
        '{ code = "bt", label = { sv = "BT", en = "BT" } }',
        '{ code = "st", label = { sv = "BT", en = "BT" } }',
        f"{F}: field 'stage' (sections[0].fields[2]): repeats an option code",
    ),
    "option code with a dash": (
        'code = "follow_up"',
        'code = "follow-up"',
        f"{F}: field 'patient' (sections[1].fields[1].options[1].code): 'follow-up' must be ASCII letters, digits and _ (no dots or spaces)",
    ),
    "options on a text field": (
        'name = "stage_time"\n  type = "text"',
        'name = "stage_time"\n  type = "text"\n  options_from = "areas"',
        f"{F}: field 'stage_time' (sections[0].fields[3]): a text field has no options",
    ),
    "option list on a date field": (
        'name = "level4_confirmed"\n  type = "date"',
        'name = "level4_confirmed"\n  type = "date"\n  options = []',
        f"{F}: field 'level4_confirmed' (sections[3].fields[6]): a date field has no options",
    ),
    "width zero": (
        'name = "stage_time"\n  type = "text"\n  width = 0.5',
        'name = "stage_time"\n  type = "text"\n  width = 0',
        f"{F}: field 'stage_time' (sections[0].fields[3].width): must be a share of the row, above 0 and at most 1",
    ),
    "width over the row": (
        'name = "stage_time"\n  type = "text"\n  width = 0.5',
        'name = "stage_time"\n  type = "text"\n  width = 1.01',
        f"{F}: field 'stage_time' (sections[0].fields[3].width): must be a share of the row, above 0 and at most 1",
    ),
    "width as a word": (
        'name = "stage_time"\n  type = "text"\n  width = 0.5',
        'name = "stage_time"\n  type = "text"\n  width = "half"',
        f"{F}: field 'stage_time' (sections[0].fields[3].width): must be a share of the row, above 0 and at most 1",
    ),
    "multiline of no lines": (
        'name = "clinical_context"\n  type = "multiline"\n  lines = 2',
        'name = "clinical_context"\n  type = "multiline"\n  lines = 0',
        f"{F}: field 'clinical_context' (sections[1].fields[5].lines): only a multiline field has more than one line",
    ),
    "multiline of half a line": (
        'name = "clinical_context"\n  type = "multiline"\n  lines = 2',
        'name = "clinical_context"\n  type = "multiline"\n  lines = 1.5',
        f"{F}: field 'clinical_context' (sections[1].fields[5].lines): only a multiline field has more than one line",
    ),
    "text of two lines": (
        'name = "stage_time"\n  type = "text"',
        'name = "stage_time"\n  type = "text"\n  lines = 2',
        f"{F}: field 'stage_time' (sections[0].fields[3].lines): only a multiline field has more than one line",
    ),
    "norm high before low": (
        "norm = [10, 20]",
        "norm = [20, 10]",
        f"{F}: field 'observation_minutes' (sections[1].fields[7].norm): must be [low, high] whole numbers",
    ),
    "norm of one number": (
        "norm = [10, 20]",
        "norm = [10]",
        f"{F}: field 'observation_minutes' (sections[1].fields[7].norm): must be [low, high] whole numbers",
    ),
    "norm of three numbers": (
        "norm = [10, 20]",
        "norm = [10, 20, 30]",
        f"{F}: field 'observation_minutes' (sections[1].fields[7].norm): must be [low, high] whole numbers",
    ),
    "norm in decimals": (
        "norm = [10, 20]",
        "norm = [10, 20.5]",
        f"{F}: field 'observation_minutes' (sections[1].fields[7].norm): must be [low, high] whole numbers",
    ),
    "limit as one number": (
        "limit = [1, 240]",
        "limit = 240",
        f"{F}: field 'observation_minutes' (sections[1].fields[7].limit): must be [low, high] whole numbers",
    ),
    "a part nobody plays": (
        'code = "action_plan"\npart = "trainee"',
        'code = "action_plan"\npart = "patient"',
        f"{F}: sections[5].part: 'patient' is not one of assessor, trainee",
    ),
    "a field's part nobody plays": (
        'name = "trainee_sig"\n  type = "signature"\n  part = "trainee"',
        'name = "trainee_sig"\n  type = "signature"\n  part = "supervisor"',
        f"{F}: field 'trainee_sig' (sections[6].fields[3].part): 'supervisor' is not one of assessor, trainee",
    ),
    "record label without English": (
        'record_label = { sv = "Vårdmiljö", en = "Setting" }',
        'record_label = { sv = "Vårdmiljö" }',
        f"{F}: field 'setting' (sections[1].fields[6].record_label): has no en text",
    ),
    "section note without a table": (
        'note = { sv = "Fylls i av ST-läkaren efter bedömningen.", en = "Filled in by the trainee after the assessment." }',
        'note = "Fylls i av ST-läkaren"',
        f"{F}: sections[5].note: must be a table with sv and en",
    ),
    # [roster]
    "roster header for an unknown key": (
        'return_to = "returneras till" }',
        'return_to = "returneras till", email = "e-post" }',
        f"{F}: roster.headers_sv: keys must be the fields' prefill keys (unknown ['email'], missing [])",
    ),
    "roster header missing": (
        ', return_to = "returneras till" }',
        " }",
        f"{F}: roster.headers_sv: keys must be the fields' prefill keys (unknown [], missing ['return_to'])",
    ),
    "roster header blank": (
        'return_to = "returneras till" }',
        'return_to = " " }',
        f"{F}: roster.headers_sv.return_to: must be a non-empty string",
    ),
    "roster headers not a table": (
        'headers_sv = { name = "namn", specialty = "specialitet", workplace = "arbetsplats", supervisor = "handledare", regulation = "målbeskrivning", sub_goals = "delmål", return_to = "returneras till" }',
        'headers_sv = ["namn"]',
        f"{F}: roster.headers_sv: must be a table of prefill key = Swedish header",
    ),
    "roster alias for an unknown key": (
        'specialty = ["specialitet ST", "ST-specialitet", "spec"]',
        'speciality = ["specialitet ST", "ST-specialitet", "spec"]',
        f"{F}: roster.aliases: keys must be the fields' prefill keys (unknown ['speciality'])",
    ),
    "roster alias blank": (
        'specialty = ["specialitet ST", "ST-specialitet", "spec"]',
        'specialty = ["specialitet ST", "", "spec"]',
        f"{F}: roster.aliases.specialty: must be a list of non-empty strings",
    ),
    "roster alias not a list": (
        'specialty = ["specialitet ST", "ST-specialitet", "spec"]',
        'specialty = "spec"',
        f"{F}: roster.aliases.specialty: must be a list of non-empty strings",
    ),
    "name parts of one list": (
        'name_parts = [["förnamn", "tilltalsnamn", "first name", "given name"], ["efternamn", "last name", "surname", "family name"]]',
        'name_parts = [["förnamn", "efternamn"]]',
        f"{F}: roster.name_parts: must be two lists: first-name headers, last-name headers",
    ),
    "name parts with a number": (
        '["efternamn", "last name", "surname", "family name"]',
        '["efternamn", 2]',
        f"{F}: roster.name_parts[1]: must be a list of non-empty strings",
    ),
    # [roles]
    "role missing": ('supervisor = "supervisor_name"\n', "", f"{F}: roles: missing 'supervisor'"),
    "role of the wrong type": (
        'date = "date"\n',
        'date = "trainee_name"\n',
        f"{F}: roles.date: 'trainee_name' is a text field, not date",
    ),
    "role of a field not there": (
        'feedback = ["went_well", "next_time"]',
        'feedback = ["went_well", "nothing"]',
        f"{F}: roles.feedback: no field 'nothing'",
    ),
    "role of no fields": (
        'feedback = ["went_well", "next_time"]',
        "feedback = []",
        f"{F}: roles.feedback: must name a field, or a list of fields",
    ),
    "role of a number": (
        'feedback = ["went_well", "next_time"]',
        'feedback = ["went_well", 2]',
        f"{F}: roles.feedback: must name a field, or a list of fields",
    ),
    "role of the wrong types": (
        'subgoals = "subgoals"\n',
        'subgoals = "regulation"\n',
        f"{F}: roles.subgoals: 'regulation' is a choice field, not text or multiline",
    ),
    "optional role of a field not there": (
        'overall = "level_overall"',
        'overall = "level_total"',
        f"{F}: roles.overall: no field 'level_total'",
    ),
    "optional role as a list": (
        'overall = "level_overall"',
        'overall = ["level_overall"]',
        f"{F}: roles.overall: no field ['level_overall']",
    ),
    "optional role of the wrong type": (
        'times_seen = "level4_times_seen"',
        'times_seen = "level4_confirmed"',
        f"{F}: roles.times_seen: 'level4_confirmed' is a date field, not integer",
    ),
    "personal supervisor not an option": (
        'personal_supervisor = "supervisor"',
        'personal_supervisor = "boss"',
        f"{F}: roles.personal_supervisor: 'boss' is not an option of 'assessor_role'",
    ),
    "an unknown role": (
        'return_to = "return_to"\n',
        'return_to = "return_to"\nreturn_address = "return_to"\n',
        f"{F}: roles: unknown role 'return_address'",
    ),
    # signature parts and locks
    "two signatures of one part": (
        'name = "trainee_sig"\n  type = "signature"\n  part = "trainee"',
        'name = "trainee_sig"\n  type = "signature"\n  part = "assessor"',
        f"{F}: one signature field per part (assessor, trainee) at most",
    ),
    "the assessor's signature naming the trainee's": (
        'assessor_signature = "assessor_sig"\ntrainee_signature = "trainee_sig"',
        'assessor_signature = "trainee_sig"\ntrainee_signature = "assessor_sig"',
        f"{F}: roles.assessor_signature: must name a signature field of the assessor's part",
    ),
    "the action plan in the assessor's lock": (
        'code = "action_plan"\npart = "trainee"',
        'code = "action_plan"\npart = "assessor"',
        f"{F}: field 'action_plan' is in the wrong part for its signature's lock",
    ),
    "an assessor's field in the trainee's lock": (
        'name = "assessor_position"\n  type = "text"',
        'name = "assessor_position"\n  type = "text"\n  part = "trainee"',
        f"{F}: field 'assessor_position' is in the wrong part for its signature's lock",
    ),
    "the feedback in the trainee's lock": (
        'name = "next_time"\n  type = "multiline"',
        'name = "next_time"\n  type = "multiline"\n  part = "trainee"',
        f"{F}: field 'next_time' is in the wrong part for its signature's lock",
    ),
    # areas and their level fields
    "an area rated twice": (
        AREA_LEVEL,
        AREA_LEVEL.replace('area = "examination"', 'area = "history"'),
        f"{F}: every area needs exactly one level field (check examination)",
    ),
}


@pytest.mark.parametrize(("old", "new", "message"), list(BROKEN.values()), ids=list(BROKEN))
def test_a_broken_definition_file_is_refused_with_a_message_naming_the_entry(tmp_path, old, new, message):
    assert error(write(tmp_path, (old, new))) == message


def test_a_level_field_rated_twice_names_duplicates_when_no_area_is_missing(tmp_path):
    extra = (
        '  name = "level4_times_seen"',
        '  name = "level_history_again"\n  type = "level"\n  area = "history"\n\n  [[sections.fields]]\n'
        '  name = "level4_times_seen"',
    )
    assert error(write(tmp_path, extra)) == f"{F}: every area needs exactly one level field (check duplicates)"


def test_an_area_without_a_level_field_is_named(tmp_path):
    path = write(
        tmp_path,
        ("  [[sections.fields]]\n" + AREA_LEVEL, ""),
        ('"level_history", "level_examination", ', '"level_history", '),
    )
    assert error(path) == f"{F}: every area needs exactly one level field (check examination)"


def test_the_version_must_match_the_file_name(tmp_path):
    path = write(tmp_path, ("version = 2\n", "version = 3\n"))
    assert error(path) == f"{F}: form.version is 3, the file name says 2"
    assert error(write(tmp_path, ("version = 2\n", "version = 1\n"))) == f"{F}: form.version is 1, the file name says 2"
    # another file name is not checked against the version
    assert load_file(write(tmp_path, ("version = 2\n", "version = 3\n"), name="draft.toml")).version == 3


def test_a_file_that_is_not_toml_or_not_there_is_one_clear_line(tmp_path):
    path = write(tmp_path, ("[identity]\n", "[identity\n"))
    message = error(path)
    assert message.startswith(f"{F}: not valid TOML: ")
    assert "\n" not in message
    missing = tmp_path / "minicex-9.toml"
    assert error(missing) == f"{missing}: cannot be read: No such file or directory"


def test_the_shipped_file_loads_unchanged_and_explicit_defaults_change_nothing(tmp_path):
    shipped = load_definition(2)
    assert load_file(write(tmp_path)) == shipped
    # a part, width, lines and norm written out at their defaults and bounds
    path = write(
        tmp_path,
        ('code = "details"\n', 'code = "details"\npart = "assessor"\n'),
        ('name = "date"\n  type = "date"', 'name = "date"\n  type = "date"\n  part = "assessor"\n  lines = 1'),
        ('name = "stage_time"\n  type = "text"\n  width = 0.5', 'name = "stage_time"\n  type = "text"\n  width = 1'),
        ("norm = [10, 20]", "norm = [15, 15]"),
    )
    loaded = load_file(path)
    assert loaded.field("date").part == "assessor"
    assert loaded.field("date").lines == 1
    assert loaded.field("stage_time").width == 1.0
    assert loaded.field("observation_minutes").norm == (15, 15)
    assert loaded.signature_fields == shipped.signature_fields


def test_a_multiline_field_keeps_its_lines_and_every_other_field_has_one():
    d = load_file(forms_dir() / F)  # not the cached definition: this test must run the loader
    lines = {f.name: f.lines for f in d.fields if f.lines != 1}
    assert lines == {"clinical_context": 2, "went_well": 4, "next_time": 4, "action_plan": 4}


def test_each_optional_role_is_read_even_when_an_earlier_one_is_left_out(tmp_path):
    path = write(tmp_path, ('overall = "level_overall"\n', ""))
    d = load_file(path)
    assert [r for r in ("overall", "assessor_trained", "times_seen", "confirmed_at", "return_to") if d.has_role(r)] == [
        "assessor_trained",
        "times_seen",
        "confirmed_at",
        "return_to",
    ]
    assert d.role("trainee_signature").name == "trainee_sig"
    # without the role the overall level is the one area not offered as a focus
    assert d.overall_field().name == "level_overall"


def test_a_loaded_definition_cannot_be_changed_in_place():
    d = load_definition(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.version = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.field("date").required = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.levels[0].rank = 9  # type: ignore[misc]
    # hashable values: fields and texts may key a dict
    assert {d.field("date"): 1}[load_definition(2).field("date")] == 1


def test_the_form_languages():
    assert split_langs("sv+en") == ("sv", "en")
    assert split_langs("sv") == ("sv",)
    assert split_langs("en") == ("en",)
    with pytest.raises(DefinitionError) as exc:
        split_langs("en+sv")
    assert str(exc.value) == "unknown language 'en+sv': use one of sv+en, sv, en"


def test_a_text_in_each_language_and_joined():
    t = Text(sv="Datum", en="Date")
    assert (t["sv"], t["en"]) == ("Datum", "Date")
    assert t.joined(("sv", "en")) == "Datum / Date"
    assert t.joined(("en",)) == "Date"
    assert t.joined(("sv", "en"), sep="\n") == "Datum\nDate"
    assert Text(sv="Patient", en="Patient").joined(("sv", "en")) == "Patient"


def test_what_a_field_says_of_itself():
    d = load_definition(2)
    setting, focus, date = d.field("setting"), d.field("focus"), d.field("assessor_signature_date")
    assert setting.title == Text(sv="Vårdmiljö", en="Setting")
    assert date.title == Text(sv="Bedömarens underskrift: datum", en="Assessor's signature: date")
    assert d.field("patient").title == Text(sv="Patient", en="Patient")
    buttons = {f.type: f.is_button for f in d.fields + d.signature_fields}
    assert buttons == {
        "text": False,
        "multiline": False,
        "date": False,
        "integer": False,
        "checkbox": True,
        "choice": True,
        "multichoice": True,
        "level": True,
        "signature": False,
    }
    assert focus.pdf_names == ("focus_history", "focus_examination", "focus_communication", "focus_organisation")
    assert setting.pdf_names == ("setting",)
    assert setting.option("inpatient") == setting.options[1]
    assert setting.option("ward") is None
    assert d.field("level_overall").option("not_observed") is None
    assert [o.code for o in d.field("level_history").options] == ["not_observed", "1", "2", "3", "4"]
    assert d.field("level_history").label == Text(sv="Anamnes", en="History taking")


def test_what_a_definition_answers():
    d = load_definition(2)
    assert d.released == dt.date(2026, 12, 1)
    assert [f.name for f in d.signature_fields] == ["assessor_sig", "trainee_sig"]
    assert "assessor_sig" not in [f.name for f in d.fields]
    assert [f.name for f in d.part_fields("trainee")] == [
        "action_plan",
        "trainee_signature_date",
        "trainee_printed_name",
    ]
    assert d.lock_names(d.field("trainee_sig")) == ("action_plan", "trainee_signature_date", "trainee_printed_name")
    lock = d.lock_names(d.field("assessor_sig"))
    assert lock[-3:] == ("form_id", "form_version", "instance_id")
    assert set(lock) == set(d.pdf_names) - {"action_plan", "trainee_signature_date", "trainee_printed_name"}
    assert [f.name for f in d.role_fields("feedback")] == ["went_well", "next_time"]
    assert d.role("feedback").name == "went_well"
    assert d.level("3") is d.levels[3]
    assert d.level("5") is None
    assert d.area("overall").focus is False
    with pytest.raises(KeyError):
        d.area("status")
    with pytest.raises(KeyError):
        d.field("status")
    assert [f.name for f in d.level_fields()] == [
        "level_history",
        "level_examination",
        "level_communication",
        "level_organisation",
        "level_overall",
    ]
    assert len(d.pdf_names) == len(set(d.pdf_names)) == 45
    assert d.pdf_names[-3:] == ("form_id", "form_version", "instance_id")


def test_version_one_has_no_optional_roles_and_finds_its_overall_level():
    d = load_definition(1)
    assert not any(d.has_role(r) for r in ("overall", "assessor_trained", "return_to", "assessor_signature"))
    assert d.overall_field().name == "level_overall"
    assert d.signature_fields == ()
    assert d.required_key is None


def test_without_a_single_unfocused_area_the_overall_role_is_asked_for(tmp_path):
    # version 1 has no overall role: with every area offered as a focus it cannot tell which one is the whole
    text = (forms_dir() / "minicex-1.toml").read_text(encoding="utf-8")
    assert text.count("focus = false") == 1
    path = tmp_path / "minicex-1.toml"
    path.write_text(text.replace("focus = false", "focus = true"), encoding="utf-8")
    with pytest.raises(KeyError):
        load_file(path).overall_field()


def test_every_shipped_version_is_loaded_once_and_an_unknown_one_is_named():
    assert list(definitions()) == [1, 2]
    assert definitions() is definitions()
    assert load_definition() is load_definition(2)
    assert isinstance(load_definition(1), FormDefinition)
    with pytest.raises(DefinitionError) as exc:
        load_definition(7)
    assert str(exc.value) == "no form definition version 7 (known: 1, 2)"


def test_the_forms_folder_is_the_checkout_s():
    assert forms_dir() == Path(__file__).resolve().parents[1] / "forms"


def test_an_assessor_s_signature_written_out_as_the_assessor_s_part_locks_the_same_fields(tmp_path):
    path = write(
        tmp_path,
        (
            'name = "assessor_sig"\n  type = "signature"',
            'name = "assessor_sig"\n  type = "signature"\n  part = "assessor"',
        ),
    )
    loaded, shipped = load_file(path), load_definition(2)
    assert loaded.lock_names(loaded.field("assessor_sig")) == shipped.lock_names(shipped.field("assessor_sig"))
    assert loaded.lock_names(loaded.field("assessor_sig"))[-3:] == ("form_id", "form_version", "instance_id")


def test_a_definition_s_repr_leaves_out_its_field_index():
    assert "_by_name" not in repr(load_definition(2))
