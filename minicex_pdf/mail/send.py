"""``minicex send``: e-mail each trainee their pre-filled form, and assessors a blank one, once.

The forms are the ones ``prefill`` made in the forms folder (its ``index.csv``
ties them to roster rows); rows without one get one made now. Each message sent
is recorded in the store (item, address, time, Message-ID) right after the server
took it, so a second run sends only what was not sent (``resend`` sends again)
and a run stopped half-way goes on where it stopped. A failure on one address is
reported and the others still go. ``dry_run`` writes ``.eml`` files instead.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from ..errors import UsageError
from ..form.definition import Text
from ..form.prefill import INDEX_NAME, Prefiller, safe_stem
from ..form.roster import Roster, RowError, read_roster
from ..limits import MAIL_TIMEOUT_SECONDS
from ..storage.store import Store
from .compose import Template, compose
from .config import MailConfig

#: What ``item`` a blank form sent to an assessor is recorded as.
BLANK_ITEM = "blank"
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")

_TEXT = {
    "sent": Text("Skickade", "Sent"),
    "written": Text("Skrivna som .eml (inget skickat)", "Written as .eml (nothing sent)"),
    "already": Text("Redan skickade (--resend skickar igen)", "Sent before (--resend sends again)"),
    "failed": Text("Kunde inte skickas", "Could not be sent"),
    "no_address": Text("ingen e-postadress i kolumnen email/e-post", "no e-mail address in the email/e-post column"),
    "bad_address": Text("e-postkolumnen har ingen giltig adress", "the e-mail column holds no valid address"),
    "refused": Text("servern tog inte emot adressen", "the server refused the address"),
    "server": Text("servern svarade med ett fel", "the server answered with an error"),
    "network": Text("ingen förbindelse med servern", "no connection to the server"),
    "row": Text("rad", "row"),
    "line": Text("rad", "line"),
}


@dataclass(frozen=True)
class Outgoing:
    """One message to send: what (instance id or ``blank``), to whom, for whom, which PDF."""

    item: str
    recipient: str
    audience: str  # "trainee" or "assessor"
    name: str
    pdf: Path | bytes
    filename: str
    where: str  # "row 4" or "assessors.txt line 2": names the input line, never its content

    def data(self) -> bytes:
        """The PDF's bytes."""
        return self.pdf if isinstance(self.pdf, bytes) else self.pdf.read_bytes()


@dataclass(frozen=True)
class SendFailure:
    """A message not sent: the input line it came from and why."""

    where: str
    reason: Text
    detail: str = ""


