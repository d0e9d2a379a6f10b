"""The progress report: an A4 PDF a director of studies prints for a specialist panel.

One section per trainee (starting on a new page): key figures, mini-CEX per
month, and for each area and the activity as a whole the level of every form
drawn at its date on an ordinal axis. Then settings and complexity met,
sub-goals covered and not yet covered, forms awaiting the action plan, and the
feedback texts in date order. A cohort page lists every trainee on one line.
Only forms that hold an assessment are counted; incomplete and empty forms are
counted apart and listed by file. Anything that looks like a personnummer or
samordningsnummer is masked (``ÅÅMMDD-XXXX``): the report is meant for a panel.

Levels are ordinal: the level charts draw each form's level as a point, joined
by steps from one form to the next, and nothing combines levels (no averages,
medians or trend lines). Everything is black, white and grey, with marker
shapes rather than colours, so that it prints on any printer.
"""

from __future__ import annotations

import datetime as _dt
import io
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..errors import UsageError
from ..form import fonts
from ..form.definition import FormDefinition, Level, Text, load_definition
from ..outputs import write_bytes
from ..reading.personal import masked_record
from ..reading.record import Record
from ..storage.filters import Filter
from .progress import AreaProgress, CohortLine, FormRef, ProgressBuilder, TraineeProgress, cohort, name_key

REPORT_LANGS = ("sv", "en")
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
#: The text column the charts are drawn in: the width between the margins less the page frame's padding
#: (ReportLab's 6 pt each side), so that a chart starts where the paragraphs do and ends inside the margin.
COLUMN = WIDTH - 2 * 6
GREY = colors.Color(0.55, 0.55, 0.55)
LIGHT = colors.Color(0.85, 0.85, 0.85)
#: Text the standard fonts lack (Ł, ễ, Greek, Cyrillic) falls back to the shipped Unicode font (form/fonts.py).
FONT, BOLD = "Helvetica", "Helvetica-Bold"

#: How the sequence line writes a form where the area was not observed, or left blank.
NOT_OBSERVED_MARK, BLANK_MARK = "–", "·"

#: Everything the report writes that is not in the definition.
T = {
    "title": Text(sv="Mini-CEX – ST-läkarens utveckling", en="Mini-CEX – the trainee's progress"),
    "cohort": Text(sv="Mini-CEX – alla ST-läkare", en="Mini-CEX – all trainees"),
    "generated": Text(sv="Utskriven", en="Printed"),
    "page": Text(sv="sida", en="page"),
    "forms": Text(sv="Mini-CEX", en="Mini-CEX"),
    "incomplete": Text(sv="Ofullständiga formulär", en="Incomplete forms"),
    "empty": Text(sv="Tomma formulär", en="Empty forms"),
    "incomplete_short": Text(sv="Ofullständiga", en="Incomplete"),
    "empty_short": Text(sv="Tomma", en="Empty"),
    "incomplete_list": Text(
        sv="Ofullständiga formulär (räknas inte: obligatoriska delar saknas)",
        en="Incomplete forms (not counted: required parts missing)",
    ),
    "empty_list": Text(
        sv="Tomma formulär (räknas inte: bedömaren har inte fyllt i något)",
        en="Empty forms (not counted: nothing filled in by the assessor)",
    ),
    "assessors": Text(sv="Olika bedömare", en="Different assessors"),
    "not_supervisor": Text(sv="Ej av personlig handledare", en="Not by the personal supervisor"),
    "awaiting": Text(sv="Väntar på handlingsplan", en="Awaiting action plan"),
    "latest": Text(sv="Senaste bedömning", en="Latest assessment"),
    "period": Text(sv="Period", en="Period"),
    "regulation": Text(sv="Målbeskrivning", en="Regulation"),
    "specialty": Text(sv="Specialitet", en="Specialty"),
    "name": Text(sv="ST-läkare", en="Trainee"),
    "no_name": Text(sv="(inget namn)", en="(no name)"),
    "of": Text(sv="av", en="of"),
    "per_month": Text(sv="Antal mini-CEX per månad", en="Mini-CEX per month"),
    "levels": Text(sv="Nivå vid varje bedömning", en="Level at each assessment"),
    "levels_note": Text(
        sv="Varje punkt är ett formulär, vid sitt datum. Nivåerna är ordinala och räknas aldrig samman.",
        en="Each point is one form, at its date. The levels are ordinal and are never combined into one figure.",
    ),
    "sequence": Text(
        sv=f"Alla formulär i datumordning ({NOT_OBSERVED_MARK} ej observerat, {BLANK_MARK} ej ifyllt)",
        en=f"All forms in date order ({NOT_OBSERVED_MARK} not observed, {BLANK_MARK} left blank)",
    ),
    "observed": Text(sv="observerat", en="observed"),
    "times": Text(sv="gånger", en="times"),
    "undated": Text(sv="formulär utan datum visas inte i diagrammen", en="forms without a date are not drawn"),
    "met": Text(sv="Vårdformer och svårighetsgrad", en="Settings and complexity met"),
    "subgoals": Text(sv="Delmål", en="Sub-goals"),
    "covered": Text(sv="Bedömda (antal bedömningar)", en="Assessed (number of assessments)"),
    "missing": Text(sv="Ännu inte bedömda", en="Not yet assessed"),
    "none": Text(sv="inga", en="none"),
    "no_regulation": Text(
        sv="Ingen målbeskrivning angiven: vilka delmål som återstår kan inte sägas.",
        en="No regulation given: which sub-goals remain cannot be told.",
    ),
    "waiting": Text(
        sv="Formulär som väntar på ST-läkarens handlingsplan", en="Forms awaiting the trainee's action plan"
    ),
    "signed": Text(
        sv="Digitalt underskrivna av bedömaren (giltig underskrift, betrott certifikat)",
        en="Digitally signed by the assessor (valid signature, trusted certificate)",
    ),
    "changed": Text(
        sv="Formulär ändrade efter den digitala underskriften (se importens problem)",
        en="Forms changed after they were digitally signed (see the import's problems)",
    ),
    "feedback": Text(sv="Återkoppling i datumordning", en="Feedback in date order"),
    "no_date": Text(sv="utan datum", en="no date"),
    "count": Text(sv="Antal", en="Count"),
    "no_forms": Text(sv="Inga importerade formulär.", en="No imported forms."),
}


