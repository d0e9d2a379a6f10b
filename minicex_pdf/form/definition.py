"""The form definition: the mini-CEX instrument as typed, self-checking data.

Definitions live in ``forms/minicex-<version>.toml``. Every released version is
kept so that forms filled in an old one still read. Both the generator and the
reader are driven by a :class:`FormDefinition`; no field name, label or option
is written anywhere else.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ..errors import DefinitionError

Lang = Literal["sv", "en"]
LANGS: tuple[Lang, ...] = ("sv", "en")
#: Language variants of a generated form: both (Swedish first) or one.
FORM_LANGS = ("sv+en", "sv", "en")

FIELD_TYPES = ("text", "multiline", "date", "integer", "checkbox", "choice", "multichoice", "level", "signature")
#: Who fills a field in: the assessor (default) or, afterwards, the trainee. A
#: signature field locks the fields of its own part when signed.
PARTS = ("assessor", "trainee")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CODE = re.compile(r"^[A-Za-z0-9_]+$")
_FILE = re.compile(r"^minicex-(\d+)\.toml$")

#: Roles (``[roles]`` in a definition): the field type each must have. ``feedback``
#: names one or more fields; ``personal_supervisor`` is an option of ``assessor_role``.
ROLES: dict[str, tuple[str, ...]] = {
    "trainee": ("text",),
    "specialty": ("text",),
    "supervisor": ("text",),
    "date": ("date",),
    "assessor": ("text",),
    "assessor_role": ("choice",),
    "complexity": ("choice",),
    "complicated": ("checkbox",),
    "focus": ("multichoice",),
    "setting": ("choice",),
    "regulation": ("choice",),
    "subgoals": ("text", "multiline"),
    "feedback": ("text", "multiline"),
    "action_plan": ("text", "multiline"),
    "assessor_part": FIELD_TYPES,
}

#: Roles a definition may name (version 2 on); code that asks for one checks
#: :meth:`FormDefinition.has_role` first, so older versions read as before.
OPTIONAL_ROLES: dict[str, tuple[str, ...]] = {
    "overall": ("level",),
    "assessor_trained": ("checkbox",),
    "times_seen": ("integer",),
    "confirmed_at": ("date",),
    "return_to": ("text",),
    "assessor_signature": ("signature",),
    "trainee_signature": ("signature",),
}


def split_langs(form_lang: str) -> tuple[Lang, ...]:
    """The languages of a form variant: ``"sv+en"`` -> ``("sv", "en")``."""
    if form_lang not in FORM_LANGS:
        raise DefinitionError(f"unknown language {form_lang!r}: use one of {', '.join(FORM_LANGS)}")
    return tuple(lang for lang in LANGS if lang in form_lang.split("+"))


@dataclass(frozen=True)
class Text:
    """A text in Swedish and English."""

    sv: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv

    def joined(self, langs: tuple[Lang, ...], sep: str = " / ") -> str:
        """The text in each of ``langs``, joined (Swedish first)."""
        return sep.join(dict.fromkeys(self[lang] for lang in langs))


@dataclass(frozen=True)
class Option:
    """One option of a choice: a stable ASCII code and its label."""

    code: str
    label: Text


@dataclass(frozen=True)
class Level:
    """One step of the entrustment scale; ``rank`` orders steps, never averages them."""

    code: str
    rank: int
    label: Text
    definition: Text
    confirm: bool = False


@dataclass(frozen=True)
class Area:
    """A rated area (history taking, ...), with its positive indicators."""

    code: str
    label: Text
    indicators: Text
    focus: bool


@dataclass(frozen=True)
class Regulation:
    """A sub-goal regulation: option code and its name in ``subgoals.json``."""

    code: str
    name: str
    label: Text


@dataclass(frozen=True)
class Field:
    """One field of the form, as the definition declares it."""

    name: str
    type: str
    label: Text
    tooltip: Text
    section: str
    required: bool = False
    width: float = 1.0
    lines: int = 1
    options: tuple[Option, ...] = ()
    prefill: str | None = None
    area: str | None = None
    norm: tuple[int, int] | None = None
    limit: tuple[int, int] | None = None
    signature: bool = False
    part: str = "assessor"
    label_below: bool = False
    #: The field's name in records, exports and messages where the page label alone is ambiguous
    #: (two "Datum" boxes in the signature block); the page label otherwise.
    record_label: Text | None = None

    @property
    def title(self) -> Text:
        """What records, exports and problem messages call the field."""
        return self.record_label or self.label

    @property
    def is_button(self) -> bool:
        """Filled by ticking (checkbox, radio) rather than typing."""
        return self.type in ("checkbox", "choice", "multichoice", "level")

    def option_field(self, code: str) -> str:
        """The PDF field name of one option of a multichoice field (one checkbox each)."""
        return f"{self.name}_{code}"

    @property
    def pdf_names(self) -> tuple[str, ...]:
        """The names of the PDF fields that hold this field's value."""
        if self.type == "multichoice":
            return tuple(self.option_field(o.code) for o in self.options)
        return (self.name,)

    def option(self, code: str) -> Option | None:
        """The option with ``code``, or None."""
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Section:
    """A section of the form (A. Details, ...)."""

    code: str
    title: Text
    note: Text | None
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Identity:
    """Names of the hidden fields that say which form a file is."""

    form_id_field: str
    version_field: str
    instance_field: str

    @property
    def names(self) -> tuple[str, str, str]:
        return (self.form_id_field, self.version_field, self.instance_field)


