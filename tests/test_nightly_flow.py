"""The Prefect flow runs the same library function over a folder (real Prefect, ephemeral)."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE_AUDIO

pytestmark = pytest.mark.integration


def test_flow_processes_folder_once(tmp_path, monkeypatch):
    pytest.importorskip("prefect")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
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


def test_library_imports_without_prefect():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['prefect'] = None; sys.modules['streamlit'] = None\n"
        "import qa, qa.pipeline, qa.cli, qa.store\n"
        "assert 'torch' not in sys.modules and 'pyannote' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
