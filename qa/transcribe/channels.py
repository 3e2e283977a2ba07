"""Stereo diarization: one party per channel, speech found by voice activity per channel."""

from __future__ import annotations

import numpy as np

from qa.audio import SAMPLE_RATE
from qa.transcribe.vad import SpeechActivity, speech_activity, turn_options
from qa.types import SpeechTurn


def channel_speaker(channel: int) -> str:
    """The speaker label of everything said on ``channel``."""
    return f"CHANNEL_{channel}"


def channel_turns(speech: np.ndarray | SpeechActivity, channel: int) -> list[SpeechTurn]:
    """Speech stretches on one channel, from its samples or its VAD pass (Silero, shipped
    with faster-whisper), cut tight (``turn_options``)."""
    activity = speech if isinstance(speech, SpeechActivity) else speech_activity(speech)
    speaker = channel_speaker(channel)
    return [SpeechTurn(round(start / SAMPLE_RATE, 3), round(end / SAMPLE_RATE, 3), speaker)
            for start, end in activity.regions(turn_options())]
