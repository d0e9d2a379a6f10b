"""The progress report as a reader sees it: the rendered PDF read back with PDFium (pypdfium2).

One report is made for the whole module from hand-built progress (five trainees and roster
lines; a few tests make a small report of their own for one case), and every test reads what is drawn: text runs with their font, size and place, and the
paths (boxes, bars, markers, lines) with their points and colours. The expectations are what a
reader can check on paper: headings in bold, nothing outside the margins or over other text,
table columns that line up, bars as tall as their counts, each level marker on its level's row
(levels are ordinal: a mark is never between two rows), and names beyond Latin-1 in the embedded font.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as dt
import itertools
import math
from collections import Counter
from dataclasses import dataclass

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from test_progress import HSLF, LEVELS, D, R, record

from minicex_pdf.form.definition import Text
from minicex_pdf.reading.record import SubGoal
from minicex_pdf.report.progress import AreaProgress, Feedback, FormRef, Observation, TraineeProgress, cohort
from minicex_pdf.report.writer import MARGIN, ReportWriter, T, write_report
from minicex_pdf.storage.store import Store

pdfium = pytest.importorskip("pypdfium2")
raw = pytest.importorskip("pypdfium2.raw")

PAGE_W, PAGE_H = A4
BOTTOM = MARGIN + 4 * mm  # the document's bottom margin: the footer stands below it
EN = "en"
#: The shipped Unicode font (DejaVu Sans, regular and bold) by the name it has in the PDF.
UNICODE_FONT = ("DejaVuSans", "DejaVuSans-Bold")
day = dt.date

# --------------------------------------------------------------------------- what the report shows


def _area(index: int, ranks, dates, assessor: str = "Dr A") -> AreaProgress:
    a = D.areas[index]
    obs = tuple(
        Observation(d, LEVELS[r] if r is not None else None, assessor) for d, r in zip(dates, ranks, strict=True)
    )
    return AreaProgress(a.code, a.label, obs, sum(1 for r in ranks if r))


def _options(field, counts) -> tuple[tuple[str, int], ...]:
    return tuple((o.code, n) for o, n in zip(field.options, counts, strict=True))


ASA_DATES = [day(2026, 1, 14), day(2026, 2, 3), day(2026, 2, 3), day(2026, 2, 20), day(2026, 4, 7), day(2026, 4, 24)]
#: Each area's level rank per form, in date order (None: left blank); the seventh form has no date.
ASA_RANKS = [
    [1, 4, 2, 2, 3, 0, None],
    [2, 2, 3, 1, 4, None, 1],
    [0, 0, 1, 3, 2, 4, 2],
    [None, 1, 1, 1, 1, 1, 3],
    [1, 4, 2, 3, 3, 2, 2],
]
LONG = "The history was taken in a clear order and the patient was asked about every medicine. " * 6
ASA = TraineeProgress(
    name="Åsa Öberg",
    specialty="Allmänmedicin",
    count=7,
    undated=1,
    latest=day(2026, 4, 24),
    per_month=(("2026-01", 1), ("2026-02", 3), ("2026-03", 0), ("2026-04", 2)),
    assessors=("Karin Holm", "Per Ek", "Omar Aziz"),
    by_supervisor=2,
    areas=tuple(_area(i, ranks, [*ASA_DATES, None]) for i, ranks in enumerate(ASA_RANKS)),
    settings=_options(R.setting, [3, 2, 1, 1]),
    complexity=_options(R.complexity, [4, 3]),
    complicated=2,
    regulation=HSLF,
    # long enough to wrap in their cells
    subgoals_covered=tuple((SubGoal(f"ST{c}{i}", HSLF), i) for c, n in (("a", 7), ("b", 5)) for i in range(1, n + 1)),
    subgoals_missing=tuple(f"STc{i}" for i in range(1, 15)),
    awaiting_action_plan=(FormRef(day(2026, 4, 24), "Omar Aziz", "/in/returned/asa-6.pdf"),),
    feedback=tuple(
        Feedback(d, who, f"Went well {i}. {LONG}", f"Next time {i}. {LONG}", f"Plan {i}. {LONG}" if i != 5 else "")
        for i, (d, who) in enumerate(
            zip(
                [*ASA_DATES, None],
                ["Karin Holm", "Per Ek", "Per Ek", "Omar Aziz", "Karin Holm", "Omar Aziz", "Per Ek"],
                strict=True,
            )
        )
    ),
    notes=(Text(sv="En anteckning om namnet.", en="A note about the name."),),
    incomplete=(FormRef(day(2026, 3, 2), "Lena Sjö", "/in/returned/asa-ofullst.pdf"),),
    empty=(FormRef(None, "", "/in/returned/asa-tom.pdf"),),
    signed_by_assessor=3,
    signable=4,
    changed_after_signing=(FormRef(day(2026, 2, 20), "Omar Aziz", "/in/returned/asa-changed.pdf"),),
)
LUKASZ_RANKS = [[2], [3], [None], [0], [2]]
LUKASZ = TraineeProgress(
    name="Łukasz Wiśniewski",
    specialty="Chirurgia",  # not in the sub-goal catalogue
    count=1,
    undated=0,
    latest=day(2026, 5, 11),
    per_month=(("2026-05", 1),),
    assessors=("Ewa Łoś",),
    by_supervisor=0,
    areas=tuple(_area(i, ranks, [day(2026, 5, 11)], "Ewa Łoś") for i, ranks in enumerate(LUKASZ_RANKS)),
    settings=_options(R.setting, [0, 1, 0, 0]),
    complexity=_options(R.complexity, [0, 1]),
    complicated=0,
    regulation=None,
    subgoals_covered=(),
    subgoals_missing=(),
    awaiting_action_plan=(),
    feedback=(Feedback(day(2026, 5, 11), "Ewa Łoś", "Καλή δουλειά", "", ""),),
)
#: Text one block cannot keep on one page.
KARL_LONG = " ".join(f"Sentence {i} of a very long suggestion for next time." for i in range(200))
#: Three forms a month over 37 months: the month labels must thin out, the sequences go under the charts.
KARL_DATES = [day(2023 + (m // 12), m % 12 + 1, d) for m in range(37) for d in (5, 13, 21)]
KARL_RANKS = [[(i + k) % 5 for i in range(111)] for k in range(5)]
KARL = TraineeProgress(
    name="Karl Lind",
    specialty="Kirurgi",
    count=111,
    undated=0,
    latest=KARL_DATES[-1],
    per_month=tuple((d.strftime("%Y-%m"), 3) for d in KARL_DATES[::3]),
    assessors=("Eva Al",),
    by_supervisor=111,
    areas=tuple(_area(i, ranks, KARL_DATES, "Eva Al") for i, ranks in enumerate(KARL_RANKS)),
    settings=_options(R.setting, [111, 0, 0, 0]),
    complexity=_options(R.complexity, [111, 0]),
    complicated=0,
    regulation=HSLF,
    subgoals_covered=(),
    subgoals_missing=("STa1",),
    awaiting_action_plan=(),
    #: the second text is longer than a page: it must go on over the page break, no line lost
    feedback=(
        Feedback(KARL_DATES[0], "Eva Al", "", "Mer tid", ""),
        Feedback(KARL_DATES[1], "Eva Al", "", KARL_LONG, ""),
    ),
)
#: No specialty, and no form with a date: no charts, only the count of forms without a date.
ANN = TraineeProgress(
    name="Ann Ek",
    specialty="",
    count=1,
    undated=1,
    latest=None,
    per_month=(),
    assessors=("Dr X",),
    by_supervisor=1,
    areas=tuple(_area(i, [2], [None], "Dr X") for i in range(5)),
    settings=_options(R.setting, [0, 0, 0, 1]),
    complexity=_options(R.complexity, [1, 0]),
    complicated=1,
    regulation=None,
    subgoals_covered=(),
    subgoals_missing=(),
    awaiting_action_plan=(),
    feedback=(Feedback(None, "Dr X", "Lugnt", "", "Öva"),),
)
#: 26 forms, every area observed each time: some sequences just fit beside their titles, one only just not.
SARA_DATES = [day(2025, 1, 6) + dt.timedelta(days=7 * i) for i in range(26)]
SARA = dataclasses.replace(
    KARL,
    name="Sara Holm",
    count=26,
    latest=SARA_DATES[-1],
    per_month=tuple(
        (m, sum(1 for d in SARA_DATES if d.strftime("%Y-%m") == m))
        for m in dict.fromkeys(d.strftime("%Y-%m") for d in SARA_DATES)
    ),
    by_supervisor=26,
    areas=tuple(_area(i, [1 + j % 4 for j in range(26)], SARA_DATES, "Eva Al") for i in range(5)),
    settings=_options(R.setting, [26, 0, 0, 0]),
    complexity=_options(R.complexity, [26, 0]),
    feedback=(Feedback(SARA_DATES[0], "Eva Al", "Bra struktur", "", ""),),
)
TRAINEES = (ASA, LUKASZ, KARL, ANN, SARA)
#: Roster lines: one trainee without forms (specialty as the catalogue writes it), two of the same name as a
#: trainee with forms but another specialty (one known to the catalogue, one not); the rest are trainees
#: with forms, written otherwise (Ann's forms name no specialty: any of hers is she).
ROSTER = [
    ("Bo Berg", "kirurgi"),
    ("åsa  öberg", "Allmänmedicin"),
    ("Åsa Öberg", "Kirurgi"),
    ("ANN EK", "Kirurgi"),
    ("łukasz wiśniewski", "chirurgia"),
    ("Łukasz Wiśniewski", "Kirurgi"),
]

# --------------------------------------------------------------------------- reading the PDF back


@dataclass(frozen=True)
class Run:
    """One text object: its text, font, size, origin (baseline start) and glyph box."""

    text: str
    font: str
    size: float
    x: float
    y: float
    box: tuple[float, float, float, float]
    embedded: bool
    colour: tuple[int, int, int]

    @property
    def bold(self) -> bool:
        return self.font.endswith("Bold")

    @property
    def centre(self) -> float:
        """The middle of the text by advance widths (what centring lines up)."""
        return (self.x + self.right) / 2

    @property
    def right(self) -> float:
        """Where the text ends by the font's advance widths (what right alignment lines up)."""
        name = self.font.split("+")[-1]
        return self.x + stringWidth(self.text.rstrip(), name, self.size)


