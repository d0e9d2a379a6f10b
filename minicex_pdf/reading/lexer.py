"""A fast, bounded parser of single PDF objects into pypdf's generic objects.

pypdf reads objects byte by byte; reading a form's ~80 field dictionaries that
way is most of the time a read takes. This module parses one object with a
compiled regular expression per token, builds the same pypdf objects
(:class:`DictionaryObject`, :class:`NameObject`, strings decoded by pypdf's own
``create_string_object``, :class:`IndirectObject` bound to the reader) and
stops at ``stream``: it never reads stream contents, except an object stream's
(``/Type /ObjStm``), which it inflates with a cap on the output size.

:class:`FastResolver` resolves references through the reader's cross-reference
table (pypdf has read it, incremental updates and xref streams included) and
falls back to pypdf's own ``get_object`` for anything it does not handle:
encrypted files, odd filters, an object header that does not match.
"""

from __future__ import annotations

import re
import time
import zlib
from io import BytesIO
from typing import Any, cast

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
    create_string_object,
)

#: Deepest nesting of arrays and dictionaries in one object.
MAX_NESTING = 64
#: Most tokens in one object.
MAX_TOKENS = 200_000
#: Largest inflated object stream, and all of a file's together.
MAX_INFLATED = 16 * 1024 * 1024
MAX_INFLATED_TOTAL = 48 * 1024 * 1024

_WS = rb"[\x00\t\n\f\r ]"
_TOKEN = re.compile(
    rb"(?:" + _WS + rb"|%[^\r\n]*)*"
    rb"(?:(?P<dopen><<)|(?P<dclose>>>)|(?P<aopen>\[)|(?P<aclose>\])"
    rb"|(?P<name>/[^\x00\t\n\f\r /\[\]()<>{}%]*)"
    rb"|(?P<num>[+-]?(?:\d+\.?\d*|\.\d+))(?![^\x00\t\n\f\r /\[\]()<>{}%])"
    rb"|(?P<str>\((?:[^\\()]|\\.)*\))"
    rb"|(?P<hex><[0-9A-Fa-f\x00\t\n\f\r ]*>)"
    rb"|(?P<kw>true|false|null|R|endobj|stream|obj)(?![^\x00\t\n\f\r /\[\]()<>{}%]))",
    re.S,
)
_HEADER = re.compile(rb"(?:" + _WS + rb"|%[^\r\n]*)*(\d+)" + _WS + rb"+(\d+)" + _WS + rb"*obj")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|.)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\r\n": b"", b"\n": b"", b"\r": b""}
_NAME_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_EOL = re.compile(rb"(?:" + _WS + rb"|%[^\r\n]*)*stream(?:\r\n|\n|\r)?")


class ParseFailure(Exception):
    """The fast parser cannot read this object; let pypdf try."""


class LimitExceeded(Exception):
    """An object nested or sized beyond any real form's: a hostile or broken file."""


def _unescape(m: re.Match[bytes]) -> bytes:
    code = m.group(1)
    if code[:1].isdigit():
        return bytes((int(code, 8) & 0xFF,))
    return _ESCAPES.get(code, code)


def _literal(raw: bytes) -> Any:
    """A literal string's bytes (without the outer parentheses) as pypdf's text or byte string."""
    if b"\\" in raw:
        raw = _ESCAPE.sub(_unescape, raw)
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return create_string_object(raw)


def _balanced(data: bytes, pos: int) -> int:
    """The end (exclusive) of a literal string with nested parentheses starting at ``data[pos] == '('``."""
    depth = 0
    i = pos
    end = len(data)
    while i < end:
        c = data[i]
        if c == 0x5C:  # backslash
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ParseFailure("unterminated string")


def _name(tok: bytes) -> NameObject:
    if b"#" in tok:
        tok = _NAME_HEX.sub(lambda m: bytes((int(m.group(1), 16),)), tok)
    try:
        return NameObject(tok.decode("utf-8"))
    except UnicodeDecodeError:
        return NameObject(tok.decode("latin-1"))


