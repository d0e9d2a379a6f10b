"""Signature checks with teeth: each case a real signed form (``sigkit``), read back and compared exactly.

Written against the survivors of ``scripts/mutate.py`` on ``reading/signatures.py``
(issue #15): the trainee's signature under the assessor's policy, a signing time
claimed only in the signature dictionary (PAdES), unrecognised and unreadable
signatures next to good ones, a countersignature in a new field, a level shown
differently from its value, a ticked box deleted, a text field changed, a
certificate not yet valid, an expired intermediate CA, and the one-line
description of a changed signature.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, StreamObject
from sigkit import (
    NOW,
    Identity,
    fill_incrementally,
    make_person,
    sign,
    signable_form,
    simple_signer,
)
from test_signatures import (  # the same forms, CA, people and policy as the signature tests
    ASSESSOR_NAME,
    TRAINEE_NAME,
    codes,
    read,
)
from test_signatures import anchor as anchor  # fixtures, used by name: imported as themselves
from test_signatures import assessor as assessor
from test_signatures import assessor_values as base_values
from test_signatures import ca as ca
from test_signatures import definition as definition
from test_signatures import policy as policy
from test_signatures import trainee as trainee

from minicex_pdf.cli import cli
from minicex_pdf.engines.pdfium import fill_pdfium
from minicex_pdf.form.definition import FormDefinition
from minicex_pdf.reading import signatures
from minicex_pdf.reading.record import Record
from minicex_pdf.reading.signatures import ASSESSOR, TRAINEE, SignaturePolicy

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ISSUER = "Common Name: Test SITHS CA, Organization: Testregionen, Country: SE"
#: A claimed signing time two days ago at 10:15 Swedish winter time, as a PDF date and as read back.
CLAIMED = (
    (NOW - _dt.timedelta(days=2)).astimezone(_dt.timezone(_dt.timedelta(hours=1))).replace(hour=10, minute=15, second=0)
)
CLAIMED_PDF = CLAIMED.strftime("%Y%m%d%H%M%S+01'00'")


def assessor_values() -> dict[str, object]:
    """The assessor's part of :mod:`test_signatures`, the training box ticked (no untrained warning)."""
    return {**base_values(), "assessor_trained": True}


@pytest.fixture(scope="module")
def filled(definition: FormDefinition) -> bytes:
    """The assessor's part filled in PDFium (the training box ticked), not signed yet."""
    return fill_pdfium(signable_form(definition), assessor_values(), definition)


@pytest.fixture(scope="module")
def signed(filled: bytes, definition: FormDefinition, assessor: Identity, ca: Identity) -> bytes:
    return sign(filled, definition.role(ASSESSOR).name, assessor, ca)


def states(record: Record) -> list[tuple[str, str, tuple[str, ...], str | None, str | None]]:
    return [(c.role, c.state, c.changed, c.untrusted, c.detail) for c in record.signatures]


@contextlib.contextmanager
def claimed_time(text: str) -> Iterator[None]:
    """pyHanko writes ``text`` as the signature dictionary's ``/M``, as other signing software may."""
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.signers import pdf_byterange

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdf_byterange, "pdf_date", lambda _when: generic.TextStringObject(text))
        yield


def sign_pades(pdf: bytes, field: str, who: Identity, ca: Identity, *, new_box: Any = None) -> bytes:
    """Sign as a PAdES signer does: no signing-time attribute, the time only in ``/M``; optionally into a new field."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter

    signer = simple_signer(who, ca)
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES)
    spec = SigFieldSpec(field, on_page=0, box=new_box) if new_box is not None else None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.sign_pdf(writer, meta, signer=signer, new_field_spec=spec).getvalue()


def make_intermediate(root: Identity, name: str, valid_days: tuple[int, int]) -> Identity:
    """A CA certificate issued by ``root``, valid from/to ``valid_days`` days from now."""
    key = ec.generate_private_key(ec.SECP256R1())
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)]))
        .issuer_name(root.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + _dt.timedelta(days=valid_days[0]))
        .not_valid_after(NOW + _dt.timedelta(days=valid_days[1]))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(root.key, hashes.SHA256())
    )
    return Identity(cert, key)


def incremental(pdf: bytes, change: Any) -> bytes:
    """One incremental update made with pypdf: ``change(writer)`` edits the objects it loads."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def widgets(writer: PdfWriter) -> Iterator[tuple[Any, Any, str | None]]:
    """(page, widget, field name) for every annotation, the name taken from the widget or its parent."""
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            name = annot.get("/T")
            if name is None and "/Parent" in annot:
                name = annot["/Parent"].get_object().get("/T")
            yield page, annot, None if name is None else str(name)


