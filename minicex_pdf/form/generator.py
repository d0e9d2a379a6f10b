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

The builder is split by concern, each class adding to the one before:
``layout.py`` (geometry, type, :class:`~minicex_pdf.form.layout.Style` per
version, text and block primitives), ``widgets.py`` (the AcroForm widgets and
the ReportLab hooks), ``cells.py`` (a field in its share of a row),
``levels.py`` (section D's scale and level table) and this module (the public
API, the header, sections, rows, instructions and pagination).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..errors import UsageError
from . import fonts
from .definition import Field, FormDefinition, Section, Text, load_definition, split_langs
from .keywords import IDENTITY_PREFIX, identity_keywords, parse_identity_keywords
from .layout import (
    BORDER,
    CONTENT_W,
    GUTTER,
    LABEL_SIZE,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    SMALL,
    _Block,
    _draw_runs,
    _Page,
    _Run,
    _runs_height,
    _wrap,
)
from .levels import _LevelTable

__all__ = [
    "IDENTITY_PREFIX",
    "build_form",
    "form_values",
    "identity_keywords",
    "parse_identity_keywords",
    "write_form",
]

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


class _FormBuilder(_LevelTable):
    """Builds one form: measures blocks, paginates them, draws pages (cells, levels and widgets come from its bases)."""

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
