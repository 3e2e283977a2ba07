"""The nightly Prefect flow: one task per call, each a one-line call into the qa library.

Run once:   python -m pipelines.nightly sample_audio/ --db callqa.duckdb
Serve:      see README ("Nightly batch").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")

from prefect import flow, task  # noqa: E402

from qa.config import load_config  # noqa: E402
from qa.ingest import discover  # noqa: E402
from qa.pipeline import RunSummary, engine_for, handle_file  # noqa: E402
from qa.store import DEFAULT_DB, Store  # noqa: E402


@task(name="discover")
def discover_recordings(paths: list[str]) -> list[str]:
    return [str(p) for p in discover(paths)]


@task(name="process-call", task_run_name="process {path}")
def process_recording(path: str, db: str, config_path: str | None, run_id: str) -> tuple[str, str | None]:
    return handle_file(Path(path), engine_for(load_config(config_path)), Store(db), run_id)


@flow(name="callqa-nightly", log_prints=True)
def nightly(paths: list[str], db: str = DEFAULT_DB, config_path: str | None = None) -> dict:
    """Process every new recording under ``paths`` into ``db``; returns the run summary."""
    store = Store(db)
    engine = engine_for(load_config(config_path))
    files = discover_recordings(paths)
    summary = RunSummary(run_id=store.start_run(engine.models()), seen=len(files))
    status = "aborted"
    try:
        for path in files:
            summary.add(Path(path), *process_recording(path, db, config_path, summary.run_id))
        status = "completed"
    finally:
        store.finish_run(summary.run_id, summary.seen, summary.processed, summary.skipped,
                         summary.failed, status)
    print(summary.line())
    return {"run_id": summary.run_id, "processed": summary.processed, "skipped": summary.skipped,
            "failed": summary.failed, "failures": summary.failures}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Run the callqa nightly flow once.")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--config")
    arguments = parser.parse_args()
    result = nightly(arguments.paths, arguments.db, arguments.config)
    sys.exit(0)
