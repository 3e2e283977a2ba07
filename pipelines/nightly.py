"""The nightly Prefect flow: one task per group of calls, each a one-line call into the qa library.

Run once:        python -m pipelines.nightly /recordings --db callqa.duckdb [--config F]
Run once, Dask:  python -m pipelines.nightly /recordings --db callqa.duckdb --dask-workers 4
                 python -m pipelines.nightly /recordings --db callqa.duckdb --dask-address tcp://host:8786
Serve (cron):    python -m pipelines.nightly serve --cron "0 1 * * *" --paths /recordings --db callqa.duckdb
Deploy (pool):   python -m pipelines.nightly deploy --work-pool NAME --cron "0 1 * * *" --paths /recordings ...

Serial mode (no Dask) runs each group of ``[batch] group_calls`` files through
``qa.batch.process_files``, exactly as ``callqa run`` does (their ASR shares batches). With Dask the per-call *compute* (``analyze_file``) runs in the Dask
workers, each worker process loading the models once, and the flow process is the one and
only writer of DuckDB: it skips calls already stored before submitting, stores each
``CallResult`` as it completes and records each failure with its one-line reason.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE as NO_CACHE  # noqa: E402
from prefect.states import Failed  # noqa: E402

from qa.config import load_config  # noqa: E402
from qa.errors import BackendUnavailable  # noqa: E402
from qa.ingest import discover, identify  # noqa: E402
from qa.faults import DiskFull  # noqa: E402
from qa.batch import RunSummary, failure_reason, given_up, process_files, with_retries  # noqa: E402
from qa.heap import trimming_heap  # noqa: E402
from qa.pipeline import CallResult, analyze_file, engine_for, store_result  # noqa: E402
from qa.store import DEFAULT_DB, Store  # noqa: E402

FLOW_NAME = "callqa-nightly"
DEFAULT_DEPLOYMENT = "nightly"


def _call_run_name(parameters: dict[str, Any]) -> str:
    """A task run's name in the UI: the recording's file name."""
    return Path(parameters["path"]).name


def _group_run_name(parameters: dict[str, Any]) -> str:
    """A group task run's name in the UI: its first file's name and how many more."""
    paths = parameters["paths"]
    return Path(paths[0]).name + (f" +{len(paths) - 1}" if len(paths) > 1 else "")


@dataclass(frozen=True)
class CallFailure:
    """A call that could not be analyzed, as a worker hands it back."""

    path: str
    reason: str


@task(name="discover")
def discover_recordings(paths: list[str]) -> list[str]:
    return [str(p) for p in discover(paths)]


# Results are never persisted by Prefect: a CallResult holds (redacted) transcripts, which
# belong in DuckDB only; caching is off so a call is never "done" because Prefect says so.
@task(name="process-calls", task_run_name=_group_run_name, cache_policy=NO_CACHE, persist_result=False)
def process_recordings(paths: list[str], db: str, config_path: str | None, run_id: str):
    """Serial mode: a group of calls through process_files (each stored or recorded as failed)."""
    outcomes = [(str(path), outcome, reason) for path, outcome, reason in
                process_files([Path(p) for p in paths], engine_for(load_config(config_path)), Store(db), run_id)]
    failed = [f"{Path(path).name}: {reason}" for path, outcome, reason in outcomes if outcome == "failed"]
    if failed:  # shown as a failed task in the UI; the flow reads the data
        return Failed(message="; ".join(failed), data=outcomes)
    return outcomes


@task(name="analyze-call", task_run_name=_call_run_name, cache_policy=NO_CACHE, persist_result=False)
def analyze_recording(path: str, db: str, config_path: str | None):
    """Dask mode, in a worker: compute one call (models load once per worker process).

    Returns the CallResult for the flow to store, or a failed state carrying a CallFailure.
    Transient faults are retried as in a serial run; a missing backend or a full disk is
    raised, since every call would fail alike.
    """
    engine = engine_for(load_config(config_path))
    try:
        with trimming_heap(engine.config.batch.trim_heap_s):
            return with_retries(lambda: analyze_file(Path(path), engine, Path(db)), path, engine)
    except (BackendUnavailable, DiskFull):
        raise
    except Exception as error:  # noqa: BLE001 - any error of this one file fails only this file
        reason = failure_reason(error)
        return Failed(message=f"{Path(path).name}: {reason}", data=CallFailure(path, reason))


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


def _run_serial(files: list[str], db: str, config_path: str | None, summary: RunSummary) -> None:
    size = load_config(config_path).batch.group_calls
    for start in range(0, len(files), size):
        state = process_recordings(files[start:start + size], db, config_path, summary.run_id, return_state=True)
        value = state.result(raise_on_failure=False)
        if isinstance(value, BaseException):
            raise value
        for path, outcome, reason in value:
            summary.add(Path(path), outcome, reason)


def _run_dask(files: list[str], store: Store, config_path: str | None, summary: RunSummary,
              runner) -> None:
    """Submit the calls not stored yet to Dask; store each result here as it completes."""
    from prefect.futures import as_completed

    db_for_workers = str(Path(store.path).absolute())
    config_for_workers = str(Path(config_path).absolute()) if config_path else None
    seen_ids: set[str] = set()  # calls stored or submitted in this run: a copy counts once

    def skipped(path: str) -> None:
        summary.add(Path(path), "skipped", None)

    def failed(path: str, reason: str) -> None:
        store.record_failure(summary.run_id, path, reason)
        summary.add(Path(path), "failed", reason)

    engine = engine_for(load_config(config_path))
    todo = []
    for path in files:
        reason = given_up(store, path, engine)
        if reason is not None:
            summary.add(Path(path), "given_up", reason)
            continue
        try:
            call_id = identify(Path(path)).call_id
        except Exception as error:  # noqa: BLE001 - one unreadable file fails only itself
            failed(path, failure_reason(error))
            continue
        if call_id in seen_ids or store.has_call(call_id):
            skipped(path)
            continue
        seen_ids.add(call_id)
        todo.append(path)

    if not todo:
        return
    with runner:
        def submit(path: str) -> None:
            pending[runner.submit(analyze_recording, {"path": path, "db": db_for_workers,
                                                      "config_path": config_for_workers})] = path

        # a bounded window of calls in flight: results are held until stored, and an aborted
        # run leaves little computed and unstored (it is redone next night, never lost)
        window = max(4, 2 * sum(runner.client.nthreads().values()))
        pending: dict[Any, str] = {}
        waiting = list(reversed(todo))
        while waiting and len(pending) < window:
            submit(waiting.pop())
        while pending:
            future = next(as_completed(list(pending)))
            path = pending.pop(future)
            try:
                value = future.result(raise_on_failure=False)
            except Exception as error:  # noqa: BLE001 - the worker died (KilledWorker) or similar
                value = error
            if isinstance(value, (BackendUnavailable, DiskFull)):
                raise value
            if isinstance(value, CallResult):
                if store.has_call(value.call.call_id):  # stored meanwhile (the file changed, another writer)
                    skipped(path)
                else:
                    try:
                        summary.add(Path(path), with_retries(
                            lambda: store_result(value, store, summary.run_id), path, engine), None)
                    except DiskFull:
                        raise
                    except Exception as error:  # noqa: BLE001 - this call's rows are rolled back
                        failed(path, failure_reason(error))
            elif isinstance(value, CallFailure):
                failed(path, value.reason)
            else:
                failed(path, failure_reason(value) if isinstance(value, BaseException) else "unknown error")
            if waiting:
                submit(waiting.pop())


@flow(name=FLOW_NAME, log_prints=True)
def nightly(paths: list[str], db: str = DEFAULT_DB, config_path: str | None = None,
            dask_address: str | None = None, dask_workers: int = 0) -> dict:
    """Process every new recording under ``paths`` into ``db``; returns the run summary.

    ``dask_address`` (a running scheduler, tcp://host:8786) or ``dask_workers`` (N local
    worker processes) runs the per-call work on Dask; this flow stays the only DuckDB writer.
    """
    store = Store(db)
    engine = engine_for(load_config(config_path))
    files = discover_recordings(paths)
    summary = RunSummary(run_id=store.start_run(engine.models()), seen=len(files))
    status, error = "aborted", None
    try:
        if dask_address or dask_workers:
            _run_dask(files, store, config_path, summary, dask_task_runner(dask_address, dask_workers))
        else:
            _run_serial(files, db, config_path, summary)
        status = "completed"
    except DiskFull as full:
        error = str(full)
        raise
    finally:
        store.finish_run(summary.run_id, summary.seen, summary.processed, summary.skipped,
                         summary.failed, status, len(summary.given_up), error)
    print(summary.line())
    return {"run_id": summary.run_id, "processed": summary.processed, "skipped": summary.skipped,
            "failed": summary.failed, "failures": summary.failures, "given_up": summary.given_up}


# -- deployments ---------------------------------------------------------------------------


def flow_parameters(paths: list[str], db: str = DEFAULT_DB, config_path: str | None = None,
                    dask_address: str | None = None, dask_workers: int = 0) -> dict[str, Any]:
    """The flow's parameters as a deployment stores them (paths made absolute: a scheduled
    run starts in another working directory)."""
    params: dict[str, Any] = {
        "paths": [str(Path(p).absolute()) for p in paths],
        "db": str(Path(db).absolute()),
        "config_path": str(Path(config_path).absolute()) if config_path else None,
    }
    if dask_address:
        params["dask_address"] = dask_address
    if dask_workers:
        params["dask_workers"] = dask_workers
    return params


def schedule_kwargs(cron: str, timezone: str | None = None) -> dict[str, Any]:
    """The schedule of a deployment, and one run at a time: a run that overruns into the next
    night makes the next one wait (ENQUEUE) instead of processing the same calls twice."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig
    from prefect.schedules import Cron

    schedule = Cron(cron, timezone=timezone) if timezone else Cron(cron)
    return {"schedules": [schedule],
            "concurrency_limit": ConcurrencyLimitConfig(limit=1, collision_strategy="ENQUEUE")}


