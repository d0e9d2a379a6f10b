"""The look users rely on, read back from the generated PDF: where every label, box and line lands.

Widget rectangles come from pypdf (``/Rect``), text from PDFium's text page (each glyph's
tight box, font and size), drawn lines and boxes from PDFium's page objects. The
expectations are relations a reader of the printed form or a viewer's user sees (a label
stands by its own box, nothing overlaps, a heading is never alone at the foot of a page,
the level buttons stand under their column heads) and the few measures the design fixes
(margins, box heights in mm, the gutter), written here as numbers, never taken from the code.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from minicex_pdf.form import fonts
from minicex_pdf.form.definition import FORM_LANGS, Field, FormDefinition, Text, split_langs

PAGE_W, PAGE_H = 595.2756, 841.8898  # A4
MARGIN = 40.0  # left and right, 14.1 mm: every box and label starts or ends there
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - 36.0  # the first line of each page starts 36 pt (12.7 mm) below the paper's edge
FOOT = 40.0  # the footer stands below this line, everything else above it
AIR = 12.0  # the least room between the page's content and the footer line
GUTTER = 10.0  # between two boxes of one row
F_HIDDEN = 2
TEXT_TYPES = ("text", "date", "integer", "multiline")

#: The design's sizes per version (pt): one-line box, each writing line of a multi-line box, tick box side,
#: room to sign (version 2's signature field), field label size.
SIZES = {
    1: {"box": 20.0, "line": 17.0, "tick": 11.0, "sign": None, "label": 8.0},
    2: {"box": 24.0, "line": 18.0, "tick": 14.5, "sign": 30.0, "label": 9.0},
}


# --------------------------------------------------------------------------- reading the page back


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points (y upwards)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def w(self) -> float:
        return self.x1 - self.x0

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    def meets(self, other: Box, slack: float = 0.0) -> bool:
        """Whether the two overlap by more than ``slack`` both ways."""
        return (
            min(self.x1, other.x1) - max(self.x0, other.x0) > slack
            and min(self.y1, other.y1) - max(self.y0, other.y0) > slack
        )

    def holds(self, other: Box, slack: float = 0.0) -> bool:
        return (
            self.x0 - slack <= other.x0
            and other.x1 <= self.x1 + slack
            and self.y0 - slack <= other.y0
            and other.y1 <= self.y1 + slack
        )


def union(boxes: list[Box]) -> Box:
    return Box(min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))


@dataclass(frozen=True)
class Glyph:
    """One printed character: its tight box, size, font and the PDFium text line (segment) it is in."""

    ch: str
    box: Box
    size: float
    font: str
    line: int
    spaced: bool  # a space (or line break) before it in the page's text
    origin: tuple[float, float]  # where it was drawn from: its left end on the baseline


@dataclass(frozen=True)
class Widget:
    name: str
    ft: str
    box: Box
    da: str
    state: str  # a button's on-state (its /AP /N key other than Off)


@dataclass
class Page:
    glyphs: list[Glyph] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)
    paths: list[Box] = field(default_factory=list)
    flat: str = ""  # the page text, whitespace collapsed, one entry per glyph (spaces are None)
    index: list[int | None] = field(default_factory=list)  # flat position -> glyph index

    def find(self, text: str) -> list[list[Glyph]]:
        """Every place ``text`` is printed (whitespace and line breaks as one space): its glyphs."""
        needle = flat(text)
        out = []
        start = self.flat.find(needle)
        while start >= 0:
            out.append([self.glyphs[i] for i in self.index[start : start + len(needle)] if i is not None])
            start = self.flat.find(needle, start + 1)
        return out

    def body(self) -> list[Glyph]:
        return [g for g in self.glyphs if g.box.y1 > FOOT]

    def lines(self) -> dict[int, Box]:
        """Each text line's box (the union of its glyphs)."""
        by: dict[int, list[Box]] = {}
        for g in self.glyphs:
            by.setdefault(g.line, []).append(g.box)
        return {k: union(v) for k, v in by.items()}

    def text_in(self, box: Box) -> str:
        """The printed text whose glyph centres lie in ``box``, in reading order, whitespace collapsed."""
        inside = [g for g in self.glyphs if box.x0 <= g.box.cx <= box.x1 and box.y0 <= g.box.cy <= box.y1]
        words, last = [], None
        for g in inside:
            if last is not None and (g.line != last.line or g.spaced):
                words.append(" ")
            words.append(g.ch)
            last = g
        return flat("".join(words))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_layout(pdf: bytes) -> list[Page]:
    """Each page's glyphs, visible widgets and drawn paths."""
    doc = pdfium.PdfDocument(pdf)
    annots = PdfReader(io.BytesIO(pdf)).pages
    pages = []
    for number in range(len(doc)):
        page = Page()
        tp = doc[number].get_textpage()
        segments = [tp.get_rect(k) for k in range(tp.count_rects())]
        buf = ctypes.create_string_buffer(128)
        flat_chars: list[str] = []
        for i in range(tp.count_chars()):
            ch = chr(pdfium_c.FPDFText_GetUnicode(tp.raw, i))
            if ch.isspace() or ch == "\ufffe":
                if flat_chars and flat_chars[-1] != " ":
                    flat_chars.append(" ")
                    page.index.append(None)
                continue
            x0, y0, x1, y1 = tp.get_charbox(i)
            box = Box(x0, y0, x1, y1)
            line = next(
                (
                    k
                    for k, (left, b, r, t) in enumerate(segments)
                    if left - 0.5 <= box.cx <= r + 0.5 and b - 0.5 <= box.cy <= t + 0.5
                ),
                -1,
            )
            n = pdfium_c.FPDFText_GetFontInfo(tp.raw, i, buf, len(buf), None)
            font = buf.raw[: max(n - 1, 0)].decode("latin-1")
            size = round(pdfium_c.FPDFText_GetFontSize(tp.raw, i), 2)
            ox, oy = ctypes.c_double(), ctypes.c_double()
            pdfium_c.FPDFText_GetCharOrigin(tp.raw, i, ctypes.byref(ox), ctypes.byref(oy))
            spaced = bool(flat_chars) and flat_chars[-1] == " "
            page.glyphs.append(Glyph(ch, box, size, font, line, spaced, (ox.value, oy.value)))
            flat_chars.append(ch)
            page.index.append(len(page.glyphs) - 1)
        page.flat = "".join(flat_chars)
        for obj in doc[number].get_objects():
            if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
                page.paths.append(Box(*obj.get_bounds()))
        for annot in annots[number].get("/Annots", []):
            w = annot.get_object()
            if int(w.get("/F", 0)) & F_HIDDEN:
                continue
            parent = w.get("/Parent")
            parent = parent.get_object() if parent is not None else {}
            name = str(w.get("/T", parent.get("/T")))
            ft = str(w.get("/FT", parent.get("/FT")))
            states = [str(k)[1:] for k in w["/AP"]["/N"] if k != "/Off"] if ft == "/Btn" else []
            box = Box(*(float(v) for v in w["/Rect"]))
            page.widgets.append(Widget(name, ft, box, str(w.get("/DA", "")), states[0] if states else ""))
        pages.append(page)
    return pages


@pytest.fixture(scope="module")
def layouts(definition: FormDefinition, blank_pdfs: dict[str, bytes]) -> dict[str, list[Page]]:
    return {lang: read_layout(pdf) for lang, pdf in blank_pdfs.items()}


def widgets_of(pages: list[Page], name: str) -> list[tuple[int, Widget]]:
    return [(n, w) for n, p in enumerate(pages) for w in p.widgets if w.name == name]


def the_widget(pages: list[Page], name: str) -> tuple[int, Widget]:
    found = widgets_of(pages, name)
    assert len(found) == 1, (name, found)
    return found[0]


def label_text(definition: FormDefinition, text: Text, lang: str, required: bool = False) -> list[str]:
    """A label as printed: the first language (with the required mark from version 2), then each other one."""
    langs = split_langs(lang)
    first = text[langs[0]] + (" *" if required and definition.version >= 2 else "")
    return [first] + [text[other] for other in langs[1:] if text[other] != text[langs[0]]]


def nearest(places: list[list[Glyph]], to: Box) -> Box:
    """The printed place (box) nearest to ``to``."""
    assert places, "not printed"
    boxes = [union([g.box for g in p]) for p in places]
    return min(boxes, key=lambda b: abs(b.cx - to.cx) + abs(b.cy - to.cy))


