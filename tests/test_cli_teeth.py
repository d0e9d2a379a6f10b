"""The thin CLI: library errors become one ``Error:``/``Fel:`` line in the command's language, exact exit codes."""

from __future__ import annotations

import email
import email.policy
import errno
import io
import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import returned_mail
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
    # --version belongs to the group: a command's own --version (blank's form version) is another option
    assert help_of("blank").startswith("Usage: cli blank [OPTIONS] Write a blank fillable mini-CEX form")
    assert invoke("blank", "--version", "x") == (
        2,
        "",
        "Usage: cli blank [OPTIONS]\nTry 'cli blank --help' for help.\n\n"
        "Error: Invalid value for '--version': 'x' is not a valid integer range.\n",
    )


# --------------------------------------------------------------------------- prefill, read, import, send, export


@pytest.fixture(scope="module")
def blank_en() -> bytes:
    from minicex_pdf.form.generator import build_form

    return build_form(lang="en")


def help_of(*command: str) -> str:
    code, out, _ = invoke(*command, "--help")
    assert code == 0
    return " ".join(out.split())


def test_defaults_are_shown_in_the_help():
    assert "error. [default: off]" in help_of("import")
    assert "Processes to read with [default: cores]. [x>=1]" in help_of("import")
    assert "CSV for Excel (';', BOM) or JSON. [default: table]" in help_of("status")
    send = help_of("send")
    assert "Language(s) of forms made now (and of the blank form). [default: sv+en]" in send
    assert "--resend Send again what was sent before." in send
    assert "--lang [sv|en|both] Language of the subject and text. [default: both]" in send
    assert "forms missing for a roster row are made there. [default: forms] --assessors FILE" in send


def test_prefill_warns_and_names_skipped_rows_on_standard_error(tmp_path):
    Path("roster.csv").write_text(
        "name,specialty,colour\nAnna Berg,Allmänmedicin,red\nBo Ek,Kirurgi,\n,Kirurgi,\n", encoding="utf-8"
    )
    assert invoke("prefill", "roster.csv", "-o", "out", "--lang", "en", "--db", "s.sqlite") == (
        1,
        "2 form(s) in out, index index.csv\nRecorded in s.sqlite\n",
        "roster.csv: warning: column C (colour) is not used\n"
        "roster.csv: row 4: column A (name): Trainee's name is missing\n"
        "1 row(s) skipped\n",
    )


def test_read_prints_a_form_s_record_or_its_raw_fields(blank_en):
    import json

    from minicex_pdf.reading.reader import read_form, record_text

    Path("blank.pdf").write_bytes(blank_en)
    code, out, err = invoke("read", "blank.pdf", "--format", "text", "--lang", "en")
    assert (code, out, err) == (0, record_text(read_form(Path("blank.pdf")), "en") + "\n", "")
    code, out, _ = invoke("read", "blank.pdf", "--lang", "en")
    assert (code, json.loads(out)["status"]) == (0, "empty")
    code, out, _ = invoke("read", "--raw", "blank.pdf")
    assert code == 0 and out.startswith('{\n  "trainee_name": "",\n  "specialty": "",\n')
    assert json.loads(out)["assessor_trained"] is False


def test_read_prints_names_beyond_ascii_as_they_are_written():
    """The JSON is for people too: Å and Ö stay letters, not \\u escapes (the path as well as the values)."""
    Path("roster.csv").write_text("namn;e-post\nÅsa Öberg;asa.oberg@example.se\n", encoding="utf-8")
    assert invoke("prefill", "roster.csv", "-o", "ut", "--db", "s.sqlite", "--lang", "en")[0] == 0
    code, out, err = invoke("read", "ut/minicex_Åsa_Öberg.pdf", "--lang", "en")
    lines = out.splitlines()
    assert (code, err, lines[:3]) == (0, "", ["{", '  "source": {', '    "path": "ut/minicex_Åsa_Öberg.pdf",'])
    assert [line for line in lines if "trainee_name" in line] == ['    "trainee_name": "Åsa Öberg",']


def test_read_a_mail_file_prints_each_attachment_with_its_message(blank_en):
    import json

    mail = returned_mail(
        ("svar.pdf", blank_en),
        sender="Anna Berg <anna@example.se>",
        subject="Mini-CEX",
        date="Mon, 30 Nov 2026 10:00:00 +0100",
    )
    Path("m.eml").write_bytes(mail)
    code, out, err = invoke("read", "m.eml", "--format", "text", "--lang", "en")
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == ["anna@example.se  2026-11-30T09:00:00+00:00  Mini-CEX", "m.eml/svar.pdf"]
    code, out, _ = invoke("read", "m.eml", "--lang", "en")
    (item,) = json.loads(out)
    assert (code, item["mail"], item["file"], sorted(item)) == (
        0,
        {"from": "anna@example.se", "date": "2026-11-30T09:00:00+00:00", "subject": "Mini-CEX"},
        "m.eml/svar.pdf",
        ["file", "mail", "record"],
    )


