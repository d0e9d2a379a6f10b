"""Shared fixtures: the definition, generated blank forms, and a form filled in PDFium.

Generated PDFs are session-scoped: each is built once per test run. Other test
modules may add fixtures here.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from minicex_pdf.form.definition import FORM_LANGS, Field, FormDefinition, definitions, load_definition
from minicex_pdf.form.generator import build_form

#: A sentence with every Swedish letter, for text fields.
SWEDISH = "Ärendet gällde en äldre man med yrsel; ÅÄÖ åäö prövades väl."
#: Trainees' names from Latin Extended (Polish, Turkish, Romanian, Vietnamese), Greek, Cyrillic, and a ’.
NAMES = "Łukasz Wiśniewski, Ayşe Yılmaz, Dragoș Popescu, Nguyễn Thị Minh, Sean O’Brien, Ελένη Παπά, Дмитрий Иванов"
#: Typographic punctuation as Word and Excel put it in.
PUNCTUATION = "– — “ ” ‘ ’ … € •"
#: A free text longer than ReportLab's old 100-character cut, with every script the form must carry.
LONG_TEXT = (SWEDISH + " ") * 2 + NAMES + " " + PUNCTUATION
#: Multi-line text with a blank line in it, and characters beyond Latin-1 (PDFium saves it as UTF-16BE).
MULTILINE = "Första raden: åäö – “citat” för €5…\nAndra raden: ÅÄÖ, Łukasz och Nguyễn Thị Minh.\n\nEfter en tom rad."


def value_for(fld: Field, index: int = 0) -> object:
    """A realistic value for any field, typed like Record.values (derived from the field's type)."""
    if fld.type == "text":
        return LONG_TEXT.strip()
    if fld.type == "multiline":
        return MULTILINE
    if fld.type == "date":
        return _dt.date(2026, 3, 14)
    if fld.type == "integer":
        return fld.norm[1] if fld.norm else 7
    if fld.type == "checkbox":
        return True
    if fld.type == "choice":
        return fld.options[-1].code
    if fld.type == "level":
        return fld.options[(index + 1) % len(fld.options)].code
    if fld.type == "multichoice":
        return tuple(o.code for o in fld.options)
    raise AssertionError(f"no test value for field type {fld.type}")


def full_values(definition: FormDefinition) -> dict[str, object]:
    """A value for every fillable field of ``definition``: every check box ticked, every group chosen."""
    return {f.name: value_for(f, i) for i, f in enumerate(definition.fields)}


def returned_mail(
    *attachments: tuple[str, bytes],
    sender: str = "Karin Lund <karin.lund@example.se>",
    subject: str = "Ifyllt formulär",
    date: str = "Tue, 10 Mar 2026 08:15:00 +0100",
    body: str = "Se bilaga.\n",
) -> bytes:
    """An e-mail as an assessor's mail program sends a return: plain text and each ``(file name, bytes)`` as a PDF."""
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Date"] = sender, subject, date
    msg.set_content(body)
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return bytes(msg)


def as_read(definition: FormDefinition, values: dict[str, object]) -> dict[str, object]:
    """What a record's values must be after a user typed ``values``: text with ``\\n``, dates as dates, the rest empty."""
    out: dict[str, object] = {}
    for fld in definition.fields:
        value = values.get(fld.name)
        if isinstance(value, str) and fld.type in ("text", "multiline"):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if fld.type == "date" and isinstance(value, str):
            value = _dt.date.fromisoformat(value)
        if value is None:
            value = False if fld.type == "checkbox" else () if fld.type == "multichoice" else None
        out[fld.name] = value
    return out


@pytest.fixture(scope="session", autouse=True)
def _own_store_and_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads the user's config file or writes a store in the current folder by default.

    Session-scoped, so that module-scoped fixtures get it too; a test may change it with ``monkeypatch``.
    """
    home = tmp_path_factory.mktemp("config")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(home))
        mp.setenv("MINICEX_DB", str(home / "default.sqlite"))
        yield


@pytest.fixture(scope="session", params=sorted(definitions()), ids=lambda v: f"v{v}")
def definition(request: pytest.FixtureRequest) -> FormDefinition:
    """Each shipped version of the form: every test that takes it runs for version 1 and version 2."""
    return load_definition(request.param)


@pytest.fixture(scope="session")
def blank_pdfs(definition: FormDefinition) -> dict[str, bytes]:
    """The blank form in each language variant (``sv+en``, ``sv``, ``en``)."""
    return {lang: build_form(definition, lang=lang) for lang in FORM_LANGS}


@pytest.fixture(scope="session")
def newest_blanks() -> dict[str, bytes]:
    """The newest version's blank in each language variant: what ``minicex blank`` and forms/ ship."""
    newest = load_definition()
    return {lang: build_form(newest, lang=lang) for lang in FORM_LANGS}


@pytest.fixture(scope="session")
def blank_pdf(blank_pdfs: dict[str, bytes]) -> bytes:
    """The default blank form (bilingual)."""
    return blank_pdfs["sv+en"]


@pytest.fixture(scope="session")
def all_values(definition: FormDefinition) -> dict[str, object]:
    """A typed value for every fillable field (see :func:`full_values`)."""
    return full_values(definition)


@pytest.fixture(scope="session")
def pdfium_filled(blank_pdf: bytes, all_values: dict[str, object], definition: FormDefinition) -> bytes:
    """The blank form with every fillable field filled in PDFium (click, type, incremental save)."""
    pytest.importorskip("pypdfium2")
    from minicex_pdf.engines.pdfium import fill_pdfium

    return fill_pdfium(blank_pdf, all_values, definition)


# --------------------------------------------------------------------------- reading fields back (pypdf)


def walk_fields(pdf: bytes) -> dict[str, dict[str, object]]:
    """Every terminal field of ``pdf`` by full name, read with pypdf by walking /Fields and /Kids.

    Each entry has ``FT``, ``Ff``, ``V`` (inherited up the parent chain, decoded:
    text as ``str`` with ``\\n`` line breaks, names without the slash), ``TU``,
    ``F`` (the first widget's annotation flags), ``states`` (every widget's /AP /N
    keys other than Off, in widget order), ``AS`` (each widget's /AS) and
    ``rects`` (each widget's page index and /Rect).
    """
    import io

    from pypdf import PdfReader
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(pdf))
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    out: dict[str, dict[str, object]] = {}

    def clean(value: object) -> object:
        if isinstance(value, NameObject):
            return str(value)[1:]
        if isinstance(value, str):
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value

    def visit(node: object, prefix: str, inherited: dict[str, object]) -> None:
        obj = node.get_object()  # type: ignore[attr-defined]
        name = prefix
        if "/T" in obj:
            name = f"{prefix}.{obj['/T']}" if prefix else str(obj["/T"])
        here = dict(inherited)
        for key in ("/FT", "/Ff", "/V", "/TU"):
            if key in obj:
                here[key] = obj[key]
        kids = obj.get("/Kids")
        if kids and any("/T" in k.get_object() for k in kids):
            for kid in kids:
                visit(kid, name, here)
            return
        widgets = [k.get_object() for k in kids] if kids else [obj]
        entry = out.setdefault(
            name,
            {
                "FT": str(here.get("/FT", "")),
                "Ff": int(here.get("/Ff", 0)),
                "V": clean(here.get("/V")),
                "TU": here.get("/TU"),
                "F": int(widgets[0].get("/F", 0)),
                "states": [],
                "AS": [],
                "rects": [],
            },
        )
        for w in widgets:
            ap = w.get("/AP", {}).get("/N")
            if entry["FT"] == "/Btn" and ap is not None:
                entry["states"].extend(str(k)[1:] for k in ap.get_object() if k != "/Off")  # type: ignore[union-attr]
            if "/AS" in w:
                entry["AS"].append(str(w["/AS"])[1:])  # type: ignore[union-attr]
            page = w.get("/P")
            entry["rects"].append(  # type: ignore[union-attr]
                (pages.get(page.idnum) if page is not None else None, [float(v) for v in w["/Rect"]])
            )

    for field in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        visit(field, "", {})
    return out


