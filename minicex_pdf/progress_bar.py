"""Progress reporters for long batches: a bar on a terminal, plain lines otherwise, or nothing.

All write to standard error, so that standard output holds only the result.
They name no file contents, only counts.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol, TextIO

import click

MODES = ("auto", "bar", "lines", "none")


class Progress(Protocol):
    """Told once per finished item; a context manager around the batch."""

    def __enter__(self) -> Progress: ...

    def __exit__(self, *exc: object) -> None: ...

    def update(self, n: int = 1) -> None: ...


class NullProgress:
    """Reports nothing (``--quiet``)."""

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        return None


class LineProgress:
    """Plain lines (``label: 40/200``) about every 5% and at the end: for logs and pipes."""

    def __init__(self, total: int, label: str, file: TextIO | None = None) -> None:
        self.total, self.label, self.done = total, label, 0
        self.file = file
        self.step = max(1, total // 20)

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        before, self.done = self.done, self.done + n
        if self.done // self.step > before // self.step or self.done == self.total:
            click.echo(f"{self.label}: {self.done}/{self.total}", file=self.file or sys.stderr)


class BarProgress:
    """click's progress bar, for a terminal."""

    def __init__(self, total: int, label: str, file: TextIO | None = None) -> None:
        self._bar: Any = click.progressbar(length=total, label=label, file=file or sys.stderr, show_pos=True)

    def __enter__(self) -> BarProgress:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(*exc)

    def update(self, n: int = 1) -> None:
        self._bar.update(n)


def progress_for(mode: str, total: int, label: str) -> Progress:
    """The reporter for ``mode``: ``auto`` is a bar when standard error is a terminal, else lines."""
    if mode == "none" or total == 0:
        return NullProgress()
    if mode == "auto":
        mode = "bar" if sys.stderr.isatty() else "lines"
    return BarProgress(total, label) if mode == "bar" else LineProgress(total, label)
