import wave

import numpy as np

from qa.audio import Audio, load_audio
from qa.compliance.redact_audio import BEEP_LEVEL, masked_blocks, redaction_spans, write_redacted
from qa.types import PiiMention, Role


def mention(start, end):
    return PiiMention("CREDIT_CARD", Role.CUSTOMER, "C", start, end, 0, 0, 1)


def test_spans_are_padded_merged_and_clipped():
    spans = redaction_spans([mention(1.0, 2.0), mention(2.2, 3.0), mention(9.95, 10.0)], 10.0)
    assert [tuple(round(t, 6) for t in span) for span in spans] == [(0.85, 3.15), (9.8, 10.0)]


def test_a_span_runs_on_to_the_next_word_at_most_half_a_second():
    from qa.types import Transcript, Utterance, Word

    def next_word_at(start):
        words = (Word(1.0, 2.0, "[CREDIT_CARD]"),) + ((Word(start, start + 0.3, "okay"),) if start else ())
        utterance = Utterance("C", Role.CUSTOMER, None, 1.0, words[-1].end, "x", words)
        return Transcript("c", "en", 1.0, 10.0, 1, 16000, (utterance,), ())

    ends = {start: redaction_spans([mention(1.0, 2.0)], 10.0, transcript=next_word_at(start))[0][1]
            for start in (2.05, 2.3, 3.0, None)}
    assert {k: round(v, 6) for k, v in ends.items()} == {2.05: 2.15, 2.3: 2.3, 3.0: 2.5, None: 2.5}


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


def test_copy_written_in_blocks_equals_the_copy_written_at_once():
    rate = 16000
    rng = np.random.default_rng(3)
    channels = tuple(rng.uniform(-1.2, 1.2, 3 * rate).astype(np.float32) for _ in range(2))
    audio = Audio("x.wav", channels, 16000)
    spans = [(0.2, 0.9), (1.4, 2.61)]  # both cross 1000-sample block boundaries
    whole = np.concatenate(list(masked_blocks(audio, spans, "beep", block_samples=10 * rate)))
    blocks = list(masked_blocks(audio, spans, "beep", block_samples=1000))
    assert max(len(b) for b in blocks) == 1000
    np.testing.assert_array_equal(np.concatenate(blocks), whole)
    assert whole.shape == (3 * rate, 2) and whole.dtype == np.dtype("<i2")
    beep = whole[int(1.5 * rate):int(2.5 * rate), 0] / 32767
    assert abs(np.abs(beep).max() - BEEP_LEVEL) < 1e-3
    assert np.abs(whole[int(1.0 * rate):int(1.3 * rate)]).max() > 0.5 * 32767
