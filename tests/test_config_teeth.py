"""Where the store lives and the messages' language: option, environment, config file, default, in that order."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from minicex_pdf.config import choose_db, config_file, default_lang
from minicex_pdf.errors import UsageError


@pytest.fixture(autouse=True)
def _own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MINICEX_DB")


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refused(text: str) -> str:
    write_config(text)
    with pytest.raises(UsageError) as exc:
        choose_db(None)
    with pytest.raises(UsageError) as again:
        default_lang()
    assert str(again.value) == str(exc.value)
    return str(exc.value)


def test_the_config_file_is_in_the_user_s_config_folder(tmp_path):
    assert config_file() == tmp_path / "config" / "minicex" / "config.toml"


def test_nothing_set_is_the_store_in_the_current_folder_and_english():
    choice = choose_db(None)
    assert (choice.path, choice.source) == (Path("minicex.sqlite"), "default")
    assert default_lang() == "en"


def test_the_option_wins_over_everything(monkeypatch):
    monkeypatch.setenv("MINICEX_DB", "/elsewhere.sqlite")
    write_config('db = "/cfg.sqlite"\n')
    choice = choose_db(Path("given.sqlite"))
    assert (choice.path, choice.source) == (Path("given.sqlite"), "--db")


def test_the_environment_wins_over_the_config_file_and_a_blank_one_counts_for_nothing(monkeypatch, tmp_path):
    cfg = write_config('db = "~/cfg.sqlite"\n')
    monkeypatch.setenv("MINICEX_DB", "  ~/env.sqlite ")
    choice = choose_db(None)
    assert (choice.path, choice.source) == (tmp_path / "home" / "env.sqlite", "MINICEX_DB")
    monkeypatch.setenv("MINICEX_DB", "   ")
    choice = choose_db(None)
    assert (choice.path, choice.source) == (tmp_path / "home" / "cfg.sqlite", str(cfg))


def test_a_config_file_may_set_only_the_language():
    write_config('lang = "sv"\n')
    assert default_lang() == "sv"
    choice = choose_db(None)
    assert (choice.path, choice.source) == (Path("minicex.sqlite"), "default")


def test_a_config_file_may_set_only_the_store(tmp_path):
    cfg = write_config(f'db = "{tmp_path / "s.sqlite"}"\n')
    assert default_lang() == "en"
    choice = choose_db(None)
    assert (choice.path, choice.source) == (tmp_path / "s.sqlite", str(cfg))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('db = ""\n', "db must be a non-empty text in quotes"),
        ('db = "  "\n', "db must be a non-empty text in quotes"),
        ("db = 3\n", "db must be a non-empty text in quotes"),
        ('lang = "sv"\ndb = ["a"]\n', "db must be a non-empty text in quotes"),
        ("lang = true\n", "lang must be a non-empty text in quotes"),
        ('lang = "de"\n', "lang must be one of sv, en"),
        ('lang = "sv+en"\n', "lang must be one of sv, en"),
        ('store = "x"\ncolour = "red"\n', "unknown setting 'colour' (known: db, lang)"),
    ],
)
def test_a_wrong_setting_is_named(text, message):
    assert refused(text) == f"{config_file()}: {message}"


def test_a_config_file_that_is_not_toml_is_named_in_one_line():
    message = refused("db = \n")
    assert message.startswith(f"{config_file()}: not a valid config file (")
    assert message.endswith(")")
    assert "\n" not in message


def test_a_config_file_that_cannot_be_read_is_named():
    config_file().mkdir(parents=True)
    with pytest.raises(UsageError) as exc:
        choose_db(None)
    assert str(exc.value) == f"{config_file()}: cannot be read: Is a directory"


def test_the_choice_of_store_is_a_fixed_value():
    choice = choose_db(Path("given.sqlite"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        choice.path = Path("other.sqlite")  # type: ignore[misc]
    assert {choice: 1}[choose_db(Path("given.sqlite"))] == 1