def _p(text: str, size: float = 9, bold: bool = False, leading: float | None = None, color=colors.black) -> Paragraph:
    style = ParagraphStyle(
        "p",
        fontName=BOLD if bold else FONT,
        fontSize=size,
        leading=leading or size * 1.25,
        alignment=TA_LEFT,
        textColor=color,
    )
    return Paragraph(fonts.markup(text, style.fontName).replace("\n", "<br/>"), style)


def _date(d: _dt.date | None, lang: str) -> str:
    return d.isoformat() if d else T["no_date"][lang]


#: A row of the two-column tables: top-aligned, a light rule under it.
_ROW_STYLE = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, LIGHT)])


def _two_columns(rows: Sequence[Sequence[object]]) -> list[Flowable]:
    """Bold titles on the left, each value beside its title's first line, a light rule under each row.

    One table per row, drawn as one table would be: a heading can then be kept with the first row alone.
    """
    return [Table([row], colWidths=[62 * mm, WIDTH - 62 * mm], style=_ROW_STYLE) for row in rows]


# --------------------------------------------------------------------------- charts


class MonthChart(Flowable):
    """Mini-CEX per calendar month: grey bars with the count above each, months without forms included."""

    def __init__(self, months: Sequence[tuple[str, int]], width: float, height: float = 24 * mm) -> None:
        super().__init__()
        self.months, self.width, self.height = list(months), width, height

    def draw(self) -> None:
        c: Canvas = self.canv
        if not self.months:
            return
        left, bottom = 8 * mm, 7 * mm
        w, h = self.width - left, self.height - bottom - 4 * mm
        top = max(n for _, n in self.months) or 1
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.6)
        c.line(left, bottom, left + w, bottom)
        slot = w / len(self.months)
        bar = min(slot * 0.7, 12 * mm)
        every = max(1, round(len(self.months) / 12 + 0.49))
        c.setFont(FONT, 7)
        for i, (month, n) in enumerate(self.months):
            x = left + slot * i + (slot - bar) / 2
            bh = h * n / top
            if n:
                c.setFillColor(GREY)
                c.rect(x, bottom, bar, bh, stroke=1, fill=1)
                c.setFillColor(colors.black)
                c.drawCentredString(x + bar / 2, bottom + bh + 1.2 * mm, str(n))
            if i % every == 0:
                c.setFillColor(colors.black)
                c.drawCentredString(x + bar / 2, bottom - 4 * mm, month)