# --------------------------------------------------------------------------- the policy


def test_a_policy_cannot_be_changed_after_its_anchors_were_checked(policy: SignaturePolicy) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.require = "sometimes"  # type: ignore[misc]
    assert policy.require == "off"


def test_the_policy_severity_applies_to_the_assessors_untrusted_signature_only(
    signed: bytes, definition: FormDefinition, trainee: Identity, ca: Identity
) -> None:
    """``--require-signature error`` without anchors: the assessor's untrusted signature is an error, the trainee's a warning."""
    both = sign(fill_incrementally(signed, {"action_plan": "Öva."}), definition.role(TRAINEE).name, trainee, ca)
    record = read(both, definition, SignaturePolicy((), "error"))
    assert states(record) == [
        (ASSESSOR, "valid_untrusted", (), "no_anchor", None),
        (TRAINEE, "valid_untrusted", (), "no_anchor", None),
    ]
    assert codes(record) == [
        ("signature_untrusted", "error", definition.role(ASSESSOR).name),
        ("signature_untrusted", "warning", definition.role(TRAINEE).name),
    ]


# --------------------------------------------------------------------------- certificates


def test_a_certificate_not_yet_valid_when_it_signed_is_untrusted(
    filled: bytes, definition: FormDefinition, policy: SignaturePolicy, ca: Identity
) -> None:
    early = make_person(ca, ASSESSOR_NAME, valid_days=(2, 365))
    record = read(sign(filled, definition.role(ASSESSOR).name, early, ca), definition, policy)
    assert states(record)[0] == (ASSESSOR, "valid_untrusted", (), "not_yet_valid", None)
    assert codes(record) == [("signature_untrusted", "warning", definition.role(ASSESSOR).name)]
    message = next(p.message for p in record.problems if p.code == "signature_untrusted")
    sig = definition.role(ASSESSOR).label
    assert (
        message.en
        == f"{sig.en}: the signature is valid but not trusted (the certificate was not yet valid when it signed)"
    )
    assert (
        message.sv
        == f"{sig.sv}: underskriften är giltig men inte betrodd (certifikatet gällde inte än när det skrev under)"
    )


def test_an_expired_intermediate_ca_under_a_configured_anchor_is_not_accepted(
    filled: bytes, definition: FormDefinition, policy: SignaturePolicy, ca: Identity
) -> None:
    """The signer's own certificate was valid and the chain reaches the anchor, but a CA between had expired."""
    old_ca = make_intermediate(ca, "Test SITHS Issuing CA 1", valid_days=(-400, -2))
    person = make_person(old_ca, ASSESSOR_NAME, valid_days=(-30, 365))
    record = read(sign(filled, definition.role(ASSESSOR).name, person, old_ca), definition, policy)
    assert states(record)[0] == (ASSESSOR, "valid_untrusted", (), "other", None)
    message = next(p.message for p in record.problems if p.code == "signature_untrusted")
    assert message.en.endswith("the signature is valid but not trusted (the certificate could not be accepted)")


# --------------------------------------------------------------------------- the signing time


