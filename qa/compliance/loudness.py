"""Raised and quiet voice from the audio (ITU-R BS.1770 loudness), not from the text.

Each speaker's speech is cut into word-aligned chunks of at most ``chunk_s`` seconds, and
each chunk's gated loudness (LUFS, pyloudnorm) is measured on that speaker's own channel
(stereo) or on the mono mix over that speaker's words (mono). The speaker's **baseline** is
the duration-weighted median of its chunks in this call, so a loud line or a close
microphone raises the baseline, not the flags.

* ``raised_voice``: consecutive chunks at least ``raised_lu`` above the baseline lasting at
  least ``min_raised_s`` in all; one flag per run, for either party.
* ``quiet_voice`` (operator only): the operator's baseline is below ``quiet_floor_lufs`` or
  more than ``quiet_relative_lu`` under the customer's, i.e. the operator stays too quiet.

Clipped audio (shouting on a phone line clips) reads lower than it sounds, so the share of
clipped samples is reported in the flag; 8 kHz telephone audio works since K-weighting and
the 400 ms gating blocks do not depend on bandwidth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.audio import SAMPLE_RATE
from qa.compliance.base import CallContext, Flag, Severity
from qa.compliance.registry import DetectorSpec, SyntheticRate, register
from qa.types import Role, Utterance, Word

_BLOCK_S = 0.4  # BS.1770 gating block; shorter chunks cannot be measured


@dataclass(frozen=True)
class LoudnessConfig:
    """Thresholds of the raised/quiet voice detector (LU = loudness units = dB)."""

    raised_lu: float = 6.0
    min_raised_s: float = 1.0
    chunk_s: float = 4.0
    quiet_floor_lufs: float = -45.0
    quiet_relative_lu: float = 12.0
    clip_level: float = 0.99


@dataclass(frozen=True)
class _Chunk:
    speaker: str
    role: Role
    start: float
    end: float
    lufs: float
    clipped: float
    text: str


def _chunks(utterance: Utterance, chunk_s: float) -> list[list[Word]]:
    """The utterance's words in runs no longer than ``chunk_s`` seconds."""
    runs: list[list[Word]] = []
    for word in utterance.words:
        if runs and word.end - runs[-1][0].start <= chunk_s:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _loudness(meter, samples: np.ndarray) -> float:
    if len(samples) < int(_BLOCK_S * SAMPLE_RATE) + 1:
        return float("nan")
    value = float(meter.integrated_loudness(samples.astype(np.float64)))
    return value if np.isfinite(value) else float("nan")


def _median(values: list[tuple[float, float]]) -> float:
    """Duration-weighted median of (value, weight) pairs."""
    values = sorted(values)
    total, running = sum(w for _, w in values), 0.0
    for value, weight in values:
        running += weight
        if running >= total / 2:
            return value
    return float("nan")


class LoudnessDetector:
    """``raised_voice`` and ``quiet_voice`` flags against each speaker's own baseline."""

    name = "loudness"
    version = "1"

    def __init__(self, config: LoudnessConfig | None = None) -> None:
        import pyloudnorm

        self.config = config or LoudnessConfig()
        self._meter = pyloudnorm.Meter(SAMPLE_RATE, block_size=_BLOCK_S)

    def measure(self, context: CallContext) -> list[_Chunk]:
        """Loudness of every word-aligned chunk of speech in the call."""
        audio = context.audio
        if audio is None:
            return []
        chunks = []
        for utterance in context.transcript.utterances:
            channel = audio.channels[utterance.channel if utterance.channel is not None else 0]
            for words in _chunks(utterance, self.config.chunk_s):
                first, last = int(words[0].start * SAMPLE_RATE), int(words[-1].end * SAMPLE_RATE)
                samples = channel[first:last]
                lufs = _loudness(self._meter, samples)
                if np.isnan(lufs):
                    continue
                clipped = float(np.mean(np.abs(samples) >= self.config.clip_level))
                chunks.append(_Chunk(utterance.speaker, utterance.role, words[0].start, words[-1].end,
                                     lufs, clipped, " ".join(w.text for w in words)))
        return chunks

    def detect(self, context: CallContext) -> list[Flag]:
        """Raised voice for any speaker, quiet voice for the operator."""
        chunks = self.measure(context)
        baselines = {
            speaker: _median([(c.lufs, c.end - c.start) for c in chunks if c.speaker == speaker])
            for speaker in {c.speaker for c in chunks}
        }
        return self._raised(chunks, baselines) + self._quiet(chunks, baselines)

    def _raised(self, chunks: list[_Chunk], baselines: dict[str, float]) -> list[Flag]:
        flags = []
        for speaker, baseline in baselines.items():
            run: list[_Chunk] = []
            for chunk in [c for c in chunks if c.speaker == speaker] + [None]:
                if chunk is not None and chunk.lufs - baseline >= self.config.raised_lu:
                    run.append(chunk)
                    continue
                if run and sum(c.end - c.start for c in run) >= self.config.min_raised_s:
                    flags.append(self._raised_flag(run, baseline))
                run = []
        return sorted(flags, key=lambda f: f.start)

    def _raised_flag(self, run: list[_Chunk], baseline: float) -> Flag:
        excess = max(c.lufs for c in run) - baseline
        role = run[0].role
        severity = Severity.HIGH if excess >= 2 * self.config.raised_lu else Severity.MEDIUM
        if role is not Role.OPERATOR:
            severity = Severity.LOW  # context for the reviewer: how the operator handled it
        return Flag(
            kind="raised_voice", severity=severity, role=role, start=run[0].start, end=run[-1].end,
            evidence=" ".join(c.text for c in run), detector=self.name, detector_version=self.version,
            confidence=round(min(1.0, excess / (2 * self.config.raised_lu)), 3), speaker=run[0].speaker,
            details=(("excess_lu", f"{excess:.1f}"), ("baseline_lufs", f"{baseline:.1f}"),
                     ("clipped", f"{max(c.clipped for c in run):.4f}")),
        )

    def _quiet(self, chunks: list[_Chunk], baselines: dict[str, float]) -> list[Flag]:
        speakers = {c.role: c.speaker for c in chunks}
        operator, customer = speakers.get(Role.OPERATOR), speakers.get(Role.CUSTOMER)
        if operator is None:
            return []
        level = baselines[operator]
        under = baselines[customer] - level if customer is not None else 0.0
        if level >= self.config.quiet_floor_lufs and under <= self.config.quiet_relative_lu:
            return []
        spoken = [c for c in chunks if c.speaker == operator]
        return [Flag(
            kind="quiet_voice", severity=Severity.MEDIUM, role=Role.OPERATOR, start=spoken[0].start,
            end=spoken[-1].end, evidence=spoken[0].text, detector=self.name,
            detector_version=self.version, confidence=1.0, speaker=operator,
            details=(("operator_lufs", f"{level:.1f}"), ("under_customer_lu", f"{under:.1f}")),
        )]


register(DetectorSpec(
    name=LoudnessDetector.name, version=LoudnessDetector.version, kinds=("raised_voice", "quiet_voice"),
    build=LoudnessDetector, settings=LoudnessConfig,
    flat_keys=tuple((key, key) for key in ("raised_lu", "min_raised_s", "quiet_floor_lufs", "quiet_relative_lu")),
    synthetic=(SyntheticRate("raised_voice", "operator", 0.01, 0.8, (0, 0.7, 0.3)),
               SyntheticRate("raised_voice", "customer", 0.05, 0.1, (1, 0, 0)),
               SyntheticRate("quiet_voice", "operator", 0.015, 0.5, (0, 1, 0), at_most_one=True)),
))
