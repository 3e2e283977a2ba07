"""Two-channel recordings through the real models (issue #16): a mono call saved as two identical
channels reads as the mono call, and bleed between the channels of a two-party call stays out
of the other party's words, turns and talk time (full figures: benchmarks/channels.py)."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pytest

from qa.audio import Audio, load_audio
from qa.config import Config
from qa.engine import engine_for
from qa.evaluate import load_truth, role_assignment, utterance_attribution, with_bleed, word_attribution
from qa.ingest import identify
from qa.pipeline import transcribe_audio
from qa.scoring.metrics import call_metrics

from helpers.paths import SAMPLE_AUDIO

pytestmark = pytest.mark.integration

MONO = SAMPLE_AUDIO / "20261201T160500_op04_outbound_sales_en.wav"  # outbound: the customer speaks first
STEREO = SAMPLE_AUDIO / "20261201T141000_op03_inbound_billing_en.wav"  # with over-talk


@pytest.fixture(scope="module")
def engine():
    return engine_for(Config())


def _transcribe(path, channels, engine, **metadata):
    call = identify(path)
    call = replace(call, metadata=replace(call.metadata, **metadata))
    audio = Audio(str(path), tuple(np.ascontiguousarray(c) for c in channels), load_audio(path).source_sample_rate)
    return transcribe_audio(call, audio, engine)


def _role_at(transcript, time):
    words = [((w.start + w.end) / 2, u.role) for u in transcript.utterances for w in u.words]
    return min(words, key=lambda word: abs(word[0] - time))[1]


def test_a_mono_call_on_two_identical_channels_reads_as_the_mono_call(engine, caplog):
    (samples,) = load_audio(MONO).channels
    mono = _transcribe(MONO, (samples,), engine)
    with caplog.at_level(logging.WARNING, logger="qa"):
        dual = _transcribe(MONO, (samples, samples.copy()), engine, operator_speaker="1")
    assert dual.layout.mode == "dual_mono" and dual.transcript.channels == 2
    assert any("operator_speaker 1" in r.getMessage() and "'second'" in r.getMessage() for r in caplog.records)
    words, mono_words = dual.transcript.words, mono.transcript.words
    assert abs(len(words) - len(mono_words)) <= 0.05 * len(mono_words)  # each word once, not once per channel
    same = sum(_role_at(mono.transcript, (w.start + w.end) / 2) is u.role
               for u in dual.transcript.utterances for w in u.words)
    assert same >= 0.95 * len(words)
    truth = load_truth(MONO.with_suffix(".json"))
    assert all(given is expected for given, expected in role_assignment(truth, dual.transcript).values())


def test_bleed_at_minus_20_db_stays_out_of_the_other_party(engine):
    stereo = load_audio(STEREO).channels
    truth = load_truth(STEREO.with_suffix(".json"))
    clean = _transcribe(STEREO, stereo, engine).transcript
    bled = _transcribe(STEREO, with_bleed(stereo, -20.0, (0.02, 0.045)), engine)
    transcript = bled.transcript
    assert bled.layout.mode == "channels" and all(-28 <= b <= -18 for b in bled.layout.bleed_db)
    assert all(given is expected for given, expected in role_assignment(truth, transcript).values())
    correct, checked = word_attribution(truth, transcript)
    assert correct == checked > 50, f"{checked - correct} words on the wrong party"
    assert utterance_attribution(truth, transcript)[0] == 0
    assert abs(len(transcript.words) - len(clean.words)) <= 0.05 * len(clean.words)
    before, after = call_metrics(clean, "en", "inbound"), call_metrics(transcript, "en", "inbound")
    for role in ("operator", "customer"):
        assert abs(getattr(after, role).talk_s / getattr(before, role).talk_s - 1) <= 0.05, role
    assert after.overtalk_count == before.overtalk_count == 1  # the customer's "yes, yes" over the operator
    for speaker in ("CHANNEL_0", "CHANNEL_1"):  # turns: each channel's own speech, as on the clean file
        turns, clean_turns = ([t.duration for t in x.turns if t.speaker == speaker] for x in (transcript, clean))
        assert abs(sum(turns) - sum(clean_turns)) <= 0.05 * sum(clean_turns), speaker
