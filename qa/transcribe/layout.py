"""How a two-channel recording is read, decided once at ingest from its audio.

- ``dual_mono``: both channels carry the same conversation: their samples correlate at least
  ``CORRELATED`` (identical, or a copy at another gain or with its own noise), or their frame
  energies at least ``SAME_ENVELOPE`` at some lag up to 256 ms (a copy a little late). The
  louder channel is diarized like a mono call and roles are picked the mono way.
- ``one_sided``: one channel has less than ``SILENT_S`` of speech of its own (silence, hum, or
  only the other's bleed): the live channel is diarized like a mono call.
- ``channels``: two parties, one per channel; each channel is silenced where its sound is the
  other party's bleed before its VAD pass and recognition (qa/transcribe/bleed.py).
- ``mixed``: ``[roles] stereo = "mono"``: the channels mixed down and diarized. ``stereo =
  "channels"`` forces the channel path. ``mono``: a one-channel file.

A diarized two-channel file takes the mono ``operator_speaker`` values (``first``/``second``);
``0``/``1`` given for one are read as first/second with a warning (``mono_override``). The
measures behind the decision are kept with it (``ChannelLayout``) and stored per call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np

from qa.audio import SAMPLE_RATE, Audio
from qa.transcribe.bleed import Ownership, ownership
from qa.transcribe.vad import WINDOW, SpeechActivity, speech_activity
from qa.types import ChannelLayout

log = logging.getLogger("qa")

SPEECH = 0.5  # Silero probability counted as speech
CORRELATED = 0.9  # channels this alike carry one mix
SAME_ENVELOPE = 0.8  # channel energies this alike (at the best lag up to 256 ms): the same sound
SILENT_S = 1.0  # a channel owning less speech than this is silent
_BLOCK = 1 << 20


@dataclass(frozen=True, eq=False)
class ChannelReading:
    """A call's audio as it will be transcribed: the layout, the audio the recogniser and the
    detectors get (the file's, or the one channel diarized), its VAD per channel, and (channel
    path) which speech each channel owns."""

    layout: ChannelLayout
    speech: Audio
    activity: tuple[SpeechActivity, ...]
    ownership: Ownership | None = None


def _db(power: float) -> float:
    return round(float(10 * np.log10(max(power, 1e-12))), 1)


def _blocks(samples: np.ndarray):
    for at in range(0, samples.size, _BLOCK):
        yield samples[at:at + _BLOCK].astype(np.float64)


def similarity(audio: Audio) -> tuple[float | None, float, tuple[float, float]]:
    """Zero-lag correlation of the two channels (None if one is digital silence), the level of
    their difference against the sum of both (dB), and each channel's level (dBFS)."""
    left, right = audio.channels
    aa = bb = ab = 0.0
    size = min(left.size, right.size)
    for a, b in zip(_blocks(left[:size]), _blocks(right[:size])):
        aa, bb, ab = aa + a @ a, bb + b @ b, ab + a @ b
    correlation = round(float(ab / np.sqrt(aa * bb)), 4) if aa > 0 and bb > 0 else None
    difference = _db((aa + bb - 2 * ab) / (aa + bb)) if aa + bb > 0 else 0.0
    return correlation, difference, (_db(aa / max(size, 1)), _db(bb / max(size, 1)))


def _speech_s(activity: SpeechActivity) -> float:
    return round(float((activity.probabilities >= SPEECH).sum() * WINDOW / SAMPLE_RATE), 2)


def _one(audio: Audio, samples: np.ndarray) -> Audio:
    return Audio(audio.path, (np.ascontiguousarray(samples),), audio.source_sample_rate)


