"""File names from trainees' names pinned by what the admin finds in the folder."""

from __future__ import annotations

import pytest

from minicex_pdf.form.filenames import fs_takes, safe_stem, transliterate


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("CON", "minicex_CON"),  # Windows device names are safe behind the prefix
        ("nul.txt", "minicex_nul.txt"),
        ("LPT1", "minicex_LPT1"),
        ("\u0301Anna Berg", "minicex_Anna_Berg"),  # a combining mark with nothing to sit on is dropped
        ("\u0301\u0308\u0323Åsa", "minicex_Åsa"),  # several of them
        ("1\u0301 Berg", "minicex_1\u0301_Berg"),  # a mark on a digit is kept, as written
        ("Zoë Ångström", "minicex_Zoë_Ångström"),
    ],
)
def test_stems_of_odd_names(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


def test_greek_ou_reads_ou_with_its_case() -> None:
    assert transliterate("Ουρανία Ουζούνη, ουρά") == "Ourania Ouzouni, oura"
    assert safe_stem("Ουρανία Ουζούνη", ascii_only=True) == "minicex_Ourania_Ouzouni"


def test_the_file_system_test_says_no_to_what_it_cannot_name() -> None:
    # a lone surrogate (what a broken roster cell can hold) cannot be put in a file name on any system
    assert (fs_takes("Łukasz Wiśniewski"), fs_takes("Anna \ud800")) == (True, False)
