"""Rebuild the shipped blank forms in forms/ and the PNG previews in docs/.

    python scripts/build_blanks.py            # blanks and previews
    python scripts/build_blanks.py --no-png   # blanks only (no pdftoppm needed)

The blanks are byte-identical to what ``minicex blank`` writes today (ReportLab's
invariant mode); ``tests/test_blanks_teeth.py`` fails when their meaning (fields,
flags, values, labels, page text) differs: find out why before rebuilding.
The previews need ``pdftoppm`` (poppler-utils).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from minicex_pdf.form.definition import FORM_LANGS
from minicex_pdf.form.generator import build_form

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
DOCS = ROOT / "docs"
#: Preview resolution: readable on screen, small in the repository.
PREVIEW_DPI = 60


def blank_path(lang: str) -> Path:
    """Where the blank of one language variant is shipped: forms/blank-sv+en.pdf, ..."""
    return FORMS / f"blank-{lang}.pdf"


def preview_prefix(lang: str) -> str:
    """File name prefix of the previews: form-page (bilingual), form-sv-page, form-en-page."""
    return "form-page" if lang == "sv+en" else f"form-{lang}-page"


def build_previews(pdf: Path, lang: str) -> list[Path]:
    """Render every page of ``pdf`` to docs/<prefix>-<n>.png with pdftoppm."""
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm not found: install poppler-utils, or use --no-png")
    for old in DOCS.glob(f"{preview_prefix(lang)}-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-r", str(PREVIEW_DPI), "-gray", "-png", str(pdf), str(stem)], check=True)
        made = []
        for png in sorted(Path(tmp).glob("page-*.png")):
            number = int(png.stem.rsplit("-", 1)[1])
            target = DOCS / f"{preview_prefix(lang)}-{number}.png"
            shutil.move(png, target)
            made.append(target)
    return made


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-png", action="store_true", help="do not render the previews")
    args = parser.parse_args(argv)
    DOCS.mkdir(exist_ok=True)
    for lang in FORM_LANGS:
        path = blank_path(lang)
        path.write_bytes(build_form(lang=lang))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
        if not args.no_png:
            for png in build_previews(path, lang):
                print(f"  {png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
