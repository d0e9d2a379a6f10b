"""The roster kept in the store, pinned by what a second prefill and the stored lists show."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.roster import RosterColumns
from minicex_pdf.storage.roster_store import RosterStore, RosterTrainee
from minicex_pdf.storage.store import Store

D = load_definition()


def roster(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    headers = dict(D.roster_headers_sv)
    keys = [f.prefill for f in RosterColumns.of(D).fields][:4]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([[headers[k] for k in keys], *rows])
    return path


def prefill(tmp_path: Path, name: str, rows: list[tuple[str, str, str, str]]) -> None:
    args = [
        "prefill",
        str(roster(tmp_path / name, rows)),
        "-o",
        str(tmp_path / "forms"),
        "--db",
        str(tmp_path / "s.sqlite"),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output


def test_a_specialty_written_two_ways_is_one_trainee_with_one_form(tmp_path: Path) -> None:
    prefill(tmp_path, "autumn.csv", [("Åsa Öberg", "BUP", "", "Per Ek"), ("Bo Ek", "Kardiologi", "Hjärtkliniken", "")])
    # the spring roster spells the specialty out, in another case, with the name's spaces doubled
    prefill(
        tmp_path,
        "spring.csv",
        [("Åsa  Öberg", "Barn- och ungdomspsykiatri", "BUP Väster", ""), ("Bo Ek", "kardiologi", "", "Eva Al")],
    )
    with Store(tmp_path / "s.sqlite") as store:
        rs = RosterStore(store, D)
        trainees = list(rs.trainees())
        forms = list(rs.forms())
    # one stored trainee each, as first written (by name key: b before å)
    assert [(t.name, t.specialty, t.workplace, t.supervisor) for t in trainees] == [
        ("Bo Ek", "Kardiologi", "Hjärtkliniken", ""),
        ("Åsa Öberg", "BUP", "", "Per Ek"),
    ]
    assert len(forms) == 2  # the second run made no form: each trainee had one already
    assert sorted(f.trainee for f in forms) == sorted(t.id for t in trainees)
    assert all(f.file.startswith(str(tmp_path / "forms")) and f.file.endswith(".pdf") for f in forms)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trainees[0].name = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        forms[0].file = "x"  # type: ignore[misc]
    assert isinstance(trainees[0], RosterTrainee)


def test_the_specialty_key_is_the_catalogues_name_or_the_text_itself(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        rs = RosterStore(store, D)
        assert rs.specialty_key("BUP") == rs.specialty_key("barn- och ungdomspsykiatri")
        assert rs.specialty_key("Barn- och ungdoms-kardiologi") == rs.specialty_key("Barn- och ungdomskardiologi")
        assert rs.specialty_key("Rymdmedicin") == rs.specialty_key("RYMDMEDICIN") != rs.specialty_key("BUP")


def test_a_recorded_prefill_says_what_it_made_and_what_it_left_and_cannot_be_changed(tmp_path: Path) -> None:
    from minicex_pdf.form.prefill import Prefiller
    from minicex_pdf.storage.roster_store import RecordedPrefill

    rows = [("Åsa Öberg", "Allmänmedicin", "VC Väster", "Per Ek"), ("Bo Ek", "Kirurgi", "", "")]
    path = roster(tmp_path / "r.csv", rows)
    maker = RecordedPrefill(tmp_path / "s.sqlite", Prefiller(tmp_path / "forms", lang="sv", definition=D))
    first = maker.make(path)
    second = maker.make(path)
    assert (len(first.result.made), first.already, len(second.result.made), second.already) == (2, 0, 0, 2)
    assert first.db == tmp_path / "s.sqlite"
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.already = 5  # type: ignore[misc]
