"""Teeth for :mod:`minicex_pdf.mail.sources`: which PDFs a mail file yields, by what name, and what is skipped.

Real messages made with :mod:`email` carrying real forms from the generator, written to real
``.eml``/``.mbox`` files, and the real Outlook ``.msg`` in ``tests/resources``. Limits are bound
when ``sources`` is imported, so a test narrows them by patching the names in that module.
"""

from __future__ import annotations

import dataclasses
import email.policy
from email.message import EmailMessage, MIMEPart
from pathlib import Path

import pytest

import minicex_pdf.mail.sources as sources
from minicex_pdf.limits import MAIL_NESTING_MAX
from minicex_pdf.mail.sources import MailMessage, messages_in, parse_message

RESOURCES = Path(__file__).parent / "resources"
OUTLOOK = RESOURCES / "bounce-with-forwarded-pdf.msg"
OUTLOOK_PDF = "北京 2017年12月02-03日 销售主管 确认n.pdf"
LINE_ENDS = {"LF": email.policy.default, "CRLF": email.policy.SMTP}


@pytest.fixture(scope="module")
def pdf(newest_blanks: dict[str, bytes]) -> bytes:
    """A real blank form from the generator."""
    return newest_blanks["sv+en"]


def mail(subject: str = "Svar", body: str = "Här är formuläret.\n") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Karin Lund <karin.lund@example.se>"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{subject.encode().hex()}@example.se>"
    msg.set_content(body)
    return msg


def only(path: Path) -> MailMessage:
    [message] = list(messages_in(path))
    return message


def found(message: MailMessage) -> tuple[list[tuple[str, bytes]], tuple[str, ...]]:
    return [(a.name, a.data) for a in message.pdfs], message.skipped


