"""Consistency across commands: where the store lives, one language, one -o rule, an empty store, the month axis."""

from __future__ import annotations

import datetime as dt
import errno
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_progress import D, record

from minicex_pdf.cli import cli
from minicex_pdf.config import choose_db, config_file, default_lang
from minicex_pdf.errors import UsageError, os_error_message
from minicex_pdf.report.progress import AreaProgress, Observation
from minicex_pdf.report.writer import LevelChart
from minicex_pdf.storage.filters import Filter, fold, matches, suggest
from minicex_pdf.storage.store import SCHEMA_VERSION, Store


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "s.sqlite"
    with Store(path) as s:
        s.add(record(name="Åsa Öberg", date=dt.date(2026, 3, 2), assessor="Per Ek"))
    return path


@pytest.fixture(autouse=True)
def _own_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test here writes its own config file, seen by no other test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- where the store lives


def test_db_comes_from_the_option_then_the_environment_then_the_config_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MINICEX_DB", str(tmp_path / "env.sqlite"))
    assert (choose_db(Path("given.sqlite")).path, choose_db(Path("given.sqlite")).source) == (
        Path("given.sqlite"),
        "--db",
    )
    assert (choose_db(None).path, choose_db(None).source) == (tmp_path / "env.sqlite", "MINICEX_DB")
    monkeypatch.delenv("MINICEX_DB")
    cfg = write_config(f'db = "{tmp_path / "cfg.sqlite"}"\nlang = "sv"\n')
    assert (choose_db(None).path, choose_db(None).source) == (tmp_path / "cfg.sqlite", str(cfg))
    assert default_lang() == "sv"
    cfg.unlink()
    assert (choose_db(None).path, choose_db(None).source) == (Path("minicex.sqlite"), "default")
    assert default_lang() == "en"


