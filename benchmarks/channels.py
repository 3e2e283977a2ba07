"""How two-channel recordings are read (issue #16), on the sample calls.

    .venv/bin/python benchmarks/channels.py [--levels -15 -20 -30] [--no-before] [--config F]

Dual mono: each mono sample call transcribed as it is, then duplicated to two identical
channels, then on channel 1 with channel 0 silent (a -66 dBFS noise floor), then as two
identical channels forced down the channel path (as every stereo file was before): the layout chosen,
the stereo reading's word count against the mono one, its WER against the mono words, and
the share of words (matched in time) with the same role.

Bleed: each stereo sample call with each channel mixed into the other at each level, channel 0
into 1 20 ms late and 1 into 0 45 ms late, against the clean file: roles (each speaker's role
against the ground truth), word count, words and utterances on the party who did not speak
them (ground truth), over-talk events and seconds, and each role's talk time. ``before``: the
same without the bleed gate (one VAD pass per channel, every word kept), as before #16.
Frames: per 32 ms frame against the ground-truth turns, how much bleed, own speech and
over-talk each channel keeps (no recogniser).
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from qa.audio import Audio, load_audio  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.evaluate import (  # noqa: E402
    load_truth, role_assignment, utterance_attribution, with_bleed, word_attribution, word_error_rate,
)
from qa.ingest import identify  # noqa: E402
from qa.pipeline import Decoded, transcribe_calls, with_vad  # noqa: E402
from qa.scoring.metrics import call_metrics  # noqa: E402
from qa.transcribe.layout import read_channels  # noqa: E402

SAMPLES = REPO / "sample_audio"


def transcribe(path: Path, channels: tuple[np.ndarray, ...], engine: Engine, stereo: str | None = None):
    """One call's TranscribedCall from the given channels (the file's metadata); ``stereo``
    overrides ``[roles] stereo``."""
    audio = Audio(str(path), tuple(np.ascontiguousarray(c, dtype=np.float32) for c in channels), 16_000)
    decoded = with_vad(identify(path), audio, engine)
    if stereo is not None:
        reading = read_channels(audio, stereo)
        decoded = Decoded(decoded.call, audio, reading.activity, reading.layout, reading.speech, reading.ownership)
    (result,) = transcribe_calls([decoded], engine)
    if not hasattr(result, "transcript"):
        raise result.raised(str(path))
    return result


@contextmanager
def without_gate():
    """The channel path as before #16: every frame and word of a channel its own."""
    import qa.transcribe.bleed as bleed

    margin, bleed.MARGIN_DB = bleed.MARGIN_DB, -300.0
    try:
        yield
    finally:
        bleed.MARGIN_DB = margin


def role_agreement(reference, other) -> float:
    """Share of ``other``'s words whose role is the role of the ``reference`` word nearest in time."""
    timed = sorted(((w.start + w.end) / 2, u.role) for u in reference.utterances for w in u.words)
    times = np.array([t for t, _ in timed])
    words = [((w.start + w.end) / 2, u.role) for u in other.utterances for w in u.words]
    if not words or not timed:
        return 0.0
    same = sum(timed[int(np.argmin(np.abs(times - t)))][1] is role for t, role in words)
    return same / len(words)