def read_channels(audio: Audio, stereo: str = "auto",
                  vad: Callable[[np.ndarray], SpeechActivity] = speech_activity) -> ChannelReading:
    """Decide how ``audio`` is read (``stereo``: auto | channels | mono) and run the VAD once
    per channel transcribed."""
    if not audio.is_stereo:
        activity = vad(audio.channels[0])
        samples = audio.channels[0]
        level = _db(sum(float(b @ b) for b in _blocks(samples)) / max(samples.size, 1))
        layout = ChannelLayout(1, "mono", "one channel", level_db=(level,), speech_s=(_speech_s(activity),))
        return ChannelReading(layout, audio, (activity,))
    correlation, difference, levels = similarity(audio)
    measures = dict(correlation=correlation, difference_db=difference, level_db=levels)
    if stereo == "mono":
        mixed = _one(audio, audio.mono())
        layout = ChannelLayout(2, "mixed", "[roles] stereo = mono", True, speech_s=(None, None), **measures)
        return ChannelReading(layout, mixed, (vad(mixed.channels[0]),))
    if stereo == "auto" and correlation is not None and correlation >= CORRELATED:
        louder = int(levels[1] > levels[0])
        activity = vad(audio.channels[louder])
        speech = tuple(_speech_s(activity) if c == louder else None for c in (0, 1))
        layout = ChannelLayout(2, "dual_mono", f"channels correlate {correlation:.2f}", False, louder,
                               speech_s=speech, **measures)
        return ChannelReading(layout, _one(audio, audio.channels[louder]), (activity,))
    owner = ownership(audio.channels)
    measures["envelope_correlation"] = envelope = owner.envelope_correlation()
    if stereo == "auto" and envelope is not None and envelope >= SAME_ENVELOPE:
        louder = int(levels[1] > levels[0])
        activity = vad(audio.channels[louder])
        speech = tuple(_speech_s(activity) if c == louder else None for c in (0, 1))
        layout = ChannelLayout(2, "dual_mono", f"channel energies correlate {envelope:.2f} (one a little late)",
                               False, louder, speech_s=speech, **measures)
        return ChannelReading(layout, _one(audio, audio.channels[louder]), (activity,))
    gated = tuple(owner.gated(c, samples) for c, samples in enumerate(audio.channels))
    return _two_channels(audio, stereo, gated, tuple(map(vad, gated)), owner, measures, vad)


def _two_channels(audio: Audio, stereo: str, gated: tuple[np.ndarray, ...], activity: tuple[SpeechActivity, ...],
                  owner: Ownership, measures: dict, vad: Callable) -> ChannelReading:
    """Two channels, each silenced where its sound is not its own, with their VAD: two parties,
    or, unless forced, one conversation in both or on one channel only."""
    own = tuple(map(_speech_s, activity))
    bleed = (owner.bleed_db(0), owner.bleed_db(1))
    measures = dict(measures, speech_s=own, bleed_db=bleed)
    if stereo == "auto" and min(own) < SILENT_S <= max(own):
        live = int(own[1] > own[0])
        reason = f"channel {1 - live} silent ({own[1 - live]:.1f} s of its own speech)"
        layout = ChannelLayout(2, "one_sided", reason, False, live, **measures)
        return ChannelReading(layout, _one(audio, audio.channels[live]), (vad(audio.channels[live]),))
    reason = "[roles] stereo = channels" if stereo == "channels" else "two parties, one per channel"
    layout = ChannelLayout(2, "channels", reason, stereo == "channels", **measures)
    speech = Audio(audio.path, gated, audio.source_sample_rate)
    return ChannelReading(layout, speech, activity, owner)


def mono_override(layout: ChannelLayout, override: str | None, path: str) -> str | None:
    """``operator_speaker`` for a diarized call: ``0``/``1`` given for a two-channel file read as
    one conversation are read as ``first``/``second``, with a warning."""
    if override in ("0", "1") and layout.channels == 2:
        order = ("first", "second")[int(override)]
        log.warning("%s: operator_speaker %s names a channel, but the file is read as one conversation "
                    "(%s: %s); taken as %r", path, override, layout.mode, layout.reason, order)
        return order
    return override
