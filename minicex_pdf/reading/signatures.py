"""Digital signatures on a returned form: who signed, and was it changed afterwards.

From form version 2 the assessor and the trainee each have a signature field
(the definition's roles :data:`ASSESSOR` and :data:`TRAINEE`). Signing one in
Adobe Acrobat Reader (with a SITHS card, say) locks that person's part of the
form: the field's ``/Lock`` names the fields, so the trainee can still add the
action plan and sign after the assessor without breaking the assessor's
signature.

For each signature field of the form's version this module tells one
:class:`~minicex_pdf.reading.record.SignatureCheck`:

- ``unsigned``: the field holds no signature;
- ``broken``: the signed bytes were altered, the signature does not match its
  certificate, or it cannot be read at all;
- ``changed``: intact, but the file was changed after signing beyond what the
  lock allows (the locked fields whose values changed are named);
- ``valid_trusted``: intact, only allowed changes since, and the certificate
  was valid at signing time and chains to a trust anchor the admin configured;
- ``valid_untrusted``: intact and unchanged, but the certificate does not chain
  to a configured anchor, or was not valid (expired, ...) when it signed.

pyHanko does the cryptography and the difference analysis (its
:class:`~pyhanko.sign.diff_analysis.ModificationLevel`). It is imported only
when a file has a signed field, so unsigned forms read exactly as fast as
before. No network is used unless :attr:`SignaturePolicy.fetch` is set.

A viewer that re-saves the whole signed part while filling the action plan
(PDFium, in Chrome and Edge, re-writes every object it loaded) fails pyHanko's
object-level analysis although nothing locked changed. Then what the lock
covers is compared directly: every locked field's value, state and appearance
streams (and the signed field's own look), each page's content and its
annotations' kinds and places. All as signed: the signature is valid. The same
values but another look: state ``changed`` with no field named, and only a
warning (``signature_resaved``).

Problem codes (severity):

============================  ==========  ==================================================
``signature_broken``          error       the signature is broken (bytes altered, unreadable)
``signature_changed``         error       locked fields (named) changed after signing
``signature_resaved``         warning     the signed part was re-saved; no locked value changed, but its look did
``signature_untrusted``       warning     valid, but not from a configured anchor / not valid
                                          at signing time (the policy's severity for the assessor)
``signer_name_mismatch``      warning     the certificate's name is not the typed name
``assessor_signature_missing`` policy     the assessor's part is not signed (only with a policy)
============================  ==========  ==================================================
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import functools
import io
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pypdf.generic import DictionaryObject

from ..errors import UsageError
from ..form.definition import Field, FormDefinition, Text
from ..limits import MAX_SIGNED_REVISIONS, SIGNATURE_CPU_SECONDS
from .budget import Budget, OverBudget
from .record import Problem, Severity, SignatureCheck, Signer
from .validate import Rule
from .walker import FormScan

#: The definition's role of the assessor's signature field, and of the trainee's.
ASSESSOR = "assessor_signature"
TRAINEE = "trainee_signature"
SIGNATURE_ROLES = (ASSESSOR, TRAINEE)
#: The role of the typed name each signer's certificate is compared with.
NAME_ROLE = {ASSESSOR: "assessor", TRAINEE: "trainee"}

Requirement = Literal["off", "warning", "error"]
REQUIREMENTS: tuple[Requirement, ...] = ("off", "warning", "error")


@dataclass(frozen=True)
class SignaturePolicy:
    """The region's settings for signatures: trust anchors, whether the assessor must sign, network use.

    ``trust_anchors`` are CA certificate files (PEM or DER, several in one PEM
    file allowed); ``require`` makes an unsigned (or untrusted) assessor's part a
    warning or an error; ``fetch`` lets validation fetch revocation data and
    missing intermediate certificates over the network (off by default).
    Small and picklable: import workers get a copy.
    """

    trust_anchors: tuple[str, ...] = ()
    require: Requirement = "off"
    fetch: bool = False

    def __post_init__(self) -> None:
        if self.require not in REQUIREMENTS:
            raise UsageError(f"unknown signature requirement {self.require!r}: use one of {', '.join(REQUIREMENTS)}")
        for path in self.trust_anchors:
            anchors(path)  # a missing or unreadable anchor file is a usage error now, not a silent "untrusted"


RULES: dict[str, Rule] = {
    "signature_broken": Rule(
        "error",
        "{field}: den digitala underskriften är trasig (de underskrivna uppgifterna har ändrats eller kan inte läsas)",
        "{field}: the digital signature is broken (the signed data was altered or cannot be read)",
    ),
    "signature_changed": Rule(
        "error",
        "{field}: ändrat efter underskriften: {fields}",
        "{field}: changed after signing: {fields}",
    ),
    "signature_resaved": Rule(
        "warning",
        "{field}: den underskrivna delen har sparats om efter underskriften (inga låsta värden har ändrats; "
        "t.ex. sparad i en webbläsare)",
        "{field}: the signed part was re-saved after signing (no locked value changed; e.g. saved in a web browser)",
    ),
    "signature_untrusted": Rule(
        "warning",
        "{field}: underskriften är giltig men inte betrodd ({why})",
        "{field}: the signature is valid but not trusted ({why})",
    ),
    "signer_name_mismatch": Rule(
        "warning",
        "{field}: namnet i certifikatet stämmer inte med det ifyllda namnet ({name})",
        "{field}: the name in the certificate does not match the typed name ({name})",
    ),
    "assessor_signature_missing": Rule(
        "warning",
        "Bedömarens del är inte digitalt underskriven",
        "The assessor's part is not digitally signed",
    ),
}

#: Why a valid signature is not trusted, in words.
UNTRUSTED_TEXT: dict[str, Text] = {
    "no_anchor": Text(
        sv="certifikatet kommer inte från en betrodd utfärdare", en="the certificate is not from a trusted issuer"
    ),
    "expired": Text(
        sv="certifikatet hade gått ut när det skrev under", en="the certificate had expired when it signed"
    ),
    "not_yet_valid": Text(
        sv="certifikatet gällde inte än när det skrev under", en="the certificate was not yet valid when it signed"
    ),
    "revoked": Text(sv="certifikatet är spärrat", en="the certificate is revoked"),
    "other": Text(sv="certifikatet kunde inte godkännas", en="the certificate could not be accepted"),
}


def problem(code: str, fld: Field | None, severity: Severity | None = None, **params: Any) -> Problem:
    """The signature problem ``code`` about ``fld`` (a signature field), messages in both languages."""
    rule = RULES[code]

    def fill(lang: str, template: str) -> str:
        values = {k: (v[lang] if isinstance(v, Text) else v) for k, v in params.items()}
        if fld is not None:
            values["field"] = fld.label[lang]
        return template.format(**values)

    return Problem(
        code=code,
        severity=severity or rule.severity,
        field=fld.name if fld is not None else None,
        message=Text(sv=fill("sv", rule.sv), en=fill("en", rule.en)),
    )


def signature_fields(definition: FormDefinition) -> dict[str, Field]:
    """{role: signature field} for the signature roles this version names (none before version 2)."""
    return {role: definition.role(role) for role in SIGNATURE_ROLES if role in definition.roles}


def signed_names(found: FormScan, fields: Mapping[str, Field]) -> set[str]:
    """The signature fields that hold a signature: a ``/Sig`` field whose ``/V`` is a dictionary.

    The cheap check on what the walker read anyway: no pyHanko, no parsing.
    """
    out = set()
    for fld in fields.values():
        pf = found.fields.get(fld.name)
        if pf is not None and pf.ftype == "Sig" and isinstance(pf._v, DictionaryObject):
            out.add(fld.name)
    return out


def check_signatures(
    data: bytes,
    definition: FormDefinition,
    found: FormScan,
    values: Mapping[str, Any],
    policy: SignaturePolicy,
) -> tuple[tuple[SignatureCheck, ...], list[Problem]]:
    """Each signature field's check, and the problems they make, for one read form."""
    fields = signature_fields(definition)
    signed = signed_names(found, fields)
    checks: dict[str, SignatureCheck] = {
        role: SignatureCheck(role=role, field=fld.name, state="unsigned") for role, fld in fields.items()
    }
    if signed:
        checks.update(_verify(data, {r: f for r, f in fields.items() if f.name in signed}, definition, policy))
    problems: list[Problem] = []
    for role, check in checks.items():
        problems.extend(_problems(check, fields[role], definition, values, policy))
    assessor = checks.get(ASSESSOR)
    if policy.require != "off" and (assessor is None or assessor.state == "unsigned"):
        problems.append(problem("assessor_signature_missing", fields.get(ASSESSOR), severity=policy.require))
    return tuple(checks.values()), problems


