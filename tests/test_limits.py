"""Hard limits of reading and import, each under its real condition.

Genuine PDFium fills with very long feedback read back equal and fast; crafted
worst-case files are classified within the CPU budget and bounded memory
(measured in a separate process); a FIFO and ``/dev/zero`` given to ``read`` and
``import`` give one line and an exit status, never a hang; ``kill -9`` of an
import leaves no worker behind.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import read_object

from minicex_pdf.engines import hostile
from minicex_pdf.errors import DamagedPdfError, NotAFileError
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.limits import MAX_FILE_SIZE, READ_CPU_SECONDS
from minicex_pdf.reading.budget import Budget, OverBudget
from minicex_pdf.reading.lexer import parse_object
from minicex_pdf.reading.reader import read_file, read_form

pdfium = pytest.importorskip("pypdfium2")
from minicex_pdf.engines import pdfium as engine  # noqa: E402
from minicex_pdf.engines.pdfium import fill_pdfium  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def cleaned(text: str) -> str:
    """What the reader keeps of a multi-line text: trailing spaces off each line, outer blank lines off."""
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def mixed(pieces: list[str], n: int, seed: int) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    while sum(map(len, out)) + len(out) < n:
        out.append(rng.choice(pieces))
    return " ".join(out)[:n].strip()


def typed_by_pdfium(pdf: bytes, field: str, text: str) -> bytes:
    """``text`` pasted into ``field`` by PDFium in one go, line breaks and all, as a user pastes a long text.

    (Typed line by line, a field with automatic font size, version 2's multi-line
    fields, is laid out again after every line: 100,000 characters took minutes.)
    """
    import ctypes

    import pypdfium2.raw as c

    doc = pdfium.PdfDocument(pdf)
    try:
        doc.init_forms()
        widget = next(w for w in engine._widgets(doc, doc.formenv, c) if w.name == field)
        page = doc[widget.page]
        engine._click(c, doc.formenv, page, widget)
        c.FORM_SelectAllText(doc.formenv, page)
        data = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        c.FORM_ReplaceSelection(doc.formenv, page, ctypes.cast(data, c.FPDF_WIDESTRING))
        c.FORM_ForceToKillFocus(doc.formenv)
        out = engine._Sink()
        doc.save(out, flags=c.FPDF_INCREMENTAL)
        page.close()
        return out.getvalue()
    finally:
        doc.close()


PUNCTUATION = [
    "Good history (open questions) and exam.",
    "Unbalanced ((( and )) here",
    "back\\slash \\\\ double \\n not-a-newline \\( \\) \\101",
    "Åsa Öberg ÿ ß ñ ç ¿¡ «»",
    "% percent <hex> [arr] {brace} /name",
    ")leading close",
    "(( deep (nest (ing) ) ))",
    "line\nbreak\n",
]
UNICODE = [
    "Dušan č ž Ď Ł ő – (note)",
    "Привет мир",
    "日本語のテキスト",
    "עברית",
    "\u0d0a\u010d\u0128 \u5c28\u295c \u0a0d \u5c5c",  # UTF-16 bytes that are ( ) \ CR LF
    "unbalanced (( \\ back",
    "line\nbreak",
]


@pytest.mark.parametrize(
    "text",
    [
        ("Good history (open questions) and exam. " * 1600)[:64_000],
        mixed(PUNCTUATION, 100_000, 1),
        mixed(UNICODE, 100_000, 2),
    ],
    ids=["issue-64k", "punctuation-100k", "unicode-100k"],
)
def test_long_feedback_filled_in_pdfium_reads_back_equal_and_fast(text: str, tmp_path: Path) -> None:
    # version 1's fixed-size fields: PDFium re-lays an auto-sized (version 2) field out at every line typed
    blank = build_form(load_definition(1))
    try:
        text.encode("latin-1")
        pdf = fill_pdfium(blank, {hostile.FIELD: text, "next_time": "Kort (text)\nrad två"})
    except UnicodeEncodeError:
        pdf = typed_by_pdfium(blank, hostile.FIELD, text)
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    start = time.process_time()
    record = read_form(path)
    spent = time.process_time() - start
    assert record.values[hostile.FIELD] == cleaned(text)
    assert spent < 0.5, f"{spent:.2f} s of CPU"


# --------------------------------------------------------------------------- crafted worst cases

MEASURE = """
import json, sys, time
from minicex_pdf.errors import FormReadError
from minicex_pdf.reading.reader import read_form
def status_kb(key):
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(key))
base = status_kb("VmRSS:")  # a fresh interpreter with the reader imported
out = {}
for path in sys.argv[1:]:
    before = status_kb("VmRSS:")
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # the peak RSS starts again from what the process holds now
    start = time.process_time()
    try:
        read_form(path)
        got = "read"
    except FormReadError as exc:
        got = exc.kind
    spent = time.process_time() - start
    # what a fresh process reading only this file would hold at its peak
    out[path] = {"got": got, "cpu": spent, "peak_mb": (base + status_kb("VmHWM:") - before) / 1024}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def worst(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float | str]]:
    """Every crafted case of :data:`hostile.WORST`, read one after another in one fresh process."""
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux /proc to measure each file's peak memory")
    folder = tmp_path_factory.mktemp("worst")
    paths = []
    for case in hostile.WORST:
        path = folder / f"{case.name}.pdf"
        path.write_bytes(case.build())
        paths.append(str(path))
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, *paths], capture_output=True, text=True, env=ENV, timeout=120, check=True
    )
    for path in paths:  # some hundred MB: not kept in the temporary folders pytest keeps
        os.unlink(path)
    found: dict[str, dict[str, float | str]] = json.loads(proc.stdout)
    return {Path(p).stem: v for p, v in found.items()}