def build_deployment(name: str = DEFAULT_DEPLOYMENT, cron: str = "0 1 * * *", timezone: str | None = None,
                     **parameters: Any):
    """The RunnerDeployment that ``serve`` serves (nothing is sent to a server)."""
    from prefect.deployments.runner import EntrypointType

    # entrypoint by module (pipelines.nightly.nightly): the served runs import the installed
    # package, whatever the working directory
    return nightly.to_deployment(name=name, parameters=flow_parameters(**parameters),
                                 description="Nightly callqa batch: new recordings into DuckDB.",
                                 tags=["callqa"], entrypoint_type=EntrypointType.MODULE_PATH,
                                 **schedule_kwargs(cron, timezone))


def serve_deployment(deployment) -> None:
    """Serve locally: registers the deployment with the API (PREFECT_API_URL) and runs it on schedule."""
    from prefect import serve

    # restarts (systemd, a reboot) must not leave the nightly schedule paused
    serve(deployment, pause_on_shutdown=False, limit=1)


def deploy_to_work_pool(work_pool: str, name: str = DEFAULT_DEPLOYMENT, cron: str = "0 1 * * *",
                        timezone: str | None = None, source: str | None = None, image: str | None = None,
                        **parameters: Any):
    """Register the deployment with a work pool on a Prefect server; a worker runs it.

    ``image``: a Docker image holding callqa (docker/kubernetes pools; not built or pushed
    here). Otherwise ``source`` (a git URL or a folder the worker can read; default this
    checkout) is where the worker loads the flow from.
    """
    common = dict(name=name, work_pool_name=work_pool, parameters=flow_parameters(**parameters),
                  description="Nightly callqa batch: new recordings into DuckDB.", tags=["callqa"],
                  **schedule_kwargs(cron, timezone))
    if image:
        from prefect.deployments.runner import EntrypointType

        return nightly.deploy(image=image, build=False, push=False,
                              entrypoint_type=EntrypointType.MODULE_PATH, **common)
    source = source or str(Path(__file__).resolve().parents[1])
    return nightly.from_source(source=source, entrypoint="pipelines/nightly.py:nightly").deploy(**common)


