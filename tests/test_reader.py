"""read_form: real generated forms filled by real engines read back to what was typed.

PDFium (pypdfium2) and MuPDF (mutool) fill the generated form; qpdf rewrites
copies with object streams; pypdf edits files the way other tools leave them
(identity fields gone, /Fields cut short, a value that is not an option).
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import as_read
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, NameObject, TextStringObject

from minicex_pdf.cli import cli
from minicex_pdf.errors import DamagedPdfError, NotMinicexError, UnknownVersionError
from minicex_pdf.form.definition import FormDefinition
from minicex_pdf.reading.reader import read_form, read_raw

TODAY = _dt.date(2026, 4, 1)

#: A form as an assessor and a trainee fill it in: everything the instrument asks, nothing odd.
TYPICAL = {
    "trainee_name": "Åsa Öberg",
    "specialty": "Allmänmedicin",
    "workplace": "Vårdcentralen Näsby, Göteborg",
    "date": "2026-03-05",
    "assessor_name": "Örjan Ärlig",
    "assessor_position": "Överläkare, specialist i allmänmedicin",
    "assessor_role": "other",
    "assessor_trained": True,
    "complexity": "complex",
    "complicated": True,
    "complicated_what": "Tolk på plats",
    "focus": ("history", "communication"),
    "clinical_context": "Hosta sedan tre veckor.\nRökare, 60 år.",
    "setting": "outpatient",
    "observation_minutes": 15,
    "feedback_minutes": 5,
    "regulation": "hslf2021",
    "subgoals": "STa1, STb1, STc4",
    "level_history": "2",
    "level_examination": "not_observed",
    "level_communication": "3",
    "level_organisation": "not_observed",
    "level_overall": "3",
    "went_well": "Bra öppna frågor.\nLyssnade väl, även på närstående.",
    "next_time": "Sammanfatta i slutet.",
    "action_plan": "Läsa på om KOL.\n\nÖva sammanfattning med handledaren.",
}


@pytest.fixture(scope="module")
def pdfium():
    pytest.importorskip("pypdfium2")
    from minicex_pdf.engines.pdfium import fill_pdfium

    return fill_pdfium


@pytest.fixture(scope="module")
def typical_pdf(blank_pdf, pdfium, definition) -> bytes:
    return pdfium(blank_pdf, TYPICAL, definition)


def qpdf_objstm(data: bytes, tmp_path: Path) -> bytes:
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    (tmp_path / "in.pdf").write_bytes(data)
    subprocess.run(
        ["qpdf", "--object-streams=generate", str(tmp_path / "in.pdf"), str(tmp_path / "out.pdf")], check=True
    )
    return (tmp_path / "out.pdf").read_bytes()


def edited(data: bytes, edit) -> bytes:
    """``data`` with an incremental update made by pypdf after ``edit(writer, fields_by_name)``."""
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    fields = {str(f.get_object()["/T"]): f.get_object() for f in writer._root_object["/AcroForm"]["/Fields"]}
    edit(writer, fields)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- round trips


def test_pdfium_fill_of_every_field_reads_back_as_typed(pdfium_filled, all_values, definition):
    record = read_form("every.pdf", data=pdfium_filled, today=TODAY)
    assert record.values == as_read(definition, all_values)
    assert record.source.form_id == definition.id and record.source.form_version == definition.version
    assert record.source.size == len(pdfium_filled) and len(record.source.sha256) == 64
    assert record.raw == {}


def test_typical_form_is_complete_with_its_subgoals(typical_pdf, definition):
    record = read_form("typical.pdf", data=typical_pdf, today=TODAY)
    assert record.values == as_read(definition, TYPICAL)
    assert [(g.code, g.regulation) for g in record.subgoals] == [
        ("STa1", "hslf2021"),
        ("STb1", "hslf2021"),
        ("STc4", "hslf2021"),
    ]
    assert record.problems == ()
    assert record.status == "complete"


@pytest.mark.parametrize("incremental", [True, False], ids=["incremental", "rewritten"])
def test_mupdf_fill_reads_back_as_typed(blank_pdf, all_values, definition, incremental):
    from minicex_pdf.engines.mupdf import fill_mupdf, mutool

    if mutool() is None:
        pytest.skip("mutool (mupdf-tools) is not installed")
    filled = fill_mupdf(blank_pdf, all_values, definition, incremental=incremental)
    assert read_form("mupdf.pdf", data=filled, today=TODAY).values == as_read(definition, all_values)


def test_object_stream_copy_reads_the_same(pdfium_filled, tmp_path):
    packed = qpdf_objstm(pdfium_filled, tmp_path)
    assert b"/ObjStm" in packed
    plain, compact = read_form("a.pdf", data=pdfium_filled), read_form("a.pdf", data=packed)
    assert compact.values == plain.values and compact.problems == plain.problems


def test_refilled_form_reads_the_latest_revision(typical_pdf, pdfium, definition):
    again = pdfium(typical_pdf, {"level_overall": "2", "next_time": "Ny text"}, definition)
    assert again.startswith(typical_pdf)
    record = read_form("again.pdf", data=again)
    assert record["level_overall"] == "2" and record["next_time"] == "Ny text"


def test_fields_list_cut_short_reads_from_page_widgets(typical_pdf, definition):
    def cut(writer, fields):
        array = writer._root_object["/AcroForm"]["/Fields"]
        del array[3:]

    record = read_form("preview.pdf", data=edited(typical_pdf, cut), today=TODAY)
    assert record.values == as_read(definition, TYPICAL)


def test_read_from_path_and_raw_map(typical_pdf, tmp_path):
    path = tmp_path / "svar.pdf"
    path.write_bytes(typical_pdf)
    assert read_form(path).source.path == str(path)
    raw = read_raw(path)
    assert raw["trainee_name"] == "Åsa Öberg"
    assert raw["went_well"] == TYPICAL["went_well"]
    assert raw["assessor_trained"] is True and raw["focus_examination"] is False
    assert raw["level_history"] == "2" and raw["setting"] == "outpatient"


# --------------------------------------------------------------------------- problems


@pytest.mark.parametrize(
    ("changes", "codes", "status"),
    [
        ({"went_well": None}, {"feedback_missing"}, "incomplete"),
        ({"action_plan": None}, {"action_plan_missing"}, "awaiting_action_plan"),
        ({"trainee_name": None, "level_overall": None}, {"required_missing"}, "incomplete"),
        ({"date": "igår"}, {"date_unreadable"}, "incomplete"),
        ({"date": "2026-05-01"}, {"date_future"}, "complete"),
        ({"observation_minutes": "en kvart"}, {"integer_unreadable"}, "complete"),
        ({"observation_minutes": 500}, {"integer_out_of_range"}, "complete"),
        ({"feedback_minutes": "ca 15 min"}, {"integer_outside_norm"}, "complete"),
        ({"level_overall": "4"}, {"level_needs_confirmation"}, "complete"),
        ({"level_history": "not_observed"}, {"focus_not_rated"}, "complete"),
        ({"level_examination": "3"}, {"rated_not_in_focus"}, "complete"),
        ({"clinical_context": "Pat 19121212-1212, KOL"}, {"personal_id_number"}, "incomplete"),
        ({"subgoals": "STa1, STx9, STc99"}, {"subgoal_unknown"}, "complete"),
        ({"regulation": "sosfs2015", "subgoals": "a1, STb1"}, {"subgoal_regulation_mismatch"}, "complete"),
    ],
)
def test_problems_in_filled_forms(blank_pdf, pdfium, definition, changes, codes, status):
    values = {k: v for k, v in {**TYPICAL, **changes}.items() if v is not None}
    record = read_form("p.pdf", data=pdfium(blank_pdf, values, definition), today=TODAY)
    assert {p.code for p in record.problems} == codes
    assert record.status == status
    for p in record.problems:
        assert p.message.sv and p.message.en and p.message.sv != p.message.en


def test_unreadable_values_are_kept_raw(blank_pdf, pdfium, definition):
    values = {**TYPICAL, "date": "igår", "observation_minutes": "en kvart"}
    record = read_form("raw.pdf", data=pdfium(blank_pdf, values, definition), today=TODAY)
    assert record["date"] is None and record.raw["date"] == "igår"
    assert record["observation_minutes"] is None and record.raw["observation_minutes"] == "en kvart"


def test_personal_number_is_named_by_field_not_printed(blank_pdf, pdfium, definition):
    values = {**TYPICAL, "went_well": "Bra med patienten 811218-9876 (samordning 811278-9873)."}
    record = read_form("pnr.pdf", data=pdfium(blank_pdf, values, definition), today=TODAY)
    found = [p for p in record.problems if p.code == "personal_id_number"]
    assert [p.field for p in found] == ["went_well"]
    text = json.dumps([p.to_dict() for p in record.problems], ensure_ascii=False)
    assert "811218" not in text and "9876" not in text
    assert definition.field("went_well").label.sv in found[0].message.sv


def test_value_not_among_options(typical_pdf):
    def bogus(writer, fields):
        fields["level_overall"][NameObject("/V")] = NameObject("/9")

    record = read_form("bogus.pdf", data=edited(typical_pdf, bogus), today=TODAY)
    assert record["level_overall"] is None and record.raw["level_overall"] == "9"
    assert {p.code for p in record.problems} == {"option_unknown", "value_conflict"}
    assert record.status == "incomplete"


# --------------------------------------------------------------------------- identity and versions


def _drop_identity(definition: FormDefinition):
    def drop(writer, fields):
        names = set(definition.identity.names)
        array = writer._root_object["/AcroForm"]["/Fields"]
        keep = [ref for ref in array if str(ref.get_object()["/T"]) not in names]
        writer._root_object["/AcroForm"][NameObject("/Fields")] = ArrayObject(keep)
        for page in writer.pages:
            annots = page.get("/Annots")
            if annots:
                kept = [a for a in annots if str(a.get_object().get("/T", "")) not in names]
                page[NameObject("/Annots")] = ArrayObject(kept)

    return drop


def test_identity_from_metadata_when_the_hidden_fields_are_gone(typical_pdf, definition):
    record = read_form("noid.pdf", data=edited(typical_pdf, _drop_identity(definition)), today=TODAY)
    assert record.source.form_version == definition.version and record.problems == ()


def test_identity_from_field_names_when_metadata_is_gone_too(typical_pdf, definition):
    def strip(writer, fields):
        _drop_identity(definition)(writer, fields)
        writer.add_metadata({"/Keywords": "", "/Subject": ""})

    record = read_form("bare.pdf", data=edited(typical_pdf, strip), today=TODAY)
    assert [p.code for p in record.problems] == ["identity_missing"]
    assert record.values == as_read(definition, TYPICAL)


def _set_identity(definition: FormDefinition, field: str, value: str):
    def edit(writer, fields):
        fields[field][NameObject("/V")] = TextStringObject(value)

    return edit


def test_unknown_version_and_other_forms(typical_pdf, definition):
    newer = edited(typical_pdf, _set_identity(definition, definition.identity.version_field, "99"))
    with pytest.raises(UnknownVersionError) as err:
        read_form("newer.pdf", data=newer)
    assert "newer.pdf" in err.value.message("sv")
    other = edited(typical_pdf, _set_identity(definition, definition.identity.form_id_field, "Anna Berg 19900101"))
    with pytest.raises(NotMinicexError) as err:
        read_form("other.pdf", data=other)
    # The message names the field, never what it holds.
    field = definition.identity.form_id_field
    assert err.value.message("en") == f"other.pdf: a PDF form but not a mini-CEX (field {field} names another form)"
    garbled = edited(typical_pdf, _set_identity(definition, definition.identity.version_field, "Anna Berg"))
    with pytest.raises(UnknownVersionError) as err:
        read_form("garbled.pdf", data=garbled)
    field = definition.identity.version_field
    assert err.value.message("en") == (
        f"garbled.pdf: a mini-CEX of a form version this release does not know (field {field} is not a version number)"
    )


def test_a_pdf_form_that_is_not_a_minicex(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf)
    canvas.acroForm.textfield(name="invoice_number", value="123", x=50, y=700)
    canvas.showPage()
    canvas.save()
    with pytest.raises(NotMinicexError):
        read_form("invoice.pdf", data=buf.getvalue())


def test_definition_for_picks_by_version(typical_pdf, definition):
    assert read_form("m.pdf", data=typical_pdf, definition_for={definition.version: definition}).values
    assert read_form("c.pdf", data=typical_pdf, definition_for=lambda v: definition).values
    with pytest.raises(UnknownVersionError):
        read_form("none.pdf", data=typical_pdf, definition_for=lambda v: None)


# --------------------------------------------------------------------------- every released version


RESOURCES = Path(__file__).parent / "resources"


@pytest.mark.parametrize("version", [1, 2])
def test_released_version_still_reads(version):
    """A form filled in each released definition (made by scripts/make_version_fixture.py) reads as recorded."""
    pdf = RESOURCES / f"minicex-{version}-filled.pdf"
    want = json.loads((RESOURCES / f"minicex-{version}-filled.json").read_text(encoding="utf-8"))
    record = read_form(pdf, today=_dt.date.fromisoformat(want["today"]))
    got = record.to_dict()
    assert got["source"]["form_version"] == version
    assert {k: got["values"][k] for k in want["values_typed"]} == want["values_typed"]  # what was typed
    assert got["values"] == want["record"]["values"]
    assert got["subgoals"] == want["record"]["subgoals"]
    assert [p["code"] for p in got["problems"]] == [p["code"] for p in want["record"]["problems"]]
    assert got["status"] == want["record"]["status"]


# --------------------------------------------------------------------------- speed and the command


def test_reading_one_form_takes_well_under_100_ms(pdfium_filled):
    read_form("warm.pdf", data=pdfium_filled)
    best = min(_timed(lambda: read_form("t.pdf", data=pdfium_filled)) for _ in range(5))
    assert best < 0.1


def _timed(fn) -> float:
    """CPU seconds ``fn`` takes (not wall time, which other programs on the machine stretch)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def test_cli_read_prints_json_text_and_raw(typical_pdf, tmp_path):
    path = tmp_path / "svar.pdf"
    path.write_bytes(typical_pdf)
    runner = CliRunner()
    out = runner.invoke(cli, ["read", str(path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["values"]["trainee_name"] == "Åsa Öberg" and data["status"] == "complete"
    text = runner.invoke(cli, ["read", "--format", "text", "--lang", "en", str(path)])
    assert text.exit_code == 0 and "Trainee's name" in text.output and "Åsa Öberg" in text.output
    raw = runner.invoke(cli, ["read", "--raw", str(path)])
    assert json.loads(raw.output)["went_well"] == TYPICAL["went_well"]


def test_cli_read_names_the_file_it_cannot_read(tmp_path):
    bad = tmp_path / "brev.pdf"
    bad.write_text("inte en pdf", encoding="utf-8")
    out = CliRunner().invoke(cli, ["read", "--lang", "sv", str(bad)])
    assert out.exit_code != 0
    assert str(bad) in out.output and "inte en PDF" in out.output
    assert "Traceback" not in out.output


# --------------------------------------------------------------------------- saved by Acrobat/Preview, then by Chrome/Edge

#: What the assessor types (in Acrobat or Preview, which save with object streams) ...
ASSESSOR = {k: v for k, v in TYPICAL.items() if k != "action_plan"}
#: ... and what the trainee adds in Chrome or Edge (PDFium), correcting a line of the assessor's too.
TRAINEE = {
    "action_plan": "Läsa på om KOL.\n\nÖva sammanfattning, även på äldre.",
    "next_time": "Sammanfatta; fråga om rökning.",
}


def _startxref(data: bytes) -> int:
    tail = data[data.rindex(b"startxref") :]
    return int(tail.split()[1])


def _xref_dict(data: bytes, offset: int) -> bytes:
    """The bytes of the xref stream dictionary at ``offset`` (up to its ``stream`` keyword)."""
    return data[offset : data.index(b"stream", offset)]


def _prev(data: bytes, offset: int) -> int:
    head = _xref_dict(data, offset)
    return int(head[head.index(b"/Prev") + 5 :].split(b"/")[0].split()[0])


@pytest.fixture(scope="module")
def acrobat_saved(blank_pdf, pdfium, definition, tmp_path_factory) -> bytes:
    """The assessor's filling, saved again with object streams and an xref stream (as Acrobat and Preview do)."""
    return qpdf_objstm(pdfium(blank_pdf, ASSESSOR, definition), tmp_path_factory.mktemp("acrobat"))


@pytest.fixture(scope="module")
def chrome_saved(acrobat_saved, pdfium, definition) -> bytes:
    """The trainee's addition saved by PDFium: an xref stream without /Type /XRef and without endobj."""
    return pdfium(acrobat_saved, TRAINEE, definition)


def test_pdfium_update_of_an_object_stream_file_reads_both_fillings(acrobat_saved, chrome_saved, definition, tmp_path):
    assert chrome_saved.startswith(acrobat_saved)
    head = _xref_dict(chrome_saved, _startxref(chrome_saved))  # the shape pypdf and qpdf call damaged
    assert b"/W" in head and b"/Size" in head and b"/Prev" in head and b"/Type" not in head
    path = tmp_path / "Mini-CEX (2).PDF"
    path.write_bytes(chrome_saved)
    record = read_form(path, today=TODAY)
    assert record.values == as_read(definition, {**ASSESSOR, **TRAINEE})
    assert record.problems == () and record.status == "complete"
    assert path.read_bytes() == chrome_saved  # the file is read, never repaired in place


def test_mupdf_update_of_an_object_stream_file_reads_both_fillings(acrobat_saved, definition):
    from minicex_pdf.engines.mupdf import fill_mupdf, mutool

    if mutool() is None:
        pytest.skip("mutool (mupdf-tools) is not installed")
    filled = fill_mupdf(acrobat_saved, TRAINEE, definition, incremental=True)
    assert filled.startswith(acrobat_saved)
    assert read_form("mupdf.pdf", data=filled, today=TODAY).values == as_read(definition, {**ASSESSOR, **TRAINEE})


def test_untyped_xref_stream_in_an_earlier_revision(chrome_saved, pdfium, definition):
    """PDFium saves twice: the first untyped xref stream is now a /Prev, not the last revision."""
    third = {"went_well": "Tydlig struktur.\r\nGod empati, även för anhöriga."}
    again = pdfium(chrome_saved, third, definition)
    assert b"/Type" not in _xref_dict(again, _prev(again, _startxref(again)))
    record = read_form("again.pdf", data=again, today=TODAY)
    assert record.values == as_read(
        definition, {**ASSESSOR, **TRAINEE, "went_well": third["went_well"].replace("\r", "")}
    )


def test_typed_xref_after_an_untyped_one_loses_no_revision(chrome_saved, definition):
    """MuPDF saves after PDFium: pypdf would stop at the untyped /Prev and drop the older entries silently."""
    from minicex_pdf.engines.mupdf import fill_mupdf, mutool

    if mutool() is None:
        pytest.skip("mutool (mupdf-tools) is not installed")
    later = {"feedback_minutes": 10}
    filled = fill_mupdf(chrome_saved, later, definition, incremental=True)
    assert filled.startswith(chrome_saved) and b"/Type/XRef" in _xref_dict(filled, _startxref(filled)).replace(
        b" ", b""
    )
    record = read_form("mupdf-after-chrome.pdf", data=filled, today=TODAY)
    assert record.values == as_read(definition, {**ASSESSOR, **TRAINEE, **later})


def test_untyped_xref_that_names_type_in_a_string_reads_too(chrome_saved, definition):
    """ "/Type" in a string of the dictionary hides the defect from the byte glance: pypdf fails, then the repair."""
    at = _startxref(chrome_saved)
    key = chrome_saved.index(b"/Size", at)
    noted = chrome_saved[:key] + b"/Note (/Type is missing) " + chrome_saved[key:]  # the last object: no offset moves
    assert read_form("noted.pdf", data=noted, today=TODAY).values == as_read(definition, {**ASSESSOR, **TRAINEE})


def _overwrite(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def _broken_xrefs(data: bytes) -> dict[str, bytes]:
    """The untyped xref stream at startxref made into something no xref stream is (same length: offsets hold)."""
    at = _startxref(data)
    head = _xref_dict(data, at)
    w = at + head.index(b"/W")
    return {
        "no /W": _overwrite(data, w, b"/X"),
        "no /Size": _overwrite(data, at + head.index(b"/Size"), b"/Sixe"),
        "two widths": _overwrite(data, w, b"/W[0 4]" + b" " * (data.index(b"]", w) - w - 6)),
    }


@pytest.mark.parametrize("damage", ["no /W", "no /Size", "two widths"])
def test_truly_damaged_untyped_xref_is_still_damaged(chrome_saved, damage):
    broken = _broken_xrefs(chrome_saved)[damage]
    assert len(broken) == len(chrome_saved) and broken != chrome_saved
    with pytest.raises(DamagedPdfError):
        read_form("broken.pdf", data=broken)


def test_wrong_startxref_rebuilds_to_the_latest_values(chrome_saved, definition):
    """pypdf rebuilds the xref by scanning; the plain copy PDFium appended beats the object-stream copy before it."""
    at = _startxref(chrome_saved)
    off = chrome_saved[: chrome_saved.rindex(b"startxref")] + f"startxref\r\n{at + 7}\r\n%%EOF\r\n".encode()
    record = read_form("off.pdf", data=off, today=TODAY)
    assert record.values == as_read(definition, {**ASSESSOR, **TRAINEE})


@pytest.mark.parametrize("cut", ["in the stream", "after endstream", "in startxref", "before %%EOF"])
def test_cut_off_pdfium_update_is_truncated(chrome_saved, cut):
    at = _startxref(chrome_saved)
    end = {
        "in the stream": chrome_saved.index(b"stream", at) + 40,
        "after endstream": chrome_saved.index(b"endstream", at) + len(b"endstream\r\n"),
        "in startxref": chrome_saved.rindex(b"startxref") + 12,
        "before %%EOF": chrome_saved.rindex(b"%%EOF"),
    }[cut]
    with pytest.raises(DamagedPdfError) as err:
        read_form("cut.pdf", data=chrome_saved[:end])
    assert "truncated" in err.value.message("en")
