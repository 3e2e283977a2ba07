"""Stereo diarization: one party per channel, speech found by voice activity per channel."""

from __future__ import annotations

import numpy as np

from qa.types import SpeechTurn

SAMPLE_RATE = 16_000


def channel_speaker(channel: int) -> str:
    """The speaker label of everything said on ``channel``."""
    return f"CHANNEL_{channel}"


def channel_turns(samples: np.ndarray, channel: int) -> list[SpeechTurn]:
    """Speech stretches on one channel (Silero VAD shipped with faster-whisper)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=300, speech_pad_ms=30)
    speaker = channel_speaker(channel)
    return [
        SpeechTurn(round(s["start"] / SAMPLE_RATE, 3), round(s["end"] / SAMPLE_RATE, 3), speaker)
        for s in get_speech_timestamps(samples, options)
    ]