def dual_mono(engine: Engine) -> None:
    print("\nDual mono and one live channel (mono sample calls) against the same call in mono")
    print("| call | reading | layout | words (mono) | word ratio | WER vs mono | same role |")
    print("|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for path in sorted(SAMPLES.glob("2026*.wav")):
        samples = load_audio(path).channels
        if len(samples) != 1:
            continue
        mono = transcribe(path, samples, engine).transcript
        text = " ".join(u.text for u in mono.utterances)
        noise = rng.normal(0, 10 ** (-66 / 20), samples[0].size).astype(np.float32)
        readings = [("identical channels", (samples[0], samples[0].copy()), None),
                    ("channel 0 silent", (noise, samples[0]), None),
                    ("identical, read as channels (before #16)", (samples[0], samples[0].copy()), "channels")]
        for name, channels, stereo in readings:
            result = transcribe(path, channels, engine, stereo)
            words = result.transcript.words
            wer = word_error_rate(text, " ".join(u.text for u in result.transcript.utterances))
            print(f"| {path.stem[:25]} | {name} | {result.layout.mode} | {len(mono.words)} | "
                  f"{len(words) / max(len(mono.words), 1):.3f} | {wer:.3f} | {role_agreement(mono, result.transcript):.3f} |")


def _measures(result, truth) -> dict:
    transcript = result.transcript
    metrics = call_metrics(transcript, truth.language, truth.raw["direction"])
    correct, checked = word_attribution(truth, transcript)
    wrong_utterances, utterances = utterance_attribution(truth, transcript)
    return dict(roles=all(given is expected for given, expected in role_assignment(truth, transcript).values()),
                words=len(transcript.words), wrong_words=checked - correct, wrong_utterances=wrong_utterances,
                utterances=utterances, overtalk=metrics.overtalk_count, overtalk_s=metrics.overtalk_s,
                operator_s=metrics.operator.talk_s, customer_s=metrics.customer.talk_s)


def _row(stem: str, label: str, m: dict, clean: dict) -> str:
    def change(key: str) -> str:
        return f"{100 * (m[key] / clean[key] - 1):+.1f} %" if clean[key] else "n/a"

    return (f"| {stem[:25]} | {label} | {'ok' if m['roles'] else 'WRONG'} | {m['words']} ({change('words')}) | "
            f"{m['wrong_words']} | {m['wrong_utterances']}/{m['utterances']} | {m['overtalk']} ({clean['overtalk']}) | "
            f"{m['overtalk_s']:.1f} ({clean['overtalk_s']:.1f}) | {change('operator_s')} | {change('customer_s')} |")


def bleed(engine: Engine, levels: list[float], before: bool) -> list[dict]:
    print("\nBleed (stereo sample calls): each channel in the other at the level, against the clean file")
    print("| call | bleed | roles | words (vs clean) | words on wrong party | utterances on wrong party | "
          "over-talk events (clean) | over-talk s (clean) | operator talk | customer talk |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for path in sorted(SAMPLES.glob("2026*.wav")):
        channels = load_audio(path).channels
        if len(channels) != 2:
            continue
        truth = load_truth(path.with_suffix(".json"))
        clean = _measures(transcribe(path, channels, engine), truth)
        print(_row(path.stem, "clean", clean, clean))
        for level in levels:
            mixed = with_bleed(channels, level)
            runs = [("gated", None), ("before", without_gate)] if before else [("gated", None)]
            for label, context in runs:
                if context is None:
                    m = _measures(transcribe(path, mixed, engine), truth)
                else:
                    with context():
                        m = _measures(transcribe(path, mixed, engine), truth)
                rows.append(dict(m, call=path.stem, level=level, gate=label, clean=clean))
                print(_row(path.stem, f"{level:g} dB {label}", m, clean))
    return rows


def frames(levels: list[float]) -> None:
    """Per 32 ms frame, against the ground-truth turns (no recogniser): the share of the frames
    where a channel carries only the other party over its noise floor (bleed) that the channel
    keeps, of the party's own frames kept, and of the over-talk frames kept."""
    from qa.evaluate import load_rttm
    from qa.transcribe.bleed import ownership
    from qa.transcribe.vad import WINDOW

    print("\nFrames kept, against the ground truth (4 stereo calls, both delay pairs)")
    print("| bleed | bleed frames kept | own frames kept | over-talk frames kept |")
    print("|---|---|---|---|")
    for level in levels:
        counts = np.zeros(6)
        for path in sorted(SAMPLES.glob("2026*.wav")):
            channels = load_audio(path).channels
            if len(channels) != 2:
                continue
            size = channels[0].size // WINDOW + 1
            centre = (np.arange(size) + 0.5) * WINDOW / 16_000
            own = [np.zeros(size, bool), np.zeros(size, bool)]
            for turn in load_rttm(path.with_suffix(".rttm")):
                own[turn.speaker != "operator"] |= (centre >= turn.start) & (centre < turn.end)
            for delays in ((0.02, 0.045), (0.06, 0.03)):
                owner = ownership(with_bleed(channels, level, delays))
                for c in (0, 1):
                    kept = owner.kept(c)[:size]
                    bleed = (owner.energy[c][:size] > owner.floor[c] * 10) & ~own[c] & own[1 - c]
                    both = own[0] & own[1]
                    counts += [(kept & bleed).sum(), bleed.sum(), (kept & own[c]).sum(), own[c].sum(),
                               (kept & both).sum(), both.sum()]
        print(f"| {level:g} dB | {counts[0] / counts[1]:.3f} | {counts[2] / counts[3]:.3f} | "
              f"{counts[4] / max(counts[5], 1):.3f} ({int(counts[5])} frames) |")


def summary(rows: list[dict]) -> None:
    print("\nPer level (worst over the calls): talk time change, words change, wrong words/utterances, roles, over-talk")
    print("| bleed | gate | roles right | max talk-time change | max word-count change | words on wrong party | "
          "utterances on wrong party | over-talk events off |")
    print("|---|---|---|---|---|---|---|---|")
    for key in dict.fromkeys((r["level"], r["gate"]) for r in rows):
        group = [r for r in rows if (r["level"], r["gate"]) == key]
        talk = max(abs(r[k] / r["clean"][k] - 1) for r in group for k in ("operator_s", "customer_s"))
        words = max(abs(r["words"] / r["clean"]["words"] - 1) for r in group)
        overtalk = sum(abs(r["overtalk"] - r["clean"]["overtalk"]) for r in group)
        print(f"| {key[0]:g} dB | {key[1]} | {sum(r['roles'] for r in group)}/{len(group)} | {100 * talk:.1f} % | "
              f"{100 * words:.1f} % | {sum(r['wrong_words'] for r in group)} | "
              f"{sum(r['wrong_utterances'] for r in group)} | {overtalk} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=float, nargs="*", default=[-15.0, -20.0, -30.0])
    parser.add_argument("--no-before", action="store_true", help="skip the runs without the bleed gate")
    parser.add_argument("--no-dual", action="store_true", help="skip the dual-mono part")
    parser.add_argument("--config", default=None)
    args = parser.parse_args()
    engine = Engine(load_config(args.config))
    frames(args.levels)
    if not args.no_dual:
        dual_mono(engine)
    if args.levels:
        summary(bleed(engine, args.levels, not args.no_before))


if __name__ == "__main__":
    main()
