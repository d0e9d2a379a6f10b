"""Teeth for :mod:`minicex_pdf.mail.imap`: addresses, folder names, and a real Dovecot folder read as the import does.

The IMAP tests use the session's Dovecot on 127.0.0.1 (``tests/mailservers.py``), each as a user of
its own (``user5``, ``user6``) so that no other test's messages are in the way.
"""

from __future__ import annotations

import dataclasses
import email.policy
import hashlib
import imaplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest

import minicex_pdf.mail.imap as imap
from minicex_pdf.errors import UsageError
from minicex_pdf.mail.config import MailConfig
from minicex_pdf.mail.imap import KEYWORD, ImapMailbox, ImapUrl, utf7
from minicex_pdf.mail.sources import Attachment, MailMessage
from minicex_pdf.storage.store import Store


def test_an_imap_address_gets_its_schemes_default_port_and_needs_both_a_user_and_a_host() -> None:
    assert ImapUrl.parse("imaps://st@imap.example.se/INBOX/Returer") == ImapUrl(
        True, "imap.example.se", 993, "st", "INBOX/Returer"
    )
    assert ImapUrl.parse("imap://st@imap.example.se") == ImapUrl(False, "imap.example.se", 143, "st", "INBOX")
    url = ImapUrl.parse("imaps://st@imap.example.se/INBOX/Returer")
    assert {url: "one folder"}[ImapUrl(True, "imap.example.se", 993, "st", "INBOX/Returer")] == "one folder"
    with pytest.raises(dataclasses.FrozenInstanceError):
        url.host = "annan.example.se"  # type: ignore[misc]
    for url in ("imaps://imap.example.se/INBOX", "imaps://st@/INBOX"):
        with pytest.raises(UsageError) as err:
            ImapUrl.parse(url)
        assert str(err.value) == "the IMAP address needs a user and a host: imaps://user@host/INBOX/Returer"


def test_folder_names_keep_printable_ascii_and_encode_everything_else() -> None:
    """RFC 3501 5.1.3: 0x20..0x7E stand for themselves ('&' as '&-'); a tab or DEL is encoded like å."""
    assert utf7("Klara ~ & 100%") == "Klara ~ &- 100%"
    assert utf7("a\tb\x7fc") == "a&AAk-b&AH8-c"
    assert utf7("\x1f \x1f") == "&AB8- &AB8-"  # the last control character, next to the first printable one
    assert utf7("Åtgärdade/Ö") == "&AMU-tg&AOQ-rdade/&ANY-"


def test_the_size_is_read_also_when_the_server_sends_it_after_the_header() -> None:
    """RFC 3501 lets a FETCH answer list its items in any order (Dovecot sends RFC822.SIZE first); after the
    header's literal, imaplib hands over the rest of the line as bytes of its own."""
    answer = b"1 (UID 1 BODY[HEADER.FIELDS (MESSAGE-ID)] {21}"
    data: list[object] = [(answer, b"Message-ID: <a@x>\r\n\r\n"), b" RFC822.SIZE 39)"]
    assert imap._size_and_id(data) == (39, "<a@x>")


def client(server, user: str, certs) -> imaplib.IMAP4_SSL:
    conn = imaplib.IMAP4_SSL(server.host, server.port, ssl_context=ssl.create_default_context(cafile=str(certs.ca)))
    conn.login(user, server.password)
    return conn


