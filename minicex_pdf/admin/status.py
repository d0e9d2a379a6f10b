"""The administrator's week: one line per trainee, and the forms someone has to act on.

Trainees come from the rosters prefill recorded and from the imported forms: a
trainee is a name (after merges) and a specialty; a form without a specialty
joins the trainee of that name when there is only one. Counts use the forms not
voided; an assessment is a form whose status is complete or awaiting the action
plan (:data:`minicex_pdf.storage.view.ASSESSED`). Levels are never combined.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..form.definition import FormDefinition, Text, load_definition
from ..reading.record import Record
from ..storage.filters import Filter, workplace_field
from ..storage.roster_store import RosterStore, RosterTrainee, name_key
from ..storage.store import Store
from ..storage.view import ASSESSED, STATUS_LABELS, FormLine, StoreView

#: Problems that make a form worth chasing even when its status is complete.
CHASED_CODES = ("level_needs_confirmation", "action_plan_missing")
_NOTHING = Text(sv="inget ifyllt av bedömaren", en="nothing filled in by the assessor")


@dataclass
class TraineeStatus:
    """One trainee's line: counts of the forms passing the filters, and pre-filled forms not yet back."""

    name: str
    specialty: str
    workplace: str = ""
    supervisor: str = ""
    assessments: int = 0
    awaiting_action_plan: int = 0
    incomplete: int = 0
    empty: int = 0
    assessors: int = 0
    not_by_supervisor: int = 0
    latest: _dt.date | None = None
    not_returned: int = 0
    forms: list[FormLine] = field(default_factory=list, repr=False)
    roster: RosterTrainee | None = field(default=None, repr=False)
    #: Every roster trainee shown on this line (several when name variants were merged).
    roster_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def nothing_returned(self) -> bool:
        """No form of this trainee has come back (pre-filled or not)."""
        return not self.forms


@dataclass(frozen=True)
class ChaseLine:
    """A form someone has to act on: whose, by whom, when, which file, and what is missing."""

    id: int
    trainee: str
    assessor: str
    date: _dt.date | None
    file: str
    status: str
    missing: tuple[Text, ...]


