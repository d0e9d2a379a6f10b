"""Which stored files are one assessment, decided from their content alone.

Not file names, import order or modification times: the same files give the
same assessments and the same latest revisions in any order of arrival (import
order only breaks a tie between two equally full corrections, see below).

*The assessor's part* of a form is what the definition's ``assessor_part`` role
names: the date, the assessor, the encounter, the levels, the feedback, the
assessor's signature. It identifies an assessment.

- Files are compared only within a *pool*: the files of one pre-filled form
  (same instance id), or the walk-in blank forms (no instance id) of one trainee
  (same name, spaces and case aside).
- Two files are the same assessment when they name the same trainee, date and
  assessor wherever both have them filled in (a *forgotten* field is no
  conflict), and at most one other value of the assessor's part that both have
  filled differs (:data:`MAX_CORRECTED`). A file that keeps another's
  assessor's part and adds to it (the action plan, a signature, a forgotten
  field) is a newer revision of it; one value changed is a *correction*.
- So another date, another assessor, or the same date and assessor with other
  levels and feedback (two values or more) make two assessments.
- An empty file (nothing of the assessor's part filled) is grouped with empty files only.
- Grouping is order-free: files are taken fullest first (then by SHA-256), and
  each joins the assessment whose fullest file it differs least from, or starts
  a new one.
- Within an assessment, revisions are ordered by how much of the whole form is
  filled in; the fullest is the latest. Between equally full files (a
  correction that changed a value and added nothing) the one saved over the
  other is the latest: a viewer that saves incrementally (Chrome, Edge,
  Acrobat, MuPDF) appends to the file it opened, and the record keeps the
  checksum of each earlier version (``Source.earlier``). Only when neither
  was saved over the other does the later import win; when that is wrong,
  the admin voids the stale file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..form.definition import FormDefinition
from ..names import name_key
from ..reading.validate import is_blank

#: How many values of the assessor's part (other than trainee, date and assessor) may differ
#: between two files of one assessment: one value changed is a correction, more is another assessment.
MAX_CORRECTED = 1

_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Text as compared: NFC, spaces collapsed and trimmed, case-folded (:func:`~minicex_pdf.names.name_key`)."""
    return name_key(text)


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, (list, tuple)):
        return sorted(_normal(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def anchor_fields(definition: FormDefinition) -> tuple[str, str, str]:
    """The fields that must agree wherever both files have them: trainee, date, assessor."""
    return (definition.role("trainee").name, definition.role("date").name, definition.role("assessor").name)


def assessor_part(definition: FormDefinition, values: Mapping[str, Any]) -> dict[str, Any]:
    """The filled fields of the assessor's part, normalised for comparison (JSON-ready)."""
    out = {}
    for fld in definition.role_fields("assessor_part"):
        value = values.get(fld.name)
        if not is_blank(value):
            out[fld.name] = _normal(value)
    return out


def filled_count(values: Mapping[str, Any]) -> int:
    """How many fields of the whole form are filled in (how full a revision is)."""
    return sum(1 for v in values.values() if not is_blank(v))


def pool_of(definition: FormDefinition, values: Mapping[str, Any], instance_id: str | None) -> str:
    """The files a file may be one assessment with: its pre-filled form, or the trainee's walk-in forms."""
    if instance_id:
        return f"instance:{instance_id}"
    trainee = values.get(definition.role("trainee").name)
    return "walkin:" + (fold(trainee) if isinstance(trainee, str) else "")


@dataclass(frozen=True)
class Filing:
    """One stored file as identity sees it: its row, checksum, what is compared, and how full it is.

    ``part`` is the assessor's part with the trainee's name added (both normalised).
    """

    id: int
    sha256: str
    part: Mapping[str, Any]
    filled: int
    #: SHA-256 of the files this one was saved over (incremental saves): it is newer than those.
    earlier: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, id: int, sha256: str, definition: FormDefinition, values: Mapping[str, Any], earlier: Iterable[str] = ()
    ) -> Filing:
        """The filing of a record's typed or JSON values."""
        return cls(id, sha256, compared_part(definition, values), filled_count(values), frozenset(earlier))


def compared_part(definition: FormDefinition, values: Mapping[str, Any]) -> dict[str, Any]:
    """What two files are compared on: the assessor's part and the trainee's name (filled ones only)."""
    part = assessor_part(definition, values)
    trainee = definition.role("trainee").name
    value = values.get(trainee)
    if isinstance(value, str) and value.strip():
        part[trainee] = fold(value)
    return part


def difference(a: Filing, b: Filing, anchors: Sequence[str]) -> int | None:
    """How many values two files of one assessment differ in; None if they cannot be one assessment.

    An empty file (nothing of the assessor's part) is one with other empty files only: an
    untouched copy of a pre-filled form is no revision of an assessment made on another copy.
    """
    trainee = anchors[:1]
    if bool(a.part.keys() - trainee) != bool(b.part.keys() - trainee):
        return None
    for name in anchors:
        if name in a.part and name in b.part and a.part[name] != b.part[name]:
            return None
    differ = sum(1 for k in a.part.keys() & b.part.keys() if k not in anchors and a.part[k] != b.part[k])
    return differ if differ <= MAX_CORRECTED else None


@dataclass(frozen=True)
class Assessment:
    """The files of one assessment, oldest revision first (the last is the latest)."""

    files: tuple[Filing, ...]

    @property
    def latest(self) -> Filing:
        """The latest revision: the fullest file."""
        return self.files[-1]


def group(filings: Iterable[Filing], anchors: Sequence[str]) -> list[Assessment]:
    """The files of one pool grouped into assessments, each in revision order; the same in any input order.

    Assessments come in a stable order: by the fullest file's date (undated last), then its SHA-256.
    """
    date = anchors[1]
    order = sorted(filings, key=lambda f: (-len(f.part), -f.filled, f.sha256))
    groups: list[list[Filing]] = []
    for f in order:
        best: tuple[int, int] | None = None
        for i, g in enumerate(groups):
            d = difference(f, g[0], anchors)
            if d is not None and (best is None or d < best[0]):
                best = (d, i)
        if best is None:
            groups.append([f])
        else:
            groups[best[1]].append(f)
    groups.sort(key=lambda g: (str(g[0].part.get(date, "~")), g[0].sha256))
    return [Assessment(tuple(_revision_order(g))) for g in groups]


def _revision_order(files: list[Filing]) -> list[Filing]:
    """Oldest first: by fullness, then by descent (a file saved over another comes after it), then import."""
    shas = {f.sha256 for f in files}
    # a file saved over another holds all of that one's earlier versions too: more of them are in the group
    return sorted(files, key=lambda f: (f.filled, len(f.part), len(f.earlier & shas), f.id))


def keys(pool: str, assessments: Sequence[Assessment]) -> list[str]:
    """The form key of each assessment of a pool: the pool, then ``#2``, ``#3`` ..."""
    return [pool if i == 0 else f"{pool}#{i + 1}" for i in range(len(assessments))]


def part_json(part: Mapping[str, Any]) -> str:
    """The assessor's part as it is stored (compact, sorted JSON)."""
    return json.dumps(part, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
