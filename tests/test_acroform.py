"""The AcroForm walker reads what files really hold: crafted variants, damaged and hostile files.

Each crafted PDF is built here with pypdf's writer objects (no binary fixtures):
the builder :func:`form` takes field dictionaries as the file should hold them,
so each test states the exact structure it exercises.
"""

from __future__ import annotations

import codecs
import io
import time
import zlib
from collections.abc import Callable

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from minicex_pdf.engines.hostile import Packed, objstm_pdf
from minicex_pdf.errors import (
    DamagedPdfError,
    EncryptedPdfError,
    FormReadError,
    NoFormFieldsError,
    NotAPdfError,
    XfaFormError,
)
from minicex_pdf.reading.lexer import parse_object
from minicex_pdf.reading.walker import RADIO, scan

N = NameObject
T = TextStringObject


# --------------------------------------------------------------------------- building crafted forms


def _d(**entries: object) -> DictionaryObject:
    return DictionaryObject({N("/" + k): v for k, v in entries.items()})  # type: ignore[misc]


def _ap(*states: str) -> DictionaryObject:
    """An /AP with /N keys ``states`` (+ Off); the appearance streams are empty dicts: never read."""
    return _d(N=_d(**{s: _d() for s in (*states, "Off")}))


class Form:
    """A one-page PDF under construction: add field trees, choose which go in /Fields and /Annots."""

    def __init__(self) -> None:
        self.writer = PdfWriter()
        self.writer.add_blank_page(200, 200)
        self.fields = ArrayObject()
        self.annots = ArrayObject()

    def ref(self, obj: DictionaryObject):
        """The indirect reference of ``obj``, adding it to the file the first time."""
        return getattr(obj, "indirect_reference", None) or self.writer._add_object(obj)

    def add(self, node: DictionaryObject, *, listed: bool = True, widgets: list[DictionaryObject] | None = None):
        """Add a top-level field ``node``; its widgets (default: itself) go on the page."""
        ref = self.ref(node)
        if listed:
            self.fields.append(ref)
        for w in widgets if widgets is not None else [node]:
            w[N("/Subtype")] = N("/Widget")
            w[N("/Rect")] = ArrayObject([NumberObject(0)] * 4)
            self.annots.append(self.ref(w))
        return ref

    def kid(self, parent: DictionaryObject, kid: DictionaryObject) -> DictionaryObject:
        """Attach ``kid`` under ``parent`` (both ways) and return it."""
        ref = self.ref(kid)
        kid[N("/Parent")] = self.ref(parent)
        parent.setdefault(N("/Kids"), ArrayObject()).append(ref)
        return kid

    def bytes(self, **acroform: object) -> bytes:
        self.writer.pages[0][N("/Annots")] = self.annots
        self.writer._root_object[N("/AcroForm")] = _d(Fields=self.fields, **acroform)
        buf = io.BytesIO()
        self.writer.write(buf)
        return buf.getvalue()


def one_field(node: DictionaryObject) -> bytes:
    form = Form()
    form.add(node)
    return form.bytes()


def text(name: str, value: object = None, **extra: object) -> DictionaryObject:
    node = _d(T=T(name), FT=N("/Tx"), **extra)
    if value is not None:
        node[N("/V")] = value
    return node


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (T("Åsa Öberg"), "Åsa Öberg"),  # PDFDocEncoding, as ReportLab and PDFium write it
        (ByteStringObject(codecs.BOM_UTF16_BE + "Åsa – Öberg ✓".encode("utf-16-be")), "Åsa – Öberg ✓"),
        (ByteStringObject("Åsa Öberg".encode()), "Åsa Öberg"),  # raw UTF-8: invalid, but seen
        (T("rad ett\r\nrad två\rrad tre\nrad fyra"), "rad ett\nrad två\nrad tre\nrad fyra"),
        (N("/Ja"), "Ja"),  # a name where a string belongs
    ],
    ids=["pdfdoc", "utf16be", "raw-utf8", "newlines", "name"],
)
def test_text_values_decode(stored, expected):
    found = scan(one_field(text("note", stored)))
    assert found.fields["note"].raw() == expected
    assert found.raw() == {"note": expected}


def test_choice_value_as_string_or_array():
    form = Form()
    form.add(_d(T=T("one"), FT=N("/Ch"), V=T("b"), Opt=ArrayObject([T("a"), T("b")])))
    form.add(_d(T=T("many"), FT=N("/Ch"), Ff=NumberObject(1 << 21), V=ArrayObject([T("a"), T("c")])))
    raw = scan(form.bytes()).raw()
    assert raw == {"one": "b", "many": ["a", "c"]}