@dataclass(frozen=True)
class Shape:
    """One path object: its points on the page, how many segments, fill and stroke grey (None: not painted)."""

    points: tuple[tuple[float, float], ...]
    segments: int
    fill: tuple[int, int, int] | None
    stroke: tuple[int, int, int] | None
    box: tuple[float, float, float, float]
    dash: tuple[float, ...] = ()  # the dash pattern, empty for a solid line
    line: float = 0.0  # the stroke's width

    @property
    def centre(self) -> tuple[float, float]:
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """Where the path's points lie (its box without the line's width)."""
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        return min(xs), min(ys), max(xs), max(ys)

    @property
    def form(self) -> tuple[int, tuple[tuple[float, float], ...]]:
        """The outline independent of place and size: what makes two markers the same shape."""
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        w, h = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
        return self.segments, tuple((round((x - min(xs)) / w, 2), round((y - min(ys)) / h, 2)) for x, y in self.points)


@dataclass(frozen=True)
class Page:
    """What one page draws, in content order, and its text characters with their fonts."""

    objects: tuple[Run | Shape, ...]
    chars: tuple[tuple[str, str, float], ...]  # (character, font name, size), generated spaces and breaks as " "

    @property
    def runs(self) -> list[Run]:
        return [o for o in self.objects if isinstance(o, Run)]

    @property
    def shapes(self) -> list[Shape]:
        return [o for o in self.objects if isinstance(o, Shape)]

    @property
    def body(self) -> list[Run]:
        """The text above the footer."""
        return [r for r in self.runs if r.y > BOTTOM - 2]


def _colour(getter, obj) -> tuple[int, int, int]:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    assert getter(obj.raw, r, g, b, a)
    return r.value, g.value, b.value


def _shape(obj) -> Shape:
    m = obj.get_matrix()
    points = []
    n = raw.FPDFPath_CountSegments(obj.raw)
    for k in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj.raw, k)
        x, y = ctypes.c_float(), ctypes.c_float()
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        points.append((m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f))
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fillmode), ctypes.byref(stroke))
    return Shape(
        tuple(points),
        n,
        _colour(raw.FPDFPageObj_GetFillColor, obj) if fillmode.value else None,
        _colour(raw.FPDFPageObj_GetStrokeColor, obj) if stroke.value else None,
        tuple(obj.get_bounds()),
        _dash(obj),
        _line_width(obj),
    )


def _line_width(obj) -> float:
    width = ctypes.c_float()
    assert raw.FPDFPageObj_GetStrokeWidth(obj.raw, ctypes.byref(width))
    return round(width.value, 3)


def _dash(obj) -> tuple[float, ...]:
    n = raw.FPDFPageObj_GetDashCount(obj.raw)
    if n <= 0:
        return ()
    array = (ctypes.c_float * n)()
    assert raw.FPDFPageObj_GetDashArray(obj.raw, array, n)
    return tuple(array)


def _chars(tp) -> tuple[tuple[str, str, float], ...]:
    out = []
    for i in range(tp.count_chars()):
        ch = chr(raw.FPDFText_GetUnicode(tp.raw, i))
        buf, flags = ctypes.create_string_buffer(128), ctypes.c_int()
        raw.FPDFText_GetFontInfo(tp.raw, i, buf, 128, ctypes.byref(flags))
        font = buf.value.decode()
        out.append((" " if ch.isspace() or not font else ch, font, raw.FPDFText_GetFontSize(tp.raw, i)))
    return tuple(out)


def read_pages(pdf: bytes) -> list[Page]:
    pages = []
    doc = pdfium.PdfDocument(pdf)
    for page in doc:
        tp = page.get_textpage()
        objects: list[Run | Shape] = []
        for obj in page.get_objects(textpage=tp):
            if obj.type == raw.FPDF_PAGEOBJ_TEXT:
                m, font = obj.get_matrix(), obj.get_font()
                objects.append(
                    Run(
                        obj.extract(),
                        font.get_base_name(),
                        round(obj.get_font_size(), 2),
                        m.e,
                        m.f,
                        obj.get_bounds(),
                        font.is_embedded,
                        _colour(raw.FPDFPageObj_GetFillColor, obj),
                    )
                )
            elif obj.type == raw.FPDF_PAGEOBJ_PATH:
                objects.append(_shape(obj))
        pages.append(Page(tuple(objects), _chars(tp)))
    return pages


@pytest.fixture(scope="module")
def report() -> list[Page]:
    pdf = ReportWriter(D, EN, today=day(2026, 6, 1)).build(TRAINEES, roster=ROSTER)
    return read_pages(pdf)


def _sections(pages: list[Page]) -> list[list[Page]]:
    """Each trainee's pages: from the page whose first body text is a 16 pt heading to the next such page."""
    starts = [i for i, p in enumerate(pages) if p.body and p.body[0].size == 16]
    return [pages[a:b] for a, b in itertools.pairwise([*starts, len(pages)])]


def _words(page: Page, bold: bool) -> list[tuple[str, float]]:
    """The words drawn in bold (or not), each with its size; a word drawn partly in each is kept as mixed."""
    out = []
    for is_space, group in itertools.groupby(page.chars, key=lambda c: c[0] == " "):
        if is_space:
            continue
        chars = list(group)
        kinds = {c[1].endswith("Bold") for c in chars}
        if kinds == {bold} or len(kinds) > 1:
            out.append(("".join(c[0] for c in chars) + ("" if len(kinds) == 1 else "<mixed>"), chars[0][2]))
    return out


def _text_words(text: str, size: float) -> list[tuple[str, float]]:
    return [(w, size) for w in text.split()]


def _overlap(a, b, shrink: float = 0.5) -> bool:
    return (
        a[0] + shrink < b[2] - shrink
        and b[0] + shrink < a[2] - shrink
        and a[1] + shrink < b[3] - shrink
        and b[1] + shrink < a[3] - shrink
    )


# --------------------------------------------------------------------------- the page


def test_everything_drawn_lies_inside_the_margins_and_the_footer_below_the_text(report):
    for n, page in enumerate(report, 1):
        for obj in page.objects:
            left, bottom, right, top = obj.box if isinstance(obj, Run) else obj.extent
            assert left >= MARGIN - 0.5 and right <= PAGE_W - MARGIN + 0.5, (n, obj)
            assert top <= PAGE_H - MARGIN + 0.5, (n, obj)
            assert bottom >= (BOTTOM - 0.5 if obj not in page.runs[:2] else 0), (n, obj)
        # the footer: the report's title and date at the left margin, the page number ending at the right one
        footer = page.runs[:2]
        assert [r.text.strip() for r in footer] == [f"{T['title'][EN]} · {T['generated'][EN]} 2026-06-01", f"page {n}"]
        assert footer[0].x == pytest.approx(MARGIN, abs=0.01)
        assert footer[1].right == pytest.approx(PAGE_W - MARGIN, abs=0.05)
        assert footer[0].y == footer[1].y == pytest.approx(MARGIN - 2 * mm, abs=PIN)  # 2 mm under the margin
        assert [r.size for r in footer] == [7, 7] and not any(r.bold for r in footer)
        assert all(r.box[3] < BOTTOM - 8 for r in footer)  # set well apart from the text above it


def test_no_text_is_drawn_over_other_text(report):
    for n, page in enumerate(report, 1):
        for a, b in itertools.combinations(page.runs, 2):
            assert not _overlap(a.box, b.box), (n, a.text, b.text)


def test_each_trainee_starts_a_new_page_under_their_name_in_bold_16_pt(report):
    sections = _sections(report)
    for section, p in zip(sections, TRAINEES, strict=True):
        first = section[0].body
        heading = [r for r in first if r.size == 16]
        assert "".join(r.text for r in heading).strip() == p.name
        assert all(r.bold for r in heading)
        # the name is the topmost text of the page, at the top margin
        assert max(r.box[3] for r in heading) == max(r.box[3] for r in first)
        assert max(r.box[3] for r in heading) > PAGE_H - MARGIN - 16
    # the cohort page comes first
    assert "".join(r.text for r in report[0].body[:1]).strip() == T["cohort"][EN]


def _expected_bold(p: TraineeProgress) -> list[tuple[str, float]]:
    of = T["of"][EN]
    words = _text_words(p.name, 16)
    for value in (str(p.count), str(len(p.assessors)), f"{p.not_by_supervisor} {of} {p.count}"):
        words += _text_words(value, 14)
    words += _text_words(str(len(p.awaiting_action_plan)), 14)
    words += _text_words(T["per_month"][EN], 10) + _text_words(T["levels"][EN], 10)
    for area in p.areas if p.per_month else ():  # no chart without a dated form
        words += _text_words(f"{area.label[EN]} – {T['observed'][EN]} {area.observed} {of} {p.count}", 8.5)
    sections = ["met", "subgoals"]
    sections += ["waiting"] if p.awaiting_action_plan else []
    sections += ["incomplete_list"] if p.incomplete else []
    sections += ["empty_list"] if p.empty else []
    sections += ["changed"] if p.changed_after_signing else []
    sections += ["feedback"]
    for key in sections:
        words += _text_words(T[key][EN], 11)
    for title in (R.setting.title, R.complexity.title, R.complicated.title):
        words += _text_words(title[EN], 8.5)
    words += _text_words(T["covered"][EN], 8.5)
    if p.regulation:
        words += _text_words(T["missing"][EN], 8.5)
    for ref in p.changed_after_signing:
        words += _text_words(f"{ref.date} · {ref.assessor} · {ref.path.rsplit('/', 1)[-1]}", 8.5)
    for fb in p.feedback:
        words += _text_words(f"{fb.date or T['no_date'][EN]} · {fb.assessor}", 9)
    return words


def test_headings_titles_and_key_figures_are_bold_and_nothing_else_is(report):
    sections = _sections(report)
    for section, p in zip(sections, TRAINEES, strict=True):
        bold = [w for page in section for w in _words(page, bold=True)]
        assert Counter(bold) == Counter(_expected_bold(p)), p.name
    cohort_bold = _words(report[0], bold=True)
    head = ["name", "specialty", "forms", "assessors", "not_supervisor", "awaiting"]
    head += ["incomplete_short", "empty_short", "latest"]
    expected = _text_words(T["cohort"][EN], 15) + [w for k in head for w in _text_words(T[k][EN], 7)]
    assert Counter(cohort_bold) == Counter(expected)


