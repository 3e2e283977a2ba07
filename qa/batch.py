"""Batches: every file under some folders through the pipeline, with the fault policy of
qa/faults.py (retries, files given up on, a full disk stops the run) and a run record."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, TypeVar

import duckdb

from qa.errors import AudioError, BackendUnavailable
from qa.faults import DiskFull, is_disk_full, is_transient
from qa.ingest import discover
from qa.pipeline import Engine, _one_line, process_and_store
from qa.store import Store

log = logging.getLogger("qa")
T = TypeVar("T")


@dataclass
class RunSummary:
    """What a batch did; ``failures`` holds (path, reason)."""

    run_id: str
    seen: int = 0
    processed: int = 0
    skipped: int = 0
    no_speech: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    given_up: list[tuple[str, str]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)

    def add(self, path: Path, outcome: str, reason: str | None) -> None:
        """Count one file's outcome."""
        self.outcomes.append(outcome)
        if outcome == "failed":
            self.failures.append((str(path), reason or "unknown error"))
        elif outcome == "given_up":
            self.given_up.append((str(path), reason or ""))
        elif outcome == "skipped":
            self.skipped += 1
        else:
            self.processed += 1
            self.no_speech += outcome == "no_speech"

    @property
    def failed(self) -> int:
        return len(self.failures)

    def line(self) -> str:
        given_up = f", {len(self.given_up)} given up after repeated failures" if self.given_up else ""
        return (f"{self.seen} files: {self.processed} processed ({self.no_speech} without speech), "
                f"{self.skipped} skipped as already done, {self.failed} failed{given_up}")


def failure_reason(error: BaseException) -> str:
    """The one-line reason stored in ``failures`` for an error of one file."""
    return error.reason if isinstance(error, AudioError) else _one_line(error)


def given_up(store: Store, path: Path | str, engine: Engine) -> str | None:
    """Why ``path`` is no longer tried (it failed in ``[batch] max_failed_runs`` runs), or None."""
    nights = store.failed_runs(str(path))
    if nights >= engine.config.batch.max_failed_runs:
        return f"failed in {nights} runs, no longer tried (fix or remove the file)"
    return None


def with_retries(work: Callable[[], T], path: Path | str, engine: Engine,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """``work()``, tried again with back-off after a transient fault (qa/faults.py).

    A full disk becomes DiskFull; any other error is raised as it is.
    """
    batch = engine.config.batch
    for attempt in range(batch.retries + 1):
        try:
            return work()
        except BackendUnavailable:
            raise
        except Exception as error:
            if is_disk_full(error):
                raise DiskFull(f"{path}: no space left on device; the run stopped and every call stored "
                               "before this one is kept") from error
            if not is_transient(error) or attempt == batch.retries:
                raise
            wait = batch.retry_backoff_s * 2 ** attempt
            log.warning("%s: %s (transient, retrying in %.1f s)", path, _one_line(error), wait)
            sleep(wait)
    raise AssertionError("unreachable")


def handle_file(path: Path, engine: Engine, store: Store, run_id: str | None,
                sleep: Callable[[float], None] = time.sleep) -> tuple[str, str | None]:
    """Process one file; a failure is recorded in ``failures`` instead of raised.

    Returns (outcome, reason): outcome is 'processed', 'no_speech', 'skipped', 'failed' or
    'given_up' (see ``given_up``). A transient fault is retried (``with_retries``); any other
    error of this file is recorded, so one bad recording never stops a batch. A missing
    backend (BackendUnavailable) and a full disk (DiskFull) are raised: every later call would
    fail alike.
    """
    reason = given_up(store, path, engine)
    if reason is not None:
        return "given_up", reason
    try:
        return with_retries(lambda: process_and_store(path, engine, store, run_id), path, engine, sleep), None
    except (BackendUnavailable, DiskFull):
        raise
    except Exception as error:
        reason = failure_reason(error)
        log.warning("%s: %s", path, reason)
        store.record_failure(run_id, str(path), reason)
        return "failed", reason


def run_batch(
    paths: Iterable[str | Path],
    store: Store,
    engine: Engine,
    on_file: Callable[[Path, str], None] | None = None,
) -> RunSummary:
    """Process every recording under ``paths`` that the store does not hold yet.

    A file that fails is recorded in ``failures`` with its reason and the batch goes on; a
    full disk stops the batch (DiskFull is raised after the run is marked aborted).
    """
    files = discover(list(paths))
    summary = RunSummary(run_id=store.start_run(engine.models()), seen=len(files))
    status, error = "aborted", None
    try:
        for path in files:
            summary.add(path, *handle_file(path, engine, store, summary.run_id))
            if on_file is not None:
                on_file(path, summary.outcomes[-1])
        status = "completed"
    except DiskFull as full:
        error = str(full)
        raise
    finally:
        try:
            store.finish_run(summary.run_id, summary.seen, summary.processed, summary.skipped,
                             summary.failed, status, len(summary.given_up), error)
        except duckdb.Error as problem:  # a full disk may refuse this too; the run stays 'running'
            log.error("could not record the end of run %s: %s", summary.run_id, _one_line(problem))
    return summary
