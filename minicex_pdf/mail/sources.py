"""Mail messages from files (``.eml``, ``.mbox``, Outlook ``.msg``) as PDF attachments and provenance.

Only what the import needs is taken from a message: the sender's address, the
date, the subject, and every PDF attachment, also inside forwarded messages
(``message/rfc822`` parts, Outlook's embedded messages) down to
:data:`~minicex_pdf.limits.MAIL_NESTING_MAX` levels. Bodies are never decoded
(so HTML is never rendered) and nothing here logs a header or a body. A message
or attachment over its size limit is skipped with a reason, not read.
"""

from __future__ import annotations

import datetime as _dt
import email
import email.parser
import email.policy
import email.utils
import hashlib
import logging
import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

from ..errors import FormReadError
from ..form.definition import Text
from ..limits import (
    MAIL_ATTACHMENT_MAX_BYTES,
    MAIL_ATTACHMENTS_MAX,
    MAIL_MESSAGE_MAX_BYTES,
    MAIL_NESTING_MAX,
    MBOX_MESSAGES_MAX,
)
from ..storage.store import Provenance
from . import MAIL_SUFFIXES, is_mail_file

__all__ = [
    "MAIL_SUFFIXES",
    "Attachment",
    "MailMessage",
    "MailReadError",
    "is_mail_file",
    "messages_in",
    "parse_message",
]

_PDF_MAGIC = b"%PDF-"

_SKIP = {
    "message_too_large": Text("meddelandet är för stort för att läsas", "the message is too large to read"),
    "attachment_too_large": Text("en PDF-bilaga är för stor för att läsas", "a PDF attachment is too large to read"),
    "too_many": Text("för många PDF-bilagor, resten lästes inte", "too many PDF attachments, the rest were not read"),
    "unreadable": Text("meddelandet kan inte läsas (felaktigt uppbyggt)", "the message cannot be read (malformed)"),
    "too_deep": Text("vidarebefordrade meddelanden för djupt i varandra", "forwarded messages nested too deep to open"),
}


class MailReadError(FormReadError):
    """A mail file (``.eml``, ``.mbox``, ``.msg``) cannot be read at all."""

    kind = "mail_unreadable"
    text = {"sv": "e-postfilen kan inte läsas", "en": "the e-mail file cannot be read"}


@dataclass(frozen=True)
class Attachment:
    """A PDF attachment: its file name (as sent, or made up) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class MailMessage:
    """One message: where it is, its key (Message-ID or SHA-256), provenance, PDF attachments, what was skipped."""

    origin: str
    key: str
    sender: str | None
    date: str | None
    subject: str | None
    pdfs: tuple[Attachment, ...]
    skipped: tuple[str, ...] = ()

    @property
    def provenance(self) -> Provenance:
        """Sender, date and subject, as the store keeps them with each form."""
        return Provenance(self.sender, self.date, self.subject)

    def skip_reasons(self) -> list[Text]:
        """What was not read, in words."""
        return [_SKIP[code] for code in self.skipped]


def messages_in(path: str | Path) -> Iterator[MailMessage]:
    """Every message in a mail file, by its suffix; :class:`MailReadError` if the file cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".mbox":
        yield from _mbox(path)
    elif suffix == ".msg":
        yield from _msg(path)
    else:
        yield parse_message(_read_file(path), str(path))


def _read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAIL_MESSAGE_MAX_BYTES:
            return b""  # parse_message turns "too large" into a skip; b"" stands for it
        return path.read_bytes()
    except OSError as exc:
        raise MailReadError(path, exc.strerror or "") from None


def message_key(message_id: str | None, raw: bytes) -> str:
    """How a message is known across runs: its Message-ID, or ``sha256:`` of its bytes when it has none."""
    mid = (message_id or "").strip()
    return mid if mid else "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_message(raw: bytes, origin: str, key: str | None = None) -> MailMessage:
    """A message's provenance and PDF attachments from its bytes (RFC 5322).

    ``b""`` stands for a message too large to read: it gets the key ``key`` (or its
    origin), so that it is listed once and not confused with another.
    """
    if not raw or len(raw) > MAIL_MESSAGE_MAX_BYTES:
        return MailMessage(origin, key or f"too-large:{origin}", None, None, None, (), ("message_too_large",))
    pdfs: list[Attachment] = []
    skipped: list[str] = []
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        _walk(msg, 0, pdfs, skipped)
    except (RecursionError, ValueError, TypeError, LookupError, AssertionError):
        # Hostile nesting (the parser itself recurses) or a broken structure: listed, never a crash;
        # the headers alone (not recursive) still say who sent it and when.
        head = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        return MailMessage(
            origin,
            key or message_key(_header(head, "message-id"), raw),
            _address(_header(head, "from")),
            _date(_header(head, "date")),
            _header(head, "subject"),
            (),
            ("unreadable",),
        )
    return MailMessage(
        origin=origin,
        key=message_key(_header(msg, "message-id"), raw),
        sender=_address(_header(msg, "from")),
        date=_date(_header(msg, "date")),
        subject=_header(msg, "subject"),
        pdfs=tuple(pdfs),
        skipped=tuple(dict.fromkeys(skipped)),
    )


def _header(msg: Message, name: str) -> str | None:
    """A header as text, None when missing or not decodable (a malformed header is not an error)."""
    try:
        value = msg.get(name)
    except Exception:  # the policy raises on some malformed headers
        return None
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _address(value: str | None) -> str | None:
    if not value:
        return None
    address = email.utils.parseaddr(value)[1]
    return address or None


