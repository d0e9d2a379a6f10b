"""Read a returned form into a typed, validated :class:`~minicex_pdf.reading.record.Record`.

The file is read once (bytes -> SHA-256 and the walk), the form is identified by
its hidden identity fields (document metadata as the fallback, then its field
names), and each value is typed by the definition of that form's version. What
is wrong inside a readable form becomes :class:`~minicex_pdf.reading.record.Problem`
values; a file that is not a usable returned form raises a
:class:`~minicex_pdf.errors.FormReadError` subclass.

Example::

    record = read_form("returned/asa.pdf")
    record.status, record["level_overall"], [p.message["sv"] for p in record.problems]
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import DamagedPdfError, FormReadError, NotAFileError, NotMinicexError, UnknownVersionError
from ..form.definition import Field, FormDefinition, definitions
from ..form.keywords import parse_identity_keywords
from ..form.subgoals import catalogue
from ..limits import MAX_FILE_SIZE
from .budget import Budget, OverBudget
from .record import SEVERITY_TEXT, SIGNATURE_TEXT, STATUS_TEXT, Problem, Record, Source
from .signatures import SignaturePolicy, check_signatures, describe
from .validate import (
    check,
    is_empty_form,
    parse_date,
    parse_minutes,
    problem,
    regulation_field,
    specialty_field,
    status_of,
)
from .validate import subgoal_fields as _subgoal_fields
from .walker import FormScan, PdfField, check_header, reading, scan

DefinitionSource = Mapping[int, FormDefinition] | Callable[[int], FormDefinition | None] | None

#: Share of a definition's field names a file must have to be taken for that form without identity fields.
_NAME_MATCH = 0.8
_YES = {"yes", "ja", "on", "x", "true", "1"}


_FILE_KINDS = (
    (stat.S_ISDIR, "folder"),
    (stat.S_ISFIFO, "fifo"),
    (stat.S_ISCHR, "device"),
    (stat.S_ISBLK, "device"),
)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_file(path: str | Path) -> bytes:
    """The bytes of the file ``path``; FormReadError subclasses for anything that is not a returned form's file.

    Never blocks and never reads more than :data:`~minicex_pdf.limits.MAX_FILE_SIZE`
    + 1 bytes: the file is opened without waiting (a FIFO would wait for a
    writer for ever), refused unless it is a regular file (a FIFO, ``/dev/zero``,
    a folder), and its size checked before anything is read.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise FormReadError(path, exc.strerror or type(exc).__name__) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = next((name for test, name in _FILE_KINDS if test(info.st_mode)), "")
            raise NotAFileError(path, what)
        if info.st_size > MAX_FILE_SIZE:
            raise _too_large(path, info.st_size)
        with open(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_FILE_SIZE + 1)
    except OSError as exc:
        raise FormReadError(path, exc.strerror or type(exc).__name__) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_SIZE:  # it grew while being read
        raise _too_large(path, len(data))
    return data


def _too_large(path: str | Path, size: int) -> DamagedPdfError:
    return DamagedPdfError(path, f"{size // (1024 * 1024)} MB, larger than any form")


def _load(path: str | Path, data: bytes | None) -> bytes:
    return data if data is not None else read_file(path)


def read_raw(path: str | Path, *, data: bytes | None = None) -> dict[str, object]:
    """The decoded field map {pdf field name: value}: text with ``\\n`` newlines, checkbox bool, radio/choice export value."""
    return scan(_load(path, data), str(path)).raw()


def read_form(
    path: str | Path,
    *,
    data: bytes | None = None,
    definition_for: DefinitionSource = None,
    today: _dt.date | None = None,
    signatures: SignaturePolicy | None = None,
) -> Record:
    """Read one returned form into a validated record.

    ``data`` gives the file's bytes when the caller has them already (``path``
    then only names the file). ``definition_for`` maps a definition version to
    its :class:`FormDefinition` (a mapping or a callable returning None for an
    unknown version; default: every shipped definition). ``today`` is the date
    that "in the future" is measured from (default: the local date).
    ``signatures`` holds the trust anchors and whether the assessor must sign
    (default: no anchors, no requirement); signature fields are verified only
    when one holds a signature.
    Raises FormReadError subclasses for files that are not usable returned forms;
    the whole read has one CPU budget (:data:`~minicex_pdf.limits.READ_CPU_SECONDS`).
    """
    data = _load(path, data)
    check_header(data, str(path))
    known = _Known(definition_for)
    for definition in known.pool():  # loaded (once per process) before the budget starts: not the file's cost
        catalogue(definition)
    try:
        with reading() as budget:  # parsing, typing and checking alike: a huge text is checked in budget too
            record, found, definition = _read(str(path), data, known, budget, today)
    except OverBudget:
        raise DamagedPdfError(path, "reading it takes far longer than any form") from None
    # outside the read's budget: verifying a signature (pyHanko) has its own (limits.SIGNATURE_CPU_SECONDS)
    return _signed(record, data, found, definition, signatures or SignaturePolicy())


