"""Swedish personal identity and co-ordination numbers in free text: found, checked, masked.

A *personnummer* is YYMMDD-XXXX (10 digits) or YYYYMMDD-XXXX (12 digits), with
``-``, ``+`` (100 years or older) or nothing between date and tail; a
*samordningsnummer* is the same with 60 added to the day. Anything of that
shape whose date part is a real date counts as one here, whether its check
digit (Luhn over the ten digits) is right or not: a number with a slip in it is
still a patient's number. :func:`mask` replaces each with ``ÅÅMMDD-XXXX`` (or
``YYMMDD-XXXX`` in English), so the text stays readable and says what was
there; the reader flags valid ones as errors and the others as warnings.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .record import Record

_NUMBER = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})(?!\d)")
_CENTURIES = ("18", "19", "20")
_MASK = {
    "sv": ("ÅÅMMDD", "ÅÅÅÅMMDD"),
    "en": ("YYMMDD", "YYYYMMDD"),
}


@dataclass(frozen=True)
class Found:
    """One apparent number in a text: where it is, whether it has a century, whether its check digit holds."""

    start: int
    end: int
    century: bool
    valid: bool


def luhn(digits: str) -> bool:
    """The Luhn check over ``digits`` (the ten digits of a personnummer)."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _plausible(century: str | None, yy: str, mm: str, dd: str) -> bool:
    day = int(dd)
    if day > 60:  # samordningsnummer: the day plus 60
        day -= 60
    years = [int(century + yy)] if century else [1900 + int(yy), 2000 + int(yy)]
    for year in years:
        try:
            _dt.date(year, int(mm), day)
        except ValueError:
            continue
        return True
    return False


def find(text: str) -> Iterator[Found]:
    """Every apparent personnummer or samordningsnummer in ``text`` (a real date in it), valid or not."""
    for m in _NUMBER.finditer(text):
        century, yy, mm, dd, _, tail = m.groups()
        if century is not None and century not in _CENTURIES:
            continue
        if _plausible(century, yy, mm, dd):
            yield Found(m.start(), m.end(), century is not None, luhn(yy + mm + dd + tail))


def has_valid(text: str) -> bool:
    """Whether ``text`` holds an apparent number whose check digit is right."""
    return any(f.valid for f in find(text))


def has_any(text: str) -> bool:
    """Whether ``text`` holds anything that looks like a personnummer or samordningsnummer."""
    return next(find(text), None) is not None


def mask(text: str, lang: str = "sv") -> str:
    """``text`` with every apparent number replaced by ``ÅÅMMDD-XXXX`` (``YYMMDD-XXXX`` in English)."""
    short, long = _MASK["en" if lang == "en" else "sv"]
    out, last = [], 0
    for f in find(text):
        out.append(text[last : f.start])
        out.append(f"{long if f.century else short}-XXXX")
        last = f.end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def masked_record(record: Record, lang: str = "sv") -> Record:
    """``record`` with :func:`mask` applied to every text value, raw value and its file path."""

    def one(value: Any) -> Any:
        if isinstance(value, str):
            return mask(value, lang)
        if isinstance(value, tuple):
            return tuple(one(v) for v in value)
        return value

    return dataclasses.replace(
        record,
        values={k: one(v) for k, v in record.values.items()},
        raw={k: mask(v, lang) for k, v in record.raw.items()},
        source=dataclasses.replace(record.source, path=mask(record.source.path, lang)),
    )
