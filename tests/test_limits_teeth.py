"""Every limit of limits.py pinned twice: the README's table of limits against the code, and each limit a test can
reach cheaply at its boundary, with the documented number written out (not ``limits.X``, which moves with a change).

Limits whose boundary costs too much time or cannot be met deterministically (CPU seconds, the mail timeout, the
budget's rhythm, the quick parser's window, the .mbox message count, pypdf's decode work) are shown to be the ones
enforced by narrowing them (here or in the module's own tests), and pinned by the README table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf import limits
from minicex_pdf.cli import cli
from minicex_pdf.errors import DamagedPdfError
from minicex_pdf.limits import store_lock_wait
from minicex_pdf.reading.reader import read_file

MB32 = 32 * 1024 * 1024
README = Path(__file__).resolve().parent.parent / "README.md"
#: A value in the README's table of limits in the unit it is written in, as a number.
_UNITS = {"MB": 1024 * 1024, "kB": 1024, "s": 1}


def _readme_limits() -> dict[str, float]:
    """The README's "### Limits" table: each limit's name and its value, in bytes, seconds or a count."""
    section = README.read_text(encoding="utf-8").split("\n### Limits\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    table: dict[str, float] = {}
    for name, written in rows:
        number, unit = written.strip().split(" ", 1)
        table[name] = float(number.replace(",", "")) * _UNITS.get(unit, 1)
    assert len(table) == len(rows), "a limit is listed twice"
    return table


def test_the_readme_lists_every_limit_with_the_value_the_code_enforces():
    # the table is what users are told; each constant of limits.py is one row, with its value
    constants = {name: value for name, value in vars(limits).items() if name.isupper()}
    assert _readme_limits() == constants
    assert len(constants) == 42


def test_a_file_of_32_mb_is_read_and_one_byte_more_is_refused_by_its_size(tmp_path):
    path = tmp_path / "big.pdf"
    with path.open("wb") as fh:
        fh.truncate(MB32)
    assert len(read_file(path)) == MB32
    with path.open("wb") as fh:
        fh.truncate(MB32 + 1)
    with pytest.raises(DamagedPdfError) as caught:
        read_file(path)
    assert caught.value.message() == f"{path}: the PDF is damaged or truncated (32 MB, larger than any form)"


@pytest.mark.parametrize(
    ("given", "seconds"),
    [(None, 10.0), ("", 10.0), ("soon", 10.0), ("-0.5", 10.0), ("0", 0.0), ("2.5", 2.5), (" 3 ", 3.0)],
)
def test_the_wait_for_a_locked_store(monkeypatch, given, seconds):
    if given is None:
        monkeypatch.delenv("MINICEX_LOCK_WAIT", raising=False)
    else:
        monkeypatch.setenv("MINICEX_LOCK_WAIT", given)
    assert store_lock_wait() == seconds


def test_the_pause_between_messages_is_the_one_send_s_help_promises(tmp_path, monkeypatch):
    from minicex_pdf.mail import send

    result = CliRunner().invoke(cli, ["send", "--help"])
    assert result.exit_code == 0
    assert "Seconds between two messages [default: 2]." in " ".join(result.output.split())
    # what the sender is given: the default without --pause, else the number asked for (a dry run sends nothing)
    pauses: list[float] = []
    monkeypatch.setattr(
        send.Sender, "run", lambda self, outgoing, failed=(): pauses.append(self.pause) or send.SendResult()
    )
    monkeypatch.setenv("MINICEX_MAIL_FROM", "st@example.se")
    monkeypatch.chdir(tmp_path)
    Path("r.csv").write_text("name,email\nAl Ek,al@example.se\n", encoding="utf-8")
    Path("forms").mkdir()
    args = ["send", "r.csv", "--forms", "forms", "--db", "m.sqlite", "--dry-run", "out"]
    assert [CliRunner().invoke(cli, args + more).exit_code for more in ([], ["--pause", "0.5"])] == [0, 0]
    assert pauses == [2.0, 0.5]


# --------------------------------------------------------------------------- reading: each limit at its boundary
# (the numbers are the documented ones, written out: a changed limit in limits.py fails here as a user would see it)


def _field(value: bytes) -> bytes:
    """A one-field form whose text field ``f`` has the /V ``value``."""
    from test_lexer_teeth import field_pdf

    return field_pdf(b"<< /T (f) /FT /Tx /V " + value + b" >>")


def _damage(data: bytes) -> str:
    from minicex_pdf.reading.walker import scan

    with pytest.raises(DamagedPdfError) as caught:
        scan(data, "f.pdf")
    return caught.value.detail


def test_a_string_of_2_mib_with_its_parentheses_is_read_and_one_byte_more_is_a_hostile_file():
    from test_lexer_teeth import field_pdf

    from minicex_pdf.reading.budget import Budget
    from minicex_pdf.reading.walker import scan

    fits = b"(" + b"x" * (2 * 1024 * 1024 - 2) + b")"
    found = scan(field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, fits)), "f.pdf", budget=Budget(30.0))
    assert len(found.raw()["f"]) == 2_097_150
    over = field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, fits[:-1] + b"x)"))
    assert _damage(over) == "a string longer than any form's"


def test_arrays_nested_64_deep_are_read_and_65_deep_are_a_hostile_file():
    from minicex_pdf.reading.walker import scan

    assert scan(_field(b"[" * 64 + b"]" * 64), "f.pdf").raw() == {"f": [None]}
    assert _damage(_field(b"[" * 65 + b"]" * 65)) == "objects nested too deeply"


def test_fields_33_levels_deep_are_read_and_34_are_a_hostile_file():
    # the top-level field is depth 0, so MAX_DEPTH 32 allows 33 levels of names
    from test_walker_teeth import _field_chain

    from minicex_pdf.reading.walker import scan

    assert scan(_field_chain(33), "f.pdf").raw() == {".".join(f"n{k}" for k in range(33)): "x"}
    assert _damage(_field_chain(34)) == "form fields nested too deeply"


def test_a_page_32_levels_down_the_page_tree_is_walked_and_33_is_a_hostile_file():
    from test_walker_teeth import _page_chain

    from minicex_pdf.reading.walker import scan

    assert scan(_page_chain(32), "f.pdf").raw() == {"w": "x"}
    assert _damage(_page_chain(33)) == "page tree nested too deeply"


def test_a_form_of_5000_nodes_is_read_and_one_more_is_a_hostile_file():
    from test_walker_teeth import one_field_raw

    from minicex_pdf.reading.walker import scan

    def form(widgets: int) -> bytes:  # the field and its widgets, one node each
        return one_field_raw(b"<< /T (f) /FT /Tx /V (x) /Kids [" + b"<< >> " * widgets + b"] >>")

    assert scan(form(4_999), "f.pdf").fields["f"].widgets == 4_999
    assert _damage(form(5_000)) == "more than 5000 form nodes"


def test_a_list_box_keeps_its_first_1000_values_and_options():
    from test_lexer_teeth import field_pdf

    from minicex_pdf.reading.walker import scan

    items = b"[" + b" ".join(b"(o%d)" % i for i in range(1_001)) + b"]"
    found = scan(field_pdf(b"<< /T (f) /FT /Ch /Ff 2097152 /V " + items + b" /Opt " + items + b" >>"), "f.pdf")
    expected = [f"o{i}" for i in range(1_000)]
    assert (found.raw()["f"], list(found.fields["f"].options)) == (expected, expected)


def test_64_document_information_entries_of_1000_characters_are_kept():
    from test_acroform import _catalog, _raw_pdf

    from minicex_pdf.reading.walker import scan

    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    objs[8] = b"<< /Title (" + b"t" * 1_001 + b") " + b" ".join(b"/K%d (v)" % i for i in range(64)) + b" >>"
    info = scan(_raw_pdf(objs).replace(b"/Root 1 0 R", b"/Root 1 0 R /Info 8 0 R"), "f.pdf").info
    assert info == {"Title": "t" * 1_000} | {f"K{i}": "v" for i in range(63)}


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_the_checksums_of_64_earlier_versions_are_kept():
    from minicex_pdf.reading.walker import digests

    # one version per %%EOF without a line end after it; the last is the file itself
    data = b"%PDF-1.7\n" + b"x%%EOF" * 70
    assert digests(data)[1] == tuple(_sha(data[: 9 + 6 * n]) for n in range(1, 65))
    assert len(digests(b"%PDF-1.7\n" + b"x%%EOF" * 64)[1]) == 63


def test_999_object_like_words_after_the_last_eof_are_looked_at_and_1000_make_the_file_cut_off():
    from test_walker_teeth import one_field_raw

    from minicex_pdf.reading.walker import scan

    data = one_field_raw(b"<< /T (f) /FT /Tx /V (x) >>")[:-1]
    assert scan(data + b"xref" + b" mainstreams" * 999, "f.pdf").raw() == {"f": "x"}
    assert _damage(data + b"xref" + b" mainstreams" * 1_000) == "truncated: the end of the file is missing"


def _header_at(offset: int) -> bytes:
    """A one-field form whose ``%PDF-`` starts ``offset`` bytes into the file (a comment line before it)."""
    from test_walker_teeth import one_field_raw

    data = b"%" + b"x" * (offset - 2) + b"\n" + one_field_raw(b"<< /T (f) /FT /Tx /V (x) >>")
    data = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + offset), data)
    data = re.sub(rb"startxref\n(\d+)", lambda m: b"startxref\n%d" % (int(m[1]) + offset), data)
    assert data.index(b"%PDF-") == offset
    return data


def test_a_header_ending_at_the_first_kilobyte_is_a_pdf_and_one_byte_later_is_not(tmp_path):
    from minicex_pdf.errors import NotAPdfError
    from minicex_pdf.reading.walker import scan
    from minicex_pdf.storage.importer import find_files

    assert scan(_header_at(1_019), "f.pdf").raw() == {"f": "x"}
    with pytest.raises(NotAPdfError):
        scan(_header_at(1_020), "f.pdf")
    # a folder's files without .pdf in their name are taken by the same first kilobyte
    (tmp_path / "inom").write_bytes(_header_at(1_019))
    (tmp_path / "utanfor").write_bytes(_header_at(1_020))
    assert find_files([tmp_path]) == [tmp_path / "inom"]


def test_65_saved_revisions_are_too_many_to_verify_a_signature_and_64_are_verified():
    from minicex_pdf.form.definition import load_definition
    from minicex_pdf.reading.signatures import _verify, policy_of, signature_fields

    definition = load_definition()
    fields = signature_fields(definition)

    def details(revisions: int) -> set[str]:
        checks = _verify(b"%PDF-1.7\n" + b"%%EOF\n" * revisions, fields, definition, policy_of())
        return {check.detail for check in checks.values()}

    assert details(64) == {"PdfReadError"}  # handed to pyHanko, which finds no PDF in it
    assert details(65) == {"more than 64 saved revisions"}


def test_an_object_stream_of_100000_objects_is_read_and_one_of_100001_is_a_hostile_file():
    # the count an object stream gives (/N): four fields, and a count far beyond them
    from test_lexer_teeth import _four_in_one_stream

    from minicex_pdf.reading.walker import scan

    assert scan(_four_in_one_stream(b"100000"), "f.pdf").raw() == {"f0": "v0", "f1": "v1", "f2": "v2", "f3": "v3"}
    assert _damage(_four_in_one_stream(b"100001")) == "an object stream with more objects than any form's"


def test_an_object_stream_inflating_to_16_mib_is_read_and_one_byte_more_is_a_hostile_file():
    from test_acroform import _catalog

    from minicex_pdf.engines.hostile import objstm_pdf, pack
    from minicex_pdf.reading.budget import Budget
    from minicex_pdf.reading.walker import scan

    def form(size: int) -> bytes:
        return objstm_pdf(_catalog(b"[4 0 R]"), {10: pack({4: b"<< /T (f) /FT /Tx /V (x) >>"}, size)})

    assert scan(form(16 * 1024 * 1024), "f.pdf", budget=Budget(30.0)).raw() == {"f": "x"}  # the size, not the time
    assert _damage(form(16 * 1024 * 1024 + 1)) == "an object stream inflates beyond any form's size"


def _xref_stream(encode: Callable[[bytes], tuple[bytes, bytes]]) -> bytes:
    """A one-field form whose cross-reference stream (pypdf decodes it) is stored as ``encode(table)``: (filters, data)."""
    from test_acroform import _catalog

    from minicex_pdf.engines.hostile import objstm_pdf

    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = objstm_pdf(objs, {})  # the xref stream is the file's last object: nothing after it moves
    found = re.search(rb"/Length (\d+) >>\nstream\n", data)
    assert found is not None
    start, end = found.end(), found.end() + int(found[1])
    filters, stored = encode(data[start:end])
    head = b"/Filter [" + filters + b" ] /Length %d >>\nstream\n" % len(stored)
    return data[: found.start()] + head + stored + data[end:]


def _xref_filtered(filters: int) -> bytes:
    """The cross-reference stream hex-encoded ``filters`` times over."""

    def encode(table: bytes) -> tuple[bytes, bytes]:
        for _ in range(filters):
            table = table.hex().encode() + b">"
        return b" /ASCIIHexDecode" * filters, table

    return _xref_stream(encode)


def test_a_stream_decoding_to_16_mib_is_read_and_one_byte_more_is_not():
    # the cross-reference table padded with zero bytes pypdf never reads, deflated
    import zlib

    from minicex_pdf.reading.walker import scan

    def padded(size: int) -> bytes:
        return _xref_stream(lambda table: (b" /FlateDecode", zlib.compress(table.ljust(size, b"\0"), 1)))

    assert scan(padded(16 * 1024 * 1024), "f.pdf").raw() == {"f": "x"}
    assert _damage(padded(16 * 1024 * 1024 + 1)) == "unreadable structure: PdfReadError"


def test_a_stream_with_4_filters_is_decoded_and_one_with_5_is_not():
    from minicex_pdf.reading.walker import scan

    assert scan(_xref_filtered(4), "f.pdf").raw() == {"f": "x"}
    assert _damage(_xref_filtered(5)) == "unreadable structure: PdfReadError"


def test_an_array_of_50000_elements_is_built_and_one_of_50001_is_not():
    # pypdf builds the trailer: an extra array in it of the size given
    from test_walker_teeth import one_field_raw

    from minicex_pdf.reading.walker import scan

    data = one_field_raw(b"<< /T (f) /FT /Tx /V (x) >>")
    assert scan(data.replace(b"/Root 1 0 R", b"/Root 1 0 R /X [" + b"0 " * 50_000 + b"]"), "f.pdf").raw() == {"f": "x"}
    over = data.replace(b"/Root 1 0 R", b"/Root 1 0 R /X [" + b"0 " * 50_001 + b"]")
    assert _damage(over) == "unreadable structure: LimitReachedError"


# --------------------------------------------------------------------------- rosters and file names


def test_a_roster_of_20_mib_is_read_and_one_byte_more_is_refused_by_its_size(tmp_path):
    from minicex_pdf.errors import RosterError
    from minicex_pdf.form.roster import read_roster

    path = tmp_path / "r.csv"
    with path.open("wb") as fh:  # sparse NUL bytes: read, and found not to be text
        fh.truncate(20 * 1024 * 1024)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: not a text (CSV) file"
    with path.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == f"{path}: too large to be a roster (20971521 bytes)"


def test_a_roster_s_header_is_found_on_row_30_and_not_on_row_31(tmp_path):
    from test_roster_files_teeth import csv_file, read

    from minicex_pdf.errors import RosterError
    from minicex_pdf.form.roster import read_roster

    titles = "".join(f"Kurs {n}\n" for n in range(29))
    rows, errors, _ = read(read_roster(csv_file(tmp_path, (titles + "name\nAl Ek\n").encode())))
    assert (rows, errors) == ([(31, "Al Ek", {"trainee_name": "Al Ek"})], [])
    with pytest.raises(RosterError, match="no header row with a name column"):
        read_roster(csv_file(tmp_path, (titles + "Kurs 29\nname\nAl Ek\n").encode(), "late.csv"))


def test_a_quoted_roster_cell_may_run_over_10_lines(tmp_path):
    from test_roster_files_teeth import csv_file, read

    from minicex_pdf.form.roster import read_roster

    ten = "\n".join(f"rad {n}" for n in range(1, 11))
    eleven = ten + "\nrad 11"
    rows, errors, _ = read(
        read_roster(csv_file(tmp_path, f'name,workplace\nAl Ek,"{ten}"\nBo Ek,"{eleven}"\n'.encode()))
    )
    assert rows[0] == (2, "Al Ek", {"trainee_name": "Al Ek", "workplace": ten})
    assert (errors, [name for _, name, _ in rows[1:]]) == (
        ['row 12: a quote (") opens a cell that does not close on the line: the row was not read'],
        [f"rad {n}" for n in range(2, 11)] + ['rad 11"'],
    )


def test_a_pre_filled_form_s_name_keeps_120_bytes_of_the_trainee_s_name():
    from minicex_pdf.form.filenames import safe_stem

    assert safe_stem("a" * 120) == safe_stem("a" * 121) == "minicex_" + "a" * 120
    assert safe_stem("a" * 119) == "minicex_" + "a" * 119


# --------------------------------------------------------------------------- e-mail


def _mail(*parts: object) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"] = "Svar"
    msg["Message-ID"] = "<svar@example.se>"
    msg.set_content("Här är formuläret.\n")
    for n, part in enumerate(parts, start=1):
        if isinstance(part, bytes):
            msg.add_attachment(part, maintype="application", subtype="pdf", filename=f"{n}.pdf")
        else:
            msg.add_attachment(part)  # a forwarded message
    return msg.as_bytes()


PDF = b"%PDF-1.7\n%%EOF\n"


def test_a_message_file_of_40_mib_is_read_and_one_byte_more_is_listed_as_too_large(tmp_path):
    from minicex_pdf.mail.sources import messages_in

    eml = tmp_path / "svar.eml"
    eml.write_bytes(_mail(PDF))
    with eml.open("ab") as fh:  # sparse NUL bytes after the message's end
        fh.truncate(40 * 1024 * 1024)
    [message] = messages_in(eml)
    assert ([a.name for a in message.pdfs], message.skipped) == (["1.pdf"], ())
    with eml.open("ab") as fh:
        fh.write(b"\0")
    [message] = messages_in(eml)
    assert (message.key, message.pdfs, message.skipped) == (f"too-large:{eml}", (), ("message_too_large",))


def test_200_pdf_attachments_of_one_message_are_taken_and_the_rest_listed():
    from minicex_pdf.mail.sources import parse_message

    message = parse_message(_mail(*[PDF] * 201), "m.eml")
    assert ([a.name for a in message.pdfs], message.skipped) == ([f"{n}.pdf" for n in range(1, 201)], ("too_many",))


def test_forwarded_messages_are_opened_5_deep():
    from email import message_from_bytes, policy

    from minicex_pdf.mail.sources import parse_message

    raw = _mail(PDF)
    for _ in range(6):  # the outermost message and 6 forwarded into each other, each with its PDF
        raw = _mail(PDF, message_from_bytes(raw, policy=policy.default))
    message = parse_message(raw, "m.eml")
    assert (len(message.pdfs), message.skipped) == (6, ("too_deep",))


def test_a_message_template_of_256_kib_is_read_and_one_byte_more_is_refused(tmp_path):
    from minicex_pdf.errors import UsageError
    from minicex_pdf.mail.compose import Template

    line = '[trainee.en]\nsubject = "Your form, $name"\n'
    template = tmp_path / "t.toml"
    template.write_text(line + "#" * (256 * 1024 - len(line) - 1) + "\n", encoding="utf-8")
    assert Template.load(template).render("trainee", "en", {"name": "Åsa"})[0] == "Your form, Åsa"
    with template.open("a") as fh:
        fh.write("\n")
    with pytest.raises(UsageError) as err:
        Template.load(template)
    assert str(err.value) == f"{template}: too large to be a message template"


def test_a_mail_config_file_of_64_kib_is_read_and_one_byte_more_is_refused(tmp_path):
    from minicex_pdf.errors import UsageError
    from minicex_pdf.mail.config import MailConfig, load_config

    settings = '[imap]\nurl = "imaps://st@imap.example.se/INBOX"\n'
    toml = tmp_path / "mail.toml"
    toml.write_text(settings + "#" * (64 * 1024 - len(settings) - 1) + "\n", encoding="utf-8")
    assert load_config(toml, env={}) == MailConfig(imap_url="imaps://st@imap.example.se/INBOX")
    with toml.open("a") as fh:
        fh.write("\n")
    with pytest.raises(UsageError) as err:
        load_config(toml, env={})
    assert str(err.value) == f"{toml}: too large to be a minicex config file"


def test_a_mail_server_that_never_answers_is_given_up_after_the_mail_timeout(tmp_path, monkeypatch):
    # a real listening socket on 127.0.0.1 that accepts and says nothing; the limit (60 s) narrowed to 0.2 s
    import smtplib
    import socket
    import time
    from email.message import EmailMessage

    from minicex_pdf.errors import UsageError
    from minicex_pdf.mail import imap, send
    from minicex_pdf.mail.config import MailConfig
    from minicex_pdf.storage.store import Store

    monkeypatch.setattr(imap, "MAIL_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(send, "MAIL_TIMEOUT_SECONDS", 0.2)
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        started = time.monotonic()
        with Store(tmp_path / "m.sqlite") as store, pytest.raises(UsageError) as err:
            list(imap.ImapMailbox(f"imap://st@127.0.0.1:{port}/INBOX", MailConfig(imap_password="x"), store).messages())
        assert str(err.value) == f"IMAP imap://127.0.0.1:{port}/INBOX: cannot connect (TimeoutError: timed out)"
        transport = send.SmtpTransport(MailConfig(smtp_host="127.0.0.1", smtp_port=port))
        with pytest.raises(smtplib.SMTPServerDisconnected, match=r"^Connection unexpectedly closed: timed out$"):
            transport.send(EmailMessage())  # no greeting within the timeout
        assert time.monotonic() - started < 5
