"""Signed returns: forms filled in PDFium, signed with pyHanko as Acrobat signs, verified on read and import.

The CA and the certificates are made at test time (``sigkit``). Each case reads
the file back and compares the whole signature check and the signature problems.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sigkit import (
    fill_incrementally,
    make_ca,
    make_person,
    sign,
    signable_form,
    signing_definition,
)

from minicex_pdf.cli import cli
from minicex_pdf.engines.pdfium import fill_pdfium
from minicex_pdf.errors import UsageError
from minicex_pdf.form.definition import FormDefinition, load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.limits import MAX_SIGNED_REVISIONS
from minicex_pdf.reading.reader import read_form, record_json, record_text
from minicex_pdf.reading.record import Record, SignatureCheck, Signer
from minicex_pdf.reading.signatures import ASSESSOR, TRAINEE, SignaturePolicy, same_person
from minicex_pdf.report.progress import ProgressBuilder
from minicex_pdf.report.writer import ReportWriter
from minicex_pdf.storage.export import Exporter
from minicex_pdf.storage.importer import Importer
from minicex_pdf.storage.store import Store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ASSESSOR_NAME = "Anna Åström"
TRAINEE_NAME = "Örjan Ek"
TODAY = _dt.date(2026, 11, 30)
SIGNATURE_CODES = {
    "signature_broken",
    "signature_changed",
    "signature_resaved",
    "signature_untrusted",
    "signer_name_mismatch",
    "assessor_signature_missing",
}


@pytest.fixture(scope="module")
def definition() -> FormDefinition:
    return signing_definition()


@pytest.fixture(scope="module")
def ca() -> object:
    return make_ca()


@pytest.fixture(scope="module")
def other_ca() -> object:
    return make_ca("Some Other CA")


@pytest.fixture(scope="module")
def assessor(ca: object) -> object:
    return make_person(ca, ASSESSOR_NAME, serial=0x5EC0)


@pytest.fixture(scope="module")
def trainee(ca: object) -> object:
    return make_person(ca, TRAINEE_NAME, serial=0x7A1)


@pytest.fixture(scope="module")
def anchor(ca: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ca.write(tmp_path_factory.mktemp("anchors"), "siths-test-ca.pem")  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def policy(anchor: Path) -> SignaturePolicy:
    return SignaturePolicy((str(anchor),))


def assessor_values() -> dict[str, object]:
    return {
        "trainee_name": TRAINEE_NAME,
        "date": "2026-11-20",
        "assessor_name": ASSESSOR_NAME,
        "assessor_role": "supervisor",
        "level_overall": "3",
        "level_history": "2",
        "went_well": "Tydlig anamnes.",
        "next_time": "Sammanfatta för patienten.",
    }


@pytest.fixture(scope="module")
def filled(definition: FormDefinition) -> bytes:
    """The assessor's part filled in PDFium, not signed yet."""
    return fill_pdfium(signable_form(definition), assessor_values(), definition)


@pytest.fixture(scope="module")
def signed(filled: bytes, definition: FormDefinition, assessor: object, ca: object) -> bytes:
    return sign(filled, definition.role(ASSESSOR).name, assessor, ca)  # type: ignore[arg-type]


def read(data: bytes, definition: FormDefinition, policy: SignaturePolicy | None = None) -> Record:
    return read_form(
        "returned.pdf", data=data, definition_for={definition.version: definition}, today=TODAY, signatures=policy
    )


def codes(record: Record) -> list[tuple[str, str, str | None]]:
    return [(p.code, p.severity, p.field) for p in record.problems if p.code in SIGNATURE_CODES]


def signer_of(who: object, ca: object) -> Signer:
    cert = who.cert  # type: ignore[attr-defined]
    return Signer(
        name=cert.subject.rfc4514_string().split("CN=")[1].split(",")[0],
        issuer="Common Name: Test SITHS CA, Organization: Testregionen, Country: SE",
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
    )