def test_names_beyond_latin_1_are_drawn_in_the_embedded_unicode_font_the_rest_in_helvetica(report):
    seen = set()
    for page in report:
        for ch, font, _ in page.chars:
            if ch == " ":
                continue
            family = font.split("+")[-1]
            if ord(ch) > 0xFF and ch not in "–·’":  # en dash, middle dot and ’ are in Helvetica's encoding
                assert family in UNICODE_FONT, (ch, font)
                seen.add(ch)
            else:
                assert family.startswith("Helvetica"), (ch, font)
    assert seen == set("ŁśΚαλήδουειά")
    # the Unicode font is embedded (a viewer without it still shows the name); bold text stays bold
    runs = [r for page in report for r in page.runs]
    assert {(r.font.split("+")[-1], r.embedded) for r in runs} == {
        ("Helvetica", False),
        ("Helvetica-Bold", False),
        ("DejaVuSans", True),
        ("DejaVuSans-Bold", True),
    }
    heading = [r for r in _sections(report)[1][0].body if r.size == 16]
    assert [(r.text, r.font.split("+")[-1]) for r in heading] == [
        ("Ł", "DejaVuSans-Bold"),
        ("ukasz Wi", "Helvetica-Bold"),
        ("ś", "DejaVuSans-Bold"),
        ("niewski", "Helvetica-Bold"),
    ]


# --------------------------------------------------------------------------- the cohort table


COHORT_HEAD = ["name", "specialty", "forms", "assessors", "not_supervisor", "awaiting", "incomplete_short"]
COHORT_HEAD += ["empty_short", "latest"]


def _cohort_rows() -> list[list[str]]:
    """The cohort table's rows, by name then specialty."""
    of = T["of"][EN]
    rows = []
    for ln in cohort(TRAINEES):
        rows.append(
            [
                ln.name,
                ln.specialty or "–",
                str(ln.count),
                str(ln.assessors),
                f"{ln.not_by_supervisor} {of} {ln.count}",
                str(ln.awaiting_action_plan),
                str(ln.incomplete),
                str(ln.empty),
                ln.latest.isoformat() if ln.latest else "–",
            ]
        )
    rows.append(["Bo Berg", "Kirurgi", "0", "0", f"0 {of} 0", "0", "0", "0", "–"])
    rows.append(["Åsa Öberg", "Kirurgi", "0", "0", f"0 {of} 0", "0", "0", "0", "–"])
    rows.append(["Łukasz Wiśniewski", "Kirurgi", "0", "0", f"0 {of} 0", "0", "0", "0", "–"])
    return sorted(rows, key=lambda row: (row[0].casefold(), row[1].casefold()))


def test_the_cohort_table_has_one_row_per_trainee_with_its_cells_lined_up_under_the_headers(report):
    page = report[0]
    head = [r for r in page.body if r.size == 7]
    heads = []  # each header cell's first line
    for r in head:
        if not heads or r.x > heads[-1].x + 1:
            heads.append(r)
    assert len(heads) == len(COHORT_HEAD)
    assert len({h.y for h in heads}) == 1  # every header starts on the top line
    assert all(T[k][EN].startswith(h.text.strip()) for h, k in zip(heads, COHORT_HEAD, strict=True))
    body = [r for r in page.body if r.size == 8.5]
    header_bottom = min(r.box[1] for r in head)
    title = report[0].body[0]
    assert title.box[1] - max(r.box[3] for r in head) > title.size  # a line of white between the title and the table
    assert all(r.box[3] < header_bottom for r in body)
    # group the body into rows by baseline (a cell may span several font runs on one line)
    lines: dict[float, list[Run]] = {}
    for r in body:
        lines.setdefault(round(r.y, 1), []).append(r)
    expected = _cohort_rows()
    assert len(lines) == len(expected)
    got = {}
    for y, runs in lines.items():
        cells: list[list[Run]] = [[] for _ in heads]
        for r in runs:
            col = max(i for i, h in enumerate(heads) if h.x <= r.x + 0.01)
            cells[col].append(r)
        texts = ["".join(r.text for r in c).strip() for c in cells]
        got[y] = (y, texts, cells)
    assert [got[y][1] for y in sorted(got, reverse=True)] == expected  # top down
    # text columns start where their header starts; number columns end on one line, left of the next column
    for col in range(len(heads)):
        cells = [v[2][col] for v in got.values()]
        if col in (0, 1, 8):
            assert {round(c[0].x, 2) for c in cells} == {round(heads[col].x, 2)}, col
        else:
            rights = [c[-1].right for c in cells]
            assert max(rights) - min(rights) < 0.05, (col, rights)
            # flush right: a few points from the next column's border (its header's 2 pt left padding off)
            assert 1 <= heads[col + 1].x - 2 - rights[0] <= 3.5, col
            assert heads[col].x < min(c[0].x for c in cells), col
    # rows do not overlap: each row's text lies between the lines drawn under the rows
    rows = sorted(
        (min(r.box[1] for c in v[2] for r in c), max(r.box[3] for c in v[2] for r in c)) for v in got.values()
    )
    for (_, t0), (b1, _) in itertools.pairwise(rows):
        assert t0 < b1
    rules = sorted(s.points[0][1] for s in page.shapes if s.segments == 2 and s.fill is None)
    assert len(rules) == len(expected) + 1  # under the header and under each row, across the whole table
    spans = {(round(s.extent[0], 2), round(s.extent[2], 2)) for s in page.shapes if s.segments == 2}
    assert spans == {(round(MARGIN, 2), round(PAGE_W - MARGIN, 2))}
    for (bottom, top), below, above in zip(rows, rules[:-1], rules[1:], strict=True):
        assert below < bottom and top < above
    left = min(s.extent[0] for s in page.shapes)
    right = max(s.extent[2] for s in page.shapes)
    assert left == pytest.approx(MARGIN, abs=0.5) and right == pytest.approx(PAGE_W - MARGIN, abs=0.5)


# --------------------------------------------------------------------------- key figures and lines


def _between(page: Page, first: str, last: str | None) -> list[Run | Shape]:
    """The objects drawn after the run starting with ``first`` and before the run starting with ``last``."""
    objs = list(page.objects)
    a = next(i for i, o in enumerate(objs) if isinstance(o, Run) and o.text.startswith(first))
    b = next(
        (i for i, o in enumerate(objs[a + 1 :], a + 1) if isinstance(o, Run) and last and o.text.startswith(last)),
        len(objs),
    )
    return objs[a + 1 : b]


def test_the_four_key_figures_stand_in_equal_boxes_side_by_side_value_over_label(report):
    of = T["of"][EN]
    for section, p in zip(_sections(report), TRAINEES, strict=True):
        page = section[0]
        objs = _between(page, p.name.split()[0][:1], T["incomplete"][EN])
        boxes = [o for o in objs if isinstance(o, Shape)]
        values = [o for o in objs if isinstance(o, Run) and o.size == 14]
        labels = [o for o in objs if isinstance(o, Run) and o.size == 7.5]
        assert [v.text.strip() for v in values] == [
            str(p.count),
            str(len(p.assessors)),
            f"{p.not_by_supervisor} {of} {p.count}",
            str(len(p.awaiting_action_plan)),
        ]
        assert [lb.text.strip() for lb in labels] == [
            T[k][EN] for k in ("forms", "assessors", "not_supervisor", "awaiting")
        ]
        assert len(boxes) == 4 and all(b.fill is None and b.stroke == (0, 0, 0) and b.segments == 5 for b in boxes)
        rects = [b.extent for b in boxes]
        widths = {round(r[2] - r[0], 3) for r in rects}
        gaps = {round(b[0] - a[2], 3) for a, b in itertools.pairwise(rects)}
        assert len(widths) == 1 and len(gaps) == 1 and 0 < gaps.pop() < widths.pop() / 10
        assert len({(round(r[1], 3), round(r[3], 3)) for r in rects}) == 1
        # the boxes fill the text column: from where the paragraphs start to the same inset from the right margin
        inset = rects[0][0] - MARGIN
        assert 0 <= inset < 10 and rects[-1][2] == pytest.approx(PAGE_W - MARGIN - inset, abs=0.01)
        for rect, value, label in zip(rects, values, labels, strict=True):
            assert value.x == label.x and value.x - rect[0] > 3
            assert rect[1] < label.box[1] < label.box[3] < value.box[1] < value.box[3] < rect[3]
            assert value.right < rect[2] and label.right < rect[2]


def test_the_lines_under_the_key_figures_name_the_uncounted_signed_and_listed_forms(report):
    asa = [r for page in _sections(report)[0] for r in page.body]

    def line(text: str) -> Run:
        return next(r for r in asa if r.text.strip() == text)

    counted = line(f"{T['incomplete'][EN]}: 1 · {T['empty'][EN]}: 1")
    signed = line(f"{T['signed'][EN]}: 3 {T['of'][EN]} 4")
    note = line("A note about the name.")
    assert (counted.size, signed.size, note.size) == (8.5, 8.5, 8)
    assert not counted.bold and not signed.bold
    assert line("2026-04-24 · Omar Aziz · asa-6.pdf").size == 8.5
    assert line("2026-03-02 · Lena Sjö · asa-ofullst.pdf").size == 8.5
    assert line(f"{T['no_date'][EN]} · asa-tom.pdf").size == 8.5
    changed = line("2026-02-20 · Omar Aziz · asa-changed.pdf")
    assert changed.bold and changed.size == 8.5
    assert line(f"1 {T['undated'][EN]}").size == 7.5
    # Łukasz: no signature field on any form, no regulation
    lukasz = " ".join(r.text for page in _sections(report)[1] for r in page.body)
    assert T["signed"][EN] not in lukasz and T["no_regulation"][EN] in lukasz


