"""The fast object parser (reading/lexer.py) pinned through what the walker reads from crafted files.

Each file is assembled byte by byte (``_raw_pdf`` from test_acroform, or
:func:`~minicex_pdf.engines.hostile.objstm_pdf` for objects packed in object streams), so the bytes the parser sees are exactly the
ones named in the test. Expectations are the values a viewer shows, or the limit a hostile
file runs into.
"""

from __future__ import annotations

import io
import zlib

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NullObject, NumberObject, TextStringObject
from test_acroform import _catalog, _raw_pdf

from minicex_pdf.engines.hostile import Packed, objstm_pdf, pack
from minicex_pdf.errors import DamagedPdfError, NoFormFieldsError
from minicex_pdf.limits import (
    BUDGET_CHECK_EVERY,
    MAX_INFLATED,
    MAX_INFLATED_TOTAL,
    MAX_NESTING,
    MAX_STRING,
    MAX_TOKENS,
)
from minicex_pdf.reading.budget import Budget, OverBudget
from minicex_pdf.reading.lexer import LimitExceeded, ParseFailure, parse_at, parse_object
from minicex_pdf.reading.walker import scan


def field_pdf(field: bytes, *extra: tuple[int, bytes]) -> bytes:
    """A one-page file whose /Fields holds object 4, ``field``; ``extra`` objects (number, body) beside it."""
    objs = _catalog(b"[4 0 R]")
    objs[4] = field
    objs.update(extra)
    return _raw_pdf(objs)


# --------------------------------------------------------------------------- literal strings


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (rb"(C:\\)", "C:\\"),  # ends in an escaped backslash: the last ) closes the string
        (rb"(a\\\\)", "a\\\\"),
        (rb"(x\)endobj)", "x)endobj"),  # ends in an escaped ): the string goes on past the word endobj
        (rb"(x\\\)endobj)", "x\\)endobj"),
        (b"(a (b) c)", "a (b) c"),  # nested parentheses: the careful parser finds the end
        (rb"(C:\\new\\tmp)", "C:\\new\\tmp"),  # an escaped backslash before n or t is no line feed or tab
    ],
    ids=["escaped-backslash", "two-escaped-backslashes", "escaped-paren-before-endobj", "both", "nested", "path"],
)
def test_a_string_object_ends_at_its_first_unescaped_closing_paren(stored, expected):
    # the value is an object of its own: the parser looks for its end up to the next "endobj"
    data = field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, stored))
    assert scan(data, "f.pdf").raw() == {"f": expected}


#: A value nested beyond MAX_NESTING under a key the walker never reads (/MK): passed over, never built.
DEEP = b"[" * (MAX_NESTING + 6) + b"]" * (MAX_NESTING + 6)


@pytest.mark.parametrize(
    "unread",
    [
        rb"/TU (C:\\)",  # a tooltip ending in an escaped backslash
        rb"/TU (C:\\\\)",
        rb"/TU (\\)",  # nothing but an escaped backslash
        b"/Rect [0 0 100 20]",
        b"/Rect [0 0 % a comment that ends in a paren (\n 100 20]",
        b"/MK << /BG [1 1 1] /BC [0 0 0] /CA (4) >>",
        b"/DA [/Helv 0 /Tf << /a [<41> (b)] >>]",
        b"/F 4",  # a number last: no reference can follow it
        b"/Rect [" + b"0 " * 300 + b"] /F 4",  # the same after a long array (more tokens than small ints)
        b"/P 3 0 R",
    ],
    ids=[
        "escaped-backslash",
        "two-escaped-backslashes",
        "only-a-backslash",
        "rect",
        "comment",
        "mk",
        "mixed",
        "number",
        "long-then-number",
        "ref",
    ],
)
def test_values_of_keys_the_walker_never_reads_are_passed_over_not_built(unread):
    for deep in (
        b"<< /T (f) /FT /Tx /V (ja) " + unread + b" /MK " + DEEP + b" >>",
        b"<< /T (f) /FT /Tx /V (ja) /MK " + DEEP + b" " + unread + b">>",
    ):
        assert scan(field_pdf(deep), "f.pdf").raw() == {"f": "ja"}
    # also in an object past the first 64 KB of the file
    far = {5: b"(" + b"p" * 70_000 + b")", 9: b"<< /T (f) /FT /Tx /V (ja) " + unread + b" /MK " + DEEP + b" >>"}
    objs = _catalog(b"[9 0 R]")
    objs.update(far)
    data = _raw_pdf(objs)
    assert 65_536 < data.index(b"9 0 obj") < 131_072
    assert scan(data, "f.pdf").raw() == {"f": "ja"}
    # the same nesting under a key the walker reads is a hostile file
    with pytest.raises(DamagedPdfError) as caught:
        scan(field_pdf(b"<< /T (f) /FT /Tx " + unread + b" /V " + DEEP + b" >>"), "f.pdf")
    assert caught.value.detail == "objects nested too deeply"


