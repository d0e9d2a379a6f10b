"""Teeth for :mod:`minicex_pdf.mail.send`: who gets a message, what it says, how the server is logged in to.

The messages go to a real SMTP server (aiosmtpd on 127.0.0.1 with STARTTLS and AUTH, from
``tests/mailservers.py``) or, in a dry run, to real ``.eml`` files; the forms are the
generator's, made by ``prefill`` from a real roster.
"""

from __future__ import annotations

import csv
import dataclasses
import email
import email.policy
import io
from email.message import EmailMessage
from pathlib import Path

import pytest

from minicex_pdf.errors import UsageError
from minicex_pdf.mail.config import MailConfig
from minicex_pdf.mail.send import BLANK_ITEM, Outgoing, Sender, assessor_messages, send_all, trainee_messages
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
    with pytest.raises(dataclasses.FrozenInstanceError):
        failed[0].where = "row 4"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        asa.recipient = "någon.annan@example.se"  # type: ignore[misc]


def test_a_name_the_index_keeps_from_spreadsheets_formulas_still_finds_its_form(tmp_path: Path) -> None:
    """prefill writes '-Bo Ek as \'-Bo Ek in index.csv (no formula in Excel): the second run sends that form."""
    roster = tmp_path / "roster.csv"
    roster.write_text("namn;e-post\n-Bo Ek;bo.ek@example.se\n", encoding="utf-8")
    forms = tmp_path / "forms"
    [made], _ = trainee_messages(roster, forms, "sv+en", EN)
    assert ";'-Bo Ek;" in (forms / "index.csv").read_text(encoding="utf-8-sig")
    assert trainee_messages(roster, forms, "sv+en", EN) == ([made], [])
    assert forms_of(forms) == ["index.csv", made.filename]


