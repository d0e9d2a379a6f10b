"""Teeth for the admin's desk (:mod:`minicex_pdf.admin.desk`): how a caller opens it, its defaults, its cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from test_progress import SPECIALTY, record

from minicex_pdf.admin.desk import AdminDesk, open_existing
from minicex_pdf.config import StoreChoice
from minicex_pdf.errors import StoreError
from minicex_pdf.storage.audit import Corrections
from minicex_pdf.storage.filters import Filter
from minicex_pdf.storage.store import Store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.sqlite"
    with Store(path) as s:
        s.add(record(name="Åsa Öberg", date=dt.date(2026, 3, 2), assessor="Per Ek/Eva Al/", workplace="Kir klin/Ort/"))
    return path


def test_open_existing_opens_for_writing_unless_told_to_only_read(db: Path) -> None:
    with open_existing(db) as store:
        Corrections(store, user="admin").void("1", "sent twice")
    with open_existing(db, readonly=True) as store:
        assert [e.what("en") for e in Corrections(store).history("1")] == ["voided"]
        with pytest.raises(StoreError, match="read-only"), store.guarded():
            Corrections(store, user="admin").restore("1")


def test_readonly_is_always_named_at_the_call(db: Path) -> None:
    """``readonly`` is keyword-only: a bare ``True`` after the path or language is refused."""
    with pytest.raises(TypeError):
        open_existing(db, True)  # type: ignore[misc]
    with pytest.raises(TypeError):
        AdminDesk(StoreChoice(db, "--db"), "en", True)  # type: ignore[misc]


def test_status_lists_trainees_unless_asked_for_the_chase_list(db: Path) -> None:
    with AdminDesk(StoreChoice(db, "--db"), "en", readonly=True) as desk:
        rows = json.loads(desk.status(Filter(), "json").text)
        chased = desk.status(Filter(), "json", chase=True).text
    assert [(r["trainee"], r["assessments"]) for r in rows] == [("Åsa Öberg", 1)]
    assert json.loads(chased) == []


def test_text_cells_are_written_as_given_only_files_are_shortened(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workplace or assessor with slashes is not a path: CSV shows it exactly as written on the form."""
    monkeypatch.chdir(db.parent)
    with AdminDesk(StoreChoice(db, "--db"), "en", readonly=True) as desk:
        status = desk.status(Filter(), "csv").text
        forms = desk.forms(Filter(), "csv").text
    rows = list(csv.reader(io.StringIO(status.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1] == ["Åsa Öberg", SPECIALTY, "Kir klin/Ort/", "Dr S", "1", "0", "0", "0", "1", "1", "2026-03-02", "0"]
    assert forms.splitlines()[1] == "1;Åsa Öberg;2026-03-02;Per Ek/Eva Al/;complete;Åsa Öberg-2026-03-02.pdf"


def test_a_format_chosen_at_run_time_works_like_the_literal(db: Path) -> None:
    """The format may come from a config file or a prompt: an equal string, not the same object."""
    table = "".join(["tab", "le"])
    with AdminDesk(StoreChoice(db, "--db"), "en", readonly=True) as desk:
        nothing = desk.forms(Filter(since=dt.date(2030, 1, 1)), table)
    assert (nothing.text, nothing.notes[-1]) == ("", "nothing matches the filters")
