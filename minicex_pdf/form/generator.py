"""The form generator: lays a :class:`FormDefinition` out as a fillable A4 AcroForm PDF.

Everything printed on the form (titles, labels, options, the scale, the
positive indicators, the instructions) comes from the definition; this module
only decides where it goes. The PDF follows ``shared/design/pdf-forms.md``:

- free text has no length limit (``maxlen=0``); multi-line fields wrap;
- check boxes and radio buttons use ASCII on-states (``/Yes`` and the option
  codes) and have a ``/DA`` naming ZapfDingbats, which is in ``/AcroForm /DR``;
- every fillable field has a tooltip (``/TU``) in the form's language(s);
- widgets are created in reading order, so the tab order follows it;
- no ``/NeedAppearances``: pre-filled values get real appearance streams;
- text fields name the shipped Unicode font (DejaVu Sans, embedded whole as a
  Type0 font in ``/AcroForm /DR``, see :mod:`.fonts`) in their ``/DA``, and
  pre-filled values are drawn with it: every trainee's name shows, and viewers
  that draw typed text with the form's font (pdf.js, poppler) have the glyphs;
  labels stay in Helvetica;
- hidden, read-only identity fields (form id, version, instance id) and the
  same facts in the document metadata (``/Subject`` and ``/Keywords``);
- ReportLab's invariant mode, so the same definition and options give the same bytes.

On paper the boxes, tick boxes and radio circles are drawn into the page
content as well, big enough to write in by hand, in black only.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.acroform import AcroForm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..errors import UsageError
from . import fonts
from .definition import Field, FormDefinition, Lang, Level, Section, Text, load_definition, split_langs

__all__ = [
    "IDENTITY_PREFIX",
    "build_form",
    "form_values",
    "identity_keywords",
    "parse_identity_keywords",
    "write_form",
]

# --------------------------------------------------------------------------- page geometry and type

PAGE_W, PAGE_H = A4
MARGIN_X = 40.0
MARGIN_TOP = 36.0
MARGIN_BOTTOM = 40.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
GUTTER = 10.0  # between fields on one row

REG, BOLD, ITAL = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
FIELD_FONT, FIELD_FONT_SIZE = fonts.REGULAR, 10  # typed values: the shipped Unicode font (form/fonts.py)
LABEL_SIZE = 8.0
EN_SIZE = 7.5
SMALL = 6.8
LEAD = 1.2  # line height as a share of the font size

BOX_H = 20.0  # a one-line box: room for handwriting
SIGN_H = 30.0  # room to sign by hand, above the line (the signature field covers it)
LINE_H = 17.0  # each writing line of a multi-line box
TICK = 11.0  # side of a tick box, diameter of a radio circle
BORDER = 0.8
FF_MULTILINE = 1 << 12


@dataclass(frozen=True)
class Style:
    """The type and sizes of one form version's page (version 1 keeps its look; version 2 on: the page rules)."""

    min_font: float = 0.0  # no page text smaller (pt)
    tick: float = TICK  # tick box side, radio diameter (pt)
    box_h: float = BOX_H  # one-line box height (pt)
    line_h: float = LINE_H  # each writing line of a multi-line box (pt)
    label: float = LABEL_SIZE  # field labels (pt)
    marks_required: bool = False  # PDF Required flag, asterisk by the label, the key on page 1
    auto_multiline: bool = False  # multi-line fields with automatic font size (/DA 0 Tf)
    writing_lines: bool = False  # faint lines to write on in multi-line boxes
    not_observed_apart: bool = False  # the rank-0 step in its own column at the right
    reg: str = REG  # the page's fonts: regular, bold (Swedish labels), italic (English)
    bold: str = BOLD
    ital: str = ITAL
    instructions_first: bool = False  # the instructions on page 1, before the assessor starts

    @classmethod
    def for_version(cls, version: int) -> Style:
        """Version 1's look, or the page rules of version 2 on."""
        if version <= 1:
            return cls()
        return cls(
            min_font=8.0,
            tick=14.5,  # 5.1 mm
            box_h=24.0,  # 8.5 mm
            line_h=18.0,
            label=9.0,
            marks_required=True,
            auto_multiline=True,
            writing_lines=True,
            not_observed_apart=True,
            instructions_first=True,
        )