class StatusBuilder:
    """Builds the status lines and the chase list of one store."""

    def __init__(self, store: Store, definition: FormDefinition | None = None) -> None:
        self.store = store
        self.definition = definition or load_definition()
        self.view = StoreView(store, self.definition)
        self.roster = RosterStore(store, self.definition)
        d = self.definition
        self._f = {
            "trainee": d.role("trainee").name,
            "specialty": d.role("specialty").name,
            "supervisor": d.role("supervisor").name,
            "date": d.role("date").name,
            "assessor": d.role("assessor").name,
            "role": d.role("assessor_role").name,
        }
        place = workplace_field(d)
        self._f["workplace"] = place.name if place else ""

    def _text(self, record: Record, role: str) -> str:
        value = record.values.get(self._f[role]) if self._f[role] else None
        return " ".join(value.split()) if isinstance(value, str) else ""

    def _date(self, record: Record) -> _dt.date | None:
        value = record.values.get(self._f["date"])
        return value if isinstance(value, _dt.date) else None

    def _by_supervisor(self, record: Record) -> bool:
        role = record.values.get(self._f["role"])
        if role:
            return bool(role == self.definition.personal_supervisor)
        assessor = name_key(self._text(record, "assessor"))
        return bool(assessor) and assessor == name_key(self._text(record, "supervisor"))

    # ------------------------------------------------------------------ trainees

    def trainees(self, flt: Filter | None = None) -> list[TraineeStatus]:
        """One line per trainee of the rosters and the forms who passes ``flt``, by name then specialty."""
        flt = flt or Filter()
        aliases = self.view.aliases()
        groups: dict[tuple[str, str], TraineeStatus] = {}
        for t in self.roster.trainees():
            name = aliases.get(name_key(t.name), t.name)
            key = (name_key(name), self.roster.specialty_key(t.specialty))
            if key not in groups:
                groups[key] = TraineeStatus(name, t.specialty, t.workplace, t.supervisor, roster=t)
            groups[key].roster_ids.append(t.id)
        unplaced: list[FormLine] = []
        for line in self.view.lines(voided=False):
            r = line.record
            key = (name_key(self._text(r, "trainee")), self.roster.specialty_key(self._text(r, "specialty")))
            if key[1]:
                self._group(groups, key, r).forms.append(line)
            else:
                unplaced.append(line)
        for line in unplaced:  # no specialty: the trainee of that name, when there is only one
            key = (name_key(self._text(line.record, "trainee")), "")
            named = [k for k in groups if k[0] == key[0]]
            self._group(groups, named[0] if len(named) == 1 else key, line.record).forms.append(line)
        # pre-filled forms back: any stored file of their instance id (on a damaged page, those that can be read)
        found = self.store.tolerant("SELECT DISTINCT instance_id FROM forms WHERE instance_id IS NOT NULL")
        if found is None:
            returned = {ln.record.source.instance_id for g in groups.values() for ln in g.forms}
        else:
            returned = {r[0] for r in found}
        pending = Counter(f.trainee for f in self.roster.forms() if f.instance_id not in returned)
        out = []
        for key in sorted(groups):
            status = groups[key]
            if self._passes(status, flt):
                self._count(status, flt)
                status.not_returned = sum(pending[i] for i in status.roster_ids)
                out.append(status)
        return out

    def _group(self, groups: dict[tuple[str, str], TraineeStatus], key: tuple[str, str], r: Record) -> TraineeStatus:
        if key not in groups:
            groups[key] = TraineeStatus(
                self._text(r, "trainee"),
                self._text(r, "specialty"),
                self._text(r, "workplace"),
                self._text(r, "supervisor"),
            )
        return groups[key]

    def _passes(self, s: TraineeStatus, flt: Filter) -> bool:
        if s.roster is not None and flt.person(s.name, s.specialty, s.roster.workplace, s.roster.supervisor):
            return True
        if not s.forms:
            return flt.person(s.name, s.specialty, s.workplace, s.supervisor)
        return any(
            flt.person(
                line.record.values.get(self._f["trainee"]),
                self._text(line.record, "specialty") or s.specialty,
                self._text(line.record, "workplace"),
                self._text(line.record, "supervisor"),
            )
            for line in s.forms
        )

    def _count(self, s: TraineeStatus, flt: Filter) -> None:
        lines = [ln for ln in s.forms if flt.date(self._date(ln.record))]
        assessed = [ln.record for ln in lines if ln.status in ASSESSED]
        s.assessments = len(assessed)
        s.awaiting_action_plan = sum(1 for ln in lines if ln.status == "awaiting_action_plan")
        s.incomplete = sum(1 for ln in lines if ln.status == "incomplete")
        s.empty = sum(1 for ln in lines if ln.status == "empty")
        s.assessors = len({name_key(a) for r in assessed if (a := self._text(r, "assessor"))})
        s.not_by_supervisor = sum(1 for r in assessed if not self._by_supervisor(r))
        dates = [d for r in assessed if (d := self._date(r))]
        s.latest = max(dates) if dates else None

    # ------------------------------------------------------------------ chasing

    def chase(self, flt: Filter | None = None) -> list[ChaseLine]:
        """The forms (not voided) that need someone to act, oldest first, with what is missing."""
        out = []
        for line in self.view.lines(flt, voided=False):
            missing = self.missing(line)
            if missing:
                r = line.record
                out.append(
                    ChaseLine(
                        line.id,
                        self._text(r, "trainee"),
                        self._text(r, "assessor"),
                        self._date(r),
                        r.source.path,
                        line.status,
                        missing,
                    )
                )
        return out

    def missing(self, line: FormLine) -> tuple[Text, ...]:
        """What is missing or to confirm in a form: nothing for a form nobody needs to act on."""
        if line.status == "empty":
            return (_NOTHING,)
        return tuple(p.message for p in line.record.problems if p.severity == "error" or p.code in CHASED_CODES)


