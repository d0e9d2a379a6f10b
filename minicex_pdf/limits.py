"""Every size and time limit of minicex-pdf, in one flat documented list.

Each limit is a plain constant here; code that needs one imports it from this module, so the
numbers can be read (and changed) in one place.
"""

from __future__ import annotations

import os

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
