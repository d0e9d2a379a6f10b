"""Problems in a readable form, as data: what is missing, odd or not allowed.

Each rule returns :class:`~minicex_pdf.reading.record.Problem` values with a stable
``code``, a severity and a message in Swedish and English that names the field
by its label. Nothing here raises for bad content; nothing prints a value that
could be personal data (an apparent personal identity number is reported by
field only).

Problem codes (severity):

==============================  =========  ===============================================
``required_missing``            error      a required field is empty
``feedback_missing``            error      no feedback written (the instrument requires it); only a dash,
                                           dot or cross ("-", ".", "x") counts as none
``overall_not_observed``        error      "Ej observerat" for the activity as a whole (it must be rated)
``assessor_not_trained``        warning    the assessor-trained box is unticked (version 2 on)
``action_plan_missing``         info       the trainee has not written the action plan yet
``date_unreadable``             error      a date that cannot be read as YYYY-MM-DD
``date_future``                 warning    a date after the day the form was read
``integer_unreadable``          warning    minutes (or times seen) that are not a whole number
``integer_out_of_range``        warning    minutes far outside the norm (outside the limit)
``integer_outside_norm``        info       minutes outside the usual range
``level_needs_confirmation``    warning    "can supervise others": confirm (several observations); from
                                           version 2 cleared by the times seen (at least the field's norm)
                                           or the date of the specialistkollegium
``focus_not_rated``             warning    an area in focus has no level
``rated_not_in_focus``          info       an area rated but not ticked as focus
``personal_id_number``          error      an apparent personnummer/samordningsnummer in free text
``personal_id_number_suspect``  warning    the same shape and a real date, but a wrong check digit
``option_unknown``              error      a value that is not among the field's options
``subgoal_unknown``             warning    sub-goal codes that do not exist
``subgoal_regulation_mismatch`` warning    codes of another regulation than the one ticked
``value_conflict``              warning    a button whose stored value and shown state disagree
``field_missing``               warning    a field of the definition is not in the file
``identity_missing``            warning    no identity fields; the form was recognised by its fields
==============================  =========  ===============================================
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..form.definition import Field, FormDefinition, Text
from . import personal
from .record import Problem, Severity, Status, SubGoal

FREE_TEXT = ("text", "multiline")


@dataclass(frozen=True)
class Rule:
    """A problem code's severity and message templates (``{field}`` is the field's label)."""

    severity: Severity
    sv: str
    en: str


RULES: dict[str, Rule] = {
    "required_missing": Rule("error", "Obligatoriskt fält är tomt: {field}", "Required field is empty: {field}"),
    "feedback_missing": Rule(
        "error",
        "Ingen återkoppling skriven: {field} (bedömaren ska alltid skriva något)",
        "No feedback written: {field} (the assessor must always write something)",
    ),
    "overall_not_observed": Rule(
        "error",
        "{field}: ”Ej observerat” kan inte väljas; bedömaren måste ta ställning till aktiviteten som helhet",
        "{field}: “Not observed” cannot be chosen; the assessor must rate the activity as a whole",
    ),
    "assessor_not_trained": Rule(
        "warning",
        "{field}: inte ikryssat; bedömaren måste ha genomgått utbildning i att bedöma och ge återkoppling",
        "{field}: not ticked; the assessor must have been trained in assessment and feedback",
    ),
    "action_plan_missing": Rule(
        "info", "ST-läkarens handlingsplan är inte ifylld än", "The trainee's action plan is not filled in yet"
    ),
    "date_unreadable": Rule(
        "error",
        "Datumet kan inte läsas (skriv ÅÅÅÅ-MM-DD): {field}",
        "The date cannot be read (write YYYY-MM-DD): {field}",
    ),
    "date_future": Rule("warning", "Datumet ligger i framtiden: {field}", "The date lies in the future: {field}"),
    "integer_unreadable": Rule("warning", "Inte ett heltal: {field}", "Not a whole number: {field}"),
    "integer_out_of_range": Rule(
        "warning",
        "{field}: {value} ligger långt utanför det normala ({low}–{high})",
        "{field}: {value} is far outside the norm ({low}–{high})",
    ),
    "integer_outside_norm": Rule(
        "info",
        "{field}: {value} ligger utanför det vanliga ({low}–{high})",
        "{field}: {value} is outside the usual range ({low}–{high})",
    ),
    "level_needs_confirmation": Rule(
        "warning",
        "{field}: nivån ”{level}” används först efter flera observationer; bekräfta den",
        "{field}: the level “{level}” is used only after several observations; confirm it",
    ),
    "focus_not_rated": Rule(
        "warning",
        "{field}: området är valt som fokus men har ingen nivå",
        "{field}: the area is in focus but has no level",
    ),
    "rated_not_in_focus": Rule(
        "info",
        "{field}: området har en nivå men är inte valt som fokus",
        "{field}: the area is rated but not ticked as a focus",
    ),
    "personal_id_number": Rule(
        "error",
        "{field}: verkar innehålla ett personnummer eller samordningsnummer; patientuppgifter får inte stå i formuläret",
        "{field}: seems to hold a Swedish personal identity number; patient data must not be in the form",
    ),
    "personal_id_number_suspect": Rule(
        "warning",
        "{field}: ser ut som ett personnummer eller samordningsnummer (fel kontrollsiffra); patientuppgifter får inte stå i formuläret",
        "{field}: looks like a Swedish personal identity number (wrong check digit); patient data must not be in the form",
    ),
    "option_unknown": Rule(
        "error",
        "{field}: värdet finns inte bland alternativen",
        "{field}: the value is not one of the options",
    ),
    "subgoal_unknown": Rule("warning", "{field}: okända delmål: {tokens}", "{field}: unknown sub-goals: {tokens}"),
    "subgoal_regulation_mismatch": Rule(
        "warning",
        "{field}: delmål {codes} hör till en annan målbeskrivning än den ikryssade",
        "{field}: sub-goals {codes} belong to another regulation than the one ticked",
    ),
    "value_conflict": Rule(
        "warning",
        "{field}: det sparade värdet och det som visas skiljer sig; olika PDF-läsare kan visa olika val",
        "{field}: the stored value and what is shown differ; PDF viewers may show different choices",
    ),
    "field_missing": Rule("warning", "{field}: fältet saknas i filen", "{field}: the field is missing from the file"),
    "identity_missing": Rule(
        "warning",
        "Formulärets dolda identitetsfält saknas; det känns igen på fälten (version {version})",
        "The form's hidden identity fields are missing; recognised by its fields (version {version})",
    ),
}


def problem(code: str, fld: Field | None = None, **params: Any) -> Problem:
    """The problem ``code`` about ``fld``, its message filled in both languages."""
    rule = RULES[code]

    def fill(lang: str, template: str) -> str:
        values = {k: (v[lang] if isinstance(v, Text) else v) for k, v in params.items()}
        if fld is not None:
            values["field"] = fld.title[lang]
        return template.format(**values)

    return Problem(
        code=code,
        severity=rule.severity,
        field=fld.name if fld is not None else None,
        message=Text(sv=fill("sv", rule.sv), en=fill("en", rule.en)),
    )


def status_of(problems: Iterable[Problem], *, empty: bool = False) -> Status:
    """empty if nothing of the assessor's part is filled (``empty``); else incomplete if any error (the
    missing action plan aside); awaiting_action_plan if only that is missing; else complete."""
    if empty:
        return "empty"
    problems = list(problems)
    if any(p.severity == "error" and p.code != "action_plan_missing" for p in problems):
        return "incomplete"
    if any(p.code == "action_plan_missing" for p in problems):
        return "awaiting_action_plan"
    return "complete"


# --------------------------------------------------------------------------- typing values

_DATE = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|(\d{4})(\d{2})(\d{2})")
_MINUTES = re.compile(
    r"(?:ca\.?|cirka|circa|about|approx\.?|~)?\s*(\d{1,6})\s*(?:min(?:uter|utes|\.)?|m)?\.?", re.IGNORECASE
)


def parse_date(text: str) -> _dt.date | None:
    """A date written YYYY-MM-DD (also with / or ., without leading zeros, or YYYYMMDD); None if not."""
    m = _DATE.fullmatch(text.strip())
    if m is None:
        return None
    year, month, day = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def parse_minutes(text: str) -> int | None:
    """A whole number of minutes ("15", "15 min", "ca 15"); None if not."""
    m = _MINUTES.fullmatch(text.strip())
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------- personnummer


def has_personal_number(text: str) -> bool:
    """Whether ``text`` holds an apparent personnummer or samordningsnummer with a valid check digit.

    Forms YYMMDD-XXXX, YYYYMMDD-XXXX, with ``-``, ``+`` or nothing between; the
    date part must be a real date (day + 60 for a samordningsnummer).
    """
    return personal.has_valid(text)


# --------------------------------------------------------------------------- rules on typed values


def is_blank(value: Any) -> bool:
    """Whether a typed value is empty: None, "", no choices, an unticked box."""
    return value is None or value == "" or value == () or value == [] or value is False


_empty = is_blank


def is_empty_form(definition: FormDefinition, values: Mapping[str, Any]) -> bool:
    """Whether nothing of the assessor's part (the definition's ``assessor_part`` role) is filled."""
    return all(is_blank(values.get(f.name)) for f in definition.role_fields("assessor_part"))


#: Feedback that says nothing: only dashes, dots, crosses and the like ("-", ".", "x", "--", "…").
_PLACEHOLDER = re.compile(r"[\s\-–—.,;:_/*+?!…xX]*")


def is_placeholder(text: str) -> bool:
    """Whether free text holds nothing but dashes, dots or crosses (as people write "nothing")."""
    return _PLACEHOLDER.fullmatch(text) is not None


def regulation_field(definition: FormDefinition) -> Field:
    """The choice field whose options are the definition's sub-goal regulations."""
    return definition.role("regulation")