#: Marker shapes, one per level rank, so that levels differ without colour.
_MARKERS = ("ring", "triangle", "square", "diamond", "star")


def _marker(c: Canvas, shape: str, x: float, y: float, r: float = 1.6 * mm) -> None:
    c.setFillColor(colors.black)
    c.setStrokeColor(colors.black)
    if shape == "ring":
        c.setFillColor(colors.white)
        c.circle(x, y, r * 0.8, stroke=1, fill=1)
        return
    p = c.beginPath()
    if shape == "triangle":
        pts = [(x - r, y - r * 0.8), (x + r, y - r * 0.8), (x, y + r)]
    elif shape == "square":
        pts = [
            (x - r * 0.85, y - r * 0.85),
            (x + r * 0.85, y - r * 0.85),
            (x + r * 0.85, y + r * 0.85),
            (x - r * 0.85, y + r * 0.85),
        ]
    elif shape == "diamond":
        pts = [(x, y - r * 1.1), (x + r, y), (x, y + r * 1.1), (x - r, y)]
    else:  # star: five points
        pts = []
        for k in range(10):
            rr = r * 1.15 if k % 2 == 0 else r * 0.5
            a = math.pi / 2 + k * math.pi / 5
            pts.append((x + rr * math.cos(a), y + rr * math.sin(a)))
    p.moveTo(*pts[0])
    for pt in pts[1:]:
        p.lineTo(*pt)
    p.close()
    c.drawPath(p, stroke=1, fill=1)


def level_sequence(area: AreaProgress, levels: Sequence[Level]) -> str:
    """Each form's level in date order as text: the level code, – not observed, · left blank."""
    rank = {lv.code: lv.rank for lv in levels}
    marks = []
    for obs in area.observations:
        if obs.level is None or obs.level not in rank:
            marks.append(BLANK_MARK)
        else:
            marks.append(obs.level if rank[obs.level] > 0 else NOT_OBSERVED_MARK)
    return " ".join(marks)


