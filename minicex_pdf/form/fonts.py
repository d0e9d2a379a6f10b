"""The Unicode font shipped with minicex-pdf, for drawing and for typing into form fields.

One well-kept open font, DejaVu Sans (regular and bold), cut down by
``scripts/build_fonts.py`` to Latin with its extensions (Polish, Czech, Romanian,
Turkish, Baltic, Vietnamese), Greek, Cyrillic, typographic punctuation and
U+FFFD, lives in ``minicex_pdf/fontdata/`` with its licence. Nothing is assumed
about system fonts. Two uses:

- **Drawing** (names in the report, values on pages): call :func:`register`
  and draw with :data:`REGULAR` / :data:`BOLD`; ReportLab subsets the glyphs
  each document uses. Pass the text through :func:`shown` first: a character
  the font lacks (emoji, a script not shipped) becomes the visible
  :data:`REPLACEMENT` instead of a blank. To keep Latin-1 text in crisp
  Helvetica and fall back per character, use :func:`runs` (canvas) or
  :func:`markup` (Paragraph).
- **The AcroForm field font** (what viewers draw typed text with):
  :func:`field_font` gives the :class:`FieldFont`; its :meth:`FieldFont.embed`
  puts the whole cut-down regular face into a ReportLab document once, as a
  composite (Type0, Identity-H) font with a ``/ToUnicode`` map, and
  :meth:`FieldFont.encode` turns text into the two-byte glyph codes an
  appearance stream shows with it (``/MxSans 10 Tf <...> Tj``).

Example::

    from minicex_pdf.form import fonts

    fonts.register()
    canvas.setFont(fonts.REGULAR, 10)
    canvas.drawString(72, 720, fonts.shown("Nguyễn Thị Minh 🙂"))
    fonts.missing("Nguyễn Thị Minh 🙂")  # ('🙂',)
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "BOLD",
    "FIELD_RESOURCE",
    "FONT_DIR",
    "LICENCE",
    "REGULAR",
    "REPLACEMENT",
    "FieldFont",
    "covers",
    "field_font",
    "font_path",
    "markup",
    "missing",
    "register",
    "runs",
    "shown",
]

#: Where the shipped font files and their licence are.
FONT_DIR = Path(__file__).resolve().parent.parent / "fontdata"
LICENCE = FONT_DIR / "LICENSE-DejaVu.txt"
#: ReportLab names of the registered faces (see :func:`register`).
REGULAR = "MinicexSans"
BOLD = "MinicexSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
#: Shown in place of a character the font has no glyph for.
REPLACEMENT = "\ufffd"
#: The field font's name in the form's ``/DR /Font`` and in every text field's ``/DA``.
FIELD_RESOURCE = "MxSans"
#: Characters that are layout, not glyphs: never reported missing.
_LAYOUT = frozenset("\n\r\t")


def font_path(face: str = REGULAR) -> Path:
    """The TTF file of ``face`` (:data:`REGULAR` or :data:`BOLD`)."""
    return FONT_DIR / _FILES[face]


@cache
def register() -> None:
    """Register :data:`REGULAR` and :data:`BOLD` with ReportLab (once per process)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for face in _FILES:
        pdfmetrics.registerFont(TTFont(face, str(font_path(face))))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)


@cache
def _cmap() -> frozenset[int]:
    """Code points the shipped faces have a glyph for (both faces hold the same set)."""
    return frozenset(field_font().glyphs)


def covers(ch: str) -> bool:
    """Whether the shipped font has a glyph for the one character ``ch``."""
    return ch in _LAYOUT or ord(ch) in _cmap()


def missing(text: str) -> tuple[str, ...]:
    """The distinct characters of ``text`` the font has no glyph for, in order of first use."""
    cmap = _cmap()
    seen: dict[str, None] = {}
    for ch in text:
        if ord(ch) not in cmap and ch not in _LAYOUT:
            seen.setdefault(ch, None)
    return tuple(seen)


def shown(text: str) -> str:
    """``text`` as drawn: each character without a glyph replaced by :data:`REPLACEMENT`."""
    cmap = _cmap()
    if all(ord(ch) in cmap for ch in text):
        return text
    return "".join(ch if ord(ch) in cmap or ch in _LAYOUT else REPLACEMENT for ch in text)


def _standard(ch: str) -> bool:
    """Whether a standard-14 text font (Helvetica, Times; WinAnsiEncoding) has ``ch``."""
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def runs(text: str, base: str) -> list[tuple[str, str]]:
    """``text`` split into (text, font) runs: ``base`` (a standard-14 font such as Helvetica) where it
    has the characters, the shipped face of the same weight where not, :data:`REPLACEMENT` where neither.

    Keeps Latin-1 text in the crisp standard font and draws only the rest with the Unicode font.
    """
    unicode_face = BOLD if "Bold" in base else REGULAR
    out: list[tuple[str, str]] = []
    for ch in shown(text):
        font = base if ch in _LAYOUT or _standard(ch) else unicode_face
        if out and out[-1][1] == font:
            out[-1] = (out[-1][0] + ch, font)
        else:
            out.append((ch, font))
    return out