@pytest.mark.parametrize("written", [f"D:{CLAIMED_PDF}", CLAIMED_PDF], ids=["standard", "without-D-prefix"])
def test_a_pades_signature_takes_its_time_from_the_signature_dictionary(
    filled: bytes, definition: FormDefinition, policy: SignaturePolicy, assessor: Identity, ca: Identity, written: str
) -> None:
    """PAdES signatures carry no signing-time attribute; ``/M`` is read, leniently (some signers leave out ``D:``)."""
    with claimed_time(written):
        data = sign_pades(filled, definition.role(ASSESSOR).name, assessor, ca)
    record = read(data, definition, policy)
    check = record.signature(ASSESSOR)
    assert (check.state, check.signed_at, check.detail) == ("valid_trusted", CLAIMED.isoformat(), None)  # type: ignore[union-attr]
    assert codes(record) == []


def test_a_claimed_signing_time_that_is_no_date_breaks_that_signature_only(
    filled: bytes, definition: FormDefinition, policy: SignaturePolicy, assessor: Identity, ca: Identity
) -> None:
    with claimed_time("D:2026-11-20"):
        data = sign_pades(filled, definition.role(ASSESSOR).name, assessor, ca)
    record = read(data, definition, policy)
    assert states(record) == [
        (ASSESSOR, "broken", (), None, "PdfReadError"),
        (TRAINEE, "unsigned", (), None, None),
    ]
    assert codes(record) == [("signature_broken", "error", definition.role(ASSESSOR).name)]
    assert record.values["level_overall"] == "3"


# --------------------------------------------------------------------------- which signatures are found


def test_an_unrecognised_signature_is_broken_and_the_next_is_still_verified(
    filled: bytes,
    definition: FormDefinition,
    policy: SignaturePolicy,
    assessor: Identity,
    trainee: Identity,
    ca: Identity,
) -> None:
    """An assessor's signature of a kind pyHanko does not know (old ``adbe.x509.rsa_sha1``); the trainee signs after."""
    data = sign(filled, definition.role(ASSESSOR).name, assessor, ca)
    update = data[len(filled) :]
    assert update.count(b"/adbe.pkcs7.detached") == 1
    data = filled + update.replace(b"/adbe.pkcs7.detached", b"/adbe.x509.rsa_sha1 ")
    planned = fill_incrementally(data, {"action_plan": "Öva sammanfattningen."})
    record = read(sign(planned, definition.role(TRAINEE).name, trainee, ca), definition, policy)
    assert states(record) == [
        (ASSESSOR, "broken", (), None, "no signature object"),
        (TRAINEE, "valid_trusted", (), None, None),
    ]
    assert record.signature(TRAINEE).signer.name == TRAINEE_NAME  # type: ignore[union-attr]
    assert codes(record) == [("signature_broken", "error", definition.role(ASSESSOR).name)]


def test_a_countersignature_in_a_new_field_keeps_the_assessors_signature_valid(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy, ca: Identity
) -> None:
    """The director of studies signs in a field of their own, drawn on page 1 after the assessor signed: allowed."""
    signatures.diff_policy.cache_clear()  # the difference policy is what this case is about: build it here
    director = make_person(ca, "Stina Studierektor", serial=0xB055)
    after = sign_pades(signed, "studierektor", director, ca, new_box=(50, 50, 250, 90))
    record = read(after, definition, policy)
    assert states(record) == [
        (ASSESSOR, "valid_trusted", (), None, None),
        (TRAINEE, "unsigned", (), None, None),
    ]
    assert codes(record) == []


# --------------------------------------------------------------------------- what changed after signing


