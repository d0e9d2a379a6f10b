"""A mailbox folder over IMAP as a source of returned forms: fetch what is new, mark or move it after.

``imaps://user@host[:port]/INBOX/Returer`` (implicit TLS) or ``imap://...``
(STARTTLS, never in clear); certificates are checked. Messages not yet marked
with the keyword :data:`KEYWORD` are fetched without setting ``\\Seen``
(``BODY.PEEK``); once their forms are stored each is marked ``\\Seen`` and
:data:`KEYWORD`, or moved to another folder (``move_to``). Nothing is ever
deleted or expunged. A message whose Message-ID the store has seen is only
marked, not fetched again, so runs are idempotent even if marking failed once.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import UsageError
from ..limits import MAIL_MESSAGE_MAX_BYTES, MAIL_TIMEOUT_SECONDS
from ..storage.store import Store
from .config import MailConfig
from .sources import MailMessage, parse_message

#: The keyword (a custom IMAP flag) that marks a message as imported.
KEYWORD = "$MinicexImported"
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True)
class ImapUrl:
    """Where the mailbox is: TLS mode, host, port, user and folder (no password: that is never in a URL)."""

    secure: bool
    host: str
    port: int
    user: str
    folder: str

    @classmethod
    def parse(cls, url: str) -> ImapUrl:
        """``imaps://user@host[:port]/Folder/Sub`` or ``imap://...`` (STARTTLS)."""
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps"):
            raise UsageError("the IMAP address must start with imaps:// (or imap:// for STARTTLS)")
        if parts.password is not None:
            raise UsageError("put the IMAP password in MINICEX_IMAP_PASSWORD or the config file, not in the address")
        if not parts.hostname or not parts.username:
            raise UsageError("the IMAP address needs a user and a host: imaps://user@host/INBOX/Returer")
        try:
            port = parts.port or (993 if parts.scheme == "imaps" else 143)
        except ValueError:
            raise UsageError("the IMAP address has a bad port number") from None
        folder = unquote(parts.path.strip("/")) or "INBOX"
        return cls(parts.scheme == "imaps", parts.hostname, port, unquote(parts.username), folder)

    def __str__(self) -> str:
        return f"{'imaps' if self.secure else 'imap'}://{self.host}:{self.port}/{self.folder}"


def utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3): ``Åtgärdade`` -> ``&AMU-tg&AOQ-rdade``."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            import base64

            raw = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def _quote(name: str) -> str:
    return '"' + utf7(name).replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapMailbox:
    """One IMAP folder: :meth:`messages` yields what is not yet imported, :meth:`done` marks or moves it."""

    def __init__(self, url: str, config: MailConfig, store: Store) -> None:
        self.url = ImapUrl.parse(url)
        self.config = config
        self.store = store
        self.move_to = config.imap_move_to
        self._conn: imaplib.IMAP4 | None = None
        self._uids: dict[str, str] = {}
        self._caps: set[str] = set()
        self.marked = 0

    # ------------------------------------------------------------------ connection

    def _fail(self, what: str) -> UsageError:
        return UsageError(f"IMAP {self.url}: {what}")

    def _connect(self) -> imaplib.IMAP4:
        u, c = self.url, self.config
        if not c.imap_password:
            raise self._fail("no password: set MINICEX_IMAP_PASSWORD or imap.password in --config")
        try:
            context = ssl.create_default_context(cafile=c.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"{c.ca_file}: not a readable CA certificate file ({exc})") from None
        try:
            if u.secure:
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    u.host, u.port, ssl_context=context, timeout=MAIL_TIMEOUT_SECONDS
                )
            else:
                conn = imaplib.IMAP4(u.host, u.port, timeout=MAIL_TIMEOUT_SECONDS)
                conn.starttls(ssl_context=context)
        except ssl.SSLCertVerificationError as exc:
            raise self._fail(f"certificate not trusted ({exc.verify_message})") from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise self._fail(f"cannot connect ({type(exc).__name__}: {exc})") from None
        try:
            if u.user.isascii() and c.imap_password.isascii():
                conn.login(u.user, c.imap_password)
            else:  # LOGIN is ASCII only; AUTHENTICATE PLAIN carries UTF-8 (RFC 4616)
                token = f"\0{u.user}\0{c.imap_password}".encode()
                conn.authenticate("PLAIN", lambda _: token)
            caps = self._ok(conn.capability(), "capability")[0]
            self._caps = set(caps.decode().upper().split()) if isinstance(caps, bytes) else set()
        except imaplib.IMAP4.error:
            conn.shutdown()
            raise self._fail("login refused") from None
        return conn

    def _ok(self, answer: tuple[str, Any], what: str) -> list[Any]:
        typ, data = answer
        if typ != "OK":
            raise self._fail(f"{what} failed")
        return data

    # ------------------------------------------------------------------ the source protocol

    def messages(self) -> Iterator[MailMessage]:
        """Every message of the folder not yet marked imported, oldest first (the connection stays open)."""
        conn = self._conn = self._connect()
        try:
            self._ok(conn.select(_quote(self.url.folder)), f"opening the folder {self.url.folder!r}")
            last = (conn.untagged_responses.get("UIDVALIDITY") or [b"0"])[-1]
            validity = last.decode() if isinstance(last, bytes) else "0"
            # Moved messages are gone; marked ones (also those a server without MOVE only copied) are skipped.
            data = self._ok(conn.uid("SEARCH", f"NOT KEYWORD {KEYWORD}"), "searching the folder")
            uids = data[0].decode().split() if data and isinstance(data[0], bytes) else []
            for uid in uids:
                origin = f"{self.url};UID={uid}"
                self._uids[origin] = uid
                head = self._ok(conn.uid("FETCH", uid, "(RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"), "fetch")
                size, message_id = _size_and_id(head)
                if message_id and self.store.message_seen(message_id):
                    yield MailMessage(origin, message_id, None, None, None, ())
                    continue
                key = message_id or f"imap:{self.url.host}/{self.url.folder};UIDVALIDITY={validity};UID={uid}"
                if size > MAIL_MESSAGE_MAX_BYTES:
                    yield parse_message(b"", origin, key)
                    continue
                body = self._ok(conn.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch")
                raw = next((x[1] for x in body if isinstance(x, tuple) and len(x) == 2), b"")
                yield parse_message(raw, origin, key) if raw else parse_message(b"", origin, key)
        except (TimeoutError, OSError, imaplib.IMAP4.abort) as exc:
            raise self._fail(f"the connection broke ({type(exc).__name__})") from None
        finally:
            self.close()

    def done(self, message: MailMessage) -> None:
        """Mark one message imported (``\\Seen`` and the keyword), or move it to ``move_to``."""
        uid, conn = self._uids.get(message.origin), self._conn
        if uid is None or conn is None:
            return
        self._ok(conn.uid("STORE", uid, "+FLAGS.SILENT", f"(\\Seen {KEYWORD})"), "marking a message")
        if self.move_to:
            if "MOVE" in self._caps:
                self._ok(conn.uid("MOVE", uid, _quote(self.move_to)), f"moving to {self.move_to!r}")
            else:  # COPY only: the original stays, marked (never deleted)
                self._ok(conn.uid("COPY", uid, _quote(self.move_to)), f"copying to {self.move_to!r}")
        self.marked += 1

    def close(self) -> None:
        """Log out (the folder is closed without expunging anything)."""
        if self._conn is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                self._conn.logout()
            self._conn = None


def _size_and_id(data: list[object]) -> tuple[int, str | None]:
    """RFC822.SIZE and the Message-ID from a FETCH answer."""
    size, message_id = 0, None
    for item in data:
        if isinstance(item, tuple):
            m = _SIZE.search(item[0])
            if m:
                size = int(m.group(1))
            text = item[1].decode("ascii", "replace") if isinstance(item[1], bytes) else ""
            found = re.search(r"^Message-ID:\s*(.+?)\s*$", text.replace("\r\n ", " "), re.I | re.M)
            if found:
                message_id = " ".join(found.group(1).split())
        elif isinstance(item, bytes):
            m = _SIZE.search(item)
            if m:
                size = int(m.group(1))
    return size, message_id


def open_mailbox(url: str, config_file: str | Path | None, store: Store) -> ImapMailbox:
    """The IMAP folder to import from: ``url``, or (when ``url`` is empty) ``imap.url`` of the config."""
    from .config import load_config

    config = load_config(config_file)
    url = url or config.imap_url or ""
    if not url:
        raise UsageError("no IMAP folder: give --imap imaps://user@host/Folder, or set imap.url in --config")
    return ImapMailbox(url, config, store)
