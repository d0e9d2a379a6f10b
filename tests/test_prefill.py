"""Pre-filled forms: one per good roster row, safe file names, own instance ids, an index, exit status."""

from __future__ import annotations

import csv
import re
import unicodedata

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from minicex_pdf.cli import cli
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.prefill import INDEX_NAME, Prefiller, safe_stem
from minicex_pdf.form.roster import RosterColumns, RosterRow

D = load_definition()
COLUMNS = RosterColumns.of(D)
ENGLISH = [f.prefill for f in COLUMNS.fields]
HSLF = D.regulations[0]
_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}

AWKWARD = [
    ["Åsa Öberg", "Allmänmedicin", "VC Väster", "Per Ek", HSLF.name, "STa1, STc4"],
    ["Ann/Bo Berg", "Kirurgi", "", "", "", ""],
    ["Lind, Karl", "", "", "", "", ""],
    ["Åsa Öberg", "Kirurgi", "Kir", "", "", ""],  # same name, another trainee
    [unicodedata.normalize("NFD", "åsa öberg"), "", "", "", "", ""],  # NFD + other case: clashes on macOS/Windows
    ["", "Kirurgi", "", "", "", ""],  # no name
    ["CON", "", "", "", "", ""],
    ["../../etc/passwd", "", "", "", "", ""],
    ["=HYPERLINK(1)", "", "", "", "", ""],
    ["No Such Goal", "Allmänmedicin", "", "", HSLF.code, "STc77"],
]


def portable(name: str) -> bool:
    stem = name.rsplit(".", 1)[0]
    return (
        not _WINDOWS_BAD.search(name)
        and not name.endswith((".", " "))
        and stem.split(".")[0].upper() not in _DEVICES
        and unicodedata.is_normalized("NFC", name)
        and len(name.encode("utf-8")) <= 255
        and not name.startswith(("-", "."))
    )


@given(st.text(min_size=0, max_size=300))
def test_safe_stem_is_portable_for_any_name(name):
    assert portable(safe_stem(name) + "-99.pdf")


def test_nfc_and_nfd_names_give_the_same_file_name():
    assert safe_stem(unicodedata.normalize("NFD", "Åsa Öberg")) == safe_stem("Åsa Öberg")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prefill")
    roster = folder / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([ENGLISH, *AWKWARD])
    out = folder / "out"
    result = CliRunner().invoke(cli, ["prefill", str(roster), "-o", str(out), "--lang", "sv"])
    return result, out


def test_bad_rows_are_reported_and_skipped_and_the_exit_status_says_so(run):
    result, _ = run
    assert result.exit_code == 1
    # row numbers count the header as row 1: the empty name is row 7, the unknown code row 11
    assert "rad 7:" in result.stderr and "rad 11:" in result.stderr and "STc77" in result.stderr
    assert "2 rad(er) hoppades över" in result.stderr


def test_one_form_per_good_row_each_portable_inside_the_folder(run):
    _, out = run
    files = sorted(p for p in out.iterdir() if p.suffix == ".pdf")
    good = [r for r in AWKWARD if r[0] and r[0] != "No Such Goal"]
    assert len(files) == len(good)
    assert all(portable(p.name) and p.parent == out for p in files)
    keys = [unicodedata.normalize("NFC", p.name).casefold() for p in files]
    assert len(set(keys)) == len(keys)  # no clash even on case-insensitive file systems
    assert not any(p.name.endswith(".pdf") for p in out.parent.iterdir())  # nothing written beside the folder


def test_index_lists_each_form_with_its_own_instance_id_and_the_form_holds_it(run):
    _, out = run
    assert (out / INDEX_NAME).read_bytes().startswith(b"\xef\xbb\xbfroster;row;name;specialty;file;instance_id\r\n")
    with (out / INDEX_NAME).open(encoding="utf-8-sig", newline="") as fh:
        index = list(csv.DictReader(fh, delimiter=";"))
    assert [int(r["row"]) for r in index] == [2, 3, 4, 5, 6, 8, 9, 10]
    assert [r["specialty"] for r in index] == [AWKWARD[int(r["row"]) - 2][1] for r in index]
    ids = [r["instance_id"] for r in index]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert next(r for r in index if r["row"] == "10")["name"].startswith("'=")  # formula neutralised
    for entry in index:
        fields = PdfReader(out / entry["file"]).get_fields()
        assert fields[D.identity.instance_field]["/V"] == entry["instance_id"]
        row = AWKWARD[int(entry["row"]) - 2]
        assert fields[COLUMNS.name_field.name]["/V"] == unicodedata.normalize("NFC", row[0])


def test_the_prefilled_form_holds_the_roster_values(run):
    _, out = run
    first = PdfReader(next(out.glob("minicex_Åsa_Öberg.pdf"))).get_fields()
    row = AWKWARD[0] + [""] * (len(COLUMNS.fields) - len(AWKWARD[0]))  # columns the roster leaves out stay empty
    for f, value in zip(COLUMNS.fields, row, strict=True):
        expected = HSLF.code if f is COLUMNS.regulation_field else value
        assert str(first[f.name].get("/V", "")).lstrip("/") == expected, f.name


