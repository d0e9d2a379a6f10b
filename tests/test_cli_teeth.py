"""The thin CLI: library errors become one ``Error:``/``Fel:`` line in the command's language, exact exit codes."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from minicex_pdf.cli import CommandError, cli, damaged, library_errors, say
from minicex_pdf.config import config_file
from minicex_pdf.errors import DefinitionError, NotAPdfError, StoreError, UsageError
from minicex_pdf.form.keywords import parse_identity_keywords


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test in its own folder, with its own (absent) config file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def caught(lang: str, exc: BaseException) -> CommandError:
    with pytest.raises(CommandError) as err, library_errors(lang):
        raise exc
    assert err.value.lang == lang
    return err.value


# --------------------------------------------------------------------------- the library's errors


def test_each_library_error_is_one_line_in_the_command_s_language():
    assert caught("sv", NotAPdfError("svar.pdf")).format_message() == "svar.pdf: inte en PDF-fil"
    assert caught("en", NotAPdfError("svar.pdf")).format_message() == "svar.pdf: not a PDF file"
    assert caught("sv", UsageError("exists", sv="finns")).format_message() == "finns"
    assert caught("sv", StoreError("db: locked", "locked", sv="db: låst")).format_message() == "db: låst"
    assert caught("en", StoreError("db: locked", "locked", sv="db: låst")).format_message() == "db: locked"
    assert caught("sv", DefinitionError("minicex-2.toml: broken")).format_message() == "minicex-2.toml: broken"
    gone = FileNotFoundError(errno.ENOENT, "No such file or directory", "roster.csv")
    assert caught("sv", gone).format_message() == "roster.csv: filen eller mappen finns inte"
    assert caught("en", gone).format_message() == "roster.csv: No such file or directory"


def test_a_closed_pipe_is_left_to_click_and_other_errors_pass_through():
    with pytest.raises(BrokenPipeError), library_errors("sv"):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")
    with pytest.raises(KeyError), library_errors("sv"):
        raise KeyError("a bug is not a user's error")


def test_the_error_tag_follows_the_language():
    for lang, line in (("sv", "Fel: kan inte\n"), ("en", "Error: kan inte\n")):
        out = io.StringIO()
        CommandError("kan inte", lang).show(file=out)
        assert out.getvalue() == line
    assert (CommandError("x").lang, CommandError("x").exit_code) == ("en", 1)


def test_a_damaged_store_line_ends_the_command_with_status_1(capsys):
    damaged(None)
    damaged("")
    assert capsys.readouterr() == ("", "")
    with pytest.raises(SystemExit) as end:
        damaged("3 forms left out: the store is damaged")
    assert end.value.code == 1
    assert capsys.readouterr() == ("", "3 forms left out: the store is damaged\n")


def test_the_cli_s_own_words():
    assert say("wrote", "sv", "a.pdf") == "Skrev a.pdf"
    assert say("exported", "en", 3, "e.csv") == "3 form(s) written to e.csv"
    assert say("skipped", "sv", 2) == "2 rad(er) hoppades över"


# --------------------------------------------------------------------------- blank


def test_blank_writes_the_version_asked_for_and_says_so_in_the_form_s_language():
    assert invoke("blank", "-o", "b.pdf", "--lang", "sv", "--version", "1") == (0, "Skrev b.pdf\n", "")
    keywords = parse_identity_keywords(PdfReader("b.pdf").metadata["/Keywords"])
    assert keywords == {"form-id": "minicex-st", "form-version": "1", "instance-id": ""}
    # a two-language form: the messages take the default language
    assert invoke("blank", "-o", "c.pdf") == (0, "Wrote c.pdf\n", "")
    write_config('lang = "sv"\n')
    assert invoke("blank", "-o", "d.pdf", "--lang", "sv+en") == (0, "Skrev d.pdf\n", "")


def test_blank_refuses_what_it_cannot_make():
    assert invoke("blank", "-o", "b.pdf", "--version", "1", "--return-to", "Studierektor") == (
        1,
        "",
        "Error: form version 1 has no return-to line\n",
    )
    assert invoke("blank", "-o", "b.pdf", "--version", "1", "--return-to", "Studierektor", "--lang", "sv") == (
        1,
        "",
        "Fel: formulärversion 1 har ingen rad för vart formuläret skickas\n",
    )
    assert invoke("blank", "-o", "b.pdf", "--version", "9") == (
        1,
        "",
        "Error: no form definition version 9 (known: 1, 2)\n",
    )
    assert sorted(p.name for p in Path().iterdir()) == []


def test_blank_fills_the_return_to_line():
    assert invoke("blank", "-o", "b.pdf", "--return-to", "Studierektor ST") == (0, "Wrote b.pdf\n", "")
    fields = PdfReader("b.pdf").get_fields()
    assert fields["return_to"]["/V"] == "Studierektor ST"


# --------------------------------------------------------------------------- roster-template, import


def test_roster_template_follows_the_config_file_s_language_and_the_one_o_rule():
    write_config('lang = "sv"\n')
    assert invoke("roster-template", "-o", "r.csv") == (0, "Skrev r.csv\n", "")
    assert Path("r.csv").read_bytes().startswith("\ufeffnamn;specialitet;".encode())
    assert invoke("roster-template", "-o", "r.csv") == (
        1,
        "",
        "Fel: r.csv finns redan: välj ett annat namn med -o, eller lägg till --force för att skriva över den\n",
    )
    assert invoke("roster-template", "-o", "R.TXT", "--lang", "en") == (
        1,
        "",
        "Error: R.TXT: a roster template is .xlsx or .csv\n",
    )
    assert invoke("roster-template", "-o", "r.ods") == (
        1,
        "",
        "Fel: r.ods: en mall för deltagarlistan är .xlsx eller .csv\n",
    )
    assert invoke("roster-template", "-o", "r.csv", "--force", "--lang", "en") == (0, "Wrote r.csv\n", "")
    assert Path("r.csv").read_bytes().startswith("\ufeffname,specialty,".encode())


def test_a_broken_config_file_is_a_usage_error_naming_it():
    cfg = write_config('lang = "de"\n')
    assert invoke("roster-template", "-o", "r.csv") == (
        2,
        "",
        "Usage: cli roster-template [OPTIONS]\nTry 'cli roster-template --help' for help.\n\n"
        f"Error: Invalid value for '--lang': {cfg}: lang must be one of sv, en\n",
    )


def test_import_needs_something_to_import():
    assert invoke("import") == (
        2,
        "",
        "Usage: cli import [OPTIONS] [PATHS]...\nTry 'cli import --help' for help.\n\n"
        "Error: give files or folders to import, or --imap\n",
    )


def test_a_config_file_with_a_bad_store_setting_stops_import_as_a_usage_error(monkeypatch):
    monkeypatch.delenv("MINICEX_DB")
    cfg = write_config('db = ""\n')
    Path("a.pdf").write_bytes(b"%PDF-1.7\n")
    assert invoke("import", "a.pdf", "--lang", "en") == (
        2,
        "",
        "Usage: cli import [OPTIONS] [PATHS]...\nTry 'cli import --help' for help.\n\n"
        f"Error: {cfg}: db must be a non-empty text in quotes\n",
    )


def test_the_version_and_help():
    from minicex_pdf import __version__

    assert invoke("--version") == (0, f"minicex, version {__version__}\n", "")
    code, out, _ = invoke("-h")
    assert code == 0 and out.startswith("Usage: cli [OPTIONS] COMMAND [ARGS]...\n")
    assert isinstance(cli, click.Group)
