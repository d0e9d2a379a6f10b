"""Teeth for :mod:`minicex_pdf.mail.send`: who gets a message, what it says, how the server is logged in to.

The messages go to a real SMTP server (aiosmtpd on 127.0.0.1 with STARTTLS and AUTH, from
``tests/mailservers.py``) or, in a dry run, to real ``.eml`` files; the forms are the
generator's, made by ``prefill`` from a real roster.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from minicex_pdf.mail.config import MailConfig
from minicex_pdf.mail.send import BLANK_ITEM, Outgoing, Sender, trainee_messages
from minicex_pdf.storage.store import Store

EN = "en"


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_rows_without_a_good_address_are_listed_and_the_rows_after_them_still_get_their_form(tmp_path: Path) -> None:
    """Without a store (``db=None``) the forms are made and not recorded anywhere."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "namn;e-post\nBo Fel;inte en adress\nPer Ek;\nÅsa Öberg; asa.oberg@example.se \n", encoding="utf-8"
    )
    forms = tmp_path / "forms"
    out, failed = trainee_messages(roster, forms, "sv+en", EN)
    assert [(f.where, f.reason.en, f.detail) for f in failed] == [
        ("row 2", "the e-mail column holds no valid address", ""),
        ("row 3", "no e-mail address in the email/e-post column", ""),
    ]
    [asa] = out
    assert (asa.recipient, asa.audience, asa.name, asa.where) == (
        "asa.oberg@example.se",
        "trainee",
        "Åsa Öberg",
        "row 4",
    )
    assert asa.pdf == forms / asa.filename and asa.data()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forms", "roster.csv"]  # no store made


def test_a_dry_run_names_an_assessors_message_by_the_address_and_asks_for_replies_to_the_sender(
    tmp_path: Path,
) -> None:
    """No reply-to address set: the text asks for the form back at the sender's address."""
    config = MailConfig(sender="st-kansliet@example.se")
    blank = b"%PDF-1.7 blank"
    out = [Outgoing(BLANK_ITEM, "karin.lund@example.se", "assessor", "", blank, "mini-cex.pdf", "a.txt line 1")]
    drafts = tmp_path / "utkast"
    with Store(tmp_path / "m.sqlite") as store:
        result = Sender(store, config, lang=EN, dry_run=drafts).run(out)
    assert result.written == [drafts / "minicex_karin_lund.eml"]
    msg = parse(result.written[0].read_bytes())
    body = msg.get_body(("plain",))
    assert body is not None
    text = str(body.get_content())
    assert "send it as an attachment to st-kansliet@example.se." in text
    assert msg["Reply-To"] is None


def test_a_login_name_beyond_ascii_logs_in_and_no_pause_means_no_sleep(tmp_path: Path, smtp_server, test_certs) -> None:
    """smtplib's own login sends ASCII only: a user name with å goes as UTF-8 AUTH PLAIN (RFC 4616)."""
    smtp_server.user, smtp_server.password = "st-kansliet-åsa", "ascii-password"
    config = MailConfig(
        sender="st@example.se",
        ca_file=str(test_certs.ca),
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_user=smtp_server.user,
        smtp_password=smtp_server.password,
    )
    out = [
        Outgoing(f"id{n}", f"t{n}@example.se", "trainee", f"T {n}", f"%PDF-1.4 {n}".encode(), "f.pdf", f"row {n}")
        for n in range(2)
    ]
    pauses: list[float] = []
    with Store(tmp_path / "m.sqlite") as store:
        result = Sender(store, config, lang=EN, pause=0, sleep=pauses.append).run(out)
    assert ([o.item for o in result.sent], result.failed, pauses) == (["id0", "id1"], [], [])
    assert [r.rcpt_tos for r in smtp_server.received] == [["t0@example.se"], ["t1@example.se"]]
