"""Every exception minicex-pdf raises, under one base class.

Problems *inside* a readable form (an empty required field, a date in the future)
are not exceptions: they are :class:`minicex_pdf.reading.record.Problem` values on the
record. Exceptions are for a definition that cannot be used, a file that
cannot be read as a returned form at all, a store that cannot be used
(:class:`StoreError`) and an output that cannot be written (:class:`OutputError`);
each message is one line that names the file.
"""

from __future__ import annotations

import errno
from pathlib import Path

#: Operating-system errors in Swedish (the system gives them in English); others keep the system's words.
_OS_SV = {
    errno.ENOENT: "filen eller mappen finns inte",
    errno.EACCES: "åtkomst nekad",
    errno.EPERM: "åtgärden är inte tillåten",
    errno.ENOSPC: "disken är full",
    errno.EROFS: "skrivskyddat filsystem",
    errno.EISDIR: "är en mapp",
    errno.ENOTDIR: "är inte en mapp",
    errno.EEXIST: "finns redan",
}


def os_error_message(exc: OSError, lang: str = "en") -> str:
    """``file: what went wrong`` for an operating-system error, in Swedish (``sv``) or English."""
    words = (_OS_SV.get(exc.errno or 0) if lang == "sv" else None) or exc.strerror or str(exc)
    return f"{exc.filename}: {words}" if exc.filename else words


class MinicexError(Exception):
    """Base class of every error minicex-pdf raises on purpose."""


class DefinitionError(MinicexError):
    """A form definition in ``forms/`` is broken; the message names the entry."""


class UsageError(MinicexError):
    """A caller asked for something that cannot be done (bad option, bad path).

    ``sv`` is the message in Swedish where the raiser gives one; :meth:`message` picks by language.
    """

    def __init__(self, message: str, sv: str | None = None) -> None:
        super().__init__(message)
        self.sv = sv

    def message(self, lang: str = "en") -> str:
        """The message in Swedish (``sv``, when given) or English."""
        return self.sv if lang == "sv" and self.sv else str(self)


class StoreError(MinicexError):
    """The store cannot be used as asked: damaged, locked, read-only, or the disk is full.

    ``kind`` is one of ``damaged``, ``locked``, ``readonly``, ``full``, ``io``, ``cannot_open``,
    ``other``; the message names the database file and says what to do.
    """

    def __init__(self, message: str, kind: str = "other", sv: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.sv = sv

    def message(self, lang: str = "en") -> str:
        """The message in Swedish (``sv``, when given) or English."""
        return self.sv if lang == "sv" and self.sv else str(self)


class OutputError(UsageError):
    """An output file cannot be written (disk full, no permission); nothing was left behind."""


class RosterError(UsageError):
    """A roster file cannot be read at all (not CSV/XLSX, no name column); ``sv`` in Swedish."""


class FormReadError(MinicexError):
    """A file cannot be read as a returned mini-CEX form.

    ``kind`` is a stable code (for exports and reports); ``path`` the file; the
    message says what is wrong in words an admin understands.
    """

    kind = "unreadable"
    #: Swedish and English explanation; subclasses override.
    text = {
        "sv": "filen kan inte läsas",
        "en": "the file cannot be read",
    }

    def __init__(self, path: str | Path, detail: str = "") -> None:
        self.path = str(path)
        self.detail = detail
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """The file name and what is wrong, in Swedish (``sv``) or English."""
        text = self.text.get(lang, self.text["en"])
        tail = f" ({self.detail})" if self.detail else ""
        return f"{self.path}: {text}{tail}"


class NotAFileError(FormReadError):
    """The path is not a regular file (a FIFO, a device, a folder): nothing is read from it.

    ``what`` (``fifo``, ``device``, ``folder``) names what it is instead, in both languages.
    """

    kind = "not_a_file"
    text = {"sv": "inte en vanlig fil", "en": "not a regular file"}
    #: What the path is instead, by ``what``.
    instead = {
        "fifo": {"sv": "utan en namngiven pipe (FIFO)", "en": "but a named pipe (FIFO)"},
        "device": {"sv": "utan en enhet", "en": "but a device"},
        "folder": {"sv": "utan en mapp", "en": "but a folder"},
    }

    def __init__(self, path: str | Path, what: str = "") -> None:
        names = self.instead.get(what)
        if names is not None:
            self.text = {lang: f"{base} {names[lang]}" for lang, base in NotAFileError.text.items()}
        super().__init__(path)


class NotAPdfError(FormReadError):
    """The file is not a PDF at all."""

    kind = "not_pdf"
    text = {"sv": "inte en PDF-fil", "en": "not a PDF file"}


class DamagedPdfError(FormReadError):
    """The file is a PDF but damaged, truncated or too large to be a form."""

    kind = "damaged"
    text = {"sv": "PDF-filen är skadad eller ofullständig", "en": "the PDF is damaged or truncated"}


class EncryptedPdfError(FormReadError):
    """The file needs a password to open."""

    kind = "encrypted"
    text = {
        "sv": "PDF-filen är lösenordsskyddad; be avsändaren skicka den utan lösenord",
        "en": "the PDF is password-protected; ask the sender for a copy without a password",
    }


class NoFormFieldsError(FormReadError):
    """The PDF has no form fields: printed to PDF, scanned or flattened."""

    kind = "no_fields"
    text = {
        "sv": "inga formulärfält: utskriven, skannad eller plattad PDF, mata in den för hand",
        "en": "no form fields: printed, scanned or flattened, enter it by hand",
    }


class XfaFormError(FormReadError):
    """The PDF is an XFA form, which this tool does not read."""

    kind = "xfa"
    text = {
        "sv": "XFA-formulär (annan formulärtyp) kan inte läsas",
        "en": "an XFA form (another form technology) cannot be read",
    }


class NotMinicexError(FormReadError):
    """The PDF is a form, but not a mini-CEX form made by this tool."""

    kind = "not_minicex"
    text = {"sv": "ett PDF-formulär men inte ett mini-CEX", "en": "a PDF form but not a mini-CEX"}


class UnknownVersionError(FormReadError):
    """A mini-CEX filled in a definition version this release does not know."""

    kind = "unknown_version"
    text = {
        "sv": "mini-CEX av en formulärversion som denna version av programmet inte känner till",
        "en": "a mini-CEX of a form version this release does not know",
    }
