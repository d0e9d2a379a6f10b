"""The form's identity in the document metadata (``/Keywords``): written by the generator, read by the reader.

Kept apart from the generator so the reader parses it without importing ReportLab
(an import inside a read would spend that read's CPU budget).
"""

from __future__ import annotations

import re

from .definition import FormDefinition

#: Keywords prefix of the identity facts in the document metadata.
IDENTITY_PREFIX = "minicex"
_KEYWORD = re.compile(r"\b" + IDENTITY_PREFIX + r"-(form-id|form-version|instance-id)=([^\s;]*)")


def identity_keywords(definition: FormDefinition, instance_id: str = "") -> str:
    """The ``/Keywords`` metadata that identifies a form, e.g.
    ``minicex-form-id=minicex-st; minicex-form-version=1; minicex-instance-id=``."""
    return "; ".join(
        f"{IDENTITY_PREFIX}-{key}={value}"
        for key, value in (
            ("form-id", definition.id),
            ("form-version", definition.version),
            ("instance-id", instance_id),
        )
    )


def parse_identity_keywords(text: str) -> dict[str, str]:
    """The identity facts in a ``/Keywords`` string: keys ``form-id``, ``form-version``, ``instance-id``."""
    return {m.group(1): m.group(2) for m in _KEYWORD.finditer(text or "")}
