"""The generated form: every field of the definition, the rules viewers need, identity, paper, reproducibility."""

from __future__ import annotations

import datetime as _dt
import io
import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import ContentStream

from minicex_pdf.cli import cli
from minicex_pdf.errors import DefinitionError, UsageError
from minicex_pdf.form.definition import FORM_LANGS, FormDefinition, Text, load_definition, split_langs
from minicex_pdf.form.fonts import field_font
from minicex_pdf.form.generator import (
    build_form,
    identity_keywords,
    parse_identity_keywords,
    write_form,
)
from minicex_pdf.form.layout import CONTENT_W, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X

A4 = (595.2756, 841.8898)
FF_READONLY, FF_REQUIRED, FF_MULTILINE = 1, 2, 1 << 12
F_HIDDEN, F_PRINT = 2, 4


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def fillable_names(definition: FormDefinition) -> list[str]:
    """Every PDF field a user fills or signs, in reading order (signature fields where they stand)."""
    return [n for s in definition.sections for f in s.fields for n in f.pdf_names]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def fields_by_lang(blank_pdfs, read_fields):
    return {lang: read_fields(pdf) for lang, pdf in blank_pdfs.items()}


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_every_field_is_there_under_its_definition_name(fields_by_lang, definition, lang):
    fields = fields_by_lang[lang]
    assert sorted(fields) == sorted(definition.pdf_names + tuple(f.name for f in definition.signature_fields))
    for fld in definition.signature_fields:
        assert fields[fld.name]["FT"] == "/Sig" and fields[fld.name]["V"] is None
    for fld in definition.fields:
        if fld.type in ("text", "date", "integer", "multiline"):
            entry = fields[fld.name]
            assert entry["FT"] == "/Tx"
            assert bool(entry["Ff"] & FF_MULTILINE) == (fld.type == "multiline"), fld.name
        elif fld.type in ("checkbox", "multichoice"):
            for name in fld.pdf_names:
                assert fields[name]["FT"] == "/Btn"
                assert fields[name]["states"] == ["Yes"], name
                assert fields[name]["V"] in (None, "Off")
        else:  # choice and level: a radio group whose on-states are the option codes
            entry = fields[fld.name]
            assert entry["FT"] == "/Btn" and entry["Ff"] & (1 << 15), fld.name
            assert sorted(entry["states"]) == sorted(o.code for o in fld.options), fld.name
            assert entry["V"] in (None, "Off")


def test_no_field_is_cut_or_read_only_except_identity_and_required_from_version_2(
    blank_pdf, fields_by_lang, definition
):
    assert b"/MaxLen" not in blank_pdf
    required = {f.name for f in definition.fields if f.required} if definition.version >= 2 else set()
    assert required or definition.version == 1
    for name, entry in fields_by_lang["sv+en"].items():
        if name in definition.identity.names:
            continue
        assert not entry["Ff"] & FF_READONLY, name
        assert bool(entry["Ff"] & FF_REQUIRED) == (name in required), name
        assert entry["F"] & F_PRINT, name


def test_viewer_resources_for_check_and_radio_glyphs(blank_pdf):
    doc = reader(blank_pdf)
    acro = doc.trailer["/Root"]["/AcroForm"]
    assert "/NeedAppearances" not in acro
    fonts = acro["/DR"]["/Font"]
    assert fonts["/ZaDb"].get_object()["/BaseFont"] == "/ZapfDingbats"
    field_font = fonts["/MxSans"].get_object()
    assert (field_font["/Subtype"], field_font["/Encoding"]) == ("/Type0", "/Identity-H")
    assert "/FontFile2" in field_font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    assert "/ToUnicode" in field_font
    assert acro["/DA"] == "/MxSans 0 Tf 0 g"
    seen = 0
    for page in doc.pages:
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig":
                continue  # a signature field shows no text until signed
            if widget.get("/FT", widget.get("/Parent", {}).get("/FT")) == "/Btn":
                assert widget["/DA"].startswith("/ZaDb "), widget
                seen += 1
            else:
                assert widget["/DA"].startswith("/MxSans ")
    assert seen > 0


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_every_fillable_field_has_a_tooltip_in_the_form_languages(fields_by_lang, definition, lang):
    langs = split_langs(lang)
    fields = fields_by_lang[lang]
    for fld in definition.fields:
        tip = fld.tooltip.joined(langs)
        for name in fld.pdf_names:
            assert fields[name]["TU"].startswith(tip), name
            other = [x for x in ("sv", "en") if x not in langs]
            if other and fld.tooltip[other[0]] != fld.tooltip[langs[0]]:
                assert fld.tooltip[other[0]] not in fields[name]["TU"]
    for fld in definition.fields:
        if fld.type == "multichoice":
            for opt in fld.options:
                assert fields[fld.option_field(opt.code)]["TU"].endswith(opt.label.joined(langs))


