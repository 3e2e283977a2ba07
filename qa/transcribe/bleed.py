"""Which channel's speech is its own: echo and bleed of the other party are not.

A real agent channel carries the customer's voice as echo or bleed, 15-30 dB down and a few
tens of milliseconds late, and the customer channel the agent's; a VAD pass and the recogniser
on each channel as it is would turn that bleed into words and turns of the wrong party.

Per VAD frame (512 samples, 32 ms), a channel owns its sound where its energy is at least
``MARGIN_DB`` over the bleed expected from the other channel: the other channel's loudest frame
in the last ``BACK_FRAMES`` (and the next one) times the coupling between the two. The coupling
is measured per call and direction, from energy alone: the median energy ratio of a channel to
the other over the frames where the other is loud (within 30 dB of its peak) and louder than
this channel's recent peak. Each channel is then silenced where it does not own its sound
(``gated``) before its VAD pass and recognition, and a word is kept only where its energy is
its own (``own_words``). Genuine over-talk stays: both voices are at their own level there,
far over the ~20 dB-down, delayed copy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from qa.audio import SAMPLE_RATE
from qa.transcribe.vad import WINDOW
from qa.types import Word

BACK_FRAMES = 4  # echo/bleed up to 128 ms late
MARGIN_DB = 10.0  # own speech: this far over the expected bleed
QUIET_DB = 10.0  # frames less than this over the channel's noise floor are left as they are
FILL_FRAMES = 2  # owned frames widened by this many each side (onsets and decays of own words)
_LOUD = 1e-3  # frames within 30 dB of a channel's peak are loud ...
_OVER_FLOOR = 10.0  # ... and 10 dB over its quietest tenth (a noise-only channel has none)
ENVELOPE_LAG = 8  # frames (256 ms) either way searched for the same sound in both channels
_FLOOR = 1e-12


def frame_energy(samples: np.ndarray) -> np.ndarray:
    """Mean square per VAD frame, one value per Silero probability (the last frame zero-padded)."""
    out = np.zeros(samples.size // WINDOW + 1, dtype=np.float64)
    step = 8192 * WINDOW  # in blocks: no float64 copy of a long channel
    for at in range(0, samples.size, step):
        block = samples[at:at + step].astype(np.float64)
        padded = np.zeros(-(-block.size // WINDOW) * WINDOW)
        padded[:block.size] = block
        energy = (padded.reshape(-1, WINDOW) ** 2).mean(axis=1)
        out[at // WINDOW:at // WINDOW + energy.size] = energy
    return out + _FLOOR


def recent_peak(energy: np.ndarray, back: int = BACK_FRAMES, ahead: int = 1) -> np.ndarray:
    """Each frame's largest energy over the ``back`` frames before it and ``ahead`` after."""
    out = energy.copy()
    for k in range(1, back + 1):
        np.maximum(out[k:], energy[:-k], out=out[k:])
    for k in range(1, ahead + 1):
        np.maximum(out[:-k], energy[k:], out=out[:-k])
    return out


def coupling(own: np.ndarray, other: np.ndarray) -> float:
    """How much of ``other`` shows in ``own`` (a power ratio): the median ratio over the frames
    where ``other`` is loud (near its peak, well over its noise floor) and dominates; a floor
    value where it never does."""
    loud = (other >= np.percentile(other, 99) * _LOUD) & (other >= np.percentile(other, 10) * _OVER_FLOOR)
    dominant = loud & (other > recent_peak(own))
    if not dominant.any():
        return _FLOOR
    return float(np.median(own[dominant] / recent_peak(other)[dominant]))


def _widen(mask: np.ndarray, frames: int = FILL_FRAMES) -> np.ndarray:
    out = mask.copy()
    for k in range(1, frames + 1):
        out[k:] |= mask[:-k]
        out[:-k] |= mask[k:]
    return out