def parse_object(
    data: bytes, pos: int, reader: PdfReader, end: int | None = None, skip: frozenset[bytes] = frozenset()
) -> Any:
    """The object starting at ``pos`` (after any ``N G obj`` header); a stream gives its dictionary.

    ``end`` bounds where the object can end (the next object in an object
    stream); otherwise it is looked for at the next ``stream`` or ``endobj``.
    ``skip`` names keys (``b"/Rect"``) of the outermost dictionary whose values
    need not be built (the careful fallback parser builds everything).
    """
    if end is None:
        a, b = data.find(b"endobj", pos, pos + _WINDOW), data.find(b"stream", pos, pos + _WINDOW)
        end = min(x for x in (a, b, pos + _WINDOW) if x >= 0)
    try:
        return _quick(data, pos, end, reader, skip)
    except ParseFailure:
        # a string holding "endobj", nested parentheses, odd tokens: the careful parser decides
        return parse_at(data, pos, reader)[0]


#: How far ahead an object's end is looked for; larger objects take the careful path.
_WINDOW = 65536
_QUICK = re.compile(
    rb"<<|>>|\[|\]|/[^\x00\t\n\f\r /\[\]()<>{}%]*|\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f\x00\t\n\f\r ]*>"
    rb"|[+-]?(?:\d+\.?\d*|\.\d+)|[A-Za-z]+|%[^\r\n]*|[^\x00\t\n\f\r ]",
    re.S,
)
_NAMES: dict[bytes, NameObject] = {}
_INTS: dict[bytes, NumberObject] = {}
_CACHE_MAX = 4096
_DIGITS = frozenset(b"0123456789+-.")
#: A literal string's bytes that mean the same in PDFDocEncoding and ASCII (no escapes, no CR).
_PLAIN = re.compile(rb"[\x20-\x5b\x5d-\x7e\t\n]*")


def _skip_value(tokens: list[bytes], j: int) -> int:
    """The index after the value starting at ``tokens[j]``: a nested structure, a reference or one token."""
    t = tokens[j]
    if t == b"<<" or t == b"[":
        depth = 0
        while True:
            t = tokens[j]
            if t == b"<<" or t == b"[":
                depth += 1
            elif t == b">>" or t == b"]":
                depth -= 1
            elif t == b"(" or t == b")":
                raise ParseFailure("string with nested parentheses")
            j += 1
            if depth == 0:
                return j
    if t == b"(" or t == b")":
        raise ParseFailure("string with nested parentheses")
    if t[0] in _DIGITS and j + 2 < len(tokens) and tokens[j + 2] == b"R":
        return j + 3
    return j + 1


def _close(items: list[Any], is_dict: bool) -> Any:
    """The dictionary or array whose parsed ``items`` end at ``>>`` or ``]``."""
    if not is_dict:
        return ArrayObject(items)
    n = len(items)
    if n % 2:
        raise ParseFailure("odd dictionary")
    value = DictionaryObject()
    for k in range(0, n, 2):
        key = items[k]
        if type(key) is not NameObject:
            raise ParseFailure("dictionary key is not a name")
        dict.__setitem__(value, key, items[k + 1])
    return value


def _reference(items: list[Any] | None, reader: PdfReader) -> IndirectObject:
    """The reference ``num gen R`` whose two numbers end ``items`` (taken off it)."""
    if items is None or len(items) < 2:
        raise ParseFailure("stray R")
    gen, num = items.pop(), items.pop()
    if type(num) is not NumberObject or type(gen) is not NumberObject:
        raise ParseFailure("bad reference")
    return IndirectObject(int(num), int(gen), reader)