def test_the_settings_and_sub_goal_tables_keep_titles_and_counts_in_two_columns(report):
    for section, p in zip(_sections(report), TRAINEES, strict=True):
        runs = [(n, r) for n, page in enumerate(section) for r in page.body if r.size == 8.5]
        titles = [R.setting.title[EN], R.complexity.title[EN], R.complicated.title[EN].split()[0], T["covered"][EN]]
        titles += [T["missing"][EN]] if p.regulation else []
        left = [next((n, r) for n, r in runs if r.bold and r.text.strip().startswith(t)) for t in titles]
        assert len({r.x for _, r in left}) == 1
        cells = [
            "   ·   ".join(f"{R.setting.option(c).label[EN]}: {n}" for c, n in p.settings),
            "   ·   ".join(f"{R.complexity.option(c).label[EN]}: {n}" for c, n in p.complexity),
            f"{p.complicated} {T['of'][EN]} {p.count}",
            ", ".join(f"{g.code} ({n})" for g, n in p.subgoals_covered) or T["none"][EN],
        ]
        cells += [", ".join(p.subgoals_missing) or T["none"][EN]] if p.regulation else []
        value_x = {round(r.x, 2) for n, r in runs if not r.bold and r.x > 150}
        assert len(value_x) == 1 and value_x.pop() > max(r.right for _, r in left)
        for (page, title), cell in zip(left, cells, strict=True):
            # the value starts on the title's first line (top-aligned), and may wrap under it
            first = next(i for i, (n, r) in enumerate(runs) if n == page and not r.bold and r.y == title.y)
            lines = [runs[first][1]]
            for n, r in runs[first + 1 :]:
                if n != page or r.bold or r.x < 150 or r.y >= lines[-1].y:
                    break
                lines.append(r)
            assert " ".join(" ".join(r.text for r in lines).split()) == " ".join(cell.split())


def test_each_row_of_the_settings_and_sub_goal_tables_has_a_hairline_rule_across_the_table_under_it(report):
    for section, p in zip(_sections(report), TRAINEES, strict=True):
        rules = [
            (n, s)
            for n, page in enumerate(section)
            for s in page.shapes
            if s.segments == 2
            and s.extent[0] == pytest.approx(MARGIN)
            and s.extent[2] == pytest.approx(PAGE_W - MARGIN)
            # a table split over a page break repeats the rule at the top of the next page, over nothing
            and any(r.box[1] > s.extent[1] for r in page.body)
        ]
        assert len(rules) == 3 + (2 if p.regulation else 1)
        for n, rule in rules:
            assert rule.stroke == (217, 217, 217)
            # a hairline: under 0.5 pt wide (PDFium's bounds add the width on each side)
            assert (rule.box[3] - rule.box[1]) - (rule.extent[3] - rule.extent[1]) < 1.0
            # under a row: the nearest text above it is a row's last line, none of it is crossed
            assert not any(r.box[1] < rule.extent[1] < r.box[3] for r in section[n].body)


# --------------------------------------------------------------------------- the charts


def _month_charts(report) -> list[tuple[list[Run | Shape], list[Run]]]:
    """Each trainee's month chart (its objects) and the text of its page."""
    out = []
    for section in _sections(report):
        page = next(pg for pg in section if any(r.text.startswith(T["per_month"][EN]) for r in pg.runs))
        out.append((_between(page, T["per_month"][EN], T["levels"][EN]), page.runs))
    return out


def test_month_bars_are_as_tall_as_their_counts_above_their_month_with_the_count_on_top(report):
    for (objs, page_runs), p in zip(_month_charts(report), TRAINEES, strict=True):
        if not p.per_month:  # no form with a date: an empty chart
            assert objs == []
            continue
        axis, *bars = [o for o in objs if isinstance(o, Shape)]
        assert axis.segments == 2 and axis.points[0][1] == axis.points[1][1] and axis.stroke == (0, 0, 0)
        months = [m for m, _ in p.per_month]
        counted = [(m, n) for m, n in p.per_month if n]
        assert len(bars) == len(counted)
        assert all(b.fill == (140, 140, 140) and b.stroke == (0, 0, 0) and b.segments == 5 for b in bars)
        rects = [b.extent for b in bars]
        base = axis.points[0][1]
        assert all(r[1] == pytest.approx(base, abs=0.01) for r in rects)
        assert len({round(r[2] - r[0], 3) for r in rects}) == 1
        assert all(a[2] < b[0] for a, b in itertools.pairwise(rects))  # bars stand apart
        # each bar is plainly a bar: at least half its month's slot wide (or 8 mm, when there are few months)
        slot_width = (axis.points[1][0] - axis.points[0][0]) / len(months)
        assert all(r[2] - r[0] >= min(slot_width / 2, 8 * mm) for r in rects)
        top = max(n for _, n in counted)
        tallest = max(r[3] - r[1] for r in rects)
        for r, (_, n) in zip(rects, counted, strict=True):
            assert (r[3] - r[1]) / tallest == pytest.approx(n / top, rel=1e-3)
        # every month has its slot; the labels (at most 12) name every k-th month under its slot
        texts = [o for o in objs if isinstance(o, Run)]
        numbers = [t for t in texts if t.box[1] > base]
        labels = [t for t in texts if t.box[3] < base]
        every = math.ceil(len(months) / 12)
        assert [t.text.strip() for t in labels] == months[::every]
        assert [t.text.strip() for t in numbers] == [str(n) for _, n in counted]
        centres = [t.centre for t in labels]
        if len(centres) > 1:
            slot = (centres[-1] - centres[0]) / (len(months[::every]) - 1) / every
            assert all(b - a == pytest.approx(slot * every, abs=0.3) for a, b in itertools.pairwise(centres))
        else:
            slot = 0
        for r, number, (month, _) in zip(rects, numbers, counted, strict=True):
            centre = centres[0] + slot * months.index(month)
            assert (r[0] + r[2]) / 2 == pytest.approx(centre, abs=0.3)
            assert number.centre == pytest.approx(centre, abs=0.05)
            assert r[3] + 1 * mm <= number.box[1] < r[3] + 6  # clear of its bar, and close to it
        # the chart keeps to its place: its month labels clear of the next heading under it
        heading = next(r for r in page_runs if r.text.startswith(T["levels"][EN]))
        assert min(t.box[1] for t in labels) > heading.box[3] + 3
        # nothing of the chart (a first month's label wider than its slot) starts left of the text column
        column = min(r.x for r in page_runs if r.text.startswith(T["per_month"][EN]))
        assert min(t.box[0] for t in texts) >= column
        assert axis.points[0][0] < min(r[0] for r in rects) and max(r[2] for r in rects) <= axis.points[1][0]
        # each bar in the middle of its month's slot: as much axis before the first month's as after the last's
        if p.per_month[0][1] and p.per_month[-1][1]:
            assert rects[0][0] - axis.points[0][0] == pytest.approx(axis.points[1][0] - rects[-1][2], abs=0.05)


@dataclass
class LevelChart:
    """One area's chart as read from the page."""

    sequence: list[Run]  # one line, or several under the chart
    title: Run
    labels: list[Run]
    legend: list[Shape]
    box: Shape
    ticks: list[Shape]
    months: list[Run]
    steps: list[Shape]
    markers: list[Shape]


def _level_charts(report) -> list[list[LevelChart]]:
    """Each trainee's level charts in area order."""
    out = []
    for section in _sections(report):
        charts = []
        for page in section:
            objs = list(page.objects)
            for i, o in enumerate(objs):
                if not (isinstance(o, Run) and o.text.startswith(T["sequence"][EN])):
                    continue
                if i and isinstance(objs[i - 1], Run) and objs[i - 1].size == 6.5:
                    continue  # a second line of the sequence
                sequence = [o]
                while isinstance(objs[i + len(sequence)], Run) and objs[i + len(sequence)].size == 6.5:
                    sequence.append(objs[i + len(sequence)])
                chart = [o]
                for nxt in objs[i + len(sequence) :]:
                    if isinstance(nxt, Run) and nxt.size not in (8.5, 6.8, 6.0):
                        break
                    if isinstance(nxt, Run) and nxt.size == 8.5 and len(chart) > 1:
                        break
                    chart.append(nxt)
                title = chart[1]
                labels = [r for r in chart if isinstance(r, Run) and r.size == 6.8]
                shapes = [s for s in chart if isinstance(s, Shape)]
                box = next(s for s in shapes if s.segments == 5 and s.fill is None and s.stroke == (0, 0, 0))
                legend = [s for s in shapes if s.fill is not None and s.box[2] < box.box[0]]
                rows = [s for s in shapes if s.stroke == (217, 217, 217)]
                rest = shapes[shapes.index(box) + 1 :]
                divider, *rest = rest
                # a level line between "not observed" (the bottom row) and the levels above it, across the frame
                assert divider.segments == 2 and divider.extent[::2] == box.extent[::2]
                (_, y0), (_, y1) = divider.points
                height = box.extent[3] - box.extent[1]
                assert y0 == y1 == pytest.approx(box.extent[1] + height / len(labels), abs=0.01)
                ticks = [s for s in rest if s.segments == 2 and s.stroke == (0, 0, 0) and s.fill is None]
                steps = [s for s in rest if s.stroke == (140, 140, 140) and s.fill is None]
                markers = [s for s in rest if s.fill is not None]
                assert len(rows) == len(labels)
                # the guides along each level's row are fine dots (1 pt at most), more gap than ink
                assert all(len(s.dash) == 2 and 0 < s.dash[0] <= 1 and s.dash[0] <= s.dash[1] for s in rows)
                assert all(s.dash == () for s in shapes if s not in rows)
                months = [r for r in chart if isinstance(r, Run) and r.size == 6.0]
                charts.append(LevelChart(sequence, title, labels, legend, box, ticks, months, steps, markers))
        out.append(charts)
    return out


def _marks(ranks) -> str:
    return " ".join("·" if r is None else "–" if r == 0 else LEVELS[r] for r in ranks)


