"""Database and disk faults end in one line that names the file and says what to do, exit status 1.

Each test makes the real condition: a page of a real store overwritten with bytes, a record
whose JSON does not parse, a dropped table, an unknown status; a second connection holding
the write lock; a file-size limit (``RLIMIT_FSIZE``) or a full tmpfs for a full disk; a
read-only tmpfs (or folder permissions) for a read-only store; two processes racing to
create one store (forked at a barrier); a pipe closed early. After each, the store passes ``PRAGMA
integrity_check`` and holds exactly what it held before (or, when it was damaged on
purpose, its bytes are unchanged).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_store import make_record

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import load_definition
from minicex_pdf.limits import STORE_LOCK_WAIT, store_lock_wait
from minicex_pdf.storage.export import columns
from minicex_pdf.storage.store import SCHEMA_VERSION, Store

DEF = load_definition()
ROOT = Path(__file__).resolve().parent.parent
FEEDBACK = [f.name for f in DEF.fields if f.type == "multiline"]
#: Enough text per form that 40 forms make exports and reports of well over 64 KiB.
LONG = "Bra anamnes och status, tydlig plan. " * 60
FIX = "restore it from a backup, or import the forms again into a new database"
FIX_ROWS = "restore the database from a backup, or import the forms again into a new database"

# A subprocess that runs the minicex command under a file-size limit: writes past it fail with EFBIG.
LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["minicex"] + sys.argv[2:]
from minicex_pdf.cli import main
main()
"""


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def minicex(*args: str, limit: int | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    """The real ``minicex`` command in a new process (under a file-size limit if given)."""
    cmd = [sys.executable, "-c", LIMITED, str(limit), *args] if limit else [sys.executable, "-m", "minicex_pdf", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env(**extra), timeout=60)


def invoke(*args: str, **extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=extra or None)
    return result.exit_code, result.stdout, result.stderr


def snapshot(db: Path) -> tuple[str, list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The store's integrity check result and everything it holds (read-only)."""
    con = sqlite3.connect(f"file:{db}?mode=ro" + ("" if os.access(db.parent, os.W_OK) else "&immutable=1"), uri=True)
    try:
        return (
            con.execute("PRAGMA integrity_check").fetchone()[0],
            con.execute("SELECT * FROM forms ORDER BY id").fetchall(),
            con.execute("SELECT * FROM problems ORDER BY form, seq").fetchall(),
            con.execute("SELECT * FROM unreadable ORDER BY id").fetchall(),
        )
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_store(path: Path, n: int = 40) -> Path:
    """A store of ``n`` forms with long feedback, closed (no write-ahead log left)."""
    with Store(path) as store:
        for i in range(n):
            rec = make_record(i)
            store.add(replace(rec, values={**rec.values, **{f: f"{LONG}{i}" for f in FEEDBACK}}))
    return path


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("pristine") / "minicex.sqlite")


@pytest.fixture
def db(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the 40-form store."""
    path = tmp_path / "minicex.sqlite"
    path.write_bytes(pristine.read_bytes())
    return path


@pytest.fixture(scope="module")
def form_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real returned form, filled in PDFium, whose feedback is long (30,000 characters)."""
    pytest.importorskip("pypdfium2")
    from conftest import full_values

    from minicex_pdf.engines.pdfium import fill_pdfium
    from minicex_pdf.form.generator import build_form

    values = {**full_values(DEF), **{f: "Bra anamnes och status. " * 1250 for f in FEEDBACK[:1]}}
    path = tmp_path_factory.mktemp("forms") / "returned.pdf"
    path.write_bytes(fill_pdfium(build_form(DEF, instance_id="fault-1"), values, DEF))
    return path


def shas(db: Path) -> dict[int, str]:
    con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        return dict(con.execute("SELECT id, sha256 FROM forms").fetchall())
    finally:
        con.close()


def exported_shas(csv_text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";"))
    col = [c.key for c in columns()].index("sha256")
    return [r[col] for r in rows[1:]]


# --------------------------------------------------------------------------- a damaged store


def _varint(page: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = page[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise AssertionError("unreachable")


def damage_a_page(db: Path) -> set[int]:
    """Overwrite the header of a middle leaf page of ``forms`` with zeros; the row ids that page held.

    The row ids are read from the page's own cells (SQLite's file format), before it is damaged.
    """
    con = sqlite3.connect(db)
    try:
        leaves = [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = 'forms' AND pagetype = 'leaf'")]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a page of the forms table")
    finally:
        con.close()
    assert len(leaves) >= 3
    size = 4096
    pageno = sorted(leaves)[len(leaves) // 2]
    data = bytearray(db.read_bytes())
    start = (pageno - 1) * size
    page = bytes(data[start : start + size])
    assert page[0] == 0x0D  # a leaf page of a table
    cells = int.from_bytes(page[3:5], "big")
    ids = set()
    for k in range(cells):
        at = int.from_bytes(page[8 + 2 * k : 10 + 2 * k], "big")
        _, at = _varint(page, at)  # payload size
        ids.add(_varint(page, at)[0])
    data[start : start + 8] = bytes(8)  # page type 0: no such page in SQLite, "malformed"
    db.write_bytes(bytes(data))
    return ids


def test_damaged_page_import_refuses_export_and_report_give_the_rest(db: Path, form_pdf: Path, tmp_path: Path) -> None:
    all_shas = shas(db)
    lost = damage_a_page(db)
    before = digest(db)

    code, out, err = invoke("import", str(form_pdf), "--db", str(db), "-q")
    assert (code, out, err) == (
        1,
        "",
        f"Error: {db}: the database is damaged (database disk image is malformed): {FIX}\n",
    )
    assert digest(db) == before

    code, out, err = invoke("export", "--db", str(db), "--format", "csv")
    rows = ", ".join(map(str, sorted(lost)))
    line = (
        f"{db}: the database is damaged, {len(lost)} form(s) could not be read:"
        f" database row{'s' if len(lost) > 1 else ''} {rows} (damaged page);"
        f" the export holds the rest: {FIX_ROWS}\n"
    )
    assert (code, err) == (1, line)
    assert sorted(exported_shas(out)) == sorted(sha for i, sha in all_shas.items() if i not in lost)
    assert digest(db) == before

    pdf = tmp_path / "report.pdf"
    code, out, err = invoke("report", "--db", str(db), "-o", str(pdf), "--lang", "en")
    assert (code, err) == (1, f"report written to {pdf}\n" + line.replace("the export holds", "the report shows"))
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert digest(db) == before


@pytest.mark.parametrize(
    ("sql", "row", "reason"),
    [
        ("UPDATE forms SET record = '{\"source\": {' WHERE id = 7", 7, "record not readable"),
        (
            "UPDATE forms SET status = 'lost', record = json_set(record, '$.status', 'lost') WHERE id = 12",
            12,
            "unknown status",
        ),
    ],
    ids=["bad-json", "unknown-status"],
)
def test_a_bad_record_stops_import_and_is_named_by_export_and_report(
    db: Path, form_pdf: Path, tmp_path: Path, sql: str, row: int, reason: str
) -> None:
    all_shas = shas(db)
    con = sqlite3.connect(db)
    con.execute(sql)
    con.commit()
    con.close()
    before = snapshot(db)
    assert before[0] == "ok"

    code, out, err = invoke("import", str(form_pdf), "--db", str(db), "-q")
    what = f"database row(s) {row}: record not readable or unknown status"
    assert (code, out, err) == (1, "", f"Error: {db}: the database is damaged ({what}): {FIX}\n")
    assert snapshot(db) == before

    line = (
        f"{db}: the database is damaged, 1 form(s) could not be read: database row {row} ({reason});"
        f" the export holds the rest: {FIX_ROWS}\n"
    )
    for fmt in ("csv", "jsonl"):
        code, out, err = invoke("export", "--db", str(db), "--format", fmt)
        assert (code, err) == (1, line)
        got = exported_shas(out) if fmt == "csv" else [json.loads(x)["sha256"] for x in out.splitlines()]
        assert sorted(got) == sorted(sha for i, sha in all_shas.items() if i != row)

    pdf = tmp_path / "report.pdf"
    code, out, err = invoke("report", "--db", str(db), "-o", str(pdf))
    assert (code, err) == (1, f"report written to {pdf}\n" + line.replace("the export holds", "the report shows"))
    assert snapshot(db) == before

    code, out, err = invoke("export", "--db", str(db), "--format", "csv", "--lang", "sv")
    assert (code, err) == (
        1,
        f"{db}: databasen är skadad, 1 formulär kunde inte läsas: databasens rad {row} ({reason});"
        " exporten har resten: återställ databasen från en säkerhetskopia, eller importera formulären igen"
        " till en ny databas\n",
    )


def test_a_dropped_table(db: Path, form_pdf: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("DROP TABLE problems")
    con.commit()
    con.close()
    before = digest(db)

    code, out, err = invoke("import", str(form_pdf), "--db", str(db), "-q")
    assert (code, out, err) == (1, "", f"Error: {db}: the database is damaged (missing: problems): {FIX}\n")
    code, out, err = invoke("export", "--db", str(db), "--format", "csv")
    assert (code, err) == (
        1,
        f"{db}: the database is damaged, missing: problems; the export holds the rest: {FIX_ROWS}\n",
    )
    assert len(exported_shas(out)) == 40  # the forms themselves are all there
    assert digest(db) == before

    con = sqlite3.connect(db)
    con.execute("DROP TABLE forms")
    con.commit()
    con.close()
    before = digest(db)
    for args in (("export", "--format", "csv"), ("report", "-o", str(tmp_path / "r.pdf"))):
        code, out, err = invoke(*args, "--db", str(db))
        assert (code, out, err) == (1, "", f"Error: {db}: the database is damaged (missing: forms, problems): {FIX}\n")
    assert not (tmp_path / "r.pdf").exists()
    assert digest(db) == before


def test_a_dropped_view_export_reads_row_by_row(db: Path, form_pdf: Path) -> None:
    all_shas = shas(db)
    con = sqlite3.connect(db)
    con.execute("DROP VIEW latest")
    con.commit()
    con.close()
    before = digest(db)
    code, out, err = invoke("import", str(form_pdf), "--db", str(db), "-q")
    assert (code, out, err) == (1, "", f"Error: {db}: the database is damaged (missing: latest): {FIX}\n")
    code, out, err = invoke("export", "--db", str(db), "--format", "csv")
    assert (code, err) == (
        1,
        f"{db}: the database is damaged, missing: latest; the export holds the rest: {FIX_ROWS}\n",
    )
    assert exported_shas(out) == [all_shas[i] for i in sorted(all_shas)]  # every form, in date order
    assert digest(db) == before


# --------------------------------------------------------------------------- locked


def test_lock_wait_is_a_named_limit_that_the_environment_can_shorten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINICEX_LOCK_WAIT", raising=False)
    assert store_lock_wait() == STORE_LOCK_WAIT == 10.0
    monkeypatch.setenv("MINICEX_LOCK_WAIT", "0.25")
    assert store_lock_wait() == 0.25
    monkeypatch.setenv("MINICEX_LOCK_WAIT", "soon")
    assert store_lock_wait() == STORE_LOCK_WAIT


def test_a_store_locked_by_another_program(db: Path, form_pdf: Path) -> None:
    before = snapshot(db)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program writing, and not letting go
    try:
        started = time.monotonic()
        code, out, err = invoke("import", str(form_pdf), "--db", str(db), "-q", MINICEX_LOCK_WAIT="0.3")
        took = time.monotonic() - started
        assert (code, out, err) == (
            1,
            "",
            f"Error: {db}: the database is locked by another program (waited 0.3 s):"
            " close that program or let it finish, then run the command again\n",
        )
        assert took < 5  # the named wait, not 30 s
        # Readers are not blocked by a writer: export still works meanwhile.
        code, out, err = invoke("export", "--db", str(db), "--format", "csv", MINICEX_LOCK_WAIT="0.3")
        assert (code, err, len(exported_shas(out))) == (0, "", 40)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert snapshot(db) == before


# --------------------------------------------------------------------------- disk full


def test_disk_full_during_import_keeps_the_store_as_it_was(db: Path, form_pdf: Path) -> None:
    before = snapshot(db)
    # Room for the shared-memory file (32 KiB) and a few log pages, not for the long form's transaction.
    result = minicex("import", str(form_pdf), "--db", str(db), "-q", limit=40960)
    assert (result.returncode, result.stdout) == (1, "")
    # A file-size limit is EFBIG, which SQLite reports as an I/O error (ENOSPC, below, as a full disk).
    assert result.stderr == (
        f"Error: {db}: the database file cannot be written or read (disk I/O error; the disk may be full or failing):"
        " free some space or check the disk, then run the command again\n"
    )
    assert snapshot(db) == before
    # With room again the same command imports the form.
    result = minicex("import", str(form_pdf), "--db", str(db), "-q")
    assert result.returncode == 0, result.stderr
    after = snapshot(db)
    assert after[0] == "ok" and after[1][:40] == before[1] and len(after[1]) == 41


@pytest.mark.parametrize("command", ["export-csv", "export-xlsx", "report"])
def test_disk_full_while_writing_an_output_leaves_no_half_file(db: Path, tmp_path: Path, command: str) -> None:
    pytest.importorskip("openpyxl")
    before = snapshot(db)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    suffix = {"export-csv": "csv", "export-xlsx": "xlsx", "report": "pdf"}[command]
    out = out_dir / f"result.{suffix}"
    out.write_bytes(b"the previous file")
    args = ["report", "-o", str(out)] if command == "report" else ["export", "--format", suffix, "-o", str(out)]
    args.append("--force")  # replace the previous file (#11: never without --force)
    result = minicex(*args, "--db", str(db), limit=48 * 1024)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {out}: cannot write the file (the file is larger than this system allows here:"
        " write elsewhere with -o); nothing was written\n"
    )
    assert out.read_bytes() == b"the previous file"
    assert sorted(p.name for p in out_dir.iterdir()) == [out.name]  # no temporary file left
    assert snapshot(db) == before


def test_disk_full_while_writing_a_blank_form_or_prefilled_forms(tmp_path: Path) -> None:
    from minicex_pdf.form.roster import RosterColumns

    out = tmp_path / "blank.pdf"
    out.write_bytes(b"the previous file")
    result = minicex("blank", "-o", str(out), "--force", limit=16 * 1024)
    too_big = "cannot write the file (the file is larger than this system allows here: write elsewhere with -o)"
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        f"Error: {out}: {too_big}; nothing was written\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blank.pdf"] and out.read_bytes() == b"the previous file"

    folder = tmp_path / "forms"
    folder.mkdir()
    index = folder / "index.csv"
    index.write_bytes(b"an index from before\r\n")
    roster = tmp_path / "roster.csv"
    roster.write_text(f"{RosterColumns.of(DEF).name_field.prefill}\nAnna Berg\nBo Ek\n", encoding="utf-8")
    # a store of its own (#11: prefill records the forms it made, after making them)
    result = minicex("prefill", str(roster), "-o", str(folder), "--db", str(tmp_path / "p.sqlite"), limit=16 * 1024)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"Error: {folder}{os.sep}") and result.stderr.endswith(
        f": {too_big}; nothing was written\n"
    )
    assert (
        sorted(p.name for p in folder.iterdir()) == ["index.csv"] and index.read_bytes() == b"an index from before\r\n"
    )


@contextmanager
def mounted_tmpfs(point: Path, kib: int) -> Iterator[Path]:
    """A tmpfs of ``kib`` KiB mounted at ``point`` for the test, or skip where this user may not mount."""
    point.mkdir(exist_ok=True)
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(point)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root): the RLIMIT_FSIZE tests cover a full disk")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=True)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs (96 KiB)."""
    with mounted_tmpfs(tmp_path / "tmpfs", 96) as point:
        yield point


def test_a_full_disk_during_import(db: Path, form_pdf: Path, tmp_path: Path) -> None:
    # Room for the store, its shared-memory file and a little more; not for the long form.
    with mounted_tmpfs(tmp_path / "full", db.stat().st_size // 1024 + 48) as point:
        full = point / db.name
        full.write_bytes(db.read_bytes())
        before = snapshot(full)
        code, out, err = invoke("import", str(form_pdf), "--db", str(full), "-q")
        assert (code, out, err) == (
            1,
            "",
            f"Error: {full}: the disk is full: free some space, then run the command again"
            " (what was stored before is kept)\n",
        )
        assert snapshot(full) == before


def test_a_full_disk_no_space_left(db: Path, tmpfs: Path) -> None:
    out = tmpfs / "export.csv"
    code, out_text, err = invoke("export", "--db", str(db), "--format", "csv", "-o", str(out))
    assert (code, out_text, err) == (
        1,
        "",
        f"Error: {out}: cannot write the file (the disk is full: free some space, or write elsewhere with -o);"
        " nothing was written\n",
    )
    assert list(tmpfs.iterdir()) == []


def test_standard_output_on_a_full_device(db: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "minicex_pdf", "export", "--db", str(db), "--format", "csv"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            timeout=60,
        )
    assert (result.returncode, result.stderr) == (
        1,
        "Error: standard output: cannot write the file (the disk is full: free some space, or write elsewhere"
        " with -o); nothing was written\n",
    )


# --------------------------------------------------------------------------- read-only


@contextmanager
def read_only_folder(point: Path, files: dict[str, bytes]) -> Iterator[Path]:
    """A folder holding ``files`` that this process may not write.

    As root (who may write anything) a tmpfs remounted read-only; otherwise folder and
    file permissions.
    """
    point.mkdir()
    if os.geteuid() == 0:
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(point)], capture_output=True)
        if made.returncode != 0:
            pytest.skip("root without the right to mount: cannot make a read-only folder root may not write")
        for name, data in files.items():
            (point / name).write_bytes(data)
        subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
        try:
            yield point
        finally:
            subprocess.run(["umount", str(point)], check=True)
    else:
        for name, data in files.items():
            (point / name).write_bytes(data)
            (point / name).chmod(0o444)
        point.chmod(0o555)
        try:
            yield point
        finally:
            point.chmod(0o755)


@pytest.fixture
def readonly(pristine: Path, tmp_path: Path) -> Iterator[Path]:
    """A read-only folder holding a copy of the 40-form store."""
    with read_only_folder(tmp_path / "ro", {"minicex.sqlite": pristine.read_bytes()}) as point:
        yield point


def test_a_write_ahead_log_that_a_read_only_folder_cannot_open_is_not_skipped_silently(tmp_path: Path) -> None:
    # A store whose import was killed: its latest forms are only in the -wal file.
    left = tmp_path / "left"
    left.mkdir()
    killed = (
        "import os, sys; sys.path.insert(0, sys.argv[2]); from test_store import make_record;"
        " from minicex_pdf.storage.store import Store; s = Store(sys.argv[1]);"
        " [s.add(make_record(n)) for n in range(3)]; os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", killed, str(left / "m.sqlite"), str(ROOT / "tests")], check=True, env=env())
    files = {name: (left / name).read_bytes() for name in ("m.sqlite", "m.sqlite-wal")}  # no -shm
    with read_only_folder(tmp_path / "ro", files) as point:
        code, out, err = invoke("export", "--db", str(point / "m.sqlite"), "--format", "csv")
        assert (code, out, err) == (
            1,
            "",
            f"Error: {point / 'm.sqlite'}: its latest changes are in m.sqlite-wal, which cannot be read in this"
            " read-only folder: copy the database together with m.sqlite-wal to a folder you may write,"
            " and use that copy\n",
        )