def _date(value: str | None) -> str | None:
    """A Date header as ISO 8601 in UTC, None when it cannot be parsed."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return _iso(when)


def _iso(when: _dt.datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return when.astimezone(_dt.UTC).isoformat(timespec="seconds")


def _walk(part: Message, depth: int, pdfs: list[Attachment], skipped: list[str]) -> None:
    """Collect PDF attachments under ``part``, opening forwarded messages ``MAIL_NESTING_MAX`` deep."""
    ctype = part.get_content_type()
    if ctype == "message/rfc822" or part.is_multipart():
        if ctype == "message/rfc822":
            depth += 1
            if depth > MAIL_NESTING_MAX:
                skipped.append("too_deep")
                return
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else ():
            if isinstance(sub, Message):
                _walk(sub, depth, pdfs, skipped)
        return
    name = part.get_filename() or ""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return
    maybe_pdf = _says_pdf(ctype, name)
    if not maybe_pdf and ctype != "application/octet-stream":
        return  # only PDFs are read: text and HTML bodies are left undecoded
    # Base64 grows data by 4/3, line breaks aside (CRLF ones add 2/76 more): an encoded payload
    # with this many characters besides them cannot be under the limit.
    encoded = len(payload) - payload.count("\n") - payload.count("\r")
    if encoded > MAIL_ATTACHMENT_MAX_BYTES * 4 // 3 + 4096:
        if maybe_pdf:
            skipped.append("attachment_too_large")
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return
    if not maybe_pdf and not data[:1024].lstrip().startswith(_PDF_MAGIC):
        return
    if len(data) > MAIL_ATTACHMENT_MAX_BYTES:
        skipped.append("attachment_too_large")
        return
    _take(pdfs, skipped, name, data)


def _says_pdf(ctype: str, name: str) -> bool:
    """Does a part call itself a PDF, by its content type or its file name (``ctype`` in lower case)."""
    return ctype == "application/pdf" or name.lower().endswith(".pdf")


def _take(pdfs: list[Attachment], skipped: list[str], name: str, data: bytes) -> None:
    if len(pdfs) >= MAIL_ATTACHMENTS_MAX:
        skipped.append("too_many")
        return
    base = name.replace("/", "_").replace("\\", "_").strip() or f"attachment-{len(pdfs) + 1}.pdf"
    pdfs.append(Attachment(base, data))


# ---------------------------------------------------------------------- .mbox


def _mbox(path: Path) -> Iterator[MailMessage]:
    if not path.is_file():
        raise MailReadError(path, "not a file")
    try:
        box = mailbox.mbox(path, create=False)
        keys = box.keys()
    except (OSError, mailbox.Error) as exc:
        raise MailReadError(path, getattr(exc, "strerror", None) or type(exc).__name__) from None
    try:
        for n, key in enumerate(keys[:MBOX_MESSAGES_MAX], start=1):
            start, stop = box._toc[key]  # type: ignore[attr-defined]  # offsets mailbox found: size before reading
            origin = f"{path}#{n}"
            if stop - start > MAIL_MESSAGE_MAX_BYTES:
                yield parse_message(b"", origin)
                continue
            yield parse_message(box.get_bytes(key), origin)
    finally:
        box.close()


# ---------------------------------------------------------------------- Outlook .msg


def _msg(path: Path) -> Iterator[MailMessage]:
    try:
        import extract_msg
    except ImportError:
        raise MailReadError(path, "Outlook .msg files need extract-msg: pip install 'minicex-pdf[msg]'") from None
    logging.getLogger("extract_msg").setLevel(logging.CRITICAL)  # it would log header and body details
    try:
        raw = _read_file(path)
        if not raw:
            yield parse_message(b"", str(path))
            return
        msg = extract_msg.openMsg(raw, delayAttachments=False)
    except MailReadError:
        raise
    except Exception as exc:  # extract-msg raises many kinds on a file that is not a real .msg
        raise MailReadError(path, type(exc).__name__) from None
    try:
        pdfs: list[Attachment] = []
        skipped: list[str] = []
        _msg_walk(msg, 0, pdfs, skipped)
        when = getattr(msg, "date", None)
        yield MailMessage(
            origin=str(path),
            key=message_key(_msg_text(msg, "messageId"), raw),
            sender=_address(_msg_text(msg, "sender")),
            date=_iso(when) if isinstance(when, _dt.datetime) else None,
            subject=_msg_text(msg, "subject"),
            pdfs=tuple(pdfs),
            skipped=tuple(dict.fromkeys(skipped)),
        )
    finally:
        msg.close()


def _msg_attr(obj: Any, name: str) -> Any:
    """A property extract-msg decodes when asked, None when it cannot (a malformed property is not an error)."""
    try:
        return getattr(obj, name, None)
    except Exception:  # e.g. a file name that is not valid UTF-16
        return None


def _msg_text(msg: Any, name: str) -> str | None:
    value = _msg_attr(msg, name)
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _msg_walk(msg: Any, depth: int, pdfs: list[Attachment], skipped: list[str]) -> None:
    """Collect PDF attachments of an Outlook message ``depth`` embedded messages deep, as :func:`_walk` does."""
    if depth > MAIL_NESTING_MAX:
        skipped.append("too_deep")
        return
    for att in getattr(msg, "attachments", ()):
        data = getattr(att, "data", None)
        if data is None:
            continue
        if not isinstance(data, bytes):  # an embedded (forwarded) message
            _msg_walk(data, depth + 1, pdfs, skipped)
            continue
        name = _msg_attr(att, "longFilename") or _msg_attr(att, "shortFilename") or ""
        mime = (_msg_attr(att, "mimetype") or "").lower()
        if _says_pdf(mime, name) or data[:1024].lstrip().startswith(_PDF_MAGIC):
            if len(data) > MAIL_ATTACHMENT_MAX_BYTES:
                skipped.append("attachment_too_large")
            else:
                _take(pdfs, skipped, name, data)
