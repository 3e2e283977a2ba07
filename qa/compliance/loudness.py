"""Raised and quiet voice from the audio: vocal effort, not level alone.

Each speaker's speech is cut into word-aligned chunks of at most ``chunk_s`` seconds, measured
on that speaker's own channel (stereo) or on the mono mix over that speaker's words (mono):

* level: gated loudness (ITU-R BS.1770, pyloudnorm), LUFS;
* pitch: median F0 of the voiced frames (Praat's autocorrelation method, parselmouth), in
  semitones;
* high band: energy at 1-3.4 kHz over 0.3-1 kHz, dB (spectral tilt: effort brightens a
  voice; it fits the 8 kHz telephone band, and neither it nor pitch moves with the gain).

A speaker's **baseline** of each is the duration-weighted median of its chunks in the body of
the call, after the first ``settle_s`` seconds (the line and the phone's gain control settle).

* ``raised_voice``: level and pitch (and the high band) rising together. A chunk counts when
  its level is ``raised_lu`` or more over the reference, its pitch ``raised_st`` or more over
  the baseline, and LU + semitones + dB of high band over them sum to ``effort_min`` or more;
  consecutive such chunks lasting ``min_raised_s`` make one flag, either party. The reference
  is the baseline or, where higher, the level of the speaker's own normal-pitch speech in the
  ``persist_s`` before or after the chunk: a level step that persists (the line, the
  microphone) takes the reference with it. Chunks in the first ``settle_s`` are not judged.
  On a mono call a chunk pitched over ``slip_st`` above the speaker's baseline is the other
  party's voice (a diarization slip), not effort.
* ``quiet_voice`` (operator only), only where levels compare: on a stereo call the operator's
  channel under ``quiet_floor_lufs`` or more than ``quiet_relative_lu`` under the customer's;
  on any call a run of the operator's chunks ``quiet_drop_lu`` under their own baseline
  lasting ``min_quiet_s``. Never because one party's line is quieter on a mono mix.

The flags' details hold the measures. Clipped audio (shouting on a phone line clips) reads
lower than it sounds, so the share of clipped samples is reported too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from qa.audio import SAMPLE_RATE
from qa.compliance.base import CallContext, Flag, Severity
from qa.compliance.registry import DetectorSpec, SyntheticRate, register
from qa.types import Role, Utterance, Word

_BLOCK_S = 0.4  # BS.1770 gating block; shorter chunks cannot be measured
_PITCH_DECIMATE = 4  # pitch on 4 kHz audio: F0 up to 600 Hz needs no more, and it is 4x cheaper
_PITCH_STEP_S = 0.03
_MIN_VOICED = 5  # voiced pitch frames a chunk needs for a pitch
_FRAME = 256  # high band: 16 ms frames at 16 kHz
_LOW_BAND, _HIGH_BAND = (300.0, 1000.0), (1000.0, 3400.0)
_PITCH_SAMPLE = 16  # chunks spread over the body whose pitch makes the baseline
_SIDE_S = 4.0  # normal-pitch speech on one side of a chunk that sets a persistent level


@dataclass(frozen=True)
class LoudnessConfig:
    """Thresholds of the raised/quiet voice detector (LU = loudness units = dB; st = semitones)."""

    raised_lu: float = 6.0
    raised_st: float = 2.0
    effort_min: float = 15.5
    slip_st: float = 8.0
    settle_s: float = 10.0
    persist_s: float = 30.0
    min_raised_s: float = 1.0
    chunk_s: float = 4.0
    quiet_floor_lufs: float = -45.0
    quiet_relative_lu: float = 12.0
    quiet_drop_lu: float = 12.0
    min_quiet_s: float = 5.0
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
    pitch: float = float("nan")  # semitones re 100 Hz; nan where too little is voiced
    high: float = float("nan")  # dB, high band over low band
    stereo: bool = False  # measured on the speaker's own channel
    channel: int = 0

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class _Baseline:
    lufs: float
    pitch: float
    high: float


@dataclass(frozen=True)
class _Effort:
    """One chunk against its speaker's baseline: LU over the reference level, semitones and dB
    of high band over the baseline."""

    chunk: _Chunk
    reference: float
    level: float
    pitch: float
    high: float
    total: float


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


def _pitch(samples: np.ndarray) -> float:
    """Median F0 of the voiced frames, semitones re 100 Hz (nan if too little is voiced)."""
    try:
        import parselmouth
    except ImportError as error:  # a base dependency; a broken install says what to do
        raise ImportError("raised voice needs praat-parselmouth: pip install praat-parselmouth") from error
    count = len(samples) // _PITCH_DECIMATE
    spectrum = np.fft.rfft(samples[: count * _PITCH_DECIMATE].astype(np.float64))
    low = np.fft.irfft(spectrum[: count // 2 + 1], count) / _PITCH_DECIMATE  # an ideal low-pass, decimated
    sound = parselmouth.Sound(low, SAMPLE_RATE / _PITCH_DECIMATE)
    track = sound.to_pitch_ac(time_step=_PITCH_STEP_S, pitch_floor=75.0, pitch_ceiling=600.0)
    f0 = track.selected_array["frequency"]
    f0 = f0[f0 > 0]
    return float(12 * np.log2(np.median(f0) / 100.0)) if len(f0) >= _MIN_VOICED else float("nan")


def _high_band(samples: np.ndarray) -> float:
    """Energy at 1-3.4 kHz over 0.3-1 kHz in the louder half of the frames (speech), dB."""
    if len(samples) < 2 * _FRAME:
        return float("nan")
    frames = np.lib.stride_tricks.sliding_window_view(samples, _FRAME)[:: _FRAME // 2] * np.hanning(_FRAME)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    energy = power.sum(axis=1)
    spectrum = power[energy >= np.median(energy)].sum(axis=0)
    freqs = np.fft.rfftfreq(_FRAME, 1 / SAMPLE_RATE)
    low = spectrum[(freqs >= _LOW_BAND[0]) & (freqs < _LOW_BAND[1])].sum()
    high = spectrum[(freqs >= _HIGH_BAND[0]) & (freqs < _HIGH_BAND[1])].sum()
    return float(10 * np.log10(high / low)) if low > 0 and high > 0 else float("nan")


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
    version = "2"

    def __init__(self, config: LoudnessConfig | None = None) -> None:
        import pyloudnorm

        self.config = config or LoudnessConfig()
        self._meter = pyloudnorm.Meter(SAMPLE_RATE, block_size=_BLOCK_S)

    def measure(self, context: CallContext) -> list[_Chunk]:
        """Level and high band of every word-aligned chunk of speech in the call (pitch: ``pitched``)."""
        audio = context.audio
        if audio is None:
            return []
        chunks = []
        for utterance in context.transcript.utterances:
            own = audio.is_stereo and utterance.channel is not None
            channel = utterance.channel if own else 0
            for words in _chunks(utterance, self.config.chunk_s):
                first, last = int(words[0].start * SAMPLE_RATE), int(words[-1].end * SAMPLE_RATE)
                samples = audio.channels[channel][first:last]
                lufs = _loudness(self._meter, samples)
                if np.isnan(lufs):
                    continue
                clipped = float(np.mean(np.abs(samples) >= self.config.clip_level))
                chunks.append(_Chunk(utterance.speaker, utterance.role, words[0].start, words[-1].end, lufs,
                                     clipped, " ".join(w.text for w in words), high=_high_band(samples),
                                     stereo=own, channel=channel))
        return chunks

    def detect(self, context: CallContext) -> list[Flag]:
        """Raised voice for any speaker, quiet voice for the operator."""
        chunks, baselines = self.pitched(self.measure(context), context.audio)
        return self._raised(chunks, baselines) + self._quiet(chunks, baselines)

    def pitched(self, chunks: list[_Chunk], audio) -> tuple[list[_Chunk], dict[str, _Baseline]]:
        """The chunks with their pitch, and each speaker's baseline from the body of the call.

        Pitch is measured only where it is needed: on up to ``_PITCH_SAMPLE`` chunks spread
        over the body (the pitch baseline) and on the chunks ``raised_lu``/2 or more over the
        speaker's level (the candidates, and the loud speech that may be a persistent step).
        """
        pitches, baselines = {}, {}
        for speaker in dict.fromkeys(c.speaker for c in chunks):
            own = [c for c in chunks if c.speaker == speaker]
            body = [c for c in own if c.start >= self.config.settle_s] or own
            level = _median([(c.lufs, c.duration) for c in body])
            sample = body[::-(-len(body) // _PITCH_SAMPLE)]
            loud = [c for c in body if c.lufs - level >= self.config.raised_lu / 2]
            for chunk in {id(c): c for c in sample + loud}.values():
                samples = audio.channels[chunk.channel][int(chunk.start * SAMPLE_RATE):int(chunk.end * SAMPLE_RATE)]
                pitches[id(chunk)] = _pitch(samples)
            baselines[speaker] = _Baseline(
                level, _median([(pitches[id(c)], c.duration) for c in sample if not np.isnan(pitches[id(c)])]),
                _median([(c.high, c.duration) for c in body if not np.isnan(c.high)]))
        return [replace(c, pitch=pitches.get(id(c), float("nan"))) for c in chunks], baselines

    def effort(self, chunk: _Chunk, own: list[_Chunk], baseline: _Baseline) -> _Effort:
        """The chunk's rise in level, pitch and high band; the level against the speaker's
        normal-pitch speech around it where that is louder than the baseline (a persistent step)."""
        config = self.config
        calm = [c for c in own if c is not chunk and c.start >= config.settle_s
                and not c.pitch - baseline.pitch >= config.raised_st]  # unmeasured: not loud, so calm
        before = [(c.lufs, c.duration) for c in calm if chunk.start - config.persist_s <= c.end <= chunk.start]
        after = [(c.lufs, c.duration) for c in calm if chunk.end <= c.start <= chunk.end + config.persist_s]
        sides = [_median(side) for side in (before, after) if sum(w for _, w in side) >= _SIDE_S]
        reference = max([baseline.lufs, *sides])
        level, pitch = chunk.lufs - reference, chunk.pitch - baseline.pitch
        high = chunk.high - baseline.high if np.isfinite(chunk.high - baseline.high) else 0.0
        # a duller spectrum is no evidence against effort (clipping, a limiter on the line)
        return _Effort(chunk, reference, level, pitch, high, level + min(pitch, config.slip_st) + max(high, 0.0))

    def is_raised(self, effort: _Effort) -> bool:
        """Effort: level and pitch up, together with the high band enough; not at the call start,
        nor (mono) a pitch so far over the speaker's that it is the other party."""
        config, chunk = self.config, effort.chunk
        return (chunk.start >= config.settle_s and effort.level >= config.raised_lu
                and effort.pitch >= config.raised_st and (chunk.stereo or effort.pitch <= config.slip_st)
                and effort.total >= config.effort_min)

    def _raised(self, chunks: list[_Chunk], baselines: dict[str, _Baseline]) -> list[Flag]:
        flags = []
        for speaker, baseline in baselines.items():
            own = [c for c in chunks if c.speaker == speaker]
            run: list[_Effort] = []
            for chunk in own + [None]:
                rising = chunk is not None and chunk.lufs - baseline.lufs >= self.config.raised_lu
                effort = self.effort(chunk, own, baseline) if rising else None  # the reference is no lower
                if effort is not None and self.is_raised(effort):
                    run.append(effort)
                    continue
                if run and sum(e.chunk.duration for e in run) >= self.config.min_raised_s:
                    flags.append(self._raised_flag(run, baseline))
                run = []
        return sorted(flags, key=lambda f: f.start)

    def _raised_flag(self, run: list[_Effort], baseline: _Baseline) -> Flag:
        peak = max(run, key=lambda e: e.total)
        role = peak.chunk.role
        severity = Severity.HIGH if peak.level >= 2 * self.config.raised_lu else Severity.MEDIUM
        if role is not Role.OPERATOR:
            severity = Severity.LOW  # context for the reviewer: how the operator handled it
        return Flag(
            kind="raised_voice", severity=severity, role=role, start=run[0].chunk.start, end=run[-1].chunk.end,
            evidence=" ".join(e.chunk.text for e in run), detector=self.name, detector_version=self.version,
            confidence=round(min(1.0, peak.total / (2 * self.config.effort_min)), 3), speaker=peak.chunk.speaker,
            details=(("excess_lu", f"{peak.level:.1f}"), ("pitch_st", f"{peak.pitch:.1f}"),
                     ("high_band_db", f"{peak.high:.1f}"), ("effort", f"{peak.total:.1f}"),
                     ("baseline_lufs", f"{baseline.lufs:.1f}"), ("reference_lufs", f"{peak.reference:.1f}"),
                     ("baseline_f0_hz", f"{100 * 2 ** (baseline.pitch / 12):.0f}"),
                     ("baseline_high_band_db", f"{baseline.high:.1f}"),
                     ("clipped", f"{max(e.chunk.clipped for e in run):.4f}")),
        )

    def _quiet(self, chunks: list[_Chunk], baselines: dict[str, _Baseline]) -> list[Flag]:
        speakers = {c.role: c.speaker for c in chunks}
        operator, customer = speakers.get(Role.OPERATOR), speakers.get(Role.CUSTOMER)
        if operator is None:
            return []
        spoken = [c for c in chunks if c.speaker == operator]
        level = baselines[operator].lufs
        if all(c.stereo for c in chunks):  # own channels: the two levels compare
            under = baselines[customer].lufs - level if customer is not None else 0.0
            if level < self.config.quiet_floor_lufs or under > self.config.quiet_relative_lu:
                return [self._quiet_flag(spoken, operator, (("operator_lufs", f"{level:.1f}"),
                                                            ("under_customer_lu", f"{under:.1f}")))]
        run: list[_Chunk] = []
        for chunk in [c for c in spoken if c.start >= self.config.settle_s] + [None]:
            if chunk is not None and chunk.lufs <= level - self.config.quiet_drop_lu:
                run.append(chunk)
                continue
            if sum(c.duration for c in run) >= self.config.min_quiet_s:
                drop = level - max(c.lufs for c in run)
                return [self._quiet_flag(run, operator, (("operator_lufs", f"{level:.1f}"),
                                                         ("under_own_baseline_lu", f"{drop:.1f}")))]
            run = []
        return []

    def _quiet_flag(self, spoken: list[_Chunk], operator: str, details: tuple) -> Flag:
        return Flag(
            kind="quiet_voice", severity=Severity.MEDIUM, role=Role.OPERATOR, start=spoken[0].start,
            end=spoken[-1].end, evidence=spoken[0].text, detector=self.name,
            detector_version=self.version, confidence=1.0, speaker=operator, details=details,
        )


register(DetectorSpec(
    name=LoudnessDetector.name, version=LoudnessDetector.version, kinds=("raised_voice", "quiet_voice"),
    build=LoudnessDetector, settings=LoudnessConfig, reads_text=False,
    flat_keys=tuple((key, key) for key in ("raised_lu", "min_raised_s", "quiet_floor_lufs", "quiet_relative_lu")),
    synthetic=(SyntheticRate("raised_voice", "operator", 0.01, 0.8, (0, 0.7, 0.3)),
               SyntheticRate("raised_voice", "customer", 0.05, 0.1, (1, 0, 0)),
               SyntheticRate("quiet_voice", "operator", 0.015, 0.5, (0, 1, 0), at_most_one=True)),
))