def test_each_area_chart_has_its_title_sequence_and_one_row_per_level_from_not_observed_up(report):
    for charts, p in zip(_level_charts(report), TRAINEES, strict=True):
        assert len(charts) == (len(p.areas) if p.per_month else 0)
        for chart, area in zip(charts, p.areas if charts else (), strict=True):
            ranks = [None if o.level is None else LEVELS.index(o.level) for o in area.observations]
            sequence = " ".join(r.text.strip() for r in chart.sequence)
            assert sequence == f"{T['sequence'][EN]}: {_marks(ranks)}"
            assert not any(r.bold for r in chart.sequence) and chart.title.bold
            assert (
                chart.title.text.strip()
                == f"{area.label[EN]} – {T['observed'][EN]} {area.observed} {T['of'][EN]} {p.count}"
            )
            levels = sorted(D.levels, key=lambda lv: lv.rank)
            assert [r.text.strip() for r in chart.labels] == [
                (f"{lv.code} " if lv.rank else "") + lv.label[EN] for lv in levels
            ]
            ys = [r.y for r in chart.labels]
            assert len({round(b - a, 3) for a, b in itertools.pairwise(ys)}) == 1 and ys[1] > ys[0]
            # the labels end at one line, left of the legend marker, which is left of the chart's frame
            assert max(r.right for r in chart.labels) - min(r.right for r in chart.labels) < 0.05
            assert len(chart.legend) == len(levels)
            for label, marker in zip(chart.labels, chart.legend, strict=True):
                assert label.right < marker.box[0] and marker.box[2] < chart.box.box[0]
                # the legend marker stands in the middle between its label and the frame
                frame_left = min(x for x, _ in chart.box.points)
                assert marker.extent[0] - label.right == pytest.approx(frame_left - marker.extent[2], abs=0.3)
                assert label.box[1] < marker.centre[1] < label.box[3] + 1
                assert marker.extent[3] - marker.extent[1] >= (label.box[3] - label.box[1]) / 2  # plainly seen
            assert len({m.form for m in chart.legend}) == len(levels)  # every level its own shape
            # the frame is drawn no heavier than the markers' outlines (PDFium's bounds add the width each side)
            frame_line = ((chart.box.box[3] - chart.box.box[1]) - (chart.box.extent[3] - chart.box.extent[1])) / 2
            for m in chart.markers:
                assert frame_line <= ((m.box[2] - m.box[0]) - (m.extent[2] - m.extent[0])) / 2 + 0.01
            for m in [*chart.legend, *chart.markers]:  # outlined in black (a white ring shows), upright
                assert m.stroke == (0, 0, 0) and m.fill in ((0, 0, 0), (255, 255, 255))
                cx = m.centre[0]
                outline = {(round(x - cx, 2), round(y, 2)) for x, y in m.points}
                assert outline == {(-x, y) for x, y in outline}
            # the frame holds one row per level; the sequence sits on the title line or under the chart
            frame = chart.box.points
            height = max(y for _, y in frame) - min(y for _, y in frame)
            assert height == pytest.approx(len(levels) * (ys[1] - ys[0]), abs=0.01)
            if chart.sequence[0].y == chart.title.y:  # with at least 3 mm of white after the title
                (line,) = chart.sequence
                assert line.right == pytest.approx(max(x for x, _ in frame), abs=0.05)
                assert line.x - chart.title.right >= 3 * mm
            else:  # only when the title line is full: under the month labels, from the frame's left
                width = sum(stringWidth(r.text.strip(), r.font, r.size) for r in chart.sequence)
                assert max(x for x, _ in frame) - chart.title.right - width < 10 * mm
                assert chart.sequence[0].box[3] < min(r.box[1] for r in chart.months)
                assert [r.y for r in chart.sequence] == sorted((r.y for r in chart.sequence), reverse=True)
                for line in chart.sequence:
                    assert line.x == pytest.approx(min(x for x, _ in frame), abs=0.05)
                    assert line.right <= max(x for x, _ in frame)
                # each line but the last is full: its next word would not have fitted on it
                for line, after in itertools.pairwise(chart.sequence):
                    word = after.text.split()[0]
                    assert line.right + stringWidth(" " + word, line.font, line.size) > max(x for x, _ in frame)


def test_the_long_sequence_goes_under_its_chart_and_the_short_ones_on_the_title_line(report):
    lines = [(len(c.sequence), c.sequence[0].y == c.title.y) for charts in _level_charts(report) for c in charts]
    assert lines[:15] == [(1, True)] * 10 + [(3, False)] * 5
    assert (1, True) in lines[15:] and (1, False) in lines[15:]  # Sara's: some fit beside their titles


def test_each_form_is_a_marker_on_its_own_level_row_at_its_date_joined_by_steps(report):
    for charts, p in zip(_level_charts(report), TRAINEES, strict=True):
        if not charts:
            continue
        slopes = []
        for chart, area in zip(charts, p.areas, strict=True):
            row_y = {lv: m.centre[1] for lv, m in zip(range(5), chart.legend, strict=True)}
            form = {lv: m.form for lv, m in zip(range(5), chart.legend, strict=True)}
            drawn = [
                (o.date, LEVELS.index(o.level)) for o in area.observations if o.date is not None and o.level is not None
            ]
            assert len(chart.markers) == len(drawn)
            frame = chart.box.box
            seen: dict[dt.date, float] = {}
            points = []
            scales: list[float] = []
            for marker, (date, rank) in zip(chart.markers, drawn, strict=True):
                x, y = marker.centre
                assert y == pytest.approx(row_y[rank], abs=0.5)  # on its level's row, never between two
                assert marker.form == form[rank]
                # the legend draws each level's marker as the chart does, only smaller, all alike
                size = (marker.extent[2] - marker.extent[0]) / (
                    chart.legend[rank].extent[2] - chart.legend[rank].extent[0]
                )
                scales.append(size)
                assert frame[0] < marker.box[0] and marker.box[2] < frame[2]
                if date in seen:  # a second form on one day stands just right of the first, both visible:
                    # neither marker covers the other's centre
                    radius = (marker.extent[2] - marker.extent[0]) / 2
                    assert radius < x - seen[date] < 2 * radius
                else:
                    seen[date] = x
                    slopes.append((date, x))
                if rank:
                    points.append((x, y))
            assert not scales or max(scales) - min(scales) < 0.01, scales
            # the step line goes through the observed levels only: across at the old level, then up or down
            if len(points) > 1:
                (steps,) = chart.steps
                expected = [points[0]]
                for (_, y0), (x1, y1) in itertools.pairwise(points):
                    expected += [(x1, y0), (x1, y1)]
                assert len(steps.points) == len(expected)
                for got, want in zip(steps.points, expected, strict=True):
                    assert got == pytest.approx(want, abs=0.6)
            else:
                assert chart.steps == []
            # the month axis: a tick where each month starts, each label between its month's ticks
            ticks = [s.points[0][0] for s in chart.ticks]
            first, last = min(d for d, _ in slopes), max(d for d, _ in slopes)
            if first == last:
                first, last = first - dt.timedelta(days=15), last + dt.timedelta(days=15)
            months = []
            y, m = first.year, first.month
            while (y, m) <= (last.year, last.month):
                months.append(f"{y:04d}-{m:02d}")
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            assert len(ticks) == len(months) - 1 and ticks == sorted(ticks)
            every = math.ceil(len(months) / 10)
            assert [r.text.strip() for r in chart.months] == months[::every]
            bounds = [frame[0], *ticks, frame[2]]
            for label, k in zip(chart.months, range(0, len(months), every), strict=True):
                assert bounds[k] < label.centre < bounds[k + 1] and label.box[3] < frame[1]
                if 0 < k < len(months) - 1:  # a whole month: the label under its middle
                    assert label.centre == pytest.approx((bounds[k] + bounds[k + 1]) / 2, abs=0.05)
            for date, x in seen.items():
                k = months.index(date.strftime("%Y-%m"))
                assert bounds[k] < x < bounds[k + 1]
        # one time scale: the distance between two forms is proportional to the days between them
        (d0, x0), (d1, x1) = min(slopes), max(slopes)
        if d1 != d0:
            scale = (x1 - x0) / (d1 - d0).days
            for d, x in slopes:
                assert x - x0 == pytest.approx(scale * (d - d0).days, abs=0.05)


def test_a_level_code_the_definition_lacks_is_shown_as_left_blank_and_not_drawn():
    dates = [day(2026, 2, 2), day(2026, 2, 9), day(2026, 2, 16)]
    odd = dataclasses.replace(
        LUKASZ,
        count=3,
        per_month=(("2026-02", 3),),
        areas=tuple(
            AreaProgress(
                a.code,
                a.label,
                tuple(Observation(d, c, "Ewa Łoś") for d, c in zip(dates, ("2", "9", "3"), strict=True)),
                2,
            )
            for a in D.areas
        ),
    )
    pages = read_pages(ReportWriter(D, EN, today=day(2026, 6, 1)).build([odd], with_cohort=False))
    (charts,) = _level_charts(pages)
    assert [" ".join(r.text.strip() for r in c.sequence) for c in charts] == [f"{T['sequence'][EN]}: 2 · 3"] * 5
    assert [len(c.markers) for c in charts] == [2] * 5
    for chart in charts:  # two observed forms are joined: across at the first's level, then up to the second's
        (a, b), (steps,) = [m.centre for m in chart.markers], chart.steps
        want = [a, (b[0], a[1]), b]
        assert len(steps.points) == 3
        assert [c for pt in steps.points for c in pt] == pytest.approx([c for pt in want for c in pt], abs=0.6)


# --------------------------------------------------------------------------- page breaks


def test_no_feedback_block_or_section_heading_is_cut_from_what_follows_it(report):
    for section, p in zip(_sections(report), TRAINEES, strict=True):
        blocks = 0
        for page in section:
            # the page's lines: the runs on one baseline, joined
            lines = [
                (y, [r for r in body if r.y == y])
                for y, body in [(y, page.body) for y in dict.fromkeys(r.y for r in page.body)]
            ]
            for i, (_, line) in enumerate(lines):
                if line[0].size == 11 and line[0].bold:  # a section heading has its first lines under it on its page
                    assert i + 1 < len(lines), (p.name, line[0].text)
                if line[0].size == 9 and line[0].bold:  # a feedback heading: all its labelled texts on its page
                    blocks += 1
                    fb = p.feedback[blocks - 1]
                    end = next((k for k in range(i + 1, len(lines)) if lines[k][1][0].bold), len(lines))
                    rest = " ".join(r.text for _, ln in lines[i + 1 : end] for r in ln)
                    if fb.next_time == KARL_LONG:
                        continue  # longer than a page: read as a whole below
                    for fld, text in (
                        (R.went_well, fb.went_well),
                        (R.next_time, fb.next_time),
                        (R.action_plan, fb.action_plan),
                    ):
                        assert (f"{fld.title[EN]}:" in rest) == bool(text)
                        if text:
                            assert " ".join(text.split()[:3]) in " ".join(rest.split())
                            assert " ".join(text.split()[-3:]) in " ".join(rest.split())
        assert blocks == len(p.feedback)
    # the feedback runs over more than one page for Åsa: the break falls between blocks
    assert len(_sections(report)[0]) >= 3
    # a text longer than a page goes on over the page break, every word in order
    karl = _sections(report)[2]
    text = " ".join(" ".join(r.text for r in page.body) for page in karl).split()
    start = text.index("Sentence")
    assert " ".join(text[start : start + len(KARL_LONG.split())]) == KARL_LONG
    assert sum(1 for page in karl if "Sentence" in " ".join(r.text for r in page.body)) >= 2


