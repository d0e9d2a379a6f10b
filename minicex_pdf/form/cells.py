"""The cells of a row of fields: a label and its box, tick box, radio buttons or signature line."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .definition import Field
from .layout import BORDER, LABEL_SIZE, SIGN_H, _draw_runs, _Run, _runs_height, _wrap
from .widgets import _Widgets


class _Cells(_Widgets):
    """Lays out one field in its share of a row and returns its height and how to draw it."""

    def _cell(self, fld: Field, width: float) -> tuple[float, Callable[[Canvas, float, float], None]]:
        if fld.type == "signature":
            return self._signature_cell(fld, width)
        if fld.type == "checkbox":
            return self._checkbox_cell(fld, width)
        if fld.type in ("choice", "multichoice"):
            return self._choice_cell(fld, width)
        return self._text_cell(fld, width)

    def _text_cell(self, fld: Field, width: float) -> tuple[float, Callable[[Canvas, float, float], None]]:
        label = self.label(fld.label, width, required=fld.required)
        label_h = _runs_height(label) + 1.5
        box_h = self.st.line_h * fld.lines + 4 if fld.type == "multiline" else self.st.box_h
        sign_h = 26.0 if fld.signature else 0.0
        height = label_h + sign_h + box_h

        if fld.label_below:

            def draw_below(c: Canvas, x: float, top: float) -> None:
                self._textfield(c, fld, x, top - box_h, width, box_h)
                _draw_runs(c, label, x, top - box_h - 1.5)

            return height, draw_below

        def draw(c: Canvas, x: float, top: float) -> None:
            _draw_runs(c, label, x, top)
            y = top - label_h
            if fld.signature:
                c.setLineWidth(BORDER)
                c.line(x, y - sign_h + 3, x + width, y - sign_h + 3)
                y -= sign_h
            self._textfield(c, fld, x, y - box_h, width, box_h)

        return height, draw

    def _signature_cell(self, fld: Field, width: float) -> tuple[float, Callable[[Canvas, float, float], None]]:
        """The label, then room to sign by hand above a line; the PDF signature field covers that room."""
        label = self.label(fld.label, width)
        label_h = _runs_height(label) + 1.5

        def draw(c: Canvas, x: float, top: float) -> None:
            _draw_runs(c, label, x, top)
            bottom = top - label_h - SIGN_H
            c.setLineWidth(BORDER)
            c.line(x, bottom + 2, x + width, bottom + 2)
            self._sigfield(c, fld, x, bottom, width, SIGN_H)

        return label_h + SIGN_H, draw

    def _checkbox_cell(self, fld: Field, width: float) -> tuple[float, Callable[[Canvas, float, float], None]]:
        tick = self.st.tick
        label = self.label(fld.label, width - tick - 5, required=fld.required)
        height = max(tick + 2, _runs_height(label))

        def draw(c: Canvas, x: float, top: float) -> None:
            self._tick(c, fld.name, self.tooltip(fld), x, top - tick - 1, bool(self.values.get(fld.name)))
            _draw_runs(c, label, x + tick + 5, top + min(0.0, (_runs_height(label) - tick) / 2 - 1))

        return height, draw

    def _choice_cell(self, fld: Field, width: float) -> tuple[float, Callable[[Canvas, float, float], None]]:
        """Label on the left, options flowing to its right: radio circles or tick boxes."""
        label_w = min(150.0, width * 0.3)
        tick = self.st.tick
        label = self.label(fld.label, label_w - 6, required=fld.required)
        opts_x0 = label_w
        avail = width - label_w
        placed: list[tuple[float, float, str, list[_Run]]] = []  # dx, dy, code, runs
        dx = dy = 0.0
        line_h = 0.0
        for opt in fld.options:
            text = self.t(opt.label)
            runs = _wrap(text, self.st.reg, self.fs(LABEL_SIZE), avail - tick - 6)
            w = tick + 4 + max(stringWidth(r.text, r.font, r.size) for r in runs)
            h = max(tick + 2, _runs_height(runs))
            if dx and dx + w > avail:
                dx = 0.0
                dy += line_h + 4
                line_h = 0.0
            placed.append((dx, dy, opt.code, runs))
            dx += w + 14
            line_h = max(line_h, h)
        height = max(_runs_height(label), dy + line_h)

        def draw(c: Canvas, x: float, top: float) -> None:
            _draw_runs(c, label, x, top)
            for odx, ody, code, runs in placed:
                ox = x + opts_x0 + odx
                oy = top - ody - tick - 1
                if fld.type == "multichoice":
                    name = fld.option_field(code)
                    tip = f"{self.tooltip(fld)}: {self.t(fld.option(code).label)}"  # type: ignore[union-attr]
                    self._tick(c, name, tip, ox, oy, bool(self.values.get(name)))
                else:
                    self._radio(c, fld, code, ox, oy)
                _draw_runs(c, runs, ox + tick + 4, top - ody - max(0.0, (tick - _runs_height(runs[:1])) / 2))

        return height, draw