@dataclass
class SendResult:
    """What a send run did."""

    sent: list[Outgoing] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    already: list[Outgoing] = field(default_factory=list)
    failed: list[SendFailure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every message went (or had gone before), 1 when some could not be sent."""
        return 1 if self.failed else 0

    def lines(self, lang: str = "en") -> list[str]:
        """The summary as lines of text, naming each failed input line and why."""
        t = {k: v[lang] for k, v in _TEXT.items()}
        out = [f"{t['written']}: {len(self.written)}"] if self.written else [f"{t['sent']}: {len(self.sent)}"]
        out += [f"{t['already']}: {len(self.already)}", f"{t['failed']}: {len(self.failed)}"]
        for f in self.failed:
            out.append(f"  {f.where}: {f.reason[lang]}" + (f" ({f.detail})" if f.detail else ""))
        return out


def valid_address(text: str) -> bool:
    """Does ``text`` look like one plain e-mail address (``name@host.tld``)."""
    return bool(_ADDRESS.match(text.strip()))


def trainee_messages(
    roster_path: str | Path, forms_dir: Path, form_lang: str, lang: str, db: Path | None = None
) -> tuple[list[Outgoing], list[SendFailure]]:
    """One message per roster row with a good address, its form from the forms folder (made if missing).

    Forms made here are recorded in the store at ``db`` (if given) like prefill's, for ``minicex status``.
    """
    roster = read_roster(roster_path)
    row_word = _TEXT["row"][lang]
    by_row = _index(forms_dir, Path(roster.path).name)
    missing = [r for r in roster.rows if (r.number, r.name) not in by_row]
    not_made: tuple[RowError, ...] = ()
    if missing:
        made = Prefiller(forms_dir, lang=form_lang).run(Roster(roster.path, tuple(missing)))
        if db is not None and made.made:
            from ..storage.roster_store import RosterStore

            with Store(db) as store, store.guarded():
                RosterStore(store).record(made.made, Path(roster.path).name, forms_dir.resolve())
        for m in made.made:
            by_row[(m.row.number, m.row.name)] = (m.path, m.instance_id)
        not_made = made.failed
    out: list[Outgoing] = []
    failed = [SendFailure(f"{row_word} {e.number}", e.message) for e in (*roster.errors, *not_made)]
    for row in roster.rows:
        where = f"{row_word} {row.number}"
        if not row.email.strip():
            failed.append(SendFailure(where, _TEXT["no_address"]))
            continue
        if not valid_address(row.email):
            failed.append(SendFailure(where, _TEXT["bad_address"]))
            continue
        if (row.number, row.name) not in by_row:
            continue  # its form could not be made: prefill reports why
        path, instance_id = by_row[(row.number, row.name)]
        out.append(Outgoing(instance_id, row.email.strip(), "trainee", row.name, path, path.name, where))
    return out, failed


def _index(forms_dir: Path, roster_name: str) -> dict[tuple[int, str], tuple[Path, str]]:
    """The forms ``prefill`` made for this roster, by (row, name): their file and instance id."""
    index = forms_dir / INDEX_NAME
    out: dict[tuple[int, str], tuple[Path, str]] = {}
    if not index.is_file():
        return out
    with index.open(encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    delimiter = ";" if ";" in text.partition("\n")[0] else ","  # ';' since #11; ',' in older folders
    for rec in csv.DictReader(io.StringIO(text), delimiter=delimiter):
        path = forms_dir / (rec.get("file") or "")
        name = rec.get("name") or ""
        name = name[1:] if name.startswith("'") else name  # prefill neutralised formula-like names
        if rec.get("roster") == roster_name and path.is_file() and (rec.get("row") or "").isdigit():
            out[(int(rec["row"]), name)] = (path, rec.get("instance_id") or "")
    return out


def assessor_messages(path: str | Path, blank: bytes, lang: str) -> tuple[list[Outgoing], list[SendFailure]]:
    """One message with the blank form per address in ``path`` (one a line; ``#`` starts a comment)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a UTF-8 text file of addresses") from None
    out, failed = [], []
    for n, line in enumerate(lines, start=1):
        address = line.split("#", 1)[0].strip()
        if not address:
            continue
        where = f"{path.name} {_TEXT['line'][lang]} {n}"
        if not valid_address(address):
            failed.append(SendFailure(where, _TEXT["bad_address"]))
            continue
        out.append(Outgoing(BLANK_ITEM, address, "assessor", "", blank, "mini-cex.pdf", where))
    return out, failed


class SmtpTransport:
    """One SMTP connection (STARTTLS or implicit TLS, certificates checked), opened when first needed."""

    def __init__(self, config: MailConfig) -> None:
        if not config.smtp_host:
            raise UsageError("no SMTP server: set smtp.host in --config or MINICEX_SMTP_HOST")
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.config.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"{self.config.ca_file}: not a readable CA certificate file ({exc})") from None

    def _open(self) -> smtplib.SMTP:
        c = self.config
        assert c.smtp_host is not None
        if c.smtp_security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                c.smtp_host, c.port, timeout=MAIL_TIMEOUT_SECONDS, context=self._context()
            )
        else:
            smtp = smtplib.SMTP(c.smtp_host, c.port, timeout=MAIL_TIMEOUT_SECONDS)
            smtp.starttls(context=self._context())  # raises if the server does not offer it: never in clear
        if c.smtp_user:
            if not c.smtp_password:
                smtp.close()
                raise UsageError("smtp.user is set but no password: set MINICEX_SMTP_PASSWORD or smtp.password")
            if c.smtp_user.isascii() and c.smtp_password.isascii():
                smtp.login(c.smtp_user, c.smtp_password)
            else:  # smtplib sends only ASCII; AUTH PLAIN is UTF-8 (RFC 4616): å, ä, ö in a password work
                smtp.ehlo_or_helo_if_needed()
                token = base64.b64encode(f"\0{c.smtp_user}\0{c.smtp_password}".encode()).decode("ascii")
                code, _ = smtp.docmd("AUTH", "PLAIN " + token)
                if code != 235:
                    raise smtplib.SMTPAuthenticationError(code, b"")
        return smtp

    def send(self, msg: EmailMessage) -> None:
        """Send one message; SMTP and network errors pass to the caller (the connection is dropped on one)."""
        if self._smtp is None:
            self._smtp = self._open()
        try:
            self._smtp.send_message(msg)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        """Say QUIT (or just drop a broken connection)."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


class Sender:
    """Sends (or writes as .eml) the planned messages, once each, recording each in the store."""

    def __init__(
        self,
        store: Store,
        config: MailConfig,
        *,
        template: Template | None = None,
        lang: str = "both",
        pause: float = 0.0,
        resend: bool = False,
        dry_run: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not config.sender:
            raise UsageError("no sender address: set mail.from in --config or MINICEX_MAIL_FROM")
        self.store = store
        self.config = config
        self.template = template or Template.load()
        self.lang = lang
        self.pause = pause
        self.resend = resend
        self.dry_run = dry_run
        self.sleep = sleep

    def message(self, out: Outgoing, data: bytes) -> EmailMessage:
        """The message for one outgoing form."""
        reply_to = self.config.reply_to or self.config.sender or ""
        values = {"name": out.name, "reply_to": reply_to, "file": out.filename}
        subject, body = self.template.render(out.audience, self.lang, values)
        assert self.config.sender is not None
        return compose(
            sender=self.config.sender,
            recipient=out.recipient,
            reply_to=self.config.reply_to,
            subject=subject,
            body=body,
            attachment=data,
            filename=out.filename,
        )

    def run(self, outgoing: Sequence[Outgoing], failed: Sequence[SendFailure] = ()) -> SendResult:
        """Send each message not sent before; the result lists what went, what was there, what failed."""
        result = SendResult(failed=list(failed))
        transport = None if self.dry_run else SmtpTransport(self.config)
        first = True
        try:
            for out in outgoing:
                if not self.resend and self.store.sent(out.item, out.recipient):
                    result.already.append(out)
                    continue
                data = out.data()
                msg = self.message(out, data)
                if transport is None:
                    assert self.dry_run is not None
                    result.written.append(_write_eml(self.dry_run, out, msg))
                    continue
                if not first and self.pause > 0:
                    self.sleep(self.pause)
                first = False
                try:
                    transport.send(msg)
                except smtplib.SMTPAuthenticationError as exc:
                    raise UsageError(f"SMTP server {self.config.smtp_host}: login refused ({exc.smtp_code})") from None
                except smtplib.SMTPNotSupportedError:
                    raise UsageError(f"SMTP server {self.config.smtp_host}: does not offer STARTTLS") from None
                except smtplib.SMTPRecipientsRefused as exc:
                    codes = sorted({str(code) for code, _ in exc.recipients.values()})
                    result.failed.append(SendFailure(out.where, _TEXT["refused"], ", ".join(codes)))
                    continue
                except smtplib.SMTPResponseException as exc:
                    result.failed.append(SendFailure(out.where, _TEXT["server"], str(exc.smtp_code)))
                    continue
                except (TimeoutError, smtplib.SMTPException, ssl.SSLError, OSError) as exc:
                    if isinstance(exc, ssl.SSLCertVerificationError):
                        host = self.config.smtp_host
                        raise UsageError(
                            f"SMTP server {host}: certificate not trusted ({exc.verify_message})"
                        ) from None
                    result.failed.append(SendFailure(out.where, _TEXT["network"], type(exc).__name__))
                    continue
                self.store.add_sent(out.item, out.recipient, hashlib.sha256(data).hexdigest(), msg["Message-ID"])
                result.sent.append(out)
        finally:
            if transport is not None:
                transport.close()
        return result


def _write_eml(folder: Path, out: Outgoing, msg: EmailMessage) -> Path:
    """Write ``msg`` as ``folder/<name>.eml`` (whole or not at all; never over another file)."""
    from ..outputs import atomic_output

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot create the folder: {exc.strerror}") from None
    stem = safe_stem(out.name) if out.name else "minicex_" + out.recipient.split("@")[0].replace(".", "_")
    stem = safe_stem(stem.removeprefix("minicex_"))
    n, target = 1, folder / f"{stem}.eml"
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}.eml"
    with atomic_output(target, overwrite=False) as fh:
        fh.write(msg.as_bytes())
    return target


def send_all(
    roster: str | Path,
    forms_dir: Path,
    *,
    db: Path,
    config_file: Path | None = None,
    assessors: Path | None = None,
    lang: str = "both",
    form_lang: str = "sv+en",
    template: Path | None = None,
    pause: float | None = None,
    resend: bool = False,
    dry_run: Path | None = None,
    ui_lang: str = "en",
) -> SendResult:
    """What ``minicex send`` does: plan the messages for a roster (and assessors), send each once.

    ``lang`` is the messages' language (sv, en or both); ``ui_lang`` the summary's (rows named in it).
    """
    from ..form.generator import build_form
    from ..limits import SEND_PAUSE_SECONDS
    from .config import load_config

    config = load_config(config_file)
    msg_lang = ui_lang  # the summary's language (input lines named "row 4" / "rad 4")
    outgoing, failed = trainee_messages(roster, forms_dir, form_lang, msg_lang, db)
    if assessors is not None:
        more, bad = assessor_messages(assessors, build_form(lang=form_lang), msg_lang)
        outgoing += more
        failed += bad
    with Store(db) as store:
        sender = Sender(
            store,
            config,
            template=Template.load(template),
            lang=lang,
            pause=SEND_PAUSE_SECONDS if pause is None else pause,
            resend=resend,
            dry_run=dry_run,
        )
        return sender.run(outgoing, failed)
