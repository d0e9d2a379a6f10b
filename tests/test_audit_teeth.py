"""Teeth for the corrections and their audit trail (:mod:`minicex_pdf.storage.audit`): void, restore, merge, history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_progress import record

from minicex_pdf.errors import UsageError
from minicex_pdf.storage import audit
from minicex_pdf.storage.audit import AuditEntry, Corrections
from minicex_pdf.storage.store import Store
from minicex_pdf.storage.view import StoreView

#: Stored in this order: form ids 1..4.
RECORDS = [
    record(name="Åsa Öberg", date=dt.date(2026, 3, 2), assessor="Per Ek"),
    record(name="Oberg, Asa", date=dt.date(2026, 3, 3), assessor="Eva Al"),
    record(name="Asa  Oberg", date=dt.date(2026, 3, 4), assessor="Bo Al"),
    record(name="Karl Lind", date=dt.date(2026, 3, 5), assessor="Eva Al"),
]
AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "s.sqlite") as s:
        for r in RECORDS:
            s.add(r)
        yield s


def fixes(store: Store) -> Corrections:
    return Corrections(store, user="admin")


def entries(store: Store, form: str | None = None) -> list[tuple[str, str, str | None, str, str]]:
    """The history without the times: user, action, file, reason, detail."""
    return [(e.user, e.action, e.sha256, e.reason, e.detail) for e in fixes(store).history(form)]


def usage(call: object, *args: object) -> tuple[str, str]:
    with pytest.raises(UsageError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.message("en"), caught.value.message("sv")


def names(store: Store) -> list[str]:
    return StoreView(store).names()


SHA = [r.source.sha256 for r in RECORDS]


def test_a_void_needs_a_reason_and_keeps_it_trimmed_with_the_time_and_user(store: Store) -> None:
    assert usage(fixes(store).void, "1", "   ") == (
        "give the reason for voiding with --reason",
        "ange varför med --reason",
    )
    line = fixes(store).void("1", "  sent twice ")
    assert (line.id, line.voided) == (1, None)  # the form as it was before
    (entry,) = fixes(store).history("1")
    assert (entry.user, entry.action, entry.sha256, entry.reason, entry.detail) == (
        "admin",
        "void",
        SHA[0],
        "sent twice",
        "",
    )
    assert AT.fullmatch(entry.at)
    voided = next(ln for ln in StoreView(store).lines() if ln.id == 1).voided
    assert voided is not None and (voided.reason, voided.at, voided.user) == ("sent twice", entry.at, "admin")
    assert usage(fixes(store).void, "1", "again") == (
        f"form 1 is already voided ({entry.at})",
        f"formulär 1 är redan makulerat ({entry.at})",
    )


def test_restore_counts_a_voided_form_again_and_is_in_its_history(store: Store) -> None:
    assert usage(fixes(store).restore, "2") == ("form 2 is not voided", "formulär 2 är inte makulerat")
    fixes(store).void("2", "wrong trainee")
    line = fixes(store).restore("2", " it was right  ")
    assert line.id == 2 and line.voided is not None  # the form as it was before
    assert [ln.voided for ln in StoreView(store).lines()] == [None, None, None, None]
    assert entries(store, "2") == [
        ("admin", "void", SHA[1], "wrong trainee", ""),
        ("admin", "restore", SHA[1], "it was right", ""),
    ]
    assert [e.what("en") for e in fixes(store).history("2")] == ["voided", "restored"]
    assert [e.what("sv") for e in fixes(store).history("2")] == ["makulerat", "återställt"]
    assert entries(store, "1") == []


def test_merge_shows_name_variants_as_one_and_names_what_it_merged(store: Store) -> None:
    merged = fixes(store).merge(["asa   OBERG", "ÅSA ÖBERG", "Oberg, Asa"], "  Åsa   Öberg ", " same person ")
    assert merged == ["Asa Oberg", "Oberg, Asa"]  # as stored; the name merged into is left out
    assert names(store) == ["Karl Lind", "Åsa Öberg"]
    assert entries(store) == [
        ("admin", "merge", None, "same person", "Asa Oberg → Åsa Öberg"),
        ("admin", "merge", None, "same person", "Oberg, Asa → Åsa Öberg"),
    ]
    # a form's history holds the merges of its trainee's name, and only those
    assert [e.what("en") for e in fixes(store).history("2")] == ["name merged: Oberg, Asa → Åsa Öberg"]
    assert [e.what("sv") for e in fixes(store).history("3")] == ["namn sammanfört: Asa Oberg → Åsa Öberg"]
    assert entries(store, "1") == [] and entries(store, "4") == []


def test_names_merged_earlier_follow_their_name_and_a_name_can_be_merged_back(store: Store) -> None:
    fixes(store).merge(["Oberg, Asa"], "Asa Oberg")
    assert names(store) == ["Asa Oberg", "Karl Lind", "Åsa Öberg"]
    fixes(store).merge(["Asa Oberg"], "Åsa Öberg")
    assert names(store) == ["Karl Lind", "Åsa Öberg"]  # "Oberg, Asa" followed "Asa Oberg"
    fixes(store).merge(["Åsa Öberg"], "Oberg, Asa")  # the other way round: nothing is merged into itself
    assert names(store) == ["Karl Lind", "Oberg, Asa"]
    trainees = [ln.record.values[StoreView(store).trainee_field] for ln in StoreView(store).lines()]
    assert trainees == ["Oberg, Asa", "Oberg, Asa", "Oberg, Asa", "Karl Lind"]


def test_merge_refuses_what_it_cannot_do_and_names_the_closest_names(store: Store) -> None:
    merge = fixes(store).merge
    assert usage(merge, ["Asa"], "   ") == (
        "give the name to merge into with --into",
        "ange namnet att föra samman till med --into",
    )
    assert usage(merge, ["åsa öberg"], "Åsa Öberg") == (
        "nothing to merge: give other names than --into",
        "inget att föra samman",
    )
    assert usage(merge, ["Karl Lindh"], "Karl Lind") == (
        "no trainee called 'Karl Lindh'; did you mean 'Karl Lind'?",
        "ingen ST-läkare heter 'Karl Lindh'; menade du 'Karl Lind'?",
    )
    assert usage(merge, ["Asa Oberga"], "Åsa Öberg") == (
        "no trainee called 'Asa Oberga'; did you mean 'Asa Oberg' or 'Oberg, Asa'?",
        "ingen ST-läkare heter 'Asa Oberga'; menade du 'Asa Oberg' eller 'Oberg, Asa'?",
    )
    assert usage(merge, ["Zyx Qvw"], "Karl Lind") == ("no trainee called 'Zyx Qvw'", "ingen ST-läkare heter 'Zyx Qvw'")
    assert usage(merge, ["Karl Lind", "Nobody Here"], "Åsa Öberg")[0].startswith("no trainee called 'Nobody Here'")
    assert names(store) == ["Asa Oberg", "Karl Lind", "Oberg, Asa", "Åsa Öberg"]  # nothing half done
    assert entries(store) == []


def test_the_whole_history_is_every_change_oldest_first(store: Store) -> None:
    fixes(store).void("4", "test form")
    fixes(store).merge(["Oberg, Asa"], "Åsa Öberg")
    fixes(store).restore("4")
    assert entries(store) == [
        ("admin", "void", SHA[3], "test form", ""),
        ("admin", "merge", None, "", "Oberg, Asa → Åsa Öberg"),
        ("admin", "restore", SHA[3], "", ""),
    ]
    assert entries(store, "4") == [("admin", "void", SHA[3], "test form", ""), ("admin", "restore", SHA[3], "", "")]


def test_history_entries_are_values_a_caller_cannot_change(store: Store) -> None:
    fixes(store).void("1", "sent twice")
    first, again = fixes(store).history(), fixes(store).history()
    assert len(first) == 1 and set(first) == set(again)  # hashable, equal by value
    with pytest.raises(dataclasses.FrozenInstanceError):
        first[0].reason = "changed"  # type: ignore[misc]


def test_an_action_without_words_reads_as_its_code() -> None:
    assert AuditEntry("t", "u", "rename", None, "", "").what("en") == "rename"
    assert AuditEntry("t", "u", "rename", None, "", "a → b").what("sv") == "rename: a → b"


@pytest.mark.parametrize("fault", [OSError, KeyError, ImportError])
def test_the_user_is_unknown_where_the_system_does_not_say(
    store: Store, monkeypatch: pytest.MonkeyPatch, fault: type[Exception]
) -> None:
    def no_user() -> str:
        raise fault("no user")

    monkeypatch.setattr(getpass, "getuser", no_user)
    Corrections(store).void("1", "x")
    assert [e.user for e in Corrections(store).history()] == ["unknown"]


def test_the_user_is_the_operating_system_user_by_default(store: Store) -> None:
    Corrections(store).void("1", "x")
    assert [e.user for e in Corrections(store).history()] == [getpass.getuser()]
    assert audit.os_user() == getpass.getuser()
