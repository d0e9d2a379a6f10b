"""Version 2's digital signature fields: where they are, what each locks, and that unsigned forms work as before.

The assessor's field locks the assessor's part (and the identity fields); the
trainee's locks the action plan, so the trainee can still write it after the
assessor has signed. Both lists come from the definition (``part``), never from
a list in code. Verification lives in ``minicex_pdf/reading/signatures.py``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import io
import tomllib

import pytest
from conftest import as_read, full_values
from pypdf import PdfReader

from minicex_pdf.errors import DefinitionError
from minicex_pdf.form.definition import forms_dir, load_definition, parse_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.reading.reader import read_form

TODAY = _dt.date(2026, 4, 1)
V2 = load_definition(2)


@pytest.fixture(scope="module")
def blank() -> bytes:
    return build_form(V2)


def sig_widgets(pdf: bytes) -> dict[str, tuple[int, dict]]:
    """The /Sig widgets of ``pdf`` by name, with their page index."""
    out = {}
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig":
                out[str(widget["/T"])] = (number, widget)
    return out


def test_roles_name_one_signature_field_per_part():
    assessor, trainee = V2.role("assessor_signature"), V2.role("trainee_signature")
    assert (assessor.type, assessor.part, assessor.section) == ("signature", "assessor", "signatures")
    assert (trainee.type, trainee.part, trainee.section) == ("signature", "trainee", "signatures")
    assert V2.signature_fields == (assessor, trainee)
    assert assessor not in V2.fields and trainee not in V2.fields  # they hold no value of the record


def test_the_locks_split_the_form_between_assessor_and_trainee():
    assessor = V2.lock_names(V2.role("assessor_signature"))
    trainee = V2.lock_names(V2.role("trainee_signature"))
    plan = {n for f in V2.role_fields("action_plan") for n in f.pdf_names}
    assert plan <= set(trainee) and not plan & set(assessor)
    assert not set(assessor) & set(trainee)
    # together they lock every field a user fills in, and the identity fields
    assert sorted(assessor + trainee) == sorted(V2.pdf_names)
    for role in ("assessor_part", "trainee", "date", "assessor", "assessor_role", "focus", "feedback"):
        assert all(n in assessor for f in V2.role_fields(role) for n in f.pdf_names), role
    assert set(V2.identity.names) <= set(assessor)


def test_version_1_has_no_signature_fields():
    v1 = load_definition(1)
    assert v1.signature_fields == ()
    assert not v1.has_role("assessor_signature") and not v1.has_role("trainee_signature")


def test_generated_fields_carry_the_locks_and_print(blank):
    widgets = sig_widgets(blank)
    assert sorted(widgets) == sorted(f.name for f in V2.signature_fields)
    pages = len(PdfReader(io.BytesIO(blank)).pages)
    for fld in V2.signature_fields:
        page, widget = widgets[fld.name]
        assert page == pages - 1 or page == pages - 2  # in the signature block near the end
        lock = widget["/Lock"].get_object()
        assert (lock["/Type"], lock["/Action"]) == ("/SigFieldLock", "/Include")
        assert [str(n) for n in lock["/Fields"]] == list(V2.lock_names(fld))
        assert "/V" not in widget  # unsigned
        assert widget["/F"] & 4  # printed
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        assert x1 - x0 >= 200 and y1 - y0 >= 28, "room to sign by hand (10 mm)"
        assert widget["/TU"].startswith(fld.tooltip.sv)
    acro = PdfReader(io.BytesIO(blank)).trailer["/Root"]["/AcroForm"]
    assert "/SigFlags" not in acro  # nothing signed yet


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["roles"].update(assessor_signature="assessor_name"), "is a text field, not signature"),
        (lambda d: d["roles"].update(assessor_signature="trainee_sig"), "signature field of the assessor's part"),
        (lambda d: d["sections"][-2].pop("part"), "'action_plan' is in the wrong part"),
        (lambda d: d["sections"][-1]["fields"][3].pop("part"), "one signature field per part"),
        (lambda d: d["sections"][0].update(part="admin"), r"sections\[0\]\.part: 'admin' is not one of"),
    ],
)
def test_broken_signature_definitions_name_the_entry(mutate, message):
    with (forms_dir() / "minicex-2.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    broken = copy.deepcopy(raw)
    mutate(broken)
    with pytest.raises(DefinitionError, match=message):
        parse_definition(broken, source="minicex-2.toml")


def test_signed_by_the_assessor_in_pyhanko_after_a_pdfium_fill_reads_the_same(blank):
    """Acrobat-like signing (pyHanko) applies the field's lock; the signed form reads exactly as before."""
    pytest.importorskip("pypdfium2")
    pyhanko = pytest.importorskip("pyhanko", reason="pyHanko (signing) is not installed")
    del pyhanko
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.fields import FieldMDPAction
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from minicex_pdf.engines.pdfium import fill_pdfium

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Bedömare")])
    now = _dt.datetime.now(_dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(now + _dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    signer = signers.SimpleSigner(
        signing_cert=ax.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=akeys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    values = full_values(V2)
    filled = fill_pdfium(blank, values, V2)
    field = V2.role("assessor_signature").name
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(filled)), signers.PdfSignatureMetadata(field_name=field), signer=signer
    )
    signed = out.getvalue()
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert [e.field_name for e in embedded] == [field]
    assert embedded[0].fieldmdp.action == FieldMDPAction.INCLUDE
    assert list(embedded[0].fieldmdp.fields) == list(V2.lock_names(V2.role("assessor_signature")))
    before = read_form("filled.pdf", data=filled, today=TODAY)
    after = read_form("signed.pdf", data=signed, today=TODAY)
    assert after.values == before.values == as_read(V2, values)
    # verification adds its own findings: a self-signed test certificate is not trusted
    from minicex_pdf.reading.signatures import RULES as SIGNATURE_RULES

    assert [p for p in after.problems if p.code not in SIGNATURE_RULES] == list(before.problems)
    assert [p.code for p in after.problems if p.code in SIGNATURE_RULES] == [
        "signature_untrusted",
        "signer_name_mismatch",
    ]
    assert after.status == before.status
