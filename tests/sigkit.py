"""Test signing kit: a CA and certificates made at test time, and signing and filling as the viewers do.

Certificates are made with ``cryptography`` (never shipped); forms are signed
with pyHanko into their existing signature fields as Acrobat Reader does (an
incremental update; the field's ``/Lock`` becomes the signature's FieldMDP
reference). The form is the newest shipped version with signature fields, as
the generator makes it.
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from minicex_pdf.form.definition import FormDefinition, definitions
from minicex_pdf.form.generator import build_form
from minicex_pdf.reading.signatures import ASSESSOR, TRAINEE

NOW = _dt.datetime.now(_dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Identity:
    """A certificate and its private key (``cryptography`` objects)."""

    cert: x509.Certificate
    key: Any

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write(self, folder: Path, name: str) -> Path:
        path = folder / name
        path.write_bytes(self.pem())
        return path


def _name(common: str, **extra: str) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if "country" in extra:
        attrs.insert(0, x509.NameAttribute(NameOID.COUNTRY_NAME, extra["country"]))
    if "org" in extra:
        attrs.insert(1, x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra["org"]))
    return x509.Name(attrs)


def make_ca(name: str = "Test SITHS CA") -> Identity:
    """A self-signed root CA valid from ten years ago to ten years ahead."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(name, country="SE", org="Testregionen")
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - _dt.timedelta(days=3650))
        .not_valid_after(NOW + _dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Identity(cert, key)


def _usage(cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def make_person(ca: Identity, name: str, *, serial: int = 0x5EC0, valid_days: tuple[int, int] = (-30, 365)) -> Identity:
    """A signing certificate for ``name`` issued by ``ca``, valid from/to ``valid_days`` days from now."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name, country="SE"))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW + _dt.timedelta(days=valid_days[0]))
        .not_valid_after(NOW + _dt.timedelta(days=valid_days[1]))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    return Identity(cert, key)


# --------------------------------------------------------------------------- the form


def signing_definition() -> FormDefinition:
    """The newest shipped definition with both signature roles (version 2 on)."""
    for definition in sorted(definitions().values(), key=lambda d: -d.version):
        if ASSESSOR in definition.roles and TRAINEE in definition.roles:
            return definition
    raise AssertionError("no shipped form definition has signature fields")


def signable_form(definition: FormDefinition) -> bytes:
    """A blank form of ``definition``: its signature fields carry their ``/Lock`` from the generator."""
    return build_form(definition)


def simple_signer(who: Identity, ca: Identity) -> Any:
    """pyHanko's signer for ``who``'s key and certificate, with ``ca``'s certificate for the chain."""
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    return signers.SimpleSigner(
        signing_cert=ax509.Certificate.load(who.cert.public_bytes(der)),
        signing_key=akeys.PrivateKeyInfo.load(
            who.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs([ax509.Certificate.load(ca.cert.public_bytes(der))]),
    )


def sign(pdf: bytes, field: str, who: Identity, ca: Identity) -> bytes:
    """Sign the signature field ``field`` as Acrobat Reader does: an incremental update honouring its /Lock."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256")
    return signers.sign_pdf(writer, meta, signer=simple_signer(who, ca)).getvalue()


def fill_incrementally(pdf: bytes, values: dict[str, str]) -> bytes:
    """Set text fields' values in one incremental update that touches only those fields (as Acrobat saves)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    left = dict(values)
    for ref in writer.root["/AcroForm"]["/Fields"]:
        node = ref.get_object()
        name = str(node.get("/T", ""))
        if name in left:
            node["/V"] = generic.TextStringObject(left.pop(name))
            writer.update_container(node)
    assert not left, f"no such fields: {sorted(left)}"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