@dataclass(frozen=True)
class FormDefinition:
    """A whole version of the instrument."""

    id: str
    version: int
    released: _dt.date
    title: Text
    subtitle: Text
    privacy: Text
    identity: Identity
    scale_title: Text
    scale_note: Text
    levels: tuple[Level, ...]
    areas: tuple[Area, ...]
    regulations: tuple[Regulation, ...]
    instructions_title: Text
    instructions: tuple[Text, ...]
    sections: tuple[Section, ...]
    source: str = ""
    #: Roster headers in Swedish: (prefill key, Swedish column header) pairs.
    roster_headers_sv: tuple[tuple[str, str], ...] = ()
    #: Other headers people give a roster column: (prefill key, (header, ...)) pairs.
    roster_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Headers of a first-name and a last-name column that together make the name: ((first...), (last...)).
    roster_name_parts: tuple[tuple[str, ...], ...] = ()
    #: Role name -> the names of the fields that play it (see :data:`ROLES`).
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The ``assessor_role`` option code that means the personal supervisor.
    personal_supervisor: str = ""
    #: The key to the asterisk by required labels ("* = obligatoriskt / required"); version 2 on.
    required_key: Text | None = None

    _by_name: dict[str, Field] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # a dict of its own: dataclasses.replace() must not share (and overwrite) the original's
        object.__setattr__(self, "_by_name", {f.name: f for s in self.sections for f in s.fields})

    @property
    def fields(self) -> tuple[Field, ...]:
        """Every field that holds a value, in reading order (signature fields are apart)."""
        return tuple(f for s in self.sections for f in s.fields if f.type != "signature")

    @property
    def signature_fields(self) -> tuple[Field, ...]:
        """The digital signature fields (PDF ``/FT /Sig``), in reading order; none before version 2."""
        return tuple(f for s in self.sections for f in s.fields if f.type == "signature")

    def has_role(self, name: str) -> bool:
        """Whether this version names a field for role ``name`` (optional roles came later)."""
        return name in self.roles

    def part_fields(self, part: str) -> tuple[Field, ...]:
        """The value fields of ``part`` (``assessor`` or ``trainee``), in reading order."""
        return tuple(f for f in self.fields if f.part == part)

    def lock_names(self, signature: Field) -> tuple[str, ...]:
        """The PDF field names the ``signature`` field locks when signed (its ``/Lock /Fields``).

        The trainee's signature locks the trainee's part (``part = "trainee"``: the
        action plan, the trainee's printed name and date). The assessor's locks the
        rest: every field of the ``assessor_part`` role, the pre-filled fields that say
        whose assessment it is (trainee, specialty, ...) and the hidden identity fields,
        so that nothing but the action plan can change after the assessor has signed.
        The definition checks that ``assessor_part`` and ``action_plan`` fall in the
        right lock; no list is written out a second time.
        """
        names = tuple(n for f in self.part_fields(signature.part) for n in f.pdf_names)
        return names + (self.identity.names if signature.part == "assessor" else ())

    def field(self, name: str) -> Field:
        """The field called ``name`` (KeyError if none)."""
        return self._by_name[name]

    def role(self, name: str) -> Field:
        """The field that plays role ``name`` (the first, for a role of several fields)."""
        return self.role_fields(name)[0]

    def role_fields(self, name: str) -> tuple[Field, ...]:
        """Every field that plays role ``name`` (KeyError for an unknown role)."""
        return tuple(self._by_name[n] for n in self.roles[name])

    def level(self, code: str) -> Level | None:
        """The scale step with ``code``, or None."""
        return next((lv for lv in self.levels if lv.code == code), None)

    def area(self, code: str) -> Area:
        """The area with ``code`` (KeyError if none)."""
        for a in self.areas:
            if a.code == code:
                return a
        raise KeyError(code)

    def overall_field(self) -> Field:
        """The level field of the activity as a whole: the ``overall`` role, or (version 1) the area not offered as a focus."""
        if self.has_role("overall"):
            return self.role("overall")
        whole = [f for f in self.level_fields() if not self.area(f.area or "").focus]
        return whole[0] if len(whole) == 1 else self.role("overall")

    def level_fields(self) -> Iterator[Field]:
        """The level fields, one per area, in reading order."""
        return (f for f in self.fields if f.type == "level")

    @property
    def pdf_names(self) -> tuple[str, ...]:
        """Every PDF field name the form has, identity fields included."""
        return tuple(n for f in self.fields for n in f.pdf_names) + self.identity.names