def test_import_in_one_process_then_export(blank_en):
    Path("blank.pdf").write_bytes(blank_en)
    code, out, err = invoke("import", "-j", "1", "blank.pdf", "--db", "s.sqlite", "--lang", "en", "-q")
    assert (code, out.splitlines()[:3], err) == (
        0,
        ["Database: s.sqlite", "Imported: 1", "Imported with problems: 1"],
        "",
    )
    assert invoke("export", "--db", "s.sqlite", "--format", "xlsx") == (
        2,
        "",
        "Usage: cli export [OPTIONS]\nTry 'cli export --help' for help.\n\nError: --format xlsx needs -o FILE.xlsx\n",
    )
    code, out, _ = invoke("export", "--db", "s.sqlite", "--format", "csv", "--lang", "en")
    assert (code, out.splitlines()[0].split(";")[:2]) == (0, ["Trainee's name", "Specialty"])


def test_trainee_merge_takes_any_number_of_names(blank_en):
    Path("blank.pdf").write_bytes(blank_en)
    assert invoke("import", "blank.pdf", "--db", "s.sqlite", "-q")[0] == 0
    assert invoke("trainee", "merge", "Asa Oberg", "--into", "Åsa Öberg", "--db", "s.sqlite", "--lang", "en") == (
        1,
        "",
        "Error: no trainee called 'Asa Oberg'\n",
    )


def test_an_interrupted_import_keeps_what_it_stored_and_exits_130(blank_en, monkeypatch):
    from minicex_pdf.storage.importer import Importer

    Path("a.pdf").write_bytes(blank_en)
    Path("b.pdf").write_bytes(blank_en + b"\n% another file\n")
    store = Importer._store

    def ctrl_c_after_the_first(self, result, summary):  # the user presses Ctrl-C while the second file is stored
        if summary.imported:
            raise KeyboardInterrupt
        store(self, result, summary)

    monkeypatch.setattr(Importer, "_store", ctrl_c_after_the_first)
    code, out, err = invoke("import", "a.pdf", "b.pdf", "-j", "1", "--db", "s.sqlite", "--lang", "sv", "-q")
    assert (code, out.splitlines()[1], err) == (
        130,
        "Importerade: 1",
        "Avbrutet: de formulär som lagrats är kvar; kör samma kommando igen för att slutföra.\n",
    )


def test_prefill_again_makes_forms_for_trainees_who_have_one():
    Path("roster.csv").write_text("name\nAnna Berg\n", encoding="utf-8")
    made = (0, "1 form(s) in out, index index.csv\nRecorded in s.sqlite\n", "")
    assert invoke("prefill", "roster.csv", "-o", "out", "--lang", "en", "--db", "s.sqlite") == made
    assert invoke("prefill", "roster.csv", "-o", "out", "--lang", "en", "--db", "s.sqlite") == (
        0,
        "0 form(s) in out\n"
        "1 trainee(s) already have a form in this folder and got none (--again makes new ones)\n"
        "Recorded in s.sqlite\n",
        "",
    )
    assert invoke("prefill", "roster.csv", "-o", "out", "--lang", "en", "--db", "s.sqlite", "--again") == made


def test_export_to_a_file_says_how_many_forms_it_wrote(blank_en):
    Path("blank.pdf").write_bytes(blank_en)
    assert invoke("import", "blank.pdf", "--db", "s.sqlite", "-q")[0] == 0
    assert invoke("export", "--db", "s.sqlite", "--format", "csv", "-o", "e.csv", "--lang", "en", "--all") == (
        0,
        "",
        "1 form(s) written to e.csv\n",
    )
    assert Path("e.csv").read_bytes().startswith("\ufeffTrainee's name;Specialty;".encode())


