"""Names compare as people mean them: one key for case, spacing and the Mac's decomposed letters; accents kept."""

from __future__ import annotations

import unicodedata

from minicex_pdf.names import name_key


def test_case_spaces_and_decomposition_make_one_key():
    typed = ["Åsa  Öberg", " åsa öberg\t", unicodedata.normalize("NFD", "ÅSA\u00a0ÖBERG"), "Åsa\nÖberg"]
    assert {name_key(t) for t in typed} == {"åsa öberg"}


def test_accents_are_kept_and_folding_is_full():
    assert name_key("Öberg") != name_key("Oberg")
    assert name_key("STRAUSS") == name_key("Strauß") == "strauss"


def test_the_key_is_composed_again_after_folding():
    # U+03B0 folds to three code points (υ, diaeresis, acute): the key is the one composed letter again
    assert name_key("\u03b0") == "\u03b0"
    assert name_key(unicodedata.normalize("NFD", "Ὀδυσσεύς")) == "ὀδυσσεύσ"


def test_no_text_is_the_empty_key():
    assert (name_key(None), name_key(42), name_key(""), name_key("   ")) == ("", "", "", "")