def test_an_unread_number_before_the_value_is_not_taken_for_a_reference():
    # a widget's /F (annotation flags) right before /V, as many writers order them
    assert scan(field_pdf(b"<< /T (f) /FT /Tx /F 4 /V (ja) >>"), "f.pdf").raw() == {"f": "ja"}
    assert scan(field_pdf(b"<< /T (f) /FT /Tx /F 7 0 R /V (ja) >>", (7, b"4")), "f.pdf").raw() == {"f": "ja"}


def test_an_unread_caption_holding_brackets_and_a_percent_sign_is_not_read_as_entries():
    # the caption is one string: "x(y)>> /V (fel) %" ; the brackets and /V inside it are text
    field = b"<< /T (f) /FT /Tx /V (ja) /MK << /CA (x(y)>> /V (fel) %)>> >> >>"
    assert scan(field_pdf(field), "f.pdf").raw() == {"f": "ja"}
    field = b"<< /T (f) /FT /Tx /V (ja) /TU [(x(y)] /V (fel) %)] >>"
    assert scan(field_pdf(field), "f.pdf").raw() == {"f": "ja"}
    field = b"<< /T (f) /FT /Tx /V (ja) /TU [(x(y)] /V (fel) %)]\n>>"  # the same with the >> on a line of its own
    assert scan(field_pdf(field), "f.pdf").raw() == {"f": "ja"}


# --------------------------------------------------------------------------- keywords and hex strings


def test_a_null_value_is_no_value_and_a_box_shows_its_appearance_state():
    ap = b"/AP << /N << /Yes 6 0 R /Off 6 0 R >> >>"
    box = b"<< /T (box) /FT /Btn /V null /AS /Yes " + ap + b" >>"
    text = b"<< /T (t) /FT /Tx /V null >>"
    objs = _catalog(b"[4 0 R 5 0 R]")
    objs.update({4: box, 5: text, 6: b"<< >>"})
    found = scan(_raw_pdf(objs), "f.pdf")
    assert found.raw() == {"box": True, "t": None}
    assert found.fields["box"].conflict is False


def test_true_false_and_comments_inside_a_value_array():
    # a choice list's selections, with a comment between them as some writers leave one
    field = b"<< /T (c) /FT /Ch /Ff 2097152 /V [(a) % chosen first\n (b) <43> ] /Opt [(a) (b) (C)] >>"
    assert scan(field_pdf(field), "f.pdf").raw() == {"c": ["a", "b", "C"]}
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    data = b"<< /A [true false null % note\n] /B false /C true >>"
    expected = {"/A": [True, False, NullObject()], "/B": False, "/C": True}
    got = parse_object(data, 0, reader)
    assert {str(k): (list(v) if isinstance(v, ArrayObject) else v) for k, v in got.items()} == expected
    # the careful parser (a string with nested parentheses) reads the same words
    got, end = parse_at(data[:2] + b" /T (a (b) c)" + data[2:], 0, reader)
    assert {str(k): (list(v) if isinstance(v, ArrayObject) else v) for k, v in got.items()} == {
        "/T": "a (b) c",
        **expected,
    }
    assert end == len(data) + len(b" /T (a (b) c)")


@pytest.mark.parametrize(
    ("stored", "expected"),
    [(b"<C5 73 61>", "Åsa"), (b"<4F6B>", "Ok"), (b"<4F6>", "O`"), (b"<>", "")],
)
def test_hex_strings_read_as_their_bytes(stored, expected):
    assert scan(field_pdf(b"<< /T (f) /FT /Tx /V " + stored + b" >>"), "f.pdf").raw() == {"f": expected}


# --------------------------------------------------------------------------- limits


def test_a_string_of_max_string_bytes_reads_and_one_byte_more_is_a_hostile_file():
    # the token is the string with its parentheses; it starts a few hundred bytes into the file
    body = b"x" * (MAX_STRING - 2)
    found = scan(field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, b"(" + body + b")")), "f.pdf", budget=Budget(30.0))
    assert found.raw() == {"f": body.decode()}
    with pytest.raises(DamagedPdfError) as caught:
        scan(field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, b"(" + body + b"x)")), "f.pdf")
    assert caught.value.detail == "a string longer than any form's"