@pytest.fixture(scope="session")
def read_fields():
    """:func:`walk_fields`, as a fixture for test modules."""
    return walk_fields


# --------------------------------------------------------------------------- real mail servers (tests/mailservers.py)


@pytest.fixture(scope="session")
def test_certs(tmp_path_factory: pytest.TempPathFactory):
    """A test CA and a server certificate for 127.0.0.1, made now."""
    from mailservers import make_certs

    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def smtp_server(test_certs):
    """aiosmtpd on 127.0.0.1 with STARTTLS required and AUTH; stopped after the test."""
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed (pip install 'minicex-pdf[test]')")
    from mailservers import start_smtp

    server, stop = start_smtp(test_certs)
    yield server
    stop()


@pytest.fixture
def send_config(smtp_server, test_certs):
    """The mail settings for ``smtp_server``: sent from st@example.se, its test CA trusted, its user and password."""
    from minicex_pdf.mail.config import MailConfig

    return MailConfig(
        sender="st@example.se",
        ca_file=str(test_certs.ca),
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_user=smtp_server.user,
        smtp_password=smtp_server.password,
    )


@pytest.fixture
def outgoing():
    """``outgoing(n)``: n trainee messages ``id0``.. to ``t0@example.se``.., each with its own small PDF."""
    from minicex_pdf.mail.send import Outgoing

    def make(n: int) -> list[Outgoing]:
        return [
            Outgoing(f"id{i}", f"t{i}@example.se", "trainee", f"T {i}", f"%PDF-1.4 {i}".encode(), "f.pdf", f"row {i}")
            for i in range(n)
        ]

    return make


@pytest.fixture(scope="session")
def imap_server(test_certs):
    """Dovecot on 127.0.0.1 (imaps) with users user1..user9 and a temporary Maildir; stopped after the run."""
    from mailservers import DOVECOT, start_dovecot

    if DOVECOT is None:
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does it)")
    server, stop = start_dovecot(test_certs)
    yield server
    stop()
