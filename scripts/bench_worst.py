#!/usr/bin/env python3
"""Worst-case files against the reader's limits: CPU time and peak memory of reading each one.

    python scripts/bench_worst.py                 # every case in minicex_pdf.engines.hostile.WORST
    python scripts/bench_worst.py -k hex -k deep  # the cases whose names hold these words
    python scripts/bench_worst.py --keep /tmp/worst   # keep the crafted files

Each file is read by ``read_form`` in a fresh Python process (so that nothing
cached or allocated by one case counts for the next), which reports the CPU
time of the read (``resource.getrusage``, user + system), the peak resident
memory of the process (``VmHWM`` of ``/proc/self/status``, else
``ru_maxrss``; the interpreter and its imports included) and what the read gave: ``read`` or the error kind. The goal: every
file read or classified in under 1 s of CPU and 200 MB of memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from minicex_pdf.engines.hostile import WORST  # noqa: E402

READ = """
import json, resource, sys
from minicex_pdf.errors import FormReadError
from minicex_pdf.reading.reader import read_form
import minicex_pdf.reading.walker  # imports done before the measurement
def peak_kb():
    # the process's own high-water mark: ru_maxrss would include the parent's at fork (Linux keeps it over exec)
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
base_rss = peak_kb()
t0 = cpu()
try:
    read_form(sys.argv[1])
    got = "read"
except FormReadError as exc:
    got = exc.kind
spent = cpu() - t0
print(json.dumps({"got": got, "cpu_s": spent, "rss_kb": peak_kb(),
                  "base_rss_kb": base_rss}))
"""

CPU_GOAL_S = 1.0
RSS_GOAL_MB = 200.0


def measure(path: Path) -> dict[str, object]:
    """Read ``path`` in a fresh process; its figures."""
    proc = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"got": f"crashed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}", "cpu_s": 0.0}
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", action="append", default=[], help="only the cases whose names hold this (repeatable)")
    ap.add_argument("--keep", type=Path, help="write the crafted files to this folder and keep them")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    cases = [c for c in WORST if not args.k or any(k in c.name for k in args.k)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'case':<22} {'size':>8} {'expect':>12} {'got':>12} {'CPU s':>7} {'peak MB':>8}  what")
        for case in cases:
            path = folder / f"{case.name}.pdf"
            data = case.build()
            path.write_bytes(data)
            del data
            m = measure(path)
            size_mb = path.stat().st_size / 1024 / 1024
            rss_mb = float(m.get("rss_kb", 0)) / 1024  # type: ignore[arg-type]
            cpu = float(m["cpu_s"])  # type: ignore[arg-type]
            ok = m["got"] == case.expect and cpu < CPU_GOAL_S and rss_mb < RSS_GOAL_MB
            rows.append({"case": case.name, "size_mb": round(size_mb, 2), "expect": case.expect, **m, "ok": ok})
            print(
                f"{case.name:<22} {size_mb:>6.1f}MB {case.expect:>12} {m['got']!s:>12} {cpu:>7.3f} {rss_mb:>8.1f}"
                f"  {case.what}{'' if ok else '   <-- over the goal or not as expected'}"
            )
    worst_cpu = max(float(r["cpu_s"]) for r in rows)  # type: ignore[arg-type]
    worst_rss = max(float(r.get("rss_kb", 0)) for r in rows) / 1024  # type: ignore[arg-type]
    print(f"worst CPU {worst_cpu:.3f} s (goal < {CPU_GOAL_S} s), worst peak memory {worst_rss:.1f} MB "
          f"(goal < {RSS_GOAL_MB:.0f} MB); {sum(not r['ok'] for r in rows)} case(s) off the goal")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
