"""Rebuild the README's pictures of the progress report (the first page of one trainee).

    python scripts/build_report_preview.py

writes ``docs/report-trainee-en.png`` and ``docs/report-trainee-sv.png`` with the
real pipeline, the way an admin's data arises: a one-row roster (CSV) for one
trainee is pre-filled with :class:`~minicex_pdf.form.prefill.Prefiller`; the trainee
reuses that one pre-filled form for each of ten assessments over eight months,
each filled in PDFium (clicks and typing, as in Chrome) by a different mix of
assessors, some of them the personal supervisor; the returned files are imported
into a temporary SQLite store with :class:`~minicex_pdf.storage.importer.Importer`, and
:class:`~minicex_pdf.report.writer.ReportWriter` writes the report, whose second page
(the cohort page comes first) ``pdftoppm`` renders.

Every value is keyed by the definition's roles and level fields, never by a field
name written here. Levels rise over time as ordinal codes; nothing is averaged.
Deterministic: a fixed seed, fixed dates and a fixed "Printed" date, so that the
pictures change only when the report does. Needs pypdfium2 (the test extra) and
pdftoppm (poppler-utils). Nothing is written outside a temporary folder and docs/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from minicex_pdf.engines.pdfium import fill_pdfium
from minicex_pdf.form.definition import Field, FormDefinition, Level, load_definition
from minicex_pdf.form.prefill import Prefiller
from minicex_pdf.form.roster import read_roster
from minicex_pdf.form.subgoals import catalogue
from minicex_pdf.report.writer import ReportWriter, T
from minicex_pdf.storage.importer import Importer
from minicex_pdf.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SEED = 20250113
#: The "Printed" date in the report's footer.
TODAY = dt.date(2025, 9, 15)
#: The assessments, in date order.
DATES = tuple(
    dt.date.fromisoformat(d)
    for d in (
        "2025-01-14", "2025-02-04", "2025-02-25", "2025-03-20", "2025-04-15",
        "2025-05-08", "2025-05-27", "2025-06-17", "2025-08-12", "2025-08-28",
    )
)  # fmt: skip
#: How many of the latest forms come back before the trainee wrote the action plan.
AWAITING = 2
#: The report page rendered: page 1 is the cohort page, the trainee starts on page 2.
PAGE = 2
DPI = 90
MAX_PNG_BYTES = 150 * 1024

TRAINEE = "Åsa Öberg"
SPECIALTY = "Allmänmedicin"
REGULATION = "HSLF-FS 2021:8"
SUPERVISOR = "Karin Lindqvist"
#: Other assessors; the personal supervisor assesses too (see SUPERVISOR_FORMS).
ASSESSORS = ("Jonas Ek", "Maria Sandström", "Mohammed Haddad", "Li Wang")
SUPERVISOR_FORMS = frozenset({0, 3, 6, 8})
WENT_WELL = (
    "Strukturerad anamnes med öppna frågor.",
    "Bra sammanfattning för patienten; tydlig plan.",
    "Status utfördes noggrant och förklarades väl.",
    "Patienten kände sig lyssnad på. Empatiskt bemötande.",
    "Prioriterade rätt trots tidsbrist och sammanfattade kort.",
    "Lugnt och tydligt bemötande av en orolig anhörig.",
)
NEXT_TIME = (
    "Stäm av patientens förväntningar tidigare i samtalet.",
    "Öva på att prioritera när tiden är knapp.",
    "Läs på om riktlinjerna för hjärtsvikt; ta upp med handledaren.",
    "Sammanfatta innan du går vidare till status.",
    "Använd teach-back för att se att patienten förstått planen.",
)
ACTION_PLAN = (
    "Läsa Läkemedelsverkets behandlingsrekommendation och diskutera med handledaren.",
    "Göra två mini-CEX till med fokus på status under nästa månad.",
    "Öva strukturerad sammanfattning på morgonmötet.",
    "Auskultera hos en kollega med tolksamtal.",
)


@dataclass(frozen=True)
class Ladder:
    """The entrustment scale from the definition: 'not observed', then the observed steps in rank order."""

    not_observed: Level
    steps: tuple[Level, ...]

    @classmethod
    def of(cls, definition: FormDefinition) -> Ladder:
        ranked = sorted(definition.levels, key=lambda lv: lv.rank)
        # The top step ("can supervise others") is decided at a specialist panel, not in a preview.
        return cls(ranked[0], tuple(lv for lv in ranked[1:] if not lv.confirm))


def write_roster(definition: FormDefinition, folder: Path) -> Path:
    """A one-row roster CSV as an admin writes it, headed by the definition's prefill keys."""
    columns = [
        (definition.role("trainee"), TRAINEE),
        (definition.role("specialty"), SPECIALTY),
        (definition.role("supervisor"), SUPERVISOR),
        (definition.role("regulation"), REGULATION),
    ]
    path = folder / "roster.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([f.prefill for f, _ in columns])
        writer.writerow([value for _, value in columns])
    return path


def option_codes(fld: Field) -> tuple[str, ...]:
    """The option codes of a choice or multichoice field, in the definition's order."""
    return tuple(o.code for o in fld.options)


