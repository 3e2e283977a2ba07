"""Scale-out: the nightly flow on a local Dask cluster of 2 worker processes stores exactly
what a serial batch stores (same model, same threads), with one process writing DuckDB."""

from __future__ import annotations

import pickle
import shutil
import time

import duckdb
import pytest

from helpers.paths import SAMPLE_AUDIO

pytestmark = pytest.mark.integration

CALLS = (
    "20261202T114500_op02_inbound_billing_es.wav",  # stereo, 41 s
    "20261201T141000_op03_inbound_billing_en.wav",  # stereo, 45 s
    "20261201T160500_op04_outbound_sales_en.wav",   # mono (diarized), 65 s
)
BAD = "empty.wav"

QUERIES = {
    "calls": "SELECT call_id, path, file_name, operator_id, direction, campaign, started_at, language, "
             "language_probability, language_source, duration_s, channels, source_sample_rate, has_speech, "
             "word_count, asr_model, diarization, redacted, detectors::VARCHAR, audio_path, team, "
             "mean_word_probability FROM calls ORDER BY call_id",
    "utterances": "SELECT call_id, utterance_index, speaker, role, channel, start_s, end_s, text "
                  "FROM utterances ORDER BY call_id, utterance_index",
    "words": "SELECT * FROM words ORDER BY ALL",
    "flags": "SELECT call_id, kind, severity, role, speaker, start_s, end_s, evidence, detector, "
             "detector_version, confidence, details::VARCHAR FROM flags ORDER BY ALL",
    "pii": "SELECT * FROM pii_spans ORDER BY ALL",
    "metrics": "SELECT * FROM call_metrics ORDER BY ALL",
    "scores": "SELECT call_id, scorecard, scorecard_version, scorable, not_scorable_reason, total, auto_failed "
              "FROM scores ORDER BY call_id",
    # flag ids differ (they follow the order calls were stored in): compare how many
    "score_items": "SELECT call_id, position, criterion, label, weight, points, lost, applicable, auto_fail, "
                   "failed, reason, len(flag_ids), metric, metric_role, metric_value, start_s, end_s "
                   "FROM score_items ORDER BY call_id, position",
}


def _tables(db) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(query).fetchall() for name, query in QUERIES.items()}


def test_dask_workers_store_what_a_serial_batch_stores(tmp_path, prefect_home):
    pytest.importorskip("prefect_dask")
    from pipelines.nightly import nightly
    from qa.config import load_config
    from qa.batch import run_batch
    from qa.engine import engine_for
    from qa.executor import LocalExecutor
    from qa.ingest import identify
    from qa.types import CallResult
    from qa.store import Store

    folder = tmp_path / "recordings"
    folder.mkdir()
    for name in CALLS:
        shutil.copyfile(SAMPLE_AUDIO / name, folder / name)
    shutil.copyfile(SAMPLE_AUDIO / "bad" / BAD, folder / BAD)
    config = tmp_path / "callqa.toml"
    # the same threads in the workers and here; and one call per group here, as a Dask task
    # analyses one call (a group's shared ASR batches shift word times by a few ms)
    config.write_text("[asr]\ncpu_threads = 1\n[batch]\ngroup_calls = 1\n")
    db_dask, db_serial = tmp_path / "dask" / "calls.duckdb", tmp_path / "serial" / "calls.duckdb"

    started = time.monotonic()
    first = nightly([str(folder)], str(db_dask), str(config), dask_workers=2)
    dask_s = time.monotonic() - started
    assert (first["processed"], first["skipped"], first["failed"]) == (3, 0, 1)

    engine = engine_for(load_config(config))
    started = time.monotonic()
    summary = run_batch([folder], Store(db_serial), engine)
    serial_s = time.monotonic() - started
    assert (summary.processed, summary.failed) == (3, 1)
    print(f"\n3 calls + 1 bad file: 2 Dask workers {dask_s:.1f} s (with cluster start), serial {serial_s:.1f} s")

    dask_tables, serial_tables = _tables(db_dask), _tables(db_serial)
    assert len(dask_tables["calls"]) == 3 and dask_tables["utterances"] and dask_tables["flags"]
    for name in QUERIES:
        assert dask_tables[name] == serial_tables[name], name
    failure = [(str((folder / BAD).resolve()), summary.failures[0][1])]
    assert Store(db_dask).failures() == Store(db_serial).failures() == failure
    for db in (db_dask, db_serial):  # each run's redacted copies beside its own database
        assert len(list((db.parent / "redacted_audio").glob("*.wav"))) == 3

    # a second night: the stored calls are skipped before anything is submitted
    again = nightly([str(folder)], str(db_dask), str(config), dask_workers=2)
    assert (again["processed"], again["skipped"], again["failed"]) == (0, 3, 1)
    counts = Store(db_dask).table_counts()
    assert counts["calls"] == 3 and counts["runs"] == 2 and counts["failures"] == 2
    with duckdb.connect(str(db_dask), read_only=True) as con:
        assert con.execute("SELECT status, files_seen, processed, skipped, failed FROM runs "
                           "ORDER BY started_at").fetchall() == [("completed", 4, 3, 0, 1),
                                                                 ("completed", 4, 0, 3, 1)]

    # what a worker hands back pickles with plain pickle, unchanged
    result = LocalExecutor(engine, db_serial).alone(folder / CALLS[0], identify(folder / CALLS[0]))
    assert isinstance(result, CallResult)
    assert pickle.loads(pickle.dumps(result)) == result
