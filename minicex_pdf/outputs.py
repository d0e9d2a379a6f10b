"""Output files written whole or not at all (a temporary file in the same folder, renamed into place),
and spreadsheet cells that are never a live formula.

Every file minicex writes for the user (exports, reports, blank and pre-filled forms,
index.csv, import reports) goes through :func:`atomic_output`, so that a full disk, a
missing permission or a crash never leaves half a file under the name the user gave.
"""

from __future__ import annotations

import errno
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from .errors import OutputError

#: What to tell the user for the usual reasons a file cannot be written.
_WHY = {
    errno.ENOSPC: "the disk is full: free some space, or write elsewhere with -o",
    errno.EDQUOT: "the disk quota is used up: free some space, or write elsewhere with -o",
    errno.EFBIG: "the file is larger than this system allows here: write elsewhere with -o",
    errno.EACCES: "no permission to write there: choose another folder with -o",
    errno.EPERM: "no permission to write there: choose another folder with -o",
    errno.EROFS: "the folder is read-only: choose another folder with -o",
    errno.ENOENT: "the folder does not exist: create it, or choose another with -o",
}

#: The same in Swedish (messages follow --lang).
_WHY_SV = {
    errno.ENOSPC: "disken är full: frigör utrymme, eller skriv någon annanstans med -o",
    errno.EDQUOT: "diskkvoten är slut: frigör utrymme, eller skriv någon annanstans med -o",
    errno.EFBIG: "filen är större än systemet tillåter här: skriv någon annanstans med -o",
    errno.EACCES: "ingen behörighet att skriva där: välj en annan mapp med -o",
    errno.EPERM: "ingen behörighet att skriva där: välj en annan mapp med -o",
    errno.EROFS: "mappen är skrivskyddad: välj en annan mapp med -o",
    errno.ENOENT: "mappen finns inte: skapa den, eller välj en annan med -o",
}


#: Characters a spreadsheet may take as the start of a formula (with full-width and small forms).
_FORMULA_CHARS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
#: A text beginning with one of these is neutralised whatever follows.
_CONTROL_START = ("\t", "\r", "\n")


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")


def formula_like(value: Any) -> bool:
    """Could a spreadsheet take this cell for a formula (see :mod:`minicex_pdf.storage.export`)?"""
    if not isinstance(value, str) or not value:
        return False
    if value.startswith(_CONTROL_START):
        return True
    for ch in value:
        if not _invisible(ch):
            return ch in _FORMULA_CHARS
    return False


def neutralise(value: Any) -> Any:
    """A CSV cell safe from formula injection: a formula-like text gets a leading apostrophe."""
    return "'" + value if formula_like(value) else value


def output_error(path: str | Path, exc: OSError) -> OutputError:
    """The one-line :class:`OutputError` for writing ``path`` failing with ``exc``."""
    if exc.errno == errno.EEXIST:
        return OutputError(
            f"{path}: exists already: nothing was overwritten", sv=f"{path}: finns redan: inget skrevs över"
        )
    why = _WHY.get(exc.errno or 0, f"{exc.strerror or exc}: check the disk and the folder")
    why_sv = _WHY_SV.get(exc.errno or 0, f"{exc.strerror or exc}: kontrollera disken och mappen")
    return OutputError(
        f"{path}: cannot write the file ({why}); nothing was written",
        sv=f"{path}: filen kan inte skrivas ({why_sv}); inget skrevs",
    )


def _mode_for(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777  # keep the permissions of the file replaced
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def atomic_output(path: str | Path, mode: str = "wb", *, overwrite: bool = True, **open_args: Any) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path`` for writing; on success it becomes ``path``.

    ``mode`` is ``"wb"`` or ``"w"`` (with ``open_args`` such as ``encoding`` and ``newline``).
    With ``overwrite=False`` an existing ``path`` is never replaced (:class:`OutputError`).
    On any failure the temporary file is removed and ``path`` is left as it was; an
    :class:`OSError` while writing becomes an :class:`OutputError` naming ``path``.
    A symbolic link is followed (the file it points to is replaced, the link stays); a
    ``path`` that is not a regular file (``/dev/stdout``, a FIFO) is written directly.
    """
    path = Path(path)
    if not overwrite and (path.is_symlink() or path.exists()):
        raise output_error(path, FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST)))
    # A link is followed: the file it points to is replaced and the link stays a link.
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.exists() and not target.is_file():
        # /dev/stdout, a FIFO, a terminal: nothing to rename into place, write straight to it.
        try:
            with open(target, mode, **open_args) as fh:
                yield fh
        except BrokenPipeError:
            raise  # the reader went away: the caller decides (the command exits quietly)
        except OSError as exc:
            raise output_error(path, exc) from None
        return
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        try:
            with os.fdopen(fd, mode, **open_args) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _mode_for(target))
            if overwrite:
                os.replace(tmp, target)
            else:
                _link_new(tmp, target)
        except OSError as exc:
            raise output_error(path, exc) from None
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _link_new(tmp: str, path: Path) -> None:
    """Give ``tmp`` the name ``path`` only if no file has it (EEXIST otherwise), then drop ``tmp``."""
    try:
        os.link(tmp, path)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # A file system without hard links: reserve the name, then rename over the empty reservation.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def write_bytes(path: str | Path, data: bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically; the path."""
    with atomic_output(path, "wb", overwrite=overwrite) as fh:
        fh.write(data)
    return Path(path)
