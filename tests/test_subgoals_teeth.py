"""Sub-goal codes as people write them are read to the catalogue's codes, and unknown ones are named.

The catalogue is built fresh (not the cached one) where a test is about building it.
"""

from __future__ import annotations

import copy
import json
import unicodedata

import pytest

from minicex_pdf.errors import DefinitionError
from minicex_pdf.form import subgoals
from minicex_pdf.form.definition import forms_dir, load_definition, load_file
from minicex_pdf.form.subgoals import Catalogue, catalogue
from minicex_pdf.reading.record import SubGoal

DATA = json.loads((forms_dir() / "subgoals.json").read_text(encoding="utf-8"))
ENT = "Öron-, näs- och halssjukdomar"


def fresh(data: dict | None = None) -> Catalogue:
    return Catalogue(copy.deepcopy(DATA) if data is None else data, load_definition(2))


def hslf(*codes: str) -> tuple[SubGoal, ...]:
    return tuple(SubGoal(c, "hslf2021") for c in codes)


def sosfs(*codes: str) -> tuple[SubGoal, ...]:
    return tuple(SubGoal(c, "sosfs2015") for c in codes)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return fresh()


# ------------------------------------------------------------------ building the catalogue


def test_every_short_form_after_the_note_names_its_specialty():
    cat = fresh()
    assert next(iter(DATA["short_forms"])) == "_about"  # the note comes first: it must not end the list
    assert cat.specialty("ÖNH") == ENT
    assert cat.specialty("Barn- och ungdoms-kardiologi") == "Barn- och ungdomskardiologi"
    assert cat.specialty("psyk") == "Psykiatri"
    assert cat.specialty("_about") is None


def test_a_short_form_never_hides_a_specialty_of_the_same_key():
    data = copy.deepcopy(DATA)
    data["short_forms"]["Akut sjukvård"] = "Allmänmedicin"
    assert fresh(data).specialty("akutsjukvård") == "Akutsjukvård"


def test_a_short_form_for_no_specialty_is_refused_by_name():
    data = copy.deepcopy(DATA)
    data["short_forms"]["Kir"] = "Kirurgi allmän"
    with pytest.raises(DefinitionError) as exc:
        fresh(data)
    assert str(exc.value) == "subgoals.json: short form 'Kir' names no specialty ('Kirurgi allmän')"


def test_a_catalogue_without_the_regulations_is_refused():
    with pytest.raises(DefinitionError) as exc:
        fresh({"regulations": []})
    assert str(exc.value) == "subgoals.json: no 'regulations' table"
    data = copy.deepcopy(DATA)
    del data["regulations"]["SOSFS 2015:8"]
    with pytest.raises(DefinitionError) as exc:
        fresh(data)
    assert str(exc.value) == "subgoals.json: no regulation 'SOSFS 2015:8'"


def test_an_unreadable_catalogue_file_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setattr(subgoals, "forms_dir", lambda: tmp_path)
    (tmp_path / "subgoals.json").write_text('{"regulations": ', encoding="utf-8")
    with pytest.raises(DefinitionError) as exc:
        subgoals._data.__wrapped__()
    assert str(exc.value).startswith("subgoals.json: cannot be read: Expecting value")
    (tmp_path / "subgoals.json").unlink()
    with pytest.raises(DefinitionError) as exc:
        subgoals._data.__wrapped__()
    assert str(exc.value).startswith("subgoals.json: cannot be read: [Errno 2] No such file or directory")


def test_one_catalogue_per_definition():
    newest = load_definition()
    assert catalogue() is catalogue(newest)
    other = load_file(forms_dir() / "minicex-2.toml")
    assert catalogue(other) is not catalogue(newest)
    assert catalogue(other).regulations == catalogue(newest).regulations


# ------------------------------------------------------------------ lookups


def test_the_regulations_and_their_shapes(cat):
    assert cat.regulations == ("hslf2021", "sosfs2015")
    reg = cat.regulation("hslf2021")
    assert (reg.name, reg.prefix, reg.common[0]) == (
        "HSLF-FS 2021:8",
        "ST",
        ("STa1", "Hälso- och sjukvårdens förutsättningar"),
    )
    assert cat.regulation("sosfs2015").prefix == ""
    assert len(cat.specialties("sosfs2015")) == 63
    with pytest.raises(KeyError):
        cat.regulation("hslf2015")


def test_a_regulation_whose_codes_do_not_all_start_with_st_has_no_prefix():
    data = copy.deepcopy(DATA)
    data["regulations"]["HSLF-FS 2021:8"]["common"].append(["a9", "Ett fel"])
    assert fresh(data).regulation("hslf2021").prefix == ""
    data["regulations"]["HSLF-FS 2021:8"]["common"] = []
    assert fresh(data).regulation("hslf2021").prefix == ""


def test_specialties_are_matched_ignoring_case_spaces_dashes_and_ampersand(cat):
    assert cat.specialty("öron näs och halssjukdomar") == ENT
    assert cat.specialty(unicodedata.normalize("NFD", "ÖRON-, NÄS- OCH HALS_SJUKDOMAR")) == ENT
    assert cat.specialty("Obstetrik & gynekologi") == "Obstetrik och gynekologi"
    assert cat.specialty("Kardiologi (barn)") is None
    assert cat.specialty("") is None
    assert cat.specialty(None) is None


def test_the_codes_of_a_specialty(cat):
    common = ("STa1", "STa2", "STa3", "STa4", "STa5", "STa6", "STa7", "STb1", "STb2", "STb3", "STb4")
    assert cat.codes("hslf2021") == common
    assert cat.codes("hslf2021", "Unknown") == common
    assert cat.codes("hslf2021", "ögon") == common + tuple(f"STc{n}" for n in range(1, 15))


