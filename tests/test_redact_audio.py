import wave

import numpy as np

from qa.audio import Audio, load_audio
from qa.compliance.redact_audio import redaction_spans, write_redacted
from qa.types import PiiMention, Role


def mention(start, end):
    return PiiMention("CREDIT_CARD", Role.CUSTOMER, "C", start, end, 0, 0, 1)


def test_spans_are_padded_merged_and_clipped():
    spans = redaction_spans([mention(1.0, 2.0), mention(2.2, 3.0), mention(9.95, 10.0)], 10.0)
    assert [tuple(round(t, 6) for t in span) for span in spans] == [(0.85, 3.15), (9.8, 10.0)]


def test_redacted_copy_masks_every_channel_and_keeps_the_rest(tmp_path):
    rate = 16000
    t = np.arange(4 * rate) / rate
    channels = (np.sin(2 * np.pi * 300 * t).astype(np.float32) * 0.5, np.sin(2 * np.pi * 500 * t).astype(np.float32) * 0.5)
    out = write_redacted(Audio("x.wav", channels, 8000), [mention(1.0, 2.0)], tmp_path / "r.wav", mode="silence")
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 16000)
    copy = load_audio(out)
    for channel in copy.channels:
        assert np.abs(channel[int(1.0 * rate):int(2.0 * rate)]).max() < 1e-3
        assert np.abs(channel[int(2.5 * rate):int(3.5 * rate)]).max() > 0.4
