"""The walker's classifications and text decoding, each pinned to the exact outcome.

Files are assembled byte by byte (``_raw_pdf`` from test_acroform), so the string
in the file is exactly the one named: pypdf's writer never re-encodes it on the
way, and each case reaches the decoding step its name says.
"""

from __future__ import annotations

import hashlib
import re
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

from minicex_pdf.engines import hostile
from minicex_pdf.engines.hostile import objstm_pdf
from minicex_pdf.errors import DamagedPdfError, EncryptedPdfError, FormReadError, NoFormFieldsError
from minicex_pdf.limits import MAX_DEPTH, MAX_EARLIER_VERSIONS, MAX_FILE_SIZE, MAX_NODES, MAX_TAIL_WORDS
from minicex_pdf.reading.walker import FormScan, decode_text, digests, scan


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


# --------------------------------------------------------------------------- field kinds by their flags


def test_button_kinds_follow_the_flag_bits_of_the_specification():
    # bit 1 ReadOnly, bit 15 NoToggleToOff, bit 16 Radio, bit 17 Pushbutton, bit 26 RadiosInUnison
    ap = b"/AP << /N << /Yes 20 0 R /Off 20 0 R >> >>"
    fields = {
        4: b"<< /T (readonly) /FT /Btn /Ff 1 /V /Yes /AS /Yes " + ap + b" >>",
        5: b"<< /T (notoggle) /FT /Btn /Ff 16384 /V /Yes /AS /Yes " + ap + b" >>",
        6: b"<< /T (unison) /FT /Btn /Ff 33554432 /V /Off /AS /Off " + ap + b" >>",
        7: b"<< /T (radio) /FT /Btn /Ff 32768 /V /b >>",
        8: b"<< /T (radio2) /FT /Btn /Ff 49152 /V /a >>",
        9: b"<< /T (push) /FT /Btn /Ff 65536 >>",
    }
    objs = _catalog(b"[4 0 R 5 0 R 6 0 R 7 0 R 8 0 R 9 0 R]")
    objs.update(fields)
    objs[20] = b"<< >>"
    found = scan(_raw_pdf(objs), "f.pdf")
    assert {name: f.kind for name, f in found.fields.items()} == {
        "readonly": "checkbox",
        "notoggle": "checkbox",
        "unison": "checkbox",
        "radio": "radio",
        "radio2": "radio",
        "push": "pushbutton",
    }
    assert found.raw() == {"readonly": True, "notoggle": True, "unison": False, "radio": "b", "radio2": "a"}


@pytest.mark.parametrize(
    ("state", "expected"),
    [(b"/0", "ja"), (b"/1", "nej"), (b"/2", "2"), (b"/7", "7"), (b"/nej", "nej")],
)
def test_radio_states_that_are_indexes_map_through_opt_only_within_it(state, expected):
    field = b"<< /T (r) /FT /Btn /Ff 49152 /Opt [(ja) (nej)] /V " + state + b" >>"
    assert scan(one_field_raw(field), "f.pdf").raw() == {"r": expected}


def one_field_raw(field: bytes) -> bytes:
    objs = _catalog(b"[4 0 R]")
    objs[4] = field
    return _raw_pdf(objs)


# --------------------------------------------------------------------------- depth limits


def _field_chain(levels: int) -> bytes:
    """/Fields holding one field ``levels`` deep (n0.n1...), the value on the last."""
    objs = _catalog(b"[10 0 R]")
    for k in range(levels - 1):
        objs[10 + k] = b"<< /T (n%d) /Kids [%d 0 R] >>" % (k, 11 + k)
    last = 10 + levels - 1
    objs[last] = b"<< /T (n%d) /FT /Tx /V (x) /Parent %d 0 R >>" % (levels - 1, last - 1)
    return _raw_pdf(objs)


def test_fields_nested_to_max_depth_read_and_one_level_more_is_a_hostile_file():
    # the top-level field is depth 0: MAX_DEPTH + 1 levels are allowed
    name = ".".join(f"n{k}" for k in range(MAX_DEPTH + 1))
    assert scan(_field_chain(MAX_DEPTH + 1), "f.pdf").raw() == {name: "x"}
    with pytest.raises(DamagedPdfError) as caught:
        scan(_field_chain(MAX_DEPTH + 2), "f.pdf")
    assert caught.value.detail == "form fields nested too deeply"


