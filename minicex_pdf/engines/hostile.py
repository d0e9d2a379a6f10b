"""Crafted worst-case files for the reader's limits (tests and ``scripts/bench_worst.py`` only).

Two kinds: a real generated form with one field's value replaced by crafted
bytes in an incremental update, as a viewer's save appends it
(:func:`with_value`), and small PDFs assembled by hand around a hostile
structure (:func:`raw_pdf`). :data:`WORST` names every case with how to build
it and what reading it must give (``"read"`` or the error kind).
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from ..limits import MAX_FILE_SIZE, MAX_STRING

#: The field whose value :func:`with_value` replaces (a multi-line free-text field).
FIELD = "went_well"
MB = 1024 * 1024


def with_value(value: bytes, base: bytes | None = None, field: str = FIELD) -> bytes:
    """``base`` (a blank generated form) with ``/V value`` (raw PDF bytes) on ``field``, as an incremental update."""
    from pypdf import PdfReader

    from ..form.generator import build_form

    pdf = base if base is not None else build_form()
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer.raw_get("/Root")
    fields: Any = reader.root_object["/AcroForm"]
    ref = next(r for r in fields["/Fields"] if r.get_object().get("/T") == field)
    start = reader.xref[0][ref.idnum]
    end = pdf.index(b"endobj", start)
    body = pdf[start:end]
    body = body[body.index(b"obj") + 3 :]
    body, n = re.subn(rb"/V\s*\(\)", lambda _: b"/V " + value, body, count=1)
    if not n:
        body = body.replace(b"<<", b"<< /V " + value + b" ", 1)
    out = bytearray(pdf)
    at = len(out)
    out += b"%d 0 obj\n" % ref.idnum + body.strip() + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (ref.idnum, at)
    size = int(cast(Any, reader.trailer["/Size"]))
    prev = int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root.idnum, prev, xref)
    return bytes(out)


def raw_pdf(objects: dict[int, bytes], root: int = 1, trailer: bytes = b"") -> bytes:
    """A PDF assembled from ``objects`` (number -> body), with a correct xref table."""
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
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer, xref)
    return bytes(out)


def catalog(fields: bytes) -> dict[int, bytes]:
    """Catalog (1), page tree (2) and page (3) of a one-page form whose ``/Fields`` is ``fields``."""
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields " + fields + b" >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    }


def one_field(value: bytes, extra: dict[int, bytes] | None = None) -> bytes:
    """A hand-made one-field form whose field (object 4) has ``/V value``."""
    objs = catalog(b"[4 0 R]")
    objs[4] = b"<< /T (a) /FT /Tx /V " + value + b" >>"
    objs.update(extra or {})
    return raw_pdf(objs)


def _deep_kids() -> bytes:
    objs = catalog(b"[10 0 R]")
    for i in range(10, 5010):
        objs[i] = b"<< /T (n%d) /FT /Tx /Kids [%d 0 R] >>" % (i, i + 1)
    objs[5010] = b"<< /T (leaf) /V (x) >>"
    return raw_pdf(objs)


def _many_fields() -> bytes:
    refs = b" ".join(b"%d 0 R" % n for n in range(4, 60_004))
    objs = catalog(b"[" + refs + b"]")
    for n in range(4, 60_004):
        objs[n] = b"<< /T (f%d) /FT /Tx /V (x) >>" % n
    return raw_pdf(objs)


@dataclass(frozen=True)
class Packed:
    """One object stream as stored: its deflated content, ``/N``, ``/First``, and the objects it holds, in order."""

    data: bytes
    n: int
    first: int
    members: tuple[int, ...]


def pack(objects: dict[int, bytes], size: int | None = None) -> Packed:
    """``objects`` (number -> body) as one object stream; ``size`` pads its content with spaces to that many bytes."""
    heads, bodies = [], b""
    for num, body in objects.items():
        heads.append(b"%d %d" % (num, len(bodies)))
        bodies += body + b"\n"
    head = b" ".join(heads) + b"\n"
    content = head + bodies
    if size is not None:
        content += b" " * (size - len(content))
    return Packed(zlib.compress(content, 9), len(objects), len(head), tuple(objects))


def objstm_pdf(plain: dict[int, bytes], streams: dict[int, Packed]) -> bytes:
    """A file of ``plain`` objects (number -> body) and object streams (number -> :class:`Packed`), xref stream last."""
    out = bytearray(b"%PDF-1.7\n")
    rows: dict[int, bytes] = {}
    for num in sorted(plain):
        rows[num] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
        out += b"%d 0 obj\n" % num + plain[num] + b"\nendobj\n"
    for stm, packed in streams.items():
        for index, num in enumerate(packed.members):
            rows[num] = b"\x02" + stm.to_bytes(4, "big") + index.to_bytes(2, "big")
        rows[stm] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
        out += (
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stm, packed.n, packed.first, len(packed.data))
            + packed.data
            + b"\nendstream\nendobj\n"
        )
    xref_num = max(rows) + 1
    rows[xref_num] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
    table = b"".join(rows.get(n, b"\x00\x00\x00\x00\x00\xff\xff") for n in range(xref_num + 1))
    xref_at = len(out)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_num, xref_num + 1, len(table))
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    return bytes(out)


def _objstm(body: bytes, n: int, first: int) -> bytes:
    """A form whose field (object 4) is in an object stream holding ``body`` (``n`` objects, ``/First``)."""
    return objstm_pdf(catalog(b"[4 0 R]"), {5: Packed(zlib.compress(body, 6), n, first, (4,))})


def _objstm_many() -> bytes:
    """An object stream that says it holds 3 million objects (12 MB of offsets, inflated from 12 kB)."""
    head = b"4 0 " + b"1 0 " * 3_000_000
    return _objstm(head + b"<< /T (a) /FT /Tx /V (x) >>", 3_000_001, len(head))


def _objstm_offsets() -> bytes:
    """An object stream of 100,000 objects, the field last: each object's end is looked up, not scanned for."""
    n = 100_000
    bodies = [b"<< /T (f%d) /V (x) >>" % i for i in range(n)]
    head, at = [], 0
    for i, b in enumerate(bodies):
        head.append(b"%d %d" % (10 + i, at))
        at += len(b) + 1
    head[-1] = b"4 %d" % (at - len(bodies[-1]) - 1)
    header = b" ".join(head) + b" "
    return _objstm(header + b" ".join(bodies), n, len(header))


