"""Fill a form with pdf.js (Firefox's engine) under node, the way Firefox's form layer does.

A test and corpus tool like :mod:`minicex_pdf.engines.pdfium`, with the same API:
values keyed by definition field name, typed like ``Record.values``. The
script ``tests/engines/pdfjs/fill.mjs`` loads the PDF with the npm package
``pdfjs-dist`` (legacy build), puts each value into the document's
``annotationStorage`` by widget annotation id as Firefox's AnnotationLayer does
on input (text ``{value: str}``, check box ``{value: bool}``, radio button
``{value: true}`` on the chosen button and ``false`` on the others) and saves
with ``saveDocument()``: an incremental update, as Firefox's "Save" writes.

Needs ``node`` and ``npm ci --prefix tests/engines/pdfjs`` (or the folder named
by the environment variable ``MINICEX_PDFJS_DIR``, holding ``fill.mjs`` and
``node_modules/pdfjs-dist``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from ..errors import UsageError
from ..form.definition import FormDefinition
from .runner import engine_values, run_filler

__all__ = ["fill_pdfjs", "pdfjs_missing"]


def pdfjs_dir() -> Path:
    """The folder with ``fill.mjs`` and its ``node_modules`` (``MINICEX_PDFJS_DIR`` or the repository's)."""
    named = os.environ.get("MINICEX_PDFJS_DIR")
    return Path(named) if named else Path(__file__).resolve().parents[2] / "tests" / "engines" / "pdfjs"


def pdfjs_missing() -> str | None:
    """Why pdf.js cannot run here (node or pdfjs-dist not installed), or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    folder = pdfjs_dir()
    if not (folder / "fill.mjs").is_file():
        return f"{folder / 'fill.mjs'} is missing"
    if not (folder / "node_modules" / "pdfjs-dist" / "package.json").is_file():
        return f"pdfjs-dist is not installed: npm ci --prefix {folder}"
    return None


def fill_pdfjs(
    pdf: bytes, values: Mapping[str, object], definition: FormDefinition | None = None, *, timeout: float = 60.0
) -> bytes:
    """Fill ``values`` into the form ``pdf`` with pdf.js; return the saved bytes.

    Raises :class:`UsageError` if node or pdfjs-dist is missing, for a field or
    option the definition does not have, or a field the PDF has no widget for.
    """
    why = pdfjs_missing()
    if why is not None:
        raise UsageError(f"pdf.js cannot run: {why}")
    wanted = engine_values(values, definition)
    node = shutil.which("node") or "node"
    return run_filler("pdf.js", [node, str(pdfjs_dir() / "fill.mjs")], pdf, wanted, timeout=timeout)
