"""Output files are written whole or not at all: a temporary file in the same folder, renamed into place."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
import seccomp

from minicex_pdf.errors import OutputError
from minicex_pdf.outputs import atomic_output, neutralise, output_error, write_bytes


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
        script = tmp_path / "run.sh"  # every bit kept, the lowest (others may execute) too
        script.write_bytes(b"old")
        script.chmod(0o751)
        write_bytes(script, b"new")
        assert script.stat().st_mode & 0o7777 == 0o751
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


@pytest.mark.skipif(not seccomp.SUPPORTED, reason=seccomp.REASON)
def test_never_overwrite_on_a_file_system_without_hard_links(tmp_path: Path) -> None:
    """Where link() is refused (FAT, some network shares), a new file is still written whole and an
    existing one still never overwritten."""
    (tmp_path / "Anna.pdf").write_bytes(b"someone else's form")
    pid = os.fork()
    if pid == 0:  # the kernel refuses hard links in this child only
        code = 1
        try:
            seccomp.refuse({"link": None, "linkat": None})
            try:
                os.link(tmp_path / "Anna.pdf", tmp_path / "probe")
            except PermissionError:
                pass
            else:
                os._exit(2)
            write_bytes(tmp_path / "Bo.pdf", b"%PDF-new", overwrite=False)
            said = []
            try:
                write_bytes(tmp_path / "Anna.pdf", b"%PDF-", overwrite=False)
            except OutputError as exc:
                said.append(str(exc))
            try:  # another program saves the same name while this one writes
                with atomic_output(tmp_path / "Cy.pdf", overwrite=False) as fh:
                    fh.write(b"%PDF-mine")
                    (tmp_path / "Cy.pdf").write_bytes(b"theirs")
            except OutputError as exc:
                said.append(str(exc))
            (tmp_path / "said.txt").write_text("\n".join(said), encoding="utf-8")
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert (tmp_path / "said.txt").read_text(encoding="utf-8").splitlines() == [
        f"{tmp_path / name}: exists already: nothing was overwritten" for name in ("Anna.pdf", "Cy.pdf")
    ]
    assert (tmp_path / "Anna.pdf").read_bytes() == b"someone else's form"
    assert (tmp_path / "Cy.pdf").read_bytes() == b"theirs"
    assert (tmp_path / "Bo.pdf").read_bytes() == b"%PDF-new"
    assert stat.S_IMODE((tmp_path / "Bo.pdf").stat().st_mode) == 0o666 & ~_umask()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Anna.pdf", "Bo.pdf", "Cy.pdf", "said.txt"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "out.pdf"
    with pytest.raises(OutputError) as err:
        write_bytes(path, b"%PDF-")
    assert str(err.value) == (
        f"{path}: cannot write the file (the folder does not exist: create it, or choose another with -o);"
        " nothing was written"
    )


def null_device(folder: Path) -> Path:
    """A null device of the test's own where the test may make one (root), else the system's.

    A bug that renamed a file over the device (mutation testing makes such bugs) must not
    replace the machine's /dev/null with a regular file: as root it could.
    """
    own = folder / "null"
    try:
        os.mknod(own, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        return Path(os.devnull)  # not root: /dev is not writable, so nothing can replace it
    return own


def test_a_link_is_followed_and_a_device_is_written_directly(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    real = tmp_path / "real.csv"
    real.write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_bytes(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    device = null_device(tmp_path_factory.mktemp("dev"))
    write_bytes(device, b"into the void")  # not replaced by a regular file
    assert device.is_char_device()
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


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+46 70 123 45 67", "'+46 70 123 45 67"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =1", "'  =1"),  # after spaces
        ("\u200b\u00a0=1", "'\u200b\u00a0=1"),  # after a zero-width and a no-break space
        ("\uff1d1", "'\uff1d1"),  # a full-width =
        ("\tplain", "'\tplain"),  # a tab or line break first: whatever follows
        ("\nplain", "'\nplain"),
        ("a=1", "a=1"),
        ("Åsa -", "Åsa -"),
        ("   ", "   "),  # nothing but blanks
        ("", ""),
        (None, None),
        (5, 5),
    ],
)
def test_a_cell_a_spreadsheet_could_take_for_a_formula_gets_an_apostrophe(cell: object, safe: object) -> None:
    assert neutralise(cell) == safe


def test_an_unusual_write_error_is_named_by_the_systems_own_words() -> None:
    err = output_error("/out/e.csv", OSError(errno.EIO, "Input/output error"))
    assert (
        str(err)
        == "/out/e.csv: cannot write the file (Input/output error: check the disk and the folder); nothing was written"
    )
    bare = output_error("/out/e.csv", OSError("no errno at all"))
    assert (
        str(bare)
        == "/out/e.csv: cannot write the file (no errno at all: check the disk and the folder); nothing was written"
    )
    assert bare.message("sv") == (
        "/out/e.csv: filen kan inte skrivas (no errno at all: kontrollera disken och mappen); inget skrevs"
    )