def _xref_huge() -> bytes:
    """A cross-reference table of 1.2 million entries (pypdf reads each in Python)."""
    objs = catalog(b"[4 0 R]")
    objs[4] = b"<< /T (a) /FT /Tx /V (x) >>"
    objs[1_200_000] = b"null"
    return raw_pdf(objs)


def _xref_stream(n: int) -> bytes:
    """A 5 kB file whose compressed cross-reference stream has ``n`` entries (pypdf builds each in Python)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    objs = catalog(b"[4 0 R]")
    objs[4] = b"<< /T (a) /FT /Tx /V (x) >>"
    for num, content in objs.items():
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + content + b"\nendobj\n"
    xref_at = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"] + [
        b"\x01" + offsets[k].to_bytes(4, "big") + b"\x00\x00" for k in (1, 2, 3, 4)
    ]
    rows += [b"\x01" + offsets[4].to_bytes(4, "big") + b"\x00\x00"] * (n - 6)
    rows.append(b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00")
    table = zlib.compress(b"".join(rows), 9)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
        % (n - 1, n, len(table))
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    return bytes(out)


def _revisions() -> bytes:
    """5,000 incremental updates, each a new cross-reference section pointing at the one before."""
    out = bytearray(one_field(b"(x)"))
    for _ in range(5_000):
        prev = int(out[out.rindex(b"startxref") + 9 :].split()[0])
        at = len(out)
        out += b"4 0 obj\n<< /T (a) /FT /Tx /V (y) >>\nendobj\n"
        xref = len(out)
        out += b"xref\n4 1\n%010d 00000 n \ntrailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\n" % (at, prev)
        out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _trailer_string() -> bytes:
    return one_field(b"(x)").replace(b"/Root 1 0 R", b"/Root 1 0 R /Junk (" + b"j" * (8 * MB) + b")", 1)


def _stream_huge() -> bytes:
    """A 28 MB stream the form never needs (an embedded file, say)."""
    data = b"\x00\xff" * (14 * MB)
    return one_field(b"(x)", {5: b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"})


def _too_big() -> bytes:
    return one_field(b"(x)", {5: b"(" + b"x" * (MAX_FILE_SIZE + 16) + b")"})


def _tail(filler: bytes) -> Callable[[], bytes]:
    return lambda: one_field(b"(x)") + filler


@dataclass(frozen=True)
class Case:
    """One worst case: its name, how to build it, and what reading it gives (``read`` or an error kind)."""

    name: str
    build: Callable[[], bytes]
    expect: str
    what: str


def _paren_feedback(n: int) -> Callable[[], bytes]:
    """A PDFium fill of ``n`` characters of feedback with parentheses (the issue's example)."""

    def build() -> bytes:
        from ..engines.pdfium import fill_pdfium
        from ..form.definition import load_definition
        from ..form.generator import build_form

        # version 1's fixed-size field: PDFium lays out an auto-sized field of 100,000 characters for seconds
        text = ("Good history (open questions) and exam. " * (n // 40 + 1))[:n].strip()
        return fill_pdfium(build_form(load_definition(1)), {FIELD: text})

    return build


def _personal_numbers() -> bytes:
    """Two free-text fields of 2 MB each, full of what looks like personal identity numbers (each is checked)."""
    value = b"(" + b"19121212-1212 " * (MAX_STRING // 14 - 1) + b")"
    return with_value(value, with_value(value, field="next_time"))  # went_well last: found before next_time


WORST: tuple[Case, ...] = (
    Case("pdfium-100k-parens", _paren_feedback(100_000), "read", "PDFium fill, 100,000 characters with ( )"),
    Case("nested-(a)-160k", lambda: with_value(b"(" + b"(a)" * 53_000 + b")"), "read", "160 kB of unescaped (a)"),
    Case("escaped-parens-2mb", lambda: with_value(b"(" + b"\\(" * (MAX_STRING // 2 - 8) + b")"), "read", "2 MB \\("),
    Case("octal-2mb", lambda: with_value(b"(" + b"\\101" * (MAX_STRING // 4 - 4) + b")"), "read", "2 MB of \\101"),
    Case("hex-2mb", lambda: with_value(b"<" + b"41" * (MAX_STRING // 2 - 8) + b">"), "read", "2 MB hex string"),
    Case("personal-numbers-2x2mb", _personal_numbers, "damaged", "4 MB of apparent personal numbers"),
    Case("literal-12mb", lambda: with_value(b"(" + b"a" * (12 * MB) + b")"), "damaged", "12 MB literal string"),
    Case("escapes-12mb", lambda: with_value(b"(" + b"\\)" * (6 * MB) + b")"), "damaged", "12 MB of \\)"),
    Case("hex-20mb", lambda: with_value(b"<" + b"4" * (20 * MB) + b">"), "damaged", "20 MB hex string"),
    Case("open-parens-4mb", lambda: with_value(b"(" + b"(" * (4 * MB) + b")"), "damaged", "4 MB of ( never closed"),
    Case("unterminated-1mb", lambda: one_field(b"(" + b"\\(x" * 300_000), "damaged", "string to the end"),
    Case("deep-arrays", lambda: one_field(b"[" * 500_000 + b"]" * 500_000), "damaged", "arrays 500,000 deep"),
    Case("deep-dicts", lambda: one_field(b"<</A " * 200_000 + b">>" * 200_000), "damaged", "dicts 200,000 deep"),
    Case("deep-kids", _deep_kids, "damaged", "a /Kids chain 5,000 deep"),
    Case("many-fields", _many_fields, "damaged", "60,000 fields"),
    Case("many-tokens", lambda: one_field(b"[" + b"1 " * 4_000_000 + b"]"), "damaged", "4 million numbers"),
    Case("long-name", lambda: one_field(b"/" + b"n" * (12 * MB)), "damaged", "a 12 MB name"),
    Case("long-number", lambda: one_field(b"1" * (12 * MB)), "damaged", "a 12 MB number"),
    Case("comment-12mb", lambda: one_field(b"%" + b"c" * (12 * MB) + b"\n(x)"), "not_minicex", "a 12 MB comment"),
    Case("spaces-20mb", lambda: one_field(b" " * (20 * MB) + b"(x)"), "not_minicex", "20 MB of spaces in an object"),
    Case("tail-digits", _tail(b"1" * (20 * MB)), "damaged", "20 MB of digits after %%EOF"),
    Case("objstm-3m-objects", _objstm_many, "damaged", "an object stream of 3 million objects"),
    Case("objstm-100k", _objstm_offsets, "not_minicex", "100,000 objects in one object stream"),
    Case("xref-1.2m", _xref_huge, "damaged", "a 1.2 million entry xref table"),
    Case("xref-stream-500k", lambda: _xref_stream(500_000), "damaged", "a 5 kB xref stream of 500,000 entries"),
    Case("revisions-5000", _revisions, "not_minicex", "5,000 incremental updates"),
    Case("trailer-string-8mb", _trailer_string, "damaged", "an 8 MB string in the trailer"),
    Case("stream-28mb", _stream_huge, "not_minicex", "a 28 MB stream nobody reads"),
    Case("too-big", _too_big, "damaged", "a file over the size limit"),
)