#: The grey of the writing lines in multi-line boxes: faint on paper, never mistaken for a box.
WRITING_LINE_GREY = 0.78

#: How tick boxes and radio circles look: black on white, visible on paper, printed.
_BUTTON_LOOK: dict[str, object] = {
    "borderColor": black,
    "fillColor": white,
    "textColor": black,
    "borderWidth": BORDER,
    "forceBorder": True,
    "annotationFlags": "print",
}

#: Keywords prefix of the identity facts in the document metadata.
IDENTITY_PREFIX = "minicex"
_KEYWORD = re.compile(r"\b" + IDENTITY_PREFIX + r"-(form-id|form-version|instance-id)=([^\s;]*)")
_INSTANCE = re.compile(r"^[A-Za-z0-9_.:-]*$")

# --------------------------------------------------------------------------- public API


def build_form(
    definition: FormDefinition | None = None,
    *,
    lang: str = "sv+en",
    values: Mapping[str, object] | None = None,
    instance_id: str = "",
) -> bytes:
    """The fillable mini-CEX form as PDF bytes.

    ``lang`` is ``"sv+en"`` (Swedish first, English under each label), ``"sv"`` or
    ``"en"``. ``values`` pre-fills fields by definition field name, typed like
    :attr:`minicex_pdf.reading.record.Record.values` (str, option code, tuple of codes,
    bool, date or ``YYYY-MM-DD``, int). ``instance_id`` goes in the identity
    field and the metadata (empty in a plain blank).
    """
    definition = definition or load_definition()
    langs = split_langs(lang)
    if not _INSTANCE.match(instance_id):
        raise UsageError(f"instance id {instance_id!r}: use ASCII letters, digits and - _ . : only")
    filled = form_values(definition, values or {})
    return _FormBuilder(definition, langs, filled, instance_id).build()


def write_form(
    path: str | Path,
    definition: FormDefinition | None = None,
    *,
    lang: str = "sv+en",
    values: Mapping[str, object] | None = None,
    instance_id: str = "",
    overwrite: bool = True,
) -> Path:
    """Write :func:`build_form`'s PDF to ``path`` (whole or not at all) and return the path.

    With ``overwrite=False`` an existing file is never replaced (:class:`OutputError`).
    """
    from ..outputs import write_bytes

    data = build_form(definition, lang=lang, values=values, instance_id=instance_id)
    return write_bytes(path, data, overwrite=overwrite)


def identity_keywords(definition: FormDefinition, instance_id: str = "") -> str:
    """The ``/Keywords`` metadata that identifies a form, e.g.
    ``minicex-form-id=minicex-st; minicex-form-version=1; minicex-instance-id=``."""
    return "; ".join(
        f"{IDENTITY_PREFIX}-{key}={value}"
        for key, value in (
            ("form-id", definition.id),
            ("form-version", definition.version),
            ("instance-id", instance_id),
        )
    )


def parse_identity_keywords(text: str) -> dict[str, str]:
    """The identity facts in a ``/Keywords`` string: keys ``form-id``, ``form-version``, ``instance-id``."""
    return {m.group(1): m.group(2) for m in _KEYWORD.finditer(text or "")}


def form_values(definition: FormDefinition, values: Mapping[str, object]) -> dict[str, str | bool]:
    """Typed values by definition field name -> what each PDF field holds, by PDF field name.

    Text-like fields give a string, check boxes (and each option of a
    multichoice field) a bool, choice and level fields the option code.
    Raises :class:`UsageError` naming the field for an unknown field, option or
    a value of the wrong type. Shared by the generator and the PDFium filler.
    """
    out: dict[str, str | bool] = {}
    for name, value in values.items():
        try:
            fld = definition.field(name)
        except KeyError:
            raise UsageError(f"no field {name!r} in form {definition.id} version {definition.version}") from None
        out.update(_field_value(fld, value))
    return out


