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


def test_a_link_is_followed_and_a_device_is_written_directly(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_bytes(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    write_bytes(Path(os.devnull), b"into the void")  # not replaced by a regular file
    assert Path(os.devnull).is_char_device()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with open(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb") as reader:
        write_bytes(fifo, b"through the pipe")
        assert reader.read() == b"through the pipe"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "link.csv", "real.csv"]


def test_never_overwrite_does_not_follow_a_link_out_of_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "Anna.pdf").symlink_to(outside / "Anna.pdf")  # dangling: points outside
    with pytest.raises(OutputError):
        write_bytes(folder / "Anna.pdf", b"%PDF-", overwrite=False)
    assert list(outside.iterdir()) == []
