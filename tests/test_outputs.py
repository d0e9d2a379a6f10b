"""Output files are written whole or not at all: a temporary file in the same folder, renamed into place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from minicex_pdf.errors import OutputError
from minicex_pdf.outputs import atomic_output, write_bytes


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(path, "w", encoding="utf-8") as fh:
        fh.write("half of the new")
        raise RuntimeError("the store failed halfway")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_new_file_gets_the_usual_permissions_and_a_replaced_one_keeps_its_own(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        new = write_bytes(tmp_path / "new.pdf", b"%PDF-")
        assert new.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.pdf"
        kept.write_bytes(b"old")
        kept.chmod(0o600)
        write_bytes(kept, b"new")
        assert (kept.read_bytes(), kept.stat().st_mode & 0o777) == (b"new", 0o600)
    finally:
        os.umask(umask)


def test_never_overwrite_means_never(tmp_path: Path) -> None:
    path = tmp_path / "Anna.pdf"
    path.write_bytes(b"someone else's form")
    with pytest.raises(OutputError) as err:
        write_bytes(path, b"%PDF-", overwrite=False)
    assert str(err.value) == f"{path}: exists already: nothing was overwritten"
    assert path.read_bytes() == b"someone else's form"
    assert [p.name for p in tmp_path.iterdir()] == ["Anna.pdf"]


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "out.pdf"
    with pytest.raises(OutputError) as err:
        write_bytes(path, b"%PDF-")
    assert str(err.value) == (
        f"{path}: cannot write the file (the folder does not exist: create it, or choose another with -o);"
        " nothing was written"
    )
