"""The batch import with exact expectations: counts, the summary in both languages, the report, mail.

A small tree of real forms filled in PDFium (a good one, one refilled as a new
revision, one with errors, a copy, broken files, hidden and other files) and two
mail messages (one with a form attached, one without), imported by the library's
:class:`~minicex_pdf.storage.importer.Importer` into a real store.
"""

from __future__ import annotations

import csv
import hashlib
import os
from email.message import EmailMessage
from pathlib import Path

import pytest
import seccomp

from minicex_pdf.errors import UsageError
from minicex_pdf.form.definition import load_definition
from minicex_pdf.form.generator import build_form
from minicex_pdf.storage.importer import Importer, ImportSummary, find_files
from minicex_pdf.storage.store import Store, Unreadable

pytest.importorskip("pypdfium2")
from minicex_pdf.engines.pdfium import fill_pdfium

DEF = load_definition(1)
STAMP = 1_700_000_000
#: What an assessor fills in on a form without errors (version 1).
GOOD = {
    "trainee_name": "Åsa Öberg",
    "date": "2026-03-05",
    "assessor_name": "Karin Berg",
    "assessor_role": "other",
    "level_overall": "3",
    "went_well": "Bra anamnes.",
    "next_time": "Sammanfatta.",
}


def write(path: Path, data: bytes, stamp: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (STAMP + stamp, STAMP + stamp))
    return path


