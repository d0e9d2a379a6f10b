"""Which viewer engines draw typed text beyond Latin-1 with the form's field font: the README's table.

    python scripts/measure_typed_text.py [--old OLD_BLANK.pdf] [--png DIR]

Each engine fills ``trainee_name`` of the blank with TYPED and saves the way its viewer
does; then PDFium flattens the engine's appearance into the page and extracts the text
drawn inside the field's box. "shown" means that text equals TYPED (every glyph came
out of a font that has it, with its Unicode mapping); otherwise the extracted text is
printed ("" when the engine wrote no appearance). ``--old`` measures another blank
too (e.g. one from before the Unicode field font, whose /DR had Helvetica only).
``--png`` writes a crop of each field as the page renders (pdftoppm, poppler) to look at.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from minicex_pdf.form.generator import build_form

TYPED = "Łukasz ş ễ Ελένη Дмитрий O’Brien – €5"
FIELD = "trainee_name"


def engines() -> dict[str, Callable[[bytes, dict[str, object]], bytes]]:
    """The fillers that can run on this machine."""
    from minicex_pdf.engines.mupdf import fill_mupdf, mutool
    from minicex_pdf.engines.pdfium import fill_pdfium
    from minicex_pdf.engines.pdfjs import fill_pdfjs, pdfjs_missing
    from minicex_pdf.engines.poppler import fill_poppler, poppler_missing

    found: dict[str, Callable[[bytes, dict[str, object]], bytes]] = {"PDFium": fill_pdfium}
    if pdfjs_missing() is None:
        found["pdf.js"] = fill_pdfjs
    if poppler_missing() is None:
        found["poppler"] = fill_poppler
    if mutool():
        found["MuPDF"] = lambda pdf, values: fill_mupdf(pdf, values, incremental=True)
    if shutil.which("pdftk"):
        found["pdftk"] = fill_pdftk
    return found


def fill_pdftk(pdf: bytes, values: dict[str, object]) -> bytes:
    """pdftk's ``fill_form`` with an XFDF file (UTF-8), which writes appearances itself."""
    from xml.sax.saxutils import escape

    fields = "".join(f'<field name="{k}"><value>{escape(str(v))}</value></field>' for k, v in values.items())
    xfdf = f'<?xml version="1.0" encoding="UTF-8"?><xfdf xmlns="http://ns.adobe.com/xfdf/"><fields>{fields}</fields></xfdf>'
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "in.pdf").write_bytes(pdf)
        (folder / "v.xfdf").write_text(xfdf, encoding="utf-8")
        subprocess.run(
            ["pdftk", str(folder / "in.pdf"), "fill_form", str(folder / "v.xfdf"), "output", str(folder / "out.pdf")],
            check=True,
            capture_output=True,
        )
        return (folder / "out.pdf").read_bytes()


def shown_text(pdf: bytes) -> tuple[str, tuple[float, float, float, float]]:
    """The text PDFium extracts inside the field's widget after flattening its appearance, and the box."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    box = None
    for annot in range(c.FPDFPage_GetAnnotCount(page.raw)):
        handle = c.FPDFPage_GetAnnot(page.raw, annot)
        buf = ctypes_buffer(c, handle)
        if buf == FIELD:
            rect = c.FS_RECTF()
            c.FPDFAnnot_GetRect(handle, rect)
            box = (rect.left, rect.bottom, rect.right, rect.top)
        c.FPDFPage_CloseAnnot(handle)
    assert box is not None
    c.FPDFPage_Flatten(page.raw, c.FLAT_PRINT)
    out = io.BytesIO()
    doc.save(out)
    flat = pdfium.PdfDocument(out.getvalue())[0]
    return flat.get_textpage().get_text_bounded(*box).strip(), box


def ctypes_buffer(c: object, annot: object) -> str:
    """The value of an annotation's /T key (the field's partial name)."""
    import ctypes

    get = c.FPDFAnnot_GetStringValue  # type: ignore[attr-defined]
    n = get(annot, b"T", None, 0)
    buf = ctypes.create_string_buffer(n)
    get(annot, b"T", ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), n)
    return buf.raw[: n - 2].decode("utf-16-le")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", type=Path, help="another blank to measure as well")
    parser.add_argument("--png", type=Path, help="folder for rendered crops of the field")
    args = parser.parse_args()
    blanks = {"this blank": build_form()}
    if args.old:
        blanks["--old blank"] = args.old.read_bytes()
    print(f"typed: {TYPED}")
    for label, blank in blanks.items():
        print(f"\n{label} ({len(blank)} bytes)")
        for engine, fill in engines().items():
            try:
                filled = fill(blank, {FIELD: TYPED})
            except Exception as exc:  # a script: report and go on with the next engine
                print(f"  {engine:8} fill failed: {exc}")
                continue
            text, box = shown_text(filled)
            verdict = "shown" if text == TYPED else f"NOT shown: {text!r}"
            print(f"  {engine:8} {verdict}")
            if args.png and shutil.which("pdftoppm"):
                args.png.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory() as tmp:
                    src = Path(tmp) / "f.pdf"
                    src.write_bytes(filled)
                    scale = 150 / 72
                    x, y = int(box[0] * scale), int((842 - box[3]) * scale)
                    w, h = int((box[2] - box[0]) * scale), int((box[3] - box[1]) * scale)
                    stem = args.png / f"{label.split()[0].strip('-')}-{engine}"
                    subprocess.run(
                        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-x", str(x), "-y", str(y),
                         "-W", str(w), "-H", str(h), "-png", "-singlefile", str(src), str(stem)],
                        check=True,
                    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
