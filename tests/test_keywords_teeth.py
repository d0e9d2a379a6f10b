"""The form's identity in the PDF's /Keywords: what the generator writes is what the reader reads back."""

from __future__ import annotations

from pypdf import PdfReader

from minicex_pdf.form.definition import forms_dir, load_definition
from minicex_pdf.form.keywords import identity_keywords, parse_identity_keywords


def test_the_keywords_of_a_form_and_of_a_prefilled_one():
    assert identity_keywords(load_definition(2)) == (
        "minicex-form-id=minicex-st; minicex-form-version=2; minicex-instance-id="
    )
    assert identity_keywords(load_definition(1), "7f3a") == (
        "minicex-form-id=minicex-st; minicex-form-version=1; minicex-instance-id=7f3a"
    )


def test_the_shipped_blank_carries_them_and_they_read_back():
    keywords = PdfReader(forms_dir() / "blank-sv+en.pdf").metadata["/Keywords"]
    assert parse_identity_keywords(keywords) == {"form-id": "minicex-st", "form-version": "2", "instance-id": ""}


def test_other_keywords_around_them_are_ignored():
    text = "mini-CEX, ST;minicex-form-id=minicex-st;minicex-instance-id=ab12 xminicex-form-version=9 minicex-colour=red"
    assert parse_identity_keywords(text) == {"form-id": "minicex-st", "instance-id": "ab12"}
    assert parse_identity_keywords("") == {}
    assert parse_identity_keywords(None) == {}  # type: ignore[arg-type]