# --------------------------------------------------------------------------- loading


class _Entry:
    """A path into the TOML document, for error messages that name the entry (and the field it is in)."""

    def __init__(self, source: str, path: str, data: Any, field: str = "") -> None:
        self.source, self.path, self.data, self.field = source, path, data, field

    def fail(self, what: str) -> DefinitionError:
        where = f" field {self.field!r} ({self.path}):" if self.field else f" {self.path}:" if self.path else ""
        return DefinitionError(f"{self.source}:{where} {what}")

    def named(self, field: str) -> _Entry:
        """This entry, as the entry of the field called ``field`` (messages name it)."""
        return _Entry(self.source, self.path, self.data, field)

    def child(self, key: str | int) -> _Entry:
        data = self.data
        if isinstance(key, int):
            return _Entry(self.source, f"{self.path}[{key}]", data[key], self.field)
        if not isinstance(data, Mapping) or key not in data:
            raise self.fail(f"missing {key!r}")
        return _Entry(self.source, f"{self.path}.{key}" if self.path else key, data[key], self.field)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if isinstance(self.data, Mapping) else default

    def items(self, key: str) -> list[_Entry]:
        entry = self.child(key)
        if not isinstance(entry.data, list) or not entry.data:
            raise entry.fail("must be a non-empty list")
        return [entry.child(i) for i in range(len(entry.data))]

    def text(self, key: str, optional: bool = False) -> Text:
        if optional and key not in (self.data or {}):
            return None  # type: ignore[return-value]
        return self.child(key).as_text()

    def as_text(self) -> Text:
        value = self.data
        if not isinstance(value, Mapping):
            raise self.fail("must be a table with sv and en")
        for lang in LANGS:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                raise self.fail(f"has no {lang} text")
            try:
                value[lang].encode("cp1252")
            except UnicodeEncodeError as exc:
                bad = value[lang][exc.start]
                raise self.fail(f"{lang} text has {bad!r}, which the form's fonts cannot show") from None
        extra = set(value) - set(LANGS)
        if extra:
            raise self.fail(f"unknown language {sorted(extra)[0]!r}")
        return Text(sv=value["sv"], en=value["en"])

    def string(self, key: str, pattern: re.Pattern[str] | None = None) -> str:
        entry = self.child(key)
        if not isinstance(entry.data, str) or not entry.data:
            raise entry.fail("must be a non-empty string")
        if pattern and not pattern.match(entry.data):
            raise entry.fail(f"{entry.data!r} must be ASCII letters, digits and _ (no dots or spaces)")
        return entry.data


def _options(entry: _Entry, name: str) -> tuple[Option, ...]:
    opts = tuple(Option(code=o.string("code", _CODE), label=o.text("label")) for o in entry.items("options"))
    codes = [o.code for o in opts]
    if len(set(codes)) != len(codes):
        raise entry.fail("repeats an option code")
    return opts


def _pair(entry: _Entry, key: str) -> tuple[int, int] | None:
    value = entry.get(key)
    if value is None:
        return None
    if (
        not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value))
        or value[0] > value[1]
    ):
        raise entry.child(key).fail("must be [low, high] whole numbers")
    return (value[0], value[1])


def _part(entry: _Entry, default: str) -> str:
    part = entry.get("part", default)
    if part not in PARTS:
        raise entry.child("part").fail(f"{part!r} is not one of {', '.join(PARTS)}")
    return str(part)


