"""The A4 progress report: figures match the records, levels are never averaged, black and white only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from test_progress import LEVEL_FIELDS, LEVELS, OTHER_ROLE, D, R, record

from minicex_pdf.cli import cli
from minicex_pdf.report.progress import ProgressBuilder
from minicex_pdf.report.writer import ReportWriter, T, level_sequence
from minicex_pdf.storage.store import Store

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
    assert cohort_line.split()[-9:-1] == [
        str(len(asa)),
        str(len({r.values[R.assessor.name] for r in asa})),
        "2",
        of,
        str(len(asa)),
        "1",
        "0",  # incomplete
        "0",  # empty
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


# --------------------------------------------------------------------------- end to end


E2E_ROSTER = [
    ["Åsa Öberg", "Allmänmedicin", "VC Väster", "Per Ek", D.regulations[0].name, "STa1, STc4"],
    ["Ann/Bo Berg", "Kirurgi", "Kir klin", "Eva Al", D.regulations[0].code, ""],
    ["Lind, Karl", "Allmänmedicin", "", "", "", ""],
    ["Åsa Öberg", "Kirurgi", "Kir klin", "Eva Al", "", ""],  # same name, another trainee
    ["", "Kirurgi", "", "", "", ""],  # no name: skipped
]


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    """Roster -> prefill (twice: two forms per trainee) -> filled in PDFium -> import -> report and export."""
    import csv

    pytest.importorskip("pypdfium2")
    from minicex_pdf.engines.pdfium import fill_pdfium
    from minicex_pdf.form.roster import RosterColumns

    root = tmp_path_factory.mktemp("e2e")
    roster = root / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[f.prefill for f in RosterColumns.of(D).fields], *E2E_ROSTER])
    runner = CliRunner()
    db = root / "store.sqlite"
    for again in ([], ["--again"]):  # the second run makes a second set only when asked
        result = runner.invoke(cli, ["prefill", str(roster), "-o", str(root / "forms"), "--db", str(db), *again])
        assert result.exit_code == 1 and "row 6" in result.stderr  # the bad row is reported each time
    with (root / "forms" / "index.csv").open(encoding="utf-8-sig", newline="") as fh:
        index = list(csv.DictReader(fh, delimiter=";"))
    assert len(index) == 8 and len({r["instance_id"] for r in index}) == 8
    returned = root / "returned"
    returned.mkdir()
    assessors = ["Karin Holm", "Per Ek", "Omar Aziz", "karin  holm"]
    for i, entry in enumerate(index):
        who = assessors[(i + i // 4) % 4]
        # levels chosen so that a mean would be a value no form holds (1 and 4, 2 and 3 ...)
        ranks = [(i % 2) * 3 + 1, 2 + i % 2, 0 if i % 3 == 0 else 4, None, 4 - (i % 2) * 3]
        values = {
            R.date.name: dt.date(2026, 1 + i, 10 + i).isoformat(),
            R.assessor.name: who,
            R.role.name: R.role_supervisor if who == "Per Ek" else OTHER_ROLE,
            R.went_well.name: f"Tydlig anamnes {i}",
            R.next_time.name: f"Sammanfatta {i}",
            R.setting.name: R.setting.options[i % 3].code,
            R.complexity.name: R.complexity.options[i % 2].code,
            **{f.name: LEVELS[r] for f, r in zip(LEVEL_FIELDS, ranks, strict=True) if r is not None},
        }
        if i not in (3, 6):
            values[R.action_plan.name] = f"Plan {i}"
        pdf = fill_pdfium((root / "forms" / entry["file"]).read_bytes(), values, D)
        (returned / f"returned-{i}.pdf").write_bytes(pdf)
    result = runner.invoke(cli, ["import", str(returned), "--db", str(db), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    out = root / "report.pdf"
    result = runner.invoke(cli, ["report", "--db", str(db), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    export = runner.invoke(cli, ["export", "--db", str(db), "--format", "csv", "--lang", "en"])
    assert export.exit_code == 0, export.output
    with Store(db) as store:
        records = list(store.records())
    return records, text_of(out.read_bytes()), export.stdout


def test_e2e_report_figures_match_the_imported_records(e2e):
    records, pages, _ = e2e
    assert len(records) == 8
    text = "\n".join(pages)
    builder = ProgressBuilder(D)
    groups = builder.group(records)
    # two trainees called Åsa Öberg stay apart (by specialty); "Ann/Bo Berg" and "Lind, Karl" kept whole
    assert sorted((name, spec, len(recs)) for name, spec, recs, _ in groups) == sorted(
        (r[0], builder.catalogue.specialty(r[1]), 2) for r in E2E_ROSTER if r[0]
    )
    cohort_lines = [ln for ln in pages[0].splitlines() if ln.strip()]
    for name, specialty, recs, _ in groups:
        line = next(ln for ln in cohort_lines if name in ln and specialty in ln)
        assessors = {" ".join(r.values[R.assessor.name].split()).casefold() for r in recs}
        not_sup = sum(1 for r in recs if r.values[R.role.name] != R.role_supervisor)
        latest = max(r.values[R.date.name] for r in recs)
        assert line.split()[-9:] == [
            str(len(recs)),
            str(len(assessors)),
            str(not_sup),
            "of",
            str(len(recs)),
            str(sum(1 for r in recs if r.status == "awaiting_action_plan")),
            "0",  # incomplete
            "0",  # empty
            latest.isoformat(),
        ]
        # each area's level sequence, in date order, as the records hold them
        for f in LEVEL_FIELDS:
            codes = [r.values.get(f.name) for r in sorted(recs, key=lambda r: r.values[R.date.name])]
            marks = " ".join({None: "·", LEVELS[0]: "–"}.get(c, c) for c in codes)
            assert f"{T['sequence']['en']}: {marks}" in text
    assert "Tydlig anamnes 0" in text and "Ann/Bo Berg" in text and "Lind, Karl" in text


def test_e2e_no_averaged_level_in_the_report_or_the_export(e2e):
    _, pages, export = e2e
    for page in pages:
        assert not AVERAGE.search(page)
    assert not AVERAGE.search(export)
    # every level cell of the export is a code or label a form holds
    import csv
    import io

    rows = list(csv.reader(io.StringIO(export), delimiter=";"))
    allowed = {lv.code for lv in D.levels} | {lv.label["en"] for lv in D.levels} | {""}
    level_labels = {f.label["en"] for f in LEVEL_FIELDS}
    columns = [i for i, h in enumerate(rows[0]) if any(h.startswith(label) for label in level_labels)]
    assert columns
    assert all(row[i] in allowed for row in rows[1:] for i in columns)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_forms_without_a_trainee_name_are_shown_as_such_not_as_a_blank(lang):
    nameless = record(name=None, date=dt.date(2026, 4, 1), assessor="Dr <B> & C", levels=_levels(2, 2, 2, 2, 2))
    pages = text_of(ReportWriter(D, lang, today=dt.date(2026, 6, 1)).from_records([*RECORDS, nameless]))
    assert T["no_name"][lang] in pages[0]
    assert any(T["no_name"][lang] in page for page in pages[1:])  # the trainee page's heading
    assert any("Dr <B> & C" in page for page in pages[1:])  # markup characters in names are text, not markup


#: Trainees whose names need the Unicode font (Latin Extended, Vietnamese, Greek, Cyrillic, a typographic ’).
UNICODE_NAMES = (
    "Łukasz Wiśniewski",
    "Ayşe Yılmaz",
    "Dragoș Popescu",
    "Nguyễn Thị Minh",
    "Sean O’Brien",
    "Ελένη Παπά",
    "Дмитрий Иванов",
)


def pdfium_text(pdf: bytes) -> list[str]:
    pdfium = pytest.importorskip("pypdfium2")
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]


def test_every_name_is_printed_as_written_and_a_missing_glyph_visibly():
    records = [
        record(name=n, date=dt.date(2026, 2, 1 + i), assessor=f"Dr {n.split()[0]}", levels=_levels(1, 2, 2, 3, 1))
        for i, n in enumerate(UNICODE_NAMES)
    ]
    records.append(record(name="Anna 🙂 Berg", date=dt.date(2026, 2, 20), went_well="bra – “tydligt” €"))
    pages = [
        p.splitlines() for p in pdfium_text(ReportWriter(D, "en", today=dt.date(2026, 6, 1)).from_records(records))
    ]
    # the cohort table: each name (wrapped at a space where its column is narrow), then the specialty
    cohort = re.findall(r"(\S[^\n]*?) Allmänmedicin ", " ".join(pages[0][2:]))
    cohort = [re.sub(r"^.*?(?:\d{4}-\d{2}-\d{2}|assessment) ", "", c) for c in cohort]
    assert sorted(cohort) == sorted([*UNICODE_NAMES, "Anna \ufffd Berg"])
    # under the footer line, each trainee's first page starts with the name, then the specialty
    headings = [lines[1] for lines in pages[1:] if lines[2].startswith("Specialty:")]
    assert sorted(headings) == sorted([*UNICODE_NAMES, "Anna \ufffd Berg"])
    every_line = [line for lines in pages[1:] for line in lines]
    for n in UNICODE_NAMES:
        assert any(f"Dr {n.split()[0]}" in line for line in every_line), n
    assert any("bra – “tydligt” €" in line for line in every_line)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_settings_complexity_and_complicated_count_are_printed_per_trainee(lang):
    setting, complexity = R.setting, R.complexity
    out, emergency = setting.options[0], setting.options[1]
    simple = complexity.options[0]
    records = [
        record(date=dt.date(2026, 1, 5), assessor="A", **{setting.name: out.code, complexity.name: simple.code}),
        record(date=dt.date(2026, 1, 6), assessor="B", **{setting.name: out.code, R.complicated.name: True}),
        record(date=dt.date(2026, 1, 7), assessor="C", **{setting.name: emergency.code, R.complicated.name: True}),
    ]
    text = "\n".join(text_of(ReportWriter(D, lang, today=dt.date(2026, 6, 1)).from_records(records)))
    flat = " ".join(text.split())
    assert f"{setting.title[lang]} {out.label[lang]}: 2 · {emergency.label[lang]}: 1" in flat
    assert f"{complexity.title[lang]} {simple.label[lang]}: 1" in flat
    # the title may wrap in its cell, with the count beside its first line
    words = R.complicated.title[lang].split()
    assert re.search(rf"{re.escape(' '.join(words[:2]))}.{{0,40}}2 {T['of'][lang]} 3", flat)
