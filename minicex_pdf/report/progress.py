"""Each trainee's progress, computed from records: pure data, nothing drawn.

Levels are ordinal. This module counts how often an area was observed and lists
the level code of each observation in date order; it never averages, takes a
median of, or fits a line through levels.

Only forms that hold an assessment (status complete or awaiting the action
plan, :data:`~minicex_pdf.reading.record.ASSESSMENT_STATUSES`) are counted and
drawn: their levels, assessors, sub-goals and feedback. Incomplete and empty
forms are listed apart, never counted.

Trainees are told apart by name *and* specialty: two trainees with the same name
in different specialties are two trainees. Forms without a specialty join the
trainee of that name when there is exactly one specialty for the name; when
there are several they stay a group of their own and the progress says so
(:attr:`TraineeProgress.notes`), so nothing is merged silently.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..form.definition import Field, FormDefinition, Text, load_definition
from ..form.subgoals import Catalogue
from ..form.subgoals import catalogue as load_catalogue
from ..names import name_key
from ..reading.record import ASSESSMENT_STATUSES, Record, SubGoal
from ..reading.signatures import ASSESSOR

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Roles:
    """The definition's fields in the parts they play in a progress report (from its ``[roles]``)."""

    trainee: Field
    specialty: Field
    supervisor: Field
    regulation: Field
    date: Field
    assessor: Field
    role: Field
    role_supervisor: str
    setting: Field
    complexity: Field
    complicated: Field
    went_well: Field
    next_time: Field
    action_plan: Field

    @classmethod
    def of(cls, definition: FormDefinition) -> Roles:
        """Resolve each role in ``definition`` (its ``[roles]`` table)."""
        went_well, next_time = definition.role_fields("feedback")
        return cls(
            trainee=definition.role("trainee"),
            specialty=definition.role("specialty"),
            supervisor=definition.role("supervisor"),
            regulation=definition.role("regulation"),
            date=definition.role("date"),
            assessor=definition.role("assessor"),
            role=definition.role("assessor_role"),
            role_supervisor=definition.personal_supervisor,
            setting=definition.role("setting"),
            complexity=definition.role("complexity"),
            complicated=definition.role("complicated"),
            went_well=went_well,
            next_time=next_time,
            action_plan=definition.role("action_plan"),
        )


@dataclass(frozen=True)
class Observation:
    """The level one form gave an area: its date, the level code (None if left blank) and the assessor."""

    date: _dt.date | None
    level: str | None
    assessor: str


@dataclass(frozen=True)
class AreaProgress:
    """One area across a trainee's forms: each form's level in date order, and how often observed."""

    area: str
    label: Text
    observations: tuple[Observation, ...]
    observed: int

    @property
    def levels(self) -> tuple[str | None, ...]:
        """The level code of each form in date order (never combined into one number)."""
        return tuple(o.level for o in self.observations)


@dataclass(frozen=True)
class Feedback:
    """The texts of one form, with its date and assessor."""

    date: _dt.date | None
    assessor: str
    went_well: str
    next_time: str
    action_plan: str


@dataclass(frozen=True)
class FormRef:
    """A form named for an admin: date, assessor and source file."""

    date: _dt.date | None
    assessor: str
    path: str


@dataclass(frozen=True)
class TraineeProgress:
    """Everything the report shows about one trainee."""

    name: str
    specialty: str
    count: int
    undated: int
    latest: _dt.date | None
    per_month: tuple[tuple[str, int], ...]
    assessors: tuple[str, ...]
    by_supervisor: int
    areas: tuple[AreaProgress, ...]
    settings: tuple[tuple[str, int], ...]
    complexity: tuple[tuple[str, int], ...]
    complicated: int
    regulation: str | None
    subgoals_covered: tuple[tuple[SubGoal, int], ...]
    subgoals_missing: tuple[str, ...]
    awaiting_action_plan: tuple[FormRef, ...]
    feedback: tuple[Feedback, ...]
    notes: tuple[Text, ...] = ()
    #: Forms with some assessment content but required parts missing: listed, not counted.
    incomplete: tuple[FormRef, ...] = ()
    #: Forms where the assessor filled in nothing: listed, not counted.
    empty: tuple[FormRef, ...] = ()
    #: Assessments whose assessor's signature is valid and trusted, of the assessments that have the field.
    signed_by_assessor: int = 0
    signable: int = 0
    #: Forms (counted or not) with a signature changed after signing or broken (any role).
    changed_after_signing: tuple[FormRef, ...] = ()

    @property
    def not_by_supervisor(self) -> int:
        """How many assessments someone other than the personal supervisor made."""
        return self.count - self.by_supervisor


