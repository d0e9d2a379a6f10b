"""Pre-filled forms with teeth (#15): each form read back with the project's reader, the index to the byte.

A roster as Excel saves it ("CSV UTF-8": BOM, ``;``, CRLF) goes through :class:`Prefiller`; every
form it writes is read back with :func:`minicex_pdf.reading.reader.read_form` and compared with
what the row said; the index is compared byte for byte, also when a second run appends to it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from minicex_pdf.errors import OutputError, UsageError
from minicex_pdf.form.definition import Text, load_definition
from minicex_pdf.form.prefill import Prefiller
from minicex_pdf.form.roster import Roster, RosterRow, RowError
from minicex_pdf.reading.reader import read_form

BOM = b"\xef\xbb\xbf"
HEADER = b"roster;row;name;specialty;file;instance_id\r\n"


def excel_csv(tmp_path: Path, lines: list[str], name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig") + b"\r\n")
    return path


def ids(prefix: str = "id"):
    """Instance ids in order (id-1, id-2, ...), so the index can be compared exactly."""
    count = iter(range(1, 1000))
    return lambda: f"{prefix}-{next(count)}"


def held(path: Path) -> tuple[int, str, dict[str, object]]:
    """A form read back: its version, its instance id and every value it holds."""
    record = read_form(path)
    filled = {k: v for k, v in record.values.items() if v not in (None, "", False, ())}
    return record.source.form_version, record.source.instance_id, filled


def test_each_form_holds_its_row_and_the_index_lists_them_exactly(tmp_path):
    roster = excel_csv(tmp_path, ["Namn;Specialitet;Arbetsplats", "Åsa Öberg;Kirurgi;VC Ljusdal", "Bo Ek;;"])
    out = tmp_path / "out"
    result = Prefiller(out, lang="sv", new_id=ids()).make(roster)
    assert [(m.row.number, m.path.name, m.instance_id) for m in result.made] == [
        (2, "minicex_Åsa_Öberg.pdf", "id-1"),
        (3, "minicex_Bo_Ek.pdf", "id-2"),
    ]
    assert (result.errors, result.index) == ((), out.resolve() / "index.csv")
    assert held(out / "minicex_Åsa_Öberg.pdf") == (
        2,
        "id-1",
        {"trainee_name": "Åsa Öberg", "specialty": "Kirurgi", "workplace": "VC Ljusdal"},
    )
    assert held(out / "minicex_Bo_Ek.pdf") == (2, "id-2", {"trainee_name": "Bo Ek"})
    first = "r.csv;2;Åsa Öberg;Kirurgi;minicex_Åsa_Öberg.pdf;id-1\r\nr.csv;3;Bo Ek;;minicex_Bo_Ek.pdf;id-2\r\n"
    assert (out / "index.csv").read_bytes() == BOM + HEADER + first.encode()

    # a second roster into the same folder: new names beside the old files, the index appended (no second BOM)
    again = excel_csv(tmp_path, ["Namn", "Bo Ek"], name="r2.csv")
    result = Prefiller(out, lang="sv", new_id=ids("nytt")).make(again)
    assert [m.path.name for m in result.made] == ["minicex_Bo_Ek-2.pdf"]
    assert held(out / "minicex_Bo_Ek-2.pdf") == (2, "nytt-1", {"trainee_name": "Bo Ek"})
    more = "r2.csv;2;Bo Ek;;minicex_Bo_Ek-2.pdf;nytt-1\r\n"
    assert (out / "index.csv").read_bytes() == BOM + HEADER + (first + more).encode()


def test_forms_of_version_1_which_has_no_return_to_line_are_made(tmp_path):
    roster = excel_csv(tmp_path, ["Namn;Specialitet", "Åsa Öberg;Kirurgi"])
    result = Prefiller(tmp_path / "out", lang="sv", definition=load_definition(1), new_id=ids()).make(roster)
    assert [m.path.name for m in result.made] == ["minicex_Åsa_Öberg.pdf"] and result.errors == ()
    assert held(result.made[0].path) == (1, "id-1", {"trainee_name": "Åsa Öberg", "specialty": "Kirurgi"})


def test_a_row_the_form_cannot_take_is_skipped_and_the_rows_after_it_are_made(tmp_path):
    rows = (
        RosterRow(2, "Al Ek", {"trainee_name": "Al Ek"}),
        RosterRow(3, "Bo Ek", {"trainee_name": "Bo Ek", "regulation": "hslf2099"}),  # no such option
        RosterRow(4, "Cy Li", {"trainee_name": "Cy Li"}),
    )
    out = tmp_path / "out"
    result = Prefiller(out, lang="en", new_id=ids()).run(Roster("r.csv", rows))
    assert [(m.row.number, m.path.name) for m in result.made] == [(2, "minicex_Al_Ek.pdf"), (4, "minicex_Cy_Li.pdf")]
    why = "field 'regulation' (choice): needs one of the option codes hslf2021, sosfs2015, got a value of type str"
    assert result.errors == (
        RowError(3, Text(sv=f"formuläret kan inte göras: {why}", en=f"cannot make the form: {why}")),
    )
    assert sorted(p.name for p in out.iterdir()) == ["index.csv", "minicex_Al_Ek.pdf", "minicex_Cy_Li.pdf"]
    assert held(out / "minicex_Cy_Li.pdf") == (2, "id-3", {"trainee_name": "Cy Li"})


def test_a_file_that_appears_while_the_forms_are_made_is_never_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "minicex_Bo_Ek.pdf"
    made_ids = ids()

    def new_id() -> str:  # another program saves a file of that name after the folder was listed
        target.write_bytes(b"someone else's form")
        return made_ids()

    rows = (RosterRow(2, "Bo Ek", {"trainee_name": "Bo Ek"}),)
    with pytest.raises(OutputError) as caught:
        Prefiller(out, new_id=new_id).run(Roster("r.csv", rows))
    assert str(caught.value) == f"{out.resolve() / 'minicex_Bo_Ek.pdf'}: exists already: nothing was overwritten"
    assert target.read_bytes() == b"someone else's form"


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / "a-file").write_bytes(b"")
    out = tmp_path / "a-file" / "forms"
    with pytest.raises(UsageError) as caught:
        Prefiller(out).run(Roster("r.csv", (RosterRow(2, "Bo", {"trainee_name": "Bo"}),)))
    assert str(caught.value) == f"{out}: cannot create the folder: Not a directory"


def test_made_forms_and_results_are_immutable(tmp_path):
    roster = Roster("r.csv", (RosterRow(2, "Bo", {"trainee_name": "Bo"}),))
    result = Prefiller(tmp_path, new_id=ids()).run(roster)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.made = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.made[0].instance_id = "x"  # type: ignore[misc]
    assert [(m.path.name, m.instance_id) for m in result.made] == [("minicex_Bo.pdf", "id-1")]


def test_an_index_that_cannot_be_read_is_one_line_naming_it(tmp_path):
    (tmp_path / "index.csv").mkdir()  # a folder where the index goes: it cannot be read, nor replaced
    rows = (RosterRow(2, "Bo Ek", {"trainee_name": "Bo Ek"}),)
    with pytest.raises(OutputError) as caught:
        Prefiller(tmp_path, new_id=ids()).run(Roster("r.csv", rows))
    index = tmp_path.resolve() / "index.csv"
    assert str(caught.value) == (
        f"{index}: cannot write the file (Is a directory: check the disk and the folder); nothing was written"
    )
    assert held(tmp_path / "minicex_Bo_Ek.pdf") == (2, "id-1", {"trainee_name": "Bo Ek"})
    assert index.is_dir() and list(index.iterdir()) == []


def test_an_output_folder_whose_parents_do_not_exist_is_made(tmp_path):
    out = tmp_path / "kurs" / "vt2027" / "formulär"
    result = Prefiller(out, new_id=ids()).run(Roster("r.csv", (RosterRow(2, "Bo Ek", {"trainee_name": "Bo Ek"}),)))
    assert sorted(p.name for p in out.iterdir()) == ["index.csv", "minicex_Bo_Ek.pdf"]
    assert held(result.made[0].path) == (2, "id-1", {"trainee_name": "Bo Ek"})
