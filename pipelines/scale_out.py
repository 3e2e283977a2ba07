"""The Dask executor of the nightly flow: groups of calls analysed in worker processes.

Each worker process loads the models once and analyses a whole group of calls per task, so
its ASR shares batches as a local run's does. Workers never touch DuckDB: they hand back a
CallResult or a Fault per call, and the flow process, the only writer, stores them through
the batch core (qa/batch.py), which decides on retries and failures as for a local run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Iterator

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE
from prefect.states import Failed

from qa.config import BatchConfig, load_config
from qa.engine import engine_for
from qa.executor import Analyzed, LocalExecutor, Outcome, Selected, groups
from qa.faults import Fault, outcome_of


def group_name(paths: list[str]) -> str:
    """A group task run's name in the UI: its first file's name and how many more."""
    return Path(paths[0]).name + (f" +{len(paths) - 1}" if len(paths) > 1 else "")


def _run_name(parameters: dict[str, Any]) -> str:
    return group_name(parameters["paths"])


def task_state(outcomes: list[Outcome], paths: list[str]):
    """The outcomes as a task returns them: a failed state (red in the UI) when a call failed,
    carrying the outcomes all the same."""
    failed = [f"{Path(path).name}: {o.reason}" for path, o in zip(paths, outcomes) if isinstance(o, Fault)]
    return Failed(message="; ".join(failed), data=outcomes) if failed else outcomes


def task_outcomes(value: Any, size: int) -> list[Outcome]:
    """A group task's outcomes, whatever became of it (a worker that died fails each call)."""
    if isinstance(value, BaseException):
        value = Fault.of(value)
    return [value] * size if isinstance(value, Fault) else list(value)


# Results are never persisted by Prefect: a CallResult holds (redacted) transcripts, which
# belong in DuckDB only; caching is off so a call is never "done" because Prefect says so.
@task(name="analyze-calls", task_run_name=_run_name, cache_policy=NO_CACHE, persist_result=False)
def analyze_group(paths: list[str], calls: list, db: str, config_path: str | None):
    """In a worker: a group of calls analysed together (models load once per worker process)."""
    executor = LocalExecutor(engine_for(load_config(config_path)), Path(db))
    outcomes = [analyzed.outcome for analyzed in executor.analyze(zip(map(Path, paths), calls))]
    return task_state(outcomes, paths)


class DaskExecutor:
    """Groups of calls sent to Dask workers through a Prefect task runner, a bounded number in flight."""

    def __init__(self, runner, db: str | Path, config_path: str | None, batch: BatchConfig) -> None:
        self.runner, self.batch = runner, batch
        self.db = str(Path(db).absolute())
        self.config_path = str(Path(config_path).absolute()) if config_path else None

    def analyze(self, calls: Iterable[Selected]) -> Iterator[Analyzed]:
        from prefect.futures import as_completed

        todo = groups(calls, self.batch)
        with self.runner:
            # results are held until stored: a bounded window keeps that small, and an aborted
            # run leaves little computed and unstored (it is redone next night, never lost)
            window = max(2, 2 * sum(self.runner.client.nthreads().values()))
            pending: dict[Any, list[Selected]] = {}
            for group in todo:
                pending[self._submit(group)] = group
                if len(pending) >= window:
                    break
            while pending:
                future = next(as_completed(list(pending)))
                group = pending.pop(future)
                for (path, call), outcome in zip(group, self._outcomes(future, len(group))):
                    yield Analyzed(path, call, outcome, lambda path=path, call=call: self._alone(path, call))
                following = next(todo, None)
                if following:
                    pending[self._submit(following)] = following

    def _submit(self, group: list[Selected]):
        return self.runner.submit(analyze_group, {"paths": [str(path) for path, _ in group],
                                                  "calls": [call for _, call in group],
                                                  "db": self.db, "config_path": self.config_path})

    @staticmethod
    def _outcomes(future, size: int) -> list[Outcome]:
        return task_outcomes(outcome_of(lambda: future.result(raise_on_failure=False)), size)

    def _alone(self, path: Path, call) -> Outcome:
        return self._outcomes(self._submit([(path, call)]), 1)[0]


def _local_api_url() -> str | None:
    """The Prefect API this process talks to (the temporary server in ephemeral mode), so that
    local Dask workers report their task runs to the same place instead of each starting one."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if url:
        return str(url)
    try:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        return server.api_url if server.server_process is not None else None
    except Exception:  # noqa: BLE001 - best effort: without it each worker starts its own
        return None


def dask_task_runner(dask_address: str | None = None, dask_workers: int = 0):
    """The DaskTaskRunner for an existing scheduler, or for a local cluster of N processes."""
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    import dask

    # Dask's nanny gives its workers one OpenMP/BLAS thread; numpy's matrix products then add
    # up in another order, the mel features move in the last bits and the int8 decoder hears
    # other words (94 where a serial run heard 93). Workers get this process's values instead
    # (the engine's cpu_threads settings decide the model threads either way).
    every_core = str(os.cpu_count() or 1)
    dask.config.set({f"distributed.nanny.pre-spawn-environ.{name}": os.environ.get(name, every_core)
                     for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
    cluster_kwargs: dict[str, Any] = {"n_workers": dask_workers, "threads_per_worker": 1, "processes": True}
    url = _local_api_url()
    if url:
        cluster_kwargs["env"] = {"PREFECT_API_URL": url}
    return DaskTaskRunner(cluster_kwargs=cluster_kwargs)