def _page_chain(depth: int) -> bytes:
    """An empty /Fields, the one widget on a page ``depth`` levels below the root of the page tree."""
    objs = {1: b"<< /Type /Catalog /Pages 20 0 R /AcroForm << /Fields [] >> >>"}
    for k in range(depth):
        objs[20 + k] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (21 + k)
    objs[20 + depth] = b"<< /Type /Page /MediaBox [0 0 200 200] /Annots [5 0 R] >>"
    objs[5] = b"<< /Type /Annot /Subtype /Widget /T (w) /FT /Tx /V (x) /Rect [0 0 10 10] >>"
    return _raw_pdf(objs)


def test_a_page_tree_to_max_depth_is_walked_and_one_level_more_is_a_hostile_file():
    found = scan(_page_chain(MAX_DEPTH), "f.pdf")
    assert (found.raw(), found.pages_walked) == ({"w": "x"}, True)
    with pytest.raises(DamagedPdfError) as caught:
        scan(_page_chain(MAX_DEPTH + 1), "f.pdf")
    assert caught.value.detail == "page tree nested too deeply"


# --------------------------------------------------------------------------- file size and end


def test_a_file_over_max_file_size_is_refused_by_its_size_in_mb():
    data = b"%PDF-1.7\n" + b" " * (MAX_FILE_SIZE - 9)
    with pytest.raises(DamagedPdfError) as caught:  # exactly the limit: read (and found cut off)
        scan(data, "big.pdf")
    assert caught.value.detail == "truncated: the end of the file is missing"
    with pytest.raises(DamagedPdfError) as caught:
        scan(data + b" ", "big.pdf")
    assert caught.value.detail == f"{MAX_FILE_SIZE // (1024 * 1024)} MB, larger than any form"
    assert caught.value.detail == "32 MB, larger than any form"


@pytest.mark.parametrize(
    "tail",
    [
        b"% streamlined by a tool\n",  # a word that only starts like one
        b"x" * 30_000 + b" mainstream\n",  # a long tail (text appended after the end), a word at its end
        b"\x00" * 100,
    ],
    ids=["comment", "long-appended-text", "padding"],
)
def test_text_after_the_end_that_holds_no_object_is_not_a_cut_off_file(tail):
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    assert scan(_raw_pdf(objs) + tail, "f.pdf").raw() == {"f": "x"}


def test_a_word_just_after_the_end_of_an_xref_stream_file_is_not_a_cut_off_file():
    # such a file ends "endstream endobj startxref N %%EOF": only what follows %%EOF is looked at
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = objstm_pdf(objs, {})
    assert re.fullmatch(rb"endstream\nendobj\nstartxref\n\d+\n%%EOF\n", data[data.rindex(b"endstream") :])
    assert scan(data + b"% streamlined\n", "f.pdf").raw() == {"f": "x"}


@pytest.mark.parametrize(
    "tail",
    [b"\n5 0 obj\n<< /A 1 >>\n", b"\n5 0 obj", b"\nxref\n0 1\n", b"\ntrailer\n<<"],
    ids=["object", "object-header", "xref", "trailer"],
)
def test_an_object_after_the_last_end_is_a_cut_off_file(tail):
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = _raw_pdf(objs)
    assert data.endswith(b"%%EOF\n")
    with pytest.raises(DamagedPdfError) as caught:
        scan(data[:-1] + tail, "f.pdf")
    assert caught.value.detail == "truncated: the end of the file is missing"


# --------------------------------------------------------------------------- earlier versions