def test_tab_order_is_reading_order(blank_pdf, definition):
    """Widgets sit in /Annots in the order of the definition, which is the reading order on the page."""
    doc = reader(blank_pdf)
    order: list[str] = []
    positions: list[tuple[int, float, float]] = []
    for number, page in enumerate(doc.pages):
        assert "/Tabs" not in page  # no row/column sorting: the /Annots order is the tab order
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            if widget.get("/F", 0) & F_HIDDEN:
                continue
            name = str(widget.get("/T", widget.get("/Parent", {}).get("/T")))
            x0, _y0, x1, y1 = (float(v) for v in widget["/Rect"])
            if not order or order[-1] != name:
                order.append(name)
                positions.append((number, -y1, x0))
    assert order == fillable_names(definition)
    # the next field is never above the previous one on the same page unless it is to its right
    for (p0, top0, x0), (p1, top1, x1) in itertools.pairwise(positions):
        assert p1 > p0 or top1 >= top0 - 2 or x1 > x0


def test_widgets_do_not_overlap_and_stay_inside_the_margins(blank_pdfs):
    for lang, pdf in blank_pdfs.items():
        doc = reader(pdf)
        for number, page in enumerate(doc.pages):
            assert [float(v) for v in page.mediabox] == pytest.approx([0, 0, *A4], abs=0.01)
            rects = []
            for annot in page.get("/Annots", []):
                widget = annot.get_object()
                if widget.get("/F", 0) & F_HIDDEN:
                    continue
                x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
                assert MARGIN_X - 0.01 <= x0 < x1 <= MARGIN_X + CONTENT_W + 0.01, (lang, number)
                assert MARGIN_BOTTOM <= y0 < y1 <= A4[1] - MARGIN_TOP, (lang, number)
                assert x1 - x0 >= 10 and y1 - y0 >= 10, "big enough to click and to write in"
                rects.append((x0, y0, x1, y1))
            for i, a in enumerate(rects):
                for b in rects[i + 1 :]:
                    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (lang, number, a, b)


def test_boxes_are_big_enough_to_write_by_hand(fields_by_lang, definition):
    fields = fields_by_lang["sv+en"]
    for fld in definition.fields:
        if fld.type in ("text", "date", "integer", "multiline"):
            (_page, (x0, y0, x1, y1)) = fields[fld.name]["rects"][0]
            assert y1 - y0 >= 17 * fld.lines, fld.name  # 6 mm per line
            assert x1 - x0 >= 100, fld.name


# --------------------------------------------------------------------------- identity


def test_identity_in_hidden_read_only_fields_and_metadata(blank_pdf, fields_by_lang, definition):
    ident = definition.identity
    fields = fields_by_lang["sv+en"]
    expected = {ident.form_id_field: definition.id, ident.version_field: str(definition.version)}
    for name in ident.names:
        assert fields[name]["Ff"] & FF_READONLY and fields[name]["F"] & F_HIDDEN, name
        assert fields[name]["V"] == expected.get(name, ""), name
    meta = reader(blank_pdf).metadata
    assert parse_identity_keywords(meta["/Keywords"]) == {
        "form-id": definition.id,
        "form-version": str(definition.version),
        "instance-id": "",
    }
    assert definition.id in meta["/Subject"]
    assert meta["/Title"] == definition.title.joined(("sv", "en"))


