"""Fill a form with MuPDF (SumatraPDF, many mobile apps) through ``mutool run``.

A test and corpus tool like :mod:`minicex_pdf.engines.pdfium`, with the same API:
values keyed by definition field name, typed like ``Record.values``. MuPDF's
own widget calls do the filling, as its viewers do on a click or a keystroke:
``setTextValue`` for text, ``toggle`` for a check box whose state must change
and for the radio button of the chosen option, ``setChoiceValue`` for list
boxes. MuPDF regenerates the appearances and the document is saved as an
incremental update (``incremental=True``, what its viewers do) or rewritten.

Needs the ``mutool`` program (Debian: mupdf-tools).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping

from ..errors import UsageError
from ..form.definition import FormDefinition
from .runner import engine_values, run_filler

__all__ = ["fill_mupdf", "mutool"]

_SCRIPT = r"""
var doc = new PDFDocument(scriptArgs[0]);
var values = JSON.parse(read(scriptArgs[1]));
var incremental = scriptArgs[3] == "incremental";
var done = {};

function fullName(obj) {
  var parts = [];
  for (var depth = 0; obj && depth < 32; depth++) {
    var t = obj.get("T");
    if (t && t.isString()) parts.unshift(t.asString());
    var parent = obj.get("Parent");
    if (!parent || !parent.isDictionary()) break;
    obj = parent;
  }
  return parts.join(".");
}

function onStates(obj) {
  var states = [];
  var ap = obj.get("AP");
  var n = ap && ap.isDictionary() ? ap.get("N") : null;
  if (n && n.isDictionary()) n.forEach(function (key, value) { if (key != "Off") states.push(key); });
  return states;
}

for (var p = 0; p < doc.countPages(); p++) {
  var widgets = doc.loadPage(p).getWidgets();
  var annots = doc.findPage(p).get("Annots");
  var wi = 0;
  for (var i = 0; annots && i < annots.length; i++) {
    var a = annots.get(i);
    var subtype = a.get("Subtype");
    if (!subtype || !subtype.isName() || subtype.asName() != "Widget") continue;
    var w = widgets[wi++];
    var name = fullName(a);
    if (!(name in values)) continue;
    var v = values[name];
    var type = w.getFieldType();
    if (type == "text") {
      w.setTextValue(v);
    } else if (type == "checkbox") {
      if ((w.getValue() != "Off" && w.getValue() != "") != v) w.toggle();
    } else if (type == "radiobutton") {
      if (onStates(a).indexOf(v) < 0) continue;
      if (w.getValue() != v) w.toggle();
    } else if (type == "combobox" || type == "listbox") {
      w.setChoiceValue(v);
    } else {
      continue;
    }
    done[name] = true;
  }
}
var missing = [];
for (var key in values) if (!done[key]) missing.push(key);
if (missing.length) { print("MISSING " + JSON.stringify(missing)); quit(3); }
doc.save(scriptArgs[2], incremental ? "incremental" : "garbage");
"""


def mutool() -> str | None:
    """The path of the ``mutool`` program, or None if it is not installed."""
    return shutil.which("mutool")


def fill_mupdf(
    pdf: bytes,
    values: Mapping[str, object],
    definition: FormDefinition | None = None,
    *,
    incremental: bool = True,
    timeout: float = 60.0,
) -> bytes:
    """Fill ``values`` into the form ``pdf`` with MuPDF; return the saved bytes.

    Raises :class:`UsageError` if mutool is missing, for a field or option the
    definition does not have, or a field the PDF has no widget for.
    """
    tool = mutool()
    if tool is None:
        raise UsageError("mutool (MuPDF) is not installed: apt-get install mupdf-tools")
    wanted = engine_values(values, definition)
    return run_filler(
        "MuPDF",
        [tool, "run"],
        pdf,
        wanted,
        script=("fill.js", _SCRIPT),
        extra=["incremental" if incremental else "full"],
        timeout=timeout,
    )
