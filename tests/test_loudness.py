"""Raised and quiet voice on synthetic speech-like signals with known levels (real pyloudnorm)."""

import numpy as np

from qa.audio import Audio
from qa.compliance.base import CallContext
from qa.compliance.loudness import LoudnessDetector
from qa.types import Call, Role, Transcript, Utterance, Word

RATE = 16000


def tone(seconds, level, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = 0.6 + 0.4 * np.abs(np.sin(2 * np.pi * 3 * t))  # syllable-like
    return (level * envelope * (np.sin(2 * np.pi * 220 * t) + 0.3 * rng.standard_normal(t.size))).astype(np.float32)


def build(levels_by_speaker, clip=False):
    """Alternating 3 s utterances; levels_by_speaker: list of (speaker, role, level)."""
    samples, utterances, time = [], [], 0.0
    for index, (speaker, role, level) in enumerate(levels_by_speaker):
        piece = tone(3.0, level, index)
        if clip:
            piece = np.clip(piece, -1.0, 1.0)  # full scale, as a phone line clips
        samples += [piece, np.zeros(RATE // 2, dtype=np.float32)]
        words = tuple(Word(time + i * 0.5, time + i * 0.5 + 0.45, f"w{i}") for i in range(6))
        utterances.append(Utterance(speaker, role, None, time, time + 3.0, "w " * 6, words))
        time += 3.5
    audio = Audio("x.wav", (np.concatenate(samples),), 16000)
    transcript = Transcript("c", "en", 1.0, audio.duration, 1, 16000, tuple(utterances), ())
    return CallContext(Call("c", "x.wav"), transcript, audio)


OP, CU = ("A", Role.OPERATOR), ("B", Role.CUSTOMER)


def test_customer_shouting_is_flagged_against_their_own_baseline():
    turns = [(*OP, 0.2), (*CU, 0.3), (*OP, 0.2), (*CU, 0.3), (*OP, 0.2), (*CU, 1.2), (*OP, 0.2), (*CU, 0.3)]
    flags = LoudnessDetector().detect(build(turns))
    assert [(f.kind, f.role, f.start) for f in flags] == [("raised_voice", Role.CUSTOMER, 17.5)]
    assert float(dict(flags[0].details)["excess_lu"]) > 10


def test_a_loud_line_is_not_a_shout():
    turns = [(*OP, 0.3), (*CU, 0.8)] * 4  # customer loud all call long: that is their baseline
    assert LoudnessDetector().detect(build(turns)) == []


def test_clipped_shout_still_flagged():
    turns = [(*OP, 0.1), (*CU, 0.1)] * 3 + [(*CU, 2.0)]
    flags = LoudnessDetector().detect(build(turns, clip=True))
    assert [f.kind for f in flags] == ["raised_voice"] and float(dict(flags[0].details)["clipped"]) > 0


def test_operator_much_quieter_than_customer_is_quiet_voice():
    turns = [(*OP, 0.005), (*CU, 0.2)] * 4
    flags = LoudnessDetector().detect(build(turns))
    assert [(f.kind, f.role) for f in flags] == [("quiet_voice", Role.OPERATOR)]
