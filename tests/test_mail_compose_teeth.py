"""The message template and composed messages pinned by what an admin and a mail client see."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import email.utils
import json
import time
from pathlib import Path

import pytest

from minicex_pdf.errors import UsageError
from minicex_pdf.limits import MAIL_TEMPLATE_MAX_BYTES
from minicex_pdf.mail.compose import Template, compose

VALUES = {"name": "Łukasz Wiśniewski", "file": "lukasz.pdf", "reply_to": "st@example.org"}


def test_both_languages_from_a_language_read_at_run_time() -> None:
    both = json.loads('"both"')  # as the option or the config file gives it: not the code's own literal
    subject, body = Template.load().render("trainee", both, VALUES)
    sv_subject, sv_body = Template.load().render("trainee", "sv", VALUES)
    en_subject, en_body = Template.load().render("trainee", "en", VALUES)
    assert (
        subject
        == f"{sv_subject} / {en_subject}"
        == "Mini-CEX: ditt förifyllda formulär / Mini-CEX: your pre-filled form"
    )
    assert body == sv_body.rstrip("\n") + "\n\n---\n\n" + en_body
    assert "Łukasz Wiśniewski" in sv_body and "Łukasz Wiśniewski" in en_body


def test_a_template_at_the_size_limit_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    line = '[trainee.en]\nsubject = "Your form, $name"\n'
    at_limit = tmp_path / "at.toml"
    at_limit.write_text(line + "#" * (MAIL_TEMPLATE_MAX_BYTES - len(line) - 1) + "\n", encoding="utf-8")
    assert at_limit.stat().st_size == MAIL_TEMPLATE_MAX_BYTES
    assert Template.load(at_limit).render("trainee", "en", VALUES)[0] == "Your form, Łukasz Wiśniewski"
    over = tmp_path / "over.toml"
    over.write_bytes(at_limit.read_bytes() + b"\n")
    with pytest.raises(UsageError) as err:
        Template.load(over)
    assert str(err.value) == f"{over}: too large to be a message template"


def test_a_missing_template_is_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(UsageError) as err:
        Template.load(missing)
    assert str(err.value) == f"{missing}: cannot be read: No such file or directory"


def test_a_template_saved_in_windows_1252_is_one_line_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "mall.toml"
    path.write_bytes('[trainee.sv]\nsubject = "Hej Åsa"\n'.encode("cp1252"))
    with pytest.raises(UsageError) as err:
        Template.load(path)
    assert str(err.value).startswith(f"{path}: not a valid TOML file ('utf-8' codec can't decode byte 0xc5")


@pytest.mark.parametrize(
    ("toml", "section"),
    [('assessor = "Hej"\n', "assessor"), ('[supervisor.sv]\nsubject = "Hej"\n', "supervisor")],
    ids=["known-audience-as-text", "unknown-audience"],
)
def test_an_audience_that_is_not_a_table_of_languages_is_named(tmp_path: Path, toml: str, section: str) -> None:
    path = tmp_path / "mall.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(UsageError) as err:
        Template.load(path)
    assert str(err.value) == f"{path}: unknown section [{section}]; use trainee, assessor"


def test_a_template_cannot_be_changed_after_loading() -> None:
    template = Template.load()
    with pytest.raises(dataclasses.FrozenInstanceError):
        template.parts = {}  # type: ignore[misc]


def test_a_message_is_dated_now_in_utc_whatever_the_machines_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    monkeypatch.setenv("TZ", "CET-1")  # an admin's machine in Sweden (POSIX form: no tz database needed)
    time.tzset()
    try:
        msg = compose(
            sender="ST-kansliet <st@example.org>",
            recipient="trainee@example.org",
            reply_to=None,
            subject="s",
            body="b",
            attachment=b"%PDF-1.7\n",
            filename="f.pdf",
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    date = msg["Date"]
    assert date.endswith(" +0000")
    sent = email.utils.parsedate_to_datetime(date)
    assert before <= sent <= _dt.datetime.now(_dt.UTC)
    assert (msg["Reply-To"], msg["Message-ID"].endswith("@example.org>")) == (None, True)
