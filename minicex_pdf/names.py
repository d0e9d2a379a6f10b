"""How names are compared, everywhere: the store's trainee key, assessment identity, the report, the roster."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def name_key(text: object) -> str:
    """A name as compared: NFC, spaces collapsed and trimmed, case-folded (accents kept); "" for no text.

    "Åsa  Öberg", "åsa öberg" and the same typed on a Mac (NFD) are one key;
    NFC again after case-folding, since folding can decompose (U+1FE2).
    """
    if not isinstance(text, str):
        return ""
    return unicodedata.normalize("NFC", _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold())
