"""File names from trainees' names pinned by what the admin finds in the folder."""

from __future__ import annotations

import pytest

from minicex_pdf.form.filenames import fs_takes, safe_stem, transliterate
from minicex_pdf.limits import MAX_STEM_BYTES


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("CON", "minicex_CON"),  # Windows device names are safe behind the prefix
        ("nul.txt", "minicex_nul.txt"),
        ("LPT1", "minicex_LPT1"),
        ("\u0301Anna Berg", "minicex_Anna_Berg"),  # a combining mark with nothing to sit on is dropped
        ("\u0301\u0308\u0323Åsa", "minicex_Åsa"),  # several of them
        ("\u0301\u0302\u0303\u0304\u0305\u0306 Åsa", "minicex_Åsa"),  # however many
        ("\u0301\u0301", "minicex_trainee"),  # nothing but marks
        ("\u03012024 Anna", "minicex_2024_Anna"),  # a digit after the mark stays
        ("1\u0301 Berg", "minicex_1\u0301_Berg"),  # a mark on a digit is kept, as written
        ("Zoë Ångström", "minicex_Zoë_Ångström"),
    ],
)
def test_stems_of_odd_names(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


def test_a_long_name_is_cut_to_the_byte_limit_and_a_padded_one_is_found_in_its_padding() -> None:
    assert safe_stem("a" * 1000) == "minicex_" + "a" * MAX_STEM_BYTES
    assert safe_stem("Łukasz " * 100) == "minicex_" + "_".join(["Łukasz"] * 15)  # 7 bytes each and a _: 119
    assert safe_stem(" " * (3 * MAX_STEM_BYTES) + "Anna Berg" + " " * 300) == "minicex_Anna_Berg"


def test_greek_ou_reads_ou_with_its_case() -> None:
    assert transliterate("Ουρανία Ουζούνη, ουρά") == "Ourania Ouzouni, oura"
    assert safe_stem("Ουρανία Ουζούνη", ascii_only=True) == "minicex_Ourania_Ouzouni"


def test_the_file_system_test_says_no_to_what_it_cannot_name() -> None:
    # a lone surrogate (what a broken roster cell can hold) cannot be put in a file name on any system
    assert (fs_takes("Łukasz Wiśniewski"), fs_takes("Anna \ud800")) == (True, False)