def _problems(
    check: SignatureCheck, fld: Field, definition: FormDefinition, values: Mapping[str, Any], policy: SignaturePolicy
) -> list[Problem]:
    out: list[Problem] = []
    if check.state == "broken":
        return [problem("signature_broken", fld)]
    if check.state == "changed":
        if check.changed:
            labels = {lang: ", ".join(_label(definition, n, lang) for n in check.changed) for lang in ("sv", "en")}
            out.append(problem("signature_changed", fld, fields=Text(sv=labels["sv"], en=labels["en"])))
        else:
            out.append(problem("signature_resaved", fld))
    if check.untrusted is not None:
        severity: Severity | None = policy.require if check.role == ASSESSOR and policy.require != "off" else None
        out.append(problem("signature_untrusted", fld, severity=severity, why=UNTRUSTED_TEXT[check.untrusted]))
    if check.signer is not None and check.role in NAME_ROLE and NAME_ROLE[check.role] in definition.roles:
        typed_field = definition.role(NAME_ROLE[check.role])
        typed = values.get(typed_field.name)
        if not same_person(check.signer.name, typed if isinstance(typed, str) else ""):
            out.append(problem("signer_name_mismatch", fld, name=typed_field.label))
    return out


def _label(definition: FormDefinition, name: str, lang: str) -> str:
    try:
        return definition.field(name).label[lang]
    except KeyError:
        return name


