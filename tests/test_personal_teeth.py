"""Personal identity numbers with exact expectations: where each is, whether it has a century, whether it is valid.

Check digits below were worked out by hand with Luhn over the ten digits
(YYMMDDNNNC): double the digits in even positions (0, 2, ...), add the digits
of the products and the other digits; the sum must end in 0.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from minicex_pdf.form.definition import Text
from minicex_pdf.reading.personal import Found, find, has_any, has_valid, luhn, mask, masked_record
from minicex_pdf.reading.record import Problem, Record, Source


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("1212121212", True),  # Skatteverket's test person
        ("8112189876", True),
        ("8112189877", False),
        ("8112789873", True),  # samordningsnummer (day 18 + 60)
        ("1212721219", True),  # a 9 in an undoubled place
        ("1201911235", True),
        ("1201911234", False),
        ("0000000000", True),
        ("0000000001", False),
        ("9901011230", True),
    ],
)
def test_luhn(digits, valid):
    assert luhn(digits) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pat 19121212-1212, 811218-9877.", [Found(4, 17, True, True), Found(19, 30, False, False)]),
        ("121212+1212", [Found(0, 11, False, True)]),
        ("1212121212", [Found(0, 10, False, True)]),
        ("191212121212", [Found(0, 12, True, True)]),
        ("18121212-1212", [Found(0, 13, True, True)]),  # born in the 1800s: a century we know
        ("17121212-1217", []),  # no such century
        ("21121212-1212", []),
        ("000229-1235", [Found(0, 11, False, True)]),  # 29 Feb 2000 (1900 was no leap year)
        ("030229-1232", []),  # 29 Feb 1903 or 2003: neither exists
        ("010229-1234", []),  # 29 Feb 1901 or 2001: neither exists
        ("050229-1234", []),  # nor 1905 or 2005
        ("19000229-1235", []),  # 1900 was no leap year
        ("20000229-1235", [Found(0, 13, True, True)]),
        ("120161-1231", [Found(0, 11, False, True)]),  # samordningsnummer, 1 January
        ("120191-1235", [Found(0, 11, False, True)]),  # samordningsnummer, 31 January
        ("120160-1232", []),  # day 60: neither a date nor a samordningsnummer
        ("120192-1234", []),  # 32 January
        ("121300-0000", []),
        ("070-1234567", []),
        ("2026-12-31", []),
    ],
)
def test_find_exactly(text, expected):
    assert list(find(text)) == expected


def test_has_valid_and_has_any():
    assert has_valid("x 121212-1212 y") and has_any("x 121212-1212 y")
    assert not has_valid("811218-9877") and has_any("811218-9877")
    assert not has_valid("811218-9877 121300-0000") and not has_any("121300-0000")
    assert has_valid("811218-9877 och 811218-9876")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Pat 19121212-1212, 811218-9877.", "sv", "Pat ÅÅÅÅMMDD-XXXX, ÅÅMMDD-XXXX."),
        ("Pat 19121212-1212, 811218-9877.", "en", "Pat YYYYMMDD-XXXX, YYMMDD-XXXX."),
        ("121212-1212", "de", "ÅÅMMDD-XXXX"),  # any other language: Swedish
        ("inget nummer 070-1234567", "sv", "inget nummer 070-1234567"),
        ("", "en", ""),
        ("121212-1212/811218-9876 slut", "sv", "ÅÅMMDD-XXXX/ÅÅMMDD-XXXX slut"),
        ("12121212121212", "sv", "12121212121212"),  # fourteen digits: no number
    ],
)
def test_mask_exactly(text, lang, expected):
    assert mask(text, lang) == expected


def test_masked_record_masks_every_text_and_keeps_the_rest():
    record = Record(
        source=Source("/in/121212-1212.pdf", "ab" * 32, 1000, "minicex-st", 1, None),
        values={
            "clinical_context": "Pat 811218-9876",
            "focus": ("history", "19121212-1212"),
            "date": _dt.date(2026, 12, 31),
            "observation_minutes": 15,
            "complicated": False,
        },
        problems=(Problem("personal_id_number", "error", "clinical_context", Text(sv="a", en="b")),),
        status="incomplete",
        raw={"date": "igår 121212-1212"},
    )
    masked = masked_record(record, "en")
    assert masked.values == {
        "clinical_context": "Pat YYMMDD-XXXX",
        "focus": ("history", "YYYYMMDD-XXXX"),
        "date": _dt.date(2026, 12, 31),
        "observation_minutes": 15,
        "complicated": False,
    }
    assert masked.raw == {"date": "igår YYMMDD-XXXX"}
    assert masked.source == Source("/in/YYMMDD-XXXX.pdf", "ab" * 32, 1000, "minicex-st", 1, None)
    assert masked.problems == record.problems and masked.status == "incomplete"
    assert masked_record(record).values["clinical_context"] == "Pat ÅÅMMDD-XXXX"
