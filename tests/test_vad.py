"""One VAD pass cut two ways must give exactly what faster-whisper's own VAD gives."""

import numpy as np
import pytest

from qa.audio import load_audio
from qa.transcribe.vad import (
    WINDOW, SpeechActivity, asr_options, cut_regions, silero_probabilities, speech_activity, turn_options,
)
from helpers.paths import SAMPLE_AUDIO

pytest.importorskip("faster_whisper")


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLE_AUDIO.glob("2026*.wav"))[:3])
def test_regions_equal_faster_whispers_get_speech_timestamps(name):
    from faster_whisper.vad import get_speech_timestamps

    for samples in load_audio(SAMPLE_AUDIO / name).channels:
        activity = speech_activity(samples)
        for options in (asr_options(), turn_options()):
            expected = [(r["start"], r["end"]) for r in get_speech_timestamps(samples, options)]
            assert activity.regions(options) == expected and expected


def test_cutting_rules_on_made_up_probabilities():
    from faster_whisper.vad import VadOptions

    frames = np.array([0.0] * 10 + [0.9] * 20 + [0.1] * 5 + [0.9] * 20 + [0.0] * 40, dtype=np.float32)
    n = frames.size * 512
    tight = VadOptions(min_silence_duration_ms=300, speech_pad_ms=0)
    # the 5-frame dip (160 ms) is shorter than 300 ms of silence: one region
    assert cut_regions(frames, n, tight) == [(10 * 512, 55 * 512)]
    split = VadOptions(min_silence_duration_ms=100, speech_pad_ms=0)
    assert cut_regions(frames, n, split) == [(10 * 512, 30 * 512), (35 * 512, 55 * 512)]
    assert SpeechActivity(np.zeros(0, dtype=np.float32), 0).regions(tight) == []
    assert speech_activity(np.zeros(0, dtype=np.float32)).num_samples == 0


@pytest.mark.parametrize("extra", [0, 1, 511])  # a whole number of frames gets one frame of padding
def test_probabilities_block_by_block_equal_faster_whispers_whole_pass(extra):
    from faster_whisper.vad import get_vad_model

    samples = load_audio(sorted(SAMPLE_AUDIO.glob("2026*.wav"))[0]).channels[0][:20 * WINDOW * 7 + extra]
    model = get_vad_model()
    whole = np.asarray(model(np.pad(samples, (0, WINDOW - samples.size % WINDOW)))).reshape(-1)
    for block_frames in (7, 10_000):
        np.testing.assert_allclose(silero_probabilities(model.session, samples, block_frames), whole, atol=1e-6)
