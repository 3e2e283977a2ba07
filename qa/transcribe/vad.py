"""One voice-activity pass per channel, shared by speech recognition and stereo speech turns.

Silero VAD (shipped with faster-whisper) runs once over a channel; the speech regions for
ASR (long, padded, at most 30 s) and for turns (tight) are both cut from the same
probabilities, the way faster-whisper's ``get_speech_timestamps`` cuts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.audio import SAMPLE_RATE

WINDOW = 512  # samples per Silero frame
CONTEXT = 64  # samples of the frame before that Silero sees with each frame


def asr_options():
    """The regions BatchedInferencePipeline cuts for ASR by default (30 s at most, 160 ms gaps)."""
    from faster_whisper.vad import VadOptions

    return VadOptions(max_speech_duration_s=30, min_silence_duration_ms=160)


def turn_options():
    """Tight regions for speech turns: talk time, overlap and dead air are measured on them."""
    from faster_whisper.vad import VadOptions

    return VadOptions(min_silence_duration_ms=300, speech_pad_ms=30)


@dataclass(frozen=True, eq=False)
class SpeechActivity:
    """Silero speech probability per 512-sample frame of one channel."""

    probabilities: np.ndarray
    num_samples: int

    def regions(self, options) -> list[tuple[int, int]]:
        """Speech regions as (start, end) sample indices, cut with faster-whisper ``VadOptions``."""
        return cut_regions(self.probabilities, self.num_samples, options)


def cut_regions(probabilities: np.ndarray, num_samples: int, options) -> list[tuple[int, int]]:
    """faster-whisper 1.2.1's ``get_speech_timestamps`` cutting, from given probabilities.

    faster-whisper runs the model and cuts in one function, and we need two cuts of one
    model pass; this is its loop (MIT, adapted from silero-vad), kept line for line so
    tests/test_vad.py can check it gives the library's own regions.
    """
    threshold = options.threshold
    neg_threshold = options.neg_threshold if options.neg_threshold is not None else max(threshold - 0.15, 0.01)
    pad = SAMPLE_RATE * options.speech_pad_ms / 1000
    min_speech = SAMPLE_RATE * options.min_speech_duration_ms / 1000
    max_speech = SAMPLE_RATE * options.max_speech_duration_s - WINDOW - 2 * pad
    min_silence = SAMPLE_RATE * options.min_silence_duration_ms / 1000
    min_silence_at_max_speech = SAMPLE_RATE * 98 / 1000

    triggered, speeches, current = False, [], {}
    temp_end = prev_end = next_start = 0
    for i, probability in enumerate(probabilities):
        position = WINDOW * i
        if probability >= threshold and temp_end:
            temp_end = 0
            if next_start < prev_end:
                next_start = position
        if probability >= threshold and not triggered:
            triggered = True
            current["start"] = position
            continue
        if triggered and position - current["start"] > max_speech:
            if prev_end:
                current["end"] = prev_end
                speeches.append(current)
                current = {}
                if next_start < prev_end:
                    triggered = False
                else:
                    current["start"] = next_start
                prev_end = next_start = temp_end = 0
            else:
                current["end"] = position
                speeches.append(current)
                current = {}
                prev_end = next_start = temp_end = 0
                triggered = False
                continue
        if probability < neg_threshold and triggered:
            if not temp_end:
                temp_end = position
            if position - temp_end > min_silence_at_max_speech:
                prev_end = temp_end
            if position - temp_end < min_silence:
                continue
            current["end"] = temp_end
            if current["end"] - current["start"] > min_speech:
                speeches.append(current)
            current = {}
            prev_end = next_start = temp_end = 0
            triggered = False
            continue
    if current and num_samples - current["start"] > min_speech:
        current["end"] = num_samples
        speeches.append(current)

    for i, speech in enumerate(speeches):
        if i == 0:
            speech["start"] = int(max(0, speech["start"] - pad))
        if i != len(speeches) - 1:
            silence = speeches[i + 1]["start"] - speech["end"]
            if silence < 2 * pad:
                speech["end"] += int(silence // 2)
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - silence // 2))
            else:
                speech["end"] = int(min(num_samples, speech["end"] + pad))
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - pad))
        else:
            speech["end"] = int(min(num_samples, speech["end"] + pad))
    return [(int(s["start"]), int(s["end"])) for s in speeches]


def speech_activity(samples: np.ndarray) -> SpeechActivity:
    """Run Silero VAD once over ``samples`` (float32 mono 16 kHz)."""
    from faster_whisper.vad import get_vad_model

    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    if samples.size == 0:
        return SpeechActivity(np.zeros(0, dtype=np.float32), 0)
    return SpeechActivity(silero_probabilities(get_vad_model().session, samples), samples.size)


def silero_probabilities(session, samples: np.ndarray, block_frames: int = 10_000) -> np.ndarray:
    """Silero's speech probability per 512-sample frame, ``block_frames`` at a time.

    The same model calls as faster-whisper 1.2.1's ``SileroVADModel.__call__`` (frames of 512
    samples after the previous frame's last 64, the recording zero-padded to whole frames and
    its last 64 samples zeroed, state carried from block to block), without its padded copy
    and framed copy of the whole recording: about 500 MB for a 60-minute channel.
    """
    frames = samples.size // WINDOW + 1  # whole frames, and one of padding when it divides evenly
    state_h = np.zeros((1, 1, 128), dtype=np.float32)
    state_c = np.zeros((1, 1, 128), dtype=np.float32)
    out = []
    for first in range(0, frames, block_frames):
        last = min(first + block_frames, frames)
        block = np.zeros((last - first) * WINDOW + CONTEXT, dtype=np.float32)
        source = samples[max(first * WINDOW - CONTEXT, 0):last * WINDOW]
        at = CONTEXT if first == 0 else 0  # the first frame's context is zeros
        block[at:at + source.size] = source
        if last == frames:
            block[-CONTEXT:] = 0
        framed = np.lib.stride_tricks.sliding_window_view(block, WINDOW + CONTEXT)[::WINDOW]
        output, state_h, state_c = session.run(None, {"input": np.ascontiguousarray(framed), "h": state_h,
                                                      "c": state_c})
        out.append(output.reshape(-1))
    return np.concatenate(out)
