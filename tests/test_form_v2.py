"""Form version 2 on the generated PDF itself: required marks, type and target sizes, the seed's words,
the overall level that must be rated, the new rules, and version 1 beside it in one store, report and export.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import as_read, full_values, walk_fields
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import FORM_LANGS, load_definition, split_langs
from minicex_pdf.form.generator import build_form
from minicex_pdf.form.layout import WRITING_LINE_GREY
from minicex_pdf.reading.reader import read_form
from minicex_pdf.reading.validate import check
from minicex_pdf.report.progress import ProgressBuilder
from minicex_pdf.storage.export import columns
from minicex_pdf.storage.store import Store

V1, V2 = load_definition(1), load_definition(2)
TODAY = _dt.date(2026, 4, 1)
MM = 72 / 25.4
FF_REQUIRED, FF_MULTILINE = 2, 1 << 12
SEED = Path(__file__).parent / "resources" / "seed-indicators-sv.txt"

pdfium = pytest.importorskip("pypdfium2")
pdfium_c = pytest.importorskip("pypdfium2.raw")


@pytest.fixture(scope="module")
def blanks() -> dict[str, bytes]:
    return {lang: build_form(V2, lang=lang) for lang in FORM_LANGS}


def page_chars(pdf: bytes) -> list[tuple[str, float]]:
    """Every printed character of every page with its font size, as PDFium's text page gives them."""
    out = []
    doc = pdfium.PdfDocument(pdf)
    for page in doc:
        text = page.get_textpage()
        for i in range(text.count_chars()):
            ch = chr(pdfium_c.FPDFText_GetUnicode(text.raw, i))
            if not ch.isspace():
                out.append((ch, pdfium_c.FPDFText_GetFontSize(text.raw, i)))
    return out


def printed(pdf: bytes) -> str:
    """The page text (PDFium), whitespace collapsed to single spaces."""
    doc = pdfium.PdfDocument(pdf)
    return re.sub(r"\s+", " ", " ".join(page.get_textpage().get_text_range() for page in doc)).strip()