def _signed(
    record: Record, data: bytes, found: FormScan, definition: FormDefinition, policy: SignaturePolicy
) -> Record:
    """``record`` with a check per signature field of its version, and their problems."""
    checks, found_problems = check_signatures(data, definition, found, record.values, policy)
    if not found_problems:
        return dataclasses.replace(record, signatures=checks) if checks else record
    problems = _ordered(definition, [*record.problems, *found_problems])
    status = status_of(problems, empty=is_empty_form(definition, record.values))
    return dataclasses.replace(record, problems=tuple(problems), status=status, signatures=checks)


def _read(
    path: str, data: bytes, known: _Known, budget: Budget, today: _dt.date | None
) -> tuple[Record, FormScan, FormDefinition]:
    """The record of the form in ``data`` (its signatures not checked yet), the walk and its definition, within ``budget``."""
    found, definition, instance_id, problems = _scanned(data, path, known, budget)
    values, raw, typing_problems = _typed(definition, found)
    problems.extend(typing_problems)
    reg = regulation_field(definition)
    spec = specialty_field(definition)
    cat = catalogue(definition)
    goals: list[Any] = []
    unknown: list[str] = []
    for fld in _subgoal_fields(definition):
        g, u = cat.normalise(
            values.get(fld.name), values.get(reg.name) if reg else None, values.get(spec.name) if spec else None
        )
        goals.extend(x for x in g if x not in goals)
        unknown.extend(u)
    problems.extend(
        check(
            definition,
            values,
            today=today or _dt.date.today(),
            subgoals=tuple(goals),
            unknown_subgoals=tuple(unknown),
            unreadable=raw.keys(),
        )
    )
    problems = _ordered(definition, problems)
    record = Record(
        source=Source(
            path=path,
            sha256=found.sha256,
            size=found.size,
            form_id=definition.id,
            form_version=definition.version,
            instance_id=instance_id,
            earlier=found.earlier,
        ),
        values=values,
        subgoals=tuple(goals),
        problems=tuple(problems),
        status=status_of(problems, empty=is_empty_form(definition, values)),
        raw=raw,
    )
    return record, found, definition


def _scanned(
    data: bytes, path: str, known: _Known, budget: Budget
) -> tuple[FormScan, FormDefinition, str | None, list[Problem]]:
    """The form's fields (walked again with page widgets if its version needs fields the walk missed), and who it is."""
    pool = known.pool()
    common = set.intersection(*(set(d.pdf_names) for d in pool)) if pool else set()
    found = scan(data, path, expect=common, budget=budget)
    definition, instance_id, problems = _identify(found, known, path)
    if not found.pages_walked and any(n not in found.fields for n in definition.pdf_names):
        found = scan(data, path, expect=definition.pdf_names, budget=budget)  # fields of this version only
    return found, definition, instance_id, problems


# --------------------------------------------------------------------------- identity


class _Known:
    """The definitions a read may pick from, by version."""

    def __init__(self, source: DefinitionSource) -> None:
        self.source = source
        self.values: list[FormDefinition] = []
        if source is None:
            self.values = list(definitions().values())
        elif isinstance(source, Mapping):
            self.values = list(source.values())

    def get(self, version: int) -> FormDefinition | None:
        if self.source is None:
            return definitions().get(version)
        if isinstance(self.source, Mapping):
            return self.source.get(version)
        return self.source(version)

    def pool(self) -> list[FormDefinition]:
        """The definitions known up front (the shipped ones when a callable picks by version)."""
        return self.values or list(definitions().values())

    def ids(self) -> set[str]:
        return {d.id for d in self.pool()}

    def identity_names(self) -> list[tuple[str, str, str]]:
        return list(dict.fromkeys(d.identity.names for d in self.pool()))


