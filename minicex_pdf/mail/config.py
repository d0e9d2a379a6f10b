"""Mail settings: SMTP and IMAP servers, sender and return address, from a TOML file and the environment.

One function, :func:`load_config`, reads them: first the TOML file given with
``--config`` (if any), then ``MINICEX_*`` environment variables, which win.
Passwords come only from here (never from the command line) and are never
shown: :class:`MailConfig` leaves them out of its ``repr``. ::

    [mail]
    from = "ST-kansliet <st-kansliet@region.se>"
    reply_to = "minicex-returer@region.se"
    # ca_file = "/etc/ssl/certs/region-ca.pem"   # a CA to trust besides the system's

    [smtp]
    host = "smtp.region.se"
    port = 587                # 587 with security = "starttls", 465 with "tls"
    security = "starttls"     # or "tls" (implicit TLS)
    user = "st-kansliet"
    # password = "..."        # or MINICEX_SMTP_PASSWORD

    [imap]
    url = "imaps://st-kansliet@imap.region.se/INBOX/Returer"
    # password = "..."        # or MINICEX_IMAP_PASSWORD
    # move_to = "INBOX/Importerade"   # move processed messages there instead of flagging them
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..limits import MAIL_CONFIG_MAX_BYTES

#: Environment variables and the config key each one sets (section.key).
ENV = {
    "MINICEX_SMTP_HOST": "smtp.host",
    "MINICEX_SMTP_PORT": "smtp.port",
    "MINICEX_SMTP_SECURITY": "smtp.security",
    "MINICEX_SMTP_USER": "smtp.user",
    "MINICEX_SMTP_PASSWORD": "smtp.password",
    "MINICEX_IMAP_URL": "imap.url",
    "MINICEX_IMAP_PASSWORD": "imap.password",
    "MINICEX_IMAP_MOVE_TO": "imap.move_to",
    "MINICEX_MAIL_FROM": "mail.from",
    "MINICEX_MAIL_REPLY_TO": "mail.reply_to",
    "MINICEX_MAIL_CA_FILE": "mail.ca_file",
}
SECURITY = ("starttls", "tls")
_DEFAULT_PORT = {"starttls": 587, "tls": 465}


@dataclass(frozen=True)
class MailConfig:
    """Where to send from and read returns from; passwords are kept out of ``repr``."""

    sender: str | None = None
    reply_to: str | None = None
    ca_file: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    imap_url: str | None = None
    imap_password: str | None = field(default=None, repr=False)
    imap_move_to: str | None = None

    @property
    def port(self) -> int:
        """The SMTP port: as set, or 587 for STARTTLS and 465 for implicit TLS."""
        return self.smtp_port or _DEFAULT_PORT[self.smtp_security]


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> MailConfig:
    """The mail settings from the TOML file ``path`` (if given) and the environment (which wins)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if path is not None:
        values.update(_read_toml(Path(path)))
    for name, key in ENV.items():
        if env.get(name):
            values[key] = env[name]
    where = str(path) if path else "the environment"
    security = str(values.get("smtp.security", "starttls")).lower()
    if security not in SECURITY:
        raise UsageError(f"{where}: smtp.security must be one of {', '.join(SECURITY)}")
    port = values.get("smtp.port")
    try:
        port = int(port) if port not in (None, "") else None
    except (TypeError, ValueError):
        raise UsageError(f"{where}: smtp.port must be a whole number") from None
    text = lambda key: str(values[key]) if values.get(key) not in (None, "") else None  # noqa: E731
    return MailConfig(
        sender=text("mail.from"),
        reply_to=text("mail.reply_to"),
        ca_file=text("mail.ca_file"),
        smtp_host=text("smtp.host"),
        smtp_port=port,
        smtp_security=security,
        smtp_user=text("smtp.user"),
        smtp_password=text("smtp.password"),
        imap_url=text("imap.url"),
        imap_password=text("imap.password"),
        imap_move_to=text("imap.move_to"),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    """The file's settings as ``section.key``; an unknown key is an error that names it (never its value)."""
    try:
        if path.stat().st_size > MAIL_CONFIG_MAX_BYTES:
            raise UsageError(f"{path}: too large to be a minicex config file")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a valid TOML file ({exc})") from None
    known = set(ENV.values())
    out: dict[str, Any] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            raise UsageError(f"{path}: {section!r} must be a [section]")
        for key, value in table.items():
            name = f"{section}.{key}"
            if name not in known:
                raise UsageError(f"{path}: unknown setting {name!r}; known: {', '.join(sorted(known))}")
            out[name] = value
    return out