def test_the_trainees_name_changed_after_signing_is_named(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    record = read(fill_incrementally(signed, {"trainee_name": "Någon Annan"}), definition, policy)
    assert states(record)[0] == (ASSESSOR, "changed", ("trainee_name",), None, None)
    assert codes(record) == [("signature_changed", "error", definition.role(ASSESSOR).name)]
    message = next(p.message for p in record.problems if p.code == "signature_changed")
    assert message.en == f"{definition.role(ASSESSOR).label.en}: changed after signing: Trainee's name"


def test_a_ticked_box_deleted_after_signing_is_named(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """The training box was ticked when the assessor signed; removing the field loses that value."""
    name = definition.field("assessor_trained").name

    def delete(writer: PdfWriter) -> None:
        acro = writer._root_object["/AcroForm"]
        acro[NameObject("/Fields")] = ArrayObject(r for r in acro["/Fields"] if r.get_object().get("/T") != name)
        for page, _annot, field in list(widgets(writer)):
            if field == name:
                page[NameObject("/Annots")] = ArrayObject(
                    r for r in page["/Annots"] if r.get_object().get("/T") != name
                )

    assert read(signed, definition, policy).values["assessor_trained"] is True
    record = read(incremental(signed, delete), definition, policy)
    assert states(record)[0] == (ASSESSOR, "changed", ("assessor_trained",), None, None)
    assert codes(record) == [("signature_changed", "error", definition.role(ASSESSOR).name)]


def test_a_level_shown_differently_after_a_pdfium_save_is_caught(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """Same ``/V``, but the level's widgets now show another choice (it would print 4): re-saved, a warning."""
    after = fill_pdfium(signed, {"action_plan": "Öva sammanfattningen."}, definition)
    name = definition.field("level_overall").name

    def show_four(writer: PdfWriter) -> None:
        for _page, annot, field in widgets(writer):
            if field == name and "/T" not in annot:
                states_ = [str(k) for k in annot["/AP"]["/N"] if k != "/Off"]
                annot[NameObject("/AS")] = NameObject("/4" if states_ == ["/4"] else "/Off")

    record = read(incremental(after, show_four), definition, policy)
    assert states(record)[0] == (ASSESSOR, "changed", (), None, None)
    assert codes(record) == [("signature_resaved", "warning", definition.role(ASSESSOR).name)]


def test_an_annotation_that_cannot_be_read_after_signing_is_not_accepted_as_unchanged(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """After a PDFium save, a comment whose rectangle is not numbers: the look cannot be compared, so it changed."""
    after = fill_pdfium(signed, {"action_plan": "Öva sammanfattningen."}, definition)
    plan = definition.field("action_plan").name

    def damage(writer: PdfWriter) -> None:
        for _page, annot, field in widgets(writer):
            if field == plan:
                annot[NameObject("/Rect")] = ArrayObject([NameObject("/a"), NameObject("/b")])

    record = read(incremental(after, damage), definition, policy)
    assert states(record)[0] == (ASSESSOR, "changed", (), None, None)
    assert codes(record) == [("signature_resaved", "warning", definition.role(ASSESSOR).name)]


def test_a_field_of_another_kind_under_a_signature_fields_name_is_not_a_signature(
    filled: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """A damaged or hostile file: the assessor's signature field turned into a text field holding a dictionary."""
    name = definition.role(ASSESSOR).name

    def retype(writer: PdfWriter) -> None:
        for _page, annot, field in widgets(writer):
            if field == name:
                annot[NameObject("/FT")] = NameObject("/Tx")
                annot[NameObject("/V")] = DictionaryObject({NameObject("/Type"): NameObject("/Sig")})

    record = read(incremental(filled, retype), definition, policy)
    assert states(record) == [
        (ASSESSOR, "unsigned", (), None, None),
        (TRAINEE, "unsigned", (), None, None),
    ]
    assert codes(record) == []


def test_a_widget_moved_by_a_fraction_of_a_point_after_a_pdfium_save_is_caught(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """Places are compared to a hundredth of a point: the action plan's box 0.04 pt lower is another look."""
    after = fill_pdfium(signed, {"action_plan": "Öva sammanfattningen."}, definition)
    plan = definition.field("action_plan").name

    def nudge(writer: PdfWriter) -> None:
        for _page, annot, field in widgets(writer):
            if field == plan:
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                annot[NameObject("/Rect")] = ArrayObject(FloatObject(v) for v in (x0, y0 - 0.04, x1, y1 - 0.04))

    record = read(incremental(after, nudge), definition, policy)
    assert states(record)[0] == (ASSESSOR, "changed", (), None, None)
    assert codes(record) == [("signature_resaved", "warning", definition.role(ASSESSOR).name)]


def test_places_written_with_two_decimals_after_a_pdfium_save_are_the_same_places(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """A viewer that writes the action plan's box with two decimals (422.6148 as 422.61) moved nothing:
    places are compared to a hundredth of a point."""
    after = fill_pdfium(signed, {"action_plan": "Öva sammanfattningen."}, definition)
    plan = definition.field("action_plan").name
    rects: list[tuple[list[float], list[float]]] = []

    def shorten(writer: PdfWriter) -> None:
        for _page, annot, field in widgets(writer):
            if field == plan:
                old = [float(v) for v in annot["/Rect"]]
                new = [round(v, 2) for v in old]
                rects.append((old, new))
                annot[NameObject("/Rect")] = ArrayObject(FloatObject(v) for v in new)

    record = read(incremental(after, shorten), definition, policy)
    [(old, new)] = rects
    assert [round(v, 3) for v in old] != [round(v, 3) for v in new]  # a difference a thousandth would see
    assert states(record)[0] == (ASSESSOR, "valid_trusted", (), None, None)
    assert codes(record) == []


def test_text_drawn_on_a_page_after_a_pdfium_save_is_caught(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """No field changed, but the first page now prints something the assessor never signed."""
    after = fill_pdfium(signed, {"action_plan": "Öva sammanfattningen."}, definition)

    def draw(writer: PdfWriter) -> None:
        page = writer.pages[0]
        stream = StreamObject()
        stream.set_data(b"BT /Helv 12 Tf 300 20 Td (Niva 5) Tj ET")
        contents = page.get("/Contents")
        refs = list(contents) if isinstance(contents, ArrayObject) else [page.raw_get("/Contents")]
        page[NameObject("/Contents")] = ArrayObject([*refs, writer._add_object(stream)])

    record = read(incremental(after, draw), definition, policy)
    assert states(record)[0] == (ASSESSOR, "changed", (), None, None)
    assert codes(record) == [("signature_resaved", "warning", definition.role(ASSESSOR).name)]


def sign_stamping_in_place(pdf: bytes, field: str, who: Identity, ca: Identity) -> bytes:
    """Sign as a tool that draws its stamp into the field's existing appearance stream (the same object)."""
    from pyhanko.sign.signers import cms_embedder

    def stamp_in_place(_setup: Any, sig_annot: Any, writer: Any) -> None:
        stream = sig_annot["/AP"]["/N"]  # the generator's empty appearance of the field
        stream._data, stream._encoded_data = b"q 0 0 0.6 rg 2 2 120 8 re f Q", None
        writer.update_container(stream)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cms_embedder.SigAppearanceSetup, "apply", stamp_in_place)
        return sign(pdf, field, who, ca)


def without_locks(pdf: bytes) -> bytes:
    """The form with its signature fields' ``/Lock`` removed: signed, they lock nothing (no FieldMDP)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for ref in writer._root_object["/AcroForm"]["/Fields"]:
        writer_field = ref.get_object()
        if writer_field.get("/FT") == "/Sig":
            del writer_field[NameObject("/Lock")]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("locks", ["locked", "no_lock"])
def test_the_assessors_signature_stays_valid_when_the_trainee_stamps_their_own_field_in_place(
    signed: bytes,
    definition: FormDefinition,
    assessor: Identity,
    trainee: Identity,
    ca: Identity,
    policy: SignaturePolicy,
    locks: str,
) -> None:
    """Only the trainee's field, signed in that very revision, has a new look (pyHanko's default approves it):
    also when the assessor's signature locks nothing, so that no lock comparison could accept the update."""
    signatures.diff_policy.cache_clear()  # the difference policy is what this case is about: build it here
    if locks == "no_lock":
        blank = without_locks(signable_form(definition))
        signed = sign(fill_pdfium(blank, assessor_values(), definition), definition.role(ASSESSOR).name, assessor, ca)
    both = sign_stamping_in_place(signed, definition.role(TRAINEE).name, trainee, ca)
    record = read(both, definition, policy)
    assert states(record) == [
        (ASSESSOR, "valid_trusted", (), None, None),
        (TRAINEE, "valid_trusted", (), None, None),
    ]
    assert codes(record) == []


def test_the_assessors_stamp_redrawn_after_signing_is_caught(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy
) -> None:
    """The signature's own field is not in its ``/Lock``, but what it shows may not change once signed."""
    name = definition.role(ASSESSOR).name

    def redraw(writer: PdfWriter) -> None:
        for _page, annot, field in widgets(writer):
            if field == name:
                annot["/AP"]["/N"].get_object().set_data(b"BT /Helv 9 Tf 4 4 Td (Signerat av Nagon Annan) Tj ET")

    record = read(incremental(signed, redraw), definition, policy)
    assert states(record)[0] == (ASSESSOR, "changed", (), None, None)
    assert codes(record) == [("signature_resaved", "warning", name)]


def test_an_anchor_file_removed_during_a_run_does_not_break_every_signature(
    signed: bytes, definition: FormDefinition, ca: Identity, tmp_path: Path
) -> None:
    """A policy's anchors are read when it is made (a usage error then); the run goes on with those."""
    path = ca.write(tmp_path, "anchor-removed-later.pem")
    policy = SignaturePolicy((str(path),))
    path.unlink()
    record = read(signed, definition, policy)
    assert states(record)[0] == (ASSESSOR, "valid_trusted", (), None, None)
    assert codes(record) == []


# --------------------------------------------------------------------------- telling people


def test_the_text_of_a_changed_signature_lists_the_changed_fields(
    filled: bytes,
    definition: FormDefinition,
    assessor: Identity,
    ca: Identity,
    anchor: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In English by ``--lang en``; in Swedish by the config file's ``lang`` (a string read from TOML)."""
    with claimed_time(f"D:{CLAIMED_PDF}"):
        data = sign_pades(filled, definition.role(ASSESSOR).name, assessor, ca)
    path = tmp_path / "changed.pdf"
    path.write_bytes(fill_incrementally(data, {"trainee_name": "Någon Annan", "went_well": "Allt."}))
    (tmp_path / "minicex").mkdir()
    (tmp_path / "minicex" / "config.toml").write_text('lang = "sv"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    when = CLAIMED.strftime("%Y-%m-%d %H:%M")
    sig = definition.role(ASSESSOR).label
    read_text = ["read", str(path), "--format", "text", "--trust-anchor", str(anchor)]
    english = CliRunner().invoke(cli, [*read_text, "--lang", "en"])
    assert english.exit_code == 0, english.output
    assert (
        f"  - {sig.en}: changed after signing – by {ASSESSOR_NAME} ({ISSUER}, 5EC0), {when}; "
        "Trainee's name, What went especially well"
    ) in english.output.splitlines()
    swedish = CliRunner().invoke(cli, read_text)
    assert swedish.exit_code == 0, swedish.output
    assert (
        f"  - {sig.sv}: ändrad efter underskrift – av {ASSESSOR_NAME} ({ISSUER}, 5EC0), {when}; "
        "ST-läkarens namn, Det som gick speciellt bra"
    ) in swedish.output.splitlines()


# --------------------------------------------------------------------------- logs


def test_pyhanko_logs_nothing_while_a_changed_form_is_read(
    signed: bytes, definition: FormDefinition, policy: SignaturePolicy, caplog: pytest.LogCaptureFixture
) -> None:
    """pyHanko's difference analysis logs object dumps that can hold field contents: none may reach the log."""
    after = fill_incrementally(signed, {"went_well": "Något annat."})
    before = {n: logging.getLogger(n).level for n in ("pyhanko", "pyhanko_certvalidator")}
    caplog.set_level(logging.DEBUG)
    record = read(after, definition, policy)
    assert states(record)[0] == (ASSESSOR, "changed", ("went_well",), None, None)
    assert [r.name for r in caplog.records if r.name.startswith("pyhanko")] == []
    assert {n: logging.getLogger(n).level for n in before} == before
