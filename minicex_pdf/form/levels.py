"""Section D's scale legend and level table: one row per area, one column per step of the scale."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from reportlab.pdfgen.canvas import Canvas

from .cells import _Cells
from .definition import Field, Level
from .layout import BORDER, CONTENT_W, LABEL_SIZE, MARGIN_X, SMALL, _Block, _draw_runs, _Run, _runs_height, _wrap


class _LevelTable(_Cells):
    """The scale with its definitions, and the table where each area gets its level."""

    def _scale_order(self) -> list[Level]:
        """The scale's steps as printed: in rank order, or (version 2 on) "not observed" set apart at the end."""
        levels = list(self.d.levels)
        if self.st.not_observed_apart:
            levels = [lv for lv in levels if lv.rank > 0] + [lv for lv in levels if lv.rank == 0]
        return levels

    def _scale(self) -> Iterator[_Block]:
        d = self.d
        title = self.label(d.scale_title, CONTENT_W, 8.5)
        name_w = 120.0
        rows = []
        for level in self._scale_order():
            name = self.label(level.label, name_w - 6, 7.5)
            text = _wrap(level.definition[self.langs[0]], self.st.reg, self.fs(SMALL + 0.2), CONTENT_W - name_w - 8)
            for lang in self.langs[1:]:
                text += _wrap(level.definition[lang], self.st.ital, self.fs(SMALL), CONTENT_W - name_w - 8)
            gap = 4.0 if self.st.not_observed_apart and level.rank == 0 else 0.0
            rows.append((name, text, max(_runs_height(name), _runs_height(text)) + 4, gap))
        note = self.label(d.scale_note, CONTENT_W - 8, 8)
        height = _runs_height(title) + 3 + sum(r[2] + r[3] for r in rows) + 4 + _runs_height(note) + 4

        def draw(c: Canvas, top: float) -> None:
            y = _draw_runs(c, title, MARGIN_X, top) - 3
            c.setLineWidth(0.4)
            for name, text, h, gap in rows:
                if gap:
                    c.line(MARGIN_X, y, MARGIN_X + CONTENT_W, y)
                    y -= gap
                c.line(MARGIN_X, y, MARGIN_X + CONTENT_W, y)
                _draw_runs(c, name, MARGIN_X + 2, y - 2)
                _draw_runs(c, text, MARGIN_X + name_w, y - 2)
                y -= h
            c.line(MARGIN_X, y, MARGIN_X + CONTENT_W, y)
            c.setLineWidth(BORDER)
            _draw_runs(c, note, MARGIN_X + 2, y - 4)

        # version 2 on: the scale may end a page and the table start the next (no half-empty page)
        yield _Block(height, draw, keep_with_next=not self.st.not_observed_apart, space_after=8)

    def _level_columns(self) -> tuple[float, float, dict[str, float]]:
        """The level table's area width, column width and each step's column centre (x)."""
        levels = self._scale_order()
        col_w = 54.0 if self.st.not_observed_apart else 56.0
        gap = 10.0 if self.st.not_observed_apart else 0.0
        area_w = CONTENT_W - col_w * len(levels) - gap
        centres = {}
        x = MARGIN_X + area_w
        for level in levels:
            if self.st.not_observed_apart and level.rank == 0:
                self._apart_x = x + gap / 2
                x += gap
            centres[level.code] = x + col_w / 2
            x += col_w
        return area_w, col_w, centres

    def _level_table(self, fields: list[Field]) -> Iterator[_Block]:
        area_w, col_w, centres = self._level_columns()
        heads = [(centres[lv.code], self.label(lv.label, col_w - 4, 7)) for lv in self._scale_order()]
        head_h = max(_runs_height(h) for _, h in heads) + 4

        def draw_head(c: Canvas, top: float) -> None:
            for cx, runs in heads:
                y = top
                for run in runs:
                    y -= run.height
                    c.setFont(run.font, run.size)
                    c.drawCentredString(cx, y + 0.22 * run.size, run.text)
            c.setLineWidth(1.0)
            c.line(MARGIN_X, top - head_h, MARGIN_X + CONTENT_W, top - head_h)
            c.setLineWidth(BORDER)
            self._apart_rule(c, top, top - head_h)

        yield _Block(head_h, draw_head, keep_with_next=True)
        for fld in fields:
            assert fld.area is not None
            area = self.d.area(fld.area)
            label = self.label(fld.label, area_w - 8, 8.5, required=fld.required)
            text = _wrap(area.indicators[self.langs[0]], self.st.reg, self.fs(SMALL), area_w - 8)
            for lang in self.langs[1:]:
                text += _wrap(area.indicators[lang], self.st.ital, self.fs(SMALL - 0.3), area_w - 8)
            height = _runs_height(label) + 2 + _runs_height(text) + 6
            yield _Block(height, self._level_row(fld, label, text, centres, height))

    def _level_row(
        self, fld: Field, label: list[_Run], text: list[_Run], centres: dict[str, float], height: float
    ) -> Callable[[Canvas, float], None]:
        tick = self.st.tick

        def draw(c: Canvas, top: float) -> None:
            y = _draw_runs(c, label, MARGIN_X + 2, top - 3)
            _draw_runs(c, text, MARGIN_X + 2, y - 2)
            cy = top - min(height / 2, 3 + _runs_height(label) / 2 + tick) - tick / 2
            for code, cx in centres.items():
                if fld.option(code) is not None:
                    self._radio(c, fld, code, cx - tick / 2, cy)
                else:  # a step this area cannot take (the activity as a whole must be rated)
                    c.setFont(self.st.reg, self.fs(LABEL_SIZE))
                    c.drawCentredString(cx, cy + tick / 2 - 3, "–")
            c.setLineWidth(0.4)
            c.line(MARGIN_X, top - height, MARGIN_X + CONTENT_W, top - height)
            c.setLineWidth(BORDER)
            self._apart_rule(c, top, top - height)

        return draw

    def _apart_rule(self, c: Canvas, top: float, bottom: float) -> None:
        """A thin upright rule that sets "not observed" apart from the ordinal steps (version 2 on)."""
        if self._apart_x is not None:
            c.setLineWidth(0.4)
            c.line(self._apart_x, top, self._apart_x, bottom)
            c.setLineWidth(BORDER)