def forms_of(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_form_made_before_is_sent_from_an_older_comma_index_also_when_a_name_holds_a_semicolon(
    tmp_path: Path,
) -> None:
    """Forms folders from before #11 have a ',' index; the delimiter is the header line's, not a name's."""
    roster = tmp_path / "roster.csv"
    roster.write_text('namn;e-post\n"Berg; Bo";bo.berg@example.se\n', encoding="utf-8")
    forms = tmp_path / "forms"
    [made], _ = trainee_messages(roster, forms, "sv+en", EN)
    index = forms / "index.csv"
    rows = list(csv.reader(io.StringIO(index.read_text(encoding="utf-8-sig")), delimiter=";"))
    old = io.StringIO()
    csv.writer(old, lineterminator="\r\n").writerows(rows)
    index.write_text(old.getvalue(), encoding="utf-8-sig")
    [again], failed = trainee_messages(roster, forms, "sv+en", EN)
    assert (again, failed) == (made, [])
    assert forms_of(forms) == ["index.csv", made.filename]


def test_a_roster_gets_its_own_forms_from_a_folder_shared_with_another_roster(tmp_path: Path) -> None:
    """The same trainee on row 2 of two rosters: each roster's index rows give its own form."""
    forms = tmp_path / "forms"
    first, second = tmp_path / "ht2026.csv", tmp_path / "vt2027.csv"
    first.write_text("namn;e-post\nÅsa Öberg;asa.oberg@example.se\n", encoding="utf-8")
    second.write_text("namn;e-post\nÅsa Öberg;asa.oberg@region.se\n", encoding="utf-8")
    [one], _ = trainee_messages(first, forms, "sv+en", EN)
    [two], _ = trainee_messages(second, forms, "sv+en", EN)
    assert one.item != two.item and one.pdf != two.pdf
    assert [trainee_messages(r, forms, "sv+en", EN)[0] for r in (first, second)] == [[one], [two]]
    assert forms_of(forms) == sorted(["index.csv", one.filename, two.filename])


def test_an_assessor_list_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "bedömare.txt"
    with pytest.raises(UsageError) as err:
        assessor_messages(missing, b"%PDF-1.7", EN)
    assert str(err.value) == f"{missing}: cannot be read: No such file or directory"


def test_a_dry_run_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    taken = tmp_path / "utkast"
    taken.write_text("a file, not a folder", encoding="utf-8")
    out = [Outgoing(BLANK_ITEM, "karin.lund@example.se", "assessor", "", b"%PDF-1.7", "mini-cex.pdf", "a.txt line 1")]
    with Store(tmp_path / "m.sqlite") as store:
        sender = Sender(store, MailConfig(sender="st@example.se"), lang=EN, dry_run=taken)
        with pytest.raises(UsageError) as err:
            sender.run(out)
    assert str(err.value) == f"{taken}: cannot create the folder: File exists"


def test_the_senders_settings_are_given_by_name(tmp_path: Path) -> None:
    """``Sender(store, config, *, template=..., lang=..., pause=...)``: a third value without its name is refused."""
    with Store(tmp_path / "m.sqlite") as store, pytest.raises(TypeError):
        Sender(store, MailConfig(sender="st@example.se"), None)  # type: ignore[misc]


def test_a_dry_run_names_an_assessors_messages_by_the_address_and_asks_for_replies_to_the_sender(
    tmp_path: Path,
) -> None:
    """Names taken get -2, -3; no reply-to address set: the text asks for the form back at the sender's address."""
    config = MailConfig(sender="st-kansliet@example.se")
    blank = b"%PDF-1.7 blank"
    out = [Outgoing(BLANK_ITEM, "karin.lund@example.se", "assessor", "", blank, "mini-cex.pdf", "a.txt line 1")]
    out.append(dataclasses.replace(out[0], recipient="karin.lund@region.se", where="a.txt line 2"))
    out.append(dataclasses.replace(out[0], recipient="karin.lund@example.org", where="a.txt line 3"))
    drafts = tmp_path / "utkast"
    with Store(tmp_path / "m.sqlite") as store:
        result = Sender(store, config, lang=EN, dry_run=drafts).run(out)
    names = ["minicex_karin_lund.eml", "minicex_karin_lund-2.eml", "minicex_karin_lund-3.eml"]
    assert result.written == [drafts / n for n in names]
    assert [parse(p.read_bytes())["To"] for p in result.written] == [o.recipient for o in out]
    msg = parse(result.written[0].read_bytes())
    body = msg.get_body(("plain",))
    assert body is not None
    text = str(body.get_content())
    assert "send it as an attachment to st-kansliet@example.se." in text
    assert msg["Reply-To"] is None


def test_a_login_name_beyond_ascii_logs_in_and_messages_go_one_by_one(
    tmp_path: Path, smtp_server, send_config, outgoing
) -> None:
    """smtplib's own login sends ASCII only: a user name with å goes as UTF-8 AUTH PLAIN (RFC 4616)."""
    smtp_server.user, smtp_server.password = "st-kansliet-åsa", "ascii-password"
    config = dataclasses.replace(send_config, smtp_user=smtp_server.user, smtp_password=smtp_server.password)
    out = outgoing(5)
    pauses: list[float] = []
    with Store(tmp_path / "m.sqlite") as store:
        result = Sender(store, config, lang=EN, pause=0, sleep=pauses.append).run(out[:2])
        assert ([o.item for o in result.sent], result.failed, pauses) == (["id0", "id1"], [], [])
        assert [r.rcpt_tos for r in smtp_server.received] == [["t0@example.se"], ["t1@example.se"]]
        # half a second between messages; one the server rejects after its data is listed, the next still goes
        smtp_server.reject.add("t3@example.se")
        result = Sender(store, config, lang=EN, pause=0.5, sleep=pauses.append).run(out[2:])
    assert [o.item for o in result.sent] == ["id2", "id4"]
    assert [(f.where, f.reason.en, f.detail) for f in result.failed] == [
        ("row 3", "the server answered with an error", "554")
    ]
    assert pauses == [0.5, 0.5]
    assert [r.rcpt_tos for r in smtp_server.received[2:]] == [["t2@example.se"], ["t4@example.se"]]


def mail_toml(tmp_path: Path, smtp_server, test_certs) -> Path:
    """A config file (``--config``) for the test SMTP server, its password in it."""
    config = tmp_path / "mail.toml"
    config.write_text(
        f'[mail]\nfrom = "st@example.se"\nca_file = "{test_certs.ca}"\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nuser = "{smtp_server.user}"\n'
        f'password = "{smtp_server.password}"\n',
        encoding="utf-8",
    )
    return config


def test_send_all_sends_each_form_once_unless_asked_to_send_again(tmp_path: Path, smtp_server, test_certs) -> None:
    """As a library call: ``send_all`` without ``resend`` leaves what was sent before."""
    roster = tmp_path / "roster.csv"
    roster.write_text("namn;e-post\nÅsa Öberg;asa.oberg@example.se\n", encoding="utf-8")
    config = mail_toml(tmp_path, smtp_server, test_certs)
    kwargs = {"db": tmp_path / "m.sqlite", "config_file": config, "pause": 0.0}
    first = send_all(roster, tmp_path / "forms", **kwargs)  # type: ignore[arg-type]
    second = send_all(roster, tmp_path / "forms", **kwargs)  # type: ignore[arg-type]
    assert [(len(r.sent), len(r.already), r.failed) for r in (first, second)] == [(1, 0, []), (0, 1, [])]
    assert [r.rcpt_tos for r in smtp_server.received] == [["asa.oberg@example.se"]]


def test_send_all_pauses_the_limits_time_between_messages_unless_given_a_pause(
    tmp_path: Path, smtp_server, test_certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``pause``: limits.SEND_PAUSE_SECONDS between two messages (kept short here), so a server is not flooded."""
    import time

    import minicex_pdf.limits

    monkeypatch.setattr(minicex_pdf.limits, "SEND_PAUSE_SECONDS", 0.2)
    roster = tmp_path / "roster.csv"
    roster.write_text("namn;e-post\nÅsa Öberg;asa.oberg@example.se\nBo Ek;bo.ek@example.se\n", encoding="utf-8")
    config = mail_toml(tmp_path, smtp_server, test_certs)
    start = time.monotonic()
    result = send_all(roster, tmp_path / "forms", db=tmp_path / "m.sqlite", config_file=config)
    took = time.monotonic() - start
    assert ([o.recipient for o in result.sent], result.failed) == (["asa.oberg@example.se", "bo.ek@example.se"], [])
    assert took >= 0.2


def test_a_sender_sends_each_message_once_unless_asked_to_send_again(
    tmp_path: Path, smtp_server, send_config, outgoing
) -> None:
    out = outgoing(2)
    with Store(tmp_path / "m.sqlite") as store:
        first = Sender(store, send_config, lang=EN).run(out)
        again = Sender(store, send_config, lang=EN).run(out)
        forced = Sender(store, send_config, lang=EN, resend=True).run(out[:1])
    assert [(r.sent, r.already) for r in (first, again, forced)] == [(out, []), ([], out), (out[:1], [])]
    assert [r.rcpt_tos for r in smtp_server.received] == [["t0@example.se"], ["t1@example.se"], ["t0@example.se"]]


def test_a_send_where_every_message_goes_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``minicex send`` exits 0 when nothing failed (scripts check it), 1 when something did."""
    from click.testing import CliRunner

    from minicex_pdf.cli import cli

    monkeypatch.setenv("MINICEX_MAIL_FROM", "st@example.se")
    roster = tmp_path / "roster.csv"
    roster.write_text("namn;e-post\nÅsa Öberg;asa.oberg@example.se\n", encoding="utf-8")
    args = ["send", str(roster), "--forms", str(tmp_path / "forms"), "--db", str(tmp_path / "m.sqlite")]
    result = CliRunner().invoke(cli, [*args, "--lang", "en", "--dry-run", str(tmp_path / "utkast")])
    assert (result.exit_code, result.output) == (
        0,
        "Written as .eml (nothing sent): 1\nSent before (--resend sends again): 0\nCould not be sent: 0\n",
    )


def test_send_all_takes_the_roster_and_forms_folder_by_name_or_place_and_its_settings_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``send_all(roster, forms_dir, *, db=..., ...)``: a store given in third place is refused."""
    monkeypatch.setenv("MINICEX_MAIL_FROM", "st@example.se")
    roster = tmp_path / "roster.csv"
    roster.write_text("namn;e-post\nÅsa Öberg;asa.oberg@example.se\n", encoding="utf-8")
    forms, db, drafts = tmp_path / "forms", tmp_path / "m.sqlite", tmp_path / "utkast"
    result = send_all(roster=roster, forms_dir=forms, db=db, dry_run=drafts)
    assert result.written == [drafts / "minicex_Åsa_Öberg.eml"]
    with pytest.raises(TypeError):
        send_all(roster, forms, db)  # type: ignore[misc]