def test_a_field_far_into_a_large_file_still_goes_through_the_careful_parser():
    # objects after MAX_STRING bytes of padding, one of them needing the careful parser (nested parentheses)
    pad = b"(" + b"p" * (MAX_STRING + 1000) + b")"
    objs = _catalog(b"[6 0 R]")
    objs[5] = b"<< /Note " + pad + b" >>"
    objs[6] = b"<< /T (f) /FT /Tx /V (a (b) c) >>"
    padded = _raw_pdf(objs)
    assert padded.index(b"6 0 obj") > MAX_STRING
    assert scan(padded, "f.pdf").raw() == {"f": "a (b) c"}


def _long_object(items: int) -> bytes:
    """A dictionary of ``items`` numbers and a string with nested parentheses (only the careful parser reads it)."""
    return b"<< /T (a (b) c) /A [" + b"1 " * items + b"] >>"


def test_the_careful_parser_reads_a_long_object_without_a_budget_and_stops_when_it_is_spent():
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    data = _long_object(10_000)
    got = parse_object(data, 0, reader)
    assert (got["/T"], len(got["/A"])) == ("a (b) c", 10_000)
    assert parse_object(data, 0, reader, budget=Budget())["/T"] == "a (b) c"
    with pytest.raises(OverBudget):
        parse_object(data, 0, reader, budget=Budget(-1.0))
    # a string with many nested parentheses (one token) looks at the budget as it steps through them
    nested = b"(" + b"(a)" * 5_000 + b")"
    assert parse_object(nested, 0, reader, budget=Budget()) == "(a)" * 5_000
    with pytest.raises(OverBudget):
        parse_object(nested, 0, reader, budget=Budget(-1.0))
    # a short object never looks at the budget
    assert parse_object(_long_object(100), 0, reader, budget=Budget(-1.0))["/T"] == "a (b) c"


def test_object_headers_without_a_space_before_obj_are_read():
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += b"%d 0obj" % num + objs[num] + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, 5))
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    assert scan(bytes(out), "f.pdf").raw() == {"f": "x"}


# --------------------------------------------------------------------------- object streams


def test_a_key_given_twice_reads_the_later_value_also_in_an_object_stream():
    # as PDFium and pdf.js read it: the later definition replaces the earlier one
    plain = _catalog(b"[4 0 R 5 0 R]")
    twice = {4: b"<< /T (f) /FT /Tx /V (first) /V (second) >>", 5: b"<< /T (g) /FT /Tx /V (ok) >>"}
    assert scan(objstm_pdf(plain, {10: pack(twice)}), "f.pdf").raw() == {"f": "second", "g": "ok"}
    assert scan(field_pdf(twice[4]), "f.pdf").raw() == {"f": "second"}


def _four_streams(total: int) -> bytes:
    """Four fields, each in an object stream of its own; the streams inflate to ``total`` bytes together."""
    plain = _catalog(b"[4 0 R 5 0 R 6 0 R 7 0 R]")
    streams = {10 + i: {4 + i: b"<< /T (f%d) /FT /Tx /V (v%d) >>" % (i, i)} for i in range(4)}
    share = total // 4
    sizes = {10: share, 11: share, 12: share, 13: total - 3 * share}
    return objstm_pdf(plain, {num: pack(objects, sizes[num]) for num, objects in streams.items()})


def test_object_streams_inflating_to_exactly_the_total_limit_read():
    # (one byte more is the inflate bomb of test_walker_teeth: the same limit, far beyond it)
    found = scan(_four_streams(MAX_INFLATED_TOTAL), "f.pdf", budget=Budget(30.0))  # the size, not the time
    assert found.raw() == {"f0": "v0", "f1": "v1", "f2": "v2", "f3": "v3"}


def test_the_parsed_objects_are_pypdf_objects():
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    got = parse_object(b"<< /T (a) /N 3 /K [/x] /D << >> >>", 0, reader)
    assert type(got) is DictionaryObject
    assert [type(got[k]) for k in ("/T", "/N", "/K", "/D")] == [
        TextStringObject,
        NumberObject,
        ArrayObject,
        DictionaryObject,
    ]
    assert got["/K"] == [NameObject("/x")]


# --------------------------------------------------------------------------- PDFium's untyped xref streams


def _untyped_xref(extra: bytes) -> bytes:
    """A form whose only cross-reference stream has no /Type (as PDFium saves), ``extra`` entries in its dictionary."""
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = objstm_pdf(objs, {})
    assert data.count(b"/Type /XRef ") == 1
    return data.replace(b"/Type /XRef ", extra)  # the xref stream is the last object: no offset moves