def test_titles_need_the_specialty_of_a_specialty_code(cat):
    assert cat.title("STc4", "hslf2021", "Allmänmedicin") == "Folksjukdomar"
    assert cat.title("STc4", specialty="Allmänmedicin") == "Folksjukdomar"
    assert cat.title("STc4", "hslf2021") is None
    assert cat.title("a1") == "Medarbetarskap, ledarskap och pedagogik"
    assert cat.title("STa1", "nope") is None


def test_the_regulation_a_code_belongs_to(cat):
    assert cat.regulation_of("STa1") == "hslf2021"
    assert cat.regulation_of("a1") == "sosfs2015"
    assert cat.regulation_of("c14") == "sosfs2015"


def test_a_code_is_known_in_its_specialty_or_in_any(cat):
    assert cat.is_known(SubGoal("STa7", "hslf2021"))
    assert cat.is_known(SubGoal("STc15", "hslf2021"))  # some specialty has it
    assert cat.is_known(SubGoal("STc15", "hslf2021"), "Allmänmedicin")
    assert not cat.is_known(SubGoal("STc15", "hslf2021"), "Ögonsjukdomar")
    assert not cat.is_known(SubGoal("STa7", "sosfs2015"))
    assert not cat.is_known(SubGoal("STa1", "elsewhere"))


# ------------------------------------------------------------------ reading what people write


def test_any_case_spacing_and_separator(cat):
    assert cat.normalise("sta1, STb 1; ST c 2/STa2 & STa3 + STa4. (STa5) [STa6]: STa7", "hslf2021") == (
        hslf("STa1", "STb1", "STc2", "STa2", "STa3", "STa4", "STa5", "STa6", "STa7"),
        (),
    )
    assert cat.normalise("a1 och a2 samt b1 and B2", "sosfs2015") == (sosfs("a1", "a2", "b1", "b2"), ())


def test_a_word_that_only_contains_a_separator_word_is_unknown(cat):
    assert cat.normalise("a1 samtal a2", "sosfs2015") == (sosfs("a1", "a2"), ("samtal",))


def test_codes_inside_words_are_not_codes(cat):
    assert cat.normalise("xa1, a1x, 2a1, a12b", "sosfs2015") == ((), ("xa1", "a1x", "2a1", "a12b"))
    assert cat.normalise(unicodedata.normalize("NFD", "öa1"), "sosfs2015") == ((), ("öa1",))


def test_a_bare_code_takes_the_regulation_given_or_else_the_bare_one(cat):
    assert cat.normalise("a1", "hslf2021") == (hslf("STa1"), ())
    assert cat.normalise("a1") == (sosfs("a1"), ())
    assert cat.normalise("a1", "nope") == (sosfs("a1"), ())
    assert cat.normalise("STa1", "sosfs2015") == (hslf("STa1"), ())
    assert cat.normalise("a3, STa3", "hslf2021", strict=True) == (sosfs("a3") + hslf("STa3"), ())


def test_ranges_of_one_letter_are_spelt_out(cat):
    assert cat.normalise("STc1–STc3", "hslf2021", "Allmänmedicin") == (hslf("STc1", "STc2", "STc3"), ())
    assert cat.normalise("c1-3", "hslf2021") == (hslf("STc1", "STc2", "STc3"), ())
    assert cat.normalise("a1 — a3", "sosfs2015") == (sosfs("a1", "a2", "a3"), ())
    assert cat.normalise("STa1-a2", "sosfs2015") == (hslf("STa1", "STa2"), ())


def test_a_range_runs_at_most_thirty_steps(cat):
    goals, unknown = cat.normalise("a1-a31", "sosfs2015")
    assert goals == sosfs("a1", "a2", "a3", "a4", "a5", "a6")
    assert unknown == tuple(f"a{n}" for n in range(7, 32))  # in the range's order, a7 before a10
    assert cat.normalise("a1-a32", "sosfs2015") == (sosfs("a1"), ("a32",))
    assert cat.normalise("b2-b33", "sosfs2015") == (sosfs("b2"), ("b33",))


def test_what_is_not_a_range_is_two_codes(cat):
    assert cat.normalise("c3-c1", "sosfs2015") == (sosfs("c3", "c1"), ())
    assert cat.normalise("b1-a3", "sosfs2015") == (sosfs("b1", "a3"), ())
    assert cat.normalise("a1-b3", "sosfs2015") == (sosfs("a1", "b3"), ())
    assert cat.normalise("a2-a2", "sosfs2015") == (sosfs("a2"), ())
    assert cat.normalise("STa1-b2", "hslf2021") == (hslf("STa1", "STb2"), ())
    # each end keeps its own shape: a bare code and an ST code are no range, even of one step
    assert cat.normalise("a2-STa2", "sosfs2015") == (sosfs("a2") + hslf("STa2"), ())


def test_the_text_regulation_and_specialty_may_be_named_and_strict_must_be():
    assert catalogue().normalise(text="c1-2", regulation="hslf2021", specialty="Ögonsjukdomar") == (
        hslf("STc1", "STc2"),
        (),
    )
    with pytest.raises(TypeError):
        catalogue().normalise("a3", "hslf2021", None, True)  # type: ignore[misc]


def test_unknown_tokens_in_the_order_written_and_once(cat):
    text = "STa9, hej, STa1, sta1, STc15, hej"
    assert cat.normalise(text, "hslf2021", "Ögonsjukdomar") == (hslf("STa1"), ("STa9", "hej", "STc15"))


def test_nothing_written_is_nothing(cat):
    assert cat.normalise("") == ((), ())
    assert cat.normalise(None) == ((), ())
    assert cat.normalise(" , ; och ") == ((), ())
