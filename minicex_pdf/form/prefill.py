"""Make one pre-filled form per good roster row, with safe file names and an index.

Each form gets its own instance id (uuid4 hex, in the form's hidden instance
field). ``index.csv`` in the output folder lists row, trainee, specialty, file and
instance id so that an admin can match returned forms to the roster. File names are made
from trainees' names but are safe on Windows, macOS and Linux; nothing is written
outside the output folder, and an existing file is never overwritten.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..outputs import atomic_output, neutralise, output_error, write_bytes
from .definition import FORM_LANGS, FormDefinition, Text, load_definition
from .filenames import FS_PROBE, fs_takes, safe_stem
from .roster import Roster, RosterRow, RowError, read_roster

#: The index of made forms, written in the output folder.
INDEX_NAME = "index.csv"
INDEX_HEADER = ("roster", "row", "name", "specialty", "file", "instance_id")


def _clash_key(name: str) -> str:
    """Names that one of the three file systems treats as equal (case, NFC/NFD) share a key."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass(frozen=True)
class MadeForm:
    """One pre-filled form written to disk."""

    row: RosterRow
    path: Path
    instance_id: str


@dataclass(frozen=True)
class PrefillResult:
    """What a prefill run made, and which roster rows it skipped."""

    roster: Roster
    made: tuple[MadeForm, ...]
    index: Path | None
    failed: tuple[RowError, ...] = ()

    @property
    def errors(self) -> tuple[RowError, ...]:
        """Every skipped row, in row order: bad in the roster, or its form could not be made."""
        return tuple(sorted(self.roster.errors + self.failed, key=lambda e: e.number))


@dataclass
class Prefiller:
    """Writes pre-filled forms for a roster into one folder."""

    out_dir: Path
    lang: str = "sv+en"
    definition: FormDefinition = field(default_factory=load_definition)
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
    #: Where every form goes back to (the ``return_to`` role), unless the roster has that column filled.
    return_to: str | None = None

    def __post_init__(self) -> None:
        if self.lang not in FORM_LANGS:
            raise UsageError(f"unknown language {self.lang!r}: use one of {', '.join(FORM_LANGS)}")
        self.out_dir = Path(self.out_dir)
        if self.return_to and not self.definition.has_role("return_to"):
            raise UsageError(f"form version {self.definition.version} has no return-to line")

    def _folder(self) -> Path:
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise UsageError(f"{self.out_dir}: exists and is not a folder")
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{self.out_dir}: cannot create the folder: {exc.strerror}") from None
        return self.out_dir.resolve()

    def file_names(self, rows: Iterable[RosterRow], taken: Iterable[str] = ()) -> list[str]:
        """One distinct safe file name per row, none equal to one of ``taken`` (ignoring case and NFC/NFD).

        Letters are kept where the file system's encoding holds them, else transliterated to ASCII.
        """
        used = {_clash_key(n) for n in taken}
        ascii_only = not fs_takes(FS_PROBE)
        names = []
        for row in rows:
            stem = safe_stem(row.name, ascii_only=ascii_only)
            name, n = f"{stem}.pdf", 1
            while _clash_key(name) in used:
                n += 1
                name = f"{stem}-{n}.pdf"
            used.add(_clash_key(name))
            names.append(name)
        return names

    def make(self, roster_path: str | Path) -> PrefillResult:
        """Read the roster at ``roster_path`` (RosterError if unreadable) and :meth:`run` it."""
        return self.run(read_roster(roster_path, self.definition))

    def run(self, roster: Roster) -> PrefillResult:
        """Write one form per good row (never overwriting a file), and the index."""
        from .generator import build_form

        folder = self._folder()
        taken = [p.name for p in folder.iterdir()]
        made: list[MadeForm] = []
        failed: list[RowError] = []
        for row, name in zip(roster.rows, self.file_names(roster.rows, taken), strict=True):
            target = folder / name
            if target.parent != folder:  # safe_stem makes this impossible; never write outside the folder
                raise UsageError(f"{name!r}: not a plain file name")
            instance_id = self.new_id()
            values = dict(row.values)
            if self.return_to and not values.get(self.definition.role("return_to").name):
                values[self.definition.role("return_to").name] = self.return_to
            try:
                pdf = build_form(self.definition, lang=self.lang, values=values, instance_id=instance_id)
            except UsageError as exc:  # a value the form cannot take (the roster checks make this rare)
                failed.append(
                    RowError(
                        row.number, Text(sv=f"formuläret kan inte göras: {exc}", en=f"cannot make the form: {exc}")
                    )
                )
                continue
            write_bytes(target, pdf, overwrite=False)  # whole or not at all, never over an existing file
            made.append(MadeForm(row, target, instance_id))
        index = self._write_index(folder, made, Path(roster.path).name) if made else None
        return PrefillResult(roster, tuple(made), index, tuple(failed))

    def _write_index(self, folder: Path, made: list[MadeForm], roster: str) -> Path:
        """Append the made forms to ``index.csv`` (header written once), formulas neutralised.

        Like every CSV this tool writes: UTF-8 with a BOM and ``;`` (what a Swedish Excel opens).
        """
        path = folder / INDEX_NAME
        try:
            before = path.read_bytes()
        except FileNotFoundError:
            before = b""
        except OSError as exc:
            raise output_error(path, exc) from None
        # The old rows and the new ones go to a new file renamed into place: never half an index.
        text = io.StringIO()
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        if not before:
            writer.writerow(INDEX_HEADER)
        specialty = self.definition.role("specialty").name
        for m in made:
            spec = m.row.values.get(specialty) or ""
            cells = (roster, str(m.row.number), m.row.name, spec, m.path.name, m.instance_id)
            writer.writerow([neutralise(c) for c in cells])
        with atomic_output(path, "wb") as fh:
            # utf-8-sig: Excel reads å ä ö right; the BOM only at the start of a new file.
            fh.write(before + text.getvalue().encode("utf-8" if before else "utf-8-sig"))
        return path
