"""The walker's classifications and text decoding, each pinned to the exact outcome.

Files are assembled byte by byte (``_raw_pdf`` from test_acroform), so the string
in the file is exactly the one named: pypdf's writer never re-encodes it on the
way, and each case reaches the decoding step its name says.
"""

from __future__ import annotations

import time

import pytest
from pypdf.generic import ByteStringObject, NameObject, NumberObject, TextStringObject
from test_acroform import (
    Form,
    N,
    T,
    _ap,
    _bomb_objstm,
    _catalog,
    _d,
    _deep_array,
    _deep_kids,
    _kid_loop,
    _missing_objects,
    _raw_pdf,
    _self_reference,
    radio_group,
)

from minicex_pdf.errors import DamagedPdfError, FormReadError, NoFormFieldsError
from minicex_pdf.reading.walker import decode_text, scan


@pytest.mark.parametrize(
    ("make", "error", "detail"),
    [
        (_kid_loop, NoFormFieldsError, ""),  # the loop is cut where it closes: no terminal field is left
        (_self_reference, NoFormFieldsError, ""),
        (_deep_kids, DamagedPdfError, "form fields nested too deeply"),
        (_deep_array, DamagedPdfError, "objects nested too deeply"),
        (_missing_objects, DamagedPdfError, "reading it takes far longer than any form"),
        (_bomb_objstm, DamagedPdfError, "an object stream inflates beyond any form's size"),
    ],
    ids=["kid-loop", "self-reference", "deep-kids", "deep-array", "missing-objects", "inflate-bomb"],
)
def test_hostile_files_get_their_own_classification(make, error, detail):
    data = make()
    start = time.process_time()  # the budget is CPU time: a busy machine must not fail the test
    with pytest.raises(FormReadError) as caught:
        scan(data, "hostile.pdf")
    assert type(caught.value) is error
    assert (caught.value.path, caught.value.detail) == ("hostile.pdf", detail)
    assert time.process_time() - start < 1.0


def one_text_field(value: bytes) -> bytes:
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (note) /FT /Tx /V " + value + b" >>"
    return _raw_pdf(objs)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        # UTF-16BE in a hex string: no literal unescaping on the way, so the decoder itself turns CR LF and CR into LF
        (b"<FEFF00C500730061000D000A0062000D0063>", "Åsa\nb\nc"),
        # UTF-16BE in a literal, CR LF escaped (octal) and raw as PDFium writes them: the lexer must not turn
        # the CR byte of a UTF-16 code unit into LF before the string is decoded
        (rb"(\376\377\000\305\000s\000a\000\015\000\012\000b)", "Åsa\nb"),
        (b"(\xfe\xff\x00\xc5\x00s\x00a\x00\r\x00\n\x00b\x00\r\x00c)", "Åsa\nb\nc"),
        # a UTF-16BE string cut off after an odd byte: pypdf keeps it as bytes, the decoder still reads it as UTF-16
        (b"<FEFF00C5007300>", "Ås\ufffd"),
        # PDFDocEncoding in a hex string with CR LF and a lone CR: the decoder normalises them
        (b"<726164200D0A740D75>", "rad \nt\nu"),
        # raw (unescaped) CR LF and CR inside a literal: the lexer normalises them
        (b"(rad ett\r\nrad tv\xe5\rtre)", "rad ett\nrad två\ntre"),
        # escaped \r\n in a PDFDocEncoded literal
        (rb"(ett\r\ntv\345)", "ett\ntvå"),
        # UTF-8 bytes in a PDFDocEncoding literal (invalid, but written by some tools)
        ("(Åsa Öberg)".encode(), "Åsa Öberg"),
    ],
    ids=[
        "utf16-hex-crlf",
        "utf16-literal-escaped-crlf",
        "utf16-literal-raw-crlf",
        "utf16-odd-length",
        "pdfdoc-hex-crlf",
        "literal-raw-crlf",
        "literal-escaped-crlf",
        "raw-utf8",
    ],
)
def test_strings_as_viewers_write_them_decode(stored, expected):
    assert scan(one_text_field(stored), "x.pdf").raw() == {"note": expected}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ByteStringObject(b"\xfe\xff" + "Å\r\nb\rc".encode("utf-16-be")), "Å\nb\nc"),
        (ByteStringObject("Åsa\r\n".encode()), "Åsa\n"),  # UTF-8 bytes
        (ByteStringObject(b"\xc5sa\xff"), "Åsaÿ"),  # not UTF-8: Latin-1
        (TextStringObject("a\r\nb\rc\n"), "a\nb\nc\n"),
        (NameObject("/Ja"), "Ja"),
        (NumberObject(15), "15"),
        ("plain\r", "plain\n"),
        (None, None),
        (3.5, None),
    ],
)
def test_decode_text_each_kind(value, expected):
    assert decode_text(value) == expected


def test_a_box_stored_off_with_a_stale_ticked_appearance_reads_unticked_and_noted():
    form = Form()
    form.add(_d(T=T("box"), FT=N("/Btn"), V=N("/Off"), AS=N("/Yes"), AP=_ap("Yes")))  # /V wins over a stale /AS
    form.add(_d(T=T("plain"), FT=N("/Btn"), AS=N("/Yes"), AP=_ap("Yes")))  # no /V: the shown state is the value
    radio_group(form, "group", ["a", "b"], v=N("/Off"), shown="b")
    found = scan(form.bytes())
    assert found.raw() == {"box": False, "plain": True, "group": None}
    assert {name: f.conflict for name, f in found.fields.items()} == {"box": True, "plain": False, "group": True}


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("KOL Ö”", b"(KOL \xd6\x8e)"),
        ("Å—", b"(\xc5\x84)"),
        ("SLUT Ä…", b"(SLUT \xc4\x83)"),
        ("ÅÄÖ «x»", b"(\xc5\xc4\xd6 \xabx\xbb)"),
    ],
)
def test_pdfdoc_text_that_is_also_valid_utf8_reads_as_written(text, stored):
    # an accented capital before a quote, dash or ellipsis: Swedish as pdf.js and MuPDF write it
    assert scan(one_text_field(stored), "x.pdf").raw() == {"note": text}


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("Åsa Öberg gjorde bra", "Åsa Öberg gjorde bra".encode()),
        ("ÅSA", "ÅSA".encode()),
        ("Ä–", "Ä–".encode()),
        ("Привет", "Привет".encode()),
        ("αβγ", "αβγ".encode()),
        ("€ 5", "€ 5".encode()),
    ],
)
def test_raw_utf8_in_a_pdfdoc_string_reads_as_utf8(text, stored):
    # some writers put raw UTF-8 where PDFDocEncoding belongs: read as they meant it
    escaped = stored.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    assert scan(one_text_field(b"(" + escaped + b")"), "x.pdf").raw() == {"note": text}
