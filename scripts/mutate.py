#!/usr/bin/env python3
"""Mutation testing of one module at a time with cosmic-ray: how many realistic bugs do the tests catch?

Each mutant (a flipped comparison, a replaced number, a dropped ``not``, a changed
operator, ...) is applied to a throw-away copy of the tree and the tests that cover
the module are run against it; a mutant is *killed* when a test fails. Nothing in
the working tree is changed. Survivors that are equivalent to the original code
(no test could tell them apart) are listed with a one-line reason in
``scripts/mutation_equivalents.toml``; every other survivor is a missing test.

    python scripts/mutate.py minicex_pdf/reading/validate.py
    python scripts/mutate.py minicex_pdf/storage/export.py --jobs 2 --sample 150
    python scripts/mutate.py minicex_pdf/form/roster.py --tests tests/test_roster.py

Prints the score per module and each survivor (file:line, operator, the changed
line). Exit status 1 when a module's score is under ``--target`` (default 85%).
Long: not part of the timed test run (a few hundred mutants × a test run each).
Needs ``pip install cosmic-ray`` (in the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = Path(__file__).resolve().parent / "mutation_equivalents.toml"

#: The tests that exercise each module (the rest of the suite is not run per mutant, to keep it affordable).
TESTS_FOR: dict[str, list[str]] = {
    "minicex_pdf/reading/validate.py": [
        "tests/test_rules_teeth.py",
        "tests/test_reader_teeth.py",
        "tests/test_reader_rules.py",
        "tests/test_reader.py",
    ],
    "minicex_pdf/reading/personal.py": [
        "tests/test_personal_teeth.py",
        "tests/test_rules_teeth.py",
        "tests/test_reader_rules.py",
        "tests/test_properties.py",
    ],
    "minicex_pdf/reading/reader.py": [
        "tests/test_reader_teeth.py",
        "tests/test_reader.py",
        "tests/test_reader_rules.py",
        "tests/test_acroform.py",
    ],
    "minicex_pdf/reading/walker.py": ["tests/test_walker_teeth.py", "tests/test_acroform.py", "tests/test_reader.py"],
    "minicex_pdf/reading/lexer.py": ["tests/test_walker_teeth.py", "tests/test_acroform.py", "tests/test_reader.py"],
    "minicex_pdf/reading/record.py": ["tests/test_record_teeth.py", "tests/test_reader.py", "tests/test_store.py"],
    "minicex_pdf/storage/identity.py": ["tests/test_identity_teeth.py", "tests/test_identity.py"],
    "minicex_pdf/storage/store.py": [
        "tests/test_store_teeth.py",
        "tests/test_store_faults_teeth.py",
        "tests/test_store.py",
        "tests/test_faults.py",
        "tests/test_counts.py",
        "tests/test_import.py",
    ],
    "minicex_pdf/storage/importer.py": ["tests/test_import.py"],
    "minicex_pdf/storage/export.py": ["tests/test_export_teeth.py", "tests/test_export.py"],
    "minicex_pdf/report/progress.py": [
        "tests/test_progress_teeth.py",
        "tests/test_progress.py",
        "tests/test_report.py",
    ],
    "minicex_pdf/form/roster.py": ["tests/test_roster_teeth.py", "tests/test_roster.py", "tests/test_prefill.py"],
    "minicex_pdf/form/prefill.py": ["tests/test_prefill.py"],
    "minicex_pdf/form/generator.py": ["tests/test_generator.py"],
}

OUTCOMES = ("killed", "survived", "incompetent")


@dataclass(frozen=True)
class Mutant:
    """One applied mutation and what the tests said of it."""

    module: str
    operator: str
    occurrence: int
    line: int
    source_line: str
    outcome: str  # killed | survived | incompetent (did not even import) | not run
    diff: str


def copy_tree(dest: Path) -> None:
    """Copy the files git knows (and the pdf.js engine's node_modules, if installed) into ``dest``."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    for name in files:
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    node = ROOT / "tests" / "engines" / "pdfjs" / "node_modules"
    if node.is_dir():
        (dest / "tests" / "engines" / "pdfjs" / "node_modules").symlink_to(node)


def write_config(where: Path, module: str, tests: list[str], timeout: float) -> Path:
    """A cosmic-ray configuration that mutates ``module`` and runs ``tests`` (stop at the first failure)."""
    command = f"{sys.executable} -m pytest -x -q -p no:cacheprovider -p no:randomly " + " ".join(tests)
    config = where / "mutate.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f'test-command = "{command}"\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n',
        encoding="utf-8",
    )
    return config