@pytest.mark.parametrize("ends", sorted(LINE_ENDS))
def test_a_pdf_exactly_at_the_attachment_limit_is_taken_one_byte_more_is_skipped(
    tmp_path: Path, pdf: bytes, ends: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also with CRLF line ends (IMAP, Windows), whose line breaks are not part of the base64 data."""
    msg = mail()
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    msg.add_attachment(pdf, maintype="application", subtype="octet-stream", filename="skannat")
    eml = tmp_path / "svar.eml"
    eml.write_bytes(msg.as_bytes(policy=LINE_ENDS[ends]))
    monkeypatch.setattr(sources, "MAIL_ATTACHMENT_MAX_BYTES", len(pdf))
    assert found(only(eml)) == ([("svar.pdf", pdf), ("skannat", pdf)], ())
    monkeypatch.setattr(sources, "MAIL_ATTACHMENT_MAX_BYTES", len(pdf) - 1)
    assert found(only(eml)) == ([], ("attachment_too_large",))


def test_a_pdf_whose_encoding_alone_is_over_the_limit_is_skipped_without_decoding(
    tmp_path: Path, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    msg = mail()
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    msg.add_attachment(pdf[:2000], maintype="application", subtype="pdf", filename="liten.pdf")
    eml = tmp_path / "svar.eml"
    eml.write_bytes(msg.as_bytes())
    monkeypatch.setattr(sources, "MAIL_ATTACHMENT_MAX_BYTES", 2000)
    message = only(eml)
    assert found(message) == ([("liten.pdf", pdf[:2000])], ("attachment_too_large",))
    assert [t.en for t in message.skip_reasons()] == ["a PDF attachment is too large to read"]


def test_only_pdfs_are_taken_octet_streams_by_their_bytes_and_nameless_ones_are_numbered(
    tmp_path: Path, pdf: bytes
) -> None:
    msg = mail(body="%PDF-1.7 is the start of every PDF file.\n")  # a text body is never opened
    msg.add_alternative("<p>%PDF-1.7</p>", subtype="html")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    msg.add_attachment(pdf, maintype="application", subtype="octet-stream")  # nameless, a PDF by its bytes
    msg.add_attachment(b"\r\n \t" + pdf, maintype="application", subtype="octet-stream", filename="skannat")
    msg.add_attachment(b"PK\x03\x04 a zip archive", maintype="application", subtype="octet-stream", filename="a.zip")
    msg.add_attachment(pdf, maintype="image", subtype="png", filename="bild.png")  # a picture is not opened
    mislabelled = MIMEPart()  # a mail program that calls a PDF text: its name still says PDF
    mislabelled.set_content(pdf, maintype="application", subtype="pdf", filename="fel-typ.pdf")
    mislabelled.replace_header("Content-Type", 'text/plain; name="fel-typ.pdf"')
    msg.add_attachment(mislabelled)
    msg.add_attachment(b"not a PDF at all", maintype="application", subtype="pdf", filename="trasig.pdf")
    msg.add_attachment(pdf, maintype="application", subtype="pdf")  # nameless
    eml = tmp_path / "svar.eml"
    eml.write_bytes(msg.as_bytes())
    assert found(only(eml)) == (
        [
            ("svar.pdf", pdf),
            ("attachment-2.pdf", pdf),
            ("skannat", b"\r\n \t" + pdf),
            ("fel-typ.pdf", pdf),
            ("trasig.pdf", b"not a PDF at all"),  # the reader says what is wrong with it
            ("attachment-6.pdf", pdf),
        ],
        (),
    )


def test_forwarded_messages_are_opened_exactly_to_the_nesting_limit(tmp_path: Path, pdf: bytes) -> None:
    inner = None
    for level in range(MAIL_NESTING_MAX + 1, -1, -1):
        msg = mail(f"Nivå {level}")
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"nivå-{level}.pdf")
        if inner is not None:
            msg.add_attachment(inner)  # message/rfc822
        inner = msg
    assert inner is not None and inner["Subject"] == "Nivå 0"
    eml = tmp_path / "vidarebefordrat.eml"
    eml.write_bytes(inner.as_bytes())
    message = only(eml)
    assert found(message) == ([(f"nivå-{n}.pdf", pdf) for n in range(MAIL_NESTING_MAX + 1)], ("too_deep",))
    assert message.subject == "Nivå 0"


def test_a_message_file_exactly_at_the_message_limit_is_read_one_byte_more_is_skipped(
    tmp_path: Path, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    msg = mail()
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    eml = tmp_path / "svar.eml"
    eml.write_bytes(msg.as_bytes())
    monkeypatch.setattr(sources, "MAIL_MESSAGE_MAX_BYTES", eml.stat().st_size)
    assert found(only(eml)) == ([("svar.pdf", pdf)], ())
    monkeypatch.setattr(sources, "MAIL_MESSAGE_MAX_BYTES", eml.stat().st_size - 1)
    message = only(eml)
    assert (message.key, found(message)) == (f"too-large:{eml}", ([], ("message_too_large",)))


def write_mbox(path: Path, messages: list[EmailMessage]) -> list[int]:
    """An mbox as mail programs write it; each message's size from its ``From`` line to its last line."""
    sizes, out = [], b""
    for msg in messages:
        entry = b"From karin.lund@example.se Sat Mar 14 09:30:00 2026\n" + msg.as_bytes(unixfrom=False)
        entry = entry.replace(b"\nFrom ", b"\n>From ")
        sizes.append(len(entry))
        out += entry + b"\n"
    path.write_bytes(out)
    return sizes


def test_an_mbox_message_exactly_at_the_message_limit_is_read_one_byte_more_is_skipped(
    tmp_path: Path, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    middle = mail("Med formulär")
    middle.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    box = tmp_path / "inkorg.mbox"
    sizes = write_mbox(box, [mail("Först"), middle, mail("Sist")])
    monkeypatch.setattr(sources, "MAIL_MESSAGE_MAX_BYTES", sizes[1])
    messages = list(messages_in(box))
    assert [(m.origin, m.subject, *found(m)) for m in messages] == [
        (f"{box}#1", "Först", [], ()),
        (f"{box}#2", "Med formulär", [("svar.pdf", pdf)], ()),
        (f"{box}#3", "Sist", [], ()),
    ]
    monkeypatch.setattr(sources, "MAIL_MESSAGE_MAX_BYTES", sizes[1] - 1)
    messages = list(messages_in(box))
    assert [(m.origin, m.subject, *found(m)) for m in messages] == [
        (f"{box}#1", "Först", [], ()),
        (f"{box}#2", None, [], ("message_too_large",)),
        (f"{box}#3", "Sist", [], ()),
    ]


def test_an_mbox_is_read_up_to_its_message_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    box = tmp_path / "inkorg.mbox"
    write_mbox(box, [mail("Ett"), mail("Två"), mail("Tre")])
    monkeypatch.setattr(sources, "MBOX_MESSAGES_MAX", 2)
    assert [m.subject for m in messages_in(box)] == ["Ett", "Två"]


def test_a_file_not_named_mbox_or_msg_is_read_as_one_message(tmp_path: Path, pdf: bytes) -> None:
    """A message saved as ``.txt`` (or ``.pdf.eml``, or without a suffix) is RFC 5322, not Outlook's format."""
    msg = mail()
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    for name in ("sparat.txt", "sparat.xml", "svar.EML", "sparat"):
        saved = tmp_path / name
        saved.write_bytes(msg.as_bytes())
        message = only(saved)
        assert (message.origin, message.subject, *found(message)) == (str(saved), "Svar", [("svar.pdf", pdf)], ())


@pytest.fixture(scope="module")
def outlook_pdf_size() -> int:
    """The size of the PDF in the real .msg's embedded message, as extract-msg itself reads it."""
    extract_msg = pytest.importorskip("extract_msg", reason="extract-msg is not installed")
    msg = extract_msg.openMsg(str(OUTLOOK))
    try:
        [embedded] = msg.attachments
        [attachment] = embedded.data.attachments
        assert attachment.longFilename == OUTLOOK_PDF
        return len(attachment.data)
    finally:
        msg.close()


def test_outlook_embedded_messages_are_opened_exactly_to_the_nesting_limit(
    outlook_pdf_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAIL_NESTING_MAX", 1)
    [pdf] = only(OUTLOOK).pdfs
    assert (pdf.name, len(pdf.data), pdf.data[:5]) == (OUTLOOK_PDF, outlook_pdf_size, b"%PDF-")
    monkeypatch.setattr(sources, "MAIL_NESTING_MAX", 0)
    assert found(only(OUTLOOK)) == ([], ("too_deep",))


def test_an_outlook_pdf_exactly_at_the_attachment_limit_is_taken_one_byte_more_is_skipped(
    outlook_pdf_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAIL_ATTACHMENT_MAX_BYTES", outlook_pdf_size)
    assert [(a.name, len(a.data)) for a in only(OUTLOOK).pdfs] == [(OUTLOOK_PDF, outlook_pdf_size)]
    monkeypatch.setattr(sources, "MAIL_ATTACHMENT_MAX_BYTES", outlook_pdf_size - 1)
    assert found(only(OUTLOOK)) == ([], ("attachment_too_large",))


@pytest.mark.parametrize("ends", sorted(LINE_ENDS))
def test_an_octet_stream_too_long_to_be_a_pdf_under_the_limit_is_not_opened(
    tmp_path: Path, pdf: bytes, ends: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Base64 of at most limit * 4 // 3 + 4096 characters is opened (and a PDF in it over the limit listed);
    a longer one is not decoded at all: nothing says it is a PDF, so it is not listed as one.
    (The PDFs are padded after their ``%%EOF`` with line ends, which viewers ignore.)"""
    limit = len(pdf) // 3 * 3
    longest = limit + 3072  # 4 * ceil(longest / 3) == limit * 4 // 3 + 4096
    msg = mail()
    msg.add_attachment(pdf + b"\n" * (longest - len(pdf)), maintype="application", subtype="octet-stream")
    at_most = tmp_path / "at-most.eml"
    at_most.write_bytes(msg.as_bytes(policy=LINE_ENDS[ends]))
    msg = mail()
    msg.add_attachment(pdf + b"\n" * (longest + 1 - len(pdf)), maintype="application", subtype="octet-stream")
    longer = tmp_path / "longer.eml"
    longer.write_bytes(msg.as_bytes(policy=LINE_ENDS[ends]))
    monkeypatch.setattr(sources, "MAIL_ATTACHMENT_MAX_BYTES", limit)
    assert found(only(at_most)) == ([], ("attachment_too_large",))
    assert found(only(longer)) == ([], ())


def test_parse_message_reads_a_message_exactly_at_the_limit_and_skips_one_byte_more(
    pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the IMAP import calls it, with the bytes the server sent."""
    msg = mail()
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    raw = msg.as_bytes(policy=email.policy.SMTP)
    monkeypatch.setattr(sources, "MAIL_MESSAGE_MAX_BYTES", len(raw))
    message = parse_message(raw, "INBOX/7")
    assert (message.origin, message.subject, *found(message)) == ("INBOX/7", "Svar", [("svar.pdf", pdf)], ())
    monkeypatch.setattr(sources, "MAIL_MESSAGE_MAX_BYTES", len(raw) - 1)
    message = parse_message(raw, "INBOX/7", key="imap:7")
    assert (message.key, message.subject, *found(message)) == ("imap:7", None, [], ("message_too_large",))


@pytest.mark.parametrize("date", ["nästa vecka", "Tue, 10 Mar 2026 25:15:00 +0100", "Tue, 10 Mar 2026"])
def test_a_date_that_cannot_be_read_is_unknown_and_the_message_is_still_read(
    tmp_path: Path, pdf: bytes, date: str
) -> None:
    msg = mail()
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    eml = tmp_path / "svar.eml"
    eml.write_bytes(f"Date: {date}\n".encode() + msg.as_bytes())  # EmailMessage would blank it
    message = only(eml)
    assert (message.sender, message.date, *found(message)) == ("karin.lund@example.se", None, [("svar.pdf", pdf)], ())


def test_an_octet_stream_is_a_pdf_when_its_header_ends_within_the_first_kilobyte(tmp_path: Path, pdf: bytes) -> None:
    """As the reader sees it (``%PDF-`` within the first 1024 bytes), after leading blanks."""
    msg = mail()
    msg.add_attachment(b" " * 1019 + pdf, maintype="application", subtype="octet-stream", filename="inom")
    msg.add_attachment(b" " * 1020 + pdf, maintype="application", subtype="octet-stream", filename="utanför")
    eml = tmp_path / "svar.eml"
    eml.write_bytes(msg.as_bytes())
    assert found(only(eml)) == ([("inom", b" " * 1019 + pdf)], ())


# The real .msg edited in place (olefile rewrites a stream of the same length): the attachment's
# long file name (PR_ATTACH_LONG_FILENAME), its bytes, or the outer attachment's method.
EMBEDDED = "__attach_version1.0_#00000000/__substg1.0_3701000D/"
OUTLOOK_ATTACHMENT = EMBEDDED + "__attach_version1.0_#00000000/"
OUTLOOK_SHORT_NAME = "201712~1.pdf"  # PR_ATTACH_FILENAME, the 8.3 name Outlook keeps too


def edited_outlook(tmp_path: Path, stream: str, old: bytes, new: bytes) -> Path:
    """A copy of the real .msg with ``old`` replaced by ``new`` (the same length) in one of its streams."""
    olefile = pytest.importorskip("olefile", reason="olefile (an extract-msg dependency) is not installed")
    assert len(old) == len(new)
    copy = tmp_path / "utskrivet.msg"
    copy.write_bytes(OUTLOOK.read_bytes())
    with olefile.OleFileIO(str(copy), write_mode=True) as ole:
        data = ole.openstream(stream).read()
        assert data.count(old) == 1
        ole.write_stream(stream, data.replace(old, new))
    return copy


def test_an_outlook_attachment_not_named_pdf_is_taken_by_its_bytes(tmp_path: Path, outlook_pdf_size: int) -> None:
    """Its content type is application/octet-stream: a scan saved as ``.dat`` is still a PDF by its ``%PDF-``."""
    name = OUTLOOK_ATTACHMENT + "__substg1.0_3707001F"
    copy = edited_outlook(tmp_path, name, ".pdf".encode("utf-16-le"), ".dat".encode("utf-16-le"))
    [pdf] = only(copy).pdfs
    assert (pdf.name, len(pdf.data), pdf.data[:5]) == (OUTLOOK_PDF[:-4] + ".dat", outlook_pdf_size, b"%PDF-")


def test_an_outlook_attachment_named_pdf_is_taken_whatever_its_bytes(tmp_path: Path, outlook_pdf_size: int) -> None:
    """The reader then says what is wrong with it, as for an ``.eml``."""
    copy = edited_outlook(tmp_path, OUTLOOK_ATTACHMENT + "__substg1.0_37010102", b"%PDF-1.5\r\n", b"%FDF-1.5\r\n")
    [pdf] = only(copy).pdfs
    assert (pdf.name, len(pdf.data), pdf.data[:10]) == (OUTLOOK_PDF, outlook_pdf_size, b"%FDF-1.5\r\n")


def test_an_outlook_file_name_that_is_not_utf16_falls_back_to_the_short_name(
    tmp_path: Path, outlook_pdf_size: int
) -> None:
    """A lone surrogate cannot be decoded: the 8.3 name is used, the PDF is still read (it was a traceback)."""
    name = OUTLOOK_ATTACHMENT + "__substg1.0_3707001F"
    copy = edited_outlook(tmp_path, name, "北".encode("utf-16-le"), b"\x00\xd8")
    message = only(copy)
    [pdf] = message.pdfs
    assert (pdf.name, len(pdf.data), message.sender) == (
        OUTLOOK_SHORT_NAME,
        outlook_pdf_size,
        "mailer-daemon@tjdpf.org.cn",
    )


def test_an_outlook_attachment_extract_msg_cannot_open_makes_the_file_unreadable(tmp_path: Path) -> None:
    """The forwarded message's attachment method (PR_ATTACH_METHOD) 5 (embedded message) made 6 (OLE object),
    which extract-msg does not handle: one MailReadError naming the file, raised before any message."""
    pytest.importorskip("extract_msg", reason="extract-msg is not installed")
    properties = "__attach_version1.0_#00000000/__properties_version1.0"
    method = b"\x03\x00\x05\x37\x07\x00\x00\x00"  # PtypInteger32, PR_ATTACH_METHOD, readable and writable
    copy = edited_outlook(tmp_path, properties, method + b"\x05\x00\x00\x00", method + b"\x06\x00\x00\x00")
    with pytest.raises(sources.MailReadError) as raised:
        list(messages_in(copy))
    assert str(raised.value) == f"{copy}: the e-mail file cannot be read (FeatureNotImplemented)"


def test_a_message_read_cannot_be_changed_afterwards(tmp_path: Path, pdf: bytes) -> None:
    msg = mail()
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    eml = tmp_path / "svar.eml"
    eml.write_bytes(msg.as_bytes())
    message = only(eml)
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.sender = "någon.annan@example.se"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.pdfs[0].data = b"%PDF-1.7 annat"  # type: ignore[misc]
