"""Fill a form with PDFium (the engine of Chrome and Edge) the way a user does.

This is a test and corpus tool, not a runtime dependency: ``pypdfium2`` (the
``test`` extra) is imported only when :func:`fill_pdfium` runs.

For each value it clicks the widget at the centre of its rectangle
(``FORM_OnLButtonDown``/``Up``), and for text fields selects what is there and
types the new text (``FORM_ReplaceSelection`` line by line, with the Enter key
between lines of a multi-line field, as a user's keyboard sends it). Check boxes
are clicked when their state must change, radio buttons when not yet selected.
Then the focus is taken away (as a click elsewhere does, which commits the
typed text) and the document is saved the way Chrome saves it: an incremental
update appended to the original bytes (``FPDF_SaveAsCopy`` with
``FPDF_INCREMENTAL``).

Values are typed as for :func:`minicex_pdf.form.generator.build_form`: text as
``str`` (``\\n`` for line breaks), dates as :class:`datetime.date` or
``"YYYY-MM-DD"``, whole numbers as ``int``, choice and level fields as the
option code, multichoice fields as an iterable of codes (the options not
listed are unticked), check boxes as ``bool``. Keys are definition field names.

Example::

    from minicex_pdf.form.generator import build_form
    from minicex_pdf.engines.pdfium import fill_pdfium

    filled = fill_pdfium(build_form(), {"trainee_name": "Åsa Öberg", "level_overall": "3",
                                        "focus": ("history",), "assessor_trained": True})
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..form.definition import FormDefinition
from .runner import engine_values

__all__ = ["fill_pdfium"]

_VK_RETURN = 0x0D  # FWL_VKEY_Return


@dataclass(frozen=True)
class _Widget:
    """One widget annotation: its page, field name, type, export value and centre."""

    page: int
    index: int
    name: str
    type: int
    export: str
    x: float
    y: float


def fill_pdfium(pdf: bytes, values: Mapping[str, object], definition: FormDefinition | None = None) -> bytes:
    """Fill ``values`` into the form ``pdf`` with PDFium by clicking and typing; return the saved bytes.

    Raises :class:`UsageError` for a field or option the definition does not
    have, or one the PDF has no widget for.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    wanted = engine_values(values, definition)
    doc = pdfium.PdfDocument(pdf)
    try:
        doc.init_forms()
        form = doc.formenv
        if form is None:
            raise UsageError("the PDF has no form fields to fill")
        widgets = _widgets(doc, form, c)
        by_name: dict[str, list[_Widget]] = {}
        for w in widgets:
            by_name.setdefault(w.name, []).append(w)
        missing = [name for name in wanted if name not in by_name]
        if missing:
            raise UsageError(f"the PDF has no field {missing[0]!r}")
        pages: dict[int, Any] = {}

        def page(index: int) -> Any:
            if index not in pages:
                pages[index] = doc[index]
            return pages[index]

        for name, value in wanted.items():
            kids = by_name[name]
            first = kids[0]
            if first.type == c.FPDF_FORMFIELD_TEXTFIELD:
                _type_text(c, form, page(first.page), first, str(value))
            elif first.type == c.FPDF_FORMFIELD_CHECKBOX:
                if _is_checked(c, form, page(first.page), first) != bool(value):
                    _click(c, form, page(first.page), first)
            elif first.type == c.FPDF_FORMFIELD_RADIOBUTTON:
                target = next((k for k in kids if k.export == value), None)
                if target is None:
                    raise UsageError(f"the PDF's radio group {name!r} has no button {value!r}")
                if not _is_checked(c, form, page(target.page), target):
                    _click(c, form, page(target.page), target)
            else:
                raise UsageError(f"field {name!r} is of a kind this filler does not handle")
        c.FORM_ForceToKillFocus(form)
        out = _Sink()
        doc.save(out, flags=c.FPDF_INCREMENTAL)
        for p in pages.values():
            p.close()
        return out.getvalue()
    finally:
        doc.close()


class _Sink:
    """A minimal byte sink for PdfDocument.save."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


def _utf16(getter: Any) -> str:
    """Call a PDFium ``(buffer, length) -> bytes needed`` getter and decode its UTF-16LE answer."""
    size = getter(None, 0)
    if size <= 2:
        return ""
    buf = ctypes.create_string_buffer(size)
    getter(buf, size)
    return buf.raw[: size - 2].decode("utf-16-le")


def _widgets(doc: Any, form: Any, c: Any) -> list[_Widget]:
    """Every widget of the document, in page and annotation order."""
    found: list[_Widget] = []
    for index in range(len(doc)):
        page = doc[index]
        try:
            for i in range(c.FPDFPage_GetAnnotCount(page)):
                annot = c.FPDFPage_GetAnnot(page, i)
                try:
                    if c.FPDFAnnot_GetSubtype(annot) != c.FPDF_ANNOT_WIDGET:
                        continue
                    name = _utf16(lambda b, n, a=annot: c.FPDFAnnot_GetFormFieldName(form, a, _wbuf(b), n))
                    export = _utf16(lambda b, n, a=annot: c.FPDFAnnot_GetFormFieldExportValue(form, a, _wbuf(b), n))
                    rect = c.FS_RECTF()
                    c.FPDFAnnot_GetRect(annot, rect)
                    found.append(
                        _Widget(
                            page=index,
                            index=i,
                            name=name,
                            type=c.FPDFAnnot_GetFormFieldType(form, annot),
                            export=export,
                            x=(rect.left + rect.right) / 2,
                            y=(rect.top + rect.bottom) / 2,
                        )
                    )
                finally:
                    c.FPDFPage_CloseAnnot(annot)
        finally:
            page.close()
    return found


def _wbuf(buf: Any) -> Any:
    import pypdfium2.raw as c

    return ctypes.cast(buf, ctypes.POINTER(c.FPDF_WCHAR)) if buf is not None else None


def _is_checked(c: Any, form: Any, page: Any, widget: _Widget) -> bool:
    annot = c.FPDFPage_GetAnnot(page, widget.index)
    try:
        return bool(c.FPDFAnnot_IsChecked(form, annot))
    finally:
        c.FPDFPage_CloseAnnot(annot)


def _click(c: Any, form: Any, page: Any, widget: _Widget) -> None:
    c.FORM_OnMouseMove(form, page, 0, widget.x, widget.y)
    c.FORM_OnLButtonDown(form, page, 0, widget.x, widget.y)
    c.FORM_OnLButtonUp(form, page, 0, widget.x, widget.y)


def _type_text(c: Any, form: Any, page: Any, widget: _Widget, text: str) -> None:
    """Click into a text field, select what is there, type ``text`` (Enter between lines)."""
    _click(c, form, page, widget)
    c.FORM_SelectAllText(form, page)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, line in enumerate(lines):
        if i:
            c.FORM_OnKeyDown(form, page, _VK_RETURN, 0)
            c.FORM_OnChar(form, page, _VK_RETURN, 0)
            c.FORM_OnKeyUp(form, page, _VK_RETURN, 0)
        data = ctypes.create_string_buffer((line + "\0").encode("utf-16-le"))
        c.FORM_ReplaceSelection(form, page, ctypes.cast(data, c.FPDF_WIDESTRING))
    if not text:
        empty = ctypes.create_string_buffer("\0".encode("utf-16-le"))
        c.FORM_ReplaceSelection(form, page, ctypes.cast(empty, c.FPDF_WIDESTRING))