def rows_of(section) -> list[list[Field]]:
    """The fields of a section in rows as the definition asks: each field takes its ``width`` share of a row."""
    rows: list[list[Field]] = []
    for fld in section.fields:
        if fld.type == "level":
            continue
        if rows and sum(f.width for f in rows[-1]) + fld.width <= 1.0001:
            rows[-1].append(fld)
        else:
            rows.append([fld])
    return rows


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_everything_printed_stays_inside_the_margins_and_above_the_footer(layouts, lang):
    pages = layouts[lang]
    for number, page in enumerate(pages):
        for g in page.glyphs:
            assert g.box.x0 >= MARGIN - 0.5 and g.box.x1 <= RIGHT + 0.5, (number, g)
            assert g.box.y1 <= TOP, (number, g)
        for w in page.widgets:
            assert MARGIN <= w.box.x0 < w.box.x1 <= RIGHT + 0.01, (number, w)
            assert FOOT + AIR <= w.box.y0 < w.box.y1 <= TOP, (number, w)
        for b in page.paths:
            assert b.x0 >= MARGIN - 1.7 and b.x1 <= RIGHT + 1.7 and b.y0 >= FOOT + AIR - 1.7 and b.y1 <= TOP + 1.7, (
                number,
                b,
            )
        body = page.body()
        assert min(g.box.y0 for g in body) >= FOOT + AIR - 2.5, number  # descenders of the last line
        # each page's first line starts at the top margin: its line box (baseline + 0.98 of the size) touches it
        assert max(g.origin[1] + 0.98 * g.size for g in body) == pytest.approx(TOP, abs=0.03), number
        # full-width boxes span the content exactly: the margins are the same on both sides
    xs = [w.box for p in pages for w in p.widgets]
    assert min(b.x0 for b in xs) == pytest.approx(MARGIN, abs=0.01)
    assert max(b.x1 for b in xs) == pytest.approx(RIGHT, abs=0.01)


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_every_page_has_a_footer_with_the_form_and_its_page_number(layouts, definition, lang):
    pages = layouts[lang]
    title = definition.title.joined(split_langs(lang), " / ")
    for number, page in enumerate(pages, 1):
        foot = [g for g in page.glyphs if g.box.y1 <= FOOT]
        assert foot, number
        assert all(g.box.y0 >= 20 for g in foot), "at least 7 mm from the paper's edge"
        mark = page.find(f"{number} / {len(pages)}")
        assert len(mark) == 1
        right = union([g.box for g in mark[0]])
        assert right.y1 <= FOOT and right.x1 == pytest.approx(RIGHT, abs=0.8), "page number ends at the right margin"
        left = [g for g in foot if g.box.x1 < right.x0 - 20]
        assert min(g.box.x0 for g in left) == pytest.approx(MARGIN, abs=1.0)
        text = page.text_in(Box(0, 0, right.x0 - 20, FOOT))
        assert text == flat(f"{title} · {definition.id} v{definition.version}")[: len(text)]
        assert len(text) > 20
        sizes = {g.size for g in foot}
        assert sizes == {6.8 if definition.version == 1 else 8.0}
        # the footer's baseline: level for both ends
        assert right.y0 == pytest.approx(min(g.box.y0 for g in left if g.ch.isdigit() or g.ch.isupper()), abs=0.6)
        # nothing of the page's content comes near it
        assert min(g.box.y0 for g in page.body()) - max(g.box.y1 for g in foot) >= AIR


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_no_text_crosses_a_box_a_line_or_other_text(layouts, lang):
    for number, page in enumerate(layouts[lang]):
        lines = page.lines()
        glyph_boxes = [g.box for g in page.glyphs]
        for w in page.widgets:
            for box in glyph_boxes:
                assert not w.box.meets(box, 0.2), (number, w.name, box)
        for path in page.paths:
            thin = path.w < 3.5 or path.h < 3.5
            for k, box in lines.items():
                if thin or not path.holds(box):
                    assert not path.meets(box, 0.2), (number, path, k, page.text_in(box))
                else:  # a box round text: the text stays clear of its border
                    assert path.holds(Box(box.x0 - 2, box.y0 - 2, box.x1 + 2, box.y1 + 2)), (number, path)
        items = sorted(lines.items(), key=lambda kv: kv[1].y0)
        for i, (_k, a) in enumerate(items):
            for _j, b in items[i + 1 :]:
                if b.y0 > a.y1:
                    break
                assert not a.meets(b, 0.35), (number, page.text_in(a), page.text_in(b))


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_boxes_are_as_tall_as_the_design_says_and_multi_line_ones_taller(layouts, definition, lang):
    size = SIZES[definition.version]
    pages = layouts[lang]
    seen = set()
    for fld in definition.fields + definition.signature_fields:
        if fld.type in TEXT_TYPES:
            _, w = the_widget(pages, fld.name)
            if fld.type == "multiline":
                assert w.box.h == pytest.approx(fld.lines * size["line"] + 4, abs=0.01), fld.name
                assert w.box.h > size["box"] + 10, fld.name  # a multi-line box is taller than a one-line one
            else:
                assert w.box.h == pytest.approx(size["box"], abs=0.01), fld.name
            # on paper too: the box is drawn on the page with a 0.8 pt border (its bounds half of that outside)
            drawn = Box(w.box.x0 - 0.4, w.box.y0 - 0.4, w.box.x1 + 0.4, w.box.y1 + 0.4)
            page = pages[the_widget(pages, fld.name)[0]]
            assert [p for p in page.paths if drawn.holds(p, 0.02) and p.holds(drawn, 0.02)], fld.name
            seen.add(fld.type)
        elif fld.type == "signature":
            _, w = the_widget(pages, fld.name)
            assert w.box.h == pytest.approx(size["sign"], abs=0.01)
            seen.add(fld.type)
        else:
            for name in fld.pdf_names:
                for number, w in widgets_of(pages, name):
                    assert (w.box.w, w.box.h) == pytest.approx((size["tick"], size["tick"]), abs=0.01), name
                    drawn = Box(w.box.x0 - 0.4, w.box.y0 - 0.4, w.box.x1 + 0.4, w.box.y1 + 0.4)
                    assert [p for p in pages[number].paths if drawn.holds(p, 0.02) and p.holds(drawn, 0.02)], name
                    seen.add(fld.type)
    assert seen >= {"text", "date", "integer", "multiline", "checkbox", "choice", "multichoice", "level"}


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_text_boxes_are_wide_enough_for_what_goes_in_them(layouts, definition, lang):
    pages = layouts[lang]
    longest = {"date": "2026-12-31", "integer": "120", "text": "Bengt-Åke Öhrström-Lindqvist"}
    for fld in definition.fields:
        if fld.type in longest:
            _, w = the_widget(pages, fld.name)
            need = fonts.field_font().width(longest[fld.type], 10) + 8  # the field font at 10 pt, 2 pt padding, border
            assert w.box.w >= need, fld.name
            assert w.box.h >= 10 * 1.2 + 4, fld.name


# --------------------------------------------------------------------------- labels and their boxes


def label_boxes(page: Page, lines: list[str], near: Box) -> list[Box]:
    """Where each language's line(s) of a label stand: the printed place nearest ``near``."""
    return [nearest(page.find(text), near) for text in lines]


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_each_label_stands_by_its_own_box_and_reads_exactly(layouts, definition, lang):
    pages = layouts[lang]
    checked = 0
    for fld in definition.fields:
        if fld.type not in TEXT_TYPES:
            continue
        number, w = the_widget(pages, fld.name)
        page = pages[number]
        texts = label_text(definition, fld.label, lang, fld.required)
        boxes = label_boxes(page, texts, w.box)
        first = boxes[0]
        assert first.x0 == pytest.approx(w.box.x0 + 0.6, abs=0.8), fld.name  # left-aligned with the box
        for a, b in itertools.pairwise(boxes):  # the other language right under the first, aligned
            assert 0 < a.y0 - b.y1 < 5 and b.x0 == pytest.approx(a.x0, abs=1.5), fld.name
        whole = union(boxes)
        assert whole.x1 <= w.box.x1, fld.name  # wrapped inside its own share of the row
        if fld.label_below:
            assert 0 < w.box.y0 - whole.y1 < 5, fld.name
            region = Box(w.box.x0, whole.y0 - 1, w.box.x1, w.box.y0)
        else:
            gap = whole.y0 - w.box.y1
            assert 0 < gap < (5 if not fld.signature else 33), fld.name
            region = Box(w.box.x0, w.box.y1, w.box.x1, whole.y1 + 1)
        assert page.text_in(region) == flat(" ".join(texts)), fld.name
        checked += 1
    assert checked >= 14


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_signature_fields_have_their_label_above_and_a_line_to_sign_on(layouts, definition, lang):
    """Version 2: a signature field over the room to sign, a line at its foot; version 1: a box under a line."""
    pages = layouts[lang]
    signs = [f for f in definition.fields + definition.signature_fields if f.type == "signature" or f.signature]
    assert len(signs) == 2
    for fld in signs:
        number, w = the_widget(pages, fld.name)
        page = pages[number]
        texts = label_text(definition, fld.label, lang)
        label = union(label_boxes(page, texts, w.box))
        lines = [p for p in page.paths if p.h < 2.5 and p.w > 100 and p.x0 < w.box.cx < p.x1]
        if fld.type == "signature":
            assert 0 < label.y0 - w.box.y1 < 5 and label.x0 == pytest.approx(w.box.x0 + 0.6, abs=0.8)
            on = [p for p in lines if w.box.y0 < p.cy < w.box.y0 + 4]
            assert len(on) == 1 and on[0].cy == pytest.approx(w.box.y0 + 2, abs=0.02), fld.name  # 2 pt over its foot
        else:  # version 1: the line stands 3 pt over the box, 23 pt of room to sign above it (under the label)
            on = [p for p in lines if w.box.y1 < p.cy < label.y0]
            assert len(on) == 1 and on[0].cy == pytest.approx(w.box.y1 + 3, abs=0.02), fld.name
            foot = baselines(place_near(page, texts, w.box))[-1]
            assert foot[1] - 0.22 * foot[2] - 1.5 - on[0].cy == pytest.approx(23.0, abs=0.02), fld.name
        # the line is as long as the field is wide (its bounds take in its 0.8 pt width)
        assert (on[0].x0, on[0].x1) == pytest.approx((w.box.x0 - 0.8, w.box.x1 + 0.8), abs=0.02), fld.name
        # the date beside it stands on the same line (version 2) or level with the room to sign (version 1)
        row = next(r for s in definition.sections for r in rows_of(s) if fld in r)
        for other in row:
            if other is not fld and other.type in TEXT_TYPES:
                _, o = the_widget(pages, other.name)
                if fld.type == "signature":
                    assert o.box.y0 == pytest.approx(w.box.y0, abs=0.01), other.name
                else:  # version 1: the date's box foot where the signature's box top would be without the line
                    assert o.box.y0 == pytest.approx(on[0].cy + 3, abs=0.02), other.name


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_fields_of_a_row_share_it_by_their_widths_with_a_10_pt_gutter(layouts, definition, lang):
    pages = layouts[lang]
    rows = 0
    for section in definition.sections:
        for row in rows_of(section):
            boxes = []
            for fld in row:
                names = [fld.name] if fld.type in (*TEXT_TYPES, "signature") else []
                if not names:
                    break
                number, w = the_widget(pages, fld.name)
                boxes.append((number, w.box, fld))
            if len(boxes) != len(row):
                continue
            assert len({n for n, _, _ in boxes}) == 1, "a row is never split over two pages"
            assert boxes[0][1].x0 == pytest.approx(MARGIN, abs=0.01)
            total = sum(f.width for f in row)
            for (_, a, fa), (_, b, fb) in itertools.pairwise(boxes):
                assert b.x0 - a.x1 == pytest.approx(GUTTER, abs=0.01), (fa.name, fb.name)
                assert a.w / b.w == pytest.approx(fa.width / fb.width, rel=1e-3), (fa.name, fb.name)
            if len(row) > 1 and total == pytest.approx(1.0):
                assert boxes[-1][1].x1 == pytest.approx(RIGHT, abs=0.01)
            if len(row) == 1 and row[0].width == 1.0:
                assert boxes[0][1].x1 == pytest.approx(RIGHT, abs=0.01)
            # from version 2 boxes of a row stand on one line whatever their labels (and beside a signature)
            if definition.version >= 2 and len(row) > 1:
                assert len({round(b.y0, 2) for _, b, _ in boxes}) == 1, [f.name for f in row]
            if len(row) > 1:
                rows += 1
    assert rows >= 4


def test_a_part_width_field_alone_lines_up_with_the_same_share_of_a_row_of_two(layouts, definition):
    """Version 2: the printed name under a signature is exactly as wide as the signature field above it."""
    if definition.version < 2:
        pytest.skip("version 1 keeps its look")
    pages = layouts["sv+en"]
    pairs = 0
    for section in definition.sections:
        rows = rows_of(section)
        for above, below in itertools.pairwise(rows):
            if len(below) == 1 and below[0].width < 1 and len(above) == 2 and above[0].width == below[0].width:
                _, a = the_widget(pages, above[0].name)
                _, b = the_widget(pages, below[0].name)
                assert (b.box.x0, b.box.x1) == pytest.approx((a.box.x0, a.box.x1), abs=0.01), below[0].name
                pairs += 1
    assert pairs == 2


