"""``minicex import`` end to end: real generated forms, filled in PDFium, read by the real reader.

The tree is built once per module: good forms (one rewritten with object
streams as Acrobat saves), a duplicate, a form returned twice (a newer
revision), an incomplete form, a PDF without an extension, upper- and
lower-case names in nested folders, and broken files (not a PDF, truncated,
flattened, password-protected).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf.cli import cli
from minicex_pdf.errors import EncryptedPdfError, NoFormFieldsError, NotAPdfError
from minicex_pdf.form.definition import load_definition
from minicex_pdf.storage.importer import find_files
from minicex_pdf.storage.store import Store, key_fields

pytest.importorskip("pypdfium2")
from conftest import full_values

from minicex_pdf.engines.pdfium import fill_pdfium
from minicex_pdf.form.generator import build_form

DEF = load_definition()
TRAINEE, _DATE, _ASSESSOR = key_fields(DEF)
NEEDS_QPDF = pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
TRAINEE_PART = {s.code for s in DEF.sections[-2:]}  # action plan and signatures: the trainee fills them later


def filled(instance: str, trainee: str, *, drop: set[str] = frozenset(), lang: str = "sv+en") -> bytes:
    values = {k: v for k, v in full_values(DEF).items() if k not in drop}
    values[TRAINEE] = trainee
    return fill_pdfium(build_form(DEF, lang=lang, instance_id=instance), values, DEF)


def write(path: Path, data: bytes, stamp: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (1_700_000_000 + stamp, 1_700_000_000 + stamp))
    return path


def qpdf(path: Path, data: bytes, stamp: int, *args: str) -> Path:
    """``data`` written to ``path`` as qpdf rewrites it with ``args``."""
    write(path, data, stamp)
    subprocess.run(["qpdf", *args, "--replace-input", str(path)], check=True, capture_output=True)
    return write(path, path.read_bytes(), stamp)


class Tree:
    """The test tree and what each file is."""

    def __init__(self, root: Path) -> None:
        self.root = root
        trainee_part = {f.name for f in DEF.fields if f.section in TRAINEE_PART}
        required = [f.name for f in DEF.fields if f.required and f.section not in TRAINEE_PART]
        one = filled("t-one", "Åsa Öberg")
        self.good = [
            write(root / "inbox" / "form1.pdf", one, 1),
            write(root / "inbox" / "deep" / "nested" / "FORM2.PDF", filled("t-two", "Erik Ek", lang="sv"), 2),
            write(root / "scan-without-extension", filled("t-three", "Li Wang", lang="en"), 3),
        ]
        first = filled("t-again", "Anna Berg", drop=trainee_part)
        self.first = write(root / "again" / "First.Pdf", first, 4)
        later = {
            f.name: v for f, v in zip(DEF.fields, full_values(DEF).values(), strict=True) if f.name in trainee_part
        }
        self.second = write(root / "again" / "second.pdf", fill_pdfium(first, later, DEF), 10)
        self.incomplete = write(root / "incomplete.pdf", filled("t-inc", "Olle Ek", drop={required[-1]}), 5)
        self.dropped = required[-1]
        self.duplicate = write(root / "copies" / "copy of form1.pdf", one, 6)
        self.broken = {
            "not_pdf": write(root / "bad" / "letter.pdf", "Hej! Här kommer blanketten.\n".encode(), 7),
            "truncated": write(root / "bad" / "cut.PDF", one[: len(one) // 3], 8),
        }
        write(root / "notes.txt", b"not a form, ignored", 9)
        write(root / "._form1.pdf", b"\x00\x05\x16\x07 AppleDouble junk", 9)  # hidden: left out
        if shutil.which("qpdf"):
            objstm = qpdf(
                root / "inbox" / "acrobat.pdf", filled("t-four", "Sara Nilsson"), 11, "--object-streams=generate"
            )
            self.good.append(objstm)
            flat = qpdf(root / "bad" / "printed.pdf", one, 12, "--flatten-annotations=all", "--generate-appearances")
            locked = qpdf(root / "bad" / "locked.pdf", one, 13, "--encrypt", "hemligt", "owner", "256", "--")
            self.broken |= {"flattened": flat, "encrypted": locked}

    def files(self) -> list[Path]:
        return [
            *self.good,
            self.first,
            self.second,
            self.incomplete,
            self.duplicate,
            *self.broken.values(),
        ]

    def fingerprint(self) -> dict[str, tuple[str, int]]:
        out = {}
        for p in self.root.rglob("*"):
            if p.is_file():
                out[str(p)] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        return out


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return Tree(tmp_path_factory.mktemp("returned"))


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


def rel(tree: Tree, p: Path) -> str:
    return os.path.relpath(p)


def test_walk_finds_pdfs_by_name_or_content(tree: Tree) -> None:
    found = set(find_files([tree.root]))
    assert found == set(tree.files())


def test_import_counts_lists_and_exit_status(tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree.root)
    before = tree.fingerprint()
    db = tmp_path / "m.sqlite"
    report = tmp_path / "report.csv"
    code, out = invoke("import", ".", "--db", str(db), "--jobs", "1", "--quiet", "--report", str(report))
    assert code == 1  # some files could not be read
    lines = out.splitlines()
    n_good = len(tree.good) + 3  # the good ones, both fillings of the returned-again form, the incomplete one
    assert lines[:5] == [
        f"Database: {db}",
        f"Imported: {n_good} (of which new revisions of earlier forms: 1)",
        "Imported with problems: 1",
        "Already imported: 1",
        f"Not readable: {len(tree.broken)}",
    ]
    listed = dict(line.strip().split(": ", 1) for line in lines[5:] if line.startswith("  "))
    kinds = {"not_pdf": NotAPdfError, "flattened": NoFormFieldsError, "encrypted": EncryptedPdfError}
    for kind, path in tree.broken.items():
        reason = listed[rel(tree, path)]
        if kind in kinds:
            assert reason.startswith(kinds[kind].text["en"]), reason
    assert rel(tree, tree.incomplete) in listed
    assert tree.fingerprint() == before  # input files never modified, moved or deleted
    with report.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert {r["path"] for r in rows} == {rel(tree, p) for p in [*tree.broken.values(), tree.incomplete]}
    assert {r["outcome"] for r in rows if r["path"] == rel(tree, tree.incomplete)} == {"errors"}
    assert all(r["reason"] for r in rows)
    with Store(db) as store:
        assert store.counts() == {"files": n_good, "forms": n_good - 1, "unreadable": len(tree.broken)}
        assert store.integrity_ok()

    # A second run imports nothing new, and still reports the unreadable files.
    code, out = invoke("import", ".", "--db", str(db), "--quiet")
    assert code == 1
    assert out.splitlines()[1:5] == [
        "Imported: 0",
        "Imported with problems: 0",
        f"Already imported: {n_good + 1}",
        f"Not readable: {len(tree.broken)}",
    ]


def test_records_round_trip_and_revisions(tree: Tree, tmp_path: Path) -> None:
    from minicex_pdf.reading.reader import read_form

    db = tmp_path / "r.sqlite"
    code, _ = invoke("import", *map(str, tree.good), str(tree.first), str(tree.second), "--db", str(db), "-q")
    assert code == 0
    with Store(db) as store:
        stored = {r.source.sha256: r for r in store.records()}
        for path in [*tree.good, tree.second]:
            expected = read_form(path)
            assert stored[expected.source.sha256] == expected  # typed values, problems, status, source
        revisions = store.revisions("t-again")
        assert [r.source.path for r in revisions] == [str(tree.first), str(tree.second)]
        assert revisions[0].status != revisions[1].status
        assert "Åsa Öberg" in store.trainees()
        assert [r.values[TRAINEE] for r in store.records("åsa öberg")] == ["Åsa Öberg"]


def test_parallel_import_stores_the_same_as_one_process(tree: Tree, tmp_path: Path) -> None:
    def snapshot(db: Path) -> set[tuple[str, int, str]]:
        with sqlite3.connect(db) as c:
            return set(c.execute("SELECT sha256, revision, record FROM forms"))

    one, two = tmp_path / "one.sqlite", tmp_path / "two.sqlite"
    invoke("import", str(tree.root), "--db", str(one), "--jobs", "1", "-q")
    invoke("import", str(tree.root), "--db", str(two), "--jobs", "2", "-q")  # more than 8 files: a pool
    strip = lambda rows: {(s, r, json.dumps(json.loads(j)["values"])) for s, r, j in rows}  # noqa: E731
    assert strip(snapshot(one)) == strip(snapshot(two))
    # something was stored: each distinct readable file once (the copy of form1 is the same file), the
    # returned-again form as revisions 1 and 2, and each broken file as unreadable
    stored = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in [*tree.good, tree.first, tree.second, tree.incomplete]
    }
    for db in (one, two):
        rows = snapshot(db)
        assert {s for s, _, _ in rows} == stored and len(rows) == len(tree.good) + 3
        assert sorted(r for _, r, _ in rows) == [1] * (len(tree.good) + 2) + [2]
        with sqlite3.connect(db) as c:
            assert c.execute("SELECT count(*) FROM unreadable").fetchone() == (len(tree.broken),)


def test_progress_lines_when_not_a_terminal(tree: Tree, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(tree.root), "--db", str(tmp_path / "p.sqlite"), "--jobs", "1"])
    n = len(tree.files())
    assert f"import: {n}/{n}" in result.stderr.splitlines()
    assert "import:" not in result.stdout
    quiet = CliRunner().invoke(cli, ["import", str(tree.root), "--db", str(tmp_path / "p.sqlite"), "--quiet"])
    assert quiet.stderr == "" and quiet.exit_code == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["import", str(tmp_path / "missing")]).exit_code == 2
    assert CliRunner().invoke(cli, ["import"]).exit_code == 2
    assert CliRunner().invoke(cli, ["import", str(tmp_path), "--jobs", "0"]).exit_code == 2


def test_export_of_imported_forms_in_three_formats(tree: Tree, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    db = tmp_path / "x.sqlite"
    invoke("import", str(tree.root), "--db", str(db), "-q")
    forms = len(tree.good) + 2  # the good ones, the returned-again form once (its latest), the incomplete one
    names = {"Åsa Öberg", "Erik Ek", "Li Wang", "Anna Berg", "Olle Ek"} | (
        {"Sara Nilsson"} if len(tree.good) > 3 else set()
    )
    label = DEF.field(TRAINEE).label

    code, _ = invoke("export", "--db", str(db), "--format", "csv", "-o", str(tmp_path / "x.csv"), "--lang", "sv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "x.csv").read_text("utf-8-sig")), delimiter=";"))
    assert len(rows) == forms and {r[label.sv] for r in rows} == names

    code, _ = invoke("export", "--db", str(db), "--format", "xlsx", "-o", str(tmp_path / "x.xlsx"), "--lang", "en")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    table = list(ws.iter_rows(values_only=True))
    col = table[0].index(label.en)
    assert {r[col] for r in table[1:]} == names
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)

    code, out = invoke("export", "--db", str(db), "--format", "jsonl")
    objs = [json.loads(line) for line in out.splitlines()]
    assert {o[TRAINEE] for o in objs} == names
    again = next(o for o in objs if o["instance_id"] == "t-again")
    assert again["revision"] == 2


def test_import_killed_with_sigkill_then_run_again(tmp_path: Path) -> None:
    """kill -9 mid-run, run again: exactly one record per form, and the database intact."""
    root = tmp_path / "kill"
    n = 30
    for i in range(n):  # only the name typed: PDFium fills one field 20 times faster than all of them
        form = fill_pdfium(build_form(DEF, lang="sv+en", instance_id=f"k-{i:02d}"), {TRAINEE: f"Trainee {i}"}, DEF)
        write(root / f"f{i // 10}" / f"form{i:02d}.pdf", form, i)
    db = tmp_path / "k.sqlite"
    cmd = [sys.executable, "-m", "minicex_pdf.cli", "import", str(root), "--db", str(db), "--jobs", "1", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=0.1) as c:
                    stored = c.execute("SELECT count(*) FROM forms").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0  # schema not made yet
            if stored >= 3:
                break
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGSTOP)  # freeze it to see it was mid-run, then kill -9
    with sqlite3.connect(db) as c:
        at_kill = c.execute("SELECT count(*) FROM forms").fetchone()[0]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < at_kill < n, "the import must be killed mid-run"
    again = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert f"Already imported: {at_kill}" in again.stdout.splitlines()
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        per_form = c.execute("SELECT instance_id, count(*) FROM forms GROUP BY instance_id").fetchall()
        problems_orphans = c.execute("SELECT count(*) FROM problems WHERE form NOT IN (SELECT id FROM forms)")
        assert problems_orphans.fetchone()[0] == 0
    assert sorted(per_form) == [(f"k-{i:02d}", 1) for i in range(n)]


def test_a_good_copy_at_the_path_of_a_broken_one_still_imports(tmp_path: Path) -> None:
    good = filled("t-fixed", "Elin Sandström")
    path = write(tmp_path / "in" / "form.pdf", good[: len(good) // 3], 1)
    db = str(tmp_path / "g.sqlite")
    code, out = invoke("import", str(path), "--db", db, "-q")
    assert code == 1 and "Not readable: 1" in out.splitlines()
    write(path, good, 2)  # the sender mails a whole copy, saved over the broken one
    code, out = invoke("import", str(path), "--db", db, "-q")
    assert code == 0 and out.splitlines()[1:5] == [
        "Imported: 1",
        "Imported with problems: 0",
        "Already imported: 0",
        "Not readable: 0",
    ]