def mail(sender: str, attachments: dict[str, bytes], message_id: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Karin Berg <{sender}>"
    msg["To"] = "st@example.org"
    msg["Subject"] = "Mini-CEX"
    msg["Date"] = "Thu, 05 Mar 2026 10:00:00 +0100"
    msg["Message-ID"] = message_id
    msg.set_content("Här kommer blanketten.")
    for name, data in attachments.items():
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return msg.as_bytes()


class Tree:
    """The files to import, and what each one is."""

    def __init__(self, root: Path) -> None:
        self.root = root
        good = fill_pdfium(build_form(DEF, instance_id="imp-good"), GOOD, DEF)
        first = fill_pdfium(build_form(DEF, instance_id="imp-again"), {**GOOD, "trainee_name": "Erik Ek"}, DEF)
        errors = {k: v for k, v in GOOD.items() if k not in ("assessor_name", "went_well", "next_time")}
        self.good = write(root / "good.pdf", good, 1)
        self.first = write(root / "again" / "first.pdf", first, 2)
        self.second = write(root / "again" / "second.pdf", fill_pdfium(first, {"action_plan": "Öva."}, DEF), 3)
        self.errors = write(root / "errors.PDF", fill_pdfium(build_form(DEF, instance_id="imp-err"), errors, DEF), 4)
        self.copies = [write(root / "copies" / f"good copy {i}.pdf", good, 5) for i in (1, 2, 3)]
        self.letter = write(root / "bad" / "letter.pdf", "Hej! Här kommer blanketten.\n".encode(), 6)
        self.nameless = write(root / "scan", b"junk before the header " + good[:200], 7)
        mailed = fill_pdfium(build_form(DEF, instance_id="imp-mail"), {**GOOD, "trainee_name": "Li Wang"}, DEF)
        self.eml = write(root / "mail" / "form.eml", mail("karin@example.org", {"mcx.pdf": mailed}, "<a@x>"), 8)
        self.empty = write(root / "mail" / "EMPTY.EML", mail("olle@example.org", {}, "<b@x>"), 9)
        letter = {"brev.pdf": self.letter.read_bytes()}
        self.broken = write(root / "mail" / "broken.eml", mail("eva@example.org", letter, "<c@x>"), 9)
        write(root / "notes.txt", b"not a form", 10)
        write(root / ".hidden.pdf", good, 10)
        write(root / ".cache" / "old.pdf", good, 10)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return Tree(tmp_path_factory.mktemp("importer-teeth"))


def run(tree: Tree, db: Path, jobs: int = 1) -> ImportSummary:
    with Store(db) as store:
        return Importer(store, jobs=jobs, display_root=tree.root).run([tree.root])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ERRORS_SV = (
    "Obligatoriskt fält är tomt: Bedömarens namn; "
    "Ingen återkoppling skriven: Det som gick speciellt bra (bedömaren ska alltid skriva något); "
    "Ingen återkoppling skriven: Att tänka på nästa gång (bedömaren ska alltid skriva något)"
)
ERRORS_EN = (
    "Required field is empty: Assessor's name; "
    "No feedback written: What went especially well (the assessor must always write something); "
    "No feedback written: To think of next time (the assessor must always write something)"
)
DAMAGED_EN = "the PDF is damaged or truncated (truncated: the end of the file is missing)"


def first_lines(db: Path) -> dict[str, list[str]]:
    """The summary of the first import of the tree, in each language."""
    return {
        "sv": [
            f"Databas: {db}",
            "Importerade: 5 (varav nya versioner av tidigare formulär: 1)",
            "Importerade med fel: 1",
            "Redan importerade: 3",
            "Kunde inte läsas: 3",
            "E-postmeddelanden lästa: 3",
            "Kunde inte läsas:",
            "  bad/letter.pdf: inte en PDF-fil",
            "  scan: PDF-filen är skadad eller ofullständig (truncated: the end of the file is missing)",
            "  mail/broken.eml/brev.pdf: inte en PDF-fil",
            "Importerade med fel:",
            f"  errors.PDF: {ERRORS_SV}",
            "Meddelanden utan läsbart formulär:",
            "  olle@example.org, 2026-03-05T09:00:00+00:00: ingen PDF-bilaga (mail/EMPTY.EML)",
            "  eva@example.org, 2026-03-05T09:00:00+00:00: ingen PDF-bilaga kunde läsas som mini-CEX (mail/broken.eml)",
        ],
        "en": [
            f"Database: {db}",
            "Imported: 5 (of which new revisions of earlier forms: 1)",
            "Imported with problems: 1",
            "Already imported: 3",
            "Not readable: 3",
            "E-mail messages read: 3",
            "Not readable:",
            "  bad/letter.pdf: not a PDF file",
            f"  scan: {DAMAGED_EN}",
            "  mail/broken.eml/brev.pdf: not a PDF file",
            "Imported with errors:",
            f"  errors.PDF: {ERRORS_EN}",
            "Messages without a readable form:",
            "  olle@example.org, 2026-03-05T09:00:00+00:00: no PDF attachment (mail/EMPTY.EML)",
            "  eva@example.org, 2026-03-05T09:00:00+00:00: no PDF attachment could be read as a mini-CEX (mail/broken.eml)",
        ],
    }


def test_a_folder_imports_with_exact_counts_and_summary(tree: Tree, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    summary = run(tree, db)
    assert (summary.files, summary.imported, summary.revisions, summary.with_problems) == (12, 5, 1, 1)
    assert (summary.already, summary.unreadable, summary.messages, summary.messages_already) == (3, 3, 3, 0)
    assert (summary.exit_code, summary.interrupted) == (1, False)
    assert {lang: summary.lines(lang) for lang in ("sv", "en")} == first_lines(db)
    with Store(db) as store:
        assert store.counts() == {"files": 5, "forms": 4, "unreadable": 2}
        assert sorted(r.values["trainee_name"] for r in store.records()) == [
            "Erik Ek",
            "Li Wang",
            "Åsa Öberg",
            "Åsa Öberg",
        ]
        assert [r.source.path for r in store.revisions("imp-again")] == [str(tree.first), str(tree.second)]


def test_the_report_lists_each_file_that_needs_a_look(tree: Tree, tmp_path: Path) -> None:
    summary = run(tree, tmp_path / "r.sqlite")
    summary.write_report(tmp_path / "report.csv", "en")
    raw = (tmp_path / "report.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfpath;sha256;outcome;code;reason\r\n")
    with (tmp_path / "report.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows == [
        ["path", "sha256", "outcome", "code", "reason"],
        ["errors.PDF", sha(tree.errors), "errors", "required_missing,feedback_missing", ERRORS_EN],
        ["bad/letter.pdf", sha(tree.letter), "not_readable", "not_pdf", "not a PDF file"],
        ["scan", sha(tree.nameless), "not_readable", "damaged", DAMAGED_EN],
        ["mail/broken.eml/brev.pdf", sha(tree.letter), "not_readable", "not_pdf", "not a PDF file"],
    ]


def test_importing_again_adds_nothing_and_reads_no_message_twice(tree: Tree, tmp_path: Path) -> None:
    db = tmp_path / "twice.sqlite"
    run(tree, db)
    again = run(tree, db)
    assert again.lines("en") == [
        f"Database: {db}",
        "Imported: 0",
        "Imported with problems: 0",
        "Already imported: 7",
        "Not readable: 2",
        "E-mail messages read: 3 (of which read before: 3)",
        "Not readable:",
        "  bad/letter.pdf: not a PDF file",
        f"  scan: {DAMAGED_EN}",
    ]
    assert again.exit_code == 1
    with Store(db) as store:
        assert store.counts() == {"files": 5, "forms": 4, "unreadable": 2}


def test_a_pool_of_workers_imports_exactly_as_one_process(tree: Tree, tmp_path: Path) -> None:
    """Nine PDFs and two workers: a pool, whose results are stored in the order the files were found."""
    db = tmp_path / "pool.sqlite"
    summary = run(tree, db, jobs=2)
    assert summary.lines("en") == first_lines(db)["en"]
    with Store(db) as store:
        assert store.counts() == {"files": 5, "forms": 4, "unreadable": 2}
        assert [r.source.path for r in store.revisions("imp-again")] == [str(tree.first), str(tree.second)]


def test_a_folder_of_readable_forms_exits_0_and_lists_nothing(tree: Tree, tmp_path: Path) -> None:
    db = tmp_path / "ok.sqlite"
    with Store(db) as store:
        summary = Importer(store, jobs=1, display_root=tree.root).run([tree.good, tree.first, tree.root / "copies"])
    assert summary.exit_code == 0
    assert summary.lines("en") == [
        f"Database: {db}",
        "Imported: 2",
        "Imported with problems: 0",
        "Already imported: 3",
        "Not readable: 0",
    ]


def test_files_outside_the_display_root_are_shown_by_their_full_path(tree: Tree, tmp_path: Path) -> None:
    with Store(tmp_path / "d.sqlite") as store:
        summary = Importer(store, jobs=1, display_root=tree.root / "mail").run([tree.letter, tree.broken])
    assert [i.path for i in summary.issues] == [str(tree.letter), "broken.eml/brev.pdf"]
    assert [(m.origin, m.sender) for m in summary.mail_issues] == [("broken.eml", "eva@example.org")]


def test_the_walk_takes_forms_and_mail_oldest_first_and_leaves_out_hidden_and_skipped(tree: Tree) -> None:
    found = find_files([tree.root], skip=[tree.copies[1]])
    assert [str(p.relative_to(tree.root)) for p in found] == [
        "good.pdf",
        "again/first.pdf",
        "again/second.pdf",
        "errors.PDF",
        "copies/good copy 1.pdf",
        "copies/good copy 3.pdf",
        "bad/letter.pdf",
        "scan",
        "mail/form.eml",
        "mail/EMPTY.EML",  # as old as broken.eml: by path then, and "E" < "b"
        "mail/broken.eml",
    ]
    notes = tree.root / "notes.txt"
    assert find_files([notes, str(tree.good), tree.good]) == [tree.good, notes]  # named: taken, once
    with pytest.raises(UsageError, match=r"^nowhere\.pdf: no such file or folder$"):
        find_files(["nowhere.pdf"])


@pytest.mark.parametrize("jobs", [0, -2])
def test_fewer_than_one_job_is_a_usage_error(tmp_path: Path, jobs: int) -> None:
    with Store(tmp_path / "j.sqlite") as store, pytest.raises(UsageError) as err:
        Importer(store, jobs=jobs)
    assert str(err.value) == f"--jobs must be 1 or more, not {jobs}"


def test_a_mail_file_that_cannot_be_read_and_a_message_nested_too_deep_are_listed(tmp_path: Path) -> None:
    from minicex_pdf.mail.sources import MailReadError, messages_in

    junk = write(tmp_path / "in" / "junk.msg", b"not an outlook message", 1)
    inner = EmailMessage()
    inner.set_content("the form was here")
    for depth in range(7):  # forwarded seven times, no sender or date on any
        outer = EmailMessage()
        outer["Subject"] = f"Fwd {depth}"
        outer.set_content("forwarded")
        outer.add_attachment(inner)
        inner = outer
    write(tmp_path / "in" / "deep.eml", inner.as_bytes(), 2)
    with pytest.raises(MailReadError) as err:
        list(messages_in(junk))
    db = tmp_path / "m.sqlite"
    with Store(db) as store:
        summary = Importer(store, jobs=1, display_root=tmp_path / "in").run([tmp_path / "in"])
    assert [(i.path, i.sha256, i.outcome, i.code) for i in summary.issues] == [
        ("junk.msg", sha(junk), "not_readable", "mail_unreadable")
    ]
    assert summary.issues[0].reason.en == err.value.message("en").split(": ", 1)[1]
    assert summary.lines("sv")[4:] == [
        "Kunde inte läsas: 1",
        "E-postmeddelanden lästa: 1",
        "Kunde inte läsas:",
        f"  junk.msg: {summary.issues[0].reason.sv}",
        "Meddelanden utan läsbart formulär:",
        "  okänd, okänd: ingen PDF-bilaga; vidarebefordrade meddelanden för djupt i varandra (deep.eml)",
    ]
    assert summary.lines("en")[-1] == (
        "  unknown, unknown: no PDF attachment; forwarded messages nested too deep to open (deep.eml)"
    )
    with Store(db) as store:  # kept by its checksum, with its size, so that the same file is not read again
        assert list(store.unreadable()) == [
            Unreadable(str(junk), sha(junk), 22, "mail_unreadable", summary.issues[0].reason)
        ]


def test_a_mailed_form_already_imported_as_a_file_is_counted_once(tree: Tree, tmp_path: Path) -> None:
    again = write(tmp_path / "again.eml", mail("karin@example.org", {"a.pdf": tree.good.read_bytes()}, "<d@x>"), 1)
    db = tmp_path / "once.sqlite"
    with Store(db) as store:
        summary = Importer(store, jobs=1, display_root=tmp_path).run([tree.good, again])
        assert store.counts() == {"files": 1, "forms": 1, "unreadable": 0}
    assert summary.lines("en") == [
        f"Database: {db}",
        "Imported: 1",
        "Imported with problems: 0",
        "Already imported: 1",
        "Not readable: 0",
        "E-mail messages read: 1",
    ]
    assert (summary.mail_issues, summary.exit_code) == ([], 0)


class Box:
    """A mailbox as :meth:`Importer.run` takes one: real messages, each marked done once stored; Ctrl-C after them if told."""

    def __init__(self, raws: list[bytes], interrupt: bool = False) -> None:
        from minicex_pdf.mail.sources import parse_message

        self.messages_ = [parse_message(raw, f"imaps://mail.example.org/INBOX/{i}") for i, raw in enumerate(raws)]
        self.interrupt = interrupt
        self.done_keys: list[str] = []

    def messages(self):
        yield from self.messages_
        if self.interrupt:
            raise KeyboardInterrupt

    def done(self, message) -> None:
        self.done_keys.append(message.key)


def test_mailboxes_are_read_after_the_files_and_ctrl_c_keeps_what_was_stored(tree: Tree, tmp_path: Path) -> None:
    import sqlite3

    form = mail("karin@example.org", {"m.pdf": tree.first.read_bytes()}, "<e@x>")
    twice = mail("karin@example.org", {"a.pdf": tree.good.read_bytes(), "b.pdf": tree.errors.read_bytes()}, "<f@x>")
    empty = mail("olle@example.org", {}, "<g@x>")
    first, second = Box([form, empty]), Box([twice], interrupt=True)
    db = tmp_path / "box.sqlite"
    with Store(db) as store:
        summary = Importer(store, jobs=1, display_root=tree.root).run([tree.good], [first, second])
    assert (first.done_keys, second.done_keys) == (["<e@x>", "<g@x>"], ["<f@x>"])
    assert summary.interrupted is True
    assert summary.lines("en") == [
        f"Database: {db}",
        "Imported: 3",
        "Imported with problems: 1",
        "Already imported: 1",
        "Not readable: 0",
        "E-mail messages read: 3",
        "Imported with errors:",
        f"  imaps://mail.example.org/INBOX/0/b.pdf: {ERRORS_EN}",
        "Messages without a readable form:",
        "  olle@example.org, 2026-03-05T09:00:00+00:00: no PDF attachment (imaps://mail.example.org/INBOX/1)",
    ]
    with sqlite3.connect(db) as c:
        seen = sorted(c.execute("SELECT message_key, pdfs FROM mail_seen"))
    assert seen == [("<e@x>", 1), ("<f@x>", 2), ("<g@x>", 0)]


def test_a_file_in_the_folder_that_cannot_be_read_is_left_out_of_the_walk(tree: Tree, tmp_path: Path) -> None:
    """/proc/self/clear_refs opens but cannot be read: a file like it is no PDF, and the walk goes on."""
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux /proc")
    folder = tmp_path / "walk"
    folder.mkdir()
    (folder / "refs").symlink_to("/proc/self/clear_refs")
    good = write(folder / "z.pdf", tree.good.read_bytes(), 1)
    assert find_files([folder]) == [good]


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_asks_the_kernel_to_kill_it_with_the_import() -> None:
    """On Linux the kernel ends a worker the moment the import dies (SIGKILL), without a watcher thread."""
    import ctypes
    import signal
    import threading

    from minicex_pdf.storage import importer

    read, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            importer._end_with_parent(os.getppid())
            sig = ctypes.c_int(-1)
            ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0)  # PR_GET_PDEATHSIG
            watching = any(t.name == "minicex-orphan-watch" for t in threading.enumerate())
            os.write(write_end, f"{sig.value} {watching}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    got = os.read(read, 100).decode()
    os.waitpid(pid, 0)
    os.close(read)
    assert got == f"{int(signal.SIGKILL)} False"


def test_a_reader_bug_on_one_file_is_that_file_reported_damaged_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minicex_pdf.reading import reader

    blank = build_form(load_definition(2), lang="sv")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(blank)
    (folder / "b.pdf").write_bytes(blank + b"\n%another save\n")
    real = reader.read_form

    def buggy(path: str, *args: object, **kwargs: object) -> object:
        if path.endswith("b.pdf"):
            raise ZeroDivisionError("a bug in the reader")  # what a reader bug would raise
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "read_form", buggy)
    with Store(tmp_path / "s.sqlite") as store:
        summary = Importer(store, jobs=1, display_root=folder).run([folder])
    assert [(i.path, i.outcome, i.code) for i in summary.issues] == [
        ("a.pdf", "errors", "required_missing,feedback_missing"),  # a blank: read, with what it lacks
        ("b.pdf", "not_readable", "damaged"),
    ]
    assert summary.imported == 1
    bug = summary.issues[1].reason.en
    assert "ZeroDivisionError" in bug and "a bug in the reader" not in bug


def test_a_broken_link_in_the_folder_is_left_out_and_the_walk_goes_on(tree: Tree, tmp_path: Path) -> None:
    """A name the folder lists but that cannot be looked at (a broken link, a link loop, or a file removed
    since the folder was listed) is not taken; the files after it are, oldest first."""
    folder = tmp_path / "walk"
    folder.mkdir()
    (folder / "a.pdf").symlink_to(folder / "nowhere.pdf")
    (folder / "b.pdf").symlink_to(folder / "b.pdf")  # a loop
    late = write(folder / "c.pdf", tree.good.read_bytes(), 2)
    early = write(folder / "d", tree.good.read_bytes(), 1)
    assert find_files([folder]) == [early, late]


def test_a_file_gone_between_the_walk_and_its_read_is_listed_and_the_others_imported(
    tree: Tree, tmp_path: Path
) -> None:
    """The file is removed once the walk has found it (the progress display is made then): not readable, nothing kept."""
    from minicex_pdf.progress_bar import NullProgress

    folder = tmp_path / "in"
    gone = write(folder / "a.pdf", tree.good.read_bytes(), 1)
    write(folder / "b.pdf", tree.first.read_bytes(), 2)

    def progress(total: int) -> NullProgress:
        assert total == 2
        gone.unlink()
        return NullProgress()

    db = tmp_path / "g.sqlite"
    with Store(db) as store:
        summary = Importer(store, jobs=1, progress=progress, display_root=folder).run([folder])
        assert store.counts() == {"files": 1, "forms": 1, "unreadable": 0}
    assert summary.lines("en") == [
        f"Database: {db}",
        "Imported: 1",
        "Imported with problems: 0",
        "Already imported: 0",
        "Not readable: 1",
        "Not readable:",
        "  a.pdf: the file cannot be read (No such file or directory)",
    ]
    assert [(i.sha256, i.code) for i in summary.issues] == [("", "unreadable")]


def test_a_mail_file_that_cannot_be_read_at_all_is_listed_and_nothing_of_it_kept(tmp_path: Path) -> None:
    """/proc/self/clear_refs opens but cannot be read (even by root): no checksum, so nothing is stored for it."""
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux /proc")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "refs.eml").symlink_to("/proc/self/clear_refs")
    db = tmp_path / "u.sqlite"
    with Store(db) as store:
        summary = Importer(store, jobs=1, display_root=folder).run([folder])
        assert (list(store.unreadable()), store.counts()) == ([], {"files": 0, "forms": 0, "unreadable": 0})
    assert [(i.path, i.sha256, i.outcome, i.code) for i in summary.issues] == [
        ("refs.eml", "", "not_readable", "mail_unreadable")
    ]
    assert summary.exit_code == 1


#: (audit arch, prctl's system call number) where a test can make the kernel refuse PR_SET_PDEATHSIG.
def _refuse_pdeathsig() -> None:
    """From now on (in this process and its children) prctl(PR_SET_PDEATHSIG) fails with EPERM, as in a
    sandbox that forbids it; the other system calls untouched."""
    import ctypes

    seccomp.refuse({"prctl": 1})  # PR_SET_PDEATHSIG
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(1, 9, 0, 0, 0) == -1 and ctypes.get_errno() == 1


_needs_seccomp = pytest.mark.skipif(not seccomp.SUPPORTED, reason=seccomp.REASON)


def _after(seconds: float, pid: int) -> int | None:
    """The exit status of child ``pid`` if it ends within ``seconds``, else None."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    return None


@_needs_seccomp
def test_where_the_kernel_will_not_end_a_worker_it_ends_silently_soon_after_the_import_is_killed() -> None:
    """A worker whose import (its parent) is killed with -9 ends by itself with status 0 within a second
    or so, where prctl is refused: else it would wait for tasks for ever. The worker, ``B``, is a child of
    ``A`` (the import); the test's own child ``S`` adopts it once ``A`` is gone (a subreaper) and waits."""
    import ctypes
    import signal
    import time

    from minicex_pdf.limits import ORPHAN_CHECK_SECONDS
    from minicex_pdf.storage import importer

    read, report = os.pipe()
    s = os.fork()
    if s == 0:  # S: the subreaper that watches over A and B
        try:
            ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
            alive_r, alive_w = os.pipe()
            a = os.fork()
            if a == 0:  # A: the import
                b = os.fork()
                if b == 0:  # B: its worker
                    _refuse_pdeathsig()
                    importer._end_with_parent(os.getppid())
                    time.sleep(0.2)  # the watcher has looked at least once
                    os.write(alive_w, b"alive")
                    time.sleep(30)
                    os._exit(3)
                os.close(alive_w)  # only B holds it: S reads "" at once if B ends before it says alive
                time.sleep(30)
                os._exit(0)
            os.close(alive_w)
            said = os.read(alive_r, 5)
            os.kill(a, signal.SIGKILL)
            os.waitpid(a, 0)
            killed = time.monotonic()
            status = None
            while status is None and time.monotonic() - killed < 5:  # B, adopted by S once A died
                done, raw = os.waitpid(-1, os.WNOHANG)
                status = os.waitstatus_to_exitcode(raw) if done else time.sleep(0.02)
            took = time.monotonic() - killed
            os.write(report, f"{said.decode()} {status} {took < ORPHAN_CHECK_SECONDS + 1.5}".encode())
        finally:
            os._exit(0)
    os.close(report)
    got = os.read(read, 100).decode()
    os.close(read)
    assert _after(10, s) == 0
    assert got == "alive 0 True"


def _watched_and_done() -> None:
    """A pool worker's life where prctl is refused: asks to end with its parent, then has no more work."""
    from minicex_pdf.storage import importer

    _refuse_pdeathsig()
    importer._end_with_parent(os.getppid())


@_needs_seccomp
def test_where_the_kernel_will_not_end_a_worker_its_watcher_does_not_keep_it_alive_once_done() -> None:
    """A worker process ends when its work is done (the pool then joins it) even with a watcher running."""
    import multiprocessing

    worker = multiprocessing.get_context("fork").Process(target=_watched_and_done)
    worker.start()
    worker.join(10)
    try:
        assert worker.exitcode == 0
    finally:
        worker.kill()
        worker.join()
