"""The exception tree of callqa, documented in one place.

QAError                 base of everything callqa raises on purpose
├── AudioError          a recording cannot be used (missing, empty, corrupt, not audio)
├── BackendUnavailable  an optional backend is not installed (the message says what to install);
│                       stops a batch run: every later call would fail alike
├── ConfigError         a configuration file or value is invalid
└── DiskFull            nothing more can be written where the database or the audio copies
                        live; stops a batch run (every call stored before it is kept)

Which errors stop a run and which fail only their file is decided in ``qa/faults.py``.
"""

from __future__ import annotations


class QAError(Exception):
    """Base class of callqa's own errors; ``str(error)`` is one line meant for a person."""


class AudioError(QAError):
    """A recording cannot be decoded or holds no usable audio."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self):  # picklable, so a worker process can hand it back
        return type(self), (self.path, self.reason)


class BackendUnavailable(QAError):
    """An optional heavy dependency is missing; the message carries the install hint."""


class ConfigError(QAError):
    """A configuration value is missing, of the wrong type or out of range."""


class DiskFull(QAError):
    """No space left where the database or the audio copies are written."""


def one_line(error: BaseException) -> str:
    """The first line of an error's message (its type's name when it has none)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
