"""Batch import: walk folders, read returned forms in parallel, store each one atomically, sum up.

Input files are only ever read. Each file's bytes are hashed once; a file whose
SHA-256 the store already knows is not parsed again. Workers send back small
picklable results (the record as a dict), and the parent, the only writer,
commits each file in its own transaction: an import stopped at any moment
leaves a consistent database, and the same command run again finishes the job.

Files are handled in order of modification time (then path), for a steady
progress display; which files are one assessment, and which revision is the
latest, the store decides from their content (:mod:`.identity`), not from this
order.

Mail files (``.eml``, ``.mbox``, ``.msg``) and mailboxes (:mod:`minicex_pdf.mail`)
give messages: each PDF attachment is read and stored like a file, with the
message's sender, date and subject; a message read before (by Message-ID) is
not read again, and one without a readable form is listed by sender and date.
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import multiprocessing
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DamagedPdfError, FormReadError, UsageError
from ..form.definition import Text, definitions
from ..limits import HEADER_WINDOW, ORPHAN_CHECK_SECONDS
from ..mail import MAIL_SUFFIXES
from ..outputs import atomic_output
from ..progress_bar import NullProgress, Progress
from ..reading.signatures import SignaturePolicy
from .export import neutralise
from .store import Provenance, Store, Unreadable, reason_of

if TYPE_CHECKING:
    from ..mail.sources import MailMessage

#: Below this many files to parse, starting worker processes costs more than it saves.
POOL_MIN_FILES = 8
_PDF_MAGIC = b"%PDF-"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
#: Names a folder walk takes (besides files whose bytes say PDF): PDFs and mail files.
_TAKEN_SUFFIXES = (".pdf", *MAIL_SUFFIXES)

# Outcomes a worker reports for one file.
_OK, _KNOWN, _BAD = "ok", "known", "bad"

_TEXT = {
    "database": Text("Databas", "Database"),
    "imported": Text("Importerade", "Imported"),
    "revisions": Text("varav nya versioner av tidigare formulär", "of which new revisions of earlier forms"),
    "with_problems": Text("Importerade med fel", "Imported with problems"),
    "already": Text("Redan importerade", "Already imported"),
    "unreadable": Text("Kunde inte läsas", "Not readable"),
    "errors_head": Text("Importerade med fel", "Imported with errors"),
    "messages": Text("E-postmeddelanden lästa", "E-mail messages read"),
    "messages_already": Text("varav lästa tidigare", "of which read before"),
    "mail_head": Text("Meddelanden utan läsbart formulär", "Messages without a readable form"),
    "no_pdf": Text("ingen PDF-bilaga", "no PDF attachment"),
    "no_readable": Text("ingen PDF-bilaga kunde läsas som mini-CEX", "no PDF attachment could be read as a mini-CEX"),
    "unknown": Text("okänd", "unknown"),
}


@dataclass(frozen=True)
class MailIssue:
    """A mail message the summary lists: no readable form in it, or parts of it not read."""

    origin: str
    sender: str | None
    date: str | None
    reason: Text


@dataclass(frozen=True)
class FileIssue:
    """A file the summary lists: one that could not be read, or was imported with errors."""

    path: str
    sha256: str
    outcome: str  # "not_readable" or "errors"
    code: str
    reason: Text


@dataclass
class ImportSummary:
    """What one import did; ``issues`` lists only the files that need a look."""

    db: Path
    files: int = 0
    imported: int = 0
    revisions: int = 0
    with_problems: int = 0
    already: int = 0
    unreadable: int = 0
    interrupted: bool = False
    issues: list[FileIssue] = field(default_factory=list)
    messages: int = 0
    messages_already: int = 0
    mail_issues: list[MailIssue] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every file was imported or already there, 1 when some could not be read."""
        return 1 if self.unreadable else 0

    def lines(self, lang: str = "en") -> list[str]:
        """The summary as lines of text, with the path and reason of each file that needs a look."""
        t = {k: v[lang] for k, v in _TEXT.items()}
        imported = f"{t['imported']}: {self.imported}"
        if self.revisions:
            imported += f" ({t['revisions']}: {self.revisions})"
        out = [
            f"{t['database']}: {self.db}",
            imported,
            f"{t['with_problems']}: {self.with_problems}",
            f"{t['already']}: {self.already}",
            f"{t['unreadable']}: {self.unreadable}",
        ]
        if self.messages:
            read = f"{t['messages']}: {self.messages}"
            out.append(read + (f" ({t['messages_already']}: {self.messages_already})" if self.messages_already else ""))
        for outcome, head in (("not_readable", t["unreadable"]), ("errors", t["errors_head"])):
            listed = [i for i in self.issues if i.outcome == outcome]
            if listed:
                out.append(f"{head}:")
                out += [f"  {i.path}: {i.reason[lang]}" for i in listed]
        if self.mail_issues:
            out.append(f"{t['mail_head']}:")
            out += [
                f"  {m.sender or t['unknown']}, {m.date or t['unknown']}: {m.reason[lang]} ({m.origin})"
                for m in self.mail_issues
            ]
        return out

    def write_report(self, path: str | Path, lang: str = "en") -> None:
        """The listed files as CSV (UTF-8 with BOM, ``;``): path, sha256, outcome, code, reason."""
        with atomic_output(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
            writer.writerow(["path", "sha256", "outcome", "code", "reason"])
            for i in self.issues:
                writer.writerow([neutralise(v) for v in (i.path, i.sha256, i.outcome, i.code, i.reason[lang])])


def _looks_like_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return _PDF_MAGIC in fh.read(HEADER_WINDOW)
    except OSError:
        return False


def find_files(paths: Iterable[str | Path], *, skip: Iterable[str | Path] = ()) -> list[Path]:
    """The files to import, as absolute paths, oldest first.

    A file named on the command line is always taken. In a folder (walked
    recursively, hidden files and folders left out) a file is taken when its
    name ends in ``.pdf``, ``.eml``, ``.mbox`` or ``.msg`` in any case, or its
    first bytes say it is a PDF.
    ``skip`` names files never to take (the database and its journal).
    """
    skipped = {os.path.abspath(p) for p in skip}
    found: dict[str, int] = {}  # path: modification time (ns)

    def take(path: str, info: os.stat_result) -> None:
        if path not in skipped and path not in found:
            found[path] = info.st_mtime_ns

    for given in paths:
        root = os.path.abspath(given)
        try:
            info = os.stat(root)
        except OSError:
            raise UsageError(f"{given}: no such file or folder") from None
        if not stat.S_ISDIR(info.st_mode):
            take(root, info)
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                full = os.path.join(folder, name)
                try:  # one look at each file: what it is and its age (no window for it to go in between)
                    info = os.stat(full)
                except OSError:
                    continue  # a broken link, or a file gone since the folder was listed
                if stat.S_ISREG(info.st_mode) and (
                    name.lower().endswith(_TAKEN_SUFFIXES) or _looks_like_pdf(Path(full))
                ):
                    take(full, info)
    return [Path(p) for p in sorted(found, key=lambda p: (found[p], p))]


# ---------------------------------------------------------------------- worker side

_known: frozenset[str] = frozenset()
_policy: SignaturePolicy | None = None


def _init_known(known: frozenset[str], policy: SignaturePolicy | None = None) -> None:
    """The hashes :func:`read_one` skips without parsing (files already stored), and the signature policy."""
    global _known, _policy
    _known = known
    _policy = policy


def _init_worker(known: frozenset[str], parent: int, policy: SignaturePolicy | None = None) -> None:
    """Pool initializer: the hashes to skip, the signature policy; Ctrl-C is the parent's to handle; end with the parent."""
    _init_known(known, policy)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent(parent)


def _end_with_parent(parent: int) -> None:
    """End this worker, silently, as soon as the importing process ``parent`` is gone (even after kill -9).

    A worker waits for tasks on a pipe it holds both ends of, so it would wait
    for ever: on Linux the kernel kills it when the parent dies
    (``PR_SET_PDEATHSIG``); elsewhere a watcher thread looks every
    :data:`~minicex_pdf.limits.ORPHAN_CHECK_SECONDS`.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the request was made
                    os._exit(0)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="minicex-orphan-watch", daemon=True).start()


def read_one(path: str) -> tuple[Any, ...]:
    """Read one file: ``(outcome, path, sha256, size, payload)``; small and picklable."""
    from ..reading.reader import read_file

    try:
        data = read_file(path)  # a regular file within the size limit, or a classified error
    except FormReadError as exc:
        return (_BAD, path, "", 0, (exc.kind, *_texts(reason_of(exc))))
    return read_data(path, data)


def read_data(
    path: str, data: bytes, known: frozenset[str] | None = None, policy: SignaturePolicy | None = None
) -> tuple[Any, ...]:
    """Read one file's bytes (``path`` names it): like :func:`read_one`; ``known`` hashes are not parsed.

    ``known`` and ``policy`` default to what the worker was started with.
    """
    from ..reading.reader import read_form

    sha = hashlib.sha256(data).hexdigest()
    if sha in (_known if known is None else known):
        return (_KNOWN, path, sha, len(data), None)
    try:
        record = read_form(path, data=data, signatures=policy or _policy)
    except FormReadError as exc:
        return (_BAD, path, sha, len(data), (exc.kind, *_texts(reason_of(exc))))
    except Exception as exc:  # a reader bug must not stop the batch: report the file as damaged
        bug = DamagedPdfError(path, type(exc).__name__)
        return (_BAD, path, sha, len(data), (bug.kind, *_texts(reason_of(bug))))
    return (_OK, path, sha, len(data), record.to_dict())


def _file_digest(path: Path) -> tuple[str, int]:
    """The SHA-256 and size of a file; ``("", 0)`` when it cannot be read (then nothing of it is stored)."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest(), fh.tell()
    except OSError:
        return "", 0


def _texts(text: Text) -> tuple[str, str]:
    return (text.sv, text.en)


# ---------------------------------------------------------------------- parent side


class Importer:
    """Imports files and folders into one store, in parallel over ``jobs`` processes."""

    def __init__(
        self,
        store: Store,
        *,
        jobs: int | None = None,
        progress: Any = None,
        display_root: str | Path | None = None,
        signatures: SignaturePolicy | None = None,
    ) -> None:
        if jobs is not None and jobs < 1:
            raise UsageError(f"--jobs must be 1 or more, not {jobs}")
        self.store = store
        self.jobs = jobs or os.cpu_count() or 1
        #: ``progress(total) -> Progress``: how to report; None for nothing.
        self.progress = progress
        self.display_root = os.path.abspath(display_root or os.getcwd())
        #: Trust anchors and whether the assessor must sign (default: none, no requirement).
        self.signatures = signatures

    def run(self, paths: Sequence[str | Path], mailboxes: Sequence[Any] = ()) -> ImportSummary:
        """Import every file under ``paths``, then every mailbox; the summary of what happened.

        A mailbox has ``messages()`` (an iterator of :class:`~minicex_pdf.mail.sources.MailMessage`)
        and ``done(message)``, called once each message's forms are stored. On Ctrl-C the
        files stored so far stay stored and the summary says ``interrupted``; running the
        same import again finishes the job.
        """
        from ..mail import is_mail_file  # light: the mail machinery loads only for mail files

        db = self.store.path
        files = find_files(paths, skip=[db, f"{db}-wal", f"{db}-shm", f"{db}-journal"])
        summary = ImportSummary(db=db, files=len(files))
        self.store.check()  # never write into a damaged store
        known = frozenset(self.store.known_hashes())
        definitions()  # load (and check) the definitions once, before any worker starts
        reporter: Progress = self.progress(len(files)) if self.progress else NullProgress()
        pdfs = [str(f) for f in files if not is_mail_file(f)]
        mails = [f for f in files if is_mail_file(f)]
        results = self._results(pdfs, known)
        try:
            with reporter:
                for result in results:
                    self._store(result, summary)
                    reporter.update()
                for path in mails:
                    self._mail_file(path, summary)
                    reporter.update()
            for box in mailboxes:
                for message in box.messages():
                    self.add_message(message, summary)
                    box.done(message)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            results.close()  # a store fault stops the workers now, not when the generator is collected
        return summary

    def _mail_file(self, path: Path, summary: ImportSummary) -> None:
        from ..mail.sources import MailReadError, messages_in

        try:
            for message in messages_in(path):
                self.add_message(message, summary)
        except MailReadError as exc:
            sha, size = _file_digest(path)
            err = (_BAD, str(path), sha, size, (exc.kind, *_texts(reason_of(exc))))
            self._store(err, summary)

    def add_message(self, message: MailMessage, summary: ImportSummary) -> None:
        """Import the PDF attachments of one mail message (once: a message read before is counted, not read)."""
        summary.messages += 1
        if self.store.message_seen(message.key):
            summary.messages_already += 1
            return
        readable = 0
        for pdf in message.pdfs:
            name = f"{message.origin}/{pdf.name}"
            sha = hashlib.sha256(pdf.data).hexdigest()
            known = frozenset([sha]) if self.store.lookup(sha) is not None else frozenset()
            readable += self._store(read_data(name, pdf.data, known, self.signatures), summary, message.provenance)
        reasons = message.skip_reasons()
        if not readable:
            reasons.insert(0, _TEXT["no_readable" if message.pdfs else "no_pdf"])
        if reasons:
            reason = Text("; ".join(r.sv for r in reasons), "; ".join(r.en for r in reasons))
            summary.mail_issues.append(MailIssue(self._display(message.origin), message.sender, message.date, reason))
        self.store.add_message_seen(message.key, message.sender, message.date, readable)

    def _results(self, paths: list[str], known: frozenset[str]) -> Generator[tuple[Any, ...], None, None]:
        todo = len(paths)
        if self.jobs == 1 or todo <= POOL_MIN_FILES:
            _init_known(known, self.signatures)
            yield from map(read_one, paths)
            return
        jobs = min(self.jobs, todo)
        chunk = max(1, min(16, todo // (jobs * 8)))
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        from ..reading import reader  # noqa: F401  (imported before forking: the workers inherit it)

        pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(known, os.getpid(), self.signatures))
        try:
            # In order (imap, not imap_unordered): files are stored in the order found.
            yield from pool.imap(read_one, paths, chunksize=chunk)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()

    def _store(self, result: tuple[Any, ...], summary: ImportSummary, mail: Provenance | None = None) -> bool:
        """Store one read result; True when it is a form (new or stored before)."""
        outcome, path, sha, size, payload = result
        shown = self._display(path)
        if outcome == _OK:
            payload["source"]["path"] = path
            stored = self.store.add(payload, mail)
            if stored.new:
                summary.imported += 1
                summary.revisions += stored.files > 1
                errors = [p for p in payload["problems"] if p["severity"] == "error"]
                if errors:
                    summary.with_problems += 1
                    reason = Text(
                        sv="; ".join(p["message"]["sv"] for p in errors),
                        en="; ".join(p["message"]["en"] for p in errors),
                    )
                    codes = ",".join(dict.fromkeys(p["code"] for p in errors))
                    summary.issues.append(FileIssue(shown, sha, "errors", codes, reason))
            else:  # the same bytes stored already: a copy met in this run, or one another import stored meanwhile
                summary.already += 1
            return True  # a form either way
        if outcome == _KNOWN:
            found = self.store.lookup(sha)
            if not isinstance(found, Unreadable):
                summary.already += 1
                return True
            kind, reason = found.kind, found.reason
        else:
            kind, reason = payload[0], Text(sv=payload[1], en=payload[2])
            if sha:
                self.store.add_unreadable(Unreadable(path, sha, size, kind, reason))
        summary.unreadable += 1
        summary.issues.append(FileIssue(shown, sha, "not_readable", kind, reason))
        return False

    def _display(self, path: str) -> str:
        if not os.path.isabs(path):
            return path  # a mailbox's name for a message (imaps://...)
        rel = os.path.relpath(path, self.display_root)
        return path if rel.startswith("..") else rel
