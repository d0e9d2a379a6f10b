"""Property-based tests of rules with a domain: text in every PDF string encoding, name keys, personnummer.

Each rule is checked against an independent statement of it (the Luhn check
digit computed here, the encodings written here as viewers write them), not
against the code's own output.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import io
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf._codecs import _pdfdoc_encoding, _pdfdoc_encoding_rev  # PDFDocEncoding's table, as pypdf reads it

from minicex_pdf.form.generator import build_form
from minicex_pdf.reading import personal
from minicex_pdf.reading.reader import read_raw
from minicex_pdf.report.progress import name_key

# --------------------------------------------------------------------------- text round trips

#: The field the round trips write: the first multi-line feedback field of the blank form.
FIELD = "went_well"


class Blank:
    """The sv+en blank, the object number of FIELD's dictionary, and that dictionary's bytes without ``/V``."""

    def __init__(self, pdf: bytes, num: int, body: bytes) -> None:
        self.pdf, self.num, self.body = pdf, num, body

    def __repr__(self) -> str:
        return f"Blank(<{len(self.pdf)} bytes>, field object {self.num})"


@pytest.fixture(scope="module")
def blank() -> Blank:
    """The blank form and FIELD's dictionary in it."""
    pdf = build_form()
    reader = PdfReader(io.BytesIO(pdf))
    for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        obj = ref.get_object()
        if obj.get("/T") == FIELD:
            start = re.search(rb"(?<!\d)%d 0 obj" % ref.idnum, pdf)
            assert start is not None
            end = pdf.index(b"endobj", start.end())
            body = re.sub(rb"/V \(\)", b"", pdf[start.end() : end].strip())
            assert body.startswith(b"<<") and b"/V " not in body
            return Blank(pdf, ref.idnum, body)
    raise AssertionError(f"no field {FIELD} in the blank")


def _literal(raw: bytes, escape_newlines: bool) -> bytes:
    """A PDF literal string of ``raw``: parentheses and backslashes escaped, CR/LF raw or as ``\\r``/``\\n``."""
    out = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    if escape_newlines:
        out = out.replace(b"\r", b"\\r").replace(b"\n", b"\\n")
    return b"(" + out + b")"


def _hex(raw: bytes) -> bytes:
    return b"<" + raw.hex().upper().encode() + b">"


def _pdfdoc_encode(text: str) -> bytes | None:
    """``text`` in PDFDocEncoding (as pdf.js and MuPDF write Latin text), or None where a character has no code."""
    try:
        return bytes(_pdfdoc_encoding_rev[ch] for ch in text)
    except KeyError:
        return None


def _also_utf8(doc: bytes) -> bool:
    """Whether PDFDocEncoded bytes are also UTF-8 that reads as mojibake in PDFDoc (``Ã¥`` for ``å``).

    Some writers put raw UTF-8 into a PDFDocEncoding string, so the reader takes
    valid UTF-8 as UTF-8 unless each two-byte sequence is, in PDFDoc, a capital before
    punctuation (``Ö”``): text that is both is ambiguous by nature and kept apart here.
    """
    if doc.isascii():
        return False
    try:
        doc.decode("utf-8")
    except UnicodeDecodeError:
        return False
    for m in re.finditer(rb"[\xc4-\xdf]([\x80-\xbf])|[\xc2\xc3][\x80-\xbf]|[\xe0-\xf4][\x80-\xbf]{2,3}", doc):
        if m.group(1) is None or not unicodedata.category(_pdfdoc_encoding[m.group(1)[0]]).startswith("P"):
            return True
    return False


def encodings(text: str) -> dict[str, bytes]:
    """``text`` as each PDF string a viewer writes: the string token, by encoding name."""
    crlf = text.replace("\n", "\r\n")
    utf16 = codecs.BOM_UTF16_BE + crlf.encode("utf-16-be")
    out = {
        "utf16be literal, raw CRLF (PDFium)": _literal(utf16, escape_newlines=False),
        "utf16be literal, escaped CR LF": _literal(utf16, escape_newlines=True),
        "utf16be hex": _hex(codecs.BOM_UTF16_BE + text.encode("utf-16-be")),
        "utf16be hex, CRLF": _hex(utf16),
    }
    doc = _pdfdoc_encode(text)
    if doc is not None and not doc.startswith(b"\xfe\xff") and not _also_utf8(doc):
        out["pdfdoc literal, raw LF"] = _literal(doc, escape_newlines=False)
        out["pdfdoc literal, escaped CR"] = _literal(doc.replace(b"\n", b"\r"), escape_newlines=True)
        out["pdfdoc hex, CRLF"] = _hex(doc.replace(b"\n", b"\r\n"))
    return out


