"""PDFium (Chrome, Edge) fills every field of the generated form by clicking and typing; pypdf reads it back."""

from __future__ import annotations

import datetime as _dt

import pytest

from minicex_pdf.errors import UsageError
from minicex_pdf.form.definition import Field, FormDefinition
from minicex_pdf.form.generator import build_form

pytest.importorskip("pypdfium2")

from minicex_pdf.engines.pdfium import fill_pdfium


def expected_pdf_values(fld: Field, value: object) -> dict[str, object]:
    """What pypdf should read in each PDF field of ``fld`` after filling ``value``."""
    if fld.type == "multichoice":
        chosen = set(value)  # type: ignore[call-overload]
        return {fld.option_field(o.code): "Yes" if o.code in chosen else None for o in fld.options}
    if fld.type == "checkbox":
        return {fld.name: "Yes" if value else None}
    if isinstance(value, _dt.date):
        return {fld.name: value.isoformat()}
    return {fld.name: str(value)}


def assert_reads_back(fields: dict, definition: FormDefinition, values: dict[str, object]) -> None:
    for name, value in values.items():
        fld = definition.field(name)
        for pdf_name, want in expected_pdf_values(fld, value).items():
            got = fields[pdf_name]["V"]
            if want is None:
                assert got in (None, "Off"), pdf_name
            else:
                assert got == want, pdf_name
            if fld.is_button and want is not None:
                # the widget that shows the value is the one switched on
                assert want in fields[pdf_name]["AS"], pdf_name


def test_every_fillable_field_reads_back(pdfium_filled, definition, all_values, read_fields):
    fields = read_fields(pdfium_filled)
    filled_names = {n for f in definition.fields for n in f.pdf_names}
    # every fillable field got a value: nothing left out of the test
    assert {n for name, v in all_values.items() for n in expected_pdf_values(definition.field(name), v)} == (
        filled_names
    )
    assert_reads_back(fields, definition, all_values)


def test_text_survives_whole(pdfium_filled, definition, all_values, read_fields):
    fields = read_fields(pdfium_filled)
    long = [f for f in definition.fields if f.type == "text" and len(str(all_values[f.name])) > 150]
    assert long, "the test values include free text over 150 characters"
    for fld in long:
        assert fields[fld.name]["V"] == all_values[fld.name]
    multi = [f for f in definition.fields if f.type == "multiline"]
    for fld in multi:
        assert "\n\n" in fields[fld.name]["V"]
        assert "åäö" in fields[fld.name]["V"] and "ÅÄÖ" in fields[fld.name]["V"]


def test_identity_fields_are_untouched(pdfium_filled, definition, read_fields):
    fields = read_fields(pdfium_filled)
    ident = definition.identity
    assert fields[ident.form_id_field]["V"] == definition.id
    assert fields[ident.version_field]["V"] == str(definition.version)
    assert fields[ident.instance_field]["V"] in ("", None)


def test_save_is_incremental_like_chrome(blank_pdf, pdfium_filled):
    assert pdfium_filled.startswith(blank_pdf)
    assert len(pdfium_filled) > len(blank_pdf)
    assert pdfium_filled.count(b"%%EOF") == blank_pdf.count(b"%%EOF") + 1


def test_refilling_replaces_text_and_unticks(definition, read_fields):
    text = next(f for f in definition.fields if f.type == "text")
    multi = next(f for f in definition.fields if f.type == "multichoice")
    check = next(f for f in definition.fields if f.type == "checkbox")
    level = next(f for f in definition.fields if f.type == "level")
    before = {
        text.name: "Gammalt värde",
        multi.name: tuple(o.code for o in multi.options),
        check.name: True,
        level.name: level.options[1].code,
    }
    prefilled = build_form(definition, values=before)
    after = {
        text.name: "Nytt värde, Örjan",
        multi.name: (multi.options[-1].code,),
        check.name: False,
        level.name: level.options[-1].code,
    }
    fields = read_fields(fill_pdfium(prefilled, after, definition))
    assert_reads_back(fields, definition, after)
    assert fields[level.name]["AS"].count(level.options[-1].code) == 1
    assert level.options[1].code not in fields[level.name]["AS"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_single_language_forms_fill_too(blank_pdfs, definition, all_values, read_fields, lang):
    values = {f.name: all_values[f.name] for f in definition.fields if f.type in ("multiline", "choice", "date")}
    fields = read_fields(fill_pdfium(blank_pdfs[lang], values, definition))
    assert_reads_back(fields, definition, values)


def test_unknown_field_or_option_is_a_usage_error(blank_pdf, definition):
    with pytest.raises(UsageError, match="no_such_field"):
        fill_pdfium(blank_pdf, {"no_such_field": "x"}, definition)
    choice = next(f for f in definition.fields if f.type == "choice")
    with pytest.raises(UsageError, match=choice.name):
        fill_pdfium(blank_pdf, {choice.name: "not_an_option"}, definition)
