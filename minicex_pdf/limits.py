"""Every size and time limit of minicex-pdf, in one place.

A returned form is some hundred kB with ~80 fields and values of at most some
thousand characters; the limits sit far above anything a real form (even one
with 100,000 characters of feedback in UTF-16) reaches, and far below what
would cost a process more than a second of CPU or 200 MB of memory. A file
beyond one is classified (damaged, not readable), never read half-way.

A flat list: one constant, one line saying what it bounds and why.
"""

from __future__ import annotations

import os

# ---------------------------------------------------------------- files read (read, import, prefill)

#: Largest PDF read at all (checked with stat before reading; at most this + 1 bytes are read).
MAX_FILE_SIZE = 32 * 1024 * 1024
#: Bytes looked at for ``%PDF-`` (viewers accept the header anywhere in the first kB).
HEADER_WINDOW = 1024
#: Most words like ``obj`` after the last ``%%EOF`` looked at before a file is taken for cut off.
MAX_TAIL_WORDS = 1_000
#: Largest roster file (CSV or XLSX) read by ``prefill``.
ROSTER_MAX_BYTES = 20 * 1024 * 1024
#: Rows at the top of a roster sheet searched for the header row (below title and blank rows).
ROSTER_HEADER_SEARCH_ROWS = 30
#: Lines one quoted CSV cell may run over (a cell with line breaks) before its quote counts as stray.
ROSTER_MAX_CELL_LINES = 10
#: Rows of an XLSX roster template whose regulation cell offers the drop-down list.
ROSTER_TEMPLATE_ROWS = 1000
#: Longest pre-filled file name stem in UTF-8 bytes, in NFC and in NFD (file systems allow 255).
MAX_STEM_BYTES = 120

# ---------------------------------------------------------------- time

#: CPU seconds one file's read may take, checked inside every long scan (a form takes some ms).
READ_CPU_SECONDS = 0.5
#: Tokens or bytes scanned between two looks at the CPU budget inside one long scan.
BUDGET_CHECK_EVERY = 4096

#: CPU seconds verifying one file's signatures may take (pyHanko: parse, digest, certificate path and the
#: revision-by-revision difference analysis; some 50 ms for a real form), after pyHanko is loaded.
SIGNATURE_CPU_SECONDS = 5.0
#: Most saved revisions a signed file may have: pyHanko compares each one after the signature with the
#: signed one, so a hostile file with thousands would take minutes. A real form has a handful.
MAX_SIGNED_REVISIONS = 64

#: How often an import worker looks whether its parent is gone, where the kernel cannot tell it (not Linux).
ORPHAN_CHECK_SECONDS = 0.5

# ---------------------------------------------------------------- objects (lexer)

#: Longest string (literal or hex, bytes as in the file): 100,000 characters of UTF-16 as hex is 400 kB.
MAX_STRING = 2 * 1024 * 1024
#: Deepest nesting of arrays and dictionaries in one object.
MAX_NESTING = 64
#: Most tokens in one object.
MAX_TOKENS = 200_000
#: How far ahead the quick parser looks for an object's end; larger objects take the careful parser.
QUICK_WINDOW = 64 * 1024
#: Largest inflated object stream.
MAX_INFLATED = 16 * 1024 * 1024
#: All of one file's inflated object streams together.
MAX_INFLATED_TOTAL = 48 * 1024 * 1024
#: Most objects taken from one object stream (a form's hold some hundred).
MAX_OBJSTM_OBJECTS = 100_000
#: Most entries pypdf takes from one cross-reference stream.
MAX_XREF_ENTRIES = 500_000

# ---------------------------------------------------------------- the form (walker)

#: Deepest /Kids or /Parent chain, and page tree, followed.
MAX_DEPTH = 32
#: Most field, widget and page-tree nodes visited in one file.
MAX_NODES = 5_000
#: Most items taken from one array value (/V of a list box, /Opt).
MAX_ARRAY_ITEMS = 1_000
#: Most earlier versions (``%%EOF`` marks before the end) whose checksum a file's record keeps.
MAX_EARLIER_VERSIONS = 64
#: Most document information entries kept, and characters of each.
MAX_INFO_ENTRIES = 64
MAX_INFO_CHARS = 1_000

# ---------------------------------------------------------------- streams (pypdf's decoders)

#: Largest declared stream length pypdf accepts (no stream is longer than the file).
MAX_STREAM_LENGTH = MAX_FILE_SIZE
#: Largest output of one decoded stream (pypdf's default is 75 MB): a form's xref and object streams are small.
MAX_DECODED_STREAM = 16 * 1024 * 1024
#: Most bytes pypdf's decoders may work through for one stream.
MAX_DECODE_WORK = 48 * 1024 * 1024
#: Most elements pypdf builds in one array or dictionary.
MAX_PYPDF_ELEMENTS = 50_000
#: Most filters chained on one stream.
MAX_FILTERS = 4

# ---------------------------------------------------------------- e-mail (minicex_pdf.mail)

#: A mail message (one .eml, one message of an .mbox or .msg, one IMAP message) larger
#: than this is not read: it is listed in the summary as too large.
MAIL_MESSAGE_MAX_BYTES = 40 * 1024 * 1024
#: A PDF attachment larger than this is not read: the largest PDF read at all.
MAIL_ATTACHMENT_MAX_BYTES = MAX_FILE_SIZE
#: PDF attachments taken from one message at most (the rest are listed as skipped).
MAIL_ATTACHMENTS_MAX = 200
#: Forwarded messages inside forwarded messages are opened this deep at most.
MAIL_NESTING_MAX = 5
#: An .mbox file holds at most this many messages read in one import.
MBOX_MESSAGES_MAX = 100_000
#: Seconds to wait for the SMTP or IMAP server on any one step before giving up.
MAIL_TIMEOUT_SECONDS = 60.0
#: Default pause between two messages sent, so as to respect a server's sending limits.
SEND_PAUSE_SECONDS = 2.0
#: A message template (subject + plain text + HTML) larger than this is not a template.
MAIL_TEMPLATE_MAX_BYTES = 256 * 1024
#: The --config TOML file larger than this is not a config file.
MAIL_CONFIG_MAX_BYTES = 64 * 1024

# ---------------------------------------------------------------- the store

#: Seconds a command waits for another program (another import, a database browser) to release
#: its lock on the store before it gives up with a clear message. The environment variable
#: ``MINICEX_LOCK_WAIT`` (seconds) overrides it, e.g. for tests or a slow network share.
STORE_LOCK_WAIT = 10.0


def store_lock_wait() -> float:
    """:data:`STORE_LOCK_WAIT`, or ``MINICEX_LOCK_WAIT`` from the environment when set to a number >= 0."""
    given = os.environ.get("MINICEX_LOCK_WAIT", "")
    try:
        value = float(given)
    except ValueError:
        return STORE_LOCK_WAIT
    return value if value >= 0 else STORE_LOCK_WAIT