def _identify(found: FormScan, known: _Known, path: str) -> tuple[FormDefinition, str | None, list[Problem]]:
    """Which definition the file was filled in: identity fields, then metadata, then field names."""
    for id_field, version_field, instance_field in known.identity_names():
        form_id = _text(found.fields.get(id_field))
        version = _text(found.fields.get(version_field))
        if form_id or version:
            instance = _text(found.fields.get(instance_field)) or None
            return _pick(known, form_id, version, path, (f"field {id_field}", f"field {version_field}")), instance, []
    meta = _metadata_identity(found.info)
    if meta.get("form-id") or meta.get("form-version"):
        where = ("the form id in the document keywords", "the form version in the document keywords")
        return (
            _pick(known, meta.get("form-id"), meta.get("form-version"), path, where),
            meta.get("instance-id") or None,
            [],
        )
    # the version whose field names the file has (most of them), with the fewest strangers
    best: tuple[float, int] | None = None
    chosen: FormDefinition | None = None
    for definition in known.pool():
        names = {n for f in definition.fields for n in f.pdf_names}
        names.update(f.name for f in definition.signature_fields)
        have = sum(n in found.fields for n in names)
        if have / max(1, len(names)) < _NAME_MATCH:
            continue
        score = (have / len(names | set(found.fields)), definition.version)
        if best is None or score > best:
            best, chosen = score, definition
    if chosen is None:
        raise NotMinicexError(path)
    return chosen, None, [problem("identity_missing", version=chosen.version)]


def _metadata_identity(info: Mapping[str, str]) -> dict[str, str]:
    keywords = info.get("Keywords")
    if not keywords or "minicex" not in keywords:
        return {}
    return parse_identity_keywords(keywords)


def _pick(known: _Known, form_id: str | None, version: str | None, path: str, where: tuple[str, str]) -> FormDefinition:
    """The definition a form id and version name; ``where`` names the field (or metadata) each came from.

    Messages name where the value is, never the value (it is what the sender typed or saved).
    """
    if form_id and form_id not in known.ids():
        raise NotMinicexError(path, f"{where[0]} names another form")
    try:
        number = int((version or "").strip())
    except ValueError:
        raise UnknownVersionError(path, f"{where[1]} is not a version number") from None
    definition = known.get(number)
    if definition is None:
        raise UnknownVersionError(path, f"version {number}")
    return definition


def _text(pf: PdfField | None) -> str:
    if pf is None:
        return ""
    return (pf.text or "").strip()


# --------------------------------------------------------------------------- typing


def _typed(definition: FormDefinition, found: FormScan) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """Each definition field's value typed, the untypeable ones as raw text, and the problems of typing."""
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    problems: list[Problem] = []
    for fld in definition.fields:
        pdf = [found.fields.get(n) for n in fld.pdf_names]
        if all(p is None for p in pdf):
            problems.append(problem("field_missing", fld))
            values[fld.name] = _empty_value(fld)
            continue
        if any(p is not None and p.conflict for p in pdf):
            problems.append(problem("value_conflict", fld))
        if fld.type == "multichoice":
            values[fld.name] = tuple(
                o.code for o, p in zip(fld.options, pdf, strict=True) if p is not None and _checked(p)
            )
            continue
        pf = pdf[0]
        assert pf is not None
        if fld.type == "checkbox":
            values[fld.name] = _checked(pf)
            continue
        if fld.type in ("choice", "level"):
            text = pf.selected if pf.ftype == "Btn" else _clean(pf.text)
            code = _option_code(fld, text)
            if code is None and fld.type == "level" and text and definition.level(text.strip()) is not None:
                code = text.strip()  # a step this field leaves out (overall: "not observed"): the check names it
            values[fld.name] = code
            if text and code is None:
                raw[fld.name] = text
                problems.append(problem("option_unknown", fld))
            continue
        text = _clean(pf.text, multiline=fld.type == "multiline")
        if text is None:
            values[fld.name] = None
        elif fld.type == "date":
            values[fld.name] = parse_date(text)
            if values[fld.name] is None:
                raw[fld.name] = text
                problems.append(problem("date_unreadable", fld))
        elif fld.type == "integer":
            values[fld.name] = parse_minutes(text)
            if values[fld.name] is None:
                raw[fld.name] = text
                problems.append(problem("integer_unreadable", fld))
        else:
            values[fld.name] = text
    return values, raw, problems


def _empty_value(fld: Field) -> Any:
    return False if fld.type == "checkbox" else () if fld.type == "multichoice" else None