def reply(subject: str, pdf: bytes, message_id: str | None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Karin Lund <karin.lund@example.se>"
    msg["Subject"] = subject
    if message_id:
        msg["Message-Id"] = message_id  # so spelled by many mail programs; the header's name has no case
    msg.set_content("Här är formuläret.\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="svar.pdf")
    return msg.as_bytes(policy=email.policy.SMTP)


def svar(pdf: bytes) -> Attachment:
    return Attachment("svar.pdf", pdf)


def mailbox(server, user: str, folder: str, certs, store: Store) -> ImapMailbox:
    config = MailConfig(ca_file=str(certs.ca), imap_password=server.password)
    return ImapMailbox(server.url(user, folder), config, store)


def test_a_seen_message_is_only_marked_and_one_without_message_id_is_known_by_its_bytes(
    tmp_path: Path, imap_server, test_certs, newest_blanks: dict[str, bytes]
) -> None:
    pdf = newest_blanks["sv+en"]
    conn = client(imap_server, "user5", test_certs)
    conn.create('"Returer"')
    conn.append('"Returer"', None, None, reply("Redan läst", pdf, "<sedan-forut@example.se>"))
    anonymous = reply("Utan Message-ID", pdf, None)
    conn.append('"Returer"', None, None, anonymous)
    conn.select('"Returer"', readonly=True)
    origin = f"imaps://{imap_server.host}:{imap_server.port}/Returer;UID="
    with Store(tmp_path / "m.sqlite") as store:
        store.add_message_seen("<sedan-forut@example.se>", "karin.lund@example.se", None, 1)
        box = mailbox(imap_server, "user5", "Returer", test_certs, store)
        got = []
        for message in box.messages():
            got.append(message)
            box.done(message)
    seen, new = got
    assert seen == MailMessage(f"{origin}1", "<sedan-forut@example.se>", None, None, None, ())
    key = "sha256:" + hashlib.sha256(anonymous).hexdigest()  # read whole: known by its bytes, wherever it is
    assert (new.origin, new.key, new.subject, new.pdfs) == (f"{origin}2", key, "Utan Message-ID", (svar(pdf),))
    assert box.marked == 2
    conn.logout()  # a new session: the old one holds the other session's flag changes as unsolicited answers
    conn = client(imap_server, "user5", test_certs)
    conn.select('"Returer"', readonly=True)
    _, data = conn.uid("FETCH", "1:*", "(FLAGS)")
    assert [set(d.decode().split("FLAGS (")[1].split(")")[0].split()) - {"\\Recent"} for d in data] == [
        {"\\Seen", KEYWORD},
        {"\\Seen", KEYWORD},
    ]
    conn.logout()


def test_a_message_exactly_at_the_size_limit_is_fetched_one_byte_more_is_skipped_by_its_size(
    tmp_path: Path, imap_server, test_certs, newest_blanks: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size the server tells (RFC822.SIZE) decides before the message is fetched; one without a Message-ID
    that is not fetched is known by the folder's UIDVALIDITY and its UID."""
    pdf = newest_blanks["sv+en"]
    conn = client(imap_server, "user6", test_certs)
    conn.create('"Stor"')
    raw = reply("Stor", pdf, None)
    conn.append('"Stor"', None, None, raw)
    conn.select('"Stor"', readonly=True)
    [validity] = conn.untagged_responses["UIDVALIDITY"]
    _, data = conn.uid("FETCH", "1", "(RFC822.SIZE)")
    size = int(data[0].decode().split("RFC822.SIZE ")[1].split(")")[0])
    conn.logout()
    with Store(tmp_path / "m.sqlite") as store:
        monkeypatch.setattr(imap, "MAIL_MESSAGE_MAX_BYTES", size)
        [message] = mailbox(imap_server, "user6", "Stor", test_certs, store).messages()
        whole = "sha256:" + hashlib.sha256(raw).hexdigest()
        assert (message.key, message.pdfs, message.skipped) == (whole, (svar(pdf),), ())
        monkeypatch.setattr(imap, "MAIL_MESSAGE_MAX_BYTES", size - 1)
        [message] = mailbox(imap_server, "user6", "Stor", test_certs, store).messages()
        unread = f"imap:{imap_server.host}/Stor;UIDVALIDITY={validity.decode()};UID=1"  # no Message-ID, bytes unread
        assert (message.key, message.pdfs, message.skipped) == (unread, (), ("message_too_large",))


def test_a_server_that_does_not_answer_is_one_line(tmp_path: Path, test_certs) -> None:
    from mailservers import free_port

    port = free_port()  # nothing listens there
    config = MailConfig(ca_file=str(test_certs.ca), imap_password="lösenord")
    with Store(tmp_path / "m.sqlite") as store:
        box = ImapMailbox(f"imaps://st@127.0.0.1:{port}/INBOX", config, store)
        with pytest.raises(UsageError) as err:
            list(box.messages())
    assert str(err.value) == (
        f"IMAP imaps://127.0.0.1:{port}/INBOX: cannot connect (ConnectionRefusedError: [Errno 111] Connection refused)"
    )


def test_a_password_beyond_ascii_logs_in_and_a_folder_that_is_not_there_is_one_line(
    tmp_path: Path, imap_server, test_certs
) -> None:
    """A password with å goes as AUTHENTICATE PLAIN (UTF-8; LOGIN is ASCII only); a NO to SELECT names the folder."""
    utf8 = MailConfig(ca_file=str(test_certs.ca), imap_password=imap_server.utf8_password)
    with Store(tmp_path / "m.sqlite") as store:
        assert list(ImapMailbox(imap_server.url("user10", "INBOX"), utf8, store).messages()) == []
        with pytest.raises(UsageError) as err:
            list(mailbox(imap_server, "user9", "Saknas", test_certs, store).messages())
    assert (
        str(err.value)
        == f"IMAP imaps://{imap_server.host}:{imap_server.port}/Saknas: opening the folder 'Saknas' failed"
    )


def test_a_message_too_large_is_skipped_the_next_is_still_read_and_marking_after_the_end_does_nothing(
    tmp_path: Path, imap_server, test_certs, newest_blanks: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the folder is read the connection is closed: a message marked then stays as it was (read again next run)."""
    conn = client(imap_server, "user8", test_certs)
    conn.create('"Blandat"')
    big = reply("Stor", newest_blanks["sv+en"], "<stor@example.se>")
    small = reply("Liten", b"%PDF-1.7 liten", "<liten@example.se>")
    for raw in (big, small):
        conn.append('"Blandat"', None, None, raw)
    monkeypatch.setattr(imap, "MAIL_MESSAGE_MAX_BYTES", len(big) // 2)
    with Store(tmp_path / "m.sqlite") as store:
        box = mailbox(imap_server, "user8", "Blandat", test_certs, store)
        got = list(box.messages())
        assert [(m.key, m.pdfs, m.skipped) for m in got] == [
            ("<stor@example.se>", (), ("message_too_large",)),
            ("<liten@example.se>", (svar(b"%PDF-1.7 liten"),), ()),
        ]
        box.done(got[1])
        assert box.marked == 0
    conn.select('"Blandat"', readonly=True)
    _, data = conn.uid("FETCH", "1:*", "(FLAGS)")
    assert [KEYWORD in d.decode() for d in data] == [False, False]
    conn.logout()
