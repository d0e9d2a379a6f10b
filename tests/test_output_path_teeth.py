"""One rule for every ``-o``: a file, the format's extension (any case), never over a file without ``--force``."""

from __future__ import annotations

from pathlib import Path

import pytest

from minicex_pdf.errors import UsageError
from minicex_pdf.output_path import SUFFIXES, check_out


def refusal(path: Path, fmt: str, force: bool = False) -> tuple[str, str]:
    with pytest.raises(UsageError) as exc:
        check_out(path, fmt, force=force)
    return exc.value.message("en"), exc.value.message("sv")


def test_the_extensions_each_format_takes():
    assert SUFFIXES == {
        "pdf": (".pdf",),
        "csv": (".csv", ".txt"),
        "xlsx": (".xlsx",),
        "jsonl": (".jsonl", ".ndjson", ".json"),
        "json": (".json",),
        "table": (".txt",),
    }


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("r.pdf", "pdf"),
        ("R.PDF", "pdf"),
        ("e.txt", "csv"),
        ("e.ndjson", "jsonl"),
        ("e.Json", "jsonl"),
        ("t.txt", "table"),
    ],
)
def test_a_new_file_of_the_format_is_fine(tmp_path, name, fmt):
    assert check_out(tmp_path / name, fmt, force=False) == tmp_path / name


def test_another_extension_is_refused_with_the_one_to_use(tmp_path):
    assert refusal(tmp_path / "export.xls", "xlsx") == (
        f"{tmp_path / 'export.xls'}: a xlsx file should end in .xlsx: change the name or --format",
        f"{tmp_path / 'export.xls'}: en xlsx-fil ska sluta på .xlsx: ändra namnet eller --format",
    )
    assert (
        refusal(tmp_path / "export", "csv")[0]
        == f"{tmp_path / 'export'}: a csv file should end in .csv: change the name or --format"
    )


def test_the_suggested_extension_is_the_format_s_first_in_both_languages(tmp_path):
    assert refusal(tmp_path / "export.tsv", "csv") == (
        f"{tmp_path / 'export.tsv'}: a csv file should end in .csv: change the name or --format",
        f"{tmp_path / 'export.tsv'}: en csv-fil ska sluta på .csv: ändra namnet eller --format",
    )


def test_the_path_and_format_may_be_named_and_force_must_be(tmp_path):
    assert check_out(path=tmp_path / "r.pdf", fmt="pdf", force=False) == tmp_path / "r.pdf"
    with pytest.raises(TypeError):
        check_out(tmp_path / "r.pdf", "pdf", True)  # type: ignore[misc]


def test_a_folder_is_refused_even_with_force(tmp_path):
    folder = tmp_path / "out.pdf"
    folder.mkdir()
    assert refusal(folder, "pdf", force=True) == (
        f"{folder}: is a folder: give a file name with -o",
        f"{folder}: är en mapp: ange ett filnamn med -o",
    )


def test_an_existing_file_needs_force(tmp_path):
    out = tmp_path / "report.pdf"
    out.write_bytes(b"last week's report")
    assert refusal(out, "pdf") == (
        f"{out} exists: choose another name with -o, or add --force to overwrite it",
        f"{out} finns redan: välj ett annat namn med -o, eller lägg till --force för att skriva över den",
    )
    assert check_out(out, "pdf", force=True) == out
    assert out.read_bytes() == b"last week's report"
