"""The stored forms as the admin sees them: each with a short id, its status, voided or not, names merged.

One form is the latest revision of one ``form_key``; its id is the number of its
first stored file, so it stays the same when a newer revision comes in. Voided
forms are listed (:meth:`StoreView.lines`) but left out of what is counted,
exported and reported (:meth:`StoreView.rows`). A trainee name merged into
another (``minicex trainee merge``) is shown as the name it was merged into.

:func:`form_status` is the one place here that says what a form's status is: the
record's own (complete, awaiting the action plan, incomplete, empty; #9).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..form.definition import FormDefinition, Text, load_definition
from ..reading.record import ASSESSMENT_STATUSES, STATUS_TEXT, Record
from .filters import Filter, suggest
from .roster_store import RosterStore, name_key
from .store import Store, StoredRow

#: Statuses that count as an assessment (the record's own, see :mod:`minicex_pdf.storage.identity`).
ASSESSED = ASSESSMENT_STATUSES
#: Status words in the admin's tables: the record's, shorter for empty, and voided.
STATUS_LABELS: dict[str, Text] = {
    **STATUS_TEXT,
    "empty": Text(sv="tom", en="empty"),
    "voided": Text(sv="makulerat", en="voided"),
}


def form_status(record: Record, definition: FormDefinition) -> str:
    """The form's status: complete, awaiting_action_plan, incomplete or empty (the record's own)."""
    return record.status


@dataclass(frozen=True)
class Voided:
    """Why and when a form was voided, and by whom."""

    reason: str
    at: str
    user: str


@dataclass(frozen=True)
class FormLine:
    """One stored form: its id, the latest revision (names merged), its status, voided or not."""

    id: int
    form_key: str
    row: StoredRow
    status: str
    original_name: str
    voided: Voided | None = None

    @property
    def record(self) -> Record:
        """The latest revision's record."""
        return self.row.record