def specialty_field(definition: FormDefinition) -> Field:
    """The field that holds the trainee's specialty (sub-goals depend on it)."""
    return definition.role("specialty")


def subgoal_fields(definition: FormDefinition) -> tuple[Field, ...]:
    """The free-text field(s) where sub-goal codes are written."""
    return definition.role_fields("subgoals")


def check(
    definition: FormDefinition,
    values: Mapping[str, Any],
    *,
    today: _dt.date,
    subgoals: tuple[SubGoal, ...] = (),
    unknown_subgoals: tuple[str, ...] = (),
    unreadable: Collection[str] = (),
) -> list[Problem]:
    """The problems of a record's typed ``values``.

    Values that could not be typed are None in ``values`` and named in
    ``unreadable`` (their own problem says why; they are not also "empty").
    """
    problems: list[Problem] = []
    focus_field = definition.role("focus")
    focus = set(values.get(focus_field.name) or ())
    feedback = definition.roles["feedback"]
    plan = definition.role_fields("action_plan")
    overall = definition.overall_field()
    for fld in definition.fields:
        value = values.get(fld.name)
        if fld.name in feedback and isinstance(value, str) and is_placeholder(value):
            problems.append(problem("feedback_missing", fld))
        elif fld.required and _empty(value) and fld.name not in unreadable and fld not in plan:
            problems.append(problem("feedback_missing" if fld.name in feedback else "required_missing", fld))
        if fld.type == "date" and isinstance(value, _dt.date) and value > today:
            problems.append(problem("date_future", fld))
        if fld.type == "integer" and isinstance(value, int):
            problems.extend(_minutes(fld, value))
        if fld.type == "level" and isinstance(value, str):
            level = definition.level(value)
            if fld == overall and level is not None and level.rank == 0:
                problems.append(problem("overall_not_observed", fld))
            if level is not None and level.confirm and not _confirmed(definition, values):
                problems.append(problem("level_needs_confirmation", fld, level=level.label))
            problems.extend(_focus(definition, fld, value, focus, focus_field))
        elif fld.type == "level" and value is None and fld.area in focus:
            problems.append(problem("focus_not_rated", fld))
        if fld.type in FREE_TEXT and isinstance(value, str):
            found = list(personal.find(value))
            if any(f.valid for f in found):
                problems.append(problem("personal_id_number", fld))
            elif found:
                problems.append(problem("personal_id_number_suspect", fld))
    if definition.has_role("assessor_trained"):
        trained = definition.role("assessor_trained")
        if values.get(trained.name) is False:
            problems.append(problem("assessor_not_trained", trained))
    if all(_empty(values.get(f.name)) for f in plan):
        problems.append(problem("action_plan_missing", plan[0]))
    problems.extend(_subgoal_problems(definition, values, subgoals, unknown_subgoals))
    return problems


