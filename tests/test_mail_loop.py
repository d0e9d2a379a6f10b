"""The whole e-mail loop on real servers: roster -> prefill -> send (SMTP) -> answers filled in PDFium ->
IMAP mailbox, .eml files and an .mbox -> import from each -> the same records with provenance, exactly once.

(Outlook .msg is read by tests/test_mail_import.py with a real file; no real .msg holding our
forms can be made here.)
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import mailbox
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import FormDefinition, load_definition
from minicex_pdf.storage.store import Store

pytest.importorskip("pypdfium2")
from minicex_pdf.engines.pdfium import fill_pdfium

TRAINEES = {  # name: (address, assessor, date, level index)
    "Åsa Öberg": ("asa.oberg@example.se", "Karin Lund", "2026-03-02", 2),
    "Zoë Ångström": ("zoe@example.se", "Per Ek", "2026-03-05", 3),
    "Nils Nilsson": ("nils@example.se", "Märta Öst", "2026-03-09", 1),
}


def answer(sent: EmailMessage, filled: bytes, *, sender: str, forward_by: str | None = None) -> EmailMessage:
    """The trainee's reply with the filled form; or the assessor forwarding that reply on."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = sent["Reply-To"]
    reply["Subject"] = "Re: " + sent["Subject"]
    reply["Date"] = "Tue, 10 Mar 2026 08:15:00 +0100"
    reply["Message-ID"] = f"<re-{sender}>"
    reply["In-Reply-To"] = sent["Message-ID"]
    reply.set_content("Här kommer det ifyllda formuläret.\n")
    reply.add_attachment(filled, maintype="application", subtype="pdf", filename=sent.get_filename() or "form.pdf")
    if forward_by is None:
        return reply
    fwd = EmailMessage()
    fwd["From"] = forward_by
    fwd["To"] = sent["Reply-To"]
    fwd["Subject"] = "Fwd: " + str(reply["Subject"])
    fwd["Date"] = "Wed, 11 Mar 2026 13:00:00 +0100"
    fwd["Message-ID"] = f"<fwd-{forward_by}>"
    fwd.set_content("Vidarebefordrar.\n")
    fwd.add_attachment(reply)
    return fwd


def import_(*args: str, env: dict[str, str] | None = None) -> list[str]:
    result = CliRunner().invoke(cli, ["import", *args, "--jobs", "1", "--quiet"], env=env, catch_exceptions=False)
    return result.output.splitlines()


def records(db: Path) -> list[tuple]:
    """What each stored form says, with its provenance (not the file path, which differs by source)."""
    with Store(db) as store:
        return sorted(
            (
                r.record.values["trainee_name"],
                r.record.values["assessor_name"],
                r.record.values["date"].isoformat(),
                r.record.values["level_overall"],
                r.record.source.instance_id,
                r.mail,
            )
            for r in store.rows()
        )


@pytest.fixture(scope="module")
def definition() -> FormDefinition:
    """The newest form only: the loop does not depend on the version, and the IMAP server's UIDs run on."""
    return load_definition()