def _field(
    entry: _Entry,
    section: str,
    areas: dict[str, Area],
    regulations: tuple[Regulation, ...],
    levels: tuple[Level, ...],
    part: str = "assessor",
) -> Field:
    name = entry.string("name", _NAME)
    entry = entry.named(name)
    ftype = entry.string("type")
    if ftype not in FIELD_TYPES:
        raise entry.child("type").fail(f"{ftype!r} is not one of {', '.join(FIELD_TYPES)}")
    area = None
    options: tuple[Option, ...] = ()
    if ftype == "level":
        code = entry.string("area")
        if code not in areas:
            raise entry.child("area").fail(f"no area {code!r}")
        area = code
        label = entry.text("label") if "label" in entry.data else areas[code].label
        tooltip = entry.text("tooltip") if "tooltip" in entry.data else areas[code].label
        exclude = entry.get("exclude", [])
        if not isinstance(exclude, list) or any(code not in {lv.code for lv in levels} for code in exclude):
            raise entry.child("exclude").fail("must list codes of the scale's levels")
        options = tuple(Option(lv.code, lv.label) for lv in levels if lv.code not in exclude)
    else:
        label, tooltip = entry.text("label"), entry.text("tooltip")
    source = entry.get("options_from")
    if ftype in ("choice", "multichoice"):
        if source == "areas":
            options = tuple(Option(a.code, a.label) for a in areas.values() if a.focus)
        elif source == "regulations":
            options = tuple(Option(r.code, r.label) for r in regulations)
        elif source is not None:
            raise entry.child("options_from").fail(f"{source!r} is not areas or regulations")
        else:
            options = _options(entry, name)
        if ftype == "choice" and len(options) < 2:
            raise entry.fail("a choice needs at least two options")
    elif "options" in entry.data or source:
        raise entry.fail(f"a {ftype} field has no options")
    if "exclude" in entry.data and ftype != "level":
        raise entry.child("exclude").fail("only a level field can leave out steps of the scale")
    width = entry.get("width", 1.0)
    if not isinstance(width, (int, float)) or not 0 < width <= 1:
        raise entry.child("width").fail("must be a share of the row, above 0 and at most 1")
    lines = entry.get("lines", 1)
    if not isinstance(lines, int) or lines < 1 or (lines > 1 and ftype != "multiline"):
        raise entry.child("lines").fail("only a multiline field has more than one line")
    return Field(
        name=name,
        type=ftype,
        label=label,
        tooltip=tooltip,
        section=section,
        required=bool(entry.get("required", False)),
        width=float(width),
        lines=lines if ftype == "multiline" else 1,
        options=options,
        prefill=entry.get("prefill"),
        area=area,
        norm=_pair(entry, "norm"),
        limit=_pair(entry, "limit"),
        signature=bool(entry.get("signature", False)),
        part=_part(entry, part),
        label_below=bool(entry.get("label_below", False)),
        record_label=entry.text("record_label", optional=True),
    )