def test_a_mail_file_with_an_unreadable_attachment_exits_1_and_a_form_prints_indented_json(blank_en):
    mail = returned_mail(
        ("svar.pdf", b"not a pdf at all"),
        sender="a@example.se",
        subject="Svar från Åsa",
        date="Mon, 30 Nov 2026 10:00:00 +0100",
    )
    Path("bad.eml").write_bytes(mail)
    assert invoke("read", "bad.eml", "--format", "text", "--lang", "en") == (
        1,
        "a@example.se  2026-11-30T09:00:00+00:00  Svar från Åsa\nbad.eml/svar.pdf: not a PDF file\n",
        "",
    )
    assert invoke("read", "bad.eml", "--lang", "en") == (
        1,
        "[\n"
        "  {\n"
        '    "mail": {\n'
        '      "from": "a@example.se",\n'
        '      "date": "2026-11-30T09:00:00+00:00",\n'
        '      "subject": "Svar från Åsa"\n'
        "    },\n"
        '    "file": "bad.eml/svar.pdf",\n'
        '    "error": "bad.eml/svar.pdf: not a PDF file"\n'
        "  }\n"
        "]\n",
        "",
    )
    Path("blank.pdf").write_bytes(blank_en)
    code, out, _ = invoke("read", "blank.pdf", "--lang", "en")
    assert code == 0 and out.startswith('{\n  "source": {\n    "path": "blank.pdf",\n')


def test_a_trust_anchor_must_be_a_file():
    Path("folder").mkdir()
    Path("blank.pdf").write_bytes(b"%PDF-1.7\n")
    assert invoke("read", "blank.pdf", "--trust-anchor", "folder") == (
        2,
        "",
        "Usage: cli read [OPTIONS] FILE\nTry 'cli read --help' for help.\n\n"
        "Error: Invalid value for '--trust-anchor': File 'folder' is a directory.\n",
    )
    assert invoke("read", "blank.pdf", "--trust-anchor", "missing.pem") == (
        2,
        "",
        "Usage: cli read [OPTIONS] FILE\nTry 'cli read --help' for help.\n\n"
        "Error: Invalid value for '--trust-anchor': File 'missing.pem' does not exist.\n",
    )


# --------------------------------------------------------------------------- commands that only read


_READ_ONLY_DAMAGE = (
    "m.sqlite: the database is damaged, missing: latest; the {what} the rest: restore the database from a backup,"
    " or import the forms again into a new database\n"
)
_STATUS_TABLE = (
    "Trainee    Specialty    Assessments  Awaiting plan  Incomplete  Empty  Assessors  Not supervisor  Latest      Not returned\n"
    "---------  -----------  -----------  -------------  ----------  -----  ---------  --------------  ----------  ------------\n"
    "Anna Berg  specialty 0            1              0           0      0          1               0  2026-01-01             0\n"
)
_FORMS_TABLE = (
    "Id  Trainee    Date        Assessor         Status    File\n"
    "--  ---------  ----------  ---------------  --------  -------------\n"
    " 1  Anna Berg  2026-01-01  assessor_name 0  complete  /in/form0.pdf\n"
)


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("export", "--format", "csv"), "export holds"),
        (("report", "-o", "r.pdf"), "report shows"),
        (("status",), "list shows"),
        (("forms",), "list shows"),
        (("history",), ""),
    ],
    ids=["export", "report", "status", "forms", "history"],
)
def test_the_commands_that_only_read_give_what_a_damaged_store_still_holds_and_leave_it_as_it_was(args, what):
    # opened read-only: a missing view is named on standard error after the output (an import, which writes,
    # refuses such a store outright; history does not read the view), and the file is not touched
    from test_store import make_record

    from minicex_pdf.storage.store import Store

    with Store("m.sqlite") as store:
        store.add(make_record(0))
    con = sqlite3.connect("m.sqlite")
    con.execute("DROP VIEW latest")
    con.commit()
    con.close()
    before = Path("m.sqlite").read_bytes()
    code, out, err = invoke(*args, "--db", "m.sqlite")
    damage = _READ_ONLY_DAMAGE.format(what=what)
    if args[0] == "export":
        assert (code, [row.split(";")[:3] for row in out.splitlines()[1:]], err) == (
            1,
            [["Anna Berg", "specialty 0", "BT"]],
            damage,
        )
    elif args[0] == "report":
        assert (code, out, err, Path("r.pdf").read_bytes()[:5]) == (
            1,
            "",
            "report written to r.pdf\n" + damage,
            b"%PDF-",
        )
    elif args[0] == "history":
        assert (code, out, err) == (0, "", "no changes\n")
    else:
        table = _STATUS_TABLE if args[0] == "status" else _FORMS_TABLE
        assert (code, out, err) == (1, table, "Database: m.sqlite (--db)\n" + damage)
    assert Path("m.sqlite").read_bytes() == before