def test_status_uses_the_store_and_language_of_the_config_file(
    store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MINICEX_DB")
    cfg = write_config(f'db = "{store}"\nlang = "sv"\n')
    code, out, err = invoke("status", "--format", "csv")
    assert code == 0
    assert err == f"Databas: {store} ({cfg})\n"
    assert out.splitlines()[0] == (
        "\ufeffST-läkare;Specialitet;Arbetsplats;Handledare;Bedömningar;Väntar på plan;Ofullständiga;Tomma;"
        "Bedömare;Ej handledaren;Senaste;Ej återkomna"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("db = ", "not a valid config file"),
        ("colour = 'red'", "unknown setting 'colour' (known: db, lang)"),
        ("lang = 'de'", "lang must be one of sv, en"),
    ],
)
def test_a_broken_config_file_is_named(monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    monkeypatch.delenv("MINICEX_DB")
    path = write_config(text)
    with pytest.raises(UsageError, match="^" + str(path).replace("\\", "\\\\") + ": " + message.split("(")[0]):
        choose_db(None)
        default_lang()


# --------------------------------------------------------------------------- an empty store, missing store


def test_an_empty_store_says_no_forms_imported_yet_in_status_and_report(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    Store(empty).close()
    message = f"Error: {empty}: no forms imported yet: import returned forms with minicex import\n"
    code, out, err = invoke("status", "--db", str(empty), "--lang", "en")
    assert (code, out, err.splitlines()[-1] + "\n") == (1, "", message)
    code, _, err = invoke("report", "--db", str(empty), "-o", str(tmp_path / "r.pdf"), "--lang", "en")
    assert (code, err) == (1, message) and not (tmp_path / "r.pdf").exists()
    code, _, err = invoke("forms", "--db", str(empty), "--lang", "sv")
    assert err.splitlines()[-1] == (
        f"Fel: {empty}: inga formulär importerade än: importera returnerade formulär med minicex import"
    )


def test_a_missing_store_is_never_created_by_a_command_that_reads(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    for args in (["status"], ["forms"], ["history"], ["void", "1", "--reason", "x"], ["restore", "1"]):
        code, _, err = invoke(*args, "--db", str(missing), "--lang", "en")
        assert code == 1 and err.endswith(f"{missing}: no such database: import forms with minicex import --db "
                                          f"{missing}, or set MINICEX_DB\n"), args  # fmt: skip
    assert not missing.exists()


# --------------------------------------------------------------------------- one -o rule


def test_report_never_overwrites_a_file_without_force(store: Path, tmp_path: Path) -> None:
    returned = tmp_path / "anna.pdf"
    returned.write_bytes(b"%PDF- a returned form")
    code, _, err = invoke("report", "--db", str(store), "-o", str(returned), "--lang", "en")
    assert (code, err) == (
        1,
        f"Error: {returned} exists: choose another name with -o, or add --force to overwrite it\n",
    )
    assert returned.read_bytes() == b"%PDF- a returned form"
    code, _, err = invoke("report", "--db", str(store), "-o", str(returned), "--force", "--lang", "sv")
    assert (code, err) == (0, f"rapporten skriven till {returned}\n")
    code, _, err = invoke("report", "--db", str(store), "-o", str(tmp_path / "r.txt"), "--lang", "en")
    assert err == f"Error: {tmp_path / 'r.txt'}: a pdf file should end in .pdf: change the name or --format\n"


def test_import_report_follows_the_same_rule(tmp_path: Path) -> None:
    problems = tmp_path / "problems.csv"
    problems.write_text("kept")
    folder = tmp_path / "in"
    folder.mkdir()
    code, _, err = invoke("import", str(folder), "--db", str(tmp_path / "i.sqlite"), "--report", str(problems))
    assert code == 1 and "--force" in err and problems.read_text() == "kept"


def test_status_writes_json_to_a_file_and_refuses_a_folder(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "status.json"
    assert invoke("status", "--db", str(store), "--format", "json", "-o", str(out))[:2] == (0, "")
    assert out.read_text(encoding="utf-8").startswith('[\n  {\n    "trainee": "Åsa Öberg"')
    code, _, err = invoke("status", "--db", str(store), "--format", "json", "-o", str(tmp_path), "--lang", "en")
    assert (code, err.splitlines()[-1]) == (1, f"Error: {tmp_path}: is a folder: give a file name with -o")


# --------------------------------------------------------------------------- messages follow --lang


def test_messages_follow_lang(tmp_path: Path) -> None:
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        assert runner.invoke(cli, ["blank", "--lang", "sv"]).output == "Skrev mini-cex.pdf\n"
        again = runner.invoke(cli, ["blank", "--lang", "sv"])
        assert again.output == (
            "Fel: mini-cex.pdf finns redan: välj ett annat namn med -o, eller lägg till --force för att skriva över den\n"
        )
    assert os_error_message(PermissionError(errno.EACCES, "Permission denied", "x.pdf"), "sv") == (
        "x.pdf: åtkomst nekad"
    )
    assert os_error_message(PermissionError(errno.EACCES, "Permission denied", "x.pdf"), "en") == (
        "x.pdf: Permission denied"
    )


# --------------------------------------------------------------------------- name matching


def test_names_match_by_part_without_case_accents_or_word_order() -> None:
    assert fold("  Åsa   ÖBERG ") == "asa oberg"
    import unicodedata

    from minicex_pdf.storage.roster_store import name_key

    for text in ("\u1fe2 Öberg", "Åsa Öberg"):  # folding U+1FE2 decomposes it: keys are NFC after folding
        nfd = unicodedata.normalize("NFD", text)
        assert (name_key(nfd), fold(nfd)) == (name_key(text), fold(text))
    assert matches("oberg asa", "Öberg, Åsa") and matches("ÅSA", "Asa Oberg") and not matches("berg anna", "Åsa Öberg")
    assert matches(None, "x") and matches("", None)
    assert suggest("Lindh Karl", ["Karl Lind", "Åsa Öberg", "Karin Lund"]) == ["Karl Lind"]
    assert suggest("zzz", ["Karl Lind"]) == []
    flt = Filter(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))
    assert [flt.date(d) for d in (dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 1), None)] == [
        True,
        True,
        False,
        False,
    ]


# --------------------------------------------------------------------------- the month axis


@pytest.mark.parametrize(
    "dates",
    [
        [dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 31)],
        [dt.date(2026, 1, 20), dt.date(2026, 6, 2)],
        [dt.date(2025, 12, 31), dt.date(2026, 1, 1)],
    ],
)
def test_the_month_axis_puts_a_form_under_its_own_month(dates: list[dt.date]) -> None:
    area = AreaProgress("overall", D.areas[-1].label, tuple(Observation(d, "2", "A") for d in dates), len(dates))
    chart = LevelChart(area, D.levels, "en", (min(dates), max(dates)), 400, "t")
    months = chart.months(50, 350)
    assert months[0][0] == min(dates).strftime("%Y-%m")
    assert months[-1][0] == max(dates).strftime("%Y-%m")
    for d in dates:
        x = chart._x(d, 50, 350)
        (label,) = [m for m, start, end in months if start <= x < end or (x == end == months[-1][2])]
        assert label == d.strftime("%Y-%m")


def test_an_older_store_migrates_to_the_admin_tables_without_losing_a_file(tmp_path: Path) -> None:
    import shutil
    import sqlite3

    old = Path(__file__).parent / "resources" / "store-v1.sqlite"
    db = tmp_path / "old.sqlite"
    shutil.copyfile(old, db)
    with sqlite3.connect(db) as c:
        files = sorted(r[0] for r in c.execute("SELECT sha256 FROM forms"))
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION == 5  # #9 identity, mail, the admin tables, then NFC trainee keys
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        assert {"roster_trainees", "prefilled", "voided", "aliases", "audit"} <= tables
        assert sorted(r[0] for r in store.db.execute("SELECT sha256 FROM forms")) == files
        forms = store.counts()["forms"]
    code, out, _ = invoke("forms", "--db", str(db), "--format", "json")
    assert code == 0 and len(json.loads(out)) == forms  # every form listed, with an id


def test_since_after_until_is_refused(store: Path) -> None:
    code, _, err = invoke(
        "status", "--db", str(store), "--since", "2026-05-01", "--until", "2026-04-01", "--lang", "en"
    )
    assert (code, err) == (1, "Error: --since 2026-05-01 is after --until 2026-04-01\n")
    code, _, err = invoke(
        "export",
        "--db",
        str(store),
        "--format",
        "csv",
        "--since",
        "2026-05-01",
        "--until",
        "2026-04-01",
        "--lang",
        "sv",
    )
    assert (code, err) == (1, "Fel: --since 2026-05-01 ligger efter --until 2026-04-01\n")


def test_status_and_forms_of_a_damaged_store_list_what_can_be_read_and_name_the_rest(tmp_path: Path) -> None:
    from test_faults import FIX_ROWS, damage_a_page, make_store

    db = make_store(tmp_path / "minicex.sqlite")
    with Store(db) as store:
        ids = {r.record.source.sha256: r.row_id for r in store.rows()}
    lost = damage_a_page(db)
    code, out, err = invoke("forms", "--db", str(db), "--format", "json", "--lang", "en")
    rows = ", ".join(map(str, sorted(lost)))
    assert (code, err.splitlines()[1:]) == (
        1,
        [
            f"{db}: the database is damaged, {len(lost)} form(s) could not be read:"
            f" database row{'s' if len(lost) > 1 else ''} {rows} (damaged page); the list shows the rest: {FIX_ROWS}"
        ],
    )
    assert sorted(f["id"] for f in json.loads(out)) == sorted(i for i in ids.values() if i not in lost)
    code, out, err = invoke("status", "--db", str(db), "--format", "json", "--lang", "en")
    assert code == 1 and "the list shows the rest" in err
    assert sum(t["assessments"] + t["incomplete"] + t["empty"] for t in json.loads(out)) == len(ids) - len(lost)


def test_store_and_output_faults_follow_lang_too(tmp_path: Path) -> None:
    locked = tmp_path / "not-a-store.sqlite"
    locked.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # a damaged header: not readable as a store
    code, _, err = invoke("status", "--db", str(locked), "--lang", "sv")
    assert code == 1 and err.startswith(f"Fel: {locked}: ")
    folder = tmp_path / "ro"
    folder.mkdir()
    from minicex_pdf.outputs import output_error

    exc = OSError(errno.ENOSPC, "No space left on device")
    assert output_error(folder / "x.csv", exc).message("sv") == (
        f"{folder / 'x.csv'}: filen kan inte skrivas (disken är full: frigör utrymme, eller skriv någon annanstans"
        " med -o); inget skrevs"
    )
    from minicex_pdf.storage.store import _fault

    assert _fault("full", "full", path="m.sqlite").message("sv") == (
        "m.sqlite: disken är full: frigör utrymme och kör kommandot igen (det som redan lagrats finns kvar)"
    )


@pytest.mark.parametrize(
    ("content", "sv", "en"),
    [
        ("", "listan är tom", "the roster is empty"),
        ("Kurs;Ort\nA;B\n", "ingen rubrikrad med en namnkolumn", "no header row with a name column"),
    ],
)
def test_a_roster_that_cannot_be_read_is_said_in_the_chosen_language(
    tmp_path: Path, content: str, sv: str, en: str
) -> None:
    roster = tmp_path / "lista.csv"
    roster.write_text(content, encoding="utf-8")
    for lang, text, tag in (("sv", sv, "Fel"), ("en", en, "Error")):
        code, out, err = invoke("prefill", str(roster), "-o", str(tmp_path / "ut"), "--lang", lang)
        assert code == 1 and out == ""
        assert err.startswith(f"{tag}: {roster}: {text}"), err