@pytest.mark.parametrize(
    "extra",
    [b"", b"/Note (" + b"n" * 70_000 + b") "],
    ids=["plain", "dictionary-longer-than-the-quick-window"],
)
def test_an_untyped_xref_stream_is_read(extra):
    assert scan(_untyped_xref(extra), "f.pdf").raw() == {"f": "x"}


def test_an_untyped_xref_stream_holding_a_string_beyond_max_string_is_not_patched():
    # pypdf's own (failing) read of the long string byte by byte is slow: a budget that is not what is tested here
    with pytest.raises(DamagedPdfError) as caught:
        scan(_untyped_xref(b"/Note (" + b"n" * (MAX_STRING + 10) + b") "), "f.pdf", budget=Budget(30.0))
    assert caught.value.detail == "unreadable structure: PdfReadError"


def test_parentheses_nested_to_max_nesting_in_a_string_read_and_one_more_is_a_hostile_file():
    # the string's own parentheses are the first level
    inner = b"(" * (MAX_NESTING - 1) + b"x" + b")" * (MAX_NESTING - 1)
    found = scan(field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, b"(" + inner + b")")), "f.pdf")
    assert found.raw() == {"f": inner.decode()}
    with pytest.raises(DamagedPdfError) as caught:
        scan(field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, b"((" + inner + b"))")), "f.pdf")
    assert caught.value.detail == "parentheses in a string nested beyond any form's"


def test_a_stray_endobj_where_a_value_belongs_is_no_value():
    # a broken writer's box: /V holds the keyword endobj; the careful parser gives up, pypdf reads it as no value
    ap = b"/AP << /N << /Yes 6 0 R /Off 6 0 R >> >>"
    found = scan(field_pdf(b"<< /T (box) /FT /Btn /V endobj /AS /Yes " + ap + b" >>", (6, b"<< >>")), "f.pdf")
    assert (found.raw(), found.fields["box"].value) == ({"box": True}, None)


@pytest.mark.parametrize("junk", [b"!", b'"x', b"#1", b"$"])
def test_a_stray_token_in_a_dictionary_is_refused_not_read_past_as_a_comment(junk):
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    with pytest.raises(ParseFailure):
        parse_object(b"<< /A 1 " + junk + b" /B 2 >>", 0, reader)
    assert dict(parse_object(b"<< /A 1 % a comment\n /B 2 >>", 0, reader)) == {"/A": 1, "/B": 2}


# --------------------------------------------------------------------------- session 4: limits at their edges


@pytest.mark.parametrize(
    "head",
    [b"(", b"(a (b) c "],
    ids=["flat", "nested-parentheses"],
)
def test_a_string_of_max_string_bytes_reads_whether_flat_or_nested_and_one_byte_more_is_a_hostile_file(head):
    # the limit counts the string with its own parentheses, whichever parser finds its end
    fits = head + b"x" * (MAX_STRING - len(head) - 1) + b")"
    assert len(fits) == MAX_STRING
    found = scan(field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, fits)), "f.pdf", budget=Budget(30.0))
    assert found.raw() == {"f": fits[1:-1].decode()}
    with pytest.raises(DamagedPdfError) as caught:
        scan(field_pdf(b"<< /T (f) /FT /Tx /V 5 0 R >>", (5, fits[:-1] + b"x)")), "f.pdf", budget=Budget(30.0))
    assert caught.value.detail == "a string longer than any form's"


def test_a_field_whose_tooltip_straddles_the_two_megabyte_mark_reads():
    # the careful parser (nested parentheses in /V) measures each token by its length, wherever it lies in the file
    mark = 2 * 1024 * 1024
    field = b"<< /T (f) /FT /Tx /TU (" + b"t" * 1000 + b") /V (a (b) c) >>"
    objs = _catalog(b"[6 0 R]")
    objs[5] = b"()"
    objs[6] = field
    at = _raw_pdf(objs).index(b"(ttt")
    objs[5] = b"(" + b"p" * (mark - 500 - at) + b")"  # the tooltip now starts 500 bytes before the mark
    data = _raw_pdf(objs)
    assert data.index(b"(ttt") == mark - 500
    assert scan(data, "f.pdf").raw() == {"f": "a (b) c"}