def _field_value(fld: Field, value: object) -> dict[str, str | bool]:
    def bad(what: str) -> UsageError:
        return UsageError(f"field {fld.name!r} ({fld.type}): {what}, got a value of type {type(value).__name__}")

    if value is None:
        return {}
    if fld.type == "checkbox":
        if not isinstance(value, bool):
            raise bad("needs True or False")
        return {fld.name: value}
    if fld.type in ("choice", "level"):
        if not isinstance(value, str) or fld.option(value) is None:
            raise bad(f"needs one of the option codes {', '.join(o.code for o in fld.options)}")
        return {fld.name: value}
    if fld.type == "multichoice":
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise bad("needs a tuple of option codes")
        codes = list(value)
        unknown = [c for c in codes if not isinstance(c, str) or fld.option(c) is None]
        if unknown:
            raise bad(f"has {len(unknown)} code(s) that are not options")
        return {fld.option_field(o.code): o.code in codes for o in fld.options}
    if fld.type == "date":
        if isinstance(value, _dt.date):
            text = value.isoformat()
        elif isinstance(value, str):
            text = value
        else:
            raise bad("needs a date or a YYYY-MM-DD string")
    elif fld.type == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise bad("needs a whole number")
        text = str(value)
    else:
        if not isinstance(value, str):
            raise bad("needs text")
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        if fld.type == "text":
            text = " ".join(text.split("\n"))
    return {fld.name: text}


# --------------------------------------------------------------------------- text helpers


@dataclass(frozen=True)
class _Run:
    """One line of text with its font."""

    text: str
    font: str
    size: float

    @property
    def height(self) -> float:
        return self.size * LEAD


def _wrap(text: str, font: str, size: float, width: float) -> list[_Run]:
    lines: list[_Run] = []
    for para in text.split("\n"):
        lines += [_Run(line, font, size) for line in simpleSplit(para, font, size, width) or [""]]
    return lines


def _label_runs(
    text: Text,
    langs: tuple[Lang, ...],
    width: float,
    size: float = LABEL_SIZE,
    floor: float = 0.0,
    mark: str = "",
    faces: tuple[str, str] = (BOLD, ITAL),
) -> list[_Run]:
    """A bilingual label: Swedish in bold, English in italic underneath (or one language).

    ``floor`` is the smallest size the English may take; ``mark`` (an asterisk)
    ends the first language's text; ``faces`` are the fonts of the first and the other language.
    """
    runs = _wrap(text[langs[0]] + mark, faces[0], size, width)
    for lang in langs[1:]:
        if text[lang] != text[langs[0]]:
            runs += _wrap(text[lang], faces[1], max(floor, size * EN_SIZE / LABEL_SIZE), width)
    return runs


def _runs_height(runs: list[_Run]) -> float:
    return sum(r.height for r in runs)


def _draw_runs(c: Canvas, runs: list[_Run], x: float, top: float) -> float:
    """Draw lines from ``top`` downwards; return the y below the last line."""
    y = top
    for run in runs:
        y -= run.height
        c.setFont(run.font, run.size)
        c.drawString(x, y + 0.22 * run.size, run.text)
    return y


# --------------------------------------------------------------------------- blocks


@dataclass
class _Block:
    """A horizontal band of the page: its height and how to draw it at a given top."""

    height: float
    draw: Callable[[Canvas, float], None]
    keep_with_next: bool = False
    space_after: float = 0.0


@dataclass
class _Page:
    """The blocks placed on one page."""

    blocks: list[tuple[float, _Block]] = field(default_factory=list)