# --------------------------------------------------------------------------- tick boxes and options


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_a_tick_box_has_its_label_right_beside_it(layouts, definition, lang):
    pages = layouts[lang]
    boxes = [f for f in definition.fields if f.type == "checkbox"]
    assert boxes
    for fld in boxes:
        number, w = the_widget(pages, fld.name)
        page = pages[number]
        texts = label_text(definition, fld.label, lang, fld.required)
        lines = label_boxes(page, texts, w.box)
        whole = union(lines)
        assert 2.5 < whole.x0 - w.box.x1 < 7, fld.name
        # the tick box stands level with the label: its middle within the label, the label no higher than the box
        assert whole.y0 < w.box.cy < whole.y1 and whole.y1 <= w.box.y1 + 1 and lines[0].y0 < w.box.y1, fld.name
        assert page.text_in(Box(w.box.x1, whole.y0 - 1, RIGHT, whole.y1 + 1)).startswith(flat(" ".join(texts)))


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_options_flow_right_of_their_label_each_beside_its_button(layouts, definition, lang):
    pages = layouts[lang]
    fields = [f for f in definition.fields if f.type in ("choice", "multichoice")]
    assert len(fields) >= 5
    for fld in fields:
        names = [fld.option_field(o.code) for o in fld.options] if fld.type == "multichoice" else [fld.name]
        buttons = [w for n in names for w in widgets_of(pages, n)]
        assert len(buttons) == len(fld.options), fld.name
        assert len({n for n, _ in buttons}) == 1, fld.name
        page = pages[buttons[0][0]]
        label = union(label_boxes(page, label_text(definition, fld.label, lang, fld.required), buttons[0][1].box))
        lefts = sorted({round(w.box.x0, 2) for _, w in buttons})
        assert label.x1 < lefts[0] - 5 and lefts[0] - label.x0 <= 150.6, fld.name  # the label's column: 150 pt at most
        # the label starts its cell: at the margin or a gutter after the box before it in the row
        starts = [MARGIN, (MARGIN + RIGHT + GUTTER) / 2] + [w.box.x1 + GUTTER for w in page.widgets if w.ft == "/Tx"]
        assert min(abs(label.x0 - 0.6 - x) for x in starts) < 0.8, fld.name
        assert label.y1 == pytest.approx(buttons[0][1].box.y1, abs=2.5), (
            fld.name
        )  # the label's top level with the first row
        last = None
        for opt, (_, w) in zip(fld.options, buttons, strict=True):
            text = flat(opt.label.joined(split_langs(lang), " / "))
            mine = [
                p for p in page.find(text) if 2 < p[0].box.x0 - w.box.x1 < 7 and w.box.y0 - 3 < p[0].box.cy < w.box.y1
            ]
            assert len(mine) == 1, (fld.name, opt.code)
            # in reading order: right of the one before on its line, or on a new line starting at the left
            if last is not None:
                assert (w.box.y0 == last.y0 and w.box.x0 > last.x1 + 10) or (
                    w.box.y1 < last.y0 and w.box.x0 == pytest.approx(lefts[0], abs=0.01)
                ), (fld.name, opt.code)
            last = w.box
        # every button of one line level, the lines of options evenly apart
        ys = sorted({round(w.box.y0, 2) for _, w in buttons}, reverse=True)
        if len(ys) > 2:
            steps = {round(a - b, 1) for a, b in itertools.pairwise(ys)}
            assert len(steps) == 1, fld.name


# --------------------------------------------------------------------------- the level table and the scale


def level_rows(definition: FormDefinition) -> list[Field]:
    return [f for f in definition.fields if f.type == "level"]


def scale_order(definition: FormDefinition):
    levels = list(definition.levels)
    if definition.version >= 2:  # "not observed" set apart at the right
        levels = [lv for lv in levels if lv.rank > 0] + [lv for lv in levels if lv.rank == 0]
    return levels


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_level_buttons_stand_in_their_row_under_their_column_heads(layouts, definition, lang):
    pages = layouts[lang]
    levels = scale_order(definition)
    fields = level_rows(definition)
    page_no = widgets_of(pages, fields[0].name)[0][0]
    page = pages[page_no]
    # the column heads: each step's label centred over its column, in the scale's order left to right
    first = widgets_of(pages, fields[0].name)
    columns = sorted(w.box.cx for _, w in first)
    assert len(columns) == len(levels)
    widths = {round(b - a, 2) for a, b in itertools.pairwise(columns)}
    head_rule = min(
        (p for p in page.paths if p.h < 2.5 and p.w > 500 and p.cy > first[0][1].box.y1), key=lambda p: p.cy
    )
    tops = []
    for level, cx in zip(levels, columns, strict=True):
        lines = label_text(definition, level.label, lang)
        heads = [p for p in page.find(lines[0]) if abs(union([g.box for g in p]).cx - cx) < 3]
        head = min((union([g.box for g in p]) for p in heads if p[0].box.y0 > head_rule.y1), key=lambda b: b.y0)
        region = Box(cx - 26, head_rule.y1, cx + 26, head.y1 + 0.5)
        assert page.text_in(region) == flat(" ".join(lines)), level.code
        tops.append(head.y1)
    assert max(tops) - min(tops) < 2.5  # the heads start on one line
    assert min(g.box.y0 for g in page.glyphs if g.box.y0 > head_rule.y1 and g.box.y1 < max(tops) + 1) - head_rule.y1 < 5
    if definition.version >= 2:  # a wider step before "not observed", set apart by an upright rule
        assert widths == {54.0, 64.0} and columns[-1] - columns[-2] == pytest.approx(64.0, abs=0.01)
        rules = [p for p in page.paths if p.w < 1.5 and p.h > 20]
        assert rules and all(p.cx == pytest.approx((columns[-1] + columns[-2]) / 2, abs=0.5) for p in rules)
        assert min(p.y0 for p in rules) < widgets_of(pages, fields[-1].name)[0][1].box.y0 - 5
    else:
        assert widths == {56.0}
        assert not [p for p in page.paths if p.w < 1.5 and p.h > 20]
    half = 27.0 if definition.version >= 2 else 28.0
    assert columns[-1] + half == pytest.approx(RIGHT, abs=0.01)  # the last column ends at the right margin
    rules = sorted((p for p in page.paths if p.h < 2.5 and p.w > 500), key=lambda p: -p.cy)
    for fld in fields:
        number, _ = widgets_of(pages, fld.name)[0]
        assert number == page_no, "the table is on one page"
        buttons = [w for _, w in widgets_of(pages, fld.name)]
        assert len({round(w.box.y0, 2) for w in buttons}) == 1, fld.name
        by_x = {round(w.box.cx, 2): w for w in buttons}
        # between the rule above and the rule below its row, with its label and indicators at the left
        above = [r for r in rules if r.cy > buttons[0].box.y1]
        below = [r for r in rules if r.cy < buttons[0].box.y0]
        top, bottom = above[-1].cy, below[0].cy
        area = definition.area(fld.area)
        label = label_text(definition, fld.label, lang, fld.required)
        indicators = [area.indicators[x] for x in split_langs(lang)]
        left = Box(MARGIN, bottom, columns[0] - 27, top)
        assert page.text_in(left) == flat(" ".join(label + indicators)), fld.name
        label_box = nearest(page.find(label[0]), Box(MARGIN, top - 10, MARGIN + 50, top))
        assert top - label_box.y1 < 6 and label_box.x0 < MARGIN + 4, fld.name
        # the buttons stand high in the row, level with the label, never below its middle
        assert buttons[0].box.y1 <= top - 2 and buttons[0].box.cy >= (top + bottom) / 2 - 0.01, fld.name
        assert buttons[0].box.y0 >= label_box.y0 - 25, fld.name
        for level, cx in zip(levels, columns, strict=True):
            if fld.option(level.code) is not None:
                assert round(cx, 2) in by_x, (fld.name, level.code)
            else:  # a step this area cannot take: a dash, centred in the column and level with the buttons
                dash = [g for g in page.glyphs if g.ch == "–" and abs(g.box.cx - cx) < 1.0 and bottom < g.box.cy < top]
                assert len(dash) == 1 and dash[0].box.cy == pytest.approx(buttons[0].box.cy, abs=3.0), fld.name
        assert len(by_x) == len(fld.options)


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_the_scale_gives_each_step_its_own_band_with_its_definition(layouts, definition, lang):
    pages = layouts[lang]
    langs = split_langs(lang)
    title = label_text(definition, definition.scale_title, lang)
    where = [(n, p) for n, p in enumerate(pages) if p.find(title[0])]
    assert len(where) == 1
    _number, page = where[0]
    title_box = union(label_boxes(page, title, Box(MARGIN, 0, RIGHT, TOP)))
    levels = scale_order(definition)
    rules = sorted((p for p in page.paths if p.h < 2.5 and p.w > 500 and p.cy < title_box.y0), key=lambda p: -p.cy)
    rules = rules[: len(levels) + (2 if definition.version >= 2 else 1)]
    gaps = [round(a.cy - b.cy, 2) for a, b in itertools.pairwise(rules)]
    assert 0 < title_box.y0 - rules[0].cy < 5
    bands = list(itertools.pairwise(rules))
    if definition.version >= 2:  # "not observed" after a double rule
        assert gaps[-2] == pytest.approx(4.0, abs=0.01)
        bands = bands[:-2] + bands[-1:]
    assert len(bands) == len(levels)
    name_x = []
    def_x = []
    for (a, b), level in zip(bands, levels, strict=True):
        band = Box(MARGIN, b.cy, RIGHT, a.cy)
        names = label_text(definition, level.label, lang)
        text = [level.definition[x] for x in langs]
        assert page.text_in(band) == flat(" ".join(names + text)), level.code
        name = nearest(page.find(names[0]), Box(MARGIN, a.cy - 8, MARGIN + 40, a.cy))
        defin = nearest(page.find(text[0]), Box(MARGIN + 120, a.cy - 8, MARGIN + 200, a.cy))
        assert a.cy - name.y1 < 5 and a.cy - defin.y1 < 5 and name.y1 == pytest.approx(defin.y1, abs=2), level.code
        name_x.append(name.x0)
        def_x.append(defin.x0)
    assert max(name_x) - min(name_x) < 1.5 and max(def_x) - min(def_x) < 1.5  # two aligned columns
    assert min(def_x) == pytest.approx(MARGIN + 120, abs=1.5)
    note = label_text(definition, definition.scale_note, lang)
    note_box = union(label_boxes(page, note, Box(MARGIN, rules[-1].cy - 10, RIGHT, rules[-1].cy)))
    assert 0 < rules[-1].cy - note_box.y1 < 8 and note_box.x0 < MARGIN + 4


# --------------------------------------------------------------------------- headings, sections and page breaks


