"""The viewer engines real users run fill every field of the generated form, and the reader reads it.

pdf.js (Firefox; pdfjs-dist under node) and poppler (Evince, Okular; poppler-glib
under the system Python) each fill the generated blank once per session with
every fillable field (Swedish letters, multi-line text, every check box, every
radio group); ``read_form`` must give back what was typed. PDFium and MuPDF are
covered the same way in test_reader.py. A test skips, naming what to install,
when its engine is not here (CI installs both: see .ci/run).
"""

from __future__ import annotations

import datetime as _dt
import io
import time
from collections.abc import Callable

import pytest
from conftest import as_read
from reportlab.pdfgen.canvas import Canvas

from minicex_pdf.engines.pdfjs import fill_pdfjs, pdfjs_missing
from minicex_pdf.engines.poppler import fill_poppler, poppler_missing
from minicex_pdf.errors import UsageError
from minicex_pdf.form.definition import FormDefinition
from minicex_pdf.reading.reader import read_form, read_raw
from minicex_pdf.reading.record import Record

TODAY = _dt.date(2026, 4, 1)

Filler = Callable[..., bytes]
ENGINES: dict[str, tuple[Filler, Callable[[], str | None]]] = {
    "pdfjs": (fill_pdfjs, pdfjs_missing),
    "poppler": (fill_poppler, poppler_missing),
}


@pytest.fixture(scope="session", params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine's name; skips, saying what to install, when it cannot run here."""
    why = ENGINES[request.param][1]()
    if why is not None:
        pytest.skip(f"{request.param}: {why}")
    return str(request.param)


@pytest.fixture(scope="session")
def engine_filled(
    engine: str, blank_pdf: bytes, all_values: dict[str, object], definition: FormDefinition
) -> tuple[bytes, float]:
    """The blank with every fillable field filled by ``engine``, and how long the fill took (s)."""
    start = time.perf_counter()
    filled = ENGINES[engine][0](blank_pdf, all_values, definition)
    return filled, time.perf_counter() - start


def test_every_field_reads_back_as_typed(engine_filled, all_values, definition):
    filled, _ = engine_filled
    record = read_form("filled.pdf", data=filled, today=TODAY)
    assert record.values == as_read(definition, all_values)
    assert record.source.form_id == definition.id and record.source.form_version == definition.version
    assert record.raw == {}


def test_same_record_as_pdfium(engine_filled, pdfium_filled):
    """Same values, same problems and status as the PDFium fill: no engine-made conflict or unread field."""
    ours = read_form("filled.pdf", data=engine_filled[0], today=TODAY)
    pdfium: Record = read_form("pdfium.pdf", data=pdfium_filled, today=TODAY)
    assert ours.values == pdfium.values
    assert [(p.code, p.field) for p in ours.problems] == [(p.code, p.field) for p in pdfium.problems]
    assert ours.status == pdfium.status


def test_saved_as_an_incremental_update_of_the_blank(engine_filled, blank_pdf, definition):
    """Both engines append to the file as their viewers' Save does; the hidden identity fields survive."""
    filled, _ = engine_filled
    assert filled.startswith(blank_pdf) and len(filled) > len(blank_pdf)
    raw = read_raw("filled.pdf", data=filled)
    assert raw[definition.identity.form_id_field] == definition.id
    assert raw[definition.identity.version_field] == str(definition.version)


def test_a_fill_takes_seconds_not_more(engine_filled):
    assert engine_filled[1] < 15


def changes(definition: FormDefinition) -> dict[str, object]:
    """A second person's edits of a filled form: boxes unticked, other options, text cleared or rewritten."""
    out: dict[str, object] = {}
    for fld in definition.fields:
        if fld.type == "checkbox":
            out[fld.name] = False
        elif fld.type == "multichoice":
            out[fld.name] = (fld.options[0].code,)
        elif fld.type in ("choice", "level"):
            out[fld.name] = fld.options[0].code
        elif fld.type == "text":
            out[fld.name] = ""
        elif fld.type == "multiline":
            out[fld.name] = "Ny plan för Zoë: « läsa » ½ dag.\r\nSedan öva."
    return out


def test_refill_over_a_pdfium_fill_reads_the_latest_values(engine, pdfium_filled, all_values, definition):
    """Filled in Chrome, then changed in Firefox or Evince: every change reads back, nothing of the first fill."""
    edits = changes(definition)
    refilled = ENGINES[engine][0](pdfium_filled, edits, definition)
    now = {**all_values, **{k: (v or None) for k, v in edits.items()}}
    record = read_form("refilled.pdf", data=refilled, today=TODAY)
    assert record.values == as_read(definition, now)
    assert "value_conflict" not in {p.code for p in record.problems}


@pytest.fixture(scope="module")
def one_field_pdf(definition: FormDefinition) -> bytes:
    """A PDF form whose only field is the definition's first text field."""
    first = next(f for f in definition.fields if f.type == "text")
    buf = io.BytesIO()
    canvas = Canvas(buf)
    canvas.acroForm.textfield(name=first.name, x=40, y=700, width=200, height=20, maxlen=0)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_a_field_the_pdf_lacks_is_named(engine, one_field_pdf, definition):
    absent = [f for f in definition.fields if f.type == "text"][1]
    with pytest.raises(UsageError, match=absent.name):
        ENGINES[engine][0](one_field_pdf, {absent.name: "x"}, definition)


def test_unknown_field_is_refused_before_the_engine_runs(engine, blank_pdf, definition):
    with pytest.raises(UsageError, match="no field 'no_such_field'"):
        ENGINES[engine][0](blank_pdf, {"no_such_field": "x"}, definition)
