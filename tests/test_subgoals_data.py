"""The shipped sub-goal catalogue: no repeated codes, the known errors corrected or marked unverified."""

from __future__ import annotations

import json

from minicex_pdf.form.definition import forms_dir
from minicex_pdf.form.subgoals import catalogue

DATA = json.loads((forms_dir() / "subgoals.json").read_text(encoding="utf-8"))


def test_no_specialty_lists_a_code_twice():
    for regulation, data in DATA["regulations"].items():
        for specialty, goals in data["specialties"].items():
            codes = [code for code, _ in goals]
            assert len(codes) == len(set(codes)), (regulation, specialty)


def test_the_two_regulations_share_no_code():
    # the report counts a trainee's sub-goals per regulation by code: a shared code would blur them
    codes = {
        regulation: {code for code, _ in data["common"]}
        | {code for goals in data["specialties"].values() for code, _ in goals}
        for regulation, data in DATA["regulations"].items()
    }
    sosfs, hslf = codes["SOSFS 2015:8"], codes["HSLF-FS 2021:8"]
    assert (len(sosfs) > 20, len(hslf) > 20, sosfs & hslf) == (True, True, set())


def test_paediatric_cardiology_is_spelt_as_the_regulation_does_and_the_old_spelling_still_matches():
    for data in DATA["regulations"].values():
        assert "Barn- och ungdomskardiologi" in data["specialties"]
        assert "Barn- och ungdoms-kardiologi" not in data["specialties"]
    assert catalogue().specialty("Barn- och ungdoms-kardiologi") == "Barn- och ungdomskardiologi"


def test_what_could_not_be_checked_is_marked_unverified():
    about = DATA["_about"]
    assert "Unverified" in about and "STc7 and STc8" in about and "STc13" in about
