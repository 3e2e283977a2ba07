"""Batches: every file under some folders through the pipeline, with the fault policy of
qa/faults.py (retries, files given up on, a full disk stops the run) and a run record."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

import duckdb

from qa.audio import load_audio, probe_duration
from qa.errors import AudioError, BackendUnavailable
from qa.faults import DiskFull, is_disk_full, is_transient
from qa.heap import trimming_heap
from qa.ingest import discover, identify
from qa.pipeline import Decoded, Engine, _one_line, analyze_calls, process_and_store, store_result, with_vad
from qa.store import Store
from qa.types import Call

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
        for path, outcome, reason in process_files(files, engine, store, summary.run_id):
            summary.add(path, outcome, reason)
            if on_file is not None:
                on_file(path, outcome)
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


@dataclass
class _Queued:
    """A new call whose audio is being decoded in the background."""

    path: Path
    call: Call
    decoded: Future


def process_files(files: Iterable[Path], engine: Engine, store: Store,
                  run_id: str | None) -> Iterator[tuple[Path, str, str | None]]:
    """Process ``files`` in groups; yield (path, outcome, reason) for each, as they are decided.

    Calls are grouped (``[batch] group_calls`` calls, ``group_audio_s`` seconds of audio at
    most) so that one ASR pass decodes the windows of a whole group in full batches; while a
    group is analysed, the next one is decoded and VAD-ed on background threads. Every call
    is still stored in its own transaction, and a failure lands on its own file only.
    Outcomes are as in ``handle_file``.
    """
    batch = engine.config.batch
    seen: set[str] = set()  # a copy of a file already queued in this run counts once
    queued: list[_Queued] = []
    queued_seconds = 0.0
    waiting: list[_Queued] | None = None  # the previous group: decoded, not yet analysed
    # two threads decode (and VAD) the next group while this one is analysed; the first group
    # is waited for, and decoding and Silero VAD use one core each
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="callqa-decode") as decoder, \
            trimming_heap(batch.trim_heap_s):
        for path in files:
            path = Path(path)
            reason = given_up(store, path, engine)
            if reason is not None:
                yield path, "given_up", reason
                continue
            try:
                with engine.timer.stage("ingest"):
                    call = with_retries(lambda: identify(path), path, engine)
                    known = call.call_id in seen or store.has_call(call.call_id)
            except (BackendUnavailable, DiskFull):
                raise
            except Exception as error:
                yield _failed(path, error, store, run_id)
                continue
            if known:
                yield path, "skipped", None
                continue
            seen.add(call.call_id)
            queued.append(_Queued(path, call, decoder.submit(_decode, path, call, engine)))
            queued_seconds += probe_duration(path) or batch.group_audio_s
            if len(queued) >= batch.group_calls or queued_seconds >= batch.group_audio_s:
                if waiting:
                    yield from _analyze_group(waiting, engine, store, run_id)
                waiting, queued, queued_seconds = queued, [], 0.0
        for group in (waiting, queued):
            if group:
                yield from _analyze_group(group, engine, store, run_id)


def _decode(path: Path, call: Call, engine: Engine) -> Decoded:
    """Decode and VAD one call (on a background thread)."""
    with engine.timer.stage("decode"):
        audio = with_retries(lambda: load_audio(path, engine.config.batch.max_duration_s), path, engine)
    return with_vad(call, audio, engine)


def _analyze_group(group: list[_Queued], engine: Engine, store: Store,
                   run_id: str | None) -> Iterator[tuple[Path, str, str | None]]:
    """Analyse one decoded group together, then store each call in its own transaction."""
    decoded: list[tuple[_Queued, Decoded]] = []
    for queued in group:
        try:
            decoded.append((queued, queued.decoded.result()))
        except (BackendUnavailable, DiskFull):
            raise
        except Exception as error:
            yield _failed(queued.path, error, store, run_id)
    results = analyze_calls([d for _, d in decoded], engine, store.path)
    for (queued, d), result in zip(decoded, results):
        try:
            if isinstance(result, Exception):
                if not (is_transient(result) or is_disk_full(result)):
                    raise result
                result = with_retries(lambda: _analyze_one(d, engine, store.path), queued.path, engine)
            with engine.timer.stage("store"):
                outcome = with_retries(lambda: store_result(result, store, run_id), queued.path, engine)
        except (BackendUnavailable, DiskFull):
            raise
        except Exception as error:
            yield _failed(queued.path, error, store, run_id)
            continue
        yield queued.path, outcome, None


def _analyze_one(decoded: Decoded, engine: Engine, db_path: Path):
    result = analyze_calls([decoded], engine, db_path)[0]
    if isinstance(result, Exception):
        raise result
    return result


def _failed(path: Path, error: BaseException, store: Store, run_id: str | None) -> tuple[Path, str, str]:
    reason = failure_reason(error)
    log.warning("%s: %s", path, reason)
    store.record_failure(run_id, str(path), reason)
    return path, "failed", reason
