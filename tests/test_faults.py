"""Faults in a batch: every kind of bad file, retries, files given up on, kill -9, disk full, purge."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from helpers.paths import SAMPLE_AUDIO
from qa.config import parse_config
from qa.batch import run_batch
from qa.engine import Engine
from qa.errors import BackendUnavailable, DiskFull
from qa.faults import Fault, is_disk_full, is_fatal, is_transient
from qa.store import Store

CALLQA = [sys.executable, "-m", "qa.cli"]
STEREO = "20261202T114500_op02_inbound_billing_es.wav"      # 40.7 s
LONG = "20261203T133000_op04_inbound_collections_fi.wav"    # 72.9 s: over the test's 60 s limit


def wav_header(path: Path, format_tag: int) -> None:
    """A WAV file whose fmt chunk names ``format_tag`` (0x1234 has no decoder anywhere)."""
    fmt = struct.pack("<HHIIHH", format_tag, 1, 16000, 32000, 2, 16)
    data = b"\0" * 3200
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def bad_folder(folder: Path) -> dict[str, str]:
    """Every kind of bad input beside one good call; file name -> expected reason."""
    folder.mkdir()
    for name in ("corrupt.wav", "empty.wav", "not_audio.wav", "silent.wav"):
        shutil.copy(SAMPLE_AUDIO / "bad" / name, folder / name)
    shutil.copy(SAMPLE_AUDIO / STEREO, folder / STEREO)
    shutil.copy(SAMPLE_AUDIO / LONG, folder / "long.wav")
    wav_header(folder / "codec.wav", 0x1234)
    (folder / "gone.wav").symlink_to(folder / "deleted-before-the-run.wav")
    expected = {"corrupt.wav": "not a readable audio file", "empty.wav": "empty file (0 bytes)",
                "not_audio.wav": "not a readable audio file", "codec.wav": "unsupported audio codec",
                "long.wav": "too long", "gone.wav": "file not found"}
    if os.geteuid() != 0:  # root reads any file, so only a normal user can test permissions
        locked = folder / "locked.wav"
        shutil.copy(SAMPLE_AUDIO / STEREO, locked)
        locked.chmod(0)
        expected["locked.wav"] = "Permission denied"
    return expected


@pytest.mark.integration
def test_a_batch_of_every_bad_kind_records_each_and_goes_on(tmp_path):
    expected = bad_folder(tmp_path / "in")
    config = tmp_path / "callqa.toml"
    config.write_text("[batch]\nmax_duration_s = 60.0\n")
    db = tmp_path / "faults.duckdb"
    result = subprocess.run([*CALLQA, "run", tmp_path / "in", "--db", db, "--config", config, "-q"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["processed"], summary["no_speech"], summary["failed"]) == (2, 1, len(expected))
    reasons = {Path(path).name: reason for path, reason in Store(db).failures()}
    assert set(reasons) == set(expected)
    for name, reason in expected.items():
        assert reason in reasons[name], (name, reasons[name])
        assert "\n" not in reasons[name]
        assert f"failed: {tmp_path / 'in' / name}: " in result.stderr  # one line each, naming the file
    calls = {c.file_name: c for c in Store(db).calls()}
    assert set(calls) == {STEREO, "silent.wav"} and not calls["silent.wav"].has_speech


def test_fault_kinds():
    assert is_transient(OSError(errno.EIO, "I/O error")) and is_transient(OSError(errno.ESTALE, "stale"))
    assert is_transient(duckdb.IOException("Could not set lock on file"))
    assert not is_transient(OSError(errno.ENOENT, "missing")) and not is_transient(ValueError("bad"))
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(RuntimeError("Error : Write failed. No space left on device"))
    try:
        try:
            raise OSError(errno.ENOSPC, "full")
        except OSError as inner:
            raise duckdb.IOException("could not write") from inner
    except duckdb.IOException as outer:
        assert is_disk_full(outer)
    assert not is_disk_full(OSError(errno.EIO, "I/O error"))


def _flaky(error: OSError, times: int, calls: list):
    """``load_audio`` that raises ``error`` the first ``times`` calls."""
    from qa.audio import load_audio

    def load(path, *args):
        calls.append(path)
        if len(calls) <= times:
            raise error
        return load_audio(path, *args)
    return load


def _silent_folder(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(SAMPLE_AUDIO / "bad" / "silent.wav", folder / "silent.wav")
    return folder


@pytest.mark.integration
def test_transient_faults_are_retried_with_backoff_on_the_path_that_runs(tmp_path, monkeypatch):
    """A share that blinks while a group decodes: the call is decoded and analysed again alone."""
    import qa.executor

    folder = _silent_folder(tmp_path / "in")
    engine = Engine(parse_config({"batch": {"retries": 2, "retry_backoff_s": 0.5}}))
    store, waits, calls = Store(tmp_path / "r.duckdb"), [], []
    monkeypatch.setattr(qa.executor, "load_audio", _flaky(OSError(errno.EIO, "Input/output error"), 2, calls))
    summary = run_batch([folder], store, engine, sleep=waits.append)
    assert (summary.processed, summary.no_speech, summary.failed) == (1, 1, 0)
    assert waits == [0.5, 1.0] and len(calls) == 3 and store.failures() == []

    calls.clear()
    monkeypatch.setattr(qa.executor, "load_audio", _flaky(OSError(errno.EIO, "EIO"), 99, calls))
    other = Store(tmp_path / "r2.duckdb")
    summary = run_batch([folder], other, engine, sleep=waits.append)
    assert summary.failures == [(str(folder / "silent.wav"), "[Errno 5] EIO")] and len(calls) == 3
    assert other.failures() == summary.failures and other.runs()[0]["status"] == "completed"


@pytest.mark.parametrize("error, stops_with", [
    (OSError(errno.ENOSPC, "No space left on device"), DiskFull),
    (BackendUnavailable("faster-whisper is not installed: pip install faster-whisper"), BackendUnavailable),
])
def test_a_fatal_fault_stops_the_run_and_marks_it_aborted(tmp_path, monkeypatch, error, stops_with):
    import qa.executor

    folder = _silent_folder(tmp_path / "in")
    store, engine = Store(tmp_path / "f.duckdb"), Engine(parse_config({}))
    monkeypatch.setattr(qa.executor, "load_audio", _flaky(error, 99, []))
    with pytest.raises(stops_with) as stopped:
        run_batch([folder], store, engine)
    assert "\n" not in str(stopped.value)
    [run] = store.runs()
    assert run["status"] == "aborted" and run["error"] == str(stopped.value)
    assert store.failures() == []  # not the file's fault: it is tried again next run


def test_faults_are_classified_once_and_travel_as_values():
    import pickle

    full = Fault.of(RuntimeError("Error : Write failed. No space left on device"))
    assert full.kind == "disk_full" and full.fatal and isinstance(full.stopping("a.wav"), DiskFull)
    assert "a.wav: no space left on device" in str(full.stopping("a.wav"))
    backend = Fault.of(BackendUnavailable("pip install x"))
    assert backend.fatal and str(backend.stopping("a.wav")) == "pip install x"
    assert Fault.of(OSError(errno.EIO, "EIO")).transient and Fault.of(ValueError("bad")).kind == "file"
    assert is_fatal(DiskFull("full")) and not is_fatal(ValueError("bad"))
    travelled = pickle.loads(pickle.dumps(Fault.of(ValueError("bad\nsecond line"))))
    assert travelled == Fault("file", "bad") and travelled.error is None


def test_a_file_that_failed_three_runs_is_given_up_and_reported(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_AUDIO / "bad" / "corrupt.wav", folder / "corrupt.wav")
    store, engine = Store(tmp_path / "n.duckdb"), Engine(parse_config({}))
    nights = [run_batch([folder], store, engine) for _ in range(4)]
    assert [(s.failed, len(s.given_up)) for s in nights] == [(1, 0), (1, 0), (1, 0), (0, 1)]
    assert "failed in 3 runs" in nights[-1].given_up[0][1] and "given up" in nights[-1].line()
    assert store.runs()[0]["given_up"] == 1 and len(store.failures()) == 3


def _stored_calls(db: Path) -> int:
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT count(*) FROM calls").fetchone()[0]
    except duckdb.Error:  # the batch holds the lock, or the schema is not there yet
        return -1


def four_calls(folder: Path) -> tuple[Path, list[str]]:
    """The first four sample calls copied into ``folder``."""
    folder.mkdir()
    names = sorted(p.name for p in SAMPLE_AUDIO.glob("2026*.wav"))[:4]
    for name in names:
        shutil.copy(SAMPLE_AUDIO / name, folder / name)
    return folder, names


def assert_no_orphan_rows(con, tables=("utterances", "words", "flags", "call_metrics", "scores", "score_items",
                                       "call_summary")) -> None:
    for table in tables:
        orphans = con.execute(f"SELECT count(*) FROM {table} WHERE call_id NOT IN (SELECT call_id FROM calls)")
        assert orphans.fetchone()[0] == 0, table


@pytest.mark.integration
def test_killed_mid_batch_and_run_again_stores_every_call_exactly_once(tmp_path):
    folder, names = four_calls(tmp_path / "in")
    db, config = tmp_path / "killed.duckdb", tmp_path / "groups.toml"
    config.write_text("[batch]\ngroup_calls = 2\n")  # two groups: the kill lands in the second
    batch = subprocess.Popen([*CALLQA, "run", folder, "--db", db, "--config", config, "-q"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while _stored_calls(db) < 1 and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.2)
    time.sleep(1.0)  # into the next group's work
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    before = _stored_calls(db)
    assert 1 <= before < len(names), "the kill must land mid-batch"

    again = subprocess.run([*CALLQA, "run", folder, "--db", db, "-q"], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["skipped"] == before and summary["processed"] == len(names) - before  # none transcribed twice
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT file_name) FROM calls").fetchone() == (4, 4)
        assert_no_orphan_rows(con)
        assert con.execute("SELECT count(*) FROM scores").fetchone()[0] == 4
        statuses = [r[0] for r in con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()]
    assert statuses == ["aborted", "completed"]  # the killed run is marked when the next one starts


@pytest.mark.integration
def test_purge_removes_calls_rows_and_audio_copies(batch, tmp_path):
    store, _ = batch
    db = tmp_path / "purge.duckdb"
    shutil.copy(store.path, db)
    shutil.copytree(store.path.parent / "redacted_audio", tmp_path / "redacted_audio")
    copy = Store(db)
    first_day = [c for c in copy.calls() if c.file_name.startswith("20261130")]
    result = subprocess.run([*CALLQA, "purge", "--before", "2026-12-01", "--db", db], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert sorted(report["calls"]) == sorted(c.call_id for c in first_day)
    assert report["rows"]["calls"] == 2 and report["rows"]["utterances"] > 0 and len(report["audio_files"]) == 2
    assert all(not Path(f).exists() for f in report["audio_files"])
    with duckdb.connect(str(db), read_only=True) as con:
        for table in ("calls", "utterances", "words", "flags", "scores", "score_items", "pii_spans"):
            left = con.execute(f"SELECT count(*) FROM {table} WHERE list_contains(?, call_id)",
                               [report["calls"]]).fetchone()[0]
            assert left == 0, table
    assert len(copy.calls()) == len(store.calls()) - 2
    erased = subprocess.run([*CALLQA, "purge", "--call", copy.calls()[0].call_id, "--db", db],
                            capture_output=True, text=True)
    assert erased.returncode == 0 and len(json.loads(erased.stdout)["calls"]) == 1
    refused = subprocess.run([*CALLQA, "purge", "--db", db], capture_output=True, text=True)
    assert refused.returncode == 2 and "--before" in refused.stderr


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MB file system (tmpfs): room for the database and about one call's audio copy."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system here ({made.stderr.decode().strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def assert_stopped_on_a_full_disk(result: subprocess.CompletedProcess, command: str, db: Path, calls: int) -> None:
    """Exit 3 with one line naming the file; every call stored is whole and scored; the run is aborted."""
    assert result.returncode == 3, result.stderr[-3000:]
    [line] = [l for l in result.stderr.splitlines() if l.startswith(f"callqa {command}:")]
    assert "no space left on device" in line and "every call stored before this one is kept" in line
    stored = _stored_calls(db)
    assert 1 <= stored < calls
    with duckdb.connect(str(db), read_only=True) as con:
        assert_no_orphan_rows(con)
        assert con.execute("SELECT count(*) FROM scores").fetchone()[0] == stored
        assert con.execute("SELECT status, error FROM runs").fetchall() == [("aborted", line.split(": ", 1)[1])]


@pytest.mark.integration
def test_a_full_disk_stops_the_run_cleanly_and_keeps_what_was_stored(tmp_path, small_disk):
    folder, names = four_calls(tmp_path / "in")
    db = small_disk / "full.duckdb"
    result = subprocess.run([*CALLQA, "run", folder, "--db", db, "-q"], capture_output=True, text=True, timeout=600)
    assert result.stdout == ""
    assert_stopped_on_a_full_disk(result, "run", db, len(names))


@pytest.mark.integration
def test_a_full_disk_stops_the_prefect_flow_as_it_stops_callqa_run(tmp_path, small_disk, prefect_home):
    folder, names = four_calls(tmp_path / "in")
    db = small_disk / "full.duckdb"
    env = os.environ | {"PREFECT_HOME": str(prefect_home)}
    result = subprocess.run([sys.executable, "-m", "pipelines.nightly", folder, "--db", db], capture_output=True,
                            text=True, timeout=900, env=env)
    assert_stopped_on_a_full_disk(result, "nightly", db, len(names))
