"""The field and widget flags viewers act on, read from the generated PDF itself (not the generator's arguments).

Each expectation is the PDF specification's bit for what a user relies on: a
radio group that cannot be switched off once chosen (NoToggleToOff + Radio),
free text that takes line breaks only where the definition says multi-line,
identity fields nobody can type into and nobody sees, widgets that print.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from minicex_pdf.form.definition import FORM_LANGS, FormDefinition
from minicex_pdf.form.generator import build_form

# PDF 32000-1, tables 221, 226, 228 and 165: field flags (/Ff) and annotation flags (/F).
READ_ONLY = 1 << 0
REQUIRED = 1 << 1
MULTILINE = 1 << 12
NO_TOGGLE_TO_OFF = 1 << 14
RADIO = 1 << 15
PUSHBUTTON = 1 << 16
HIDDEN = 1 << 1
PRINT = 1 << 2

#: What each field type of the definition is in the PDF: field type and the /Ff bits that must be set / clear.
EXPECTED = {
    "text": ("/Tx", 0, MULTILINE | READ_ONLY),
    "date": ("/Tx", 0, MULTILINE | READ_ONLY),
    "integer": ("/Tx", 0, MULTILINE | READ_ONLY),
    "multiline": ("/Tx", MULTILINE, READ_ONLY),
    "checkbox": ("/Btn", 0, RADIO | PUSHBUTTON | READ_ONLY),
    "choice": ("/Btn", RADIO | NO_TOGGLE_TO_OFF, PUSHBUTTON | READ_ONLY),
    "level": ("/Btn", RADIO | NO_TOGGLE_TO_OFF, PUSHBUTTON | READ_ONLY),
}


def _fields(pdf: bytes) -> dict[str, dict]:
    """Every terminal field of the PDF by name, with its widgets: {name: {"ft", "ff", "widgets": [annotation flags]}}."""
    reader = PdfReader(io.BytesIO(pdf))
    out: dict[str, dict] = {}

    def walk(ref: object, parent: dict | None) -> None:
        node = ref.get_object()  # type: ignore[attr-defined]
        name = node.get("/T")
        kids = node.get("/Kids")
        if name is not None:
            entry = out.setdefault(str(name), {"ft": node.get("/FT"), "ff": int(node.get("/Ff", 0)), "widgets": []})
            if "/Subtype" in node:
                entry["widgets"].append(int(node.get("/F", 0)))
            for kid in kids or []:
                walk(kid, entry)
        elif parent is not None:  # a widget kid of a named field
            parent["widgets"].append(int(node.get("/F", 0)))
            if node.get("/FT") and parent["ft"] is None:
                parent["ft"] = node.get("/FT")

    for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        walk(ref, None)
    return out


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_every_field_has_the_flags_its_type_needs(definition: FormDefinition, lang: str) -> None:
    fields = _fields(build_form(definition, lang=lang))
    checked = 0
    for fld in definition.fields:
        names = list(fld.pdf_names)
        if fld.type == "multichoice":  # one check box per option, each its own field
            kinds = [("/Btn", 0, RADIO | PUSHBUTTON | READ_ONLY)] * len(names)
        else:
            kinds = [EXPECTED[fld.type]]
        for name, (ft, must, must_not) in zip(names, kinds, strict=True):
            got = fields[name]
            assert got["ft"] == ft, name
            assert got["ff"] & must == must, f"{name}: /Ff {got['ff']:#x} lacks {must:#x}"
            assert got["ff"] & must_not == 0, f"{name}: /Ff {got['ff']:#x} has {got['ff'] & must_not:#x}"
            assert got["widgets"] and all(f & PRINT and not f & HIDDEN for f in got["widgets"]), name
            checked += 1
    assert checked >= len(definition.fields)


def test_identity_fields_are_read_only_and_hidden(definition: FormDefinition) -> None:
    fields = _fields(build_form(definition, instance_id="4f1c2d3e"))
    ident = definition.identity
    for name in ident.names:
        got = fields[name]
        assert got["ft"] == "/Tx"
        assert got["ff"] & READ_ONLY, name
        assert got["widgets"] and all(f & HIDDEN for f in got["widgets"]), name


def test_no_field_outside_the_definition(definition: FormDefinition) -> None:
    fields = set(_fields(build_form(definition)))
    expected = set(definition.identity.names)
    for fld in (*definition.fields, *definition.signature_fields):  # digital signatures: version 2 on
        expected |= set(fld.pdf_names)
    assert fields == expected
