"""The administrator's commands as one object: ``minicex status``, ``forms``, ``void``, ``restore``, ``trainee merge``, ``history``.

Each method returns an :class:`Output`: the text for standard output and the
notes for standard error, in the chosen language, so that the CLI stays thin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import StoreChoice
from ..errors import UsageError
from ..form.definition import Text, load_definition
from ..storage.audit import Corrections
from ..storage.filters import Filter
from ..storage.store import Store
from .status import (
    CHASE_COLUMNS,
    FORMS_COLUMNS,
    STATUS_COLUMNS,
    StatusBuilder,
    chase_rows,
    forms_rows,
    short_path,
    status_label,
    status_rows,
)
from .tables import Listing

#: The status table on a terminal leaves out workplace and supervisor (CSV and JSON have them).
STATUS_TABLE_KEYS = [k for k in STATUS_COLUMNS if k not in ("workplace", "supervisor")]
HISTORY_COLUMNS: dict[str, Text] = {
    "at": Text(sv="När (UTC)", en="When (UTC)"),
    "user": Text(sv="Användare", en="User"),
    "what": Text(sv="Vad", en="What"),
    "reason": Text(sv="Skäl", en="Reason"),
}
NO_FORMS = Text(sv="inga formulär importerade än", en="no forms imported yet")
NOTHING = Text(sv="inget matchar filtren", en="nothing matches the filters")


@dataclass
class Output:
    """What a command prints: ``text`` on standard output, ``notes`` on standard error."""

    text: str = ""
    notes: list[str] = field(default_factory=list)
    #: The command ends with exit status 1 (a damaged store: the output holds what could be read).
    failed: bool = False


def no_forms_error(db: Path) -> UsageError:
    """The error for a store without forms: say so, and how to fill it."""
    return UsageError(
        f"{db}: {NO_FORMS.en}: import returned forms with minicex import",
        sv=f"{db}: {NO_FORMS.sv}: importera returnerade formulär med minicex import",
    )


def open_existing(db: Path, *, readonly: bool = False) -> Store:
    """The store at ``db``, which must exist (a command that only reads never creates one); ``readonly`` to only read."""
    if not db.exists():
        raise UsageError(
            f"{db}: no such database: import forms with minicex import --db {db}, or set MINICEX_DB",
            sv=f"{db}: databasen finns inte: importera formulär med minicex import --db {db}, eller ange MINICEX_DB",
        )
    return Store(db, readonly=readonly)


class AdminDesk:
    """The admin's lists and corrections over one store, in one language."""

    def __init__(self, choice: StoreChoice, lang: str = "en", *, readonly: bool = False) -> None:
        self.choice, self.lang = choice, lang
        self.store = open_existing(choice.path, readonly=readonly)
        self.definition = load_definition()
        self.builder = StatusBuilder(self.store, self.definition)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> AdminDesk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _t(self, text: Text) -> str:
        return text[self.lang]

    def _words(self, key: str, value: Any) -> Any:
        if key == "status" and isinstance(value, str):
            return status_label(value, self.lang)
        if key == "file" and isinstance(value, str):
            return short_path(value)
        return value

    def used(self) -> str:
        """Which store a command used, and what chose it."""
        return self._t(Text(sv="Databas", en="Database")) + f": {self.choice.path} ({self.choice.source})"

    def _check_trainee(self, flt: Filter) -> None:
        self.builder.view.check_trainee(flt, self.builder.view.names())

    # ------------------------------------------------------------------ lists

    def _status(self, flt: Filter, fmt: str = "table", chase: bool = False) -> Output:
        """One line per trainee, or (``chase``) the forms someone has to act on."""
        out = Output(notes=[self.used()])
        view = self.builder.view
        if view.is_empty() and not list(self.builder.roster.trainees()):
            raise no_forms_error(self.choice.path)
        self._check_trainee(flt)
        if view.is_empty():
            out.notes.append(self._t(NO_FORMS))
        if chase:
            rows = chase_rows(self.builder.chase(flt), self.lang)
            return self._listed(out, Listing(CHASE_COLUMNS, rows, self.lang, self._words), fmt)
        rows = status_rows(self.builder.trainees(flt))
        return self._listed(out, Listing(STATUS_COLUMNS, rows, self.lang, self._words), fmt, STATUS_TABLE_KEYS)

    def _forms(self, flt: Filter, fmt: str = "table") -> Output:
        """Every stored form (voided ones marked) passing the filters: id, trainee, date, assessor, status, file."""
        out = Output(notes=[self.used()])
        if self.builder.view.is_empty():
            raise no_forms_error(self.choice.path)
        self._check_trainee(flt)
        rows = forms_rows(self.builder.view.lines(flt), self.builder)
        return self._listed(out, Listing(FORMS_COLUMNS, rows, self.lang, self._words), fmt)

    def _listed(self, out: Output, listing: Listing, fmt: str, keys: list[str] | None = None) -> Output:
        """``out`` with the listing rendered; a table of no rows is a note instead."""
        if fmt == "table" and not listing.rows:
            out.notes.append(self._t(NOTHING))
            return out
        out.text = listing.render(fmt, keys)
        return out

    def _history(self, form: str | None) -> Output:
        """The audit trail of one form (or of the whole store)."""
        entries = Corrections(self.store).history(form)
        rows = [{"at": e.at, "user": e.user, "what": e.what(self.lang), "reason": e.reason} for e in entries]
        if not rows:
            return Output(notes=[self._t(Text(sv="inga ändringar", en="no changes"))])
        return Output(text=Listing(HISTORY_COLUMNS, rows, self.lang).table())

    # ------------------------------------------------------------------ corrections

    def _void(self, form: str, reason: str) -> Output:
        """Void a form: kept and listed, no longer counted, exported or reported."""
        line = Corrections(self.store).void(form, reason)
        return Output(
            text=self._t(
                Text(
                    sv=f"Formulär {line.id} makulerat: det räknas inte längre (minicex restore {line.id} ångrar)",
                    en=f"Form {line.id} voided: it is no longer counted (minicex restore {line.id} undoes it)",
                )
            )
        )

    def _restore(self, form: str, reason: str = "") -> Output:
        """Count a voided form again."""
        line = Corrections(self.store).restore(form, reason)
        return Output(
            text=self._t(
                Text(
                    sv=f"Formulär {line.id} återställt: det räknas igen", en=f"Form {line.id} restored: it counts again"
                )
            )
        )

    def _merge(self, names: tuple[str, ...], into: str, reason: str = "") -> Output:
        """Show name variants as one trainee."""
        merged = Corrections(self.store).merge(names, into, reason)
        listed = ", ".join(repr(n) for n in merged)
        return Output(
            text=self._t(Text(sv=f"Förde samman {listed} till {into!r}", en=f"Merged {listed} into {into!r}"))
        )

    # ------------------------------------------------------------------ SQLite faults become a StoreError

    def status(self, flt: Filter, fmt: str = "table", chase: bool = False) -> Output:
        """One line per trainee, or (``chase``) the forms someone has to act on."""
        with self.store.guarded():
            out = self._status(flt, fmt, chase)
        return self._damage(out)

    def forms(self, flt: Filter, fmt: str = "table") -> Output:
        """Every stored form (voided ones marked) passing the filters: id, trainee, date, assessor, status, file."""
        with self.store.guarded():
            out = self._forms(flt, fmt)
        return self._damage(out)

    def history(self, form: str | None) -> Output:
        """The audit trail of one form (or of the whole store)."""
        with self.store.guarded():
            return self._history(form)

    def void(self, form: str, reason: str) -> Output:
        """Void a form: kept and listed, no longer counted, exported or reported."""
        with self.store.guarded():
            return self._void(form, reason)

    def restore(self, form: str, reason: str = "") -> Output:
        """Count a voided form again."""
        with self.store.guarded():
            return self._restore(form, reason)

    def merge(self, names: tuple[str, ...], into: str, reason: str = "") -> Output:
        """Show name variants as one trainee."""
        with self.store.guarded():
            return self._merge(names, into, reason)

    def _damage(self, out: Output) -> Output:
        """A damaged store: the list holds what could be read, one more line names the rest (exit status 1)."""
        line = self.store.damage_message("list", self.lang)
        if line:
            out.notes.append(line)
            out.failed = True
        return out
