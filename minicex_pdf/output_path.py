"""One rule for every ``-o`` a command takes: a file (not a folder), the format's extension, never overwritten without ``--force``."""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError

#: The extensions each output format may have (the first is the one suggested).
SUFFIXES: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "csv": (".csv", ".txt"),
    "xlsx": (".xlsx",),
    "jsonl": (".jsonl", ".ndjson", ".json"),
    "json": (".json",),
    "table": (".txt",),
}


def check_out(path: Path, fmt: str, *, force: bool) -> Path:
    """``path`` if a command may write format ``fmt`` there, else a UsageError that says why (in both languages)."""
    if path.is_dir():
        raise UsageError(
            f"{path}: is a folder: give a file name with -o",
            sv=f"{path}: är en mapp: ange ett filnamn med -o",
        )
    suffixes = SUFFIXES[fmt]
    if path.suffix.lower() not in suffixes:
        raise UsageError(
            f"{path}: a {fmt} file should end in {suffixes[0]}: change the name or --format",
            sv=f"{path}: en {fmt}-fil ska sluta på {suffixes[0]}: ändra namnet eller --format",
        )
    if path.exists() and not force:
        raise UsageError(
            f"{path} exists: choose another name with -o, or add --force to overwrite it",
            sv=f"{path} finns redan: välj ett annat namn med -o, eller lägg till --force för att skriva över den",
        )
    return path
