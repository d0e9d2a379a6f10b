"""``minicex read`` of a mail file: each PDF attachment's record, with the message it came in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FormReadError
from ..reading.record import Record
from ..reading.signatures import SignaturePolicy
from .sources import MailMessage, messages_in


@dataclass(frozen=True)
class MailForm:
    """One PDF attachment of a message: its record, or why it cannot be read."""

    message: MailMessage
    name: str
    record: Record | None
    error: FormReadError | None

    def mail_json(self) -> dict[str, Any]:
        """The message's provenance as JSON-ready data."""
        return {"from": self.message.sender, "date": self.message.date, "subject": self.message.subject}


def mail_forms(path: str | Path, signatures: SignaturePolicy | None = None) -> Iterator[MailForm]:
    """Every PDF attachment in the mail file ``path``, read (MailReadError if the file cannot be read).

    ``signatures``: trust anchors and policy for signed forms (see :func:`~minicex_pdf.reading.reader.read_form`).
    """
    from ..reading.reader import read_form

    for message in messages_in(path):
        for pdf in message.pdfs:
            name = f"{message.origin}/{pdf.name}"
            try:
                yield MailForm(message, name, read_form(name, data=pdf.data, signatures=signatures), None)
            except FormReadError as exc:
                yield MailForm(message, name, None, exc)