# --------------------------------------------------------------------------- buttons


def radio_group(form: Form, name: str, states: list[str], v: object = None, shown: str | None = None, **extra):
    """A radio group ``name`` with one kid widget per state; ``shown`` is the kid whose /AS is on."""
    parent = _d(T=T(name), FT=N("/Btn"), Ff=NumberObject(RADIO | (1 << 14)), **extra)
    if v is not None:
        parent[N("/V")] = v
    kids = [form.kid(parent, _d(AS=N("/" + s if s == shown else "/Off"), AP=_ap(s))) for s in states]
    form.add(parent, widgets=kids)
    return parent, kids


def test_radio_value_on_parent_on_kids_or_only_in_as():
    form = Form()
    radio_group(form, "on_parent", ["a", "b"], v=N("/b"), shown="b")
    _, kids = radio_group(form, "on_kids", ["a", "b"], shown="a")
    for kid in kids:  # pypdf's own filling copies /V onto each kid
        kid[N("/V")] = N("/a")
    radio_group(form, "only_as", ["a", "b", "c"], shown="c")
    radio_group(form, "none", ["a", "b"])
    radio_group(form, "pypdf_text", ["1", "2"], v=T("/2"), shown="2")  # /V as a string "/2"
    found = scan(form.bytes())
    assert found.raw() == {"on_parent": "b", "on_kids": "a", "only_as": "c", "none": None, "pypdf_text": "2"}
    assert found.fields["only_as"].states == ["a", "b", "c"]
    assert not any(f.conflict for f in found.fields.values())


def test_radio_states_as_indexes_map_through_opt():
    form = Form()
    radio_group(form, "indexed", ["0", "1"], v=N("/1"), shown="1", Opt=ArrayObject([T("simple"), T("complex")]))
    assert scan(form.bytes()).raw() == {"indexed": "complex"}


def test_checkbox_on_states_learned_from_appearances():
    form = Form()
    for name, state, v in [
        ("yes", "Yes", "/Yes"),
        ("on", "On", None),
        ("spaced", "Ja tack", None),
        ("off", "Yes", "/Off"),
    ]:
        node = _d(T=T(name), FT=N("/Btn"), AP=_ap(state), AS=N("/" + state if v != "/Off" else "/Off"))
        if v:
            node[N("/V")] = N(v)
        form.add(node)
    found = scan(form.bytes())
    assert found.raw() == {"yes": True, "on": True, "spaced": True, "off": False}
    assert found.fields["spaced"].states == ["Ja tack"]


def test_value_and_shown_state_disagree_is_noted():
    form = Form()
    radio_group(form, "group", ["a", "b"], v=N("/a"), shown="b")
    form.add(_d(T=T("box"), FT=N("/Btn"), V=N("/Yes"), AS=N("/Off"), AP=_ap("Yes")))
    found = scan(form.bytes())
    assert found.fields["group"].selected == "a"  # /V wins, as Acrobat and Chrome show it
    assert found.fields["group"].conflict and found.fields["box"].conflict


# --------------------------------------------------------------------------- structure


def test_hierarchy_inherits_type_flags_and_value():
    form = Form()
    parent = _d(T=T("a"), FT=N("/Tx"), Ff=NumberObject(1 << 12), V=T("from parent"))
    child = form.kid(parent, _d(T=T("b")))
    grandchild = form.kid(child, _d(T=T("c"), V=T("own")))
    form.add(parent, widgets=[grandchild])
    found = scan(form.bytes())
    assert set(found.fields) == {"a.b.c"}
    assert found.fields["a.b.c"].kind == "text" and found.fields["a.b.c"].flags == 1 << 12
    assert found.fields["a.b.c"].raw() == "own"


def test_text_value_only_on_kid_widgets():
    form = Form()
    parent = _d(T=T("shared"), FT=N("/Tx"))
    kids = [form.kid(parent, _d(V=T("kid value"))), form.kid(parent, _d(V=T("kid value")))]
    form.add(parent, widgets=kids)
    found = scan(form.bytes())
    assert found.raw() == {"shared": "kid value"} and found.fields["shared"].widgets == 2


def test_widgets_missing_from_fields_are_found_on_pages():
    form = Form()
    form.add(text("listed", T("x")))
    form.add(text("unlisted", T("y")), listed=False)
    parent = _d(T=T("group"), FT=N("/Btn"), Ff=NumberObject(RADIO), V=N("/b"))
    kids = [form.kid(parent, _d(AS=N("/Off"), AP=_ap("a"))), form.kid(parent, _d(AS=N("/b"), AP=_ap("b")))]
    form.add(parent, listed=False, widgets=kids)
    data = form.bytes()
    assert set(scan(data).fields) == {"listed"}  # nothing expected beyond /Fields: pages not walked
    found = scan(data, expect={"listed", "unlisted", "group"})
    assert found.pages_walked
    assert found.raw() == {"listed": "x", "unlisted": "y", "group": "b"}