def heading_place(pages: list[Page], definition: FormDefinition, title: Text, lang: str) -> tuple[int, Box]:
    first = title[split_langs(lang)[0]]
    places = [(n, union([g.box for g in p])) for n, page in enumerate(pages) for p in page.find(first)]
    places = [
        (n, b)
        for n, b in places
        if b.x0 < MARGIN + 2 and {g.font for g in pages[n].glyphs if b.holds(g.box)} >= {"Helvetica-Bold"}
    ]
    assert places, first
    return places[0]


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_a_section_starts_with_its_heading_over_a_full_width_rule_on_the_page_of_its_first_field(
    layouts, definition, lang
):
    pages = layouts[lang]
    for section in definition.sections:
        number, head = heading_place(pages, definition, section.title, lang)
        page = pages[number]
        sizes = {g.size for g in page.glyphs if head.holds(g.box)}
        assert sizes == {10.5}, section.code
        rule = [p for p in page.paths if p.h < 3 and p.w > 500 and 0 < head.y0 - p.cy < 8]
        assert len(rule) == 1, section.code
        assert (rule[0].x0, rule[0].x1) == pytest.approx((MARGIN - 1.2, RIGHT + 1.2), abs=0.1), section.code
        assert rule[0].h == pytest.approx(2.4, abs=0.05), "a 1.2 pt rule"
        assert max((g.box.y1 for g in page.glyphs if g.box.y1 < rule[0].y0), default=0) < rule[0].y0 - 1
        if section.note is not None:  # the note right under the rule, in the form's languages
            note = nearest(
                page.find(section.note.joined(split_langs(lang))[:30]), Box(MARGIN, rule[0].cy - 8, RIGHT, rule[0].cy)
            )
            assert 0 < rule[0].y0 - note.y1 < 5 and note.x0 < MARGIN + 2, section.code
        # its first field is on the same page, below it (a page break never parts them); the level
        # table's section starts with the scale (next test)
        if not any(f.type == "level" for f in section.fields):
            first = section.fields[0]
            name = first.pdf_names[0] if first.type != "signature" else first.name
            n, w = widgets_of(pages, name)[0]
            assert n == number and w.box.y1 < rule[0].y0, section.code
            # a section without the level table stays on one page
            on = {n for f in section.fields for nm in (f.pdf_names or (f.name,)) for n, _ in widgets_of(pages, nm)}
            assert on == {number}, section.code


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_the_scale_and_the_level_table_stand_in_order_the_table_head_with_its_first_row(layouts, definition, lang):
    pages = layouts[lang]
    section = next(s for s in definition.sections if any(f.type == "level" for f in s.fields))
    number, head = heading_place(pages, definition, section.title, lang)
    title = definition.scale_title[split_langs(lang)[0]]
    where = [(n, union([g.box for g in p])) for n, pg in enumerate(pages) for p in pg.find(title)]
    assert len(where) == 1
    scale_no, scale = where[0]
    assert scale_no == number and scale.y1 < head.y0, "the scale follows the heading"
    fields = level_rows(definition)
    first_no, first = widgets_of(pages, fields[0].name)[0]
    assert (first_no, -first.box.y1) > (scale_no, -scale.y0)
    if definition.version == 1:  # version 1 keeps the scale with the table
        assert first_no == scale_no


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_the_header_the_title_biggest_then_the_other_language_the_privacy_note_boxed(layouts, definition, lang):
    page = layouts[lang][0]
    langs = split_langs(lang)
    title = nearest(page.find(definition.title[langs[0]]), Box(MARGIN, TOP - 20, MARGIN + 100, TOP))
    title_glyphs = [g for g in page.glyphs if title.holds(g.box)]
    assert {(g.size, g.font) for g in title_glyphs} == {(15.0, "Helvetica-Bold")}
    assert max(g.size for g in page.glyphs) == 15.0
    below = title.y0
    if len(langs) == 2:
        other = nearest(page.find(definition.title[langs[1]]), Box(MARGIN, title.y0 - 14, MARGIN + 100, title.y0))
        assert {(g.size, g.font) for g in page.glyphs if other.holds(g.box)} == {(11.0, "Helvetica-Oblique")}
        assert 0 < title.y0 - other.y1 < 5 and other.x0 < MARGIN + 1.5
        below = other.y0
    sub = nearest(page.find(definition.subtitle.joined(langs)), Box(MARGIN, below - 12, MARGIN + 100, below))
    assert 0 < below - sub.y1 < 5 and sub.x0 < MARGIN + 1.5
    # the privacy note in a box across the page, with a "!" at its left
    privacy = definition.privacy.joined(langs)
    place = union(label_boxes(page, [definition.privacy[x] for x in langs], Box(MARGIN, sub.y0 - 40, RIGHT, sub.y0)))
    boxes = [p for p in page.paths if p.holds(place) and p.w > 500 and p.h < 60]
    assert len(boxes) == 1, privacy
    frame = boxes[0]
    assert (frame.x0, frame.x1) == pytest.approx((MARGIN - 1.6, RIGHT + 1.6), abs=0.1), "a 1.6 pt frame across the page"
    assert frame.y1 < sub.y0 and frame.y1 - place.y1 < 9.5 and place.y0 - frame.y0 < 9.5
    bang = [g for g in page.glyphs if g.ch == "!" and frame.holds(g.box)]
    assert len(bang) == 1 and bang[0].box.x1 < place.x0 - 4 and bang[0].box.cx == pytest.approx(MARGIN + 8, abs=0.5)
    assert place.y0 < bang[0].box.cy < place.y1 and bang[0].size == 11.0
    assert place.x0 == pytest.approx(MARGIN + 16, abs=1.5)
    # exactly: the frame (1.6 pt) 5 pt round the note's lines, 6 pt under the header, 10 pt over what follows
    ptop, pfoot = text_lines(page, [definition.privacy[x] for x in langs], place)
    assert frame.y1 - 1.6 - ptop == pytest.approx(5.0, abs=0.03) and pfoot - (frame.y0 + 1.6) == pytest.approx(
        5.0, abs=0.03
    )
    header = [definition.subtitle.joined(langs)] + (
        ["* = " + definition.required_key.joined(langs)] if definition.version >= 2 else []
    )
    _, hfoot = text_lines(page, header, Box(MARGIN, frame.y1, MARGIN, frame.y1 + 10))
    assert hfoot - (frame.y1 - 1.6) == pytest.approx(6.0, abs=0.03)
    nxt = definition.instructions_title if definition.version >= 2 else definition.sections[0].title
    ntop, _ = text_lines(page, [nxt[langs[0]]], Box(MARGIN, frame.y0 - 20, MARGIN, frame.y0))
    assert (frame.y0 + 1.6) - ntop == pytest.approx(10.0, abs=0.03)
    if definition.version >= 2:  # the key to the asterisk under the subtitle
        key = nearest(
            page.find("* = " + definition.required_key.joined(langs)), Box(MARGIN, sub.y0 - 12, MARGIN + 100, sub.y0)
        )
        assert 0 < sub.y0 - key.y1 < 5 and key.y0 > frame.y1


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_instructions_stand_in_two_columns_swedish_left_english_right(layouts, definition, lang):
    pages = layouts[lang]
    langs = split_langs(lang)
    number, head = heading_place(pages, definition, definition.instructions_title, lang)
    page = pages[number]
    last = head
    for para in definition.instructions:
        first = nearest(page.find(para[langs[0]][:40]), Box(MARGIN, last.y0 - 14, MARGIN + 100, last.y0))
        assert first.x0 < MARGIN + 1.5 and 0 < last.y0 - first.y1 < 16
        if len(langs) == 2:
            other = nearest(page.find(para[langs[1]][:40]), Box(PAGE_W / 2, first.y0, PAGE_W / 2 + 100, first.y1))
            assert other.x0 == pytest.approx(PAGE_W / 2 + 7, abs=1.5), "two equal columns 14 pt apart"
            assert other.y1 == pytest.approx(first.y1, abs=2.0), "each paragraph's languages side by side"
            left = [
                b for b in page.lines().values() if b.x0 < PAGE_W / 2 and first.y1 >= b.y1 > max(first.y1 - 60, FOOT)
            ]
            assert all(b.x1 < PAGE_W / 2 - 7 + 0.5 for b in left)
            assert all(g.font == "Helvetica-Oblique" for g in page.glyphs if other.holds(g.box))
            assert all(g.font == "Helvetica" for g in page.glyphs if first.holds(g.box))
            last = Box(MARGIN, min(first.y0, other.y0), RIGHT, first.y1)
        else:
            last = first
        # each paragraph (both columns) entirely above the next one
        full = [para[x] for x in langs]
        ends = [nearest(page.find(t[-25:]), Box(MARGIN, 0, RIGHT, last.y1)) for t in full]
        last = Box(MARGIN, min(e.y0 for e in ends), RIGHT, last.y1)
    if definition.version >= 2:
        assert number == 0 and head.y1 < layouts[lang][0].lines()[0].y0, "page 1 from version 2"


# --------------------------------------------------------------------------- what viewers and printers draw in the widgets


def flattened(pdf: bytes) -> list[Page]:
    """The pages as printed: every widget's appearance drawn into the page (PDFium's flatten for print)."""
    doc = pdfium.PdfDocument(pdf)
    for i in range(len(doc)):
        page = doc[i]
        assert pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_PRINT) == pdfium_c.FLATTEN_SUCCESS
        page.close()
    buf = io.BytesIO()
    doc.save(buf)
    return read_layout(buf.getvalue())


FEEDBACK = "Tydlig anamnes, bra struktur och lugnt bemötande; Łukasz förklarade nästa steg väl. " * 2
ROOM = (RIGHT - MARGIN) - 7.2  # a full-width multi-line box less 3.6 pt each side: the width its text wraps at


def word_to(prefix: str, low: float, high: float) -> str:
    """A word that brings ``prefix`` + space + word to a width (the field font at 10 pt) in (low, high]."""
    font = fonts.field_font()
    for n in range(40):
        for letters in ("i" * n, "i" * n + "t", "i" * n + "r", "i" * n + "f", "i" * n + "rt", "i" * n + "ft"):
            word = "V" + letters
            if low < font.width(f"{prefix} {word}", 10) <= high:
                return word
    raise AssertionError("no word fits")


def tight_lines() -> list[str]:
    """Three lines of typed feedback wrapped at :data:`ROOM`: the first fills it to within 0.6 pt, the second
    ends where its next word would cross it by at most 0.6 pt (so a wrap 0.8 pt narrower or wider differs)."""
    first = "Tydlig anamnes och bra struktur; Łukasz Öberg förklarade nästa steg väl för patienten och"
    first += " " + word_to(first, ROOM - 0.6, ROOM)
    second = "Att tänka på: sammanfatta oftare och fråga efter patientens egna tankar om"
    nxt = word_to(second, ROOM, ROOM + 0.6)
    return [first, second, nxt + " och boka uppföljning."]


NAME = "Åsa Öberg-Nguyễn"


@pytest.fixture(scope="module")
def printed_filled(definition: FormDefinition) -> tuple[list[Page], list[Page], dict, bytes]:
    from minicex_pdf.form.generator import build_form

    values: dict[str, object] = {}
    for fld in definition.fields:
        if fld.type == "multiline":
            values[fld.name] = " ".join(tight_lines()) if fld.lines >= 3 else FEEDBACK
        elif fld.type == "text":
            values[fld.name] = NAME
        elif fld.type == "date":
            values[fld.name] = "2026-03-14"
        elif fld.type == "integer":
            values[fld.name] = "15"
        elif fld.type == "checkbox":
            values[fld.name] = True
        elif fld.type in ("choice", "level"):  # a code as a caller has it: an equal str, not the same object
            values[fld.name] = "".join(list(fld.options[0].code))
        elif fld.type == "multichoice":
            values[fld.name] = (fld.options[-1].code,)
    pdf = build_form(definition, values=values)
    return read_layout(pdf), flattened(pdf), values, pdf


