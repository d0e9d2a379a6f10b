"""The ``minicex`` command: a thin click layer over the library.

Each command builds one object, calls one method, and turns library errors
(:class:`minicex_pdf.errors.MinicexError`) into ``click.ClickException``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import FormReadError, MinicexError
from .form.definition import FORM_LANGS, LANGS

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def library_errors(lang: str = "en") -> Iterator[None]:
    """Turn the library's errors, and files that cannot be opened, into a one-line ClickException."""
    try:
        yield
    except FormReadError as exc:
        raise click.ClickException(exc.message(lang)) from None
    except MinicexError as exc:
        raise click.ClickException(str(exc)) from None
    except BrokenPipeError:
        raise  # the reader went away (| head): click exits 1 without a word, as Unix tools do
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or 'output'}: {exc.strerror or exc}") from None


def damaged(line: str | None) -> None:
    """After a command that read a damaged store: the one line naming what was left out, exit status 1."""
    if line:
        click.echo(line, err=True)
        sys.exit(1)


def db_option(*, exists: bool) -> Callable[[F], F]:
    """``--db FILE``, the store (default ``minicex.sqlite`` in the current folder)."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, exists=exists, path_type=Path),
        default=Path("minicex.sqlite"),
        show_default=True,
        help="The database file" + ("." if exists else " (created if missing)."),
    )


def lang_option(what: str, default: str = "sv") -> Callable[[F], F]:
    """``--lang sv|en`` for messages, headers or a report."""
    return click.option("--lang", type=click.Choice(LANGS), default=default, show_default=True, help=what)


def pdf_out_option(default: str) -> Callable[[F], F]:
    """``-o/--out FILE``, the PDF a command writes."""
    return click.option(
        "-o",
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help="The PDF file to write.",
    )


def config_option() -> Callable[[F], F]:
    """``--config FILE``, mail settings (TOML); MINICEX_* environment variables win."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        default=None,
        help="Mail settings (TOML: [mail], [smtp], [imap]); MINICEX_* environment variables override it.",
    )


def form_lang_option(what: str) -> Callable[[F], F]:
    """``--lang sv+en|sv|en`` for generated forms."""
    return click.option("--lang", type=click.Choice(FORM_LANGS), default=FORM_LANGS[0], show_default=True, help=what)


def signature_options(f: F) -> F:
    """``--trust-anchor FILE`` (repeatable), ``--require-signature`` and ``--fetch``: how signed forms are judged.

    Each may also be set once for the region in the environment (``MINICEX_TRUST_ANCHORS``, paths
    separated by ``:``; ``MINICEX_REQUIRE_SIGNATURE``; ``MINICEX_SIGNATURE_FETCH=1``).
    """
    f = click.option(
        "--fetch",
        "fetch",
        is_flag=True,
        envvar="MINICEX_SIGNATURE_FETCH",
        help="Let signature checks fetch revocation data over the network (off: nothing is fetched).",
    )(f)
    f = click.option(
        "--require-signature",
        type=click.Choice(["off", "warning", "error"]),
        default="off",
        show_default=True,
        envvar="MINICEX_REQUIRE_SIGNATURE",
        help="An assessor's part that is not digitally signed (or not trusted) is a warning or an error.",
    )(f)
    return click.option(
        "--trust-anchor",
        "trust_anchors",
        multiple=True,
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        envvar="MINICEX_TRUST_ANCHORS",
        help="A CA certificate file (PEM or DER) that signers' certificates must chain to; repeatable.",
    )(f)


def signature_policy(trust_anchors: tuple[Path, ...], require_signature: str, fetch: bool) -> Any:
    """The :class:`SignaturePolicy` of the signature options."""
    from .reading.signatures import policy_of

    return policy_of(trust_anchors, require_signature, fetch)


def return_to_option() -> Callable[[F], F]:
    """``--return-to TEXT``: where the completed forms go (the form's return-to line)."""
    return click.option(
        "--return-to",
        default=None,
        metavar="TEXT",
        help="Fill the form's 'return to' line (e.g. the director of studies' address); a roster column wins.",
    )


@click.group()
@click.version_option(__version__, prog_name="minicex")
def cli() -> None:
    """Bilingual mini-CEX forms for ST-läkare: make blanks, read returned forms, import, report."""


