#!/usr/bin/env python3
"""Time read_form against pypdf's get_fields() on generated forms filled in PDFium.

Forms are generated and filled with varied values (scripts/build_corpus.py's
value maker), then copied with ``qpdf --object-streams=generate`` as Acrobat and
Preview save them. Each file is read from disk, one process, best of --repeat
rounds; the figure is milliseconds per form::

    python scripts/bench_read.py -n 20 --repeat 5

Needs pypdfium2 (test extra) and qpdf (for the object-stream copies).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_corpus import form_values
from pypdf import PdfReader

from minicex_pdf.engines.pdfium import fill_pdfium
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.reading.reader import read_form
from minicex_pdf.reading.walker import scan


def make_forms(folder: Path, n: int, seed: int) -> dict[str, list[Path]]:
    definition = load_definition()
    rng = random.Random(seed)
    plain = []
    for i in range(n):
        typed, _ = form_values(definition, rng)
        data = fill_pdfium(build_form(definition, instance_id=f"bench-{i}"), typed, definition)
        path = folder / f"form-{i:03}.pdf"
        path.write_bytes(data)
        plain.append(path)
    sets = {"plain (PDFium incremental save)": plain}
    if shutil.which("qpdf"):
        packed = []
        for path in plain:
            out = path.with_name(path.stem + "-objstm.pdf")
            subprocess.run(["qpdf", "--object-streams=generate", str(path), str(out)], check=True)
            packed.append(out)
        sets["object streams (qpdf)"] = packed
    return sets


def per_form(files: list[Path], read: Callable[[Path], object], repeat: int) -> float:
    """Best-of-``repeat`` milliseconds per form for reading every file once."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for path in files:
            read(path)
        best = min(best, time.perf_counter() - start)
    return best * 1000 / len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="forms per set")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    readers: dict[str, Callable[[Path], object]] = {
        "PdfReader(f).get_fields()": lambda p: PdfReader(p).get_fields(),
        "read_form(f)": lambda p: read_form(p),
        "  of which the walk (acroform.scan)": lambda p: scan(p.read_bytes(), str(p)),
    }
    with tempfile.TemporaryDirectory(prefix="minicex-bench-") as tmp:
        sets = make_forms(Path(tmp), args.n, args.seed)
        for label, files in sets.items():
            print(f"{label}: {len(files)} forms, {sum(f.stat().st_size for f in files) // len(files) // 1024} kB each")
            times = {name: per_form(files, fn, args.repeat) for name, fn in readers.items()}
            base = times["PdfReader(f).get_fields()"]
            for name, ms in times.items():
                print(f"  {name:<38} {ms:7.2f} ms/form  ({base / ms:4.2f}x get_fields)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
