#!/usr/bin/env python3
"""Mutation testing of one module at a time with cosmic-ray: how many realistic bugs do the tests catch?

Each mutant (a flipped comparison, a replaced number, a dropped ``not``, a changed
operator, ...) is applied to a throw-away copy of the tree and the tests are run
against it; a mutant is *killed* when a test fails. Nothing in the working tree is
changed. Survivors that are equivalent to the original code (no test could tell them
apart) are listed with a one-line reason in ``scripts/mutation_equivalents.toml``;
every other survivor is a missing test.

cosmic-ray lists the mutants and applies them; this script runs them. The suite is
first run once under coverage to learn which tests run each line of the module;
each mutant then runs only the tests that run its statement, fastest first, and
stops at the first failure (a line run only at import time runs every test that
touches the module). That is what makes a full run of a module affordable.
``--confirm`` runs each survivor once more against every test.

    python scripts/mutate.py minicex_pdf/reading/validate.py
    python scripts/mutate.py minicex_pdf/storage/export.py --jobs 2 --sample 150
    python scripts/mutate.py minicex_pdf/form/roster.py --tests tests/test_roster.py

Prints the score per module and each survivor (file:line, operator, the changed
line). Exit status 1 when a module's score is under ``--target`` (default 85%).
Long: not part of the timed test run. Needs cosmic-ray and coverage (the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import queue
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = Path(__file__).resolve().parent / "mutation_equivalents.toml"

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


def write_config(where: Path, module: str, timeout: float) -> Path:
    """A cosmic-ray configuration that mutates ``module`` (used only to list the mutants: our own loop runs them)."""
    config = where / "mutate.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        'test-command = "true"\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n',
        encoding="utf-8",
    )
    return config


@dataclass(frozen=True)
class Spec:
    """One mutant as cosmic-ray lists it: where, which operator, which occurrence."""

    job_id: str
    operator: str
    occurrence: int
    line: int
    col: int


def specs(session: Path) -> list[Spec]:
    """Every mutant of a cosmic-ray session, in a stable order."""
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT job_id, operator_name, occurrence, start_pos_row, start_pos_col FROM mutation_specs"
        ).fetchall()
    return sorted((Spec(*row) for row in rows), key=lambda s: (s.line, s.col, s.operator, s.occurrence))


#: A pytest plugin that records, per test, the lines of the mutated module it runs (and how long it takes).
TRACE_PLUGIN = """
import json, os, time
import coverage, pytest

_target = os.environ["MUTATE_TARGET"]
_cov = coverage.Coverage(data_file=None, include=[_target], config_file=False)
_cov.start()
_durations = {}
_failed = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _cov.switch_context(item.nodeid)
    started = time.perf_counter()
    yield
    _durations[item.nodeid] = time.perf_counter() - started
    _cov.switch_context("")


def pytest_runtest_logreport(report):
    if report.failed:
        _failed.append(report.nodeid)


def pytest_unconfigure(config):
    _cov.stop()
    data = _cov.get_data()
    data.set_query_contexts(None)
    lines = {}
    for name in data.measured_files():
        for line, contexts in data.contexts_by_lineno(name).items():
            lines[line] = sorted(c for c in contexts if c)
    with open(os.environ["MUTATE_TRACE_OUT"], "w", encoding="utf-8") as out:
        json.dump({"lines": lines, "durations": _durations, "failed": _failed}, out)
