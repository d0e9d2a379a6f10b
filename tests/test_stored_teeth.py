"""Teeth for the values the store gives back (``storage/stored.py``): a form of a version this release does not know."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from test_store import make_record

from minicex_pdf.storage.store import Store, Stored


def test_a_form_of_a_version_this_release_does_not_know_is_kept_and_read_back_as_it_came(tmp_path: Path) -> None:
    """No definition to type its values by: dates come back as the ISO text stored, the rest as JSON gave it."""
    known = make_record(1)
    unknown = dataclasses.replace(known, source=dataclasses.replace(known.source, form_version=99))
    with Store(tmp_path / "s.sqlite") as store:
        assert store.add(unknown) == Stored(
            new=True, revision=1, form_key=f"sha256:{unknown.source.sha256}", files=1
        )  # a pool of its own
        [row] = list(store.rows())
        assert row.record.source == unknown.source
        assert row.record.values == {
            name: value.isoformat() if isinstance(value, dt.date) else value for name, value in known.values.items()
        }
        assert store.trainees() == []  # which field names the trainee is the definition's to say