def _saved_over(sep: bytes) -> tuple[bytes, bytes]:
    """(first version ending in %%EOF + ``sep``, the file after a viewer's incremental save over it)."""
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (old) >>"
    base = _raw_pdf(objs)
    first = base[: -len(b"\n")] + sep
    prev = int(base.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    body = b"4 0 obj\n<< /T (f) /FT /Tx /V (new) >>\nendobj\n"
    xref = len(first) + len(body)
    update = body + (
        b"xref\n0 1\n0000000000 65535 f \n4 1\n%010d 00000 n \n"
        b"trailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (len(first), prev, xref)
    )
    return first, first + update


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "sep", [b"\n", b"\r\n", b"\r", b"", b"\r\n\n"], ids=["lf", "crlf", "cr", "none", "crlf-and-blank-line"]
)
def test_each_earlier_version_is_known_with_and_without_its_line_end(sep):
    first, saved = _saved_over(sep)
    found = scan(saved, "f.pdf")
    assert found.raw() == {"f": "new"}
    bare = first[: len(first) - len(sep)]  # up to and including %%EOF
    # at most two line-end bytes after %%EOF: a writer's CR LF (a third is the next revision's blank line)
    versions = [bare] + [first[: len(bare) + k] for k in range(1, min(len(sep), 2) + 1)]
    assert found.earlier == (*map(_sha, versions), _sha(saved[:-1]))
    assert found.sha256 == _sha(saved)


def test_earlier_versions_stop_at_their_limit():
    data = b"%PDF-1.7\n" + b"x%%EOF\n" * (MAX_EARLIER_VERSIONS // 2 + 10)
    digest, earlier = digests(data)
    # two per %%EOF (with and without its line end), no more %%EOF looked at once the limit is reached
    cut = len(b"%PDF-1.7\n") + len(b"x%%EOF\n") * (MAX_EARLIER_VERSIONS // 2)
    assert (digest, len(earlier), earlier[-1], earlier[-2]) == (
        _sha(data),
        MAX_EARLIER_VERSIONS,
        _sha(data[:cut]),
        _sha(data[: cut - 1]),
    )


def test_a_tail_of_more_words_than_max_tail_words_is_no_files_end():
    # each "mainstreams" is a candidate word but no object; the first candidate right after %%EOF counts too
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = _raw_pdf(objs)[:-1]
    assert data.endswith(b"%%EOF")
    assert scan(data + b"xref" + b" mainstreams" * (MAX_TAIL_WORDS - 1), "f.pdf").raw() == {"f": "x"}
    with pytest.raises(DamagedPdfError) as caught:
        scan(data + b"xref" + b" mainstreams" * MAX_TAIL_WORDS, "f.pdf")
    assert caught.value.detail == "truncated: the end of the file is missing"


# --------------------------------------------------------------------------- values, widgets on pages


def test_a_button_whose_kids_are_missing_has_no_widget_to_disagree_with():
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (r) /FT /Btn /Ff 49152 /V /a /Kids [99 0 R] >>"
    found = scan(_raw_pdf(objs), "f.pdf")
    field = found.fields["r"]
    assert (found.raw(), field.widgets, field.conflict) == ({"r": "a"}, 0, False)


def test_the_text_of_a_list_value_is_its_first_item():
    objs = _catalog(b"[4 0 R 5 0 R]")
    objs[4] = b"<< /T (c) /FT /Ch /Ff 2097152 /V [(b) (a)] /Opt [(a) (b)] >>"
    objs[5] = b"<< /T (e) /FT /Ch /Ff 2097152 /V [] /Opt [(a) (b)] >>"
    found = scan(_raw_pdf(objs), "f.pdf")
    assert {name: f.text for name, f in found.fields.items()} == {"c": "b", "e": None}
    assert found.raw() == {"c": ["b", "a"], "e": []}


def test_page_widgets_after_one_already_seen_or_missing_are_still_found():
    # /Fields lists one field only (as Preview can leave it); the page lists it, a missing object, a link, then another
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 99 0 R 6 0 R 5 0 R] >>",
        4: b"<< /Type /Annot /Subtype /Widget /T (a) /FT /Tx /V (x) /Rect [0 0 10 10] >>",
        5: b"<< /Type /Annot /Subtype /Widget /T (b) /FT /Tx /V (y) /Rect [0 0 10 10] >>",
        6: b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] >>",
    }
    found = scan(_raw_pdf(objs), "f.pdf", expect=["a", "b"])
    assert (found.raw(), found.pages_walked) == ({"a": "x", "b": "y"}, True)


