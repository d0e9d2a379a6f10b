"""Every error is one line naming the file, in Swedish or English, with a stable kind code for exports."""

from __future__ import annotations

import errno
import tomllib

from minicex_pdf.errors import (
    DamagedPdfError,
    DefinitionError,
    EncryptedPdfError,
    FormReadError,
    MinicexError,
    NoFormFieldsError,
    NotAFileError,
    NotAPdfError,
    NotMinicexError,
    OutputError,
    RosterError,
    StoreError,
    UnknownVersionError,
    UsageError,
    XfaFormError,
    os_error_message,
)


def test_operating_system_errors_in_each_language():
    gone = FileNotFoundError(errno.ENOENT, "No such file or directory", "/data/svar.pdf")
    assert os_error_message(gone) == "/data/svar.pdf: No such file or directory"
    assert os_error_message(gone, "sv") == "/data/svar.pdf: filen eller mappen finns inte"
    full = OSError(errno.ENOSPC, "No space left on device")
    assert (os_error_message(full), os_error_message(full, "sv")) == ("No space left on device", "disken är full")
    odd = OSError(errno.EXDEV, "Invalid cross-device link", "a.pdf")
    assert os_error_message(odd, "sv") == "a.pdf: Invalid cross-device link"  # no Swedish words: the system's
    assert os_error_message(OSError("bare words")) == "bare words"
    assert os_error_message(OSError("bare words"), "sv") == "bare words"


def test_a_file_that_cannot_be_read_says_so_in_each_language():
    err = FormReadError("svar.pdf", "Permission denied")
    assert (str(err), err.message("sv"), err.message("de")) == (
        "svar.pdf: the file cannot be read (Permission denied)",
        "svar.pdf: filen kan inte läsas (Permission denied)",
        "svar.pdf: the file cannot be read (Permission denied)",
    )
    assert (err.path, err.kind) == ("svar.pdf", "unreadable")
    assert NotAPdfError("x.pdf").message("sv") == "x.pdf: inte en PDF-fil"


def test_what_a_path_is_instead_of_a_file_is_said_and_stays_with_that_error():
    fifo = NotAFileError("/tmp/pipe", "fifo")
    assert (fifo.message(), fifo.message("sv")) == (
        "/tmp/pipe: not a regular file but a named pipe (FIFO)",
        "/tmp/pipe: inte en vanlig fil utan en namngiven pipe (FIFO)",
    )
    assert NotAFileError("/dev/zero", "device").message() == "/dev/zero: not a regular file but a device"
    assert NotAFileError("svar", "folder").message("sv") == "svar: inte en vanlig fil utan en mapp"
    assert NotAFileError("odd").message() == "odd: not a regular file"
    assert NotAFileError("odd", "socket").message("sv") == "odd: inte en vanlig fil"


def test_the_kind_codes_exports_and_reports_use():
    kinds = [
        cls("f").kind
        for cls in (
            FormReadError,
            NotAFileError,
            NotAPdfError,
            DamagedPdfError,
            EncryptedPdfError,
            NoFormFieldsError,
            XfaFormError,
            NotMinicexError,
            UnknownVersionError,
        )
    ]
    assert kinds == [
        "unreadable",
        "not_a_file",
        "not_pdf",
        "damaged",
        "encrypted",
        "no_fields",
        "xfa",
        "not_minicex",
        "unknown_version",
    ]


def test_usage_and_store_errors_in_swedish_when_given():
    err = UsageError("out.pdf exists", sv="out.pdf finns redan")
    assert (str(err), err.message(), err.message("sv")) == ("out.pdf exists", "out.pdf exists", "out.pdf finns redan")
    assert UsageError("only English").message("sv") == "only English"
    store = StoreError("db.sqlite: locked", kind="locked", sv="db.sqlite: låst")
    assert (store.kind, store.message(), store.message("sv")) == ("locked", "db.sqlite: locked", "db.sqlite: låst")
    assert StoreError("db.sqlite: odd").kind == "other"
    assert StoreError("db.sqlite: odd").message("sv") == "db.sqlite: odd"


def test_one_base_class():
    for cls in (DefinitionError, UsageError, OutputError, RosterError, StoreError, FormReadError, NotAFileError):
        assert issubclass(cls, MinicexError)
    assert issubclass(OutputError, UsageError) and issubclass(RosterError, UsageError)


def test_swedish_read_from_a_config_file_is_swedish():
    sv = tomllib.loads('lang = "sv"')["lang"]  # a string made at run time, as the config file gives it
    gone = FileNotFoundError(errno.ENOENT, "No such file or directory", "svar.pdf")
    assert os_error_message(gone, sv) == "svar.pdf: filen eller mappen finns inte"
    assert UsageError("exists", sv="finns").message(sv) == "finns"
    assert StoreError("locked", "locked", sv="låst").message(sv) == "låst"