def parse_definition(data: Mapping[str, Any], source: str = "<definition>") -> FormDefinition:
    """Build and check a definition from parsed TOML; DefinitionError names a broken entry."""
    root = _Entry(source, "", data)
    form = root.child("form")
    version = form.get("version")
    if not isinstance(version, int) or version < 1:
        raise form.child("version").fail("must be a whole number from 1")
    released = form.get("released")
    if not isinstance(released, _dt.date):
        raise form.child("released").fail("must be a date")
    ident = root.child("identity")
    identity = Identity(*(ident.string(k, _NAME) for k in ("form_id_field", "version_field", "instance_field")))
    scale = root.child("scale")
    levels = tuple(
        Level(
            code=lv.string("code", _CODE),
            rank=lv.get("rank"),
            label=lv.text("label"),
            definition=lv.text("definition"),
            confirm=bool(lv.get("confirm", False)),
        )
        for lv in scale.items("levels")
    )
    if [lv.rank for lv in levels] != list(range(len(levels))):
        raise scale.child("levels").fail("ranks must run 0, 1, 2, ... in order")
    areas = {
        a.string("code", _CODE): Area(
            a.string("code", _CODE), a.text("label"), a.text("indicators"), bool(a.get("focus", True))
        )
        for a in root.items("areas")
    }
    if len(areas) != len(root.child("areas").data):
        raise root.child("areas").fail("repeats an area code")
    regulations = tuple(
        Regulation(r.string("code", _CODE), r.string("name"), r.text("label")) for r in root.items("regulations")
    )
    sections = []
    for s in root.items("sections"):
        code = s.string("code", _CODE)
        part = _part(s, "assessor")
        fields = tuple(_field(f, code, areas, regulations, levels, part) for f in s.items("fields"))
        sections.append(Section(code=code, title=s.text("title"), note=s.text("note", optional=True), fields=fields))
    instr = root.child("instructions")
    _check_unique(root, [n for s in sections for f in s.fields for n in f.pdf_names] + list(identity.names))
    definition = FormDefinition(
        id=form.string("id", re.compile(r"^[A-Za-z0-9_-]+$")),
        version=version,
        released=released,
        title=form.text("title"),
        subtitle=form.text("subtitle"),
        privacy=form.text("privacy"),
        identity=identity,
        scale_title=scale.text("title"),
        scale_note=scale.text("note"),
        levels=levels,
        areas=tuple(areas.values()),
        regulations=regulations,
        instructions_title=instr.text("title"),
        instructions=tuple(p.as_text() for p in instr.items("paragraphs")),
        sections=tuple(sections),
        source=source,
        roster_headers_sv=_roster_headers(root, sections),
        roster_aliases=_roster_aliases(root, sections),
        roster_name_parts=_roster_name_parts(root),
        required_key=form.text("required_key", optional=True),
        **_roles(root, sections),
    )
    _check_areas(root, definition)
    _check_parts(root, definition)
    return definition


def _roster_headers(root: _Entry, sections: list[Section]) -> tuple[tuple[str, str], ...]:
    """The optional ``[roster] headers_sv`` table: one Swedish header per prefill key."""
    if "roster" not in root.data:
        return ()
    entry = root.child("roster").child("headers_sv")
    if not isinstance(entry.data, Mapping):
        raise entry.fail("must be a table of prefill key = Swedish header")
    keys = [f.prefill for s in sections for f in s.fields if f.prefill]
    unknown = [k for k in entry.data if k not in keys]
    missing = [k for k in keys if k not in entry.data]
    if unknown or missing:
        raise entry.fail(f"keys must be the fields' prefill keys (unknown {unknown}, missing {missing})")
    for key, header in entry.data.items():
        if not isinstance(header, str) or not header.strip():
            raise entry.child(key).fail("must be a non-empty string")
    return tuple((k, entry.data[k]) for k in keys)


def _strings(entry: _Entry) -> tuple[str, ...]:
    """A list of non-empty strings."""
    if not isinstance(entry.data, list) or not all(isinstance(h, str) and h.strip() for h in entry.data):
        raise entry.fail("must be a list of non-empty strings")
    return tuple(entry.data)


