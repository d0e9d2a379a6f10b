"""Teeth for :mod:`minicex_pdf.mail.read`: each PDF attachment of a mail file, read, with its message."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from pathlib import Path

import pytest

from minicex_pdf.mail.read import mail_forms


def test_each_attachment_is_read_or_says_why_and_keeps_its_message(tmp_path: Path, pdfium_filled: bytes) -> None:
    msg = EmailMessage()
    msg["From"] = "Karin Lund <karin.lund@example.se>"
    msg["Subject"] = "Ifyllt formulär"
    msg["Date"] = "Tue, 10 Mar 2026 08:15:00 +0100"
    msg.set_content("Se bilaga.\n")
    msg.add_attachment(b"inte en PDF", maintype="application", subtype="pdf", filename="trasig.pdf")
    msg.add_attachment(pdfium_filled, maintype="application", subtype="pdf", filename="f.pdf")
    eml = tmp_path / "svar.eml"
    eml.write_bytes(msg.as_bytes())
    broken, good = mail_forms(eml)
    mail = {"from": "karin.lund@example.se", "date": "2026-03-10T07:15:00+00:00", "subject": "Ifyllt formulär"}
    assert (broken.name, broken.mail_json(), broken.record) == (f"{eml}/trasig.pdf", mail, None)
    assert broken.error is not None and broken.error.kind == "not_pdf"
    assert (good.name, good.mail_json(), good.error) == (f"{eml}/f.pdf", mail, None)
    assert good.record is not None and good.record.source.path == f"{eml}/f.pdf"
    with pytest.raises(dataclasses.FrozenInstanceError):
        good.record = None  # type: ignore[misc]
