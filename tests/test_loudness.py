"""Raised and quiet voice: synthetic voiced speech with known level, pitch and brightness (real
pyloudnorm and parselmouth), then effortful speech spliced into a real call (../shared/data)."""

import json
from pathlib import Path

import numpy as np
import pytest

from qa.audio import Audio, load_audio
from qa.compliance.base import CallContext
from qa.compliance.loudness import LoudnessDetector
from qa.types import Call, Role, Transcript, Utterance, Word

RATE = 16000
CALM, SHOUT = (120.0, 1.6), (120.0 * 2 ** (4 / 12), 0.8)  # (F0 Hz, spectral slope): a shout is higher and brighter


def voice(seconds, level, seed, f0=CALM[0], slope=CALM[1]):
    """A voiced, syllable-like signal: harmonics of ``f0`` falling off as k**-slope, plus breath."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    wobble = f0 * (1 + 0.03 * np.sin(2 * np.pi * 0.7 * t + seed))  # intonation
    phase = 2 * np.pi * np.cumsum(wobble) / RATE
    harmonics = sum(k ** -slope * np.sin(k * phase) for k in range(1, int(3400 / f0)))
    envelope = 0.6 + 0.4 * np.abs(np.sin(2 * np.pi * 3 * t))
    return (level * envelope * (harmonics + 0.02 * rng.standard_normal(t.size))).astype(np.float32)


def build(turns, clip=False, stereo=False):
    """Alternating 3 s utterances; ``turns``: (speaker, role, level[, (f0, slope)]) each."""
    tracks = [[], []]
    utterances, time = [], 0.0
    for index, (speaker, role, level, *how) in enumerate(turns):
        piece = voice(3.0, level, index, *(how[0] if how else CALM))
        if clip:
            piece = np.clip(piece, -1.0, 1.0)  # full scale, as a phone line clips
        gap = np.zeros(RATE // 2, dtype=np.float32)
        channel = 0 if role is Role.OPERATOR else 1
        for track in (0, 1):
            tracks[track] += [piece if track == channel or not stereo else np.zeros_like(piece), gap]
        words = tuple(Word(time + i * 0.5, time + i * 0.5 + 0.45, f"w{i}") for i in range(6))
        utterances.append(Utterance(speaker, role, channel if stereo else None, time, time + 3.0, "w " * 6, words))
        time += 3.5
    channels = tuple(np.concatenate(track) for track in (tracks if stereo else tracks[:1]))
    audio = Audio("x.wav", channels, 16000)
    transcript = Transcript("c", "en", 1.0, audio.duration, len(channels), 16000, tuple(utterances), ())
    return CallContext(Call("c", "x.wav"), transcript, audio)


OP, CU = ("A", Role.OPERATOR), ("B", Role.CUSTOMER)


def test_customer_shouting_is_flagged_against_their_own_baseline():
    turns = [(*OP, 0.05), (*CU, 0.08)] * 3 + [(*OP, 0.05), (*CU, 0.3, SHOUT), (*OP, 0.05), (*CU, 0.08)]
    flags = LoudnessDetector().detect(build(turns))
    assert [(f.kind, f.role, f.start) for f in flags] == [("raised_voice", Role.CUSTOMER, 24.5)]
    details = dict(flags[0].details)
    assert float(details["excess_lu"]) > 10 and 3.5 < float(details["pitch_st"]) < 4.5
    assert float(details["high_band_db"]) > 2 and "baseline_f0_hz" in details and "baseline_lufs" in details


def test_louder_alone_is_not_a_shout():
    turns = [(*OP, 0.05), (*CU, 0.08)] * 3 + [(*OP, 0.05), (*CU, 0.4), (*OP, 0.05), (*CU, 0.08)]
    assert LoudnessDetector().detect(build(turns)) == []  # +14 LU, same pitch and brightness


def test_a_loud_line_is_not_a_shout():
    turns = [(*OP, 0.03), (*CU, 0.2)] * 4  # customer loud all call long: that is their baseline
    assert LoudnessDetector().detect(build(turns)) == []


def test_clipped_shout_still_flagged():
    turns = [(*OP, 0.03), (*CU, 0.03)] * 3 + [(*CU, 0.6, SHOUT), (*CU, 0.03)]
    flags = LoudnessDetector().detect(build(turns, clip=True))
    assert [f.kind for f in flags] == ["raised_voice"] and float(dict(flags[0].details)["clipped"]) > 0


def test_mono_chunk_far_above_the_speakers_pitch_is_the_other_party():
    slip = (CALM[0] * 2 ** (11 / 12), 0.8)  # the customer's voice inside an operator turn
    turns = [(*OP, 0.05), (*CU, 0.05)] * 3 + [(*OP, 0.3, slip), (*CU, 0.05), (*OP, 0.05)]
    assert LoudnessDetector().detect(build(turns)) == []
    flags = LoudnessDetector().detect(build(turns, stereo=True))  # on its own channel it is the operator's
    assert [(f.kind, f.role) for f in flags] == [("raised_voice", Role.OPERATOR)]


def test_call_start_is_not_judged():
    turns = [(*OP, 0.3, SHOUT), (*CU, 0.05)] + [(*OP, 0.05), (*CU, 0.05)] * 4  # AGC settling, or a loud hello
    assert LoudnessDetector().detect(build(turns)) == []


def test_operator_much_quieter_than_customer_on_own_channels_is_quiet_voice():
    turns = [(*OP, 0.002), (*CU, 0.1)] * 4
    flags = LoudnessDetector().detect(build(turns, stereo=True))
    assert [(f.kind, f.role) for f in flags] == [("quiet_voice", Role.OPERATOR)]
    assert float(dict(flags[0].details)["under_customer_lu"]) > 12


def test_a_quieter_party_on_a_mono_mix_is_not_quiet_voice():
    turns = [(*OP, 0.002), (*CU, 0.1)] * 4  # the operator's line is quieter: nothing the operator did
    assert LoudnessDetector().detect(build(turns)) == []


def test_operator_dropping_under_their_own_baseline_is_quiet_voice():
    turns = [(*OP, 0.1), (*CU, 0.1)] * 4 + [(*OP, 0.01), (*OP, 0.01), (*CU, 0.1), (*OP, 0.1)]
    flags = LoudnessDetector().detect(build(turns))
    assert [(f.kind, f.role, f.start) for f in flags] == [("quiet_voice", Role.OPERATOR, 28.0)]
    assert float(dict(flags[0].details)["under_own_baseline_lu"]) > 15


# Effortful speech spliced into a real call: word times and roles of the dealer call as the
# pipeline gave them (whisper base, pyannote), no text; the audio is read from ../shared/data.
WORDS = Path(__file__).parent / "fixtures" / "auto_dealer_mono_words.json"
SPLICE = (201.83, 205.53)  # one of the operator's 4 s chunks in the body of the call


@pytest.fixture(scope="module")
def dealer(shared_data):
    audio = load_audio(shared_data / "real-call" / "auto_dealer_mono.wav")
    utterances = tuple(
        Utterance(role, Role(role), None, times[0][0], times[-1][1], "", tuple(Word(s, e, "w") for s, e in times))
        for role, times in json.loads(WORDS.read_text())["utterances"])
    return audio.channels[0].astype(np.float64), Transcript("dealer", "en", 1.0, audio.duration, 1, 8000, utterances, ())


def _detect(samples, transcript):
    audio = Audio("dealer.wav", (np.clip(samples, -1, 1).astype(np.float32),), 8000)
    return LoudnessDetector().detect(CallContext(Call("dealer", "dealer.wav"), transcript, audio))


def _effortful(samples, semitones=4.0, high_db=6.0, louder_lu=10.0):
    """The same speech 4 semitones higher (PSOLA, formants kept), brighter and 10 LU louder."""
    import parselmouth
    import pyloudnorm
    from parselmouth.praat import call

    sound = parselmouth.Sound(samples, RATE)
    f0 = sound.to_pitch_ac(pitch_floor=75.0, pitch_ceiling=600.0).selected_array["frequency"]
    higher = call(sound, "Change gender", 75, 600, 1.0, float(np.median(f0[f0 > 0])) * 2 ** (semitones / 12), 1.0, 1.0)
    shifted = np.resize(higher.values[0], len(samples))
    shelf_db = high_db * np.clip((np.fft.rfftfreq(len(shifted), 1 / RATE) - 500) / 1000, 0, 1)  # 0 dB < 0.5 kHz < +6 dB > 1.5 kHz
    bright = np.fft.irfft(np.fft.rfft(shifted) * 10 ** (shelf_db / 20), len(shifted))
    meter = pyloudnorm.Meter(RATE, block_size=0.4)
    return bright * 10 ** ((meter.integrated_loudness(samples) + louder_lu - meter.integrated_loudness(bright)) / 20)


def test_real_call_as_it_is_has_no_voice_flags(dealer):
    assert _detect(*dealer) == []


def test_effortful_speech_spliced_into_a_real_call_is_flagged_there_only(dealer):
    samples, transcript = dealer
    first, last = (int(t * RATE) for t in SPLICE)
    samples = samples.copy()
    samples[first:last] = _effortful(samples[first:last])
    flags = _detect(samples, transcript)
    assert [(f.kind, f.role, f.start, f.end) for f in flags] == [("raised_voice", Role.OPERATOR, *SPLICE)]
    details = {key: float(value) for key, value in flags[0].details}
    assert details["excess_lu"] >= 8 and details["pitch_st"] >= 3 and details["high_band_db"] >= 2


@pytest.mark.parametrize("step_at", [60.0, 150.0, 200.0])
def test_a_persistent_level_step_in_a_real_call_is_not_raised_voice(dealer, step_at):
    samples, transcript = dealer
    samples = samples.copy()
    samples[int(step_at * RATE):] *= 10 ** (10 / 20)  # the line changes: +10 dB to the end of the call
    assert [f for f in _detect(samples, transcript) if f.kind == "raised_voice"] == []


def test_a_loud_call_start_in_a_real_call_is_not_raised_voice(dealer):
    samples, transcript = dealer
    samples = samples.copy()
    samples[: 5 * RATE] *= 10 ** (10 / 20)  # the gain control has not settled yet
    assert [f for f in _detect(samples, transcript) if f.kind == "raised_voice"] == []
