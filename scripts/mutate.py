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
stops at the first failure (a line run only at import time runs every test). That is what makes a full run of a module affordable.
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

#: What every module of the store (``Store`` and the parts it is made of) is traced with.
_STORE_TESTS = [
    "tests/test_store_more_teeth.py",
    "tests/test_store_teeth.py",
    "tests/test_store_faults_teeth.py",
    "tests/test_store.py",
    "tests/test_faults.py",
    "tests/test_counts.py",
    "tests/test_import.py",
]

#: The tests traced for each module (the default; ``--tests tests`` traces the whole suite, which is
#: fairer but far slower for a module every read goes through). Each mutant runs those of them that
#: run its statement.
TESTS_FOR: dict[str, list[str]] = {
    "minicex_pdf/reading/validate.py": [
        "tests/test_rules_teeth.py",
        "tests/test_reader_teeth.py",
        "tests/test_reader_rules.py",
        "tests/test_reader.py",
        "tests/test_form_v2.py",
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
        "tests/test_reader_fuzz.py",
        "tests/test_limits.py",
        "tests/test_engines.py",
    ],
    "minicex_pdf/reading/walker.py": [
        "tests/test_walker_teeth.py",
        "tests/test_acroform.py",
        "tests/test_reader.py",
        "tests/test_reader_fuzz.py",
        "tests/test_properties.py",
        "tests/test_engines.py",
    ],
    "minicex_pdf/reading/lexer.py": [
        "tests/test_lexer_teeth.py",
        "tests/test_walker_teeth.py",
        "tests/test_acroform.py",
        "tests/test_reader.py",
        "tests/test_reader_fuzz.py",
        "tests/test_properties.py",
        "tests/test_engines.py",
    ],
    "minicex_pdf/reading/budget.py": [
        "tests/test_budget_teeth.py",
        "tests/test_lexer_teeth.py",
        "tests/test_walker_teeth.py",
        "tests/test_limits.py",
    ],
    "minicex_pdf/reading/record.py": [
        "tests/test_record_teeth.py",
        "tests/test_reader.py",
        "tests/test_store.py",
        "tests/test_signatures.py",
    ],
    "minicex_pdf/reading/signatures.py": [
        "tests/test_signatures_teeth.py",
        "tests/test_signatures.py",
        "tests/test_signature_fields.py",
    ],
    "minicex_pdf/storage/identity.py": [
        "tests/test_identity_teeth.py",
        "tests/test_identity.py",
        "tests/test_counts.py",
    ],
    "minicex_pdf/storage/store.py": _STORE_TESTS,
    "minicex_pdf/storage/connection.py": ["tests/test_connection_teeth.py", *_STORE_TESTS],
    "minicex_pdf/storage/schema.py": [*_STORE_TESTS, "tests/test_mail_units.py"],
    "minicex_pdf/storage/faults.py": _STORE_TESTS,
    "minicex_pdf/storage/intake.py": ["tests/test_intake_teeth.py", *_STORE_TESTS],
    "minicex_pdf/storage/grouping.py": ["tests/test_stored_teeth.py", *_STORE_TESTS],
    "minicex_pdf/storage/queries.py": ["tests/test_queries_teeth.py", *_STORE_TESTS],
    "minicex_pdf/storage/stored.py": ["tests/test_stored_teeth.py", *_STORE_TESTS],
    "minicex_pdf/storage/importer.py": [
        "tests/test_importer_teeth.py",
        "tests/test_import.py",
        "tests/test_counts.py",
        "tests/test_limits.py",
    ],
    "minicex_pdf/storage/export.py": [
        "tests/test_export_teeth.py",
        "tests/test_export.py",
        "tests/test_unicode_workflow.py",
        "tests/test_faults.py",
    ],
    "minicex_pdf/report/progress.py": [
        "tests/test_progress_teeth.py",
        "tests/test_progress.py",
        "tests/test_report.py",
    ],
    "minicex_pdf/form/roster.py": [
        "tests/test_roster_teeth.py",
        "tests/test_roster_files_teeth.py",
        "tests/test_roster.py",
        "tests/test_roster_files.py",
        "tests/test_prefill.py",
    ],
    "minicex_pdf/admin/status.py": [
        "tests/test_status_teeth.py",
        "tests/test_admin_cli.py",
        "tests/test_admin_workflow.py",
    ],
    "minicex_pdf/admin/desk.py": [
        "tests/test_desk_teeth.py",
        "tests/test_admin_cli.py",
        "tests/test_admin_workflow.py",
    ],
    "minicex_pdf/admin/tables.py": [
        "tests/test_tables_teeth.py",
        "tests/test_admin_cli.py",
        "tests/test_admin_workflow.py",
    ],
    "minicex_pdf/storage/filters.py": [
        "tests/test_filters_teeth.py",
        "tests/test_admin_cli.py",
        "tests/test_admin_workflow.py",
        "tests/test_report.py",
        "tests/test_export.py",
    ],
    "minicex_pdf/storage/audit.py": [
        "tests/test_audit_teeth.py",
        "tests/test_admin_cli.py",
        "tests/test_admin_workflow.py",
    ],
    "minicex_pdf/mail/compose.py": [
        "tests/test_mail_compose_teeth.py",
        "tests/test_mail_units.py",
        "tests/test_mail_send.py",
    ],
    "minicex_pdf/mail/config.py": [
        "tests/test_mail_config_teeth.py",
        "tests/test_mail_units.py",
        "tests/test_mail_send.py",
    ],
    "minicex_pdf/mail/read.py": ["tests/test_mail_read_teeth.py", "tests/test_mail_units.py"],
    "minicex_pdf/mail/sources.py": [
        "tests/test_sources_teeth.py",
        "tests/test_mail_units.py",
        "tests/test_mail_import.py",
    ],
    "minicex_pdf/storage/view.py": [
        "tests/test_view_teeth.py",
        "tests/test_admin_workflow.py",
        "tests/test_admin_cli.py",
        "tests/test_export.py",
        "tests/test_report.py",
    ],
    "minicex_pdf/storage/roster_store.py": [
        "tests/test_roster_store_teeth.py",
        "tests/test_admin_cli.py",
        "tests/test_admin_workflow.py",
    ],
    "minicex_pdf/storage/mailbook.py": [
        "tests/test_mailbook_teeth.py",
        "tests/test_mail_send.py",
        "tests/test_mail_import.py",
    ],
    "minicex_pdf/mail/send.py": ["tests/test_mail_send_teeth.py", "tests/test_mail_send.py"],
    "minicex_pdf/mail/imap.py": [
        "tests/test_mail_imap_teeth.py",
        "tests/test_mail_units.py",
        "tests/test_mail_import.py",
        "tests/test_mail_loop.py",
    ],
    "minicex_pdf/report/writer.py": [
        "tests/test_writer_teeth.py",
        "tests/test_report.py",
        "tests/test_unicode_workflow.py",
    ],
    "minicex_pdf/outputs.py": ["tests/test_outputs.py", "tests/test_faults.py"],
    "minicex_pdf/form/filenames.py": [
        "tests/test_filenames_teeth.py",
        "tests/test_prefill.py",
        "tests/test_unicode_workflow.py",
    ],
    "minicex_pdf/form/fonts.py": [
        "tests/test_fonts_teeth.py",
        "tests/test_fonts.py",
        "tests/test_unicode_workflow.py",
    ],
    "minicex_pdf/names.py": [
        "tests/test_names_teeth.py",
        "tests/test_properties.py",
        "tests/test_identity_teeth.py",
        "tests/test_progress_teeth.py",
    ],
    "minicex_pdf/form/roster_files.py": [
        "tests/test_roster_files_teeth.py",
        "tests/test_roster_files.py",
        "tests/test_roster.py",
        "tests/test_roster_template.py",
    ],
    "minicex_pdf/form/prefill.py": [
        "tests/test_prefill_teeth.py",
        "tests/test_prefill.py",
        "tests/test_unicode_workflow.py",
    ],
    "minicex_pdf/form/definition.py": [
        "tests/test_definition_teeth.py",
        "tests/test_definition.py",
        "tests/test_form_v2.py",
        "tests/test_signature_fields.py",
    ],
    "minicex_pdf/form/subgoals.py": [
        "tests/test_subgoals_teeth.py",
        "tests/test_subgoals_data.py",
        "tests/test_reader_rules.py",
        "tests/test_roster.py",
        "tests/test_roster_files.py",
        "tests/test_progress_teeth.py",
    ],
    "minicex_pdf/form/roster_template.py": [
        "tests/test_roster_template_teeth.py",
        "tests/test_roster_template.py",
    ],
    "minicex_pdf/form/keywords.py": ["tests/test_keywords_teeth.py", "tests/test_reader.py"],
    "minicex_pdf/config.py": ["tests/test_config_teeth.py", "tests/test_admin_cli.py"],
    "minicex_pdf/output_path.py": [
        "tests/test_output_path_teeth.py",
        "tests/test_roster_template.py",
        "tests/test_export.py",
    ],
    "minicex_pdf/progress_bar.py": ["tests/test_progress_bar_teeth.py"],
    "minicex_pdf/limits.py": ["tests/test_limits_teeth.py", "tests/test_roster_template.py"],
    "minicex_pdf/errors.py": ["tests/test_errors_teeth.py", "tests/test_reader_teeth.py"],
    "minicex_pdf/cli.py": [
        "tests/test_cli_teeth.py",
        "tests/test_roster_template.py",
        "tests/test_admin_cli.py",
        "tests/test_cli_docs.py",
    ],
    "minicex_pdf/form/generator.py": [
        "tests/test_layout_teeth.py",
        "tests/test_generator.py",
        "tests/test_field_flags.py",
        "tests/test_blanks_teeth.py",
        "tests/test_form_v2.py",
    ],
    "minicex_pdf/form/layout.py": [
        "tests/test_layout_teeth.py",
        "tests/test_generator.py",
        "tests/test_field_flags.py",
        "tests/test_blanks_teeth.py",
        "tests/test_form_v2.py",
    ],
    "minicex_pdf/form/widgets.py": [
        "tests/test_layout_teeth.py",
        "tests/test_generator.py",
        "tests/test_field_flags.py",
        "tests/test_blanks_teeth.py",
        "tests/test_fonts.py",
        "tests/test_form_v2.py",
    ],
    "minicex_pdf/form/cells.py": [
        "tests/test_layout_teeth.py",
        "tests/test_generator.py",
        "tests/test_field_flags.py",
        "tests/test_blanks_teeth.py",
        "tests/test_form_v2.py",
    ],
    "minicex_pdf/form/levels.py": [
        "tests/test_layout_teeth.py",
        "tests/test_generator.py",
        "tests/test_field_flags.py",
        "tests/test_blanks_teeth.py",
        "tests/test_form_v2.py",
    ],
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
_fixtures = {}  # test -> the fixtures it uses
_context = [""]


def _switch(name):
    _context.append(name)
    _cov.switch_context(name)


def _back():
    _context.pop()
    _cov.switch_context(_context[-1])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _fixtures[item.nodeid] = list(getattr(item, "fixturenames", ()))
    _switch(item.nodeid)
    started = time.perf_counter()
    yield
    _durations[item.nodeid] = time.perf_counter() - started
    _back()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    # what a fixture runs belongs to every test that uses it, not only to the first (which sets
    # up a module- or session-scoped fixture for all the others)
    _switch("fixture:" + fixturedef.argname)
    yield
    _back()


def pytest_runtest_logreport(report):
    if report.failed:
        _failed.append(report.nodeid)


def pytest_unconfigure(config):
    _cov.stop()
    data = _cov.get_data()
    data.set_query_contexts(None)
    users = {}
    for test, names in _fixtures.items():
        for name in names:
            users.setdefault("fixture:" + name, []).append(test)
    lines = {}
    for name in data.measured_files():
        for line, contexts in data.contexts_by_lineno(name).items():
            tests = set()
            for c in contexts:
                tests.update(users.get(c, ()) if c.startswith("fixture:") else ([c] if c else []))
            lines[line] = sorted(tests)
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
        process or a subprocess, has no test of its own in the trace: then every test is run
        (a test that only uses what such a line made, say a frozen dataclass, never runs the line).
        """
        first, last = spans.get(line, (line, line))
        found: set[str] = set()
        for row in range(first, last + 1):
            found.update(self.lines.get(row, ()))
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


#: A process that imports pytest and the third-party libraries once, then forks a child per mutant
#: that runs pytest on the mutated tree (the child imports minicex_pdf afresh, from the mutated
#: file). It saves a second or more of start-up per mutant. It never imports minicex_pdf itself.
FORK_SERVER = """
import json, os, sys, time
for name in (
    "pytest", "_pytest.python", "_pytest.assertion.rewrite", "hypothesis", "hypothesis.strategies",
    "click", "click.testing", "reportlab.pdfgen.canvas", "reportlab.pdfbase.ttfonts", "reportlab.platypus",
    "pypdf", "pypdfium2", "openpyxl", "cryptography.x509", "pyhanko.sign", "platformdirs", "aiosmtpd.controller",
    "email", "mailbox", "imaplib", "smtplib", "sqlite3", "multiprocessing", "tomllib", "unicodedata", "zlib",
):
    try:
        __import__(name)
    except Exception:
        pass
ours = [m for m in sys.modules if m.split(".")[0] in ("minicex_pdf", "tests", "conftest")]
if ours:
    raise SystemExit(f"the fork server must not import the code under test: {ours[:3]}")
print("ready", flush=True)
for line in iter(sys.stdin.readline, ""):
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        code = 3
        try:
            import pytest
            code = int(pytest.main(request["args"]))
        finally:
            os._exit(code)
    deadline = time.monotonic() + request["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            result = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, 9)
            except OSError:
                pass
            os.waitpid(pid, 0)
            result = "timeout"
            break
        time.sleep(0.02)
    print(json.dumps(result), flush=True)
"""


class ForkServer:
    """One fork server per copy of the tree: ``run`` runs pytest there in a fresh child."""

    def __init__(self, where: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER],
            cwd=where,
            env=dict(env, PYTHONPATH=str(where)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the fork server did not start")

    def run(self, args: list[str], timeout: float) -> int | str:
        """pytest's exit status for ``args``, or ``"timeout"``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"args": args, "timeout": timeout}) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit("the fork server died")
        result: int | str = json.loads(answer)
        return result

    def close(self) -> None:
        """Stop the server."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


def run_one(
    where: Path, server: ForkServer, module: str, spec: Spec, tests: list[str], timeout: float
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
            status = server.run(["-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests], timeout)
    except SystemExit:
        raise
    except Exception as err:  # a mutant cosmic-ray cannot apply is reported, not fatal
        return "incompetent", str(err)
    if status == "timeout":
        return "killed", diff  # a mutant that hangs the tests is caught
    if status == 0:
        return "survived", diff
    if status == 5:  # no tests ran
        return "not run", diff
    return "killed", diff


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

        free: queue.SimpleQueue[tuple[Path, ForkServer]] = queue.SimpleQueue()
        servers = [ForkServer(where, env) for where in dirs]
        for where, server in zip(dirs, servers, strict=True):
            free.put((where, server))
        done = 0
        lock = threading.Lock()

        def execute(spec: Spec) -> tuple[Spec, str, str, bool]:
            nonlocal done
            where, server = free.get()
            try:
                selected = traced.tests_for(spans, spec.line)
                outcome, diff = run_one(where, server, module, spec, selected, limit(selected))
                rerun = confirm and outcome == "survived" and len(selected) < len(full)
                if rerun:
                    outcome, diff = run_one(where, server, module, spec, full, limit(full))
            finally:
                free.put((where, server))
            with lock:
                done += 1
                if done % 25 == 0:
                    print(f"  {module}: {done}/{len(todo)} mutants", file=sys.stderr, flush=True)
            return spec, outcome, diff, rerun

        try:
            with ThreadPoolExecutor(jobs) as pool:
                results = list(pool.map(execute, todo))
        finally:
            for server in servers:
                server.close()
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
        "--tests", nargs="*", help="test files to trace (default: the module's own in TESTS_FOR, else the whole suite)"
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
        tests = args.tests or TESTS_FOR.get(module) or ["tests"]
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