def assessment(
    definition: FormDefinition, index: int, regulation: str, rng: random.Random, ladder: Ladder
) -> dict[str, object]:
    """What the assessor (and later the trainee) types into the pre-filled form for assessment ``index``."""
    role = definition.role
    n = len(DATES)
    stage = min(len(ladder.steps) - 1, index * len(ladder.steps) // n)  # 0, 0, 0, 0, 1, ... rises over time
    by_supervisor = index in SUPERVISOR_FORMS
    role_field = role("assessor_role")
    other = next(c for c in option_codes(role_field) if c != definition.personal_supervisor)
    values: dict[str, object] = {
        role("date").name: DATES[index],
        role("assessor").name: SUPERVISOR if by_supervisor else ASSESSORS[index % len(ASSESSORS)],
        role_field.name: definition.personal_supervisor if by_supervisor else other,
        role("setting").name: rng.choice(option_codes(role("setting"))),
        role("complexity").name: option_codes(role("complexity"))[int(rng.random() < 0.25 + 0.6 * index / n)],
        role("complicated").name: index in (5, 8),
    }
    # Focus: one to three areas; the focus areas are rated, the others mostly not observed.
    focus_field = role("focus")
    focus = tuple(sorted(rng.sample(option_codes(focus_field), rng.randint(1, 3)), key=option_codes(focus_field).index))
    values[focus_field.name] = focus
    for fld in definition.level_fields():
        if fld.area in focus or not definition.area(fld.area or "").focus:
            step = max(0, stage - (rng.random() < 0.3))
            values[fld.name] = ladder.steps[step].code
        elif rng.random() < 0.8:
            values[fld.name] = ladder.not_observed.code
        # else: left blank, as assessors sometimes do
    codes = catalogue().codes(regulation, SPECIALTY)
    values[role("subgoals").name] = ", ".join(sorted(rng.sample(codes, rng.randint(1, 3)), key=codes.index))
    feedback = definition.role_fields("feedback")
    for fld, texts in zip(feedback, (WENT_WELL, NEXT_TIME), strict=False):
        values[fld.name] = "\n".join(rng.sample(texts, rng.randint(1, 2)))
    if index < n - AWAITING:
        values[role("action_plan").name] = rng.choice(ACTION_PLAN)
    for fld in definition.fields:  # observation and feedback minutes: within the norm
        if fld.type == "integer" and fld.norm:
            values[fld.name] = rng.randint(*fld.norm)
    return values


def make_forms(definition: FormDefinition, tmp: Path) -> Path:
    """The returned forms, in a folder as they come back: one file per assessment."""
    roster = read_roster(write_roster(definition, tmp), definition)
    if roster.errors or len(roster.rows) != 1:
        sys.exit(f"the roster was not read as one good row: {[e.text() for e in roster.errors]}")
    made = Prefiller(tmp / "prefilled", lang="sv", definition=definition, new_id=lambda: "preview-0001").run(roster)
    (form,) = made.made
    blank = form.path.read_bytes()
    regulation = str(form.row.values[definition.role("regulation").name])
    inbox = tmp / "inbox"
    inbox.mkdir()
    rng, ladder = random.Random(SEED), Ladder.of(definition)
    for index, date in enumerate(DATES):
        filled = fill_pdfium(blank, assessment(definition, index, regulation, rng, ladder), definition)
        (inbox / f"minicex-{date.isoformat()}.pdf").write_bytes(filled)
    return inbox


def check_pages(pdf: Path, lang: str) -> None:
    """Page 1 must be the cohort page and page PAGE the trainee's first page (exit if not)."""
    pages = [(p.extract_text() or "").splitlines() for p in PdfReader(pdf).pages]
    if len(pages) < PAGE or T["cohort"][lang] not in pages[0] or TRAINEE not in pages[PAGE - 1]:
        sys.exit(f"{pdf}: page {PAGE} is not {TRAINEE}'s first page after the cohort page")


def render(pdf: Path, out: Path) -> None:
    """Page PAGE of the report as a grey PNG at ``out``."""
    stem = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", str(PAGE), "-l", str(PAGE), "-singlefile", pdf, stem],
        check=True,
    )
    shutil.copyfile(stem.with_suffix(".png"), out)
    size = out.stat().st_size
    print(f"{out.relative_to(ROOT)}: {size // 1024} KB")
    if size > MAX_PNG_BYTES:
        sys.exit(f"{out}: {size // 1024} KB, more than {MAX_PNG_BYTES // 1024} KB: lower DPI")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm not found: install poppler-utils")
    definition = load_definition()
    with tempfile.TemporaryDirectory(prefix="minicex-preview-") as name:
        tmp = Path(name)
        inbox = make_forms(definition, tmp)
        db = tmp / "minicex.sqlite"
        with Store(db) as store:
            summary = Importer(store, jobs=1, display_root=tmp).run([inbox])
        if summary.imported != len(DATES) or summary.issues:
            sys.exit("the import did not go cleanly:\n" + "\n".join(summary.lines()))
        for lang in ("en", "sv"):
            pdf = ReportWriter(definition, lang, today=TODAY).write(db, tmp / f"report-{lang}.pdf")
            check_pages(pdf, lang)
            render(pdf, DOCS / f"report-trainee-{lang}.png")


if __name__ == "__main__":
    main()
