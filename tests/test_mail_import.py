"""``minicex import`` of mail: .eml, .mbox, a real Outlook .msg, and an IMAP folder on a real Dovecot."""

from __future__ import annotations

import imaplib
import json
import mailbox
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import FormDefinition, load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.storage.store import Provenance, Store

pytest.importorskip("pypdfium2")
from minicex_pdf.engines.pdfium import fill_pdfium

RESOURCES = Path(__file__).parent / "resources"
WHEN = "2026-03-14T09:30:00+00:00"


@pytest.fixture(scope="module")
def definition() -> FormDefinition:
    """The newest form only: the mail path does not depend on the version, and the IMAP server's UIDs run on."""
    return load_definition()


@pytest.fixture(scope="module")
def filled(definition: FormDefinition) -> list[bytes]:
    """Two pre-filled forms, each filled by an assessor in PDFium."""
    d = definition
    out = []
    for n, (trainee, assessor) in enumerate((("Åsa Öberg", "Karin Lund"), ("Zoë Ångström", "Per Ek"))):
        pdf = build_form(d, values={d.role("trainee").name: trainee}, instance_id=f"id{n}")
        values = {
            d.role("date").name: f"2026-03-1{n}",
            d.role("assessor").name: assessor,
            "level_overall": d.levels[2].code,
        }
        out.append(fill_pdfium(pdf, values, d))
    return out


def message(
    sender: str, subject: str, *, pdfs=(), forwarded: EmailMessage | None = None, mid: str = ""
) -> EmailMessage:
    """A reply as a mail program writes it: text and HTML, then attachments (PDFs, a picture, a forwarded message)."""
    import datetime as dt

    msg = EmailMessage()
    msg["From"] = f"Someone <{sender}>"
    msg["To"] = "returer@example.se"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.fromisoformat(WHEN))
    msg["Message-ID"] = mid or f"<{abs(hash((sender, subject)))}@example.se>"
    msg.set_content("Här är formuläret.\n")
    msg.add_alternative("<p>Här är <b>formuläret</b>.<img src='https://example.se/x.png'></p>", subtype="html")
    for name, data, ctype in pdfs:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    msg.add_attachment(b"\x89PNG\r\n\x1a\nnot really", maintype="image", subtype="png", filename="logo.png")
    if forwarded is not None:
        msg.add_attachment(forwarded)  # message/rfc822
    return msg


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["import", *args, "--jobs", "1", "--quiet"], env=env, catch_exceptions=False)


def provenances(db: Path) -> list[tuple[str | None, Provenance | None]]:
    with Store(db) as store:
        return [(r.record.values["assessor_name"], r.mail) for r in store.rows()]


def test_eml_takes_every_pdf_also_in_forwarded_messages(tmp_path: Path, filled: list[bytes]) -> None:
    inner = message("karin.lund@example.se", "Ifyllt", pdfs=[("bedömning.pdf", filled[1], "application/octet-stream")])
    outer = message(
        "asa.oberg@example.se",
        "Fwd: Mini-CEX",
        pdfs=[("minicex_Åsa_Öberg.pdf", filled[0], "application/pdf")],
        forwarded=inner,
    )
    eml = tmp_path / "svar.eml"
    eml.write_bytes(outer.as_bytes())
    db = tmp_path / "m.sqlite"
    result = run(str(eml), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Database: {db}",
        "Imported: 2",
        "Imported with problems: 2",
        "Already imported: 0",
        "Not readable: 0",
        "E-mail messages read: 1",
        "Imported with errors:",
        *[line for line in result.output.splitlines() if line.startswith("  ")],
    ]
    mail = Provenance("asa.oberg@example.se", WHEN, "Fwd: Mini-CEX")
    assert provenances(db) == [("Karin Lund", mail), ("Per Ek", mail)]
    # the export shows where each form came from
    rows = [
        json.loads(line)
        for line in CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "jsonl"]).output.splitlines()
    ]
    assert [(r["mail_from"], r["mail_date"], r["mail_subject"]) for r in rows] == [
        (mail.sender, mail.date, mail.subject)
    ] * 2
    assert [r["source_path"] for r in rows] == [f"{eml}/minicex_Åsa_Öberg.pdf", f"{eml}/bedömning.pdf"]

    again = run(str(eml), "--db", str(db))
    assert again.output.splitlines()[1:6] == [
        "Imported: 0",
        "Imported with problems: 0",
        "Already imported: 0",
        "Not readable: 0",
        "E-mail messages read: 1 (of which read before: 1)",
    ]