def test_prefilled_text_is_drawn_inside_its_box_in_the_embedded_field_font(printed_filled, definition):
    pages, printed, values, _ = printed_filled
    for fld in definition.fields:
        if fld.type not in TEXT_TYPES:
            continue
        number, w = the_widget(pages, fld.name)
        inside = [g for g in printed[number].glyphs if w.box.holds(Box(g.box.cx, g.box.cy, g.box.cx, g.box.cy))]
        assert {(g.font, g.size) for g in inside} == {("DejaVuSans", 10.0)}, fld.name
        assert flat(printed[number].text_in(w.box)) == flat(str(values[fld.name])), fld.name
        left = min(g.box.x0 for g in inside)
        assert 2 < left - w.box.x0 < 5, fld.name  # a little air after the border
        for g in inside:
            assert w.box.holds(g.box, -1.5) or fld.type != "multiline", (fld.name, g)
            assert w.box.y0 + 1.5 < g.box.y0 and g.box.y1 < w.box.y1 - 1.5, (fld.name, g)
        if fld.type == "multiline":  # wrapped to the box's width: lines start level, each fills it well
            lines = printed[number].lines()
            mine = sorted((lines[k] for k in {g.line for g in inside}), key=lambda b: -b.y1)
            assert len(mine) == (3 if fld.lines >= 3 else 2), fld.name
            assert max(b.x0 for b in mine) - min(b.x0 for b in mine) < 1.5, fld.name
            assert all(a.y0 - b.y1 > 1 for a, b in itertools.pairwise(mine)), fld.name
            # the wrap uses the box less 3.6 pt each side (2 border widths and 2 pt): each line is as long as fits
            assert w.box.w - 7.2 == pytest.approx(ROOM, abs=0.01), fld.name
            if fld.lines >= 3:
                assert [flat(printed[number].text_in(b)) for b in mine] == tight_lines(), fld.name


SCALE = 3.0  # 216 dpi


def rendered(pdf: bytes, number: int, scale: float = SCALE):
    """The page as a viewer shows it (PDFium, with the form's widgets), in grey: a PIL image and the scale."""
    doc = pdfium.PdfDocument(pdf)
    doc.init_forms()
    image = doc[number].render(scale=scale, may_draw_forms=True, grayscale=True).to_pil().convert("L")
    return image


def shade(image, x: float, y: float, scale: float = SCALE) -> int:
    """The grey (0 black, 255 white) at page point (x, y)."""
    return image.getpixel((round(x * scale), round((PAGE_H - y) * scale)))


def test_a_chosen_radio_button_shows_a_dot_in_the_middle_of_its_circle_a_ticked_box_a_tick(printed_filled, definition):
    pages, _, values, pdf = printed_filled
    tick = SIZES[definition.version]["tick"]
    seen = set()
    images: dict[int, object] = {}
    for fld in definition.fields:
        if fld.type not in ("choice", "level", "checkbox", "multichoice"):
            continue
        names = [fld.option_field(o.code) for o in fld.options] if fld.type == "multichoice" else [fld.name]
        for name in names:
            for number, w in widgets_of(pages, name):
                if fld.type in ("choice", "level"):
                    image = images.setdefault(number, rendered(pdf, number))
                    r = tick / 2
                    chosen = w.state == values[fld.name]
                    for dx, dy in ((0, 0), (0.3 * r, 0), (0, -0.3 * r)):  # the dot: 0.45 of the radius
                        assert (shade(image, w.box.cx + dx, w.box.cy + dy) < 80) == chosen, (name, w.state)
                    for dx, dy in ((0.65 * r, 0), (0, 0.65 * r), (-0.65 * r, 0)):  # white between dot and ring
                        assert shade(image, w.box.cx + dx, w.box.cy + dy) > 200, (name, w.state)
                    for dx, dy in ((r - 0.4, 0), (0, r - 0.4), (-r + 0.4, 0), (0, -r + 0.4)):  # the ring
                        assert shade(image, w.box.cx + dx, w.box.cy + dy) < 160, (name, w.state)
                    for dx, dy in ((r - 0.3, r - 0.3), (-r + 0.3, -r + 0.3)):  # a circle, not a square
                        assert shade(image, w.box.cx + dx, w.box.cy + dy) > 200, (name, w.state)
                    seen.add("radio")
                else:  # a tick inside the box, clear of its border; nothing in an unticked one
                    image = images.setdefault(number, rendered(pdf, number))
                    on = fld.type == "checkbox" or name == fld.option_field(fld.options[-1].code)
                    x0, y1 = int(w.box.x0 * SCALE) + 6, int((PAGE_H - w.box.y0) * SCALE) - 5
                    x1, y0 = int(w.box.x1 * SCALE) - 5, int((PAGE_H - w.box.y1) * SCALE) + 6
                    dark = image.crop((x0, y0, x1, y1)).point(lambda v: 255 if v < 100 else 0).getbbox()
                    assert bool(dark) == on, name
                    if dark:
                        lft, t, r, b = dark
                        assert (r - lft) / SCALE > tick / 3 and (b - t) / SCALE > tick / 3, name
                        assert abs((x0 + (lft + r) / 2) / SCALE - w.box.cx) < tick / 6, name
                        seen.add("tick")
    assert seen == {"radio", "tick"}


def test_empty_multi_line_boxes_print_faint_lines_one_line_height_apart(definition, blank_pdfs):
    pdf = blank_pdfs["sv+en"]
    pages = read_layout(pdf)
    size = SIZES[definition.version]
    for fld in definition.fields:
        if fld.type != "multiline":
            continue
        number, w = the_widget(pages, fld.name)
        image = rendered(pdf, number)
        x = w.box.cx
        column = [
            (y / SCALE, shade(image, x, y / SCALE)) for y in range(int(w.box.y0 * SCALE) + 5, int(w.box.y1 * SCALE) - 5)
        ]
        grey = [y for y, v in column if v < 235]
        if definition.version == 1:
            assert not grey, fld.name
            continue
        rows = [y for y in grey if not [z for z in grey if 0 < y - z < 1.01]]  # each line's lowest pixel row
        assert len(rows) == fld.lines - 1, (fld.name, grey)
        assert all(v > 150 for y, v in column if y in grey), "faint grey, never black"
        for k, y in enumerate(rows, 1):
            assert y - w.box.y0 == pytest.approx(2 + k * size["line"], abs=0.4), fld.name
        y = rows[0]
        assert shade(image, w.box.x0 + 5, y) < 235 and shade(image, w.box.x1 - 5, y) < 235, fld.name
        assert shade(image, w.box.x0 + 3, y) > 235 and shade(image, w.box.x1 - 3, y) > 235, fld.name


def test_the_writing_lines_of_an_empty_multi_line_box_are_inset_4_pt_each_side(definition, blank_pdfs):
    """Read from each empty box's own appearance (what prints): level lines from 4 pt in to 4 pt short of the
    right edge, 2 pt plus k line heights over the box's foot, faint grey and 0.4 pt wide."""
    line_h = SIZES[definition.version]["line"]
    count = 0 if definition.version == 1 else 1  # version 1 draws none
    fields = {f.name: f for f in definition.fields if f.type == "multiline"}
    seen = set()
    for page in PdfReader(io.BytesIO(blank_pdfs["sv+en"])).pages:
        for annot in page.get("/Annots", []):
            w = annot.get_object()
            fld = fields.get(w.get("/T"))
            if fld is None:
                continue
            x0, _, x1, _ = (float(v) for v in w["/Rect"])
            width = x1 - x0
            content = w["/AP"]["/N"].get_object().get_data().decode("latin-1")
            lines = re.findall(r"(-?[\d.]+) (-?[\d.]+) m (-?[\d.]+) (-?[\d.]+) l S", content)
            expected = [(4.0, 2 + k * line_h, width - 4, 2 + k * line_h) for k in range(1, fld.lines)] * count
            got = [float(v) for ln in lines for v in ln]
            assert got == pytest.approx([v for ln in expected for v in ln], abs=0.006), fld.name
            assert bool(re.search(r"q 0\.\d+ G 0\.4 w\n", content)) == bool(count), fld.name
            seen.add(fld.name)
    assert seen == set(fields)


# --------------------------------------------------------------------------- type


def styles(pages: list[Page], text: str) -> set[tuple[str, float]]:
    """The (font, size) of every glyph of each place ``text`` is printed."""
    return {(g.font, g.size) for page in pages for place in page.find(text) for g in place}


REG, BOLD, ITAL = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_type_sizes_labels_bold_other_language_italic_never_below_the_versions_floor(layouts, definition, lang):
    """Version 1: 8 pt labels, the English 15/16 of it, small print down to 6.5 pt; version 2: 9 pt labels, nothing under 8."""
    pages = layouts[lang]
    langs = split_langs(lang)
    v2 = definition.version >= 2
    size = SIZES[definition.version]["label"]

    def fs(points: float) -> float:
        return max(points, 8.0) if v2 else points

    other_size = round(max(size * 7.5 / 8, 8.0 if v2 else 0.0), 2)
    checked = 0
    for fld in definition.fields:
        if fld.type in TEXT_TYPES and not fld.label_below:
            texts = label_text(definition, fld.label, lang, fld.required)
            assert styles(pages, texts[0]) >= {(BOLD, size)}, fld.name
            for text in texts[1:]:
                assert (ITAL, other_size) in styles(pages, text), fld.name
        if fld.type == "choice":
            for opt in fld.options:
                text = opt.label.joined(langs)
                if sum(len(page.find(text)) for page in pages) == 1:  # ("ST" is in every "ST-läkare")
                    assert styles(pages, text) == {(REG, 8.0)}, (fld.name, opt.code)
                    checked += 1
    assert checked >= 5
    for section in definition.sections:
        assert styles(pages, section.title[langs[0]]) >= {(BOLD, 10.5)}, section.code
        if len(langs) == 2:
            assert (ITAL, 9.0) in styles(pages, section.title[langs[1]]), section.code
    para = definition.instructions[0]
    if len(langs) == 2:
        assert styles(pages, para[langs[0]]) == {(REG, fs(7.5))}
        assert styles(pages, para[langs[1]]) == {(ITAL, fs(7.2))}
    else:
        assert styles(pages, para[langs[0]]) == {(REG, 8.0)}
    level = definition.levels[1]
    assert styles(pages, level.definition[langs[0]]) == {(REG, fs(7.0))}
    area = definition.areas[0]
    assert styles(pages, area.indicators[langs[0]]) == {(REG, fs(6.8))}
    if len(langs) == 2:
        assert styles(pages, level.definition[langs[1]]) == {(ITAL, fs(6.8))}
        assert styles(pages, area.indicators[langs[1]]) == {(ITAL, fs(6.5))}
    assert styles(pages, definition.privacy[langs[0]]) == {(BOLD, 8.5)}
    assert styles(pages, definition.scale_title[langs[0]]) == {(BOLD, 8.5)}
    assert styles(pages, definition.scale_note[langs[0]]) == {(BOLD, 8.0)}
    # a step's name: in the scale (at the margin) and over its column of the table
    places = [p for page in pages for p in page.find(definition.levels[1].label[langs[0]])]
    assert {(g.font, g.size) for p in places if p[0].origin[0] == MARGIN + 2 for g in p} == {(BOLD, fs(7.5))}
    assert {(g.font, g.size) for p in places if p[0].origin[0] > MARGIN + 200 for g in p} == {(BOLD, fs(7.0))}
    for fld in level_rows(definition):
        assert (BOLD, 8.5) in styles(pages, fld.label[langs[0]]), fld.name
    columns = [w.box.cx for _, w in widgets_of(pages, level_rows(definition)[0].name)]
    dashes = {
        (g.font, g.size)
        for page in pages
        for g in page.glyphs
        if g.ch == "–" and min(abs(g.box.cx - x) for x in columns) < 1
    }
    excluded = any(len(f.options) < len(definition.levels) for f in level_rows(definition))
    assert dashes == ({(REG, 8.0)} if excluded else set())
    assert styles(pages, definition.subtitle.joined(langs)) == {(REG, fs(8.0))}


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_the_document_language_is_the_forms_first_language(blank_pdfs, lang):
    root = PdfReader(io.BytesIO(blank_pdfs[lang])).trailer["/Root"]
    assert root["/Lang"] == ("en-GB" if lang == "en" else "sv-SE")