def test_a_trainee_without_dated_forms_gets_no_charts_but_the_count_of_undated_forms(report):
    (page,) = _sections(report)[3]
    texts = [r.text.strip() for r in page.body]
    assert texts[:2] == ["Ann Ek", "1"]  # the name, then straight to the key figures: no specialty, no period
    assert f"1 {T['undated'][EN]}" in texts
    assert not any(t.startswith(T["sequence"][EN]) for t in texts)


def test_only_the_feedback_labels_are_grey_small_and_before_their_text(report):
    for section, p in zip(_sections(report), TRAINEES, strict=True):
        grey = [r for page in section for r in page.body if r.colour != (0, 0, 0)]
        expected = [
            f"{fld.title[EN]}:"
            for fb in p.feedback
            for fld, text in ((R.went_well, fb.went_well), (R.next_time, fb.next_time), (R.action_plan, fb.action_plan))
            if text
        ]
        assert [r.text.strip() for r in grey] == expected
        assert {(r.colour, r.size, r.bold) for r in grey} == {((140, 140, 140), 7.5, False)}


def test_a_section_heading_never_ends_a_page_whatever_comes_before_it():
    # the same trainee after 40 to 59 lines of notes: each section heading lands at every height of a page
    notes = [Text(sv=f"Anteckning {i}.", en=f"Note {i}.") for i in range(60)]
    trainees = [dataclasses.replace(ANN, name=f"Ann Ek {n}", notes=tuple(notes[:n])) for n in range(40, 60)]
    pages = read_pages(ReportWriter(D, EN, today=day(2026, 6, 1)).build(trainees, with_cohort=False))
    headings = 0
    for page in pages:
        body = page.body
        for i, run in enumerate(body):
            if run.size == 11 and run.bold:
                headings += 1
                assert any(r.y < run.y - 5 for r in body[i + 1 :]), run.text  # something of it under it
    assert headings == 3 * len(trainees)


# --------------------------------------------------------------------------- the document


def test_one_trainee_without_the_cohort_page_starts_on_page_one_and_nothing_gives_one_line():
    pages = read_pages(ReportWriter(D, EN, today=day(2026, 6, 1)).build([LUKASZ], with_cohort=False))
    assert len(_sections(pages)) == 1 and _sections(pages)[0] == pages  # no blank or cohort page before it
    empty = read_pages(ReportWriter(D, "sv", today=day(2026, 6, 1)).build([], with_cohort=False))
    assert len(empty) == 1
    assert [(r.text.strip(), r.size) for r in empty[0].body] == [(T["no_forms"]["sv"], 9)]  # as the facts line
    assert [r.text.strip() for r in empty[0].runs[:2]] == [
        f"{T['title']['sv']} · {T['generated']['sv']} 2026-06-01",
        "sida 1",
    ]


def test_an_unknown_report_language_is_refused_by_name():
    from minicex_pdf.errors import UsageError

    with pytest.raises(UsageError, match=r"^unknown report language 'de': use sv or en$"):
        ReportWriter(D, "de")


# --------------------------------------------------------------------------- the layout, measured
#
# The report's design in millimetres, read back from what is drawn. A paragraph line of size s takes
# 1.25 s (its leading): ReportLab sets its baseline s under the line's top, so a line spans
# [baseline - s/4, baseline + s]. The page frame starts 6 pt (its padding) inside the margins; its
# bottom is 4 mm above the bottom margin, so that the footer stands apart.

FRAME_TOP = PAGE_H - MARGIN - 6
FRAME_BOTTOM = MARGIN + 4 * mm + 6
COLUMN_LEFT = MARGIN + 6
COLUMN_RIGHT = PAGE_W - MARGIN - 6
PIN = 0.02  # pt: what a position may differ from the design (ReportLab writes positions to 1/1000 pt)


def _top(run: Run) -> float:
    return run.y + run.size


def _bottom(run: Run) -> float:
    return run.y - run.size / 4


def _lines(page: Page) -> list[list[Run]]:
    """The page's body text as lines (runs on one baseline), top down."""
    lines: dict[float, list[Run]] = {}
    for r in page.body:
        lines.setdefault(round(r.y, 2), []).append(r)
    return [lines[y] for y in sorted(lines, reverse=True)]


def test_a_trainee_page_stacks_name_facts_key_figures_and_month_chart_at_the_designed_gaps(report):
    for section, p in zip(_sections(report), TRAINEES, strict=True):
        if p is ANN:
            continue  # no facts line: the key figures follow the name (tested by their own order)
        runs = section[0].body
        lines = _lines(section[0])
        name, facts = lines[0][0], lines[1][0]
        assert name.y == pytest.approx(FRAME_TOP - 16, abs=PIN)  # the name's line starts at the frame's top
        assert _top(facts) == pytest.approx(_bottom(name) - 1.5 * mm, abs=PIN), p.name
        above = facts
        for (note,) in lines[2 : 2 + len(p.notes)]:  # the notes straight under the facts, line after line
            assert _top(note) == pytest.approx(_bottom(above), abs=PIN)
            above = note
        objs = _between(section[0], p.name.split()[0][:1], T["incomplete"][EN])
        box = next(o for o in objs if isinstance(o, Shape)).extent
        assert box[3] == pytest.approx(_bottom(above) - 3 * mm, abs=PIN), p.name  # 3 mm above the boxes
        assert box[3] - box[1] == pytest.approx(15 * mm, abs=PIN)
        counted = next(r for r in runs if r.text.startswith(T["incomplete"][EN]))
        assert _top(counted) == pytest.approx(box[1] - 1.5 * mm, abs=PIN)
        above = counted
        if p.signable:
            signed = next(r for r in runs if r.text.startswith(T["signed"][EN]))
            assert _top(signed) == pytest.approx(_bottom(counted) - 1 * mm, abs=PIN)
            above = signed
        heading = next(r for r in runs if r.text.startswith(T["per_month"][EN]))
        assert _top(heading) == pytest.approx(_bottom(above) - 4 * mm, abs=PIN)
        # the month chart: 24 mm tall, 1 mm under its heading, its axis 7 mm over its bottom; then 3 mm
        # of white before the next heading
        chart_top = _bottom(heading) - 1 * mm
        axis = next(o for o in _between(section[0], T["per_month"][EN], None) if isinstance(o, Shape))
        assert axis.points[0][1] == pytest.approx(chart_top - 24 * mm + 7 * mm, abs=PIN)
        assert axis.points[0][0] == pytest.approx(COLUMN_LEFT + 8 * mm, abs=PIN)
        assert axis.points[1][0] == pytest.approx(COLUMN_RIGHT, abs=PIN)
        levels = next(r for r in runs if r.text.startswith(T["levels"][EN]))
        assert _top(levels) == pytest.approx(chart_top - 24 * mm - 3 * mm, abs=PIN)


def test_month_bars_counts_and_labels_stand_at_the_designed_heights_and_widths(report):
    for (objs, _), p in zip(_month_charts(report), TRAINEES, strict=True):
        if not p.per_month:
            continue
        axis, *bars = [o for o in objs if isinstance(o, Shape)]
        base = axis.points[0][1]
        slot = (COLUMN_RIGHT - (COLUMN_LEFT + 8 * mm)) / len(p.per_month)
        width = min(slot * 0.7, 12 * mm)  # 70 % of a month's slot, at most 12 mm
        top = max(n for _, n in p.per_month)
        texts = [o for o in objs if isinstance(o, Run)]
        numbers = [t for t in texts if t.box[1] > base]
        labels = [t for t in texts if t.box[3] < base]
        counted = [(i, n) for i, (_, n) in enumerate(p.per_month) if n]
        for bar, number, (i, n) in zip(bars, numbers, counted, strict=True):
            left, bottom, right, height = bar.extent[0], bar.extent[1], bar.extent[2], bar.extent[3] - bar.extent[1]
            assert left == pytest.approx(COLUMN_LEFT + 8 * mm + slot * i + (slot - width) / 2, abs=PIN)
            assert right - left == pytest.approx(width, abs=PIN)
            assert height == pytest.approx(13 * mm * n / top, abs=PIN)  # the highest count 13 mm tall
            assert number.y == pytest.approx(bottom + height + 1.2 * mm, abs=PIN)  # 1.2 mm over its bar
        for label in labels:
            assert label.y == pytest.approx(base - 4 * mm, abs=PIN)  # 4 mm under the axis


