"""The limits users are told of, pinned at their boundary with the documented numbers (README: a file over 32 MB
is refused by its size; a command waits 10 s for a locked store, or ``MINICEX_LOCK_WAIT`` seconds)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from minicex_pdf import limits
from minicex_pdf.cli import cli
from minicex_pdf.errors import DamagedPdfError
from minicex_pdf.limits import store_lock_wait
from minicex_pdf.reading.reader import read_file

MB32 = 32 * 1024 * 1024
README = Path(__file__).resolve().parent.parent / "README.md"
#: A value in the README's table of limits in the unit it is written in, as a number.
_UNITS = {"MB": 1024 * 1024, "kB": 1024, "s": 1}


def _readme_limits() -> dict[str, float]:
    """The README's "### Limits" table: each limit's name and its value, in bytes, seconds or a count."""
    section = README.read_text(encoding="utf-8").split("\n### Limits\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    table: dict[str, float] = {}
    for name, written in rows:
        number, unit = written.strip().split(" ", 1)
        table[name] = float(number.replace(",", "")) * _UNITS.get(unit, 1)
    assert len(table) == len(rows), "a limit is listed twice"
    return table


def test_the_readme_lists_every_limit_with_the_value_the_code_enforces():
    # the table is what users are told; each constant of limits.py is one row, with its value
    constants = {name: value for name, value in vars(limits).items() if name.isupper()}
    assert _readme_limits() == constants
    assert len(constants) == 42


def test_a_file_of_32_mb_is_read_and_one_byte_more_is_refused_by_its_size(tmp_path):
    path = tmp_path / "big.pdf"
    with path.open("wb") as fh:
        fh.truncate(MB32)
    assert len(read_file(path)) == MB32
    with path.open("wb") as fh:
        fh.truncate(MB32 + 1)
    with pytest.raises(DamagedPdfError) as caught:
        read_file(path)
    assert caught.value.message() == f"{path}: the PDF is damaged or truncated (32 MB, larger than any form)"


@pytest.mark.parametrize(
    ("given", "seconds"),
    [(None, 10.0), ("", 10.0), ("soon", 10.0), ("-0.5", 10.0), ("0", 0.0), ("2.5", 2.5), (" 3 ", 3.0)],
)
def test_the_wait_for_a_locked_store(monkeypatch, given, seconds):
    if given is None:
        monkeypatch.delenv("MINICEX_LOCK_WAIT", raising=False)
    else:
        monkeypatch.setenv("MINICEX_LOCK_WAIT", given)
    assert store_lock_wait() == seconds


def test_the_pause_between_messages_is_the_one_send_s_help_promises():
    result = CliRunner().invoke(cli, ["send", "--help"])
    assert result.exit_code == 0
    assert "Seconds between two messages [default: 2]." in " ".join(result.output.split())