@dataclass(frozen=True, eq=False)
class Ownership:
    """Per channel of a two-party call: frame energy, the other's bleed into it, and the frames
    where its speech is its own."""

    energy: tuple[np.ndarray, np.ndarray]
    expected: tuple[np.ndarray, np.ndarray]  # the bleed expected from the other channel, per frame
    bleed: tuple[float, float]  # coupling of the other channel into each (power ratio)
    floor: tuple[float, float]  # each channel's noise floor (its quietest 5 % of frames)

    def owned(self, channel: int) -> np.ndarray:
        """Frames where the channel's energy is ``MARGIN_DB`` over the bleed expected in it."""
        return self.energy[channel] >= self.expected[channel] * 10 ** (MARGIN_DB / 10)

    def kept(self, channel: int) -> np.ndarray:
        """Frames the channel keeps: its own (widened by ``FILL_FRAMES``) and those at its noise
        floor; the others carry the other party's sound (echo, bleed) over the channel's noise."""
        quiet = self.energy[channel] < self.floor[channel] * 10 ** (QUIET_DB / 10)
        return _widen(self.owned(channel)) | quiet

    def gated(self, channel: int, samples: np.ndarray) -> np.ndarray:
        """The channel's samples silenced where it does not keep them (one-frame ramps)."""
        keep = self.kept(channel).astype(np.float32)
        if keep.all():
            return samples
        centres = (np.arange(keep.size) + 0.5) * WINDOW
        out = np.empty_like(samples)
        step = 1 << 20
        for at in range(0, samples.size, step):
            positions = np.arange(at, min(at + step, samples.size))
            out[at:at + positions.size] = samples[at:at + positions.size] * np.interp(positions, centres, keep)
        return out

    def _frames(self, word: Word) -> slice:
        first = int(word.start * SAMPLE_RATE) // WINDOW
        return slice(first, max(first + 1, -(-int(word.end * SAMPLE_RATE) // WINDOW)))

    def keeps(self, word: Word, channel: int) -> bool:
        """Whether a word recognised on ``channel`` is its own: its energy over the word is
        ``MARGIN_DB`` over the bleed expected there."""
        frames = self._frames(word)
        own = self.energy[channel][frames].sum()
        return bool(own >= self.expected[channel][frames].sum() * 10 ** (MARGIN_DB / 10))

    def own_words(self, words: tuple[Word, ...], channel: int) -> tuple[Word, ...]:
        """The words of a channel that are its own speech (echo and bleed dropped), each cut to
        the span of its own frames (widened by ``FILL_FRAMES``): a word the recogniser stretched
        over the other party's turn ends where this channel's own sound does."""
        owned, out = _widen(self.owned(channel)), []
        for word in words:
            frames = self._frames(word)
            inside = np.flatnonzero(owned[frames])
            if not self.keeps(word, channel) or not inside.size:
                continue
            start = max(word.start, (frames.start + inside[0]) * WINDOW / SAMPLE_RATE)
            end = min(word.end, (frames.start + inside[-1] + 1) * WINDOW / SAMPLE_RATE)
            out.append(word if (start, end) == (word.start, word.end) else replace(word, start=round(start, 3),
                                                                                  end=round(end, 3)))
        return tuple(out)

    def envelope_correlation(self, max_lag: int = ENVELOPE_LAG) -> float | None:
        """The best correlation of the two channels' frame energies within ``max_lag`` frames
        either way: near 1 when both carry the same sound, even one a little late."""
        first, second = self.energy
        best = None
        for lag in range(-max_lag, max_lag + 1):
            a, b = (first[lag:], second[:second.size - lag]) if lag >= 0 else (first[:lag], second[-lag:])
            if a.size > 2 and a.std() > 0 and b.std() > 0:
                value = float(np.corrcoef(a, b)[0, 1])
                best = value if best is None else max(best, value)
        return None if best is None else round(best, 4)

    def bleed_db(self, channel: int) -> float | None:
        """The other channel's bleed into this one in dB (None where none was measurable)."""
        return round(float(10 * np.log10(self.bleed[channel])), 1) if self.bleed[channel] > _FLOOR else None


def ownership(channels: tuple[np.ndarray, np.ndarray]) -> Ownership:
    """Measure each channel's energy and the other's bleed into it (energy only, no model)."""
    energy = tuple(frame_energy(samples) for samples in channels)
    frames = min(e.size for e in energy)
    energy = tuple(e[:frames] for e in energy)
    bleed = (coupling(energy[0], energy[1]), coupling(energy[1], energy[0]))
    expected = (bleed[0] * recent_peak(energy[1]), bleed[1] * recent_peak(energy[0]))
    return Ownership(energy, expected, bleed, tuple(float(np.percentile(e, 5)) for e in energy))