def _checked(pf: PdfField) -> bool:
    if pf.ftype == "Btn":
        return pf.checked
    return (pf.text or "").strip().casefold() in _YES


def _clean(text: str | None, multiline: bool = False) -> str | None:
    """Text with trailing spaces off each line and outer blank lines removed; None when empty."""
    if text is None:
        return None
    if multiline:
        lines = [line.rstrip() for line in text.split("\n")]
        text = "\n".join(lines).strip("\n")
        text = text if text.strip() else ""
    else:
        text = text.strip()
    return text or None


def _option_code(fld: Field, text: str | None) -> str | None:
    """The option code written as ``text``: the code itself, or (from a list box) a label."""
    if not text:
        return None
    if fld.option(text) is not None:
        return text
    folded = text.strip().casefold()
    for option in fld.options:
        if folded in (option.code.casefold(), option.label.sv.casefold(), option.label.en.casefold()):
            return option.code
    return None


def _ordered(definition: FormDefinition, problems: list[Problem]) -> list[Problem]:
    """Problems in the form's reading order, the form-wide ones first."""
    order = {f.name: i for i, f in enumerate(definition.fields)}
    return sorted(problems, key=lambda p: -1 if p.field is None else order.get(p.field, len(order)))


# --------------------------------------------------------------------------- output for people and scripts


def record_json(record: Record, lang: str | None = None) -> dict[str, Any]:
    """The record as JSON-ready data; with ``lang``, each problem's message in that language only."""
    out = record.to_dict()
    if lang is not None:
        for item in out["problems"]:
            item["message"] = item["message"][lang]
    out["status_text"] = STATUS_TEXT[record.status][lang or "en"]
    for item in out.get("signatures", ()):
        item["state_text"] = SIGNATURE_TEXT[item["state"]][lang or "en"]
    return out


def record_text(record: Record, lang: str = "sv", definition_for: DefinitionSource = None) -> str:
    """The record as lines for people: source, status, each field by its label, then the problems."""
    definition = _Known(definition_for).get(record.source.form_version)
    lines = [
        f"{record.source.path}",
        f"  sha256 {record.source.sha256}  {record.source.form_id} v{record.source.form_version}"
        + (f"  {record.source.instance_id}" if record.source.instance_id else ""),
        f"  status: {STATUS_TEXT[record.status][lang]}",
        "",
    ]
    fields = definition.fields if definition is not None else ()
    width = max((len(f.title[lang]) for f in fields), default=0)
    for fld in fields:
        value = record.values.get(fld.name)
        shown = _shown(fld, value, lang, record.raw.get(fld.name))
        first, *rest = shown.split("\n") if shown else [""]
        lines.append(f"  {fld.title[lang]:<{width}}  {first}")
        lines.extend(f"  {'':<{width}}  {line}" for line in rest)
    if record.subgoals:
        lines += [
            "",
            "  " + ("Delmål: " if lang == "sv" else "Sub-goals: ") + ", ".join(g.code for g in record.subgoals),
        ]
    if record.signatures:
        lines += ["", "  " + ("Digitala underskrifter:" if lang == "sv" else "Digital signatures:")]
        labels = (
            {f.name: f.label[lang] for sec in definition.sections for f in sec.fields} if definition is not None else {}
        )
        lines.extend(f"  - {labels.get(s.field, s.field)}: {describe(s, lang, labels)}" for s in record.signatures)
    if record.problems:
        lines += ["", "  " + ("Problem:" if lang == "sv" else "Problems:")]
        lines.extend(f"  - [{SEVERITY_TEXT[p.severity][lang]}] {p.message[lang]}  ({p.code})" for p in record.problems)
    return "\n".join(lines)


def _shown(fld: Field, value: Any, lang: str, raw: str | None) -> str:
    if raw is not None:
        return f"{raw} (?)"
    if value is None or value == ():
        return "–"
    if isinstance(value, bool):
        return ("ja" if value else "nej") if lang == "sv" else ("yes" if value else "no")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if fld.type in ("choice", "level", "multichoice"):
        codes = value if isinstance(value, tuple) else (value,)
        shown = []
        for code in codes:
            option = fld.option(code)
            label = option.label[lang] if option else code
            # a level's code is its step on the scale (1-4): worth showing beside the label
            shown.append(f"{label} ({code})" if fld.type == "level" and code[:1].isdigit() else label)
        return ", ".join(shown)
    return str(value)