@dataclass(frozen=True)
class CohortLine:
    """One line of the cohort page."""

    name: str
    specialty: str
    count: int
    assessors: int
    not_by_supervisor: int
    awaiting_action_plan: int
    latest: _dt.date | None
    incomplete: int = 0
    empty: int = 0


def _text(record: Record, field: Field) -> str:
    value = record.values.get(field.name)
    return value.strip() if isinstance(value, str) else ""


def _months(dates: list[_dt.date]) -> tuple[tuple[str, int], ...]:
    """Forms per calendar month from the first to the last, months without forms included."""
    if not dates:
        return ()
    counts = Counter(f"{d.year:04d}-{d.month:02d}" for d in dates)
    first, last = min(dates), max(dates)
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        key = f"{year:04d}-{month:02d}"
        out.append((key, counts.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def _count_options(records: list[Record], field: Field) -> tuple[tuple[str, int], ...]:
    counts = Counter(r.values.get(field.name) for r in records)
    return tuple((o.code, counts.get(o.code, 0)) for o in field.options)


class ProgressBuilder:
    """Turns records into per-trainee progress and the cohort lines."""

    def __init__(self, definition: FormDefinition | None = None, catalogue: Catalogue | None = None) -> None:
        self.definition = definition or load_definition()
        self.catalogue = catalogue or load_catalogue(self.definition)
        self.roles = Roles.of(self.definition)

    def _specialty(self, record: Record) -> str:
        text = _text(record, self.roles.specialty)
        return self.catalogue.specialty(text) or _SPACE.sub(" ", text)

    def group(self, records: Iterable[Record]) -> list[tuple[str, str, list[Record], list[Text]]]:
        """Records grouped per trainee: (name, specialty, records in date order, notes)."""
        by_name: dict[str, dict[str, list[Record]]] = {}
        spelling: dict[str, str] = {}
        for record in records:
            name = _text(record, self.roles.trainee)
            key = name_key(name)
            spelling.setdefault(key, name)
            by_name.setdefault(key, {}).setdefault(name_key(self._specialty(record)), []).append(record)
        groups = []
        for key, by_specialty in sorted(by_name.items()):
            notes: list[Text] = []
            named = [s for s in by_specialty if s]
            if "" in by_specialty and len(named) == 1:
                by_specialty[named[0]].extend(by_specialty.pop(""))
            elif "" in by_specialty and named:
                notes.append(
                    Text(
                        sv="Formulär utan specialitet: flera ST-läkare har detta namn, så de visas för sig.",
                        en="Forms without a specialty: several trainees have this name, so they are shown apart.",
                    )
                )
            if len(named) > 1:
                notes.append(
                    Text(
                        sv=f"{len(named)} ST-läkare med detta namn, åtskilda efter specialitet.",
                        en=f"{len(named)} trainees with this name, told apart by specialty.",
                    )
                )
            for specialty_key in sorted(by_specialty):
                recs = sorted(by_specialty[specialty_key], key=self._order)
                specialty = next((self._specialty(r) for r in recs if self._specialty(r)), "")
                groups.append((spelling[key], specialty, recs, list(notes)))
        return groups

    def _order(self, record: Record) -> tuple[int, _dt.date]:
        date = record.values.get(self.roles.date.name)
        return (0, date) if isinstance(date, _dt.date) else (1, _dt.date.max)

    def _date(self, record: Record) -> _dt.date | None:
        date = record.values.get(self.roles.date.name)
        return date if isinstance(date, _dt.date) else None

    def _by_supervisor(self, record: Record) -> bool:
        role = record.values.get(self.roles.role.name)
        if role:
            return bool(role == self.roles.role_supervisor)
        assessor = name_key(_text(record, self.roles.assessor))
        return bool(assessor) and assessor == name_key(_text(record, self.roles.supervisor))

    def _ref(self, record: Record) -> FormRef:
        return FormRef(self._date(record), _text(record, self.roles.assessor), record.source.path)

    def trainee(self, name: str, specialty: str, records: list[Record], notes: Iterable[Text] = ()) -> TraineeProgress:
        """The progress of one trainee from their records (any order); only assessments are counted."""
        roles = self.roles
        every = sorted(records, key=self._order)
        records = [r for r in every if r.status in ASSESSMENT_STATUSES]
        dates = [d for r in records if (d := self._date(r))]
        assessors: dict[str, str] = {}
        for r in records:
            who = _text(r, roles.assessor)
            if who:
                assessors.setdefault(name_key(who), who)
        areas = []
        for f in self.definition.level_fields():
            area = self.definition.area(f.area or "")
            obs = tuple(Observation(self._date(r), r.values.get(f.name), _text(r, roles.assessor)) for r in records)
            observed = sum(1 for o in obs if o.level and (lv := self.definition.level(o.level)) and lv.rank > 0)
            areas.append(AreaProgress(area.code, area.label, obs, observed))
        regulation = next(
            (r.values[roles.regulation.name] for r in reversed(every) if r.values.get(roles.regulation.name)), None
        )
        # how many assessments touched each sub-goal (a code written twice on one form counts once)
        covered: Counter[SubGoal] = Counter(g for r in records for g in dict.fromkeys(r.subgoals))
        if regulation is None and covered:
            regs = Counter(g.regulation for g in covered.elements())
            regulation = regs.most_common(1)[0][0]
        missing: tuple[str, ...] = ()
        out_notes = list(notes)
        if regulation is not None:
            done = {g.code for g in covered if g.regulation == regulation}
            missing = tuple(c for c in self.catalogue.codes(regulation, specialty or None) if c not in done)
            if not self.catalogue.specialty(specialty):
                out_notes.append(
                    Text(
                        sv="Specialitetens egna delmål är okända (specialiteten saknas i delmålslistan).",
                        en="The specialty's own sub-goals are unknown (the specialty is not in the sub-goal list).",
                    )
                )
        order = {c: i for i, c in enumerate(self.catalogue.codes(regulation, specialty or None))} if regulation else {}
        covered_list = sorted(
            covered.items(), key=lambda kv: (kv[0].regulation, order.get(kv[0].code, 1_000), kv[0].code)
        )
        return TraineeProgress(
            name=name,
            specialty=specialty,
            count=len(records),
            undated=len(records) - len(dates),
            latest=max(dates) if dates else None,
            per_month=_months(dates),
            assessors=tuple(assessors.values()),
            by_supervisor=sum(1 for r in records if self._by_supervisor(r)),
            areas=tuple(areas),
            settings=_count_options(records, roles.setting),
            complexity=_count_options(records, roles.complexity),
            complicated=sum(1 for r in records if r.values.get(roles.complicated.name) is True),
            regulation=regulation,
            subgoals_covered=tuple(covered_list),
            subgoals_missing=missing,
            awaiting_action_plan=tuple(self._ref(r) for r in records if r.status == "awaiting_action_plan"),
            feedback=tuple(
                Feedback(
                    self._date(r),
                    _text(r, roles.assessor),
                    _text(r, roles.went_well),
                    _text(r, roles.next_time),
                    _text(r, roles.action_plan),
                )
                for r in records
            ),
            notes=tuple(out_notes),
            incomplete=tuple(self._ref(r) for r in every if r.status == "incomplete"),
            empty=tuple(self._ref(r) for r in every if r.status == "empty"),
            signable=sum(1 for r in records if r.signature(ASSESSOR)),
            signed_by_assessor=sum(1 for r in records if (c := r.signature(ASSESSOR)) and c.state == "valid_trusted"),
            changed_after_signing=tuple(
                self._ref(r) for r in every if any(c.state in ("changed", "broken") for c in r.signatures)
            ),
        )

    def build(self, records: Iterable[Record]) -> list[TraineeProgress]:
        """Every trainee's progress, by name then specialty."""
        return [self.trainee(name, spec, recs, notes) for name, spec, recs, notes in self.group(records)]


def cohort(progress: Iterable[TraineeProgress]) -> list[CohortLine]:
    """One line per trainee for the admin's cohort page."""
    return [
        CohortLine(
            p.name,
            p.specialty,
            p.count,
            len(p.assessors),
            p.not_by_supervisor,
            len(p.awaiting_action_plan),
            p.latest,
            len(p.incomplete),
            len(p.empty),
        )
        for p in progress
    ]
