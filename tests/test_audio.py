import wave

import numpy as np
import pytest

from qa.audio import load_audio
from qa.errors import AudioError


def write_wav(path, channels, rate, seconds=1.0):
    t = np.arange(int(rate * seconds)) / rate
    signal = np.stack([np.sin(2 * np.pi * (300 + 200 * c) * t) for c in range(channels)], axis=1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((signal * 12000).astype("<i2").tobytes())


def test_stereo_8k_keeps_channels_at_16k(tmp_path):
    path = tmp_path / "call.wav"
    write_wav(path, 2, 8000, seconds=2.0)
    audio = load_audio(path)
    assert audio.is_stereo and audio.source_sample_rate == 8000 and audio.sample_rate == 16000
    assert abs(audio.duration - 2.0) < 0.01
    assert not np.allclose(audio.channels[0], audio.channels[1])


def test_mono_16k(tmp_path):
    path = tmp_path / "call.wav"
    write_wav(path, 1, 16000)
    audio = load_audio(path)
    assert len(audio.channels) == 1 and abs(audio.duration - 1.0) < 0.01


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"these are meeting notes, not audio\n" * 20, "not a readable audio file"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a readable audio file|no audio"),
    ],
)
def test_bad_files_give_one_line_reason_with_path(tmp_path, content, reason):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=reason) as caught:
        load_audio(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="file not found"):
        load_audio(tmp_path / "nope.wav")
