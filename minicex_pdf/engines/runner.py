"""What the script-driven fillers (MuPDF, pdf.js, poppler) share: values by PDF field name, one run.

Each of :mod:`~minicex_pdf.engines.mupdf`, :mod:`~minicex_pdf.engines.pdfjs` and
:mod:`~minicex_pdf.engines.poppler` drives a viewer engine through a small script
in another program. The script is called as ``script in.pdf values.json
out.pdf [extra...]`` in a private temporary folder: ``values.json`` holds
what to fill, usually :func:`engine_values` (each PDF field name to what it
holds: text as ``str``, check boxes as ``bool``, a radio group as the chosen
button's export value), and a script that finds a name (or a radio option) the PDF has no widget for prints
``MISSING ["name", ...]`` and exits with status 3.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import UsageError
from ..form.definition import FormDefinition, load_definition
from ..form.generator import form_values

__all__ = ["engine_values", "run_filler"]


def engine_values(values: Mapping[str, object], definition: FormDefinition | None = None) -> dict[str, str | bool]:
    """Typed values by definition field name -> what each PDF field holds, by PDF field name.

    Raises :class:`UsageError` for a field or option the definition does not have.
    """
    return form_values(definition or load_definition(), values)


def run_filler(
    engine: str,
    command: Sequence[str],
    pdf: bytes,
    values: object,
    *,
    script: tuple[str, str] | None = None,
    extra: Sequence[str] = (),
    timeout: float = 60.0,
) -> bytes:
    """Run ``command [script] in.pdf values.json out.pdf *extra``; return the bytes of out.pdf.

    ``values`` is written as ``values.json`` (usually :func:`engine_values`).
    ``script`` is a (file name, text) pair written into the temporary folder
    first, for engines whose script is kept in Python. A failed run raises
    :class:`UsageError` naming ``engine`` and the fields with no widget, or
    else the engine's last error line (or last line) of output.
    """
    with tempfile.TemporaryDirectory(prefix="minicex-fill-") as tmp:
        folder = Path(tmp)
        args = list(command)
        if script is not None:
            (folder / script[0]).write_text(script[1], encoding="utf-8")
            args.append(str(folder / script[0]))
        (folder / "in.pdf").write_bytes(pdf)
        (folder / "values.json").write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
        out = folder / "out.pdf"
        args += [str(folder / "in.pdf"), str(folder / "values.json"), str(out), *extra]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise UsageError(f"{engine} did not finish filling the form within {timeout:g} s") from None
        if done.returncode != 0 or not out.exists():
            lines = (done.stdout + done.stderr).strip().splitlines()
            missing = next((line for line in lines if line.startswith("MISSING ")), None)
            if missing is not None:
                detail = f"no widget for {', '.join(json.loads(missing[8:]))}"
            else:
                errors = [line for line in lines if "error" in line.lower()]
                detail = (errors or lines or [f"exit status {done.returncode}"])[-1].strip()
            raise UsageError(f"{engine} could not fill the form: {detail}")
        return out.read_bytes()
