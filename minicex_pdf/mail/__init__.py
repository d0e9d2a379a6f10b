"""E-mail: send the forms out (:mod:`.send`), take the returns from mail files and IMAP (:mod:`.sources`, :mod:`.imap`).

This module itself stays light (no ``email`` import), so that the importer can
tell mail files by name without loading the mail machinery for a folder of PDFs.
"""

from __future__ import annotations

from pathlib import Path

#: Mail files the import reads, by suffix (lower case).
MAIL_SUFFIXES = (".eml", ".mbox", ".msg")


def is_mail_file(path: str | Path) -> bool:
    """Is ``path`` named like a mail file the import reads (``.eml``, ``.mbox``, ``.msg``)."""
    return Path(path).suffix.lower() in MAIL_SUFFIXES
