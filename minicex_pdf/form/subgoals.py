"""The sub-goal (delmål) catalogue: codes and titles per regulation and specialty.

The data is ``forms/subgoals.json`` (shipped as package data). Regulations are
named here by the definition's option codes (``hslf2021``, ``sosfs2015``); the
definition maps each code to its name in the JSON (``HSLF-FS 2021:8``).

Usage::

    cat = catalogue()
    cat.codes("hslf2021", "Allmänmedicin")      # ('STa1', ..., 'STc15')
    cat.title("STc4", "hslf2021", "Allmänmedicin")  # 'Folksjukdomar'
    cat.normalise("sta1, STb 1; STc1–STc3", "hslf2021")
    # -> ((SubGoal('STa1', 'hslf2021'), ...), ())  and the tokens it did not know
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import DefinitionError
from ..reading.record import SubGoal
from .definition import FormDefinition, forms_dir, load_definition

#: One sub-goal code as people write it: optional "ST", letter a/b/c, number; a range to a second one.
_CODE = r"(?P<st{n}>s\s?t\s?)?(?P<letter{n}>[abc])\s?(?P<num{n}>\d{{1,3}})"
_TOKEN = re.compile(
    r"(?<![0-9a-zåäö])" + _CODE.format(n=1) + r"(?:\s*[-–—]\s*(?:" + _CODE.format(n=2) + r"|(?P<num3>\d{1,3})))?"
    r"(?![0-9a-zåäö])",
    re.IGNORECASE,
)
#: What may stand between codes: punctuation and the words "and"/"och"/"samt".
_SEPARATORS = re.compile(r"(?:[\s,;/&+.:()\[\]]|\b(?:och|samt|and)\b)+", re.IGNORECASE)
_MAX_RANGE = 30


def _key(text: str) -> str:
    """A comparison key for specialty names: letters and digits only, any case ("Öron-, näs- och hals-
    sjukdomar" = "öron näs och halssjukdomar"), "&" read as "och"."""
    text = unicodedata.normalize("NFC", text).casefold().replace("&", "och")
    return re.sub(r"[\W_]+", "", text)


@dataclass(frozen=True)
class RegulationGoals:
    """The sub-goals of one regulation: common ones and each specialty's own."""

    code: str
    name: str
    prefix: str
    common: tuple[tuple[str, str], ...]
    specialties: dict[str, tuple[tuple[str, str], ...]] = field(compare=False)


class Catalogue:
    """Sub-goal codes and titles for each regulation of a definition."""

    def __init__(self, data: dict, definition: FormDefinition) -> None:
        regs = data.get("regulations")
        if not isinstance(regs, dict):
            raise DefinitionError("subgoals.json: no 'regulations' table")
        self._regs: dict[str, RegulationGoals] = {}
        for reg in definition.regulations:
            entry = regs.get(reg.name)
            if not isinstance(entry, dict):
                raise DefinitionError(f"subgoals.json: no regulation {reg.name!r}")
            common = tuple((str(c), str(t)) for c, t in entry.get("common", ()))
            specialties = {
                str(name): tuple((str(c), str(t)) for c, t in goals)
                for name, goals in entry.get("specialties", {}).items()
            }
            codes = [c for c, _ in common]
            prefix = "ST" if codes and all(c.startswith("ST") for c in codes) else ""
            self._regs[reg.code] = RegulationGoals(reg.code, reg.name, prefix, common, specialties)
        self._specialty_keys = {_key(name): name for r in self._regs.values() for name in r.specialties}
        short = data.get("short_forms", {})
        for text, name in short.items():
            if text.startswith("_"):
                continue
            if _key(name) not in self._specialty_keys:
                raise DefinitionError(f"subgoals.json: short form {text!r} names no specialty ({name!r})")
            self._specialty_keys.setdefault(_key(text), name)

    # ------------------------------------------------------------------ lookups

    @property
    def regulations(self) -> tuple[str, ...]:
        """The regulation option codes, as the definition orders them."""
        return tuple(self._regs)

    def regulation(self, code: str) -> RegulationGoals:
        """The regulation with option code ``code`` (KeyError if none)."""
        return self._regs[code]

    def specialties(self, regulation: str) -> tuple[str, ...]:
        """The specialties with their own sub-goals under ``regulation``."""
        return tuple(self._regs[regulation].specialties)

    def specialty(self, text: str | None) -> str | None:
        """The catalogue's name of the specialty written as ``text``, or None."""
        return self._specialty_keys.get(_key(text)) if text else None

    def _goals(self, regulation: str, specialty: str | None) -> tuple[tuple[str, str], ...]:
        reg = self._regs[regulation]
        name = self.specialty(specialty)
        return reg.common + (reg.specialties.get(name, ()) if name else ())

    def codes(self, regulation: str, specialty: str | None = None) -> tuple[str, ...]:
        """Every code of ``regulation``: the common ones, plus the specialty's own when it is known."""
        return tuple(code for code, _ in self._goals(regulation, specialty))

    def title(self, code: str, regulation: str | None = None, specialty: str | None = None) -> str | None:
        """The short (Swedish) title of ``code``; a specialty-specific code needs its specialty."""
        regulation = regulation or self.regulation_of(code)
        if regulation not in self._regs:
            return None
        return dict(self._goals(regulation, specialty)).get(code)

    def regulation_of(self, code: str) -> str | None:
        """Which regulation a normalised code's shape belongs to (``STa1`` vs ``a1``)."""
        for reg in self._regs.values():
            if reg.prefix and code.startswith(reg.prefix):
                return reg.code
        return next((r.code for r in self._regs.values() if not r.prefix), None)

    def is_known(self, goal: SubGoal, specialty: str | None = None) -> bool:
        """Whether ``goal`` exists: in its specialty when known, else in any specialty."""
        reg = self._regs.get(goal.regulation)
        if reg is None:
            return False
        if any(goal.code == c for c, _ in reg.common):
            return True
        name = self.specialty(specialty)
        pools: Iterable[tuple[tuple[str, str], ...]] = (
            (reg.specialties.get(name, ()),) if name else reg.specialties.values()
        )
        return any(goal.code == c for goals in pools for c, _ in goals)

    # ------------------------------------------------------------------ parsing

    def _make(self, has_st: bool, letter: str, num: int, regulation: str | None, strict: bool = False) -> SubGoal:
        """One code, tagged with the regulation its shape says, or ``regulation`` if the shape is bare
        (``strict``: a bare code is the bare-style regulation's even under a prefixed one)."""
        prefixed = next((r for r in self._regs.values() if r.prefix), None)
        bare = next((r for r in self._regs.values() if not r.prefix), None)
        if has_st and prefixed is not None:
            reg = prefixed
        elif strict and bare is not None:
            reg = bare
        elif regulation in self._regs:
            reg = self._regs[regulation]
        else:
            reg = bare or prefixed  # type: ignore[assignment]
        return SubGoal(code=f"{reg.prefix}{letter.lower()}{num}", regulation=reg.code)

    def normalise(
        self, text: str | None, regulation: str | None = None, specialty: str | None = None, *, strict: bool = False
    ) -> tuple[tuple[SubGoal, ...], tuple[str, ...]]:
        """Sub-goals written as free text -> (normalised codes, tokens that are not known codes).

        Accepts any case and spacing (``sta1``, ``ST a 1``), separators , ; / and "och",
        and ranges (``STc1–STc3``, ``c1-3``). A code with "ST" is HSLF-FS 2021:8 style; a
        bare code belongs to ``regulation`` when given (so ``a1`` under HSLF-FS is ``STa1``),
        else to the regulation without a prefix. Codes that do not exist (in the
        specialty, when it is known) are returned among the unknown tokens. ``strict`` (rosters):
        a bare code stays the bare-style regulation's, so ``a3`` under HSLF-FS 2021:8 is SOSFS-style
        ``a3`` (which the caller reports) rather than ``STa3``.
        """
        if not text:
            return (), ()
        text = unicodedata.normalize("NFC", text)
        goals: list[SubGoal] = []
        unknown: list[tuple[int, str]] = []
        rest: list[tuple[int, str]] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            rest.append((pos, text[pos : m.start()]))
            pos = m.end()
            first = self._make(bool(m["st1"]), m["letter1"], int(m["num1"]), regulation, strict)
            found = [first]
            end_num = m["num2"] or m["num3"]
            if end_num is not None:
                letter2 = m["letter2"] or m["letter1"]
                last = int(end_num)
                if letter2.lower() == m["letter1"].lower() and int(m["num1"]) < last <= int(m["num1"]) + _MAX_RANGE:
                    found = [
                        self._make(bool(m["st1"]), m["letter1"], n, regulation, strict)
                        for n in range(int(m["num1"]), last + 1)
                    ]
                else:
                    found.append(self._make(bool(m["st2"] or m["st1"]), letter2, last, regulation, strict))
            for goal in found:
                if not self.is_known(goal, specialty):
                    unknown.append((m.start(), goal.code))
                elif goal not in goals:
                    goals.append(goal)
        rest.append((pos, text[pos:]))
        for start, chunk in rest:
            unknown.extend((start, tok) for tok in _SEPARATORS.split(chunk) if tok)
        return tuple(goals), tuple(dict.fromkeys(tok for _, tok in sorted(unknown, key=lambda item: item[0])))


@functools.cache
def _data() -> dict:
    path = forms_dir() / "subgoals.json"
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise DefinitionError(f"{path.name}: cannot be read: {exc}") from None


_CATALOGUES: dict[tuple[str, int, int], Catalogue] = {}


def catalogue(definition: FormDefinition | None = None) -> Catalogue:
    """The sub-goal catalogue, with regulations named by ``definition``'s codes (default: newest)."""
    definition = definition or load_definition()
    key = (definition.id, definition.version, id(definition))
    found = _CATALOGUES.get(key)
    if found is None:
        found = _CATALOGUES[key] = Catalogue(_data(), definition)
    return found