class StoreView:
    """The admin's view of one store: forms with ids, voids and merged names applied, filtered."""

    def __init__(self, store: Store, definition: FormDefinition | None = None) -> None:
        self.store = store
        self.definition = definition or load_definition()
        self.trainee_field = self.definition.role("trainee").name

    def aliases(self) -> dict[str, str]:
        """Merged names: the name key of each variant -> the name it was merged into."""
        with self.store.guarded():
            return {r["name_key"]: r["name"] for r in self.store.db.execute("SELECT name_key, name FROM aliases")}

    def lines(self, flt: Filter | None = None, *, voided: bool = True) -> Iterator[FormLine]:
        """Every form (latest revision) passing ``flt``, oldest assessment first; voided ones too unless asked.

        Read through :meth:`Store.rows`, so a damaged store gives what can be read and
        :meth:`Store.damage_message` names the rest.
        """
        flt = flt or Filter()
        aliases = self.aliases()
        voids = self._voids()
        # each form's id is its first file; on a damaged page, the row read stands in for it
        first = {r[0]: r[1] for r in self.store.tolerant("SELECT form_key, min(id) FROM forms GROUP BY form_key") or ()}
        for row in self.store.rows():
            void = voids.get(row.form_key)
            if void is not None and not voided:
                continue
            record = row.record
            original = record.values.get(self.trainee_field)
            original = original if isinstance(original, str) else ""
            merged = aliases.get(name_key(original))
            if merged is not None:
                record = dataclasses.replace(record, values={**record.values, self.trainee_field: merged})
                row = dataclasses.replace(row, record=record)
            if not flt.record(record, self.definition):
                continue
            yield FormLine(
                id=first.get(row.form_key, row.row_id),
                form_key=row.form_key,
                row=row,
                status=form_status(record, self.definition),
                original_name=original,
                voided=void,
            )

    def _voids(self) -> dict[str, Voided]:
        """Voided forms by form_key: a form is voided while one of its files is (the latest one at the time)."""
        rows = self.store.tolerant(
            "SELECT g.form_key, v.reason, v.at, v.user FROM voided AS v JOIN forms AS g ON g.sha256 = v.sha256"
            " ORDER BY v.at"
        )
        if rows is not None:
            return {r["form_key"]: Voided(r["reason"], r["at"], r["user"]) for r in rows}
        out = {}  # a damaged page: find each voided file by its own index entry
        for v in self.store.tolerant("SELECT * FROM voided ORDER BY at") or ():
            key = self.store.tolerant("SELECT form_key FROM forms WHERE sha256 = ?", (v["sha256"],))
            if key:
                out[key[0][0]] = Voided(v["reason"], v["at"], v["user"])
        return out

    def rows(self, flt: Filter | None = None, statuses: Collection[str] | None = None) -> Iterator[StoredRow]:
        """What exports and reports use: forms not voided, passing ``flt`` (of ``statuses`` if given), names merged."""
        for line in self.lines(flt, voided=False):
            if statuses is None or line.status in statuses:
                yield line.row

    def records(self, flt: Filter | None = None) -> Iterator[Record]:
        """The records of :meth:`rows`."""
        for row in self.rows(flt):
            yield row.record

    def files(self, line: FormLine) -> list[str]:
        """The SHA-256 of every stored file of a form (its revisions)."""
        with self.store.guarded():
            rows = self.store.db.execute("SELECT sha256 FROM forms WHERE form_key = ? ORDER BY id", (line.form_key,))
            return [r[0] for r in rows]

    def is_empty(self) -> bool:
        """No form was ever imported into this store."""
        rows = self.store.tolerant("SELECT id FROM forms LIMIT 1")
        return rows is not None and not rows  # a damaged store is not empty

    def names(self) -> list[str]:
        """Every trainee name of the forms and the rosters (merged names as merged), for suggestions."""
        aliases = self.aliases()
        names = {aliases.get(name_key(n), n) for n in self.raw_names()}
        return sorted(names, key=name_key)

    def raw_names(self) -> list[str]:
        """Every trainee name as written on forms and rosters, before merges."""
        rows = self.store.tolerant("SELECT trainee FROM forms WHERE trainee IS NOT NULL")
        if rows is None:  # a damaged page: the names of the forms that can be read
            found = {t for r in self.store.rows() if isinstance(t := r.record.values.get(self.trainee_field), str)}
        else:
            found = {r[0] for r in rows}
        with self.store.guarded():
            found |= {t.name for t in RosterStore(self.store, self.definition).trainees()}
        return sorted(found, key=name_key)

    def check_trainee(self, flt: Filter, known: list[str]) -> None:
        """UsageError naming the closest names when ``--trainee`` matches none of ``known``."""
        from .filters import matches

        if flt.trainee and not any(matches(flt.trainee, n) for n in known):
            close = suggest(flt.trainee, known)
            en = f"; did you mean {' or '.join(repr(n) for n in close)}?" if close else ""
            sv = f"; menade du {' eller '.join(repr(n) for n in close)}?" if close else ""
            raise UsageError(
                f"no trainee matches {flt.trainee!r}{en}", sv=f"ingen ST-läkare matchar {flt.trainee!r}{sv}"
            )

    def find(self, form: str) -> FormLine:
        """The form with id ``form`` (as ``minicex forms`` lists it), or whose file is ``form``."""
        lines = list(self.lines())
        if form.strip().isdigit():
            found = [ln for ln in lines if ln.id == int(form)]
        else:
            # a file as the chase list or an import names it: the whole path, else just the file name
            with self.store.guarded():
                files = [(r["form_key"], r["path"]) for r in self.store.db.execute("SELECT form_key, path FROM forms")]
            paths = {key for key, path in files if path == form} or {
                key for key, path in files if Path(path).name == Path(form).name
            }
            found = [ln for ln in lines if ln.form_key in paths]
        if not found:
            raise UsageError(
                f"no stored form {form!r}: minicex forms lists the ids",
                sv=f"inget lagrat formulär {form!r}: minicex forms visar id-numren",
            )
        if len(found) > 1:
            ids = ", ".join(str(ln.id) for ln in found)
            raise UsageError(
                f"{form!r} names {len(found)} forms ({ids}): give one id",
                sv=f"{form!r} pekar ut {len(found)} formulär ({ids}): ange ett id",
            )
        return found[0]