# --------------------------------------------------------------------------- names

_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _WORDS.findall(plain)


def same_person(certificate_name: str, typed: str) -> bool:
    """Whether a typed name names the certificate's holder: every typed word is in the certificate's name.

    Case, accents and word order do not matter ("ÖBERG, Åsa" is "Åsa Öberg");
    a typed name may leave out a middle name. An empty typed name never matches.
    """
    typed_words = _words(typed)
    cert_words = set(_words(certificate_name))
    return bool(typed_words) and all(w in cert_words for w in typed_words)


# --------------------------------------------------------------------------- trust anchors


@functools.lru_cache(maxsize=64)
def anchors(path: str) -> tuple[bytes, ...]:
    """The DER certificates in one anchor file (PEM, possibly several, or DER); UsageError if none."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the trust anchor: {exc.strerror}") from None
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise UsageError(f"{path}: not a certificate file (PEM or DER)") from None
    return tuple(c.public_bytes(Encoding.DER) for c in certs)


# --------------------------------------------------------------------------- pyHanko


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pyHanko logs its difference analysis with object dumps that can hold field values: keep them out."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _verify(
    data: bytes, fields: Mapping[str, Field], definition: FormDefinition, policy: SignaturePolicy
) -> dict[str, SignatureCheck]:
    """Verify the signed fields with pyHanko; any failure to read the signature is ``broken``."""
    if data.count(b"%%EOF") > MAX_SIGNED_REVISIONS:
        return {r: _broken(r, f, f"more than {MAX_SIGNED_REVISIONS} saved revisions") for r, f in fields.items()}
    # pyHanko is loaded outside the budget: the first time takes some 0.5 s of CPU, any file after none
    import pyhanko.sign.validation  # noqa: F401
    import pyhanko_certvalidator  # noqa: F401
    from pyhanko.pdf_utils.reader import PdfFileReader

    diff_policy()
    with _quiet():
        try:
            with Budget(SIGNATURE_CPU_SECONDS):
                return _verify_all(data, fields, definition, policy, PdfFileReader)
        except OverBudget:
            return {r: _broken(r, f, "verifying it takes far longer than any form") for r, f in fields.items()}


def _verify_all(
    data: bytes, fields: Mapping[str, Field], definition: FormDefinition, policy: SignaturePolicy, reader_class: Any
) -> dict[str, SignatureCheck]:
    try:
        reader = reader_class(io.BytesIO(data), strict=False)
        embedded = {es.field_name: es for es in reader.embedded_signatures}
    except Exception as exc:  # pyHanko raises many kinds on broken input
        return {r: _broken(r, f, type(exc).__name__) for r, f in fields.items()}
    out = {}
    for role, fld in fields.items():
        es = embedded.get(fld.name)
        if es is None:
            out[role] = _broken(role, fld, "no signature object")
            continue
        try:
            out[role] = _verify_one(data, role, fld, es, definition, policy)
        except Exception as exc:
            out[role] = _broken(role, fld, type(exc).__name__)
    return out


def _broken(role: str, fld: Field, detail: str) -> SignatureCheck:
    return SignatureCheck(role=role, field=fld.name, state="broken", detail=detail)


@functools.lru_cache(maxsize=1)
def diff_policy() -> Any:
    """pyHanko's default difference policy, without in-place appearance stream updates of other fields.

    pyHanko 0.38's in-place rule offers an approval for the appearance stream of
    every text field whose stream predates the signed revision, changed or not;
    on a locked field that approval alone fails the analysis, so any form filling
    after a locking signature would count as a change. New appearance streams
    (what Acrobat writes when a field is filled) are still allowed.

    Signature fields keep pyHanko's default: it approves in place only the
    appearance of a field signed in that very revision (a signing tool that
    draws its stamp into the field's existing appearance stream). Without it,
    when the trainee signs so, an assessor's signature without a ``/Lock``
    (nothing to compare by lock) would count as changed.
    """
    from pyhanko.sign.diff_analysis import (
        CatalogModificationRule,
        DocInfoRule,
        DSSCompareRule,
        FormUpdatingRule,
        GenericFieldModificationRule,
        MetadataUpdateRule,
        ModificationLevel,
        ObjectStreamRule,
        SigFieldCreationRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
        XrefStreamRule,
    )

    lta = ModificationLevel.LTA_UPDATES
    return StandardDiffPolicy(
        global_rules=[
            CatalogModificationRule(),
            DocInfoRule().as_qualified(lta),
            XrefStreamRule().as_qualified(lta),
            ObjectStreamRule().as_qualified(lta),
            DSSCompareRule().as_qualified(lta),
            MetadataUpdateRule().as_qualified(lta),
        ],
        form_rule=FormUpdatingRule(
            field_rules=[
                SigFieldCreationRule(),
                SigFieldModificationRule(),  # its default: True (see above)
                GenericFieldModificationRule(allow_in_place_appearance_stream_changes=False),
            ]
        ),
    )


def _verify_one(
    data: bytes,
    role: str,
    fld: Field,
    es: Any,
    definition: FormDefinition,
    policy: SignaturePolicy,
) -> SignatureCheck:
    from asn1crypto import x509 as ax509
    from pyhanko.sign.diff_analysis import DiffResult
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    signed_at = es.self_reported_timestamp
    roots = [ax509.Certificate.load(der) for path in policy.trust_anchors for der in anchors(path)]
    context = ValidationContext(
        trust_roots=roots,
        allow_fetching=policy.fetch,
        moment=signed_at,  # the certificate must have been valid when it signed, not today
        best_signature_time=signed_at,
    )
    status = validate_pdf_signature(es, context, diff_policy=diff_policy())
    cert = status.signing_cert
    signer = Signer(
        name=_common_name(cert),
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before.isoformat(),
        not_after=cert.not_valid_after.isoformat(),
    )
    base = SignatureCheck(
        role=role,
        field=fld.name,
        state="broken",
        signer=signer,
        signed_at=(status.signer_reported_dt or signed_at).isoformat()
        if (status.signer_reported_dt or signed_at)
        else None,
    )
    if not (status.intact and status.valid):
        return dataclasses.replace(base, detail="signed bytes altered" if not status.intact else "signature invalid")
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        return dataclasses.replace(base, detail="the signature does not cover its revision")
    untrusted = None if status.trusted else _why_untrusted(status, cert, signed_at, bool(roots))
    untouched = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if untouched or (isinstance(status.diff_result, DiffResult) and status.docmdp_ok is not False):
        return dataclasses.replace(
            base, state="valid_trusted" if untrusted is None else "valid_untrusted", untrusted=untrusted
        )
    end = es.byte_range[2] + es.byte_range[3]
    locked = es.fieldmdp
    is_locked = locked.is_locked if locked is not None else None
    changed = _changed_values(data[:end], data, definition, is_locked)
    shown = None if is_locked is None else (lambda name: name == fld.name or is_locked(name))  # and its own stamp
    if not changed and shown is not None and _looks_the_same(data[:end], data, shown):
        # PDFium (Chrome, Edge) writes every object it loaded again when the trainee fills the
        # action plan: nothing locked differs in value or in look, so the change is what the lock allows
        return dataclasses.replace(
            base, state="valid_trusted" if untrusted is None else "valid_untrusted", untrusted=untrusted
        )
    return dataclasses.replace(base, state="changed", changed=changed, untrusted=untrusted)


def _looks_the_same(signed: bytes, current: bytes, is_locked: Any) -> bool:
    """Whether the pages and the widgets of every field ``is_locked`` names look as they did when signed.

    Compares each page's content, the kinds and places of its annotations, and for
    each widget of a named field (the locked ones and the signature's own) its state
    and the appearance streams it shows.
    """
    import io

    from pypdf import PdfReader

    def look(data: bytes) -> list[Any]:
        reader = PdfReader(io.BytesIO(data))
        pages = []
        for page in reader.pages:
            content = page.get_contents()
            annots = []
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                name, node = annot.get("/T"), annot
                while name is None and node.get("/Parent") is not None:
                    node = node["/Parent"].get_object()
                    name = node.get("/T")
                entry: tuple[Any, ...] = (
                    str(annot.get("/Subtype")),
                    [round(float(x), 2) for x in annot.get("/Rect", [])],
                )
                if name is not None and is_locked(str(name)):
                    entry += (str(name), str(annot.get("/AS")), _appearance(annot.get("/AP")))
                annots.append(entry)
            pages.append((content.get_data() if content is not None else b"", annots))
        return pages

    try:
        return look(signed) == look(current)
    except Exception:  # anything unreadable is not "the same"
        return False


def _appearance(ap: Any) -> Any:
    """An appearance dictionary's streams as bytes, sub-dictionaries (states) by key."""
    if ap is None:
        return None
    ap = ap.get_object()
    if hasattr(ap, "get_data"):
        return ap.get_data()
    return {str(k): _appearance(v) for k, v in ap.items()}


def _common_name(cert: Any) -> str:
    subject = cert.subject.native
    name = subject.get("common_name")
    if not name:
        name = " ".join(str(subject[k]) for k in ("given_name", "surname") if subject.get(k))
    if isinstance(name, list):
        name = " ".join(name)
    return str(name or cert.subject.human_friendly)


def _why_untrusted(status: Any, cert: Any, signed_at: _dt.datetime | None, have_roots: bool) -> str:
    """``no_anchor``, ``expired``, ``not_yet_valid``, ``revoked`` or ``other``."""
    if status.revoked:
        return "revoked"
    moment = signed_at or _dt.datetime.now(_dt.UTC)
    if cert.not_valid_after < moment:
        return "expired"
    if cert.not_valid_before > moment:
        return "not_yet_valid"
    if not have_roots or status.validation_path is None:
        return "no_anchor"
    return "other"


def _changed_values(signed: bytes, current: bytes, definition: FormDefinition, is_locked: Any) -> tuple[str, ...]:
    """The definition fields, locked by the signature, whose values differ between the signed revision and now."""
    from .walker import scan

    before, after = scan(signed).fields, scan(current).fields
    changed = []
    for fld in definition.fields:
        if fld.type == "signature":
            continue
        for name in fld.pdf_names:
            if is_locked is not None and not is_locked(name):
                continue
            old, new = before.get(name), after.get(name)
            if _plain(old.raw() if old else None) != _plain(new.raw() if new else None):
                changed.append(fld.name)
                break
    return tuple(changed)


def _plain(value: Any) -> Any:
    """Empty in any form (missing, empty text, unticked) compares equal."""
    if value in (None, "", False, []):
        return None
    if isinstance(value, str):
        return value.strip()
    return value


def describe(check: SignatureCheck, lang: str, labels: Mapping[str, str] | None = None) -> str:
    """One line for people: the state, the signer's name, issuer and signing time, and the fields changed.

    ``labels`` names fields for people (field name -> label); without it the names are shown.
    """
    from .record import SIGNATURE_TEXT

    text = SIGNATURE_TEXT[check.state][lang]
    if check.signer is not None:
        by = "av" if lang == "sv" else "by"
        text += f" – {by} {check.signer.name} ({check.signer.issuer}, {check.signer.serial})"
    if check.signed_at:
        text += f", {check.signed_at[:16].replace('T', ' ')}"
    if check.untrusted:
        text += f"; {UNTRUSTED_TEXT[check.untrusted][lang]}"
    if check.changed:
        text += "; " + ", ".join((labels or {}).get(n, n) for n in check.changed)
    return text


def policy_of(trust_anchors: Sequence[str | Path] = (), require: str = "off", fetch: bool = False) -> SignaturePolicy:
    """A policy from CLI or config values (paths as given)."""
    return SignaturePolicy(tuple(str(p) for p in trust_anchors), require, fetch)  # type: ignore[arg-type]