"""


@dataclass
class Trace:
    """Which tests run each line of the module, and how long each test takes."""

    lines: dict[int, list[str]]
    durations: dict[str, float]

    def everything(self) -> list[str]:
        """Every test, fastest first."""
        return sorted(self.durations, key=lambda t: self.durations[t])

    def tests_for(self, spans: dict[int, tuple[int, int]], line: int) -> list[str]:
        """The tests that run the statement holding ``line``, fastest first; every test when none is known to.

        A line run only at import time (a constant, a decorator, a default), or only in a worker
        process or a subprocess, has no test of its own in the trace: then every test that runs
        any line of the module is run (``--confirm`` runs every test for a survivor).
        """
        first, last = spans.get(line, (line, line))
        found: set[str] = set()
        for row in range(first, last + 1):
            found.update(self.lines.get(row, ()))
        if not found:
            found = {t for tests in self.lines.values() for t in tests}
        if not found:
            return self.everything()
        return sorted(found, key=lambda t: self.durations.get(t, 0.0))


def statement_spans(source: str) -> dict[int, tuple[int, int]]:
    """Line → the (first, last) line of the innermost statement holding it (a compound statement's header only)."""
    spans: dict[int, tuple[int, int]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.stmt) or node.end_lineno is None:
            continue
        last = node.end_lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.AST):
            last = max(node.lineno, min(getattr(body[0], "lineno", last) - 1, last))
            decorators = getattr(node, "decorator_list", [])
            first = min([node.lineno] + [d.lineno for d in decorators])
        else:
            first = node.lineno
        for row in range(first, last + 1):
            old = spans.get(row)
            if old is None or (last - first) <= (old[1] - old[0]):
                spans[row] = (first, last)
    return spans


def trace(where: Path, module: str, tests: list[str], env: dict[str, str]) -> Trace:
    """Run ``tests`` once on the unmutated tree under coverage: which test runs which line of ``module``."""
    (where / "_mutate_trace.py").write_text(TRACE_PLUGIN, encoding="utf-8")
    out = where / "trace.json"
    run_env = dict(env, PYTHONPATH=str(where), MUTATE_TARGET=str(where / module), MUTATE_TRACE_OUT=str(out))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    done = subprocess.run(
        [*command, "-p", "_mutate_trace", *tests], cwd=where, env=run_env, capture_output=True, text=True
    )
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    if done.returncode != 0 or data is None or data["failed"]:
        tail = "\n".join(done.stdout.splitlines()[-15:])
        raise SystemExit(f"the tests fail on the unmutated tree, so no mutant can be judged:\n{tail}")
    return Trace({int(k): v for k, v in data["lines"].items()}, data["durations"])


def run_one(
    where: Path, module: str, spec: Spec, tests: list[str], timeout: float, env: dict[str, str]
) -> tuple[str, str]:
    """Apply one mutant in the copy at ``where``, run ``tests`` (stop at the first failure): (outcome, diff)."""
    from cosmic_ray.mutating import use_mutation
    from cosmic_ray.plugins import get_operator

    path = where / module
    operator = get_operator(spec.operator)()
    try:
        with use_mutation(path, operator, spec.occurrence) as (original, mutated):
            if mutated is None:
                return "not run", ""
            diff = "\n".join(
                difflib.unified_diff(original.splitlines(), mutated.splitlines(), module, module, lineterm="")
            )
            command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
            try:
                done = subprocess.run(
                    [*command, *tests],
                    cwd=where,
                    env=dict(env, PYTHONPATH=str(where)),
                    capture_output=True,
                    timeout=timeout,
                    start_new_session=True,
                )
            except subprocess.TimeoutExpired:
                return "killed", diff  # a mutant that hangs the tests is caught
            if done.returncode == 0:
                return "survived", diff
            if done.returncode == 5:  # no tests ran
                return "not run", diff
            return "killed", diff
    except Exception as err:  # a mutant cosmic-ray cannot apply is reported, not fatal
        return "incompetent", str(err)


