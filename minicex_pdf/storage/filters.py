"""Which forms and trainees a command looks at: ``--trainee --specialty --workplace --supervisor --since --until``.

Names and places match by part, without regard to case, accents or word order:
``--trainee oberg`` finds "Åsa Öberg" and "Öberg, Åsa"; every word given must
appear in the name. Dates bound the assessment date (both ends included); a
form without a date is left out when a date bound is given. When no trainee
matches, :func:`suggest` offers the closest names.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..form.definition import Field, FormDefinition
from ..reading.record import Record

_WORD = re.compile(r"\w+")


def fold(text: Any) -> str:
    """Text as names are compared: accents removed, case-folded, spaces collapsed ("Öberg" -> "oberg")."""
    if not isinstance(text, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())  # fold first: folding may decompose
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def matches(query: str | None, text: Any) -> bool:
    """Every word of ``query`` is part of ``text`` (folded); no query matches everything."""
    if not query or not query.strip():
        return True
    folded = fold(text)
    return all(word in folded for word in _WORD.findall(fold(query)))


def suggest(query: str, names: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` names close to ``query`` (accents and case ignored), closest first."""
    by_fold: dict[str, str] = {}
    for name in names:
        by_fold.setdefault(fold(name), name)
    wanted = fold(query)
    wanted_words = _WORD.findall(wanted) or [wanted]

    def ratio(a: str, b: str) -> float:
        return difflib.SequenceMatcher(None, a, b).ratio()

    scored = []
    for folded, name in by_fold.items():
        words = _WORD.findall(folded) or [folded]
        best = max(
            ratio(wanted, folded),
            ratio(" ".join(sorted(wanted_words)), " ".join(sorted(words))),  # word order ignored
            *(ratio(wanted, w) for w in words),  # one word of the name
        )
        scored.append((best, name))
    top = max((score for score, _ in scored), default=0.0)
    floor = max(0.6, top - 0.1)  # only names about as close as the closest
    return [name for score, name in sorted(scored, key=lambda s: (-s[0], s[1])) if score >= floor][:n]


def workplace_field(definition: FormDefinition) -> Field | None:
    """The field the roster's workplace column fills (its prefill key), if the form has one."""
    return next((f for f in definition.fields if f.prefill == "workplace"), None)


@dataclass(frozen=True)
class Filter:
    """The filters of one command; empty matches everything."""

    trainee: str | None = None
    specialty: str | None = None
    workplace: str | None = None
    supervisor: str | None = None
    since: _dt.date | None = None
    until: _dt.date | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise UsageError(
                f"--since {self.since} is after --until {self.until}",
                sv=f"--since {self.since} ligger efter --until {self.until}",
            )

    @property
    def empty(self) -> bool:
        """No filter given."""
        return not any((self.trainee, self.specialty, self.workplace, self.supervisor, self.since, self.until))

    def person(self, name: Any, specialty: Any, workplace: Any, supervisor: Any) -> bool:
        """A trainee with these details passes the name and place filters (dates aside)."""
        return (
            matches(self.trainee, name)
            and matches(self.specialty, specialty)
            and matches(self.workplace, workplace)
            and matches(self.supervisor, supervisor)
        )

    def date(self, date: Any) -> bool:
        """A form of this assessment date passes ``--since`` and ``--until``."""
        if self.since is None and self.until is None:
            return True
        if not isinstance(date, _dt.date):
            return False
        return (self.since is None or date >= self.since) and (self.until is None or date <= self.until)

    def record(self, record: Record, definition: FormDefinition) -> bool:
        """A record passes every filter (its trainee name as given, after merges)."""
        values = record.values
        place = workplace_field(definition)
        return self.date(values.get(definition.role("date").name)) and self.person(
            values.get(definition.role("trainee").name),
            values.get(definition.role("specialty").name),
            values.get(place.name) if place else None,
            values.get(definition.role("supervisor").name),
        )
