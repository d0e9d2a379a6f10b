"""Teeth for :mod:`minicex_pdf.mail.read`: each PDF attachment of a mail file, read, with its message."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import returned_mail

from minicex_pdf.mail.read import mail_forms


def test_each_attachment_is_read_or_says_why_and_keeps_its_message(tmp_path: Path, pdfium_filled: bytes) -> None:
    eml = tmp_path / "svar.eml"
    eml.write_bytes(returned_mail(("trasig.pdf", b"inte en PDF"), ("f.pdf", pdfium_filled)))
    broken, good = mail_forms(eml)
    mail = {"from": "karin.lund@example.se", "date": "2026-03-10T07:15:00+00:00", "subject": "Ifyllt formulär"}
    assert (broken.name, broken.mail_json(), broken.record) == (f"{eml}/trasig.pdf", mail, None)
    assert broken.error is not None and broken.error.kind == "not_pdf"
    assert (good.name, good.mail_json(), good.error) == (f"{eml}/f.pdf", mail, None)
    assert good.record is not None and good.record.source.path == f"{eml}/f.pdf"
    with pytest.raises(dataclasses.FrozenInstanceError):
        good.record = None  # type: ignore[misc]