def test_only_page_widgets_and_empty_fields_array():
    form = Form()
    form.add(text("alone", T("v")), listed=False)
    assert scan(form.bytes()).raw() == {"alone": "v"}


def test_incremental_update_latest_revision_counts():
    first = one_field(text("note", T("first filling")))
    writer = PdfWriter(io.BytesIO(first), incremental=True)
    field = writer._root_object["/AcroForm"]["/Fields"][0].get_object()
    field[N("/V")] = T("second filling")
    buf = io.BytesIO()
    writer.write(buf)
    updated = buf.getvalue()
    assert updated.startswith(first)  # appended, not rewritten
    assert scan(updated).raw() == {"note": "second filling"}


# --------------------------------------------------------------------------- encryption


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128", "RC4-128"])
def test_owner_password_only_is_read_as_viewers_do(algorithm):
    pytest.importorskip("cryptography")
    writer = PdfWriter(io.BytesIO(one_field(text("note", T("Åsa")))))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    found = scan(buf.getvalue())
    assert found.encrypted and found.raw() == {"note": "Åsa"}


def test_user_password_is_an_encrypted_error():
    pytest.importorskip("cryptography")
    writer = PdfWriter(io.BytesIO(one_field(text("note", T("x")))))
    writer.encrypt(user_password="user-secret", owner_password="owner-secret", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(EncryptedPdfError) as err:
        scan(buf.getvalue(), "locked.pdf")
    assert "locked.pdf" in err.value.message("sv") and err.value.kind == "encrypted"


def test_aes_without_cryptography_says_what_to_install(tmp_path):
    """Run where the cryptography package cannot be imported: the error names the package."""
    import subprocess
    import sys

    pytest.importorskip("cryptography")
    writer = PdfWriter(io.BytesIO(one_field(text("note", T("x")))))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-256")
    path = tmp_path / "aes.pdf"
    writer.write(str(path))
    code = (
        "import sys; sys.modules['cryptography'] = None; sys.modules['Crypto'] = None\n"
        "from minicex_pdf.reading.walker import scan\n"
        "from minicex_pdf.errors import EncryptedPdfError\n"
        "try:\n"
        f"    scan(open({str(path)!r}, 'rb').read(), 'aes.pdf')\n"
        "except EncryptedPdfError as exc:\n"
        "    print(exc.message('en'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("aes.pdf: ") and "cryptography" in out and "pip install" in out


# --------------------------------------------------------------------------- unusable files


def _no_fields() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _flattened() -> bytes:
    form = Form()
    return form.bytes()  # an /AcroForm with an empty /Fields and no widgets, as flattening leaves it


def _xfa() -> bytes:
    form = Form()
    form.add(text("x", T("y")))
    return form.bytes(XFA=ArrayObject([T("template"), T("<template/>")]))


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: b"", NotAPdfError),
        (lambda: b"PK\x03\x04 a zip, e.g. a .docx" * 20, NotAPdfError),
        (lambda: "Hej! Här kommer formuläret.".encode() * 50, NotAPdfError),
        (lambda: one_field(text("x", T("y")))[:-400], DamagedPdfError),
        (lambda: b"%PDF-1.7\n" + b"garbage " * 500 + b"\n%%EOF\n", DamagedPdfError),
        (_no_fields, NoFormFieldsError),
        (_flattened, NoFormFieldsError),
        (_xfa, XfaFormError),
    ],
    ids=["empty", "zip", "text", "truncated", "garbage", "no-fields", "flattened", "xfa"],
)
def test_unusable_files_raise_their_classified_error(make: Callable[[], bytes], error: type[FormReadError]):
    with pytest.raises(error) as err:
        scan(make(), "returned/form.pdf")
    assert err.value.path == "returned/form.pdf"
    assert err.value.message("en").startswith("returned/form.pdf: ")


# --------------------------------------------------------------------------- hostile files


def _raw_pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF assembled by hand from ``objects`` (number -> body), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def _catalog(fields: bytes) -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields " + fields + b" >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    }


def _kid_loop() -> bytes:
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (a) /FT /Tx /Kids [5 0 R] >>"
    objs[5] = b"<< /T (b) /Kids [4 0 R 5 0 R] /Parent 4 0 R >>"
    return _raw_pdf(objs)


