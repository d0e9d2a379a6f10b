"""The A4 progress report: figures match the records, levels are never averaged, black and white only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from test_progress import LEVEL_FIELDS, LEVELS, OTHER_ROLE, D, R, record

from minicex_pdf.cli import cli
from minicex_pdf.progress import ProgressBuilder
from minicex_pdf.report import ReportWriter, T, level_sequence
from minicex_pdf.store import Store

#: Words and figures that would mean levels were combined into one number.
AVERAGE = re.compile(r"mean|average|median|medel|genomsnitt|snitt|\b[0-4][.,][0-9]\b", re.IGNORECASE)


def _levels(*ranks):
    return tuple(LEVELS[r] if r is not None else None for r in ranks)


RECORDS = [
    # overall 1 then 4 (would "average" to 2.5), history 2 then 3 (2.5), examination 1, 2, 4
    record(date=dt.date(2026, 1, 12), assessor="Karin Holm", role=OTHER_ROLE, levels=_levels(2, 1, 0, None, 1)),
    record(date=dt.date(2026, 3, 3), assessor="Per Ek", role=R.role_supervisor, levels=_levels(3, 2, 1, 1, 4)),
    record(
        date=dt.date(2026, 3, 20),
        assessor="Omar Aziz",
        levels=_levels(0, 4, 2, 0, 4),
        subgoals=("STa1", "STb1"),
        status="awaiting_action_plan",
    ),
    record(name="Bo Berg", date=dt.date(2026, 2, 2), assessor="Lena Sjö", levels=_levels(1, 1, 1, 1, 1)),
]


def text_of(pdf: bytes) -> list[str]:
    import io

    return [page.extract_text(extraction_mode="layout") for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module", params=["sv", "en"])
def report(request):
    writer = ReportWriter(D, request.param, today=dt.date(2026, 6, 1))
    pdf = writer.from_records(RECORDS)
    return request.param, pdf, text_of(pdf)


def test_a4_pages_cohort_first_then_each_trainee(report):
    lang, pdf, pages = report
    import io

    reader = PdfReader(io.BytesIO(pdf))
    assert all(round(float(p.mediabox.width)) == 595 and round(float(p.mediabox.height)) == 842 for p in reader.pages)
    assert T["cohort"][lang] in pages[0]
    assert "Bo Berg" in pages[0] and "Åsa Öberg" in pages[0]


def test_figures_match_the_records(report):
    lang, _, pages = report
    text = "\n".join(pages)
    asa = [r for r in RECORDS if r.values[R.trainee.name] == "Åsa Öberg"]
    # the cohort line: count, distinct assessors, not by supervisor "2 of 3", latest date
    of = T["of"][lang]
    cohort_line = next(line for line in pages[0].splitlines() if "Åsa Öberg" in line)
    assert cohort_line.split()[-1] == max(r.values[R.date.name] for r in asa).isoformat()
    assert cohort_line.split()[-7:-1] == [
        str(len(asa)),
        str(len({r.values[R.assessor.name] for r in asa})),
        "2",
        of,
        str(len(asa)),
        "1",
    ]
    # each area: "observed n of N" and every form's level code in date order
    progress = next(p for p in ProgressBuilder(D).build(RECORDS) if p.name == "Åsa Öberg")
    for f, area in zip(LEVEL_FIELDS, progress.areas, strict=True):
        observed = sum(1 for r in asa if r.values.get(f.name) not in (None, LEVELS[0]))
        assert f"{area.label[lang]} – {T['observed'][lang]} {observed} {of} {len(asa)}" in text
        sequence = level_sequence(area, D.levels)
        assert sequence.split() == [
            {None: "·", LEVELS[0]: "–"}.get(r.values.get(f.name), r.values.get(f.name)) for r in asa
        ]
        assert f"{T['sequence'][lang]}: {sequence}" in text
    # sub-goals covered and awaiting action plan
    assert "STa1 (1), STb1 (1)" in text
    assert "Omar Aziz" in text and "2026-03-20" in text


def test_no_averaged_level_appears_in_the_report(report):
    _, _, pages = report
    for page in pages:
        assert not AVERAGE.search(page), AVERAGE.search(page)


def test_only_black_white_and_grey_are_used(report):
    import io

    _, pdf, _ = report
    for page in PdfReader(io.BytesIO(pdf)).pages:
        content = page.get_contents().get_data().decode("latin-1")
        for r, g, b in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)\b", content):
            assert float(r) == float(g) == float(b), (r, g, b)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "store.sqlite"
    with Store(path) as store:
        for r in RECORDS:
            store.add(r)
    return path


def test_cli_report_for_one_trainee_and_an_unknown_one(db, tmp_path):
    out = tmp_path / "bo.pdf"
    result = CliRunner().invoke(
        cli, ["report", "--db", str(db), "--trainee", "bo  berg", "-o", str(out), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    pages = text_of(out.read_bytes())
    assert "Bo Berg" in pages[0] and T["cohort"]["en"] not in "\n".join(pages) and "Åsa" not in "\n".join(pages)
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--trainee", "Nobody", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "Nobody" in result.output and not (tmp_path / "x.pdf").exists()