def test_export_values_of_opt_pairs_are_the_first_of_each_pair():
    # /Opt [[export display] ...]: a radio's index state maps to the export value, not the text shown
    field = b"<< /T (r) /FT /Btn /Ff 49152 /Opt [[(ja) (Ja, helt)] [(nej) (Nej)]] /V /1 >>"
    found = scan(one_field_raw(field), "f.pdf")
    assert (found.raw(), found.fields["r"].options) == ({"r": "nej"}, ("ja", "nej"))


# --------------------------------------------------------------------------- the document catalog


@pytest.mark.parametrize(
    ("catalog", "error", "detail"),
    [
        (b"<< >>", DamagedPdfError, "no document catalog"),  # a dictionary, but an empty one: no catalog at all
        (b"<< /Type /Catalog >>", NoFormFieldsError, ""),  # a catalog without a form
    ],
    ids=["empty", "no-form"],
)
def test_an_empty_catalog_is_a_damaged_file_and_one_without_a_form_has_no_fields(catalog, error, detail):
    with pytest.raises(FormReadError) as caught:
        scan(_raw_pdf({1: catalog}), "f.pdf")
    assert (type(caught.value), caught.value.path, caught.value.detail) == (error, "f.pdf", detail)


# --------------------------------------------------------------------------- session 4: fresh sample (seed 40)


def test_a_button_without_a_value_shows_the_state_of_its_first_widget_that_is_on():
    # a broken radio group: no /V, and two kids both showing on; the first kid in /Kids is the value
    ap = b"/AP << /N << /%s 9 0 R /Off 9 0 R >> >>"
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (r) /FT /Btn /Ff 49152 /Kids [5 0 R 6 0 R 7 0 R] >>"
    objs[5] = b"<< /Parent 4 0 R /AS /Off " + ap % b"a" + b" >>"
    objs[6] = b"<< /Parent 4 0 R /AS /b " + ap % b"b" + b" >>"
    objs[7] = b"<< /Parent 4 0 R /AS /c " + ap % b"c" + b" >>"
    objs[9] = b"<< >>"
    found = scan(_raw_pdf(objs), "f.pdf")
    assert (found.raw(), found.fields["r"].shown) == ({"r": "b"}, ["b", "c"])


def test_a_form_of_max_nodes_nodes_reads_and_one_node_more_is_a_hostile_file():
    # one field (a node) with widget kids (a node each), written directly into its /Kids
    def form(widgets: int) -> bytes:
        return one_field_raw(b"<< /T (f) /FT /Tx /V (x) /Kids [" + b"<< >> " * widgets + b"] >>")

    found = scan(form(MAX_NODES - 1), "f.pdf")
    assert (found.raw(), found.fields["f"].widgets) == ({"f": "x"}, MAX_NODES - 1)
    with pytest.raises(DamagedPdfError) as caught:
        scan(form(MAX_NODES), "f.pdf")
    assert caught.value.detail == f"more than {MAX_NODES} form nodes"


def test_fields_listed_after_a_missing_one_or_one_listed_twice_are_read():
    objs = _catalog(b"[99 0 R 4 0 R 4 0 R 7 0 R 5 0 R]")  # 99: no such object; 7: not a dictionary
    objs[4] = b"<< /T (a) /FT /Tx /V (x) >>"
    objs[5] = b"<< /T (b) /FT /Tx /V (y) >>"
    objs[7] = b"42"
    found = scan(_raw_pdf(objs), "f.pdf")
    assert (found.raw(), found.pages_walked) == ({"a": "x", "b": "y"}, False)


@pytest.mark.parametrize("tail", [b"5 0 obj", b"endobj", b"xref"], ids=["object-header", "endobj", "xref"])
def test_an_object_after_the_last_end_is_a_cut_off_file_at_any_offset(tail):
    # each word is checked in a window just before it, wherever in the file it falls
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = _raw_pdf(objs)
    for pad in range(64):
        with pytest.raises(DamagedPdfError) as caught:
            scan(data + b" " * pad + tail, "f.pdf")
        assert caught.value.detail == "truncated: the end of the file is missing"