def with_value(blank: Blank, token: bytes) -> bytes:
    """The blank with an incremental update that sets FIELD's ``/V`` to the string ``token`` (as a viewer saves)."""
    pdf, num, body = blank.pdf, blank.num, blank.body
    start = len(pdf)
    obj = b"%d 0 obj\n" % num + body[:-2].rstrip() + b" /V " + token + b" >>\nendobj\n"
    size = PdfReader(io.BytesIO(pdf)).trailer["/Size"]
    root = re.findall(rb"/Root (\d+ \d+ R)", pdf)[-1]
    prev = re.findall(rb"startxref\s+(\d+)", pdf)[-1]
    xref = len(pdf) + len(obj)
    tail = b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (
        num,
        start,
    ) + b"trailer\n<< /Size %d /Root %s /Prev %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, prev, xref)
    return pdf + obj + tail


#: Text a trainee or an assessor might write: any character but surrogates and NUL, line breaks included.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
@example(text="Bra “anamnes” – €\nNästa gång: (öppna) frågor\\")
@example(text="Łukasz Wiśniewski\nNguyễn Thị Minh")
@example(text="a\n\nb")
def test_any_text_in_any_viewer_encoding_reads_back_equal(blank: Blank, text: str) -> None:
    for name, token in encodings(text).items():
        got = read_raw("roundtrip.pdf", data=with_value(blank, token))[FIELD]
        assert got == text, f"{name}: {got!r} != {text!r}"


# --------------------------------------------------------------------------- name keys

names = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lt", "Mn")), min_size=1, max_size=12)


@given(first=names, last=names, spaces=st.sampled_from([" ", "  ", "\t", " \u00a0"]))
def test_name_key_ignores_normal_form_case_and_spacing(first: str, last: str, spaces: str) -> None:
    plain = f"{first} {last}"
    variants = [unicodedata.normalize("NFD", plain), f"  {first}{spaces}{last} "]  # typed on a Mac; padded
    upper = unicodedata.normalize("NFC", plain).upper()
    if upper.casefold() == unicodedata.normalize("NFC", plain).casefold():  # not a lossy case (Turkish ı → I)
        variants.append(upper)
    for variant in variants:
        assert name_key(variant) == name_key(plain), repr(variant)


@given(a=names, b=names)
def test_name_key_tells_different_names_apart(a: str, b: str) -> None:
    same = unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()
    assert (name_key(a) == name_key(b)) == same


# --------------------------------------------------------------------------- personnummer


def check_digit(nine: str) -> str:
    """The Luhn check digit of a personnummer's nine digits YYMMDDNNN (Skatteverket's rule)."""
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


@st.composite
def personal_numbers(draw: st.DrawFn, valid: bool = True) -> str:
    """A personnummer or samordningsnummer written as people write them, by the rules (check digit right or wrong)."""
    born = draw(st.dates(min_value=_dt.date(1900, 1, 1), max_value=_dt.date(2025, 12, 31)))
    coordination = draw(st.booleans())
    day = born.day + (60 if coordination else 0)
    serial = f"{draw(st.integers(0, 999)):03d}"
    nine = f"{born:%y%m}{day:02d}{serial}"
    right = check_digit(nine)
    digit = right if valid else str((int(right) + draw(st.integers(1, 9))) % 10)
    long_form = draw(st.booleans())
    head = f"{born:%Y%m}{day:02d}" if long_form else f"{born:%y%m}{day:02d}"
    separator = draw(st.sampled_from(["", "-"] + ([] if long_form else ["+"])))
    return f"{head}{separator}{serial}{digit}"


surrounding = st.sampled_from(["", "Patient ", "pnr: ", "(", "Remiss för "])
after = st.sampled_from(["", " idag.", ")", ", åter om 2 v", "\n"])


@given(number=personal_numbers(valid=True), before=surrounding, tail=after)
@example(number="811218-9876", before="", tail="")  # Skatteverket's own example
def test_a_valid_personnummer_in_free_text_is_found_and_masked(number: str, before: str, tail: str) -> None:
    text = before + number + tail
    assert personal.has_valid(text)
    assert (
        personal.mask(text)
        == before + ("ÅÅÅÅMMDD" if len(number.replace("-", "")) == 12 else "ÅÅMMDD") + "-XXXX" + tail
    )


@given(number=personal_numbers(valid=False), before=surrounding, tail=after)
def test_a_wrong_check_digit_is_still_a_number_but_not_a_valid_one(number: str, before: str, tail: str) -> None:
    text = before + number + tail
    assert not personal.has_valid(text)
    assert personal.has_any(text)
    assert number not in personal.mask(text, "en") and "-XXXX" in personal.mask(text, "en")


@given(digits=st.integers(0, 10**8 - 1), before=surrounding)
def test_shorter_numbers_and_dates_are_not_personnummer(digits: int, before: str) -> None:
    text = f"{before}{digits} {_dt.date(2026, 3, 14).isoformat()} 45 min"
    assert not personal.has_any(text)
    assert personal.mask(text) == text
