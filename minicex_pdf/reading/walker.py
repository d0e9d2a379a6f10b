"""A small, bounded walker over a PDF's AcroForm: the form as the file really holds it.

pypdf's ``get_fields()`` walks ``/Fields`` only, does not inherit ``/FT /Ff /V``
and resolves far more than a record needs. This walker reads the trailer, the
catalog, ``/AcroForm`` and the ``/Fields`` tree, and nothing else unless it must:

- full names from ``/T`` up the ``/Kids`` chain; ``/FT /Ff /V /Opt`` inherited;
- values on a parent or on its kids; a widget's ``/AS`` where ``/V`` is missing
  (and a note where the two disagree); on-state names from the keys of each
  button widget's ``/AP /N`` (never the appearance streams themselves);
- text decoded (PDFDocEncoding, UTF-16BE, stray raw UTF-8), newlines as ``\\n``;
- page ``/Annots`` only when the ``/Fields`` walk missed names the caller expects
  (a Preview save can list a few widgets only) or found no fields at all.

Every file problem ends in a :class:`~minicex_pdf.errors.FormReadError` subclass.
Hostile files are bounded (every limit is in :mod:`minicex_pdf.limits`): a
file-size cap, tighter pypdf decompression limits, visited sets against
reference loops, caps on depth and node counts, and a CPU budget checked inside
long scans with a CPU timer behind pypdf's own loops (:mod:`.budget`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf._codecs import _pdfdoc_encoding as _PDFDOC  # PDFDocEncoding, as pypdf decodes it
from pypdf._configuration import apply_configuration
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)

from ..errors import (
    DamagedPdfError,
    EncryptedPdfError,
    FormReadError,
    NoFormFieldsError,
    NotAPdfError,
    XfaFormError,
)
from ..limits import (
    HEADER_WINDOW,
    MAX_ARRAY_ITEMS,
    MAX_DECODE_WORK,
    MAX_DECODED_STREAM,
    MAX_DEPTH,
    MAX_EARLIER_VERSIONS,
    MAX_FILE_SIZE,
    MAX_FILTERS,
    MAX_INFO_CHARS,
    MAX_INFO_ENTRIES,
    MAX_NODES,
    MAX_PYPDF_ELEMENTS,
    MAX_STREAM_LENGTH,
    MAX_TAIL_WORDS,
)
from .budget import Budget, OverBudget
from .lexer import BytesReader, FastResolver, LimitExceeded

#: pypdf's limits set tighter than its defaults (75 MB per stream): a form's object streams are small.
_LIMITS: dict[str, Any] = {
    "disable_legacy_handling": True,
    "maximum_declared_stream_length": MAX_STREAM_LENGTH,
    "zlib_maximum_output_length": MAX_DECODED_STREAM,
    "lzw_maximum_output_length": MAX_DECODED_STREAM,
    "run_length_maximum_output_length": MAX_DECODED_STREAM,
    "array_based_stream_maximum_output_length": MAX_DECODED_STREAM,
    "stream_decoding_work_maximum_length": MAX_DECODE_WORK,
    "array_maximum_element_count": MAX_PYPDF_ELEMENTS,
    "dictionary_maximum_element_count": MAX_PYPDF_ELEMENTS,
    "stream_filters_maximum_length": MAX_FILTERS,
}

#: Keys of field, widget, page and catalog dictionaries the walk never reads: the parser passes over them.
_UNREAD = frozenset(
    b"/" + k
    for k in (
        b"MK BS Border Rect DA DS RV TU TM DV Q MaxLen DR F P C CA NM M StructParent StructParents "
        b"Resources Contents MediaBox CropBox BleedBox TrimBox ArtBox Rotate Group Thumb Tabs "
        b"Outlines Names Dests ViewerPreferences PageLabels StructTreeRoot MarkInfo Lang OpenAction"
    ).split()
)
RADIO = 1 << 15
PUSHBUTTON = 1 << 16
_OFF = "Off"
_NEWLINES = re.compile(r"\r\n?")


class CryptographyMissingError(EncryptedPdfError):
    """An AES-encrypted file that opens without a password, but pypdf lacks ``cryptography``."""

    text = {
        "sv": "PDF-filen är krypterad (AES) och kan bara läsas med Python-paketet cryptography: "
        "installera det med pip install 'minicex-pdf[crypto]'",
        "en": "the PDF is AES-encrypted and can only be read with the Python package cryptography: "
        "install it with pip install 'minicex-pdf[crypto]'",
    }


# --------------------------------------------------------------------------- values


_UTF8_SEQUENCE = re.compile(rb"[\xc4-\xdf]([\x80-\xbf])|[\xc2\xc3][\x80-\xbf]|[\xe0-\xf4][\x80-\xbf]{2,3}")


def _stray_utf8(raw: bytes) -> bool:
    """Whether PDFDocEncoded bytes read better as UTF-8: some sequence is mojibake read as PDFDoc.

    Every two-byte UTF-8 sequence is also an accented capital and a sign in
    PDFDocEncoding. Where that sign is punctuation (``Ö”``, ``Å—``: a word ending
    before a quote or a dash, as pdf.js and MuPDF write Swedish) it is taken as
    written; where it is a letter or symbol (``Ð°`` for ``а``), where the capital is
    ``Â`` or ``Ã`` (``Ã¥`` for ``å``, ``Ã…`` for ``Å``: Latin-1's letters in UTF-8, never
    Swedish), or where a sequence is three or four bytes long, the string is UTF-8.
    """
    for m in _UTF8_SEQUENCE.finditer(raw):
        second = m.group(1)
        if second is None or not unicodedata.category(_PDFDOC[second[0]]).startswith("P"):
            return True
    return False


def decode_text(value: Any) -> str | None:
    """A PDF string (or name) as text with ``\\n`` newlines; None for anything else."""
    if isinstance(value, TextStringObject):
        text = str(value)
        raw = value._original_bytes
        if raw and not value.autodetect_utf16 and any(b > 0x7F for b in raw) and _stray_utf8(raw):
            # Some writers put raw UTF-8 into a PDFDocEncoding string: invalid, but seen.
            with contextlib.suppress(UnicodeDecodeError):
                text = raw.decode("utf-8")
    elif isinstance(value, ByteStringObject):
        raw = bytes(value)
        if raw[:2] == b"\xfe\xff":
            text = raw[2:].decode("utf-16-be", "replace")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
    elif isinstance(value, NameObject):
        text = str(value)[1:]
    elif isinstance(value, str):
        text = str(value)
    elif isinstance(value, NumberObject):
        text = str(int(value))
    else:
        return None
    return _NEWLINES.sub("\n", text) if "\r" in text else text


def _state(value: Any) -> str | None:
    """A button state (``/Yes``, or ``"/Yes"`` as pypdf's own filling writes it) without the slash; Off is None."""
    if isinstance(value, NameObject):
        name = str(value)[1:]
    elif isinstance(value, str):
        name = str(value)
        name = name[1:] if name.startswith("/") else name
    else:
        return None
    return None if name in ("", _OFF) else name


@dataclass
class PdfField:
    """One terminal field: full name, type, flags, its value and what its widgets show."""

    name: str
    ftype: str = ""
    flags: int = 0
    value: Any = None
    kid_value: Any = None
    options: tuple[str, ...] = ()
    states: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    widgets: int = 0

    @property
    def kind(self) -> str:
        """``text``, ``checkbox``, ``radio``, ``pushbutton``, ``choice``, ``signature`` or ``unknown``."""
        if self.ftype == "Btn":
            if self.flags & PUSHBUTTON:
                return "pushbutton"
            return "radio" if self.flags & RADIO else "checkbox"
        return {"Tx": "text", "Ch": "choice", "Sig": "signature"}.get(self.ftype, "unknown")

    @property
    def _v(self) -> Any:
        return self.value if self.value is not None else self.kid_value

    def _export(self, state: str) -> str:
        """A state name mapped through ``/Opt`` when the states are widget indexes (PDF 1.5)."""
        if self.options and state.isdigit() and int(state) < len(self.options) and state not in self.options:
            return self.options[int(state)]
        return state

    @property
    def selected(self) -> str | None:
        """The on-state (export value) of a button: ``/V``, or the first widget ``/AS`` that is on."""
        state = _state(self._v)
        if state is None and self._v is None and self.shown:
            state = self.shown[0]
        return self._export(state) if state is not None else None

    @property
    def checked(self) -> bool:
        """Whether a checkbox is ticked (by ``/V``, else by a widget's ``/AS``)."""
        return self.selected is not None

    @property
    def conflict(self) -> bool:
        """A button whose ``/V`` and widget ``/AS`` disagree (viewers then show different things)."""
        if self.ftype != "Btn" or self._v is None:
            return False
        state = _state(self._v)
        if state is None:
            return bool(self.shown)
        return (
            bool(self.widgets) and state not in self.shown and self._export(state) not in map(self._export, self.shown)
        )

    @property
    def text(self) -> str | None:
        """The value as text: a text field's string, a choice's (first) value, a button's state."""
        value = self._v
        if isinstance(value, list):
            value = value[0] if value else None
        return decode_text(value)

    def raw(self) -> Any:
        """The value for ``read --raw``: text str, checkbox bool, radio/choice export value."""
        kind = self.kind
        if kind == "checkbox":
            return self.checked
        if kind == "radio":
            return self.selected
        if kind == "signature":
            return self._v is not None
        value = self._v
        if isinstance(value, list):
            return [decode_text(v) for v in value]
        return decode_text(value)


@dataclass
class FormScan:
    """What the walker found: fields by full name, and what the file says about itself."""

    fields: dict[str, PdfField]
    info: dict[str, str]
    sha256: str
    size: int
    encrypted: bool = False
    pages_walked: bool = False
    #: SHA-256 of each earlier version the file was saved over (see :func:`digests`).
    earlier: tuple[str, ...] = ()

    def raw(self) -> dict[str, Any]:
        """The decoded field map {pdf field name: value}; push buttons left out."""
        return {name: f.raw() for name, f in self.fields.items() if f.kind != "pushbutton"}


# --------------------------------------------------------------------------- walking


class _Walker:
    """One pass over one file's form; holds the visited set and the node budget."""

    def __init__(self, reader: PdfReader, data: bytes, path: str, budget: Budget) -> None:
        self.reader = reader
        self.objects = FastResolver(reader, data, _UNREAD, budget)
        self.path = path
        self.visited: set[Any] = set()
        self.nodes = 0
        self.fields: dict[str, PdfField] = {}

    def damaged(self, detail: str) -> DamagedPdfError:
        return DamagedPdfError(self.path, detail)

    def resolve(self, obj: Any) -> tuple[Any, Any]:
        """(object, identity key): indirect references resolved, their key for the visited set."""
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            return self.objects.get(obj), key
        return obj, id(obj)

    def get(self, node: DictionaryObject, key: str) -> Any:
        """``node[key]`` resolved (None if absent or null)."""
        value = dict.get(node, key)
        if isinstance(value, IndirectObject):
            value = self.objects.get(value)
        return None if isinstance(value, NullObject) else value

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.damaged(f"more than {MAX_NODES} form nodes")

    def array(self, node: DictionaryObject, key: str) -> list[Any]:
        value = self.get(node, key)
        return list(value) if isinstance(value, ArrayObject) else []

    # ---------------------------------------------------------------- /Fields

    def walk_fields(self, fields: list[Any]) -> None:
        stack: list[tuple[Any, Any, str, dict[str, Any], int]] = [
            (*self.resolve(ref), "", {}, 0) for ref in reversed(fields[:MAX_NODES])
        ]
        while stack:
            node, key, prefix, inherited, depth = stack.pop()
            if not isinstance(node, DictionaryObject) or key in self.visited:
                continue
            self.visited.add(key)
            self.count()
            if depth > MAX_DEPTH:
                raise self.damaged("form fields nested too deeply")
            partial = decode_text(self.get(node, "/T"))
            if partial is None and prefix:
                # a widget without a name of its own: part of the field ``prefix``
                self.add_widget(self.field(prefix, inherited), node)
                continue
            name = f"{prefix}.{partial}" if prefix and partial else (partial or prefix)
            own = self.inherit(node, inherited)
            named_kids: list[tuple[DictionaryObject, Any]] = []
            widget_kids: list[tuple[DictionaryObject, Any]] = []
            kids = self.array(node, "/Kids")
            for kid in kids[:MAX_NODES]:
                kid_node, kid_key = self.resolve(kid)
                if isinstance(kid_node, DictionaryObject):
                    has_name = dict.get(kid_node, "/T") is not None
                    (named_kids if has_name else widget_kids).append((kid_node, kid_key))
            if not named_kids or widget_kids:
                target = self.field(name, own)
                if not kids or dict.get(node, "/Subtype") == "/Widget":
                    self.add_widget(target, node)
                for kid_node, kid_key in widget_kids:
                    if kid_key not in self.visited:
                        self.visited.add(kid_key)
                        self.count()
                        self.add_widget(target, kid_node)
            stack.extend((n, k, name, own, depth + 1) for n, k in reversed(named_kids))

    def inherit(self, node: DictionaryObject, inherited: dict[str, Any]) -> dict[str, Any]:
        """The inheritable attributes of ``node``: its own, else its ancestors'."""
        own = dict(inherited)
        for key in ("/FT", "/Ff", "/V", "/Opt"):
            if key in node:
                value = self.get(node, key)
                if value is not None:
                    own[key] = value
        return own

    def field(self, name: str, attrs: dict[str, Any]) -> PdfField:
        """The field ``name``, made from inherited ``attrs`` the first time it is seen."""
        found = self.fields.get(name)
        if found is None:
            ftype = attrs.get("/FT")
            flags = attrs.get("/Ff")
            found = PdfField(
                name=name,
                ftype=str(ftype)[1:] if isinstance(ftype, NameObject) else "",
                flags=int(flags) if isinstance(flags, NumberObject) else 0,
                value=self.value(attrs.get("/V")),
                options=self.options(attrs.get("/Opt")),
            )
            self.fields[name] = found
        elif found.value is None and attrs.get("/V") is not None:
            found.value = self.value(attrs.get("/V"))
        return found

    def value(self, value: Any) -> Any:
        """A /V as a plain object: arrays become lists of resolved items."""
        if isinstance(value, ArrayObject):
            return [self.resolve(v)[0] for v in list(value)[:MAX_ARRAY_ITEMS]]
        return value

    def options(self, opt: Any) -> tuple[str, ...]:
        """Export values of ``/Opt``: plain strings, or the first of [export, display] pairs."""
        if not isinstance(opt, ArrayObject):
            return ()
        out = []
        for item in list(opt)[:MAX_ARRAY_ITEMS]:
            item = self.resolve(item)[0]
            if isinstance(item, ArrayObject) and item:
                item = self.resolve(item[0])[0]
            out.append(decode_text(item) or "")
        return tuple(out)

    def add_widget(self, target: PdfField, widget: DictionaryObject) -> None:
        """Note one widget: its ``/AS``, its on-states (``/AP /N`` keys of buttons) and any ``/V`` of its own."""
        target.widgets += 1
        if target.kid_value is None and target.value is None:
            kid_v = self.get(widget, "/V")
            if kid_v is not None:
                target.kid_value = self.value(kid_v)
        if target.ftype not in ("Btn", ""):
            return
        shown = _state(self.get(widget, "/AS"))
        if shown is not None:
            target.shown.append(shown)
        ap = self.get(widget, "/AP")
        normal = self.get(ap, "/N") if isinstance(ap, DictionaryObject) else None
        if isinstance(normal, DictionaryObject):
            target.states.extend(s for s in (_state(k) for k in normal) if s is not None)

    # ---------------------------------------------------------------- pages

    def pages(self, root: DictionaryObject) -> Iterator[DictionaryObject]:
        """Each page dict of the page tree, bounded in depth and size, loops ignored."""
        stack: list[tuple[Any, int]] = [(dict.get(root, "/Pages"), 0)]
        seen: set[Any] = set()
        while stack:
            ref, depth = stack.pop()
            node, key = self.resolve(ref)
            if not isinstance(node, DictionaryObject) or key in seen:
                continue
            seen.add(key)
            self.count()
            if depth > MAX_DEPTH:
                raise self.damaged("page tree nested too deeply")
            kids = dict.get(node, "/Kids")
            if kids is None:
                yield node
                continue
            stack.extend((k, depth + 1) for k in reversed(self.array(node, "/Kids")))

    def walk_pages(self, root: DictionaryObject) -> None:
        """Widgets on pages that the /Fields walk did not reach (after a Preview save, say)."""
        for page in self.pages(root):
            for ref in self.array(page, "/Annots"):
                annot, key = self.resolve(ref)
                if not isinstance(annot, DictionaryObject) or key in self.visited:
                    continue
                self.visited.add(key)
                self.count()
                if dict.get(annot, "/Subtype") != "/Widget":
                    continue
                name, attrs = self.lineage(annot)
                if name:
                    self.add_widget(self.field(name, attrs), annot)

    def lineage(self, widget: DictionaryObject) -> tuple[str, dict[str, Any]]:
        """A widget's full field name and inherited attributes, from its ``/Parent`` chain."""
        parts: list[str] = []
        attrs: dict[str, Any] = {}
        node: Any = widget
        seen: set[Any] = set()
        for _ in range(MAX_DEPTH):
            partial = decode_text(self.get(node, "/T"))
            if partial:
                parts.append(partial)
            for key in ("/FT", "/Ff", "/V", "/Opt"):
                if key not in attrs and key in node:
                    value = self.get(node, key)
                    if value is not None:
                        attrs[key] = value
            parent_ref = dict.get(node, "/Parent")
            if parent_ref is None:
                break
            parent, key = self.resolve(parent_ref)
            if not isinstance(parent, DictionaryObject) or key in seen:
                break
            seen.add(key)
            node = parent
        return ".".join(reversed(parts)), attrs


# --------------------------------------------------------------------------- entry point


def check_header(data: bytes, path: str) -> None:
    """NotAPdfError unless ``%PDF-`` is in the first kB, as viewers accept; DamagedPdfError if too big."""
    if len(data) > MAX_FILE_SIZE:
        raise DamagedPdfError(path, f"{len(data) // (1024 * 1024)} MB, larger than any form")
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise NotAPdfError(path)
    if _truncated(data):
        raise DamagedPdfError(path, "truncated: the end of the file is missing")


#: Words that can start or end an object: a fast literal search finds them, :data:`_TAIL_OBJECT` checks each.
_TAIL_WORD = re.compile(rb"obj|stream|xref|trailer")
_TAIL_OBJECT = re.compile(rb"(?<!\d)\d++\s++\d++\s++obj\b|\bendobj\b|\bstream\b|\bxref\b|\btrailer\b")


def _truncated(data: bytes) -> bool:
    """No ``%%EOF``, or objects after the last one: the file (or its last saved filling) was cut off.

    Linear: candidates are found by a literal search, each checked in a small
    window; a tail with more candidates than :data:`MAX_TAIL_WORDS` is no
    file's end.
    """
    end = data.rfind(b"%%EOF")
    if end < 0:
        return True
    for n, m in enumerate(_TAIL_WORD.finditer(data, end + 5)):
        if n >= MAX_TAIL_WORDS or _TAIL_OBJECT.search(data, max(end + 5, m.start() - 40), m.end() + 1):
            return True
    return False


_EOF = b"%%EOF"


def digests(data: bytes) -> tuple[str, tuple[str, ...]]:
    """The SHA-256 of ``data`` and of each earlier version it holds, in one pass.

    A viewer that saves incrementally appends to the file it opened, so the bytes up to
    each ``%%EOF`` before the end (with or without the line end after it) are an earlier
    file: a returned form filled further in the same file names the file it came from.
    """
    h = hashlib.sha256()
    view = memoryview(data)
    earlier: list[str] = []
    pos = 0
    i = data.find(_EOF)
    while i != -1 and len(earlier) < MAX_EARLIER_VERSIONS:
        end = i + len(_EOF)
        cuts = [end]  # and after each of up to two line-end bytes: the earlier file ended at one of these
        while len(cuts) < 3 and cuts[-1] < len(data) and data[cuts[-1]] in b"\r\n":
            cuts.append(cuts[-1] + 1)
        for cut in cuts:
            if cut >= len(data):
                break
            h.update(view[pos:cut])
            pos = cut
            earlier.append(h.copy().hexdigest())
        i = data.find(_EOF, end)
    h.update(view[pos:])
    return h.hexdigest(), tuple(earlier)


def scan(data: bytes, path: str = "<pdf>", *, expect: Collection[str] = (), budget: Budget | None = None) -> FormScan:
    """Walk the form in ``data``; FormReadError subclasses for files that are not usable forms.

    ``expect`` names fields the caller needs: if the ``/Fields`` walk misses any
    of them, page widgets are walked too. ``budget``: the read's CPU budget (a
    new one of :data:`~minicex_pdf.limits.READ_CPU_SECONDS` by default).
    """
    check_header(data, path)
    digest, earlier = digests(data)
    try:
        with reading(budget) as spent:
            found = _scan(data, path, digest, expect, spent)
            found.earlier = earlier
            return found
    except FormReadError:
        raise
    except OverBudget:
        raise DamagedPdfError(path, "reading it takes far longer than any form") from None
    except LimitExceeded as exc:
        raise DamagedPdfError(path, str(exc)) from None
    except FileNotDecryptedError:
        raise EncryptedPdfError(path) from None
    except DependencyError:
        raise CryptographyMissingError(path) from None
    except RecursionError:
        raise DamagedPdfError(path, "objects nested too deeply") from None
    except MemoryError:
        raise DamagedPdfError(path, "too large to read") from None
    except PyPdfError as exc:
        raise DamagedPdfError(path, _short(exc)) from None
    except Exception as exc:  # pypdf raises many kinds on broken input; a file problem either way
        raise DamagedPdfError(path, _short(exc)) from None


def _short(exc: BaseException) -> str:
    """A safe detail for an error message: pypdf's own messages can quote field contents (personal data)."""
    return f"unreadable structure: {type(exc).__name__}"


@contextlib.contextmanager
def reading(budget: Budget | None = None) -> Iterator[Budget]:
    """pypdf's tighter limits and quiet log for a read, and its CPU budget: ``budget``, or a new one armed here.

    The budget's timer is armed last and disarmed first, so that its one shot
    never lands in the code that restores pypdf's settings (when reads nest,
    the outer restore repairs an inner one it cut short).
    """
    with apply_configuration(**_LIMITS), _QuietPypdf():
        if budget is not None:
            yield budget
            return
        with Budget() as budget:
            yield budget


class _QuietPypdf:
    """Keep pypdf's warnings about broken files out of the log: they can quote field values."""

    def __enter__(self) -> None:
        self.logger = logging.getLogger("pypdf")
        self.level = self.logger.level
        self.logger.setLevel(logging.CRITICAL)

    def __exit__(self, *exc: object) -> None:
        self.logger.setLevel(self.level)


def _scan(data: bytes, path: str, digest: str, expect: Collection[str], budget: Budget) -> FormScan:
    reader = BytesReader(data)
    encrypted = reader.is_encrypted
    if encrypted and (not reader._encryption or not reader._encryption.is_decrypted()):
        raise EncryptedPdfError(path)
    walker = _Walker(reader, data, path, budget)
    root = walker.get(reader.trailer, "/Root")
    if not isinstance(root, DictionaryObject):
        root = reader.root_object  # pypdf looks for a /Catalog object when the trailer has none
    if not isinstance(root, DictionaryObject) or not root:
        raise DamagedPdfError(path, "no document catalog")
    acroform = walker.get(root, "/AcroForm")
    fields: list[Any] = []
    if isinstance(acroform, DictionaryObject):
        if dict.get(acroform, "/XFA") is not None:
            raise XfaFormError(path)
        fields = walker.array(acroform, "/Fields")
    walker.walk_fields(fields)
    pages_walked = False
    if not walker.fields or any(name not in walker.fields for name in expect):
        walker.walk_pages(root)
        pages_walked = True
    if not walker.fields:
        raise NoFormFieldsError(path)
    info = walker.get(reader.trailer, "/Info")
    meta: dict[str, str] = {}
    if isinstance(info, DictionaryObject):
        for key in list(info)[:MAX_INFO_ENTRIES]:
            text = decode_text(walker.get(info, key))
            if text is not None:
                meta[str(key)[1:]] = text[:MAX_INFO_CHARS]
    return FormScan(
        fields=walker.fields,
        info=meta,
        sha256=digest,
        size=len(data),
        encrypted=encrypted,
        pages_walked=pages_walked,
    )
