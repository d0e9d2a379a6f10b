"""Teeth for the store's e-mail book (``storage/mailbook.py``): what was sent to whom, which messages were read."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from minicex_pdf.storage.store import Store


def test_the_last_send_of_a_form_to_an_address_is_the_one_found_whatever_the_case_of_the_address(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.add_sent("id1", "Åsa.Berg@Example.SE", "a" * 64, "<one@minicex>")
        store.add_sent("id1", "åsa.berg@example.se", "b" * 64, "<two@minicex>")
        store.add_sent("blank", "per@example.se", "c" * 64, "<three@minicex>")
        last = store.sent("id1", "ÅSA.BERG@EXAMPLE.SE")
        assert last is not None
        assert (last.item, last.recipient, last.sha256, last.message_id) == (
            "id1",
            "åsa.berg@example.se",
            "b" * 64,
            "<two@minicex>",
        )
        assert store.sent("id1", "per@example.se") is None
        assert [(s.item, s.message_id) for s in store.all_sent()] == [
            ("id1", "<one@minicex>"),
            ("id1", "<two@minicex>"),
            ("blank", "<three@minicex>"),
        ]
        assert len(set(store.all_sent())) == 3  # values: hashable, and a stored send cannot be changed
        with pytest.raises(dataclasses.FrozenInstanceError):
            last.recipient = "someone@else.se"  # type: ignore[misc]


def test_a_message_read_twice_is_remembered_once(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        assert store.message_seen("<m1@mail>") is False
        store.add_message_seen("<m1@mail>", "per@example.se", "2026-03-01T10:00:00+00:00", 2)
        store.add_message_seen("<m1@mail>", "other@example.se", None, 0)  # read again: the first stays
        assert (store.message_seen("<m1@mail>"), store.message_seen("<m2@mail>")) == (True, False)
        rows = store.db.execute("SELECT message_key, sender, date, pdfs FROM mail_seen").fetchall()
        assert [tuple(r) for r in rows] == [("<m1@mail>", "per@example.se", "2026-03-01T10:00:00+00:00", 2)]
