"""The `callqa` command line as a user runs it (real models where a command needs them)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import SAMPLE_AUDIO

CALLQA = [sys.executable, "-m", "qa.cli"]
STEREO_CALL = SAMPLE_AUDIO / "20261202T114500_op02_inbound_billing_es.wav"


def callqa(*args, cwd=None):
    return subprocess.run([*CALLQA, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_help_lists_commands():
    result = callqa("--help")
    assert result.returncode == 0
    for command in ("run", "transcribe", "models"):
        assert command in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("run", "no/such/folder"), "no/such/folder: no such file or folder"),
        (("transcribe", "missing.wav"), "missing.wav: no such file"),
        (("run", str(SAMPLE_AUDIO / "bad"), "--config", "missing.toml"), "missing.toml: config file not found"),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_line(args, message, tmp_path):
    result = callqa(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr


def test_models_prints_json_only():
    result = callqa("models")
    assert result.returncode == 0, result.stderr
    models = json.loads(result.stdout)
    assert {"model", "model_path", "device", "compute_type", "cpu_threads", "batch_size"} <= set(models["asr"])
    assert models["diarization"]["backend"] == "pyannote-offline"
    # the joined model lives in a persistent cache that another process can load as it is
    from faster_whisper import WhisperModel

    WhisperModel(models["asr"]["model_path"], device="cpu", compute_type="int8")


@pytest.mark.integration
def test_run_bad_folder_completes_and_records_failures(tmp_path):
    db = tmp_path / "bad.duckdb"
    result = callqa("run", SAMPLE_AUDIO / "bad", "--db", db, "-q")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["processed"], summary["no_speech"], summary["failed"]) == (1, 1, 3)
    assert "empty.wav: empty file (0 bytes)" in result.stderr


@pytest.mark.integration
@pytest.mark.parametrize("fmt, marker", [("json", '"utterances"'), ("rttm", "SPEAKER "), ("vtt", "WEBVTT")])
def test_transcribe_formats(fmt, marker, tmp_path):
    call = tmp_path / "call.wav"
    shutil.copyfile(STEREO_CALL, call)
    result = callqa("transcribe", call, "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(marker) if fmt != "json" else marker in result.stdout
    if fmt == "rttm":
        roles = {line.split()[7] for line in result.stdout.splitlines()}
        assert roles == {"operator", "customer"}
