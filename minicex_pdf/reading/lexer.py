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

Every scan is linear in what it reads (possessive regular expressions, which
neither backtrack nor keep memory per byte; a string token that stops at its
first unescaped parenthesis instead of being tried again from each one), and
bounded by :mod:`minicex_pdf.limits`: strings, tokens, nesting, object streams.
"""

from __future__ import annotations

import bisect
import re
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

from ..limits import (
    BUDGET_CHECK_EVERY,
    MAX_INFLATED,
    MAX_INFLATED_TOTAL,
    MAX_NESTING,
    MAX_OBJSTM_OBJECTS,
    MAX_STRING,
    MAX_TOKENS,
    MAX_XREF_ENTRIES,
    QUICK_WINDOW,
)
from .budget import Budget

_WS = rb"[\x00\t\n\f\r ]"
#: Whitespace and comments before a token (possessive: no backtracking, no memory per byte).
_GAP = rb"(?:[\x00\t\n\f\r ]++|%[^\r\n]*+)*+"
#: A literal string up to its first unescaped parenthesis (or the end of the range): one linear pass.
#: A flat string ends in its closing ``)``; a nested or cut-off one does not (see :func:`_closed`).
_LITERAL = rb"\([^\\()]*+(?:\\.[^\\()]*+)*+\)?"
_TOKEN = re.compile(
    _GAP + rb"(?:(?P<dopen><<)|(?P<dclose>>>)|(?P<aopen>\[)|(?P<aclose>\])"
    rb"|(?P<name>/[^\x00\t\n\f\r /\[\]()<>{}%]*+)"
    rb"|(?P<num>[+-]?(?:\d++\.?\d*+|\.\d++))(?![^\x00\t\n\f\r /\[\]()<>{}%])"
    rb"|(?P<str>" + _LITERAL + rb")"
    rb"|(?P<hex><[0-9A-Fa-f\x00\t\n\f\r ]*+>)"
    rb"|(?P<kw>true|false|null|R|endobj|stream|obj)(?![^\x00\t\n\f\r /\[\]()<>{}%]))",
    re.S,
)
_HEADER = re.compile(_GAP + rb"(\d{1,10})" + _WS + rb"++(\d{1,5})" + _WS + rb"*+obj")
_NAME_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_EOL = re.compile(_GAP + rb"stream(?:\r\n|\n|\r)?")
#: From inside a literal string to its next unescaped parenthesis (group 1), escapes passed over.
_STRING_STEP = re.compile(rb"[^\\()]*+(?:\\.[^\\()]*+)*+([()])", re.S)
_ESCAPES = ((b"\\n", b"\n"), (b"\\r", b"\r"), (b"\\t", b"\t"), (b"\\b", b"\b"), (b"\\f", b"\f"))
_ESCAPE_OTHER = re.compile(rb"\\([^0-7])", re.S)
_ESCAPE_OCTAL = re.compile(rb"\\([0-7]{1,3})")


class ParseFailure(Exception):
    """The fast parser cannot read this object; let pypdf try."""


class LimitExceeded(Exception):
    """An object nested or sized beyond any real form's: a hostile or broken file."""


def _octal(m: re.Match[bytes]) -> bytes:
    return bytes((int(m.group(1), 8) & 0xFF,))


def _unescape_piece(piece: bytes, eol: bool = True) -> bytes:
    """Part of a literal string holding no escaped backslash: line ends (if ``eol``) and escapes resolved.

    No two backslashes touch here, so every backslash starts an escape and the
    replacements cannot run into each other; each is one pass in C (octal
    escapes, rare, take a callback).
    """
    if b"\\" in piece:
        piece = piece.replace(b"\\\r\n", b"").replace(b"\\\r", b"").replace(b"\\\n", b"")
    if eol and b"\r" in piece:  # an end of line in the file is a line feed in the string
        piece = piece.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"\\" in piece:
        piece = piece.replace(b"\\(", b"(").replace(b"\\)", b")")
        for escape, char in _ESCAPES:
            if escape in piece:
                piece = piece.replace(escape, char)
        if b"\\" in piece:
            piece = _ESCAPE_OCTAL.sub(_octal, _ESCAPE_OTHER.sub(rb"\1", piece))
    return piece


def _literal(raw: bytes) -> Any:
    """A literal string's bytes (without the outer parentheses) as pypdf's text or byte string.

    Linear in the length: the string is split at its escaped backslashes
    (pairs taken from the left, as a reader of the string takes them) and each
    piece resolved by replacements in C.
    """
    # An end of line in a literal is a \n; but in UTF-16BE text (PDFium's for anything beyond
    # Latin-1) a CR is the byte 0D of the pair 00 0D: decode_text joins \r\n after decoding.
    eol = not raw.startswith((b"\xfe\xff", b"\\376\\377"))
    if b"\\" in raw:
        pieces = raw.split(b"\\\\")
        raw = b"\\".join([_unescape_piece(p, eol) for p in pieces]) if len(pieces) > 1 else _unescape_piece(raw, eol)
    elif eol and b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return create_string_object(raw)