class LevelChart(Flowable):
    """One area: each form's level as a marker at its date on the ordinal scale, joined by steps."""

    LABEL_W = 46 * mm

    def __init__(
        self,
        area: AreaProgress,
        levels: Sequence[Level],
        lang: str,
        span: tuple[_dt.date, _dt.date],
        width: float,
        title: str,
        row: float = 3.6 * mm,
    ) -> None:
        super().__init__()
        self.area, self.levels, self.lang, self.span = area, list(levels), lang, span
        self.title, self.row = title, row
        self.width = width
        self.sequence = f"{T['sequence'][lang]}: {level_sequence(area, levels)}"
        # the sequence goes on the title line when it fits there, else under the chart, on as many
        # lines as it takes (a trainee with many forms has a long one)
        room = width - stringWidth(title, BOLD, 8.5) - 6 * mm
        self.sequence_below = stringWidth(self.sequence, FONT, 6.5) > room
        self.below = simpleSplit(self.sequence, FONT, 6.5, width - self.LABEL_W) if self.sequence_below else []
        self.height = row * len(self.levels) + (10 + 3.5 * len(self.below)) * mm

    def _x(self, d: _dt.date, left: float, w: float) -> float:
        first, last = self.span
        days = max((last - first).days, 1)
        return left + 4 * mm + (w - 10 * mm) * (d - first).days / days

    def months(self, left: float, w: float) -> list[tuple[str, float, float]]:
        """Each month of the span: its label (YYYY-MM) and where it starts and ends on the axis."""
        first, last = self.span
        out = []
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            start = max(_dt.date(y, m, 1), first)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            end = min(_dt.date(y, m, 1), last + _dt.timedelta(days=1))
            out.append((start.strftime("%Y-%m"), self._x(start, left, w), self._x(end, left, w)))
        return out

    def draw(self) -> None:
        c: Canvas = self.canv
        left, bottom = self.LABEL_W, (5 + 3.5 * len(self.below)) * mm
        w = self.width - left
        rank = {lv.code: lv.rank for lv in self.levels}
        c.setFont(FONT, 6.5)
        c.setFillColor(colors.black)
        if self.sequence_below:
            for i, line in enumerate(self.below, 1):  # top down, as it reads
                c.drawString(left, (0.8 + 3.5 * (len(self.below) - i)) * mm, line)
        else:
            c.drawRightString(self.width, self.height - 3.5 * mm, self.sequence)

        def y_of(code: str) -> float:
            return bottom + self.row * (rank[code] + 0.5)

        c.setFont(BOLD, 8.5)
        c.setFillColor(colors.black)
        c.drawString(0, self.height - 3.5 * mm, self.title)
        # ordinal axis: one row per level, labelled with rank and the definition's label
        for lv in self.levels:
            y = y_of(lv.code)
            c.setFont(FONT, 6.8)
            c.setFillColor(colors.black)
            label = (f"{lv.code} " if lv.rank else "") + lv.label[self.lang]
            c.drawRightString(left - 5 * mm, y - 2.2, label)
            _marker(c, _MARKERS[lv.rank % len(_MARKERS)], left - 2.5 * mm, y, r=1.0 * mm)
            c.setStrokeColor(LIGHT)
            c.setLineWidth(0.4)
            c.setDash(1, 2)
            c.line(left, y, left + w, y)
            c.setDash()
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.6)
        c.rect(left, bottom, w, self.row * len(self.levels), stroke=1, fill=0)
        # a line between "not observed" and the levels
        c.setLineWidth(0.4)
        c.line(left, bottom + self.row, left + w, bottom + self.row)
        # month axis: a tick where each month begins, its label under the middle of the month,
        # so that a form stands above its own month's label
        c.setFont(FONT, 6)
        c.setFillColor(colors.black)
        months = self.months(left, w)
        every = max(1, round(len(months) / 10 + 0.49))
        for i, (label, start, end) in enumerate(months):
            if i:
                c.setStrokeColor(colors.black)
                c.line(start, bottom, start, bottom - 1 * mm)
            if i % every == 0:
                c.drawCentredString((start + end) / 2, bottom - 3.6 * mm, label)
        # steps through the observed levels (rank > 0), then every form's marker
        points = []
        same: dict[_dt.date, int] = {}
        for obs in self.area.observations:
            if obs.date is None or obs.level not in rank:
                continue
            k = same.get(obs.date, 0)
            same[obs.date] = k + 1
            points.append((self._x(obs.date, left, w) + k * 2.2 * mm, y_of(obs.level), obs.level))
        seen = [(x, y) for x, y, code in points if rank[code] > 0]
        if len(seen) > 1:
            c.setStrokeColor(GREY)
            c.setLineWidth(0.8)
            path = c.beginPath()
            path.moveTo(*seen[0])
            for (_, y0), (x1, y1) in itertools.pairwise(seen):
                path.lineTo(x1, y0)
                path.lineTo(x1, y1)
            c.drawPath(path, stroke=1, fill=0)
        c.setLineWidth(0.6)
        for x, y, code in points:
            _marker(c, _MARKERS[rank[code] % len(_MARKERS)], x, y)


class KeyFigures(Flowable):
    """Four big numbers in boxes."""

    def __init__(self, items: Sequence[tuple[str, str]], width: float, height: float = 15 * mm) -> None:
        super().__init__()
        self.items, self.width, self.height = list(items), width, height

    def draw(self) -> None:
        c: Canvas = self.canv
        gap = 3 * mm
        w = (self.width - gap * (len(self.items) - 1)) / len(self.items)
        for i, (value, label) in enumerate(self.items):
            x = i * (w + gap)
            c.setStrokeColor(colors.black)
            c.setLineWidth(0.6)
            c.rect(x, 0, w, self.height, stroke=1, fill=0)
            c.setFillColor(colors.black)
            c.setFont(BOLD, 14)
            c.drawString(x + 2.5 * mm, self.height - 7 * mm, value)
            c.setFont(FONT, 7.5)
            c.drawString(x + 2.5 * mm, 2.5 * mm, label)


# --------------------------------------------------------------------------- the document