def test_level_charts_stand_1_5_mm_apart_with_their_rows_frame_and_month_labels_at_the_designed_places(report):
    for section, charts, p in zip(_sections(report), _level_charts(report), TRAINEES, strict=True):
        if not charts:
            continue
        above = None  # the bottom of what stands above the next chart on its page
        page_of = {id(c): next(pg for pg in section if c.title in pg.runs) for c in charts}
        note = next(r for pg in section for r in pg.body if r.text.startswith(T["levels_note"][EN][:20]))
        undated = [r for pg in section for r in pg.body if r.text.endswith(T["undated"][EN])]
        above = _bottom(undated[0] if undated else note)
        previous_page = page_of[id(charts[0])]
        for chart in charts:
            below = len(chart.sequence) if chart.sequence[0].y != chart.title.y else 0
            chart_top = chart.title.y + 3.5 * mm  # the title's baseline 3.5 mm under the chart's top
            if page_of[id(chart)] is previous_page:
                assert chart_top == pytest.approx(above - 1.5 * mm, abs=PIN), (p.name, chart.title.text)
            previous_page = page_of[id(chart)]
            left, bottom, right, top = chart.box.extent
            assert top - bottom == pytest.approx(5 * 3.6 * mm, abs=PIN)  # five rows of 3.6 mm
            assert left == pytest.approx(COLUMN_LEFT + 46 * mm, abs=PIN)
            assert right == pytest.approx(COLUMN_RIGHT, abs=PIN)
            chart_bottom = bottom - (5 + 3.5 * below) * mm
            assert chart_top - chart_bottom == pytest.approx((5 * 3.6 + 10 + 3.5 * below) * mm, abs=PIN)
            for label in chart.months:  # 3.6 mm under the frame
                assert label.y == pytest.approx(bottom - 3.6 * mm, abs=PIN)
            for tick in chart.ticks:  # 1 mm long, down from the frame
                assert [y for _, y in tick.points] == pytest.approx([bottom, bottom - 1 * mm], abs=PIN)
            if below:  # 3.5 mm apart, the last 0.8 mm over the chart's bottom
                ys = [r.y for r in chart.sequence]
                assert ys == pytest.approx([chart_bottom + (0.8 + 3.5 * k) * mm for k in range(below)][::-1], abs=PIN)
                assert all(r.x == pytest.approx(left, abs=PIN) for r in chart.sequence)
            else:
                assert chart.sequence[0].y == pytest.approx(chart.title.y, abs=PIN)
            for k, (label, marker) in enumerate(zip(chart.labels, chart.legend, strict=True)):
                row = bottom + 3.6 * mm * (k + 0.5)
                # the ring, square and diamond are symmetric about their row; the triangle reaches 1 mm
                # above it and 0.8 mm below (its box's middle 0.1 mm over the row)
                lift = {1: 0.1 * mm, 4: None}.get(k, 0)
                if lift is not None:
                    assert marker.centre[1] == pytest.approx(row + lift, abs=PIN)
                assert marker.centre[0] == pytest.approx(left - 2.5 * mm, abs=PIN)
                assert label.y == pytest.approx(row - 2.2, abs=PIN)
                assert label.right == pytest.approx(left - 5 * mm, abs=0.05)
            above = chart_bottom


def test_the_row_guides_are_dotted_1_pt_on_2_pt_off(report):
    charts = [c for cs in _level_charts(report) for c in cs]
    guides = [s for page in report for s in page.shapes if s.dash]
    assert len(guides) == 5 * len(charts)  # one along each level's row, nothing else dotted
    assert {(s.dash, s.stroke) for s in guides} == {((1.0, 2.0), (217, 217, 217))}


def test_the_star_is_five_points_drawn_as_ten_corners(report):
    stars = [c.legend[4] for cs in _level_charts(report) for c in cs]
    assert stars
    for star in stars:
        # a move and nine lines, closed back to the first corner: each of the ten corners once
        assert star.segments == 11 and star.points[-1] == star.points[0]
        corners = star.points[:-1]
        cx = sum(x for x, _ in corners) / 10
        cy = sum(y for _, y in corners) / 10
        radii = [math.hypot(x - cx, y - cy) for x, y in corners]
        outer, inner = radii[0::2], radii[1::2]
        assert max(outer) - min(outer) < 0.05 and max(inner) - min(inner) < 0.05
        assert min(inner) / max(outer) == pytest.approx(0.5 / 1.15, abs=0.02)
        # upright: one point straight up, standing on two (none straight down)
        top = max(corners, key=lambda pt: pt[1])
        assert top[0] == pytest.approx(cx, abs=0.01) and top[1] - cy == pytest.approx(max(outer), abs=0.01)
        bottom = sorted(corners, key=lambda pt: pt[1])[:2]
        assert all(abs(x - cx) > 1 for x, _ in bottom)


SECTION_KEYS = ("met", "subgoals", "waiting", "incomplete_list", "empty_list", "changed", "feedback")


def _expected_sections(p: TraineeProgress) -> list[str]:
    keys = ["met", "subgoals"] + (["waiting"] if p.awaiting_action_plan else [])
    keys += ["incomplete_list"] if p.incomplete else []
    keys += ["empty_list"] if p.empty else []
    return keys + (["changed"] if p.changed_after_signing else []) + ["feedback"]


def _chart_bottom(chart: LevelChart) -> float:
    """Where a level chart's own space ends: 5 mm under its frame, and 3.5 mm more per sequence line under it."""
    below = len(chart.sequence) if chart.sequence[0].y != chart.title.y else 0
    return chart.box.extent[1] - (5 + 3.5 * below) * mm


@dataclass
class Heading:
    """A section heading as drawn: its run, its page, where the block above it ends on that page
    (None: the heading is the first thing on its page) and the first thing drawn under it."""

    key: str
    run: Run
    page: int
    above: float | None
    first: Run | Shape


def _section_headings(pages: list[Page]) -> list[list[Heading]]:
    """Each trainee's section headings in order."""
    out = []
    for section, charts in zip(_sections(pages), _level_charts(pages), strict=True):
        chart_end = {id(c.markers[-1] if c.markers else c.box): _chart_bottom(c) for c in charts}
        found = []
        for page in section:
            objs = list(page.objects)
            for i, o in enumerate(objs):
                if not (isinstance(o, Run) and o.size == 11 and o.bold):
                    continue
                key = next(k for k in SECTION_KEYS if o.text.strip() == T[k][EN])
                prev = objs[i - 1]
                above: float | None
                if any(prev is r for r in page.runs[:2]):
                    above = None  # only the footer before it
                elif id(prev) in chart_end:
                    above = chart_end[id(prev)]
                elif isinstance(prev, Shape):
                    assert prev.segments == 2 and prev.stroke == (217, 217, 217)  # a table's last rule
                    above = prev.points[0][1]
                else:
                    above = _bottom(prev)
                found.append(Heading(key, o, pages.index(page), above, objs[i + 1] if i + 1 < len(objs) else None))
        out.append(found)
    return out


def test_a_section_heading_has_5_mm_above_and_1_5_mm_under_it(report):
    for headings, p in zip(_section_headings(report), TRAINEES, strict=True):
        assert [h.key for h in headings] == _expected_sections(p)
        for h in headings:
            # on a new page too, 5 mm under the frame's top
            above = FRAME_TOP if h.above is None else h.above
            assert _top(h.run) == pytest.approx(above - 5 * mm, abs=PIN), (p.name, h.key)
            assert isinstance(h.first, Run)
            pad = 3 if h.key in ("met", "subgoals") else 0  # a table's cell starts 3 pt (its padding) under its top
            assert _top(h.first) == pytest.approx(_bottom(h.run) - 1.5 * mm - pad, abs=PIN), (p.name, h.key)


def test_a_section_heading_goes_to_the_next_page_with_less_than_30_mm_or_with_its_first_block():
    # notes before the sections put a heading just under and just over 30 mm from the page's foot, and
    # the feedback heading where its first block does not fit under it
    notes = [Text(sv=f"Anteckning {i}.", en=f"Note {i}.") for i in range(33)]
    waiting = (FormRef(None, "Dr X", "/in/a.pdf"),)
    cases = [
        dataclasses.replace(
            ANN,
            name="Ann Ek",
            notes=tuple(notes[:23]),
            awaiting_action_plan=waiting,
            incomplete=(FormRef(None, "Dr Y", "/in/b.pdf"),),
        ),
        dataclasses.replace(ANN, name="Ann Ek", notes=tuple(notes[:33])),
        dataclasses.replace(ANN, name="Ann Ek", notes=tuple(notes[:27])),
    ]
    pages = read_pages(ReportWriter(D, EN, today=day(2026, 6, 1)).build(cases, with_cohort=False))
    headings = _section_headings(pages)

    def room(h: Heading) -> float:
        """The room the page had left for the heading's section, in mm (on the page before, if moved)."""
        if h.above is not None:
            return (h.above - FRAME_BOTTOM) / mm
        last = pages[h.page - 1].objects[-1]
        return ((_bottom(last) if isinstance(last, Run) else last.points[0][1]) - FRAME_BOTTOM) / mm

    for found in headings:  # every heading has its section's first lines under it, on its page
        assert all(h.first is not None for h in found)
        for h in found:  # a heading stays with 30 mm left, and moves with less (or with the first feedback block)
            # 5 mm under what stands above it, or under the frame's top on a new page
            above = FRAME_TOP if h.above is None else h.above
            assert _top(h.run) == pytest.approx(above - 5 * mm, abs=PIN), h.key
            if h.above is not None:
                assert room(h) >= 30, h.key
            else:
                assert room(h) < 30 or h.key == "feedback", (h.key, room(h))
    incomplete = next(h for h in headings[0] if h.key == "incomplete_list")
    subgoals = next(h for h in headings[1] if h.key == "subgoals")
    feedback = next(h for h in headings[2] if h.key == "feedback")
    assert incomplete.above is None and 29 < room(incomplete) < 30  # moved: under 30 mm left
    assert subgoals.above is not None and 30 <= room(subgoals) < 31  # stays: 30 mm left
    # 30.8 mm left, but the first block (date, two labelled texts) needs more under the heading: both move
    assert feedback.above is None and 30 < room(feedback) < 31
    assert isinstance(feedback.first, Run) and feedback.first.text.strip() == f"{T['no_date'][EN]} · Dr X"


@pytest.mark.parametrize("notes", [7, 20, 33], ids=["deep", "middle", "just-over-30-mm"])
def test_a_heading_whose_first_row_does_not_fit_under_it_goes_with_that_row_to_the_next_page(notes):
    # many sub-goals covered make the table's first row taller than the room left under its heading
    covered = tuple((SubGoal(f"STc{i}", HSLF), 1) for i in range(1, 200))
    lines = tuple(Text(sv=f"Anteckning {i}.", en=f"Note {i}.") for i in range(notes))
    p = dataclasses.replace(ANN, name="Ann Ek", notes=lines, subgoals_covered=covered)
    pages = read_pages(ReportWriter(D, EN, today=day(2026, 6, 1)).build([p], with_cohort=False))
    [headings] = _section_headings(pages)
    subgoals = next(h for h in headings if h.key == "subgoals")
    assert subgoals.above is None  # moved to the top of the next page ...
    assert isinstance(subgoals.first, Run) and subgoals.first.text.strip() == T["covered"][EN]  # ... with its row
    assert all(h.first is not None for h in headings)