def test_a_heading_too_long_for_one_line_puts_the_other_language_under_it_above_the_rule():
    import dataclasses

    from minicex_pdf.form.definition import load_definition
    from minicex_pdf.form.generator import build_form

    base = load_definition(2)
    sv = "B. Bedömningssituationen, med en rubrik så lång att den engelska inte får plats bredvid"
    en = "B. The encounter, with a heading long enough to need a line of its own"
    section = dataclasses.replace(base.sections[1], title=Text(sv=sv, en=en))
    pages = read_layout(build_form(dataclasses.replace(base, sections=(base.sections[0], section, *base.sections[2:]))))
    number, first = heading_place(pages, base, section.title, "sv+en")
    page = pages[number]
    assert styles([page], sv) == {(BOLD, 10.5)}
    assert styles([page], en) == {(ITAL, 9.0)}
    other = union([g.box for g in page.find(en)[0]])
    assert 0 < first.y0 - other.y1 < 4 and other.x0 < MARGIN + 1.5, "the English on the next line, at the margin"
    rule = [p for p in page.paths if p.h < 3 and p.w > 500 and 0 < other.y0 - p.cy < 8]
    assert len(rule) == 1
    _, w = widgets_of(pages, section.fields[0].pdf_names[0])[0]
    assert w.box.y1 < rule[0].y0


# --------------------------------------------------------------------------- where text is drawn from (exact)


def baselines(glyphs: list[Glyph]) -> list[tuple[float, float, float]]:
    """Each line of ``glyphs`` top down: (left origin x, baseline y, size)."""
    lines: dict[float, list[Glyph]] = {}
    for g in glyphs:
        lines.setdefault(round(g.origin[1], 2), []).append(g)
    return [(min(g.origin[0] for g in gs), y, max(g.size for g in gs)) for y, gs in sorted(lines.items(), reverse=True)]


def assert_lines(glyphs: list[Glyph], x: float, what: object) -> None:
    """Every line starts at ``x``; each line box is 1.2 of its size high, its baseline 0.22 of it over its foot."""
    lines = baselines(glyphs)
    assert lines, what
    for left, _, _ in lines:
        assert left == pytest.approx(x, abs=0.01), what
    for (_, y0, s0), (_, y1, s1) in itertools.pairwise(lines):
        assert (y0 - 0.22 * s0) - (y1 - 0.22 * s1) == pytest.approx(1.2 * s1, abs=0.03), what


def place_near(page: Page, texts: list[str], near: Box) -> list[Glyph]:
    out: list[Glyph] = []
    for text in texts:
        places = page.find(text)
        out += min(
            places,
            key=lambda p: abs(union([g.box for g in p]).cx - near.cx) + abs(union([g.box for g in p]).cy - near.cy),
        )
    return out


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_labels_start_exactly_at_their_box_or_5_pt_after_a_tick_4_after_an_option(layouts, definition, lang):
    pages = layouts[lang]
    langs = split_langs(lang)
    for fld in definition.fields:
        if fld.type in TEXT_TYPES:
            number, w = the_widget(pages, fld.name)
            glyphs = place_near(pages[number], label_text(definition, fld.label, lang, fld.required), w.box)
            assert_lines(glyphs, w.box.x0, fld.name)
            last = baselines(glyphs)[-1]
            if not fld.label_below and not fld.signature:  # the label's last line stands 1.5 pt over its box
                assert last[1] - 0.22 * last[2] - w.box.y1 == pytest.approx(1.5, abs=0.01), fld.name
            elif fld.label_below:  # under it, 1.5 pt away
                first = baselines(glyphs)[0]
                assert w.box.y0 - (first[1] + 0.98 * first[2]) == pytest.approx(1.5, abs=0.01), fld.name
        elif fld.type == "checkbox":
            number, w = the_widget(pages, fld.name)
            glyphs = place_near(pages[number], label_text(definition, fld.label, lang, fld.required), w.box)
            assert_lines(glyphs, w.box.x1 + 5, fld.name)
            lines = baselines(glyphs)
            top, foot = lines[0][1] + 0.98 * lines[0][2], lines[-1][1] - 0.22 * lines[-1][2]
            if top - foot <= w.box.h + 2:  # a label no taller than the box is centred on it
                assert (top + foot) / 2 == pytest.approx(w.box.cy, abs=0.02), fld.name
            else:  # a taller one starts 1 pt over the box's top
                assert top - w.box.y1 == pytest.approx(1.0, abs=0.02), fld.name
        elif fld.type in ("choice", "multichoice"):
            names = [fld.option_field(o.code) for o in fld.options] if fld.type == "multichoice" else [fld.name]
            buttons = [w for n in names for w in widgets_of(pages, n)]
            for opt, (number, w) in zip(fld.options, buttons, strict=True):
                glyphs = place_near(
                    pages[number], [opt.label.joined(langs)], Box(w.box.x1 + 10, w.box.y0, w.box.x1 + 20, w.box.y1)
                )
                assert_lines(glyphs, w.box.x1 + 4, (fld.name, opt.code))
                # its first line centred on the button, a point high
                first = baselines(glyphs)[0]
                middle = first[1] + 0.38 * first[2]  # the middle of the line box (0.98 over, 0.22 under the baseline)
                assert middle - w.box.cy == pytest.approx(1.0, abs=0.02), (fld.name, opt.code)
            # options flow: 14 pt after the option before; a new line only when the next would cross the cell's edge
            ends = []
            for opt, (number, w) in zip(fld.options, buttons, strict=True):
                glyphs = place_near(
                    pages[number], [opt.label.joined(langs)], Box(w.box.x1 + 10, w.box.y0, w.box.x1 + 20, w.box.y1)
                )
                lines = baselines(glyphs)
                text = opt.label.joined(langs)
                if len(lines) == 1:  # its advance width, as drawn
                    width = stringWidth(text, REG, lines[0][2])
                else:  # wrapped: its widest line (glyph boxes, within a point)
                    width = max(g.box.x1 for g in glyphs) - (w.box.x1 + 4)
                height = 1.2 * sum(size for _, _, size in lines)
                ends.append((w, w.box.x1 + 4 + width, height))
            tick = SIZES[definition.version]["tick"]
            row_left = min(w.box.x0 for w, _, _ in ends)
            cell_right = RIGHT if fld.width == 1.0 or row_left > PAGE_W / 2 else (MARGIN + RIGHT - GUTTER) / 2
            row_h = max(tick + 2, ends[0][2])
            for (a, a_end, _), (b, b_end, b_h) in itertools.pairwise(ends):
                assert b_end <= cell_right + 0.01, (fld.name, b_end)
                if b.box.y0 == a.box.y0:
                    assert b.box.x0 - a_end == pytest.approx(14.0, abs=0.02), fld.name
                    row_h = max(row_h, tick + 2, b_h)
                else:
                    assert a_end + 14 + (b_end - b.box.x0) > cell_right, fld.name
                    assert a.box.y1 - b.box.y1 == pytest.approx(row_h + 4, abs=0.02), fld.name
                    row_h = max(tick + 2, b_h)
            # the field's label starts 1 pt over the first button's top, at its cell's left
            label = baselines(
                place_near(
                    pages[buttons[0][0]], label_text(definition, fld.label, lang, fld.required), buttons[0][1].box
                )
            )
            assert label[0][1] + 0.98 * label[0][2] - buttons[0][1].box.y1 == pytest.approx(1.0, abs=0.02), fld.name
            # the options start after the label's column: 30% of the cell, at most 150 pt
            left = label[0][0]
            cell = (RIGHT if fld.width == 1.0 or left > PAGE_W / 2 else (MARGIN + RIGHT - GUTTER) / 2) - left
            assert min(w.box.x0 for _, w in buttons) - left == pytest.approx(min(150.0, 0.3 * cell), abs=0.02), fld.name


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_the_scale_the_level_rows_the_instructions_and_the_footer_start_at_their_columns(layouts, definition, lang):
    pages = layouts[lang]
    langs = split_langs(lang)
    everything = Box(0, 0, PAGE_W, PAGE_H)
    for level in definition.levels:
        (page,) = [p for p in pages if p.find(level.definition[langs[0]])]
        assert_lines(
            place_near(page, label_text(definition, level.label, lang), Box(MARGIN, 0, MARGIN + 10, PAGE_H)),
            MARGIN + 2,
            level.code,
        )
        assert_lines(place_near(page, [level.definition[x] for x in langs], everything), MARGIN + 120, level.code)
    for fld in level_rows(definition):
        number, w = widgets_of(pages, fld.name)[0]
        area = definition.area(fld.area)
        glyphs = place_near(
            pages[number],
            label_text(definition, fld.label, lang, fld.required),
            Box(MARGIN, w.box.y0, MARGIN + 10, w.box.y1),
        )
        assert_lines(glyphs, MARGIN + 2, fld.name)
        text = place_near(pages[number], [area.indicators[x] for x in langs], everything)
        assert_lines(text, MARGIN + 2, fld.name)
        # the indicators 2 pt under the label
        lab, ind = baselines(glyphs)[-1], baselines(text)[0]
        assert (lab[1] - 0.22 * lab[2]) - (ind[1] + 0.98 * ind[2]) == pytest.approx(2.0, abs=0.01), fld.name
    number, _head = heading_place(pages, definition, definition.instructions_title, lang)
    for para in definition.instructions:
        assert_lines(place_near(pages[number], [para[langs[0]]], everything), MARGIN, para)
        if len(langs) == 2:
            assert_lines(
                place_near(pages[number], [para[langs[1]]], everything), MARGIN + (RIGHT - MARGIN - 14) / 2 + 14, para
            )
    privacy = place_near(pages[0], [definition.privacy[x] for x in langs], everything)
    assert_lines(privacy, MARGIN + 16, "privacy")
    for page in pages:
        foot = [g for g in page.glyphs if g.box.y1 < FOOT]
        assert min(g.origin[0] for g in foot) == pytest.approx(MARGIN, abs=0.01)
        assert {round(g.origin[1], 2) for g in foot} == {26.0}, "the footer's baseline 14 pt under the bottom margin"


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_instruction_paragraphs_are_evenly_spaced_with_more_air_after_the_last(layouts, definition, lang):
    pages = layouts[lang]
    langs = split_langs(lang)
    number, _head = heading_place(pages, definition, definition.instructions_title, lang)
    page = pages[number]
    everything = Box(0, 0, PAGE_W, PAGE_H)
    spans = []  # (top, foot) of each paragraph's line boxes, both columns
    for para in definition.instructions:
        lines = [line for x in langs for line in baselines(place_near(page, [para[x]], everything))]
        spans.append((max(y + 0.98 * s for _, y, s in lines), min(y - 0.22 * s for _, y, s in lines)))
    gaps = [round(foot - top, 2) for (_, foot), (top, _) in itertools.pairwise(spans)]
    assert gaps == [3.0 if len(langs) == 2 else 4.0] * (len(spans) - 1)
    if definition.version >= 2:  # the instructions come first: 8 pt of air, then section A's heading
        _, a = heading_place(pages, definition, definition.sections[0].title, lang)
        assert spans[-1][1] - a.y1 > 8.0 and spans[-1][1] - a.y1 < 8.0 + 3.5


