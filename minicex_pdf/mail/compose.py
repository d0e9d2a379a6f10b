"""Messages that carry forms: subject and body in Swedish, English or both, from an overridable template.

A template has a subject and a plain-text body per audience (``trainee``: a
pre-filled form; ``assessor``: a blank form) and language. ``$name``,
``$reply_to`` and ``$file`` are filled in (:class:`string.Template`; an unknown
``$word`` stays as it is). The HTML part is made from the plain text (escaped,
one paragraph per blank-line block): simple, and never anything but text.
An admin's template is a TOML file with any of the keys below; the rest stay default::

    [trainee.sv]
    subject = "Ditt mini-CEX-formulär"
    body = \"\"\"Hej $name! ...\"\"\"
"""

from __future__ import annotations

import html
import string
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from ..errors import UsageError
from ..limits import MAIL_TEMPLATE_MAX_BYTES

#: Languages of a message: one, or Swedish then English in the same message.
MAIL_LANGS = ("sv", "en", "both")
AUDIENCES = ("trainee", "assessor")

DEFAULT_TEMPLATE: dict[str, dict[str, dict[str, str]]] = {
    "trainee": {
        "sv": {
            "subject": "Mini-CEX: ditt förifyllda formulär",
            "body": (
                "Hej $name,\n\n"
                "Här kommer ditt förifyllda mini-CEX-formulär ($file). Ta med det till din nästa "
                "bedömning; bedömaren fyller i resten direkt i PDF-filen (Adobe Reader, webbläsaren "
                "eller Förhandsvisning) och sparar den.\n\n"
                "Skicka den ifyllda PDF-filen som bilaga till $reply_to. Skriv inte ut och skanna: "
                "då kan formuläret inte läsas automatiskt.\n\n"
                "Vänliga hälsningar\nST-kansliet"
            ),
        },
        "en": {
            "subject": "Mini-CEX: your pre-filled form",
            "body": (
                "Dear $name,\n\n"
                "Here is your pre-filled mini-CEX form ($file). Bring it to your next assessment; "
                "the assessor fills in the rest in the PDF itself (Adobe Reader, a web browser or "
                "Preview) and saves it.\n\n"
                "Send the filled-in PDF as an attachment to $reply_to. Please do not print and scan "
                "it: a scanned form cannot be read automatically.\n\n"
                "Kind regards\nThe ST office"
            ),
        },
    },
    "assessor": {
        "sv": {
            "subject": "Mini-CEX: blankt formulär för bedömare",
            "body": (
                "Hej,\n\n"
                "Här kommer ett blankt mini-CEX-formulär ($file). Fyll i det direkt i PDF-filen, "
                "spara och skicka det som bilaga till $reply_to.\n\n"
                "Vänliga hälsningar\nST-kansliet"
            ),
        },
        "en": {
            "subject": "Mini-CEX: a blank form for assessors",
            "body": (
                "Hello,\n\n"
                "Here is a blank mini-CEX form ($file). Fill it in in the PDF itself, save it and "
                "send it as an attachment to $reply_to.\n\n"
                "Kind regards\nThe ST office"
            ),
        },
    },
}


@dataclass(frozen=True)
class Template:
    """Subject and plain-text body per audience and language."""

    parts: dict[str, dict[str, dict[str, str]]]

    @classmethod
    def load(cls, path: str | Path | None = None) -> Template:
        """The default template, with the keys an admin's TOML file at ``path`` overrides."""
        parts = {a: {lang: dict(t) for lang, t in langs.items()} for a, langs in DEFAULT_TEMPLATE.items()}
        if path is None:
            return cls(parts)
        path = Path(path)
        try:
            if path.stat().st_size > MAIL_TEMPLATE_MAX_BYTES:
                raise UsageError(f"{path}: too large to be a message template")
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: not a valid TOML file ({exc})") from None
        for audience, langs in data.items():
            if audience not in parts or not isinstance(langs, dict):
                raise UsageError(f"{path}: unknown section [{audience}]; use {', '.join(AUDIENCES)}")
            for lang, keys in langs.items():
                if lang not in ("sv", "en") or not isinstance(keys, dict):
                    raise UsageError(f"{path}: unknown section [{audience}.{lang}]; use sv or en")
                for key, value in keys.items():
                    if key not in ("subject", "body") or not isinstance(value, str):
                        raise UsageError(f"{path}: [{audience}.{lang}] {key!r} must be subject or body, as text")
                    parts[audience][lang][key] = value
        return cls(parts)

    def render(self, audience: str, lang: str, values: dict[str, str]) -> tuple[str, str]:
        """The subject and plain-text body for ``audience`` in ``lang`` (``sv``, ``en`` or ``both``)."""
        if lang not in MAIL_LANGS:
            raise UsageError(f"unknown message language {lang!r}: use one of {', '.join(MAIL_LANGS)}")
        langs = ("sv", "en") if lang == "both" else (lang,)
        fill = lambda text: string.Template(text).safe_substitute(values)  # noqa: E731
        subjects = [" ".join(fill(self.parts[audience][la]["subject"]).split()) for la in langs]
        bodies = [fill(self.parts[audience][la]["body"]).strip() for la in langs]
        return " / ".join(subjects), "\n\n---\n\n".join(bodies) + "\n"


def html_of(text: str) -> str:
    """A simple HTML version of plain text: escaped, a paragraph per block, line breaks kept."""
    blocks = [b for b in text.strip().split("\n\n") if b.strip()]
    paras = ["<p>" + html.escape(b.strip()).replace("\n", "<br>\n") + "</p>" for b in blocks]
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n' + "\n".join(paras) + "\n</body></html>\n"
    )


def compose(
    *,
    sender: str,
    recipient: str,
    reply_to: str | None,
    subject: str,
    body: str,
    attachment: bytes,
    filename: str,
) -> EmailMessage:
    """A message with a plain-text and an HTML part and one PDF attachment; it has its own Message-ID."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2].strip(" >") or None
    msg["Message-ID"] = make_msgid("minicex", domain=domain)
    msg.set_content(body)
    msg.add_alternative(html_of(body), subtype="html")
    msg.add_attachment(attachment, maintype="application", subtype="pdf", filename=filename)
    return msg