def _closed(tok: bytes) -> bool:
    """Whether a literal-string token of ``_LITERAL`` ends in its own closing parenthesis (not an escaped one)."""
    if len(tok) < 2 or tok[-1] != 0x29:
        return False
    if tok[-2] != 0x5C:
        return True
    body = tok[1:-1]
    return (len(body) - len(body.rstrip(b"\\"))) % 2 == 0


def _balanced(data: bytes, pos: int, budget: Budget | None = None) -> int:
    """The end (exclusive) of a literal string with nested parentheses starting at ``data[pos] == '('``.

    One regex step per unescaped parenthesis, escapes passed over in C; at most
    :data:`MAX_STRING` bytes are looked at (the string's own parentheses
    included, as for a flat string's token), and the CPU budget is checked.
    """
    limit = min(len(data), pos + MAX_STRING)
    depth = 1
    i = pos + 1
    step = _STRING_STEP.match
    steps = 0
    while True:
        m = step(data, i, limit)
        if m is None:
            if limit < len(data):
                raise LimitExceeded("a string longer than any form's")
            raise LimitExceeded("a string that never ends")
        i = m.end()
        if m.group(1) == b"(":
            depth += 1
            if depth > MAX_NESTING:
                raise LimitExceeded("parentheses in a string nested beyond any form's")
        else:
            depth -= 1
            if depth == 0:
                return i
        steps += 1
        if budget is not None and not steps % BUDGET_CHECK_EVERY:
            budget.check()


def _name(tok: bytes) -> NameObject:
    if b"#" in tok:
        tok = _NAME_HEX.sub(lambda m: bytes((int(m.group(1), 16),)), tok)
    try:
        return NameObject(tok.decode("utf-8"))
    except UnicodeDecodeError:
        return NameObject(tok.decode("latin-1"))


def parse_object(
    data: bytes,
    pos: int,
    reader: PdfReader,
    end: int | None = None,
    skip: frozenset[bytes] = frozenset(),
    budget: Budget | None = None,
) -> Any:
    """The object starting at ``pos`` (after any ``N G obj`` header); a stream gives its dictionary.

    ``end`` bounds where the object can end (the next object in an object
    stream); otherwise it is looked for at the next ``stream`` or ``endobj``.
    ``skip`` names keys (``b"/Rect"``) of the outermost dictionary whose values
    need not be built (the careful fallback parser builds everything).
    ``budget`` is checked inside long scans.
    """
    if end is None:
        a, b = data.find(b"endobj", pos, pos + QUICK_WINDOW), data.find(b"stream", pos, pos + QUICK_WINDOW)
        end = min(x for x in (a, b, pos + QUICK_WINDOW) if x >= 0)
    try:
        return _quick(data, pos, min(end, pos + QUICK_WINDOW), reader, skip)
    except ParseFailure:
        # a string holding "endobj", nested parentheses, an object beyond the window: the careful parser decides
        return parse_at(data, pos, reader, budget)[0]


