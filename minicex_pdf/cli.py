"""The ``minicex`` command: a thin click layer over the library.

Each command builds one object, calls one method, and turns library errors
(:class:`minicex_pdf.errors.MinicexError`) into ``click.ClickException``.
Every message follows ``--lang`` (default: :func:`minicex_pdf.config.default_lang`);
every ``-o`` follows one rule (:func:`minicex_pdf.output_path.check_out`).
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .config import StoreChoice, choose_db, default_lang
from .errors import FormReadError, MinicexError, StoreError, UsageError, os_error_message
from .form.definition import FORM_LANGS, LANGS, Text
from .output_path import check_out

F = TypeVar("F", bound=Callable[..., Any])

#: Words the commands print themselves (everything else comes from the library in both languages).
_T = {
    "wrote": Text(sv="Skrev {}", en="Wrote {}"),
    "report": Text(sv="rapporten skriven till {}", en="report written to {}"),
    "exported": Text(sv="{} formulär skrivna till {}", en="{} form(s) written to {}"),
    "skipped": Text(sv="{} rad(er) hoppades över", en="{} row(s) skipped"),
    "interrupted": Text(
        sv="Avbrutet: de formulär som lagrats är kvar; kör samma kommando igen för att slutföra.",
        en="Interrupted: the files stored so far are kept; run the same command again to finish.",
    ),
    "xlsx_out": Text(sv="--format xlsx behöver -o FIL.xlsx", en="--format xlsx needs -o FILE.xlsx"),
}


def examples(*lines: str) -> str:
    """A command's help epilog: two or three example command lines, shown as written."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def say(key: str, lang: str, *args: object) -> str:
    """One of the CLI's own messages in ``lang``."""
    return _T[key][lang].format(*args)


class CommandError(click.ClickException):
    """A one-line error for the user, its ``Error:``/``Fel:`` tag in the command's language (exit status 1)."""

    def __init__(self, message: str, lang: str = "en") -> None:
        super().__init__(message)
        self.lang = lang

    def show(self, file: Any = None) -> None:
        tag = "Fel" if self.lang == "sv" else "Error"
        click.echo(f"{tag}: {self.format_message()}", file=file or click.get_text_stream("stderr"), err=True)


@contextmanager
def library_errors(lang: str = "en") -> Iterator[None]:
    """Turn the library's errors, and files that cannot be opened, into a one-line error in ``lang``."""
    try:
        yield
    except FormReadError as exc:
        raise CommandError(exc.message(lang), lang) from None
    except (UsageError, StoreError) as exc:
        raise CommandError(exc.message(lang), lang) from None
    except MinicexError as exc:
        raise CommandError(str(exc), lang) from None
    except BrokenPipeError:
        raise  # the reader went away (| head): click exits 1 without a word, as Unix tools do
    except OSError as exc:
        raise CommandError(os_error_message(exc, lang), lang) from None


def damaged(line: str | None) -> None:
    """After a command that read a damaged store: the one line naming what was left out, exit status 1."""
    if line:
        click.echo(line, err=True)
        sys.exit(1)


