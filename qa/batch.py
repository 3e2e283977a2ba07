"""The batch core: a run over many recordings that never loses a call and never counts one twice.

A ``Run`` owns everything but the analysis itself: which files are tried (files given up on,
identify, copies within the run, calls already stored), the run record, retries, the store,
and the one decision whether an error stops the run or fails only its file
(``Run.attempt``, acting on the fault kinds of qa/faults.py). The analysis is an executor's
(qa/executor.py): ``LocalExecutor`` in this process, or the Dask executor of the Prefect flow.
``callqa run`` and the flow differ only in the executor.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

import duckdb

from qa.attempts import attempt_files, read_attempts
from qa.engine import Engine
from qa.errors import one_line
from qa.executor import Executor, LocalExecutor
from qa.faults import Fault, outcome_of
from qa.ingest import discover, identify
from qa.store import Store
from qa.types import Call, CallResult

log = logging.getLogger("qa")
T = TypeVar("T")
_NOT_YET = object()


@dataclass
class RunSummary:
    """What a batch did; ``failures`` and ``given_up`` hold (path, reason)."""

    run_id: str
    seen: int = 0
    processed: int = 0
    skipped: int = 0
    no_speech: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    given_up: list[tuple[str, str]] = field(default_factory=list)
    attempts: int = 0  # dial attempts newly loaded from attempts.csv files
    attempt_problems: list[str] = field(default_factory=list)  # rows or files that could not be read

    def add(self, path: Path, outcome: str, reason: str | None) -> None:
        """Count one file's outcome."""
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
        attempts = f"; {self.attempts} dial attempts loaded" if self.attempts else ""
        return (f"{self.seen} files: {self.processed} processed ({self.no_speech} without speech), "
                f"{self.skipped} skipped as already done, {self.failed} failed{given_up}{attempts}")


RESERVE_BYTES = 512 * 1024  # two DuckDB blocks


def _reserve_space(db: Path, run_id: str) -> Path | None:
    """A file of RESERVE_BYTES beside the database, held while a run lasts and removed before its
    end is recorded, so that a disk filled by the run still has room for that record."""
    reserve = db.with_name(f".{db.name}.{run_id[:12]}.reserve")
    try:
        with reserve.open("wb") as handle:
            handle.write(bytes(RESERVE_BYTES))
        return reserve
    except OSError:  # a disk already full: the run will say so when it writes
        reserve.unlink(missing_ok=True)
        return None


