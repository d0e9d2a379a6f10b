"""Fill a form with poppler (Evince, Okular) through poppler-glib, as Evince does on click and keystroke.

A test and corpus tool like :mod:`minicex_pdf.engines.pdfium`, with the same API:
values keyed by definition field name, typed like ``Record.values``. poppler's
GObject bindings (Debian: python3-gi and gir1.2-poppler-0.18) load into the
system Python, not the project's, so a small script runs under
``/usr/bin/python3`` (or ``MINICEX_GI_PYTHON``): it opens the PDF with
``Poppler.Document.new_from_file``, finds each widget in
``page.get_form_field_mapping()`` and calls what Evince calls:
``text_set_text`` for typed text, ``button_set_state`` for a check box and for
the radio button of the chosen option; then ``document.save(uri)``.

poppler-glib tells neither a radio button's group name nor its on-state, so,
as a user picks the button by where it is, this wrapper finds each widget's
page and ``/Rect`` (and a button's on-state from its ``/AP /N`` keys) with
pypdf, and the script matches poppler's widgets by that rectangle.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from ..errors import UsageError
from ..form.definition import FormDefinition
from .runner import engine_values, run_filler

__all__ = ["fill_poppler", "poppler_missing"]

_SCRIPT = r"""
import json, pathlib, sys
import gi
gi.require_version("Poppler", "0.18")
from gi.repository import Poppler

source, actions_path, target = sys.argv[1:4]
actions = json.loads(pathlib.Path(actions_path).read_text(encoding="utf-8"))
doc = Poppler.Document.new_from_file(pathlib.Path(source).resolve().as_uri(), None)
mappings = {}

def widget_at(page, rect):
    if page not in mappings:
        mappings[page] = doc.get_page(page).get_form_field_mapping()
    for m in mappings[page]:
        a = m.area
        if max(abs(a.x1 - rect[0]), abs(a.y1 - rect[1]), abs(a.x2 - rect[2]), abs(a.y2 - rect[3])) < 0.01:
            return m.field
    return None

missing = []
for act in actions:
    field = widget_at(act["page"], act["rect"])
    if field is None:
        missing.append(act["name"])
        continue
    kind, value = act["kind"], act["value"]
    ftype = field.get_field_type()
    if kind == "text" and ftype == Poppler.FormFieldType.TEXT:
        field.text_set_text(value)
    elif kind in ("checkbox", "radio") and ftype == Poppler.FormFieldType.BUTTON:
        if field.button_get_state() != value:
            field.button_set_state(value)
    else:
        missing.append(act["name"])
if missing:
    print("MISSING " + json.dumps(missing))
    sys.exit(3)
doc.save(pathlib.Path(target).resolve().as_uri())
"""


@dataclass(frozen=True)
class _Widget:
    """One widget found with pypdf: full field name, kind, on-states, page index and /Rect."""

    name: str
    kind: str
    states: tuple[str, ...]
    page: int
    rect: tuple[float, float, float, float]


def _gi_python_name() -> str:
    return os.environ.get("MINICEX_GI_PYTHON") or "/usr/bin/python3"


def gi_python() -> str | None:
    """The Python that can import poppler's GObject bindings (``MINICEX_GI_PYTHON`` or /usr/bin/python3)."""
    return shutil.which(_gi_python_name())


def poppler_missing() -> str | None:
    """Why poppler-glib cannot run here (no system Python, gi or Poppler 0.18), or None when it can."""
    python = gi_python()
    if python is None:
        return f"no system Python for poppler-glib ({_gi_python_name()})"
    probe = "import gi; gi.require_version('Poppler', '0.18'); from gi.repository import Poppler"
    try:
        done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{python} does not run: {exc}"
    if done.returncode != 0:
        return f"poppler-glib is not installed for {python}: apt-get install python3-gi gir1.2-poppler-0.18"
    return None


def fill_poppler(
    pdf: bytes, values: Mapping[str, object], definition: FormDefinition | None = None, *, timeout: float = 60.0
) -> bytes:
    """Fill ``values`` into the form ``pdf`` with poppler-glib; return the saved bytes.

    Raises :class:`UsageError` if poppler-glib is missing, for a field or option
    the definition does not have, or a field the PDF has no widget for.
    """
    python = gi_python()
    if python is None:
        raise UsageError(f"poppler cannot run: no system Python ({_gi_python_name()})")
    wanted = engine_values(values, definition)
    actions = _actions(_widgets(pdf), wanted)
    return run_filler("poppler", [python, "-c", _SCRIPT], pdf, actions, timeout=timeout)


def _actions(widgets: list[_Widget], wanted: Mapping[str, str | bool]) -> list[dict[str, Any]]:
    """What to do to which widget: type into the first widget of a text field, set a button's state."""
    by_name: dict[str, list[_Widget]] = {}
    for w in widgets:
        by_name.setdefault(w.name, []).append(w)
    out: list[dict[str, Any]] = []
    for name, value in wanted.items():
        kids = by_name.get(name)
        if not kids:
            raise UsageError(f"the PDF has no field {name!r}")
        first = kids[0]
        if first.kind == "radio":
            target = next((k for k in kids if value in k.states), None)
            if target is None:
                raise UsageError(f"the PDF's radio group {name!r} has no button {value!r}")
            out.append(_action(target, True))
        else:
            out.append(_action(first, value))
    return out


def _action(widget: _Widget, value: str | bool) -> dict[str, Any]:
    return {"name": widget.name, "kind": widget.kind, "page": widget.page, "rect": widget.rect, "value": value}


def _widgets(pdf: bytes) -> list[_Widget]:
    """Every widget on the pages of ``pdf``, in page and annotation order."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[_Widget] = []
    for index, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or ():
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            name, ftype, flags = _lineage(annot)
            kind = "text" if ftype == "/Tx" else "radio" if flags & (1 << 15) else "checkbox"
            ap = annot.get("/AP")
            normal = ap.get("/N") if isinstance(ap, DictionaryObject) else None
            states = tuple(str(k)[1:] for k in normal if k != "/Off") if isinstance(normal, DictionaryObject) else ()
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            rect = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
            if ftype in ("/Tx", "/Btn") and not flags & (1 << 16):  # not a push button
                found.append(_Widget(name, kind, states, index, rect))
    return found


def _lineage(annot: DictionaryObject) -> tuple[str, str, int]:
    """A widget's full field name, inherited /FT and /Ff."""
    parts: list[str] = []
    ftype, flags = "", None
    node: Any = annot
    for _ in range(32):
        if "/T" in node:
            parts.append(str(node["/T"]))
        if not ftype and "/FT" in node:
            ftype = str(node["/FT"])
        if flags is None and "/Ff" in node:
            flags = int(node["/Ff"])
        parent = node.get("/Parent")
        if parent is None:
            break
        node = parent.get_object()
    return ".".join(reversed(parts)), ftype, flags or 0