def _lang_default(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value is not None:
        return value
    try:
        return default_lang()
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


def db_option() -> Callable[[F], F]:
    """``--db FILE``, the store: else ``MINICEX_DB``, the config file, or ``minicex.sqlite`` here."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The database file [default: $MINICEX_DB, the config file's db, or minicex.sqlite].",
    )


def lang_option(what: str) -> Callable[[F], F]:
    """``--lang sv|en`` for messages, headers or a report (default: the config file's, else English)."""
    return click.option(
        "--lang",
        type=click.Choice(LANGS),
        default=None,
        callback=_lang_default,
        help=what + " [default: en, or lang in the config file]",
    )


def out_option(what: str, default: str | None = None) -> Callable[[F], F]:
    """``-o/--out FILE``, the file a command writes."""
    return click.option(
        "-o",
        "--out",
        type=click.Path(path_type=Path),
        default=Path(default) if default else None,
        show_default=default is not None,
        help=what,
    )


def force_option() -> Callable[[F], F]:
    """``--force``: overwrite the ``-o`` file if it exists."""
    return click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")


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


def _date(ctx: click.Context, param: click.Parameter, value: _dt.datetime | None) -> _dt.date | None:
    return value.date() if value is not None else None


def filter_options(f: F) -> F:
    """``--trainee --specialty --workplace --supervisor --since --until``: which forms and trainees."""
    part = " (part of it; case and accents ignored)."
    options = [
        click.option("--trainee", default=None, help="Only trainees with this name" + part),
        click.option("--specialty", default=None, help="Only this specialty" + part),
        click.option("--workplace", default=None, help="Only this workplace" + part),
        click.option("--supervisor", default=None, help="Only trainees of this personal supervisor" + part),
        click.option(
            "--since",
            type=click.DateTime(["%Y-%m-%d"]),
            callback=_date,
            default=None,
            help="Only assessments on or after this date (YYYY-MM-DD).",
        ),
        click.option(
            "--until",
            type=click.DateTime(["%Y-%m-%d"]),
            callback=_date,
            default=None,
            help="Only assessments on or before this date (YYYY-MM-DD).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_filter(kwargs: dict[str, Any], lang: str = "en") -> Any:
    """The :class:`Filter` of a command's filter options (taken out of ``kwargs``)."""
    from .storage.filters import Filter

    keys = ("trainee", "specialty", "workplace", "supervisor", "since", "until")
    with library_errors(lang):
        return Filter(**{k: kwargs.pop(k) for k in keys})


def store_of(db: Path | None) -> StoreChoice:
    """The store a command uses (see :mod:`minicex_pdf.config`), as a usage error if the config is broken."""
    try:
        return choose_db(db)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None


def _out(path: Path | None, fmt: str, force: bool, lang: str) -> Path | None:
    if path is None:
        return None
    with library_errors(lang):
        return check_out(path, fmt, force=force)


def _print(output: Any, out: Path | None, lang: str) -> None:
    """An admin command's output: notes on standard error, the text on standard output or in ``out``."""
    from .outputs import write_bytes

    for note in output.notes:
        click.echo(note, err=True)
    if out is not None:
        with library_errors(lang):
            write_bytes(out, (output.text if output.text.endswith("\n") else output.text + "\n").encode("utf-8"))
    elif output.text:
        click.echo(output.text, nl=not output.text.endswith("\n"))
    if output.failed:
        sys.exit(1)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples(
        "minicex blank -o mini-cex.pdf", "minicex prefill roster.xlsx -o utskick/", "minicex import returned/"
    ),
)
@click.version_option(__version__, prog_name="minicex")
def cli() -> None:
    """Bilingual mini-CEX forms for ST-läkare: make blanks, read returned forms, import, report.

    The store is --db, else $MINICEX_DB, else db in the config file, else
    minicex.sqlite here; messages follow --lang (set lang in the config file).
    """


@cli.command(epilog=examples("minicex blank -o mini-cex.pdf", "minicex blank -o mini-cex-en.pdf --lang en"))
@out_option("The PDF file to write.", "mini-cex.pdf")
@form_lang_option("sv+en: Swedish with English under each label; sv or en: one language.")
@force_option()
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

    msg = lang if lang in LANGS else default_lang()
    _out(out, "pdf", force, msg)
    with library_errors(msg):
        definition = load_definition(form_version)
        values = {}
        if return_to:
            if not definition.has_role("return_to"):
                raise UsageError(
                    f"form version {definition.version} has no return-to line",
                    sv=f"formulärversion {definition.version} har ingen rad för vart formuläret skickas",
                )
            values[definition.role("return_to").name] = return_to
        path = write_form(out, definition, lang=lang, values=values, overwrite=force)
    click.echo(say("wrote", msg, path))


@cli.command(
    epilog=examples(
        "minicex prefill roster.xlsx -o utskick/",
        "minicex prefill roster.csv -o utskick/ --lang sv",
        "minicex prefill roster.csv -o utskick/ --again",
    )
)
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
@form_lang_option("Language(s) of the forms (and of the messages: sv+en gives the default language).")
@db_option()
@click.option("--again", is_flag=True, help="Make forms also for trainees who already have one in the folder.")
@return_to_option()
def prefill(roster: Path, out_dir: Path, lang: str, db: Path | None, again: bool, return_to: str | None) -> None:
    """One pre-filled form per trainee in ROSTER (CSV or XLSX), recorded in the store.

    Run again on the same roster into the same folder, it makes forms only for
    new trainees unless --again. Exit status 1 if rows were skipped.
    """
    from .form.prefill import Prefiller
    from .storage.roster_store import RecordedPrefill

    msg = lang if lang in LANGS else default_lang()
    choice = store_of(db)
    with library_errors(msg):
        run = RecordedPrefill(choice.path, Prefiller(out_dir, lang=lang, return_to=return_to), again=again).make(roster)
    for warning in run.result.roster.warnings:
        click.echo(f"{roster}: {'varning' if msg == 'sv' else 'warning'}: {warning.text(msg)}", err=True)
    for error in run.result.errors:
        click.echo(f"{roster}: {error.text(msg)}", err=True)
    click.echo("\n".join(run.summary(out_dir, msg)))
    if run.result.errors:
        click.echo(say("skipped", msg, len(run.result.errors)), err=True)
        sys.exit(1)


@cli.command(
    "roster-template",
    epilog=examples(
        "minicex roster-template -o roster.xlsx --lang sv", "minicex roster-template -o roster.csv --lang en"
    ),
)
@out_option("The file to write: .xlsx (with a drop-down list of regulations) or .csv.", "roster.xlsx")
@lang_option("Language of the headers.")
@force_option()
def roster_template(out: Path, lang: str, force: bool) -> None:
    """Write an empty roster with the column headers, ready to fill in for prefill."""
    from .form.roster_template import write_template

    kind = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}.get(out.suffix.lower())
    if kind is not None:  # other suffixes: write_template names the ones it writes
        _out(out, kind, force, lang)
    with library_errors(lang):
        path = write_template(out, lang=lang, force=force)
    click.echo(say("wrote", lang, path))


@cli.command(
    "import",
    epilog=examples(
        "minicex import returned/",
        "minicex import returned/ --db minicex.sqlite --report problems.csv",
        "minicex import --imap imaps://anna@mail.example.se/INBOX/Returer",
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@db_option()
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
    type=click.Path(path_type=Path),
    default=None,
    help="Write the files that could not be read or have errors to this CSV file.",
)
@force_option()
@lang_option("Language of the summary.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@signature_options
def import_(
    paths: tuple[Path, ...],
    db: Path | None,
    imap_url: str | None,
    config_file: Path | None,
    jobs: int | None,
    report: Path | None,
    force: bool,
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
    choice = store_of(db)
    report = _out(report, "csv", force, lang)
    with library_errors(lang):
        policy = signature_policy(trust_anchors, require_signature, fetch)
        with Store(choice.path) as store:
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
        click.echo(say("interrupted", lang), err=True)
        sys.exit(130)
    sys.exit(summary.exit_code)


@cli.command(
    epilog=examples(
        "minicex send roster.xlsx --forms utskick/ --config mail.toml",
        "minicex send roster.xlsx --forms utskick/ --dry-run outbox/",
        "minicex send roster.xlsx --forms utskick/ --assessors assessors.txt",
    )
)
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
@db_option()
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
    db: Path | None,
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

    ui = lang if lang in LANGS else default_lang()  # the summary: the messages' language, or the default for both
    with library_errors(ui):
        result = send_all(
            roster,
            forms_dir,
            db=store_of(db).path,
            config_file=config_file,
            assessors=assessors,
            lang=lang,
            form_lang=form_lang,
            template=template,
            pause=pause,
            resend=resend,
            dry_run=dry_run,
            ui_lang=ui,
        )
    click.echo("\n".join(result.lines(ui)))
    sys.exit(result.exit_code)


@cli.command(
    epilog=examples(
        "minicex export --format xlsx -o minicex.xlsx",
        "minicex export --format csv -o kirurgi.csv --specialty kirurgi --since 2026-01-01",
        "minicex export --format jsonl > minicex.jsonl",
    )
)
@db_option()
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "jsonl"]), required=True, help="Output format.")
@out_option("Output file [default: standard output; required for xlsx].")
@force_option()
@lang_option("Language of headers and labels.")
@click.option("--delimiter", default=";", show_default=True, help="CSV field separator (';' for a Swedish Excel).")
@click.option("--all", "all_", is_flag=True, help="Also the empty forms (nothing filled in by the assessor).")
@click.option(
    "--unmasked",
    is_flag=True,
    help="Show personal identity numbers in full (the admin's own export only; masked by default).",
)
@filter_options
def export(
    db: Path | None,
    fmt: str,
    out: Path | None,
    force: bool,
    lang: str,
    delimiter: str,
    all_: bool,
    unmasked: bool,
    **where: Any,
) -> None:
    """Export one row per assessment (its latest revision) as CSV, XLSX or JSON Lines.

    Each row has its status; empty forms are left out unless --all, voided forms
    always. Anything that looks like a personnummer is masked (ÅÅMMDD-XXXX) unless
    --unmasked. CSV and XLSX show labels for people; JSON Lines carries codes,
    booleans, lists and ISO dates for programs.
    """
    from .admin.desk import open_existing
    from .storage.export import Exporter

    flt = make_filter(where, lang)
    if fmt == "xlsx" and out is None:
        raise click.UsageError(say("xlsx_out", lang))
    out = _out(out, fmt, force, lang)
    choice = store_of(db)
    with library_errors(lang), open_existing(choice.path, readonly=True) as store:
        exporter = Exporter(
            store,
            fmt=fmt,
            lang=lang,
            delimiter=delimiter,
            include_empty=all_,
            unmasked=unmasked,
            where=flt,
        )
        rows = exporter.write(out)
        damage = store.damage_message("export", lang)
    if out is not None:
        click.echo(say("exported", lang, rows, out), err=True)
    damaged(damage)


@cli.command(
    epilog=examples(
        "minicex report -o rapport.pdf --lang sv",
        'minicex report --trainee "Åsa Öberg" -o asa.pdf',
        "minicex report --specialty kirurgi --since 2026-01-01 -o kirurgi.pdf",
    )
)
@db_option()
@out_option("The PDF file to write.", "minicex-report.pdf")
@force_option()
@lang_option("Language of the report.")
@filter_options
def report(db: Path | None, out: Path, force: bool, lang: str, **where: Any) -> None:
    """The A4 progress report: a cohort page, then each trainee's forms, assessors, levels and feedback.

    The cohort page lists every trainee of the rosters, those without forms too;
    with --trainee only the matching trainees' pages are made.
    """
    from .form.definition import load_definition
    from .report.writer import ReportWriter

    flt = make_filter(where, lang)
    _out(out, "pdf", force, lang)
    writer = ReportWriter(load_definition(), lang)
    with library_errors(lang):
        written = writer.write(store_of(db).path, out, where=flt)
    click.echo(say("report", lang, written), err=True)
    damaged(writer.damage)


@cli.command(
    epilog=examples(
        "minicex read returned/anna.pdf",
        "minicex read --format text --lang sv returned/anna.pdf",
        "minicex read --raw returned/anna.pdf",
    )
)
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


# ---------------------------------------------------------------------- the administrator's commands


def list_format_option() -> Callable[[F], F]:
    """``--format table|csv|json`` for the admin's lists."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help="A terminal table, CSV for Excel (';', BOM) or JSON.",
    )


def _list_out(out: Path | None, fmt: str, force: bool, lang: str) -> Path | None:
    return _out(out, fmt, force, lang)


@cli.command(
    epilog=examples(
        "minicex status",
        "minicex status --specialty kirurgi --since 2026-01-01",
        "minicex status --chase --format csv -o chase.csv",
    )
)
@db_option()
@click.option("--chase", is_flag=True, help="List the forms someone has to act on, with what is missing.")
@list_format_option()
@out_option("Write the list to this file (csv or json) instead of standard output.")
@force_option()
@lang_option("Language of headers and messages.")
@filter_options
def status(db: Path | None, chase: bool, fmt: str, out: Path | None, force: bool, lang: str, **where: Any) -> None:
    """One line per trainee (rosters and imported forms): assessments, incomplete and empty forms, not returned.

    With --chase: the forms awaiting the action plan, incomplete, with errors or
    a level to confirm, with trainee, assessor, date, file and what is missing.
    Prints which store it used (on standard error).
    """
    from .admin.desk import AdminDesk

    flt = make_filter(where, lang)
    out = _list_out(out, fmt, force, lang)
    with library_errors(lang), AdminDesk(store_of(db), lang, readonly=True) as desk:
        output = desk.status(flt, fmt, chase)
    _print(output, out, lang)


@cli.command(
    epilog=examples("minicex forms --trainee öberg", "minicex forms --since 2026-03-01 --format csv -o forms.csv")
)
@db_option()
@list_format_option()
@out_option("Write the list to this file (csv or json) instead of standard output.")
@force_option()
@lang_option("Language of headers and messages.")
@filter_options
def forms(db: Path | None, fmt: str, out: Path | None, force: bool, lang: str, **where: Any) -> None:
    """List the stored forms (latest revision each, voided ones marked): id, trainee, date, assessor, status, file."""
    from .admin.desk import AdminDesk

    flt = make_filter(where, lang)
    out = _list_out(out, fmt, force, lang)
    with library_errors(lang), AdminDesk(store_of(db), lang, readonly=True) as desk:
        output = desk.forms(flt, fmt)
    _print(output, out, lang)


@cli.command(
    epilog=examples('minicex void 12 --reason "sent twice"', 'minicex void returned/anna-2.pdf --reason "test form"')
)
@click.argument("form")
@click.option("--reason", required=True, help="Why the form is voided (kept in its history).")
@db_option()
@lang_option("Language of the messages.")
def void(form: str, reason: str, db: Path | None, lang: str) -> None:
    """Void FORM (an id from minicex forms, or its file): kept, listed as voided, no longer counted."""
    from .admin.desk import AdminDesk

    with library_errors(lang), AdminDesk(store_of(db), lang) as desk:
        output = desk.void(form, reason)
    _print(output, None, lang)


@cli.command(epilog=examples("minicex restore 12", 'minicex restore 12 --reason "voided by mistake"'))
@click.argument("form")
@click.option("--reason", default="", help="Why the form counts again (kept in its history).")
@db_option()
@lang_option("Language of the messages.")
def restore(form: str, reason: str, db: Path | None, lang: str) -> None:
    """Count a voided FORM again."""
    from .admin.desk import AdminDesk

    with library_errors(lang), AdminDesk(store_of(db), lang) as desk:
        output = desk.restore(form, reason)
    _print(output, None, lang)


@cli.command(epilog=examples("minicex history 12", "minicex history"))
@click.argument("form", required=False)
@db_option()
@lang_option("Language of the messages.")
def history(form: str | None, db: Path | None, lang: str) -> None:
    """What was changed in FORM (or in the whole store): when, by which user, what, and why."""
    from .admin.desk import AdminDesk

    with library_errors(lang), AdminDesk(store_of(db), lang, readonly=True) as desk:
        output = desk.history(form)
    _print(output, None, lang)


@cli.group(epilog=examples('minicex trainee merge "Asa Oberg" "Öberg, Åsa" --into "Åsa Öberg"'))
def trainee() -> None:
    """Correct trainees' names: merge the variants of one name."""


@trainee.command(
    epilog=examples(
        'minicex trainee merge "Asa Oberg" "Öberg, Åsa" --into "Åsa Öberg"',
        'minicex trainee merge "K Lind" --into "Lind, Karl" --reason "initial only"',
    )
)
@click.argument("names", nargs=-1, required=True)
@click.option("--into", required=True, help="The name the variants are shown as from now on.")
@click.option("--reason", default="", help="Why (kept in the history).")
@db_option()
@lang_option("Language of the messages.")
def merge(names: tuple[str, ...], into: str, reason: str, db: Path | None, lang: str) -> None:
    """Show the trainee names NAMES as the one name --into everywhere (status, export, report).

    Nothing in the stored forms is changed; minicex history lists the merge.
    """
    from .admin.desk import AdminDesk

    with library_errors(lang), AdminDesk(store_of(db), lang) as desk:
        output = desk.merge(names, into, reason)
    _print(output, None, lang)


def main() -> None:
    """Entry point of the ``minicex`` console script."""
    cli()


if __name__ == "__main__":  # python -m minicex_pdf.cli
    main()