def keep_only(session: Path, job_ids: set[str]) -> None:
    """Drop every work item but ``job_ids`` from a cosmic-ray session (how a shard or a sample is made)."""
    with sqlite3.connect(session) as db:
        all_ids = [row[0] for row in db.execute("SELECT job_id FROM work_items")]
        drop = [(j,) for j in all_ids if j not in job_ids]
        db.executemany("DELETE FROM mutation_specs WHERE job_id = ?", drop)
        db.executemany("DELETE FROM work_items WHERE job_id = ?", drop)


def job_ids(session: Path, skip: list[tuple[tuple[int, int], tuple[int, int]]]) -> tuple[list[str], int]:
    """The work items of a session in a stable order, and how many were left out as inside ``skip`` spans."""
    with sqlite3.connect(session) as db:
        rows = db.execute("SELECT job_id, start_pos_row, start_pos_col FROM mutation_specs").fetchall()
    keep = sorted(job for job, row, col in rows if not any(a <= (row, col) < b for a, b in skip))
    return keep, len(rows) - len(keep)


def run_module(
    module: str, tests: list[str], jobs: int, sample: int | None, timeout: float, seed: int
) -> tuple[list[Mutant], int]:
    """Mutate ``module`` in ``jobs`` throw-away copies of the tree: each mutant's outcome, and how many were in annotations."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with tempfile.TemporaryDirectory(prefix="minicex-mutate-") as tmp:
        base = Path(tmp) / "shard0"
        base.mkdir()
        copy_tree(base)
        config = write_config(base, module, tests, timeout)
        session = base / "session.sqlite"
        subprocess.run(["cosmic-ray", "init", str(config), str(session)], cwd=base, check=True, env=env)
        text = (ROOT / module).read_text(encoding="utf-8")
        ids, annotations = job_ids(session, annotation_spans(text))
        if sample is not None and sample < len(ids):
            ids = sorted(random.Random(seed).sample(ids, sample))
        shards = [set(ids[i::jobs]) for i in range(jobs)]
        dirs = [base]
        for i in range(1, jobs):
            shard = Path(tmp) / f"shard{i}"
            shutil.copytree(base, shard, symlinks=True)
            dirs.append(shard)
        for where, shard_ids in zip(dirs, shards, strict=True):
            keep_only(where / "session.sqlite", shard_ids)

        def execute(where: Path) -> None:
            shard_env = dict(env, PYTHONPATH=str(where))
            subprocess.run(
                ["cosmic-ray", "exec", str(where / "mutate.toml"), str(where / "session.sqlite")],
                cwd=where,
                env=shard_env,
                check=True,
                capture_output=True,
            )

        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(execute, dirs))
        source = text.splitlines()
        mutants: list[Mutant] = []
        for where in dirs:
            dump = subprocess.run(
                ["cosmic-ray", "dump", str(where / "session.sqlite")],
                cwd=where,
                check=True,
                capture_output=True,
                text=True,
                env=env,
            ).stdout
            for line in dump.splitlines():
                item, result = json.loads(line)
                mutation = item["mutations"][0]
                row = mutation["start_pos"][0]
                if result is None:
                    outcome = "not run"
                elif result.get("worker_outcome") == "timeout":
                    outcome = "killed"  # a mutant that hangs the tests is caught
                else:
                    outcome = result.get("test_outcome") or result.get("worker_outcome", "?")
                mutants.append(
                    Mutant(
                        module=module,
                        operator=mutation["operator_name"],
                        occurrence=mutation["occurrence"],
                        line=row,
                        source_line=source[row - 1].strip() if 0 < row <= len(source) else "",
                        outcome=outcome,
                        diff=(result or {}).get("diff") or "",
                    )
                )
    return sorted(mutants, key=lambda m: (m.line, m.operator, m.occurrence)), annotations


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) positions (line, character column) of every annotation in ``source``.

    Every module has ``from __future__ import annotations``: annotations are never
    evaluated, so a mutant inside one is equivalent by construction.
    """
    lines = source.splitlines()

    def char_col(line: int, byte_col: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    spans = []
    for node in ast.walk(ast.parse(source)):
        notes = []
        if isinstance(node, ast.arg) and node.annotation is not None:
            notes.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
        for note in notes:
            assert note.end_lineno is not None and note.end_col_offset is not None
            start = (note.lineno, char_col(note.lineno, note.col_offset))
            end = (note.end_lineno, char_col(note.end_lineno, note.end_col_offset))
            spans.append((start, end))
    return spans


def equivalents() -> dict[tuple[str, str, str], str]:
    """Survivors known to be equivalent: (module, operator, stripped source line) → the reason."""
    if not EQUIVALENTS.exists():
        return {}
    data = tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8"))
    known: dict[tuple[str, str, str], str] = {}
    for entry in data.get("equivalent", []):
        known[(entry["module"], entry["operator"], entry["line"].strip())] = entry["reason"]
    return known


def changed_line(diff: str) -> str:
    """The mutated line from a unified diff (the first added line)."""
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            return line[1:].strip()
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="+", help="module files, e.g. minicex_pdf/reading/validate.py")
    parser.add_argument(
        "--tests", nargs="*", help="test files to run per mutant (default: the module's own, see TESTS_FOR)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel copies of the tree")
    parser.add_argument("--sample", type=int, help="test only this many mutants, chosen at random (a quick estimate)")
    parser.add_argument("--seed", type=int, default=1, help="seed for --sample")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant before it counts as killed")
    parser.add_argument("--target", type=float, default=85.0, help="score (%%) each module must reach")
    parser.add_argument("--json", type=Path, help="also write every mutant's outcome to this JSON file")
    args = parser.parse_args(argv)

    if shutil.which("cosmic-ray") is None:
        parser.error("cosmic-ray is not installed: pip install cosmic-ray (or pip install -e '.[dev]')")
    known = equivalents()
    failed = False
    everything: list[dict[str, object]] = []
    for module in args.modules:
        module = str(Path(module).resolve().relative_to(ROOT))
        tests = args.tests or TESTS_FOR.get(module) or ["tests"]
        started = time.monotonic()
        mutants, annotations = run_module(module, tests, max(1, args.jobs), args.sample, args.timeout, args.seed)
        killed = sum(m.outcome == "killed" for m in mutants)
        survivors = [m for m in mutants if m.outcome == "survived"]
        equivalent = [m for m in survivors if (m.module, m.operator, m.source_line) in known]
        missing = [m for m in survivors if (m.module, m.operator, m.source_line) not in known]
        counted = killed + len(survivors)
        score = 100.0 * (killed + len(equivalent)) / counted if counted else 100.0
        other = len(mutants) - counted
        print(
            f"{module}: {score:.1f}% ({killed} killed, {len(equivalent)} equivalent, {len(missing)} survived;"
            f" {annotations} in annotations not counted{f', {other} incompetent or not run' if other else ''})"
            f" in {time.monotonic() - started:.0f} s"
        )
        for m in missing:
            print(
                f"  survived {m.module}:{m.line} {m.operator}#{m.occurrence}: {m.source_line}  →  {changed_line(m.diff)}"
            )
        failed |= score < args.target
        everything += [m.__dict__ for m in mutants]
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
