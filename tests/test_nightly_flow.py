"""The Prefect flow runs the same library function over a folder (real Prefect, ephemeral), and
the deployment it is served as (built without a server)."""

from __future__ import annotations

import shutil

import pytest

from helpers.paths import SAMPLE_AUDIO


@pytest.mark.integration
def test_flow_processes_folder_once(tmp_path, prefect_home):
    from pipelines.nightly import nightly
    from qa.store import Store

    folder = tmp_path / "recordings"
    folder.mkdir()
    shutil.copyfile(SAMPLE_AUDIO / "20261202T114500_op02_inbound_billing_es.wav", folder / "call.wav")
    shutil.copyfile(SAMPLE_AUDIO / "bad" / "empty.wav", folder / "empty.wav")
    db = str(tmp_path / "flow.duckdb")

    first = nightly([str(folder)], db)
    assert (first["processed"], first["failed"]) == (1, 1)
    second = nightly([str(folder)], db)
    assert (second["processed"], second["skipped"]) == (0, 1)
    counts = Store(db).table_counts()
    assert counts["calls"] == 1 and counts["runs"] == 2 and counts["failures"] == 2


@pytest.mark.integration
def test_library_imports_without_prefect():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['prefect'] = None; sys.modules['streamlit'] = None\n"
        "import qa, qa.pipeline, qa.cli, qa.store\n"
        "assert 'torch' not in sys.modules and 'pyannote' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_deployment_has_the_cron_schedule_and_parameters(tmp_path, monkeypatch, prefect_home):
    """The deployment `serve` serves, built without a server: schedule, parameters, one run at a time."""
    import pipelines.nightly as nightly_module

    served = []
    monkeypatch.setattr(nightly_module, "serve_deployment", served.append)
    monkeypatch.chdir(tmp_path)
    assert nightly_module.main(["serve", "--cron", "0 1 * * *", "--timezone", "Europe/Madrid",
                                "--paths", "recordings", "/srv/more", "--db", "callqa.duckdb",
                                "--config", "callqa.toml", "--name", "night", "--dask-workers", "3"]) == 0
    (deployment,) = served
    assert (deployment.name, deployment.flow_name) == ("night", "callqa-nightly")
    assert deployment.entrypoint == "pipelines.nightly.nightly"
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone, schedule.active) == ("0 1 * * *", "Europe/Madrid", True)
    assert deployment.parameters == {  # absolute: a scheduled run starts in another directory
        "paths": [str(tmp_path / "recordings"), "/srv/more"], "db": str(tmp_path / "callqa.duckdb"),
        "config_path": str(tmp_path / "callqa.toml"), "dask_workers": 3}
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy.value == "ENQUEUE"
    # every parameter is one the flow takes
    import inspect

    assert set(deployment.parameters) <= set(inspect.signature(nightly_module.nightly.fn).parameters)


def test_deployment_defaults_and_scheduler_address():
    pytest.importorskip("prefect")
    from pipelines.nightly import build_deployment

    deployment = build_deployment(paths=["/recordings"], db="/data/callqa.duckdb",
                                  dask_address="tcp://scheduler:8786")
    assert deployment.name == "nightly"
    assert deployment.schedules[0].schedule.cron == "0 1 * * *"
    assert deployment.parameters == {"paths": ["/recordings"], "db": "/data/callqa.duckdb",
                                     "config_path": None, "dask_address": "tcp://scheduler:8786"}


def test_dask_runner_for_an_address_or_local_workers():
    pytest.importorskip("prefect_dask")
    from pipelines.nightly import dask_task_runner

    remote = dask_task_runner(dask_address="tcp://scheduler:8786")
    assert remote.address == "tcp://scheduler:8786" and not remote.cluster_kwargs
    local = dask_task_runner(dask_workers=2)
    assert local.address is None
    assert {k: local.cluster_kwargs[k] for k in ("n_workers", "threads_per_worker", "processes")} == {
        "n_workers": 2, "threads_per_worker": 1, "processes": True}
