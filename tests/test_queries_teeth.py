"""Teeth for reading the store (``storage/queries.py``): what a damaged store's message says, and in which language."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_admin_cli import invoke, write_config
from test_faults import damage_a_page, make_store
from test_store_more_teeth import FIX_ROWS_SV


def test_a_damaged_store_is_named_in_the_language_of_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lang = "sv"`` read from the config file (a string TOML made, not the literal in the code) gives Swedish."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    write_config('lang = "sv"\n')
    db = make_store(tmp_path / "minicex.sqlite", n=12)
    lost = sorted(damage_a_page(db))
    code, _, err = invoke("forms", "--db", str(db), "--format", "json")
    rows = ", ".join(map(str, lost))
    assert (code, err.splitlines()[1:]) == (
        1,
        [
            f"{db}: databasen är skadad, {len(lost)} formulär kunde inte läsas: databasens"
            f" {'rader' if len(lost) > 1 else 'rad'} {rows} (damaged page); listan visar resten: {FIX_ROWS_SV}"
        ],
    )