def text_lines(page: Page, texts: list[str], near: Box) -> tuple[float, float]:
    """The top and foot of the line boxes of ``texts`` printed nearest ``near``."""
    lines = baselines(place_near(page, texts, near))
    return lines[0][1] + 0.98 * lines[0][2], lines[-1][1] - 0.22 * lines[-1][2]


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_level_table_rows_rules_and_buttons_stand_where_the_design_puts_them(layouts, definition, lang):
    """Each row: its label 3 pt under the rule above, the indicators 2 pt under the label, a 0.4 pt rule 3 pt
    under them; the buttons one tick under the label's middle (never under the row's middle); a dash 3 pt under it."""
    pages = layouts[lang]
    langs = split_langs(lang)
    tick = SIZES[definition.version]["tick"]
    fields = level_rows(definition)
    number, first = widgets_of(pages, fields[0].name)[0]
    page = pages[number]
    rules = sorted((p for p in page.paths if p.h < 2.5 and p.w > 500 and p.y1 < first.box.y1 + 60), key=lambda p: -p.cy)
    head = max((p for p in rules if p.cy > first.box.y1), key=lambda p: -p.cy)
    assert head.h == pytest.approx(2.0, abs=0.02), "a 1 pt rule under the heads"
    # the heads: 4 pt over the rule under the tallest
    levels = scale_order(definition)
    columns = sorted(w.box.cx for _, w in widgets_of(pages, fields[0].name))
    spans = [
        text_lines(page, label_text(definition, lv.label, lang), Box(cx, head.cy, cx, head.cy + 30))
        for lv, cx in zip(levels, columns, strict=True)
    ]
    feet = [f for _, f in spans]
    assert max(t for t, _ in spans) - min(t for t, _ in spans) < 0.03, "the heads start on one line"
    assert min(feet) - head.cy == pytest.approx(4.0, abs=0.03)
    above = head
    for fld in fields:
        n, w = widgets_of(pages, fld.name)[0]
        assert n == number
        label = label_text(definition, fld.label, lang, fld.required)
        top, foot = text_lines(page, label, Box(MARGIN, above.cy - 10, MARGIN + 10, above.cy))
        assert above.cy - top == pytest.approx(3.0, abs=0.03), fld.name
        area = definition.area(fld.area)
        itop, ifoot = text_lines(page, [area.indicators[x] for x in langs], Box(MARGIN, foot - 10, MARGIN + 10, foot))
        assert foot - itop == pytest.approx(2.0, abs=0.03), fld.name
        below = max((p for p in rules if p.cy < ifoot), key=lambda p: p.cy)
        assert ifoot - below.cy == pytest.approx(3.0, abs=0.03) and below.h == pytest.approx(0.8, abs=0.02), fld.name
        middle = max((above.cy + below.cy) / 2, (top + foot) / 2 - tick)
        assert w.box.cy == pytest.approx(middle, abs=0.03), fld.name
        for lv in definition.levels:
            if fld.option(lv.code) is None:
                dash = [g for g in page.glyphs if g.ch == "–" and below.cy < g.origin[1] < above.cy]
                assert len(dash) == 1 and dash[0].origin[1] == pytest.approx(w.box.cy - 3, abs=0.03), fld.name
        above = below
    # 4 pt under the table, the fields after it (the level 4 questions)
    section = next(s for s in definition.sections if fields[0] in s.fields)
    after = [f for f in section.fields if f.type != "level"]
    if after and the_widget(pages, after[0].name)[0] == number:
        w_after = the_widget(pages, after[0].name)[1]
        atop, _ = text_lines(page, label_text(definition, after[0].label, lang, after[0].required), w_after.box)
        assert above.cy - atop == pytest.approx(4.0, abs=0.03)
    # version 1: the scale on the same page, its note 4 + 8 pt over the heads
    note = label_text(definition, definition.scale_note, lang)
    if page.find(note[0]):
        _, nfoot = text_lines(page, note, Box(MARGIN, head.cy, MARGIN, PAGE_H))
        assert nfoot - 12 == pytest.approx(spans[0][0], abs=0.03)
    uprights = [p for p in page.paths if p.w < 1.5 and p.h > 20]
    if uprights:  # version 2: from the top of the heads to the table's last rule, 0.4 pt
        assert max(p.y1 for p in uprights) - 0.4 == pytest.approx(spans[0][0], abs=0.03)
        assert min(p.y0 for p in uprights) + 0.4 == pytest.approx(above.cy, abs=0.03)
        assert {round(p.w, 2) for p in uprights} == {0.8}


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_the_scales_rules_and_text_stand_where_the_design_puts_them(layouts, definition, lang):
    """The title, 3 pt, a 0.4 pt rule; in each band the name and definition 2 pt under the rule above, the next
    rule 2 pt under the taller; the note 4 pt under the last rule."""
    pages = layouts[lang]
    langs = split_langs(lang)
    title = label_text(definition, definition.scale_title, lang)
    (page,) = [p for p in pages if p.find(title[0])]
    _, title_foot = text_lines(page, title, Box(MARGIN, 0, MARGIN, PAGE_H))
    levels = scale_order(definition)
    rules = sorted((p for p in page.paths if p.h < 2.5 and p.w > 500 and p.cy < title_foot), key=lambda p: -p.cy)
    rules = rules[: len(levels) + (2 if definition.version >= 2 else 1)]
    assert title_foot - rules[0].cy == pytest.approx(3.0, abs=0.03)
    assert {round(p.h, 2) for p in rules} == {0.8}
    above = rules[0]
    for level in levels:
        if definition.version >= 2 and level.rank == 0:
            nxt = max((p for p in rules if p.cy < above.cy), key=lambda p: p.cy)
            assert above.cy - nxt.cy == pytest.approx(4.0, abs=0.03)
            above = nxt
        ntop, nfoot = text_lines(
            page, label_text(definition, level.label, lang), Box(MARGIN, above.cy - 8, MARGIN, above.cy)
        )
        dtop, dfoot = text_lines(
            page, [level.definition[x] for x in langs], Box(MARGIN + 120, above.cy - 8, MARGIN + 120, above.cy)
        )
        assert above.cy - ntop == pytest.approx(2.0, abs=0.03) and above.cy - dtop == pytest.approx(2.0, abs=0.03)
        below = max((p for p in rules if p.cy < above.cy), key=lambda p: p.cy)
        assert min(nfoot, dfoot) - below.cy == pytest.approx(2.0, abs=0.03), level.code
        above = below
    note = label_text(definition, definition.scale_note, lang)
    ntop, _ = text_lines(page, note, Box(MARGIN, above.cy - 8, MARGIN, above.cy))
    assert above.cy - ntop == pytest.approx(4.0, abs=0.03)


@pytest.mark.parametrize("lang", FORM_LANGS)
def test_the_vertical_rhythm_rows_5_pt_apart_12_after_a_name_under_its_box_headings_over_their_rule(
    layouts, definition, lang
):
    """Heading: its line, a 1.2 pt rule 1.5 pt under it, the note 4 pt under the line, 5 pt to the first row;
    rows 5 pt apart (12 after a row whose label stands under its box); a section ends with 6 pt more."""
    pages = layouts[lang]
    langs = split_langs(lang)

    tick = SIZES[definition.version]["tick"]

    def cell_span(fld: Field) -> tuple[int, float, float]:
        """A cell's page, top and foot: its label's and box's, a tick box's row, a choice's label and options."""
        names = [fld.option_field(o.code) for o in fld.options] if fld.type == "multichoice" else [fld.name]
        found = [nw for n in names for nw in widgets_of(pages, n)]
        number, w = found[0]
        page = pages[number]
        label = label_text(definition, fld.label, lang, fld.required)
        if fld.type in (*TEXT_TYPES, "signature"):
            top, foot = text_lines(page, label, w.box)
            return (number, w.box.y1, foot) if fld.label_below else (number, top, w.box.y0)
        ltop, lfoot = text_lines(
            page, label, w.box if fld.type != "checkbox" else Box(w.box.x1 + 6, w.box.y0, w.box.x1 + 9, w.box.y1)
        )
        if fld.type == "checkbox":  # the row: 1 pt over the box, as tall as the box + 2 or the label
            return number, w.box.y1 + 1, w.box.y1 + 1 - max(tick + 2, ltop - lfoot)
        top = w.box.y1 + 1  # a choice: its label 1 pt over the first line of options
        lowest = min(b.box.y1 for _, b in found)
        last = [b for _, b in found if b.box.y1 == lowest]
        heights = [tick + 2]
        for opt, (_, b) in zip(fld.options, found, strict=True):
            if b in last:
                otop, ofoot = text_lines(
                    page, [opt.label.joined(langs)], Box(b.box.x1 + 10, b.box.y0, b.box.x1 + 20, b.box.y1)
                )
                heights.append(otop - ofoot)
        return number, top, min(lfoot, lowest + 1 - max(heights))

    def span(row: list[Field]) -> tuple[int, float, float]:
        spans = [cell_span(f) for f in row]
        assert len({n for n, _, _ in spans}) == 1, [f.name for f in row]
        return spans[0][0], max(t for _, t, _ in spans), min(f for _, _, f in spans)

    checked = 0
    for section in definition.sections:
        number, head = heading_place(pages, definition, section.title, lang)
        page = pages[number]
        htop, hfoot = text_lines(page, [section.title[langs[0]]], head)
        assert htop == pytest.approx(
            max(g.origin[1] + 0.98 * g.size for g in page.glyphs if head.holds(g.box)), abs=0.03
        )
        rule = min((p for p in page.paths if p.h < 3 and p.w > 500 and p.cy < hfoot), key=lambda p: hfoot - p.cy)
        inline = [
            g
            for g in page.glyphs
            if g.size == 9.0 and g.font == ITAL and abs(g.origin[1] - (hfoot + 0.22 * 10.5)) < 0.05
        ]
        foot = hfoot if inline or len(langs) == 1 else text_lines(page, [section.title[langs[1]]], head)[1]
        assert foot - rule.cy == pytest.approx(1.5, abs=0.03), section.code
        if section.note is not None:
            ntop, foot = text_lines(page, [section.note.joined(langs)], Box(MARGIN, rule.cy - 5, MARGIN, rule.cy))
            assert rule.cy + 1.5 - 4 - ntop == pytest.approx(0.0, abs=0.03), section.code
        else:
            foot -= 4
        rows = rows_of(section)
        if any(f.type == "level" for f in section.fields):
            continue
        spans = [span(r) for r in rows]
        assert spans[0][0] == number and foot - spans[0][1] == pytest.approx(5.0, abs=0.03), section.code
        for (a, (pa, _, bottom)), (_, (pb, top, _)) in itertools.pairwise(zip(rows, spans, strict=True)):
            if pa == pb:
                air = 12.0 if any(f.label_below for f in a) else 5.0
                assert bottom - top == pytest.approx(air, abs=0.03), (a[0].name, section.code)
                checked += 1
        # the next section's heading: 5 + 6 pt under the last row
        after = definition.sections.index(section) + 1
        if after < len(definition.sections):
            n2, nxt = heading_place(pages, definition, definition.sections[after].title, lang)
            if n2 == spans[-1][0]:
                top2, _ = text_lines(pages[n2], [definition.sections[after].title[langs[0]]], nxt)
                assert spans[-1][2] - top2 == pytest.approx(11.0, abs=0.03), section.code
                checked += 1
    assert checked >= 12