def _hex(inner: bytes) -> Any:
    """A ``<hex>`` string's value from the bytes between the angle brackets."""
    digits = re.sub(rb"[^0-9A-Fa-f]", b"", inner)
    return create_string_object(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii")))


def _quick(data: bytes, pos: int, end: int, reader: PdfReader, skip: frozenset[bytes] = frozenset()) -> Any:
    """One object from the tokens of ``data[pos:end]`` split in one pass; ParseFailure if unsure.

    Values of the outermost dictionary's keys in ``skip`` are passed over, not built.
    """
    tokens = _QUICK.findall(data, pos, end)
    if len(tokens) > MAX_TOKENS:
        raise LimitExceeded("object too large")
    stack: list[list[Any]] = []
    kinds: list[bool] = []
    current: list[Any] | None = None
    names, ints = _NAMES, _INTS
    value: Any
    i = 0
    count = len(tokens)
    while i < count:
        tok = tokens[i]
        i += 1
        c = tok[0]
        if c == 47:  # /name
            if skip and tok in skip and not stack and current is not None and not len(current) % 2 and kinds == [True]:
                try:
                    i = _skip_value(tokens, i)
                except IndexError:
                    raise ParseFailure("object not complete") from None
                continue
            value = names.get(tok)
            if value is None:
                value = _name(tok)
                if len(names) < _CACHE_MAX:
                    names[tok] = value
        elif c == 40:  # (string)
            if len(tok) < 2 or tok[-1] != 41:
                raise ParseFailure("string with nested parentheses")
            raw = tok[1:-1]
            value = TextStringObject(raw.decode("ascii")) if _PLAIN.fullmatch(raw) else _literal(raw)
        elif c in _DIGITS:
            value = ints.get(tok)
            if value is None:
                if b"." in tok:
                    value = FloatObject(float(tok))
                else:
                    value = NumberObject(int(tok))
                    if len(ints) < _CACHE_MAX:
                        ints[tok] = value
        elif tok == b"<<" or tok == b"[":
            if len(stack) >= MAX_NESTING:
                raise LimitExceeded("objects nested too deeply")
            if current is not None:
                stack.append(current)
            current = []
            kinds.append(tok == b"<<")
            continue
        elif tok == b">>" or tok == b"]":
            if current is None or kinds[-1] != (tok == b">>"):
                raise ParseFailure("unbalanced brackets")
            value = _close(current, kinds.pop())
            current = stack.pop() if stack else None
        elif tok == b"R":
            value = _reference(current, reader)
        elif c == 60 and tok[-1] == 62 and len(tok) > 1:  # <hex>
            value = _hex(tok[1:-1])
        elif tok == b"true" or tok == b"false":
            value = BooleanObject(tok == b"true")
        elif tok == b"null":
            value = NullObject()
        elif c == 37:  # %comment
            continue
        else:
            raise ParseFailure("unexpected token")
        if current is None:
            return value
        current.append(value)
    raise ParseFailure("object not complete")


def parse_at(data: bytes, pos: int, reader: PdfReader) -> tuple[Any, int]:
    """The object starting at ``pos`` and the position just after it."""
    stack: list[list[Any]] = []
    kinds: list[bool] = []  # True: dictionary
    current: list[Any] | None = None
    tokens = 0
    match = _TOKEN.match
    while True:
        m = match(data, pos)
        if m is None:
            # a literal string with nested parentheses, or something pypdf should look at
            skip = re.match(rb"(?:[\x00\t\n\f\r ]|%[^\r\n]*)*\(", data[pos : pos + 4096])
            if skip is None:
                raise ParseFailure(f"unexpected bytes at {pos}")
            start = pos + skip.end() - 1
            end = _balanced(data, start)
            value: Any = _literal(data[start + 1 : end - 1])
            pos = end
        else:
            pos = m.end()
            kind = m.lastgroup
            tokens += 1
            if tokens > MAX_TOKENS:
                raise LimitExceeded("object too large")
            if kind == "name":
                value = _name(m.group(kind))
            elif kind == "num":
                tok = m.group(kind)
                value = FloatObject(float(tok)) if b"." in tok else NumberObject(int(tok))
            elif kind == "str":
                value = _literal(m.group(kind)[1:-1])
            elif kind == "dopen" or kind == "aopen":
                if len(stack) >= MAX_NESTING:
                    raise LimitExceeded("objects nested too deeply")
                if current is not None:
                    stack.append(current)
                current = []
                kinds.append(kind == "dopen")
                continue
            elif kind == "dclose" or kind == "aclose":
                if current is None or kinds[-1] != (kind == "dclose"):
                    raise ParseFailure("unbalanced brackets")
                value = _close(current, kinds.pop())
                current = stack.pop() if stack else None
            elif kind == "hex":
                value = _hex(m.group(kind)[1:-1])
            else:
                word = m.group("kw")
                if word == b"R":
                    value = _reference(current, reader)
                elif word == b"true":
                    value = BooleanObject(True)
                elif word == b"false":
                    value = BooleanObject(False)
                elif word == b"null":
                    value = NullObject()
                else:
                    raise ParseFailure(f"unexpected {word!r}")
        if current is None:
            return value, pos
        current.append(value)


_OBJ_HEADER = re.compile(_WS + rb"*(\d{1,10})" + _WS + rb"+(\d{1,5})" + _WS + rb"*obj" + _WS + rb"*")


_XREF_HEAD = re.compile(_WS + rb"*\d{1,10}" + _WS + rb"+\d{1,5}" + _WS + rb"*obj(?:" + _WS + rb"|%[^\r\n]*)*<<")


def untyped_xref_patch(data: bytes, pos: int, reader: PdfReader) -> bytes | None:
    """``data`` with ``/Type/XRef`` put into the object at ``pos`` if it is an xref stream without ``/Type``.

    PDFium writes such streams when it saves an update to a file with a
    cross-reference stream. The object must be a stream whose dictionary has no
    ``/Type`` but has ``/W`` (three widths) and ``/Size``, as table 17 of the
    PDF specification asks of every xref stream; anything else gives None.
    """
    m = _XREF_HEAD.match(data, pos)
    if m is None:
        return None
    start = m.end() - 2
    end = data.find(b"stream", start, start + _WINDOW)
    try:
        if end < 0 or data[start:end].rstrip(b"\x00\t\n\f\r ")[-2:] != b">>":
            raise ParseFailure("not a dictionary before stream")
        head = _quick(data, start, end, reader)
    except ParseFailure:
        try:  # a string holding "stream", say: the careful parser decides
            head, after = parse_at(data, start, reader)
        except (ParseFailure, LimitExceeded):
            return None
        if _STREAM_EOL.match(data, after) is None:
            return None
    except LimitExceeded:
        return None
    if not isinstance(head, DictionaryObject) or "/Type" in head or "/Size" not in head:
        return None
    widths = dict.get(head, "/W")
    if not isinstance(widths, ArrayObject) or len(widths) != 3:
        return None
    return data[: m.end()] + b"/Type/XRef " + data[m.end() :]


def _untyped(data: bytes, pos: int) -> bool:
    """A glance (some microseconds): the dictionary of the object at ``pos`` has ``/W`` but no ``/Type``."""
    end = data.find(b"stream", pos, pos + _WINDOW)
    head = data[pos:end] if end >= 0 else b""
    return b"/W" in head and b"/Type" not in head


def _at(data: bytes, pos: int) -> BytesIO:
    buf = BytesIO(data)
    buf.seek(pos)
    return buf


class BytesReader(PdfReader):
    """pypdf's reader over bytes in memory, with a regex for object headers.

    pypdf reads the header of every object in the cross-reference table when it
    opens a file (to drop entries that point nowhere); reading them byte by byte
    is a good part of opening a form. Headers of the usual shape are matched
    here; anything else goes to pypdf's own code, so behaviour is unchanged.

    Two repairs of files real viewers write, taken only when a file needs them:
    PDFium's cross-reference streams without ``/Type /XRef`` are read, and a
    cross-reference rebuilt by scanning keeps each object's latest copy.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._buffer = BytesIO(data)
        super().__init__(self._buffer, strict=False, xref_stream_maximum_entries=500_000)

    def read_object_header(self, stream: Any) -> tuple[int, int]:
        if stream is self._buffer:
            m = _OBJ_HEADER.match(self._data, stream.tell())
            if m is not None:
                stream.seek(m.end())
                return int(m.group(1)), int(m.group(2))
        return super().read_object_header(stream)

    def _read_pdf15_xref_stream(self, stream: Any) -> Any:
        """pypdf's reading of one cross-reference stream, which also takes PDFium's untyped ones.

        PDFium's incremental save of a file with a cross-reference stream writes
        its own xref stream without ``/Type /XRef`` (Chrome, Edge): pypdf and
        qpdf then call the whole file damaged. When a glance at the object's
        bytes shows no ``/Type`` (or pypdf's reading fails), the object is
        parsed; if it is an xref stream without ``/Type``, pypdf reads a copy of
        the bytes with ``/Type/XRef`` put into that one dictionary. The copy is
        read for this object only, so the bytes the insertion shifts (this
        stream and anything after it, later revisions included) are never read
        through it: every other offset still points into the file as it is.
        """
        start = stream.tell()
        pos = start - 1  # pypdf has read the object's first digit
        mine = stream is self._buffer
        if mine and _untyped(self._data, pos):
            patched = untyped_xref_patch(self._data, pos, self)
            if patched is not None:
                return super()._read_pdf15_xref_stream(_at(patched, start))
        try:
            return super()._read_pdf15_xref_stream(stream)
        except Exception:
            patched = untyped_xref_patch(self._data, pos, self) if mine else None
            if patched is None:
                raise
        return super()._read_pdf15_xref_stream(_at(patched, start))

    def _rebuild_xref_table(self, stream: Any) -> None:
        """pypdf's cross-reference rebuilt by scanning (a wrong ``startxref``), the latest copy of each object kept.

        pypdf prefers an object stream's copy of an object to a plain one found
        by the scan, but a form saved with object streams and then updated in
        place (PDFium, MuPDF, pdf.js) has the newer value in the plain copy after
        it: the later of the two in the file is the one that counts.
        """
        super()._rebuild_xref_table(stream)
        plain = self.xref.get(0, {})
        for num, (stmnum, _) in list(self.xref_objStm.items()):
            at = plain.get(num)
            if at is not None and at > plain.get(stmnum, -1):
                del self.xref_objStm[num]


class FastResolver:
    """Resolves references with :func:`parse_object`, pypdf's ``get_object`` as the fallback.

    ``skip``: keys whose values the caller never reads (see :func:`parse_object`).
    """

    def __init__(
        self, reader: PdfReader, data: bytes, skip: frozenset[bytes] = frozenset(), deadline: float | None = None
    ) -> None:
        self.reader = reader
        self.data = data
        self.skip = skip
        self.deadline = deadline
        self.inflated = 0
        self.cache: dict[tuple[int, int], Any] = {}
        self.streams: dict[int, tuple[bytes, int, dict[int, int]] | None] = {}
        self.fast = not reader.is_encrypted

    def get(self, ref: IndirectObject) -> Any:
        """The object ``ref`` points to (a stream's dictionary for a stream)."""
        key = (ref.idnum, ref.generation)
        found = self.cache.get(key)
        if found is None:
            if self.deadline is not None and time.perf_counter() > self.deadline:
                raise LimitExceeded("reading it takes far longer than any form")
            found = self._load(ref)
            self.cache[key] = found
        return found

    def _load(self, ref: IndirectObject) -> Any:
        if self.fast:
            try:
                value = self._fast(ref.idnum, ref.generation)
            except ParseFailure:
                value = None
            if value is not None:
                return value
        return self.reader.get_object(ref)

    def _fast(self, idnum: int, generation: int) -> Any:
        reader = self.reader
        if generation == 0 and idnum in reader.xref_objStm:
            stmnum, _ = reader.xref_objStm[idnum]
            stream = self._objstm(stmnum)
            if stream is None:
                return None
            data, first, offsets = stream
            if idnum not in offsets:
                return None
            start = first + offsets[idnum]
            later = [first + o for o in offsets.values() if first + o > start]
            return parse_object(data, start, reader, min(later, default=len(data)), self.skip)
        offset = reader.xref.get(generation, {}).get(idnum)
        if offset is None or reader.xref_free_entry.get(generation, {}).get(idnum):
            return None
        m = _HEADER.match(self.data, offset)
        if m is None or int(m.group(1)) != idnum or int(m.group(2)) != generation:
            return None
        return parse_object(self.data, m.end(), reader, None, self.skip)

    def _objstm(self, stmnum: int) -> tuple[bytes, int, dict[int, int]] | None:
        if stmnum in self.streams:
            return self.streams[stmnum]
        self.streams[stmnum] = None  # also guards a stream that refers to itself
        offset = self.reader.xref.get(0, {}).get(stmnum)
        if offset is None:
            return None
        m = _HEADER.match(self.data, offset)
        if m is None or int(m.group(1)) != stmnum:
            return None
        head, end = parse_at(self.data, m.end(), self.reader)
        if not isinstance(head, DictionaryObject) or head.get("/Type") != "/ObjStm":
            return None
        if dict.get(head, "/Filter") not in (NameObject("/FlateDecode"), ArrayObject([NameObject("/FlateDecode")])):
            return None
        if dict.get(head, "/DecodeParms") is not None:
            return None
        length = dict.get(head, "/Length")
        if isinstance(length, IndirectObject):
            length = self.get(length)
        numbers_given = (length, dict.get(head, "/N"), dict.get(head, "/First"))
        if not all(type(v) is NumberObject for v in numbers_given):
            return None
        size, n, first = (int(cast(NumberObject, v)) for v in numbers_given)
        s = _STREAM_EOL.match(self.data, end)
        if s is None:
            return None
        raw = self.data[s.end() : s.end() + size]
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(raw, MAX_INFLATED)
        except zlib.error:
            return None
        self.inflated += len(data)
        if inflater.unconsumed_tail or self.inflated > MAX_INFLATED_TOTAL:
            raise LimitExceeded("an object stream inflates beyond any form's size")
        numbers = data[:first].split()[: 2 * n]
        try:
            pairs = [int(x) for x in numbers]
        except ValueError:
            return None
        offsets = {pairs[i]: pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}
        self.streams[stmnum] = (data, first, offsets)
        return self.streams[stmnum]
