"""Where the store lives and which language messages use, set once for every command.

The store is, in this order: ``--db FILE``; the ``MINICEX_DB`` environment
variable; ``db = "..."`` in ``config.toml`` in the user's config folder
(platformdirs: ``~/.config/minicex`` on Linux, ``~/Library/Application
Support/minicex`` on macOS, ``%APPDATA%\\minicex`` on Windows); else
``minicex.sqlite`` in the current folder. The same file may set ``lang = "en"``,
the language of every command's messages (default English).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .form.definition import LANGS

#: The environment variable that names the store.
ENV_DB = "MINICEX_DB"
#: The config file's name in the user's config folder.
CONFIG_NAME = "config.toml"
#: The store when nothing else names one.
DEFAULT_DB = Path("minicex.sqlite")
#: The language of messages, headers and reports when nothing else says (one for all commands).
DEFAULT_LANG = "en"


def config_file() -> Path:
    """``config.toml`` in the user's config folder (it need not exist)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("minicex", appauthor=False)) / CONFIG_NAME


def _settings() -> dict[str, object]:
    path = config_file()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not a valid config file ({exc})") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
    unknown = sorted(set(data) - {"db", "lang"})
    if unknown:
        raise UsageError(f"{path}: unknown setting {unknown[0]!r} (known: db, lang)")
    for key in data:
        if not isinstance(data[key], str) or not data[key].strip():
            raise UsageError(f"{path}: {key} must be a non-empty text in quotes")
    if "lang" in data and data["lang"] not in LANGS:
        raise UsageError(f"{path}: lang must be one of {', '.join(LANGS)}")
    return data


@dataclass(frozen=True)
class StoreChoice:
    """The store a command uses and what chose it (``--db``, ``MINICEX_DB``, the config file or the default)."""

    path: Path
    source: str


def choose_db(given: Path | None) -> StoreChoice:
    """The store to use: ``given`` (``--db``), else ``MINICEX_DB``, else the config file, else the default."""
    if given is not None:
        return StoreChoice(given, "--db")
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return StoreChoice(Path(env).expanduser(), ENV_DB)
    db = _settings().get("db")
    if isinstance(db, str):
        return StoreChoice(Path(db).expanduser(), str(config_file()))
    return StoreChoice(DEFAULT_DB, "default")


def default_lang() -> str:
    """The language of messages when ``--lang`` is not given: the config file's ``lang``, else English."""
    lang = _settings().get("lang")
    return lang if isinstance(lang, str) else DEFAULT_LANG
