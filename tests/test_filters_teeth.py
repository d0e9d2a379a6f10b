"""Teeth for the filters shared by status, report and export (:mod:`minicex_pdf.storage.filters`)."""

from __future__ import annotations

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
