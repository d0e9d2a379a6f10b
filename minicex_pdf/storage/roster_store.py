"""The roster in the store: each trainee prefill made forms for, and each form it made.

A trainee is a name and a specialty (as the report tells trainees apart). Each
pre-filled form is stored with its instance id, the file it was written to and
when, so that ``minicex status`` can list trainees with nothing returned and the
forms not yet back. :class:`RecordedPrefill` is what ``minicex prefill`` runs:
on the same roster into the same folder it makes forms only for trainees who
have none there yet, unless asked ``again``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..form.definition import FormDefinition, Text, load_definition
from ..form.prefill import MadeForm, Prefiller, PrefillResult
from ..form.roster import RosterRow, read_roster
from ..form.subgoals import Catalogue
from ..form.subgoals import catalogue as load_catalogue
from ..names import name_key
from .filters import workplace_field
from .store import Store

_SPACE = re.compile(r"\s+")


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RosterTrainee:
    """A trainee of a roster, as stored."""

    id: int
    name: str
    specialty: str
    workplace: str
    supervisor: str


@dataclass(frozen=True)
class PrefilledForm:
    """A form prefill made: for whom, where and when."""

    instance_id: str
    trainee: int
    file: str
    made_at: str


class RosterStore:
    """The roster tables of one store."""

    def __init__(
        self, store: Store, definition: FormDefinition | None = None, catalogue: Catalogue | None = None
    ) -> None:
        self.store = store
        self.definition = definition or load_definition()
        self.catalogue = catalogue or load_catalogue(self.definition)

    def specialty_key(self, text: str) -> str:
        """Specialties compared as the catalogue names them ("allmänmedicin" = "Allmänmedicin")."""
        return name_key(self.catalogue.specialty(text) or text)

    def _details(self, row: RosterRow) -> tuple[str, str, str]:
        d = self.definition
        place = workplace_field(d)

        def get(name: str | None) -> str:
            value = row.values.get(name) if name else None
            return _SPACE.sub(" ", value).strip() if isinstance(value, str) else ""

        return get(d.role("specialty").name), get(place.name if place else None), get(d.role("supervisor").name)

    def trainee_id(self, row: RosterRow) -> int:
        """The stored trainee of a roster row, added (or its details updated) as needed."""
        specialty, workplace, supervisor = self._details(row)
        name = _SPACE.sub(" ", unicodedata.normalize("NFC", row.name)).strip()
        db = self.store.db
        db.execute(
            "INSERT INTO roster_trainees (name, name_key, specialty, specialty_key, workplace, supervisor, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (name_key, specialty_key) DO UPDATE SET"
            " workplace = coalesce(nullif(excluded.workplace, ''), workplace),"
            " supervisor = coalesce(nullif(excluded.supervisor, ''), supervisor)",
            (name, name_key(name), specialty, self.specialty_key(specialty), workplace, supervisor, _now()),
        )
        found = db.execute(
            "SELECT id FROM roster_trainees WHERE name_key = ? AND specialty_key = ?",
            (name_key(name), self.specialty_key(specialty)),
        ).fetchone()
        return int(found[0])

    def made_in(self, folder: Path, rows: tuple[RosterRow, ...]) -> set[int]:
        """The row numbers of ``rows`` whose trainee already has a form made in ``folder``."""
        have = {
            (r["name_key"], r["specialty_key"])
            for r in self.store.db.execute(
                "SELECT t.name_key, t.specialty_key FROM prefilled AS p JOIN roster_trainees AS t"
                " ON t.id = p.trainee WHERE p.folder = ?",
                (str(folder),),
            )
        }
        return {r.number for r in rows if (name_key(r.name), self.specialty_key(self._details(r)[0])) in have}

    def record(self, made: tuple[MadeForm, ...], roster: str, folder: Path) -> None:
        """Store each made form and its trainee, all in one transaction."""
        with self.store.transaction() as db:
            for m in made:
                db.execute(
                    "INSERT OR REPLACE INTO prefilled (instance_id, trainee, roster, folder, file, made_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (m.instance_id, self.trainee_id(m.row), roster, str(folder), m.path.name, _now()),
                )

    def trainees(self) -> Iterator[RosterTrainee]:
        """Every trainee of the rosters, by name."""
        for r in self.store.db.execute("SELECT * FROM roster_trainees ORDER BY name_key, specialty_key"):
            yield RosterTrainee(r["id"], r["name"], r["specialty"], r["workplace"], r["supervisor"])

    def forms(self) -> Iterator[PrefilledForm]:
        """Every form prefill made, oldest first."""
        for r in self.store.db.execute("SELECT * FROM prefilled ORDER BY made_at, rowid"):
            yield PrefilledForm(r["instance_id"], r["trainee"], str(Path(r["folder"]) / r["file"]), r["made_at"])


@dataclass(frozen=True)
class PrefillRun:
    """What ``minicex prefill`` did: the forms made, the trainees left out because they already had one."""

    result: PrefillResult
    already: int
    db: Path

    def summary(self, out_dir: Path, lang: str) -> list[str]:
        """The lines printed after a run, in ``lang``."""
        made = len(self.result.made)
        index = self.result.index.name if self.result.index else ""
        lines = [
            Text(
                sv=f"{made} formulär i {out_dir}" + (f", förteckning {index}" if index else ""),
                en=f"{made} form(s) in {out_dir}" + (f", index {index}" if index else ""),
            )[lang]
        ]
        if self.already:
            lines.append(
                Text(
                    sv=f"{self.already} ST-läkare har redan formulär i mappen och fick inga nya (--again gör nya)",
                    en=f"{self.already} trainee(s) already have a form in this folder and got none (--again makes new ones)",
                )[lang]
            )
        lines.append(Text(sv=f"Registrerade i {self.db}", en=f"Recorded in {self.db}")[lang])
        return lines


@dataclass
class RecordedPrefill:
    """Prefill that records the roster and each form in the store at ``db``; new trainees only unless ``again``.

    The store is read before the forms are made (which trainees have forms in the folder)
    and written after; a store that does not exist yet is created only then, so that a
    failure to write the forms leaves no store behind either.
    """

    db: Path
    prefiller: Prefiller
    again: bool = False

    def make(self, roster_path: str | Path) -> PrefillRun:
        """Read the roster, make the forms still to make, record them; what was done."""
        definition = self.prefiller.definition
        roster = read_roster(roster_path, definition)
        folder = self.prefiller.out_dir.resolve()
        done: set[int] = set()
        if not self.again and Path(self.db).exists():
            with Store(self.db) as store, store.guarded():
                done = RosterStore(store, definition).made_in(folder, roster.rows)
        todo = dataclasses.replace(roster, rows=tuple(r for r in roster.rows if r.number not in done))
        result = self.prefiller.run(todo)
        with Store(self.db) as store, store.guarded():
            RosterStore(store, definition).record(result.made, Path(roster.path).name, folder)
        return PrefillRun(dataclasses.replace(result, roster=roster), len(done), Path(self.db))