def test_instance_id_goes_into_field_and_metadata(definition, read_fields):
    pdf = build_form(definition, instance_id="2026-03-x7")
    assert read_fields(pdf)[definition.identity.instance_field]["V"] == "2026-03-x7"
    keywords = reader(pdf).metadata["/Keywords"]
    assert keywords == identity_keywords(definition, "2026-03-x7")
    assert parse_identity_keywords(keywords)["instance-id"] == "2026-03-x7"
    with pytest.raises(UsageError, match="instance id"):
        build_form(definition, instance_id="två ord")


# --------------------------------------------------------------------------- pre-filling


def shown_text(codes: bytes) -> str:
    """Two-byte glyph codes of the field font as the text they show."""
    by_glyph = {gid: chr(cp) for cp, gid in sorted(field_font().glyphs.items(), reverse=True)}
    return "".join(by_glyph[codes[i] << 8 | codes[i + 1]] for i in range(0, len(codes), 2))


def appearance_text(pdf: bytes, name: str) -> str:
    """The strings a field's normal appearance stream shows (what a viewer draws without regenerating)."""
    doc = reader(pdf)
    for page in doc.pages:
        for annot in page["/Annots"]:
            widget = annot.get_object()
            if widget.get("/T") == name:
                stream = widget["/AP"]["/N"].get_object()
                ops = ContentStream(stream, doc).operations
                return "\n".join(shown_text(args[0].original_bytes) for args, op in ops if op == b"Tj")
    raise AssertionError(name)


def test_prefilled_values_read_back_with_appearances(definition, all_values, read_fields):
    pdf = build_form(definition, values=all_values)
    fields = read_fields(pdf)
    for fld in definition.fields:
        value = all_values[fld.name]
        if fld.type == "multichoice":
            for opt in fld.options:
                assert fields[fld.option_field(opt.code)]["V"] == "Yes"
                assert fields[fld.option_field(opt.code)]["AS"] == ["Yes"]
        elif fld.type == "checkbox":
            assert fields[fld.name]["V"] == "Yes" and fields[fld.name]["AS"] == ["Yes"]
        elif fld.type in ("choice", "level"):
            assert fields[fld.name]["V"] == value
            assert sorted(fields[fld.name]["AS"]) == sorted(o.code if o.code == value else "Off" for o in fld.options)
        else:
            want = value.isoformat() if isinstance(value, _dt.date) else str(value)
            assert fields[fld.name]["V"] == want, fld.name
    text = next(f for f in definition.fields if f.type == "text")
    assert appearance_text(pdf, text.name).startswith(str(all_values[text.name])[:30])
    multi = next(f for f in definition.fields if f.type == "multiline")
    shown = appearance_text(pdf, multi.name).split("\n")
    # wrapped into the box, line breaks kept (the blank line shows as an empty line)
    assert "" in shown and len(shown) >= len(str(all_values[multi.name]).split("\n"))


def test_prefill_rejects_what_it_cannot_put_in_the_form(definition):
    choice = next(f for f in definition.fields if f.type == "choice")
    check = next(f for f in definition.fields if f.type == "checkbox")
    multi = next(f for f in definition.fields if f.type == "multichoice")
    cases = [
        ({"no_such_field": "x"}, "no_such_field"),
        ({choice.name: "maybe"}, choice.name),
        ({check.name: "yes"}, check.name),
        ({multi.name: "history"}, multi.name),
        ({multi.name: ("nothing",)}, multi.name),
    ]
    for values, name in cases:
        with pytest.raises(UsageError, match=name):
            build_form(definition, values=values)
    with pytest.raises(DefinitionError, match="language"):
        build_form(definition, lang="de")


# --------------------------------------------------------------------------- text on the page


def form_texts(definition: FormDefinition) -> list[Text]:
    texts = [definition.title, definition.privacy, definition.scale_title, definition.scale_note]
    texts += [definition.instructions_title, *definition.instructions]
    for section in definition.sections:
        texts += [section.title] + ([section.note] if section.note else [])
        for fld in section.fields:
            texts += [fld.label, *(o.label for o in fld.options)]
    for level in definition.levels:
        texts += [level.label, level.definition]
    for area in definition.areas:
        texts += [area.label, area.indicators]
    return texts


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_every_text_of_the_instrument_is_printed_in_the_form_languages(blank_pdfs, definition, lang):
    langs = split_langs(lang)
    printed = flat(" ".join(page.extract_text() for page in reader(blank_pdfs[lang]).pages))
    for text in form_texts(definition):
        for each in ("sv", "en"):
            if each in langs:
                assert flat(text[each]) in printed, text[each]
            elif text.sv != text.en and len(text[each]) > 12:
                assert flat(text[each]) not in printed, text[each]


