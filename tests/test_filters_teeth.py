"""Teeth for the filters shared by status, report and export (:mod:`minicex_pdf.storage.filters`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_progress import record

from minicex_pdf.cli import cli
from minicex_pdf.storage.filters import Filter
from minicex_pdf.storage.store import Store


def test_the_closest_name_is_suggested_first(tmp_path: Path) -> None:
    """ "Lars Ekes" is closer to "Lars Eke" than to "Lars Ek", though "Lars Ek" sorts first."""
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.add(record(name="Lars Ek", date=dt.date(2026, 3, 2)))
        store.add(record(name="Lars Eke", date=dt.date(2026, 3, 3)))
    result = CliRunner().invoke(cli, ["status", "--db", str(db), "--trainee", "Lars Ekes", "--lang", "en"])
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        1,
        "Error: no trainee matches 'Lars Ekes'; did you mean 'Lars Eke' or 'Lars Ek'?",
    )


def test_a_name_exactly_at_the_floor_of_closeness_is_still_suggested(tmp_path: Path) -> None:
    """ "Lund" and "Lindén" share three of ten letters: a closeness of exactly 0.6, the lowest suggested."""
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.add(record(name="Eva Lindén", date=dt.date(2026, 3, 2)))
    result = CliRunner().invoke(cli, ["status", "--db", str(db), "--trainee", "Lund", "--lang", "sv"])
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        1,
        "Fel: ingen ST-läkare matchar 'Lund'; menade du 'Eva Lindén'?",
    )


def test_a_filter_is_a_value_a_caller_cannot_change() -> None:
    flt = Filter(trainee="öberg", since=dt.date(2026, 3, 1))
    assert {flt, Filter(trainee="öberg", since=dt.date(2026, 3, 1))} == {flt}  # hashable, equal by value
    with pytest.raises(dataclasses.FrozenInstanceError):
        flt.trainee = "lind"  # type: ignore[misc]


@pytest.mark.parametrize(
    "given",
    [
        {"trainee": "öberg"},
        {"specialty": "kirurgi"},
        {"workplace": "vc"},
        {"supervisor": "ek"},
        {"since": dt.date(2026, 3, 1)},
        {"until": dt.date(2026, 3, 1)},
    ],
)
def test_a_filter_with_any_one_value_is_not_empty(given: dict[str, object]) -> None:
    assert Filter().empty is True
    assert Filter(**given).empty is False  # type: ignore[arg-type]