@pytest.mark.parametrize("word", [b"endobj", b"stream"])
@pytest.mark.parametrize("offset", [0, 70_000], ids=["start-of-file", "past-64-kb"])
def test_an_object_holding_the_word_endobj_in_a_string_goes_to_the_careful_parser_wherever_it_lies(offset, word):
    # the quick parser's window ends at the first "endobj" or "stream" (here inside an unread tooltip), so the
    # careful parser reads the object and builds every value: nesting beyond MAX_NESTING under /MK is then refused
    objs = _catalog(b"[6 0 R]")
    objs[5] = b"(" + b"p" * offset + b")"
    objs[6] = b"<< /T (f) /FT /Tx /V (ja) /TU (see " + word + b") /MK " + DEEP + b" >>"
    data = _raw_pdf(objs)
    assert offset <= data.index(b"6 0 obj") < offset + 1000
    with pytest.raises(DamagedPdfError) as caught:
        scan(data, "f.pdf")
    assert caught.value.detail == "objects nested too deeply"
    # without the word the quick parser passes the unread /MK over
    objs[6] = b"<< /T (f) /FT /Tx /V (ja) /TU (see end) /MK " + DEEP + b" >>"
    assert scan(_raw_pdf(objs), "f.pdf").raw() == {"f": "ja"}


@pytest.mark.parametrize("junk", [b"!", b"]", b"'"], ids=["bang", "bracket", "quote"])
def test_a_stray_byte_as_the_value_of_a_key_the_walker_never_reads_is_passed_over(junk):
    # the quick parser passes the one token over; the careful parser would build /MK and refuse its nesting
    for field in (
        b"<< /T (f) /FT /Tx /V (ja) /Rect " + junk + b" /MK " + DEEP + b" >>",
        b"<< /T (f) /FT /Tx /V (ja) /MK " + DEEP + b" /Rect " + junk + b" >>",
    ):
        assert scan(field_pdf(field), "f.pdf").raw() == {"f": "ja"}


def test_a_read_whose_budget_is_spent_stops_at_the_next_object_it_resolves():
    # a budget handed in (as the importer shares one) arms no timer: the resolver itself looks at it
    data = field_pdf(b"<< /T (f) /FT /Tx /V (ja) >>")
    assert scan(data, "f.pdf", budget=Budget(30.0)).raw() == {"f": "ja"}
    with pytest.raises(DamagedPdfError) as caught:
        scan(data, "f.pdf", budget=Budget(-1.0))
    assert caught.value.detail == "reading it takes far longer than any form"


def test_an_untyped_xref_stream_nested_beyond_max_nesting_is_not_patched():
    # the patch refuses the dictionary (the limit is not a hostile-file verdict of its own): pypdf's read fails
    with pytest.raises(DamagedPdfError) as caught:
        scan(_untyped_xref(b"/Note " + DEEP + b" "), "f.pdf")
    assert caught.value.detail == "unreadable structure: PdfReadError"


def _four_in_one_stream(n: bytes) -> bytes:
    """Four fields packed in one object stream whose /N is ``n`` (4 is right)."""
    plain = _catalog(b"[4 0 R 5 0 R 6 0 R 7 0 R]")
    objects = {4 + i: b"<< /T (f%d) /FT /Tx /V (v%d) >>" % (i, i) for i in range(4)}
    objects[4] = b"<< /T (f0) /FT /Tx /V (first) /V (v0) >>"  # the later of a key given twice counts
    data = objstm_pdf(plain, {10: pack(objects)})
    assert data.count(b"/N 4 ") == 1
    return data.replace(b"/N 4 ", b"/N " + n + b" ")


def test_an_object_streams_count_bounds_the_objects_read_from_it():
    # as pypdf reads it: objects listed beyond /N are not in the stream; a negative /N holds none.
    # The stream is still read by the fast parser (pypdf's would keep the first of the twice-given /V)
    assert scan(_four_in_one_stream(b"4"), "f.pdf").raw() == {"f0": "v0", "f1": "v1", "f2": "v2", "f3": "v3"}
    assert scan(_four_in_one_stream(b"3"), "f.pdf").raw() == {"f0": "v0", "f1": "v1", "f2": "v2"}
    assert scan(_four_in_one_stream(b"1"), "f.pdf").raw() == {"f0": "v0"}
    for none in (b"0", b"-1", b"-3"):
        with pytest.raises(NoFormFieldsError):
            scan(_four_in_one_stream(none), "f.pdf")


# --------------------------------------------------------------------------- session 4: fresh sample (seed 41)


@pytest.mark.parametrize("pad", range(8))
def test_a_field_in_an_object_stream_is_read_up_to_where_the_next_object_begins(pad):
    # its unread /MK nests beyond the parser's limit: only the quick parser, given the object's exact end, passes it over
    plain = _catalog(b"[4 0 R 5 0 R]")
    first = b"<< /T (f) /FT /Tx /V (ja) /TU (" + b"t" * pad + b") /MK " + DEEP + b" >>"
    packed = pack({4: first, 5: b"<< /T (g) /FT /Tx /V (nej) >>"})
    assert scan(objstm_pdf(plain, {10: packed}), "f.pdf").raw() == {"f": "ja", "g": "nej"}


