"""The form's widgets: text fields, tick boxes, radio buttons, signature fields and the hidden identity
fields, with the ReportLab hooks that make every viewer show them alike (see generator.py)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import black
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas

from . import fonts
from .definition import Field
from .layout import BORDER, FF_MULTILINE, FIELD_FONT, FIELD_FONT_SIZE, MARGIN_X, WRITING_LINE_GREY, _Base, _wrap


class _Widgets(_Base):
    """Creates the AcroForm widgets and fixes what ReportLab writes so that every viewer fills them."""

    def _setup(self, c: Canvas) -> None:
        """Hook the AcroForm: /DA on buttons, ZapfDingbats in /DR, wrapped multi-line appearances."""
        form = c.acroForm
        self.form = form
        add_annotation = c._addAnnotation

        def _add(annotation: Any, name: Any = None, addtopage: int = 1) -> None:
            if isinstance(annotation, PDFDictionary) and "MK" in annotation.dict:
                mk = annotation.dict["MK"]
                if isinstance(mk, PDFDictionary) and "CA" in mk.dict:
                    annotation.dict["DA"] = PDFString("/ZaDb 0 Tf 0 g")
            if (
                self.st.auto_multiline
                and isinstance(annotation, PDFDictionary)
                and "DA" in annotation.dict
                and int(annotation.dict.get("Ff", 0)) & FF_MULTILINE
            ):
                # viewers shrink long typed feedback to fit the box (a pre-filled value is drawn at 10 pt)
                annotation.dict["DA"] = PDFString(f"/{fonts.FIELD_RESOURCE} 0 Tf 0 g")
            add_annotation(annotation, name, addtopage)

        c._addAnnotation = _add
        make_font = form.makeFont
        field_font = fonts.field_font()

        def _make_font(name: str | None) -> tuple[str, str]:
            if name != FIELD_FONT:
                return make_font(name)
            ref = field_font.embed(c._doc)
            form.fonts[fonts.FIELD_RESOURCE] = ref
            return ref, fonts.FIELD_RESOURCE

        form.makeFont = _make_font
        tx_ap = form.txAP

        def _tx_ap(key: str, value: str, *args: Any, **kwds: Any) -> Any:
            if not value:
                return self._with_writing_lines(tx_ap(key, value, *args, **kwds))
            if self._multiline_width is not None:
                width = self._multiline_width - 4 * BORDER - 4
                lines = [r.text for r in _wrap(fonts.shown(value), FIELD_FONT, FIELD_FONT_SIZE, width)]
            else:
                lines = [value]
            # ReportLab writes (line) Tj in its own encoding: hand it placeholders, then put in the glyph codes.
            holders = [f"@@{i}@@" for i in range(len(lines))]
            stream = tx_ap(key, "\n".join(holders), *args, **kwds)
            for holder, line in zip(holders, lines, strict=True):
                code = "<" + field_font.encode(line).encode("latin-1").hex().upper() + ">"
                stream.content = stream.content.replace(f"({holder})", code)
                stream._af_refstr = stream._af_refstr.replace(f"({holder})", code)
            return stream

        form.txAP = _tx_ap
        checkbox_ap = form.checkboxAP

        def _checkbox_ap(key: str, value: str, *args: Any, **kwds: Any) -> Any:
            # ReportLab 5.1 misplaces radio circles whose size is not 20: draw them here.
            if kwds.get("shape") == "circle":
                size = kwds["size"]
                return form.makeStream(size, size, _radio_stream(size, value == "Yes"), Resources=_raw("<< >>"))
            return checkbox_ap(key, value, *args, **kwds)

        form.checkboxAP = _checkbox_ap

    def _with_writing_lines(self, stream: Any) -> Any:
        """An empty multi-line box's appearance with faint lines to write on (version 2 on).

        They are part of the widget's own appearance, not the page: they print on a
        blank form, and a viewer that draws the typed text makes a new appearance
        without them, so typed text (in any size) is never crossed by a line.
        """
        if self._writing is None:
            return stream
        width, lines = self._writing
        strokes = "".join(
            f"4 {2 + i * self.st.line_h:.2f} m {width - 4:.2f} {2 + i * self.st.line_h:.2f} l S\n"
            for i in range(1, lines)
        )
        ops = f"q {WRITING_LINE_GREY:g} G 0.4 w\n{strokes}Q\n"
        stream.content += ops
        stream._af_refstr += ops
        return stream

    def _finish_resources(self) -> None:
        """One /Font dictionary in /DR with the text font and ZapfDingbats (ReportLab writes one per font)."""
        form = self.form
        assert form is not None
        zadb = form.getRefStr(_raw("<< /Type /Font /Subtype /Type1 /BaseFont /ZapfDingbats /Name /ZaDb >>"))
        used = dict(form.fonts)
        used["ZaDb"] = zadb
        font_dict = " ".join(f"/{name} {ref}" for name, ref in sorted(used.items()))
        form.extras["DR"] = _raw(f"<< /Encoding << /RLAFencoding {form.encRefStr} >> /Font << {font_dict} >> >>")
        form.extras["DA"] = PDFString(f"/{fonts.FIELD_RESOURCE} 0 Tf 0 g")

    def _sigfield(self, c: Canvas, fld: Field, x: float, y: float, w: float, h: float) -> None:
        """An unsigned signature field (``/FT /Sig``) whose ``/Lock`` names the fields of its part.

        Its own appearance is empty: the line under it is page content, so the
        form prints and works the same on paper and in viewers that cannot sign.
        """
        assert self.form is not None
        form = self.form
        lock = PDFDictionary(
            {
                "Type": PDFName("SigFieldLock"),
                "Action": PDFName("Include"),
                "Fields": PDFArray([PDFString(n) for n in self.d.lock_names(fld)]),
            }
        )
        empty = form.makeStream(w, h, "", Resources=_raw("<< >>"))
        widget = PDFDictionary(
            {
                "FT": PDFName("Sig"),
                "Type": PDFName("Annot"),
                "Subtype": PDFName("Widget"),
                "P": c._doc.thisPageRef(),
                "Rect": PDFArray((x, y, x + w, y + h)),
                "F": 4,  # print
                "T": PDFString(fld.name),
                "TU": PDFString(self.tooltip(fld)),
                "Lock": form.getRef(lock),
                "AP": PDFDictionary({"N": form.getRef(empty)}),
            }
        )
        c._addAnnotation(widget)
        form.fields.append(form.getRef(widget))

    def _textfield(self, c: Canvas, fld: Field, x: float, y: float, w: float, h: float) -> None:
        assert self.form is not None
        value = self.values.get(fld.name, "")
        multiline = fld.type == "multiline"
        self._multiline_width = w if multiline else None
        self._writing = (w, fld.lines) if multiline and self.st.writing_lines else None
        self.form.textfield(
            name=fld.name,
            tooltip=self.tooltip(fld),
            value=str(value),
            x=x,
            y=y,
            width=w,
            height=h,
            fontName=FIELD_FONT,
            fontSize=FIELD_FONT_SIZE,
            textColor=black,
            borderColor=black,
            fillColor=None,
            borderWidth=BORDER,
            forceBorder=True,
            maxlen=0,
            fieldFlags=" ".join(
                f for f in ("multiline" if multiline else "", "required" if self._required(fld) else "") if f
            ),
            annotationFlags="print",
        )
        self._multiline_width = None
        self._writing = None

    def _required(self, fld: Field) -> bool:
        """Whether the field gets the PDF Required flag (version 2 on)."""
        return fld.required and self.st.marks_required

    def _tick(self, c: Canvas, name: str, tooltip: str, x: float, y: float, checked: bool) -> None:
        assert self.form is not None
        self.form.checkbox(
            name=name,
            tooltip=tooltip,
            checked=checked,
            buttonStyle="check",
            shape="square",
            x=x,
            y=y,
            fieldFlags="",
            **self.button_look,
        )

    def _radio(self, c: Canvas, fld: Field, code: str, x: float, y: float) -> None:
        assert self.form is not None
        self.form.radio(
            name=fld.name,
            value=code,
            tooltip=self.tooltip(fld),
            selected=self.values.get(fld.name) == code,
            buttonStyle="circle",
            shape="circle",
            x=x,
            y=y,
            fieldFlags="noToggleToOff radio" + (" required" if self._required(fld) else ""),
            **self.button_look,
        )

    # ---------------------------------------------------------------- identity

    def _identity_fields(self, c: Canvas) -> None:
        assert self.form is not None
        ident = self.d.identity
        facts = (
            (ident.form_id_field, self.d.id),
            (ident.version_field, str(self.d.version)),
            (ident.instance_field, self.instance_id),
        )
        for i, (name, value) in enumerate(facts):
            self.form.textfield(
                name=name,
                value=value,
                x=MARGIN_X + i * 40,
                y=4,
                width=36,
                height=10,
                fontName=FIELD_FONT,
                fontSize=6,
                textColor=black,
                borderColor=None,
                fillColor=None,
                borderWidth=0,
                maxlen=0,
                fieldFlags="readOnly",
                annotationFlags="hidden",
            )


def _circle(c: float, r: float) -> str:
    """A closed circle path around (c, c) of radius r, as four Bezier arcs."""
    k = 0.5523 * r
    return (
        f"{c + r:.2f} {c:.2f} m "
        f"{c + r:.2f} {c + k:.2f} {c + k:.2f} {c + r:.2f} {c:.2f} {c + r:.2f} c "
        f"{c - k:.2f} {c + r:.2f} {c - r:.2f} {c + k:.2f} {c - r:.2f} {c:.2f} c "
        f"{c - r:.2f} {c - k:.2f} {c - k:.2f} {c - r:.2f} {c:.2f} {c - r:.2f} c "
        f"{c + k:.2f} {c - r:.2f} {c + r:.2f} {c - k:.2f} {c + r:.2f} {c:.2f} c h"
    )


def _radio_stream(size: float, on: bool) -> str:
    """A radio button's appearance: a white disc with a black ring, and a black dot when on."""
    c = size / 2
    parts = ["q 1 g", _circle(c, c), "f", f"0 G {BORDER} w", _circle(c, c - BORDER / 2), "S"]
    if on:
        parts += ["0 g", _circle(c, c * 0.45), "f"]
    return "\n".join([*parts, "Q"])


def _raw(text: str) -> Any:
    from reportlab.pdfbase.acroform import PDFFromString

    return PDFFromString(text)