def test_the_whole_loop(
    tmp_path: Path, smtp_server, imap_server, test_certs, definition: FormDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    d = definition
    roster = tmp_path / "roster.csv"
    roster.write_text("namn;e-post\n" + "".join(f"{n};{a[0]}\n" for n, a in TRAINEES.items()), encoding="utf-8")
    config = tmp_path / "minicex-mail.toml"
    config.write_text(
        f"""[mail]
from = "ST-kansliet <st@example.se>"
reply_to = "returer@example.se"
ca_file = "{test_certs.ca}"
[smtp]
host = "{smtp_server.host}"
port = {smtp_server.port}
user = "{smtp_server.user}"
[imap]
url = "{imap_server.url("user4")}"
""",
        encoding="utf-8",
    )
    env = {"MINICEX_SMTP_PASSWORD": smtp_server.password, "MINICEX_IMAP_PASSWORD": imap_server.password}

    # 1. prefill and send
    run = CliRunner().invoke
    assert run(cli, ["prefill", str(roster), "-o", "forms"]).exit_code == 0
    sent = run(cli, ["send", str(roster), "--forms", "forms", "--config", str(config), "--pause", "0"], env=env)
    assert sent.output.splitlines() == ["Sent: 3", "Sent before (--resend sends again): 0", "Could not be sent: 0"]
    assert run(cli, ["send", str(roster), "--forms", "forms", "--config", str(config)], env=env).output.splitlines()[
        :2
    ] == ["Sent: 0", "Sent before (--resend sends again): 3"]
    inbox = {
        r.rcpt_tos[0]: email.message_from_bytes(r.content, policy=email.policy.default) for r in smtp_server.received
    }
    assert sorted(inbox) == sorted(a[0] for a in TRAINEES.values())

    # 2. each trainee's form comes back filled in PDFium; Nils's is forwarded by his assessor
    answers = []
    for name, (address, assessor, date, level) in TRAINEES.items():
        msg = inbox[address]
        [attachment] = list(msg.iter_attachments())
        form = attachment.get_content()
        assert form == (tmp_path / "forms" / attachment.get_filename()).read_bytes()
        values = {d.role("date").name: date, d.role("assessor").name: assessor, "level_overall": d.levels[level].code}
        filled = fill_pdfium(form, values, d)
        forward_by = "marta.ost@example.se" if name == "Nils Nilsson" else None
        answers.append(answer(msg, filled, sender=address, forward_by=forward_by))
    no_pdf = EmailMessage()
    no_pdf["From"], no_pdf["Subject"], no_pdf["Message-ID"] = "zoe@example.se", "Glömde bilagan", "<oops@x>"
    no_pdf["Date"] = "Tue, 10 Mar 2026 09:00:00 +0100"
    no_pdf.set_content("Oj, bilagan kommer.\n")
    answers.append(no_pdf)

    # 3. ... into the IMAP mailbox, as .eml files, and as one .mbox
    conn = imaplib.IMAP4_SSL(
        imap_server.host, imap_server.port, ssl_context=ssl.create_default_context(cafile=str(test_certs.ca))
    )
    conn.login("user4", imap_server.password)
    conn.create('"INBOX/Returer"')
    (tmp_path / "eml").mkdir()
    box = mailbox.mbox(tmp_path / "returer.mbox")
    for n, msg in enumerate(answers):
        conn.append('"INBOX/Returer"', None, None, msg.as_bytes())
        (tmp_path / "eml" / f"svar-{n}.eml").write_bytes(msg.as_bytes())
        box.add(msg)
    box.flush()

    # 4. import from each source into its own database: the same records, with provenance
    expected = sorted(
        (
            name,
            assessor,
            date,
            d.levels[level].code,
            next(
                line.split(";")[5]  # index.csv: roster;row;name;specialty;file;instance_id (#11)
                for line in (tmp_path / "forms" / "index.csv").read_text("utf-8-sig").splitlines()
                if f";{name};" in line
            ),
            (
                ("marta.ost@example.se", "2026-03-11T12:00:00+00:00", "Fwd: Re: " + inbox[address]["Subject"])
                if name == "Nils Nilsson"
                else (address, "2026-03-10T07:15:00+00:00", "Re: " + inbox[address]["Subject"])
            ),
        )
        for name, (address, assessor, date, level) in TRAINEES.items()
    )
    summaries = {
        "eml": import_("eml", "--db", "eml.sqlite"),
        "mbox": import_("returer.mbox", "--db", "mbox.sqlite"),
        "imap": import_("--imap", "--config", str(config), "--db", "imap.sqlite", env=env),
    }
    for source, lines in summaries.items():
        assert lines[1] == "Imported: 3", (source, lines)
        assert lines[5] == "E-mail messages read: 4", (source, lines)
        assert lines[-2] == "Messages without a readable form:"
        assert lines[-1].startswith("  zoe@example.se, 2026-03-10T08:00:00+00:00: no PDF attachment (")
        got = [(*r[:5], (r[5].sender, r[5].date, r[5].subject)) for r in records(Path(f"{source}.sqlite"))]
        assert got == expected, source

    # 5. all sources into one database: each form exactly once, and again nothing doubles
    for _ in range(2):
        import_("eml", "returer.mbox", "--db", "all.sqlite")
        conn.select('"INBOX/Returer"')
        conn.uid("STORE", "1:*", "-FLAGS", "($MinicexImported)")  # as if marking had failed: Message-IDs still hold
        import_("--imap", "--config", str(config), "--db", "all.sqlite", env=env)
        with Store(tmp_path / "all.sqlite") as store:
            assert store.counts() == {"files": 3, "forms": 3, "unreadable": 0}
        assert [r[:5] for r in records(tmp_path / "all.sqlite")] == [e[:5] for e in expected]
    conn.select('"INBOX/Returer"')  # see what the import's own session changed
    _, data = conn.uid("SEARCH", "KEYWORD", "$MinicexImported")
    assert len(data[0].split()) == 4  # every message marked again
    conn.logout()