def test_a_long_tail_of_words_that_only_look_like_objects_is_checked_in_linear_time():
    # 999 candidate words spread over 2 MB after %%EOF: each is looked at in a small window of its own
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = _raw_pdf(objs) + (b"x" * 2000 + b" mainstreams") * (MAX_TAIL_WORDS - 1)
    start = time.process_time()
    assert scan(data, "f.pdf").raw() == {"f": "x"}
    assert time.process_time() - start < 1.0


# --------------------------------------------------------------------------- session 4: fresh sample (seed 43)


def test_a_field_name_given_twice_keeps_the_first_value_and_takes_a_later_one_only_where_it_had_none():
    objs = _catalog(b"[4 0 R 5 0 R 6 0 R 7 0 R]")
    objs[4] = b"<< /T (a) /FT /Tx /V (first) >>"
    objs[5] = b"<< /T (a) /FT /Tx /V (second) >>"
    objs[6] = b"<< /T (b) /FT /Tx >>"
    objs[7] = b"<< /T (b) /FT /Tx /V (later) >>"
    assert scan(_raw_pdf(objs), "f.pdf").raw() == {"a": "first", "b": "later"}


def test_a_page_widget_whose_parent_is_missing_is_named_by_itself():
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 5 0 R] >>",
        4: b"<< /Type /Annot /Subtype /Widget /T (a) /FT /Tx /V (x) /Parent 99 0 R /Rect [0 0 10 10] >>",
        5: b"<< /Type /Annot /Subtype /Widget /T (b) /FT /Tx /V (y) /Parent 6 0 R /Rect [0 0 10 10] >>",
        6: b"42",  # not a dictionary
    }
    found = scan(_raw_pdf(objs), "f.pdf")
    assert (found.raw(), found.pages_walked) == ({"a": "x", "b": "y"}, True)


def test_an_object_header_right_after_the_last_end_without_a_line_end_is_a_cut_off_file():
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = _raw_pdf(objs)
    assert data.endswith(b"%%EOF\n")
    with pytest.raises(DamagedPdfError) as caught:
        scan(data[:-1] + b"5 0 obj\n<< >>\n", "f.pdf")
    assert caught.value.detail == "truncated: the end of the file is missing"


def test_an_encrypted_file_that_cannot_be_decrypted_is_refused_before_anything_is_read():
    # wrong /O and /U for an empty password; the catalog and form sit unencrypted in the trailer itself
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    objs[5] = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"
    data = hostile.raw_pdf(objs, trailer=b"/Encrypt 5 0 R /ID [<" + b"0f" * 16 + b"> <" + b"0f" * 16 + b">] ")
    direct = b"<< /Type /Catalog /AcroForm << /Fields [<< /T (f) /FT /Tx /V (x) >>] >> >>"
    for encrypted in (data, data.replace(b"/Root 1 0 R", b"/Root " + direct)):
        with pytest.raises(FormReadError) as caught:
            scan(encrypted, "f.pdf")
        assert (type(caught.value), caught.value.path) == (EncryptedPdfError, "f.pdf")


# --------------------------------------------------------------------------- session 5: fresh sample (seed 65)


def test_a_field_without_a_type_is_no_button_so_its_value_and_appearance_state_never_conflict():
    objs = _catalog(b"[4 0 R 5 0 R]")
    objs[4] = b"<< /T (f) /V (x) /Subtype /Widget /AS /Yes /Rect [0 0 10 10] >>"  # no /FT: "" sorts before Btn
    objs[5] = b"<< /T (g) /FT /Btn /V /Off /Subtype /Widget /AS /Yes /Rect [0 0 10 10] >>"  # a button: noted
    found = scan(_raw_pdf(objs), "f.pdf")
    assert (found.fields["f"].conflict, found.fields["g"].conflict) == (False, True)
    assert found.raw() == {"f": "x", "g": False}


def test_a_scan_result_is_not_encrypted_nor_page_walked_nor_saved_over_unless_it_says_so():
    found = FormScan(fields={}, info={}, sha256="0" * 64, size=0)
    assert (found.encrypted, found.pages_walked, found.earlier) == (False, False, ())