def _deep_kids() -> bytes:
    objs = _catalog(b"[10 0 R]")
    for i in range(10, 2010):
        objs[i] = b"<< /T (n%d) /FT /Tx /Kids [%d 0 R] >>" % (i, i + 1)
    objs[2010] = b"<< /T (leaf) /V (x) >>"
    return _raw_pdf(objs)


def _deep_array() -> bytes:
    objs = _catalog(b"[4 0 R]")
    objs[4] = b"<< /T (a) /FT /Tx /V " + b"[" * 200_000 + b"]" * 200_000 + b" >>"
    return _raw_pdf(objs)


def _missing_objects() -> bytes:
    """4000 fields that point at objects not in the file (pypdf searches the whole file for each)."""
    refs = b" ".join(b"%d 0 R" % n for n in range(100_000, 104_000))
    objs = _catalog(b"[" + refs + b"]")
    objs[4] = b"<< /Padding (" + b"x" * 8_000_000 + b") >>"
    return _raw_pdf(objs)


def _self_reference() -> bytes:
    objs = _catalog(b"4 0 R")
    objs[4] = b"4 0 R"
    return _raw_pdf(objs)


def _bomb_objstm() -> bytes:
    """The field dictionary sits in an object stream that inflates to 1 GiB of spaces."""
    head = b"4 0 "
    body = head + b"<< /T (a) /FT /Tx /V (x) >>"
    chunk = b" " * (1 << 20)
    # Each 1 MiB block after a full flush compresses to the same bytes: repeat them, fix the checksum.
    zipper = zlib.compressobj(9)
    first = zipper.compress(body) + zipper.flush(zlib.Z_FULL_FLUSH)
    block = zipper.compress(chunk) + zipper.flush(zlib.Z_FULL_FLUSH)
    end = zipper.flush()
    adler = zlib.adler32(body)
    for _ in range(1024):
        adler = zlib.adler32(chunk, adler)
    packed = first + block * 1024 + end[:-4] + adler.to_bytes(4, "big")
    return objstm_pdf(_catalog(b"[4 0 R]"), {5: Packed(packed, 1, len(head), (4,))})


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb_objstm()


@pytest.mark.parametrize(
    "make",
    [_kid_loop, _deep_kids, _deep_array, _self_reference, _missing_objects, "bomb"],
    ids=["kid-loop", "deep-kids", "deep-array", "self-reference", "missing-objects", "inflate-bomb"],
)
def test_hostile_files_are_classified_quickly(make, request):
    data = request.getfixturevalue("bomb") if make == "bomb" else make()
    start = time.process_time()  # the budget is CPU time: a busy machine must not fail the test
    try:
        found = scan(data, "hostile.pdf")
    except FormReadError as exc:
        assert exc.path == "hostile.pdf"
    else:  # a loop is cut where it closes: what is there is still a (small) form
        assert len(found.fields) <= 2
    assert time.process_time() - start < 1.0


def test_bomb_is_damaged(bomb):
    assert len(bomb) < 2_000_000
    with pytest.raises(DamagedPdfError, match="inflates"):
        scan(bomb, "bomb.pdf")


# --------------------------------------------------------------------------- the fast object parser


@pytest.mark.parametrize(
    "body",
    [
        b"<< /T (nested (parens) and \\) escaped) /V <FEFF00C5> /A [1 -2 .5 +3 4 0 R] /B true /C null >>",
        b"<< /T (octal \\344\\366 and \\\nline join) /N /A#20B % a comment\n /K [ ] /E << >> >>",
        b"<</T(no spaces)/V/Name/Arr[/a/b(c)]>>",
        b"<< /T (endobj inside a string) /V (x) >>",
        b"<< /A [ (a ] (b) c) ] /T (x) >>",
        b"<< /A 1 0 R /B [1 0 R] /T <41> >>",
    ],
)
def test_fast_parser_agrees_with_pypdf(body):
    data = b"1 0 obj\n" + body + b"\nendobj\n"
    reader = PdfReader(io.BytesIO(_raw_pdf({1: b"<< /Type /Catalog >>"})))
    ours = parse_object(data, len(b"1 0 obj\n"), reader)
    from pypdf.generic import read_object

    stream = io.BytesIO(data)
    stream.seek(len(b"1 0 obj\n"))
    theirs = read_object(stream, reader)
    assert ours == theirs
    # keys the walker never reads may be passed over (the careful fallback builds them): the rest is intact
    for key in theirs:
        lean = parse_object(data, len(b"1 0 obj\n"), reader, skip=frozenset({key.encode()}))
        assert {k: v for k, v in lean.items() if k != key} == {k: v for k, v in theirs.items() if k != key}
        assert lean.get(key, theirs[key]) == theirs[key]
