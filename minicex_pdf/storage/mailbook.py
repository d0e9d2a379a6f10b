"""The store's e-mail book: which forms were sent to whom (``mail_sent``), which messages were read (``mail_seen``).

A part of :class:`~minicex_pdf.storage.store.Store` (tables made by its migration 3),
kept apart so that the store's form logic and the mail bookkeeping can change separately.
"""

from __future__ import annotations

from dataclasses import dataclass

from .connection import StoreFile
from .stored import now


@dataclass(frozen=True)
class SentMail:
    """One form sent by e-mail: what (instance id or ``blank``), to whom, when, and its Message-ID."""

    item: str
    recipient: str
    sha256: str
    message_id: str
    sent_at: str


class MailBook(StoreFile):
    """Store methods for e-mail: the messages sent and the messages read."""

    def sent(self, item: str, recipient: str) -> SentMail | None:
        """The last time ``item`` (an instance id, or ``blank``) was sent to ``recipient``, or None."""
        with self._errors():
            row = self._db.execute(
                "SELECT * FROM mail_sent WHERE item = ? AND recipient = ? ORDER BY id DESC LIMIT 1",
                (item, recipient.casefold()),
            ).fetchone()
        if row is None:
            return None
        return SentMail(row["item"], row["recipient"], row["sha256"], row["message_id"], row["sent_at"])

    def add_sent(self, item: str, recipient: str, sha256: str, message_id: str) -> None:
        """Record that ``item`` was sent to ``recipient`` now, as message ``message_id``."""
        with self._errors(), self._transaction() as db:
            db.execute(
                "INSERT INTO mail_sent (item, recipient, sha256, message_id, sent_at) VALUES (?, ?, ?, ?, ?)",
                (item, recipient.casefold(), sha256, message_id, now()),
            )

    def all_sent(self) -> list[SentMail]:
        """Every message sent, oldest first."""
        with self._errors():
            rows = self._db.execute("SELECT * FROM mail_sent ORDER BY id").fetchall()
        return [SentMail(r["item"], r["recipient"], r["sha256"], r["message_id"], r["sent_at"]) for r in rows]

    def message_seen(self, key: str) -> bool:
        """Was the mail message with this key (Message-ID, or ``sha256:`` of its bytes) read before."""
        with self._errors():
            return self._db.execute("SELECT 1 FROM mail_seen WHERE message_key = ?", (key,)).fetchone() is not None

    def add_message_seen(self, key: str, sender: str | None, date: str | None, pdfs: int) -> None:
        """Remember a mail message as read (its PDF attachments are stored by then)."""
        with self._errors(), self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO mail_seen (message_key, sender, date, pdfs, seen_at) VALUES (?, ?, ?, ?, ?)",
                (key, sender, date, pdfs, now()),
            )