#: One token of the quick parser; every alternative is linear and never re-scans (a string token
#: stops at its first unescaped parenthesis, so a nested or cut-off string is one token, not a rescan).
_QUICK = re.compile(
    rb"<<|>>|\[|\]|/[^\x00\t\n\f\r /\[\]()<>{}%]*+|" + _LITERAL + rb"|<[0-9A-Fa-f\x00\t\n\f\r ]*+>"
    rb"|[+-]?(?:\d++\.?\d*+|\.\d++)|[A-Za-z]++|%[^\r\n]*+|[^\x00\t\n\f\r ]",
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
            elif (t[0] == 40 and not _closed(t)) or t == b")":
                raise ParseFailure("string with nested parentheses")
            j += 1
            if depth == 0:
                return j
    if (t[0] == 40 and not _closed(t)) or t == b")":
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
            if not _closed(tok):
                raise ParseFailure("string with nested parentheses, or longer than the window")
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


def parse_at(data: bytes, pos: int, reader: PdfReader, budget: Budget | None = None) -> tuple[Any, int]:
    """The object starting at ``pos`` and the position just after it.

    Linear in the object's length: each token is one regex match, a string with
    nested parentheses one more pass (:func:`_balanced`); strings and tokens
    longer than :data:`MAX_STRING` and objects of more than :data:`MAX_TOKENS`
    tokens raise :class:`LimitExceeded`, and ``budget`` is checked as it goes.
    """
    stack: list[list[Any]] = []
    kinds: list[bool] = []  # True: dictionary
    current: list[Any] | None = None
    tokens = 0
    match = _TOKEN.match
    while True:
        m = match(data, pos)
        if m is None:
            raise ParseFailure(f"unexpected bytes at {pos}")
        kind = cast(str, m.lastgroup)  # every alternative is a named group
        start = m.start(kind)
        pos = m.end()
        if pos - start > MAX_STRING:
            raise LimitExceeded("a string longer than any form's")
        tokens += 1
        if tokens > MAX_TOKENS:
            raise LimitExceeded("object too large")
        if budget is not None and not tokens % BUDGET_CHECK_EVERY:
            budget.check()
        if kind == "str":
            tok = m.group(kind)
            if _closed(tok):
                value: Any = _literal(tok[1:-1])
            else:  # nested parentheses: one more pass finds the end
                pos = _balanced(data, start, budget)
                value = _literal(data[start + 1 : pos - 1])
        elif kind == "name":
            value = _name(m.group(kind))
        elif kind == "num":
            tok = m.group(kind)
            value = FloatObject(float(tok)) if b"." in tok else NumberObject(int(tok))
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


_OBJ_HEADER = re.compile(_WS + rb"*+(\d{1,10})" + _WS + rb"++(\d{1,5})" + _WS + rb"*+obj" + _WS + rb"*+")


_XREF_HEAD = re.compile(_WS + rb"*+\d{1,10}" + _WS + rb"++\d{1,5}" + _WS + rb"*+obj" + _GAP + rb"<<")


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
    end = data.find(b"stream", start, start + QUICK_WINDOW)
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
    end = data.find(b"stream", pos, pos + QUICK_WINDOW)
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
        super().__init__(self._buffer, strict=False, xref_stream_maximum_entries=MAX_XREF_ENTRIES)

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


#: An inflated object stream: its bytes, ``/First``, each object's offset, and the offsets sorted.
_ObjStm = tuple[bytes, int, dict[int, int], list[int]]


class FastResolver:
    """Resolves references with :func:`parse_object`, pypdf's ``get_object`` as the fallback.

    ``skip``: keys whose values the caller never reads (see :func:`parse_object`).
    """

    def __init__(
        self, reader: PdfReader, data: bytes, skip: frozenset[bytes] = frozenset(), budget: Budget | None = None
    ) -> None:
        self.reader = reader
        self.data = data
        self.skip = skip
        self.budget = budget
        self.inflated = 0
        self.cache: dict[tuple[int, int], Any] = {}
        self.streams: dict[int, _ObjStm | None] = {}
        self.fast = not reader.is_encrypted

    def get(self, ref: IndirectObject) -> Any:
        """The object ``ref`` points to (a stream's dictionary for a stream)."""
        key = (ref.idnum, ref.generation)
        found = self.cache.get(key)
        if found is None:
            if self.budget is not None:
                self.budget.check()
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
            data, first, offsets, starts = stream
            offset = offsets.get(idnum)
            if offset is None:
                return None
            after = bisect.bisect_right(starts, offset)  # where the next object begins
            end = first + starts[after] if after < len(starts) else len(data)
            return parse_object(data, first + offset, reader, end, self.skip, self.budget)
        offset = reader.xref.get(generation, {}).get(idnum)
        if offset is None or reader.xref_free_entry.get(generation, {}).get(idnum):
            return None
        m = _HEADER.match(self.data, offset)
        if m is None or int(m.group(1)) != idnum or int(m.group(2)) != generation:
            return None
        return parse_object(self.data, m.end(), reader, None, self.skip, self.budget)

    def _objstm(self, stmnum: int) -> _ObjStm | None:
        if stmnum in self.streams:
            return self.streams[stmnum]
        self.streams[stmnum] = None  # also guards a stream that refers to itself
        offset = self.reader.xref.get(0, {}).get(stmnum)
        if offset is None:
            return None
        m = _HEADER.match(self.data, offset)
        if m is None or int(m.group(1)) != stmnum:
            return None
        head, end = parse_at(self.data, m.end(), self.reader, self.budget)
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
        if n > MAX_OBJSTM_OBJECTS:
            raise LimitExceeded("an object stream with more objects than any form's")
        if min(n, first) < 0:  # no object stream: pypdf decides, as for any other it cannot read
            return None
        numbers = data[:first].split(maxsplit=2 * n)[: 2 * n]
        try:
            pairs = [int(x) for x in numbers]
        except ValueError:
            return None
        offsets = {pairs[i]: pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}
        self.streams[stmnum] = (data, first, offsets, sorted(set(offsets.values())))
        return self.streams[stmnum]
