#!/usr/bin/env python3
"""Benchmark ``minicex import`` against the plain pypdf loop, side by side on the same files.

    python scripts/bench_import.py -n 1000                 # builds a corpus in a temporary folder
    python scripts/bench_import.py --corpus corpus        # reuses one made by build_corpus.py
    python scripts/bench_import.py -n 1000 --sizes 250,1000   # memory as N grows

Each measurement runs in a fresh Python process, timed from outside (wall
clock, interpreter start included), with the page cache warmed first, in
interleaved rounds (the best of ``--repeat`` kept, so that other load on the
machine favours neither):

- baseline: ``for f in files: PdfReader(f).get_fields()`` in one process;
- import: ``minicex import FILES --db NEW.sqlite --quiet`` (the click command,
  end to end: read, validate, store), then the same command again (all
  already imported).

Peak memory is ``resource.getrusage`` in the import process: ``RUSAGE_SELF`` for
the parent and ``RUSAGE_CHILDREN`` for its workers (the largest of them).
The corpus and databases live in a temporary folder (or under --workdir).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from minicex_pdf.storage.importer import find_files  # noqa: E402

BASELINE = """
import sys
from pypdf import PdfReader
files = [line.rstrip("\\n") for line in open(sys.argv[1], encoding="utf-8")]
bad = 0
for f in files:
    try:
        PdfReader(f).get_fields()
    except Exception:
        bad += 1
print(bad)
"""

IMPORT = """
import json, resource, sys
from minicex_pdf.cli import cli
files = [line.rstrip("\\n") for line in open(sys.argv[1], encoding="utf-8")]
args = ["import", *files, "--db", sys.argv[2], "--quiet", *sys.argv[3:]]
try:
    cli.main(args, prog_name="minicex", standalone_mode=False)
    code = 0
except SystemExit as exc:
    code = exc.code
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"exit": code, "rss_parent_kb": me.ru_maxrss, "rss_children_kb": kids.ru_maxrss}), file=sys.stderr)
"""


def timed(code: str, *args: str) -> tuple[float, str, str]:
    """Run ``python -c code args`` and return (wall seconds, stdout, stderr)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"benchmark child failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, proc.stdout, proc.stderr


def summary_counts(stdout: str) -> dict[str, int]:
    """The counts in an import summary ("Imported: 993 (...)" -> imported 993), to see every round did the job."""
    keys = {"Imported": "imported", "Already imported": "already", "Not readable": "not_readable"}
    out = {}
    for line in stdout.splitlines():
        head, _, rest = line.partition(": ")
        if head in keys and rest[:1].isdigit():
            out[keys[head]] = int(rest.split()[0])
    return out


def objstm_share(files: list[Path]) -> float:
    """Share of the files whose cross-reference is a stream with object streams (as Acrobat saves)."""
    count = 0
    for f in files:
        data = f.read_bytes()
        count += b"/ObjStm" in data
    return count / max(1, len(files))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="forms in a corpus built here (default 1000)")
    ap.add_argument("--corpus", type=Path, help="use this corpus folder instead of building one")
    ap.add_argument("--objstm-share", type=float, default=0.5, help="share with object streams in a built corpus")
    ap.add_argument("--sizes", default="", help="comma-separated N to import as well, for memory as N grows")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs for minicex import (default: cores)")
    ap.add_argument("--workdir", type=Path, help="folder for the corpus and databases (default: a temporary one)")
    ap.add_argument("--repeat", type=int, default=2, help="interleaved rounds; the best of each is kept")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        corpus = args.corpus
        if corpus is None:
            corpus = work / "corpus"
            subprocess.run(
                [sys.executable, str(HERE / "build_corpus.py"), str(corpus), "-n", str(args.n),
                 "--objstm-share", str(args.objstm_share), "--broken-share", "0", "--refill-share", "0.02"],
                check=True,
            )  # fmt: skip
        files = find_files([corpus])
        share = objstm_share(files)
        for f in files:  # warm the page cache for both contenders
            f.read_bytes()
        listing = work / "files.txt"
        listing.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        n = len(files)

        # Interleaved rounds, best of each: other load on the machine hits both contenders alike.
        base_runs: list[float] = []
        imp_runs: list[float] = []
        counts: list[dict[str, int]] = []
        for r in range(args.repeat):
            base_s, base_out, _ = timed(BASELINE, str(listing))
            base_runs.append(base_s)
            imp_s, imp_out, imp_err = timed(IMPORT, str(listing), str(work / f"bench{r}.sqlite"), *jobs)
            imp_runs.append(imp_s)
            counts.append(summary_counts(imp_out))
        base_s, imp_s = min(base_runs), min(imp_runs)
        again_s, _, _ = timed(IMPORT, str(listing), str(work / "bench0.sqlite"), *jobs)
        mem = json.loads(imp_err.strip().splitlines()[-1])
        figures = {
            "files": n,
            "object_stream_share": round(share, 3),
            "baseline_unreadable": int(base_out.strip() or 0),
            "baseline_s": round(base_s, 2),
            "baseline_forms_per_s": round(n / base_s, 1),
            "import_s": round(imp_s, 2),
            "import_forms_per_s": round(n / imp_s, 1),
            "import_exit": mem["exit"],
            "ratio_import_to_baseline": round(imp_s / base_s, 3),
            "speedup": round(base_s / imp_s, 2),
            "second_run_s": round(again_s, 2),
            "peak_rss_parent_mb": round(mem["rss_parent_kb"] / 1024, 1),
            "peak_rss_worker_mb": round(mem["rss_children_kb"] / 1024, 1),
            "cores": os.cpu_count(),
            "import_counts": counts,
            "baseline_runs_s": [round(x, 2) for x in base_runs],
            "import_runs_s": [round(x, 2) for x in imp_runs],
        }
        scaling = []
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            part = work / f"files-{size}.txt"
            part.write_text("".join(f"{f}\n" for f in files[:size]), encoding="utf-8")
            s, _, err = timed(IMPORT, str(part), str(work / f"bench-{size}.sqlite"), *jobs)
            m = json.loads(err.strip().splitlines()[-1])
            scaling.append(
                {
                    "files": min(size, n),
                    "import_s": round(s, 2),
                    "peak_rss_parent_mb": round(m["rss_parent_kb"] / 1024, 1),
                    "peak_rss_worker_mb": round(m["rss_children_kb"] / 1024, 1),
                }
            )
        figures["scaling"] = scaling

    print(f"files: {n} ({share:.0%} with object streams), cores: {figures['cores']}")
    print(f"baseline  PdfReader(f).get_fields(), 1 process: {base_s:7.2f} s  {n / base_s:6.1f} forms/s")
    print(f"minicex import (read, validate, store):        {imp_s:7.2f} s  {n / imp_s:6.1f} forms/s")
    print(f"import time / baseline time: {imp_s / base_s:.1%} (need <= 40%), speed-up {base_s / imp_s:.2f}x")
    print(f"rounds (s): baseline {figures['baseline_runs_s']}, import {figures['import_runs_s']}")
    print(f"each import round: {counts}")
    print(f"second run (all already imported): {again_s:.2f} s")
    print(f"peak RSS: parent {figures['peak_rss_parent_mb']} MB, largest worker {figures['peak_rss_worker_mb']} MB")
    for row in scaling:
        print(
            f"  N={row['files']:>6}: {row['import_s']:6.2f} s, peak RSS parent {row['peak_rss_parent_mb']} MB,"
            f" worker {row['peak_rss_worker_mb']} MB"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