@pytest.mark.parametrize("case", hostile.WORST, ids=[c.name for c in hostile.WORST])
def test_worst_case_is_classified_within_the_cpu_and_memory_budget(case: hostile.Case, worst) -> None:
    got = worst[case.name]
    assert got["got"] == case.expect
    assert float(got["cpu"]) < 1.0, f"{got['cpu']:.2f} s of CPU"
    assert float(got["peak_mb"]) < 200, f"{got['peak_mb']:.0f} MB"


def test_the_cpu_budget_interrupts_a_loop_it_cannot_look_into() -> None:
    """pypdf's own loops never call check(): the CPU timer stops them, and is gone afterwards."""
    start = time.process_time()
    with pytest.raises(OverBudget), Budget(0.05):
        while True:  # as pypdf reading a string byte by byte
            pass
    assert time.process_time() - start < 0.5
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) in (signal.SIG_DFL, signal.SIG_IGN)


def test_a_string_in_the_trailer_only_pypdf_reads_is_stopped_by_the_budget(tmp_path: Path) -> None:
    path = tmp_path / "trailer.pdf"
    path.write_bytes(hostile.one_field(b"(x)").replace(b"/Root 1 0 R", b"/Root 1 0 R /J (" + b"j" * 8_000_000 + b")"))
    start = time.process_time()
    with pytest.raises(DamagedPdfError) as caught:
        read_form(path)
    assert (
        caught.value.message() == f"{path}: the PDF is damaged or truncated (reading it takes far longer than any form)"
    )
    assert time.process_time() - start < READ_CPU_SECONDS + 0.4


@pytest.mark.parametrize(
    "string",
    [
        b"(nested (parens) and \\) escaped)",
        b"(a\\\\)",
        b"(\\\\\\(x\\\\\\\\)",
        b"(octal \\101\\1012 \\7 \\08 end)",
        b"(line \\\njoin \\\r\njoin)",
        b"(tab\\t nl\\n cr\\r bs\\b ff\\f)",
        b"((a)(b)((c)))",
        b"(\xfe\xff\x01\\r\x00 \x00\\(\x04\x1f)",
    ],
)
def test_strings_parse_as_pypdf_reads_them(string: bytes) -> None:
    data = b"1 0 obj\n<< /T " + string + b" /V 1 >>\nendobj\n"
    reader = PdfReader(io.BytesIO(hostile.raw_pdf({1: b"<< /Type /Catalog >>"})))
    stream = io.BytesIO(data)
    stream.seek(8)
    assert parse_object(data, 8, reader) == read_object(stream, reader)