def _confirmed(definition: FormDefinition, values: Mapping[str, Any]) -> bool:
    """Whether the form says the top level is earned: seen often enough, or decided at a specialistkollegium.

    Only versions that name the ``times_seen`` or ``confirmed_at`` roles can say so.
    """
    if definition.has_role("confirmed_at") and isinstance(values.get(definition.role("confirmed_at").name), _dt.date):
        return True
    if definition.has_role("times_seen"):
        seen = definition.role("times_seen")
        count = values.get(seen.name)
        return isinstance(count, int) and count >= (seen.norm[0] if seen.norm else 2)
    return False


def _minutes(fld: Field, value: int) -> list[Problem]:
    if fld.limit and not fld.limit[0] <= value <= fld.limit[1]:
        return [problem("integer_out_of_range", fld, value=value, low=fld.limit[0], high=fld.limit[1])]
    if fld.norm and not fld.norm[0] <= value <= fld.norm[1]:
        return [problem("integer_outside_norm", fld, value=value, low=fld.norm[0], high=fld.norm[1])]
    return []


def _focus(definition: FormDefinition, fld: Field, value: str, focus: set[str], focus_field: Field) -> list[Problem]:
    level = definition.level(value)
    rated = level is not None and level.rank > 0
    if fld.area in focus and not rated:
        return [problem("focus_not_rated", fld)]
    if rated and focus and fld.area not in focus and focus_field.option(fld.area or "") is not None:
        return [problem("rated_not_in_focus", fld)]
    return []


def _shown_tokens(tokens: Iterable[str]) -> str:
    """Unknown sub-goal tokens safe to print: short, no long digit runs (never personal data)."""
    tokens = list(tokens)
    safe = [t for t in tokens if len(t) <= 10 and not re.search(r"\d{5}", t)][:6]
    rest = len(tokens) - len(safe)
    return ", ".join(safe) + (f" (+{rest})" if rest else "")


def _subgoal_problems(
    definition: FormDefinition, values: Mapping[str, Any], subgoals: tuple[SubGoal, ...], unknown: tuple[str, ...]
) -> list[Problem]:
    where = definition.role("subgoals")
    out = []
    if unknown:
        out.append(problem("subgoal_unknown", where, tokens=_shown_tokens(unknown)))
    chosen = values.get(definition.role("regulation").name)
    if chosen:
        other = [g.code for g in subgoals if g.regulation != chosen]
        if other:
            out.append(problem("subgoal_regulation_mismatch", where, codes=", ".join(other[:6])))
    return out
