"""Shared fixtures. Nothing here may reach a network: the hub is off for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.paths import SAMPLE_AUDIO, SHARED_DATA

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# a loaded CI machine can take longer than the default 20 s to start the ephemeral server
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip: a user's fresh checkout has no evaluation data."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"evaluation data not present at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    """sample_audio/ processed once with the offline defaults: (store, summary)."""
    from qa.config import Config
    from qa.batch import run_batch
    from qa.engine import engine_for
    from qa.store import Store

    store = Store(tmp_path_factory.mktemp("db") / "samples.duckdb")
    summary = run_batch([SAMPLE_AUDIO], store, engine_for(Config()))
    return store, summary


@pytest.fixture
def store(tmp_path):
    """A fresh database with four scored calls (helpers.scores.scored_store); no models needed."""
    from helpers.scores import scored_store

    return scored_store(tmp_path / "qa.duckdb")


@pytest.fixture
def prefect_home(tmp_path, monkeypatch):
    """Prefect with a private home (its ephemeral server and database) and no analytics."""
    pytest.importorskip("prefect")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    return tmp_path / "prefect"
