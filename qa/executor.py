"""Executors: who analyses the calls a batch run selected. Each turns (path, call) pairs into
``Analyzed`` outcomes, a CallResult or a Fault per call, and never touches the store.

``LocalExecutor`` works in this process, a group of calls at a time, so that one ASR pass
decodes the windows of a whole group in full batches; while a group is analysed the next one
is decoded and VAD-ed on background threads. The Prefect flow's Dask executor
(pipelines/scale_out.py) sends the same groups to worker processes.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from qa.audio import load_audio, probe_duration
from qa.config import BatchConfig
from qa.engine import Engine
from qa.faults import Fault, outcome_of
from qa.heap import trimming_heap
from qa.pipeline import Decoded, analyze_calls, with_vad
from qa.types import Call, CallResult

Outcome = CallResult | Fault
Selected = tuple[Path, Call]
# How a group of decoded calls is analysed: by default ``analyze_calls`` here; the Prefect flow
# wraps it in a task so that each group shows in its UI.
GroupRunner = Callable[[Callable[[list[Decoded]], list[Outcome]], list[Decoded]], list[Outcome]]


@dataclass(frozen=True, eq=False)
class Analyzed:
    """One call's outcome, and how to analyse that call alone once more (after a transient fault)."""

    path: Path
    call: Call
    outcome: Outcome
    again: Callable[[], Outcome]


class Executor(Protocol):
    def analyze(self, calls: Iterable[Selected]) -> Iterator[Analyzed]:
        """An outcome for every call, in any order, as each is known."""


def groups(calls: Iterable[Selected], batch: BatchConfig) -> Iterator[list[Selected]]:
    """Calls in groups of ``[batch] group_calls`` calls and ``group_audio_s`` seconds at most
    (a file whose length cannot be read cheaply counts as a whole group's worth)."""
    group: list[Selected] = []
    seconds = 0.0
    for selected in calls:
        group.append(selected)
        seconds += probe_duration(selected[0]) or batch.group_audio_s
        if len(group) >= batch.group_calls or seconds >= batch.group_audio_s:
            yield group
            group, seconds = [], 0.0
    if group:
        yield group


class LocalExecutor:
    """Calls analysed in this process, a group at a time, the next group decoded meanwhile."""

    def __init__(self, engine: Engine, db_path: Path, run_group: GroupRunner | None = None) -> None:
        self.engine, self.db_path = engine, Path(db_path)
        self.run_group = run_group or (lambda analyze, decoded: analyze(decoded))

    def analyze(self, calls: Iterable[Selected]) -> Iterator[Analyzed]:
        waiting: list[tuple[Path, Call, Future]] | None = None  # decoded, not yet analysed
        # two threads decode (and VAD) the next group while this one is analysed; decoding and
        # Silero VAD use one core each
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="callqa-decode") as decoder, \
                trimming_heap(self.engine.config.batch.trim_heap_s):
            for group in groups(calls, self.engine.config.batch):
                queued = [(path, call, decoder.submit(self._decode, path, call)) for path, call in group]
                if waiting:
                    yield from self._analyze_group(waiting)
                waiting = queued
            if waiting:
                yield from self._analyze_group(waiting)

    def alone(self, path: Path, call: Call) -> Outcome:
        """One call decoded and analysed by itself."""
        decoded = outcome_of(lambda: self._decode(path, call))
        return decoded if isinstance(decoded, Fault) else self._analyze([decoded])[0]

    def _decode(self, path: Path, call: Call) -> Decoded:
        with self.engine.timer.stage("decode"):
            audio = load_audio(path, self.engine.config.batch.max_duration_s)
        return with_vad(call, audio, self.engine)

    def _analyze(self, decoded: list[Decoded]) -> list[Outcome]:
        return analyze_calls(decoded, self.engine, self.db_path)

    def _analyze_group(self, group: list[tuple[Path, Call, Future]]) -> Iterator[Analyzed]:
        decoded = [outcome_of(future.result) for _, _, future in group]
        ready = [d for d in decoded if not isinstance(d, Fault)]
        analysed = iter(self.run_group(self._analyze, ready) if ready else ())
        for (path, call, _), d in zip(group, decoded):
            outcome = d if isinstance(d, Fault) else next(analysed)
            yield Analyzed(path, call, outcome, lambda path=path, call=call: self.alone(path, call))
