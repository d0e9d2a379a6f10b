"""The form definition loads, checks itself, and names the entry that is broken."""

from __future__ import annotations

import copy
import re
import tomllib

import pytest

from minicex_pdf.errors import DefinitionError
from minicex_pdf.form.definition import Text, definitions, forms_dir, load_definition, parse_definition


@pytest.fixture(scope="module")
def raw() -> dict:
    with (forms_dir() / "minicex-1.toml").open("rb") as fh:
        return tomllib.load(fh)


def test_every_shipped_version_loads_and_the_newest_is_default():
    known = definitions()
    assert list(known) == sorted(known)
    assert load_definition() is known[max(known)]
    for version, definition in known.items():
        assert definition.version == version


def test_names_are_unique_dot_free_ascii():
    names = load_definition().pdf_names
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", n) for n in names)


def test_instrument_is_complete():
    d = load_definition()
    types = {f.type for f in d.fields}
    assert types == {"text", "multiline", "date", "integer", "checkbox", "choice", "multichoice", "level"}
    assert [lv.rank for lv in d.levels] == list(range(len(d.levels)))
    assert {a.code for a in d.areas} == {f.area for f in d.level_fields()}
    assert all(f.options for f in d.fields if f.type in ("choice", "multichoice", "level"))
    assert all(f.label.sv and f.label.en and f.tooltip.sv and f.tooltip.en for f in d.fields)
    assert any(f.required for f in d.fields)
    # option codes are ASCII so that every viewer writes the same export value
    assert all(o.code.isascii() for f in d.fields for o in f.options)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["sections"][0]["fields"][0].update(name="trainee.name"), r"sections\[0\]\.fields\[0\]\.name"),
        (lambda d: d["sections"][0]["fields"][1].update(name="trainee_name"), "used twice"),
        (
            lambda d: d["sections"][0]["fields"][0]["label"].pop("en"),
            r"field 'trainee_name' \(sections\[0\]\.fields\[0\]\.label\): has no en text",
        ),
        (
            lambda d: d["sections"][0]["fields"][7].update(options=[]),
            r"field 'assessor_role' \(sections\[0\]\.fields\[7\]\.options\): must be a non-empty list",
        ),
        (lambda d: d["sections"][0]["fields"][0].update(type="colour"), "is not one of"),
        (lambda d: d["scale"]["levels"][2].update(rank=7), "ranks must run"),
        (lambda d: d["form"].update(version="one"), r"form\.version"),
        (lambda d: d["sections"][0]["fields"][0]["label"].update(sv="Namn ≥ 2"), "fonts cannot show"),
        (lambda d: d["roles"].update(date="trainee_name"), r"roles\.date: 'trainee_name' is a text field, not date"),
        (lambda d: d["roles"].update(feedback=["went_well", "nothing"]), r"roles\.feedback: no field 'nothing'"),
        (
            lambda d: d["roles"].update(personal_supervisor="boss"),
            r"roles\.personal_supervisor: 'boss' is not an option",
        ),
        (lambda d: d["roles"].pop("trainee"), r"roles: missing 'trainee'"),
    ],
)
def test_broken_definition_names_the_entry(raw, mutate, message):
    broken = copy.deepcopy(raw)
    mutate(broken)
    with pytest.raises(DefinitionError, match=message):
        parse_definition(broken, source="minicex-1.toml")


def test_unknown_version_is_a_clear_error():
    with pytest.raises(DefinitionError, match="no form definition version 999"):
        load_definition(999)


def test_a_changed_copy_of_a_definition_leaves_the_originals_fields_alone():
    """dataclasses.replace() once shared the name -> field lookup, so the copy's fields replaced the original's."""
    import dataclasses

    original = load_definition()
    before = original.field("setting")
    changed = dataclasses.replace(
        before, label=Text(sv="Annan etikett", en="Another label"), options=before.options[::-1]
    )
    sections = tuple(
        dataclasses.replace(s, fields=tuple(changed if f.name == "setting" else f for f in s.fields))
        for s in original.sections
    )
    copy = dataclasses.replace(original, sections=sections)
    assert copy.field("setting") == changed
    assert original.field("setting") is before
    assert load_definition().field("setting") is before