def markup(text: str, base: str) -> str:
    """``text`` as ReportLab Paragraph markup in ``base``: escaped, with ``<font face>`` around the runs
    only the shipped font can show (see :func:`runs`); call :func:`register` before drawing it."""
    from xml.sax.saxutils import escape

    return "".join(
        escape(part) if font == base else f'<font face="{font}">{escape(part)}</font>'
        for part, font in runs(text, base)
    )


@dataclass(frozen=True)
class FieldFont:
    """The regular face as a composite PDF font that viewers type any shipped character with."""

    glyphs: dict[int, int]  # code point -> glyph id
    advances: tuple[float, ...]  # glyph id -> advance width in 1/1000 em
    ascent: float
    descent: float
    cap_height: float
    bbox: tuple[float, float, float, float]
    stem_v: int
    font_file: bytes  # the TTF, zlib-compressed (made once per process)
    to_unicode: bytes  # the /ToUnicode CMap, zlib-compressed
    widths: str  # the CIDFont's /W array

    def encode(self, text: str) -> str:
        """``text`` as glyph codes, two bytes each, in a Latin-1 str (what a ``(...) Tj`` literal holds).

        A character without a glyph is shown as :data:`REPLACEMENT`.
        """
        fallback = self.glyphs[ord(REPLACEMENT)]
        gids = (self.glyphs.get(ord(ch), fallback) for ch in text)
        return "".join(chr(g >> 8) + chr(g & 0xFF) for g in gids)

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` at ``size`` points, as the field font draws it."""
        fallback = self.glyphs[ord(REPLACEMENT)]
        total = sum(self.advances[self.glyphs.get(ord(ch), fallback)] for ch in text)
        return total * size / 1000.0

    def embed(self, doc: Any) -> str:
        """Add the font to the ReportLab ``PDFDocument`` ``doc`` once; its reference (``"12 0 R"``)."""
        cached = getattr(doc, "_minicex_field_font", None)
        if cached is not None:
            return str(cached)
        from reportlab.lib.utils import asNative
        from reportlab.pdfbase.acroform import PDFFromString
        from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream

        def ref(obj: Any) -> str:
            return str(asNative(doc.Reference(obj).format(doc)))

        def stream(data: bytes, **extra: Any) -> str:
            d = PDFDictionary({"Filter": PDFName("FlateDecode"), **extra})
            return ref(PDFStream(d, data, filters=[]))

        file_ref = stream(self.font_file, Length1=len(_raw_font()))
        bbox = " ".join(f"{v:.0f}" for v in self.bbox)
        descriptor = ref(
            PDFFromString(
                f"<< /Type /FontDescriptor /FontName /{_BASE_NAME} /Flags 32 /FontBBox [{bbox}] "
                f"/ItalicAngle 0 /Ascent {self.ascent:.0f} /Descent {self.descent:.0f} "
                f"/CapHeight {self.cap_height:.0f} /StemV {self.stem_v} /FontFile2 {file_ref} >>"
            )
        )
        cid = ref(
            PDFFromString(
                f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{_BASE_NAME} "
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                f"/FontDescriptor {descriptor} /DW 1000 /W {self.widths} /CIDToGIDMap /Identity >>"
            )
        )
        unicode_ref = stream(self.to_unicode)
        font = ref(
            PDFFromString(
                f"<< /Type /Font /Subtype /Type0 /BaseFont /{_BASE_NAME} /Encoding /Identity-H "
                f"/DescendantFonts [{cid}] /ToUnicode {unicode_ref} >>"
            )
        )
        doc._minicex_field_font = font
        return font


#: The field font's /BaseFont (embedded whole, so no subset tag).
_BASE_NAME = "DejaVuSans"


@cache
def _raw_font() -> bytes:
    return font_path(REGULAR).read_bytes()


@cache
def field_font() -> FieldFont:
    """The :class:`FieldFont` of the shipped regular face (parsed and compressed once per process)."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    data = _raw_font()
    ttf = TTFontFile(str(font_path(REGULAR)))
    scale = 1000.0 / ttf.unitsPerEm
    glyphs = {cp: gid for cp, gid in ttf.charToGlyph.items() if cp != 0xFFFF}
    advances = tuple(aw * scale for aw, _lsb in ttf.hmetrics)
    advances += (advances[-1],) * (ttf.numGlyphs - len(advances))
    widths = "[0 [" + " ".join(f"{w:.0f}" for w in advances) + "]]"
    return FieldFont(
        glyphs=glyphs,
        advances=advances,
        ascent=ttf.ascent,
        descent=ttf.descent,
        cap_height=ttf.capHeight,
        bbox=tuple(ttf.bbox),
        stem_v=int(ttf.stemV),
        font_file=zlib.compress(data, 9),
        to_unicode=zlib.compress(_to_unicode(glyphs), 9),
        widths=widths,
    )


def _to_unicode(glyphs: dict[int, int]) -> bytes:
    """A ToUnicode CMap from two-byte glyph codes to the code points they show (lowest code point wins)."""
    by_gid: dict[int, int] = {}
    for cp, gid in sorted(glyphs.items()):
        if gid:
            by_gid.setdefault(gid, cp)
    pairs = sorted(by_gid.items())
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for i in range(0, len(pairs), 100):
        chunk = pairs[i : i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{gid:04X}> <{cp:04X}>" for gid, cp in chunk]
        lines.append("endbfchar")
    lines += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    return "\n".join(lines).encode("ascii")
