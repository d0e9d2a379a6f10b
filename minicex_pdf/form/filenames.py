"""File names made from trainees' names: letters kept, portable to Windows, macOS and Linux.

``safe_stem("Łukasz Wiśniewski")`` is ``minicex_Łukasz_Wiśniewski``; on a file system whose
encoding cannot hold such letters, ``safe_stem(name, ascii_only=True)`` gives the readable
``minicex_Lukasz_Wisniewski`` (Greek and Cyrillic transliterated too). Reserved characters,
trailing dots and spaces are gone, the length is bounded in bytes (NFC and NFD), and the
time taken is linear in the name's length.
"""

from __future__ import annotations

import re
import unicodedata

from ..limits import MAX_STEM_BYTES

__all__ = ["FS_PROBE", "MAX_STEM_BYTES", "PREFIX", "fs_takes", "safe_stem", "transliterate"]

#: File names start with this, so none starts with a dot or a dash or is a device name.
PREFIX = "minicex_"
#: Characters kept besides letters, marks and digits (all safe in names on Windows, macOS and Linux).
_KEEP = frozenset("-.'")
#: What a stem may not start or end with (a leading dot hides a file; Windows drops a trailing dot or space).
_EDGE = "._ -'"
#: Typographic punctuation as its ASCII look-alike (Word and Excel put ’ – in names).
_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "–": "-", "—": "-", "‐": "-", "‑": "-"})
#: Letters that do not decompose into an ASCII letter and a mark, as readable ASCII.
_LATIN = {
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae",
    "Œ": "OE", "œ": "oe", "ß": "ss", "ẞ": "SS", "Þ": "Th", "þ": "th", "ı": "i", "Ħ": "H", "ħ": "h",
    "Ŧ": "T", "ŧ": "t", "Ŋ": "N", "ŋ": "n", "ĸ": "q", "ſ": "s", "Ə": "E", "ə": "e",
}  # fmt: skip


def _table(letters: str, readings: str) -> dict[str, str]:
    """Lower-case letters -> how they read in ASCII ("-": not at all)."""
    return dict(zip(letters, readings.split(), strict=True))


_GREEK = _table("αβγδεζηθικλμνξοπρσςτυφχψω", "a b g d e z i th i k l m n x o p r s s t y f ch ps o")
_CYRILLIC = _table(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i i ie g u",
)


def _ascii_letter(ch: str) -> str:
    """One character as readable ASCII: ``Ł`` -> ``L``, ``ễ`` -> ``e``, ``Ж`` -> ``Zh``; '' if none."""
    if ch.isascii():
        return ch
    if ch in _LATIN:
        return _LATIN[ch]
    for c in (ch, unicodedata.normalize("NFD", ch)[0]):  # ά is α with a mark
        low = c.lower()
        for table in (_GREEK, _CYRILLIC):
            if low in table:
                out = table[low].replace("-", "")
                return out.capitalize() if c != low else out
    base = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in base if c.isascii())


def transliterate(text: str) -> str:
    """``text`` in readable ASCII (for file systems that cannot hold other letters)."""
    text = re.sub("[Οο][υύ]", lambda m: "Ou" if m.group()[0] == "Ο" else "ou", text)  # Greek ου reads ou
    return "".join(_ascii_letter(ch) for ch in text)


def _cut(text: str, limit: int) -> str:
    """The longest start of ``text`` whose UTF-8 is at most ``limit`` bytes in NFC and in NFD (macOS)."""
    used = 0
    for i, ch in enumerate(text):
        used += len(unicodedata.normalize("NFD", ch).encode("utf-8"))
        if used > limit:
            return text[:i]
    return text


def safe_stem(name: str, ascii_only: bool = False) -> str:
    """A file name stem for ``name``, portable to Windows, macOS and Linux.

    Letters of any script are kept in NFC (``Łukasz`` stays ``Łukasz``; ``ascii_only``
    transliterates them: ``Lukasz``), typographic punctuation becomes ASCII, anything
    else that is not a letter, mark, digit or ``- . '`` becomes ``_``; no trailing dot
    or space; at most :data:`MAX_STEM_BYTES` bytes (UTF-8, NFC and NFD). Linear in
    the name's length: only its first part, which is all a stem can hold, is looked at.
    """
    text = unicodedata.normalize("NFC", name[: 8 * MAX_STEM_BYTES]).translate(_PUNCTUATION)
    if ascii_only:
        text = transliterate(text)
    text = "".join(
        ch if ch in _KEEP or unicodedata.category(ch)[0] in "LMN" else " " if ch.isspace() else "_" for ch in text
    )
    text = re.sub(r"\s+", "_", text.strip())
    text = re.sub(r"_+", "_", text).strip(_EDGE)
    text = _cut(text, MAX_STEM_BYTES).rstrip("._ ")
    start = 0  # a mark cannot start a name readably: drop leading marks (and what they leave in front)
    while start < len(text) and (text[start] in _EDGE or unicodedata.category(text[start])[0] == "M"):
        start += 1
    text = text[start:]
    return PREFIX + (text or "trainee")  # the prefix: never a Windows device name (CON, LPT1, ...)


def fs_takes(text: str) -> bool:
    """Whether the file system's encoding can hold ``text`` in a name (else names are transliterated)."""
    import os

    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        return False
    return True


#: Letters a roster's names hold, tried once to choose between keeping letters and transliterating.
FS_PROBE = "ÅŁễΩЖ"