@cli.command()
@pdf_out_option("mini-cex.pdf")
@form_lang_option("sv+en: Swedish with English under each label; sv or en: one language.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.option(
    "--version",
    "form_version",
    type=click.IntRange(min=1),
    default=None,
    help="The form version to make (default: the newest; older ones stay readable).",
)
@return_to_option()
def blank(out: Path, lang: str, force: bool, form_version: int | None, return_to: str | None) -> None:
    """Write a blank fillable mini-CEX form (A4 PDF) to print or e-mail."""
    from .errors import UsageError
    from .form.definition import load_definition
    from .form.generator import write_form

    if out.exists() and not force:
        raise click.ClickException(f"{out} exists: choose another name with -o, or add --force to overwrite it")
    with library_errors():
        definition = load_definition(form_version)
        values = {}
        if return_to:
            if not definition.has_role("return_to"):
                raise UsageError(f"form version {definition.version} has no return-to line")
            values[definition.role("return_to").name] = return_to
        path = write_form(out, definition, lang=lang, values=values, overwrite=force)
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
@form_lang_option("Language(s) of the forms.")
@return_to_option()
def prefill(roster: Path, out_dir: Path, lang: str, return_to: str | None) -> None:
    """One pre-filled form per trainee in ROSTER (CSV or XLSX); exit status 1 if rows were skipped."""
    from .form.prefill import Prefiller

    msg_lang = "sv" if lang == "sv" else "en"
    with library_errors():
        result = Prefiller(out_dir, lang=lang, return_to=return_to).make(roster)
    for warning in result.roster.warnings:
        click.echo(f"{roster}: {'varning' if msg_lang == 'sv' else 'warning'}: {warning.text(msg_lang)}", err=True)
    for error in result.errors:
        click.echo(f"{roster}: {error.text(msg_lang)}", err=True)
    click.echo(f"{len(result.made)} form(s) in {out_dir}" + (f", index {result.index.name}" if result.index else ""))
    if result.errors:
        click.echo(f"{len(result.errors)} row(s) skipped", err=True)
        sys.exit(1)


@cli.command("roster-template")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("roster.xlsx"),
    show_default=True,
    help="The file to write: .xlsx (with a drop-down list of regulations) or .csv.",
)
@lang_option("Language of the headers.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def roster_template(out: Path, lang: str, force: bool) -> None:
    """Write an empty roster with the column headers, ready to fill in for prefill."""
    from .form.roster_template import write_template

    with library_errors():
        path = write_template(out, lang=lang, force=force)
    click.echo(f"Wrote {path}")


@cli.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@db_option(exists=False)
@click.option(
    "--imap",
    "imap_url",
    is_flag=False,
    flag_value="",
    default=None,
    help="Also fetch the returns in this IMAP folder (imaps://user@host/INBOX/Returer; alone: imap.url of --config).",
)
@config_option()
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes to read with [default: cores].")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the files that could not be read or have errors to this CSV file.",
)
@lang_option("Language of the summary.", default="en")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@signature_options
def import_(
    paths: tuple[Path, ...],
    db: Path,
    imap_url: str | None,
    config_file: Path | None,
    jobs: int | None,
    report: Path | None,
    lang: str,
    quiet: bool,
    trust_anchors: tuple[Path, ...],
    require_signature: str,
    fetch: bool,
) -> None:
    """Import returned forms: PDF files, mail files (.eml, .mbox, .msg), folders, and an IMAP folder.

    Input files are never changed. A file imported before is counted as already
    imported; running the same command again finishes an interrupted import.
    Every PDF attachment of a message is read, also in forwarded messages; each
    form keeps the message's sender, date and subject. Processed IMAP messages are
    marked (or moved with imap.move_to), never deleted.
    Digitally signed forms are verified (trust anchors and policy: the options below).
    Exit status 1 when some files could not be read.
    """
    from functools import partial

    from .progress_bar import progress_for
    from .storage.importer import Importer
    from .storage.store import Store

    if not paths and imap_url is None:
        raise click.UsageError("give files or folders to import, or --imap")
    with library_errors(lang):
        policy = signature_policy(trust_anchors, require_signature, fetch)
        with Store(db) as store:
            mailboxes = []
            if imap_url is not None:
                from .mail.imap import open_mailbox

                mailboxes.append(open_mailbox(imap_url, config_file, store))
            progress = partial(progress_for, "none" if quiet else "auto", label="import")
            summary = Importer(store, jobs=jobs, progress=progress, signatures=policy).run(paths, mailboxes)
        if report is not None:
            summary.write_report(report, lang)
    click.echo("\n".join(summary.lines(lang)))
    if summary.interrupted:
        click.echo("Interrupted: the files stored so far are kept; run the same command again to finish.", err=True)
        sys.exit(130)
    sys.exit(summary.exit_code)


@cli.command()
@click.argument("roster", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--forms",
    "forms_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("forms"),
    show_default=True,
    help="The folder of pre-filled forms (prefill's -o); forms missing for a roster row are made there.",
)
@click.option(
    "--assessors",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Also send a blank form to each address in this file (one a line).",
)
@db_option(exists=False)
@config_option()
@click.option(
    "--lang",
    type=click.Choice(["sv", "en", "both"]),
    default="both",
    show_default=True,
    help="Language of the subject and text.",
)
@click.option(
    "--form-lang",
    type=click.Choice(FORM_LANGS),
    default=FORM_LANGS[0],
    show_default=True,
    help="Language(s) of forms made now (and of the blank form).",
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Your own subject and text (TOML: [trainee.sv], [trainee.en], [assessor.sv], [assessor.en]).",
)
@click.option(
    "--pause",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between two messages [default: 2].",
)
@click.option("--resend", is_flag=True, help="Send again what was sent before.")
@click.option(
    "--dry-run",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the messages as .eml files to this folder instead of sending them.",
)
def send(
    roster: Path,
    forms_dir: Path,
    assessors: Path | None,
    db: Path,
    config_file: Path | None,
    lang: str,
    form_lang: str,
    template: Path | None,
    pause: float | None,
    resend: bool,
    dry_run: Path | None,
) -> None:
    """E-mail each trainee in ROSTER their pre-filled form (column email or e-post), once.

    The store records each message sent, so running it again sends only what was
    not sent. Exit status 1 when some messages could not be sent (each is named).
    """
    from .mail.send import send_all

    with library_errors():
        result = send_all(
            roster,
            forms_dir,
            db=db,
            config_file=config_file,
            assessors=assessors,
            lang=lang,
            form_lang=form_lang,
            template=template,
            pause=pause,
            resend=resend,
            dry_run=dry_run,
        )
    click.echo("\n".join(result.lines("en")))
    sys.exit(result.exit_code)


