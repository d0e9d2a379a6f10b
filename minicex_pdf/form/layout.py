"""Page geometry, type and the text and block primitives the form generator lays out with.

:class:`Style` holds what differs between form versions (sizes, the required
marks, where "not observed" stands); :class:`_Base` is what every part of the
builder shares: the definition, the languages, the style and the text helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.acroform import AcroForm
from reportlab.pdfgen.canvas import Canvas

from . import fonts
from .definition import Field, FormDefinition, Lang, Text

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


class _Base:
    """What every part of the form builder shares: the definition, languages, values, style and text helpers."""

    def __init__(
        self, definition: FormDefinition, langs: tuple[Lang, ...], values: dict[str, str | bool], instance_id: str
    ) -> None:
        self.d = definition
        self.langs = langs
        self.values = values
        self.instance_id = instance_id
        self.form: AcroForm | None = None
        self._multiline_width: float | None = None
        self._writing: tuple[float, int] | None = None  # (width, lines) of the multi-line box being made
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
