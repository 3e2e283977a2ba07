"""The real models on sample_audio/, checked against its ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import Config
from qa.evaluate import redacted_reference, truth_transcript, diarization_error_rate, load_rttm, load_truth, role_assignment, word_attribution, word_error_rate
from qa.ingest import content_hash
from qa.batch import run_batch
from qa.engine import engine_for
from qa.scoring.metrics import call_metrics
from qa.types import Role

from helpers.paths import SAMPLE_AUDIO

pytestmark = pytest.mark.integration

TRUTHS = sorted(SAMPLE_AUDIO.glob("*.json"))
BAD_FILES = {"corrupt.wav", "empty.wav", "not_audio.wav"}
# Floors from benchmarks/pipeline.py on the shipped multilingual base model (int8, CPU).
# WER floors of the shipped multilingual `base` (int8): espeak-ng Finnish is not intelligible to
# it (WER 0.7-1.0, see benchmarks/pipeline.py), so Finnish is checked for language, roles and
# word attribution only.
WER_FLOOR = {"en": 0.30, "es": 0.55, "fi": None}
REASONS = {"billing_question", "technical_fault", "order_application", "cancellation_request", "complaint"}


def test_sample_set_is_what_the_issue_asks_for():
    truths = [load_truth(path) for path in TRUTHS]
    assert len(truths) >= 8
    assert {"en", "es"} <= {t.language for t in truths} and len({t.language for t in truths}) >= 3
    assert {t.channels for t in truths} == {1, 2}
    assert {t.raw["sample_rate"] for t in truths} == {8000, 16000}
    assert all(30 <= t.raw["duration"] <= 120 for t in truths)


def test_every_call_stored_bad_files_recorded_silence_kept(batch):
    store, summary = batch
    assert summary.processed == len(TRUTHS) + 1  # + bad/silent.wav
    assert summary.no_speech == 1
    assert {Path(path).name for path, _ in summary.failures} == BAD_FILES
    assert all(reason and "\n" not in reason for _, reason in summary.failures)
    silent = [c for c in store.calls() if c.file_name == "silent.wav"]
    assert len(silent) == 1 and not silent[0].has_speech


def test_rerun_adds_nothing(batch):
    store, _ = batch
    before = store.table_counts()
    again = run_batch([SAMPLE_AUDIO], store, engine_for(Config()))
    assert again.processed == 0 and again.skipped == len(TRUTHS) + 1
    after = store.table_counts()
    assert {k: after[k] for k in ("calls", "utterances", "words")} == {k: before[k] for k in ("calls", "utterances", "words")}


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_call_against_ground_truth(batch, truth_path):
    store, _ = batch
    truth = load_truth(truth_path)
    call_id = content_hash(truth_path.with_suffix(".wav"))
    transcript = store.transcript(call_id)
    assert transcript.language == truth.language
    assert transcript.channels == truth.channels
    layout = store.channel_layout(call_id)
    assert (layout.channels, layout.mode) == (truth.channels, "channels" if truth.channels == 2 else "mono")

    for speaker, (given, expected) in role_assignment(truth, transcript).items():
        assert given is expected, f"{speaker} labelled {given.value}, mostly says {expected}'s words"

    correct, checked = word_attribution(truth, transcript)
    assert checked > 50
    if truth.channels == 2:
        assert correct == checked, f"{checked - correct} words on the wrong party"
    else:
        assert correct / checked >= 0.95

    for role in (Role.OPERATOR, Role.CUSTOMER):
        if WER_FLOOR[truth.language] is None:
            continue
        hypothesis = " ".join(u.text for u in transcript.utterances if u.role is role)
        assert word_error_rate(redacted_reference(truth, role), hypothesis) <= WER_FLOOR[truth.language]


@pytest.mark.parametrize("truth_path", [p for p in TRUTHS if load_truth(p).channels == 1], ids=lambda p: p.stem)
def test_mono_diarization_error_rate(batch, truth_path):
    store, _ = batch
    transcript = store.transcript(content_hash(truth_path.with_suffix(".wav")))
    der = diarization_error_rate(load_rttm(truth_path.with_suffix(".rttm")), list(transcript.turns), collar=0.25)
    assert der <= 0.10


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_call_metrics_against_ground_truth(batch, truth_path):
    store, _ = batch
    truth = load_truth(truth_path)
    expected = call_metrics(truth_transcript(truth), truth.language, truth.raw["direction"])
    stored = store.metrics(content_hash(truth_path.with_suffix(".wav")))
    for role, role_truth in (("operator", expected.operator), ("customer", expected.customer)):
        # stored talk time is word-based: pauses inside an utterance are not talk
        assert 0.65 * role_truth.talk_s <= stored[("talk_s", role)] <= 1.05 * role_truth.talk_s
    assert stored[("overtalk_count", "call")] == expected.overtalk_count
    assert abs(stored[("first_response_s", "call")] - expected.first_response_s) < 1.0
    assert stored[("dead_air_count", "call")] == expected.dead_air_count == 0


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_call_categories_against_ground_truth(batch, truth_path):
    """The reasons the customer states and the outcome, from what the recogniser heard; a call in
    a language not judged with `base` (Finnish) gets none."""
    store, _ = batch
    truth = load_truth(truth_path)
    call_id = content_hash(truth_path.with_suffix(".wav"))
    stored = {row["category"] for row in store.call_categories(call_id)}
    outcome = store.call_outcome(call_id)
    if truth.language == "fi":
        assert stored == set() and outcome is None
        return
    expected = truth.raw["categories"]
    assert {c for c in stored if c in REASONS} == set(expected["reasons"])
    assert outcome["outcome"] == expected["outcome"] and outcome["direction"] == truth.raw["direction"]
