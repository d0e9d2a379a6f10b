"""Corrections with an audit trail: void and restore a form, merge name variants; nothing is deleted.

Every change is one transaction that also writes an ``audit`` row: what was done,
when (UTC), the reason given, and the operating-system user who did it.
``minicex history FORM`` lists the rows about that form, the merges of its
trainee's name included.
"""

from __future__ import annotations

import datetime as _dt
import getpass
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import UsageError
from ..form.definition import Text
from .roster_store import name_key
from .store import Store
from .view import FormLine, StoreView

#: How each action reads in the history.
ACTION_TEXT: dict[str, Text] = {
    "void": Text(sv="makulerat", en="voided"),
    "restore": Text(sv="återställt", en="restored"),
    "merge": Text(sv="namn sammanfört", en="name merged"),
}


def os_user() -> str:
    """The operating-system user running the command ("unknown" where the system does not say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "unknown"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class AuditEntry:
    """One change: when, who, what, to which form or name, why, and the details."""

    at: str
    user: str
    action: str
    sha256: str | None
    reason: str
    detail: str

    def what(self, lang: str) -> str:
        """The action in words, with its details."""
        text = ACTION_TEXT.get(self.action)
        word = text[lang] if text else self.action
        return f"{word}: {self.detail}" if self.detail else word


class Corrections:
    """Voids, restores and merges in one store, each recorded in the audit trail."""

    def __init__(self, store: Store, user: str | None = None) -> None:
        self.store = store
        self.view = StoreView(store)
        self.user = user or os_user()

    def _log(self, action: str, sha256: str | None, name: str | None, reason: str, detail: str) -> None:
        self.store.db.execute(
            "INSERT INTO audit (at, user, action, sha256, name_key, reason, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_now(), self.user, action, sha256, name_key(name) if name else None, reason, detail),
        )

    def void(self, form: str, reason: str) -> FormLine:
        """Void the form ``form`` (id or file): it stays stored and listed but is no longer counted."""
        if not reason.strip():
            raise UsageError("give the reason for voiding with --reason", sv="ange varför med --reason")
        line = self.view.find(form)
        if line.voided:
            raise UsageError(
                f"form {line.id} is already voided ({line.voided.at})",
                sv=f"formulär {line.id} är redan makulerat ({line.voided.at})",
            )
        sha256 = line.record.source.sha256  # the latest file: a file stays itself, form keys may be regrouped
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO voided (sha256, reason, at, user) VALUES (?, ?, ?, ?)",
                (sha256, reason.strip(), _now(), self.user),
            )
            self._log("void", sha256, None, reason.strip(), "")
        return line

    def restore(self, form: str, reason: str = "") -> FormLine:
        """Count a voided form again."""
        line = self.view.find(form)
        if not line.voided:
            raise UsageError(f"form {line.id} is not voided", sv=f"formulär {line.id} är inte makulerat")
        files = self.view.files(line)
        with self.store.transaction() as db:
            db.executemany("DELETE FROM voided WHERE sha256 = ?", [(f,) for f in files])
            self._log("restore", line.record.source.sha256, None, reason.strip(), "")
        return line

    def merge(self, names: Iterable[str], into: str, reason: str = "") -> list[str]:
        """Show the trainee names ``names`` as ``into`` everywhere; the names merged, as stored."""
        into = " ".join(into.split())
        if not into:
            raise UsageError(
                "give the name to merge into with --into", sv="ange namnet att föra samman till med --into"
            )
        known = {name_key(n): n for n in self.view.raw_names()}
        merged: list[str] = []
        for name in names:
            key = name_key(name)
            if key == name_key(into):
                continue
            if key not in known:
                close = " or ".join(repr(n) for n in _close(name, self.view.names()))
                raise UsageError(
                    f"no trainee called {name!r}" + (f"; did you mean {close}?" if close else ""),
                    sv=f"ingen ST-läkare heter {name!r}"
                    + (f"; menade du {close.replace(' or ', ' eller ')}?" if close else ""),
                )
            merged.append(known[key])
        if not merged:
            raise UsageError("nothing to merge: give other names than --into", sv="inget att föra samman")
        with self.store.transaction() as db:
            for name in merged:
                # names merged into this one earlier follow it to its new name
                db.execute("UPDATE aliases SET name = ? WHERE name = ?", (into, name))
                db.execute(
                    "INSERT INTO aliases (name_key, name) VALUES (?, ?) ON CONFLICT (name_key) DO UPDATE SET name = ?",
                    (name_key(name), into, into),
                )
                self._log("merge", None, name, reason.strip(), f"{name} → {into}")
            db.execute("DELETE FROM aliases WHERE name_key = ?", (name_key(into),))
        return merged

    def history(self, form: str | None = None) -> list[AuditEntry]:
        """The changes to the form ``form`` (and merges of its trainee's name), or every change, oldest first."""
        if form is None:
            rows = self.store.db.execute("SELECT * FROM audit ORDER BY id")
        else:
            line = self.view.find(form)
            files = self.view.files(line)
            rows = self.store.db.execute(
                f"SELECT * FROM audit WHERE sha256 IN ({', '.join('?' * len(files))})"
                " OR (action = 'merge' AND name_key = ?) ORDER BY id",
                (*files, name_key(line.original_name)),
            )
        return [AuditEntry(r["at"], r["user"], r["action"], r["sha256"], r["reason"], r["detail"]) for r in rows]


def _close(name: str, names: list[str]) -> list[str]:
    from .filters import suggest

    return suggest(name, names)