class _FormBuilder:
    """Builds one form: measures blocks, paginates them, draws pages and widgets."""

    def __init__(
        self, definition: FormDefinition, langs: tuple[Lang, ...], values: dict[str, str | bool], instance_id: str
    ) -> None:
        self.d = definition
        self.langs = langs
        self.values = values
        self.instance_id = instance_id
        self.form: AcroForm | None = None
        self._multiline_width: float | None = None
        self.st = Style.for_version(definition.version)
        self._apart_x: float | None = None  # the rule between the ordinal steps and "not observed"
        self.button_look = {**_BUTTON_LOOK, "size": self.st.tick}

    def fs(self, size: float) -> float:
        """A font size, never below the style's smallest."""
        return max(size, self.st.min_font)

    def label(self, text: Text, width: float, size: float | None = None, required: bool = False) -> list[_Run]:
        """A field label in the form's languages at no less than the smallest size, with the required mark."""
        mark = "\u00a0*" if required and self.st.marks_required else ""  # no break before the asterisk
        faces = (self.st.bold, self.st.ital)
        return _label_runs(text, self.langs, width, self.fs(size or self.st.label), self.st.min_font, mark, faces)

    # ---------------------------------------------------------------- text of the form

    def t(self, text: Text, sep: str = " / ") -> str:
        return text.joined(self.langs, sep)

    def tooltip(self, fld: Field) -> str:
        return self.t(fld.tooltip)

    # ---------------------------------------------------------------- build

    def build(self) -> bytes:
        fonts.register()
        pages = self._paginate(list(self._blocks()))
        buf = io.BytesIO()
        c = Canvas(
            buf,
            pagesize=A4,
            invariant=1,
            pageCompression=1,
            lang="sv-SE" if self.langs[0] == "sv" else "en-GB",
        )
        self._setup(c)
        c.setTitle(self.t(self.d.title))
        c.setSubject(
            f"{self.d.id} version {self.d.version}" + (f" instance {self.instance_id}" if self.instance_id else "")
        )
        c.setKeywords(identity_keywords(self.d, self.instance_id))
        c.setAuthor("minicex-pdf")
        c.setCreator("minicex-pdf")
        for number, page in enumerate(pages, 1):
            for top, block in page.blocks:
                block.draw(c, top)
            if number == 1:
                self._identity_fields(c)
            self._footer(c, number, len(pages))
            c.showPage()
        self._finish_resources()
        c.save()
        return buf.getvalue()

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
                return tx_ap(key, value, *args, **kwds)
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

    # ---------------------------------------------------------------- pagination

    def _paginate(self, blocks: list[_Block]) -> list[_Page]:
        pages = [_Page()]
        y = PAGE_H - MARGIN_TOP
        bottom = MARGIN_BOTTOM + 12  # room for the footer
        for i, block in enumerate(blocks):
            need = block.height
            j = i
            while blocks[j].keep_with_next and j + 1 < len(blocks):
                j += 1
                need += blocks[j - 1].space_after + blocks[j].height
            if y - need < bottom and pages[-1].blocks:
                pages.append(_Page())
                y = PAGE_H - MARGIN_TOP
            pages[-1].blocks.append((y, block))
            y -= block.height + block.space_after
        return pages

    def _footer(self, c: Canvas, number: int, total: int) -> None:
        c.setFont(self.st.reg, self.fs(SMALL))
        c.drawString(MARGIN_X, MARGIN_BOTTOM - 14, f"{self.t(self.d.title)}  ·  {self.d.id} v{self.d.version}")
        c.drawRightString(PAGE_W - MARGIN_X, MARGIN_BOTTOM - 14, f"{number} / {total}")

    # ---------------------------------------------------------------- the blocks of the form

    def _blocks(self) -> Iterator[_Block]:
        yield from self._header()
        for section in self.d.sections:
            yield from self._section(section)
        if not self.st.instructions_first:
            yield from self._instructions()

    def _header(self) -> Iterator[_Block]:
        d = self.d
        runs = _wrap(d.title[self.langs[0]], self.st.bold, 15, CONTENT_W)
        for lang in self.langs[1:]:
            runs += _wrap(d.title[lang], self.st.ital, 11, CONTENT_W)
        runs += _wrap(self.t(d.subtitle), self.st.reg, self.fs(LABEL_SIZE), CONTENT_W)
        if self.st.marks_required and d.required_key is not None:
            runs += _wrap("* = " + self.t(d.required_key), self.st.bold, self.fs(LABEL_SIZE), CONTENT_W)

        def draw(c: Canvas, top: float) -> None:
            _draw_runs(c, runs, MARGIN_X, top)

        yield _Block(_runs_height(runs), draw, space_after=6)
        privacy = self.label(d.privacy, CONTENT_W - 16, 8.5)
        height = _runs_height(privacy) + 10

        def draw_privacy(c: Canvas, top: float) -> None:
            c.setLineWidth(1.6)
            c.rect(MARGIN_X, top - height, CONTENT_W, height, stroke=1, fill=0)
            c.setLineWidth(BORDER)
            c.setFont(self.st.bold, 11)
            c.drawCentredString(MARGIN_X + 8, top - 5 - privacy[0].height + 0.5, "!")
            _draw_runs(c, privacy, MARGIN_X + 16, top - 5)

        yield _Block(height, draw_privacy, space_after=10)
        if self.st.instructions_first:
            yield self._heading(d.instructions_title, None)
            yield from self._paragraphs(d.instructions, space_after=8)

    def _heading(self, title: Text, note: Text | None) -> _Block:
        sv_size, en_size = 10.5, 9.0
        first = title[self.langs[0]]
        others = [title[lang] for lang in self.langs[1:] if title[lang] != first]
        one_line = " / ".join([first, *others])
        inline = bool(others) and (
            stringWidth(first + " / ", self.st.bold, sv_size)
            + sum(stringWidth(o, self.st.ital, en_size) for o in others)
            <= CONTENT_W
        )
        if inline or not others:
            runs = [_Run(one_line, self.st.bold, sv_size)]
        else:
            runs = _wrap(first, self.st.bold, sv_size, CONTENT_W) + [
                r for o in others for r in _wrap(o, self.st.ital, en_size, CONTENT_W)
            ]
        title_h = _runs_height(runs)
        note_runs = _wrap(self.t(note), self.st.reg, self.fs(SMALL + 0.4), CONTENT_W) if note else []
        height = title_h + 4 + _runs_height(note_runs)

        def draw(c: Canvas, top: float) -> None:
            if inline:
                base = top - runs[0].height + 0.22 * sv_size
                c.setFont(self.st.bold, sv_size)
                c.drawString(MARGIN_X, base, first + " / ")
                x = MARGIN_X + stringWidth(first + " / ", self.st.bold, sv_size)
                c.setFont(self.st.ital, en_size)
                c.drawString(x, base, " / ".join(others))
            else:
                _draw_runs(c, runs, MARGIN_X, top)
            c.setLineWidth(1.2)
            c.line(MARGIN_X, top - title_h - 1.5, MARGIN_X + CONTENT_W, top - title_h - 1.5)
            c.setLineWidth(BORDER)
            _draw_runs(c, note_runs, MARGIN_X, top - title_h - 4)

        return _Block(height, draw, keep_with_next=True, space_after=5)

    def _section(self, section: Section) -> Iterator[_Block]:
        yield self._heading(section.title, section.note)
        levels = [f for f in section.fields if f.type == "level"]
        if levels:
            yield from self._scale()
            yield from self._level_table(levels)
            yield _Block(4, lambda c, top: None)
        rows: list[list[Field]] = []
        for fld in section.fields:
            if fld.type == "level":
                continue
            if rows and sum(f.width for f in rows[-1]) + fld.width <= 1.0001:
                rows[-1].append(fld)
            else:
                rows.append([fld])
        blocks = [self._row(row) for row in rows]
        # a short section stays on one page with its heading
        if sum(b.height + b.space_after for b in blocks) < 0.4 * (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM):
            for b in blocks[:-1]:
                b.keep_with_next = True
        yield from blocks
        # a little more air after a section
        yield _Block(6, lambda c, top: None)

    # ---------------------------------------------------------------- rows of fields

    def _row(self, row: list[Field]) -> _Block:
        total = sum(f.width for f in row)
        free = CONTENT_W - GUTTER * (len(row) - 1)
        cells = []
        x = MARGIN_X
        for fld in row:
            w = free * fld.width / max(total, 1.0) if total > 1.0 else free * fld.width
            if len(row) == 1:
                # version 2 on: a part-width field lines up with the same share of a row of two
                w = (CONTENT_W - GUTTER if self.st.instructions_first and fld.width < 1 else CONTENT_W) * fld.width
            cells.append((x, w, self._cell(fld, w)))
            x += w + GUTTER
        height = max(h for _, _, (h, _) in cells)
        # beside a signature, a field stands on the signing line (its box bottom level with the line);
        # from version 2 boxes in a row line up at the bottom whatever their labels' lengths
        bottom = any(f.type == "signature" for f in row) or (
            self.st.marks_required and all(f.type in ("text", "date", "integer", "multiline") for f in row)
        )

        def draw(c: Canvas, top: float) -> None:
            for cx, _w, (h, draw_cell) in cells:
                draw_cell(c, cx, top - (height - h if bottom else 0.0))

        # a name box with its label under it ends a signer's block: air before the next
        return _Block(height, draw, space_after=12 if any(f.label_below for f in row) else 5)

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
            if fld.type == "multiline" and self.st.writing_lines:
                self._writing_lines(c, x, y - box_h, width, fld.lines)
            self._textfield(c, fld, x, y - box_h, width, box_h)

        return height, draw

    def _writing_lines(self, c: Canvas, x: float, y: float, width: float, lines: int) -> None:
        """Faint lines to write on inside a multi-line box (page content: they print, and never hold a value)."""
        c.saveState()
        c.setStrokeGray(WRITING_LINE_GREY)
        c.setLineWidth(0.4)
        for i in range(1, lines):
            ly = y + 2 + i * self.st.line_h
            c.line(x + 4, ly, x + width - 4, ly)
        c.restoreState()

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

    def _required(self, fld: Field) -> bool:
        """Whether the field gets the PDF Required flag (version 2 on)."""
        return fld.required and self.st.marks_required

    def _checkbox_cell(self, fld: Field, width: float) -> tuple[float, Callable[[Canvas, float, float], None]]:
        tick = self.st.tick
        label = self.label(fld.label, width - tick - 5, required=fld.required)
        height = max(tick + 2, _runs_height(label))

        def draw(c: Canvas, x: float, top: float) -> None:
            self._tick(c, fld.name, self.tooltip(fld), x, top - tick - 1, bool(self.values.get(fld.name)))
            _draw_runs(c, label, x + tick + 5, top + min(0.0, (_runs_height(label) - tick) / 2 - 1))

        return height, draw

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

    # ---------------------------------------------------------------- the scale and the level table

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

    # ---------------------------------------------------------------- instructions

    def _instructions(self) -> Iterator[_Block]:
        yield self._heading(self.d.instructions_title, None)
        yield from self._paragraphs(self.d.instructions)

    def _paragraphs(self, paragraphs: Iterable[Text], space_after: float = 0.0) -> Iterator[_Block]:
        """Paragraphs in two columns (Swedish left, English right in italic) or in one language."""
        paragraphs = list(paragraphs)
        if len(self.langs) == 2:
            col_w = (CONTENT_W - 14) / 2
            for i, para in enumerate(paragraphs):
                left = _wrap(para[self.langs[0]], self.st.reg, self.fs(7.5), col_w)
                right = _wrap(para[self.langs[1]], self.st.ital, self.fs(7.2), col_w)
                height = max(_runs_height(left), _runs_height(right))
                after = space_after if i == len(paragraphs) - 1 and space_after else 3
                yield _Block(height, self._two_columns(left, right, col_w), space_after=after)
        else:
            for i, para in enumerate(paragraphs):
                runs = _wrap(para[self.langs[0]], self.st.reg, 8, CONTENT_W)
                after = space_after if i == len(paragraphs) - 1 and space_after else 4
                yield _Block(_runs_height(runs), self._one_column(runs), space_after=after)

    @staticmethod
    def _two_columns(left: list[_Run], right: list[_Run], col_w: float) -> Callable[[Canvas, float], None]:
        def draw(c: Canvas, top: float) -> None:
            _draw_runs(c, left, MARGIN_X, top)
            _draw_runs(c, right, MARGIN_X + col_w + 14, top)

        return draw

    @staticmethod
    def _one_column(runs: list[_Run]) -> Callable[[Canvas, float], None]:
        def draw(c: Canvas, top: float) -> None:
            _draw_runs(c, runs, MARGIN_X, top)

        return draw

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