def test_typed_text_is_10_pt_in_the_embedded_font_multi_line_fields_shrink_to_fit_from_version_2(layouts, definition):
    """Each text field's /DA: the embedded field font at 10 pt; from version 2 a multi-line field's size is
    automatic (0), so long feedback shrinks to fit its box; version 1 kept 10 pt everywhere."""
    das = {w.name: w.da for page in layouts["sv+en"] for w in page.widgets if w.ft == "/Tx"}
    for fld in definition.fields:
        if fld.type in TEXT_TYPES:
            auto = fld.type == "multiline" and definition.version >= 2
            size = "0" if auto else "10"
            assert das[fld.name].startswith(f"/{fonts.FIELD_RESOURCE} {size} Tf"), (fld.name, das[fld.name])


# --------------------------------------------------------------------------- where text wraps (exact)


def tight(start: str, font: str, size: float, width: float) -> tuple[str, list[str]]:
    """A text that wraps at ``width`` (``font`` at ``size``) into three lines: the first fills it to within
    0.7 pt, the second ends where its next word would cross it by at most 0.7 pt. So a wrap 1 pt narrower
    or wider gives other lines. Returns the text and its lines."""

    def w(text: str) -> float:
        return stringWidth(text, font, size)

    def fill(line: str, low: float, high: float) -> str:
        for a in range(60):
            for tail in ("", "t", "r", "f", "tt", "rt", "rr", "ft", "rrt", "rrr", "rrrt"):
                word = "K" + "i" * a + tail
                if low < w(f"{line} {word}") <= high:
                    return word
        raise AssertionError(f"no word brings {line!r} into ({low}, {high}]")

    words = [
        "sjuksköterskan",
        "ringde",
        "och",
        "bad",
        "om",
        "en",
        "bedömning",
        "av",
        "patienten",
        "på",
        "akutmottagningen",
    ]
    first = start
    while w(first + " " + words[0]) < width - 25:
        first += " " + words[0]
        words = words[1:] + words[:1]
    first += " " + fill(first, width - 0.7, width)
    second = "Nästa"
    while w(second + " " + words[0]) < width - 35:
        second += " " + words[0]
        words = words[1:] + words[:1]
    third = fill(second, width, width + 0.7) + " slut."
    return f"{first} {second} {third}", [first, second, third]


def printed_lines(glyphs: list[Glyph]) -> list[str]:
    """The lines of ``glyphs`` as text (spaces where PDFium put them)."""
    lines: dict[float, str] = {}
    for g in glyphs:
        y = round(g.origin[1], 2)
        lines[y] = lines.get(y, "") + (" " if g.spaced and y in lines else "") + g.ch
    return [lines[y] for y in sorted(lines, reverse=True)]


@pytest.fixture(scope="module")
def tight_form() -> tuple[list[Page], dict[str, list[str]]]:
    """Version 2 (both languages) with a Swedish text in each wrapped column made to wrap at that column's
    width: a checkbox's label, a choice's label and option, the scale's names and definitions, a level head,
    an area's label and indicators, the privacy note, the scale note, the instructions."""
    import dataclasses

    from minicex_pdf.form.definition import load_definition
    from minicex_pdf.form.generator import build_form

    d = load_definition(2)
    content = RIGHT - MARGIN
    cell = (content - GUTTER) * 0.45  # the tick box's share of its row, beside a 0.55 text field
    area_w = content - 5 * 54 - 10
    texts = {
        "checkbox": tight("Kryssa", BOLD, 9, cell - 14.5 - 5),
        "choice": tight("Vald", BOLD, 9, 150 - 6),
        "option": tight("Alternativ", REG, 8, content - 150 - 14.5 - 6),
        "name": tight("Namnet", BOLD, 8, 120 - 6),
        "definition": tight("Definitionen", REG, 8, content - 120 - 8),
        "head": tight("Huvud", BOLD, 8, 54 - 4),
        "area": tight("Området", BOLD, 8.5, area_w - 8),
        "indicators": tight("Indikatorerna", REG, 8, area_w - 8),
        "privacy": tight("Integritet", BOLD, 8.5, content - 16),
        "note": tight("Noten", BOLD, 8, content - 8),
        "instructions": tight("Instruktionen", REG, 8, (content - 14) / 2),
        # the English under the Swedish: wrapped apart, in italic
        "definition_en": tight("Definition", ITAL, 8, content - 120 - 8),
        "indicators_en": tight("Indicators", ITAL, 8, area_w - 8),
        "instructions_en": tight("Instruction", ITAL, 8, (content - 14) / 2),
    }

    def sv(text: Text, key: str) -> Text:
        en = texts[f"{key}_en"][0] if f"{key}_en" in texts else text.en
        return Text(sv=texts[key][0], en=en)

    def field(f: Field) -> Field:
        if f.name == "complicated":
            return dataclasses.replace(f, label=sv(f.label, "checkbox"))
        if f.name == "setting":
            options = (dataclasses.replace(f.options[0], label=sv(f.options[0].label, "option")), *f.options[1:])
            return dataclasses.replace(f, label=sv(f.label, "choice"), options=options)
        if f.type == "level" and f.area == "history":
            return dataclasses.replace(f, label=sv(f.label, "area"))
        return f

    levels = [
        dataclasses.replace(lv, label=sv(lv.label, "name"), definition=sv(lv.definition, "definition"))
        if lv.code == "2"
        else dataclasses.replace(lv, label=sv(lv.label, "head"))
        if lv.code == "3"
        else lv
        for lv in d.levels
    ]
    areas = [
        dataclasses.replace(a, indicators=sv(a.indicators, "indicators")) if a.code == "history" else a for a in d.areas
    ]
    made = dataclasses.replace(
        d,
        privacy=sv(d.privacy, "privacy"),
        scale_note=sv(d.scale_note, "note"),
        instructions=(sv(d.instructions[0], "instructions"), *d.instructions[1:]),
        levels=tuple(levels),
        areas=tuple(areas),
        sections=tuple(dataclasses.replace(s, fields=tuple(field(f) for f in s.fields)) for s in d.sections),
    )
    return read_layout(build_form(made)), {k: v[1] for k, v in texts.items()}


@pytest.mark.parametrize(
    "key",
    [
        "checkbox",
        "choice",
        "option",
        "name",
        "definition",
        "head",
        "area",
        "indicators",
        "privacy",
        "note",
        "instructions",
        "definition_en",
        "indicators_en",
        "instructions_en",
    ],
)
def test_each_column_wraps_its_text_at_exactly_its_width(tight_form, key):
    pages, lines = tight_form
    text = " ".join(lines[key])
    places = [p for page in pages for p in page.find(text)]
    if key in ("name", "head"):  # a step's label is both in the scale (names column) and over its table column
        places = [p for p in places if (p[0].origin[0] < PAGE_W / 2) == (key == "name")]
    assert places, key
    assert [printed_lines(p) for p in places] == [lines[key]] * len(places), key


def bezier_paths(stream: str) -> list[tuple[str, list[tuple[float, float]]]]:
    """Each painted path of a content stream (``m``, ``l``, ``c``, then ``f`` or ``S``): its paint operator and
    points sampled along it."""
    out, points, nums, current = [], [], [], (0.0, 0.0)
    for token in stream.split():
        try:
            nums.append(float(token))
            continue
        except ValueError:
            pass
        if token == "m":
            current = (nums[0], nums[1])
            points = [current]
        elif token == "l":
            current = (nums[0], nums[1])
            points.append(current)
        elif token == "c":
            (x0, y0), (x1, y1, x2, y2, x3, y3) = current, nums
            for i in range(1, 11):
                t = i / 10
                a, b, c_, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
                points.append((a * x0 + b * x1 + c_ * x2 + d * x3, a * y0 + b * y1 + c_ * y2 + d * y3))
            current = (x3, y3)
        elif token in ("f", "S"):
            out.append((token, points))
            points = []
        nums = []
    return out


def test_radio_buttons_are_true_circles_a_white_disc_a_ring_and_a_dot_when_on(blank_pdfs, definition):
    """Each radio button's appearances (off and on) are circles round its middle: a white disc filling the
    box, a 0.8 pt ring just inside it, and when on a dot of 0.45 of the radius; nothing else."""
    tick = SIZES[definition.version]["tick"]
    c = tick / 2
    doc = PdfReader(io.BytesIO(blank_pdfs["sv+en"]))
    radios = 0
    for page in doc.pages:
        for annot in page.get("/Annots", []):
            w = annot.get_object()
            parent = w.get("/Parent")
            if parent is None or not int(parent.get_object().get("/Ff", 0)) & (1 << 15):
                continue
            for state, ap in w["/AP"]["/N"].items():
                stream = ap.get_object().get_data().decode("latin-1")
                paths = bezier_paths(stream)
                expected = [("f", c), ("S", c - 0.4)] + ([("f", 0.45 * c)] if state != "/Off" else [])
                assert [op for op, _ in paths] == [op for op, _ in expected], state
                for (_, points), (_, radius) in zip(paths, expected, strict=True):
                    assert len(points) == 41
                    for x, y in points:
                        assert ((x - c) ** 2 + (y - c) ** 2) ** 0.5 == pytest.approx(radius, abs=0.03), (state, x, y)
                assert "1 g" in stream and "0 G 0.8 w" in stream and ("0 g" in stream) == (state != "/Off")
                radios += 1
    assert radios >= 40


def test_a_row_a_hair_over_full_width_is_shared_in_proportion_inside_the_margins():
    """Widths summing to a little over 1 (0.5 + 0.50005, rounding in a definition) still share one row:
    each box its share of the row, the last ending at the right margin."""
    import dataclasses

    from minicex_pdf.form.definition import load_definition
    from minicex_pdf.form.generator import build_form

    base = load_definition(2)
    first = base.sections[0]
    a, b = first.fields[0], first.fields[1]
    assert (a.type, b.type, a.width, b.width) == ("text", "text", 0.5, 0.5)
    wider = dataclasses.replace(b, width=0.50005)
    section = dataclasses.replace(first, fields=(a, wider, *first.fields[2:]))
    pages = read_layout(build_form(dataclasses.replace(base, sections=(section, *base.sections[1:])), lang="sv"))
    _, wa = the_widget(pages, a.name)
    _, wb = the_widget(pages, b.name)
    assert wa.box.y0 == wb.box.y0 and wa.box.x0 == pytest.approx(MARGIN, abs=0.01)
    assert wb.box.x0 - wa.box.x1 == pytest.approx(GUTTER, abs=0.01)
    assert wb.box.x1 == pytest.approx(RIGHT, abs=0.01)
    assert wa.box.w / wb.box.w == pytest.approx(0.5 / 0.50005, rel=1e-6)


def test_a_line_break_typed_into_a_one_line_field_becomes_a_space(definition):
    from minicex_pdf.form.generator import form_values

    text = next(f for f in definition.fields if f.type == "text")
    multi = next(f for f in definition.fields if f.type == "multiline")
    values = form_values(definition, {text.name: "Anna\r\nBerg\nLund", multi.name: "Rad 1\r\nRad 2\rRad 3"})
    assert values == {text.name: "Anna Berg Lund", multi.name: "Rad 1\nRad 2\nRad 3"}
