"""The embedded store: one SQLite file of imported records, their problems and unreadable files.

Each imported file is one row of ``forms``: indexed columns for lookups and the
whole :meth:`Record.to_dict` as JSON, so that :meth:`Store.records` rebuilds
the record exactly (values typed by the definition of the form's version).
Problems have their own table; files that could not be read go in
``unreadable`` so that a later run reports them again without re-reading them.

Which files are one assessment is decided from their content by
:mod:`.identity`: a form returned again after more filling is a new *revision*
(older revisions stay); copies of one pre-filled form used for other
assessments, or walk-in blanks of one trainee, are forms of their own. Each
file's ``pool``, compared ``part`` and fullness are stored with it, and when a
file arrives the files of its pool are grouped again, so ``form_key`` and
``revision`` are the same whatever order the files came in. ``form_key`` names
an assessment and may change as files arrive: the stable handle of a file is
its row id or SHA-256. Each file is written in one transaction, so an import
stopped at any moment leaves a consistent database. The schema has a version
(``PRAGMA user_version``) and migrates forward.

Every SQLite fault (damaged, locked, read-only, disk full) becomes a
:class:`~minicex_pdf.errors.StoreError` whose one-line message names the file and
says what to do. Exports and reports open the store read-only (``readonly=True``)
and read past damaged rows, naming them in :attr:`Store.damaged`.

:class:`Store` is the one object callers build; its jobs live in their own modules:

- :mod:`.connection` (:class:`StoreFile`): opening, creating and migrating the file, checks, the fault guard;
- :mod:`.schema`: the SQL, the migrations; :mod:`.faults`: the messages, the transaction;
- :mod:`.intake` (:class:`Intake`): storing a file, remembering an unreadable one;
- :mod:`.grouping`: which stored files are one assessment, grouped again as files arrive;
- :mod:`.queries` (:class:`Queries`): forms, counts and trainees, past damaged rows;
- :mod:`.mailbook` (:class:`MailBook`): e-mails sent and read;
- :mod:`.stored`: the values it gives back (:class:`Stored`, :class:`StoredRow`, :class:`Unreadable`, ...).
"""

from __future__ import annotations

from .connection import StoreFile
from .faults import fault as _fault
from .faults import store_error
from .intake import Intake
from .mailbook import MailBook
from .queries import Queries
from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Step, schema_objects
from .schema import statements as _statements
from .stored import Provenance, Stored, StoredRow, Unreadable, key_fields, reason_of, record_from_dict

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Provenance",
    "Step",
    "Store",
    "StoreFile",
    "Stored",
    "StoredRow",
    "Unreadable",
    "_fault",
    "_statements",
    "key_fields",
    "reason_of",
    "record_from_dict",
    "schema_objects",
    "store_error",
]


class Store(Queries, Intake, MailBook):
    """One SQLite file of imported forms; created or migrated forward when opened.

    ``readonly`` opens for reading only (exports, reports): nothing is written, and a
    store in a read-only file or folder can still be read. ``lock_wait`` is how many
    seconds to wait for another program's lock (default :func:`limits.store_lock_wait`).
    Every SQLite fault becomes a :class:`StoreError` whose message names the file.
    """
