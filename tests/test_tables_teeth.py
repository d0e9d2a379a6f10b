"""The admin's lists as text: the aligned table, CSV for Excel and JSON, each pinned character for character."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from minicex_pdf.admin.tables import LIST_FORMATS, Listing
from minicex_pdf.form.definition import Text

COLUMNS = {
    "name": Text(sv="Namn", en="Name"),
    "forms": Text(sv="Formulär", en="Forms"),
    "latest": Text(sv="Senast", en="Latest"),
    "subgoals": Text(sv="Delmål", en="Sub-goals"),
    "status": Text(sv="Läge", en="Status"),
}
ROWS = [
    {"name": "Åsa Öberg", "forms": 12, "latest": dt.date(2026, 3, 1), "subgoals": ["STa1", "STb2"], "status": "ok"},
    {"name": "Bo", "forms": 3, "latest": None, "subgoals": (), "status": "chase"},
    {"name": "=SUM(A1)", "forms": 0, "latest": dt.date(2025, 12, 31), "subgoals": ("STc4",), "status": "ok"},
]
WORDS = {"ok": Text(sv="klar", en="done"), "chase": Text(sv="påminn", en="remind")}


def _words(lang: str):
    def words(key: str, value):
        return WORDS[value][lang] if key == "status" else value

    return words


def listing(lang: str = "en", rows=ROWS, words: bool = True) -> Listing:
    return Listing(COLUMNS, rows, lang, _words(lang) if words else None)


def test_the_table_aligns_numbers_right_text_left_and_shows_empty_cells_as_a_dash():
    assert listing().table() == "\n".join(
        [
            "Name       Forms  Latest      Sub-goals   Status",
            "---------  -----  ----------  ----------  ------",
            "Åsa Öberg     12  2026-03-01  STa1; STb2  done",
            "Bo             3  –           –           remind",
            "=SUM(A1)       0  2025-12-31  STc4        done",
        ]
    )


def test_the_table_headers_are_in_the_listing_language_and_keys_choose_and_order_the_columns():
    assert listing("sv").table(["status", "forms"]) == "\n".join(
        ["Läge    Formulär", "------  --------", "klar          12", "påminn         3", "klar           0"]
    )


def test_a_column_is_numeric_only_when_every_row_holds_a_whole_number():
    rows = [{**ROWS[0], "forms": "12"}, ROWS[1]]
    assert listing(rows=rows).table(["forms", "name"]) == "\n".join(
        ["Forms  Name", "-----  ---------", "12     Åsa Öberg", "3      Bo"]
    )


def test_an_empty_listing_is_its_header_and_rule():
    assert listing(rows=[]).table(["name", "forms"]) == "Name  Forms\n----  -----"


def test_csv_has_a_bom_semicolons_crlf_headers_in_the_language_words_and_neutralised_formulas():
    assert listing("sv").csv() == (
        "\ufeffNamn;Formulär;Senast;Delmål;Läge\r\n"
        'Åsa Öberg;12;2026-03-01;"STa1; STb2";klar\r\n'
        "Bo;3;;;påminn\r\n"
        "'=SUM(A1);0;2025-12-31;STc4;klar\r\n"
    )


def test_json_keeps_codes_numbers_lists_and_iso_dates_keyed_by_column_key():
    text = listing().json()
    assert json.loads(text) == [
        {"name": "Åsa Öberg", "forms": 12, "latest": "2026-03-01", "subgoals": ["STa1", "STb2"], "status": "ok"},
        {"name": "Bo", "forms": 3, "latest": None, "subgoals": [], "status": "chase"},
        {"name": "=SUM(A1)", "forms": 0, "latest": "2025-12-31", "subgoals": ["STc4"], "status": "ok"},
    ]
    assert text.startswith('[\n  {\n    "name": "Åsa Öberg",\n')  # readable: indented, not escaped


def test_without_words_the_table_shows_the_codes():
    assert listing(words=False).table(["status"]) == "Status\n------\nok\nchase\nok"


@pytest.mark.parametrize("fmt", LIST_FORMATS)
def test_render_gives_each_format(fmt):
    lst = listing()
    assert lst.render(fmt, ["name"]) == {"table": lst.table(["name"]), "csv": lst.csv(), "json": lst.json()}[fmt]
    assert LIST_FORMATS == ("table", "csv", "json")


def test_render_takes_a_format_name_made_at_run_time_not_only_the_literal():
    lst = listing()
    json_name, csv_name = "".join(["js", "on"]), "".join(["c", "sv"])  # equal strings, other objects
    assert lst.render(json_name) == lst.json()
    assert lst.render(csv_name) == lst.csv()