def test_signed_and_intact(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy, assessor: object, ca: object
) -> None:
    record = read(signed, definition, policy)
    check = record.signature(ASSESSOR)
    assert check is not None and check.signed_at is not None
    assert check == SignatureCheck(
        role=ASSESSOR,
        field=definition.role(ASSESSOR).name,
        state="valid_trusted",
        signer=signer_of(assessor, ca),
        signed_at=check.signed_at,
    )
    assert abs(_dt.datetime.fromisoformat(check.signed_at) - _dt.datetime.now(_dt.UTC)) < _dt.timedelta(minutes=10)
    assert record.signature(TRAINEE) == SignatureCheck(TRAINEE, definition.role(TRAINEE).name, "unsigned")
    assert codes(record) == []
    assert record.values["level_overall"] == "3"


def test_trainee_adds_the_action_plan_as_acrobat_saves(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """An incremental update that touches only the action plan: the assessor's signature stays valid."""
    after = fill_incrementally(signed, {"action_plan": "Öva sammanfattningen."})
    record = read(after, definition, policy)
    assert record.signature(ASSESSOR).state == "valid_trusted"  # type: ignore[union-attr]
    assert record.values["action_plan"] == "Öva sammanfattningen."
    assert (codes(record), record.errors, record.status) == ([], (), "complete")


def test_trainee_adds_the_action_plan_in_pdfium(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """PDFium saves incrementally but writes every object it loaded again: nothing locked differs, so it is allowed."""
    after = fill_pdfium(signed, {"action_plan": "Öva sammanfattningen."}, definition)
    assert after[: len(signed)] == signed
    record = read(after, definition, policy)
    check = record.signature(ASSESSOR)
    assert (check.state, check.changed, check.untrusted) == ("valid_trusted", (), None)  # type: ignore[union-attr]
    assert codes(record) == []
    assert record.values["action_plan"] == "Öva sammanfattningen."
    assert record.status == "complete"


def test_a_locked_fields_look_changed_after_a_pdfium_save_is_caught(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """Same values, but a locked field's appearance redrawn (it would print another level): re-saved, a warning."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    after = fill_pdfium(signed, {"action_plan": "Öva sammanfattningen."}, definition)
    writer = PdfWriter(io.BytesIO(after), incremental=True)
    target = definition.field("went_well").name
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/T") == target:
                stream = StreamObject()
                stream.set_data(b"BT /Helv 9 Tf 2 4 Td (Inget gick bra.) Tj ET")
                stream.update(
                    {NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form")}
                )
                annot["/AP"].get_object()[NameObject("/N")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    record = read(out.getvalue(), definition, policy)
    check = record.signature(ASSESSOR)
    assert (check.state, check.changed) == ("changed", ())  # type: ignore[union-attr]
    assert codes(record) == [("signature_resaved", "warning", definition.role(ASSESSOR).name)]


def test_a_level_changed_after_signing_is_named(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    after = fill_pdfium(signed, {"level_overall": "4"}, definition)
    record = read(after, definition, policy)
    check = record.signature(ASSESSOR)
    assert (check.state, check.changed) == ("changed", ("level_overall",))  # type: ignore[union-attr]
    sig = definition.role(ASSESSOR)
    assert codes(record) == [("signature_changed", "error", sig.name)]
    problem = next(p for p in record.problems if p.code == "signature_changed")
    label = definition.field("level_overall").label
    assert problem.message.en == f"{sig.label.en}: changed after signing: {label.en}"
    assert problem.message.sv == f"{sig.label.sv}: ändrat efter underskriften: {label.sv}"
    assert record.status == "incomplete"


def test_feedback_changed_as_acrobat_saves_is_named(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    after = fill_incrementally(signed, {"went_well": "Något annat."})
    check = read(after, definition, policy).signature(ASSESSOR)
    assert (check.state, check.changed) == ("changed", ("went_well",))  # type: ignore[union-attr]


def test_bytes_flipped_in_the_signed_range_break_it(
    signed: bytes, filled: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    at = (
        filled.rindex("Tydlig".encode("utf-16-be"))
        if "Tydlig".encode("utf-16-be") in filled
        else filled.rindex(b"Tydlig")
    )
    broken = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :]
    record = read(broken, definition, policy)
    check = record.signature(ASSESSOR)
    assert (check.state, check.detail) == ("broken", "signed bytes altered")  # type: ignore[union-attr]
    assert codes(record) == [("signature_broken", "error", definition.role(ASSESSOR).name)]
    assert record.status == "incomplete"


def test_a_file_saved_too_many_times_is_not_analysed(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    data = signed
    for i in range(MAX_SIGNED_REVISIONS):
        data = fill_incrementally(data, {"action_plan": f"Version {i}"})
    check = read(data, definition, policy).signature(ASSESSOR)
    assert (check.state, check.detail) == ("broken", f"more than {MAX_SIGNED_REVISIONS} saved revisions")  # type: ignore[union-attr]


def test_a_certificate_from_another_ca_is_untrusted(
    filled: bytes, definition: FormDefinition, policy: SignaturePolicy, other_ca: object
) -> None:
    stranger = make_person(other_ca, ASSESSOR_NAME)  # type: ignore[arg-type]
    record = read(sign(filled, definition.role(ASSESSOR).name, stranger, other_ca), definition, policy)  # type: ignore[arg-type]
    check = record.signature(ASSESSOR)
    assert (check.state, check.untrusted) == ("valid_untrusted", "no_anchor")  # type: ignore[union-attr]
    assert check.signer.issuer == "Common Name: Some Other CA, Organization: Testregionen, Country: SE"  # type: ignore[union-attr]
    assert codes(record) == [("signature_untrusted", "warning", definition.role(ASSESSOR).name)]


def test_without_anchors_nothing_is_trusted(signed: bytes, definition: FormDefinition) -> None:
    check = read(signed, definition, SignaturePolicy()).signature(ASSESSOR)
    assert (check.state, check.untrusted) == ("valid_untrusted", "no_anchor")  # type: ignore[union-attr]


def test_an_expired_certificate_is_untrusted(
    filled: bytes, definition: FormDefinition, policy: SignaturePolicy, ca: object
) -> None:
    old = make_person(ca, ASSESSOR_NAME, valid_days=(-400, -2))  # type: ignore[arg-type]
    record = read(sign(filled, definition.role(ASSESSOR).name, old, ca), definition, policy)  # type: ignore[arg-type]
    check = record.signature(ASSESSOR)
    assert (check.state, check.untrusted) == ("valid_untrusted", "expired")  # type: ignore[union-attr]
    problem = next(p for p in record.problems if p.code == "signature_untrusted")
    assert problem.message.en.endswith(
        "the signature is valid but not trusted (the certificate had expired when it signed)"
    )


def test_both_roles_signed(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy, trainee: object, ca: object
) -> None:
    planned = fill_incrementally(signed, {"action_plan": "Öva sammanfattningen."})
    both = sign(planned, definition.role(TRAINEE).name, trainee, ca)  # type: ignore[arg-type]
    record = read(both, definition, policy)
    assert [(c.role, c.state, c.signer.name if c.signer else None) for c in record.signatures] == [
        (ASSESSOR, "valid_trusted", ASSESSOR_NAME),
        (TRAINEE, "valid_trusted", TRAINEE_NAME),
    ]
    assert codes(record) == []


def test_signer_other_than_the_typed_assessor_is_a_warning(
    filled: bytes, definition: FormDefinition, policy: SignaturePolicy, ca: object
) -> None:
    someone = make_person(ca, "Bertil Berg")  # type: ignore[arg-type]
    record = read(sign(filled, definition.role(ASSESSOR).name, someone, ca), definition, policy)  # type: ignore[arg-type]
    assert record.signature(ASSESSOR).state == "valid_trusted"  # type: ignore[union-attr]
    assert codes(record) == [("signer_name_mismatch", "warning", definition.role(ASSESSOR).name)]


@pytest.mark.parametrize("require", ["warning", "error"])
def test_policy_makes_an_unsigned_assessor_part_a_problem(
    filled: bytes, definition: FormDefinition, anchor: Path, require: str
) -> None:
    record = read(filled, definition, SignaturePolicy((str(anchor),), require))  # type: ignore[arg-type]
    assert codes(record) == [("assessor_signature_missing", require, definition.role(ASSESSOR).name)]
    assert read(filled, definition, SignaturePolicy((str(anchor),))).problems == tuple(
        p for p in record.problems if p.code != "assessor_signature_missing"
    )


def test_policy_error_makes_an_untrusted_assessor_signature_an_error(signed: bytes, definition: FormDefinition) -> None:
    record = read(signed, definition, SignaturePolicy((), "error"))
    assert codes(record) == [("signature_untrusted", "error", definition.role(ASSESSOR).name)]


def test_version_1_form_without_signature_fields_reads_as_before(anchor: Path) -> None:
    v1 = load_definition(1)
    assert v1.version == 1 and ASSESSOR not in v1.roles
    data = fill_pdfium(build_form(v1), assessor_values(), v1)
    before = read_form("v1.pdf", data=data, definition_for={1: v1}, today=TODAY)
    after = read_form(
        "v1.pdf", data=data, definition_for={1: v1}, today=TODAY, signatures=SignaturePolicy((str(anchor),))
    )
    assert after == before
    assert after.signatures == ()
    assert "signatures" not in after.to_dict()


def test_unsigned_forms_never_load_pyhanko(filled: bytes, definition: FormDefinition, tmp_path: Path) -> None:
    """The cheap check: no signed /Sig field, no pyHanko import (the hot path stays as fast as before)."""
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(filled)
    code = (
        "import sys, sigkit\n"
        "from minicex_pdf.reading.reader import read_form\n"
        "d = sigkit.signing_definition()\n"
        f"r = read_form({str(path)!r}, definition_for={{d.version: d}})\n"
        "print([c.state for c in r.signatures], any(m.startswith('pyhanko') for m in sys.modules))\n"
    )
    tests = str(Path(__file__).parent)
    root = str(Path(__file__).parent.parent)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{root}:{tests}", "PATH": ""},
    )
    assert out.stdout.strip() == "['unsigned', 'unsigned'] False"


def test_same_person() -> None:
    assert same_person("Anna Åström", "anna åström")
    assert same_person("ÅSTRÖM, Anna Maria", "Anna Åström")
    assert same_person("Anna Åström", "Anna Astrom")
    assert not same_person("Anna Åström", "Anna Berg")
    assert not same_person("Anna Åström", "")


def test_a_missing_anchor_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the trust anchor"):
        SignaturePolicy((str(tmp_path / "none.pem"),))
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(UsageError, match="not a certificate file"):
        SignaturePolicy((str(bad),))


# --------------------------------------------------------------------------- store, export, report, CLI


def test_import_keeps_the_checks_and_export_and_report_show_them(
    tmp_path: Path, signed: bytes, filled: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    forms = tmp_path / "in"
    forms.mkdir()
    (forms / "a-signed.pdf").write_bytes(signed)
    (forms / "b-changed.pdf").write_bytes(fill_pdfium(signed, {"level_overall": "4", "date": "2026-11-21"}, definition))
    (forms / "c-unsigned.pdf").write_bytes(fill_pdfium(filled, {"date": "2026-11-22"}, definition))
    with Store(tmp_path / "db.sqlite") as store:
        summary = Importer(store, jobs=1, signatures=policy).run([forms])
        assert (summary.imported, summary.unreadable) == (3, 0)
        records = list(store.records())
        assert [(Path(r.source.path).name, [c.state for c in r.signatures]) for r in records] == [
            ("a-signed.pdf", ["valid_trusted", "unsigned"]),
            ("b-changed.pdf", ["changed", "unsigned"]),
            ("c-unsigned.pdf", ["unsigned", "unsigned"]),
        ]
        fresh = read(signed, definition, policy)
        assert records[0].signatures == fresh.signatures
        exporter = Exporter(store, fmt="jsonl", lang="en")
        rows = [dict(zip([c.key for c in exporter.columns], cells, strict=True)) for cells in exporter.rows()]
    assert [(r["assessor_signature_state"], r["assessor_signature_signer"]) for r in rows] == [
        ("valid and trusted", ASSESSOR_NAME),
        ("changed after signing", ASSESSOR_NAME),
        ("not signed", None),
    ]
    assert [r["trainee_signature_state"] for r in rows] == ["not signed"] * 3
    progress = ProgressBuilder(definition).build(records)
    assert [(p.name, p.signed_by_assessor, p.signable) for p in progress] == [(TRAINEE_NAME, 1, 2)]
    assert [Path(f.path).name for f in progress[0].changed_after_signing] == ["b-changed.pdf"]
    pages = PdfReader(io.BytesIO(ReportWriter(definition, "en").from_records(records))).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Digitally signed by the assessor (valid signature, trusted certificate): 1 of 2" in text
    changed = "Forms changed after they were digitally signed (see the import's problems) 2026-11-21 · "
    assert changed + f"{ASSESSOR_NAME} · b-changed.pdf" in text


def test_cli_read_shows_signatures_in_text_and_json(
    tmp_path: Path, signed: bytes, definition: FormDefinition, anchor: Path
) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    runner = CliRunner()
    result = runner.invoke(cli, ["read", str(path), "--trust-anchor", str(anchor), "--lang", "en"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = record_json(read_form(path, signatures=SignaturePolicy((str(anchor),))), "en")
    assert data == expected
    assert [(s["role"], s["state"], s["state_text"]) for s in data["signatures"]] == [
        (ASSESSOR, "valid_trusted", "valid and trusted"),
        (TRAINEE, "unsigned", "not signed"),
    ]
    text = runner.invoke(cli, ["read", str(path), "--format", "text", "--lang", "en", "--require-signature", "error"])
    assert text.exit_code == 0, text.output
    record = read_form(path, signatures=SignaturePolicy((), "error"))
    assert text.output == record_text(record, "en") + "\n"
    sig = definition.role(ASSESSOR)
    assert f"  - {sig.label.en}: valid but not trusted – by {ASSESSOR_NAME} (" in text.output
    assert "[error] " + f"{sig.label.en}: the signature is valid but not trusted" in text.output


def test_cli_rejects_a_missing_anchor(tmp_path: Path, signed: bytes) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    result = CliRunner().invoke(cli, ["read", str(path), "--trust-anchor", str(tmp_path / "nope.pem")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_verification_has_a_cpu_budget(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose verification takes far longer than any form's is a broken signature, not a hang."""
    from minicex_pdf.reading import signatures

    read(signed, definition, policy)  # pyHanko loaded
    monkeypatch.setattr(signatures, "SIGNATURE_CPU_SECONDS", 0.000_001)
    check = read(signed, definition, policy).signature(ASSESSOR)
    assert (check.state, check.detail) == ("broken", "verifying it takes far longer than any form")  # type: ignore[union-attr]


def test_a_signed_form_read_first_in_a_fresh_process_is_within_the_read_budget(signed: bytes, tmp_path: Path) -> None:
    """Loading pyHanko (some 0.5 s of CPU) counts against neither the read's nor the verification's budget."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    code = (
        "import sigkit\n"
        "from minicex_pdf.reading.reader import read_form\n"
        "d = sigkit.signing_definition()\n"
        f"r = read_form({str(path)!r}, definition_for={{d.version: d}})\n"
        "print([c.state for c in r.signatures])\n"
    )
    tests = str(Path(__file__).parent)
    root = str(Path(__file__).parent.parent)
    env = {"PYTHONPATH": f"{root}:{tests}", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "['valid_untrusted', 'unsigned']"


def test_a_signed_form_mailed_in_is_verified_with_the_import_policy(
    tmp_path: Path, signed: bytes, filled: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """Mail attachments are read in the importing process, also when files go to a pool of workers."""
    from email.message import EmailMessage

    forms = tmp_path / "in"
    forms.mkdir()
    for day in range(1, 10):  # more files than POOL_MIN_FILES: the PDFs go to worker processes
        (forms / f"form-{day}.pdf").write_bytes(fill_pdfium(filled, {"date": f"2026-10-{day:02d}"}, definition))
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "anna@example.org", "kansliet@example.org", "Mini-CEX"
    message["Date"], message["Message-ID"] = "Mon, 30 Nov 2026 10:00:00 +0100", "<signed@example.org>"
    message.set_content("Bifogat.")
    message.add_attachment(signed, maintype="application", subtype="pdf", filename="signed.pdf")
    (forms / "return.eml").write_bytes(bytes(message))
    with Store(tmp_path / "db.sqlite") as store:
        summary = Importer(store, jobs=2, signatures=policy).run([forms])
        assert (summary.imported, summary.unreadable) == (10, 0)
        states = sorted(r.signatures[0].state for r in store.records())
    assert states == ["unsigned"] * 9 + ["valid_trusted"]