def test_a_default_output_file_is_shown_in_the_help_and_no_default_is_not():
    blank = help_of("blank")
    assert "-o, --out PATH The PDF file to write. [default: mini-cex.pdf] --lang" in blank
    assert "en: one language. [default: sv+en] --force" in blank
    assert "-o, --out PATH Output file [default: standard output; required for xlsx]. --force" in help_of("export")


#: (arguments, the command and its arguments as its usage line names them, what click says is wrong)
USAGE_ERRORS = [
    (["prefill", "folder"], "prefill [OPTIONS] ROSTER", "Invalid value for 'ROSTER': File 'folder' is a directory."),
    (["read", "folder"], "read [OPTIONS] FILE", "Invalid value for 'FILE': File 'folder' is a directory."),
    (
        ["send", "missing.csv"],
        "send [OPTIONS] ROSTER",
        "Invalid value for 'ROSTER': File 'missing.csv' does not exist.",
    ),
    (
        ["send", "roster.csv", "--template", "folder"],
        "send [OPTIONS] ROSTER",
        "Invalid value for '--template': File 'folder' is a directory.",
    ),
    (
        ["send", "roster.csv", "--template", "missing.toml"],
        "send [OPTIONS] ROSTER",
        "Invalid value for '--template': File 'missing.toml' does not exist.",
    ),
    (
        ["send", "roster.csv", "--assessors", "missing.txt"],
        "send [OPTIONS] ROSTER",
        "Invalid value for '--assessors': File 'missing.txt' does not exist.",
    ),
    (
        ["send", "roster.csv", "--pause", "-0.5"],
        "send [OPTIONS] ROSTER",
        "Invalid value for '--pause': -0.5 is not in the range x>=0.",
    ),
    (
        ["trainee", "merge", "Asa Oberg", "Åsa Öberg"],
        "trainee merge [OPTIONS] NAMES...",
        "Missing option '--into'.",
    ),
    (["status", "--db", "folder"], "status [OPTIONS]", "Invalid value for '--db': File 'folder' is a directory."),
    (
        ["import", "missing.pdf"],
        "import [OPTIONS] [PATHS]...",
        "Invalid value for '[PATHS]...': Path 'missing.pdf' does not exist.",
    ),
    (
        ["export", "--db", "s.sqlite"],
        "export [OPTIONS]",
        "Missing option '--format'. Choose from:\n\tcsv,\n\txlsx,\n\tjsonl",
    ),
]


@pytest.mark.parametrize(
    ("args", "usage", "error"), USAGE_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_a_missing_path_a_folder_for_a_file_and_a_bad_value_are_usage_errors(args, usage, error):
    Path("folder").mkdir()
    Path("roster.csv").write_text("namn;e-post\nÅsa Öberg;asa.oberg@example.se\n", encoding="utf-8")
    command = usage.split(" [OPTIONS]")[0]
    expected = f"Usage: cli {usage}\nTry 'cli {command} --help' for help.\n\nError: {error}\n"
    assert invoke(*args) == (2, "", expected)
    assert not Path("s.sqlite").exists()  # nothing made before the usage was checked


def test_import_imap_takes_the_folder_s_address_as_its_value(monkeypatch):
    """``--imap URL``: the address is the option's, not a path to import (and no password: one line, exit 1)."""
    monkeypatch.delenv("MINICEX_IMAP_PASSWORD", raising=False)
    assert invoke("import", "--imap", "imaps://st@127.0.0.1/Returer", "--db", "s.sqlite", "--lang", "en") == (
        1,
        "",
        "Error: IMAP imaps://127.0.0.1:993/Returer: no password: set MINICEX_IMAP_PASSWORD or imap.password in --config\n",
    )


def test_send_dry_run_with_a_template_and_a_pause_writes_the_messages_and_exits_0(monkeypatch):
    monkeypatch.setenv("MINICEX_MAIL_FROM", "st@example.se")
    Path("roster.csv").write_text("namn;e-post\nÅsa Öberg;asa.oberg@example.se\n", encoding="utf-8")
    Path("mall.toml").write_text('[trainee.en]\nsubject = "Your form, $name"\n', encoding="utf-8")
    args = ["send", "roster.csv", "--db", "s.sqlite", "--lang", "en", "--template", "mall.toml", "--pause", "0"]
    assert invoke(*args, "--dry-run", "utkast") == (
        0,
        "Written as .eml (nothing sent): 1\nSent before (--resend sends again): 0\nCould not be sent: 0\n",
        "",
    )
    [eml] = Path("utkast").iterdir()
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert (eml.name, msg["To"], msg["Subject"]) == (
        "minicex_Åsa_Öberg.eml",
        "asa.oberg@example.se",
        "Your form, Åsa Öberg",
    )
