"""Which faults are worth a retry, and which stop a batch: one place to decide.

- fatal: every later call would fail alike, so the run stops cleanly (every call already
  stored stays stored, the call in progress leaves no rows) and says why:
  - a full disk (``DiskFull``): nothing more can be written;
  - a missing backend (``BackendUnavailable``): the message says what to install.
- transient: the file or the database was briefly unavailable (a file share that blinked, a
  database another process held past the lock timeout). The same call is tried again after a
  back-off.
- anything else is a property of the file: it is recorded in ``failures`` with a one-line
  reason, and the run goes on.

Errors travel as ``Fault`` values, classified where they happened: a Dask worker hands one
back (an exception's cause chain, which tells a full disk, does not survive pickling). The
batch core (``qa.batch.Run.attempt``) is the one place that acts on them.
"""

from __future__ import annotations

import errno
import logging
from dataclasses import dataclass, field
from typing import Callable, TypeVar

import duckdb

from qa.errors import AudioError, BackendUnavailable, DiskFull, QAError, one_line

log = logging.getLogger("qa")
T = TypeVar("T")

TRANSIENT_ERRNOS = frozenset({errno.EAGAIN, errno.EBUSY, errno.ETIMEDOUT, errno.EIO, errno.ESTALE,
                              errno.EINTR, errno.ECONNRESET, errno.EHOSTUNREACH})


def _chain(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def is_disk_full(error: BaseException) -> bool:
    """An ENOSPC anywhere in the error's chain (OSError, DuckDB or libsndfile messages)."""
    return isinstance(error, DiskFull) or any(
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


def is_fatal(error: BaseException) -> bool:
    """An error that stops the whole run: a full disk or a missing backend."""
    return isinstance(error, BackendUnavailable) or is_disk_full(error)


def failure_reason(error: BaseException) -> str:
    """The one-line reason stored in ``failures`` for an error of one file."""
    return error.reason if isinstance(error, AudioError) else one_line(error)


@dataclass(frozen=True)
class Fault:
    """An error of one call, classified where it happened (picklable).

    ``kind`` is 'disk_full' or 'backend' (fatal: the run stops), 'transient' (worth a retry)
    or 'file' (this file fails, the run goes on).
    """

    kind: str
    reason: str
    error: BaseException | None = field(default=None, compare=False, repr=False)  # here only, not pickled

    def __reduce__(self):
        return type(self), (self.kind, self.reason)

    @classmethod
    def of(cls, error: BaseException) -> "Fault":
        if isinstance(error, BackendUnavailable):
            kind = "backend"
        elif is_disk_full(error):
            kind = "disk_full"
        else:
            kind = "transient" if is_transient(error) else "file"
        return cls(kind, failure_reason(error), error)

    @property
    def fatal(self) -> bool:
        return self.kind in ("disk_full", "backend")

    @property
    def transient(self) -> bool:
        return self.kind == "transient"

    def stopping(self, path: object) -> Exception:
        """The error that stops the run, naming the file it happened on."""
        if self.kind == "disk_full":
            return DiskFull(f"{path}: no space left on device; the run stopped and every call stored "
                            "before this one is kept")
        return self.error if isinstance(self.error, BackendUnavailable) else BackendUnavailable(self.reason)

    def raised(self, path: object) -> Exception:
        """The error to raise where one call is all there is: the original where it is at hand."""
        if self.fatal:
            return self.stopping(path)
        return self.error if self.error is not None else QAError(f"{path}: {self.reason}")


def outcome_of(work: Callable[[], T]) -> T | Fault:
    """``work()``, or the Fault it raised: errors of one call become values to decide on."""
    try:
        return work()
    except Exception as error:  # noqa: BLE001 - classified here, decided on in qa.batch.Run.attempt
        log.debug("%s", one_line(error), exc_info=True)
        return Fault.of(error)