def test_an_unknown_escape_is_the_character_alone() -> None:
    """PDF 32000 7.3.4.2: the backslash before a character not in table 3 is ignored (pypdf keeps it)."""
    data = b"1 0 obj\n<< /T (a\\qb \\% \\9) >>\nendobj\n"
    reader = PdfReader(io.BytesIO(hostile.raw_pdf({1: b"<< /Type /Catalog >>"})))
    assert parse_object(data, 8, reader)["/T"] == "aqb % 9"


# --------------------------------------------------------------------------- files that are not files


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``minicex ARGS`` in a child process, which must end within 20 s (a FIFO once blocked for ever)."""
    return subprocess.run(
        [sys.executable, "-m", "minicex_pdf", *args], capture_output=True, text=True, cwd=cwd, env=ENV, timeout=20
    )


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "returned.pdf"
    os.mkfifo(path)
    return path


def test_read_refuses_a_fifo_and_a_device_without_blocking(fifo: Path, tmp_path: Path) -> None:
    for path, what in ((fifo, "but a named pipe (FIFO)"), (Path("/dev/zero"), "but a device")):
        done = run("read", "--lang", "en", str(path), cwd=tmp_path)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", f"Error: {path}: not a regular file {what}\n")
    done = run("read", "--lang", "sv", str(fifo), cwd=tmp_path)  # the default language is English (#11)
    assert (done.returncode, done.stderr) == (1, f"Fel: {fifo}: inte en vanlig fil utan en namngiven pipe (FIFO)\n")


def test_import_lists_a_fifo_and_dev_zero_and_imports_the_rest(fifo: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(fill_pdfium(build_form(instance_id="lim-1"), {"trainee_name": "Åsa Öberg"}))
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as fh:
        fh.truncate(1 << 30)  # 1 GiB (sparse): refused by its size, never read into memory
    done = run("import", str(fifo), "/dev/zero", str(huge), str(good), "--db", "x.sqlite", "-q", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[1:5] == ["Imported: 1", "Imported with problems: 1", "Already imported: 0", "Not readable: 3"]
    assert lines[5] == "Not readable:"
    assert sorted(lines[6:9]) == [  # in the order of the files' ages
        "  /dev/zero: not a regular file but a device",
        "  huge.pdf: the PDF is damaged or truncated (1024 MB, larger than any form)",
        "  returned.pdf: not a regular file but a named pipe (FIFO)",
    ]


def test_read_file_checks_the_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_SIZE + 1)
    with pytest.raises(DamagedPdfError, match=r"\(32 MB, larger than any form\)"):
        read_file(path)
    with pytest.raises(NotAFileError) as caught:
        read_file(tmp_path)
    assert caught.value.message() == f"{tmp_path}: not a regular file but a folder"


# --------------------------------------------------------------------------- kill -9 of a parallel import


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    kids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.add(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_workers_end_silently_when_the_import_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    one = fill_pdfium(build_form(instance_id="k-0"), {"trainee_name": "Åsa Öberg"})
    for i in range(400):  # distinct files (so none is skipped as known), each a real filled form
        (folder / f"f{i:03d}.pdf").write_bytes(one + b"%" + str(i).encode() + b"\n")
    cmd = [sys.executable, "-m", "minicex_pdf", "import", str(folder), "--db", "k.sqlite", "--jobs", "2", "-q"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    deadline = time.monotonic() + 30
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.01)
    assert len(workers) >= 2, "the workers never started"
    time.sleep(0.3)  # mid-run
    os.kill(proc.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=20)  # returns once every holder of the pipes (the workers too) has gone
    assert proc.returncode == -signal.SIGKILL
    gone_by = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < gone_by:
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "workers outlived the import"
    assert err == ""
