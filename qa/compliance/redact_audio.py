"""A copy of a recording with every personal-data word span silenced or beeped.

Spans come from word timestamps (``PiiMention.start``/``end``), padded a little on both
sides since word boundaries from ASR are approximate, and are masked on every channel (a
stereo line leaks the other party faintly). The copy is 16-bit PCM WAV at 16 kHz, written to
a temporary file and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path

import numpy as np

from qa.audio import Audio
from qa.types import PiiMention

PAD_S = 0.15
BEEP_HZ = 1000.0
BEEP_LEVEL = 0.1  # -20 dBFS


def redaction_spans(mentions: list[PiiMention] | tuple[PiiMention, ...], duration: float,
                    pad: float = PAD_S) -> list[tuple[float, float]]:
    """The padded spans of ``mentions``, merged where they touch, clipped to the recording."""
    spans = sorted((max(0.0, m.start - pad), min(duration, m.end + pad)) for m in mentions)
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mask(audio: Audio, spans: list[tuple[float, float]], mode: str = "beep") -> list[np.ndarray]:
    """The channels of ``audio`` with ``spans`` replaced by a beep or by silence."""
    if mode not in ("beep", "silence"):
        raise ValueError(f"audio redaction mode must be 'beep' or 'silence', not {mode!r}")
    channels = [channel.copy() for channel in audio.channels]
    rate = audio.sample_rate
    for start, end in spans:
        first, last = int(start * rate), int(np.ceil(end * rate))
        length = max(0, min(last, len(channels[0])) - first)
        fill = np.zeros(length, dtype=np.float32)
        if mode == "beep":
            fill = (BEEP_LEVEL * np.sin(2 * np.pi * BEEP_HZ * np.arange(length) / rate)).astype(np.float32)
        for channel in channels:
            channel[first:first + length] = fill
    return channels


def write_wav(path: str | Path, channels: list[np.ndarray], rate: int) -> Path:
    """Write float channels as 16-bit PCM WAV, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = np.stack(channels, axis=1) if len(channels) > 1 else channels[0][:, None]
    pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        with wave.open(temporary, "wb") as out:
            out.setnchannels(len(channels))
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(pcm.tobytes())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_redacted(audio: Audio, mentions, out: str | Path, mode: str = "beep") -> Path:
    """Write the redacted copy of ``audio`` to ``out``; return its path."""
    spans = redaction_spans(mentions, audio.duration)
    return write_wav(out, mask(audio, spans, mode), audio.sample_rate)