@dataclass
class ReportWriter:
    """Lays out progress as the A4 report."""

    definition: FormDefinition
    lang: str = "sv"
    today: _dt.date | None = None

    def __post_init__(self) -> None:
        #: After :meth:`write`: one line naming what a damaged store could not give, or None.
        self.damage: str | None = None
        if self.lang not in REPORT_LANGS:
            raise UsageError(f"unknown report language {self.lang!r}: use sv or en")
        self.builder = ProgressBuilder(self.definition)
        self.roles = self.builder.roles

    def t(self, key: str) -> str:
        return T[key][self.lang]

    def from_records(
        self, records: Iterable[Record], trainee: str | None = None, roster: Iterable[tuple[str, str]] = ()
    ) -> bytes:
        """The report of ``records`` (only the trainee(s) matching ``trainee`` if given, no cohort page).

        ``roster`` names (name, specialty) trainees the cohort page lists even without any form.
        """
        from ..storage.filters import matches

        progress = self.builder.build(masked_record(r, self.lang) for r in records)
        if trainee is not None:
            progress = [p for p in progress if matches(trainee, p.name)]
            if not progress:
                raise UsageError(
                    f"no forms for a trainee called {trainee!r}",
                    sv=f"inga formulär för en ST-läkare som heter {trainee!r}",
                )
        return self.build(progress, with_cohort=trainee is None, roster=roster)

    def write(self, db: str | Path, out: str | Path, trainee: str | None = None, where: Filter | None = None) -> Path:
        """Read the store at ``db`` (read-only; forms passing ``where``, not voided) and write the report to ``out``.

        The report is written whole or not at all. A damaged store gives the report of what
        can be read; :attr:`damage` then names what could not be read (one line), else None.
        """
        from ..admin.desk import no_forms_error, open_existing
        from ..admin.status import StatusBuilder
        from ..storage.filters import Filter
        from ..storage.view import StoreView

        where = where or Filter(trainee=trainee)
        with open_existing(Path(db), readonly=True) as store, store.guarded():
            view = StoreView(store, self.definition)
            if view.is_empty():
                raise no_forms_error(Path(db))
            view.check_trainee(where, view.names())
            records = list(view.records(where))
            self.damage = store.damage_message("report", self.lang)
            roster = [(t.name, t.specialty) for t in StatusBuilder(store, self.definition).trainees(where)]
        pdf = self.from_records(records, where.trainee, roster)
        return write_bytes(out, pdf)

    def build(
        self, progress: Sequence[TraineeProgress], with_cohort: bool = True, roster: Iterable[tuple[str, str]] = ()
    ) -> bytes:
        """The PDF bytes: the cohort page (if asked, with ``roster`` trainees without forms), then each trainee."""
        fonts.register()
        buf = io.BytesIO()
        today = (self.today or _dt.date.today()).isoformat()
        doc = SimpleDocTemplate(
            buf,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 4 * mm,
            title=self.t("title"),
            author="minicex-pdf",
            invariant=1,
        )
        story: list[Flowable] = []
        if with_cohort:
            story += self._cohort(self._with_roster(cohort(progress), roster))
        for i, p in enumerate(progress):
            if story or i:
                story.append(PageBreak())
            story += self._trainee(p)
        if not story:
            story.append(_p(self.t("no_forms")))

        def footer(c: Canvas, d: SimpleDocTemplate) -> None:
            c.saveState()
            c.setFont(FONT, 7)
            c.setFillColor(colors.black)
            c.drawString(MARGIN, MARGIN - 2 * mm, f"{self.t('title')} · {self.t('generated')} {today}")
            c.drawRightString(A4[0] - MARGIN, MARGIN - 2 * mm, f"{self.t('page')} {d.page}")
            c.restoreState()

        doc.build(story, onFirstPage=footer, onLaterPages=footer)
        return buf.getvalue()

    # ------------------------------------------------------------------ cohort page

    def _with_roster(self, lines: list[CohortLine], roster: Iterable[tuple[str, str]]) -> list[CohortLine]:
        """The cohort lines plus a zero line for each roster trainee without forms, by name."""
        spec = self.builder.catalogue.specialty
        have = {(name_key(ln.name), name_key(spec(ln.specialty) or ln.specialty)) for ln in lines}
        names = {k[0] for k in have if not k[1]}
        out = list(lines)
        for name, specialty in roster:
            key = (name_key(name), name_key(spec(specialty) or specialty))
            if key not in have and key[0] not in names:
                have.add(key)
                out.append(CohortLine(name, spec(specialty) or specialty, 0, 0, 0, 0, None))
        return sorted(out, key=lambda ln: (name_key(ln.name), name_key(ln.specialty)))

    def _cohort(self, lines: Sequence[CohortLine]) -> list[Flowable]:
        head = [
            self.t("name"),
            self.t("specialty"),
            self.t("forms"),
            self.t("assessors"),
            self.t("not_supervisor"),
            self.t("awaiting"),
            self.t("incomplete_short"),
            self.t("empty_short"),
            self.t("latest"),
        ]
        rows: list[list[object]] = [[_p(h, 7, bold=True) for h in head]]
        for ln in lines:
            rows.append(
                [
                    _p(ln.name or self.t("no_name"), 8.5),
                    _p(ln.specialty or "–", 8.5),
                    str(ln.count),
                    str(ln.assessors),
                    f"{ln.not_by_supervisor} {self.t('of')} {ln.count}",
                    str(ln.awaiting_action_plan),
                    str(ln.incomplete),
                    str(ln.empty),
                    ln.latest.isoformat() if ln.latest else "–",
                ]
            )
        widths = [28 * mm, 24 * mm, 15 * mm, 16 * mm, 19 * mm, 22 * mm, 22 * mm, 11 * mm, WIDTH - 157 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 1), (-1, -1), FONT, 8.5),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.3, LIGHT),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.Color(0.95, 0.95, 0.95)]),
                    ("ALIGN", (2, 1), (7, -1), "RIGHT"),
                ]
            )
        )
        return [_p(self.t("cohort"), 15, bold=True), Spacer(1, 5 * mm), table]

    # ------------------------------------------------------------------ one trainee

    def _trainee(self, p: TraineeProgress) -> list[Flowable]:
        d, lang = self.definition, self.lang
        story: list[Flowable] = [_p(p.name or self.t("no_name"), 16, bold=True), Spacer(1, 1.5 * mm)]
        dated = [o.date for a in p.areas for o in a.observations if o.date]
        facts = []
        if p.specialty:
            facts.append(f"{self.t('specialty')}: {p.specialty}")
        if p.regulation:
            facts.append(f"{self.t('regulation')}: {next(r.name for r in d.regulations if r.code == p.regulation)}")
        if dated:
            facts.append(f"{self.t('period')}: {min(dated).isoformat()} – {max(dated).isoformat()}")
        story.append(_p(" · ".join(facts), 9))
        for note in p.notes:
            story.append(_p(note[lang], 8))
        story.append(Spacer(1, 3 * mm))
        story.append(
            KeyFigures(
                [
                    (str(p.count), self.t("forms")),
                    (str(len(p.assessors)), self.t("assessors")),
                    (f"{p.not_by_supervisor} {self.t('of')} {p.count}", self.t("not_supervisor")),
                    (str(len(p.awaiting_action_plan)), self.t("awaiting")),
                ],
                COLUMN,
            )
        )
        story += [
            Spacer(1, 1.5 * mm),
            _p(f"{self.t('incomplete')}: {len(p.incomplete)} · {self.t('empty')}: {len(p.empty)}", 8.5),
        ]
        if p.signable:
            signed = f"{self.t('signed')}: {p.signed_by_assessor} {self.t('of')} {p.signable}"
            story += [Spacer(1, 1 * mm), _p(signed, 8.5)]
        story += [Spacer(1, 4 * mm), _p(self.t("per_month"), 10, bold=True), Spacer(1, 1 * mm)]
        story.append(MonthChart(p.per_month, COLUMN))
        story += [Spacer(1, 3 * mm), _p(self.t("levels"), 10, bold=True), _p(self.t("levels_note"), 7.5)]
        if p.undated:
            story.append(_p(f"{p.undated} {self.t('undated')}", 7.5))
        if dated:
            first, last = min(dated), max(dated)
            if first == last:
                first, last = first - _dt.timedelta(days=15), last + _dt.timedelta(days=15)
            levels = sorted(d.levels, key=lambda lv: lv.rank)
            for area in p.areas:
                title = f"{area.label[lang]} – {self.t('observed')} {area.observed} {self.t('of')} {p.count}"
                story += [Spacer(1, 1.5 * mm), LevelChart(area, levels, lang, (first, last), COLUMN, title)]
        story += self._met(p)
        story += self._subgoals(p)
        story += self._waiting(p)
        story += self._not_counted(p)
        story += self._changed(p)
        story += self._feedback(p)
        return story

    def _section(self, key: str, items: Sequence[Flowable | list[Flowable]]) -> list[Flowable]:
        """A section: its heading kept with its first item (a list: kept together, as each later list is),
        which takes the heading to the next page if it does not fit under it (a heading is never left alone
        at the foot of a page); a new page first when under 30 mm are left."""
        heading = [Spacer(1, 5 * mm), _p(self.t(key), 11, bold=True), Spacer(1, 1.5 * mm)]
        first, *rest = items or [Spacer(1, 0)]
        kept = [*heading, *(first if isinstance(first, list) else [first])]
        return [
            CondPageBreak(30 * mm),
            KeepTogether(kept),
            *(KeepTogether(r) if isinstance(r, list) else r for r in rest),
        ]

    def _met(self, p: TraineeProgress) -> list[Flowable]:
        lang = self.lang
        rows: list[list[object]] = []
        for fld, counts in ((self.roles.setting, p.settings), (self.roles.complexity, p.complexity)):
            cells = [f"{fld.option(code).label[lang]}: {n}" for code, n in counts]  # type: ignore[union-attr]
            rows.append([_p(fld.title[lang], 8.5, bold=True), _p("   ·   ".join(cells), 8.5)])
        rows.append(
            [
                _p(self.roles.complicated.title[lang], 8.5, bold=True),
                _p(f"{p.complicated} {self.t('of')} {p.count}", 8.5),
            ]
        )
        return self._section("met", _two_columns(rows))

    def _subgoals(self, p: TraineeProgress) -> list[Flowable]:
        covered = ", ".join(f"{g.code} ({n})" for g, n in p.subgoals_covered) or self.t("none")
        rows = [[_p(self.t("covered"), 8.5, bold=True), _p(covered, 8.5)]]
        if p.regulation:
            rows.append(
                [_p(self.t("missing"), 8.5, bold=True), _p(", ".join(p.subgoals_missing) or self.t("none"), 8.5)]
            )
        out = _two_columns(rows)
        if not p.regulation:
            out.append(_p(self.t("no_regulation"), 8))
        return self._section("subgoals", out)

    def _waiting(self, p: TraineeProgress) -> list[Flowable]:
        if not p.awaiting_action_plan:
            return []
        return self._section("waiting", [self._ref_line(r) for r in p.awaiting_action_plan])

    def _not_counted(self, p: TraineeProgress) -> list[Flowable]:
        out: list[Flowable] = []
        for key, refs in (("incomplete_list", p.incomplete), ("empty_list", p.empty)):
            if refs:
                out += self._section(key, [self._ref_line(r) for r in refs])
        return out

    def _changed(self, p: TraineeProgress) -> list[Flowable]:
        if not p.changed_after_signing:
            return []
        return self._section("changed", [self._ref_line(r, bold=True) for r in p.changed_after_signing])

    def _ref_line(self, ref: FormRef, *, bold: bool = False) -> Flowable:
        """One form in a list: its date, its assessor (when known) and its file's name."""
        who = f" · {ref.assessor}" if ref.assessor else ""
        return _p(f"{_date(ref.date, self.lang)}{who} · {Path(ref.path).name}", 8.5, bold=bold)

    def _feedback(self, p: TraineeProgress) -> list[Flowable]:
        lang, roles = self.lang, self.roles
        blocks: list[list[Flowable]] = []
        for fb in p.feedback:
            block: list[Flowable] = [_p(f"{_date(fb.date, lang)} · {fb.assessor}", 9, bold=True)]
            for fld, text in (
                (roles.went_well, fb.went_well),
                (roles.next_time, fb.next_time),
                (roles.action_plan, fb.action_plan),
            ):
                if text:
                    block.append(_p(f"{fld.title[lang]}:", 7.5, color=GREY))
                    block.append(_p(text, 8.5))
            block.append(Spacer(1, 3 * mm))
            blocks.append(block)
        return self._section("feedback", blocks)


def write_report(
    db: str | Path,
    out: str | Path,
    trainee: str | None = None,
    lang: str = "sv",
    definition: FormDefinition | None = None,
) -> Path:
    """Write the progress report of the store at ``db`` to ``out``."""
    return ReportWriter(definition or load_definition(), lang).write(db, out, trainee)