def test_an_empty_write_ahead_log_in_a_read_only_folder_holds_nothing_to_miss(tmp_path: Path) -> None:
    # a -wal file truncated by a checkpoint: nothing in it, so the store is read as it is
    with Store(tmp_path / "m.sqlite") as store:  # closed cleanly: everything is in the file itself
        for n in range(3):
            store.add(make_record(n))
    files = {"m.sqlite": (tmp_path / "m.sqlite").read_bytes(), "m.sqlite-wal": b""}
    with read_only_folder(tmp_path / "ro", files) as point:
        code, out, err = invoke("export", "--db", str(point / "m.sqlite"), "--format", "jsonl")
        assert (code, err, len(out.splitlines())) == (0, "", 3)


def test_read_only_store_import_says_so_export_and_report_work(
    readonly: Path, pristine: Path, form_pdf: Path, tmp_path: Path
) -> None:
    db = readonly / "minicex.sqlite"
    before = snapshot(db)
    code, out, err = invoke("import", str(form_pdf), "--db", str(db), "-q")
    assert (code, out, err) == (
        1,
        "",
        f"Error: {db}: the database is read-only (no permission to change the file or its folder):"
        " import into a database in a folder you may write, or ask for write access\n",
    )
    code, out, err = invoke("import", str(form_pdf), "--db", str(readonly / "new.sqlite"), "-q")
    assert (code, out, err) == (
        1,
        "",
        f"Error: {readonly / 'new.sqlite'}: cannot create the database, the folder is read-only:"
        " choose another place with --db\n",
    )
    code, out, err = invoke("export", "--db", str(db), "--format", "csv")
    assert (code, err) == (0, "")
    assert sorted(exported_shas(out)) == sorted(shas(pristine).values())
    pdf = tmp_path / "report.pdf"
    code, out, err = invoke("report", "--db", str(db), "-o", str(pdf))
    assert (code, err) == (0, f"report written to {pdf}\n")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert snapshot(db) == before
    assert sorted(p.name for p in readonly.iterdir()) == ["minicex.sqlite"]


