"""What the shipped font shows, which font each piece of text is drawn in, and text a viewer can copy back.

The font is loaded afresh for each test here (its caches cleared), so that each test runs the loading it pins.
"""

from __future__ import annotations

import dataclasses
import io
import zlib

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from minicex_pdf.form import fonts
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.generator import build_form

NAME = "Łukasz Wiśniewski Nguyễn Жуков"


@pytest.fixture(autouse=True)
def _fresh_font() -> None:
    for cached in (fonts.register, fonts._cmap, fonts._raw_font, fonts.field_font):
        cached.cache_clear()


def test_a_non_character_is_missing_and_shown_as_the_replacement():
    # U+FFFF ends the font's character map (mapped to no glyph): it is no character the font has
    assert fonts.missing("Anna\uffff") == ("\uffff",)
    assert fonts.shown("Anna\uffff") == "Anna\ufffd"
    assert not fonts.covers("\uffff")
    assert fonts.covers("\n") and fonts.missing("a\tb\r\n") == ()


def test_latin1_stays_in_the_standard_font_and_the_rest_goes_to_the_shipped_face():
    assert fonts.runs("Åsa Łukasz\nÖberg", "Helvetica") == [
        ("Åsa ", "Helvetica"),
        ("Ł", fonts.REGULAR),
        ("ukasz\nÖberg", "Helvetica"),
    ]
    # the replacement for a character neither has is drawn in the shipped face, which has it
    assert fonts.runs("Жуков – 🙂", "Helvetica-Bold") == [
        ("Жуков", fonts.BOLD),
        (" – ", "Helvetica-Bold"),
        ("\ufffd", fonts.BOLD),
    ]
    assert fonts.runs("", "Helvetica") == []


def test_a_base_that_is_the_shipped_face_itself_keeps_the_text_in_one_run():
    # the face's name as a style or a setting gives it: equal to the constant, not the same object
    base = "".join(["Minicex", "Sans"])
    assert base == fonts.REGULAR and base is not fonts.REGULAR
    assert fonts.runs("Łu 🙂 x", base) == [("Łu \ufffd x", fonts.REGULAR)]
    assert fonts.markup("Łu & x", base) == "Łu &amp; x"


def test_markup_wraps_only_what_the_standard_font_lacks():
    assert fonts.markup("Anna & <Ł>", "Helvetica") == f'Anna &amp; &lt;<font face="{fonts.REGULAR}">Ł</font>&gt;'
    assert fonts.markup("Zoë", "Times-Roman") == "Zoë"
    # a base that sorts after the shipped face's name still hands it what the base lacks
    assert fonts.markup("Łódź", "Times-Roman") == (
        f'<font face="{fonts.REGULAR}">Ł</font>ód<font face="{fonts.REGULAR}">ź</font>'
    )


def test_the_field_font_everyone_shares_cannot_be_changed():
    font = fonts.field_font()
    assert fonts.field_font() is font  # one per process
    with pytest.raises(dataclasses.FrozenInstanceError):
        font.ascent = 0  # type: ignore[misc]


def test_markup_draws_in_a_paragraph_with_the_shipped_face_of_the_same_weight():
    pdfium = pytest.importorskip("pypdfium2")
    from pypdf import PdfReader

    fonts.register()
    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=1)
    para = Paragraph(
        fonts.markup("Ayşe Yılmaz & Жуков <b>", "Helvetica-Bold"),
        ParagraphStyle("name", fontName="Helvetica-Bold", fontSize=10),
    )
    para.wrapOn(canvas, 400, 100)
    para.drawOn(canvas, 72, 700)
    canvas.save()
    assert pdfium.PdfDocument(buf.getvalue())[0].get_textpage().get_text_range() == "Ayşe Yılmaz & Жуков <b>"
    used = PdfReader(io.BytesIO(buf.getvalue())).pages[0]["/Resources"]["/Font"].values()
    # Helvetica is the canvas's own default; the bold text is Helvetica-Bold and the shipped bold face
    assert sorted(f["/BaseFont"] for f in used) == ["/AAAAAA+DejaVuSans-Bold", "/Helvetica", "/Helvetica-Bold"]


def test_the_field_font_measures_text_as_reportlab_does_with_the_same_face():
    fonts.register()
    font = fonts.field_font()
    for text in ("Mi", NAME, "W" * 40):
        assert font.width(text, 10) == pytest.approx(pdfmetrics.stringWidth(text, fonts.REGULAR, 10))
    widths = [float(w) for w in font.widths.removeprefix("[0 [").removesuffix("]]").split()]
    assert len(widths) == len(font.advances)
    m = font.glyphs[ord("M")]
    assert widths[m] == round(pdfmetrics.stringWidth("M", fonts.REGULAR, 1000))


def test_a_prefilled_unicode_name_copies_back_as_typed_from_the_flattened_page():
    """The field font's /ToUnicode map is what a viewer copies text with: PDFium flattens the page and reads it."""
    pdfium = pytest.importorskip("pypdfium2")
    import pypdfium2.raw as raw

    # the workplace's № and → have the font's last glyphs (the last block of the map)
    values = {"trainee_name": NAME, "specialty": "Allmänmedicin", "workplace": "VC № 3 → hus B"}
    pdf = build_form(load_definition(2), lang="en", values=values)
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    assert raw.FPDFPage_Flatten(page, raw.FLAT_NORMALDISPLAY) == raw.FLATTEN_SUCCESS
    page.close()
    out = io.BytesIO()
    doc.save(out)
    text = pdfium.PdfDocument(out.getvalue())[0].get_textpage().get_text_range()
    # the flattened fields come after the page's own text, in one line
    assert text.splitlines()[-1] == f"{NAME} Allmänmedicin VC № 3 → hus B"


def test_the_field_font_has_one_width_per_glyph_and_a_map_in_blocks_of_at_most_100():
    from reportlab.pdfbase.ttfonts import TTFontFile

    font = fonts.field_font()
    glyphs = TTFontFile(str(fonts.font_path())).numGlyphs
    assert len(font.advances) == len(font.widths.removeprefix("[0 [").removesuffix("]]").split()) == glyphs
    cmap = zlib.decompress(font.to_unicode).decode("ascii").splitlines()
    blocks = [int(line.split()[0]) for line in cmap if line.endswith("beginbfchar")]
    entries = [line for line in cmap if line.startswith("<") and "codespacerange" not in line]
    assert max(blocks) == 100 and sum(blocks) == len(entries) == len({g for g in font.glyphs.values() if g})