def test_instructions_say_levels_are_never_averaged(blank_pdfs, definition):
    for lang, pdf in blank_pdfs.items():
        printed = flat(" ".join(page.extract_text() for page in reader(pdf).pages))
        for each in split_langs(lang):
            assert flat(definition.scale_note[each]) in printed


# --------------------------------------------------------------------------- the file


def test_same_definition_and_options_give_the_same_bytes(definition, blank_pdf, blank_pdfs):
    assert build_form(definition) == blank_pdf
    assert build_form(definition, lang="sv") == blank_pdfs["sv"]
    assert len({*blank_pdfs.values()}) == 3
    assert build_form(definition, instance_id="a1") == build_form(definition, instance_id="a1")
    assert build_form(definition, instance_id="a1") != blank_pdf


def test_blank_is_small_a4_and_at_most_four_pages(blank_pdfs, definition):
    """Version 1 has three pages; version 2 (bigger type and boxes) at most four bilingual, three in one language."""
    for lang, pdf in blank_pdfs.items():
        assert len(pdf) < 300_000, lang  # the ceiling; the embedded field font is most of it
        pages = len(reader(pdf).pages)
        if definition.version == 1:
            assert pages == 3, lang
        else:
            assert pages <= (4 if lang == "sv+en" else 3), lang


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf not installed")
def test_qpdf_finds_nothing_wrong(blank_pdfs, pdfium_filled, tmp_path):
    for name, pdf in [*blank_pdfs.items(), ("pdfium-filled", pdfium_filled)]:
        path = tmp_path / "form.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stdout, result.stderr)
        assert "No syntax or stream encoding errors" in result.stdout, name
        assert "WARNING" not in result.stdout + result.stderr, name


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm not installed")
def test_nothing_is_drawn_outside_the_margins(blank_pdfs, tmp_path):
    """Render every page in black and white: the margins (page edges) stay white."""
    from PIL import Image

    dpi = 36
    for lang, pdf in blank_pdfs.items():
        path = tmp_path / f"{lang}.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), str(tmp_path / lang)], check=True)
        pages = sorted(tmp_path.glob(f"{lang}-*.png"))
        assert len(pages) == len(reader(pdf).pages)
        for png in pages:
            image = Image.open(png).convert("L")
            w, h = image.size
            edge = int((MARGIN_X - 6) * dpi / 72)
            for box in ((0, 0, edge, h), (w - edge, 0, w, h), (0, 0, w, int(20 * dpi / 72)), (0, h - 8, w, h)):
                assert image.crop(box).getextrema()[0] >= 250, (lang, png.name, box)


# --------------------------------------------------------------------------- other engines


MUPDF_FILL_JS = """
var doc = new PDFDocument(scriptArgs[0]);
var targets = JSON.parse(scriptArgs[2]);
for (var t = 0; t < targets.length; t++) {
  var target = targets[t], found = false;
  var widgets = doc.loadPage(target.page).getWidgets();
  for (var j = 0; j < widgets.length && !found; j++) {
    var r = widgets[j].getRect(), close = true;
    for (var k = 0; k < 4; k++) if (Math.abs(r[k] - target.rect[k]) > 0.5) close = false;
    if (!close) continue;
    if ("text" in target) widgets[j].setTextValue(target.text); else widgets[j].toggle();
    widgets[j].update();
    found = true;
  }
  if (!found) throw new Error("no widget at " + target.rect);
}
doc.save(scriptArgs[1], "incremental");
"""