def test_messages_without_a_readable_form_are_listed_by_sender_and_date(
    tmp_path: Path, filled: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # paths in the summary are shown relative to the current folder
    box = mailbox.mbox(tmp_path / "inkorg.mbox")
    box.add(message("per.ek@example.se", "Glömde bilagan", mid="<a@x>"))
    box.add(
        message("bo@example.se", "Skannad", pdfs=[("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")], mid="<b@x>")
    )
    box.add(message("karin.lund@example.se", "Formulär", pdfs=[("f.pdf", filled[0], "application/pdf")], mid="<c@x>"))
    box.flush()
    db = tmp_path / "m.sqlite"
    result = run(".", "--db", str(db))  # a folder: .mbox files are taken
    mbox = tmp_path / "inkorg.mbox"
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[1:6] == [
        "Imported: 1",
        "Imported with problems: 1",
        "Already imported: 0",
        "Not readable: 1",
        "E-mail messages read: 3",
    ]
    assert lines[-3:] == [
        "Messages without a readable form:",
        f"  per.ek@example.se, {WHEN}: no PDF attachment (inkorg.mbox#1)",
        f"  bo@example.se, {WHEN}: no PDF attachment could be read as a mini-CEX (inkorg.mbox#2)",
    ]
    assert "  inkorg.mbox#2/scan.pdf: the PDF is damaged or truncated (unreadable structure: PdfReadError)" in lines
    assert provenances(db) == [("Karin Lund", Provenance("karin.lund@example.se", WHEN, "Formulär"))]
    assert mbox.exists()


def test_size_limits_skip_and_say_so(tmp_path: Path, filled: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    import minicex_pdf.mail.sources as sources

    monkeypatch.chdir(tmp_path)

    monkeypatch.setattr(sources, "MAIL_ATTACHMENT_MAX_BYTES", len(filled[0]) - 1)
    eml = tmp_path / "stor.eml"
    eml.write_bytes(message("a@example.se", "Stor", pdfs=[("f.pdf", filled[0], "application/pdf")]).as_bytes())
    result = run(str(eml), "--db", str(tmp_path / "m.sqlite"))
    assert result.output.splitlines()[-1] == (
        f"  a@example.se, {WHEN}: no PDF attachment; a PDF attachment is too large to read ({eml.name})"
    )
    monkeypatch.setattr(sources, "MAIL_MESSAGE_MAX_BYTES", 1000)
    eml2 = tmp_path / "stor2.eml"
    eml2.write_bytes(message("b@example.se", "Stor", pdfs=[("f.pdf", filled[0], "application/pdf")]).as_bytes())
    result = run(str(eml2), "--db", str(tmp_path / "m2.sqlite"))
    assert result.output.splitlines()[-1] == (
        f"  unknown, unknown: no PDF attachment; the message is too large to read ({eml2.name})"
    )


def test_a_real_outlook_msg_with_a_pdf_in_an_embedded_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("extract_msg", reason="extract-msg is not installed (pip install 'minicex-pdf[msg]')")
    monkeypatch.chdir(RESOURCES)
    msg = "bounce-with-forwarded-pdf.msg"
    db = tmp_path / "m.sqlite"
    result = CliRunner().invoke(cli, ["import", str(msg), "--db", str(db), "--quiet"])
    pdf = "北京 2017年12月02-03日 销售主管 确认n.pdf"
    assert result.exit_code == 1
    assert result.output.splitlines()[4:] == [
        "Not readable: 1",
        "E-mail messages read: 1",
        "Not readable:",
        f"  {msg}/{pdf}: no form fields: printed, scanned or flattened, enter it by hand",
        "Messages without a readable form:",
        f"  mailer-daemon@tjdpf.org.cn, 2017-11-27T09:44:30+00:00: no PDF attachment could be read as a mini-CEX ({msg})",
    ]


# ---------------------------------------------------------------------- IMAP (Dovecot)


def imap_client(server, user: str, certs) -> imaplib.IMAP4_SSL:
    conn = imaplib.IMAP4_SSL(server.host, server.port, ssl_context=ssl.create_default_context(cafile=str(certs.ca)))
    conn.login(user, server.password)
    return conn


def flags(conn: imaplib.IMAP4_SSL, folder: str) -> dict[str, set[str]]:
    """Each message's Message-ID and flags in ``folder``."""
    conn.select(f'"{folder}"', readonly=True)
    _, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    out = {}
    for item in data:
        if isinstance(item, tuple):
            flag_text = item[0].decode().split("FLAGS (", 1)[1].split(")", 1)[0]
            mid = item[1].decode().split(":", 1)[1].strip()
            out[mid] = set(flag_text.split()) - {"\\Recent"}
    return out


def test_imap_import_marks_messages_and_never_doubles(tmp_path: Path, filled, imap_server, test_certs) -> None:
    conn = imap_client(imap_server, "user1", test_certs)
    conn.create('"INBOX/Returer"')
    msgs = [
        message("asa.oberg@example.se", "Re: Mini-CEX", pdfs=[("f.pdf", filled[0], "application/pdf")], mid="<1@x>"),
        message("per.ek@example.se", "Re: Mini-CEX", mid="<2@x>"),
        message(
            "karin.lund@example.se",
            "Fwd",
            forwarded=message("z@example.se", "In", pdfs=[("g.pdf", filled[1], "application/pdf")]),
            mid="<3@x>",
        ),
    ]
    for m in msgs:
        conn.append('"INBOX/Returer"', None, None, m.as_bytes())
    db = tmp_path / "m.sqlite"
    config = tmp_path / "mail.toml"
    config.write_text(f'[mail]\nca_file = "{test_certs.ca}"\n[imap]\nurl = "{imap_server.url("user1")}"\n')
    env = {"MINICEX_IMAP_PASSWORD": imap_server.password}
    result = run("--imap", "--config", str(config), "--db", str(db), env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1:6] == [
        "Imported: 2",
        "Imported with problems: 2",
        "Already imported: 0",
        "Not readable: 0",
        "E-mail messages read: 3",
    ]
    origin = f"imaps://{imap_server.host}:{imap_server.port}/INBOX/Returer;UID="
    assert lines[-2:] == [
        "Messages without a readable form:",
        f"  per.ek@example.se, {WHEN}: no PDF attachment ({origin}2)",
    ]
    assert imap_server.password not in result.output
    assert provenances(db) == [
        ("Karin Lund", Provenance("asa.oberg@example.se", WHEN, "Re: Mini-CEX")),
        ("Per Ek", Provenance("karin.lund@example.se", WHEN, "Fwd")),
    ]
    assert flags(conn, "INBOX/Returer") == {f"<{n}@x>": {"\\Seen", "$MinicexImported"} for n in (1, 2, 3)}

    # A new message comes; the next run reads only that one, nothing doubles.
    conn.append('"INBOX/Returer"', None, None, msgs[0].as_bytes())  # the same message again (a copy)
    again = run("--imap", imap_server.url("user1"), "--config", str(config), "--db", str(db), env=env)
    assert again.output.splitlines()[1:6] == [
        "Imported: 0",
        "Imported with problems: 0",
        "Already imported: 0",
        "Not readable: 0",
        "E-mail messages read: 1 (of which read before: 1)",
    ]
    assert provenances(db)[0][0] == "Karin Lund" and len(provenances(db)) == 2
    assert all(f == {"\\Seen", "$MinicexImported"} for f in flags(conn, "INBOX/Returer").values())
    third = run("--imap", imap_server.url("user1"), "--config", str(config), "--db", str(db), env=env)
    assert "E-mail messages read" not in third.output  # nothing left to read
    conn.logout()


def test_imap_move_to_another_folder(tmp_path: Path, filled, imap_server, test_certs) -> None:
    conn = imap_client(imap_server, "user2", test_certs)
    for folder in ("INBOX/Returer", "INBOX/Importerade"):
        conn.create(f'"{folder}"')
    conn.append(
        '"INBOX/Returer"',
        None,
        None,
        message("a@example.se", "x", pdfs=[("f.pdf", filled[0], "application/pdf")], mid="<m@x>").as_bytes(),
    )
    env = {
        "MINICEX_IMAP_PASSWORD": imap_server.password,
        "MINICEX_IMAP_MOVE_TO": "INBOX/Importerade",
        "MINICEX_MAIL_CA_FILE": str(test_certs.ca),
    }
    result = run("--imap", imap_server.url("user2"), "--db", str(tmp_path / "m.sqlite"), env=env)
    assert result.output.splitlines()[1] == "Imported: 1"
    assert flags(conn, "INBOX/Returer") == {}
    assert flags(conn, "INBOX/Importerade") == {"<m@x>": {"\\Seen", "$MinicexImported"}}
    conn.logout()


def test_imap_errors_are_one_line(tmp_path: Path, imap_server, test_certs) -> None:
    db = str(tmp_path / "m.sqlite")
    url = imap_server.url("user3")
    no_ca = run("--imap", url, "--db", db, env={"MINICEX_IMAP_PASSWORD": imap_server.password})
    assert no_ca.output.startswith(
        f"Error: IMAP imaps://{imap_server.host}:{imap_server.port}/INBOX/Returer: certificate not trusted ("
    )
    env = {"MINICEX_IMAP_PASSWORD": "fel", "MINICEX_MAIL_CA_FILE": str(test_certs.ca)}
    wrong = run("--imap", url, "--db", db, env=env)
    assert wrong.output == f"Error: IMAP imaps://{imap_server.host}:{imap_server.port}/INBOX/Returer: login refused\n"
    in_url = run("--imap", url.replace("user3@", "user3:hemligt@"), "--db", db, env=env)
    assert (
        in_url.output
        == "Error: put the IMAP password in MINICEX_IMAP_PASSWORD or the config file, not in the address\n"
    )
    assert "hemligt" not in in_url.output.split("address")[1]