def status_rows(lines: Iterable[TraineeStatus]) -> list[dict[str, object]]:
    """The status lines as plain rows keyed by the column keys of :data:`STATUS_COLUMNS`."""
    return [
        {
            "trainee": s.name,
            "specialty": s.specialty,
            "workplace": s.workplace,
            "supervisor": s.supervisor,
            "assessments": s.assessments,
            "awaiting_action_plan": s.awaiting_action_plan,
            "incomplete": s.incomplete,
            "empty": s.empty,
            "assessors": s.assessors,
            "not_by_supervisor": s.not_by_supervisor,
            "latest": s.latest,
            "not_returned": s.not_returned,
        }
        for s in lines
    ]


def chase_rows(lines: Iterable[ChaseLine], lang: str) -> list[dict[str, object]]:
    """The chase list as plain rows; ``missing`` in ``lang`` (the status stays a code in JSON)."""
    return [
        {
            "id": c.id,
            "trainee": c.trainee,
            "assessor": c.assessor,
            "date": c.date,
            "file": c.file,
            "status": c.status,
            "missing": [m[lang] for m in c.missing],
        }
        for c in lines
    ]


#: Column keys and headers of the status table, in order (the table leaves out workplace and supervisor).
STATUS_COLUMNS: dict[str, Text] = {
    "trainee": Text(sv="ST-läkare", en="Trainee"),
    "specialty": Text(sv="Specialitet", en="Specialty"),
    "workplace": Text(sv="Arbetsplats", en="Workplace"),
    "supervisor": Text(sv="Handledare", en="Supervisor"),
    "assessments": Text(sv="Bedömningar", en="Assessments"),
    "awaiting_action_plan": Text(sv="Väntar på plan", en="Awaiting plan"),
    "incomplete": Text(sv="Ofullständiga", en="Incomplete"),
    "empty": Text(sv="Tomma", en="Empty"),
    "assessors": Text(sv="Bedömare", en="Assessors"),
    "not_by_supervisor": Text(sv="Ej handledaren", en="Not supervisor"),
    "latest": Text(sv="Senaste", en="Latest"),
    "not_returned": Text(sv="Ej återkomna", en="Not returned"),
}
CHASE_COLUMNS: dict[str, Text] = {
    "id": Text(sv="Id", en="Id"),
    "trainee": Text(sv="ST-läkare", en="Trainee"),
    "assessor": Text(sv="Bedömare", en="Assessor"),
    "date": Text(sv="Datum", en="Date"),
    "file": Text(sv="Fil", en="File"),
    "status": Text(sv="Status", en="Status"),
    "missing": Text(sv="Saknas", en="Missing"),
}
FORMS_COLUMNS: dict[str, Text] = {
    "id": Text(sv="Id", en="Id"),
    "trainee": Text(sv="ST-läkare", en="Trainee"),
    "date": Text(sv="Datum", en="Date"),
    "assessor": Text(sv="Bedömare", en="Assessor"),
    "status": Text(sv="Status", en="Status"),
    "file": Text(sv="Fil", en="File"),
}


def forms_rows(lines: Iterable[FormLine], builder: StatusBuilder) -> list[dict[str, object]]:
    """``minicex forms`` rows: id, trainee, date, assessor, status (``voided`` for a voided form), file."""
    return [
        {
            "id": ln.id,
            "trainee": builder._text(ln.record, "trainee"),
            "date": builder._date(ln.record),
            "assessor": builder._text(ln.record, "assessor"),
            "status": "voided" if ln.voided else ln.status,
            "file": ln.record.source.path,
        }
        for ln in lines
    ]


def status_label(code: str, lang: str) -> str:
    """A form status code in words."""
    text = STATUS_LABELS.get(code)
    return text[lang] if text else code


def short_path(path: str) -> str:
    """A file as the tables show it: relative to the current folder when inside it."""
    import os

    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else str(Path(rel))
