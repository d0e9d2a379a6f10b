"""The shipped Unicode font: which characters it has, what stands in for the rest, the field font."""

from __future__ import annotations

import io

import pytest
from reportlab.pdfgen.canvas import Canvas

from minicex_pdf.form import fonts

NAMES = "Łukasz Wiśniewski Ayşe Yılmaz Dragoș Popescu Nguyễn Thị Minh Sean O’Brien Ωμέγα Жуков – — “ ” ‘ ’ … € •"


def test_the_font_and_its_licence_are_shipped() -> None:
    assert fonts.font_path(fonts.REGULAR).stat().st_size > 50_000
    assert fonts.font_path(fonts.BOLD).stat().st_size > 50_000
    assert "Bitstream" in fonts.LICENCE.read_text(encoding="utf-8")


def test_every_script_of_the_issue_is_covered() -> None:
    assert fonts.missing(NAMES) == ()
    assert fonts.shown(NAMES) == NAMES


def test_characters_without_a_glyph_are_named_and_replaced_visibly() -> None:
    text = "Anna 🙂 שלום\nrad två 🙂"
    assert fonts.missing(text) == ("🙂", "ש", "ל", "ו", "ם")
    assert fonts.shown(text) == "Anna \ufffd \ufffd\ufffd\ufffd\ufffd\nrad två \ufffd"
    assert fonts.covers("ễ") and not fonts.covers("🙂")


def test_field_font_codes_are_the_glyphs_of_the_text() -> None:
    font = fonts.field_font()
    code = font.encode("Łę🙂")
    gids = [ord(code[i]) << 8 | ord(code[i + 1]) for i in range(0, len(code), 2)]
    assert gids == [font.glyphs[ord("Ł")], font.glyphs[ord("ę")], font.glyphs[0xFFFD]]
    assert font.width("ii", 10) == pytest.approx(2 * font.advances[font.glyphs[ord("i")]] / 100)


def test_drawing_with_the_registered_font_round_trips_through_pdfium() -> None:
    pdfium = pytest.importorskip("pypdfium2")
    fonts.register()
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.setFont(fonts.REGULAR, 10)
    c.drawString(72, 720, NAMES)
    c.setFont(fonts.BOLD, 10)
    c.drawString(72, 700, NAMES)
    c.save()
    page = pdfium.PdfDocument(buf.getvalue())[0]
    assert page.get_textpage().get_text_range().split("\r\n") == [NAMES, NAMES]


def test_the_field_font_is_embedded_once_per_document() -> None:
    c = Canvas(io.BytesIO(), invariant=1)
    first = fonts.field_font().embed(c._doc)
    assert fonts.field_font().embed(c._doc) == first
