"""The real models on the public evaluation data in ../shared/data (skipped when absent)."""

from __future__ import annotations

import numpy as np
import pytest

from qa.audio import load_audio
from qa.config import Config
from qa.evaluate import diarization_error_rate, load_rttm
from qa.engine import engine_for
from qa.pipeline import transcribe_file
from qa.transcribe.channels import channel_turns
from qa.transcribe.roles import operator_phrase_score
from qa.types import Role

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def engine():
    return engine_for(Config())


def test_pyannote_sample_der_at_collar_zero(shared_data, engine):
    sample = shared_data / "pyannote-sample"
    audio = load_audio(sample / "sample.wav")
    turns = engine.diarizer.diarize(audio.channels[0], num_speakers=2)
    assert diarization_error_rate(load_rttm(sample / "sample.rttm"), turns, collar=0.0) <= 0.08


def test_exported_rttm_scores_as_the_stored_turns(shared_data, engine, tmp_path):
    from qa.formats import to_rttm

    sample = shared_data / "pyannote-sample"
    transcript = transcribe_file(sample / "sample.wav", engine).transcript
    (tmp_path / "out.rttm").write_text(to_rttm(transcript, "sample"))
    reference = load_rttm(sample / "sample.rttm")
    exported = diarization_error_rate(reference, load_rttm(tmp_path / "out.rttm"), collar=0.0)
    stored = diarization_error_rate(reference, list(transcript.turns), collar=0.0)
    assert exported <= stored + 0.01 and exported <= 0.08, (exported, stored)


def test_stereo_file_mixed_to_mono_matches_its_channels(shared_data, engine):
    audio = load_audio(shared_data / "faster-whisper-tests" / "stereo_diarization.wav")
    reference = [t for channel in (0, 1) for t in channel_turns(audio.channels[channel], channel)]
    turns = engine.diarizer.diarize(np.ascontiguousarray(audio.mono()), num_speakers=2)
    assert len({t.speaker for t in turns}) == 2
    assert diarization_error_rate(reference, turns, collar=0.25) <= 0.10


def test_real_call_greeting_is_on_the_operator(shared_data, engine):
    transcript = transcribe_file(shared_data / "real-call" / "auto_dealer_mono.wav", engine).transcript
    assert transcript.language == "en"
    roles = {u.role for u in transcript.utterances}
    assert {Role.OPERATOR, Role.CUSTOMER} <= roles
    greeting = next(u for u in transcript.utterances if operator_phrase_score(u.text) >= 2)
    assert greeting.role is Role.OPERATOR, greeting.text
    assert "thank you for calling" in " ".join(
        u.text.lower() for u in transcript.utterances if u.role is Role.OPERATOR
    )