@cli.command()
@db_option(exists=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "jsonl"]), required=True, help="Output format.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file [default: standard output; required for xlsx].",
)
@lang_option("Language of headers and labels.")
@click.option("--delimiter", default=";", show_default=True, help="CSV field separator (';' for a Swedish Excel).")
@click.option("--all", "all_", is_flag=True, help="Also the empty forms (nothing filled in by the assessor).")
@click.option(
    "--unmasked",
    is_flag=True,
    help="Show personal identity numbers in full (the admin's own export only; masked by default).",
)
def export(db: Path, fmt: str, out: Path | None, lang: str, delimiter: str, all_: bool, unmasked: bool) -> None:
    """Export one row per assessment (its latest revision) as CSV, XLSX or JSON Lines.

    Each row has its status; empty forms are left out unless --all. Anything that
    looks like a personnummer is masked (ÅÅMMDD-XXXX) unless --unmasked.
    """
    from .storage.export import Exporter
    from .storage.store import Store

    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs -o FILE.xlsx")
    with library_errors(lang), Store(db, readonly=True) as store:
        exporter = Exporter(store, fmt=fmt, lang=lang, delimiter=delimiter, include_empty=all_, unmasked=unmasked)
        rows = exporter.write(out)
        damage = store.damage_message("the export holds the rest")
    if out is not None:
        click.echo(f"{rows} form(s) written to {out}", err=True)
    damaged(damage)


@cli.command()
@db_option(exists=True)
@click.option("--trainee", default=None, help="Only the trainee(s) with this name (no cohort page).")
@pdf_out_option("minicex-report.pdf")
@lang_option("Language of the report.")
def report(db: Path, trainee: str | None, out: Path, lang: str) -> None:
    """The A4 progress report: a cohort page, then each trainee's forms, assessors, levels and feedback."""
    from .form.definition import load_definition
    from .report.writer import ReportWriter

    writer = ReportWriter(load_definition(), lang)
    with library_errors(lang):
        written = writer.write(db, out, trainee)
    click.echo(f"report written to {written}", err=True)
    damaged(writer.damage)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True, help="Output format."
)
@lang_option("Language of the messages.")
@click.option("--raw", is_flag=True, help="Print the decoded field map {PDF field name: value} as JSON (debugging).")
@signature_options
def read(
    file: Path, fmt: str, lang: str, raw: bool, trust_anchors: tuple[Path, ...], require_signature: str, fetch: bool
) -> None:
    """Read one returned form FILE and print its record (digital signatures verified); exit 1 if unreadable.

    FILE may also be a mail file (.eml, .mbox, .msg): each PDF attachment's record is
    printed with the sender, date and subject of its message (JSON: a list).
    """
    import json

    from .mail import is_mail_file
    from .reading.reader import read_form, read_raw, record_json, record_text

    if is_mail_file(file) and not raw:
        from .mail.read import mail_forms

        with library_errors(lang):
            forms = list(mail_forms(file, signature_policy(trust_anchors, require_signature, fetch)))
        if fmt == "json":
            items = [
                {"mail": f.mail_json(), "file": f.name}
                | (
                    {"record": record_json(f.record, lang)}
                    if f.record
                    else {"error": f.error.message(lang) if f.error else ""}
                )
                for f in forms
            ]
            click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        for f in forms if fmt == "text" else ():
            m = f.mail_json()
            click.echo(f"{m['from'] or '?'}  {m['date'] or '?'}  {m['subject'] or ''}")
            click.echo(record_text(f.record, lang) if f.record else f.error.message(lang) if f.error else "")
        sys.exit(0 if forms and all(f.record for f in forms) else 1)
    with library_errors(lang):
        if raw:
            click.echo(json.dumps(read_raw(file), ensure_ascii=False, indent=2))
            return
        record = read_form(file, signatures=signature_policy(trust_anchors, require_signature, fetch))
    if fmt == "text":
        click.echo(record_text(record, lang))
    else:
        click.echo(json.dumps(record_json(record, lang), ensure_ascii=False, indent=2))


def main() -> None:
    """Entry point of the ``minicex`` console script."""
    cli()


if __name__ == "__main__":  # python -m minicex_pdf.cli
    main()
