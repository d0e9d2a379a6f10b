"""Mutated real filled forms never crash or hang the reader: a record or a classified error.

Hypothesis flips, deletes, duplicates and overwrites bytes of a PDFium-filled
form (plain and, when qpdf is there, with object streams), and cuts it short.
Kept small and bounded (few examples, a CPU-time bound per read) so the suite stays fast.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minicex_pdf.errors import FormReadError
from minicex_pdf.reading.reader import read_form
from minicex_pdf.reading.record import Record


@pytest.fixture(scope="module")
def corpus(pdfium_filled, tmp_path_factory) -> list[bytes]:
    forms = [pdfium_filled]
    if shutil.which("qpdf"):
        folder = tmp_path_factory.mktemp("fuzz")
        (folder / "in.pdf").write_bytes(pdfium_filled)
        subprocess.run(
            ["qpdf", "--object-streams=generate", str(folder / "in.pdf"), str(folder / "out.pdf")], check=True
        )
        forms.append((folder / "out.pdf").read_bytes())
    return forms


_EDIT = st.tuples(
    st.sampled_from(["flip", "delete", "insert", "overwrite", "truncate", "digits"]),
    st.floats(min_value=0.0, max_value=1.0),
    st.binary(min_size=1, max_size=24),
)

#: Where bytes change: anywhere, or inside the last revision (the filled values, the xref).
_SPOT = st.sampled_from(["anywhere", "tail"])


def mutate(data: bytes, edits: list[tuple[str, float, bytes]], spot: str) -> bytes:
    buf = bytearray(data)
    for kind, where, payload in edits:
        low = int(len(buf) * 0.8) if spot == "tail" else 0
        pos = low + int((len(buf) - low - 1) * where)
        if kind == "flip":
            buf[pos] ^= payload[0] or 0xFF
        elif kind == "delete":
            del buf[pos : pos + len(payload) * 8]
        elif kind == "insert":
            buf[pos:pos] = payload
        elif kind == "overwrite":
            buf[pos : pos + len(payload)] = payload
        elif kind == "truncate":
            del buf[pos:]
        else:  # change digits: offsets, lengths, object numbers
            i = buf.find(b"0", pos)
            if i >= 0:
                buf[i : i + 1] = str(payload[0] % 10).encode()
    return bytes(buf)


@settings(
    max_examples=40,
    deadline=None,  # the CPU time is asserted below: wall time depends on what else the machine runs
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(which=st.integers(min_value=0, max_value=1), edits=st.lists(_EDIT, min_size=1, max_size=4), spot=_SPOT)
def test_mutated_forms_give_a_record_or_a_classified_error(corpus, which, edits, spot):
    data = mutate(corpus[which % len(corpus)], edits, spot)
    start = time.process_time()
    try:
        record = read_form("mutated.pdf", data=data)
    except FormReadError as exc:
        assert exc.path == "mutated.pdf" and exc.kind
    else:
        assert isinstance(record, Record) and record.values
    assert time.process_time() - start < 1.0  # CPU seconds (the reader's own budget is 0.5 s per read)
