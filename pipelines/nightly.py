"""The nightly Prefect flow: the batch core of ``callqa run`` (qa/batch.py) with a Prefect
executor: each group of calls is one task, in this process or on Dask workers.

Run once:        python -m pipelines.nightly /recordings --db callqa.duckdb [--config F]
Run once, Dask:  python -m pipelines.nightly /recordings --db callqa.duckdb --dask-workers 4
                 python -m pipelines.nightly /recordings --db callqa.duckdb --dask-address tcp://host:8786
Serve (cron):    python -m pipelines.nightly serve --cron "0 1 * * *" --paths /recordings --db callqa.duckdb
Deploy (pool):   python -m pipelines.nightly deploy --work-pool NAME --cron "0 1 * * *" --paths /recordings ...

Serial mode (no Dask) analyses groups of ``[batch] group_calls`` files exactly as ``callqa run``
does (their ASR shares batches, the next group decoded meanwhile). With Dask the groups are
analysed in worker processes (pipelines/scale_out.py). Either way this flow's process is the
one and only writer of DuckDB, and the same core decides what is tried, retried, stored and
recorded as failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE as NO_CACHE  # noqa: E402

from pipelines.scale_out import DaskExecutor, dask_task_runner, group_name, task_outcomes, task_state  # noqa: E402
from qa.batch import Run, load_attempts  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.engine import engine_for  # noqa: E402
from qa.errors import DiskFull, QAError  # noqa: E402
from qa.executor import LocalExecutor  # noqa: E402
from qa.ingest import discover  # noqa: E402
from qa.store import DEFAULT_DB, Store  # noqa: E402

FLOW_NAME = "callqa-nightly"
DEFAULT_DEPLOYMENT = "nightly"


def _run_name(parameters: dict[str, Any]) -> str:
    return group_name([d.call.path for d in parameters["decoded"]])


@task(name="discover")
def discover_recordings(paths: list[str]) -> list[str]:
    return [str(p) for p in discover(paths)]


@task(name="analyze-calls", task_run_name=_run_name, cache_policy=NO_CACHE, persist_result=False)
def analyze_decoded(analyze, decoded: list):
    """Serial mode: one decoded group analysed in this process (shown as one task in the UI)."""
    return task_state(analyze(decoded), [d.call.path for d in decoded])


def _group_as_task(analyze, decoded: list) -> list:
    state = analyze_decoded(analyze, decoded, return_state=True)
    return task_outcomes(state.result(raise_on_failure=False), len(decoded))


@flow(name=FLOW_NAME, log_prints=True)
def nightly(paths: list[str], db: str = DEFAULT_DB, config_path: str | None = None,
            dask_address: str | None = None, dask_workers: int = 0) -> dict:
    """Process every new recording under ``paths`` into ``db``; returns the run summary.

    ``dask_address`` (a running scheduler, tcp://host:8786) or ``dask_workers`` (N local
    worker processes) runs the analysis on Dask; this flow stays the only DuckDB writer.
    """
    store, engine = Store(db), engine_for(load_config(config_path))
    if dask_address or dask_workers:
        executor = DaskExecutor(dask_task_runner(dask_address, dask_workers), store.path, config_path,
                                engine.config.batch)
    else:
        executor = LocalExecutor(engine, store.path, run_group=_group_as_task)
    files = [Path(p) for p in discover_recordings(paths)]
    with Run(store, engine) as run:
        summary = run.process(files, executor)
    load_attempts(paths, store, summary)
    for path, reason in summary.failures:
        print(f"failed: {path}: {reason}")
    for problem in summary.attempt_problems:
        print(f"attempts: {problem}")
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
        try:
            nightly(**_parameters(arguments, arguments.paths))
        except QAError as error:  # as `callqa run` exits: one line; 3 for a full disk
            print(f"callqa nightly: {error}", file=sys.stderr)
            return 3 if isinstance(error, DiskFull) else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