def test_an_object_stream_whose_xref_entry_points_at_another_object_is_found_by_its_number():
    # an update's object stream 10 holds the newer copy of field 4; its xref entry points at the older stream 9
    plain = _catalog(b"[4 0 R]")
    old, new = pack({4: b"<< /T (f) /FT /Tx /V (old) >>"}), pack({4: b"<< /T (f) /FT /Tx /V (new) >>"})
    data = objstm_pdf(plain, {9: old, 10: new})
    assert scan(data, "f.pdf").raw() == {"f": "new"}
    table = data.index(b"stream\n", data.rindex(b"/Type /XRef")) + len(b"stream\n")
    row = table + 10 * 7  # /W [1 4 2]
    assert data[row : row + 7] == b"\x01" + data.index(b"10 0 obj").to_bytes(4, "big") + b"\x00\x00"
    wrong = data[:row] + b"\x01" + data.index(b"9 0 obj").to_bytes(4, "big") + b"\x00\x00" + data[row + 7 :]
    assert scan(wrong, "f.pdf").raw() == {"f": "new"}


def test_an_object_stream_is_inflated_only_as_far_as_its_length():
    # deflated data goes on past /Length to inflate to more than MAX_INFLATED: only /Length bytes are inflated
    head = b"4 0 "
    body = head + b"<< /T (f) /FT /Tx /V (x) >>"
    zipper = zlib.compressobj(9)
    start = zipper.compress(body) + zipper.flush(zlib.Z_FULL_FLUSH)
    block = zipper.compress(b" " * (1 << 20)) + zipper.flush(zlib.Z_FULL_FLUSH)
    packed = start + block * (MAX_INFLATED // (1 << 20) + 2) + zipper.flush()
    data = objstm_pdf(_catalog(b"[4 0 R]"), {5: Packed(packed, 1, len(head), (4,))})
    with pytest.raises(DamagedPdfError) as caught:
        scan(data, "f.pdf")
    assert caught.value.detail == "an object stream inflates beyond any form's size"
    length = b"/Length %d " % len(packed)
    assert data.count(length) == 1
    cut = data.replace(length, (b"/Length %d" % len(start)).ljust(len(length) - 1) + b" ")
    assert scan(cut, "f.pdf").raw() == {"f": "x"}


def test_an_object_left_open_where_the_next_begins_goes_to_the_careful_parser():
    # the quick parser stops at the next object's start; the careful one reads on (to the >> of object 6) and
    # builds every value: the unread /MK nested beyond the limit is then refused, as in a plain object
    plain = _catalog(b"[4 0 R]")
    open_field = b"<< /T (f) /FT /Tx /V (ja) /TU (tip) /MK " + DEEP
    with pytest.raises(DamagedPdfError) as caught:
        scan(objstm_pdf(plain, {10: pack({4: open_field, 6: b">>"})}), "f.pdf")
    assert caught.value.detail == "objects nested too deeply"
    assert scan(objstm_pdf(plain, {10: pack({4: open_field + b" >>", 6: b"<< >>"})}), "f.pdf").raw() == {"f": "ja"}


# --------------------------------------------------------------------------- session 4: fresh sample (seed 42)


def test_the_careful_parser_looks_at_the_budget_once_every_budget_check_every_tokens():
    # << /T (a (b) c) /A [ ... ] >>: seven tokens besides the numbers (the nested string is one)
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    short = _long_object(BUDGET_CHECK_EVERY - 8)  # one token short of the first look
    assert len(parse_object(short, 0, reader, budget=Budget(-1.0))["/A"]) == BUDGET_CHECK_EVERY - 8
    with pytest.raises(OverBudget):
        parse_object(_long_object(BUDGET_CHECK_EVERY - 7), 0, reader, budget=Budget(-1.0))


def test_a_rebuilt_cross_reference_keeps_an_object_streams_copy_newer_than_a_plain_one():
    # the plain field 4 was written first; an update put its newer copy in object stream 10; startxref is wrong
    plain = _catalog(b"[4 0 R]")
    plain[4] = b"<< /T (f) /FT /Tx /V (old) >>"
    data = objstm_pdf(plain, {10: pack({4: b"<< /T (f) /FT /Tx /V (new) >>"})})
    at = data.rindex(b"startxref\n") + len(b"startxref\n")
    wrong = data[:at] + b"1" + data[at + 1 :]
    assert wrong != data
    assert scan(data, "f.pdf").raw() == scan(wrong, "f.pdf").raw() == {"f": "new"}


def test_an_object_stream_whose_offsets_are_not_integers_is_read_by_pypdf():
    body = b"<< /T (f) /FT /Tx /V (x) >>\n"
    for head in (b"4 0\n", b"4 0.0\n", b"4 0x\n"):
        packed = Packed(zlib.compress(head + body), 1, len(head), (4,))
        assert scan(objstm_pdf(_catalog(b"[4 0 R]"), {5: packed}), "f.pdf").raw() == {"f": "x"}


# --------------------------------------------------------------------------- session 4: fresh sample (seed 43)


@pytest.mark.parametrize("word", [b"endobj", b"stream"])
def test_an_object_at_the_very_start_holding_endobj_in_a_string_goes_to_the_careful_parser(word):
    # as in a file, the quick window ends at the first "endobj" or "stream", also for an object at offset 0
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    unread = frozenset({b"/MK"})
    assert parse_object(b"<< /A (end) /MK " + DEEP + b" >>", 0, reader, skip=unread) == {"/A": "end"}
    with pytest.raises(LimitExceeded, match=r"^objects nested too deeply$"):
        parse_object(b"<< /A (" + word + b") /MK " + DEEP + b" >>", 0, reader, skip=unread)


def test_a_fields_array_of_its_own_holding_null_and_keywords_is_read_whole():
    # /Fields as an indirect array, with a deleted field left as null (and true/false where no field is)
    objs = _catalog(b"6 0 R")
    objs[4] = b"<< /T (a) /FT /Tx /V (x) >>"
    objs[5] = b"<< /T (b) /FT /Tx /V (y) >>"
    objs[6] = b"[4 0 R null true false 5 0 R]"
    assert scan(_raw_pdf(objs), "f.pdf").raw() == {"a": "x", "b": "y"}


def test_the_careful_parser_reads_an_object_of_exactly_max_tokens_tokens():
    # << /T (a (b) c) /A [ ... ] >>: seven tokens besides the numbers (the nested string is one)
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    assert len(parse_object(_long_object(MAX_TOKENS - 7), 0, reader)["/A"]) == MAX_TOKENS - 7


# --------------------------------------------------------------------------- session 4: fresh sample (seed 44)


def test_a_string_that_never_ends_is_refused_as_such_before_the_budgets_first_look():
    # 4,095 parenthesis steps: one short of the careful parser's first look at the (spent) budget
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    with pytest.raises(LimitExceeded, match=r"^a string that never ends$"):
        parse_object(b"(" + b"(a)" * 2047 + b"(", 0, reader, budget=Budget(-1.0))
    with pytest.raises(OverBudget):
        parse_object(b"(" + b"(a)" * 2048 + b"(", 0, reader, budget=Budget(-1.0))


@pytest.mark.parametrize(("value", "expected"), [(b"5 0.0 R", "5"), (b"(x) 0 R", "x")], ids=["float", "string"])
def test_a_reference_whose_numbers_are_not_both_integers_is_no_reference(value, expected):
    # read as pypdf reads it (the first item of the value), never as object 5
    found = scan(field_pdf(b"<< /T (f) /FT /Tx /V " + value + b" >>", (5, b"(ja)")), "f.pdf")
    assert found.raw() == {"f": expected}


# --------------------------------------------------------------------------- session 5: fresh sample (seed 61)


@pytest.mark.parametrize("word", [b"true", b"false", b"null"])
def test_keywords_beside_an_unread_deep_value_are_read_by_the_quick_parser(word):
    # the quick parser reads the keyword and passes over /MK; the careful one would build /MK and refuse it
    field = b"<< /T (f) /FT /Tx /V (ja) /MK " + DEEP + b" /Lock " + word + b" >>"
    assert scan(field_pdf(field), "f.pdf").raw() == {"f": "ja"}


def test_an_object_stream_far_into_the_file_is_inflated_only_as_far_as_its_length():
    # as test_an_object_stream_is_inflated_only_as_far_as_its_length, with the stream 20 kB into the file
    head = b"4 0 "
    zipper = zlib.compressobj(9)
    start = zipper.compress(head + b"<< /T (f) /FT /Tx /V (x) >>") + zipper.flush(zlib.Z_FULL_FLUSH)
    block = zipper.compress(b" " * (1 << 20)) + zipper.flush(zlib.Z_FULL_FLUSH)
    packed = start + block * (MAX_INFLATED // (1 << 20) + 2) + zipper.flush()
    plain = _catalog(b"[4 0 R]")
    plain[8] = b"(" + b"p" * 20_000 + b")"
    data = objstm_pdf(plain, {5: Packed(packed, 1, len(head), (4,))})
    length = b"/Length %d " % len(packed)
    assert data.count(length) == 1 and data.index(length) > 20_000
    cut = data.replace(length, (b"/Length %d" % len(start)).ljust(len(length) - 1) + b" ")
    assert scan(cut, "f.pdf").raw() == {"f": "x"}


def test_an_object_stream_whose_header_lists_fewer_numbers_than_its_count_gives_the_objects_it_lists():
    # /N 2 but only three numbers before /First: object 4 at 0, and a lone 6 without an offset
    head = b"4 0 6\n"
    packed = Packed(zlib.compress(head + b"<< /T (f) /FT /Tx /V (x) >>\n"), 2, len(head), (4,))
    assert scan(objstm_pdf(_catalog(b"[4 0 R]"), {5: packed}), "f.pdf").raw() == {"f": "x"}


# --------------------------------------------------------------------------- session 5: fresh sample (seed 62)


@pytest.mark.parametrize("stored", [b">>", b"]", b"<< /A [(a) (b)>> >>", b"[ /A (b) >>"])
def test_a_bracket_closed_by_the_other_kind_or_never_opened_is_refused_by_both_parsers(stored):
    # neither parser guesses what was meant: the object goes to pypdf (see FastResolver)
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    with pytest.raises(ParseFailure, match=r"^unbalanced brackets$"):
        parse_object(stored, 0, reader)


# --------------------------------------------------------------------------- session 5: fresh sample (seed 69)


class _SpentAtSecondLook(Budget):
    """A budget (never armed) that is spent from its second look on: shows how often a long scan looks."""

    def __init__(self) -> None:
        super().__init__(3600.0)
        self.looks = 0

    def check(self) -> None:
        self.looks += 1
        if self.looks >= 2:
            raise OverBudget()


def test_a_long_nested_string_looks_at_the_budget_again_every_budget_check_every_steps():
    # 8,192 parenthesis steps: the careful parser looks at step 4,096 and again at 8,192, where it is spent
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    budget = _SpentAtSecondLook()
    with pytest.raises(OverBudget):
        parse_object(b"(" + b"(a)" * BUDGET_CHECK_EVERY + b"(", 0, reader, budget=budget)
    assert budget.looks == 2


@pytest.mark.parametrize("word", [b"true", b"false", b"null"])
def test_a_keyword_inside_an_unread_nested_value_does_not_end_it(word):
    # /MK is passed over as a whole: its inner keyword is no closing bracket, and /V after it is read
    for mk in (b"<< /A " + word + b" >>", b"[ " + word + b" ]", b"<< /A [1 " + word + b"] >>"):
        field = b"<< /T (f) /FT /Tx /MK " + mk + b" /V (ja) >>"
        assert scan(field_pdf(field), "f.pdf").raw() == {"f": "ja"}


# --------------------------------------------------------------------------- session 5: fresh sample (seed 72)


@pytest.mark.parametrize("stored", [b"R", b"[R]", b"[1 R]", b"<< /V R >>"])
def test_an_r_without_two_numbers_before_it_is_refused_by_both_parsers_as_a_stray_r(stored):
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    with pytest.raises(ParseFailure, match=r"^stray R$"):
        parse_object(stored, 0, reader)


def test_a_reference_of_another_generation_never_reaches_an_object_in_an_object_stream():
    # objects in object streams have generation 0: "5 1 R" names no object there, as pypdf reads it too
    plain = _catalog(b"[4 0 R 5 1 R]")
    plain[4] = b"<< /T (a) /FT /Tx /V (x) >>"
    data = objstm_pdf(plain, {10: pack({5: b"<< /T (b) /FT /Tx /V (y) >>"})})
    assert scan(data, "f.pdf").raw() == {"a": "x"}
    assert scan(data.replace(b"5 1 R", b"5 0 R"), "f.pdf").raw() == {"a": "x", "b": "y"}


# --------------------------------------------------------------------------- session 5: fresh sample (seed 75)


def test_a_long_object_looks_at_the_budget_again_every_budget_check_every_tokens():
    # << /T (a (b) c) /A [ ... ] >>: the careful parser looks at token 4,096 and again at 8,192, where it is spent
    reader = PdfReader(io.BytesIO(field_pdf(b"<< >>")))
    budget = _SpentAtSecondLook()
    with pytest.raises(OverBudget):
        parse_object(_long_object(2 * BUDGET_CHECK_EVERY), 0, reader, budget=budget)
    assert budget.looks == 2


def test_object_streams_inflating_to_one_byte_over_the_total_limit_are_a_hostile_file():
    with pytest.raises(DamagedPdfError) as caught:
        scan(_four_streams(MAX_INFLATED_TOTAL + 1), "f.pdf", budget=Budget(30.0))  # the size, not the time
    assert caught.value.detail == "an object stream inflates beyond any form's size"
