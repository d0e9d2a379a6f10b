"""The ``minicex`` command: a thin click layer over the library.

Each command builds one object, calls one method, and turns library errors
(:class:`minicex_pdf.errors.MinicexError`) into ``click.ClickException``.
"""

from __future__ import annotations

import click

from . import __version__


@click.group()
@click.version_option(__version__, prog_name="minicex")
def cli() -> None:
    """Bilingual mini-CEX forms for ST-läkare: make blanks, read returned forms, import, report."""


def main() -> None:
    """Entry point of the ``minicex`` console script."""
    cli()
