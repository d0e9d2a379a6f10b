"""Time ``minicex prefill`` on a made-up roster: forms per second and milliseconds per form.

    python scripts/bench_prefill.py [--rows 1000] [--unicode]

Writes a CSV roster of ``--rows`` trainees (Swedish names; ``--unicode`` uses names in
Polish, Turkish, Romanian, Vietnamese, Greek and Cyrillic too) in a temporary folder,
pre-fills one form per row and prints the wall and CPU time per form and the size of one form.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from minicex_pdf.form.prefill import Prefiller

SWEDISH = ["Åsa Öberg", "Per Ek", "Märta Ståhl", "Jöns Ärlig"]
UNICODE = ["Łukasz Wiśniewski", "Ayşe Yılmaz", "Dragoș Popescu", "Nguyễn Thị Minh", "Sean O’Brien", "Дмитрий Иванов"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--unicode", action="store_true")
    args = parser.parse_args()
    names = UNICODE if args.unicode else SWEDISH
    with tempfile.TemporaryDirectory(prefix="minicex-bench-") as tmp:
        roster = Path(tmp) / "roster.csv"
        with roster.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["name", "specialty", "workplace", "supervisor"])
            for i in range(args.rows):
                w.writerow([f"{names[i % len(names)]} {i}", "Allmänmedicin", "VC Norr", "Karin Holm"])
        start, cpu = time.perf_counter(), time.process_time()
        result = Prefiller(Path(tmp) / "out").make(roster)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = result.made[0].path.stat().st_size
    made = len(result.made)
    print(
        f"{made} forms in {seconds:.1f} s: {1000 * seconds / made:.1f} ms per form "
        f"({1000 * cpu / made:.1f} ms CPU, steadier on a shared machine), one form {size} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