class Run:
    """One batch run into a store, recorded in ``runs``: use as a context manager.

    A run that ends by an exception (a full disk, a missing backend) is marked aborted with
    its one-line reason; every call stored before it stays stored.
    """

    def __init__(self, store: Store, engine: Engine, on_file: Callable[[Path, str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.store, self.engine, self.on_file, self.sleep = store, engine, on_file, sleep
        self.summary = RunSummary(run_id="")

    def __enter__(self) -> "Run":
        self.summary = RunSummary(run_id=self.store.start_run(self.engine.models()))
        self._reserve = _reserve_space(self.store.path, self.summary.run_id)
        return self

    def __exit__(self, kind, error, traceback) -> None:
        s = self.summary
        if self._reserve is not None:  # freed first: on a full disk, the end of the run still fits
            self._reserve.unlink(missing_ok=True)
        try:
            self.store.finish_run(s.run_id, s.seen, s.processed, s.skipped, s.failed,
                                  "completed" if error is None else "aborted", len(s.given_up),
                                  None if error is None else one_line(error))
        except duckdb.Error as problem:  # a full disk may refuse this too; the run stays 'running'
            log.error("could not record the end of run %s: %s", s.run_id, one_line(problem))

    def process(self, files: list[Path], executor: Executor) -> RunSummary:
        """Every file through ``executor``; each new call stored in its own transaction."""
        self.summary.seen += len(files)
        for analyzed in executor.analyze(self.select(files)):
            result = self.attempt(analyzed.path, analyzed.again, first=analyzed.outcome)
            if result is not None:
                with self.engine.timer.stage("store"):
                    outcome = self.attempt(analyzed.path, lambda: self._save(result))
                if outcome is not None:
                    self._record(analyzed.path, outcome)
        return self.summary

    def select(self, files: Iterable[Path]) -> Iterator[tuple[Path, Call]]:
        """The calls to analyse; files given up on, unreadable or already stored are recorded
        here. A second copy of a recording in one run counts once."""
        seen: set[str] = set()
        for path in map(Path, files):
            reason = self.given_up(path)
            if reason is not None:
                self._record(path, "given_up", reason)
                continue
            with self.engine.timer.stage("ingest"):
                call = self.attempt(path, lambda: identify(path))
                known = call is not None and (call.call_id in seen or self.store.has_call(call.call_id))
            if call is None:
                continue
            if known:
                self._record(path, "skipped")
                continue
            seen.add(call.call_id)
            yield path, call

    def attempt(self, path: Path, work: Callable[[], T | Fault], first: T | Fault = _NOT_YET) -> T | None:
        """``work()`` (or ``first``, an outcome already at hand), retried with back-off after a
        transient fault. The one place that decides: a fatal fault stops the run (raised), any
        other fails only this file (recorded; None is returned)."""
        batch = self.engine.config.batch
        for attempt in range(batch.retries + 1):
            value = first if attempt == 0 and first is not _NOT_YET else outcome_of(work)
            if not isinstance(value, Fault):
                return value
            if value.fatal:
                raise value.stopping(path)
            if not value.transient or attempt == batch.retries:
                break
            wait = batch.retry_backoff_s * 2 ** attempt
            log.warning("%s: %s (transient, retrying in %.1f s)", path, value.reason, wait)
            self.sleep(wait)
        log.info("%s: %s", path, value.reason)  # callers report failures (callqa run lists them at the end)
        self.store.record_failure(self.summary.run_id, str(path), value.reason)
        self._record(path, "failed", value.reason)
        return None

    def given_up(self, path: Path) -> str | None:
        """Why ``path`` is no longer tried (it failed in ``[batch] max_failed_runs`` runs), or None."""
        nights = self.store.failed_runs(str(path))
        if nights >= self.engine.config.batch.max_failed_runs:
            return f"failed in {nights} runs, no longer tried (fix or remove the file)"
        return None

    def _save(self, result: CallResult) -> str:
        if self.store.has_call(result.call.call_id):  # stored meanwhile: the file changed, another writer
            return "skipped"
        return self.store.save(result, self.summary.run_id)

    def _record(self, path: Path, outcome: str, reason: str | None = None) -> None:
        self.summary.add(path, outcome, reason)
        if self.on_file is not None:
            self.on_file(path, outcome)


def run_batch(paths: Iterable[str | Path], store: Store, engine: Engine,
              on_file: Callable[[Path, str], None] | None = None, executor: Executor | None = None,
              sleep: Callable[[float], None] = time.sleep) -> RunSummary:
    """Process every recording under ``paths`` that the store does not hold yet.

    A file that fails is recorded in ``failures`` with its reason and the batch goes on; a
    full disk or a missing backend stops it (raised after the run is marked aborted).
    ``executor`` analyses the calls (default: in this process, a group at a time).
    """
    paths = list(paths)
    files = discover(paths)
    with Run(store, engine, on_file, sleep) as run:
        summary = run.process(files, executor or LocalExecutor(engine, store.path))
    load_attempts(paths, store, summary)
    return summary


def load_attempts(paths: Iterable[str | Path], store: Store, summary: RunSummary) -> None:
    """Store the dial attempts of the attempts.csv files under ``paths`` (for the connection rate),
    counting the new ones and each unreadable row in ``summary``."""
    for path in attempt_files(paths):
        attempts, problems = read_attempts(path)
        summary.attempts += store.save_attempts(attempts, str(path))
        summary.attempt_problems += problems
