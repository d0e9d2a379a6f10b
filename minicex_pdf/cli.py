"""The ``minicex`` command: a thin click layer over the library.

Each command builds one object, calls one method, and turns library errors
(:class:`minicex_pdf.errors.MinicexError`) into ``click.ClickException``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .definition import FORM_LANGS
from .errors import MinicexError


@click.group()
@click.version_option(__version__, prog_name="minicex")
def cli() -> None:
    """Bilingual mini-CEX forms for ST-läkare: make blanks, read returned forms, import, report."""


@cli.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mini-cex.pdf"),
    show_default=True,
    help="The PDF file to write.",
)
@click.option(
    "--lang",
    type=click.Choice(FORM_LANGS),
    default=FORM_LANGS[0],
    show_default=True,
    help="sv+en: Swedish with English under each label; sv or en: one language.",
)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def blank(out: Path, lang: str, force: bool) -> None:
    """Write a blank fillable mini-CEX form (A4 PDF) to print or e-mail."""
    from .generator import write_form

    if out.exists() and not force:
        raise click.ClickException(f"{out} exists: choose another name with -o, or add --force to overwrite it")
    try:
        path = write_form(out, lang=lang)
    except MinicexError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {path}")


@cli.command()
@click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the forms and index.csv (created if missing; existing files are never overwritten).",
)
@click.option(
    "--lang", type=click.Choice(FORM_LANGS), default=FORM_LANGS[0], show_default=True, help="Language(s) of the forms."
)
def prefill(roster: Path, out_dir: Path, lang: str) -> None:
    """One pre-filled form per trainee in ROSTER (CSV or XLSX); exit status 1 if rows were skipped."""
    from .prefill import Prefiller

    msg_lang = "sv" if lang == "sv" else "en"
    try:
        result = Prefiller(out_dir, lang=lang).make(roster)
    except MinicexError as exc:
        raise click.ClickException(str(exc)) from None
    for error in result.errors:
        click.echo(f"{roster}: {error.text(msg_lang)}", err=True)
    click.echo(f"{len(result.made)} form(s) in {out_dir}" + (f", index {result.index.name}" if result.index else ""))
    if result.errors:
        click.echo(f"{len(result.errors)} row(s) skipped", err=True)
        sys.exit(1)


def main() -> None:
    """Entry point of the ``minicex`` console script."""
    cli()