def run_module(
    module: str,
    tests: list[str],
    jobs: int,
    sample: int | None,
    timeout: float,
    seed: int,
    confirm: bool,
) -> tuple[list[Mutant], int]:
    """Mutate ``module`` in ``jobs`` throw-away copies of the tree: each mutant's outcome, and how many were in annotations.

    Each mutant runs only the tests that run its statement (found once with coverage), fastest first;
    with ``confirm`` a survivor is run again against every test, to be sure.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutant of the same size in the same second must not load a stale .pyc
    text = (ROOT / module).read_text(encoding="utf-8")
    spans = statement_spans(text)
    skip = annotation_spans(text)
    with tempfile.TemporaryDirectory(prefix="minicex-mutate-") as tmp:
        base = Path(tmp) / "shard0"
        base.mkdir()
        copy_tree(base)
        session = base / "session.sqlite"
        config = write_config(base, module, timeout)
        subprocess.run(["cosmic-ray", "init", str(config), str(session)], cwd=base, check=True, env=env)
        every = specs(session)
        todo = [s for s in every if not any(a <= (s.line, s.col) < b for a, b in skip)]
        annotations = len(every) - len(todo)
        if sample is not None and sample < len(todo):
            todo = sorted(random.Random(seed).sample(todo, sample), key=lambda s: (s.line, s.col, s.occurrence))
        dirs = [base]
        for i in range(1, jobs):
            shard = Path(tmp) / f"shard{i}"
            shutil.copytree(base, shard, symlinks=True)
            dirs.append(shard)
        traced = trace(base, module, tests, env)
        full = traced.everything()
        slowest = sum(traced.durations.values())

        def limit(selected: list[str]) -> float:
            return min(timeout, 10.0 + 3.0 * sum(traced.durations.get(t, slowest) for t in selected))

        free: queue.SimpleQueue[Path] = queue.SimpleQueue()
        for where in dirs:
            free.put(where)
        done = 0
        lock = threading.Lock()

        def execute(spec: Spec) -> tuple[Spec, str, str, bool]:
            nonlocal done
            where = free.get()
            try:
                selected = traced.tests_for(spans, spec.line)
                outcome, diff = run_one(where, module, spec, selected, limit(selected), env)
                rerun = confirm and outcome == "survived" and len(selected) < len(full)
                if rerun:
                    outcome, diff = run_one(where, module, spec, full, limit(full), env)
            finally:
                free.put(where)
            with lock:
                done += 1
                if done % 25 == 0:
                    print(f"  {module}: {done}/{len(todo)} mutants", file=sys.stderr, flush=True)
            return spec, outcome, diff, rerun

        with ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(execute, todo))
    source = text.splitlines()
    mutants = [
        Mutant(
            module=module,
            operator=spec.operator,
            occurrence=spec.occurrence,
            line=spec.line,
            source_line=source[spec.line - 1].strip() if 0 < spec.line <= len(source) else "",
            outcome=outcome,
            diff=diff,
        )
        for spec, outcome, diff, _ in results
    ]
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
        "--tests", nargs="*", help="test files to trace (default: the whole suite; each mutant runs those that run it)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel copies of the tree")
    parser.add_argument("--sample", type=int, help="test only this many mutants, chosen at random (a quick estimate)")
    parser.add_argument("--seed", type=int, default=1, help="seed for --sample")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant before it counts as killed")
    parser.add_argument("--target", type=float, default=85.0, help="score (%%) each module must reach")
    parser.add_argument("--json", type=Path, help="also write every mutant's outcome to this JSON file")
    parser.add_argument(
        "--confirm",
        action="store_true",
        help="run each survivor again against every test of the module, not only those that run its line",
    )
    args = parser.parse_args(argv)

    if shutil.which("cosmic-ray") is None:
        parser.error("cosmic-ray is not installed: pip install cosmic-ray (or pip install -e '.[dev]')")
    known = equivalents()
    failed = False
    everything: list[dict[str, object]] = []
    for module in args.modules:
        module = str(Path(module).resolve().relative_to(ROOT))
        tests = args.tests or ["tests"]
        started = time.monotonic()
        mutants, annotations = run_module(
            module, tests, max(1, args.jobs), args.sample, args.timeout, args.seed, args.confirm
        )
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
