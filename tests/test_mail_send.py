"""``minicex send`` against a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS with a test CA, AUTH)."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli
from minicex_pdf.mail.compose import DEFAULT_TEMPLATE, Template
from minicex_pdf.storage.store import Store

ROSTER = [
    "namn;e-post;specialitet",
    "Åsa Öberg;asa.oberg@example.se;Allmänmedicin",
    "Zoë Ångström;zoe@example.se;Allmänmedicin",
    "Per Ek;;Allmänmedicin",
    "Nils Nej;nobody@example.se;Allmänmedicin",
    "Bo Fel;inte en adress;Allmänmedicin",
]


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def pdf_attachments(msg: EmailMessage) -> list[tuple[str, bytes]]:
    return [(p.get_filename() or "", p.get_content()) for p in msg.iter_attachments()]


def plain(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


@pytest.fixture
def setup(tmp_path: Path, smtp_server, test_certs):
    """A roster, a config file for the test server, and the environment with the password."""
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join(ROSTER) + "\n", encoding="utf-8")
    config = tmp_path / "mail.toml"
    config.write_text(
        f"""
[mail]
from = "ST-kansliet <st@example.se>"
reply_to = "returer@example.se"
ca_file = "{test_certs.ca}"
[smtp]
host = "{smtp_server.host}"
port = {smtp_server.port}
security = "starttls"
user = "{smtp_server.user}"
""",
        encoding="utf-8",
    )
    env = {"MINICEX_SMTP_PASSWORD": smtp_server.password}
    return roster, config, env


def run(args: list[str], env: dict[str, str]):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def test_send_once_each_with_the_prefilled_form_and_report_failures(tmp_path: Path, setup, smtp_server) -> None:
    roster, config, env = setup
    smtp_server.refuse.add("nobody@example.se")
    forms, db = tmp_path / "forms", tmp_path / "m.sqlite"
    args = ["send", str(roster), "--forms", str(forms), "--db", str(db), "--config", str(config), "--pause", "0"]
    result = run([*args, "--lang", "sv"], env)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Skickade: 2",  # the summary follows --lang sv, as the messages do
        "Redan skickade (--resend skickar igen): 0",
        "Kunde inte skickas: 3",
        "  rad 4: ingen e-postadress i kolumnen email/e-post",
        "  rad 6: e-postkolumnen har ingen giltig adress",
        "  rad 5: servern tog inte emot adressen (550)",
    ]
    assert smtp_server.password not in result.output
    got = {tuple(r.rcpt_tos): parse(r.content) for r in smtp_server.received}
    assert sorted(got) == [("asa.oberg@example.se",), ("zoe@example.se",)]
    index = {
        # index.csv: roster;row;name;specialty;file;instance_id (#11)
        line.split(";")[2]: line.split(";")[4]
        for line in (forms / "index.csv").read_text("utf-8-sig").splitlines()[1:]
    }
    for (to,), msg in got.items():
        name = "Åsa Öberg" if to.startswith("asa") else "Zoë Ångström"
        form = forms / index[name]
        assert pdf_attachments(msg) == [(form.name, form.read_bytes())]
        assert msg["Subject"] == DEFAULT_TEMPLATE["trainee"]["sv"]["subject"]
        assert msg["Reply-To"] == "returer@example.se"
        assert msg["To"] == to
        assert plain(msg).startswith(f"Hej {name},")
        assert "returer@example.se" in plain(msg)
        assert "Dear" not in plain(msg)
        html = msg.get_body(("html",))
        assert html is not None and f"Hej {name}," in html.get_content()
    with Store(db) as store:
        sent = store.all_sent()
    assert sorted((s.recipient, s.message_id) for s in sent) == sorted(
        (to, msg["Message-ID"]) for (to,), msg in got.items()
    )

    # A second run sends nothing new; the refused address is tried (and reported) again.
    smtp_server.received.clear()
    again = run([*args, "--lang", "sv"], env)
    assert again.exit_code == 1
    assert again.output.splitlines()[:3] == [
        "Skickade: 0",
        "Redan skickade (--resend skickar igen): 2",
        "Kunde inte skickas: 3",
    ]
    assert smtp_server.received == []

    # Once the server takes it, only that one goes; --resend sends all again.
    smtp_server.refuse.clear()
    third = run([*args, "--lang", "sv"], env)
    assert third.output.splitlines()[:2] == ["Skickade: 1", "Redan skickade (--resend skickar igen): 2"]
    assert [r.rcpt_tos for r in smtp_server.received] == [["nobody@example.se"]]
    smtp_server.received.clear()
    fourth = run([*args, "--lang", "sv", "--resend"], env)
    assert fourth.output.splitlines()[:2] == ["Skickade: 3", "Redan skickade (--resend skickar igen): 0"]
    assert len(smtp_server.received) == 3


def test_english_both_languages_assessors_and_template(tmp_path: Path, setup, smtp_server) -> None:
    roster, config, env = setup
    roster.write_text("\n".join(ROSTER[:2]) + "\n", encoding="utf-8")
    assessors = tmp_path / "assessors.txt"
    assessors.write_text("# bedömare\nkarin.lund@example.se\n\nfel-adress\n", encoding="utf-8")
    template = tmp_path / "mall.toml"
    template.write_text('[trainee.en]\nsubject = "Form for $name"\n', encoding="utf-8")
    db, forms = tmp_path / "m.sqlite", tmp_path / "forms"
    base = ["send", str(roster), "--forms", str(forms), "--db", str(db), "--config", str(config), "--pause", "0"]
    result = run([*base, "--lang", "both", "--assessors", str(assessors), "--template", str(template)], env)
    assert result.output.splitlines() == [
        "Sent: 2",
        "Sent before (--resend sends again): 0",
        "Could not be sent: 1",
        "  assessors.txt line 4: the e-mail column holds no valid address",
    ]
    by_to = {r.rcpt_tos[0]: parse(r.content) for r in smtp_server.received}
    trainee, assessor = by_to["asa.oberg@example.se"], by_to["karin.lund@example.se"]
    assert trainee["Subject"] == DEFAULT_TEMPLATE["trainee"]["sv"]["subject"] + " / Form for Åsa Öberg"
    text = plain(trainee)
    assert text.startswith("Hej Åsa Öberg,") and "\n---\n\nDear Åsa Öberg," in text
    assert assessor["Subject"] == " / ".join(DEFAULT_TEMPLATE["assessor"][la]["subject"] for la in ("sv", "en"))
    [(name, blank)] = pdf_attachments(assessor)
    from minicex_pdf.reading.reader import read_form

    assert name == "mini-cex.pdf" and read_form("blank.pdf", data=blank).source.instance_id in ("", None)


def test_dry_run_writes_eml_files_and_sends_nothing(tmp_path: Path, setup, smtp_server) -> None:
    roster, config, env = setup
    db, out = tmp_path / "m.sqlite", tmp_path / "utkast"
    args = ["send", str(roster), "--forms", str(tmp_path / "f"), "--db", str(db), "--config", str(config)]
    result = run([*args, "--lang", "en", "--dry-run", str(out)], env)
    assert result.output.splitlines()[0] == "Written as .eml (nothing sent): 3"
    assert smtp_server.received == []
    files = sorted(p.name for p in out.iterdir())
    assert files == ["minicex_Nils_Nej.eml", "minicex_Zoë_Ångström.eml", "minicex_Åsa_Öberg.eml"]
    msg = parse((out / "minicex_Åsa_Öberg.eml").read_bytes())
    assert msg["Subject"] == DEFAULT_TEMPLATE["trainee"]["en"]["subject"]
    with Store(db) as store:
        assert store.all_sent() == []
    # the forms send made are recorded like prefill's (#11): status lists them as not yet returned
    status = run(["status", "--db", str(db), "--format", "json", "--lang", "en"], env)
    assert [(t["trainee"], t["not_returned"]) for t in json.loads(status.stdout)] == [
        ("Bo Fel", 1),
        ("Nils Nej", 1),
        ("Per Ek", 1),
        ("Zoë Ångström", 1),
        ("Åsa Öberg", 1),
    ]


def test_certificate_checks_stay_on(tmp_path: Path, setup, smtp_server) -> None:
    """Without the test CA the server's certificate is not trusted: nothing is sent, one clear line."""
    roster, config, env = setup
    config.write_text(config.read_text().replace("ca_file", "# ca_file"), encoding="utf-8")
    result = run(
        [
            "send",
            str(roster),
            "--forms",
            str(tmp_path / "f"),
            "--db",
            str(tmp_path / "m.sqlite"),
            "--config",
            str(config),
            "--pause",
            "0",
        ],
        env,
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: SMTP server {smtp_server.host}: certificate not trusted (")
    assert smtp_server.received == []


def test_wrong_password_stops_with_one_line_and_never_prints_it(tmp_path: Path, setup, smtp_server) -> None:
    roster, config, _ = setup
    result = run(
        [
            "send",
            str(roster),
            "--forms",
            str(tmp_path / "f"),
            "--db",
            str(tmp_path / "m.sqlite"),
            "--config",
            str(config),
            "--pause",
            "0",
        ],
        {"MINICEX_SMTP_PASSWORD": "fel-lösenord"},
    )
    assert result.output == f"Error: SMTP server {smtp_server.host}: login refused (535)\n"
    assert smtp_server.received == []


def test_template_rejects_unknown_sections(tmp_path: Path) -> None:
    from minicex_pdf.errors import UsageError

    bad = tmp_path / "t.toml"
    bad.write_text('[trainee.de]\nsubject = "x"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"t\.toml: unknown section \[trainee\.de\]; use sv or en"):
        Template.load(bad)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # it is TLS from the first byte
def test_implicit_tls(tmp_path: Path, test_certs) -> None:
    """security = "tls": TLS from the first byte (port 465 style), certificate checked, then AUTH."""
    pytest.importorskip("aiosmtpd")
    from mailservers import start_smtp

    server, stop = start_smtp(test_certs, implicit_tls=True)
    try:
        roster = tmp_path / "roster.csv"
        roster.write_text("\n".join(ROSTER[:2]) + "\n", encoding="utf-8")
        env = {
            "MINICEX_SMTP_HOST": server.host,
            "MINICEX_SMTP_PORT": str(server.port),
            "MINICEX_SMTP_SECURITY": "tls",
            "MINICEX_SMTP_USER": server.user,
            "MINICEX_SMTP_PASSWORD": server.password,
            "MINICEX_MAIL_FROM": "st@example.se",
            "MINICEX_MAIL_CA_FILE": str(test_certs.ca),
        }
        args = ["send", str(roster), "--forms", str(tmp_path / "f"), "--db", str(tmp_path / "m.sqlite"), "--pause", "0"]
        result = run(args, env)
        assert result.output.splitlines()[0] == "Sent: 1"
        [got] = server.received
        assert got.rcpt_tos == ["asa.oberg@example.se"] and parse(got.content)["Reply-To"] is None
    finally:
        stop()


def test_pause_between_messages_and_a_record_per_message(tmp_path: Path, smtp_server, send_config, outgoing) -> None:
    from minicex_pdf.mail.send import Sender

    config, out = send_config, outgoing(3)
    pauses: list[float] = []
    with Store(tmp_path / "m.sqlite") as store:
        result = Sender(store, config, lang="en", pause=1.5, sleep=pauses.append).run(out)
        assert [o.item for o in result.sent] == ["id0", "id1", "id2"]
        assert [(s.item, s.recipient) for s in store.all_sent()] == [(f"id{n}", f"t{n}@example.se") for n in range(3)]
    assert pauses == [1.5, 1.5]  # between messages, not before the first or after the last
    assert [pdf_attachments(parse(r.content)) for r in smtp_server.received] == [[("f.pdf", o.pdf)] for o in out]