# --------------------------------------------------------------------------- two imports, one new store


def _race_one(args: list[str], barrier: Any, results: Any) -> None:
    """One of the racing processes: wait at the barrier, then run the real command."""
    runner = CliRunner()
    barrier.wait()
    result = runner.invoke(cli, args)
    results.put((result.exit_code, result.output))


def test_two_imports_creating_a_new_store_at_the_same_moment(form_pdf: Path, tmp_path: Path) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork to start two processes at the same moment")
    ctx = multiprocessing.get_context("fork")
    for attempt in range(6):
        db = tmp_path / f"race{attempt}.sqlite"
        barrier, results = ctx.Barrier(2), ctx.Queue()
        args = ["import", str(form_pdf), "--db", str(db), "-q", "-j", "1"]
        procs = [ctx.Process(target=_race_one, args=(args, barrier, results)) for _ in range(2)]
        for p in procs:
            p.start()
        got = sorted(results.get(timeout=60) for _ in procs)
        for p in procs:
            p.join(timeout=60)
        lines = [
            f"Database: {db}",
            "Imported: {}",
            "Imported with problems: 0",
            "Already imported: {}",
            "Not readable: 0",
        ]
        one = "\n".join(lines).format(1, 0) + "\n"
        other = "\n".join(lines).format(0, 1) + "\n"
        assert got == sorted([(0, one), (0, other)]), f"attempt {attempt}"
        check = snapshot(db)
        assert check[0] == "ok" and len(check[1]) == 1


