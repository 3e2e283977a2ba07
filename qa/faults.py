"""Which faults are worth a retry, and which stop a batch: one place to decide.

- transient: the file or the database was briefly unavailable (a file share that blinked, a
  database another process held past the lock timeout). The same call is tried again after a
  back-off; any other error is a property of the file and is recorded at once.
- disk full: nothing more can be written, so the batch stops cleanly (every call already
  stored stays stored, the call in progress leaves no rows) and says so.
"""

from __future__ import annotations

import errno

import duckdb

from qa.errors import QAError

TRANSIENT_ERRNOS = frozenset({errno.EAGAIN, errno.EBUSY, errno.ETIMEDOUT, errno.EIO, errno.ESTALE,
                              errno.EINTR, errno.ECONNRESET, errno.EHOSTUNREACH})


class DiskFull(QAError):
    """No space left where the database or the audio copies are written."""


def _chain(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def is_disk_full(error: BaseException) -> bool:
    """An ENOSPC anywhere in the error's chain (OSError, DuckDB or libsndfile messages)."""
    return any(
        (isinstance(e, OSError) and e.errno == errno.ENOSPC) or "no space left on device" in str(e).lower()
        for e in _chain(error)
    )


def is_transient(error: BaseException) -> bool:
    """A fault that may well pass if the same call is tried again shortly."""
    for e in _chain(error):
        if isinstance(e, OSError) and e.errno in TRANSIENT_ERRNOS:
            return True
        if isinstance(e, duckdb.IOException) and "lock" in str(e).lower():
            return True
    return False