def _roster_aliases(root: _Entry, sections: list[Section]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The optional ``[roster] aliases`` table: prefill key = [other headers]."""
    if "aliases" not in root.data.get("roster", {}):
        return ()
    entry = root.child("roster").child("aliases")
    if not isinstance(entry.data, Mapping):
        raise entry.fail("must be a table of prefill key = [headers]")
    keys = [f.prefill for s in sections for f in s.fields if f.prefill]
    unknown = [k for k in entry.data if k not in keys]
    if unknown:
        raise entry.fail(f"keys must be the fields' prefill keys (unknown {unknown})")
    return tuple((k, _strings(entry.child(k))) for k in keys if k in entry.data)


def _roster_name_parts(root: _Entry) -> tuple[tuple[str, ...], ...]:
    """The optional ``[roster] name_parts``: [[first-name headers], [last-name headers]]."""
    if "name_parts" not in root.data.get("roster", {}):
        return ()
    entry = root.child("roster").child("name_parts")
    if not isinstance(entry.data, list) or len(entry.data) != 2:
        raise entry.fail("must be two lists: first-name headers, last-name headers")
    return (_strings(entry.child(0)), _strings(entry.child(1)))


def _roles(root: _Entry, sections: list[Section]) -> dict[str, Any]:
    """The ``[roles]`` table: each role of :data:`ROLES` names existing fields of the right type."""
    entry = root.child("roles")
    by_name = {f.name: f for s in sections for f in s.fields}
    roles: dict[str, tuple[str, ...]] = {}
    for role, types in ROLES.items():
        value = entry.child(role).data
        names = tuple(value) if isinstance(value, list) else (value,)
        if not names or not all(isinstance(n, str) for n in names):
            raise entry.child(role).fail("must name a field, or a list of fields")
        for name in names:
            if name not in by_name:
                raise entry.child(role).fail(f"no field {name!r}")
            if by_name[name].type not in types:
                raise entry.child(role).fail(f"{name!r} is a {by_name[name].type} field, not {' or '.join(types)}")
        roles[role] = names
    for role, types in OPTIONAL_ROLES.items():
        value = entry.get(role)
        if value is None:
            continue
        if not isinstance(value, str) or value not in by_name:
            raise entry.child(role).fail(f"no field {value!r}")
        if by_name[value].type not in types:
            raise entry.child(role).fail(f"{value!r} is a {by_name[value].type} field, not {' or '.join(types)}")
        roles[role] = (value,)
    supervisor = entry.string("personal_supervisor")
    if by_name[roles["assessor_role"][0]].option(supervisor) is None:
        raise entry.child("personal_supervisor").fail(
            f"{supervisor!r} is not an option of {roles['assessor_role'][0]!r}"
        )
    unknown = set(entry.data) - set(ROLES) - set(OPTIONAL_ROLES) - {"personal_supervisor"}
    if unknown:
        raise entry.fail(f"unknown role {sorted(unknown)[0]!r}")
    return {"roles": roles, "personal_supervisor": supervisor}


def _check_unique(root: _Entry, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise root.fail(f"field name {name!r} is used twice")
        seen.add(name)


def _check_parts(root: _Entry, definition: FormDefinition) -> None:
    """Signature fields sign their own part: one per part at most, the action plan the trainee's, the rest the assessor's."""
    signers = [f.part for f in definition.signature_fields]
    if len(signers) != len(set(signers)):
        raise root.fail("one signature field per part (assessor, trainee) at most")
    for role in ("assessor_signature", "trainee_signature"):
        if definition.has_role(role) and definition.role(role).part != role.split("_")[0]:
            raise (
                root.child("roles").child(role).fail(f"must name a signature field of the {role.split('_')[0]}'s part")
            )
    wrong = [f.name for f in definition.role_fields("action_plan") if f.part != "trainee"] + [
        f.name
        for r in ("assessor_part", "trainee", "date", "assessor", "feedback")
        for f in definition.role_fields(r)
        if f.part != "assessor"
    ]
    if definition.signature_fields and wrong:
        raise root.fail(f"field {wrong[0]!r} is in the wrong part for its signature's lock")


def _check_areas(root: _Entry, definition: FormDefinition) -> None:
    rated = [f.area for f in definition.level_fields()]
    missing = [a.code for a in definition.areas if a.code not in rated]
    if missing or len(rated) != len(set(rated)):
        raise root.fail(f"every area needs exactly one level field (check {', '.join(missing) or 'duplicates'})")


# --------------------------------------------------------------------------- the shipped definitions


def forms_dir() -> Path:
    """The folder that holds the shipped definitions, blanks and sub-goal data.

    In a source checkout that is the ``forms/`` folder beside this package, even
    when an editable install of another checkout (a git worktree) also maps
    ``minicex_pdf.forms``; installed, it is the package ``minicex_pdf.forms``.
    """
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "forms" / "__init__.py").is_file():
        return checkout / "forms"
    return Path(str(resources.files("minicex_pdf.forms")))


def load_file(path: str | Path) -> FormDefinition:
    """Load and check one definition file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{path.name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise DefinitionError(f"{path}: cannot be read: {exc.strerror}") from None
    definition = parse_definition(data, source=path.name)
    match = _FILE.match(path.name)
    if match and int(match.group(1)) != definition.version:
        raise DefinitionError(f"{path.name}: form.version is {definition.version}, the file name says {match.group(1)}")
    return definition


@functools.cache
def definitions() -> dict[int, FormDefinition]:
    """Every shipped definition by version, oldest first."""
    found = sorted((int(m.group(1)), p) for p in forms_dir().iterdir() if (m := _FILE.match(p.name)))
    if not found:
        raise DefinitionError(f"no form definitions in {forms_dir()}")
    return {version: load_file(path) for version, path in found}


def load_definition(version: int | None = None) -> FormDefinition:
    """The shipped definition of ``version``, or the newest."""
    known = definitions()
    if version is None:
        return known[max(known)]
    try:
        return known[version]
    except KeyError:
        raise DefinitionError(f"no form definition version {version} (known: {', '.join(map(str, known))})") from None