def widgets(pdf: bytes) -> list[dict]:
    """Every visible widget: its field type, flags, /DA and size (width, height in pt)."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annot in page.get("/Annots", []):
            w = annot.get_object()
            if w.get("/F", 0) & 2:  # hidden identity fields
                continue
            parent = w.get("/Parent", {})
            x0, y0, x1, y1 = (float(v) for v in w["/Rect"])
            out.append(
                {
                    "FT": w.get("/FT", parent.get("/FT")),
                    "Ff": int(w.get("/Ff", parent.get("/Ff", 0))),
                    "DA": str(w.get("/DA", "")),
                    "name": str(w.get("/T", parent.get("/T"))),
                    "w": x1 - x0,
                    "h": y1 - y0,
                }
            )
    return out


# --------------------------------------------------------------------------- required


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_every_required_field_has_the_flag_and_an_asterisk_by_its_label(blanks, lang):
    fields = walk_fields(blanks[lang])
    required = [f for f in V2.fields if f.required]
    assert {f.name for f in required} == {
        V2.role("trainee").name,
        V2.role("date").name,
        V2.role("assessor").name,
        V2.role("assessor_role").name,
        V2.overall_field().name,
        *(f.name for f in V2.role_fields("feedback")),
    }
    for name, entry in fields.items():
        assert bool(entry["Ff"] & FF_REQUIRED) == (name in {f.name for f in required}), name
    text = printed(blanks[lang])
    first = split_langs(lang)[0]
    for fld in required:
        assert re.sub(r"\s+", " ", f"{fld.label[first]} *") in text, fld.name
    marked = {f.label[first] for f in required}
    for fld in V2.fields:
        if not fld.required and fld.label[first] not in marked:
            assert f"{fld.label[first]} *" not in text, fld.name
    assert V2.required_key is not None and V2.required_key.joined(split_langs(lang)) in text


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_no_page_text_below_8_pt(blanks, lang):
    sizes = [size for _, size in page_chars(blanks[lang])]
    assert len(sizes) > 4000
    assert min(sizes) >= 8.0 - 0.01


def test_version_1_had_smaller_type_so_the_measure_can_fail():
    assert min(size for _, size in page_chars(build_form(V1))) < 7


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_targets_are_big_enough_for_fingers_and_pens(blanks, lang):
    seen = {"/Btn": 0, "/Tx": 0, "/Sig": 0}
    for w in widgets(blanks[lang]):
        seen[w["FT"]] += 1
        if w["FT"] == "/Btn":  # tick boxes and radio buttons at least 5 mm
            assert w["w"] >= 5 * MM and w["h"] >= 5 * MM, w["name"]
        elif w["FT"] == "/Tx" and w["Ff"] & FF_MULTILINE:  # automatic font size, room per line
            assert re.match(r"/\S+ 0 Tf", w["DA"]), w["name"]
            assert w["h"] >= V2.field(w["name"]).lines * 6 * MM, w["name"]
        elif w["FT"] == "/Tx":  # single-line boxes at least 8 mm high
            assert w["h"] >= 8 * MM, w["name"]
            assert not re.match(r"/\S+ 0 Tf", w["DA"]), w["name"]
    assert all(seen.values()), seen


def test_multi_line_boxes_have_faint_writing_lines_until_text_is_typed(blanks):
    """The lines are in each empty multi-line box's own appearance (they print on a blank), not on the page,
    so the appearance a viewer makes for typed text has none to cross it."""
    from minicex_pdf.engines.pdfium import fill_pdfium

    grey = f"{WRITING_LINE_GREY:g} G"
    doc = PdfReader(io.BytesIO(blanks["sv+en"]))
    content = b"".join(p.get_contents().get_data() for p in doc.pages).decode("latin-1")
    assert grey not in content
    multiline = [f for f in V2.fields if f.type == "multiline"]
    fields = {str(f.get_object()["/T"]): f.get_object() for f in doc.trailer["/Root"]["/AcroForm"]["/Fields"]}
    for fld in multiline:
        ap = fields[fld.name]["/AP"]["/N"].get_object().get_data().decode("latin-1")
        assert grey in ap and ap.count(" l S") == fld.lines - 1, fld.name
    typed = fill_pdfium(blanks["sv+en"], {multiline[0].name: "Bra. " * 200}, V2)
    fields = {
        str(f.get_object()["/T"]): f.get_object()
        for f in PdfReader(io.BytesIO(typed)).trailer["/Root"]["/AcroForm"]["/Fields"]
    }
    assert grey not in fields[multiline[0].name]["/AP"]["/N"].get_object().get_data().decode("latin-1")


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_at_most_four_pages_bilingual_three_in_one_language(blanks, lang):
    assert len(PdfReader(io.BytesIO(blanks[lang])).pages) == (4 if lang == "sv+en" else 3)


# --------------------------------------------------------------------------- the instrument's words


def seed_indicators() -> dict[str, str]:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return dict(line.split("\t") for line in lines)


@pytest.mark.parametrize("lang", ["sv+en", "sv"])
def test_the_seeds_indicator_sentences_are_printed_verbatim(blanks, lang):
    text = printed(blanks[lang])
    seed = seed_indicators()
    assert list(seed) == [a.label.sv for a in V2.areas if a.focus]
    for area, indicators in seed.items():
        for sentence in re.split(r"(?<=\.) ", indicators):
            assert sentence in text, (area, sentence)


def test_level_wording_follows_the_seed():
    proactive, top = V2.level("1"), V2.level("4")
    assert proactive is not None and "eftersom ST-läkaren uppvisar för stora brister" in proactive.definition.sv
    assert top is not None and "i den situationen ett flertal gånger" in top.definition.sv
    assert "fatta det formella beslutet" in top.definition.sv and "specialistkollegium" in top.definition.sv
    not_observed = V2.levels[0]
    assert (not_observed.rank, not_observed.label.en) == (0, "Not observed on this occasion")
    assert (
        V2.scale_note.sv == "Observera att man aldrig kan räkna ut ett medelvärde på de olika nivåerna i denna modell."
    )


# --------------------------------------------------------------------------- the overall level


def test_not_observed_is_no_option_for_the_overall_level(blanks):
    overall = V2.overall_field()
    fields = walk_fields(blanks["sv+en"])
    assert sorted(fields[overall.name]["states"]) == ["1", "2", "3", "4"]
    for fld in V2.level_fields():
        if fld != overall:
            assert "not_observed" in fields[fld.name]["states"]


def _with_overall(pdf: bytes, name: str, code: str) -> bytes:
    """``pdf`` with the overall level's value set to ``code`` by a later incremental update (as a script could)."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    for ref in writer._root_object["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field["/T"] == name:
            field[NameObject("/V")] = NameObject(f"/{code}")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("definition", [V1, V2], ids=["v1", "v2"])
def test_not_observed_for_the_overall_level_is_an_error(definition):
    from minicex_pdf.engines.pdfium import fill_pdfium

    overall = definition.overall_field()
    values = full_values(definition)
    values[overall.name] = "3"
    filled = fill_pdfium(build_form(definition), values, definition)
    assert "overall_not_observed" not in {p.code for p in read_form("ok.pdf", data=filled, today=TODAY).problems}
    if definition.version == 1:  # version 1 offers the option: a viewer can tick it
        values[overall.name] = "not_observed"
        bad = fill_pdfium(build_form(definition), values, definition)
    else:  # version 2 has no such button: only an edited file can say it
        bad = _with_overall(filled, overall.name, "not_observed")
    record = read_form("bad.pdf", data=bad, today=TODAY)
    problems = [(p.code, p.severity, p.field) for p in record.problems if p.code == "overall_not_observed"]
    assert problems == [("overall_not_observed", "error", overall.name)]
    assert record.values[overall.name] == "not_observed" and record.status == "incomplete"


# --------------------------------------------------------------------------- the new rules


def codes(definition, values) -> list[str]:
    return [p.code for p in check(definition, values, today=TODAY)]


def typical(definition) -> dict:
    values = as_read(definition, full_values(definition))
    for fld in definition.level_fields():
        values[fld.name] = "3"
    return values


