"""The small parts of minicex_pdf.mail: settings, IMAP addresses and folder names, the store's migration,
and ``minicex read`` of a mail file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import returned_mail

from minicex_pdf.cli import cli
from minicex_pdf.errors import UsageError
from minicex_pdf.mail.config import MailConfig, load_config
from minicex_pdf.mail.imap import ImapUrl, utf7
from minicex_pdf.reading.record import Record
from minicex_pdf.storage import schema
from minicex_pdf.storage.store import Store


def test_config_file_then_environment_and_passwords_never_shown(tmp_path: Path) -> None:
    toml = tmp_path / "mail.toml"
    toml.write_text(
        '[mail]\nfrom = "st@example.se"\n[smtp]\nhost = "smtp.example.se"\nsecurity = "tls"\npassword = "hemligt-1"\n'
        '[imap]\nurl = "imaps://st@imap.example.se/INBOX/Returer"\n',
        encoding="utf-8",
    )
    config = load_config(toml, env={"MINICEX_SMTP_PASSWORD": "hemligt-2", "MINICEX_IMAP_MOVE_TO": "Klara"})
    assert config == MailConfig(
        sender="st@example.se",
        smtp_host="smtp.example.se",
        smtp_security="tls",
        smtp_password="hemligt-2",
        imap_url="imaps://st@imap.example.se/INBOX/Returer",
        imap_move_to="Klara",
    )
    assert config.port == 465
    assert "hemligt" not in repr(config)
    assert load_config(None, env={}).port == 587


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[smtp]\npasword = "x"\n', "unknown setting 'smtp.pasword'"),
        ('[smtp]\nsecurity = "none"\n', "smtp.security must be one of starttls, tls"),
        ('[smtp]\nport = "x"\n', "smtp.port must be a whole number"),
        ("[smtp\n", "not a valid TOML file"),
    ],
)
def test_config_errors_name_the_file_and_setting(tmp_path: Path, text: str, message: str) -> None:
    toml = tmp_path / "mail.toml"
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as err:
        load_config(toml, env={})
    assert str(err.value).startswith(f"{toml}: ") and message in str(err.value)


def test_imap_address_and_folder_names() -> None:
    assert ImapUrl.parse("imaps://st%40region.se@imap.example.se/INBOX/Returer") == ImapUrl(
        True, "imap.example.se", 993, "st@region.se", "INBOX/Returer"
    )
    assert ImapUrl.parse("imap://u@h:1143") == ImapUrl(False, "h", 1143, "u", "INBOX")
    with pytest.raises(UsageError, match="must start with imaps://"):
        ImapUrl.parse("https://u@h/INBOX")
    # RFC 3501 5.1.3 examples, and Swedish folder names
    assert utf7("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
    assert utf7("Åtgärdade & klara") == "&AMU-tg&AOQ-rdade &- klara"


def test_a_version_1_store_migrates_and_keeps_its_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdfium_filled: bytes
) -> None:
    from minicex_pdf.reading.reader import read_form

    record = read_form("a.pdf", data=pdfium_filled)
    db = tmp_path / "old.sqlite"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        m.setattr(schema, "SCHEMA_VERSION", 1)
        with Store(db) as old:
            assert old.schema_version == 1
    # a form stored by the release before (its INSERT, as version 1 had it)
    data = record.to_dict()
    with sqlite3.connect(db) as con:
        con.execute(
            "INSERT INTO forms (sha256, form_key, instance_id, revision, form_id, form_version, trainee,"
            " trainee_key, date, status, path, size, imported_at, record) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                record.source.sha256,
                "sha256:x",
                None,
                1,
                record.source.form_id,
                record.source.form_version,
                None,
                None,
                None,
                record.status,
                "a.pdf",
                record.source.size,
                "2026-01-01T00:00:00+00:00",
                json.dumps(data, ensure_ascii=False),
            ),
        )
    with Store(db) as store:
        assert store.schema_version == len(schema.MIGRATIONS)
        [row] = list(store.rows())
        assert row.mail is None and row.record == record
        assert store.sent("x", "a@example.se") is None
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_read_a_mail_file_shows_each_form_with_its_message(tmp_path: Path, pdfium_filled: bytes) -> None:
    eml = tmp_path / "svar.eml"
    eml.write_bytes(returned_mail(("f.pdf", pdfium_filled), ("trasig.pdf", b"%PDF-1.4\n")))
    result = CliRunner().invoke(cli, ["read", str(eml), "--lang", "en"])
    assert result.exit_code == 1  # one attachment cannot be read
    items = json.loads(result.output)
    mail = {"from": "karin.lund@example.se", "date": "2026-03-10T07:15:00+00:00", "subject": "Ifyllt formulär"}
    assert [(i["mail"], i["file"]) for i in items] == [(mail, f"{eml}/f.pdf"), (mail, f"{eml}/trasig.pdf")]
    assert isinstance(Record, type) and items[0]["record"]["source"]["sha256"]
    assert items[1]["error"].startswith(f"{eml}/trasig.pdf: the PDF is damaged or truncated")
    text = CliRunner().invoke(cli, ["read", str(eml), "--format", "text", "--lang", "en"]).output.splitlines()
    assert text[0] == "karin.lund@example.se  2026-03-10T07:15:00+00:00  Ifyllt formulär"
    assert text[1] == f"{eml}/f.pdf"


def test_hostile_nesting_is_listed_not_a_crash(tmp_path: Path) -> None:
    """Thousands of forwarded messages inside each other: the parser's own recursion ends in one listed message."""
    nested = b"".join(b"Content-Type: message/rfc822\r\n\r\n" for _ in range(3000))
    eml = tmp_path / "bomb.eml"
    eml.write_bytes(b"From: a@example.se\r\nContent-Type: message/rfc822\r\n\r\n" + nested + b"\r\nx\r\n")
    deep = tmp_path / "deep.eml"  # deeper than MAIL_NESTING_MAX, within what the parser takes
    deep.write_bytes(
        b"From: b@example.se\r\n" + b"".join(b"Content-Type: message/rfc822\r\n\r\n" for _ in range(8)) + b"x\r\n"
    )
    result = CliRunner().invoke(cli, ["import", str(eml), str(deep), "--db", str(tmp_path / "m.sqlite"), "-q"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[-3:] == [
        "Messages without a readable form:",
        f"  a@example.se, unknown: no PDF attachment; the message cannot be read (malformed) ({eml})",
        f"  b@example.se, unknown: no PDF attachment; forwarded messages nested too deep to open ({deep})",
    ]
