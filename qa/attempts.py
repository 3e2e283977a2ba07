"""Dial attempts of outbound campaigns, for the connection rate: ``attempts.csv`` beside the
recordings lists every attempt, including those that never became a recording.

Columns (a header row; extra columns are ignored):

- ``operator_id``: who dialled;
- ``campaign``: the campaign (may be empty);
- ``time``: when, ISO 8601 (``2026-12-01T09:15:00+02:00``; no offset: UTC);
- ``disposition``: how it ended. ``connected`` (or ``answered``) counts as a connection; any
  other value (``no_answer``, ``busy``, ``voicemail``, ``failed``, ``invalid_number`` ...) does not.

A row that cannot be read is reported with its file and line, and the rest is loaded. Loading the
same file again adds only rows not stored before.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

ATTEMPTS_NAME = "attempts.csv"
CONNECTED = frozenset({"connected", "answered"})
COLUMNS = ("operator_id", "campaign", "time", "disposition")


@dataclass(frozen=True)
class Attempt:
    """One dial attempt."""

    operator_id: str
    campaign: str | None
    attempted_at: datetime
    disposition: str

    @property
    def connected(self) -> bool:
        return self.disposition in CONNECTED

    @property
    def key(self) -> str:
        """Identifies the attempt, so that loading a file twice stores it once."""
        text = "\x1f".join([self.operator_id, self.campaign or "", self.attempted_at.isoformat(), self.disposition])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def attempt_files(paths: Iterable[str | Path]) -> list[Path]:
    """The attempts.csv files in the folders of ``paths`` (searched recursively) or beside its files."""
    found: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            found.update(p.resolve() for p in path.rglob(ATTEMPTS_NAME) if p.is_file())
        elif (path.parent / ATTEMPTS_NAME).is_file():
            found.add((path.parent / ATTEMPTS_NAME).resolve())
    return sorted(found)


def _attempt(row: dict[str, str]) -> Attempt:
    operator = (row.get("operator_id") or "").strip()
    disposition = (row.get("disposition") or "").strip().lower()
    if not operator or not disposition:
        raise ValueError("operator_id and disposition must not be empty")
    try:
        when = datetime.fromisoformat((row.get("time") or "").strip())
    except ValueError:
        raise ValueError(f"time {row.get('time')!r} is not an ISO 8601 date and time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return Attempt(operator, (row.get("campaign") or "").strip() or None, when, disposition)


def read_attempts(path: Path) -> tuple[list[Attempt], list[str]]:
    """The attempts of one file and a one-line reason for each row (or the file) that could not be read."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                return [], [f"{path}: missing column(s) {', '.join(missing)} (needs {', '.join(COLUMNS)})"]
            attempts, problems = [], []
            for line, row in enumerate(reader, start=2):
                try:
                    attempts.append(_attempt(row))
                except ValueError as error:
                    problems.append(f"{path}:{line}: {error}")
            return attempts, problems
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return [], [f"{path}: cannot be read ({error})"]