@pytest.mark.parametrize("text", ["-", ".", "x", " X ", "--", "…", "- / ."])
@pytest.mark.parametrize("definition", [V1, V2], ids=["v1", "v2"])
def test_a_dash_or_dot_is_no_feedback(definition, text):
    values = typical(definition)
    went_well = definition.role_fields("feedback")[0]
    assert "feedback_missing" not in codes(definition, values)
    values[went_well.name] = text
    assert [p.field for p in check(definition, values, today=TODAY) if p.code == "feedback_missing"] == [went_well.name]
    values[went_well.name] = "x-ray read well."
    assert "feedback_missing" not in codes(definition, values)


def test_an_untrained_assessor_is_a_warning_from_version_2():
    for definition, expected in ((V1, []), (V2, [("assessor_not_trained", "warning")])):
        values = typical(definition)
        assert "assessor_not_trained" not in codes(definition, values)
        values["assessor_trained"] = False
        found = [
            (p.code, p.severity) for p in check(definition, values, today=TODAY) if p.code == "assessor_not_trained"
        ]
        assert found == expected, definition.version


@pytest.mark.parametrize(
    ("seen", "confirmed", "warned"),
    [(None, None, True), (1, None, True), (2, None, True), (3, None, False), (None, _dt.date(2026, 3, 1), False)],
)
def test_level_4_is_confirmed_by_times_seen_or_a_specialistkollegium(seen, confirmed, warned):
    values = typical(V2)
    values[V2.role("times_seen").name] = seen
    values[V2.role("confirmed_at").name] = confirmed
    assert "level_needs_confirmation" not in codes(V2, values)
    values[V2.overall_field().name] = "4"
    assert ("level_needs_confirmation" in codes(V2, values)) == warned


# --------------------------------------------------------------------------- both versions side by side


def test_a_version_1_and_a_version_2_form_share_one_store_report_and_export(tmp_path):
    from minicex_pdf.engines.pdfium import fill_pdfium

    returned = tmp_path / "returned"
    returned.mkdir()
    for definition in (V1, V2):
        values = full_values(definition)
        values.update(
            {
                "trainee_name": "Åsa Öberg",
                "date": _dt.date(2026, definition.version, 10),
                "level_overall": "3",
                "level4_times_seen": None,
                "level4_confirmed": None,
            }
        )
        values = {k: v for k, v in values.items() if k in {f.name for f in definition.fields}}
        pdf = fill_pdfium(build_form(definition), values, definition)
        (returned / f"v{definition.version}.pdf").write_bytes(pdf)
    db = tmp_path / "both.sqlite"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(returned), "--db", str(db), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        records = sorted(store.records(), key=lambda r: r.source.form_version)
    assert [r.source.form_version for r in records] == [1, 2]
    progress = ProgressBuilder().build(records)
    assert [(p.name, p.count) for p in progress] == [("Åsa Öberg", 2)]
    result = runner.invoke(cli, ["report", "--db", str(db), "-o", str(tmp_path / "r.pdf"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Åsa Öberg" in printed((tmp_path / "r.pdf").read_bytes())
    export = runner.invoke(cli, ["export", "--db", str(db), "--format", "jsonl"])
    assert export.exit_code == 0, export.output
    rows = sorted((json.loads(line) for line in export.stdout.splitlines()), key=lambda r: r["form_version"])
    keys = [c.key for c in columns() if c.machine is not None]  # JSON Lines: one key per field (#11)
    assert [list(r) for r in rows] == [keys, keys]
    only_v2 = [f.name for f in V2.fields if f.name not in {g.name for g in V1.fields}]
    only_v1 = [f.name for f in V1.fields if f.name not in {g.name for g in V2.fields}]
    assert only_v2 and only_v1
    assert all(rows[0][n] is None for n in only_v2)  # version 1 has no such field
    assert all(rows[1][n] is None for n in only_v1)  # version 2 has no such field
    assert rows[0]["stage"] is None and rows[1]["stage"] is not None
    assert rows[0]["trainee_name"] == rows[1]["trainee_name"] == "Åsa Öberg"


def test_the_record_of_a_version_2_form_round_trips_through_the_store(tmp_path):
    from minicex_pdf.engines.pdfium import fill_pdfium

    values = full_values(V2)
    record = read_form("v2.pdf", data=fill_pdfium(build_form(V2), values, V2), today=TODAY)
    with Store(tmp_path / "s.sqlite") as store:
        store.add(record)
        (back,) = list(store.records())
    assert dataclasses.asdict(back)["values"] == dataclasses.asdict(record)["values"]


def test_every_field_has_its_own_name_in_records_and_exports():
    """Two "Datum" boxes on the page are told apart in records, exports and messages."""
    for lang in ("sv", "en"):
        titles = [f.title[lang] for f in V2.fields]
        assert len(titles) == len(set(titles)), lang
    dates = [V2.field("assessor_signature_date"), V2.field("trainee_signature_date")]
    assert dates[0].label == dates[1].label and dates[0].title != dates[1].title