def test_a_field_given_twice_takes_a_later_value_inherited_by_its_widget_where_it_had_none():
    # the second "b" holds its value on the parent of a widget that has none of its own
    objs = _catalog(b"[4 0 R 5 0 R]")
    objs[4] = b"<< /T (b) /FT /Tx >>"
    objs[5] = b"<< /T (b) /FT /Tx /V (later) /Kids [6 0 R] >>"
    objs[6] = b"<< /Subtype /Widget /Parent 5 0 R /Rect [0 0 10 10] >>"
    found = scan(_raw_pdf(objs), "f.pdf")
    assert (found.raw(), found.fields["b"].widgets) == ({"b": "later"}, 2)


def test_a_page_widgets_own_value_and_type_come_before_its_parents():
    # found on the page only (the form lists no fields): the nearest /V, /FT, /Ff, /Opt in the /Parent chain counts
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>",
        4: b"<< /Type /Annot /Subtype /Widget /FT /Tx /Ff 0 /V (kid) /Parent 5 0 R /Rect [0 0 10 10] >>",
        5: b"<< /T (f) /FT /Btn /Ff 32768 /V /Yes /Opt [(a)] >>",
    }
    found = scan(_raw_pdf(objs), "f.pdf")
    assert (found.raw(), found.fields["f"].kind, found.pages_walked) == ({"f": "kid"}, "text", True)


@pytest.mark.parametrize(("gap", "cut"), [(37, True), (38, False)])
def test_an_object_header_after_the_end_is_seen_when_it_starts_at_most_40_bytes_before_obj(gap, cut):
    # "4", the spaces, "0 obj": the header's first digit is 40 bytes before "obj" (seen), or 41 (not looked at)
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (f) /FT /Tx /V (x) >>"
    data = _raw_pdf(objs) + b"\n" * 50 + b"4" + b" " * gap + b"0 obj"
    assert data.rindex(b"obj") - data.rindex(b"4") == gap + 3
    if not cut:
        assert scan(data, "f.pdf").raw() == {"f": "x"}
        return
    with pytest.raises(DamagedPdfError) as caught:
        scan(data, "f.pdf")
    assert caught.value.detail == "truncated: the end of the file is missing"


# --------------------------------------------------------------------------- session 5: fresh sample (seed 67)


def test_a_file_just_under_33_mb_over_the_limit_is_named_32_mb_in_whole_mebibytes():
    data = b"%PDF-1.7\n" + b" " * (33 * 1024 * 1024 - 10)  # 33 MiB less one byte
    with pytest.raises(DamagedPdfError) as caught:
        scan(data, "big.pdf")
    assert caught.value.detail == "32 MB, larger than any form"


def test_a_file_whose_only_end_marker_is_its_first_byte_is_damaged_not_cut_off():
    # %%EOF at offset 0 and no object after it: nothing was cut off, the file is unreadable for another reason
    with pytest.raises(DamagedPdfError) as caught:
        scan(b"%%EOF\n%PDF-1.7\n% nothing else\n", "f.pdf")
    assert caught.value.detail.startswith("unreadable structure: ")
    with pytest.raises(DamagedPdfError) as caught:  # the same with one object after it is cut off
        scan(b"%%EOF\n%PDF-1.7\n1 0 obj\n", "f.pdf")
    assert caught.value.detail == "truncated: the end of the file is missing"


# --------------------------------------------------------------------------- session 5: fresh sample (seed 70)


def test_page_annotations_that_are_not_widgets_are_no_fields_whatever_their_subtype_or_none():
    # walked on the page (the form lists no fields): only /Subtype /Widget makes a field
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 5 0 R 6 0 R 7 0 R] >>",
        4: b"<< /Type /Annot /T (none) /FT /Tx /V (no) /Rect [0 0 10 10] >>",  # no /Subtype
        5: b"<< /Type /Annot /Subtype /Link /T (link) /FT /Tx /V (no) /Rect [0 0 10 10] >>",
        6: b"<< /Type /Annot /Subtype /Zoom /T (zoom) /FT /Tx /V (no) /Rect [0 0 10 10] >>",  # sorts after Widget
        7: b"<< /Type /Annot /Subtype /Widget /T (f) /FT /Tx /V (ja) /Rect [0 0 10 10] >>",
    }
    found = scan(_raw_pdf(objs), "f.pdf")
    assert (found.raw(), found.pages_walked) == ({"f": "ja"}, True)