@pytest.mark.skipif(not shutil.which("mutool"), reason="mutool (mupdf-tools) not installed")
def test_mupdf_fills_text_checkbox_and_radio(blank_pdf, definition, read_fields, tmp_path):
    fields = read_fields(blank_pdf)
    text = next(f for f in definition.fields if f.type == "text")
    check = next(f for f in definition.fields if f.type == "checkbox")
    level = next(f for f in definition.fields if f.type == "level")
    code = level.options[-1].code

    def target(name: str, index: int = 0, **extra: str) -> dict:
        page, (x0, y0, x1, y1) = fields[name]["rects"][index]
        return {"page": page, "rect": [x0, A4[1] - y1, x1, A4[1] - y0], **extra}

    targets = [
        target(text.name, text="Åsa Öberg"),
        target(check.name),
        target(level.name, fields[level.name]["states"].index(code)),
    ]
    (tmp_path / "fill.js").write_text(MUPDF_FILL_JS)
    (tmp_path / "blank.pdf").write_bytes(blank_pdf)
    subprocess.run(
        ["mutool", "run", "fill.js", "blank.pdf", "out.pdf", json.dumps(targets)], cwd=tmp_path, check=True, timeout=60
    )
    filled = read_fields((tmp_path / "out.pdf").read_bytes())
    assert filled[text.name]["V"] == "Åsa Öberg"
    assert filled[check.name]["V"] == "Yes"
    assert filled[level.name]["V"] == code


# --------------------------------------------------------------------------- API and CLI


def test_write_form_writes_the_same_bytes(tmp_path, newest_blanks):
    path = write_form(tmp_path / "form.pdf", lang="en")
    assert path.read_bytes() == newest_blanks["en"]
    with pytest.raises(UsageError, match="cannot write"):
        write_form(tmp_path / "missing" / "form.pdf")


def test_cli_blank_writes_the_form(newest_blanks):
    blank_pdfs = newest_blanks
    runner = CliRunner()
    with runner.isolated_filesystem():
        result = runner.invoke(cli, ["blank"])
        assert (result.exit_code, result.output) == (0, "Wrote mini-cex.pdf\n")
        assert Path("mini-cex.pdf").read_bytes() == blank_pdfs["sv+en"]
        result = runner.invoke(cli, ["blank", "-o", "form-en.pdf", "--lang", "en"])
        assert (result.exit_code, result.output) == (0, "Wrote form-en.pdf\n")
        assert Path("form-en.pdf").read_bytes() == blank_pdfs["en"]


def test_cli_blank_never_overwrites_without_force(newest_blanks):
    blank_pdfs = newest_blanks
    runner = CliRunner()
    with runner.isolated_filesystem():
        Path("mini-cex.pdf").write_bytes(b"a filled form")
        result = runner.invoke(cli, ["blank"])
        assert result.exit_code == 1
        assert result.output == (
            "Error: mini-cex.pdf exists: choose another name with -o, or add --force to overwrite it\n"
        )
        assert Path("mini-cex.pdf").read_bytes() == b"a filled form"
        result = runner.invoke(cli, ["blank", "--force", "--lang", "sv"])
        assert (result.exit_code, result.output) == (0, "Skrev mini-cex.pdf\n")
        assert Path("mini-cex.pdf").read_bytes() == blank_pdfs["sv"]


def test_cli_blank_makes_an_older_version_on_request(newest_blanks):
    runner = CliRunner()
    with runner.isolated_filesystem():
        result = runner.invoke(cli, ["blank", "--version", "1", "--lang", "en"])
        assert (result.exit_code, result.output) == (0, "Wrote mini-cex.pdf\n")
        assert Path("mini-cex.pdf").read_bytes() == build_form(load_definition(1), lang="en")
        assert Path("mini-cex.pdf").read_bytes() != newest_blanks["en"]
        result = runner.invoke(cli, ["blank", "--version", "99", "-o", "x.pdf"])
        assert result.exit_code == 1
        assert result.output == "Error: no form definition version 99 (known: 1, 2)\n"


def test_cli_blank_bad_options():
    runner = CliRunner()
    with runner.isolated_filesystem():
        result = runner.invoke(cli, ["blank", "--lang", "de"])
        assert result.exit_code == 2 and "'de' is not one of" in result.output
        result = runner.invoke(cli, ["blank", "-o", "no/such/dir/form.pdf"])
        assert result.exit_code == 1
        assert result.output == (
            "Error: no/such/dir/form.pdf: cannot write the file (the folder does not exist:"
            " create it, or choose another with -o); nothing was written\n"
        )
