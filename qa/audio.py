"""Decode a recording once, keep its channels, resample to 16 kHz; reject bad input clearly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import AudioError, one_line

SAMPLE_RATE = 16_000
MAX_DURATION_S = 4 * 3600.0


@dataclass(frozen=True, eq=False)
class Audio:
    """A decoded recording: one float32 array per channel (at most two), 16 kHz."""

    path: str
    channels: tuple[np.ndarray, ...]
    source_sample_rate: int
    sample_rate: int = SAMPLE_RATE

    @property
    def duration(self) -> float:
        return len(self.channels[0]) / self.sample_rate

    @property
    def is_stereo(self) -> bool:
        return len(self.channels) == 2

    def mono(self) -> np.ndarray:
        """The channels mixed down to one."""
        if len(self.channels) == 1:
            return self.channels[0]
        return (self.channels[0] + self.channels[1]) * np.float32(0.5)


def _probe(path: Path) -> tuple[int, int, float | None]:
    """Channels, sample rate and duration (if the container says) of the first audio stream."""
    import av

    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise AudioError(path, "no audio stream in the file")
        stream = container.streams.audio[0]
        if stream.codec_context is None:
            tag = getattr(stream, "codec_tag", "") or "unknown"
            raise AudioError(path, f"unsupported audio codec ({tag}): no decoder for it")
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        return stream.codec_context.channels, _source_rate(stream.codec_context), duration


def _source_rate(codec_context) -> int:
    """The rate the audio was recorded at: an Opus stream always decodes at 48 kHz, and its
    header keeps the input rate (an 8 kHz telephone recording says 8000 there)."""
    header = bytes(codec_context.extradata or b"")
    if codec_context.name == "opus" and header.startswith(b"OpusHead") and len(header) >= 16:
        return int.from_bytes(header[12:16], "little") or codec_context.sample_rate
    return codec_context.sample_rate


def probe_duration(path: str | Path) -> float | None:
    """The recording's duration in seconds as its container states it; None if unknown or unreadable."""
    try:
        return _probe(Path(path))[2]
    except Exception:  # noqa: BLE001 - decoding will report what is wrong with the file
        return None


def load_audio(path: str | Path, max_duration: float = MAX_DURATION_S) -> Audio:
    """Decode ``path`` (any format PyAV reads) to 16 kHz float32, one array per channel.

    Recordings with more than two channels keep the first two. Raises AudioError with a
    one-line reason for a missing, empty, unreadable, non-audio or absurdly long file.
    """
    import av
    from faster_whisper.audio import decode_audio

    path = Path(path)
    if not path.is_file():
        raise AudioError(path, "file not found")
    if path.stat().st_size == 0:
        raise AudioError(path, "empty file (0 bytes)")
    try:
        channel_count, source_rate, duration = _probe(path)
        if duration is not None and duration > max_duration:
            raise AudioError(path, f"too long ({duration / 3600:.1f} h > {max_duration / 3600:.1f} h)")
        if channel_count >= 2:
            left, right = decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=True)
            channels = (left, right)
        else:
            channels = (decode_audio(str(path), sampling_rate=SAMPLE_RATE),)
    except AudioError:
        raise
    except av.error.FFmpegError as error:
        raise AudioError(path, f"not a readable audio file ({one_line(error)})") from None
    except (OSError, ValueError, RuntimeError) as error:
        raise AudioError(path, f"cannot decode ({one_line(error)})") from None
    if channels[0].size == 0:
        raise AudioError(path, "no audio samples could be decoded (corrupt or truncated)")
    return Audio(str(path), tuple(np.ascontiguousarray(c, dtype=np.float32) for c in channels), source_rate)