# -- command line --------------------------------------------------------------------------


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=DEFAULT_DB, help="DuckDB file (default %(default)s)")
    parser.add_argument("--config", help="callqa TOML config")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--dask-address", help="run per-call work on this Dask scheduler (tcp://host:8786)")
    group.add_argument("--dask-workers", type=int, default=0,
                       help="run per-call work on a local Dask cluster of N worker processes")


def _schedule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paths", nargs="+", required=True, help="recording folders or files")
    parser.add_argument("--cron", default="0 1 * * *", help='cron schedule (default "%(default)s")')
    parser.add_argument("--timezone", help="IANA zone of the cron schedule (default UTC)")
    parser.add_argument("--name", default=DEFAULT_DEPLOYMENT, help="deployment name (default %(default)s)")
    _common_options(parser)


def parser_for(command: str) -> argparse.ArgumentParser:
    prog = "python -m pipelines.nightly"
    if command == "serve":
        parser = argparse.ArgumentParser(prog=f"{prog} serve",
                                         description="Serve the nightly flow on a cron schedule.")
        _schedule_options(parser)
    elif command == "deploy":
        parser = argparse.ArgumentParser(prog=f"{prog} deploy",
                                         description="Register the nightly flow with a work pool.")
        _schedule_options(parser)
        parser.add_argument("--work-pool", required=True, help="Prefect work pool name")
        parser.add_argument("--source", help="git URL or folder the worker loads the flow from (default: here)")
        parser.add_argument("--image", help="Docker image with callqa installed (docker/kubernetes pools)")
    else:
        parser = argparse.ArgumentParser(
            prog=prog, description="Run the callqa nightly flow once (or: serve / deploy, see --help of each).")
        parser.add_argument("paths", nargs="+")
        _common_options(parser)
    return parser


def _parameters(arguments: argparse.Namespace, paths: list[str]) -> dict[str, Any]:
    return {"paths": paths, "db": arguments.db, "config_path": arguments.config,
            "dask_address": arguments.dask_address, "dask_workers": arguments.dask_workers}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in ("serve", "deploy") else "run"
    arguments = parser_for(command).parse_args(argv[1:] if command != "run" else argv)
    if command == "serve":
        serve_deployment(build_deployment(arguments.name, arguments.cron, arguments.timezone,
                                          **_parameters(arguments, arguments.paths)))
    elif command == "deploy":
        deploy_to_work_pool(arguments.work_pool, arguments.name, arguments.cron, arguments.timezone,
                            arguments.source, arguments.image, **_parameters(arguments, arguments.paths))
    else:
        nightly(**_parameters(arguments, arguments.paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