def test_equal_names_get_numbered_names_and_existing_files_are_kept(tmp_path):
    (tmp_path / "minicex_Eva.pdf").write_bytes(b"already sent")
    rows = [RosterRow(n, "Eva", {COLUMNS.name_field.name: "Eva"}) for n in (2, 3)]
    names = Prefiller(tmp_path).file_names(rows, taken=[p.name for p in tmp_path.iterdir()])
    assert names == ["minicex_Eva-2.pdf", "minicex_Eva-3.pdf"]


def test_names_beyond_latin_1_make_forms_and_keep_their_letters_in_file_names(tmp_path):
    from minicex_pdf.form.roster import Roster

    names = ["Łucja Ćwik", "Nguyễn Thị Minh", "Sean O’Brien", "Дмитрий Иванов", "Anna 🙂"]
    rows = tuple(RosterRow(n, name, {COLUMNS.name_field.name: name}) for n, name in enumerate(names, start=2))
    result = Prefiller(tmp_path).run(Roster("r.csv", rows))
    assert [m.row.number for m in result.made] == [2, 3, 4, 5, 6] and result.errors == ()
    assert [m.path.name for m in result.made] == [
        "minicex_Łucja_Ćwik.pdf",
        "minicex_Nguyễn_Thị_Minh.pdf",
        "minicex_Sean_O'Brien.pdf",
        "minicex_Дмитрий_Иванов.pdf",
        "minicex_Anna.pdf",
    ]


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Łukasz Wiśniewski", "minicex_Lukasz_Wisniewski"),
        ("Ayşe Yılmaz", "minicex_Ayse_Yilmaz"),
        ("Dragoș Popescu", "minicex_Dragos_Popescu"),
        ("Nguyễn Thị Minh", "minicex_Nguyen_Thi_Minh"),
        ("Sean O’Brien", "minicex_Sean_O'Brien"),
        ("Ελένη Παπαδοπούλου", "minicex_Eleni_Papadopoulou"),
        ("Дмитрий Жуков", "minicex_Dmitrii_Zhukov"),
        ("Jørgen Ærø Straße", "minicex_Jorgen_AEro_Strasse"),
        ("🙂", "minicex_trainee"),
    ],
)
def test_file_systems_without_those_letters_get_a_readable_transliteration(name, stem):
    assert safe_stem(name, ascii_only=True) == stem


def test_windows_trailing_dots_reserved_characters_and_byte_length():
    assert safe_stem("Anna Berg. . .") == "minicex_Anna_Berg"
    assert safe_stem('a<b>c:d"e/f\\g|h?i*j') == "minicex_a_b_c_d_e_f_g_h_i_j"
    long = safe_stem("ễ" * 500)
    assert long == "minicex_" + "ễ" * 24  # 24 × 5 bytes in NFD (macOS) = 120
    assert len(unicodedata.normalize("NFD", long).encode("utf-8")) <= 255


def test_naming_is_linear_in_the_name_length():
    import time

    start = time.process_time()  # CPU time: other programs on the machine do not stretch it
    safe_stem("Łukasz " * 60_000)  # 420,000 characters: took a minute when the stem was cut a character at a time
    assert time.process_time() - start < 0.5


def test_return_to_fills_every_form_unless_the_roster_says_otherwise(tmp_path):
    """`--return-to` fills the form's return-to line; a roster row's own value wins."""
    line = D.role("return_to")
    roster = tmp_path / "r.csv"
    with roster.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [[COLUMNS.name_field.prefill, line.prefill], ["Åsa Öberg", ""], ["Bo Ek", "ST-kansliet, Region Väst"]]
        )
    result = CliRunner().invoke(
        cli, ["prefill", str(roster), "-o", str(tmp_path / "out"), "--return-to", "Studierektor ST, Box 1"]
    )
    assert result.exit_code == 0, result.output
    got = {p.name: PdfReader(p).get_fields()[line.name].get("/V") for p in sorted((tmp_path / "out").glob("*.pdf"))}
    assert got == {"minicex_Bo_Ek.pdf": "ST-kansliet, Region Väst", "minicex_Åsa_Öberg.pdf": "Studierektor ST, Box 1"}


def test_cli_blank_with_a_return_to_line_and_a_version_without_one(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, ["blank", "--return-to", "Studierektor ST, Box 1"])
        assert (result.exit_code, result.output) == (0, "Wrote mini-cex.pdf\n")
        fields = PdfReader("mini-cex.pdf").get_fields()
        assert fields[D.role("return_to").name]["/V"] == "Studierektor ST, Box 1"
        result = runner.invoke(cli, ["blank", "--version", "1", "--return-to", "x", "-o", "v1.pdf"])
        assert (result.exit_code, result.output) == (1, "Error: form version 1 has no return-to line\n")
