"""Teeth for :mod:`minicex_pdf.mail.config`: the size limit at its boundary, passwords never shown, fixed settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import minicex_pdf.mail.config as config_module
from minicex_pdf.errors import UsageError
from minicex_pdf.mail.config import MailConfig, load_config

SETTINGS = '[imap]\nurl = "imaps://st@imap.example.se/INBOX/Returer"\n'


def test_a_config_file_exactly_at_the_size_limit_is_read_one_byte_more_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "mail.toml"
    toml.write_text(SETTINGS, encoding="utf-8")
    monkeypatch.setattr(config_module, "MAIL_CONFIG_MAX_BYTES", toml.stat().st_size)
    assert load_config(toml, env={}) == MailConfig(imap_url="imaps://st@imap.example.se/INBOX/Returer")
    monkeypatch.setattr(config_module, "MAIL_CONFIG_MAX_BYTES", toml.stat().st_size - 1)
    with pytest.raises(UsageError) as err:
        load_config(toml, env={})
    assert str(err.value) == f"{toml}: too large to be a minicex config file"


def test_neither_password_is_shown_and_the_settings_cannot_be_changed_once_read() -> None:
    env = {"MINICEX_SMTP_PASSWORD": "smtp-hemlighet", "MINICEX_IMAP_PASSWORD": "imap-hemlighet"}
    config = load_config(None, env=env)
    assert (config.smtp_password, config.imap_password) == ("smtp-hemlighet", "imap-hemlighet")
    assert repr(config) == (
        "MailConfig(sender=None, reply_to=None, ca_file=None, smtp_host=None, smtp_port=None,"
        " smtp_security='starttls', smtp_user=None, imap_url=None, imap_move_to=None)"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.smtp_host = "smtp.annan.example"  # type: ignore[misc]
