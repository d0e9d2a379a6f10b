"""The typed record of one returned form, and the problems found in it.

A :class:`Record` holds each field's value typed by the definition: text as
``str`` (newlines ``\\n``), dates as :class:`datetime.date`, whole numbers as
``int``, checkboxes as ``bool``, choices and levels as their option *codes*
(never display labels), multichoice fields as a tuple of codes. Empty is
``None`` (``False`` for a checkbox, ``()`` for a multichoice). A value that is
present but cannot be typed (``"igår"`` in a date field) is kept as text in
:attr:`Record.raw` and reported as a :class:`Problem`.

Entrustment levels are ordinal codes; nothing here (or anywhere) averages them.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Literal

from ..form.definition import Text

Severity = Literal["error", "warning", "info"]
Status = Literal["complete", "awaiting_action_plan", "incomplete", "empty"]
STATUSES: tuple[Status, ...] = ("complete", "awaiting_action_plan", "incomplete", "empty")
#: The statuses of a form that holds an assessment: these, and only these, are counted.
ASSESSMENT_STATUSES: tuple[Status, ...] = ("complete", "awaiting_action_plan")
SignatureState = Literal["unsigned", "valid_trusted", "valid_untrusted", "changed", "broken"]
SIGNATURE_STATES: tuple[SignatureState, ...] = ("unsigned", "valid_trusted", "valid_untrusted", "changed", "broken")

#: How each status reads to an admin.
STATUS_TEXT: dict[str, Text] = {
    "complete": Text(sv="komplett", en="complete"),
    "awaiting_action_plan": Text(sv="väntar på ST-läkarens handlingsplan", en="awaiting the trainee's action plan"),
    "incomplete": Text(sv="ofullständig", en="incomplete"),
    "empty": Text(sv="tom (inget ifyllt av bedömaren)", en="empty (nothing filled in by the assessor)"),
}


#: How each signature state reads to an admin.
SIGNATURE_TEXT: dict[str, Text] = {
    "unsigned": Text(sv="ej underskriven", en="not signed"),
    "valid_trusted": Text(sv="giltig och betrodd", en="valid and trusted"),
    "valid_untrusted": Text(sv="giltig men inte betrodd", en="valid but not trusted"),
    "changed": Text(sv="ändrad efter underskrift", en="changed after signing"),
    "broken": Text(sv="trasig", en="broken"),
}


#: How each severity reads, for people (codes stay English in machine output).
SEVERITY_TEXT: dict[str, Text] = {
    "error": Text(sv="fel", en="error"),
    "warning": Text(sv="varning", en="warning"),
    "info": Text(sv="info", en="info"),
}


@dataclass(frozen=True)
class Problem:
    """Something wrong or worth a look in a readable form.

    ``code`` is stable (for filters and exports); ``field`` the definition's
    field name it concerns, or None for the form as a whole.
    """

    code: str
    severity: Severity
    field: str | None
    message: Text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the message in both languages."""
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": {"sv": self.message.sv, "en": self.message.en},
        }


@dataclass(frozen=True)
class SubGoal:
    """A sub-goal code, normalised (``STa1``, ``c12``), with its regulation's option code."""

    code: str
    regulation: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "regulation": self.regulation}


@dataclass(frozen=True)
class Source:
    """Where a record came from and which form definition it was filled in."""

    path: str
    sha256: str
    size: int
    form_id: str
    form_version: int
    instance_id: str | None
    #: SHA-256 of each earlier file this one was saved over (an incremental save keeps them).
    earlier: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "form_id": self.form_id,
            "form_version": self.form_version,
            "instance_id": self.instance_id,
            "earlier": list(self.earlier),
        }


@dataclass(frozen=True)
class Signer:
    """The certificate a signature was made with: holder, issuer, serial number (hex), validity (ISO)."""

    name: str
    issuer: str
    serial: str
    not_before: str
    not_after: str

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": self.not_before,
            "not_after": self.not_after,
        }


@dataclass(frozen=True)
class SignatureCheck:
    """What verifying one signature field found (see :mod:`minicex_pdf.reading.signatures`).

    ``role`` is the definition's role (``assessor_signature``), ``field`` the
    signature field's name; ``untrusted`` says why a valid signature is not
    trusted (``no_anchor``, ``expired``, ``not_yet_valid``, ``revoked``,
    ``other``), ``changed`` names the locked fields whose values changed after
    signing, and ``detail`` why a signature is broken (never field contents).
    """

    role: str
    field: str
    state: SignatureState
    signer: Signer | None = None
    signed_at: str | None = None
    untrusted: str | None = None
    changed: tuple[str, ...] = ()
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "role": self.role,
            "field": self.field,
            "state": self.state,
            "signer": self.signer.to_dict() if self.signer else None,
            "signed_at": self.signed_at,
            "untrusted": self.untrusted,
            "changed": list(self.changed),
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignatureCheck:
        """Rebuild a check from :meth:`to_dict`."""
        signer = data.get("signer")
        return cls(
            role=data["role"],
            field=data["field"],
            state=data["state"],
            signer=Signer(**signer) if signer else None,
            signed_at=data.get("signed_at"),
            untrusted=data.get("untrusted"),
            changed=tuple(data.get("changed") or ()),
            detail=data.get("detail"),
        )


@dataclass(frozen=True)
class Record:
    """One returned form as typed data, with its problems and status."""

    source: Source
    values: dict[str, Any]
    subgoals: tuple[SubGoal, ...] = ()
    problems: tuple[Problem, ...] = ()
    status: Status = "incomplete"
    raw: dict[str, str] = field(default_factory=dict)
    #: One check per signature field of the form's version (none before version 2).
    signatures: tuple[SignatureCheck, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    def signature(self, role: str) -> SignatureCheck | None:
        """The check of the signature field playing ``role``, or None if the form has none."""
        return next((s for s in self.signatures if s.role == role), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: dates as ISO strings, tuples as lists; ``signatures`` only when the form has any."""
        out = {
            "source": self.source.to_dict(),
            "status": self.status,
            "values": {k: _jsonable(v) for k, v in self.values.items()},
            "subgoals": [s.to_dict() for s in self.subgoals],
            "problems": [p.to_dict() for p in self.problems],
            "raw": dict(self.raw),
        }
        if self.signatures:
            out["signatures"] = [s.to_dict() for s in self.signatures]
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