# --------------------------------------------------------------------------- a pipe closed early


def test_export_into_a_pipe_closed_early_exits_quietly(db: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "minicex_pdf", "export", "--db", str(db), "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    head = proc.stdout.read(100)  # like `| head -c 100`: read a little, then go away
    proc.stdout.close()
    code = proc.wait(timeout=60)
    err = proc.stderr.read()
    proc.stderr.close()
    assert len(head) == 100  # the export had begun
    assert (code, err) == (1, b"")


# --------------------------------------------------------------------------- an older store, read


V1 = ROOT / "tests" / "resources" / "store-v1.sqlite"


def test_exporting_an_older_store_brings_it_forward_once_then_reads_it(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    db.write_bytes(V1.read_bytes())
    code, out, err = invoke("export", "--db", str(db), "--format", "jsonl", "--all")
    assert (code, err) == (0, "")
    with Store(db, readonly=True) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert len(out.splitlines()) == len(list(store.rows()))


def test_an_older_store_in_a_read_only_folder_says_what_to_do(tmp_path: Path) -> None:
    with read_only_folder(tmp_path / "ro", {"old.sqlite": V1.read_bytes()}) as point:
        db = point / "old.sqlite"
        code, out, err = invoke("export", "--db", str(db), "--format", "csv")
        assert (code, out, err) == (
            1,
            "",
            f"Error: {db}: made by an older minicex and read-only here: run minicex import once where the"
            " database may be written, to bring it up to date\n",
        )
        assert digest(db) == hashlib.sha256(V1.read_bytes()).hexdigest()
