"""How two-channel recordings are read (qa/transcribe/layout.py) and which channel's speech is
its own (qa/transcribe/bleed.py): the real Silero VAD on sample calls, no recogniser."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from qa.audio import Audio, load_audio
from qa.evaluate import load_truth, truth_transcript, with_bleed
from qa.transcribe.bleed import ownership
from qa.transcribe.layout import mono_override, read_channels
from qa.types import ChannelLayout, Role

from helpers.paths import SAMPLE_AUDIO

MONO = SAMPLE_AUDIO / "20261201T160500_op04_outbound_sales_en.wav"
STEREO = SAMPLE_AUDIO / "20261201T141000_op03_inbound_billing_en.wav"  # with over-talk


def _audio(*channels) -> Audio:
    return Audio("x.wav", tuple(np.ascontiguousarray(c, dtype=np.float32) for c in channels), 16_000)


def _late(samples: np.ndarray, seconds: float) -> np.ndarray:
    shift = int(seconds * 16_000)
    return np.concatenate([np.zeros(shift, np.float32), samples[:samples.size - shift]])


@pytest.fixture(scope="module")
def mono():
    return load_audio(MONO).channels[0]


@pytest.fixture(scope="module")
def stereo():
    return load_audio(STEREO).channels


@pytest.mark.parametrize("name", ["identical", "quieter copy with noise", "copy 20 ms late"])
def test_one_conversation_in_both_channels_is_dual_mono(mono, name):
    noise = np.random.default_rng(0).normal(0, 0.003, mono.size)
    other = {"identical": mono.copy(), "quieter copy with noise": 0.7 * mono + noise,
             "copy 20 ms late": _late(mono, 0.02)}[name]
    reading = read_channels(_audio(mono, other))
    layout = reading.layout
    assert (layout.mode, layout.live_channel, layout.diarized) == ("dual_mono", 0, True)
    assert len(reading.speech.channels) == 1 and np.array_equal(reading.speech.channels[0], mono)
    assert (layout.correlation or 0) >= 0.9 or (layout.envelope_correlation or 0) >= 0.8


def test_a_silent_channel_leaves_the_live_one_diarized(mono):
    hum = np.random.default_rng(1).normal(0, 10 ** (-66 / 20), mono.size)
    layout = read_channels(_audio(hum, mono)).layout
    assert (layout.mode, layout.live_channel) == ("one_sided", 1)
    assert layout.speech_s[0] < 1.0 < layout.speech_s[1]


@pytest.mark.parametrize("level", [None, -20.0])
def test_two_parties_keep_their_channels_and_measure_the_bleed(stereo, level):
    channels = stereo if level is None else with_bleed(stereo, level)
    reading = read_channels(_audio(*channels))
    clean = read_channels(_audio(*stereo)).layout
    layout = reading.layout
    assert layout.mode == "channels" and not layout.diarized and reading.ownership is not None
    assert abs(layout.correlation) < 0.1
    if level is not None:
        assert all(level - 8 <= b <= level + 2 for b in layout.bleed_db), layout.bleed_db
        # the VAD on each channel hears its own party only, as on the clean file
        assert all(abs(s - c) <= 0.05 * c for s, c in zip(layout.speech_s, clean.speech_s)), (layout, clean)


def test_config_forces_either_path(mono, stereo):
    assert read_channels(_audio(mono, mono.copy()), "channels").layout.mode == "channels"
    forced = read_channels(_audio(*stereo), "mono")
    assert (forced.layout.mode, forced.layout.forced, len(forced.speech.channels)) == ("mixed", True, 1)


@pytest.mark.parametrize("level", [-15.0, -20.0, -30.0])
def test_bleed_words_are_dropped_and_over_talk_stays(stereo, level):
    """Ground-truth words as if recognised on each channel: the party's own are kept, the other
    party's (heard as bleed) are dropped, and the customer's "yes, yes" over the operator stays."""
    truth = load_truth(STEREO.with_suffix(".json"))
    owner = ownership(with_bleed(stereo, level))
    said = {role: [w for u in truth_transcript(truth).utterances if u.role is role for w in u.words]
            for role in (Role.OPERATOR, Role.CUSTOMER)}
    for channel, own, other in ((0, Role.OPERATOR, Role.CUSTOMER), (1, Role.CUSTOMER, Role.OPERATOR)):
        assert len(owner.own_words(tuple(said[own]), channel)) >= 0.97 * len(said[own])
        heard = [w for w in said[other] if not any(o.start < w.end and w.start < o.end for o in said[own])]
        assert owner.own_words(tuple(heard), channel) == ()
    overlap = [w for w in said[Role.CUSTOMER] if 27.4 <= w.start <= 28.0]  # under "is that correct?"
    assert overlap and owner.own_words(tuple(overlap), 1) != ()


def test_kept_words_end_where_the_channel_s_own_sound_does(stereo):
    from qa.types import Word

    owner = ownership(with_bleed(stereo, -20.0))
    stretched = Word(0.6, 6.5, "today", 0.9)  # the operator's greeting ends at 4.88, the customer speaks from 5.32
    (kept,) = owner.own_words((stretched,), 0)
    assert kept.start == 0.6 and 4.8 <= kept.end <= 5.4


def test_channel_numbers_for_a_diarized_stereo_file_are_read_as_turn_order(caplog):
    dual = ChannelLayout(2, "dual_mono", "channels correlate 1.00")
    with caplog.at_level(logging.WARNING, logger="qa"):
        assert mono_override(dual, "0", "a.wav") == "first"
        assert mono_override(dual, "1", "a.wav") == "second"
    assert len(caplog.records) == 2 and all("\n" not in r.getMessage() for r in caplog.records)
    assert "a.wav" in caplog.records[0].getMessage()
    assert mono_override(dual, "second", "a.wav") == "second"
    assert mono_override(ChannelLayout(1, "mono", "one channel"), "first", "b.wav") == "first"