def test_a_page_holds_text_down_to_its_frame_4_mm_above_the_bottom_margin_and_no_further(report):
    # a paragraph over a page break: its last line there ends under one line above the frame's foot
    note = "\n".join(f"Line {i} of a long note." for i in range(90))
    noted = dataclasses.replace(LUKASZ, notes=(Text(sv=note, en=note),))
    pages = read_pages(ReportWriter(D, EN, today=day(2026, 6, 1)).build([noted], with_cohort=False))
    karl = _sections(report)[2]
    splits = []
    for section, word in ((pages, "Line"), (karl, "Sentence")):
        for page, after in itertools.pairwise(section):
            last, first = _lines(page)[-1][0], _lines(after)[0][0]
            if word in last.text and word in first.text:
                splits.append(last)
    assert [r.size for r in splits] == [8, 8.5]
    for last in splits:
        assert 0 <= _bottom(last) - FRAME_BOTTOM < 1.25 * last.size, last.text


def test_the_cohort_table_stands_5_mm_under_its_title_with_hairlines_and_every_other_row_grey(report):
    page = report[0]
    title = page.body[0]
    head = [r for r in page.body if r.size == 7]
    # the header row's cells start 3 pt (their padding) under the table's top, 5 mm under the title
    assert max(_top(r) for r in head) == pytest.approx(_bottom(title) - 5 * mm - 3, abs=PIN)
    rules = sorted((s for s in page.shapes if s.segments == 2), key=lambda s: -s.points[0][1])
    assert [(s.stroke, s.line) for s in rules] == [((0, 0, 0), 0.8)] + [((217, 217, 217), 0.3)] * (len(rules) - 1)
    rows = len(rules) - 1
    backgrounds = [s for s in page.shapes if s.fill is not None and s.stroke is None]
    # every body row has its background, white and light grey in turn, from the first row under the header
    assert [s.fill for s in backgrounds] == [(255, 255, 255), (242, 242, 242)] * (rows // 2) + [(255, 255, 255)] * (
        rows % 2
    )
    for s, above, below in zip(backgrounds, rules[:-1], rules[1:], strict=True):
        assert s.extent[3] == pytest.approx(above.points[0][1], abs=PIN)
        assert s.extent[1] == pytest.approx(below.points[0][1], abs=PIN)
        assert (s.extent[0], s.extent[2]) == pytest.approx((MARGIN, PAGE_W - MARGIN), abs=PIN)  # the whole row


def test_the_report_of_one_trainee_from_records_of_several_holds_only_theirs():
    records = [
        record(name="Åsa Öberg", date=day(2026, 2, 2), levels=(LEVELS[2],) * 5),
        record(name="Bo Berg", date=day(2026, 2, 3), levels=(LEVELS[3],) * 5),
        record(name="Åsa Öberg", date=day(2026, 3, 2), levels=(LEVELS[1],) * 5),
    ]
    writer = ReportWriter(D, EN, today=day(2026, 6, 1))
    pages = read_pages(writer.from_records(records, trainee="åsa  ÖBERG"))
    (section,) = _sections(pages)
    assert section == pages  # no cohort page, no other trainee
    assert pages[0].body[0].text.strip() == "Åsa Öberg"
    assert "Bo Berg" not in " ".join(r.text for page in pages for r in page.runs)
    both = read_pages(writer.from_records(records))
    assert len(_sections(both)) == 2 and "Bo Berg" in " ".join(r.text for r in both[0].runs)  # and the cohort page


def test_forms_on_two_days_in_a_row_stand_at_the_two_ends_of_the_time_axis():
    # the axis runs from 4 mm inside the frame's left to 6 mm inside its right, first day to last
    dates = [day(2026, 5, 11), day(2026, 5, 12)]
    two = dataclasses.replace(
        LUKASZ,
        count=2,
        per_month=(("2026-05", 2),),
        areas=tuple(_area(i, [2, 3], dates, "Ewa Łoś") for i in range(5)),
    )
    (charts,) = _level_charts(read_pages(ReportWriter(D, EN, today=day(2026, 6, 1)).build([two], with_cohort=False)))
    for chart in charts:
        left, _, right, _ = chart.box.extent
        xs = [m.centre[0] for m in chart.markers]
        assert xs == pytest.approx([left + 4 * mm, right - 6 * mm], abs=PIN)


#: Each level's marker (width, height) in units of its radius: ring, triangle, square, diamond, star.
MARKER_SIZES = [
    (1.6, 1.6),
    (2.0, 1.8),
    (1.7, 1.7),
    (2.0, 2.2),
    (2 * 1.15 * math.cos(math.pi / 10), 1.15 * (1 + math.cos(math.pi / 5))),
]


def test_each_further_form_on_one_day_stands_another_2_2_mm_to_the_right():
    one_day = [day(2026, 5, 11)] * 3 + [day(2026, 5, 20)]
    three = dataclasses.replace(
        LUKASZ,
        count=4,
        areas=tuple(_area(i, [1, 2, 3, 2], one_day, "Ewa Łoś") for i in range(len(D.areas))),
        latest=day(2026, 5, 20),
    )
    pages = read_pages(ReportWriter(D, EN, today=day(2026, 6, 1)).build([three], with_cohort=False))
    (charts,) = _level_charts(pages)
    for chart in charts:
        xs = [m.centre[0] for m in chart.markers]
        assert len(xs) == 4
        assert [xs[1] - xs[0], xs[2] - xs[0]] == pytest.approx([2.2 * mm, 4.4 * mm], abs=PIN)


def test_markers_are_1_6_mm_in_radius_on_the_chart_and_1_mm_in_the_legend(report):
    for charts, p in zip(_level_charts(report), TRAINEES, strict=True):
        for chart, area in zip(charts, p.areas if charts else (), strict=True):
            ranks = [LEVELS.index(o.level) for o in area.observations if o.date is not None and o.level is not None]
            for marks, radius in (
                (zip(chart.legend, range(5), strict=True), 1.0 * mm),
                (zip(chart.markers, ranks, strict=True), 1.6 * mm),
            ):
                for m, rank in marks:
                    w, h = MARKER_SIZES[rank]
                    size = (m.extent[2] - m.extent[0], m.extent[3] - m.extent[1])
                    assert size == pytest.approx((w * radius, h * radius), abs=PIN), (p.name, rank)


def test_write_report_reads_the_store_and_writes_the_swedish_report_unless_told(tmp_path):
    db = tmp_path / "store.sqlite"
    with Store(db) as store:
        store.add(record(name="Åsa Öberg", date=day(2026, 2, 2), levels=(LEVELS[2],) * 5))
        store.add(record(name="Bo Berg", date=day(2026, 2, 3), levels=(LEVELS[3],) * 5))
    out = tmp_path / "rapport.pdf"
    assert write_report(db, out) == out
    pages = read_pages(out.read_bytes())
    assert pages[0].body[0].text.strip() == T["cohort"]["sv"]  # the cohort page, in Swedish
    assert [s[0].body[0].text.strip() for s in _sections(pages)] == ["Bo Berg", "Åsa Öberg"]
    assert pages[-1].runs[1].text.strip() == f"sida {len(pages)}"
    one = write_report(db, tmp_path / "bo.pdf", trainee="bo  berg", lang=EN, definition=D)
    pages = read_pages(one.read_bytes())
    assert [s[0].body[0].text.strip() for s in _sections(pages)] == ["Bo Berg"] and _sections(pages)[0] == pages
    assert pages[0].runs[1].text.strip() == "page 1"


def test_the_same_progress_on_the_same_day_gives_the_same_report_byte_for_byte():
    # no clock time or random document id in the file: a report made again is the same file
    writer = ReportWriter(D, EN, today=day(2026, 6, 1))
    first = writer.build([LUKASZ], with_cohort=False)
    assert writer.build([LUKASZ], with_cohort=False) == first
    assert b"/CreationDate (D:20000101000000+00'00')" in first  # ReportLab's fixed date, not the clock's


def test_feedback_blocks_stand_3_mm_apart(report):
    gaps = 0
    for section in _sections(report):
        for page in section:
            lines = _lines(page)
            for above, line in itertools.pairwise(lines):
                if line[0].size == 9 and line[0].bold and above[0].size == 8.5:  # a block after a block
                    assert _top(line[0]) == pytest.approx(_bottom(above[0]) - 3 * mm, abs=PIN)
                    gaps += 1
    assert gaps >= 4  # Åsa's blocks that share a page


def test_the_four_key_figure_boxes_are_3_mm_apart_across_the_text_column(report):
    for section, p in zip(_sections(report), TRAINEES, strict=True):
        objs = _between(section[0], p.name.split()[0][:1], T["incomplete"][EN])
        rects = [o.extent for o in objs if isinstance(o, Shape)]
        width = (COLUMN_RIGHT - COLUMN_LEFT - 3 * 3 * mm) / 4
        for i, r in enumerate(rects):
            assert r[0] == pytest.approx(COLUMN_LEFT + i * (width + 3 * mm), abs=PIN)
            assert r[2] - r[0] == pytest.approx(width, abs=PIN)


def test_a_level_charts_first_and_last_month_labels_stand_under_the_days_the_span_covers(report):
    # the axis maps the first form's day to 4 mm inside the frame and the day after the last form's
    # one day further than the last form: a partial month's label is centred under the days it has
    for charts, p in zip(_level_charts(report), TRAINEES, strict=True):
        dates = [o.date for a in p.areas for o in a.observations if o.date]
        if not dates:
            continue
        first, last = min(dates), max(dates)
        if first == last:
            first, last = first - dt.timedelta(days=15), last + dt.timedelta(days=15)
        for chart in charts:
            left, _, right, _ = chart.box.extent

            def x(d: dt.date) -> float:
                return left + 4 * mm + (right - left - 10 * mm) * (d - first).days / (last - first).days  # noqa: B023

            start = first.replace(day=1)
            month_end = (start + dt.timedelta(days=32)).replace(day=1)
            end = min(month_end, last + dt.timedelta(days=1))
            assert chart.months[0].centre == pytest.approx((x(first) + x(end)) / 2, abs=0.05)
            if chart.months[-1].text.strip() == last.strftime("%Y-%m"):
                begin = max(last.replace(day=1), first)
                after = last + dt.timedelta(days=1)
                assert chart.months[-1].centre == pytest.approx((x(begin) + x(after)) / 2, abs=0.05)
