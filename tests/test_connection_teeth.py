"""Teeth for opening the store (``storage/connection.py``): a store this user may not change is refused at once.

Opening a store to write needs both the file and its folder (SQLite writes its ``-wal`` and
``-shm`` files next to it): either one read-only is refused before anything is read or written,
with the one "read-only" message. As root (who may write anything) the read-only part is a
read-only mount; otherwise file and folder permissions.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from test_store import make_record

from minicex_pdf.errors import StoreError
from minicex_pdf.storage.store import Store

READ_ONLY = (
    "{path}: the database is read-only (no permission to change the file or its folder):"
    " import into a database in a folder you may write, or ask for write access"
)


def mount(*args: str) -> None:
    """Run ``mount`` (as root); skip the test where this root may not mount."""
    done = subprocess.run(["mount", *args], capture_output=True)
    if done.returncode != 0:
        pytest.skip(
            f"root without the right to mount ({done.stderr.decode(errors='replace').strip()}):"
            " cannot make a file or folder root may not write"
        )


def mount_over(stack: ExitStack, point: Path, *args: str) -> None:
    """``mount ARGS POINT``, unmounted when ``stack`` closes."""
    mount(*args, str(point))
    stack.callback(subprocess.run, ["umount", str(point)], check=True)


def a_store(path: Path) -> Path:
    """A store holding one form."""
    with Store(path) as store:
        store.add(make_record(1))
    return path


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    """What to undo when the test ends (mounts, permissions)."""
    with ExitStack() as stack:
        yield stack


def writable_file_in_read_only_folder(tmp_path: Path, stack: ExitStack) -> Path:
    """A store file this process may write, in a folder it may not."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        path = a_store(folder / "m.sqlite")
        folder.chmod(0o555)
        stack.callback(folder.chmod, 0o755)
        return path
    source = a_store(tmp_path / "source.sqlite")
    mount_over(stack, folder, "-t", "tmpfs", "-o", "size=2m", "tmpfs")
    path = folder / "m.sqlite"
    path.write_bytes(b"")
    mount_over(stack, path, "--bind", str(source))  # the file: the writable source
    mount("-o", "remount,ro", str(folder))  # the folder: read-only
    return path


def read_only_file_in_writable_folder(tmp_path: Path, stack: ExitStack) -> Path:
    """A store file this process may not write, in a folder it may."""
    folder = tmp_path / "rw"
    folder.mkdir()
    path = a_store(folder / "m.sqlite")
    if os.geteuid() != 0:
        path.chmod(0o444)
        return path
    mount_over(stack, path, "--bind", str(path))
    mount("-o", "remount,bind,ro", str(path))
    return path


@pytest.mark.parametrize("make", [writable_file_in_read_only_folder, read_only_file_in_writable_folder])
def test_a_store_whose_file_or_folder_is_read_only_is_refused_before_anything_is_written(
    tmp_path: Path, stack: ExitStack, make: Callable[[Path, ExitStack], Path]
) -> None:
    path = make(tmp_path, stack)
    assert (os.access(path, os.W_OK), os.access(path.parent, os.W_OK)) in ((True, False), (False, True))
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert (str(caught.value), caught.value.kind) == (READ_ONLY.format(path=path), "readonly")
    assert sorted(p.name for p in path.parent.iterdir()) == ["m.sqlite"]  # no -wal or -shm made
    with Store(path, readonly=True) as store:  # still readable, with its form
        assert [r.source.path for r in store.records()] == ["/in/form1.pdf"]
